#pragma once

#include "consular/v1/audit.grpc.pb.h"
#include "services/audit/audit_manager.h"
#include "services/common/unary_call.h"

namespace consular::audit {

// The gRPC face of AuditManager: authenticates each call, hands it to the worker pool, and maps
// the result to a gRPC status. No logic of its own.
class AuditService final : public consular::v1::AuditService::CallbackService {
 public:
  AuditService(AuditManager* manager, CallEnvironment env) : manager_(manager), env_(env) {}

  grpc::ServerUnaryReactor* ListAuditEvents(
      grpc::CallbackServerContext* ctx, const consular::v1::ListAuditEventsRequest* request,
      consular::v1::ListAuditEventsResponse* response) override;
  grpc::ServerUnaryReactor* VerifyChain(grpc::CallbackServerContext* ctx,
                                        const consular::v1::VerifyChainRequest* request,
                                        consular::v1::VerifyChainResponse* response) override;

 private:
  AuditManager* manager_;
  CallEnvironment env_;
};

}  // namespace consular::audit

#include "services/audit/audit_service.h"

namespace consular::audit {

grpc::ServerUnaryReactor* AuditService::ListAuditEvents(
    grpc::CallbackServerContext* ctx, const consular::v1::ListAuditEventsRequest* request,
    consular::v1::ListAuditEventsResponse* response) {
  return ServeUnary(ctx, env_, [this, request, response](const Identity& who, absl::Time deadline) {
    return manager_->List(who, *request, deadline, response);
  });
}

grpc::ServerUnaryReactor* AuditService::VerifyChain(grpc::CallbackServerContext* ctx,
                                                    const consular::v1::VerifyChainRequest* request,
                                                    consular::v1::VerifyChainResponse* response) {
  return ServeUnary(ctx, env_, [this, request, response](const Identity& who, absl::Time deadline) {
    return manager_->Verify(who, *request, deadline, response);
  });
}

}  // namespace consular::audit

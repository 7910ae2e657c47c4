#pragma once

#include "consular/v1/audit.grpc.pb.h"
#include "services/audit/audit_manager.h"
#include "services/common/proto_service.h"

namespace consular::audit {

// The gRPC face of AuditManager: each method forwards to the manager method of the same meaning
// (ProtoService). No logic of its own.
class AuditService final : public ProtoService {
 public:
  AuditService(AuditManager* manager, CallEnvironment env);
};

}  // namespace consular::audit

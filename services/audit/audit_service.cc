#include "services/audit/audit_service.h"

namespace consular::audit {

AuditService::AuditService(AuditManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::AuditService::service_full_name(), env) {
  Route(manager, &AuditManager::List, &AuditManager::Verify);
}

}  // namespace consular::audit

#include "services/cases/export_service.h"

namespace consular::cases {

ExportService::ExportService(ExportManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::ExportService::service_full_name(), env) {
  Route(manager, &ExportManager::RequestSubjectAccess, &ExportManager::AnswerSubjectAccess,
        &ExportManager::ListSubjectAccessRequests, &ExportManager::GetSubjectAccessExport,
        &ExportManager::RequestExport, &ExportManager::AnswerExport, &ExportManager::ListExports,
        &ExportManager::DownloadExport);
}

}  // namespace consular::cases

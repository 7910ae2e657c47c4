#include "services/cases/records_service.h"

namespace consular::cases {

RecordsService::RecordsService(RecordsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::RecordsService::service_full_name(), env) {
  Route(manager, &RecordsManager::ListRetentionSchedules, &RecordsManager::SetRetentionSchedule,
        &RecordsManager::PlaceLegalHold, &RecordsManager::LiftLegalHold,
        &RecordsManager::ListLegalHolds, &RecordsManager::ProposeDestructionList,
        &RecordsManager::ListDestructionLists, &RecordsManager::GetDestructionList,
        &RecordsManager::ReviewDestructionItems, &RecordsManager::ProcessDestructionList);
}

}  // namespace consular::cases

#include "services/cases/cases_service.h"

namespace consular::cases {

CasesService::CasesService(CaseManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::CaseService::service_full_name(), env) {
  Route(manager, &CaseManager::Create, &CaseManager::Get, &CaseManager::List, &CaseManager::Update,
        &CaseManager::Transition, &CaseManager::AddNote, &CaseManager::ListNotes,
        &CaseManager::ListEvents, &CaseManager::ListHistory, &CaseManager::Search, &CaseManager::Share,
        &CaseManager::RevokeShare, &CaseManager::ListShares, &CaseManager::Refer,
        &CaseManager::OpenEmergencyAccess, &CaseManager::ListEmergencyAccess,
        &CaseManager::ReviewEmergencyAccess, &CaseManager::FindPossibleDuplicates,
        &CaseManager::EmergencySearch, &CaseManager::ListDeadlines, &CaseManager::AnswerReferral,
        &CaseManager::AnswerShare, &CaseManager::ListInbox, &CaseManager::AssignCase);
}

}  // namespace consular::cases

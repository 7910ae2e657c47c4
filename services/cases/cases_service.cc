#include "services/cases/cases_service.h"

namespace consular::cases {

CasesService::CasesService(CaseManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::CaseService::service_full_name(), env) {
  Route("CreateCase", manager, &CaseManager::Create);
  Route("GetCase", manager, &CaseManager::Get);
  Route("ListCases", manager, &CaseManager::List);
  Route("UpdateCase", manager, &CaseManager::Update);
  Route("TransitionCase", manager, &CaseManager::Transition);
  Route("AddCaseNote", manager, &CaseManager::AddNote);
  Route("ListCaseNotes", manager, &CaseManager::ListNotes);
  Route("ListCaseEvents", manager, &CaseManager::ListEvents);
  Route("SearchCases", manager, &CaseManager::Search);
  Route("ShareCase", manager, &CaseManager::Share);
  Route("RevokeShare", manager, &CaseManager::RevokeShare);
  Route("ListShares", manager, &CaseManager::ListShares);
  Route("ReferCase", manager, &CaseManager::Refer);
  Route("OpenEmergencyAccess", manager, &CaseManager::OpenEmergencyAccess);
  Route("ListEmergencyAccess", manager, &CaseManager::ListEmergencyAccess);
  Route("ReviewEmergencyAccess", manager, &CaseManager::ReviewEmergencyAccess);
}

}  // namespace consular::cases

#include "services/contacts/contacts_service.h"

namespace consular::contacts {

PartnerServiceImpl::PartnerServiceImpl(ContactsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::PartnerService::service_full_name(), env) {
  Route(manager, &ContactsManager::CreatePartner, &ContactsManager::UpdatePartner,
        &ContactsManager::GetPartner, &ContactsManager::ListPartners, &ContactsManager::SetVetting,
        &ContactsManager::DeactivatePartner, &ContactsManager::SetAccreditation,
        &ContactsManager::GetAccreditation);
}

UnitServiceImpl::UnitServiceImpl(ContactsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::UnitService::service_full_name(), env) {
  Route(manager, &ContactsManager::CreateUnit, &ContactsManager::GetUnit,
        &ContactsManager::ListUnits, &ContactsManager::AccreditUnit,
        &ContactsManager::UnaccreditUnit, &ContactsManager::SetUnitActive,
        &ContactsManager::UpdateUnit);
}

ContactServiceImpl::ContactServiceImpl(ContactsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::ContactService::service_full_name(), env) {
  Route(manager, &ContactsManager::LogContact, &ContactsManager::UpdateContact,
        &ContactsManager::ListContacts, &ContactsManager::ListFollowUpsDue,
        &ContactsManager::CompleteFollowUp);
}

}  // namespace consular::contacts

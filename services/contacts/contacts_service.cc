#include "services/contacts/contacts_service.h"

namespace consular::contacts {

PartnerServiceImpl::PartnerServiceImpl(PartnerManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::PartnerService::service_full_name(), env) {
  Route(manager, &PartnerManager::Create, &PartnerManager::Update, &PartnerManager::Get,
        &PartnerManager::List, &PartnerManager::SetVetting, &PartnerManager::Deactivate,
        &PartnerManager::SetAccreditation, &PartnerManager::GetAccreditation);
}

ContactServiceImpl::ContactServiceImpl(ContactManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::ContactService::service_full_name(), env) {
  Route(manager, &ContactManager::Log, &ContactManager::Update, &ContactManager::List,
        &ContactManager::ListFollowUpsDue, &ContactManager::CompleteFollowUp);
}

}  // namespace consular::contacts

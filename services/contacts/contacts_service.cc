#include "services/contacts/contacts_service.h"

namespace consular::contacts {

PartnerServiceImpl::PartnerServiceImpl(PartnerManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::PartnerService::service_full_name(), env) {
  Route("CreatePartner", manager, &PartnerManager::Create);
  Route("UpdatePartner", manager, &PartnerManager::Update);
  Route("GetPartner", manager, &PartnerManager::Get);
  Route("ListPartners", manager, &PartnerManager::List);
  Route("SetVetting", manager, &PartnerManager::SetVetting);
  Route("DeactivatePartner", manager, &PartnerManager::Deactivate);
  Route("SetAccreditation", manager, &PartnerManager::SetAccreditation);
  Route("GetAccreditation", manager, &PartnerManager::GetAccreditation);
}

ContactServiceImpl::ContactServiceImpl(ContactManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::ContactService::service_full_name(), env) {
  Route("LogContact", manager, &ContactManager::Log);
  Route("UpdateContact", manager, &ContactManager::Update);
  Route("ListContacts", manager, &ContactManager::List);
  Route("ListFollowUpsDue", manager, &ContactManager::ListFollowUpsDue);
  Route("CompleteFollowUp", manager, &ContactManager::CompleteFollowUp);
}

}  // namespace consular::contacts

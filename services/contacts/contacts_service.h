#pragma once

#include "consular/v1/contacts.grpc.pb.h"
#include "services/common/unary_call.h"
#include "services/contacts/contact_manager.h"
#include "services/contacts/partner_manager.h"

namespace consular::contacts {

// The gRPC faces of PartnerManager and ContactManager: authenticate each call, hand it to the
// worker pool, map the result to a gRPC status. No logic of their own.
class PartnerServiceImpl final : public consular::v1::PartnerService::CallbackService {
 public:
  PartnerServiceImpl(PartnerManager* manager, CallEnvironment env) : manager_(manager), env_(env) {}

#define CONSULAR_DECLARE(Method, Request, Response)                      \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx,     \
                                   const consular::v1::Request* request, \
                                   consular::v1::Response* response) override;
  CONSULAR_DECLARE(CreatePartner, CreatePartnerRequest, Partner)
  CONSULAR_DECLARE(UpdatePartner, UpdatePartnerRequest, Partner)
  CONSULAR_DECLARE(GetPartner, GetPartnerRequest, Partner)
  CONSULAR_DECLARE(ListPartners, ListPartnersRequest, ListPartnersResponse)
  CONSULAR_DECLARE(SetVetting, SetVettingRequest, Partner)
  CONSULAR_DECLARE(DeactivatePartner, DeactivatePartnerRequest, Partner)
  CONSULAR_DECLARE(SetAccreditation, SetAccreditationRequest, Accreditation)
  CONSULAR_DECLARE(GetAccreditation, GetAccreditationRequest, Accreditation)

 private:
  PartnerManager* manager_;
  CallEnvironment env_;
};

class ContactServiceImpl final : public consular::v1::ContactService::CallbackService {
 public:
  ContactServiceImpl(ContactManager* manager, CallEnvironment env) : manager_(manager), env_(env) {}

  CONSULAR_DECLARE(LogContact, LogContactRequest, Contact)
  CONSULAR_DECLARE(UpdateContact, UpdateContactRequest, Contact)
  CONSULAR_DECLARE(ListContacts, ListContactsRequest, ListContactsResponse)
  CONSULAR_DECLARE(ListFollowUpsDue, ListFollowUpsDueRequest, ListFollowUpsDueResponse)
  CONSULAR_DECLARE(CompleteFollowUp, CompleteFollowUpRequest, Contact)
#undef CONSULAR_DECLARE

 private:
  ContactManager* manager_;
  CallEnvironment env_;
};

}  // namespace consular::contacts

#include "services/contacts/contacts_service.h"

namespace consular::contacts {

// Each method forwards to the manager method of the same meaning on a worker thread.
#define CONSULAR_FORWARD(Service, Method, Request, Response, ManagerMethod)                 \
  grpc::ServerUnaryReactor* Service::Method(grpc::CallbackServerContext* ctx,               \
                                            const consular::v1::Request* request,           \
                                            consular::v1::Response* response) {             \
    return ServeUnary(ctx, env_,                                                            \
                      [this, request, response](const Identity& who, absl::Time deadline) { \
                        return manager_->ManagerMethod(who, *request, deadline, response);  \
                      });                                                                   \
  }

CONSULAR_FORWARD(PartnerServiceImpl, CreatePartner, CreatePartnerRequest, Partner, Create)
CONSULAR_FORWARD(PartnerServiceImpl, UpdatePartner, UpdatePartnerRequest, Partner, Update)
CONSULAR_FORWARD(PartnerServiceImpl, GetPartner, GetPartnerRequest, Partner, Get)
CONSULAR_FORWARD(PartnerServiceImpl, ListPartners, ListPartnersRequest, ListPartnersResponse, List)
CONSULAR_FORWARD(PartnerServiceImpl, SetVetting, SetVettingRequest, Partner, SetVetting)
CONSULAR_FORWARD(PartnerServiceImpl, DeactivatePartner, DeactivatePartnerRequest, Partner,
                 Deactivate)
CONSULAR_FORWARD(PartnerServiceImpl, SetAccreditation, SetAccreditationRequest, Accreditation,
                 SetAccreditation)
CONSULAR_FORWARD(PartnerServiceImpl, GetAccreditation, GetAccreditationRequest, Accreditation,
                 GetAccreditation)

CONSULAR_FORWARD(ContactServiceImpl, LogContact, LogContactRequest, Contact, Log)
CONSULAR_FORWARD(ContactServiceImpl, UpdateContact, UpdateContactRequest, Contact, Update)
CONSULAR_FORWARD(ContactServiceImpl, ListContacts, ListContactsRequest, ListContactsResponse, List)
CONSULAR_FORWARD(ContactServiceImpl, ListFollowUpsDue, ListFollowUpsDueRequest,
                 ListFollowUpsDueResponse, ListFollowUpsDue)
CONSULAR_FORWARD(ContactServiceImpl, CompleteFollowUp, CompleteFollowUpRequest, Contact,
                 CompleteFollowUp)

#undef CONSULAR_FORWARD

}  // namespace consular::contacts

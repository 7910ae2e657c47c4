#pragma once

#include "consular/v1/contacts.grpc.pb.h"
#include "services/common/proto_service.h"
#include "services/contacts/contact_manager.h"
#include "services/contacts/partner_manager.h"

namespace consular::contacts {

// The gRPC face of PartnerManager and ContactManager: each method forwards to the manager method of
// the same meaning (ProtoService). No logic of its own.
class PartnerServiceImpl final : public ProtoService {
 public:
  PartnerServiceImpl(PartnerManager* manager, CallEnvironment env);
};

class ContactServiceImpl final : public ProtoService {
 public:
  ContactServiceImpl(ContactManager* manager, CallEnvironment env);
};

}  // namespace consular::contacts

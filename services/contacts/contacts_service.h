#pragma once

#include "consular/v1/contacts.grpc.pb.h"
#include "services/common/proto_service.h"
#include "services/contacts/contacts_manager.h"

namespace consular::contacts {

// The gRPC faces of ContactsManager: each method forwards to the use case taking its request
// (ProtoService). No logic of their own.
class PartnerServiceImpl final : public ProtoService {
 public:
  PartnerServiceImpl(ContactsManager* manager, CallEnvironment env);
};

class UnitServiceImpl final : public ProtoService {
 public:
  UnitServiceImpl(ContactsManager* manager, CallEnvironment env);
};

class ContactServiceImpl final : public ProtoService {
 public:
  ContactServiceImpl(ContactsManager* manager, CallEnvironment env);
};

}  // namespace consular::contacts

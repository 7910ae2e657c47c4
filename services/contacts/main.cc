// consular-contacts: the partner directory and the contact log. Names its parts;
// services/common/bootstrap.h runs them.
#include "services/common/bootstrap.h"
#include "services/contacts/contacts_manager.h"
#include "services/contacts/contacts_service.h"

int main(int argc, char** argv) {
  consular::ServerSpec spec;
  spec.name = "consular-contacts";
  spec.description = "partner directory and contact log (gRPC)";
  spec.env_prefix = "CONSULAR_CONTACTS_";
  spec.field_keys = true;
  spec.expiring = {consular::storage::ExpiringKind::kContactsIdempotency};
  spec.build = [](const consular::ServerContext& ctx, consular::ServerParts* parts) {
    auto* manager =
        parts->Make<consular::contacts::ContactsManager>(ctx.runner, *ctx.clock, ctx.crypto);
    parts->Serve<consular::contacts::PartnerServiceImpl>(manager, ctx.env);
    parts->Serve<consular::contacts::ContactServiceImpl>(manager, ctx.env);
    parts->Serve<consular::contacts::UnitServiceImpl>(manager, ctx.env);
    return absl::OkStatus();
  };
  return consular::RunConsularServer(spec, argc, argv);
}

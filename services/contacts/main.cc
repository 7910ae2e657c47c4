// consular-contacts: the partner directory and the contact log. Names its parts;
// services/common/bootstrap.h runs them.
#include "services/common/bootstrap.h"
#include "services/contacts/contact_manager.h"
#include "services/contacts/contacts_service.h"
#include "services/contacts/partner_manager.h"

int main(int argc, char** argv) {
  consular::ServerSpec spec;
  spec.name = "consular-contacts";
  spec.description = "partner directory and contact log (gRPC)";
  spec.env_prefix = "CONSULAR_CONTACTS_";
  spec.field_keys = true;
  spec.build = [](const consular::ServerContext& ctx, consular::ServerParts* parts) {
    auto* partners =
        parts->Make<consular::contacts::PartnerManager>(ctx.runner, *ctx.clock, ctx.crypto);
    auto* contacts =
        parts->Make<consular::contacts::ContactManager>(ctx.runner, *ctx.clock, ctx.crypto);
    parts->Serve<consular::contacts::PartnerServiceImpl>(partners, ctx.env);
    parts->Serve<consular::contacts::ContactServiceImpl>(contacts, ctx.env);
    return absl::OkStatus();
  };
  return consular::RunConsularServer(spec, argc, argv);
}

// consular-audit: the audit service. Names its parts; services/common/bootstrap.h runs them (the
// audit sequencer included, as in every server).
#include "services/audit/audit_manager.h"
#include "services/audit/audit_service.h"
#include "services/common/bootstrap.h"

int main(int argc, char** argv) {
  consular::ServerSpec spec;
  spec.name = "consular-audit";
  spec.description = "the audit trail service (gRPC) and its chain sequencer";
  spec.env_prefix = "CONSULAR_AUDIT_";
  spec.defaults.server.listen_address = "127.0.0.1:50052";
  spec.defaults.pool_size = 4;
  spec.defaults.workers = 4;
  spec.defaults.queue_limit = 64;
  spec.build = [](const consular::ServerContext& ctx, consular::ServerParts* parts) {
    auto* manager = parts->Make<consular::audit::AuditManager>(ctx.runner, *ctx.clock);
    parts->Serve<consular::audit::AuditService>(manager, ctx.env);
    return absl::OkStatus();
  };
  return consular::RunConsularServer(spec, argc, argv);
}

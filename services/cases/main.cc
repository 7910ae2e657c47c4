// consular-cases: the case service. Names its parts; services/common/bootstrap.h runs them.
#include "services/cases/case_manager.h"
#include "services/cases/cases_service.h"
#include "services/cases/export_manager.h"
#include "services/cases/export_service.h"
#include "services/common/bootstrap.h"

int main(int argc, char** argv) {
  consular::ServerSpec spec;
  spec.name = "consular-cases";
  spec.description = "the consular case service (gRPC)";
  spec.env_prefix = "CONSULAR_";
  spec.field_keys = true;
  spec.build = [](const consular::ServerContext& ctx, consular::ServerParts* parts) {
    auto* manager =
        parts->Make<consular::cases::CaseManager>(ctx.runner, *ctx.clock, ctx.crypto);
    parts->Serve<consular::cases::CasesService>(manager, ctx.env);
    auto* exports =
        parts->Make<consular::cases::ExportManager>(ctx.runner, *ctx.clock, ctx.crypto);
    parts->Serve<consular::cases::ExportService>(exports, ctx.env);
    return absl::OkStatus();
  };
  return consular::RunConsularServer(spec, argc, argv);
}

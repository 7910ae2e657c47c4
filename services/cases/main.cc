// consular-cases: the case service and records management. Names its parts;
// services/common/bootstrap.h runs them.
#include "services/cases/case_manager.h"
#include "services/cases/cases_service.h"
#include "services/cases/destruction_job.h"
#include "services/cases/records_manager.h"
#include "services/cases/records_service.h"
#include "services/cases/export_manager.h"
#include "services/cases/export_service.h"
#include "services/common/bootstrap.h"

int main(int argc, char** argv) {
  consular::ServerSpec spec;
  spec.name = "consular-cases";
  spec.description = "the consular case service and records management (gRPC)";
  spec.env_prefix = "CONSULAR_";
  spec.field_keys = true;
  using consular::storage::ExpiringKind;
  spec.expiring = {ExpiringKind::kCasesIdempotency, ExpiringKind::kEndedShares,
                   ExpiringKind::kReviewedEmergencyAccess, ExpiringKind::kEmergencySearches,
                   ExpiringKind::kExpiredExportFiles};
  int destruction_list_minutes = 60;
  spec.add_flags = [&](CLI::App& app) {
    app.add_option("--destruction-list-interval-minutes", destruction_list_minutes,
                   "How often to check whether the month's destruction list is due, in minutes "
                   "(0: never; administrators still propose lists)")
        ->envname("CONSULAR_DESTRUCTION_LIST_INTERVAL_MINUTES")
        ->check(CLI::Range(0, 44640));
  };
  spec.build = [&](const consular::ServerContext& ctx, consular::ServerParts* parts) {
    auto* manager =
        parts->Make<consular::cases::CaseManager>(ctx.runner, *ctx.clock, ctx.crypto);
    parts->Serve<consular::cases::CasesService>(manager, ctx.env);
    auto* records =
        parts->Make<consular::cases::RecordsManager>(ctx.runner, *ctx.clock, ctx.crypto);
    parts->Serve<consular::cases::RecordsService>(records, ctx.env);
    if (destruction_list_minutes > 0) {
      auto* job = parts->Make<consular::cases::DestructionListJob>(
          records, absl::Minutes(destruction_list_minutes));
      parts->Background([job] { job->Start(); }, [job] { job->Stop(); });
    }
    auto* exports =
        parts->Make<consular::cases::ExportManager>(ctx.runner, *ctx.clock, ctx.crypto);
    parts->Serve<consular::cases::ExportService>(exports, ctx.env);
    return absl::OkStatus();
  };
  return consular::RunConsularServer(spec, argc, argv);
}

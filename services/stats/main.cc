// consular-stats: statistics with disclosure control, the bilateral-talks register and country
// dossiers. Names its parts (services/common/bootstrap.h runs them), the rollups kept up to date
// from the event stream in the background among them; `verify` and `rebuild` check and rebuild
// the rollups once and exit.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/log.h"
#include "services/common/bootstrap.h"
#include "services/common/metrics.h"
#include "services/stats/rollup_refresher.h"
#include "services/stats/rollups.h"
#include "services/stats/statistics_manager.h"
#include "services/stats/stats_service.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"

namespace {

// `consular-stats verify|rebuild --dsn DSN`: needs the database only.
int RunMaintenance(int argc, char** argv) {
  const std::string command = argv[0];
  CLI::App app{"consular-stats " + command};
  std::string dsn;
  app.add_option("--dsn", dsn, "PostgreSQL connection string (libpq conninfo)")
      ->envname("CONSULAR_DSN")
      ->required();
  CLI11_PARSE(app, argc, argv);
  consular::storage::ConnectionPool pool({dsn, 2});
  consular::storage::TransactionRunner runner(&pool);
  consular::stats::RollupUpdater updater(&runner);
  if (command == "rebuild") {
    const absl::StatusOr<int64_t> applied = updater.Rebuild();
    if (!applied.ok()) {
      std::cerr << "consular-stats: rebuild: " << applied.status().message() << "\n";
      return 1;
    }
    std::cout << "rebuilt the rollups from " << *applied << " events\n";
    return 0;
  }
  const absl::StatusOr<std::vector<consular::stats::RollupDifference>> differences =
      updater.Verify();
  if (!differences.ok()) {
    std::cerr << "consular-stats: verify: " << differences.status().message() << "\n";
    return 1;
  }
  for (const consular::stats::RollupDifference& d : *differences) {
    std::cout << consular::stats::DescribeDifference(d) << "\n";
  }
  std::cout << (differences->empty() ? "rollups agree with the recount over the base tables\n"
                                     : absl::StrCat(differences->size(), " difference(s)\n"));
  return differences->empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (std::string(argv[1]) == "verify" || std::string(argv[1]) == "rebuild")) {
    return RunMaintenance(argc - 1, argv + 1);
  }
  consular::ServerSpec spec;
  spec.name = "consular-stats";
  spec.description = "statistics, bilateral talks and country dossiers (gRPC)";
  spec.env_prefix = "CONSULAR_STATS_";
  spec.defaults.server.listen_address = "127.0.0.1:50054";
  spec.field_keys = true;
  spec.expiring = {consular::storage::ExpiringKind::kStatsIdempotency};
  consular::stats::StatisticsSettings settings;
  int refresh_ms = 500;
  bool no_monthly_release = false;
  spec.add_flags = [&](CLI::App& app) {
    app.add_option("--threshold", settings.threshold,
                   "Smallest count published (5 or more; default 5)")
        ->envname("CONSULAR_STATS_THRESHOLD")
        ->check(CLI::Range(5, 1000));
    app.add_flag("--always-round", settings.always_round,
                 "Round every published figure to a multiple of 5")
        ->envname("CONSULAR_STATS_ALWAYS_ROUND");
    app.add_option("--refresh-ms", refresh_ms,
                   "How often the rollups catch up with the event stream, in milliseconds")
        ->envname("CONSULAR_STATS_REFRESH_MS")
        ->check(CLI::Range(10, 600000));
    app.add_flag("--no-monthly-release", no_monthly_release,
                 "Do not make the monthly statistics release (tests; administrators still can)")
        ->envname("CONSULAR_STATS_NO_MONTHLY_RELEASE");
  };
  spec.footer =
      "Maintenance (one run, then exit):\n"
      "  consular-stats verify --dsn DSN    compare the rollups (brought up to date) with a "
      "recount\n"
      "                                     over the base tables; exit 1 on any difference\n"
      "  consular-stats rebuild --dsn DSN   rebuild the rollups from the whole event stream";
  spec.build = [&](const consular::ServerContext& ctx, consular::ServerParts* parts) {
    auto* manager = parts->Make<consular::stats::StatisticsManager>(
        ctx.runner, *ctx.clock, ctx.crypto, settings);
    parts->Serve<consular::stats::StatisticsServiceImpl>(manager, ctx.env);
    parts->Serve<consular::stats::BilateralServiceImpl>(manager, ctx.env);
    parts->Serve<consular::stats::ReportServiceImpl>(manager, ctx.env);
    auto* updater = parts->Make<consular::stats::RollupUpdater>(ctx.runner);
    std::function<void()> after_round;
    if (!no_monthly_release) {
      after_round = [manager] {
        const auto made = manager->MakeMonthlyReleaseIfDue();
        if (!made.ok()) {
          consular::LogError(absl::StrCat("the monthly release: ", made.status().message()));
        } else if (made->has_value()) {
          consular::LogInfo("made the monthly release", {{"release", (*made)->number()}});
        }
      };
    }
    auto* refresher = parts->Make<consular::stats::RollupRefresher>(
        updater, absl::Milliseconds(refresh_ms), std::move(after_round));
    parts->Background([refresher] { refresher->Start(); }, [refresher] { refresher->Stop(); });
    if (ctx.env.metrics != nullptr) {
      ctx.env.metrics->AddGauge(
          "consular_rollup_lag_seconds",
          "How far the statistics rollups lie behind the newest case event (at the last round)",
          [refresher] { return absl::ToDoubleSeconds(refresher->LastFreshness().lag); });
      ctx.env.metrics->AddGauge(
          "consular_rollup_as_of_timestamp_seconds",
          "Unix time up to which every committed case event is counted in the rollups (0: no "
          "round yet)",
          [refresher] { return consular::UnixSecondsOrZero(refresher->LastFreshness().as_of); });
    }
    return absl::OkStatus();
  };
  return consular::RunConsularServer(spec, argc, argv);
}

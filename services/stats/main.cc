// consular-stats: statistics with disclosure control, the bilateral-talks register and country
// dossiers. Keeps the rollups up to date from the event stream in the background and serves until
// SIGTERM; `verify` and `rebuild` check and rebuild the rollups once and exit.
#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/server.h"
#include "services/common/server_flags.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "services/stats/rollups.h"
#include "services/stats/statistics_manager.h"
#include "services/stats/stats_service.h"
#include "storage/audit_chain.h"
#include "storage/connection_pool.h"
#include "storage/row_security.h"
#include "storage/transaction_runner.h"

namespace {

// Brings the rollups up to date every `interval` until stopped.
class RollupRefresher {
 public:
  RollupRefresher(consular::stats::RollupUpdater* updater, absl::Duration interval)
      : updater_(updater), interval_(interval) {}

  void Start() {
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stop_) {
        lock.unlock();
        const absl::StatusOr<int64_t> applied = updater_->CatchUp();
        if (!applied.ok()) {
          std::cerr << "consular-stats: updating the rollups: " << applied.status().message()
                    << "\n";
        }
        lock.lock();
        wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_), [this] { return stop_; });
      }
    });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  consular::stats::RollupUpdater* const updater_;
  const absl::Duration interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

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
    std::cout << d.key.country << " " << d.key.year << "-" << d.key.month << " " << d.key.measure
              << " " << d.key.dimension << " " << d.key.category << ": rollup " << d.rollup
              << ", recount " << d.recount << "\n";
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
  CLI::App app{"consular-stats: statistics, bilateral talks and country dossiers (gRPC)"};
  consular::ServerFlags flags;
  flags.server.listen_address = "127.0.0.1:50054";
  consular::FieldKeyFlags key_flags;
  consular::AddServerFlags(app, "CONSULAR_STATS_", &flags);
  consular::AddFieldKeyFlags(app, &key_flags);
  consular::stats::StatisticsSettings settings;
  app.add_option("--threshold", settings.threshold,
                 "Smallest count published (5 or more; default 5)")
      ->envname("CONSULAR_STATS_THRESHOLD")
      ->check(CLI::Range(5, 1000));
  app.add_flag("--always-round", settings.always_round,
               "Round every published figure to a multiple of 5")
      ->envname("CONSULAR_STATS_ALWAYS_ROUND");
  int refresh_ms = 500;
  app.add_option("--refresh-ms", refresh_ms,
                 "How often the rollups catch up with the event stream, in milliseconds")
      ->envname("CONSULAR_STATS_REFRESH_MS")
      ->check(CLI::Range(10, 600000));
  app.footer(
      "Maintenance (one run, then exit):\n"
      "  consular-stats verify --dsn DSN    compare the rollups (brought up to date) with a "
      "recount\n"
      "                                     over the base tables; exit 1 on any difference\n"
      "  consular-stats rebuild --dsn DSN   rebuild the rollups from the whole event stream");
  CLI11_PARSE(app, argc, argv);

  auto token_verifier = consular::FinishServerFlags(&flags);
  if (!token_verifier.ok()) {
    std::cerr << "consular-stats: " << token_verifier.status().message() << "\n";
    return 2;
  }
  // The second wall, as for the other services.
  if (const absl::Status rls = consular::storage::CheckRowLevelSecurityEnforced(flags.dsn);
      !rls.ok()) {
    std::cerr << "consular-stats: " << rls.message() << "\n";
    return 2;
  }
  std::vector<std::string> key_warnings;
  auto keys = consular::LoadFieldKeys(key_flags, &key_warnings);
  for (const std::string& warning : key_warnings) {
    std::cerr << "consular-stats: warning: " << warning << "\n";
  }
  if (!keys.ok()) {
    std::cerr << "consular-stats: " << keys.status().message() << "\n";
    return 2;
  }

  consular::storage::ConnectionPool pool({flags.dsn, flags.pool_size});
  consular::storage::TransactionRunner runner(&pool);
  const consular::storage::FieldCrypto crypto{keys->cipher.get(), keys->blind_index.get()};
  consular::stats::StatisticsManager manager(
      &runner, [] { return absl::Now(); }, crypto, settings);
  consular::WorkerPool worker_pool(flags.workers, flags.queue_limit);
  const consular::CallEnvironment env =
      consular::CallEnvironmentOf(flags, &worker_pool, token_verifier->get());
  consular::stats::StatisticsServiceImpl statistics_service(&manager, env);
  consular::stats::BilateralServiceImpl bilateral_service(&manager, env);
  consular::stats::ReportServiceImpl report_service(&manager, env);

  consular::stats::RollupUpdater updater(&runner);
  RollupRefresher refresher(&updater, absl::Milliseconds(refresh_ms));
  refresher.Start();
  consular::storage::AuditSequencer sequencer(&runner);
  sequencer.Start(absl::Milliseconds(200));
  // On SIGTERM, calls still running after the grace period have their statements cancelled.
  flags.server.cancel_running_calls = [&pool] { pool.Stop(); };
  const absl::Status served =
      consular::RunServer(flags.server, {&statistics_service, &bilateral_service, &report_service});
  worker_pool.Shutdown();
  sequencer.Stop();
  refresher.Stop();
  if (!served.ok()) {
    std::cerr << "consular-stats: " << served.message() << "\n";
    return 1;
  }
  return 0;
}

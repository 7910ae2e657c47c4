#include "services/common/bootstrap.h"

#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "base/log.h"
#include "services/common/config_file.h"
#include "services/common/housekeeper.h"
#include "services/common/metrics.h"
#include "services/common/server.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/audit_chain.h"
#include "storage/connection_pool.h"
#include "storage/database_probe.h"
#include "storage/row_security.h"

namespace consular {

ServerParts::~ServerParts() {
  StopBackground();
  while (!owned_.empty()) owned_.pop_back();
}

void ServerParts::Background(std::function<void()> start, std::function<void()> stop) {
  background_.emplace_back(std::move(start), std::move(stop));
}

void ServerParts::StartBackground() {
  while (started_ < background_.size()) {
    if (background_[started_].first) background_[started_].first();
    ++started_;
  }
}

void ServerParts::StopBackground() {
  while (started_ > 0) {
    --started_;
    if (background_[started_].second) background_[started_].second();
  }
}

int RunConsularServer(const ServerSpec& spec, int argc, char** argv) {
  CLI::App app{spec.name + ": " + spec.description};
  ServerFlags flags = spec.defaults;
  FieldKeyFlags key_flags;
  AddServerFlags(app, spec.env_prefix, &flags);
  if (spec.field_keys) AddFieldKeyFlags(app, &key_flags);
  if (spec.add_flags) spec.add_flags(app);
  HousekeepingFlags housekeeping_flags;
  if (!spec.expiring.empty()) {
    AddHousekeepingFlags(app, spec.env_prefix, spec.expiring, &housekeeping_flags);
  }
  AddConfigFileFlag(app);
  if (!spec.footer.empty()) app.footer(spec.footer);
  CLI11_PARSE(app, argc, argv);

  SetLogService(spec.name);
  const auto fail = [](int code, const absl::Status& status) {
    LogError(status.message());
    return code;
  };
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = FinishServerFlags(&flags);
  if (!verifier.ok()) return fail(2, verifier.status());
  // Prometheus metrics on a port of their own, bound before this process opens any database
  // connection: a connection's local port (from the ephemeral range) could otherwise take it.
  std::unique_ptr<ServerMetrics> metrics;
  if (!flags.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<ServerMetrics>> started =
        ServerMetrics::Start(flags.metrics_listen, spec.name);
    if (!started.ok()) return fail(2, started.status());
    metrics = *std::move(started);
  }
  // The second wall: refuse to serve with a database role that could read past row-level security.
  if (const absl::Status rls = storage::CheckRowLevelSecurityEnforced(flags.dsn); !rls.ok()) {
    return fail(2, rls);
  }
  FieldKeys keys;
  if (spec.field_keys) {
    std::vector<std::string> warnings;
    absl::StatusOr<FieldKeys> loaded = LoadFieldKeys(key_flags, &warnings);
    for (const std::string& warning : warnings) {
      LogWarning(warning);
    }
    if (!loaded.ok()) return fail(2, loaded.status());
    keys = *std::move(loaded);
  }

  storage::ConnectionPool pool({flags.dsn, flags.pool_size});
  storage::TransactionRunner runner(&pool);
  WorkerPool workers(flags.workers, flags.queue_limit);
  ServerContext context;
  context.flags = &flags;
  context.runner = &runner;
  context.crypto = {keys.cipher.get(), keys.blind_index.get()};
  context.clock = &SystemClock();
  context.env = CallEnvironmentOf(flags, &workers, verifier->get());

  if (metrics != nullptr) {
    context.env.metrics = metrics.get();
    metrics->AddGauge("consular_worker_queue_depth", "Calls waiting for a worker thread",
                      [&workers] { return static_cast<double>(workers.QueuedTasks()); });
    metrics->AddGauge("consular_db_pool_connections_open", "Database connections open",
                      [&pool] { return static_cast<double>(pool.OpenConnections()); });
    metrics->AddGauge("consular_db_pool_connections_in_use", "Database connections leased to work",
                      [&pool] {
                        return static_cast<double>(pool.OpenConnections() - pool.IdleConnections());
                      });
    metrics->AddGauge("consular_db_pool_waiting", "Work waiting for a database connection",
                      [&pool] { return static_cast<double>(pool.Waiting()); });
    LogInfo(absl::StrCat("metrics on http://", flags.metrics_listen, "/metrics"),
            {{"metrics_port", metrics->port()}});
  }

  // Destroyed after the worker pool has stopped: no call can still use them.
  ServerParts parts;
  if (const absl::Status built = spec.build(context, &parts); !built.ok()) {
    metrics.reset();  // before the parts its gauges may read
    return fail(2, built);
  }

  storage::AuditSequencer sequencer(&runner, {flags.chain_batch});
  std::unique_ptr<Housekeeper> housekeeper;
  if (!spec.expiring.empty() && housekeeping_flags.interval_seconds > 0) {
    housekeeper = std::make_unique<Housekeeper>(
        &runner, HousekeepingSettingsOf(housekeeping_flags, spec.expiring), *context.clock);
  }
  // Everything the gauges read is declared above: the metrics stop first when this function
  // returns (they are served until then, after the server has stopped).
  absl::Cleanup stop_metrics = [&metrics] { metrics.reset(); };
  if (metrics != nullptr && flags.chain_interval_ms > 0) {
    metrics->AddGauge("consular_audit_chain_pending_events",
                      "Audit events committed but not chained yet (at the sequencer's last round)",
                      [&sequencer] { return static_cast<double>(sequencer.Lag().pending); });
    metrics->AddGauge("consular_audit_chain_lag_seconds",
                      "Age of the oldest audit event not chained yet (at the sequencer's last "
                      "round); 0 when every event is chained",
                      [&sequencer] { return sequencer.Lag().oldest_age_seconds; });
    metrics->AddGauge("consular_audit_sequencer_last_round_timestamp_seconds",
                      "Unix time of the sequencer's last successful round (0: none yet)",
                      [&sequencer] { return UnixSecondsOrZero(sequencer.Lag().measured_at); });
  }
  if (metrics != nullptr && housekeeper != nullptr) {
    Housekeeper* keeper = housekeeper.get();
    metrics->AddCounters("consular_housekeeping_expired_rows_total",
                         "Rows housekeeping deleted because their retention had passed, by kind",
                         "kind", [keeper] {
                           std::vector<std::pair<std::string, double>> values;
                           for (const auto& [kind, rows] : keeper->Expired()) {
                             values.emplace_back(kind, static_cast<double>(rows));
                           }
                           return values;
                         });
    metrics->AddGauge("consular_housekeeping_last_success_timestamp_seconds",
                      "Unix time of the end of housekeeping's last successful round (0: none yet)",
                      [keeper] { return UnixSecondsOrZero(keeper->LastSuccess()); });
  }
  if (flags.chain_interval_ms > 0) sequencer.Start(absl::Milliseconds(flags.chain_interval_ms));
  parts.StartBackground();
  if (housekeeper != nullptr) housekeeper->Start();
  // On SIGTERM, calls still running after the grace period have their statements cancelled.
  flags.server.cancel_running_calls = [&pool] { pool.Stop(); };
  // Health says NOT_SERVING while the database does not answer, and SERVING again when it does.
  auto probe = std::make_shared<storage::DatabaseProbe>(flags.dsn);
  auto database_ready = std::make_shared<std::atomic<bool>>(false);
  flags.server.ready_check = [probe, database_ready] {
    absl::Status ready = probe->Check();
    database_ready->store(ready.ok());
    return ready;
  };
  if (metrics != nullptr) {
    metrics->AddGauge("consular_database_ready",
                      "1 while the database answers the health check, else 0",
                      [database_ready] { return database_ready->load() ? 1.0 : 0.0; });
  }
  const absl::Status served = RunServer(flags.server, parts.services());
  workers.Shutdown();
  if (housekeeper != nullptr) housekeeper->Stop();
  parts.StopBackground();
  sequencer.Stop();
  if (!served.ok()) return fail(1, served);
  return 0;
}

}  // namespace consular

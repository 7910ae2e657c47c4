// consular-audit: the audit service, and a sequencer chaining the audit trail. Wires flags to the
// pieces and serves until SIGTERM.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "services/audit/audit_manager.h"
#include "services/audit/audit_service.h"
#include "services/common/server.h"
#include "services/common/server_flags.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/audit_chain.h"
#include "storage/connection_pool.h"
#include "storage/row_security.h"
#include "storage/transaction_runner.h"

int main(int argc, char** argv) {
  CLI::App app{"consular-audit: the audit trail service (gRPC) and its chain sequencer"};
  consular::ServerFlags flags;
  flags.server.listen_address = "127.0.0.1:50052";
  flags.pool_size = 4;
  flags.workers = 4;
  flags.queue_limit = 64;
  int chain_interval_ms = 200;
  int chain_batch = 500;
  consular::AddServerFlags(app, "CONSULAR_AUDIT_", &flags);
  app.add_option("--chain-interval-ms", chain_interval_ms,
                 "Pause between sequencer rounds once the audit trail is fully chained; 0 turns "
                 "the sequencer off (another process chains)")
      ->envname("CONSULAR_AUDIT_CHAIN_INTERVAL_MS")
      ->check(CLI::Range(0, 3600000))
      ->capture_default_str();
  app.add_option("--chain-batch", chain_batch, "Events chained per sequencer transaction")
      ->envname("CONSULAR_AUDIT_CHAIN_BATCH")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto token_verifier = consular::FinishServerFlags(&flags);
  if (!token_verifier.ok()) {
    std::cerr << "consular-audit: " << token_verifier.status().message() << "\n";
    return 2;
  }
  if (const absl::Status rls = consular::storage::CheckRowLevelSecurityEnforced(flags.dsn);
      !rls.ok()) {
    std::cerr << "consular-audit: " << rls.message() << "\n";
    return 2;
  }

  consular::storage::ConnectionPool pool({flags.dsn, flags.pool_size});
  consular::storage::TransactionRunner runner(&pool);
  consular::storage::AuditSequencer sequencer(&runner, {chain_batch});
  if (chain_interval_ms > 0) sequencer.Start(absl::Milliseconds(chain_interval_ms));
  consular::audit::AuditManager manager(&runner, [] { return absl::Now(); });
  consular::WorkerPool worker_pool(flags.workers, flags.queue_limit);
  consular::audit::AuditService service(
      &manager, consular::CallEnvironmentOf(flags, &worker_pool, token_verifier->get()));

  // On SIGTERM, calls still running after the grace period have their statements cancelled.

  flags.server.cancel_running_calls = [&pool] { pool.Stop(); };

  const absl::Status served = consular::RunServer(flags.server, {&service});
  worker_pool.Shutdown();
  sequencer.Stop();
  if (!served.ok()) {
    std::cerr << "consular-audit: " << served.message() << "\n";
    return 1;
  }
  return 0;
}

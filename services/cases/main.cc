// consular-cases: the case service. Wires flags to the pieces and serves until SIGTERM.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "services/cases/case_manager.h"
#include "services/cases/cases_service.h"
#include "services/common/server.h"
#include "services/common/server_flags.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/audit_chain.h"
#include "storage/connection_pool.h"
#include "storage/row_security.h"
#include "storage/transaction_runner.h"

int main(int argc, char** argv) {
  CLI::App app{"consular-cases: the consular case service (gRPC)"};
  consular::ServerFlags flags;
  consular::FieldKeyFlags key_flags;
  consular::AddServerFlags(app, "CONSULAR_", &flags);
  consular::AddFieldKeyFlags(app, &key_flags);
  CLI11_PARSE(app, argc, argv);

  auto token_verifier = consular::FinishServerFlags(&flags);
  if (!token_verifier.ok()) {
    std::cerr << "consular-cases: " << token_verifier.status().message() << "\n";
    return 2;
  }
  // The second wall: refuse to serve with a database role that could read past row-level security.
  if (const absl::Status rls = consular::storage::CheckRowLevelSecurityEnforced(flags.dsn);
      !rls.ok()) {
    std::cerr << "consular-cases: " << rls.message() << "\n";
    return 2;
  }

  std::vector<std::string> key_warnings;
  auto keys = consular::LoadFieldKeys(key_flags, &key_warnings);
  for (const std::string& warning : key_warnings) {
    std::cerr << "consular-cases: warning: " << warning << "\n";
  }
  if (!keys.ok()) {
    std::cerr << "consular-cases: " << keys.status().message() << "\n";
    return 2;
  }

  consular::storage::ConnectionPool pool({flags.dsn, flags.pool_size});
  consular::storage::TransactionRunner runner(&pool);
  consular::cases::CaseManager manager(&runner, consular::SystemClock(),
                                       {keys->cipher.get(), keys->blind_index.get()});
  consular::WorkerPool worker_pool(flags.workers, flags.queue_limit);
  consular::cases::CasesService service(
      &manager, consular::CallEnvironmentOf(flags, &worker_pool, token_verifier->get()));

  // Chains committed audit rows moments after commit; any number of processes may run one.
  consular::storage::AuditSequencer sequencer(&runner);
  sequencer.Start(absl::Milliseconds(200));
  // On SIGTERM, calls still running after the grace period have their statements cancelled.
  flags.server.cancel_running_calls = [&pool] { pool.Stop(); };
  const absl::Status served = consular::RunServer(flags.server, {&service});
  worker_pool.Shutdown();
  sequencer.Stop();
  if (!served.ok()) {
    std::cerr << "consular-cases: " << served.message() << "\n";
    return 1;
  }
  return 0;
}

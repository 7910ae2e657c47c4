// consular-audit: the audit service, and a sequencer chaining the audit trail. Wires flags to the
// pieces and serves until SIGTERM.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/audit/audit_manager.h"
#include "services/audit/audit_service.h"
#include "services/common/server.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/audit_chain.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"

int main(int argc, char** argv) {
  CLI::App app{"consular-audit: the audit trail service (gRPC) and its chain sequencer"};
  consular::ServerOptions server;
  server.listen_address = "127.0.0.1:50052";
  std::string dsn;
  std::string public_keys;
  consular::VerifierOptions verifier;
  int pool_size = 4;
  int workers = 4;
  int queue_limit = 64;
  int chain_interval_ms = 200;
  int chain_batch = 500;
  app.add_option("--listen", server.listen_address, "Address to listen on")
      ->envname("CONSULAR_AUDIT_LISTEN")
      ->capture_default_str();
  app.add_option("--dsn", dsn, "PostgreSQL connection string (libpq conninfo)")
      ->envname("CONSULAR_DSN")
      ->required();
  app.add_option("--tls-cert", server.tls.cert_chain, "TLS certificate chain (PEM)")
      ->envname("CONSULAR_TLS_CERT");
  app.add_option("--tls-key", server.tls.private_key, "TLS private key (PEM)")
      ->envname("CONSULAR_TLS_KEY");
  app.add_flag("--insecure", server.insecure, "Serve plaintext (local testing only)");
  app.add_option("--token-public-keys", public_keys,
                 "Comma-separated PEM files of the token signing public keys")
      ->envname("CONSULAR_TOKEN_PUBLIC_KEYS")
      ->required();
  app.add_option("--token-issuer", verifier.issuer, "Expected token issuer")
      ->envname("CONSULAR_TOKEN_ISSUER")
      ->capture_default_str();
  app.add_option("--token-audience", verifier.audience, "Expected token audience")
      ->envname("CONSULAR_TOKEN_AUDIENCE")
      ->capture_default_str();
  app.add_option("--pool-size", pool_size, "Database connections")
      ->envname("CONSULAR_AUDIT_POOL_SIZE")
      ->check(CLI::Range(2, 512))
      ->capture_default_str();
  app.add_option("--workers", workers, "Threads doing database work")
      ->envname("CONSULAR_AUDIT_WORKERS")
      ->check(CLI::Range(1, 512))
      ->capture_default_str();
  app.add_option("--queue-limit", queue_limit,
                 "Calls that may wait for a worker; beyond it calls get RESOURCE_EXHAUSTED")
      ->envname("CONSULAR_AUDIT_QUEUE_LIMIT")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
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

  const std::vector<std::string> key_files =
      absl::StrSplit(public_keys, ',', absl::SkipWhitespace());
  auto pems = consular::ReadPemFiles(key_files);
  if (!pems.ok()) {
    std::cerr << "consular-audit: " << pems.status().message() << "\n";
    return 2;
  }
  verifier.public_key_pems = *pems;
  auto token_verifier = consular::MakeJwtTokenVerifier(verifier);
  if (!token_verifier.ok()) {
    std::cerr << "consular-audit: " << token_verifier.status().message() << "\n";
    return 2;
  }

  consular::storage::ConnectionPool pool({dsn, pool_size});
  consular::storage::TransactionRunner runner(&pool);
  consular::storage::AuditSequencer sequencer(&runner, {chain_batch});
  if (chain_interval_ms > 0) sequencer.Start(absl::Milliseconds(chain_interval_ms));
  consular::audit::AuditManager manager(&runner, [] { return absl::Now(); });
  consular::WorkerPool worker_pool(workers, queue_limit);
  consular::audit::AuditService service(&manager, {&worker_pool, token_verifier->get()});

  const absl::Status served = consular::RunServer(server, {&service});
  worker_pool.Shutdown();
  sequencer.Stop();
  if (!served.ok()) {
    std::cerr << "consular-audit: " << served.message() << "\n";
    return 1;
  }
  return 0;
}

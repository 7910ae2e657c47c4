// consular-cases: the case service. Wires flags to the pieces and serves until SIGTERM.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/cases/case_manager.h"
#include "services/cases/cases_service.h"
#include "services/common/server.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"

int main(int argc, char** argv) {
  CLI::App app{"consular-cases: the consular case service (gRPC)"};
  consular::ServerOptions server;
  std::string dsn;
  std::string public_keys;
  consular::VerifierOptions verifier;
  int pool_size = 8;
  int workers = 8;
  int queue_limit = 256;
  app.add_option("--listen", server.listen_address, "Address to listen on")
      ->envname("CONSULAR_LISTEN")
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
      ->envname("CONSULAR_POOL_SIZE")
      ->check(CLI::Range(1, 512))
      ->capture_default_str();
  app.add_option("--workers", workers, "Threads doing database work")
      ->envname("CONSULAR_WORKERS")
      ->check(CLI::Range(1, 512))
      ->capture_default_str();
  app.add_option("--queue-limit", queue_limit,
                 "Calls that may wait for a worker; beyond it calls get RESOURCE_EXHAUSTED")
      ->envname("CONSULAR_QUEUE_LIMIT")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const std::vector<std::string> key_files =
      absl::StrSplit(public_keys, ',', absl::SkipWhitespace());
  auto pems = consular::ReadPemFiles(key_files);
  if (!pems.ok()) {
    std::cerr << "consular-cases: " << pems.status().message() << "\n";
    return 2;
  }
  verifier.public_key_pems = *pems;
  auto token_verifier = consular::MakeJwtTokenVerifier(verifier);
  if (!token_verifier.ok()) {
    std::cerr << "consular-cases: " << token_verifier.status().message() << "\n";
    return 2;
  }

  consular::storage::ConnectionPool pool({dsn, pool_size});
  consular::storage::TransactionRunner runner(&pool);
  consular::cases::CaseManager manager(&runner, [] { return absl::Now(); });
  consular::WorkerPool worker_pool(workers, queue_limit);
  consular::cases::CasesService service(&manager, {&worker_pool, token_verifier->get()});

  const absl::Status served = consular::RunServer(server, {&service});
  worker_pool.Shutdown();
  if (!served.ok()) {
    std::cerr << "consular-cases: " << served.message() << "\n";
    return 1;
  }
  return 0;
}

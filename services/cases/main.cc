// consular-cases: the case service. Wires flags to the pieces and serves until SIGTERM.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/cases/case_manager.h"
#include "services/cases/cases_service.h"
#include "services/common/blind_index.h"
#include "services/common/field_cipher.h"
#include "services/common/key_ring.h"
#include "services/common/server.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/audit_chain.h"
#include "storage/connection_pool.h"
#include "storage/row_security.h"
#include "storage/transaction_runner.h"

int main(int argc, char** argv) {
  CLI::App app{"consular-cases: the consular case service (gRPC)"};
  consular::ServerOptions server;
  std::string dsn;
  std::string public_keys;
  consular::VerifierOptions verifier;
  std::string field_keys;
  std::string blind_index_key;
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
  app.add_option("--tls-client-ca", server.tls.client_ca,
                 "CA certificates (PEM) of client certificates; when given, clients must present "
                 "a certificate it signed (mutual TLS), as well as a token")
      ->envname("CONSULAR_TLS_CLIENT_CA");
  app.add_flag("--insecure", server.insecure, "Serve plaintext (local testing only)");
  int max_message_kib = server.max_receive_message_bytes / 1024;
  int keepalive_seconds = static_cast<int>(absl::ToInt64Seconds(server.keepalive_time));
  app.add_option("--max-message-kib", max_message_kib, "Largest request accepted, in KiB")
      ->envname("CONSULAR_MAX_MESSAGE_KIB")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  app.add_option("--max-concurrent-streams", server.max_concurrent_streams,
                 "Calls in flight per client connection")
      ->envname("CONSULAR_MAX_CONCURRENT_STREAMS")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--keepalive-seconds", keepalive_seconds,
                 "Ping an idle connection after this long; drop it if it does not answer")
      ->envname("CONSULAR_KEEPALIVE_SECONDS")
      ->check(CLI::Range(10, 86400))
      ->capture_default_str();
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
  app.add_option("--field-keys", field_keys,
                 "Key ring file of the field-encryption keys (see docs/keys.md)")
      ->envname("CONSULAR_FIELD_KEYS")
      ->required();
  app.add_option("--blind-index-key", blind_index_key,
                 "File with the blind-index key for name search (see docs/keys.md)")
      ->envname("CONSULAR_BLIND_INDEX_KEY")
      ->required();
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
  server.max_receive_message_bytes = max_message_kib * 1024;
  server.keepalive_time = absl::Seconds(keepalive_seconds);

  // The second wall: refuse to serve with a database role that could read past row-level security.
  if (const absl::Status rls = consular::storage::CheckRowLevelSecurityEnforced(dsn); !rls.ok()) {
    std::cerr << "consular-cases: " << rls.message() << "\n";
    return 2;
  }

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

  std::vector<std::string> key_warnings;
  auto ring = consular::LoadKeyRingFile(field_keys, &key_warnings);
  if (!ring.ok()) {
    std::cerr << "consular-cases: " << ring.status().message() << "\n";
    return 2;
  }
  auto index_key = consular::LoadBlindIndexKeyFile(blind_index_key, *ring, &key_warnings);
  if (!index_key.ok()) {
    std::cerr << "consular-cases: " << index_key.status().message() << "\n";
    return 2;
  }
  for (const std::string& warning : key_warnings) {
    std::cerr << "consular-cases: warning: " << warning << "\n";
  }
  const consular::FieldCipher cipher(*std::move(ring));
  const consular::BlindIndex blind_index(*index_key);

  consular::storage::ConnectionPool pool({dsn, pool_size});
  consular::storage::TransactionRunner runner(&pool);
  consular::cases::CaseManager manager(&runner, [] { return absl::Now(); },
                                       {&cipher, &blind_index});
  consular::WorkerPool worker_pool(workers, queue_limit);
  consular::cases::CasesService service(&manager, {&worker_pool, token_verifier->get()});

  // Chains committed audit rows moments after commit; any number of processes may run one.
  consular::storage::AuditSequencer sequencer(&runner);
  sequencer.Start(absl::Milliseconds(200));
  const absl::Status served = consular::RunServer(server, {&service});
  worker_pool.Shutdown();
  sequencer.Stop();
  if (!served.ok()) {
    std::cerr << "consular-cases: " << served.message() << "\n";
    return 1;
  }
  return 0;
}

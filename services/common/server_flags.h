#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "services/common/jwks_verifier.h"
#include "services/common/server.h"
#include "services/common/token.h"
#include "services/common/unary_call.h"
#include "services/common/worker_pool.h"

namespace consular {

// The flags every consular server shares: where to listen, TLS, the database, token keys,
// transport limits and the size of the worker pool. Each flag can also come from an environment
// variable; those specific to one server start with its `env_prefix` ("CONSULAR_" for the case
// service, "CONSULAR_AUDIT_" for the audit service), the rest with "CONSULAR_".
struct ServerFlags {
  ServerOptions server;
  std::string dsn;
  // File whose first line is the database password (e.g. a systemd credential); empty: none, or
  // what the DSN or libpq's own sources give.
  std::string database_password_file;
  // Tokens are accepted from the development keys, the identity provider or both (at least one):
  std::string token_public_keys;  // comma-separated PEM files of the development keys
  VerifierOptions verifier;       // their issuer; the audience and leeway of both
  JwksVerifierOptions jwks;       // the provider's JWKS URL, its CA and issuer; off without a URL
  int pool_size = 8;
  int workers = 8;
  int queue_limit = 256;
  int max_message_kib = 4096;
  int keepalive_seconds = 120;
  int max_call_seconds = 30;         // CallEnvironment::max_call_duration
  int shutdown_grace_seconds = 20;   // ServerOptions::shutdown_grace
  int idle_connection_seconds = 60;  // ServerOptions::max_connection_idle
  int handshake_seconds = 10;        // ServerOptions::handshake_timeout
  int memory_quota_mib = 128;        // ServerOptions::memory_quota_bytes
  std::string page_token_key;        // file; empty: a random key of this process
  int page_token_lifetime_hours = 24;  // a page token is accepted this long after it was issued
  int chain_interval_ms = 200;       // the audit sequencer's pause once all is chained; 0: off
  int chain_batch = 500;             // audit events chained per sequencer transaction
  std::string metrics_listen;        // host:port of /metrics (Prometheus); empty: none
};

// The call environment of a server with these flags, its worker pool and token verifier.
CallEnvironment CallEnvironmentOf(const ServerFlags& flags, WorkerPool* workers,
                                  const TokenVerifier* verifier);

// Adds the shared flags to `app`, storing into `flags` (whose current values are the defaults).
void AddServerFlags(CLI::App& app, const std::string& env_prefix, ServerFlags* flags);

// After parsing: hands the database password from --database-password-file to libpq (as
// PGPASSWORD, which libpq reads when the DSN names no password), applies the derived settings to
// flags->server, sets the page-token key and builds
// the token verifier: from the development key files, from the identity provider's JWKS (fetched
// now), or, given both, one that routes each token by its issuer to the right one
// (token_routing.h). NOT_FOUND / INVALID_ARGUMENT naming the file or the problem (neither kind of
// key given; a JWKS URL without its issuer, or with the development keys' issuer); UNAVAILABLE
// naming the URL when the JWKS cannot be fetched.
absl::StatusOr<std::unique_ptr<TokenVerifier>> FinishServerFlags(ServerFlags* flags);

// The keys of the servers that read and write personal data: the field-encryption key ring and the
// blind-index key (docs/keys.md).
struct FieldKeyFlags {
  std::string field_keys;       // --field-keys, CONSULAR_FIELD_KEYS
  std::string blind_index_key;  // --blind-index-key, CONSULAR_BLIND_INDEX_KEY
};
struct FieldKeys {
  std::unique_ptr<FieldCipher> cipher;
  std::unique_ptr<BlindIndex> blind_index;
};

// Adds --field-keys and --blind-index-key (both required) to `app`.
void AddFieldKeyFlags(CLI::App& app, FieldKeyFlags* flags);

// Loads both key files; warnings (e.g. lax file permissions) are appended to `warnings`. Errors
// name the file and the problem.
absl::StatusOr<FieldKeys> LoadFieldKeys(const FieldKeyFlags& flags,
                                        std::vector<std::string>* warnings);

}  // namespace consular

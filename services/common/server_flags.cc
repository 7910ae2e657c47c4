#include "services/common/server_flags.h"

#include <stdlib.h>

#include <vector>

#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "crypto/key_ring.h"
#include "services/common/files.h"
#include "services/common/page_token.h"
#include "services/common/token_routing.h"

namespace consular {
namespace {

// A whole-number option within [low, high], also read from the environment variable `env`, its
// default shown in --help.
template <typename T>
void AddBoundedOption(CLI::App& app, const std::string& name, T* value, const std::string& help,
                      const std::string& env, T low, T high) {
  app.add_option(name, *value, help)
      ->envname(env)
      ->check(CLI::Range(low, high))
      ->capture_default_str();
}

}  // namespace

void AddServerFlags(CLI::App& app, const std::string& env_prefix, ServerFlags* flags) {
  app.add_option("--listen", flags->server.listen_address, "Address to listen on")
      ->envname(env_prefix + "LISTEN")
      ->capture_default_str();
  app.add_option("--dsn", flags->dsn, "PostgreSQL connection string (libpq conninfo)")
      ->envname("CONSULAR_DSN")
      ->required();
  app.add_option("--database-password-file", flags->database_password_file,
                 "File whose first line is the database password (a systemd credential, say); "
                 "used when the DSN names none. An empty file: no password")
      ->envname("CONSULAR_DATABASE_PASSWORD_FILE");
  app.add_option("--tls-cert", flags->server.tls.cert_chain, "TLS certificate chain (PEM)")
      ->envname("CONSULAR_TLS_CERT");
  app.add_option("--tls-key", flags->server.tls.private_key, "TLS private key (PEM)")
      ->envname("CONSULAR_TLS_KEY");
  app.add_option("--tls-client-ca", flags->server.tls.client_ca,
                 "CA certificates (PEM) of client certificates; when given, clients must present "
                 "a certificate it signed (mutual TLS), as well as a token")
      ->envname("CONSULAR_TLS_CLIENT_CA");
  app.add_flag("--insecure", flags->server.insecure, "Serve plaintext (local testing only)");
  app.add_option("--token-public-keys", flags->token_public_keys,
                 "Comma-separated PEM files of the ES256 public keys of development tokens "
                 "(this, --token-jwks-url or both are required)")
      ->envname("CONSULAR_TOKEN_PUBLIC_KEYS");
  app.add_option("--token-issuer", flags->verifier.issuer,
                 "Issuer (\"iss\") of the tokens signed with --token-public-keys")
      ->envname("CONSULAR_TOKEN_ISSUER")
      ->capture_default_str();
  app.add_option("--token-audience", flags->verifier.audience,
                 "Audience (\"aud\") every token must name, the provider's too")
      ->envname("CONSULAR_TOKEN_AUDIENCE")
      ->capture_default_str();
  app.add_option(
         "--token-jwks-url", flags->jwks.jwks_url,
         "https URL of the OpenID Connect provider's JWKS (its jwks_uri): tokens it signs "
         "(ES256 or RS256) are accepted; fetched at start-up and refreshed (docs/security.md)")
      ->envname("CONSULAR_TOKEN_JWKS_URL");
  app.add_option(
         "--token-jwks-issuer", flags->jwks.issuer,
         "Issuer (\"iss\") of the provider's tokens, exactly; required with --token-jwks-url")
      ->envname("CONSULAR_TOKEN_JWKS_ISSUER");
  app.add_option("--token-jwks-ca", flags->jwks.ca_file,
                 "CA certificates (PEM) the JWKS host's certificate must chain to; without it, the "
                 "system's roots")
      ->envname("CONSULAR_TOKEN_JWKS_CA");
  AddBoundedOption(app, "--pool-size", &flags->pool_size, "Database connections",
                   env_prefix + "POOL_SIZE", 1, 512);
  AddBoundedOption(app, "--workers", &flags->workers, "Threads doing database work",
                   env_prefix + "WORKERS", 1, 512);
  AddBoundedOption(app, "--queue-limit", &flags->queue_limit,
                   "Calls that may wait for a worker; beyond it calls get RESOURCE_EXHAUSTED",
                   env_prefix + "QUEUE_LIMIT", 1, 100000);
  AddBoundedOption(app, "--max-message-kib", &flags->max_message_kib,
                   "Largest request accepted, in KiB", "CONSULAR_MAX_MESSAGE_KIB", 1, 65536);
  AddBoundedOption(app, "--max-concurrent-streams", &flags->server.max_concurrent_streams,
                   "Calls in flight per client connection", "CONSULAR_MAX_CONCURRENT_STREAMS", 1,
                   10000);
  AddBoundedOption(app, "--max-call-seconds", &flags->max_call_seconds,
                   "The most time a call's work gets, whatever deadline the client set",
                   "CONSULAR_MAX_CALL_SECONDS", 1, 600);
  AddBoundedOption(app, "--shutdown-grace-seconds", &flags->shutdown_grace_seconds,
                   "On SIGTERM, how long running calls may finish; then they are cancelled, with "
                   "their database statements",
                   "CONSULAR_SHUTDOWN_GRACE_SECONDS", 0, 600);
  AddBoundedOption(app, "--idle-connection-seconds", &flags->idle_connection_seconds,
                   "Close a client connection that has had no call for this long (including one "
                   "that completed TLS and sent nothing)",
                   "CONSULAR_IDLE_CONNECTION_SECONDS", 1, 86400);
  AddBoundedOption(app, "--handshake-seconds", &flags->handshake_seconds,
                   "Close a connection that has not completed TLS and HTTP/2's opening within this "
                   "(one that connects and sends nothing)",
                   "CONSULAR_HANDSHAKE_SECONDS", 1, 300);
  AddBoundedOption(app, "--memory-quota-mib", &flags->memory_quota_mib,
                   "Memory gRPC may use for connections and calls; past it, it sheds them",
                   "CONSULAR_MEMORY_QUOTA_MIB", 16, 65536);
  app.add_option("--page-token-key", flags->page_token_key,
                 "File with the keys of page tokens: one per line, at least 32 characters each, "
                 "the first signs and any verifies (rotation, docs/keys.md), or one key of raw "
                 "bytes; replicas share it. Without it, a random key of this process")
      ->envname("CONSULAR_PAGE_TOKEN_KEY");
  AddBoundedOption(app, "--page-token-lifetime-hours", &flags->page_token_lifetime_hours,
                   "A page token is accepted this long after it was issued; then the client "
                   "starts the listing again",
                   "CONSULAR_PAGE_TOKEN_LIFETIME_HOURS", 1, 8760);
  app.add_flag("--reflection", flags->server.reflection,
               "Offer gRPC server reflection (lists the API to any client that connects; for "
               "development and debugging)")
      ->envname("CONSULAR_REFLECTION");
  AddBoundedOption(app, "--chain-interval-ms", &flags->chain_interval_ms,
                   "Pause of the audit sequencer once the audit trail is fully chained; 0 turns it "
                   "off in this process. Every process may run one: whichever holds its PostgreSQL "
                   "advisory lock chains a round",
                   env_prefix + "CHAIN_INTERVAL_MS", 0, 3600000);
  AddBoundedOption(app, "--chain-batch", &flags->chain_batch,
                   "Audit events chained per sequencer transaction", env_prefix + "CHAIN_BATCH", 1,
                   100000);
  app.add_option("--metrics-listen", flags->metrics_listen,
                 "host:port where Prometheus scrapes /metrics (text format); none when empty")
      ->envname(env_prefix + "METRICS_LISTEN");
  AddBoundedOption(app, "--keepalive-seconds", &flags->keepalive_seconds,
                   "Ping an idle connection after this long; drop it if it does not answer",
                   "CONSULAR_KEEPALIVE_SECONDS", 10, 86400);
}

CallEnvironment CallEnvironmentOf(const ServerFlags& flags, WorkerPool* workers,
                                  const TokenVerifier* verifier) {
  CallEnvironment env;
  env.workers = workers;
  env.verifier = verifier;
  env.max_call_duration = absl::Seconds(flags.max_call_seconds);
  env.max_calls_per_connection = flags.server.max_concurrent_streams;
  return env;
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> FinishServerFlags(ServerFlags* flags) {
  if (!flags->database_password_file.empty()) {
    // Before any thread starts: setenv is not safe while others read the environment.
    CONSULAR_ASSIGN_OR_RETURN(const std::string file,
                              ReadFileToString(flags->database_password_file, 4096));
    std::string password = file.substr(0, file.find('\n'));
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (!password.empty()) ::setenv("PGPASSWORD", password.c_str(), /*overwrite=*/1);
  }
  flags->server.max_receive_message_bytes = flags->max_message_kib * 1024;
  flags->server.keepalive_time = absl::Seconds(flags->keepalive_seconds);
  flags->server.shutdown_grace = absl::Seconds(flags->shutdown_grace_seconds);
  flags->server.max_connection_idle = absl::Seconds(flags->idle_connection_seconds);
  flags->server.handshake_timeout = absl::Seconds(flags->handshake_seconds);
  flags->server.memory_quota_bytes = static_cast<int64_t>(flags->memory_quota_mib) << 20;
  if (const absl::Status lifetime =
          SetPageTokenLifetime(absl::Hours(flags->page_token_lifetime_hours));
      !lifetime.ok()) {
    return lifetime;
  }
  if (!flags->page_token_key.empty()) {
    const absl::Status key = LoadPageTokenKeyFile(flags->page_token_key);
    if (!key.ok()) return key;
  }
  const std::vector<std::string> key_files =
      absl::StrSplit(flags->token_public_keys, ',', absl::SkipWhitespace());
  const bool provider = !flags->jwks.jwks_url.empty();
  if (key_files.empty() && !provider) {
    return absl::InvalidArgumentError(
        "no token keys: give --token-public-keys, --token-jwks-url or both");
  }
  std::vector<IssuerVerifier> verifiers;
  if (!key_files.empty()) {
    CONSULAR_ASSIGN_OR_RETURN(std::vector<std::string> pems, ReadPemFiles(key_files));
    flags->verifier.public_key_pems = std::move(pems);
    CONSULAR_ASSIGN_OR_RETURN(std::unique_ptr<TokenVerifier> development,
                              MakeJwtTokenVerifier(flags->verifier));
    verifiers.push_back({flags->verifier.issuer, std::move(development)});
  }
  if (provider) {
    if (flags->jwks.issuer.empty()) {
      return absl::InvalidArgumentError(
          "--token-jwks-url needs --token-jwks-issuer: the provider's \"iss\"");
    }
    flags->jwks.audience = flags->verifier.audience;
    flags->jwks.leeway = flags->verifier.leeway;
    flags->jwks.clock = flags->verifier.clock;
    CONSULAR_ASSIGN_OR_RETURN(std::unique_ptr<TokenVerifier> from_provider,
                              MakeJwksTokenVerifier(flags->jwks));
    verifiers.push_back({flags->jwks.issuer, std::move(from_provider)});
  }
  if (verifiers.size() == 1) return std::move(verifiers.front().verifier);
  return MakeIssuerRoutingVerifier(std::move(verifiers));
}

void AddFieldKeyFlags(CLI::App& app, FieldKeyFlags* flags) {
  app.add_option("--field-keys", flags->field_keys,
                 "Key ring file of the field-encryption keys (see docs/keys.md)")
      ->envname("CONSULAR_FIELD_KEYS")
      ->required();
  app.add_option("--blind-index-key", flags->blind_index_key,
                 "File with the blind-index key: name search and request fingerprints "
                 "(see docs/keys.md)")
      ->envname("CONSULAR_BLIND_INDEX_KEY")
      ->required();
}

absl::StatusOr<FieldKeys> LoadFieldKeys(const FieldKeyFlags& flags,
                                        std::vector<std::string>* warnings) {
  absl::StatusOr<KeyRing> ring = LoadKeyRingFile(flags.field_keys, warnings);
  if (!ring.ok()) return ring.status();
  absl::StatusOr<SecretKey> index_key =
      LoadBlindIndexKeyFile(flags.blind_index_key, *ring, warnings);
  if (!index_key.ok()) return index_key.status();
  FieldKeys keys;
  keys.cipher = std::make_unique<FieldCipher>(*std::move(ring));
  keys.blind_index = std::make_unique<BlindIndex>(*index_key);
  return keys;
}

}  // namespace consular

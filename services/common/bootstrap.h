#pragma once

#include <grpcpp/impl/service_type.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "base/clock.h"
#include "services/common/server_flags.h"
#include "services/common/unary_call.h"
#include "storage/case_store.h"
#include "storage/housekeeping.h"
#include "storage/transaction_runner.h"

// One way to run a consular server. A server's main() names its parts in a ServerSpec and hands
// it to RunConsularServer, which does everything the servers share, in this order:
//   1. parses the shared flags (ServerFlags, AddServerFlags), the field-key flags when the server
//      reads personal data, and the server's own flags;
//   2. checks the token keys and the page-token key, refuses a database role that could read past
//      row-level security, loads the field keys;
//   3. opens the connection pool, the transaction runner and the worker pool;
//   4. calls spec.build with all of it, which makes the server's use cases, gRPC services and
//      background tasks (ServerParts);
//   5. starts the audit sequencer (--chain-interval-ms; whichever process holds its PostgreSQL
//      advisory lock chains a round), the parts' background tasks and housekeeping (spec.expiring,
//      --housekeeping-interval-seconds);
//   6. serves (RunServer: TLS, health, reflection when --reflection, signals, READY=1 and
//      STOPPING=1 to systemd) until SIGTERM or SIGINT; calls still running when the grace period
//      ends have their statements cancelled;
//   7. stops the worker pool, housekeeping, the background tasks (last started, first stopped)
//      and the sequencer, then destroys the parts.
// Messages go to stderr prefixed with spec.name. Exit codes: 0 after a clean shutdown, 2 for bad
// flags, keys or database role, 1 when serving fails.
namespace consular {

// Everything a server's parts are built from. Valid until the parts are destroyed.
struct ServerContext {
  const ServerFlags* flags = nullptr;
  storage::TransactionRunner* runner = nullptr;
  // The field-encryption keys; both null unless the spec asked for field keys.
  storage::FieldCrypto crypto;
  const Clock* clock = nullptr;
  // Workers, token verifier, call limits: what every gRPC service of the server is given.
  CallEnvironment env;
};

// What a server built: the objects it owns (destroyed in reverse order of making), the gRPC
// services among them, and the background tasks to stop once serving has ended.
class ServerParts {
 public:
  ServerParts() = default;
  ServerParts(const ServerParts&) = delete;
  ServerParts& operator=(const ServerParts&) = delete;
  ~ServerParts();

  // Makes a T owned by the parts.
  template <typename T, typename... Args>
  T* Make(Args&&... args) {
    auto object = std::make_shared<T>(std::forward<Args>(args)...);
    T* raw = object.get();
    owned_.push_back(std::move(object));
    return raw;
  }
  // Makes a gRPC service owned by the parts and served by the server.
  template <typename T, typename... Args>
  T* Serve(Args&&... args) {
    T* service = Make<T>(std::forward<Args>(args)...);
    services_.push_back(service);
    return service;
  }
  // Runs `start` when serving begins and `stop` once serving has ended.
  void Background(std::function<void()> start, std::function<void()> stop);

  const std::vector<grpc::Service*>& services() const { return services_; }
  void StartBackground();
  void StopBackground();

 private:
  std::vector<std::shared_ptr<void>> owned_;
  std::vector<grpc::Service*> services_;
  std::vector<std::pair<std::function<void()>, std::function<void()>>> background_;
  size_t started_ = 0;
};

struct ServerSpec {
  std::string name;         // "consular-cases": the prefix of every message
  std::string description;  // the first line of --help
  std::string footer;       // the end of --help (optional)
  std::string env_prefix;   // of the server's own environment variables, e.g. "CONSULAR_AUDIT_"
  ServerFlags defaults;     // listen address, pool and worker sizes ...
  bool field_keys = false;  // the server reads personal data: --field-keys, --blind-index-key
  // The kinds of rows this server's housekeeping expires (its own tables); none: no housekeeping
  // and no housekeeping flags (housekeeper.h).
  std::vector<storage::ExpiringKind> expiring;
  // Adds the server's own flags (optional); the values must outlive RunConsularServer.
  std::function<void(CLI::App&)> add_flags;
  // Builds the server's parts into `parts`. An error stops the server before it listens (exit 2).
  std::function<absl::Status(const ServerContext&, ServerParts* parts)> build;
};

// Runs the server of `spec` with the command line `argc`, `argv`; returns the process exit code.
int RunConsularServer(const ServerSpec& spec, int argc, char** argv);

}  // namespace consular

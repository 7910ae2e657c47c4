#pragma once

#include <grpcpp/impl/service_type.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/tls.h"

namespace consular {

struct ServerOptions {
  std::string listen_address = "127.0.0.1:50051";
  bool insecure = false;  // plaintext only when explicitly requested
  ServerTlsFiles tls;     // required unless insecure
  int max_receive_message_bytes = 4 << 20;
  int max_send_message_bytes = 16 << 20;
  int max_concurrent_streams = 100;  // per connection
  // gRPC server reflection: lists the API to any client; off unless asked for.
  bool reflection = false;
  // Server pings an idle connection after keepalive_time and drops it if no answer comes within
  // keepalive_timeout; clients may ping at most every min_client_ping_interval.
  absl::Duration keepalive_time = absl::Minutes(2);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  absl::Duration min_client_ping_interval = absl::Seconds(30);
  // A connection with no call for this long is closed (GOAWAY), including one
  // that completed TLS and then sent nothing.
  absl::Duration max_connection_idle = absl::Seconds(60);
  // A connection must complete TLS and the HTTP/2 preface within this.
  absl::Duration handshake_timeout = absl::Seconds(10);
  // gRPC's resource quota: the memory its connections and calls may use (past
  // it, it shrinks buffers, then sheds streams and connections) and its threads.
  int64_t memory_quota_bytes = int64_t{128} << 20;
  int max_threads = 64;
  // glibc malloc arenas (M_ARENA_MAX): few arenas keep a flood of short calls from
  // fragmenting memory over every thread's arena. 0 leaves glibc's default.
  int malloc_arenas = 2;
  // Whether the server can do its work now (its database answers), asked every ready_interval
  // while serving: the health service says SERVING only while the answer is OK, NOT_SERVING
  // otherwise, and each change is logged. Null: SERVING from start to shutdown.
  std::function<absl::Status()> ready_check;
  absl::Duration ready_interval = absl::Seconds(2);
  absl::Duration shutdown_grace = absl::Seconds(20);
  // Called on SIGTERM when the grace period has passed and calls still run:
  // must make them end at once (e.g. cancel their database statements), so the
  // server stops within about a second of the grace period.
  std::function<void()> cancel_running_calls;
};

// Builds and starts a server with `services`, gRPC default health checking (following
// options.ready_check) and
// (when options.reflection) reflection, then blocks until SIGTERM or SIGINT, then shuts down gracefully:
// marks the health service NOT_SERVING, stops accepting, lets in-flight calls
// finish (up to shutdown_grace; then they are cancelled and
// cancel_running_calls runs), and returns OK. The
// caller then shuts down its WorkerPool. `on_started(bound_port)` is called
// once listening (useful with port 0). While RunServer runs it owns the SIGTERM
// and SIGINT handlers (restored on return); only one RunServer may run at a
// time. Prints "listening on ADDRESS (tls|insecure)" to stderr. Tells the service manager
// (systemd, when NOTIFY_SOCKET is set; service_manager.h) READY=1 once listening, with the
// readiness check's answer in STATUS= (and each change of it later), and STOPPING=1 as soon as
// SIGTERM or SIGINT arrives. Errors:
// INVALID_ARGUMENT for missing TLS files without insecure or bad options;
// NOT_FOUND / INVALID_ARGUMENT naming a TLS file that is missing or bad;
// UNAVAILABLE if the address cannot be bound (including a port already in use);
// FAILED_PRECONDITION if another RunServer is running.
absl::Status RunServer(const ServerOptions& options, const std::vector<grpc::Service*>& services,
                       std::function<void(int bound_port)> on_started = nullptr);

}  // namespace consular

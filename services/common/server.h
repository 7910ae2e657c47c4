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
  // Server pings an idle connection after keepalive_time and drops it if no answer comes within
  // keepalive_timeout; clients may ping at most every min_client_ping_interval.
  absl::Duration keepalive_time = absl::Minutes(2);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  absl::Duration min_client_ping_interval = absl::Seconds(30);
  absl::Duration max_connection_idle = absl::Minutes(30);
  absl::Duration shutdown_grace = absl::Seconds(20);
};

// Builds and starts a server with `services`, gRPC default health checking and
// reflection, then blocks until SIGTERM or SIGINT, then shuts down gracefully:
// marks the health service NOT_SERVING, stops accepting, lets in-flight calls
// finish (up to shutdown_grace; later ones are cancelled), and returns OK. The
// caller then shuts down its WorkerPool. `on_started(bound_port)` is called
// once listening (useful with port 0). While RunServer runs it owns the SIGTERM
// and SIGINT handlers (restored on return); only one RunServer may run at a
// time. Prints "listening on ADDRESS (tls|insecure)" to stderr. Errors:
// INVALID_ARGUMENT for missing TLS files without insecure or bad options;
// NOT_FOUND / INVALID_ARGUMENT naming a TLS file that is missing or bad;
// UNAVAILABLE if the address cannot be bound (including a port already in use);
// FAILED_PRECONDITION if another RunServer is running.
absl::Status RunServer(
    const ServerOptions& options, const std::vector<grpc::Service*>& services,
    std::function<void(int bound_port)> on_started = nullptr);

}  // namespace consular

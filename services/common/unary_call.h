#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/common/identity.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"

namespace consular {

class ServerMetrics;

// What every call needs: where to run blocking work, how to check the caller, and the bounds of a
// call. Both pointers must outlive the server.
struct CallEnvironment {
  WorkerPool* workers = nullptr;
  const TokenVerifier* verifier = nullptr;
  // The most time a call's work gets, whatever deadline its client set (or none): no database
  // statement outlives it.
  absl::Duration max_call_duration = absl::Seconds(30);
  // Calls one client connection may have open at once. Enforced by the server itself, so it
  // holds also against a client that never acknowledges HTTP/2's SETTINGS.
  int max_calls_per_connection = 100;
  // What call deadlines are measured against; must outlive the server.
  const Clock* clock = &SystemClock();
  // Where each finished call is counted (metrics.h); null: nowhere. Must outlive the server.
  ServerMetrics* metrics = nullptr;
};

// The blocking work of a call, run on a worker thread: given the caller and the deadline of the
// work, returns the call's status.
using CallWork = std::function<absl::Status(const Identity&, absl::Time)>;

// The caller of `ctx`, from its bearer token ("authorization" metadata; no I/O), with the purpose
// the call states ("x-access-purpose", access_purpose.h). UNAUTHENTICATED if the token is missing
// or bad; INVALID_ARGUMENT for an unknown purpose; INTERNAL if `env` is incomplete.
absl::StatusOr<Identity> Authenticate(const grpc::CallbackServerContext& ctx,
                                      const CallEnvironment& env);

// The deadline of a call in absl time: absl::InfiniteFuture() if it has none.
absl::Time CallDeadline(const grpc::CallbackServerContext& ctx);

// The deadline for a call's work: the client's deadline, but no later than `now` +
// env.max_call_duration.
absl::Time WorkDeadline(const grpc::CallbackServerContext& ctx, const CallEnvironment& env,
                        absl::Time now);

// Runs a call's work on the calling (worker) thread and returns the status for the client:
// CANCELLED / DEADLINE_EXCEEDED without running it if the call was cancelled or `deadline` has
// passed; INTERNAL with a correlation id (the detail goes to the server log) if it throws or
// returns INTERNAL; otherwise its status.
grpc::Status RunCallWork(const grpc::CallbackServerContext& ctx, const Clock& clock,
                         absl::Time deadline,
                         const Identity& who, const CallWork& work);

}  // namespace consular

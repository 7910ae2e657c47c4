#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/identity.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"

namespace consular {

// What every unary RPC needs: where to run blocking work, how to check the
// caller, and how long any call may take. Both pointers must outlive the
// server.
struct CallEnvironment {
  WorkerPool* workers = nullptr;
  const TokenVerifier* verifier = nullptr;
  // The most time a call's work gets, whatever deadline its client set (or
  // none): no database statement outlives it.
  absl::Duration max_call_duration = absl::Seconds(30);
};

// The blocking work of a call, run on a worker thread: given the caller and the
// deadline of the work, returns the call's status.
using CallWork = std::function<absl::Status(const Identity&, absl::Time)>;

// Serves one unary call of the gRPC callback API. Authenticates from the
// "authorization" metadata on the calling thread (no I/O), then queues `fn` on
// the worker pool and finishes the call from the worker with
// ToGrpcStatus(fn(...)). Returns the call's reactor, finished with
// - UNAUTHENTICATED if the token is missing or bad (fn not run);
// - RESOURCE_EXHAUSTED ("server busy, retry later") if the worker queue is
//   full (fn not run);
// - DEADLINE_EXCEEDED / CANCELLED without running fn if the call's deadline
//   passes or it is cancelled while it waits in the queue: it leaves the queue
//   at once, freeing its slot;
// - INTERNAL if fn throws (the exception's message is not sent) or `env` is
//   incomplete;
// - otherwise fn's status.
// `deadline` passed to fn is WorkDeadline. `fn` runs on a worker thread while
// `ctx` and the request/response objects are still alive; it may block.
grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* ctx, const CallEnvironment& env,
                                     CallWork fn);

// ServeUnary for a caller already authenticated (Authenticate) and a request
// already read.
grpc::ServerUnaryReactor* ServeAuthenticated(grpc::CallbackServerContext* ctx,
                                             const CallEnvironment& env, Identity who, CallWork fn);

// A reactor already finished with `status`, for a call refused before any
// work.
grpc::ServerUnaryReactor* RefuseCall(grpc::CallbackServerContext* ctx, const absl::Status& status);

// The caller of `ctx`, from its bearer token. UNAUTHENTICATED if it is missing
// or bad; INTERNAL if `env` is incomplete.
absl::StatusOr<Identity> Authenticate(const grpc::CallbackServerContext& ctx,
                                      const CallEnvironment& env);

// The deadline of a call in absl time: absl::InfiniteFuture() if it has none.
absl::Time CallDeadline(const grpc::CallbackServerContext& ctx);

// The deadline for a call's work: the client's deadline, but no later than
// `now` + env.max_call_duration.
absl::Time WorkDeadline(const grpc::CallbackServerContext& ctx, const CallEnvironment& env,
                        absl::Time now);

}  // namespace consular

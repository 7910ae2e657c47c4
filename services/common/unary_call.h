#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/identity.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"

namespace consular {

// What every unary RPC needs: where to run blocking work and how to check the
// caller. Both pointers must outlive the server.
struct CallEnvironment {
  WorkerPool* workers = nullptr;
  const TokenVerifier* verifier = nullptr;
};

// Serves one unary call of the gRPC callback API, so each RPC method is three
// lines:
//
//   grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* ctx,
//                                     const GetCaseRequest* req,
//                                     Case* resp) override {
//     return ServeUnary(ctx, env_, [=](const Identity& who, absl::Time dl) {
//       return cases_->Get(who, *req, dl, resp);
//     });
//   }
//
// Authenticates from the "authorization" metadata on the calling thread (no
// I/O), then queues `fn` on the worker pool and finishes the reactor from the
// worker with ToGrpcStatus(fn(...)). Returns the call's reactor, finished with
// - UNAUTHENTICATED if the token is missing or bad (fn not run);
// - RESOURCE_EXHAUSTED ("server busy, retry later") if the worker queue is
//   full (fn not run);
// - DEADLINE_EXCEEDED / CANCELLED without running fn if the call's deadline
//   has passed or it was cancelled by the time a worker picks it up;
// - INTERNAL if fn throws (the exception's message is not sent) or `env` is
//   incomplete;
// - otherwise fn's status.
// `deadline` passed to fn is the call's deadline (absl::InfiniteFuture() if
// none). `fn` runs on a worker thread while `ctx` and the request/response
// objects are still alive; it may block.
grpc::ServerUnaryReactor* ServeUnary(
    grpc::CallbackServerContext* ctx, const CallEnvironment& env,
    std::function<absl::Status(const Identity&, absl::Time)> fn);

// The deadline of a call in absl time: absl::InfiniteFuture() if it has none.
absl::Time CallDeadline(const grpc::CallbackServerContext& ctx);

}  // namespace consular

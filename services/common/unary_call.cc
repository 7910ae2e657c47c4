#include "services/common/unary_call.h"

#include <grpc/support/time.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <string>
#include <utility>

#include "services/common/internal_error.h"
#include "services/common/status.h"

namespace consular {
namespace {

// The reactor of one unary call: queued on the worker pool, finished by the
// worker, or by OnCancel when the call is cancelled (deadline, client, server
// shutdown) while it still waits in the queue. Finish is called exactly once:
// by whoever takes the task out of the queue. Deletes itself when gRPC is done
// with it.
class UnaryCall final : public grpc::ServerUnaryReactor {
 public:
  explicit UnaryCall(WorkerPool* workers) : workers_(workers) {}

  // Queues the work; finishes the call at once if the queue is full.
  void Start(grpc::CallbackServerContext* ctx, absl::Time deadline, Identity who, CallWork fn) {
    // `this` and `ctx` stay valid until Finish, which only the task calls once
    // it is queued (or OnCancel, once it is withdrawn).
    const WorkerPool::TaskId id =
        workers_->Submit([this, ctx, deadline, who = std::move(who), fn = std::move(fn)] {
          Run(*ctx, deadline, who, fn);
        });
    if (id == 0) {
      Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "server busy, retry later"));
      return;
    }
    task_.store(id, std::memory_order_release);
  }

  // Called by gRPC once, at most, after the reactor was returned.
  void OnCancel() override {
    const WorkerPool::TaskId id = task_.load(std::memory_order_acquire);
    if (id != 0 && workers_->Withdraw(id)) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                          "call cancelled or past its deadline while queued"));
    }
  }

  void OnDone() override { delete this; }

 private:
  void Run(grpc::CallbackServerContext& ctx, absl::Time deadline, const Identity& who,
           const CallWork& fn) {
    if (ctx.IsCancelled()) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
      return;
    }
    if (absl::Now() >= deadline) {
      Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded before start"));
      return;
    }
    grpc::Status status;
    // Internal detail goes to the server log under a correlation id, never to the client.
    try {
      status = ToGrpcStatus(MaskInternalError(fn(who, deadline)));
    } catch (const std::exception& e) {
      status = ToGrpcStatus(InternalErrorWithCorrelation(e.what()));
    } catch (...) {
      status = ToGrpcStatus(InternalErrorWithCorrelation("unknown exception"));
    }
    Finish(status);
  }

  WorkerPool* const workers_;
  std::atomic<WorkerPool::TaskId> task_{0};
};

}  // namespace

absl::Time CallDeadline(const grpc::CallbackServerContext& ctx) {
  const gpr_timespec raw = ctx.raw_deadline();
  if (gpr_time_cmp(raw, gpr_inf_future(raw.clock_type)) == 0) return absl::InfiniteFuture();
  const gpr_timespec real = gpr_convert_clock_type(raw, GPR_CLOCK_REALTIME);
  return absl::FromUnixSeconds(real.tv_sec) + absl::Nanoseconds(real.tv_nsec);
}

absl::Time WorkDeadline(const grpc::CallbackServerContext& ctx, const CallEnvironment& env,
                        absl::Time now) {
  return std::min(CallDeadline(ctx), now + env.max_call_duration);
}

absl::StatusOr<Identity> Authenticate(const grpc::CallbackServerContext& ctx,
                                      const CallEnvironment& env) {
  if (env.workers == nullptr || env.verifier == nullptr) {
    return absl::InternalError("server misconfigured");
  }
  absl::StatusOr<std::string> token = BearerFromMetadata(ctx.client_metadata());
  if (!token.ok()) return token.status();
  return env.verifier->Verify(*token);
}

grpc::ServerUnaryReactor* RefuseCall(grpc::CallbackServerContext* ctx, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* ServeAuthenticated(grpc::CallbackServerContext* ctx,
                                             const CallEnvironment& env, Identity who,
                                             CallWork fn) {
  if (env.workers == nullptr || !fn) {
    return RefuseCall(ctx, absl::InternalError("server misconfigured"));
  }
  auto* call = new UnaryCall(env.workers);
  call->Start(ctx, WorkDeadline(*ctx, env, absl::Now()), std::move(who), std::move(fn));
  return call;
}

grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* ctx, const CallEnvironment& env,
                                     CallWork fn) {
  absl::StatusOr<Identity> who = Authenticate(*ctx, env);
  if (!who.ok()) return RefuseCall(ctx, who.status());
  return ServeAuthenticated(ctx, env, *std::move(who), std::move(fn));
}

}  // namespace consular

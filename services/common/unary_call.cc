#include "services/common/unary_call.h"

#include <grpc/support/time.h>

#include <exception>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "services/common/internal_error.h"
#include "services/common/status.h"

namespace consular {

absl::Time CallDeadline(const grpc::CallbackServerContext& ctx) {
  const gpr_timespec raw = ctx.raw_deadline();
  if (gpr_time_cmp(raw, gpr_inf_future(raw.clock_type)) == 0)
    return absl::InfiniteFuture();
  const gpr_timespec real = gpr_convert_clock_type(raw, GPR_CLOCK_REALTIME);
  return absl::FromUnixSeconds(real.tv_sec) + absl::Nanoseconds(real.tv_nsec);
}

grpc::ServerUnaryReactor* ServeUnary(
    grpc::CallbackServerContext* ctx, const CallEnvironment& env,
    std::function<absl::Status(const Identity&, absl::Time)> fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (env.workers == nullptr || env.verifier == nullptr || !fn) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INTERNAL, "server misconfigured"));
    return reactor;
  }

  absl::StatusOr<std::string> token =
      BearerFromMetadata(ctx->client_metadata());
  if (!token.ok()) {
    reactor->Finish(ToGrpcStatus(token.status()));
    return reactor;
  }
  absl::StatusOr<Identity> who = env.verifier->Verify(*token);
  if (!who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }

  const absl::Time deadline = CallDeadline(*ctx);
  // `ctx` stays valid until the reactor is finished, which only the task does
  // once queued.
  const bool queued = env.workers->TrySubmit(
      [ctx, reactor, deadline, who = *std::move(who), fn = std::move(fn)] {
        if (ctx->IsCancelled()) {
          reactor->Finish(
              grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
          return;
        }
        if (absl::Now() >= deadline) {
          reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                       "deadline exceeded before start"));
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
        reactor->Finish(status);
      });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "server busy, retry later"));
  }
  return reactor;
}

}  // namespace consular

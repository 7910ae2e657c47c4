#include "services/common/unary_call.h"

#include <grpc/support/time.h>

#include <algorithm>
#include <exception>
#include <string>

#include "base/status_macros.h"
#include "services/common/access_purpose.h"
#include "services/common/internal_error.h"
#include "services/common/status.h"

namespace consular {

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
  CONSULAR_ASSIGN_OR_RETURN(std::string token, BearerFromMetadata(ctx.client_metadata()));
  CONSULAR_ASSIGN_OR_RETURN(Identity who, env.verifier->Verify(token));
  const auto stated = ctx.client_metadata().find(kAccessPurposeHeader);
  if (stated != ctx.client_metadata().end()) {
    CONSULAR_ASSIGN_OR_RETURN(
        who.purpose,
        ParseAccessPurpose(absl::string_view(stated->second.data(), stated->second.size())));
  }
  return who;
}

grpc::Status RunCallWork(const grpc::CallbackServerContext& ctx, const Clock& clock,
                         absl::Time deadline, const Identity& who, const CallWork& work) {
  if (ctx.IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled");
  if (clock.Now() >= deadline) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded before start");
  }
  // Internal detail goes to the server log under a correlation id, never to the client.
  try {
    return ToGrpcStatus(MaskInternalError(work(who, deadline)));
  } catch (const std::exception& e) {
    return ToGrpcStatus(InternalErrorWithCorrelation(e.what()));
  } catch (...) {
    return ToGrpcStatus(InternalErrorWithCorrelation("unknown exception"));
  }
}

}  // namespace consular

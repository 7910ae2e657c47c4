#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace consular {

// The gRPC status with the same code and message as `status`. Codes map one to
// one (both follow google.rpc.Code); an out-of-range code becomes UNKNOWN. OK
// carries no message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The absl::Status with the same code and message as `status` (the inverse of
// ToGrpcStatus); an out-of-range code becomes UNKNOWN. Error details are not
// carried over.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace consular

#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/identity.h"

namespace consular {

// The one shape of every use case of a service's manager: who is asking, the request, the time by
// which the work must be done, and the reply to fill on OK. Inside a class,
//
//   UseCase<v1::GetCaseRequest, v1::Case> Get;
//
// declares the member function
//
//   absl::Status Get(const Identity& who, const v1::GetCaseRequest& request,
//                    absl::Time deadline, v1::Case* out);
//
// which ProtoService::Route serves as the gRPC method taking GetCaseRequest.
template <typename Request, typename Reply>
using UseCase = absl::Status(const Identity& who, const Request& request, absl::Time deadline,
                             Reply* out);

}  // namespace consular

#pragma once

#include "consular/v1/records.grpc.pb.h"
#include "services/cases/records_manager.h"
#include "services/common/proto_service.h"

namespace consular::cases {

// The gRPC face of RecordsManager: each method forwards to the manager method of the same
// meaning (ProtoService). No logic of its own.
class RecordsService final : public ProtoService {
 public:
  RecordsService(RecordsManager* manager, CallEnvironment env);
};

}  // namespace consular::cases

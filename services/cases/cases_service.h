#pragma once

#include "consular/v1/cases.grpc.pb.h"
#include "services/cases/case_manager.h"
#include "services/common/proto_service.h"

namespace consular::cases {

// The gRPC face of CaseManager: each method forwards to the manager method of the same meaning
// (ProtoService). No logic of its own.
class CasesService final : public ProtoService {
 public:
  CasesService(CaseManager* manager, CallEnvironment env);
};

}  // namespace consular::cases

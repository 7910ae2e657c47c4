#pragma once

#include "consular/v1/exports.grpc.pb.h"
#include "services/cases/export_manager.h"
#include "services/common/proto_service.h"

namespace consular::cases {

// The gRPC face of ExportManager: each method forwards to the manager method of the same meaning
// (ProtoService). No logic of its own.
class ExportService final : public ProtoService {
 public:
  ExportService(ExportManager* manager, CallEnvironment env);
};

}  // namespace consular::cases

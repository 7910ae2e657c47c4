#pragma once

#include "consular/v1/statistics.grpc.pb.h"
#include "services/common/proto_service.h"
#include "services/stats/statistics_manager.h"

namespace consular::stats {

// The gRPC face of StatisticsManager: each method forwards to the manager method of the same
// meaning (ProtoService). No logic of its own.
class StatisticsServiceImpl final : public ProtoService {
 public:
  StatisticsServiceImpl(StatisticsManager* manager, CallEnvironment env);
};

class BilateralServiceImpl final : public ProtoService {
 public:
  BilateralServiceImpl(StatisticsManager* manager, CallEnvironment env);
};

class ReportServiceImpl final : public ProtoService {
 public:
  ReportServiceImpl(StatisticsManager* manager, CallEnvironment env);
};

}  // namespace consular::stats

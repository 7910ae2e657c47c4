#pragma once

#include "consular/v1/statistics.grpc.pb.h"
#include "services/common/unary_call.h"
#include "services/stats/statistics_manager.h"

namespace consular::stats {

// The gRPC faces of StatisticsManager: authenticate each call, hand it to the worker pool, map the
// result to a gRPC status. No logic of their own.
#define CONSULAR_DECLARE(Method, Request, Response)                      \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx,     \
                                   const consular::v1::Request* request, \
                                   consular::v1::Response* response) override;

class StatisticsServiceImpl final : public consular::v1::StatisticsService::CallbackService {
 public:
  StatisticsServiceImpl(StatisticsManager* manager, CallEnvironment env)
      : manager_(manager), env_(env) {}
  CONSULAR_DECLARE(GetCountryStatistics, GetCountryStatisticsRequest, CountryStatistics)
  CONSULAR_DECLARE(ListCountries, ListCountriesRequest, ListCountriesResponse)
  CONSULAR_DECLARE(GetTimeSeries, GetTimeSeriesRequest, TimeSeries)

 private:
  StatisticsManager* manager_;
  CallEnvironment env_;
};

class BilateralServiceImpl final : public consular::v1::BilateralService::CallbackService {
 public:
  BilateralServiceImpl(StatisticsManager* manager, CallEnvironment env)
      : manager_(manager), env_(env) {}
  CONSULAR_DECLARE(RecordTalk, RecordTalkRequest, Talk)
  CONSULAR_DECLARE(ListTalks, ListTalksRequest, ListTalksResponse)
  CONSULAR_DECLARE(GetTalk, GetTalkRequest, Talk)

 private:
  StatisticsManager* manager_;
  CallEnvironment env_;
};

class ReportServiceImpl final : public consular::v1::ReportService::CallbackService {
 public:
  ReportServiceImpl(StatisticsManager* manager, CallEnvironment env)
      : manager_(manager), env_(env) {}
  CONSULAR_DECLARE(RenderCountryDossier, RenderCountryDossierRequest, Dossier)

 private:
  StatisticsManager* manager_;
  CallEnvironment env_;
};

#undef CONSULAR_DECLARE

}  // namespace consular::stats

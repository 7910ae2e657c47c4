#include "services/stats/stats_service.h"

namespace consular::stats {

// Each method forwards to the manager method of the same meaning on a worker thread.
#define CONSULAR_FORWARD(Service, Method, Request, Response, ManagerMethod)                 \
  grpc::ServerUnaryReactor* Service::Method(grpc::CallbackServerContext* ctx,               \
                                            const consular::v1::Request* request,           \
                                            consular::v1::Response* response) {             \
    return ServeUnary(ctx, env_,                                                            \
                      [this, request, response](const Identity& who, absl::Time deadline) { \
                        return manager_->ManagerMethod(who, *request, deadline, response);  \
                      });                                                                   \
  }

CONSULAR_FORWARD(StatisticsServiceImpl, GetCountryStatistics, GetCountryStatisticsRequest,
                 CountryStatistics, GetCountryStatistics)
CONSULAR_FORWARD(StatisticsServiceImpl, ListCountries, ListCountriesRequest, ListCountriesResponse,
                 ListCountries)
CONSULAR_FORWARD(StatisticsServiceImpl, GetTimeSeries, GetTimeSeriesRequest, TimeSeries,
                 GetTimeSeries)
CONSULAR_FORWARD(BilateralServiceImpl, RecordTalk, RecordTalkRequest, Talk, RecordTalk)
CONSULAR_FORWARD(BilateralServiceImpl, ListTalks, ListTalksRequest, ListTalksResponse, ListTalks)
CONSULAR_FORWARD(BilateralServiceImpl, GetTalk, GetTalkRequest, Talk, GetTalk)
CONSULAR_FORWARD(ReportServiceImpl, RenderCountryDossier, RenderCountryDossierRequest, Dossier,
                 RenderCountryDossier)

#undef CONSULAR_FORWARD

}  // namespace consular::stats

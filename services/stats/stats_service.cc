#include "services/stats/stats_service.h"

namespace consular::stats {

StatisticsServiceImpl::StatisticsServiceImpl(StatisticsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::StatisticsService::service_full_name(), env) {
  Route("GetCountryStatistics", manager, &StatisticsManager::GetCountryStatistics);
  Route("ListCountries", manager, &StatisticsManager::ListCountries);
  Route("GetTimeSeries", manager, &StatisticsManager::GetTimeSeries);
}

BilateralServiceImpl::BilateralServiceImpl(StatisticsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::BilateralService::service_full_name(), env) {
  Route("RecordTalk", manager, &StatisticsManager::RecordTalk);
  Route("ListTalks", manager, &StatisticsManager::ListTalks);
  Route("GetTalk", manager, &StatisticsManager::GetTalk);
}

ReportServiceImpl::ReportServiceImpl(StatisticsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::ReportService::service_full_name(), env) {
  Route("RenderCountryDossier", manager, &StatisticsManager::RenderCountryDossier);
}

}  // namespace consular::stats

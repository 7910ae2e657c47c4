#include "services/stats/stats_service.h"

namespace consular::stats {

StatisticsServiceImpl::StatisticsServiceImpl(StatisticsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::StatisticsService::service_full_name(), env) {
  Route(manager, &StatisticsManager::GetCountryStatistics, &StatisticsManager::ListCountries,
        &StatisticsManager::GetTimeSeries, &StatisticsManager::CreateRelease,
        &StatisticsManager::ListReleases);
}

BilateralServiceImpl::BilateralServiceImpl(StatisticsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::BilateralService::service_full_name(), env) {
  Route(manager, &StatisticsManager::RecordTalk, &StatisticsManager::ListTalks,
        &StatisticsManager::GetTalk);
  Route(manager, &StatisticsManager::PlanTalk, &StatisticsManager::MarkTalkHeld,
        &StatisticsManager::PostponeTalk, &StatisticsManager::ReplanTalk,
        &StatisticsManager::CancelTalk);
  Route(manager, &StatisticsManager::AddCommitment, &StatisticsManager::CloseCommitment,
        &StatisticsManager::ListCommitments);
  Route(manager, &StatisticsManager::RecordDecision, &StatisticsManager::ListDecisions,
        &StatisticsManager::ListUnraisedCountries);
  Route(manager, &StatisticsManager::StoreBriefing, &StatisticsManager::GetBriefing);
}

ReportServiceImpl::ReportServiceImpl(StatisticsManager* manager, CallEnvironment env)
    : ProtoService(consular::v1::ReportService::service_full_name(), env) {
  Route(manager, &StatisticsManager::RenderCountryDossier);
}

}  // namespace consular::stats

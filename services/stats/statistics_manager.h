#pragma once

#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "base/clock.h"
#include "absl/time/time.h"
#include "consular/v1/statistics.pb.h"
#include "services/common/identity.h"
#include "services/common/use_case.h"
#include "services/stats/publisher.h"
#include "storage/case_store.h"
#include "storage/transaction_runner.h"

// The use cases of consular-stats: statistics, the bilateral-talks register and country
// dossiers (proto/consular/v1/statistics.proto). Every call is audited. Policy staff and
// administrators only.
namespace consular::stats {

struct StatisticsSettings {
  int threshold = 5;          // at least 5; the server may be configured higher only
  bool always_round = false;  // round every figure to base 5, whatever the request asks
};

class StatisticsManager {
 public:
  StatisticsManager(storage::TransactionRunner* runner, const Clock& clock,
                    storage::FieldCrypto crypto, StatisticsSettings settings);

  UseCase<v1::GetCountryStatisticsRequest, v1::CountryStatistics> GetCountryStatistics;
  UseCase<v1::ListCountriesRequest, v1::ListCountriesResponse> ListCountries;
  UseCase<v1::GetTimeSeriesRequest, v1::TimeSeries> GetTimeSeries;
  UseCase<v1::CreateReleaseRequest, v1::Release> CreateRelease;
  UseCase<v1::ListReleasesRequest, v1::ListReleasesResponse> ListReleases;

  // Makes the monthly release of the current month (UTC) if there is none yet; the service calls
  // it after each round of the rollups. Returns the release made, if any.
  absl::StatusOr<std::optional<v1::Release>> MakeMonthlyReleaseIfDue();

  UseCase<v1::RecordTalkRequest, v1::Talk> RecordTalk;
  UseCase<v1::ListTalksRequest, v1::ListTalksResponse> ListTalks;
  UseCase<v1::GetTalkRequest, v1::Talk> GetTalk;

  UseCase<v1::RenderCountryDossierRequest, v1::Dossier> RenderCountryDossier;

 private:
  PublishOptions OptionsFor(bool round_to_base5) const;

  storage::TransactionRunner* const runner_;
  const Clock& clock_;
  const storage::FieldCrypto crypto_;
  const StatisticsSettings settings_;
};

// OK for policy staff and administrators; PERMISSION_DENIED for every other role.
absl::Status CheckMayReadStatistics(const Identity& who);

}  // namespace consular::stats

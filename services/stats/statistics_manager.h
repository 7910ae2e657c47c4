#pragma once

#include <functional>

#include "absl/status/status.h"
#include "base/clock.h"
#include "absl/time/time.h"
#include "consular/v1/statistics.pb.h"
#include "services/common/identity.h"
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

  absl::Status GetCountryStatistics(const Identity& who,
                                    const consular::v1::GetCountryStatisticsRequest& request,
                                    absl::Time deadline, consular::v1::CountryStatistics* out);
  absl::Status ListCountries(const Identity& who, const consular::v1::ListCountriesRequest& request,
                             absl::Time deadline, consular::v1::ListCountriesResponse* out);
  absl::Status GetTimeSeries(const Identity& who, const consular::v1::GetTimeSeriesRequest& request,
                             absl::Time deadline, consular::v1::TimeSeries* out);

  absl::Status RecordTalk(const Identity& who, const consular::v1::RecordTalkRequest& request,
                          absl::Time deadline, consular::v1::Talk* out);
  absl::Status ListTalks(const Identity& who, const consular::v1::ListTalksRequest& request,
                         absl::Time deadline, consular::v1::ListTalksResponse* out);
  absl::Status GetTalk(const Identity& who, const consular::v1::GetTalkRequest& request,
                       absl::Time deadline, consular::v1::Talk* out);

  absl::Status RenderCountryDossier(const Identity& who,
                                    const consular::v1::RenderCountryDossierRequest& request,
                                    absl::Time deadline, consular::v1::Dossier* out);

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

#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/statistics.pb.h"
#include "services/common/identity.h"
#include "services/common/use_case.h"
#include "services/stats/publisher.h"
#include "services/stats/releases.h"
#include "storage/case_store.h"
#include "storage/release_store.h"
#include "storage/transaction_runner.h"

// The use cases of consular-stats: statistics, the bilateral-talks register and country
// dossiers (proto/consular/v1/statistics.proto). Every call is audited. Policy staff and
// administrators only. The register's use cases beyond RecordTalk, ListTalks and GetTalk live in
// talks_register.cc (talks, commitments, decisions, countries never raised) and talk_briefings.cc.
namespace consular::storage {
class StatsStore;
}  // namespace consular::storage

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

  // The talks register (talks_register.cc, talk_briefings.cc). Each returns OK;
  // INVALID_ARGUMENT "<field>: <problem>"; PERMISSION_DENIED for any role but policy staff and
  // administrators; NOT_FOUND for a talk or commitment id that names none; FAILED_PRECONDITION
  // for a change the talk's status does not allow, a commitment on a talk not held, a commitment
  // closed twice or a briefing of a cancelled talk; DATA_LOSS for a stored briefing whose bytes no
  // longer match their digest; UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED and INTERNAL as the
  // transaction runner returns them.
  UseCase<v1::PlanTalkRequest, v1::Talk> PlanTalk;
  UseCase<v1::MarkTalkHeldRequest, v1::Talk> MarkTalkHeld;
  UseCase<v1::PostponeTalkRequest, v1::Talk> PostponeTalk;
  UseCase<v1::ReplanTalkRequest, v1::Talk> ReplanTalk;
  UseCase<v1::CancelTalkRequest, v1::Talk> CancelTalk;
  UseCase<v1::AddCommitmentRequest, v1::Commitment> AddCommitment;
  UseCase<v1::CloseCommitmentRequest, v1::Commitment> CloseCommitment;
  UseCase<v1::ListCommitmentsRequest, v1::ListCommitmentsResponse> ListCommitments;
  UseCase<v1::RecordDecisionRequest, v1::CountryDecision> RecordDecision;
  UseCase<v1::ListDecisionsRequest, v1::ListDecisionsResponse> ListDecisions;
  UseCase<v1::ListUnraisedCountriesRequest, v1::ListUnraisedCountriesResponse>
      ListUnraisedCountries;
  UseCase<v1::StoreBriefingRequest, v1::Briefing> StoreBriefing;
  UseCase<v1::GetBriefingRequest, v1::Briefing> GetBriefing;

  UseCase<v1::RenderCountryDossierRequest, v1::Dossier> RenderCountryDossier;

 private:
  PublishOptions OptionsFor(bool round_to_base5) const;

  // Hooks the talks register shares with the statistics, in transaction `tx`:

  // The statistics a talk held on `held_on` keeps for good, frozen when it is recorded as held
  // (RecordTalk, MarkTalkHeld): the country's protected statistics for `period` from the release
  // in force on `held_on` (none, release 0, if there was none). The one place that decides what a
  // talk's figures are. INVALID_ARGUMENT for a bad period.
  absl::StatusOr<v1::CountryStatistics> FreezeTalkStatistics(pqxx::transaction_base& tx,
                                                             const std::string& country,
                                                             const v1::Period& period,
                                                             const v1::Date& held_on,
                                                             absl::Time now) const;
  // What ListCountries answers for `countries`, their figures from `release` as
  // LoadListedCountries reads them for the years `period` spans: one row each, ordered by
  // `order_by` (suppressed figures after every published one, ties by country code), with the
  // threshold and the release.
  v1::ListCountriesResponse PublishCountries(const v1::Release& release,
                                             const std::vector<ReleasedInSpan>& countries,
                                             const v1::Period& period, v1::CountryOrder order_by,
                                             PublishOptions options, absl::Time now) const;
  // RenderCountryDossier's work after the role check: INVALID_ARGUMENT naming the field.
  absl::Status RenderDossierIn(pqxx::transaction_base& tx,
                               const v1::RenderCountryDossierRequest& request, absl::Time now,
                               v1::Dossier* out) const;

  storage::TransactionRunner* const runner_;
  const Clock& clock_;
  const storage::FieldCrypto crypto_;
  const StatisticsSettings settings_;
};

// OK for policy staff and administrators; PERMISSION_DENIED for every other role.
absl::Status CheckMayReadStatistics(const Identity& who);

}  // namespace consular::stats

#include "services/stats/statistics_manager.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/page_token.h"
#include "services/common/paging.h"
#include "services/common/validation.h"
#include "services/stats/dossier_render.h"
#include "services/stats/statistics_rules.h"
#include "storage/stats_store.h"
#include "storage/talks_store.h"

namespace consular::stats {
namespace {

using consular::v1::CountryStatistics;
using consular::v1::Period;
using consular::v1::Talk;
using storage::StatsStore;

constexpr int kHistoryYears = 10;

// The counts of `country` for years first..last, and what went before. The days from opening to
// resolution (most of the rows) only for `period`, summed, when one is given.
CountryCounts LoadCounts(StatsStore& store, const std::string& country, int first, int last,
                         const Period* period = nullptr) {
  CountryCounts counts;
  for (const storage::RollupRow& row : store.Rollups(country, first, last, /*with_days=*/false)) {
    counts.Add(row);
  }
  if (period != nullptr) {
    const auto [first_month, last_month] = MonthSpanOf(*period);
    counts.SetResolutionDaysOf(first_month, last_month,
                               store.ResolutionDays(country, first_month, last_month));
  }
  for (const storage::RollupRow& row : store.CumulativeBefore(country, first)) {
    counts.AddBefore(row);
  }
  return counts;
}

// as_of and lag of the figures, from the rollups' cursor.
void SetFreshness(StatsStore& store, absl::Time now, google::protobuf::Timestamp* as_of,
                  google::protobuf::Duration* lag) {
  const StatsStore::Freshness f = store.ReadFreshness();
  const absl::Time caught_up = absl::FromUnixMicros(f.caught_up_micros);
  *as_of = ToTimestamp(caught_up);
  const absl::Duration behind =
      f.pending ? std::max(absl::ZeroDuration(), now - caught_up) : absl::ZeroDuration();
  *lag =
      google::protobuf::util::TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(behind));
}

// The statistics of a country for a period, protected, with their freshness.
CountryStatistics StatisticsFor(StatsStore& store, const std::string& country, const Period& period,
                                const PeriodYears& years,
                                const std::vector<consular::v1::Dimension>& dimensions,
                                const PublishOptions& options, absl::Time now) {
  const CountryCounts counts = LoadCounts(store, country, years.first, years.last, &period);
  CountryStatistics stats = Publish(country, period, counts, dimensions, options);
  SetFreshness(store, now, stats.mutable_as_of(), stats.mutable_lag());
  return stats;
}

}  // namespace

absl::Status CheckMayReadStatistics(const Identity& who) {
  if (who.role == consular::v1::ROLE_POLICY_STAFF || who.role == consular::v1::ROLE_ADMINISTRATOR) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      "statistics, talks and dossiers are for policy staff and administrators");
}

StatisticsManager::StatisticsManager(storage::TransactionRunner* runner, const Clock& clock,
                                     storage::FieldCrypto crypto, StatisticsSettings settings)
    : runner_(runner), clock_(clock), crypto_(crypto), settings_(settings) {}

PublishOptions StatisticsManager::OptionsFor(bool round_to_base5) const {
  PublishOptions options;
  options.threshold = std::max(5, settings_.threshold);
  options.round_to_base5 = round_to_base5 || settings_.always_round;
  return options;
}

absl::Status StatisticsManager::GetCountryStatistics(
    const Identity& who, const consular::v1::GetCountryStatisticsRequest& request,
    absl::Time deadline, CountryStatistics* out) {
  return RunAuditedCall(
      runner_, who, "StatisticsService.GetCountryStatistics", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        CONSULAR_RETURN_IF_ERROR(CheckCountry("country", request.country()));
        absl::StatusOr<PeriodYears> years = YearsOf(request.period());
        if (!years.ok()) return years.status();
        CONSULAR_RETURN_IF_ERROR(CheckDimensions(request.dimensions()));
        std::vector<consular::v1::Dimension> dimensions;
        for (const int d : request.dimensions()) {
          dimensions.push_back(static_cast<consular::v1::Dimension>(d));
        }
        StatsStore store(tx);
        *out = StatisticsFor(store, request.country(), request.period(), *years, dimensions,
                             OptionsFor(request.round_to_base5()), clock_.Now());
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::ListCountries(const Identity& who,
                                              const consular::v1::ListCountriesRequest& request,
                                              absl::Time deadline,
                                              consular::v1::ListCountriesResponse* out) {
  return RunAuditedCall(
      runner_, who, "StatisticsService.ListCountries", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        absl::StatusOr<PeriodYears> years = YearsOf(request.period());
        if (!years.ok()) return years.status();
        if (!consular::v1::CountryOrder_IsValid(request.order_by())) {
          return InvalidField("order_by", "not an order");
        }
        StatsStore store(tx);
        *out = PublishCountries(store, store.Countries(years->first, years->last),
                                request.period(), *years, request.order_by(),
                                OptionsFor(request.round_to_base5()), clock_.Now());
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::GetTimeSeries(const Identity& who,
                                              const consular::v1::GetTimeSeriesRequest& request,
                                              absl::Time deadline, consular::v1::TimeSeries* out) {
  return RunAuditedCall(
      runner_, who, "StatisticsService.GetTimeSeries", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        CONSULAR_RETURN_IF_ERROR(CheckCountry("country", request.country()));
        StatsStore store(tx);
        const int first = std::max(2000, request.from_year());
        const int last = std::max(first, std::min(request.to_year(), first + 24));
        const CountryCounts counts = LoadCounts(store, request.country(), first, last);
        CONSULAR_ASSIGN_OR_RETURN(
            consular::v1::TimeSeries series,
            PublishTimeSeries(request, counts, OptionsFor(request.round_to_base5())));
        *out = std::move(series);
        SetFreshness(store, clock_.Now(), out->mutable_as_of(), out->mutable_lag());
        return absl::OkStatus();
      });
}

consular::v1::ListCountriesResponse StatisticsManager::PublishCountries(
    StatsStore& store, const std::vector<std::string>& countries, const Period& period,
    const PeriodYears& years, consular::v1::CountryOrder order_by, const PublishOptions& options,
    absl::Time now) const {
  consular::v1::ListCountriesResponse out;
  const std::vector<consular::v1::Dimension> dimensions = {
      consular::v1::DIMENSION_RECOGNITION_DECISION, consular::v1::DIMENSION_OUTCOME};
  for (const std::string& country : countries) {
    const CountryCounts counts = LoadCounts(store, country, years.first, years.last);
    const CountryStatistics s = Publish(country, period, counts, dimensions, options);
    consular::v1::CountryRow* row = out.add_countries();
    row->set_country(country);
    *row->mutable_cases_opened() = s.cases_opened();
    *row->mutable_cases_resolved() = s.cases_resolved();
    *row->mutable_cases_unresolved() = s.cases_unresolved();
    *row->mutable_contacts() = s.contacts();
    for (const consular::v1::Breakdown& b : s.breakdowns()) {
      for (const consular::v1::Cell& cell : b.cells()) {
        if (cell.category() == "RECOGNITION_DECISION_GRANTED") {
          *row->mutable_recognition_granted() = cell.figure();
        } else if (cell.category() == "RECOGNITION_DECISION_REFUSED") {
          *row->mutable_recognition_refused() = cell.figure();
        } else if (cell.category() == "OUTCOME_RETURNED_TO_NL") {
          *row->mutable_returned_to_nl() = cell.figure();
        }
      }
    }
  }
  // Most first by the chosen figure; a suppressed figure after every published one.
  const auto key = [&](const consular::v1::CountryRow& r) -> const consular::v1::Figure& {
    switch (order_by) {
      case consular::v1::COUNTRY_ORDER_RECOGNITION_REFUSALS:
        return r.recognition_refused();
      case consular::v1::COUNTRY_ORDER_UNRESOLVED:
        return r.cases_unresolved();
      default:
        return r.cases_opened();
    }
  };
  auto* rows = out.mutable_countries();
  std::stable_sort(rows->begin(), rows->end(), [&](const auto& a, const auto& b) {
    if (order_by == consular::v1::COUNTRY_ORDER_COUNTRY) return a.country() < b.country();
    const consular::v1::Figure& fa = key(a);
    const consular::v1::Figure& fb = key(b);
    if (fa.suppressed() != fb.suppressed()) return !fa.suppressed();
    if (!fa.suppressed() && fa.value() != fb.value()) return fa.value() > fb.value();
    return a.country() < b.country();
  });
  out.set_threshold(options.threshold);
  out.set_rounded_to_base5(options.round_to_base5);
  SetFreshness(store, now, out.mutable_as_of(), out.mutable_lag());
  return out;
}

// Today: the figures as published right now. With statistics releases, the figures of the
// release in force on `held_on` instead.
absl::StatusOr<CountryStatistics> StatisticsManager::FreezeTalkStatistics(
    pqxx::transaction_base& tx, const std::string& country, const Period& period,
    const consular::v1::Date& /*held_on*/, absl::Time now) const {
  const absl::StatusOr<PeriodYears> years = YearsOf(period);
  if (!years.ok()) return years.status();
  StatsStore store(tx);
  return StatisticsFor(store, country, period, *years, {}, OptionsFor(false), now);
}

absl::Status StatisticsManager::RecordTalk(const Identity& who,
                                           const consular::v1::RecordTalkRequest& request,
                                           absl::Time deadline, Talk* out) {
  return RunAuditedCall(
      runner_, who, "BilateralService.RecordTalk", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        if (!request.has_talk()) return InvalidField("talk", "required");
        const absl::Time now = clock_.Now();
        CONSULAR_RETURN_IF_ERROR(ValidateTalk(request.talk(), DateOf(now)));
        return RunIdempotentCall<Talk>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kStats, who,
            "RecordTalk", request, request.request_id(), out,
            // Talks are not scoped beyond the caller's role, which every call checks afresh.
            [](const Talk&) { return absl::OkStatus(); },
            [&](Talk* recorded) -> absl::Status {
              const Talk& in = request.talk();
              Talk t;
              t.set_id(NewUuid());
              t.set_country(in.country());
              *t.mutable_held_on() = in.held_on();
              t.set_level(in.level());
              *t.mutable_topics() = in.topics();
              t.set_summary(in.summary());
              t.set_outcome(in.outcome());
              t.set_follow_up(in.follow_up());
              if (in.has_follow_up_due()) *t.mutable_follow_up_due() = in.follow_up_due();
              t.set_recorded_by(who.subject);
              *t.mutable_recorded_at() = ToTimestamp(now);
              if (in.has_statistics_period()) {
                *t.mutable_statistics_period() = in.statistics_period();
              } else {
                t.mutable_statistics_period()->set_year(in.held_on().year());
              }
              // The figures of the moment, frozen with the talk.
              CONSULAR_ASSIGN_OR_RETURN(
                  *t.mutable_statistics(),
                  FreezeTalkStatistics(tx, t.country(), t.statistics_period(), t.held_on(), now));
              storage::TalksStore talks(tx);
              talks.InsertTalk(t);
              std::optional<Talk> stored = talks.FindTalk(t.id());
              if (!stored) return absl::InternalError("the talk just recorded is not found");
              *recorded = *std::move(stored);
              return absl::OkStatus();
            });
      });
}

absl::Status StatisticsManager::ListTalks(const Identity& who,
                                          const consular::v1::ListTalksRequest& request,
                                          absl::Time deadline,
                                          consular::v1::ListTalksResponse* out) {
  return RunAuditedCall(
      runner_, who, "BilateralService.ListTalks", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        if (!request.country().empty())
          CONSULAR_RETURN_IF_ERROR(CheckCountry("country", request.country()));
        CONSULAR_ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size(), 50));
        std::string after_held_on, after_id;
        if (!request.page_token().empty()) {
          absl::StatusOr<std::vector<std::string>> cursor =
              DecodePageToken(request.page_token(), "talks", request.country(), 2);
          if (!cursor.ok()) return cursor.status();
          after_held_on = (*cursor)[0];
          after_id = (*cursor)[1];
        }
        out->Clear();
        FillPage(storage::TalksStore(tx).ListTalks(request.country(), after_held_on, after_id,
                                                   FetchLimit(page_size)),
                 page_size, out->mutable_talks(), out->mutable_next_page_token(),
                 [&](const Talk& last) {
                   // The talk's day: held_on, else planned_on (the list's order).
                   return EncodePageToken(
                       "talks", request.country(),
                       {FormatDate(last.has_held_on() ? last.held_on() : last.planned_on()),
                        last.id()});
                 });
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::GetTalk(const Identity& who,
                                        const consular::v1::GetTalkRequest& request,
                                        absl::Time deadline, Talk* out) {
  return RunAuditedCall(
      runner_, who, "BilateralService.GetTalk", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("id", request.id()));
        std::optional<Talk> talk = storage::TalksStore(tx).FindTalk(request.id());
        if (!talk) return absl::NotFoundError(absl::StrCat("talk ", request.id(), " not found"));
        *out = *std::move(talk);
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::RenderCountryDossier(
    const Identity& who, const consular::v1::RenderCountryDossierRequest& request,
    absl::Time deadline, consular::v1::Dossier* out) {
  return RunAuditedCall(
      runner_, who, "ReportService.RenderCountryDossier", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        return RenderDossierIn(tx, request, clock_.Now(), out);
      });
}

absl::Status StatisticsManager::RenderDossierIn(
    pqxx::transaction_base& tx, const consular::v1::RenderCountryDossierRequest& request,
    absl::Time now, consular::v1::Dossier* out) const {
  CONSULAR_RETURN_IF_ERROR(CheckCountry("country", request.country()));
  absl::StatusOr<PeriodYears> years = YearsOf(request.period());
  if (!years.ok()) return years.status();
  CONSULAR_RETURN_IF_ERROR(CheckDossierFormat("format", request.format()));
  CONSULAR_ASSIGN_OR_RETURN(const std::string language,
                            DossierLanguage("language", request.language()));
  const PublishOptions options = OptionsFor(request.round_to_base5());
  StatsStore store(tx);
  const int first = std::min(years->first, years->last - (kHistoryYears - 1));
  const CountryCounts counts =
      LoadCounts(store, request.country(), first, years->last, &request.period());

  consular::v1::CountryDossier dossier;
  dossier.set_country(request.country());
  *dossier.mutable_statistics() = Publish(request.country(), request.period(), counts, {}, options);
  SetFreshness(store, now, dossier.mutable_statistics()->mutable_as_of(),
               dossier.mutable_statistics()->mutable_lag());
  // Cases opened per year by type: the case-type table of each year.
  for (int y = std::max(2000, years->last - (kHistoryYears - 1)); y <= years->last; ++y) {
    Period year;
    year.set_year(y);
    const CountryStatistics s =
        Publish(request.country(), year, counts, {consular::v1::DIMENSION_CASE_TYPE}, options);
    consular::v1::YearByType* h = dossier.add_history();
    h->set_year(y);
    *h->mutable_total() = s.cases_opened();
    for (const consular::v1::Breakdown& b : s.breakdowns()) {
      if (b.measure() != consular::v1::MEASURE_CASES_OPENED) continue;
      for (const consular::v1::Cell& cell : b.cells()) {
        if (cell.category() == "CASE_TYPE_ABANDONMENT") {
          *h->mutable_abandonment() = cell.figure();
        } else if (cell.category() == "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION") {
          *h->mutable_divorce_recognition() = cell.figure();
        }
      }
    }
  }
  // The talks held with the country, oldest first.
  std::vector<Talk> talks = storage::TalksStore(tx).ListHeldTalks(request.country(), 1000);
  std::reverse(talks.begin(), talks.end());
  for (Talk& t : talks) *dossier.add_talks() = std::move(t);
  *dossier.mutable_generated_at() = ToTimestamp(now);

  const std::string period_label =
      request.period().has_quarter()
          ? absl::StrFormat("%d-Q%d", request.period().quarter().year(),
                            request.period().quarter().quarter())
      : request.period().has_range()
          ? absl::StrCat(FormatDate(request.period().range().from()), "_",
                         FormatDate(request.period().range().to()))
          : absl::StrCat(request.period().year());
  const std::string base = absl::StrCat("dossier-", request.country(), "-", period_label,
                                        language == "en" ? "" : "-" + language);
  switch (request.format()) {
    case consular::v1::DOSSIER_FORMAT_CSV:
      out->set_content_type("text/csv; charset=utf-8");
      out->set_filename(base + ".csv");
      out->set_content(RenderDossierCsv(dossier));
      break;
    case consular::v1::DOSSIER_FORMAT_JSON:
      out->set_content_type("application/json");
      out->set_filename(base + ".json");
      out->set_content(RenderDossierJson(dossier));
      break;
    default:
      out->set_content_type("text/html; charset=utf-8");
      out->set_filename(base + ".html");
      out->set_content(RenderDossierHtml(dossier, DossierMessages::ForLanguage(language)));
      break;
  }
  return absl::OkStatus();
}

}  // namespace consular::stats

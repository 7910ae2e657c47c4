#include "services/stats/statistics_manager.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
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
#include "services/stats/releases.h"
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

// A country's figures in a release for years first..last (all zeros if it holds none).
ReleasedCountry ReleasedIn(storage::ReleaseStore& store, int release, const std::string& country,
                         int first, int last) {
  std::optional<ReleasedCountry> released = LoadReleased(store, release, country, first, last);
  return released ? *std::move(released) : ReleasedCountry();
}

// Which release the figures come from, its definitions, its cut-off and how old that is.
template <typename Figures>
void Stamp(const consular::v1::Release& release, absl::Time now, Figures* out) {
  out->set_release(release.number());
  out->set_definition_version(release.definition_version());
  *out->mutable_as_of() = release.cut_off();
  const absl::Duration age = std::max(
      absl::ZeroDuration(),
      now - absl::FromUnixMicros(
                google::protobuf::util::TimeUtil::TimestampToMicroseconds(release.cut_off())));
  *out->mutable_lag() =
      google::protobuf::util::TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(age));
}

// The statistics of a country for a period from a release.
CountryStatistics StatisticsFor(storage::ReleaseStore& store, const consular::v1::Release& release,
                                const std::string& country, const Period& period,
                                const PeriodYears& years,
                                const std::vector<consular::v1::Dimension>& dimensions,
                                PublishOptions options, absl::Time now) {
  options.threshold = release.threshold();
  const ReleasedCountry released =
      ReleasedIn(store, release.number(), country, years.first, years.last);
  CountryStatistics stats = Publish(country, period, released, dimensions, options);
  Stamp(release, now, &stats);
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
        storage::ReleaseStore releases(tx);
        CONSULAR_ASSIGN_OR_RETURN(const consular::v1::Release release,
                                  ReleaseFor(releases, request.release()));
        *out = StatisticsFor(releases, release, request.country(), request.period(), *years,
                             dimensions, OptionsFor(request.round_to_base5()), clock_.Now());
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
        storage::ReleaseStore releases(tx);
        CONSULAR_ASSIGN_OR_RETURN(const consular::v1::Release release,
                                  ReleaseFor(releases, request.release()));
        // Every country of the release in one statement; those with a stored year in the
        // period's years are listed.
        std::vector<ReleasedInSpan> countries =
            LoadListedCountries(releases, release.number(), years->first, years->last);
        countries.erase(std::remove_if(countries.begin(), countries.end(),
                                       [](const ReleasedInSpan& c) { return !c.any_year; }),
                        countries.end());
        *out = PublishCountries(release, countries, request.period(), request.order_by(),
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
        storage::ReleaseStore releases(tx);
        CONSULAR_ASSIGN_OR_RETURN(const consular::v1::Release release,
                                  ReleaseFor(releases, request.release()));
        const int first = std::max(2000, request.from_year());
        const int last = std::max(first, std::min(request.to_year(), first + 24));
        PublishOptions options = OptionsFor(request.round_to_base5());
        options.threshold = release.threshold();
        CONSULAR_ASSIGN_OR_RETURN(
            consular::v1::TimeSeries series,
            PublishTimeSeries(
                request, ReleasedIn(releases, release.number(), request.country(), first, last),
                options));
        *out = std::move(series);
        Stamp(release, clock_.Now(), out);
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::CreateRelease(const Identity& who,
                                              const consular::v1::CreateReleaseRequest& request,
                                              absl::Time deadline, consular::v1::Release* out) {
  return RunAuditedCall(
      runner_, who, "StatisticsService.CreateRelease", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        if (who.role != consular::v1::ROLE_ADMINISTRATOR) {
          return absl::PermissionDeniedError("releases are made by administrators");
        }
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        return RunIdempotentCall<consular::v1::Release>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kStats, who,
            "CreateRelease", request, request.request_id(), out,
            [](const consular::v1::Release&) { return absl::OkStatus(); },
            [&](consular::v1::Release* made) -> absl::Status {
              ReleaseRequest r;
              r.kind = consular::v1::RELEASE_KIND_ON_DEMAND;
              r.made_by = who.subject;
              r.threshold = OptionsFor(false).threshold;
              r.now = clock_.Now();
              *made = MakeRelease(tx, r);
              return absl::OkStatus();
            });
      });
}

absl::Status StatisticsManager::ListReleases(const Identity& who,
                                             const consular::v1::ListReleasesRequest& request,
                                             absl::Time deadline,
                                             consular::v1::ListReleasesResponse* out) {
  return RunAuditedCall(
      runner_, who, "StatisticsService.ListReleases", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        CONSULAR_ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size(), 50));
        int before = 0;
        if (!request.page_token().empty()) {
          CONSULAR_ASSIGN_OR_RETURN(std::vector<std::string> cursor,
                                    DecodePageToken(request.page_token(), "releases", "", 1));
          if (!absl::SimpleAtoi(cursor[0], &before) || before <= 0) {
            return InvalidField("page_token", "not a token of this list");
          }
        }
        out->Clear();
        storage::ReleaseStore releases(tx);
        FillPage(releases.List(before, FetchLimit(page_size)), page_size, out->mutable_releases(),
                 out->mutable_next_page_token(), [&](const consular::v1::Release& last) {
                   return EncodePageToken("releases", "", {absl::StrCat(last.number())});
                 });
        return absl::OkStatus();
      });
}

absl::StatusOr<std::optional<consular::v1::Release>> StatisticsManager::MakeMonthlyReleaseIfDue() {
  std::optional<consular::v1::Release> made;
  const absl::Time now = clock_.Now();
  const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
  const absl::CivilDay month(today.year(), today.month(), 1);
  CONSULAR_RETURN_IF_ERROR(runner_->Run(
      now + absl::Minutes(30), [&](pqxx::transaction_base& tx) -> absl::Status {
        made.reset();
        storage::ReleaseStore releases(tx);
        if (releases.HasMonthly(month)) return absl::OkStatus();
        releases.LockNextNumber();
        if (releases.HasMonthly(month)) return absl::OkStatus();  // made meanwhile
        ReleaseRequest r;
        r.kind = consular::v1::RELEASE_KIND_MONTHLY;
        r.month = month;
        r.made_by = "consular-stats";
        r.threshold = OptionsFor(false).threshold;
        r.now = now;
        made = MakeRelease(tx, r);
        return absl::OkStatus();
      }));
  return made;
}

consular::v1::ListCountriesResponse StatisticsManager::PublishCountries(
    const consular::v1::Release& release, const std::vector<ReleasedInSpan>& countries,
    const Period& period, consular::v1::CountryOrder order_by, PublishOptions options,
    absl::Time now) const {
  consular::v1::ListCountriesResponse out;
  options.threshold = release.threshold();
  const std::vector<consular::v1::Dimension> dimensions = {
      consular::v1::DIMENSION_RECOGNITION_DECISION, consular::v1::DIMENSION_OUTCOME};
  for (const ReleasedInSpan& country : countries) {
    const CountryStatistics s =
        Publish(country.country, period, country.figures, dimensions, options);
    consular::v1::CountryRow* row = out.add_countries();
    row->set_country(country.country);
    *row->mutable_cases_opened() = s.cases_opened();
    *row->mutable_cases_resolved() = s.cases_resolved();
    *row->mutable_cases_unresolved() = s.cases_unresolved();
    *row->mutable_contacts() = s.contacts();
    if (s.has_previous_definition()) {
      *row->mutable_previous_definition_contacts() = s.previous_definition().contacts();
      out.set_previous_definition_version(s.previous_definition().definition_version());
    }
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
  Stamp(release, now, &out);
  return out;
}

// The figures of the release in force on the day the talk was held (the newest release made
// before the end of that day, UTC); without one, none (release 0).
absl::StatusOr<CountryStatistics> StatisticsManager::FreezeTalkStatistics(
    pqxx::transaction_base& tx, const std::string& country, const Period& period,
    const consular::v1::Date& held_on, absl::Time now) const {
  const absl::StatusOr<PeriodYears> years = YearsOf(period);
  if (!years.ok()) return years.status();
  storage::ReleaseStore releases(tx);
  const std::optional<consular::v1::Release> in_force = releases.InForceOn(ToCivilDay(held_on));
  if (!in_force) {
    CountryStatistics none;
    none.set_country(country);
    *none.mutable_period() = period;
    none.set_release(0);
    none.set_threshold(OptionsFor(false).threshold);
    return none;
  }
  return StatisticsFor(releases, *in_force, country, period, *years, {}, OptionsFor(false), now);
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
  PublishOptions options = OptionsFor(request.round_to_base5());
  storage::ReleaseStore releases(tx);
  CONSULAR_ASSIGN_OR_RETURN(const consular::v1::Release release,
                            ReleaseFor(releases, request.release()));
  options.threshold = release.threshold();
  const int first = std::min(years->first, years->last - (kHistoryYears - 1));
  const ReleasedCountry counts =
      ReleasedIn(releases, release.number(), request.country(), first, years->last);

  consular::v1::CountryDossier dossier;
  dossier.set_country(request.country());
  *dossier.mutable_statistics() = Publish(request.country(), request.period(), counts, {}, options);
  Stamp(release, now, dossier.mutable_statistics());
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

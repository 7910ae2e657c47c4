// The bilateral-talks register beyond recording a held talk (docs/statistics.md): talks entered
// as planned and their status changes, commitments made at held talks, the per-country decision
// log and the countries never raised. Briefings are in talk_briefings.cc.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/ids.h"
#include "services/common/page_token.h"
#include "services/common/paging.h"
#include "services/stats/register_call.h"
#include "services/stats/releases.h"
#include "services/stats/statistics_manager.h"
#include "services/stats/statistics_rules.h"
#include "services/stats/talk_rules.h"
#include "storage/stats_store.h"
#include "storage/talks_store.h"

namespace consular::stats {
namespace {

using consular::v1::Commitment;
using consular::v1::CountryDecision;
using consular::v1::Date;
using consular::v1::Period;
using consular::v1::Talk;
using consular::v1::TalkStatusChange;
using storage::TalksStore;

// What a HELD change freezes: the country's statistics for a period, for the day held.
using Freeze = std::function<absl::StatusOr<consular::v1::CountryStatistics>(
    const std::string& country, const Period& period, const Date& held_on)>;

// Appends `change` (to_status, on_date, reason, outcome set) to the talk `talk_id` as `who` at
// `now`, after the changes before it (the talk is locked meanwhile), and reads the talk back into
// `out`. A change to HELD carries the statistics `freeze` gives for the talk's period: the one it
// was entered with, else the calendar year of the day held. NOT_FOUND for no such talk;
// FAILED_PRECONDITION for a change its status does not allow.
absl::Status AppendChange(pqxx::transaction_base& tx, const Identity& who, absl::Time now,
                          const std::string& talk_id, TalkStatusChange change, const Freeze& freeze,
                          Talk* out) {
  const std::string id = absl::AsciiStrToLower(talk_id);
  TalksStore talks(tx);
  talks.LockTalk(id);
  std::optional<Talk> talk = talks.FindTalk(id);
  if (!talk) return TalkNotFound(id);
  CONSULAR_RETURN_IF_ERROR(CheckTalkStatusChange(talk->status(), change.to_status()));
  change.set_from_status(talk->status());
  change.set_changed_by(who.subject);
  *change.mutable_changed_at() = ToTimestamp(now);
  const int seq = talk->changes_size() + 1;
  if (change.to_status() == consular::v1::TALK_STATUS_HELD) {
    Period period;
    if (std::optional<Period> entered = talks.EnteredStatisticsPeriod(id)) {
      period = *std::move(entered);
    } else {
      period.set_year(change.on_date().year());
    }
    CONSULAR_ASSIGN_OR_RETURN(const consular::v1::CountryStatistics statistics,
                              freeze(talk->country(), period, change.on_date()));
    talks.AppendStatusChange(id, seq, change, &period, &statistics);
  } else {
    talks.AppendStatusChange(id, seq, change, nullptr, nullptr);
  }
  return ReadTalk(talks, id, out);
}

// Open and due before today.
void FlagOverdue(const Date& today, Commitment* c) {
  c->set_overdue(!c->closed() && CompareDates(c->due_on(), today) < 0);
}

}  // namespace

absl::Status TalkNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("talk ", id, " not found"));
}

absl::Status ReadTalk(TalksStore& talks, const std::string& id, Talk* out) {
  std::optional<Talk> talk = talks.FindTalk(id);
  if (!talk) return absl::InternalError("a talk of the register is gone");
  *out = *std::move(talk);
  return absl::OkStatus();
}

absl::Status StatisticsManager::PlanTalk(const Identity& who,
                                         const consular::v1::PlanTalkRequest& request,
                                         absl::Time deadline, Talk* out) {
  return RunRegisterChange<Talk>(
      runner_, clock_, crypto_, who, "PlanTalk", request, request.request_id(), deadline, out,
      [&](const Date& today) -> absl::Status {
        if (!request.has_talk()) return InvalidField("talk", "required");
        return ValidatePlannedTalk(request.talk(), today);
      },
      [&](pqxx::transaction_base& tx, absl::Time now, Talk* planned) -> absl::Status {
        const Talk& in = request.talk();
        Talk t;
        t.set_id(NewUuid());
        t.set_country(in.country());
        *t.mutable_planned_on() = in.planned_on();
        t.set_level(in.level());
        *t.mutable_topics() = in.topics();
        t.set_summary(in.summary());
        if (in.has_statistics_period()) *t.mutable_statistics_period() = in.statistics_period();
        t.set_recorded_by(who.subject);
        *t.mutable_recorded_at() = ToTimestamp(now);
        TalksStore talks(tx);
        talks.InsertTalk(t);
        return ReadTalk(talks, t.id(), planned);
      });
}

absl::Status StatisticsManager::MarkTalkHeld(const Identity& who,
                                             const consular::v1::MarkTalkHeldRequest& request,
                                             absl::Time deadline, Talk* out) {
  return RunRegisterChange<Talk>(
      runner_, clock_, crypto_, who, "MarkTalkHeld", request, request.request_id(), deadline, out,
      [&](const Date& today) { return ValidateMarkTalkHeld(request, today); },
      [&](pqxx::transaction_base& tx, absl::Time now, Talk* held) {
        TalkStatusChange change;
        change.set_to_status(consular::v1::TALK_STATUS_HELD);
        *change.mutable_on_date() = request.held_on();
        change.set_outcome(request.outcome());
        return AppendChange(
            tx, who, now, request.talk_id(), change,
            [&](const std::string& country, const Period& period, const Date& held_on) {
              return FreezeTalkStatistics(tx, country, period, held_on, now);
            },
            held);
      });
}

absl::Status StatisticsManager::PostponeTalk(const Identity& who,
                                             const consular::v1::PostponeTalkRequest& request,
                                             absl::Time deadline, Talk* out) {
  return RunRegisterChange<Talk>(
      runner_, clock_, crypto_, who, "PostponeTalk", request, request.request_id(), deadline, out,
      [&](const Date& today) { return ValidatePostponeTalk(request, today); },
      [&](pqxx::transaction_base& tx, absl::Time now, Talk* postponed) {
        TalkStatusChange change;
        change.set_to_status(consular::v1::TALK_STATUS_POSTPONED);
        *change.mutable_on_date() = request.planned_on();
        change.set_reason(request.reason());
        return AppendChange(tx, who, now, request.talk_id(), change, nullptr, postponed);
      });
}

absl::Status StatisticsManager::ReplanTalk(const Identity& who,
                                           const consular::v1::ReplanTalkRequest& request,
                                           absl::Time deadline, Talk* out) {
  return RunRegisterChange<Talk>(
      runner_, clock_, crypto_, who, "ReplanTalk", request, request.request_id(), deadline, out,
      [&](const Date& today) { return ValidateReplanTalk(request, today); },
      [&](pqxx::transaction_base& tx, absl::Time now, Talk* planned) {
        TalkStatusChange change;
        change.set_to_status(consular::v1::TALK_STATUS_PLANNED);
        *change.mutable_on_date() = request.planned_on();
        change.set_reason(request.reason());
        return AppendChange(tx, who, now, request.talk_id(), change, nullptr, planned);
      });
}

absl::Status StatisticsManager::CancelTalk(const Identity& who,
                                           const consular::v1::CancelTalkRequest& request,
                                           absl::Time deadline, Talk* out) {
  return RunRegisterChange<Talk>(
      runner_, clock_, crypto_, who, "CancelTalk", request, request.request_id(), deadline, out,
      [&](const Date&) { return ValidateCancelTalk(request); },
      [&](pqxx::transaction_base& tx, absl::Time now, Talk* cancelled) {
        TalkStatusChange change;
        change.set_to_status(consular::v1::TALK_STATUS_CANCELLED);
        change.set_reason(request.reason());
        return AppendChange(tx, who, now, request.talk_id(), change, nullptr, cancelled);
      });
}

absl::Status StatisticsManager::AddCommitment(const Identity& who,
                                              const consular::v1::AddCommitmentRequest& request,
                                              absl::Time deadline, Commitment* out) {
  return RunRegisterChange<Commitment>(
      runner_, clock_, crypto_, who, "AddCommitment", request, request.request_id(), deadline, out,
      [&](const Date&) { return ValidateAddCommitment(request); },
      [&](pqxx::transaction_base& tx, absl::Time now, Commitment* added) -> absl::Status {
        const std::string talk_id = absl::AsciiStrToLower(request.talk_id());
        TalksStore talks(tx);
        std::optional<Talk> talk = talks.FindTalk(talk_id);
        if (!talk) return TalkNotFound(talk_id);
        if (talk->status() != consular::v1::TALK_STATUS_HELD) {
          return absl::FailedPreconditionError(
              absl::StrCat("the talk is ", consular::v1::TalkStatus_Name(talk->status()),
                           ": commitments are added to a held talk"));
        }
        if (CompareDates(request.due_on(), talk->held_on()) < 0) {
          return InvalidField("due_on", absl::StrCat("before the talk was held (",
                                                     FormatDate(talk->held_on()), ")"));
        }
        Commitment c;
        c.set_id(NewUuid());
        c.set_talk_id(talk_id);
        c.set_text(request.text());
        c.set_owner(request.owner());
        *c.mutable_due_on() = request.due_on();
        c.set_added_by(who.subject);
        *c.mutable_added_at() = ToTimestamp(now);
        talks.InsertCommitment(c);
        std::optional<Commitment> stored = talks.FindCommitment(c.id());
        if (!stored) return absl::InternalError("the commitment just added is not found");
        FlagOverdue(DateOf(now), &*stored);
        *added = *std::move(stored);
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::CloseCommitment(const Identity& who,
                                                const consular::v1::CloseCommitmentRequest& request,
                                                absl::Time deadline, Commitment* out) {
  return RunRegisterChange<Commitment>(
      runner_, clock_, crypto_, who, "CloseCommitment", request, request.request_id(), deadline,
      out, [&](const Date&) { return ValidateCloseCommitment(request); },
      [&](pqxx::transaction_base& tx, absl::Time now, Commitment* closed) -> absl::Status {
        const std::string id = absl::AsciiStrToLower(request.commitment_id());
        TalksStore talks(tx);
        talks.LockCommitment(id);
        std::optional<Commitment> c = talks.FindCommitment(id);
        if (!c) return absl::NotFoundError(absl::StrCat("commitment ", id, " not found"));
        if (c->closed()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "commitment ", id, " was closed already, on ", FormatTimestamp(c->closed_at())));
        }
        talks.InsertClosure(id, request.closing_note(), who.subject, absl::ToUnixMicros(now));
        c = talks.FindCommitment(id);
        if (!c) return absl::InternalError("the commitment just closed is not found");
        FlagOverdue(DateOf(now), &*c);
        *closed = *std::move(c);
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::ListCommitments(const Identity& who,
                                                const consular::v1::ListCommitmentsRequest& request,
                                                absl::Time deadline,
                                                consular::v1::ListCommitmentsResponse* out) {
  return RunAuditedCall(
      runner_, who, "BilateralService.ListCommitments", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        if (!request.country().empty()) {
          CONSULAR_RETURN_IF_ERROR(CheckCountry("country", request.country()));
        }
        CONSULAR_ASSIGN_OR_RETURN(const int page_size, PageSizeOf(request.page_size(), 50));
        const std::string filters =
            absl::StrCat(request.country(), ":", request.open_only() ? "open" : "all");
        std::optional<storage::CommitmentCursor> after;
        if (!request.page_token().empty()) {
          CONSULAR_ASSIGN_OR_RETURN(
              const std::vector<std::string> cursor,
              DecodePageToken(request.page_token(), "commitments", filters, 3));
          after = storage::CommitmentCursor{cursor[0] == "1", cursor[1], cursor[2]};
        }
        const Date today = DateOf(clock_.Now());
        std::vector<Commitment> rows =
            TalksStore(tx).ListCommitments(request.country(), request.open_only(),
                                           after ? &*after : nullptr, FetchLimit(page_size));
        for (Commitment& c : rows) FlagOverdue(today, &c);
        out->Clear();
        FillPage(std::move(rows), page_size, out->mutable_commitments(),
                 out->mutable_next_page_token(), [&](const Commitment& last) {
                   return EncodePageToken(
                       "commitments", filters,
                       {last.closed() ? "1" : "0", FormatDate(last.due_on()), last.id()});
                 });
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::RecordDecision(const Identity& who,
                                               const consular::v1::RecordDecisionRequest& request,
                                               absl::Time deadline, CountryDecision* out) {
  return RunRegisterChange<CountryDecision>(
      runner_, clock_, crypto_, who, "RecordDecision", request, request.request_id(), deadline, out,
      [&](const Date& today) -> absl::Status {
        if (!request.has_decision()) return InvalidField("decision", "required");
        return ValidateDecision(request.decision(), today);
      },
      [&](pqxx::transaction_base& tx, absl::Time now, CountryDecision* recorded) {
        const CountryDecision& in = request.decision();
        CountryDecision d;
        d.set_id(NewUuid());
        d.set_country(in.country());
        d.set_topic(in.topic());
        d.set_decision(in.decision());
        d.set_level(in.level());
        d.set_reasons(in.reasons());
        *d.mutable_decided_on() = in.decided_on();
        d.set_decided_by(who.subject);
        *d.mutable_recorded_at() = ToTimestamp(now);
        TalksStore(tx).InsertDecision(d);
        *recorded = std::move(d);
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::ListDecisions(const Identity& who,
                                              const consular::v1::ListDecisionsRequest& request,
                                              absl::Time deadline,
                                              consular::v1::ListDecisionsResponse* out) {
  return RunAuditedCall(
      runner_, who, "BilateralService.ListDecisions", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        if (!request.country().empty()) {
          CONSULAR_RETURN_IF_ERROR(CheckCountry("country", request.country()));
        }
        CONSULAR_ASSIGN_OR_RETURN(const int page_size, PageSizeOf(request.page_size(), 50));
        std::optional<storage::DecisionCursor> after;
        if (!request.page_token().empty()) {
          CONSULAR_ASSIGN_OR_RETURN(
              const std::vector<std::string> cursor,
              DecodePageToken(request.page_token(), "decisions", request.country(), 3));
          int64_t micros = 0;
          if (!absl::SimpleAtoi(cursor[1], &micros)) {
            return InvalidField("page_token", "not a token of this listing");
          }
          after = storage::DecisionCursor{cursor[0], micros, cursor[2]};
        }
        out->Clear();
        FillPage(
            TalksStore(tx).ListDecisions(request.country(), after ? &*after : nullptr,
                                         FetchLimit(page_size)),
            page_size, out->mutable_decisions(), out->mutable_next_page_token(),
            [&](const CountryDecision& last) {
              return EncodePageToken(
                  "decisions", request.country(),
                  {FormatDate(last.decided_on()),
                   absl::StrCat(absl::ToUnixMicros(FromTimestamp(last.recorded_at()))), last.id()});
            });
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::ListUnraisedCountries(
    const Identity& who, const consular::v1::ListUnraisedCountriesRequest& request,
    absl::Time deadline, consular::v1::ListUnraisedCountriesResponse* out) {
  return RunAuditedCall(
      runner_, who, "BilateralService.ListUnraisedCountries", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        CONSULAR_ASSIGN_OR_RETURN(const int years, UnraisedYears(request.years()));
        const absl::Time now = clock_.Now();
        const Period period = LastCalendarYears(years, DateOf(now).year());
        CONSULAR_ASSIGN_OR_RETURN(const PeriodYears span, YearsOf(period));
        TalksStore talks(tx);
        const std::map<std::string, storage::CountryEngagement> engagements =
            talks.Engagements(period.range().from());
        // Countries with cases in the period, neither raised at a talk held in it nor decided
        // on in it (NL is never the other side of a talk).
        std::vector<std::string> unraised;
        for (const std::string& country : talks.CountriesWithCasesOpened(span.first, span.last)) {
          if (country == "NL") continue;
          const auto e = engagements.find(country);
          if (e != engagements.end() && (e->second.talk_since || e->second.decision_since)) {
            continue;
          }
          unraised.push_back(country);
        }
        // Their figures as ListCountries publishes them for the period from the newest release,
        // ranked by volume.
        storage::ReleaseStore releases(tx);
        CONSULAR_ASSIGN_OR_RETURN(const consular::v1::Release release, ReleaseFor(releases, 0));
        // Every country of the release in one statement; a country it does not hold has no
        // figures (every one 0).
        std::map<std::string, ReleasedInSpan> held;
        for (ReleasedInSpan& c :
             LoadListedCountries(releases, release.number(), span.first, span.last)) {
          std::string country = c.country;
          held.emplace(std::move(country), std::move(c));
        }
        std::vector<ReleasedInSpan> figures;
        figures.reserve(unraised.size());
        for (const std::string& country : unraised) {
          const auto h = held.find(country);
          figures.push_back(h != held.end() ? std::move(h->second)
                                            : ReleasedInSpan{country, false, ReleasedCountry()});
        }
        const consular::v1::ListCountriesResponse published =
            PublishCountries(release, figures, period, consular::v1::COUNTRY_ORDER_VOLUME,
                             OptionsFor(request.round_to_base5()), now);
        out->Clear();
        for (const consular::v1::CountryRow& row : published.countries()) {
          consular::v1::UnraisedCountry* u = out->add_countries();
          u->set_country(row.country());
          *u->mutable_cases_opened() = row.cases_opened();
          const auto e = engagements.find(row.country());
          if (e == engagements.end()) continue;
          if (IsSet(e->second.last_talk_held_on)) {
            *u->mutable_last_talk_held_on() = e->second.last_talk_held_on;
          }
          if (IsSet(e->second.last_decided_on)) {
            *u->mutable_last_decided_on() = e->second.last_decided_on;
            u->set_last_decision(e->second.last_decision);
          }
        }
        *out->mutable_period() = period;
        out->set_threshold(published.threshold());
        out->set_rounded_to_base5(published.rounded_to_base5());
        *out->mutable_as_of() = published.as_of();
        *out->mutable_lag() = published.lag();
        out->set_release(published.release());
        out->set_definition_version(published.definition_version());
        return absl::OkStatus();
      });
}

}  // namespace consular::stats

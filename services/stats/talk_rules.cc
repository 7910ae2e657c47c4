#include "services/stats/talk_rules.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/common/call_support.h"
#include "services/common/validation.h"
#include "services/stats/statistics_rules.h"

namespace consular::stats {
namespace {

using consular::v1::TalkStatus;

constexpr size_t kMaxNote = 2000;

// "HELD" for TALK_STATUS_HELD.
std::string StatusWord(TalkStatus status) {
  const std::string& name = consular::v1::TalkStatus_Name(status);
  constexpr char kPrefix[] = "TALK_STATUS_";
  return name.rfind(kPrefix, 0) == 0 ? name.substr(sizeof(kPrefix) - 1) : name;
}

// A required day: set, valid, and not before `today` (planned) or not after it (held).
absl::Status CheckRequiredDay(const std::string& field, const consular::v1::Date& date,
                              const consular::v1::Date& today, bool planned) {
  if (!IsSet(date)) return InvalidField(field, "required");
  CONSULAR_RETURN_IF_ERROR(CheckDate(field, date, today, /*allow_future=*/planned));
  if (planned && CompareDates(date, today) < 0) {
    return InvalidField(field, absl::StrCat(FormatDate(date), " is in the past"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTalkStatusChange(TalkStatus from, TalkStatus to) {
  bool allowed = false;
  switch (from) {
    case consular::v1::TALK_STATUS_PLANNED:
      allowed = to == consular::v1::TALK_STATUS_HELD || to == consular::v1::TALK_STATUS_POSTPONED ||
                to == consular::v1::TALK_STATUS_CANCELLED;
      break;
    case consular::v1::TALK_STATUS_POSTPONED:
      allowed = to == consular::v1::TALK_STATUS_PLANNED || to == consular::v1::TALK_STATUS_HELD ||
                to == consular::v1::TALK_STATUS_CANCELLED;
      break;
    default:
      break;
  }
  if (allowed) return absl::OkStatus();
  if (from == consular::v1::TALK_STATUS_HELD || from == consular::v1::TALK_STATUS_CANCELLED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the talk is ", StatusWord(from), ", which is final: it cannot become ", StatusWord(to)));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("a ", StatusWord(from), " talk cannot become ", StatusWord(to)));
}

absl::Status ValidatePlannedTalk(const consular::v1::Talk& t, const consular::v1::Date& today) {
  CONSULAR_RETURN_IF_ERROR(ValidateTalkContent(t));
  CONSULAR_RETURN_IF_ERROR(CheckRequiredDay("talk.planned_on", t.planned_on(), today, true));
  if (IsSet(t.held_on())) {
    return InvalidField("talk.held_on", "a planned talk is not held yet (MarkTalkHeld)");
  }
  if (!t.outcome().empty()) {
    return InvalidField("talk.outcome", "given when the talk is held (MarkTalkHeld)");
  }
  if (!t.follow_up().empty()) {
    return InvalidField("talk.follow_up", "recorded as commitments once the talk is held");
  }
  if (IsSet(t.follow_up_due())) {
    return InvalidField("talk.follow_up_due", "recorded as commitments once the talk is held");
  }
  return absl::OkStatus();
}

absl::Status ValidateMarkTalkHeld(const consular::v1::MarkTalkHeldRequest& request,
                                  const consular::v1::Date& today) {
  CONSULAR_RETURN_IF_ERROR(CheckUuidField("talk_id", request.talk_id()));
  CONSULAR_RETURN_IF_ERROR(CheckRequiredDay("held_on", request.held_on(), today, false));
  return CheckText("outcome", request.outcome(), kMaxNote, /*required=*/false);
}

absl::Status ValidatePostponeTalk(const consular::v1::PostponeTalkRequest& request,
                                  const consular::v1::Date& today) {
  CONSULAR_RETURN_IF_ERROR(CheckUuidField("talk_id", request.talk_id()));
  CONSULAR_RETURN_IF_ERROR(CheckRequiredDay("planned_on", request.planned_on(), today, true));
  return CheckText("reason", request.reason(), kMaxNote, /*required=*/false);
}

absl::Status ValidateReplanTalk(const consular::v1::ReplanTalkRequest& request,
                                const consular::v1::Date& today) {
  CONSULAR_RETURN_IF_ERROR(CheckUuidField("talk_id", request.talk_id()));
  CONSULAR_RETURN_IF_ERROR(CheckRequiredDay("planned_on", request.planned_on(), today, true));
  return CheckText("reason", request.reason(), kMaxNote, /*required=*/false);
}

absl::Status ValidateCancelTalk(const consular::v1::CancelTalkRequest& request) {
  CONSULAR_RETURN_IF_ERROR(CheckUuidField("talk_id", request.talk_id()));
  return CheckText("reason", request.reason(), kMaxNote, /*required=*/true);
}

absl::Status ValidateAddCommitment(const consular::v1::AddCommitmentRequest& request) {
  CONSULAR_RETURN_IF_ERROR(CheckUuidField("talk_id", request.talk_id()));
  CONSULAR_RETURN_IF_ERROR(CheckText("text", request.text(), kMaxNote, /*required=*/true));
  CONSULAR_RETURN_IF_ERROR(CheckText("owner", request.owner(), 200, /*required=*/true));
  if (!IsSet(request.due_on())) return InvalidField("due_on", "required");
  return CheckDate("due_on", request.due_on(), request.due_on(), /*allow_future=*/true);
}

absl::Status ValidateCloseCommitment(const consular::v1::CloseCommitmentRequest& request) {
  CONSULAR_RETURN_IF_ERROR(CheckUuidField("commitment_id", request.commitment_id()));
  return CheckText("closing_note", request.closing_note(), kMaxNote, /*required=*/true);
}

absl::Status ValidateDecision(const consular::v1::CountryDecision& d,
                              const consular::v1::Date& today) {
  CONSULAR_RETURN_IF_ERROR(CheckCountry("decision.country", d.country()));
  if (d.country() == "NL") return InvalidField("decision.country", "must not be NL");
  if (d.topic() != consular::v1::TALK_TOPIC_ABANDONMENT &&
      d.topic() != consular::v1::TALK_TOPIC_DIVORCE_RECOGNITION) {
    return InvalidField("decision.topic", "required: abandonment or divorce recognition");
  }
  if (d.decision() == consular::v1::RAISE_DECISION_UNSPECIFIED ||
      !consular::v1::RaiseDecision_IsValid(d.decision())) {
    return InvalidField("decision.decision", "required: raise, do not raise or defer");
  }
  if (d.level() == consular::v1::TALK_LEVEL_UNSPECIFIED ||
      !consular::v1::TalkLevel_IsValid(d.level())) {
    return InvalidField("decision.level", "required: ministerial, ambassador or official");
  }
  CONSULAR_RETURN_IF_ERROR(CheckText("decision.reasons", d.reasons(), 4000, /*required=*/true));
  return CheckRequiredDay("decision.decided_on", d.decided_on(), today, false);
}

absl::StatusOr<int> UnraisedYears(int requested) {
  if (requested == 0) return 5;
  if (requested < 1 || requested > 25) return InvalidField("years", "must be 1..25");
  return requested;
}

consular::v1::Period LastCalendarYears(int years, int this_year) {
  consular::v1::Period period;
  consular::v1::Date* from = period.mutable_range()->mutable_from();
  from->set_year(this_year - years + 1);
  from->set_month(1);
  from->set_day(1);
  consular::v1::Date* to = period.mutable_range()->mutable_to();
  to->set_year(this_year);
  to->set_month(12);
  to->set_day(31);
  return period;
}

}  // namespace consular::stats

#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "consular/v1/statistics.pb.h"

// The rules of the bilateral-talks register (docs/statistics.md), free of storage and transport:
// a talk's lifecycle and the checks of each request. Every function is pure; `today` is the UTC
// calendar day of the call. Field checks return INVALID_ARGUMENT "<field>: <problem>" for the
// first bad field.
namespace consular::stats {

// Whether a talk whose newest status is `from` may change to `to`:
//   PLANNED -> HELD | POSTPONED | CANCELLED;  POSTPONED -> PLANNED | HELD | CANCELLED.
// FAILED_PRECONDITION naming both statuses otherwise (HELD and CANCELLED are final).
absl::Status CheckTalkStatusChange(consular::v1::TalkStatus from, consular::v1::TalkStatus to);

// PlanTalk's talk: ValidateTalkContent, planned_on required, a valid day not before `today`,
// held_on, outcome, follow_up and follow_up_due unset ("talk.<field>").
absl::Status ValidatePlannedTalk(const consular::v1::Talk& t, const consular::v1::Date& today);

// The status changes: talk_id a UUID; held_on required and not after today; planned_on required
// and not before today; a reason required to cancel; texts within 2000 characters.
absl::Status ValidateMarkTalkHeld(const consular::v1::MarkTalkHeldRequest& request,
                                  const consular::v1::Date& today);
absl::Status ValidatePostponeTalk(const consular::v1::PostponeTalkRequest& request,
                                  const consular::v1::Date& today);
absl::Status ValidateReplanTalk(const consular::v1::ReplanTalkRequest& request,
                                const consular::v1::Date& today);
absl::Status ValidateCancelTalk(const consular::v1::CancelTalkRequest& request);

// A commitment: talk_id a UUID, text 1..2000, owner 1..200, due_on a valid day (whether it falls
// before the talk is checked against the talk). The closing: commitment_id a UUID, a closing note
// 1..2000.
absl::Status ValidateAddCommitment(const consular::v1::AddCommitmentRequest& request);
absl::Status ValidateCloseCommitment(const consular::v1::CloseCommitmentRequest& request);

// A decision of the log: a country other than NL, topic ABANDONMENT or DIVORCE_RECOGNITION, a
// decision, a level, reasons 1..4000, decided_on a valid day not after today ("decision.<field>").
absl::Status ValidateDecision(const consular::v1::CountryDecision& decision,
                              const consular::v1::Date& today);

// The years ListUnraisedCountries looks back: 0 means 5; otherwise 1..25 ("years").
absl::StatusOr<int> UnraisedYears(int requested);

// The period of the last `years` calendar years up to and including `this_year`: 1 January of the
// first to 31 December of the last, as a range of whole quarters.
consular::v1::Period LastCalendarYears(int years, int this_year);

}  // namespace consular::stats

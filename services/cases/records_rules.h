#pragma once

#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "consular/v1/records.pb.h"
#include "services/common/identity.h"

// The rules of records management that need no database (RecordsManager applies them first).
namespace consular::cases::records {

// Retention in whole years after closing: 0 (destroy at the first list after closing) to 100.
inline constexpr int kMaxRetentionYears = 100;
// A hold's reason, a lift's reason, a schedule change's reason: 10..300 characters.
inline constexpr size_t kMinReasonChars = 10;
inline constexpr size_t kMaxReasonChars = 300;
// A reviewer's reason: 3..300 characters.
inline constexpr size_t kMinReviewReasonChars = 3;
// Decisions in one review call.
inline constexpr int kMaxDecisions = 500;

// PERMISSION_DENIED "<role> may not <what>" unless `who` has one of `roles`.
absl::Status CheckRole(const Identity& who, std::initializer_list<consular::v1::Role> roles,
                       const std::string& what);
// Any staff role (every role but UNSPECIFIED): the schedules are no secret.
absl::Status CheckStaff(const Identity& who);
// Administrators, LKHA caseworkers and post managers place and lift legal holds.
absl::Status CheckMayHold(const Identity& who);
// Text of kMinReasonChars..kMaxReasonChars (or `min`..kMaxReasonChars) characters:
// INVALID_ARGUMENT naming `field` otherwise.
absl::Status CheckReason(const std::string& field, const std::string& text,
                         size_t min = kMinReasonChars);
// A schedule change: a known case type, no outcome or one of that type, 0..100 years, a reason.
absl::Status ValidateSchedule(const consular::v1::SetRetentionScheduleRequest& request);
// The review slot `who` fills: AUDITOR for auditors, HANDLING_UNIT for post managers and LKHA
// caseworkers (their own unit's items), UNSPECIFIED for every other role.
consular::v1::ReviewSlot SlotOf(const Identity& who);
// The checks of a review request alone: the list named, 1..500 decisions, each naming a case once,
// with a decision and a reason.
absl::Status ValidateReview(const consular::v1::ReviewDestructionItemsRequest& request);

}  // namespace consular::cases::records

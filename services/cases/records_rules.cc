#include "services/cases/records_rules.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/cases/case_rules.h"
#include "services/common/token.h"
#include "services/common/validation.h"

namespace consular::cases::records {

absl::Status CheckRole(const Identity& who, std::initializer_list<consular::v1::Role> roles,
                       const std::string& what) {
  for (const consular::v1::Role role : roles) {
    if (who.role == role) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(RoleName(who.role), " may not ", what));
}

absl::Status CheckStaff(const Identity& who) {
  if (who.role == consular::v1::ROLE_UNSPECIFIED || who.subject.empty()) {
    return absl::PermissionDeniedError("a staff role is needed");
  }
  return absl::OkStatus();
}

absl::Status CheckMayHold(const Identity& who) {
  return CheckRole(who,
                   {consular::v1::ROLE_ADMINISTRATOR, consular::v1::ROLE_LKHA_CASEWORKER,
                    consular::v1::ROLE_POST_MANAGER},
                   "place or lift legal holds");
}

absl::Status CheckReason(const std::string& field, const std::string& text, size_t min) {
  CONSULAR_RETURN_IF_ERROR(CheckText(field, text, kMaxReasonChars, true));
  if (CountCodePoints(text) < min) {
    return InvalidField(field, absl::StrCat("at least ", min, " characters"));
  }
  return absl::OkStatus();
}

absl::Status ValidateSchedule(const consular::v1::SetRetentionScheduleRequest& request) {
  if (request.case_type() == consular::v1::CASE_TYPE_UNSPECIFIED) {
    return InvalidField("case_type", "required");
  }
  if (!consular::v1::CaseType_IsValid(request.case_type())) {
    return InvalidField("case_type", "unknown value");
  }
  if (!consular::v1::Outcome_IsValid(request.outcome())) {
    return InvalidField("outcome", "unknown value");
  }
  if (request.outcome() != consular::v1::OUTCOME_UNSPECIFIED &&
      !IsOutcomeValidFor(request.case_type(), request.outcome())) {
    return InvalidField("outcome",
                        absl::StrCat(OutcomeName(request.outcome()), " is not an outcome of a ",
                                     TypeName(request.case_type()), " case"));
  }
  if (request.retention_years() < 0 || request.retention_years() > kMaxRetentionYears) {
    return InvalidField("retention_years",
                        absl::StrCat("whole years from 0 to ", kMaxRetentionYears));
  }
  return CheckReason("reason", request.reason());
}

consular::v1::ReviewSlot SlotOf(const Identity& who) {
  switch (who.role) {
    case consular::v1::ROLE_AUDITOR:
      return consular::v1::REVIEW_SLOT_AUDITOR;
    case consular::v1::ROLE_POST_MANAGER:
    case consular::v1::ROLE_LKHA_CASEWORKER:
      return consular::v1::REVIEW_SLOT_HANDLING_UNIT;
    default:
      return consular::v1::REVIEW_SLOT_UNSPECIFIED;
  }
}

absl::Status ValidateReview(const consular::v1::ReviewDestructionItemsRequest& request) {
  CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  if (request.list().empty()) return InvalidField("list", "required: the list's id or number");
  if (request.decisions().empty()) return InvalidField("decisions", "at least one");
  if (request.decisions_size() > kMaxDecisions) {
    return InvalidField("decisions", absl::StrCat("at most ", kMaxDecisions, " per call"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < request.decisions_size(); ++i) {
    const consular::v1::ItemDecision& d = request.decisions(i);
    const std::string at = absl::StrCat("decisions[", i, "]");
    CONSULAR_RETURN_IF_ERROR(ValidateCaseId(at + ".case_id", d.case_id()));
    if (!seen.insert(absl::AsciiStrToUpper(d.case_id())).second) {
      return InvalidField(at + ".case_id", "names a case twice");
    }
    if (d.decision() == consular::v1::REVIEW_DECISION_UNSPECIFIED ||
        !consular::v1::ReviewDecision_IsValid(d.decision())) {
      return InvalidField(at + ".decision", "required: APPROVE or EXCLUDE");
    }
    CONSULAR_RETURN_IF_ERROR(CheckReason(at + ".reason", d.reason(), kMinReviewReasonChars));
  }
  return absl::OkStatus();
}

}  // namespace consular::cases::records

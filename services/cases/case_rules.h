#pragma once

#include <string>

#include "absl/status/status.h"
#include "consular/v1/cases.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "services/common/identity.h"
#include "services/common/ids.h"

// The rules of a case, free of storage and transport: the lifecycle, which outcomes fit which case
// type, what a valid case looks like, and who may do what. Every function is pure.
namespace consular::cases {

// The lifecycle: INTAKE -> ACTIVE <-> ON_HOLD; ACTIVE or ON_HOLD -> RESOLVED -> CLOSED; and
// CLOSED -> ACTIVE (reopening). True if a case may move from `from` to `to`.
bool IsAllowedTransition(consular::v1::CaseStatus from, consular::v1::CaseStatus to);

// True if `outcome` is a valid outcome for a case of `type` (RETURNED_TO_NL for abandonment,
// RECOGNISED for divorce recognition, WITHDRAWN for both, ...).
bool IsOutcomeValidFor(consular::v1::CaseType type, consular::v1::Outcome outcome);

// An outcome agrees with the case: RETURNED_TO_NL only with an actual return date
// (abandonment.returned_on), and a foreign-divorce-recognition case's outcome with the foreign
// decision recorded on it: RECOGNISED never with a REFUSED decision, REFUSED never with a GRANTED
// one (no decision yet, or any other outcome, agrees). FAILED_PRECONDITION naming both otherwise.
absl::Status CheckOutcomeAgreesWithCase(const consular::v1::Case& c,
                                            consular::v1::Outcome outcome);

// "ABN" for abandonment, "DIV" for foreign divorce recognition.
std::string ReferencePrefix(consular::v1::CaseType type);

// Short enum names for messages: "ACTIVE", "ABANDONMENT", "RETURNED_TO_NL".
std::string StatusName(consular::v1::CaseStatus status);
std::string TypeName(consular::v1::CaseType type);
std::string OutcomeName(consular::v1::Outcome outcome);

// Checks the client-writable content of `c` (type, country, subject, risk flags, referral source,
// details, safety) against the field rules; `today` bounds dates that may not lie in the future.
// INVALID_ARGUMENT "case.<field>: <problem>" for the first bad field.
absl::Status ValidateCaseContent(const consular::v1::Case& c, const consular::v1::Date& today);



// The update mask must be non-empty and name only updatable paths that fit a case of `type`.
// INVALID_ARGUMENT "update_mask: ..." otherwise.
absl::Status ValidateUpdateMask(const google::protobuf::FieldMask& mask,
                                consular::v1::CaseType type);

// OK for roles that work cases (consular officer, post manager, LKHA caseworker);
// PERMISSION_DENIED for policy staff, auditors, administrators and unknown roles.
absl::Status CheckCaseServiceAccess(const Identity& who);


// OK for callers with a unit (officers, post managers, LKHA caseworkers); PERMISSION_DENIED
// otherwise.
absl::Status CheckMayCreate(const Identity& who);

// Closing a case and reopening a closed one are for a post manager (or, for a case LKHA handles,
// an LKHA caseworker) of the handling unit: PERMISSION_DENIED for others, shares included.
absl::Status CheckMayTransition(const Identity& who, consular::v1::CaseAccess access,
                                consular::v1::CaseStatus from, consular::v1::CaseStatus to);

// Changing a case (update, transition, note) needs HANDLING or SHARED_READ_WRITE access to it
// (c.caller_access()): PERMISSION_DENIED for read-only and emergency access.
absl::Status CheckMayChange(const consular::v1::Case& c);

// Sharing, revoking and referring need HANDLING access: PERMISSION_DENIED "... may <what>".
absl::Status CheckHandles(const consular::v1::Case& c, const std::string& what);

// Referral is for post managers and LKHA caseworkers: PERMISSION_DENIED otherwise.
absl::Status CheckMayRefer(const Identity& who);

// Emergency access is opened by post managers and LKHA caseworkers, listed by them and by
// auditors, and reviewed by auditors and post managers: PERMISSION_DENIED otherwise.
absl::Status CheckMayOpenEmergencyAccess(const Identity& who);
absl::Status CheckMayListEmergencyAccess(const Identity& who);
absl::Status CheckMayReviewEmergencyAccess(const Identity& who);

// A grantee is "LKHA" or a post code. INVALID_ARGUMENT "<field>: ..." otherwise.
absl::Status ValidateGrantee(const std::string& field, const std::string& grantee);

}  // namespace consular::cases

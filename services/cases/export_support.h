#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "consular/v1/exports.pb.h"
#include "services/common/call_support.h"
#include "services/common/identity.h"
#include "storage/case_store.h"

// What the subject-access and bulk-export use cases of ExportManager share.
namespace consular::cases::internal {

// Exports are for the staff who work cases: officers, post managers and LKHA caseworkers.
inline absl::Status CheckExportServiceAccess(const Identity& who) {
  if (!UnitOf(who).empty()) return absl::OkStatus();
  return absl::PermissionDeniedError("this role has no access to exports");
}

// The role that answers requests of `unit`: a post manager of the post, or (for LKHA) an LKHA
// caseworker. The same rule as cases.export_approver_role (migration 0024).
inline consular::v1::Role ApproverRole(const std::string& unit) {
  return unit == kLkhaUnit ? consular::v1::ROLE_LKHA_CASEWORKER : consular::v1::ROLE_POST_MANAGER;
}

// PERMISSION_DENIED unless `who` may answer a request of `unit` made by `requested_by`.
inline absl::Status CheckMayAnswer(const Identity& who, const std::string& unit,
                                   const std::string& requested_by, const std::string& what) {
  if (who.role != ApproverRole(unit) || UnitOf(who) != unit) {
    return absl::PermissionDeniedError(
        absl::StrCat("only a ", unit == kLkhaUnit ? "LKHA caseworker" : "post manager", " of ",
                     unit, " answers this ", what));
  }
  if (who.subject == requested_by) {
    return absl::PermissionDeniedError(
        absl::StrCat("a second person answers: nobody approves their own ", what));
  }
  return absl::OkStatus();
}

// The scope the application's own case filter uses for `who` (storage::CaseScope).
inline storage::CaseScope ScopeOf(const Identity& who) {
  return storage::CaseScope{UnitOf(who), who.subject, consular::v1::Role_Name(who.role)};
}

// Whether `until` (set) is at or before `now`.
inline bool Passed(const google::protobuf::Timestamp& until, absl::Time now) {
  return (until.seconds() != 0 || until.nanos() != 0) && FromTimestamp(until) <= now;
}

// The reason of a refusal: required with REFUSE (1..300 characters), absent with APPROVE.
inline absl::Status CheckAnswer(consular::v1::ExportDecision decision, const std::string& reason) {
  if (decision != consular::v1::EXPORT_DECISION_APPROVE &&
      decision != consular::v1::EXPORT_DECISION_REFUSE) {
    return InvalidField("decision", "required: APPROVE or REFUSE");
  }
  if (decision == consular::v1::EXPORT_DECISION_REFUSE) {
    return CheckText("reason", reason, 300, true);
  }
  if (!reason.empty()) return InvalidField("reason", "only with REFUSE");
  return absl::OkStatus();
}

}  // namespace consular::cases::internal

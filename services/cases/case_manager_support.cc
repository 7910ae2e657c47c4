#include "services/cases/case_manager_support.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/ids.h"
#include "services/common/page_token.h"
#include "services/common/token.h"
#include "services/common/validation.h"

namespace consular::cases::internal {

using consular::v1::Case;
using consular::v1::CaseEvent;

absl::StatusOr<std::optional<storage::CaseCursor>> DecodeTimeCursor(const std::string& token,
                                                                    const std::string& kind,
                                                                    const std::string& filters) {
  if (token.empty()) return std::optional<storage::CaseCursor>();
  auto fields = DecodePageToken(token, kind, filters, 2);
  if (!fields.ok()) return fields.status();
  storage::CaseCursor cursor;
  if (!absl::SimpleAtoi((*fields)[0], &cursor.opened_at_micros) || !LooksLikeUuid((*fields)[1])) {
    return InvalidField("page_token", "malformed");
  }
  cursor.id = (*fields)[1];
  return std::optional<storage::CaseCursor>(cursor);
}

absl::Status CaseNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("case ", id, " not found"));
}

void Reached(const Case& c, storage::AuditRecord* audit) {
  RecordCaseReached(c.id(), c.caller_access(), audit);
}

CaseEvent NewEvent(const Identity& who, consular::v1::CaseEventType type, absl::Time now,
                   int64_t case_version) {
  CaseEvent event;
  event.set_type(type);
  event.set_actor(who.subject);
  event.set_actor_role(who.role);
  event.set_actor_post(who.post);
  *event.mutable_occurred_at() = ToTimestamp(now);
  event.set_case_version(case_version);
  return event;
}

absl::Status CheckVersion(const Case& current, int64_t expected) {
  if (current.version() != expected) {
    return absl::AbortedError(absl::StrCat("case ", current.reference(), " is at version ",
                                           current.version(), ", not ", expected,
                                           "; read it again and retry"));
  }
  return absl::OkStatus();
}

absl::Status CheckNotClosed(const Case& current) {
  if (current.status() == consular::v1::CASE_STATUS_CLOSED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case ", current.reference(), " is closed; a post manager must reopen it first"));
  }
  return absl::OkStatus();
}

absl::Status CheckNotAnonymised(const Case& current) {
  if (current.has_anonymised_at()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case ", current.reference(), " is anonymised (destruction list ",
        current.anonymised_under(), "): it can no longer be changed"));
  }
  return absl::OkStatus();
}

absl::Status CaseStillInScope(CaseRepository& repo, const std::string& case_id,
                              storage::AuditRecord* audit) {
  audit->case_id = case_id;
  std::optional<Case> visible = repo.Find(case_id, false);
  if (!visible) return CaseNotFound(case_id);
  Reached(*visible, audit);
  return absl::OkStatus();
}

absl::Status CreatedStillInScope(CaseRepository& repo, const std::string& case_id,
                                 storage::AuditRecord* audit) {
  if (CaseStillInScope(repo, case_id, audit).ok()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "request_id: already used, and the case that request reached is no longer visible to you; "
      "a new request needs a new request_id");
}

absl::Status ShareNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("share ", id, " not found"));
}

absl::Status CheckRegisteredUnit(CaseRepository& repo, const std::string& field,
                                 const std::string& unit) {
  if (repo.IsActiveUnit(unit)) return absl::OkStatus();
  return InvalidField(field, absl::StrCat(unit, " is not an active unit of the register of units"));
}

consular::v1::CaseShare NewShare(const Identity& who, const consular::v1::Case& c,
                                 const std::string& grantee, consular::v1::ShareAccess access,
                                 const std::string& legal_basis, absl::Time now) {
  consular::v1::CaseShare share;
  share.set_id(NewUuid());
  share.set_case_id(c.id());
  share.set_case_reference(c.reference());
  share.set_grantee(grantee);
  share.set_access(access);
  share.set_legal_basis(legal_basis);
  share.set_granted_by(who.subject);
  share.set_granted_by_unit(c.handling_post());
  *share.mutable_granted_at() = ToTimestamp(now);
  share.set_active(true);
  return share;
}

void MarkAnswered(const Identity& who, absl::Time now, consular::v1::CaseShare* share) {
  share->set_answer(consular::v1::ANSWER_ACCEPTED);
  share->set_answered_by(who.subject);
  *share->mutable_answered_at() = ToTimestamp(now);
}

}  // namespace consular::cases::internal

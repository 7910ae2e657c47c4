#include "services/common/audited_call.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/access_purpose.h"
#include "services/common/ids.h"
#include "services/common/token.h"
#include "storage/row_security.h"

namespace consular {

absl::Status RunAuditedCall(storage::TransactionRunner* runner, const Identity& who,
                            const std::string& action, const std::string& case_id_hint,
                            absl::Time now, absl::Time deadline, const AuditedBody& body) {
  storage::AuditRecord record;
  record.actor = who.subject;
  record.actor_role = RoleName(who.role);
  record.actor_post = who.post;
  record.action = action;
  record.purpose = RecordedPurpose(who);
  // A case named by its UUID is recorded even when the caller may not see it; a reference only
  // once the case is found.
  if (LooksLikeUuid(case_id_hint)) record.case_id = absl::AsciiStrToLower(case_id_hint);
  record.occurred_at = now;
  const storage::SessionScope scope{who.subject, consular::v1::Role_Name(who.role), who.post};
  return storage::RunAudited(
      runner, deadline, record,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        if (!storage::SetSessionScope(tx, scope)) {
          // A token for a post that is not (or no longer) an active unit: a mistyped or closed
          // post must not open, see or write anything.
          return absl::UnauthenticatedError(absl::StrCat(
              "the token's post ", who.post, " is not an active unit of the register of units"));
        }
        return body(tx, audit);
      },
      storage::Isolation::kReadCommitted, &scope);
}

void RecordCaseReached(const std::string& case_id, consular::v1::CaseAccess access,
                       storage::AuditRecord* record) {
  record->case_id = case_id;
  if (access == consular::v1::CASE_ACCESS_EMERGENCY) FlagEmergency(record);
}

void FlagEmergency(storage::AuditRecord* record) {
  record->emergency = true;
  record->purpose = "emergency access";
}

}  // namespace consular

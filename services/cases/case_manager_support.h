#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "services/cases/case_repository.h"
#include "services/common/identity.h"
#include "storage/audit_store.h"
#include "storage/case_store.h"

// What the three parts of CaseManager share (case_manager.cc: cases, notes and events;
// case_sharing.cc: sharing and referral; case_emergency.cc: emergency access). Not for other users.
namespace consular::cases::internal {

inline constexpr int kDefaultCasePageSize = 50;

// The (time, id) cursor in a page token of `kind`; nullopt for the first page.
// INVALID_ARGUMENT "page_token: ..." when it is not one.
absl::StatusOr<std::optional<storage::CaseCursor>> DecodeTimeCursor(const std::string& token,
                                                                    const std::string& kind,
                                                                    const std::string& filters);

// NOT_FOUND "case <id> not found".
absl::Status CaseNotFound(const std::string& id);

// Records in the audit row that the call reached case `c`, flagged when only emergency access
// let it.
void Reached(const consular::v1::Case& c, storage::AuditRecord* audit);

// A timeline event of `type` by `who` at `now`, for the case at `case_version`.
consular::v1::CaseEvent NewEvent(const Identity& who, consular::v1::CaseEventType type,
                                 absl::Time now, int64_t case_version);

// ABORTED (re-read and retry) unless `current` is at version `expected`.
absl::Status CheckVersion(const consular::v1::Case& current, int64_t expected);

// FAILED_PRECONDITION when `current` is closed.
absl::Status CheckNotClosed(const consular::v1::Case& current);
// FAILED_PRECONDITION "case X is anonymised" for an anonymised case (a tombstone: never changed
// again, not even reopened), else OK.
absl::Status CheckNotAnonymised(const consular::v1::Case& current);

// The case a stored reply belongs to.
inline const std::string& CaseIdOf(const consular::v1::Case& c) { return c.id(); }
inline const std::string& CaseIdOf(const consular::v1::CaseNote& note) { return note.case_id(); }
inline const std::string& CaseIdOf(const consular::v1::CaseShare& share) { return share.case_id(); }

// The replay rule of a mutation of an existing case: the case must still be in the caller's scope
// (handling unit, a live share, open emergency access), else NOT_FOUND as a fresh call gets. The
// audit row names the case either way.
absl::Status CaseStillInScope(CaseRepository& repo, const std::string& case_id,
                              storage::AuditRecord* audit);

// The replay rule of a call that gave the caller its access (opening a case, opening emergency
// access): FAILED_PRECONDITION once that access is gone, since the request id cannot be used again.
absl::Status CreatedStillInScope(CaseRepository& repo, const std::string& case_id,
                                 storage::AuditRecord* audit);

absl::Status ShareNotFound(const std::string& id);

// A referral or a share names an active unit of the register: a case handed to a unit that does
// not exist (a mistyped code) could never be reached again. INVALID_ARGUMENT naming `field`.
absl::Status CheckRegisteredUnit(CaseRepository& repo, const std::string& field,
                                 const std::string& unit);

// A live share of `c` to `grantee`, granted by `who` of the handling unit at `now`.
consular::v1::CaseShare NewShare(const Identity& who, const consular::v1::Case& c,
                                 const std::string& grantee, consular::v1::ShareAccess access,
                                 const std::string& legal_basis, absl::Time now);

// Marks a share the system gives as part of a referral (the receiver's view while it judges the
// case, the former unit's read access after it) as accepted when granted: nobody answers it.
void MarkAnswered(const Identity& who, absl::Time now, consular::v1::CaseShare* share);

}  // namespace consular::cases::internal

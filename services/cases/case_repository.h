#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "services/common/idempotent_call.h"
#include "services/common/identity.h"
#include "storage/audit_store.h"
#include "storage/case_store.h"

// What the case use cases need of storage: the case tables as one caller sees them within one
// transaction (CaseRepository), and the audited transactions that hand one out (CaseTransactions).
// The PostgreSQL implementation is in pg_case_repository.h; tests have an in-memory one.
namespace consular::cases {

// The case tables within one transaction, as seen by the caller the transaction runs for: the
// scope rule of docs/security.md (the handling unit, live shares, the caller's own live emergency
// access; nothing for a caller without a unit) applies to every read and write. The methods are
// those of storage::CaseStore, whose comments say what each returns; a write the caller's scope
// does not allow, or one whose row is missing, throws std::runtime_error (the transaction then
// fails INTERNAL). The idempotency records (IdempotencyRecords) are those of the cases schema.
class CaseRepository : public IdempotencyRecords {
 public:
  // The next number in the sequence of (prefix, year), starting at 1.
  virtual int NextReferenceNumber(const std::string& prefix, int year) = 0;

  // Inserts a new case (all fields of `c` as they are; caller_access is not stored).
  virtual void Insert(const consular::v1::Case& c) = 0;
  // Insert and the case's first event (AppendEvent). The database repository sends both rows with
  // the transaction's COMMIT: nothing in the transaction may read them before.
  virtual void InsertWithFirstEvent(const consular::v1::Case& c,
                                    const consular::v1::CaseEvent& created) {
    Insert(c);
    AppendEvent(c.id(), created);
  }
  // Writes every mutable field of `c` (handling_post included) to the case with c.id().
  virtual void Update(const consular::v1::Case& c) = 0;
  // The case with this UUID or reference within the caller's scope, with caller_access set;
  // nullopt if absent or outside the scope. With `lock`, a case the caller may change is locked
  // until the transaction ends.
  virtual std::optional<consular::v1::Case> Find(const std::string& id_or_reference, bool lock) = 0;
  // Find without a lock, with the case's pending referral (PendingReferral) in pending_referral.
  // The database repository reads both in one statement.
  virtual std::optional<consular::v1::Case> FindWithPendingReferral(
      const std::string& id_or_reference) {
    std::optional<consular::v1::Case> found = Find(id_or_reference, false);
    if (!found) return found;
    if (std::optional<consular::v1::Referral> pending = PendingReferral(found->id())) {
      *found->mutable_pending_referral() = *std::move(pending);
    }
    return found;
  }
  // Up to `limit` cases handled by or shared with the caller's unit matching `filter`, newest
  // first (opened_at, id), after `after` if given.
  virtual std::vector<consular::v1::Case> List(const storage::CaseFilter& filter,
                                               const std::optional<storage::CaseCursor>& after,
                                               int limit) = 0;
  // As List, for the cases whose subject name has the blind index `name_index`.
  virtual std::vector<consular::v1::Case> Search(const std::string& name_index,
                                                 const std::optional<storage::CaseCursor>& after,
                                                 int limit) = 0;

  // Appends `event` to the case's timeline with the next sequence number; returns that number.
  virtual int64_t AppendEvent(const std::string& case_id, const consular::v1::CaseEvent& event) = 0;
  // Up to `limit` events of the case with sequence > after_sequence, oldest first.
  virtual std::vector<consular::v1::CaseEvent> ListEvents(const std::string& case_id,
                                                          int64_t after_sequence, int limit) = 0;

  // Inserts a note.
  virtual void InsertNote(const consular::v1::CaseNote& note) = 0;
  // Up to `limit` notes of the case after the cursor (created_at, id), oldest first.
  virtual std::vector<consular::v1::CaseNote> ListNotes(
      const std::string& case_id, const std::optional<storage::CaseCursor>& after, int limit) = 0;

  // Whether `code` is an active unit of the register of units (units.units, migration 0014): a
  // case is referred, and shared, to such a unit only.
  virtual bool IsActiveUnit(const std::string& code) = 0;
  // Whether `code` is a unit of the register at all, open or closed (a filter may name a closed
  // post: its cases are still there).
  virtual bool IsRegisteredUnit(const std::string& code) = 0;

  // Sharing: shares are seen by their grantee and by the case's handling unit only.
  virtual void InsertShare(const consular::v1::CaseShare& share) = 0;
  // The share with this id if the caller sees it, `active` as of now; with `lock`, locked.
  virtual std::optional<consular::v1::CaseShare> FindShare(const std::string& share_id,
                                                           bool lock) = 0;
  // The live (neither revoked nor expired) share of the case to `grantee`, if any.
  virtual std::optional<consular::v1::CaseShare> LiveShare(const std::string& case_id,
                                                           const std::string& grantee) = 0;
  // The shares of the case, oldest first: all, or (non-empty `grantee`) those to that unit only;
  // live ones only unless `include_inactive`.
  virtual std::vector<consular::v1::CaseShare> ListShares(const std::string& case_id,
                                                          const std::string& grantee,
                                                          bool include_inactive) = 0;
  // Marks the share revoked by `revoked_by` at `revoked_at` (the handling unit only).
  virtual void RevokeShare(const std::string& share_id, const std::string& revoked_by,
                           const google::protobuf::Timestamp& revoked_at) = 0;

  // The grantee's answer to a share not answered yet (false if answered already).
  virtual bool AnswerShare(const std::string& share_id, consular::v1::Answer answer,
                           const std::string& answered_by,
                           const google::protobuf::Timestamp& answered_at,
                           const std::string& reason) = 0;

  // Assignment (storage::CaseStore): who of the handling unit works the case; empty: nobody.
  virtual void SetAssignment(const std::string& case_id, const std::string& assignee,
                             const google::protobuf::Timestamp& at) = 0;

  // Referrals (storage::CaseStore), seen by the referring unit and the post referred to: insert a
  // pending one with the receiver's read share; find one (and its share id); the case's pending
  // one; record the answer (false if answered already); the caller's unit's inbox.
  virtual void InsertReferral(const consular::v1::Referral& referral,
                              const std::string& share_id) = 0;
  virtual std::optional<std::pair<consular::v1::Referral, std::string>> FindReferral(
      const std::string& referral_id, bool lock) = 0;
  virtual std::optional<consular::v1::Referral> PendingReferral(const std::string& case_id) = 0;
  virtual bool AnswerReferral(const std::string& referral_id, consular::v1::Answer answer,
                              const std::string& answered_by,
                              const google::protobuf::Timestamp& answered_at,
                              const std::string& reason) = 0;
  virtual std::vector<consular::v1::InboxItem> Inbox(int64_t since_micros) = 0;

  // Deadlines (storage::CaseStore): the residence-permit rules; the open cases the
  // caller's unit handles; follow-ups of its open cases due by `until`; live shares ending by
  // `until` granted on its cases or to it.
  virtual std::vector<storage::PermitRuleRow> PermitRules() = 0;
  virtual std::vector<consular::v1::Case> OpenCases() = 0;
  virtual std::vector<storage::DatedItem> FollowUpsDue(const std::string& until) = 0;
  // The contacts of the case whose follow-up is neither done nor cancelled (at most 20).
  virtual std::vector<std::string> OpenFollowUps(const std::string& case_id) = 0;
  virtual std::vector<storage::DatedItem> SharesEnding(const std::string& until) = 0;

  // Cases at any unit that may be about a person with this name and date of birth (may be unset),
  // strongest match first, at most 20, without `exclude_id` (storage::CaseStore).
  virtual std::vector<storage::DuplicateRow> PossibleDuplicates(
      const std::string& exclude_id, const std::string& full_name,
      const consular::v1::Date& date_of_birth) = 0;
  // The emergency search: cases at any unit of the person with exactly this name and date of birth
  // (for post managers and LKHA caseworkers only), newest first, at most 20.
  virtual std::vector<storage::EmergencyTarget> EmergencySearch(
      const std::string& full_name, const consular::v1::Date& date_of_birth) = 0;
  // Records an emergency search: who, why and what it found.
  virtual void InsertEmergencySearch(const std::string& id, const Identity& who,
                                     const std::string& reason,
                                     const std::vector<std::string>& found) = 0;

  // Emergency access. The case with this UUID or reference whoever handles it (for post managers
  // and LKHA caseworkers only); nullopt if there is none.
  virtual std::optional<storage::EmergencyTarget> FindCaseForEmergency(
      const std::string& id_or_reference) = 0;
  // Inserts the grant, opened now by the storage's clock and lasting `minutes`; sets
  // grant->opened_at and expires_at.
  virtual void InsertEmergencyAccess(consular::v1::EmergencyAccess* grant, int minutes) = 0;
  // The grant with this id if the caller sees it (its opener, auditors, the managers of the post
  // that handled the case); with `lock`, locked.
  virtual std::optional<consular::v1::EmergencyAccess> FindEmergencyAccess(const std::string& id,
                                                                           bool lock) = 0;
  // The caller's own live grant on the case, if any (the latest).
  virtual std::optional<consular::v1::EmergencyAccess> LiveEmergencyAccess(
      const std::string& case_id) = 0;
  // Up to `limit` grants within `scope` (and what the caller sees), newest first, after `after`.
  virtual std::vector<consular::v1::EmergencyAccess> ListEmergencyAccess(
      const storage::EmergencyListScope& scope, bool unreviewed_only,
      const std::optional<storage::CaseCursor>& after, int limit) = 0;
  // Records the review of the grant (not by its opener).
  virtual void ReviewEmergencyAccess(const std::string& id, consular::v1::EmergencyReview review,
                                     const std::string& reviewed_by,
                                     const google::protobuf::Timestamp& reviewed_at) = 0;
};

// Runs the case service's calls, each in one transaction with one audit row.
class CaseTransactions {
 public:
  // The work of one call. It sets audit->case_id once it has found the case it works on (and the
  // emergency flag when only emergency access let it); its changes to *audit are kept when it
  // fails.
  using Work = std::function<absl::Status(CaseRepository&, storage::AuditRecord* audit)>;

  virtual ~CaseTransactions() = default;

  // Runs `work` for `who` as action `action` ("CaseService.<Method>") in one transaction, over
  // the case tables as `who` sees them, and records one audit row for the call: with the work
  // when it returns OK (then commits), on its own after a failure or refusal (the work rolled
  // back). `case_id_hint` is the case id the request names (recorded when it is a UUID); `now`
  // the time recorded. Returns work's status; DEADLINE_EXCEEDED when `deadline` passes;
  // UNAVAILABLE when storage cannot be reached; ABORTED when the transaction kept conflicting;
  // INTERNAL (generic message with a correlation id) when the work threw. `work` may run more
  // than once.
  virtual absl::Status Run(const Identity& who, const std::string& action,
                           const std::string& case_id_hint, absl::Time now, absl::Time deadline,
                           const Work& work) = 0;
};

}  // namespace consular::cases

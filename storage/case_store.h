#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "consular/v1/cases.pb.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "storage/idempotency.h"
#include "storage/sealed_column.h"

// SQL for the case service's tables (schema "cases"). Every function runs inside the caller's
// transaction and throws libpqxx exceptions, which the TransactionRunner maps to status codes.
//
// Personal fields never reach the database in plaintext: the personal part of a case, note texts,
// transition reasons and stored responses are encrypted here with the FieldCipher, bound to their
// table, column and row (see storage/migrations/0003_field_encryption.sql), and the subject's name
// is stored only as a blind index. A value that does not decrypt (tampered, moved from another row
// or column, or under a key missing from the ring) throws std::runtime_error naming the table,
// column and row id only, which the TransactionRunner turns into a generic INTERNAL.
namespace consular::storage {

// The keys a store needs; both must outlive every store using them. The blind index may be null
// for stores that do not use it.
struct FieldCrypto {
  const FieldCipher* cipher = nullptr;
  const BlindIndex* blind_index = nullptr;
};

// Who is asking, for the application's own scope filter (the same rule as the row-level security
// policies, docs/security.md): the cases handled by `unit`, those shared with it (live shares),
// and, for Find only, those `subject` in `role` holds live emergency access to. An empty unit sees
// nothing.
struct CaseScope {
  std::string unit;     // a post code or "LKHA"
  std::string subject;  // the token's subject
  std::string role;     // the consular.v1.Role name, e.g. "ROLE_POST_MANAGER"
};

// The case an emergency access names, found outside the caller's scope: no content.
struct EmergencyTarget {
  std::string id;
  std::string reference;
  std::string handling_post;
};

// Which emergency accesses a caller may list: all of them, or those opened by `actor` and (when
// `post` is set) those to cases handled by `post` when they were opened.
struct EmergencyListScope {
  bool all = false;
  std::string actor;
  std::string post;
};

// The blind indexes of a subject that find possible duplicates (crypto/blind_index.h); empty when
// there is none (no date of birth).
struct SubjectIndexes {
  std::string name_birth;   // name and date of birth
  std::string sound;        // the name's transliteration-tolerant key
  std::string sound_birth;  // that key and the date of birth
};

// A case that may be about the same person, found across all units (cases.possible_duplicates).
struct DuplicateRow {
  std::string id;
  std::string reference;
  std::string handling_post;
  int match = 0;         // 1 name and birth date, 2 similar name and birth date, 3 similar name
  bool visible = false;  // the caller may read it
};

// A row of cases.residence_permit_rules.
struct PermitRuleRow {
  std::string permit_kind;  // PERMIT_KIND_* name
  int max_months_abroad = 0;
  std::vector<int> warn_weeks;
  std::string description;
};

// A follow-up not done, or a live share with an end, of a case: what the deadline list needs.
struct DatedItem {
  std::string id;  // the contact or the share
  std::string case_id;
  std::string reference;
  std::string due_on;  // YYYY-MM-DD (UTC)
  std::string what;    // the contact's purpose, or the grantee of the share
};

// Filters of a case listing; empty strings mean "any". Enum values are their proto names.
struct CaseFilter {
  std::string post;
  std::string country;
  std::string type;
  std::string status;
  std::string risk_flag;
  std::string opened_from;  // YYYY-MM-DD, inclusive (UTC)
  std::string opened_to;    // YYYY-MM-DD, inclusive (UTC)
  std::string assigned_to;  // a staff member's subject
  bool unassigned = false;  // only cases nobody is assigned to
};

// The sort key of a case in listings: newest first.
struct CaseCursor {
  int64_t opened_at_micros = 0;
  std::string id;
};

class CaseStore {
 public:
  // `crypto.cipher` must not be null.
  CaseStore(pqxx::transaction_base& tx, FieldCrypto crypto);

  // The next number in the sequence of (prefix, year), starting at 1.
  int NextReferenceNumber(const std::string& prefix, int year);

  // Inserts a new case (all fields of `c` as they are; caller_access is not stored).
  void Insert(const consular::v1::Case& c);
  // Insert, with the case's first event (sequence 1); in a transaction of a TransactionRunner both
  // rows go to the server with COMMIT (ExecPreparedAtCommit): nothing in the transaction may read
  // them before.
  void InsertWithFirstEvent(const consular::v1::Case& c, const consular::v1::CaseEvent& created);
  // Writes every mutable field of `c` (handling_post included) to the row with c.id().
  void Update(const consular::v1::Case& c);
  // The case with this UUID or reference within `scope`, with caller_access set; nullopt if absent
  // or outside the scope. With `lock`, a case the caller may change is locked until the
  // transaction ends (FOR UPDATE); one it may only read is returned unlocked (to be refused).
  std::optional<consular::v1::Case> Find(const CaseScope& scope, const std::string& id_or_reference,
                                         bool lock);
  // Find without a lock, with the case's pending referral as PendingReferral gives it in
  // pending_referral, in one statement.
  std::optional<consular::v1::Case> FindWithPendingReferral(const CaseScope& scope,
                                                            const std::string& id_or_reference);
  // Up to `limit` cases within scope matching `filter`, newest first, after `after` if given.
  std::vector<consular::v1::Case> List(const CaseScope& scope, const CaseFilter& filter,
                                       const std::optional<CaseCursor>& after, int limit);
  // Up to `limit` cases within scope whose subject name has the blind index `name_index`
  // (BlindIndex::NameIndex), newest first, after `after` if given.
  std::vector<consular::v1::Case> Search(const CaseScope& scope, const std::string& name_index,
                                         const std::optional<CaseCursor>& after, int limit);

  // Appends `event` to the case's timeline, assigning the next sequence number (the case row
  // must be locked by this transaction). Returns the sequence number.
  int64_t AppendEvent(const std::string& case_id, const consular::v1::CaseEvent& event);
  // Up to `limit` events of the case with sequence > after_sequence, oldest first.
  std::vector<consular::v1::CaseEvent> ListEvents(const std::string& case_id,
                                                  int64_t after_sequence, int limit);

  // Inserts a note (its text encrypted).
  void InsertNote(const consular::v1::CaseNote& note);
  // Up to `limit` notes of the case after the cursor (created_at micros, id), oldest first.
  std::vector<consular::v1::CaseNote> ListNotes(const std::string& case_id,
                                                const std::optional<CaseCursor>& after, int limit);

  // Sharing. Inserts `share` (its id, case, grantee, access, basis, granter, times as given).
  void InsertShare(const consular::v1::CaseShare& share);
  // The share with this id as the caller's policies let it be seen, active computed now; with
  // `lock`, locked until the transaction ends.
  std::optional<consular::v1::CaseShare> FindShare(const std::string& share_id, bool lock);
  // The live (neither revoked nor expired) share of the case to `grantee`, if any.
  std::optional<consular::v1::CaseShare> LiveShare(const std::string& case_id,
                                                   const std::string& grantee);
  // The shares of the case, oldest first: all, or (non-empty `grantee`) those to that unit only;
  // live ones only unless `include_inactive`.
  std::vector<consular::v1::CaseShare> ListShares(const std::string& case_id,
                                                  const std::string& grantee,
                                                  bool include_inactive);
  // Records the grantee's answer to a share not answered yet; false if it was answered already.
  bool AnswerShare(const std::string& share_id, consular::v1::Answer answer,
                   const std::string& answered_by, const google::protobuf::Timestamp& answered_at,
                   const std::string& reason);

  // Assignment: who works the case (empty: nobody), since `at`.
  void SetAssignment(const std::string& case_id, const std::string& assignee,
                     const google::protobuf::Timestamp& at);

  // Referrals waiting for an answer (migration 0021). Inserts `referral` (pending) with the read
  // share `share_id` its receiver holds meanwhile.
  void InsertReferral(const consular::v1::Referral& referral, const std::string& share_id);
  // The referral with this id as the caller's policies show it, and its share's id; locked with
  // `lock`.
  std::optional<std::pair<consular::v1::Referral, std::string>> FindReferral(
      const std::string& referral_id, bool lock);
  // The referral of the case waiting for an answer, if the caller may see it.
  std::optional<consular::v1::Referral> PendingReferral(const std::string& case_id);
  // Records the answer to a pending referral; false if it was answered already.
  bool AnswerReferral(const std::string& referral_id, consular::v1::Answer answer,
                      const std::string& answered_by,
                      const google::protobuf::Timestamp& answered_at, const std::string& reason);
  // The inbox of the transaction's unit (cases.inbox): to answer first, then newest first;
  // answers and revocations since `since_micros`.
  std::vector<consular::v1::InboxItem> Inbox(int64_t since_micros);

  // Marks the share revoked by `revoked_by` at `revoked_at`.
  void RevokeShare(const std::string& share_id, const std::string& revoked_by,
                   const google::protobuf::Timestamp& revoked_at);

  // Deadlines. The residence-permit rules, every kind.
  std::vector<PermitRuleRow> PermitRules();
  // The open (INTAKE, ACTIVE, ON_HOLD) cases `scope.unit` handles, decrypted.
  std::vector<consular::v1::Case> OpenCases(const CaseScope& scope);
  // Follow-ups not done of the cases `unit` handles that are not closed, due by `until`
  // (YYYY-MM-DD).
  std::vector<DatedItem> FollowUpsDue(const std::string& unit, const std::string& until);
  // The ids of the contacts of the case whose follow-up is neither done nor cancelled, earliest
  // due first, at most 20.
  std::vector<std::string> OpenFollowUps(const std::string& case_id);
  // Live shares with an end by `until`, granted on cases `unit` handles or granted to `unit`.
  std::vector<DatedItem> SharesEnding(const std::string& unit, const std::string& until);

  // Possible duplicates of a subject with this name and date of birth (may be unset) across all
  // units, through their blind indexes; strongest match first, at most 20, without the case
  // `exclude_id` (may be empty).
  std::vector<DuplicateRow> PossibleDuplicates(const std::string& exclude_id,
                                               const std::string& full_name,
                                               const consular::v1::Date& date_of_birth);
  // The emergency search (cases.emergency_search): the cases at any unit whose subject has this
  // name and date of birth (through the blind index), newest first, at most 20.
  std::vector<EmergencyTarget> EmergencySearch(const std::string& full_name,
                                               const consular::v1::Date& date_of_birth);
  // Records an emergency search (its reason encrypted) and the cases it found.
  void InsertEmergencySearch(const std::string& id, const std::string& actor,
                             const std::string& actor_role, const std::string& actor_unit,
                             const std::string& reason, const std::vector<std::string>& found);

  // Emergency access. The case with this UUID or reference whoever handles it (for post managers
  // and LKHA caseworkers only, as stated by the transaction's scope); nullopt if there is none.
  std::optional<EmergencyTarget> FindCaseForEmergency(const std::string& id_or_reference);
  // Inserts the grant (its reason encrypted), opened now and lasting `minutes` by the database
  // clock, which also judges when it ends; sets grant->opened_at and expires_at.
  void InsertEmergencyAccess(consular::v1::EmergencyAccess* grant, int minutes);
  // The grant with this id if the caller's policies show it; with `lock`, locked.
  std::optional<consular::v1::EmergencyAccess> FindEmergencyAccess(const std::string& id,
                                                                   bool lock);
  // The caller's live grant on the case, if any (the latest).
  std::optional<consular::v1::EmergencyAccess> LiveEmergencyAccess(const std::string& case_id,
                                                                   const std::string& actor,
                                                                   const std::string& role);
  // Up to `limit` grants within `scope`, newest first (opened_at, id), after `after` if given.
  std::vector<consular::v1::EmergencyAccess> ListEmergencyAccess(
      const EmergencyListScope& scope, bool unreviewed_only, const std::optional<CaseCursor>& after,
      int limit);
  // Records the review of the grant.
  void ReviewEmergencyAccess(const std::string& id, consular::v1::EmergencyReview review,
                             const std::string& reviewed_by,
                             const google::protobuf::Timestamp& reviewed_at);

  // The sealed columns of schema "cases", for key rotation (storage/key_rotation.h), in the order
  // consular-keys rotates them: cases.cases.personal, cases.case_notes.body,
  // cases.case_events.reason, cases.case_events.changes, cases.idempotency.response,
  // cases.emergency_access.reason, cases.emergency_searches.reason.
  static const std::vector<SealedColumn>& SealedColumns();

 private:
  // The INSERTs of Insert and AppendEvent; `at_commit`: sent with COMMIT (ExecPreparedAtCommit).
  void InsertCase(const consular::v1::Case& c, bool at_commit);
  void InsertEvent(const std::string& case_id, int64_t sequence,
                   const consular::v1::CaseEvent& event, bool at_commit);
  std::string Seal(const std::string& plaintext, const AssociatedData& ad) const;
  std::string Open(const pqxx::field& field, const AssociatedData& ad) const;
  consular::v1::Case CaseFromRow(const pqxx::row& row) const;
  consular::v1::EmergencyAccess EmergencyFromRow(const pqxx::row& row) const;

  pqxx::transaction_base& tx_;
  FieldCrypto crypto_;
};

}  // namespace consular::storage

#include "services/cases/pg_case_repository.h"

#include <utility>

#include "services/common/audited_call.h"
#include "storage/idempotency.h"
#include "storage/unit_store.h"

namespace consular::cases {

storage::CaseScope CaseScopeOf(const Identity& who) {
  return storage::CaseScope{UnitOf(who), who.subject, consular::v1::Role_Name(who.role)};
}

PgCaseRepository::PgCaseRepository(pqxx::transaction_base& tx, storage::FieldCrypto crypto,
                                   storage::CaseScope scope)
    : tx_(tx), cipher_(crypto.cipher), store_(tx, crypto), scope_(std::move(scope)) {}

std::optional<storage::PriorRequest> PgCaseRepository::ClaimRequest(
    const std::string& actor, const std::string& request_id, const std::string& method,
    const std::string& request_hash) {
  return storage::ClaimRequest(tx_, *cipher_, storage::IdempotencyTable::kCases, actor, request_id,
                               method, request_hash);
}

void PgCaseRepository::SaveResponse(const std::string& actor, const std::string& request_id,
                                    const std::string& response, const std::string& case_id) {
  storage::SaveResponse(tx_, *cipher_, storage::IdempotencyTable::kCases, actor, request_id,
                        response, case_id);
}

int PgCaseRepository::NextReferenceNumber(const std::string& prefix, int year) {
  return store_.NextReferenceNumber(prefix, year);
}

void PgCaseRepository::Insert(const consular::v1::Case& c) { store_.Insert(c); }

void PgCaseRepository::InsertWithFirstEvent(const consular::v1::Case& c,
                                            const consular::v1::CaseEvent& created) {
  store_.InsertWithFirstEvent(c, created);
}

void PgCaseRepository::Update(const consular::v1::Case& c) { store_.Update(c); }

std::optional<consular::v1::Case> PgCaseRepository::Find(const std::string& id_or_reference,
                                                         bool lock) {
  return store_.Find(scope_, id_or_reference, lock);
}

std::optional<consular::v1::Case> PgCaseRepository::FindWithPendingReferral(
    const std::string& id_or_reference) {
  return store_.FindWithPendingReferral(scope_, id_or_reference);
}

std::vector<consular::v1::Case> PgCaseRepository::List(
    const storage::CaseFilter& filter, const std::optional<storage::CaseCursor>& after, int limit) {
  return store_.List(scope_, filter, after, limit);
}

std::vector<consular::v1::Case> PgCaseRepository::Search(
    const std::string& name_index, const std::optional<storage::CaseCursor>& after, int limit) {
  return store_.Search(scope_, name_index, after, limit);
}

int64_t PgCaseRepository::AppendEvent(const std::string& case_id,
                                      const consular::v1::CaseEvent& event) {
  return store_.AppendEvent(case_id, event);
}

std::vector<consular::v1::CaseEvent> PgCaseRepository::ListEvents(const std::string& case_id,
                                                                  int64_t after_sequence,
                                                                  int limit) {
  return store_.ListEvents(case_id, after_sequence, limit);
}

void PgCaseRepository::InsertNote(const consular::v1::CaseNote& note) { store_.InsertNote(note); }

std::vector<consular::v1::CaseNote> PgCaseRepository::ListNotes(
    const std::string& case_id, const std::optional<storage::CaseCursor>& after, int limit) {
  return store_.ListNotes(case_id, after, limit);
}

void PgCaseRepository::InsertShare(const consular::v1::CaseShare& share) {
  store_.InsertShare(share);
}

std::optional<consular::v1::CaseShare> PgCaseRepository::FindShare(const std::string& share_id,
                                                                   bool lock) {
  return store_.FindShare(share_id, lock);
}

bool PgCaseRepository::IsActiveUnit(const std::string& code) {
  return storage::UnitStore(tx_).IsActive(code);
}

bool PgCaseRepository::IsRegisteredUnit(const std::string& code) {
  return storage::UnitStore(tx_).IsRegistered(code);
}

std::optional<consular::v1::CaseShare> PgCaseRepository::LiveShare(const std::string& case_id,
                                                                   const std::string& grantee) {
  return store_.LiveShare(case_id, grantee);
}

std::vector<consular::v1::CaseShare> PgCaseRepository::ListShares(const std::string& case_id,
                                                                  const std::string& grantee,
                                                                  bool include_inactive) {
  return store_.ListShares(case_id, grantee, include_inactive);
}

void PgCaseRepository::RevokeShare(const std::string& share_id, const std::string& revoked_by,
                                   const google::protobuf::Timestamp& revoked_at) {
  store_.RevokeShare(share_id, revoked_by, revoked_at);
}

bool PgCaseRepository::AnswerShare(const std::string& share_id, consular::v1::Answer answer,
                                   const std::string& answered_by,
                                   const google::protobuf::Timestamp& answered_at,
                                   const std::string& reason) {
  return store_.AnswerShare(share_id, answer, answered_by, answered_at, reason);
}

void PgCaseRepository::SetAssignment(const std::string& case_id, const std::string& assignee,
                                     const google::protobuf::Timestamp& at) {
  store_.SetAssignment(case_id, assignee, at);
}

void PgCaseRepository::InsertReferral(const consular::v1::Referral& referral,
                                      const std::string& share_id) {
  store_.InsertReferral(referral, share_id);
}

std::optional<std::pair<consular::v1::Referral, std::string>> PgCaseRepository::FindReferral(
    const std::string& referral_id, bool lock) {
  return store_.FindReferral(referral_id, lock);
}

std::optional<consular::v1::Referral> PgCaseRepository::PendingReferral(
    const std::string& case_id) {
  return store_.PendingReferral(case_id);
}

bool PgCaseRepository::AnswerReferral(const std::string& referral_id, consular::v1::Answer answer,
                                      const std::string& answered_by,
                                      const google::protobuf::Timestamp& answered_at,
                                      const std::string& reason) {
  return store_.AnswerReferral(referral_id, answer, answered_by, answered_at, reason);
}

std::vector<consular::v1::InboxItem> PgCaseRepository::Inbox(int64_t since_micros) {
  return store_.Inbox(since_micros);
}

std::vector<std::string> PgCaseRepository::OpenFollowUps(const std::string& case_id) {
  return store_.OpenFollowUps(case_id);
}

std::vector<storage::PermitRuleRow> PgCaseRepository::PermitRules() {
  return store_.PermitRules();
}

std::vector<consular::v1::Case> PgCaseRepository::OpenCases() {
  return store_.OpenCases(scope_);
}

std::vector<storage::DatedItem> PgCaseRepository::FollowUpsDue(const std::string& until) {
  return store_.FollowUpsDue(scope_.unit, until);
}

std::vector<storage::DatedItem> PgCaseRepository::SharesEnding(const std::string& until) {
  return store_.SharesEnding(scope_.unit, until);
}

std::vector<storage::DuplicateRow> PgCaseRepository::PossibleDuplicates(
    const std::string& exclude_id, const std::string& full_name,
    const consular::v1::Date& date_of_birth) {
  return store_.PossibleDuplicates(exclude_id, full_name, date_of_birth);
}

std::vector<storage::EmergencyTarget> PgCaseRepository::EmergencySearch(
    const std::string& full_name, const consular::v1::Date& date_of_birth) {
  return store_.EmergencySearch(full_name, date_of_birth);
}

void PgCaseRepository::InsertEmergencySearch(const std::string& id, const Identity& who,
                                             const std::string& reason,
                                             const std::vector<std::string>& found) {
  store_.InsertEmergencySearch(id, who.subject, consular::v1::Role_Name(who.role), UnitOf(who),
                               reason, found);
}

std::optional<storage::EmergencyTarget> PgCaseRepository::FindCaseForEmergency(
    const std::string& id_or_reference) {
  return store_.FindCaseForEmergency(id_or_reference);
}

void PgCaseRepository::InsertEmergencyAccess(consular::v1::EmergencyAccess* grant, int minutes) {
  store_.InsertEmergencyAccess(grant, minutes);
}

std::optional<consular::v1::EmergencyAccess> PgCaseRepository::FindEmergencyAccess(
    const std::string& id, bool lock) {
  return store_.FindEmergencyAccess(id, lock);
}

std::optional<consular::v1::EmergencyAccess> PgCaseRepository::LiveEmergencyAccess(
    const std::string& case_id) {
  return store_.LiveEmergencyAccess(case_id, scope_.subject, scope_.role);
}

std::vector<consular::v1::EmergencyAccess> PgCaseRepository::ListEmergencyAccess(
    const storage::EmergencyListScope& scope, bool unreviewed_only,
    const std::optional<storage::CaseCursor>& after, int limit) {
  return store_.ListEmergencyAccess(scope, unreviewed_only, after, limit);
}

void PgCaseRepository::ReviewEmergencyAccess(const std::string& id,
                                             consular::v1::EmergencyReview review,
                                             const std::string& reviewed_by,
                                             const google::protobuf::Timestamp& reviewed_at) {
  store_.ReviewEmergencyAccess(id, review, reviewed_by, reviewed_at);
}

PgCaseTransactions::PgCaseTransactions(storage::TransactionRunner* runner,
                                       storage::FieldCrypto crypto)
    : runner_(runner), crypto_(crypto) {}

absl::Status PgCaseTransactions::Run(const Identity& who, const std::string& action,
                                     const std::string& case_id_hint, absl::Time now,
                                     absl::Time deadline, const Work& work) {
  return RunAuditedCall(runner_, who, action, case_id_hint, now, deadline,
                        [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) {
                          PgCaseRepository repository(tx, crypto_, CaseScopeOf(who));
                          return work(repository, audit);
                        });
}

}  // namespace consular::cases

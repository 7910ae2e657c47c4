#pragma once

#include <pqxx/pqxx>
#include <string>

#include "crypto/field_cipher.h"
#include "services/cases/case_repository.h"
#include "storage/case_store.h"
#include "storage/transaction_runner.h"

// The case service's storage in PostgreSQL: storage::CaseStore in one transaction whose session
// scope names the caller, so row-level security applies beneath the application's own filter.
namespace consular::cases {

// The case tables in transaction `tx`, for the caller `scope` names (the transaction's session
// scope must name the same caller). `crypto` as for CaseStore.
class PgCaseRepository final : public CaseRepository {
 public:
  PgCaseRepository(pqxx::transaction_base& tx, storage::FieldCrypto crypto,
                   storage::CaseScope scope);

  std::optional<storage::PriorRequest> ClaimRequest(const std::string& actor,
                                                    const std::string& request_id,
                                                    const std::string& method,
                                                    const std::string& request_hash) override;
  void SaveResponse(const std::string& actor, const std::string& request_id,
                    const std::string& response, const std::string& case_id) override;
  int NextReferenceNumber(const std::string& prefix, int year) override;
  void Insert(const consular::v1::Case& c) override;
  void InsertWithFirstEvent(const consular::v1::Case& c,
                            const consular::v1::CaseEvent& created) override;
  void Update(const consular::v1::Case& c) override;
  std::optional<consular::v1::Case> Find(const std::string& id_or_reference, bool lock) override;
  std::optional<consular::v1::Case> FindWithPendingReferral(
      const std::string& id_or_reference) override;
  std::vector<consular::v1::Case> List(const storage::CaseFilter& filter,
                                       const std::optional<storage::CaseCursor>& after,
                                       int limit) override;
  std::vector<consular::v1::Case> Search(const std::string& name_index,
                                         const std::optional<storage::CaseCursor>& after,
                                         int limit) override;
  int64_t AppendEvent(const std::string& case_id, const consular::v1::CaseEvent& event) override;
  std::vector<consular::v1::CaseEvent> ListEvents(const std::string& case_id,
                                                  int64_t after_sequence, int limit) override;
  void InsertNote(const consular::v1::CaseNote& note) override;
  std::vector<consular::v1::CaseNote> ListNotes(const std::string& case_id,
                                                const std::optional<storage::CaseCursor>& after,
                                                int limit) override;
  void InsertShare(const consular::v1::CaseShare& share) override;
  std::optional<consular::v1::CaseShare> FindShare(const std::string& share_id, bool lock) override;
  bool IsActiveUnit(const std::string& code) override;
  bool IsRegisteredUnit(const std::string& code) override;
  std::optional<consular::v1::CaseShare> LiveShare(const std::string& case_id,
                                                   const std::string& grantee) override;
  std::vector<consular::v1::CaseShare> ListShares(const std::string& case_id,
                                                  const std::string& grantee,
                                                  bool include_inactive) override;
  void RevokeShare(const std::string& share_id, const std::string& revoked_by,
                   const google::protobuf::Timestamp& revoked_at) override;
  bool AnswerShare(const std::string& share_id, consular::v1::Answer answer,
                   const std::string& answered_by, const google::protobuf::Timestamp& answered_at,
                   const std::string& reason) override;
  void SetAssignment(const std::string& case_id, const std::string& assignee,
                     const google::protobuf::Timestamp& at) override;
  void InsertReferral(const consular::v1::Referral& referral, const std::string& share_id) override;
  std::optional<std::pair<consular::v1::Referral, std::string>> FindReferral(
      const std::string& referral_id, bool lock) override;
  std::optional<consular::v1::Referral> PendingReferral(const std::string& case_id) override;
  bool AnswerReferral(const std::string& referral_id, consular::v1::Answer answer,
                      const std::string& answered_by,
                      const google::protobuf::Timestamp& answered_at,
                      const std::string& reason) override;
  std::vector<consular::v1::InboxItem> Inbox(int64_t since_micros) override;
  std::vector<storage::PermitRuleRow> PermitRules() override;
  std::vector<std::string> OpenFollowUps(const std::string& case_id) override;
  std::vector<consular::v1::Case> OpenCases() override;
  std::vector<storage::DatedItem> FollowUpsDue(const std::string& until) override;
  std::vector<storage::DatedItem> SharesEnding(const std::string& until) override;
  std::vector<storage::DuplicateRow> PossibleDuplicates(
      const std::string& exclude_id, const std::string& full_name,
      const consular::v1::Date& date_of_birth) override;
  std::vector<storage::EmergencyTarget> EmergencySearch(
      const std::string& full_name, const consular::v1::Date& date_of_birth) override;
  void InsertEmergencySearch(const std::string& id, const Identity& who, const std::string& reason,
                             const std::vector<std::string>& found) override;
  std::optional<storage::EmergencyTarget> FindCaseForEmergency(
      const std::string& id_or_reference) override;
  void InsertEmergencyAccess(consular::v1::EmergencyAccess* grant, int minutes) override;
  std::optional<consular::v1::EmergencyAccess> FindEmergencyAccess(const std::string& id,
                                                                   bool lock) override;
  std::optional<consular::v1::EmergencyAccess> LiveEmergencyAccess(
      const std::string& case_id) override;
  std::vector<consular::v1::EmergencyAccess> ListEmergencyAccess(
      const storage::EmergencyListScope& scope, bool unreviewed_only,
      const std::optional<storage::CaseCursor>& after, int limit) override;
  void ReviewEmergencyAccess(const std::string& id, consular::v1::EmergencyReview review,
                             const std::string& reviewed_by,
                             const google::protobuf::Timestamp& reviewed_at) override;

 private:
  pqxx::transaction_base& tx_;
  const FieldCipher* const cipher_;
  storage::CaseStore store_;
  storage::CaseScope scope_;
};

// Audited transactions (RunAuditedCall) on `runner`, each handing the work a PgCaseRepository.
// `runner`, crypto.cipher and crypto.blind_index must outlive it.
class PgCaseTransactions final : public CaseTransactions {
 public:
  PgCaseTransactions(storage::TransactionRunner* runner, storage::FieldCrypto crypto);

  absl::Status Run(const Identity& who, const std::string& action, const std::string& case_id_hint,
                   absl::Time now, absl::Time deadline, const Work& work) override;

 private:
  storage::TransactionRunner* runner_;
  storage::FieldCrypto crypto_;
};

// The scope CaseStore filters by for `who`.
storage::CaseScope CaseScopeOf(const Identity& who);

}  // namespace consular::cases

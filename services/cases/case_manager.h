#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/cases.pb.h"
#include "crypto/blind_index.h"
#include "services/cases/case_repository.h"
#include "services/common/identity.h"
#include "storage/case_store.h"
#include "storage/transaction_runner.h"

namespace consular::cases {

// The case service's use cases, free of gRPC and of SQL: each call checks who is asking, validates
// the request, and does its work in one transaction of CaseTransactions (the row, the case_events
// entry and the idempotency record together, or nothing). Every method returns:
//   OK; INVALID_ARGUMENT "<field>: <problem>"; PERMISSION_DENIED for a role without access;
//   NOT_FOUND for a case that does not exist or is outside the caller's scope;
//   ABORTED when expected_version is stale (re-read and retry); FAILED_PRECONDITION for a change
//   the lifecycle does not allow (closed case, illegal transition); UNAVAILABLE when the database
//   cannot be reached; DEADLINE_EXCEEDED when `deadline` passes; INTERNAL (generic message with a
//   correlation id) when a stored field does not decrypt.
// The methods are defined in three files: case_manager.cc (cases, notes, events), case_sharing.cc
// (sharing and referral) and case_emergency.cc (emergency access).
class CaseManager {
 public:
  // Over `transactions`; `blind_index` indexes the names searched for. The transactions, the clock
  // and the index must outlive the manager.
  CaseManager(CaseTransactions* transactions, const Clock& clock, const BlindIndex* blind_index);
  // Over PostgreSQL through `runner` (PgCaseTransactions): personal fields are encrypted with
  // crypto.cipher and names indexed with crypto.blind_index by the CaseStore. The runner, the
  // clock and both keys must outlive the manager.
  CaseManager(storage::TransactionRunner* runner, const Clock& clock, storage::FieldCrypto crypto);
  ~CaseManager();
  CaseManager(const CaseManager&) = delete;
  CaseManager& operator=(const CaseManager&) = delete;

  absl::Status Create(const Identity& who, const consular::v1::CreateCaseRequest& request,
                      absl::Time deadline, consular::v1::Case* out);
  absl::Status Get(const Identity& who, const consular::v1::GetCaseRequest& request,
                   absl::Time deadline, consular::v1::Case* out);
  absl::Status List(const Identity& who, const consular::v1::ListCasesRequest& request,
                    absl::Time deadline, consular::v1::ListCasesResponse* out);
  // The cases within the caller's scope whose subject's normalised name equals that of
  // request.name (accents, case and spacing folded), newest first, paged like List.
  // INVALID_ARGUMENT "name: ..." when the name is blank, too long or not text.
  absl::Status Search(const Identity& who, const consular::v1::SearchCasesRequest& request,
                      absl::Time deadline, consular::v1::SearchCasesResponse* out);
  absl::Status Update(const Identity& who, const consular::v1::UpdateCaseRequest& request,
                      absl::Time deadline, consular::v1::Case* out);
  absl::Status Transition(const Identity& who, const consular::v1::TransitionCaseRequest& request,
                          absl::Time deadline, consular::v1::Case* out);
  absl::Status AddNote(const Identity& who, const consular::v1::AddCaseNoteRequest& request,
                       absl::Time deadline, consular::v1::CaseNote* out);
  absl::Status ListNotes(const Identity& who, const consular::v1::ListCaseNotesRequest& request,
                         absl::Time deadline, consular::v1::ListCaseNotesResponse* out);
  absl::Status ListEvents(const Identity& who, const consular::v1::ListCaseEventsRequest& request,
                          absl::Time deadline, consular::v1::ListCaseEventsResponse* out);

  // Sharing and referral (cases.proto, docs/security.md). Only the handling unit shares, revokes
  // and refers; ALREADY_EXISTS when the grantee already holds a live share.
  absl::Status Share(const Identity& who, const consular::v1::ShareCaseRequest& request,
                     absl::Time deadline, consular::v1::CaseShare* out);
  absl::Status RevokeShare(const Identity& who, const consular::v1::RevokeShareRequest& request,
                           absl::Time deadline, consular::v1::CaseShare* out);
  absl::Status ListShares(const Identity& who, const consular::v1::ListSharesRequest& request,
                          absl::Time deadline, consular::v1::ListSharesResponse* out);
  absl::Status Refer(const Identity& who, const consular::v1::ReferCaseRequest& request,
                     absl::Time deadline, consular::v1::Case* out);

  // Emergency access: read-only, time-limited, flagged in the audit trail, reviewed afterwards.
  absl::Status OpenEmergencyAccess(const Identity& who,
                                   const consular::v1::OpenEmergencyAccessRequest& request,
                                   absl::Time deadline, consular::v1::EmergencyAccess* out);
  absl::Status ListEmergencyAccess(const Identity& who,
                                   const consular::v1::ListEmergencyAccessRequest& request,
                                   absl::Time deadline,
                                   consular::v1::ListEmergencyAccessResponse* out);
  absl::Status ReviewEmergencyAccess(const Identity& who,
                                     const consular::v1::ReviewEmergencyAccessRequest& request,
                                     absl::Time deadline, consular::v1::EmergencyAccess* out);

 private:
  // Runs `body` in one transaction over the case tables as `who` sees them, and records one audit
  // row for the call (CaseTransactions::Run) at the clock's time. `case_id_hint` is the case id of
  // the request; `body` sets the record's case id once it has found the case (and the emergency
  // flag when only emergency access let it).
  absl::Status Audited(const Identity& who, const std::string& action,
                       const std::string& case_id_hint, absl::Time deadline,
                       const CaseTransactions::Work& body);

  std::unique_ptr<CaseTransactions> owned_transactions_;  // null unless made here
  CaseTransactions* transactions_;
  const Clock& clock_;
  const BlindIndex* blind_index_;
};

}  // namespace consular::cases

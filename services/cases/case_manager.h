#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/cases.pb.h"
#include "crypto/blind_index.h"
#include "services/cases/case_repository.h"
#include "services/common/identity.h"
#include "services/common/use_case.h"
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
// The methods are defined in case_manager.cc (cases, notes, events), case_sharing.cc (sharing and
// referral), case_inbox.cc (answers, the inbox, assignment), case_emergency.cc (emergency access),
// case_history.cc and case_deadlines.cc.
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

  UseCase<v1::CreateCaseRequest, v1::Case> Create;
  UseCase<v1::GetCaseRequest, v1::Case> Get;
  UseCase<v1::ListCasesRequest, v1::ListCasesResponse> List;
  // The cases within the caller's scope whose subject's normalised name equals that of
  // request.name (accents, case and spacing folded), newest first, paged like List.
  // INVALID_ARGUMENT "name: ..." when the name is blank, too long or not text.
  UseCase<v1::SearchCasesRequest, v1::SearchCasesResponse> Search;
  // Possible duplicates across all units (blind indexes only): of cases the caller may not read,
  // only the handling unit and how they matched. Create fills Case.possible_duplicates alike.
  UseCase<v1::FindPossibleDuplicatesRequest, v1::FindPossibleDuplicatesResponse>
      FindPossibleDuplicates;
  UseCase<v1::UpdateCaseRequest, v1::Case> Update;
  UseCase<v1::TransitionCaseRequest, v1::Case> Transition;
  UseCase<v1::AddCaseNoteRequest, v1::CaseNote> AddNote;
  UseCase<v1::ListCaseNotesRequest, v1::ListCaseNotesResponse> ListNotes;
  UseCase<v1::ListCaseEventsRequest, v1::ListCaseEventsResponse> ListEvents;
  // The field history (case_history.h): what updates, transitions and referrals changed, with old
  // and new values, who, when and why; covert notes withheld as GetCase withholds them.
  UseCase<v1::ListCaseHistoryRequest, v1::ListCaseHistoryResponse> ListHistory;

  // Sharing and referral (cases.proto, docs/security.md). Only the handling unit shares, revokes
  // and refers; ALREADY_EXISTS when the grantee already holds a live share.
  UseCase<v1::ShareCaseRequest, v1::CaseShare> Share;
  UseCase<v1::RevokeShareRequest, v1::CaseShare> RevokeShare;
  UseCase<v1::ListSharesRequest, v1::ListSharesResponse> ListShares;
  UseCase<v1::ReferCaseRequest, v1::Case> Refer;
  // The inbox (case_inbox.cc): a referral waits for the answer of the post it names (its post
  // managers), a share for its grantee's; declining needs a reason. ListInbox shows what the
  // caller's unit is to answer and the answers and revocations it should know of.
  UseCase<v1::AnswerReferralRequest, v1::Referral> AnswerReferral;
  UseCase<v1::AnswerShareRequest, v1::CaseShare> AnswerShare;
  UseCase<v1::ListInboxRequest, v1::ListInboxResponse> ListInbox;
  // Who of the handling unit works the case (case_inbox.cc): post managers (LKHA caseworkers for
  // LKHA's cases) assign anyone or nobody; an officer may take an unassigned case.
  UseCase<v1::AssignCaseRequest, v1::Case> AssignCase;

  // Emergency access: read-only, time-limited, flagged in the audit trail, reviewed afterwards.
  UseCase<v1::OpenEmergencyAccessRequest, v1::EmergencyAccess> OpenEmergencyAccess;
  UseCase<v1::ListEmergencyAccessRequest, v1::ListEmergencyAccessResponse> ListEmergencyAccess;
  UseCase<v1::ReviewEmergencyAccessRequest, v1::EmergencyAccess> ReviewEmergencyAccess;
  // The emergency search: post managers and LKHA caseworkers, with a reason, find the reference
  // and handling unit of a person's cases by exact name and date of birth; recorded and flagged.
  UseCase<v1::EmergencySearchRequest, v1::EmergencySearchResponse> EmergencySearch;

  // The deadlines of the caller's unit, most urgent first (case_deadlines.cc, deadlines.h).
  UseCase<v1::ListDeadlinesRequest, v1::ListDeadlinesResponse> ListDeadlines;

 private:
  // A change to one existing case, once per request id: UpdateCase, TransitionCase, AddCaseNote,
  // ShareCase, ReferCase.
  template <typename Reply>
  struct CaseChange {
    CaseChange(std::string method, std::string case_id, std::string request_id)
        : method(std::move(method)),
          case_id(std::move(case_id)),
          request_id(std::move(request_id)) {}

    std::string method;      // the CaseService method, e.g. "AddCaseNote"
    std::string case_id;     // the case, by id or reference, as the request names it
    std::string request_id;  // the request's idempotency key
    // Checks of the request alone, at the call's time `now`: INVALID_ARGUMENT naming the field,
    // or PERMISSION_DENIED.
    std::function<absl::Status(absl::Time now)> validate;
    // The change of `current`, found locked in the caller's scope; fills the reply.
    std::function<absl::Status(CaseRepository& repo, consular::v1::Case current, absl::Time now,
                               Reply* out)>
        apply;
  };

  // Runs `change` as `who` in one audited transaction: the caller's access to the case service,
  // then change.validate; then, for a request id used before, the stored reply (NOT_FOUND once
  // the case left the caller's scope), else the case found and locked (NOT_FOUND outside the
  // caller's scope; the audit row names the case either way) and change.apply.
  template <typename Reply>
  absl::Status Change(const Identity& who, const google::protobuf::Message& request,
                      absl::Time deadline, const CaseChange<Reply>& change, Reply* out);

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

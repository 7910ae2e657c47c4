#pragma once

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "services/common/identity.h"
#include "storage/transaction_runner.h"

namespace consular::cases {

// The case service's use cases, free of gRPC: each call checks who is asking, validates the
// request, and does its work in one database transaction (the row, the case_events entry and the
// idempotency record together, or nothing). Every method returns:
//   OK; INVALID_ARGUMENT "<field>: <problem>"; PERMISSION_DENIED for a role without access;
//   NOT_FOUND for a case that does not exist or is outside the caller's scope;
//   ABORTED when expected_version is stale (re-read and retry); FAILED_PRECONDITION for a change
//   the lifecycle does not allow (closed case, illegal transition); UNAVAILABLE when the database
//   cannot be reached; DEADLINE_EXCEEDED when `deadline` passes.
class CaseManager {
 public:
  CaseManager(storage::TransactionRunner* runner, std::function<absl::Time()> clock);

  absl::Status Create(const Identity& who, const consular::v1::CreateCaseRequest& request,
                      absl::Time deadline, consular::v1::Case* out);
  absl::Status Get(const Identity& who, const consular::v1::GetCaseRequest& request,
                   absl::Time deadline, consular::v1::Case* out);
  absl::Status List(const Identity& who, const consular::v1::ListCasesRequest& request,
                    absl::Time deadline, consular::v1::ListCasesResponse* out);
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

 private:
  storage::TransactionRunner* runner_;
  std::function<absl::Time()> clock_;
};

}  // namespace consular::cases

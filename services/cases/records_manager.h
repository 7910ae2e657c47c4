#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/records.pb.h"
#include "services/common/identity.h"
#include "services/common/use_case.h"
#include "storage/case_store.h"
#include "storage/transaction_runner.h"

namespace consular::cases {

// Records management (records.proto, docs/records.md), free of gRPC: retention schedules, legal
// holds, destruction lists, their reviews and processing, which anonymises the approved cases.
// Each call checks the caller's role, validates the request, and does its work in one audited
// transaction; mutations run once per request id (the idempotency records of the cases schema).
// Every method returns OK; INVALID_ARGUMENT "<field>: <problem>"; PERMISSION_DENIED for a role
// the call is not for; NOT_FOUND for a case, hold or list that does not exist or the caller may
// not see; FAILED_PRECONDITION when the state does not allow the change (an anonymised case, a
// processed list, a review given already, nothing to propose); UNAVAILABLE, DEADLINE_EXCEEDED,
// ABORTED and INTERNAL as the transaction runner returns them.
class RecordsManager {
 public:
  // The identity the monthly proposal runs as (an administrator of the service itself).
  static const Identity& MonthlyJobIdentity();

  // Over PostgreSQL through `runner`; `crypto` encrypts the stored responses (its cipher) and
  // keys the request fingerprints (its blind index). All must outlive the manager.
  RecordsManager(storage::TransactionRunner* runner, const Clock& clock,
                 storage::FieldCrypto crypto);

  UseCase<v1::ListRetentionSchedulesRequest, v1::ListRetentionSchedulesResponse>
      ListRetentionSchedules;
  UseCase<v1::SetRetentionScheduleRequest, v1::RetentionSchedule> SetRetentionSchedule;

  UseCase<v1::PlaceLegalHoldRequest, v1::LegalHold> PlaceLegalHold;
  UseCase<v1::LiftLegalHoldRequest, v1::LegalHold> LiftLegalHold;
  UseCase<v1::ListLegalHoldsRequest, v1::ListLegalHoldsResponse> ListLegalHolds;

  UseCase<v1::ProposeDestructionListRequest, v1::DestructionList> ProposeDestructionList;
  UseCase<v1::ListDestructionListsRequest, v1::ListDestructionListsResponse> ListDestructionLists;
  UseCase<v1::GetDestructionListRequest, v1::DestructionList> GetDestructionList;
  UseCase<v1::ReviewDestructionItemsRequest, v1::DestructionList> ReviewDestructionItems;
  UseCase<v1::ProcessDestructionListRequest, v1::DestructionList> ProcessDestructionList;

  // The monthly job: proposes the list of the clock's month (UTC), with today as cut-off, unless
  // that month has one already or nothing is due. Safe with several replicas (one list per month,
  // proposals serialised in the database). Returns the list's number when it proposed one.
  absl::StatusOr<std::optional<std::string>> ProposeMonthlyListIfDue();

 private:
  storage::TransactionRunner* const runner_;
  const Clock& clock_;
  const storage::FieldCrypto crypto_;
};

}  // namespace consular::cases

#pragma once

#include <functional>

#include "absl/status/status.h"
#include "base/clock.h"
#include "absl/time/time.h"
#include "consular/v1/contacts.pb.h"
#include "services/common/identity.h"
#include "services/common/use_case.h"
#include "storage/case_store.h"
#include "storage/transaction_runner.h"

namespace consular::contacts {

// The contact log's use cases, free of gRPC (docs/contacts.md). Each call checks who is asking,
// validates the request, and works in one audited transaction (storage::RunAudited through
// RunAuditedCall): the contact row, the case's timeline event and the idempotency record
// together, or nothing. Status codes as CaseManager's: INVALID_ARGUMENT "<field>: ...";
// PERMISSION_DENIED for a role without access or a case the caller may only read; NOT_FOUND for
// a case or contact out of reach; ABORTED for a stale expected_version; FAILED_PRECONDITION for a
// closed case, a suspended or deactivated partner, or a follow-up already done.
class ContactManager {
 public:
  ContactManager(storage::TransactionRunner* runner, const Clock& clock,
                 storage::FieldCrypto crypto);

  UseCase<v1::LogContactRequest, v1::Contact> Log;
  UseCase<v1::UpdateContactRequest, v1::Contact> Update;
  UseCase<v1::ListContactsRequest, v1::ListContactsResponse> List;
  UseCase<v1::ListFollowUpsDueRequest, v1::ListFollowUpsDueResponse> ListFollowUpsDue;
  UseCase<v1::CompleteFollowUpRequest, v1::Contact> CompleteFollowUp;

 private:
  storage::TransactionRunner* runner_;
  const Clock& clock_;
  storage::FieldCrypto crypto_;
};

}  // namespace consular::contacts

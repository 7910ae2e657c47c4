#pragma once

#include <functional>

#include "absl/status/status.h"
#include "base/clock.h"
#include "absl/time/time.h"
#include "consular/v1/contacts.pb.h"
#include "services/common/identity.h"
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

  absl::Status Log(const Identity& who, const consular::v1::LogContactRequest& request,
                   absl::Time deadline, consular::v1::Contact* out);
  absl::Status Update(const Identity& who, const consular::v1::UpdateContactRequest& request,
                      absl::Time deadline, consular::v1::Contact* out);
  absl::Status List(const Identity& who, const consular::v1::ListContactsRequest& request,
                    absl::Time deadline, consular::v1::ListContactsResponse* out);
  absl::Status ListFollowUpsDue(const Identity& who,
                                const consular::v1::ListFollowUpsDueRequest& request,
                                absl::Time deadline, consular::v1::ListFollowUpsDueResponse* out);
  absl::Status CompleteFollowUp(const Identity& who,
                                const consular::v1::CompleteFollowUpRequest& request,
                                absl::Time deadline, consular::v1::Contact* out);

 private:
  storage::TransactionRunner* runner_;
  const Clock& clock_;
  storage::FieldCrypto crypto_;
};

}  // namespace consular::contacts

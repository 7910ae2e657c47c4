#pragma once

#include <functional>

#include "absl/status/status.h"
#include "base/clock.h"
#include "absl/time/time.h"
#include "consular/v1/audit.pb.h"
#include "services/common/identity.h"
#include "services/common/use_case.h"
#include "storage/audit_store.h"
#include "storage/transaction_runner.h"

namespace consular::audit {

// The audit service's use cases, free of gRPC. Only auditors may read or verify the trail; every
// call, allowed or not, is itself recorded (action "AuditService.<Method>"): in the same
// transaction as the work when it succeeds, in a transaction of its own when it fails. Every
// method returns OK; PERMISSION_DENIED for any role but ROLE_AUDITOR; INVALID_ARGUMENT
// "<field>: <problem>"; UNAVAILABLE when the database cannot be reached; DEADLINE_EXCEEDED when
// `deadline` passes; INTERNAL with a correlation id otherwise.
class AuditManager {
 public:
  AuditManager(storage::TransactionRunner* runner, const Clock& clock);

  // The events matching the request's filters, newest first, one page.
  UseCase<v1::ListAuditEventsRequest, v1::ListAuditEventsResponse> List;
  // Verifies the hash chain up to its head: from the verified watermark (request.full() false),
  // moving it to the head when intact, or in full from seq 1, resetting it
  // (storage::VerifyAndRecordAuditChain). A broken chain is OK with out->ok() false and the first
  // broken row named; the watermark then stays. Both modes are the auditors'.
  UseCase<v1::VerifyChainRequest, v1::VerifyChainResponse> Verify;

 private:
  // The audit record of a call by `who`.
  storage::AuditRecord RecordFor(const Identity& who, const char* action) const;

  storage::TransactionRunner* runner_;
  const Clock& clock_;
};

}  // namespace consular::audit

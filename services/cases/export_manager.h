#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/exports.pb.h"
#include "services/common/identity.h"
#include "services/common/use_case.h"
#include "storage/case_store.h"
#include "storage/transaction_runner.h"

namespace consular::cases {

// The export service's use cases (exports.proto, docs/records.md), free of gRPC: case
// data leaves only under two keys. One staff member asks; a second one of the approving role
// (a post manager of the same unit, for LKHA another LKHA caseworker), never the first, approves
// or refuses. Each call is one transaction with its audit row (RunAuditedCall); each mutation
// runs once per request id (RunIdempotentCall on cases.idempotency). Every method returns:
//   OK; INVALID_ARGUMENT "<field>: <problem>"; PERMISSION_DENIED for a role without access, for
//   answering one's own request and for an answer by the wrong role; NOT_FOUND for a request or
//   case outside the caller's unit; FAILED_PRECONDITION for a request not (or no longer)
//   approved, expired or used up, and for answering one answered already; UNAVAILABLE,
//   DEADLINE_EXCEEDED and INTERNAL as every call.
// Subject access is in subject_access.cc, bulk exports in export_manager.cc.
class ExportManager {
 public:
  // Over PostgreSQL through `runner`; personal fields sealed with crypto.cipher, request
  // fingerprints keyed with crypto.blind_index. Time is `clock`'s (expiry included). The runner,
  // the clock and both keys must outlive the manager.
  ExportManager(storage::TransactionRunner* runner, const Clock& clock,
                storage::FieldCrypto crypto);

  // Subject access (GDPR art. 15). An officer or post manager of the unit handling the case (an
  // LKHA caseworker for LKHA's cases) asks; PERMISSION_DENIED when the case is only shared with
  // the caller's unit.
  UseCase<v1::RequestSubjectAccessRequest, v1::SubjectAccessRequest> RequestSubjectAccess;
  UseCase<v1::AnswerSubjectAccessRequest, v1::SubjectAccessRequest> AnswerSubjectAccess;
  UseCase<v1::ListSubjectAccessRequestsRequest, v1::ListSubjectAccessRequestsResponse>
      ListSubjectAccessRequests;
  // The export, rendered from the case as it is now, to the requester or the approver only.
  UseCase<v1::GetSubjectAccessExportRequest, v1::SubjectAccessFiles> GetSubjectAccessExport;

  // Bulk exports. Approval produces the encrypted file in the same transaction.
  UseCase<v1::RequestExportRequest, v1::Export> RequestExport;
  UseCase<v1::AnswerExportRequest, v1::Export> AnswerExport;
  UseCase<v1::ListExportsRequest, v1::ListExportsResponse> ListExports;
  // To the requester only; each download counts (and the last destroys the stored file). A
  // request id used before is ALREADY_EXISTS, without the file.
  UseCase<v1::DownloadExportRequest, v1::ExportFile> DownloadExport;

 private:
  // Destroys the stored files of expired exports (cases.purge_expired_exports) in a transaction
  // of its own, so that a refused call does not undo it. Failures are left to the next call.
  void PurgeExpiredExports(absl::Time deadline);

  storage::TransactionRunner* runner_;
  const Clock& clock_;
  storage::FieldCrypto crypto_;
};

}  // namespace consular::cases

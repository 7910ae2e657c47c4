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

// The partner directory's use cases (PartnerService), free of gRPC. Each call checks who is
// asking, validates the request and does its work in one audited database transaction
// (RunAuditedCall, action "PartnerService.<Method>"); mutations run once per request id
// (RunIdempotentCall, contacts.idempotency). Every method returns:
//   OK; INVALID_ARGUMENT "<field>: <problem>"; PERMISSION_DENIED for a role that may not do it, or
//   a post manager whose post is not accredited to the partner's country (naming the country);
//   NOT_FOUND for a partner that does not exist; ABORTED when expected_version is stale;
//   FAILED_PRECONDITION for a change to a deactivated partner; UNAVAILABLE, DEADLINE_EXCEEDED and
//   INTERNAL as for CaseManager.
// The directory is read by every role; it is written by administrators and by post managers of a
// post accredited to the partner's country; accreditations are set by administrators. Partners are
// never deleted: a deactivated partner stays readable (and is listed with include_inactive).
// Contact details, vetting notes and deactivation reasons are stored encrypted with crypto.cipher,
// which must outlive the manager.
class PartnerManager {
 public:
  PartnerManager(storage::TransactionRunner* runner, const Clock& clock,
                 storage::FieldCrypto crypto);

  UseCase<v1::CreatePartnerRequest, v1::Partner> Create;
  UseCase<v1::UpdatePartnerRequest, v1::Partner> Update;
  UseCase<v1::GetPartnerRequest, v1::Partner> Get;
  UseCase<v1::ListPartnersRequest, v1::ListPartnersResponse> List;
  // Records the vetting decision, who made it and when.
  UseCase<v1::SetVettingRequest, v1::Partner> SetVetting;
  // Deactivates for good; FAILED_PRECONDITION when the partner already is.
  UseCase<v1::DeactivatePartnerRequest, v1::Partner> Deactivate;
  UseCase<v1::SetAccreditationRequest, v1::Accreditation> SetAccreditation;
  UseCase<v1::GetAccreditationRequest, v1::Accreditation> GetAccreditation;

 private:
  storage::TransactionRunner* runner_;
  const Clock& clock_;
  storage::FieldCrypto crypto_;
};

}  // namespace consular::contacts

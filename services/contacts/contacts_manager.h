#pragma once

#include "base/clock.h"
#include "consular/v1/contacts.pb.h"
#include "services/common/use_case.h"
#include "storage/case_store.h"
#include "storage/transaction_runner.h"

namespace consular::contacts {

// The contacts service's use cases, free of gRPC: the partner directory (PartnerService,
// partner_directory.cc) and the contact log (ContactService, contact_log.cc; docs/contacts.md).
// Each call checks who is asking, validates the request and does its work in one audited database
// transaction (RunAuditedCall, action "<Service>.<Method>"); mutations run once per request id
// (RunIdempotentCall, contacts.idempotency): a contact row, the case's timeline event and the
// idempotency record together, or nothing. Every method returns:
//   OK; INVALID_ARGUMENT "<field>: <problem>"; PERMISSION_DENIED for a role that may not do it, a
//   post manager whose post is not accredited to the partner's country (naming the country), or a
//   case the caller may only read; NOT_FOUND for a partner, case or contact out of reach; ABORTED
//   when expected_version is stale; FAILED_PRECONDITION for a change to a deactivated partner
//   (deactivating one included), a contact with a suspended or deactivated partner, a closed case
//   or a follow-up already done; UNAVAILABLE, DEADLINE_EXCEEDED and INTERNAL as for CaseManager.
// The directory is read by every role; it is written by administrators and by post managers of a
// post accredited to the partner's country; accreditations are set by administrators. Partners are
// never deleted: a deactivated partner stays readable (and is listed with include_inactive).
// Contact details, vetting notes, deactivation reasons, ad-hoc contacts and contact notes are
// stored encrypted with crypto.cipher. The runner, the clock and the keys must outlive the manager.
class ContactsManager {
 public:
  ContactsManager(storage::TransactionRunner* runner, const Clock& clock,
                  storage::FieldCrypto crypto);

  // The partner directory.
  UseCase<v1::CreatePartnerRequest, v1::Partner> CreatePartner;
  UseCase<v1::UpdatePartnerRequest, v1::Partner> UpdatePartner;
  UseCase<v1::GetPartnerRequest, v1::Partner> GetPartner;
  UseCase<v1::ListPartnersRequest, v1::ListPartnersResponse> ListPartners;
  UseCase<v1::SetVettingRequest, v1::Partner> SetVetting;  // the decision, by whom, when
  UseCase<v1::DeactivatePartnerRequest, v1::Partner> DeactivatePartner;  // for good
  UseCase<v1::SetAccreditationRequest, v1::Accreditation> SetAccreditation;
  UseCase<v1::GetAccreditationRequest, v1::Accreditation> GetAccreditation;

  // The register of units (unit_register.cc).
  UseCase<v1::CreateUnitRequest, v1::Unit> CreateUnit;
  UseCase<v1::GetUnitRequest, v1::Unit> GetUnit;
  UseCase<v1::ListUnitsRequest, v1::ListUnitsResponse> ListUnits;
  UseCase<v1::AccreditUnitRequest, v1::Unit> AccreditUnit;      // adds countries
  UseCase<v1::UnaccreditUnitRequest, v1::Unit> UnaccreditUnit;  // takes countries off
  UseCase<v1::SetUnitActiveRequest, v1::Unit> SetUnitActive;    // closes or reopens a post
  UseCase<v1::UpdateUnitRequest, v1::Unit> UpdateUnit;          // a post's name and city

  // The contact log.
  UseCase<v1::LogContactRequest, v1::Contact> LogContact;
  UseCase<v1::UpdateContactRequest, v1::Contact> UpdateContact;
  UseCase<v1::ListContactsRequest, v1::ListContactsResponse> ListContacts;
  UseCase<v1::ListFollowUpsDueRequest, v1::ListFollowUpsDueResponse> ListFollowUpsDue;
  UseCase<v1::CompleteFollowUpRequest, v1::Contact> CompleteFollowUp;

 private:
  storage::TransactionRunner* runner_;
  const Clock& clock_;
  storage::FieldCrypto crypto_;
};

}  // namespace consular::contacts

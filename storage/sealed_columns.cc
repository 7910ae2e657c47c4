#include "storage/sealed_columns.h"

#include <stdexcept>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "storage/idempotency.h"

namespace consular::storage {

AssociatedData PersonalAd(const std::string& case_id) {
  return {"cases.cases", "personal", case_id};
}
AssociatedData NoteBodyAd(const std::string& note_id) {
  return {"cases.case_notes", "body", note_id};
}
AssociatedData ReasonAd(const std::string& case_id, int64_t sequence) {
  return {"cases.case_events", "reason", absl::StrCat(case_id, "/", sequence)};
}
AssociatedData EmergencyReasonAd(const std::string& grant_id) {
  return {"cases.emergency_access", "reason", grant_id};
}

AssociatedData AssociatedDataOf(EncryptedColumn column, const std::string& key1,
                                const std::string& key2) {
  switch (column) {
    case EncryptedColumn::kContactAdHoc:
      return {"contacts.contacts", "ad_hoc", key1};
    case EncryptedColumn::kContactNote:
      return {"contacts.contacts", "note", key1};
    case EncryptedColumn::kPartnerContactDetails:
      return {"contacts.partners", "contact_details", key1};
    case EncryptedColumn::kPartnerVettingNote:
      return {"contacts.partners", "vetting_note", key1};
    case EncryptedColumn::kPartnerDeactivationReason:
      return {"contacts.partners", "deactivation_reason", key1};
    case EncryptedColumn::kContactsIdempotencyResponse:
      return ResponseAssociatedData(IdempotencyTable::kContacts, key1, key2);
    case EncryptedColumn::kStatsIdempotencyResponse:
      return ResponseAssociatedData(IdempotencyTable::kStats, key1, key2);
    case EncryptedColumn::kEmergencyReason:
      return EmergencyReasonAd(key1);
    case EncryptedColumn::kCasePersonal:
      return PersonalAd(key1);
    case EncryptedColumn::kNoteBody:
      return NoteBodyAd(key1);
    case EncryptedColumn::kEventReason:
      return ReasonAd(key1, std::stoll(key2));
    case EncryptedColumn::kIdempotencyResponse:
      break;
  }
  return ResponseAssociatedData(IdempotencyTable::kCases, key1, key2);
}

std::string PersonalOf(const consular::v1::Case& c) {
  consular::v1::Case personal;
  *personal.mutable_subject() = c.subject();
  *personal.mutable_safety() = c.safety();
  if (c.has_abandonment()) *personal.mutable_abandonment() = c.abandonment();
  if (c.has_divorce_recognition())
    *personal.mutable_divorce_recognition() = c.divorce_recognition();
  std::string bytes;
  personal.SerializeToString(&bytes);
  return bytes;
}

std::string NameIndexOf(const BlindIndex* index, const consular::v1::Case& c) {
  if (index == nullptr) throw std::logic_error("CaseStore needs a blind index to write a case");
  absl::StatusOr<std::string> name_index = index->NameIndex(c.subject().full_name());
  if (!name_index.ok()) throw std::runtime_error("subject name has no blind index (not UTF-8)");
  return *name_index;
}

}  // namespace consular::storage

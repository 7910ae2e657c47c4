#include "storage/case_sealing.h"

#include <stdexcept>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "proto/dates.h"
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
AssociatedData ChangesAd(const std::string& case_id, int64_t sequence) {
  return {"cases.case_events", "changes", absl::StrCat(case_id, "/", sequence)};
}
AssociatedData EmergencyReasonAd(const std::string& grant_id) {
  return {"cases.emergency_access", "reason", grant_id};
}
AssociatedData EmergencySearchReasonAd(const std::string& search_id) {
  return {"cases.emergency_searches", "reason", search_id};
}

std::string PersonalOf(const consular::v1::Case& c) {
  consular::v1::Case personal;
  *personal.mutable_subject() = c.subject();
  *personal.mutable_safety() = c.safety();
  personal.mutable_safety()->clear_has_code_word();  // output only
  *personal.mutable_persons() = c.persons();
  *personal.mutable_documents() = c.documents();
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

SubjectIndexes SubjectIndexesOf(const BlindIndex* index, const std::string& full_name,
                                const consular::v1::Date& date_of_birth) {
  if (index == nullptr) throw std::logic_error("CaseStore needs a blind index to write a case");
  SubjectIndexes out;
  absl::StatusOr<std::string> sound = index->SoundIndex(full_name);
  if (!sound.ok()) throw std::runtime_error("subject name has no blind index (not UTF-8)");
  out.sound = *std::move(sound);
  if (IsSet(date_of_birth)) {
    const std::string born = FormatDate(date_of_birth);
    absl::StatusOr<std::string> name_birth = index->NameBirthIndex(full_name, born);
    absl::StatusOr<std::string> sound_birth = index->SoundBirthIndex(full_name, born);
    if (!name_birth.ok() || !sound_birth.ok()) {
      throw std::runtime_error("subject name has no blind index (not UTF-8)");
    }
    out.name_birth = *std::move(name_birth);
    out.sound_birth = *std::move(sound_birth);
  }
  return out;
}

}  // namespace consular::storage

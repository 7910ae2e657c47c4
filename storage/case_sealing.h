#pragma once

#include <cstdint>
#include <string>

#include "consular/v1/cases.pb.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "storage/case_store.h"

// How the case store seals and indexes: where each sealed value of schema "cases" lives (the
// associated data a ciphertext is bound to: its table, column and row,
// storage/migrations/0003_field_encryption.sql), the personal part of a case and the blind index of
// its subject's name. Used by CaseStore (its SealedColumns() for key rotation included) and by
// consular-datagen's bulk loader, so that they agree.
namespace consular::storage {

// cases.cases.personal of the case `case_id`.
AssociatedData PersonalAd(const std::string& case_id);
// cases.case_notes.body of the note `note_id`.
AssociatedData NoteBodyAd(const std::string& note_id);
// cases.case_events.reason of event `sequence` of the case `case_id`.
AssociatedData ReasonAd(const std::string& case_id, int64_t sequence);
// cases.case_events.changes of event `sequence` of the case `case_id`.
AssociatedData ChangesAd(const std::string& case_id, int64_t sequence);
// cases.emergency_access.reason of the grant `grant_id`.
AssociatedData EmergencyReasonAd(const std::string& grant_id);
// cases.emergency_searches.reason of the search `search_id`.
AssociatedData EmergencySearchReasonAd(const std::string& search_id);


// The plaintext of cases.cases.personal: the personal part of `c` (who the person is, how to reach
// them safely, the other persons on the case, travel documents, and the type's details) as a serialised
// consular.v1.Case.
std::string PersonalOf(const consular::v1::Case& c);

// cases.cases.subject_name_bidx: the blind index of the subject's full name. Throws
// std::logic_error when `index` is null, std::runtime_error when the name is not UTF-8.
std::string NameIndexOf(const BlindIndex* index, const consular::v1::Case& c);

// The duplicate-finding indexes of a subject's name and date of birth (cases.cases
// subject_name_birth_bidx, subject_sound_bidx, subject_sound_birth_bidx). Same errors as
// NameIndexOf.
SubjectIndexes SubjectIndexesOf(const BlindIndex* index, const std::string& full_name,
                                const consular::v1::Date& date_of_birth);

}  // namespace consular::storage

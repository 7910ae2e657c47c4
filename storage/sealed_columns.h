#pragma once

#include <cstdint>
#include <string>

#include "consular/v1/cases.pb.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "storage/case_store.h"

// What the stores seal and index, and where each sealed value lives: the associated data a
// ciphertext is bound to (its table, column and row, storage/migrations/0003_field_encryption.sql),
// the personal part of a case and the blind index of its subject's name. Used by the stores, by key
// rotation and by consular-datagen's bulk loader, so that they all agree.
namespace consular::storage {

// cases.cases.personal of the case `case_id`.
AssociatedData PersonalAd(const std::string& case_id);
// cases.case_notes.body of the note `note_id`.
AssociatedData NoteBodyAd(const std::string& note_id);
// cases.case_events.reason of event `sequence` of the case `case_id`.
AssociatedData ReasonAd(const std::string& case_id, int64_t sequence);
// cases.emergency_access.reason of the grant `grant_id`.
AssociatedData EmergencyReasonAd(const std::string& grant_id);

// The associated data of a value of `column` in the row keyed by `key1` and `key2`: the row's id
// (key2 unused), except for cases.case_events.reason (the case id and the event's sequence) and
// the idempotency responses (the actor and the request id). Throws std::invalid_argument when the
// sequence of an event reason is not a number.
AssociatedData AssociatedDataOf(EncryptedColumn column, const std::string& key1,
                                const std::string& key2);

// The plaintext of cases.cases.personal: the personal part of `c` (who the person is, how to reach
// them safely, and the type's details) as a serialised consular.v1.Case.
std::string PersonalOf(const consular::v1::Case& c);

// cases.cases.subject_name_bidx: the blind index of the subject's full name. Throws
// std::logic_error when `index` is null, std::runtime_error when the name is not UTF-8.
std::string NameIndexOf(const BlindIndex* index, const consular::v1::Case& c);

}  // namespace consular::storage

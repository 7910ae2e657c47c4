#pragma once

#include <google/protobuf/field_mask.pb.h>

#include <optional>
#include <string>
#include <vector>

#include "consular/v1/cases.pb.h"

// The history of a case's fields (ListCaseHistory): what an update changed, field by field, with
// old and new values as text, and which of it a caller may see.
namespace consular::cases {

// The fields an update with `mask` changed between `before` and `after`, one per leaf field
// (a path naming a message, e.g. "safety", expands to its fields; dates and lists are leaves), in
// the order of the mask and then of the fields.
std::vector<consular::v1::FieldChange> ChangedFields(const google::protobuf::FieldMask& mask,
                                                     const consular::v1::Case& before,
                                                     const consular::v1::Case& after);

// The value of one field as the history shows it: strings as they are, enum value names (empty
// for the unset value), dates YYYY-MM-DD (empty when unset), true/false, lists joined by ", ".
std::string FieldText(const google::protobuf::Message& message,
                      const google::protobuf::FieldDescriptor* field);

// Whether `path` names a field of a case ("safety", "safety.covert_notes", "status").
bool IsCaseFieldPath(const std::string& path);

// Whether `field` is `filter` or lies below it ("safety.covert_notes" under "safety"); an empty
// filter matches everything.
bool FieldMatches(const std::string& field, const std::string& filter);

// Whether a change of `field` changes the safety information (needs a reason).
bool IsSafetyField(const std::string& field);

// Whether the caller who reached `c` (its caller_access) may see its covert notes: the handling
// unit and read-write grantees always, read-only grantees and emergency readers only when the
// handling unit marked them shareable.
bool MaySeeCovertNotes(const consular::v1::Case& c);

// Clears the covert notes of `c` unless its caller may see them.
void WithholdCovertNotes(consular::v1::Case* c);

// Readies `c` to go out to its caller: covert notes withheld as WithholdCovertNotes, the code word
// cleared unless `reveal_code_word`, safety.has_code_word set.
void PrepareForCaller(consular::v1::Case* c, bool reveal_code_word = false);

// The history entry of a timeline event: the fields it changed (UPDATED: as recorded; TRANSITIONED:
// status, and outcome when resolving; REFERRED: handling_post), only those matching `filter`, with
// the covert notes withheld unless `show_covert_notes` and the code word always withheld. nullopt
// when no change of it matches.
std::optional<consular::v1::CaseHistoryEntry> HistoryEntryOf(const consular::v1::CaseEvent& event,
                                                             const std::string& filter,
                                                             bool show_covert_notes);

}  // namespace consular::cases

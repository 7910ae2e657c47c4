#pragma once

#include <string>
#include <vector>

#include "consular/v1/cases.pb.h"
#include "google/protobuf/repeated_field.h"

namespace consular::ctl {

// Human-readable output of consularctl. Every function returns text ending in a
// newline. Dates are YYYY-MM-DD, timestamps RFC 3339 UTC to the second, enums
// without their prefix.

// Left-aligned columns separated by two spaces, a header row first, no trailing
// blanks. Empty cells show as "-"; line breaks and tabs inside a cell become
// spaces. Widths count UTF-8 characters, not bytes.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// A key/value block: identity, status, subject, flags, referral, and the
// details and safety fields that are set.
std::string FormatCase(const consular::v1::Case& c);

// Table REFERENCE TYPE STATUS POST COUNTRY OPENED VERSION and a last line "N
// case(s)".
std::string FormatCaseList(
    const google::protobuf::RepeatedPtrField<consular::v1::Case>& cases);

// The DETAILS column of the events table: "INTAKE→ACTIVE: reason", "changed: a,
// b", "note <id>", "created as INTAKE".
std::string EventDetails(const consular::v1::CaseEvent& event);

// Table SEQ WHEN TYPE ACTOR ROLE VERSION DETAILS and a last line "N event(s)".
std::string FormatEvents(
    const google::protobuf::RepeatedPtrField<consular::v1::CaseEvent>& events);

// Per note a WHEN AUTHOR POST row followed by the note's text indented, and a
// last line "N note(s)".
std::string FormatNotes(
    const google::protobuf::RepeatedPtrField<consular::v1::CaseNote>& notes);

// A key/value block for one note: ID, Case, Author, Post, Created, Text.
std::string FormatNote(const consular::v1::CaseNote& note);

}  // namespace consular::ctl

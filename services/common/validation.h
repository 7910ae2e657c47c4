#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "consular/v1/common.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "proto/dates.h"

// Field validation shared by the services. Every failure is INVALID_ARGUMENT with a message
// "<field path>: <problem>", so a client can tell the user which field to fix.
namespace consular {

// True for an officially assigned ISO 3166-1 alpha-2 code in upper case ("MA",
// "TR").
bool IsKnownCountryCode(const std::string& code);

// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or values
// past U+10FFFF).
bool IsValidUtf8(const std::string& text);

// Number of Unicode code points in well-formed UTF-8 `text`.
size_t CountCodePoints(const std::string& text);

// INVALID_ARGUMENT "<field>: <problem>".
absl::Status InvalidField(const std::string& field, const std::string& problem);

// Valid UTF-8, at most `max_chars` code points, no control characters other
// than tab and newlines, and (if `required`) not blank.
absl::Status CheckText(const std::string& field, const std::string& value, size_t max_chars,
                       bool required);

// An unset date passes; a set one must be valid and, unless `allow_future`, not
// after `today`.
absl::Status CheckDate(const std::string& field, const consular::v1::Date& date,
                       const consular::v1::Date& today, bool allow_future);

// The shape every update mask must have before its paths are looked at: at least one path and at
// most 32, each of lower-case letters, digits, '_' and '.' (at most 64 characters), none repeated
// and none inside another ("subject" and "subject.full_name"). INVALID_ARGUMENT "update_mask: ...".
absl::Status CheckUpdateMaskShape(const google::protobuf::FieldMask& mask);

// A request id is 1..128 printable ASCII characters. INVALID_ARGUMENT "request_id: ...".
absl::Status ValidateRequestId(const std::string& request_id);

// A case id is a UUID or a reference. INVALID_ARGUMENT "<field>: ..." otherwise.
absl::Status ValidateCaseId(const std::string& field, const std::string& case_id);

}  // namespace consular

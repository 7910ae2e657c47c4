#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "consular/v1/contacts.pb.h"

// The rules of the contact log's content, free of storage and transport (docs/contacts.md). Every
// function is pure.
namespace consular::contacts {

// Field limits (contacts.proto).
inline constexpr size_t kMaxContactNoteChars = 10000;
inline constexpr size_t kMaxAdHocNameChars = 200;
inline constexpr size_t kMaxAdHocPhoneChars = 100;
inline constexpr size_t kMaxAdHocEmailChars = 200;

// Checks the fields a client writes on a contact: when it occurred (required, a valid time, not
// before 2000 and not more than five minutes after `now`), channel, direction, purpose and outcome
// (required, known values), the follow-up date and the note. INVALID_ARGUMENT
// "contact.<field>: <problem>" for the first bad field.
absl::Status ValidateContactContent(const consular::v1::Contact& c, absl::Time now);

// Checks a contact with someone outside the directory: a name, and organisation, phone and email
// within their limits. INVALID_ARGUMENT "contact.ad_hoc.<field>: <problem>" for the first bad
// field.
absl::Status ValidateAdHoc(const consular::v1::AdHocContact& a);

}  // namespace consular::contacts

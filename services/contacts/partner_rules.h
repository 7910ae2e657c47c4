#pragma once

#include <string>

#include "absl/status/status.h"
#include "consular/v1/contacts.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "services/common/identity.h"

// The rules of the partner directory, free of storage and transport: what a valid partner looks
// like and who may do what (docs/contacts.md). Every function is pure.
namespace consular::contacts {

// Field limits (contacts.proto).
inline constexpr size_t kMaxPartnerNameChars = 200;
inline constexpr size_t kMaxCityChars = 100;
inline constexpr size_t kMaxPhoneChars = 100;
inline constexpr size_t kMaxEmailChars = 200;
inline constexpr size_t kMaxAddressChars = 500;
inline constexpr size_t kMaxWebsiteChars = 300;
inline constexpr size_t kMaxVettingNoteChars = 2000;
inline constexpr size_t kMaxDeactivationReasonChars = 2000;

// The directory is read by every role: PERMISSION_DENIED only for an unknown role.
absl::Status CheckMayReadPartners(const Identity& who);

// Creating and changing partners is for administrators and post managers: PERMISSION_DENIED for
// every other role. (A post manager is further held to the countries of their post:
// CheckMayWritePartnerIn.)
absl::Status CheckMayWritePartners(const Identity& who);

// May `who` create or change a partner in `country`, given whether the caller's post is
// accredited to it (`post_accredited`, ignored for administrators)? PERMISSION_DENIED naming the
// country and the post otherwise.
absl::Status CheckMayWritePartnerIn(const Identity& who, const std::string& country,
                                    bool post_accredited);

// Setting a post's accreditation is for administrators only: PERMISSION_DENIED otherwise.
absl::Status CheckMaySetAccreditation(const Identity& who);

// A partner's country: an officially assigned ISO 3166-1 alpha-2 code in upper case, not NL.
// INVALID_ARGUMENT "<field>: ..." otherwise.
absl::Status ValidatePartnerCountry(const std::string& field, const std::string& country);

// An ISO 639-1 language code in lower case (^[a-z]{2}$). INVALID_ARGUMENT "<field>: ..." otherwise.
absl::Status ValidateLanguageCode(const std::string& field, const std::string& code);

// A post code (^[A-Z][A-Z0-9-]{1,31}$, not LKHA). INVALID_ARGUMENT "<field>: ..." otherwise.
absl::Status ValidatePostCode(const std::string& field, const std::string& post);

// Checks the client-writable content of `p` (kind, name, country, city, specialisms, languages,
// contact details). INVALID_ARGUMENT "partner.<field>: <problem>" for the first bad field.
absl::Status ValidatePartnerContent(const consular::v1::Partner& p);

// The update mask must be non-empty and name only updatable paths: name, city, specialisms,
// languages, contact_details and contact_details.<field>. INVALID_ARGUMENT "update_mask: ..."
// otherwise (kind and country are fixed at creation).
absl::Status ValidatePartnerUpdateMask(const google::protobuf::FieldMask& mask);

// A SetVetting status: VETTED, UNVETTED or SUSPENDED. INVALID_ARGUMENT "status: ..." otherwise.
absl::Status ValidateVettingStatus(consular::v1::VettingStatus status);

}  // namespace consular::contacts

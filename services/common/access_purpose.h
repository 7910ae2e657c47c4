#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/identity.h"

// Why a caller reaches case data. A call states its purpose in the metadata "x-access-purpose"
// (a client chooses it once per session); the audit row of the call records it, so that an
// auditor sees why each read happened.
namespace consular {

inline constexpr char kAccessPurposeHeader[] = "x-access-purpose";

// The purposes a call may state: "casework", "supervision", "emergency", "audit",
// "statistics-correction".
inline constexpr const char* kAccessPurposes[] = {"casework", "supervision", "emergency", "audit",
                                                  "statistics-correction"};

// The purpose named by `value` (case and surrounding blanks ignored; "_" or " " for "-"), or
// INVALID_ARGUMENT "x-access-purpose: ..." naming the ones allowed.
absl::StatusOr<std::string> ParseAccessPurpose(absl::string_view value);

// The purpose recorded for a call of `who`: the one stated, else the usual one of the role
// ("casework" for officers, post managers and LKHA caseworkers, "audit" for auditors); "" for
// roles that never reach a case.
std::string RecordedPurpose(const Identity& who);

}  // namespace consular

#include "services/common/access_purpose.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace consular {

absl::StatusOr<std::string> ParseAccessPurpose(absl::string_view value) {
  std::string purpose = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  absl::StrReplaceAll({{"_", "-"}, {" ", "-"}}, &purpose);
  for (const char* allowed : kAccessPurposes) {
    if (purpose == allowed) return purpose;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(kAccessPurposeHeader, ": unknown purpose \"", absl::CEscape(value),
                   "\"; one of ", absl::StrJoin(kAccessPurposes, ", ")));
}

std::string RecordedPurpose(const Identity& who) {
  if (!who.purpose.empty()) return who.purpose;
  switch (who.role) {
    case consular::v1::ROLE_CONSULAR_OFFICER:
    case consular::v1::ROLE_POST_MANAGER:
    case consular::v1::ROLE_LKHA_CASEWORKER:
      return "casework";
    case consular::v1::ROLE_AUDITOR:
      return "audit";
    default:
      return "";
  }
}

}  // namespace consular

#include "services/common/validation.h"

#include <unistr.h>

#include <algorithm>
#include <cctype>
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/common/ids.h"

namespace consular {
namespace {

// ISO 3166-1 alpha-2, officially assigned codes, sorted.
constexpr std::array<const char*, 249> kCountryCodes = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

}  // namespace

bool IsKnownCountryCode(const std::string& code) {
  return code.size() == 2 && std::binary_search(kCountryCodes.begin(), kCountryCodes.end(), code);
}

bool IsValidUtf8(const std::string& text) {
  // libunistring: well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
  return u8_check(reinterpret_cast<const uint8_t*>(text.data()), text.size()) == nullptr;
}

size_t CountCodePoints(const std::string& text) {
  return u8_mbsnlen(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

absl::Status InvalidField(const std::string& field, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status CheckText(const std::string& field, const std::string& value, size_t max_chars,
                       bool required) {
  if (!IsValidUtf8(value)) return InvalidField(field, "not valid UTF-8");
  if (required && value.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidField(field, "required");
  }
  if (CountCodePoints(value) > max_chars) {
    return InvalidField(field, absl::StrCat("longer than ", max_chars, " characters"));
  }
  for (const char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') {
      return InvalidField(field, "contains control characters");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDate(const std::string& field, const consular::v1::Date& date,
                       const consular::v1::Date& today, bool allow_future) {
  if (!IsSet(date)) return absl::OkStatus();
  if (!IsValidDate(date)) {
    return InvalidField(field, "not a valid calendar date (year 1900-9999)");
  }
  if (!allow_future && CompareDates(date, today) > 0) {
    return InvalidField(field, absl::StrCat(FormatDate(date), " is in the future"));
  }
  return absl::OkStatus();
}

absl::Status CheckUpdateMaskShape(const google::protobuf::FieldMask& mask) {
  constexpr int kMaxPaths = 32;
  constexpr size_t kMaxPathChars = 64;
  if (mask.paths_size() == 0)
    return InvalidField("update_mask", "required: name the fields to change");
  if (mask.paths_size() > kMaxPaths) {
    return InvalidField("update_mask", absl::StrCat("at most ", kMaxPaths, " paths"));
  }
  std::vector<std::string> paths(mask.paths().begin(), mask.paths().end());
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    const bool well_formed =
        !path.empty() && path.size() <= kMaxPathChars && path.front() != '.' &&
        path.back() != '.' && path.find("..") == std::string::npos &&
        std::all_of(path.begin(), path.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
        });
    if (!well_formed) {
      return InvalidField(
          absl::StrCat("update_mask.paths[", i, "]"),
          "not a field path (lower-case names joined by '.', at most 64 characters)");
    }
  }
  std::sort(paths.begin(), paths.end());
  for (size_t i = 1; i < paths.size(); ++i) {
    if (paths[i] == paths[i - 1]) {
      return InvalidField("update_mask", absl::StrCat("\"", paths[i], "\" is named twice"));
    }
    for (size_t j = 0; j < i; ++j) {  // sorted: a path's parents come before it
      if (absl::StartsWith(paths[i], paths[j] + ".")) {
        return InvalidField("update_mask",
                            absl::StrCat("\"", paths[i], "\" is inside \"", paths[j], "\""));
      }
    }
  }
  return absl::OkStatus();
}

// The longest request id and the longest case reference accepted.
constexpr size_t kMaxRequestIdChars = 128;
constexpr size_t kMaxReferenceChars = 32;

absl::Status ValidateRequestId(const std::string& request_id) {
  if (request_id.empty()) return InvalidField("request_id", "required");
  if (request_id.size() > kMaxRequestIdChars) {
    return InvalidField("request_id",
                        absl::StrCat("longer than ", kMaxRequestIdChars, " characters"));
  }
  for (const char c : request_id) {
    if (c < 0x21 || c > 0x7E) return InvalidField("request_id", "not printable ASCII");
  }
  return absl::OkStatus();
}

absl::Status ValidateCaseId(const std::string& field, const std::string& case_id) {
  if (case_id.empty()) return InvalidField(field, "required");
  if (LooksLikeUuid(case_id)) return absl::OkStatus();
  if (case_id.size() > kMaxReferenceChars) return InvalidField(field, "not a case id or reference");
  for (const char c : case_id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return InvalidField(field, "not a case id or reference");
    }
  }
  return absl::OkStatus();
}

}  // namespace consular

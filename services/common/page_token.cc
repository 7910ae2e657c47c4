#include "services/common/page_token.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/validation.h"

namespace consular {
namespace {

constexpr char kVersion[] = "p1";
constexpr size_t kFingerprintChars = 16;

std::string Fingerprint(const std::string& filters) {
  return Sha256Hex(filters).substr(0, kFingerprintChars);
}

}  // namespace

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string EncodePageToken(const std::string& kind, const std::string& filters,
                            const std::vector<std::string>& cursor) {
  std::vector<std::string> parts = {kVersion, kind, Fingerprint(filters)};
  parts.insert(parts.end(), cursor.begin(), cursor.end());
  return absl::WebSafeBase64Escape(absl::StrJoin(parts, "|"));
}

absl::StatusOr<std::vector<std::string>> DecodePageToken(
    const std::string& token, const std::string& kind,
    const std::string& filters, size_t fields) {
  std::string plain;
  if (token.size() > 1024 || !absl::WebSafeBase64Unescape(token, &plain)) {
    return InvalidField("page_token", "malformed");
  }
  std::vector<std::string> parts = absl::StrSplit(plain, '|');
  if (parts.size() != 3 + fields || parts[0] != kVersion || parts[1] != kind) {
    return InvalidField("page_token", "malformed or from another listing");
  }
  if (parts[2] != Fingerprint(filters)) {
    return InvalidField(
        "page_token",
        "issued for other filters; repeat the first request's filters");
  }
  return std::vector<std::string>(parts.begin() + 3, parts.end());
}

}  // namespace consular

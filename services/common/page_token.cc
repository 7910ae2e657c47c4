#include "services/common/page_token.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "base/status_macros.h"
#include "services/common/files.h"
#include "services/common/validation.h"

namespace consular {
namespace {

constexpr char kVersion[] = "p2";
constexpr size_t kFingerprintChars = 16;
constexpr size_t kMinKeyBytes = 32;
constexpr size_t kMacBytes = 16;  // HMAC-SHA256 truncated to 128 bits

std::string Fingerprint(const std::string& filters) {
  return Sha256Hex(filters).substr(0, kFingerprintChars);
}

absl::Mutex g_key_mu;
std::string* g_key ABSL_GUARDED_BY(g_key_mu) = nullptr;

std::string RandomKey() {
  std::string key(kMinKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    throw std::runtime_error("page tokens: no random bytes for a key");
  }
  return key;
}

std::string Key() {
  absl::MutexLock lock(&g_key_mu);
  if (g_key == nullptr) g_key = new std::string(RandomKey());
  return *g_key;
}

// The MAC of `payload` under the page-token key.
std::string Mac(const std::string& payload) {
  const std::string key = Key();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), kMacBytes);
}

}  // namespace

absl::Status SetPageTokenKey(const std::string& key) {
  if (key.size() < kMinKeyBytes) {
    return absl::InvalidArgumentError("page-token key: at least 32 bytes");
  }
  absl::MutexLock lock(&g_key_mu);
  delete g_key;
  g_key = new std::string(key);
  return absl::OkStatus();
}

absl::Status LoadPageTokenKeyFile(const std::string& path) {
  CONSULAR_ASSIGN_OR_RETURN(std::string key, ReadFileToString(path));
  const absl::Status set = SetPageTokenKey(key);
  if (!set.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", set.message()));
  return absl::OkStatus();
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string EncodePageToken(const std::string& kind, const std::string& filters,
                            const std::vector<std::string>& cursor) {
  std::vector<std::string> parts = {kVersion, kind, Fingerprint(filters)};
  parts.insert(parts.end(), cursor.begin(), cursor.end());
  const std::string payload = absl::StrJoin(parts, "|");
  return absl::WebSafeBase64Escape(absl::StrCat(Mac(payload), payload));
}

absl::StatusOr<std::vector<std::string>> DecodePageToken(const std::string& token,
                                                         const std::string& kind,
                                                         const std::string& filters,
                                                         size_t fields) {
  std::string signed_payload;
  if (token.size() > 1024 || !absl::WebSafeBase64Unescape(token, &signed_payload) ||
      signed_payload.size() < kMacBytes) {
    return InvalidField("page_token", "malformed");
  }
  const std::string plain = signed_payload.substr(kMacBytes);
  if (CRYPTO_memcmp(Mac(plain).data(), signed_payload.data(), kMacBytes) != 0) {
    return InvalidField("page_token",
                        "not issued by this service (or altered); start again "
                        "from the first page");
  }
  std::vector<std::string> parts = absl::StrSplit(plain, '|');
  if (parts.size() != 3 + fields || parts[0] != kVersion || parts[1] != kind) {
    return InvalidField("page_token", "malformed or from another listing");
  }
  if (parts[2] != Fingerprint(filters)) {
    return InvalidField("page_token",
                        "issued for other filters; repeat the first request's filters");
  }
  return std::vector<std::string>(parts.begin() + 3, parts.end());
}

}  // namespace consular

#include "services/common/page_token.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "base/status_macros.h"
#include "services/common/files.h"
#include "services/common/validation.h"

namespace consular {
namespace {

// p3: the issue time (Unix seconds) follows the fingerprint. Tokens of p2 (no
// issue time) are refused as malformed.
constexpr char kVersion[] = "p3";
constexpr size_t kFingerprintChars = 16;
constexpr size_t kMinKeyBytes = 32;
constexpr size_t kMacBytes = 16;  // HMAC-SHA256 truncated to 128 bits
// Replicas' clocks may differ a little: a token issued this far in the future
// is still accepted.
constexpr absl::Duration kClockSkew = absl::Minutes(5);

std::string Fingerprint(const std::string& filters) {
  return Sha256Hex(filters).substr(0, kFingerprintChars);
}

struct PageTokenState {
  std::vector<std::string> keys;  // the first signs
  absl::Duration lifetime = kDefaultPageTokenLifetime;
  const Clock* clock = &SystemClock();
};

absl::Mutex g_mu;
PageTokenState* g_state ABSL_GUARDED_BY(g_mu) = nullptr;

std::string RandomKey() {
  std::string key(kMinKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    throw std::runtime_error("page tokens: no random bytes for a key");
  }
  return key;
}

PageTokenState& StateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(g_mu) {
  if (g_state == nullptr) {
    g_state = new PageTokenState;
    g_state->keys.push_back(RandomKey());
  }
  return *g_state;
}

PageTokenState State() {
  absl::MutexLock lock(&g_mu);
  return StateLocked();
}

// The MAC of `payload` under `key`.
std::string Mac(const std::string& key, const std::string& payload) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), kMacBytes);
}

// Whether `data` is a text key list: printable ASCII, blanks and line breaks.
bool IsText(const std::string& data) {
  for (const char c : data) {
    const auto u = static_cast<unsigned char>(c);
    if (!(u == '\n' || u == '\r' || u == '\t' || (u >= 0x20 && u < 0x7f))) return false;
  }
  return true;
}

}  // namespace

absl::Status SetPageTokenKey(const std::string& key) { return SetPageTokenKeys({key}); }

absl::Status SetPageTokenKeys(const std::vector<std::string>& keys) {
  if (keys.empty()) return absl::InvalidArgumentError("page-token key: none given");
  for (const std::string& key : keys) {
    if (key.size() < kMinKeyBytes) {
      return absl::InvalidArgumentError("page-token key: at least 32 bytes");
    }
  }
  absl::MutexLock lock(&g_mu);
  StateLocked().keys = keys;
  return absl::OkStatus();
}

absl::Status SetPageTokenLifetime(absl::Duration lifetime) {
  if (lifetime <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("page-token lifetime: must be positive");
  }
  absl::MutexLock lock(&g_mu);
  StateLocked().lifetime = lifetime;
  return absl::OkStatus();
}

void SetPageTokenClock(const Clock* clock) {
  absl::MutexLock lock(&g_mu);
  StateLocked().clock = clock != nullptr ? clock : &SystemClock();
}

absl::Status LoadPageTokenKeyFile(const std::string& path) {
  CONSULAR_ASSIGN_OR_RETURN(std::string data, ReadFileToString(path));
  std::vector<std::string> keys;
  if (IsText(data)) {
    int number = 0;
    for (absl::string_view line : absl::StrSplit(data, '\n')) {
      ++number;
      const absl::string_view key = absl::StripAsciiWhitespace(line);
      if (key.empty() || key[0] == '#') continue;
      if (key.size() < kMinKeyBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": line ", number, ": a page-token key has at least 32 characters"));
      }
      keys.emplace_back(key);
    }
    if (keys.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no key"));
  } else {
    keys.push_back(std::move(data));
  }
  const absl::Status set = SetPageTokenKeys(keys);
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
  const PageTokenState state = State();
  std::vector<std::string> parts = {kVersion, kind, Fingerprint(filters),
                                    absl::StrCat(absl::ToUnixSeconds(state.clock->Now()))};
  parts.insert(parts.end(), cursor.begin(), cursor.end());
  const std::string payload = absl::StrJoin(parts, "|");
  return absl::WebSafeBase64Escape(absl::StrCat(Mac(state.keys.front(), payload), payload));
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
  const PageTokenState state = State();
  const std::string plain = signed_payload.substr(kMacBytes);
  bool signed_by_us = false;
  for (const std::string& key : state.keys) {
    if (CRYPTO_memcmp(Mac(key, plain).data(), signed_payload.data(), kMacBytes) == 0) {
      signed_by_us = true;
    }
  }
  if (!signed_by_us) {
    return InvalidField("page_token",
                        "not issued by this service (or altered); start again "
                        "from the first page");
  }
  std::vector<std::string> parts = absl::StrSplit(plain, '|');
  int64_t issued_seconds = 0;
  if (parts.size() != 4 + fields || parts[0] != kVersion || parts[1] != kind ||
      !absl::SimpleAtoi(parts[3], &issued_seconds)) {
    return InvalidField("page_token", "malformed or from another listing");
  }
  if (parts[2] != Fingerprint(filters)) {
    return InvalidField("page_token",
                        "issued for other filters; repeat the first request's filters");
  }
  const absl::Time issued = absl::FromUnixSeconds(issued_seconds);
  const absl::Time now = state.clock->Now();
  if (now - issued > state.lifetime || issued - now > kClockSkew) {
    return InvalidField("page_token", "expired, start the listing again");
  }
  return std::vector<std::string>(parts.begin() + 4, parts.end());
}

}  // namespace consular

#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/key_ring.h"

// Blind indexes: keyed hashes that let the database find equal values without holding them.
namespace consular {

// Returns the search form of a person's name: Unicode NFKD, combining marks removed, case folded,
// runs of white space collapsed to one space, trimmed. "José  MARÍA" and "jose maria" give the
// same form. INVALID_ARGUMENT if `name` is not valid UTF-8.
absl::StatusOr<std::string> NormaliseName(absl::string_view name);

// Keyed hashes (HMAC-SHA256, libsodium crypto_auth_hmacsha256) under the blind-index key, which
// must be a key of its own (never a field-encryption key). Thread-safe.
class BlindIndex {
 public:
  explicit BlindIndex(const SecretKey& key);

  // Returns the 32-byte blind index of a name: HMAC of the domain "consular.name.v1" and
  // NormaliseName(name). INVALID_ARGUMENT if the name is not valid UTF-8.
  absl::StatusOr<std::string> NameIndex(absl::string_view name) const;

  // Returns a 32-byte keyed digest of `data` for the purpose `domain` (e.g. the fingerprint of an
  // idempotent request), so personal data is never hashed without a key.
  std::string Digest(absl::string_view domain, absl::string_view data) const;

 private:
  SecretKey key_;
};

}  // namespace consular

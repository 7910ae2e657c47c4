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

// Returns the transliteration-tolerant key of a name in search form (NormaliseName): names written
// the many ways Arabic, Turkish and Berber names are written in Latin letters share it. The
// articles al/el/ul (alone, hyphenated or glued to a word of 5+ letters) are dropped, "abdel",
// "abdul" and "abdal" become "abd", spaces and punctuation go, then common spelling variants are
// merged (ou/oo/w -> u, kh -> h, gh -> g, sh/ch -> s, dj -> j, ph -> f, q/c -> k, z -> s, y -> i,
// dotless i -> i, v -> f), vowels after the first letter go and repeated letters collapse.
// "El-Amrani", "Elamrani" and "Al Amrani" give "amrn"; "Mohamed" and "Muhammad" give "mhmd".
// Letters of other scripts stay as they are. Word order matters.
std::string NameSoundKey(absl::string_view normalised_name);

// Keyed hashes (HMAC-SHA256, libsodium crypto_auth_hmacsha256) under the blind-index key, which
// must be a key of its own (never a field-encryption key). Thread-safe.
class BlindIndex {
 public:
  explicit BlindIndex(const SecretKey& key);

  // Returns the 32-byte blind index of a name: HMAC of the domain "consular.name.v1" and
  // NormaliseName(name). INVALID_ARGUMENT if the name is not valid UTF-8.
  absl::StatusOr<std::string> NameIndex(absl::string_view name) const;
  // The 32-byte index of a name and a date of birth (YYYY-MM-DD): domain "consular.name-birth.v1".
  absl::StatusOr<std::string> NameBirthIndex(absl::string_view name,
                                             absl::string_view date_of_birth) const;
  // The 32-byte index of NameSoundKey(NormaliseName(name)): domain "consular.name-sound.v1".
  absl::StatusOr<std::string> SoundIndex(absl::string_view name) const;
  // The same key with a date of birth: domain "consular.name-sound-birth.v1".
  absl::StatusOr<std::string> SoundBirthIndex(absl::string_view name,
                                              absl::string_view date_of_birth) const;

  // Returns a 32-byte keyed digest of `data` for the purpose `domain` (e.g. the fingerprint of an
  // idempotent request), so personal data is never hashed without a key.
  std::string Digest(absl::string_view domain, absl::string_view data) const;

 private:
  SecretKey key_;
};

}  // namespace consular

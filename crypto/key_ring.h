#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// The secret keys of field encryption and of the blind index, and the files they live in.
//
// A key ring file holds the field-encryption keys, one a line, and names the active one:
//
//   # comments and blank lines are ignored
//   k2024 <base64 of 32 random bytes>
//   k2026 <base64 of 32 random bytes>
//   active k2026
//
// New values are encrypted under the active key; every key in the ring still decrypts what was
// encrypted under it, so old keys stay in the ring until `consular-keys rotate` has moved every
// row. A blind-index key file holds one base64 32-byte key (comments allowed), which must differ
// from every field key.
namespace consular {

inline constexpr size_t kSecretKeyBytes = 32;

// 32 secret bytes, wiped from memory when destroyed.
class SecretKey {
 public:
  SecretKey() { bytes_.fill(0); }
  explicit SecretKey(const std::array<unsigned char, kSecretKeyBytes>& bytes) : bytes_(bytes) {}
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey();

  // Returns a key of fresh random bytes from the operating system's CSPRNG.
  static SecretKey Random();

  // Returns the raw bytes.
  const unsigned char* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  // Returns true when both keys hold the same bytes (compared in constant time).
  bool Equals(const SecretKey& other) const;
  // Returns the key in standard base64 (the form the key files hold).
  std::string ToBase64() const;
  // Returns the key decoded from standard base64. INVALID_ARGUMENT if it is not base64 or does not
  // decode to exactly 32 bytes (the message never contains the text).
  static absl::StatusOr<SecretKey> FromBase64(absl::string_view text);

 private:
  std::array<unsigned char, kSecretKeyBytes> bytes_;
};

// True for a valid key id: 1..64 characters of [A-Za-z0-9._-], and not the word "active".
bool IsValidKeyId(absl::string_view id);

// The field-encryption keys by id, and which one is active. Immutable once built.
class KeyRing {
 public:
  // Returns the ring described by key ring file text. INVALID_ARGUMENT naming the line for a bad
  // key id, a key that is not base64 of 32 bytes, a duplicate id, no or several "active" lines, or
  // an active id that is not in the ring. Key bytes never appear in a message.
  static absl::StatusOr<KeyRing> Parse(absl::string_view text);

  // Returns a ring of one key, active.
  static KeyRing Single(const std::string& id, const SecretKey& key);

  // Returns this ring plus `key` under `id`, which becomes active; INVALID_ARGUMENT if the id is
  // invalid or already used.
  absl::StatusOr<KeyRing> WithNewActiveKey(const std::string& id, const SecretKey& key) const;

  // Returns the key with `id`, or nullptr if the ring has none.
  const SecretKey* Find(absl::string_view id) const;
  // Returns the id of the key new values are encrypted under.
  const std::string& active_id() const { return active_id_; }
  // Returns the key ids in file order.
  std::vector<std::string> ids() const;
  // Returns the ring as key ring file text (the keys in base64; handle it as a secret).
  std::string Serialize() const;

 private:
  std::vector<std::pair<std::string, SecretKey>> keys_;
  std::string active_id_;
};

// Loads a key ring file. NOT_FOUND if it does not exist; INVALID_ARGUMENT (naming the file) if it
// cannot be read or does not parse (see KeyRing::Parse). When the file may be read by its group or
// by others, appends a warning to *warnings (if not null).
absl::StatusOr<KeyRing> LoadKeyRingFile(const std::string& path,
                                        std::vector<std::string>* warnings);

// Returns the key of blind-index key file text: one base64 32-byte key, '#' comments and blank
// lines allowed. INVALID_ARGUMENT otherwise.
absl::StatusOr<SecretKey> ParseBlindIndexKey(absl::string_view text);

// Loads a blind-index key file; errors and warnings as LoadKeyRingFile. INVALID_ARGUMENT also when
// the key equals a key of `ring` (the two uses must never share a key).
absl::StatusOr<SecretKey> LoadBlindIndexKeyFile(const std::string& path, const KeyRing& ring,
                                                std::vector<std::string>* warnings);

}  // namespace consular

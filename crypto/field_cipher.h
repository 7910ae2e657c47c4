#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/key_ring.h"

// Authenticated encryption of single database fields (libsodium XChaCha20-Poly1305 IETF).
//
// A ciphertext is  0x01 | key_id_len (1 byte) | key_id | nonce (24 bytes) | ciphertext+tag (16).
// The associated data binds it to where it is stored: a canonical, length-prefixed encoding of
// (table, column, row key, key id). A ciphertext copied to another row or column, or whose key id
// was altered, fails to decrypt.
namespace consular {

// Where a field value lives. row_key identifies the row (a case id, a note id, ...).
struct AssociatedData {
  std::string table;
  std::string column;
  std::string row_key;
};

// Thread-safe after construction (it only reads its key ring).
class FieldCipher {
 public:
  explicit FieldCipher(KeyRing ring);

  // Returns `plaintext` encrypted under the active key with a fresh random nonce, bound to `ad`.
  std::string Encrypt(absl::string_view plaintext, const AssociatedData& ad) const;

  // Returns the plaintext of `ciphertext` stored at `ad`. INTERNAL when the ciphertext is
  // malformed, names a key not in the ring, or fails authentication (tampered, moved from another
  // row or column, or key id altered). The message names the table and column only, never any
  // content.
  absl::StatusOr<std::string> Decrypt(absl::string_view ciphertext, const AssociatedData& ad) const;

  // Returns the key id a ciphertext was made with. INVALID_ARGUMENT if it is malformed.
  static absl::StatusOr<std::string> KeyIdOf(absl::string_view ciphertext);

  // Returns the id of the key new values are encrypted under.
  const std::string& active_key_id() const { return ring_.active_id(); }
  // Returns the key ring.
  const KeyRing& ring() const { return ring_; }

 private:
  KeyRing ring_;
};

}  // namespace consular

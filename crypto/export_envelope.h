#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

// The envelopes an export leaves the service in, which its recipient opens with standard tools:
// a ZIP whose entries are encrypted with AES-256 under a password (7-Zip, WinZip, libzip), or an
// OpenPGP message encrypted to one public key (gpg --decrypt). Neither keeps the password or any
// key beyond the call.
namespace consular {

// One file inside an envelope.
struct EnvelopeEntry {
  std::string name;     // e.g. "cases.json"; ASCII letters, digits, '.', '_' and '-'
  std::string content;  // bytes
};

// A ZIP of `entries`, each encrypted with WinZip AES-256 under `password` (libzip). INTERNAL when
// libzip fails.
absl::StatusOr<std::string> SealZipWithPassword(const std::vector<EnvelopeEntry>& entries,
                                                const std::string& password);

// What an OpenPGP public key is, as far as an export needs to know.
struct OpenPgpRecipient {
  std::string fingerprint;  // upper-case hex
};

// Checks that `armored_key` is exactly one OpenPGP public key that can encrypt (not revoked,
// expired or disabled). INVALID_ARGUMENT "<field>: ..." otherwise.
absl::StatusOr<OpenPgpRecipient> InspectOpenPgpKey(const std::string& field,
                                                   const std::string& armored_key);

// A message encrypted to one OpenPGP key, and that key's fingerprint.
struct OpenPgpMessage {
  std::string fingerprint;  // upper-case hex
  std::string ciphertext;   // binary OpenPGP message
};

// `content` encrypted to `armored_key` (GPGME with a temporary GNUPGHOME that is removed again).
// `file_name` is recorded as the literal data's name. INVALID_ARGUMENT "<field>: ..." for an
// unusable key, INTERNAL when GnuPG fails.
absl::StatusOr<OpenPgpMessage> EncryptToOpenPgpKey(const std::string& field,
                                                   const std::string& armored_key,
                                                   const std::string& file_name,
                                                   const std::string& content);

}  // namespace consular

#include "crypto/field_cipher.h"

#include <sodium.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace consular {
namespace {

constexpr unsigned char kFormatVersion = 0x01;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr char kAdDomain[] = "consular.field.v1";

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kSecretKeyBytes, "key size");

void AppendPart(std::string* out, absl::string_view part) {
  const uint32_t n = static_cast<uint32_t>(part.size());
  const char length[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                          static_cast<char>(n >> 8), static_cast<char>(n)};
  out->append(length, sizeof length);
  out->append(part.data(), part.size());
}

// The canonical associated data: every part length-prefixed, so no two different tuples encode
// alike.
std::string EncodeAd(const AssociatedData& ad, absl::string_view key_id) {
  std::string out;
  AppendPart(&out, kAdDomain);
  AppendPart(&out, ad.table);
  AppendPart(&out, ad.column);
  AppendPart(&out, ad.row_key);
  AppendPart(&out, key_id);
  return out;
}

struct Parsed {
  absl::string_view key_id;
  const unsigned char* nonce;
  absl::string_view sealed;  // ciphertext and tag
};

absl::StatusOr<Parsed> Split(absl::string_view ciphertext) {
  if (ciphertext.size() < 2 || static_cast<unsigned char>(ciphertext[0]) != kFormatVersion) {
    return absl::InvalidArgumentError("not a field ciphertext (unknown format)");
  }
  const size_t id_length = static_cast<unsigned char>(ciphertext[1]);
  if (id_length == 0 || ciphertext.size() < 2 + id_length + kNonceBytes + kTagBytes) {
    return absl::InvalidArgumentError("not a field ciphertext (truncated)");
  }
  Parsed parsed;
  parsed.key_id = ciphertext.substr(2, id_length);
  parsed.nonce = reinterpret_cast<const unsigned char*>(ciphertext.data()) + 2 + id_length;
  parsed.sealed = ciphertext.substr(2 + id_length + kNonceBytes);
  return parsed;
}

}  // namespace

FieldCipher::FieldCipher(KeyRing ring) : ring_(std::move(ring)) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    std::abort();
  }
}

std::string FieldCipher::Encrypt(absl::string_view plaintext, const AssociatedData& ad) const {
  const std::string& key_id = ring_.active_id();
  const SecretKey* key = ring_.Find(key_id);
  const std::string aad = EncodeAd(ad, key_id);
  std::string out;
  out.reserve(2 + key_id.size() + kNonceBytes + plaintext.size() + kTagBytes);
  out.push_back(static_cast<char>(kFormatVersion));
  out.push_back(static_cast<char>(key_id.size()));
  out.append(key_id);
  const size_t nonce_at = out.size();
  out.resize(nonce_at + kNonceBytes);
  randombytes_buf(out.data() + nonce_at, kNonceBytes);
  const size_t sealed_at = out.size();
  out.resize(sealed_at + plaintext.size() + kTagBytes);
  unsigned long long sealed_length = 0;
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      bytes + sealed_at, &sealed_length, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), nullptr,
      bytes + nonce_at, key->data());
  out.resize(sealed_at + sealed_length);
  return out;
}

absl::StatusOr<std::string> FieldCipher::Decrypt(absl::string_view ciphertext,
                                                 const AssociatedData& ad) const {
  const std::string where = absl::StrCat(ad.table, ".", ad.column);
  absl::StatusOr<Parsed> parsed = Split(ciphertext);
  if (!parsed.ok()) {
    return absl::InternalError(absl::StrCat(where, ": ", parsed.status().message()));
  }
  const SecretKey* key = ring_.Find(parsed->key_id);
  if (key == nullptr) {
    return absl::InternalError(
        absl::StrCat(where, ": encrypted under a key that is not in the key ring"));
  }
  const std::string aad = EncodeAd(ad, parsed->key_id);
  std::string plaintext(parsed->sealed.size() - kTagBytes, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &length, nullptr,
          reinterpret_cast<const unsigned char*>(parsed->sealed.data()), parsed->sealed.size(),
          reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), parsed->nonce,
          key->data()) != 0) {
    return absl::InternalError(
        absl::StrCat(where, ": does not decrypt (tampered, or moved from another row or column)"));
  }
  plaintext.resize(length);
  return plaintext;
}

absl::StatusOr<std::string> FieldCipher::KeyIdOf(absl::string_view ciphertext) {
  absl::StatusOr<Parsed> parsed = Split(ciphertext);
  if (!parsed.ok()) return parsed.status();
  return std::string(parsed->key_id);
}

}  // namespace consular

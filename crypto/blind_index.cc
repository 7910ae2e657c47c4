#include "crypto/blind_index.h"

#include <sodium.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/status/status.h"

namespace consular {
namespace {

static_assert(crypto_auth_hmacsha256_KEYBYTES == kSecretKeyBytes, "key size");

struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<uint8_t, FreeDeleter>;

bool IsCombiningMark(ucs4_t c) {
  return uc_is_general_category(c, UC_CATEGORY_Mn) || uc_is_general_category(c, UC_CATEGORY_Me);
}

}  // namespace

absl::StatusOr<std::string> NormaliseName(absl::string_view name) {
  const auto* input = reinterpret_cast<const uint8_t*>(name.data());
  if (u8_check(input, name.size()) != nullptr) {
    return absl::InvalidArgumentError("not valid UTF-8");
  }
  if (name.empty()) return std::string();
  size_t decomposed_length = 0;
  Buffer decomposed(u8_normalize(UNINORM_NFKD, input, name.size(), nullptr, &decomposed_length));
  if (decomposed == nullptr) return absl::InternalError("name normalisation failed");
  size_t folded_length = 0;
  Buffer folded(u8_casefold(decomposed.get(), decomposed_length, nullptr, UNINORM_NFKD, nullptr,
                            &folded_length));
  if (folded == nullptr) return absl::InternalError("name case folding failed");

  std::string out;
  out.reserve(folded_length);
  bool pending_space = false;
  const uint8_t* p = folded.get();
  const uint8_t* const end = p + folded_length;
  while (p < end) {
    ucs4_t c = 0;
    const int n = u8_mbtouc(&c, p, end - p);
    p += n > 0 ? n : 1;
    if (IsCombiningMark(c)) continue;
    if (uc_is_property_white_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    uint8_t encoded[6];
    const int length = u8_uctomb(encoded, c, sizeof encoded);
    if (length > 0) out.append(reinterpret_cast<const char*>(encoded), length);
  }
  return out;
}

BlindIndex::BlindIndex(const SecretKey& key) : key_(key) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    std::abort();
  }
}

absl::StatusOr<std::string> BlindIndex::NameIndex(absl::string_view name) const {
  absl::StatusOr<std::string> normalised = NormaliseName(name);
  if (!normalised.ok()) return normalised.status();
  std::string digest = Digest("consular.name.v1", *normalised);
  sodium_memzero(normalised->data(), normalised->size());
  return digest;
}

std::string BlindIndex::Digest(absl::string_view domain, absl::string_view data) const {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key_.data(), key_.size());
  // The domain, its length and a separator first, so digests for different purposes never meet.
  const unsigned char length = static_cast<unsigned char>(domain.size());
  crypto_auth_hmacsha256_update(&state, &length, 1);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(domain.data()),
                                domain.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(out.data()));
  sodium_memzero(&state, sizeof state);
  return out;
}

}  // namespace consular

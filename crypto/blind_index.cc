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
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"

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

namespace {

bool IsAsciiLetter(char c) { return c >= 'a' && c <= 'z'; }
bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// The words of a name in search form: runs of ASCII letters and of non-ASCII characters; spaces,
// hyphens, apostrophes and other ASCII punctuation separate them. The dotless i becomes i.
std::vector<std::string> NameWords(absl::string_view normalised) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < normalised.size(); ++i) {
    const char c = normalised[i];
    if (c == '\xC4' && i + 1 < normalised.size() && normalised[i + 1] == '\xB1') {  // U+0131
      word.push_back('i');
      ++i;
    } else if (IsAsciiLetter(c) || (static_cast<unsigned char>(c) & 0x80) != 0) {
      word.push_back(c);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

}  // namespace

std::string NameSoundKey(absl::string_view normalised_name) {
  std::string joined;
  for (std::string& word : NameWords(normalised_name)) {
    if (word == "al" || word == "el" || word == "ul") continue;
    if (word.size() >= 5 && (absl::StartsWith(word, "al") || absl::StartsWith(word, "el") ||
                             absl::StartsWith(word, "ul"))) {
      word.erase(0, 2);
    }
    for (const char* prefix : {"abdel", "abdul", "abdal"}) {
      if (absl::StartsWith(word, prefix)) word.replace(0, 5, "abd");
    }
    joined += word;
  }
  static constexpr std::pair<const char*, const char*> kVariants[] = {
      {"ou", "u"}, {"oo", "u"}, {"kh", "h"}, {"gh", "g"}, {"sh", "s"}, {"ch", "s"},
      {"dj", "j"}, {"ph", "f"}, {"w", "u"},  {"q", "k"},  {"c", "k"},  {"z", "s"},
      {"y", "i"},  {"v", "f"}};
  for (const auto& [from, to] : kVariants) joined = absl::StrReplaceAll(joined, {{from, to}});
  std::string key;
  for (size_t i = 0; i < joined.size(); ++i) {
    const char c = joined[i];
    if (i > 0 && IsVowel(c)) continue;
    if (!key.empty() && key.back() == c) continue;
    key.push_back(c);
  }
  return key;
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

absl::StatusOr<std::string> BlindIndex::NameBirthIndex(absl::string_view name,
                                                       absl::string_view date_of_birth) const {
  absl::StatusOr<std::string> normalised = NormaliseName(name);
  if (!normalised.ok()) return normalised.status();
  normalised->append("\n").append(date_of_birth.data(), date_of_birth.size());
  std::string digest = Digest("consular.name-birth.v1", *normalised);
  sodium_memzero(normalised->data(), normalised->size());
  return digest;
}

absl::StatusOr<std::string> BlindIndex::SoundIndex(absl::string_view name) const {
  absl::StatusOr<std::string> normalised = NormaliseName(name);
  if (!normalised.ok()) return normalised.status();
  std::string key = NameSoundKey(*normalised);
  std::string digest = Digest("consular.name-sound.v1", key);
  sodium_memzero(normalised->data(), normalised->size());
  sodium_memzero(key.data(), key.size());
  return digest;
}

absl::StatusOr<std::string> BlindIndex::SoundBirthIndex(absl::string_view name,
                                                        absl::string_view date_of_birth) const {
  absl::StatusOr<std::string> normalised = NormaliseName(name);
  if (!normalised.ok()) return normalised.status();
  std::string key = NameSoundKey(*normalised);
  key.append("\n").append(date_of_birth.data(), date_of_birth.size());
  std::string digest = Digest("consular.name-sound-birth.v1", key);
  sodium_memzero(normalised->data(), normalised->size());
  sodium_memzero(key.data(), key.size());
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

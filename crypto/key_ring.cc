#include "crypto/key_ring.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace consular {
namespace {

constexpr size_t kMaxKeyIdChars = 64;
constexpr size_t kMaxKeyFileBytes = 1 << 20;

void EnsureSodium() {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    std::abort();
  }
}

// The file's contents, refusing missing, unreadable and oversized files; a warning when the file
// is readable by group or others.
absl::StatusOr<std::string> ReadKeyFile(const std::string& path, const char* what,
                                        std::vector<std::string>* warnings) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT)
      return absl::NotFoundError(absl::StrCat(what, " ", path, ": no such file"));
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, ": cannot be read: ", std::strerror(error)));
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": not a regular file"));
  }
  if (static_cast<size_t>(info.st_size) > kMaxKeyFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": too large"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, ": cannot be read: ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": read failed"));
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0 && warnings != nullptr) {
    warnings->push_back(
        absl::StrCat(what, " ", path, " may be read by its group or others; make it mode 600"));
  }
  return contents.str();
}

// The meaningful lines of a key file: without comments and surrounding space, with their numbers.
std::vector<std::pair<int, std::string>> ContentLines(absl::string_view text) {
  std::vector<std::pair<int, std::string>> lines;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) lines.emplace_back(number, std::string(line));
  }
  return lines;
}

}  // namespace

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

SecretKey SecretKey::Random() {
  EnsureSodium();
  std::array<unsigned char, kSecretKeyBytes> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  SecretKey key(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

bool SecretKey::Equals(const SecretKey& other) const {
  return sodium_memcmp(bytes_.data(), other.bytes_.data(), bytes_.size()) == 0;
}

std::string SecretKey::ToBase64() const {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes_.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_.data(), bytes_.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

absl::StatusOr<SecretKey> SecretKey::FromBase64(absl::string_view text) {
  EnsureSodium();
  std::array<unsigned char, kSecretKeyBytes + 1> bytes{};
  size_t length = 0;
  const char* end = nullptr;
  const int failed = sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(),
                                       nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL);
  if (failed != 0 || end != text.data() + text.size() || length != kSecretKeyBytes) {
    sodium_memzero(bytes.data(), bytes.size());
    return absl::InvalidArgumentError("not the base64 form of exactly 32 bytes");
  }
  std::array<unsigned char, kSecretKeyBytes> key_bytes;
  std::memcpy(key_bytes.data(), bytes.data(), kSecretKeyBytes);
  SecretKey key(key_bytes);
  sodium_memzero(bytes.data(), bytes.size());
  sodium_memzero(key_bytes.data(), key_bytes.size());
  return key;
}

bool IsValidKeyId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdChars || id == "active") return false;
  for (const char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<KeyRing> KeyRing::Parse(absl::string_view text) {
  KeyRing ring;
  std::string active;
  int active_line = 0;
  for (const auto& [number, line] : ContentLines(text)) {
    const std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const std::string where = absl::StrCat("line ", number, ": ");
    if (words.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "expected \"<key-id> <base64 key>\" or \"active <key-id>\""));
    }
    if (words[0] == "active") {
      if (active_line != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "a second \"active\" line (the first is line ", active_line, ")"));
      }
      active = std::string(words[1]);
      active_line = number;
      continue;
    }
    if (!IsValidKeyId(words[0])) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "key id must be 1..64 characters of A-Z a-z 0-9 . _ -"));
    }
    if (ring.Find(words[0]) != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "key id ", std::string(words[0]), " appears twice"));
    }
    absl::StatusOr<SecretKey> key = SecretKey::FromBase64(words[1]);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "key ", std::string(words[0]), ": ", key.status().message()));
    }
    ring.keys_.emplace_back(std::string(words[0]), *key);
  }
  if (ring.keys_.empty()) return absl::InvalidArgumentError("no keys");
  if (active_line == 0) {
    return absl::InvalidArgumentError("no \"active <key-id>\" line naming the key to encrypt with");
  }
  if (!IsValidKeyId(active)) {
    // Not echoed: it may be a key pasted where its id belongs.
    return absl::InvalidArgumentError(
        absl::StrCat("line ", active_line,
                     ": \"active\" must name a key id (1..64 characters of A-Z a-z 0-9 . _ -)"));
  }
  if (ring.Find(active) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", active_line, ": the active key ", active, " is not in the ring"));
  }
  ring.active_id_ = active;
  return ring;
}

KeyRing KeyRing::Single(const std::string& id, const SecretKey& key) {
  KeyRing ring;
  ring.keys_.emplace_back(id, key);
  ring.active_id_ = id;
  return ring;
}

absl::StatusOr<KeyRing> KeyRing::WithNewActiveKey(const std::string& id,
                                                  const SecretKey& key) const {
  if (!IsValidKeyId(id)) {
    return absl::InvalidArgumentError("key id must be 1..64 characters of A-Z a-z 0-9 . _ -");
  }
  if (Find(id) != nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("key id ", id, " is already in the ring"));
  }
  KeyRing ring = *this;
  ring.keys_.emplace_back(id, key);
  ring.active_id_ = id;
  return ring;
}

const SecretKey* KeyRing::Find(absl::string_view id) const {
  for (const auto& [key_id, key] : keys_) {
    if (key_id == id) return &key;
  }
  return nullptr;
}

std::vector<std::string> KeyRing::ids() const {
  std::vector<std::string> ids;
  for (const auto& entry : keys_) ids.push_back(entry.first);
  return ids;
}

std::string KeyRing::Serialize() const {
  std::string text =
      "# consular field-encryption key ring: \"<key-id> <base64 key>\" lines and the active key.\n"
      "# Secret: keep it mode 600. Keep old keys until `consular-keys rotate` reports none in "
      "use.\n";
  for (const auto& [id, key] : keys_) absl::StrAppend(&text, id, " ", key.ToBase64(), "\n");
  absl::StrAppend(&text, "active ", active_id_, "\n");
  return text;
}

absl::StatusOr<KeyRing> LoadKeyRingFile(const std::string& path,
                                        std::vector<std::string>* warnings) {
  absl::StatusOr<std::string> text = ReadKeyFile(path, "field key ring", warnings);
  if (!text.ok()) return text.status();
  absl::StatusOr<KeyRing> ring = KeyRing::Parse(*text);
  sodium_memzero(text->data(), text->size());
  if (!ring.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field key ring ", path, ": ", ring.status().message()));
  }
  return ring;
}

absl::StatusOr<SecretKey> ParseBlindIndexKey(absl::string_view text) {
  const auto lines = ContentLines(text);
  if (lines.size() != 1) {
    return absl::InvalidArgumentError("expected exactly one line with a base64 32-byte key");
  }
  return SecretKey::FromBase64(lines[0].second);
}

absl::StatusOr<SecretKey> LoadBlindIndexKeyFile(const std::string& path, const KeyRing& ring,
                                                std::vector<std::string>* warnings) {
  absl::StatusOr<std::string> text = ReadKeyFile(path, "blind-index key", warnings);
  if (!text.ok()) return text.status();
  absl::StatusOr<SecretKey> key = ParseBlindIndexKey(*text);
  sodium_memzero(text->data(), text->size());
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("blind-index key ", path, ": ", key.status().message()));
  }
  for (const std::string& id : ring.ids()) {
    if (ring.Find(id)->Equals(*key)) {
      return absl::InvalidArgumentError(
          absl::StrCat("blind-index key ", path, " equals field key ", id,
                       " of the key ring; the blind index needs a key of its own"));
    }
  }
  return key;
}

}  // namespace consular

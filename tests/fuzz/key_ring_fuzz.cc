// crypto/key_ring: the key ring and blind-index key files a server reads at start.
// The first byte picks the parser; the rest is the file's text.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "crypto/key_ring.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

// No error message may hold a key: a word of the text that is the base64 form of 32 bytes.
void CheckNoKeyIn(const absl::Status& status, const std::string& text) {
  for (absl::string_view word : absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
    if (consular::SecretKey::FromBase64(word).ok()) {
      FUZZ_CHECK(!absl::StrContains(status.message(), word));
    }
  }
}

}  // namespace

CONSULAR_FUZZ_TARGET(key_ring) {
  consular::fuzz::FuzzInput in(data, size);
  const uint8_t mode = in.Byte();
  const std::string text = in.Rest();
  if (mode % 2 == 0) {
    const absl::StatusOr<consular::KeyRing> ring = consular::KeyRing::Parse(text);
    if (!ring.ok()) {
      FUZZ_CHECK(ring.status().code() == absl::StatusCode::kInvalidArgument);
      CheckNoKeyIn(ring.status(), text);
      return;
    }
    // What it writes back reads the same.
    const absl::StatusOr<consular::KeyRing> again = consular::KeyRing::Parse(ring->Serialize());
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->ids() == ring->ids());
    FUZZ_CHECK(again->active_id() == ring->active_id());
    FUZZ_CHECK(ring->Find(ring->active_id()) != nullptr);
    for (const std::string& id : ring->ids()) {
      FUZZ_CHECK(consular::IsValidKeyId(id));
      FUZZ_CHECK(again->Find(id) != nullptr && again->Find(id)->Equals(*ring->Find(id)));
    }
  } else {
    const absl::StatusOr<consular::SecretKey> key = consular::ParseBlindIndexKey(text);
    if (!key.ok()) {
      FUZZ_CHECK(key.status().code() == absl::StatusCode::kInvalidArgument);
      CheckNoKeyIn(key.status(), text);
      return;
    }
    const absl::StatusOr<consular::SecretKey> again =
        consular::SecretKey::FromBase64(key->ToBase64());
    FUZZ_CHECK(again.ok() && again->Equals(*key));
  }
}

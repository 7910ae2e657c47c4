// Unit tests of the key files, field encryption and the blind index (no database).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "crypto/key_ring.h"

namespace consular {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const AssociatedData kHere{"cases.cases", "personal", "0b7c2a8e-1111-4222-8333-444455556666"};

std::string TempPath(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "/field_crypto_", getpid(), "_", name);
}

void WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

std::string RingText(const std::vector<std::pair<std::string, SecretKey>>& keys,
                     const std::string& active) {
  std::string text = "# test ring\n\n";
  for (const auto& [id, key] : keys) absl::StrAppend(&text, id, " ", key.ToBase64(), "\n");
  if (!active.empty()) absl::StrAppend(&text, "active ", active, "  # the one in use\n");
  return text;
}

TEST(KeyRingTest, ParsesKeysAndTheActiveOne) {
  const SecretKey a = SecretKey::Random();
  const SecretKey b = SecretKey::Random();
  absl::StatusOr<KeyRing> ring = KeyRing::Parse(RingText({{"k1", a}, {"k2", b}}, "k2"));
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->active_id(), "k2");
  EXPECT_EQ(ring->ids(), (std::vector<std::string>{"k1", "k2"}));
  ASSERT_NE(ring->Find("k1"), nullptr);
  EXPECT_TRUE(ring->Find("k1")->Equals(a));
  EXPECT_FALSE(ring->Find("k1")->Equals(b));
  EXPECT_EQ(ring->Find("k3"), nullptr);

  absl::StatusOr<KeyRing> again = KeyRing::Parse(ring->Serialize());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ids(), ring->ids());
  EXPECT_TRUE(again->Find("k2")->Equals(b));
}

TEST(KeyRingTest, RefusesBadRingsWithoutShowingKeyMaterial) {
  const SecretKey a = SecretKey::Random();
  const std::string a64 = a.ToBase64();
  const std::string short_key = "c2hvcnQ=";  // "short"
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "no keys"},
      {absl::StrCat("k1 ", a64, "\n"), "no \"active"},
      {absl::StrCat("k1 ", a64, "\nactive k9\n"), "not in the ring"},
      // The key pasted where its id belongs (found by the key_ring fuzz target).
      {absl::StrCat("k1 ", a64, "\nactive ", a64, "\n"), "must name a key id"},
      {absl::StrCat("k1 ", a64, "\nk1 ", a64, "\nactive k1\n"), "appears twice"},
      {absl::StrCat("k1 ", short_key, "\nactive k1\n"), "exactly 32 bytes"},
      {absl::StrCat("k1 not*base64\nactive k1\n"), "exactly 32 bytes"},
      {absl::StrCat("k/1 ", a64, "\nactive k/1\n"), "key id"},
      {absl::StrCat("k1 ", a64, "\nactive k1\nactive k1\n"), "second \"active\""},
      {absl::StrCat("k1 ", a64, " extra\nactive k1\n"), "line 1"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<KeyRing> ring = KeyRing::Parse(c.text);
    ASSERT_FALSE(ring.ok()) << c.text;
    EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(ring.status().message()), HasSubstr(c.message)) << c.text;
    EXPECT_THAT(std::string(ring.status().message()), Not(HasSubstr(a64)));
  }
}

TEST(KeyRingTest, FilesAreCheckedAndLooseModesWarned) {
  const SecretKey a = SecretKey::Random();
  std::vector<std::string> warnings;
  absl::StatusOr<KeyRing> missing = LoadKeyRingFile(TempPath("missing"), &warnings);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);

  const std::string ring_path = TempPath("ring");
  WriteFile(ring_path, RingText({{"k1", a}}, "k1"), 0600);
  ASSERT_TRUE(LoadKeyRingFile(ring_path, &warnings).ok());
  EXPECT_TRUE(warnings.empty());
  WriteFile(ring_path, RingText({{"k1", a}}, "k1"), 0644);
  ASSERT_TRUE(LoadKeyRingFile(ring_path, &warnings).ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("mode 600"));

  WriteFile(ring_path, "k1 AAAA\nactive k1\n", 0600);
  absl::StatusOr<KeyRing> bad = LoadKeyRingFile(ring_path, nullptr);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr(ring_path));
  ::unlink(ring_path.c_str());
}

TEST(KeyRingTest, BlindIndexKeyMustNotBeAFieldKey) {
  const SecretKey field = SecretKey::Random();
  const KeyRing ring = KeyRing::Single("k1", field);
  const std::string path = TempPath("bidx");

  WriteFile(path, absl::StrCat("# blind index\n", SecretKey::Random().ToBase64(), "\n"), 0600);
  EXPECT_TRUE(LoadBlindIndexKeyFile(path, ring, nullptr).ok());

  WriteFile(path, absl::StrCat(field.ToBase64(), "\n"), 0600);
  absl::StatusOr<SecretKey> same = LoadBlindIndexKeyFile(path, ring, nullptr);
  EXPECT_EQ(same.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(same.status().message()), HasSubstr("equals field key k1"));

  WriteFile(path, "AAAA\n", 0600);
  EXPECT_EQ(LoadBlindIndexKeyFile(path, ring, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  ::unlink(path.c_str());
}

TEST(FieldCipherTest, RoundTripUnderTheActiveKey) {
  const FieldCipher cipher(KeyRing::Single("k1", SecretKey::Random()));
  for (const std::string& plaintext : {std::string(), std::string("Amina Example"),
                                       std::string(10000, 'x'), std::string("\0\1\2", 3)}) {
    const std::string sealed = cipher.Encrypt(plaintext, kHere);
    EXPECT_EQ(sealed[0], '\x01');
    EXPECT_EQ(*FieldCipher::KeyIdOf(sealed), "k1");
    if (!plaintext.empty()) {
      EXPECT_EQ(sealed.find(plaintext), std::string::npos);
    }
    absl::StatusOr<std::string> opened = cipher.Decrypt(sealed, kHere);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, plaintext);
  }
  // Fresh nonces: the same plaintext never encrypts alike.
  EXPECT_NE(cipher.Encrypt("same", kHere), cipher.Encrypt("same", kHere));
}

TEST(FieldCipherTest, AnotherRowColumnOrTableFailsWithoutContent) {
  const FieldCipher cipher(KeyRing::Single("k1", SecretKey::Random()));
  const std::string sealed = cipher.Encrypt("Amina Example", kHere);
  for (const AssociatedData& elsewhere :
       {AssociatedData{"cases.cases", "personal", "another-case"},
        AssociatedData{"cases.case_notes", "body", kHere.row_key},
        AssociatedData{"cases.cases", "other", kHere.row_key},
        // Length-prefixed parts: moving bytes between parts does not give the same AD.
        AssociatedData{"cases.casespersonal", "", kHere.row_key}}) {
    absl::StatusOr<std::string> opened = cipher.Decrypt(sealed, elsewhere);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kInternal);
    EXPECT_THAT(std::string(opened.status().message()), Not(HasSubstr("Amina")));
  }
}

TEST(FieldCipherTest, TamperedOrRelabelledCiphertextFails) {
  const SecretKey key = SecretKey::Random();
  // Two ring entries with the same bytes: only the key id label differs.
  absl::StatusOr<KeyRing> ring = KeyRing::Single("k1", key).WithNewActiveKey("k2", key);
  ASSERT_TRUE(ring.ok());
  const FieldCipher cipher(*ring);
  std::string sealed = cipher.Encrypt("Amina Example", kHere);
  ASSERT_EQ(*FieldCipher::KeyIdOf(sealed), "k2");

  std::string relabelled = sealed;
  relabelled[3] = '1';  // "k2" -> "k1": same key bytes, but the AD binds the key id
  EXPECT_EQ(cipher.Decrypt(relabelled, kHere).status().code(), absl::StatusCode::kInternal);

  std::string flipped = sealed;
  flipped.back() ^= 1;
  EXPECT_EQ(cipher.Decrypt(flipped, kHere).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(cipher.Decrypt(sealed.substr(0, 20), kHere).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(cipher.Decrypt("Amina Example", kHere).status().code(), absl::StatusCode::kInternal);
  EXPECT_FALSE(FieldCipher::KeyIdOf("Amina Example").ok());
}

TEST(FieldCipherTest, UnknownKeyIdFailsAndOldKeysStillDecrypt) {
  const SecretKey old_key = SecretKey::Random();
  const FieldCipher old_cipher(KeyRing::Single("old", old_key));
  const std::string sealed = old_cipher.Encrypt("note text", kHere);

  const FieldCipher stranger(KeyRing::Single("other", SecretKey::Random()));
  absl::StatusOr<std::string> unknown = stranger.Decrypt(sealed, kHere);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("not in the key ring"));

  // A ring that has the old key under the same id decrypts it, while encrypting under the new one.
  absl::StatusOr<KeyRing> rotated =
      KeyRing::Single("old", old_key).WithNewActiveKey("new", SecretKey::Random());
  ASSERT_TRUE(rotated.ok());
  const FieldCipher new_cipher(*rotated);
  EXPECT_EQ(*new_cipher.Decrypt(sealed, kHere), "note text");
  EXPECT_EQ(*FieldCipher::KeyIdOf(new_cipher.Encrypt("x", kHere)), "new");

  // The same id with other key bytes fails.
  const FieldCipher impostor(KeyRing::Single("old", SecretKey::Random()));
  EXPECT_EQ(impostor.Decrypt(sealed, kHere).status().code(), absl::StatusCode::kInternal);
}

TEST(NormaliseNameTest, FoldsAccentsCaseAndSpacing) {
  EXPECT_EQ(*NormaliseName("José  MARÍA"), "jose maria");
  EXPECT_EQ(*NormaliseName("  jose\tmaria \n"), "jose maria");
  EXPECT_EQ(*NormaliseName("Ｊｏｓé Maria"), "jose maria");  // full-width letters (NFKD)
  EXPECT_EQ(*NormaliseName("Straße"), "strasse");
  EXPECT_EQ(*NormaliseName("Çağla Öztürk"), "cagla ozturk");
  EXPECT_EQ(*NormaliseName("فاطمة الزهراء"), *NormaliseName("فاطمة   الزهراء"));
  EXPECT_NE(*NormaliseName("Jose Maria"), *NormaliseName("Josef Maria"));
  EXPECT_NE(*NormaliseName("Jose Maria"), *NormaliseName("JoseMaria"));
  EXPECT_EQ(NormaliseName("\xff\xfe").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BlindIndexTest, StableForOneKeyDifferentForAnother) {
  const SecretKey key = SecretKey::Random();
  const BlindIndex index(key);
  const BlindIndex same_key(key);
  const BlindIndex other_key(SecretKey::Random());

  const std::string a = *index.NameIndex("José  MARÍA");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(*index.NameIndex("jose maria"), a);
  EXPECT_EQ(*same_key.NameIndex("Jose Maria"), a);
  EXPECT_NE(*other_key.NameIndex("José  MARÍA"), a);
  EXPECT_NE(*index.NameIndex("Jose Mario"), a);
  // Different purposes never share digests.
  EXPECT_NE(index.Digest("consular.request.v1", "jose maria"), a);
  EXPECT_EQ(index.Digest("d", "x"), index.Digest("d", "x"));
  EXPECT_NE(index.Digest("d", "x"), index.Digest("e", "x"));
}

// One person, her name written the ways it is written: one key.
TEST(NameSoundKeyTest, TransliterationsOfOneNameShareTheirKey) {
  const auto key = [](const char* name) { return NameSoundKey(*NormaliseName(name)); };
  EXPECT_EQ(key("El-Amrani"), "amrn");
  EXPECT_EQ(key("Elamrani"), "amrn");
  EXPECT_EQ(key("Al Amrani"), "amrn");
  EXPECT_EQ(key("Fatima El-Amrani"), key("Fatma Elamrani"));
  EXPECT_EQ(key("Mohamed"), "mhmd");
  EXPECT_EQ(key("Muhammad"), "mhmd");
  EXPECT_EQ(key("Mohammed Ouazzani"), key("Muhamad Wazani"));
  EXPECT_EQ(key("Abdelrahman"), key("Abd al-Rahman"));
  EXPECT_EQ(key("Abdul Rahman"), key("Abdelrahman"));
  EXPECT_EQ(key("Yılmaz"), key("Yilmaz"));
  EXPECT_EQ(key("Öztürk"), key("Ozturk"));
  EXPECT_EQ(key("Khadija"), key("Hadija"));
  EXPECT_EQ(key("Chaoui"), key("Shawi"));
  // Different people stay apart.
  EXPECT_NE(key("Fatima El-Amrani"), key("Fatima Benali"));
  EXPECT_NE(key("Amina Example"), key("Samira Example"));
  EXPECT_EQ(key(""), "");
}

TEST(BlindIndexTest, NameBirthAndSoundIndexes) {
  const BlindIndex index(SecretKey::Random());
  const std::string name_birth = *index.NameBirthIndex("Fatima El-Amrani", "1990-04-02");
  EXPECT_EQ(name_birth.size(), 32u);
  EXPECT_EQ(*index.NameBirthIndex("fatima  el-amrani", "1990-04-02"), name_birth);
  EXPECT_NE(*index.NameBirthIndex("Fatima El-Amrani", "1990-04-03"), name_birth);
  EXPECT_NE(*index.NameBirthIndex("Fatima Elamrani", "1990-04-02"), name_birth);
  EXPECT_NE(*index.NameIndex("Fatima El-Amrani"), name_birth);
  EXPECT_EQ(*index.SoundIndex("Fatima Elamrani"), *index.SoundIndex("Fatma Al Amrani"));
  EXPECT_EQ(*index.SoundBirthIndex("Fatima Elamrani", "1990-04-02"),
            *index.SoundBirthIndex("Fatma Al Amrani", "1990-04-02"));
  EXPECT_NE(*index.SoundBirthIndex("Fatima Elamrani", "1990-04-02"),
            *index.SoundIndex("Fatima Elamrani"));
  EXPECT_FALSE(index.SoundIndex("\xff").ok());
}

}  // namespace
}  // namespace consular

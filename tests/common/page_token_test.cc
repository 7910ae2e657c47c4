// Page tokens are signed: only cursors this server issued are accepted.
#include "services/common/page_token.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/common/files.h"

namespace consular {
namespace {

TEST(PageTokenTest, ATokenRoundTripsForItsListingAndFilters) {
  const std::string token = EncodePageToken("cases", "country=MA", {"1700000000000000", "abc"});
  absl::StatusOr<std::vector<std::string>> cursor =
      DecodePageToken(token, "cases", "country=MA", 2);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_EQ(*cursor, (std::vector<std::string>{"1700000000000000", "abc"}));
  EXPECT_EQ(DecodePageToken(token, "notes", "country=MA", 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken(token, "cases", "country=TN", 2).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, AlteredTruncatedAndForgedTokensAreInvalidArgument) {
  const std::string token = EncodePageToken("cases", "", {"1700000000000000", "abc"});
  std::string plain;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &plain));
  std::vector<std::string> bad;
  // Each byte flipped in turn: the MAC and the payload alike.
  for (size_t i = 0; i < plain.size(); ++i) {
    std::string altered = plain;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    bad.push_back(absl::WebSafeBase64Escape(altered));
  }
  bad.push_back(token.substr(0, token.size() - 2));
  bad.push_back(absl::WebSafeBase64Escape(plain.substr(16)));  // the payload without its MAC
  bad.push_back(absl::WebSafeBase64Escape("p1|cases|0000000000000000|-9223372036854775808|x"));
  bad.push_back(absl::WebSafeBase64Escape("p2|cases|0000000000000000|1|2"));  // before issue times
  bad.push_back("");
  bad.push_back("!!!");
  for (const std::string& forged : bad) {
    const absl::Status status = DecodePageToken(forged, "cases", "", 2).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << forged;
    EXPECT_EQ(status.message().substr(0, 11), "page_token:") << status;
  }
}

TEST(PageTokenTest, AnotherKeyDoesNotAcceptTheToken) {
  ASSERT_TRUE(SetPageTokenKey(std::string(32, 'a')).ok());
  const std::string token = EncodePageToken("cases", "", {"1", "2"});
  ASSERT_TRUE(DecodePageToken(token, "cases", "", 2).ok());
  // A replica with the same key accepts it; one with another key does not.
  ASSERT_TRUE(SetPageTokenKey(std::string(32, 'b')).ok());
  EXPECT_EQ(DecodePageToken(token, "cases", "", 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(SetPageTokenKey(std::string(32, 'a')).ok());
  EXPECT_TRUE(DecodePageToken(token, "cases", "", 2).ok());
  EXPECT_EQ(SetPageTokenKey("short").code(), absl::StatusCode::kInvalidArgument);
}


TEST(PageTokenTest, ATokenExpiresItsLifetimeAfterItWasIssued) {
  ManualClock clock(absl::FromUnixSeconds(1800000000));
  SetPageTokenClock(&clock);
  ASSERT_TRUE(SetPageTokenLifetime(absl::Hours(24)).ok());
  const std::string token = EncodePageToken("cases", "", {"1", "2"});
  clock.Advance(absl::Hours(24));
  EXPECT_TRUE(DecodePageToken(token, "cases", "", 2).ok()) << "on the last second";
  clock.Advance(absl::Seconds(1));
  const absl::Status expired = DecodePageToken(token, "cases", "", 2).status();
  EXPECT_EQ(expired.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(expired.message(), "page_token: expired, start the listing again");
  // A shorter lifetime applies to tokens issued before it was set too.
  clock.Set(absl::FromUnixSeconds(1800000000) + absl::Hours(2));
  ASSERT_TRUE(SetPageTokenLifetime(absl::Hours(1)).ok());
  EXPECT_EQ(DecodePageToken(token, "cases", "", 2).status().message(),
            "page_token: expired, start the listing again");
  // Nor is a token from well in the future (another replica's clock far ahead) accepted.
  clock.Set(absl::FromUnixSeconds(1800000000) - absl::Minutes(10));
  EXPECT_FALSE(DecodePageToken(token, "cases", "", 2).ok());
  EXPECT_EQ(SetPageTokenLifetime(absl::ZeroDuration()).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(SetPageTokenLifetime(kDefaultPageTokenLifetime).ok());
  SetPageTokenClock(nullptr);
}

// Rotation: the new key first, the old one after it, for as long as tokens signed with it may
// still be in use; then the old key goes.
TEST(PageTokenTest, RotatedKeysSignWithTheFirstAndVerifyWithAny) {
  const std::string old_key(32, 'o');
  const std::string new_key(40, 'n');
  ASSERT_TRUE(SetPageTokenKeys({old_key}).ok());
  const std::string before = EncodePageToken("cases", "", {"1", "2"});
  ASSERT_TRUE(SetPageTokenKeys({new_key, old_key}).ok());
  EXPECT_TRUE(DecodePageToken(before, "cases", "", 2).ok()) << "a listing in progress goes on";
  const std::string after = EncodePageToken("cases", "", {"1", "2"});
  ASSERT_TRUE(SetPageTokenKeys({new_key}).ok());
  EXPECT_TRUE(DecodePageToken(after, "cases", "", 2).ok()) << "signed with the new key";
  EXPECT_EQ(DecodePageToken(before, "cases", "", 2).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "the old key removed";
  EXPECT_EQ(SetPageTokenKeys({}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetPageTokenKeys({new_key, "short"}).code(), absl::StatusCode::kInvalidArgument);
}

std::string WriteTemp(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(content.data(), 1, content.size(), f);
  std::fclose(f);
  return path;
}

TEST(PageTokenTest, AKeyFileHoldsKeysOneALineOrOneBinaryKey) {
  const std::string current = "c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee";  // 42 characters
  const std::string previous = "5eed5eed5eed5eed5eed5eed5eed5eed5eed";        // 36 characters
  ASSERT_TRUE(SetPageTokenKeys({previous}).ok());
  const std::string old_token = EncodePageToken("cases", "", {"1", "2"});
  ASSERT_TRUE(SetPageTokenKeys({current}).ok());
  const std::string new_token = EncodePageToken("cases", "", {"1", "2"});

  const std::string list = WriteTemp(
      "page-token-keys", "# current first\n  " + current + "  \r\n\n" + previous + "\n");
  ASSERT_TRUE(LoadPageTokenKeyFile(list).ok());
  EXPECT_TRUE(DecodePageToken(old_token, "cases", "", 2).ok());
  EXPECT_TRUE(DecodePageToken(new_token, "cases", "", 2).ok());
  ASSERT_TRUE(SetPageTokenKeys({current}).ok());
  EXPECT_TRUE(DecodePageToken(EncodePageToken("cases", "", {"3", "4"}), "cases", "", 2).ok())
      << "what the file's first key signed verifies under the current key alone";

  // Raw bytes, with a line break among them, are one key, as before.
  std::string binary(32, '\x9f');
  binary[10] = '\n';
  ASSERT_TRUE(LoadPageTokenKeyFile(WriteTemp("page-token-binary", binary)).ok());
  const std::string binary_token = EncodePageToken("cases", "", {"1", "2"});
  ASSERT_TRUE(SetPageTokenKey(binary).ok());
  EXPECT_TRUE(DecodePageToken(binary_token, "cases", "", 2).ok());

  const absl::Status short_line =
      LoadPageTokenKeyFile(WriteTemp("page-token-short", current + "\nshort\n"));
  EXPECT_EQ(short_line.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(short_line.message().find("line 2"), absl::string_view::npos) << short_line;
  EXPECT_FALSE(LoadPageTokenKeyFile(WriteTemp("page-token-empty", "# nothing\n")).ok());
}

}  // namespace
}  // namespace consular

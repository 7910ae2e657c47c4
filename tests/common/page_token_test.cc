// Page tokens are signed: only cursors this server issued are accepted.
#include "services/common/page_token.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/escaping.h"

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

}  // namespace
}  // namespace consular

#include "tools/consularctl/secrets.h"

#include <gtest/gtest.h>

namespace consular::ctl {
namespace {

TEST(PasswordFromTextTest, OneTrailingNewlineIsNotPartOfThePassword) {
  EXPECT_EQ(*PasswordFromText("correct horse battery\n", "--password-file"),
            "correct horse battery");
  EXPECT_EQ(*PasswordFromText("correct horse battery\r\n", "--password-file"),
            "correct horse battery");
  EXPECT_EQ(*PasswordFromText("  spaces count  ", "--password-file"), "  spaces count  ");
}

TEST(PasswordFromTextTest, EmptyOrSeveralLinesIsRefusedNamingTheSource) {
  for (const std::string text : {"", "\n", "first line\nsecond line\n"}) {
    const absl::StatusOr<std::string> password = PasswordFromText(text, "--password-file");
    ASSERT_FALSE(password.ok()) << text;
    EXPECT_EQ(password.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(password.status().message().substr(0, 16), "--password-file:");
  }
}

TEST(ReadPasswordFileTest, AMissingFileIsNamed) {
  const absl::StatusOr<std::string> password =
      ReadPasswordFile("/nonexistent/password", "--password-file");
  ASSERT_FALSE(password.ok());
  EXPECT_NE(password.status().message().find("/nonexistent/password"), std::string::npos);
}

}  // namespace
}  // namespace consular::ctl

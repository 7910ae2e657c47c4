// The shared server flags after parsing (FinishServerFlags): the database password file.

#include "services/common/server_flags.h"

#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_crypto.h"

namespace consular {
namespace {

using consular::testing::GenerateEcKeyPair;
using consular::testing::WriteTempFile;
using ::testing::HasSubstr;

// Parses `args` (after the program name) into the shared flags, with a development token key,
// and finishes them.
absl::Status ParseAndFinish(std::vector<std::string> args) {
  static const std::string* const key_file =
      new std::string(WriteTempFile("token-public.pem", GenerateEcKeyPair().public_pem));
  args.insert(args.end(), {"--dsn", "dbname=consular", "--token-public-keys", *key_file});
  CLI::App app{"test server"};
  ServerFlags flags;
  AddServerFlags(app, "CONSULAR_", &flags);
  std::vector<const char*> argv = {"consular-cases"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return FinishServerFlags(&flags).status();
}

class DatabasePasswordFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("PGPASSWORD");
    ::unsetenv("CONSULAR_DATABASE_PASSWORD_FILE");
  }
  void TearDown() override { SetUp(); }
};

TEST_F(DatabasePasswordFileTest, ItsFirstLineIsThePasswordLibpqUses) {
  const std::string file = WriteTempFile("database-password", " s3cret pass \nsecond line\n");
  ASSERT_TRUE(ParseAndFinish({"--database-password-file", file}).ok());
  ASSERT_NE(::getenv("PGPASSWORD"), nullptr);
  EXPECT_EQ(std::string(::getenv("PGPASSWORD")), " s3cret pass ");
}

TEST_F(DatabasePasswordFileTest, ItMayComeFromTheEnvironmentAndEndInCarriageReturn) {
  const std::string file = WriteTempFile("database-password-crlf", "s3cret\r\n");
  ::setenv("CONSULAR_DATABASE_PASSWORD_FILE", file.c_str(), 1);
  ASSERT_TRUE(ParseAndFinish({}).ok());
  ASSERT_NE(::getenv("PGPASSWORD"), nullptr);
  EXPECT_EQ(std::string(::getenv("PGPASSWORD")), "s3cret");
}

TEST_F(DatabasePasswordFileTest, AnEmptyFileMeansNoPassword) {
  const std::string file = WriteTempFile("database-password-empty", "");
  ASSERT_TRUE(ParseAndFinish({"--database-password-file", file}).ok());
  EXPECT_EQ(::getenv("PGPASSWORD"), nullptr);
}

TEST_F(DatabasePasswordFileTest, AMissingFileStopsTheServerNamingIt) {
  const absl::Status status =
      ParseAndFinish({"--database-password-file", "/nonexistent/database-password"});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr("/nonexistent/database-password"));
}

}  // namespace
}  // namespace consular

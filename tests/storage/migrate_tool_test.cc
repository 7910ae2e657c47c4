// Runs the consular-migrate binary against a test database.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "storage/migrations.h"
#include "tests/support/test_database.h"

namespace consular::storage {
namespace {

using ::consular::testing::TestDatabase;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

struct ToolResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

std::string ShellQuote(const std::string& text) {
  return "'" + absl::StrReplaceAll(text, {{"'", "'\\''"}}) + "'";
}

// Runs consular-migrate with `arguments` (already shell-quoted) and
// CONSULAR_DSN=`env_dsn` (unset if empty).
ToolResult RunTool(const std::string& arguments,
                   const std::string& env_dsn = "") {
  const std::string env = env_dsn.empty()
                              ? "env -u CONSULAR_DSN"
                              : "env CONSULAR_DSN=" + ShellQuote(env_dsn);
  const std::string command = absl::StrCat(
      env, " ", ShellQuote(CONSULAR_MIGRATE_BINARY), " ", arguments, " 2>&1");
  ToolResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t read;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    result.output.append(buffer, read);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(MigrateToolTest, AppliesListsAndIsIdempotent) {
  auto db = TestDatabase::CreateUnmigrated();
  const std::string dsn = ShellQuote(db->dsn());

  ToolResult list = RunTool("--list --dsn " + dsn);
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, ContainsRegex("0001 +cases +pending"));

  ToolResult apply = RunTool("--dsn " + dsn);
  EXPECT_EQ(apply.exit_code, 0) << apply.output;
  EXPECT_THAT(apply.output, HasSubstr("applied 0001_cases"));
  EXPECT_EQ(db->QueryScalar("SELECT count(*) FROM public.schema_migrations"),
            std::to_string(EmbeddedMigrations().size()));

  // The DSN from the environment works the same; nothing is left to apply.
  ToolResult again = RunTool("", db->dsn());
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("nothing to apply"));

  list = RunTool("--list", db->dsn());
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, ContainsRegex("0001 +cases +applied [0-9]{4}-"));
}

TEST(MigrateToolTest, ListShowsChecksumMismatch) {
  auto db = TestDatabase::Create();
  db->QueryScalar(
      "UPDATE public.schema_migrations SET checksum = 'x' WHERE version = "
      "'0001'");
  ToolResult list = RunTool("--list --dsn " + ShellQuote(db->dsn()));
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("CHECKSUM MISMATCH"));
  ToolResult apply = RunTool("--dsn " + ShellQuote(db->dsn()));
  EXPECT_EQ(apply.exit_code, 1) << apply.output;
  EXPECT_THAT(apply.output, HasSubstr("FAILED_PRECONDITION"));
}

TEST(MigrateToolTest, CheckPassesOnlyWhenTheSchemaIsExactlyTheBinarys) {
  auto db = TestDatabase::CreateUnmigrated();
  const std::string dsn = ShellQuote(db->dsn());

  ToolResult empty = RunTool("--check --dsn " + dsn);
  EXPECT_EQ(empty.exit_code, 1) << empty.output;
  EXPECT_THAT(empty.output, ContainsRegex("0001 +cases +MISSING: not applied"));
  EXPECT_THAT(empty.output, HasSubstr("schema does NOT match"));
  EXPECT_EQ(db->QueryScalar("SELECT to_regclass('public.schema_migrations') IS NULL"), "t")
      << "--check changes nothing";

  ASSERT_EQ(RunTool("--dsn " + dsn).exit_code, 0);
  ToolResult match = RunTool("--check", db->dsn());
  EXPECT_EQ(match.exit_code, 0) << match.output;
  EXPECT_THAT(match.output,
              HasSubstr(absl::StrCat("schema matches the ", EmbeddedMigrations().size(),
                                     " migrations of this binary (0001 to ")));

  // A migration whose file changed after it was applied, and one missing.
  const std::string last = EmbeddedMigrations().back().version;
  db->QueryScalar(
      "UPDATE public.schema_migrations SET checksum = 'x' WHERE version = '0002'");
  db->QueryScalar(
      absl::StrCat("DELETE FROM public.schema_migrations WHERE version = '", last, "'"));
  ToolResult drift = RunTool("--check --dsn " + dsn);
  EXPECT_EQ(drift.exit_code, 1) << drift.output;
  EXPECT_THAT(drift.output, ContainsRegex("0002 +[a-z_]+ +CHECKSUM DIFFERS: applied with x,"));
  EXPECT_THAT(drift.output, ContainsRegex(last + " +[a-z_0-9]+ +MISSING: not applied"));
  EXPECT_THAT(drift.output, HasSubstr("2 difference(s)"));

  // One recorded by a newer binary: a restored schema this binary does not know.
  db->QueryScalar(
      "INSERT INTO public.schema_migrations (version, name, checksum) VALUES "
      "('9999', 'future', 'y')");
  ToolResult newer = RunTool("--check --dsn " + dsn);
  EXPECT_EQ(newer.exit_code, 1) << newer.output;
  EXPECT_THAT(newer.output, ContainsRegex("9999 +future +UNKNOWN: applied, but not a migration"));

  ToolResult both = RunTool("--check --list --dsn " + dsn);
  EXPECT_EQ(both.exit_code, 2) << both.output;
}

TEST(MigrateToolTest, FailsClearlyWithoutOrWithABadDatabase) {
  ToolResult missing = RunTool("");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("--dsn"));

  ToolResult unreachable = RunTool(
      "--dsn " +
      ShellQuote("host=/nonexistent/consular-socket port=5439 dbname=x"));
  EXPECT_EQ(unreachable.exit_code, 1) << unreachable.output;
  EXPECT_THAT(unreachable.output, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(unreachable.output, HasSubstr("cannot connect"));
}

}  // namespace
}  // namespace consular::storage

#include "storage/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/support/test_database.h"

namespace consular::storage {
namespace {

using ::consular::testing::TestDatabase;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Migrations that fail if run twice (CREATE TABLE without IF NOT EXISTS, a
// plain INSERT).
std::vector<Migration> NonIdempotentMigrations() {
  return {
      {"0001", "tally", "CREATE TABLE tally (n integer NOT NULL);"},
      {"0002", "first_row", "INSERT INTO tally VALUES (1);"},
      {"0003", "second_row", "INSERT INTO tally SELECT n + 1 FROM tally;"},
  };
}

int CountRecorded(const TestDatabase& db) {
  return std::stoi(
      db.QueryScalar("SELECT count(*) FROM public.schema_migrations"));
}

TEST(MigrationsTest, AppliesEmbeddedMigrationsOnceAndRecordsThem) {
  auto db = TestDatabase::CreateUnmigrated();
  const std::vector<Migration>& embedded = EmbeddedMigrations();

  absl::StatusOr<int> applied = ApplyMigrations(db->dsn());
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, static_cast<int>(embedded.size()));
  EXPECT_EQ(db->QueryScalar("SELECT to_regclass('cases.cases') IS NOT NULL"),
            "t");
  EXPECT_EQ(CountRecorded(*db), static_cast<int>(embedded.size()));
  EXPECT_EQ(db->QueryScalar(
                "SELECT name || ' ' || checksum FROM public.schema_migrations "
                "WHERE version = '0001'"),
            "cases " + MigrationChecksum(embedded.front()));

  absl::StatusOr<int> again = ApplyMigrations(db->dsn());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(CountRecorded(*db), static_cast<int>(embedded.size()));
}

TEST(MigrationsTest, AppliesOnlyWhatIsPendingInOrderAndReportsEach) {
  auto db = TestDatabase::CreateUnmigrated();
  std::vector<Migration> migrations = NonIdempotentMigrations();
  const std::vector<Migration> first_two(migrations.begin(),
                                         migrations.begin() + 2);
  std::vector<std::string> reported;
  auto report = [&](const Migration& migration) {
    reported.push_back(migration.version);
  };

  absl::StatusOr<int> applied = ApplyMigrations(db->dsn(), first_two, report);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 2);
  applied = ApplyMigrations(db->dsn(), migrations, report);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 1);
  EXPECT_THAT(reported, ElementsAre("0001", "0002", "0003"));
  EXPECT_EQ(
      db->QueryScalar("SELECT string_agg(n::text, ',' ORDER BY n) FROM tally"),
      "1,2");
}

TEST(MigrationsTest, ConcurrentRunsApplyEachMigrationExactlyOnce) {
  constexpr int kRunners = 4;
  for (int round = 0; round < 3; ++round) {
    auto db = TestDatabase::CreateUnmigrated();
    std::vector<Migration> migrations = NonIdempotentMigrations();
    // The embedded ones too, in the same run: they are not idempotent either.
    for (const Migration& embedded : EmbeddedMigrations()) {
      Migration copy = embedded;
      copy.version = "1" + copy.version.substr(1);
      migrations.push_back(copy);
    }
    absl::Mutex mu;
    int ready = 0;
    std::vector<absl::StatusOr<int>> results(kRunners, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < kRunners; ++i) {
      threads.emplace_back([&, i] {
        {
          absl::MutexLock lock(&mu);
          ++ready;
          auto all_ready = [&ready]() { return ready == kRunners; };
          mu.AwaitWithTimeout(absl::Condition(&all_ready), absl::Seconds(20));
        }
        results[i] = ApplyMigrations(db->dsn(), migrations, nullptr);
      });
    }
    for (std::thread& thread : threads) thread.join();
    int total = 0;
    for (const absl::StatusOr<int>& result : results) {
      ASSERT_TRUE(result.ok()) << result.status();
      total += *result;
    }
    EXPECT_EQ(total, static_cast<int>(migrations.size())) << "round " << round;
    EXPECT_EQ(CountRecorded(*db), static_cast<int>(migrations.size()));
    EXPECT_EQ(db->QueryScalar(
                  "SELECT string_agg(n::text, ',' ORDER BY n) FROM tally"),
              "1,2");
  }
}

TEST(MigrationsTest, RecordedChecksumMismatchIsFailedPrecondition) {
  auto db = TestDatabase::Create();
  db->QueryScalar(
      "UPDATE public.schema_migrations SET checksum = repeat('0', 64) WHERE "
      "version = '0001'");
  absl::StatusOr<int> applied = ApplyMigrations(db->dsn());
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(applied.status().message()), HasSubstr("0001_cases"));
}

TEST(MigrationsTest,
     ChangedMigrationIsFailedPreconditionAndNothingElseIsApplied) {
  auto db = TestDatabase::CreateUnmigrated();
  std::vector<Migration> migrations = NonIdempotentMigrations();
  ASSERT_TRUE(ApplyMigrations(db->dsn(), {migrations[0]}, nullptr).ok());
  migrations[0].sql = "CREATE TABLE tally (n bigint NOT NULL);";
  absl::StatusOr<int> applied = ApplyMigrations(db->dsn(), migrations, nullptr);
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(applied.status().message()), HasSubstr("0001_tally"));
  EXPECT_EQ(CountRecorded(*db), 1);
  EXPECT_EQ(db->QueryScalar("SELECT count(*) FROM tally"), "0");
}

TEST(MigrationsTest, FailingMigrationIsRolledBackAndStopsTheRun) {
  auto db = TestDatabase::CreateUnmigrated();
  std::vector<Migration> migrations = {
      {"0001", "a", "CREATE TABLE a (x integer);"},
      {"0002", "b", "CREATE TABLE b (x integer);\nSELECT 1 / 0;"},
      {"0003", "c", "CREATE TABLE c (x integer);"},
  };
  absl::StatusOr<int> applied = ApplyMigrations(db->dsn(), migrations, nullptr);
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(applied.status().message()), HasSubstr("0002_b"));
  EXPECT_THAT(std::string(applied.status().message()),
              HasSubstr("division by zero"));
  EXPECT_EQ(
      db->QueryScalar(
          "SELECT string_agg(version, ',') FROM public.schema_migrations"),
      "0001");
  EXPECT_EQ(db->QueryScalar("SELECT to_regclass('a') IS NOT NULL"), "t");
  EXPECT_EQ(db->QueryScalar("SELECT to_regclass('b') IS NOT NULL"), "f");
  EXPECT_EQ(db->QueryScalar("SELECT to_regclass('c') IS NOT NULL"), "f");

  // The advisory lock was released: once fixed, the rest applies.
  migrations[1].sql = "CREATE TABLE b (x integer);";
  applied = ApplyMigrations(db->dsn(), migrations, nullptr);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 2);
}

TEST(MigrationsTest, RecordedVersionsMissingFromTheBinary) {
  auto db = TestDatabase::Create();
  // Newer than every embedded migration: a newer binary applied it; this one
  // leaves it alone.
  db->QueryScalar(
      "INSERT INTO public.schema_migrations (version, name, checksum) "
      "VALUES ('9999', 'future', 'x')");
  absl::StatusOr<int> applied = ApplyMigrations(db->dsn());
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 0);

  // Older than the newest embedded one but unknown to this binary: refuse.
  db->QueryScalar(
      "INSERT INTO public.schema_migrations (version, name, checksum) "
      "VALUES ('0000', 'unknown', 'x')");
  applied = ApplyMigrations(db->dsn());
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(applied.status().message()),
              HasSubstr("0000_unknown"));
}

TEST(MigrationsTest, ListAppliedMigrations) {
  auto db = TestDatabase::CreateUnmigrated();
  absl::StatusOr<std::vector<AppliedMigration>> before =
      ListAppliedMigrations(db->dsn());
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_TRUE(before->empty());

  const absl::Time start = absl::Now();
  ASSERT_TRUE(ApplyMigrations(db->dsn()).ok());
  absl::StatusOr<std::vector<AppliedMigration>> after =
      ListAppliedMigrations(db->dsn());
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->size(), EmbeddedMigrations().size());
  EXPECT_EQ(after->front().version, "0001");
  EXPECT_EQ(after->front().name, "cases");
  EXPECT_EQ(after->front().checksum,
            MigrationChecksum(EmbeddedMigrations().front()));
  // Generous bounds: the server's clock is this machine's.
  EXPECT_GT(after->front().applied_at, start - absl::Minutes(1));
  EXPECT_LT(after->front().applied_at, absl::Now() + absl::Minutes(1));
}

}  // namespace
}  // namespace consular::storage

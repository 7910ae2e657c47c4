// Storage tests that need no database server.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <pqxx/except>
#include <sstream>
#include <stdexcept>
#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/connection_pool.h"
#include "storage/migrations.h"
#include "storage/transaction_runner.h"

namespace consular::storage {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// A socket directory that does not exist: connecting fails at once, like a
// stopped server.
constexpr char kUnreachableDsn[] =
    "host=/nonexistent/consular-test-socket port=5439 user=postgres "
    "dbname=postgres";

constexpr char kCorrelationIdPattern[] = "correlation id [0-9a-f]{16}$";

// Returns the status for `e` and what StatusFromException wrote to stderr
// meanwhile.
std::pair<absl::Status, std::string> MapCapturingStderr(
    const std::exception& e) {
  ::testing::internal::CaptureStderr();
  absl::Status status = StatusFromException(e);
  return {status, ::testing::internal::GetCapturedStderr()};
}

std::string CorrelationId(const absl::Status& status) {
  const std::string message(status.message());
  const size_t at = message.rfind(' ');
  return at == std::string::npos ? "" : message.substr(at + 1);
}

TEST(StatusFromExceptionTest, BrokenConnectionIsUnavailable) {
  auto [status, log] = MapCapturingStderr(
      pqxx::broken_connection("server closed the connection"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("server closed")));
  EXPECT_THAT(log, HasSubstr(CorrelationId(status)));
  EXPECT_THAT(log, HasSubstr("server closed the connection"));
}

TEST(StatusFromExceptionTest, TooManyConnectionsIsUnavailable) {
  EXPECT_EQ(
      StatusFromException(pqxx::too_many_connections("sorry, too many clients"))
          .code(),
      absl::StatusCode::kUnavailable);
}

TEST(StatusFromExceptionTest, InDoubtCommitIsUnavailable) {
  auto [status, log] =
      MapCapturingStderr(pqxx::in_doubt_error("lost connection during COMMIT"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(log, HasSubstr(CorrelationId(status)));
  EXPECT_THAT(log, HasSubstr("lost connection during COMMIT"));
}

TEST(StatusFromExceptionTest, SqlErrorIsInternalWithDetailOnlyInTheLog) {
  auto [status, log] = MapCapturingStderr(
      pqxx::syntax_error("ERROR:  syntax error at or near \"SELEC\"",
                         "SELEC secret_column FROM t", "42601"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(
      std::string(status.message()),
      ContainsRegex(std::string("^internal error, ") + kCorrelationIdPattern));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("SELEC")));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("42601")));
  EXPECT_THAT(log, HasSubstr(CorrelationId(status)));
  EXPECT_THAT(log, HasSubstr("42601"));
  EXPECT_THAT(log, HasSubstr("syntax error at or near"));
}

TEST(StatusFromExceptionTest, UniqueViolationIsInternal) {
  EXPECT_EQ(StatusFromException(
                pqxx::unique_violation("duplicate key", "INSERT ...", "23505"))
                .code(),
            absl::StatusCode::kInternal);
}

TEST(StatusFromExceptionTest, QueryCanceledIsDeadlineExceeded) {
  EXPECT_EQ(StatusFromException(
                pqxx::sql_error("canceling statement due to statement timeout",
                                "SELECT", "57014"))
                .code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST(StatusFromExceptionTest, ServerShutdownStatesAreUnavailable) {
  for (const char* state : {"57P01", "57P02", "57P03", "08006", "08001"}) {
    EXPECT_EQ(
        StatusFromException(pqxx::sql_error("shutting down", "", state)).code(),
        absl::StatusCode::kUnavailable)
        << state;
  }
}

TEST(StatusFromExceptionTest, SerializationFailureAndDeadlockAreAborted) {
  EXPECT_EQ(
      StatusFromException(pqxx::serialization_failure("could not serialize"))
          .code(),
      absl::StatusCode::kAborted);
  EXPECT_EQ(
      StatusFromException(pqxx::deadlock_detected("deadlock detected")).code(),
      absl::StatusCode::kAborted);
}

TEST(StatusFromExceptionTest, OtherExceptionsAreInternal) {
  auto [status, log] =
      MapCapturingStderr(std::runtime_error("something odd: ssn 123"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("ssn")));
  EXPECT_THAT(log, HasSubstr("something odd: ssn 123"));
  EXPECT_THAT(log, HasSubstr(CorrelationId(status)));
}

TEST(StatusFromExceptionTest, CorrelationIdsDiffer) {
  const std::runtime_error error("x");
  ::testing::internal::CaptureStderr();
  const absl::Status first = StatusFromException(error);
  const absl::Status second = StatusFromException(error);
  ::testing::internal::GetCapturedStderr();
  EXPECT_NE(first.message(), second.message());
}

TEST(ConnectionPoolUnitTest, UnreachableDatabaseIsUnavailable) {
  ConnectionPool pool({kUnreachableDsn, 2});
  ::testing::internal::CaptureStderr();
  absl::StatusOr<ConnectionPool::Lease> lease =
      pool.Acquire(absl::Now() + absl::Seconds(10));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kUnavailable);
  // Where the database lives stays in the server log.
  EXPECT_THAT(std::string(lease.status().message()),
              Not(HasSubstr("nonexistent")));
  EXPECT_THAT(log, HasSubstr("nonexistent/consular-test-socket"));
  EXPECT_EQ(pool.OpenConnections(), 0);
  // The failed attempt gave its slot back: both slots can still be tried.
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(pool.Acquire(absl::Now() + absl::Seconds(10)).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(pool.Acquire(absl::Now() + absl::Seconds(10)).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(pool.Acquire(absl::Now() + absl::Seconds(10)).status().code(),
            absl::StatusCode::kUnavailable);
  ::testing::internal::GetCapturedStderr();
}

// A Unix socket where a "server" accepts connections into its backlog but never
// answers: libpq connects and then waits for the server's reply, as with a hung
// or unreachable server.
class SilentServer {
 public:
  SilentServer() {
    char dir_template[] = "/tmp/consular-silent-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) return;
    dir_ = dir_template;
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = dir_ + "/.s.PGSQL.5439";
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
            0 ||
        listen(fd_, 16) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~SilentServer() {
    if (fd_ >= 0) close(fd_);
    if (!dir_.empty()) {
      unlink((dir_ + "/.s.PGSQL.5439").c_str());
      rmdir(dir_.c_str());
    }
  }
  bool ok() const { return fd_ >= 0; }
  std::string dsn() const {
    return "host=" + dir_ + " port=5439 user=postgres dbname=postgres";
  }

 private:
  std::string dir_;
  int fd_ = -1;
};

TEST(ConnectionPoolUnitTest, ConnectingIsBoundedByConnectTimeout) {
  SilentServer server;
  ASSERT_TRUE(server.ok());
  PoolOptions options{server.dsn(), 1};
  options.connect_timeout = absl::Seconds(2);
  ConnectionPool pool(options);
  ::testing::internal::CaptureStderr();
  // No deadline: only connect_timeout ends the wait (unbounded, this would run into the test's
  // 60 s timeout).
  absl::StatusOr<ConnectionPool::Lease> lease =
      pool.Acquire(absl::InfiniteFuture());
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(log, HasSubstr("timeout"));
}

TEST(ConnectionPoolUnitTest, ConnectingIsBoundedByTheDeadline) {
  SilentServer server;
  ASSERT_TRUE(server.ok());
  // A connect_timeout of an hour: only the deadline (2 s, libpq's minimum) can end the wait
  // within the test's 60 s timeout.
  PoolOptions options{server.dsn(), 1};
  options.connect_timeout = absl::Hours(1);
  ConnectionPool pool(options);
  ::testing::internal::CaptureStderr();
  absl::StatusOr<ConnectionPool::Lease> lease =
      pool.Acquire(absl::Now() + absl::Seconds(2));
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kUnavailable);
}

TEST(ConnectionPoolUnitTest, MalformedDsnIsFailedPrecondition) {
  ConnectionPool pool({"this is not a conninfo", 2});
  EXPECT_EQ(pool.Acquire(absl::Now() + absl::Seconds(1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(TransactionRunnerUnitTest,
     UnreachableDatabaseIsUnavailableAndWorkDoesNotRun) {
  ConnectionPool pool({kUnreachableDsn, 2});
  TransactionRunner runner(&pool);
  int calls = 0;
  ::testing::internal::CaptureStderr();
  absl::Status status =
      runner.Run(absl::Now() + absl::Seconds(10), [&](pqxx::transaction_base&) {
        ++calls;
        return absl::OkStatus();
      });
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(calls, 0);
}

TEST(TransactionRunnerUnitTest,
     PassedDeadlineIsDeadlineExceededWithoutTouchingTheDatabase) {
  // An unreachable database would give UNAVAILABLE if the runner tried to
  // connect.
  ConnectionPool pool({kUnreachableDsn, 2});
  TransactionRunner runner(&pool);
  int calls = 0;
  auto work = [&](pqxx::transaction_base&) {
    ++calls;
    return absl::OkStatus();
  };
  EXPECT_EQ(runner.Run(absl::Now() - absl::Milliseconds(1), work).code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(runner.RunReadOnly(absl::InfinitePast(), work).code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(pool.OpenConnections(), 0);
}

TEST(MigrationsUnitTest, EmbeddedMigrationsMatchTheSourceFiles) {
  const std::vector<Migration>& migrations = EmbeddedMigrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().version, "0001");
  EXPECT_EQ(migrations.front().name, "cases");
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& migration = migrations[i];
    if (i > 0) {
      EXPECT_LT(migrations[i - 1].version, migration.version);
    }
    EXPECT_THAT(migration.version,
                ::testing::MatchesRegex("[0-9][0-9][0-9][0-9]"));
    const std::string path = std::string(CONSULAR_MIGRATIONS_SOURCE_DIR) + "/" +
                             migration.version + "_" + migration.name + ".sql";
    std::ifstream file(path, std::ios::binary);
    ASSERT_TRUE(file.good()) << path;
    std::stringstream contents;
    contents << file.rdbuf();
    EXPECT_EQ(migration.sql, contents.str()) << path;
  }
}

TEST(MigrationsUnitTest, ChecksumIsSha256OfTheSql) {
  EXPECT_EQ(MigrationChecksum({"0001", "x", ""}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(MigrationChecksum({"0001", "x", "abc"}),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(MigrationsUnitTest, UnreachableDatabaseIsUnavailable) {
  EXPECT_EQ(ApplyMigrations(kUnreachableDsn).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ListAppliedMigrations(kUnreachableDsn).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(MigrationsUnitTest, MigrationsOutOfOrderAreInvalidArgument) {
  const std::vector<Migration> migrations = {{"0002", "b", "SELECT 1"},
                                             {"0001", "a", "SELECT 1"}};
  EXPECT_EQ(
      ApplyMigrations(kUnreachableDsn, migrations, nullptr).status().code(),
      absl::StatusCode::kInvalidArgument);
}

// A database as the binary's migrations leave it.
std::vector<AppliedMigration> AppliedAs(const std::vector<Migration>& migrations) {
  std::vector<AppliedMigration> applied;
  for (const Migration& migration : migrations) {
    applied.push_back({migration.version, migration.name, MigrationChecksum(migration),
                       absl::UnixEpoch()});
  }
  return applied;
}

TEST(MigrationsUnitTest, CompareFindsNoDifferenceInAnUpToDateSchema) {
  const std::vector<Migration> migrations = {{"0001", "a", "SELECT 1"},
                                             {"0002", "b", "SELECT 2"}};
  EXPECT_TRUE(CompareMigrations(migrations, AppliedAs(migrations)).empty());
  EXPECT_TRUE(CompareMigrations({}, {}).empty());
}

TEST(MigrationsUnitTest, CompareNamesMissingChangedAndUnknownMigrationsInVersionOrder) {
  const std::vector<Migration> migrations = {{"0001", "a", "SELECT 1"},
                                             {"0002", "b", "SELECT 2"},
                                             {"0003", "c", "SELECT 3"}};
  std::vector<AppliedMigration> applied = AppliedAs(migrations);
  applied.erase(applied.begin() + 2);  // 0003 not applied
  applied[0].checksum = "feed";        // 0001 changed after it was applied
  applied.push_back({"0000", "old", "beef", absl::UnixEpoch()});  // not in the binary
  applied.push_back({"0009", "newer", "cafe", absl::UnixEpoch()});

  const std::vector<MigrationDifference> differences = CompareMigrations(migrations, applied);
  ASSERT_EQ(differences.size(), 4u);
  EXPECT_EQ(differences[0].version, "0000");
  EXPECT_EQ(differences[0].kind, MigrationDifferenceKind::kNotInBinary);
  EXPECT_EQ(differences[0].recorded_checksum, "beef");
  EXPECT_EQ(differences[1].version, "0001");
  EXPECT_EQ(differences[1].kind, MigrationDifferenceKind::kChecksumDiffers);
  EXPECT_EQ(differences[1].recorded_checksum, "feed");
  EXPECT_EQ(differences[1].binary_checksum, MigrationChecksum(migrations[0]));
  EXPECT_EQ(differences[2].version, "0003");
  EXPECT_EQ(differences[2].name, "c");
  EXPECT_EQ(differences[2].kind, MigrationDifferenceKind::kNotApplied);
  EXPECT_EQ(differences[3].version, "0009");
  EXPECT_EQ(differences[3].kind, MigrationDifferenceKind::kNotInBinary);
}

TEST(MigrationsUnitTest, CompareCountsEveryMigrationOfAnEmptyDatabaseAsMissing) {
  const std::vector<Migration> migrations = {{"0001", "a", "SELECT 1"},
                                             {"0002", "b", "SELECT 2"}};
  const std::vector<MigrationDifference> differences = CompareMigrations(migrations, {});
  ASSERT_EQ(differences.size(), 2u);
  EXPECT_EQ(differences[0].kind, MigrationDifferenceKind::kNotApplied);
  EXPECT_EQ(differences[1].kind, MigrationDifferenceKind::kNotApplied);
}

}  // namespace
}  // namespace consular::storage

#include "tests/support/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/conninfo.h"
#include "storage/migrations.h"

namespace consular::testing {
namespace {

constexpr char kServerVariable[] = "CONSULAR_TEST_PG";
constexpr absl::Duration kConnectTimeout = absl::Seconds(10);

std::string ServerConninfo() {
  const char* value = std::getenv(kServerVariable);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(absl::StrCat(
        kServerVariable,
        " is not set: this test needs a PostgreSQL server. Run the tests with "
        "ops/test.sh (see "
        "README), which starts one, or set ",
        kServerVariable,
        " to the libpq conninfo of a role that may CREATE DATABASE, e.g. "
        "\"host=/tmp/pgtest port=5439 user=postgres dbname=postgres\"."));
  }
  absl::StatusOr<std::string> conninfo =
      storage::WithDefaultConnectTimeout(value, kConnectTimeout);
  if (!conninfo.ok()) {
    throw std::runtime_error(
        absl::StrCat(kServerVariable, ": ", conninfo.status().ToString()));
  }
  return *conninfo;
}

std::string UniqueName() {
  static std::atomic<int> counter{0};
  thread_local std::mt19937_64 random(std::random_device{}());
  return absl::StrCat("consular_test_", getpid(), "_", counter.fetch_add(1),
                      "_", absl::Hex(random() & 0xffffffffu, absl::kZeroPad8));
}

std::string Scalar(const std::string& conninfo, const std::string& sql) {
  try {
    pqxx::connection connection(conninfo);
    pqxx::nontransaction session(connection);
    const pqxx::result result = session.exec(sql);
    if (result.empty() || result.columns() == 0 || result[0][0].is_null())
      return "";
    return result[0][0].c_str();
  } catch (const std::exception& e) {
    throw std::runtime_error(
        absl::StrCat("query \"", sql, "\" failed: ", e.what()));
  }
}

// Serialises app-role set-up across the test processes sharing a cluster: an
// advisory lock in CONSULAR_TEST_PG's database, which they all connect to.
constexpr char kAppRoleLockKey[] = "7165066974340079987";

// Creates TestDatabase::kAppRole if missing (LOGIN, no superuser, no BYPASSRLS,
// no CREATEDB/CREATEROLE), lets it connect to database `name` and, if
// `join_service`, makes it a member of consular_service. Concurrent callers in
// other processes wait for the lock; losing a race without it is harmless too.
void EnsureAppRole(const std::string& admin_dsn, const std::string& name,
                   bool join_service) {
  const std::string role = TestDatabase::kAppRole;
  try {
    pqxx::connection connection(admin_dsn);
    pqxx::work tx(connection);
    tx.exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kAppRoleLockKey, ")"));
    tx.exec(absl::StrCat(
        "DO $$ BEGIN "
        "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '", role, "') THEN "
        "  CREATE ROLE ", role, " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
        "    NOCREATEROLE INHERIT; "
        "END IF; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
        "END $$"));
    tx.exec(absl::StrCat("GRANT CONNECT ON DATABASE ", name, " TO ", role));
    if (join_service) {
      tx.exec(absl::StrCat(
          "DO $$ BEGIN "
          "IF NOT pg_has_role('", role, "', 'consular_service', 'MEMBER') THEN "
          "  GRANT consular_service TO ", role, "; "
          "END IF; "
          "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
          "END $$"));
    }
    tx.commit();
  } catch (const std::exception& e) {
    throw std::runtime_error(
        absl::StrCat("setting up the service role ", role, ": ", e.what()));
  }
}

// Polls `count_sql` on `conninfo` until it returns "0"; false if it does not
// before `timeout`.
bool WaitForZero(const std::string& conninfo, const std::string& count_sql,
                 absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    if (Scalar(conninfo, count_sql) == "0") return true;
    if (absl::Now() >= give_up) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace

std::unique_ptr<TestDatabase> TestDatabase::Create() {
  return CreateInternal(true);
}

std::unique_ptr<TestDatabase> TestDatabase::CreateUnmigrated() {
  return CreateInternal(false);
}

std::unique_ptr<TestDatabase> TestDatabase::CreateInternal(bool migrate) {
  const std::string admin_dsn = ServerConninfo();
  const std::string name = UniqueName();
  absl::StatusOr<std::string> dsn =
      storage::OverrideConninfo(admin_dsn, {{"dbname", name}});
  if (!dsn.ok()) throw std::runtime_error(dsn.status().ToString());
  absl::StatusOr<std::string> app_dsn =
      storage::OverrideConninfo(*dsn, {{"user", kAppRole}});
  if (!app_dsn.ok()) throw std::runtime_error(app_dsn.status().ToString());
  try {
    Scalar(admin_dsn, absl::StrCat("CREATE DATABASE ", name));
  } catch (const std::exception& e) {
    throw std::runtime_error(
        absl::StrCat("cannot create a test database on the server in ",
                     kServerVariable, ": ", e.what()));
  }
  // From here on the destructor drops the database, also when migrating fails.
  std::unique_ptr<TestDatabase> database(
      new TestDatabase(admin_dsn, name, *dsn, *app_dsn));
  if (migrate) {
    absl::StatusOr<int> applied = storage::ApplyMigrations(database->dsn());
    if (!applied.ok()) {
      throw std::runtime_error(absl::StrCat("migrating test database ", name,
                                            ": ", applied.status().ToString()));
    }
    // The register of units of the tests' world (LKHA comes with the migrations).
    Scalar(database->dsn(), absl::StrCat("INSERT INTO units.units (code, kind, name, country, "
                                         "active, inactive_reason, created_by, created_at) "
                                         "VALUES ",
                                         kTestUnitsSql, " ON CONFLICT (code) DO NOTHING"));
  }
  EnsureAppRole(admin_dsn, name, migrate);
  // The sessions that set the database up end asynchronously after their clients hang up; a
  // test that counts sessions must not see them.
  if (!database->WaitUntilNoSessions(absl::Seconds(10))) {
    throw std::runtime_error(absl::StrCat("test database ", name,
                                          ": the sessions that set it up did not end"));
  }
  return database;
}

TestDatabase::TestDatabase(std::string admin_dsn, std::string name,
                           std::string dsn, std::string app_dsn)
    : admin_dsn_(std::move(admin_dsn)),
      name_(std::move(name)),
      dsn_(std::move(dsn)),
      app_dsn_(std::move(app_dsn)) {}

TestDatabase::~TestDatabase() {
  try {
    // WITH (FORCE) terminates the remaining sessions first (PostgreSQL 13+).
    Scalar(admin_dsn_,
           absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "TestDatabase: could not drop %s: %s\n", name_.c_str(),
                 e.what());
  }
}

std::string TestDatabase::QueryScalar(const std::string& sql) const {
  return Scalar(dsn_, sql);
}

std::string TestDatabase::AdminQueryScalar(const std::string& sql) const {
  return Scalar(admin_dsn_, sql);
}

bool TestDatabase::WaitUntilSessionEnded(int pid,
                                         absl::Duration timeout) const {
  return WaitForZero(
      admin_dsn_,
      absl::StrCat("SELECT count(*) FROM pg_stat_activity WHERE pid = ", pid),
      timeout);
}

bool TestDatabase::WaitUntilNoSessions(absl::Duration timeout) const {
  return WaitForZero(
      admin_dsn_,
      absl::StrCat("SELECT count(*) FROM pg_stat_activity WHERE datname = '",
                   name_, "'"),
      timeout);
}

}  // namespace consular::testing

#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"

namespace consular::testing {

// A fresh PostgreSQL database for one test, migrated, dropped again on
// destruction. The server comes from env CONSULAR_TEST_PG: a libpq conninfo of
// a role that may CREATE DATABASE, e.g. "host=/some/socket/dir port=5439
// user=postgres dbname=postgres". If the variable is unset the test FAILS
// (never skips) with a message saying how to run tests (ops/test.sh, see
// README).
//
// Failures (variable unset, server unreachable, migration failed, bad SQL in
// QueryScalar) throw std::runtime_error: googletest reports the exception, with
// its message, as a test failure. Thread-safe except for destruction.
class TestDatabase {
 public:
  // The login role of app_dsn(), shared by every test database of a cluster.
  static constexpr char kAppRole[] = "consular_test_app";
  // The posts a migrated test database has in its register of units beside LKHA: those the
  // tests and the load generator's users work at (the fake case repository of the unit tests
  // has the first five and KABUL), and KABUL, closed.
  static constexpr char kTestUnitsSql[] =
      "('RABAT', 'UNIT_KIND_POST', 'Rabat', 'MA', true, '', 'test', now()), "
      "('ISLAMABAD', 'UNIT_KIND_POST', 'Islamabad', 'PK', true, '', 'test', now()), "
      "('BAGHDAD', 'UNIT_KIND_POST', 'Baghdad', 'IQ', true, '', 'test', now()), "
      "('PARAMARIBO', 'UNIT_KIND_POST', 'Paramaribo', 'SR', true, '', 'test', now()), "
      "('ACCRA', 'UNIT_KIND_POST', 'Accra', 'GH', true, '', 'test', now()), "
      "('ABUJA', 'UNIT_KIND_POST', 'Abuja', 'NG', true, '', 'test', now()), "
      "('NEW-DELHI', 'UNIT_KIND_POST', 'New Delhi', 'IN', true, '', 'test', now()), "
      "('ALGIERS', 'UNIT_KIND_POST', 'Algiers', 'DZ', true, '', 'test', now()), "
      "('RIYADH', 'UNIT_KIND_POST', 'Riyadh', 'SA', true, '', 'test', now()), "
      "('CASABLANCA', 'UNIT_KIND_POST', 'Casablanca', 'MA', true, '', 'test', now()), "
      "('TUNIS', 'UNIT_KIND_POST', 'Tunis', 'TN', true, '', 'test', now()), "
      "('CAIRO', 'UNIT_KIND_POST', 'Cairo', 'EG', true, '', 'test', now()), "
      "('ANKARA', 'UNIT_KIND_POST', 'Ankara', 'TR', true, '', 'test', now()), "
      "('KABUL', 'UNIT_KIND_POST', 'Kabul', 'AF', false, 'Closed', 'test', now())";

  // Returns a new database (unique name per call: pid + counter + random) with
  // every embedded migration applied. Never returns null.
  static std::unique_ptr<TestDatabase> Create();
  // Returns a new database without any migration applied (for testing
  // migrations themselves).
  static std::unique_ptr<TestDatabase> CreateUnmigrated();

  // Terminates the database's connections and drops it. Problems are printed,
  // never thrown.
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // Returns the conninfo for the new database as CONSULAR_TEST_PG's role (a
  // superuser; the owner of everything the migrations created): for fixtures
  // and for statements row-level security must not filter.
  const std::string& dsn() const { return dsn_; }
  // Returns the conninfo for the new database as the services log in
  // (docs/database-roles.md): role kAppRole, a member of consular_service, no
  // owner, no superuser, no BYPASSRLS, so row-level security filters every
  // query by the scope the transaction sets (storage::SetSessionScope). The
  // role is created once per cluster; in a CreateUnmigrated() database it is
  // not yet a member of consular_service (the migrations create that role).
  const std::string& app_dsn() const { return app_dsn_; }
  // Returns the new database's name.
  const std::string& name() const { return name_; }
  // Returns the conninfo of CONSULAR_TEST_PG's database (for server-level
  // statements).
  const std::string& admin_dsn() const { return admin_dsn_; }

  // Runs one SQL statement (outside a transaction block, on a connection of its
  // own) in the new database and returns the first column of the first row as
  // text ("" if none or NULL).
  std::string QueryScalar(const std::string& sql) const;
  // Same, in CONSULAR_TEST_PG's database: for statements about the new database
  // that must not run inside it (ALTER DATABASE ... ALLOW_CONNECTIONS,
  // pg_terminate_backend of all its sessions).
  std::string AdminQueryScalar(const std::string& sql) const;

  // Returns true once server process `pid` has ended, false if it still runs
  // after `timeout`.
  bool WaitUntilSessionEnded(int pid, absl::Duration timeout) const;
  // Returns true once no session is connected to the new database, false if
  // some still are after `timeout`.
  bool WaitUntilNoSessions(absl::Duration timeout) const;

 private:
  static std::unique_ptr<TestDatabase> CreateInternal(bool migrate);
  TestDatabase(std::string admin_dsn, std::string name, std::string dsn, std::string app_dsn);

  const std::string admin_dsn_;
  const std::string name_;
  const std::string dsn_;
  const std::string app_dsn_;
};

}  // namespace consular::testing

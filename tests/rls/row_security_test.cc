// Row-level security against a real PostgreSQL: the service role, with the
// application's own filters removed, still gets only the caller's rows
// (migration 0004, storage/row_security.h, docs/database-roles.md).
#include "storage/row_security.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/connection_pool.h"
#include "storage/conninfo.h"
#include "storage/transaction_runner.h"
#include "tests/support/test_database.h"

namespace consular::storage {
namespace {

using ::consular::testing::TestDatabase;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kInsufficientPrivilege[] = "42501";

const SessionScope kRabatOfficer{"alice", "ROLE_CONSULAR_OFFICER", "RABAT"};
const SessionScope kRabatManager{"carol", "ROLE_POST_MANAGER", "RABAT"};
const SessionScope kTunisOfficer{"bob", "ROLE_CONSULAR_OFFICER", "TUNIS"};

constexpr char kRabat1[] = "00000000-0000-4000-8000-00000000ab01";
constexpr char kRabat2[] = "00000000-0000-4000-8000-00000000ab02";
constexpr char kTunis1[] = "00000000-0000-4000-8000-0000000071a1";

constexpr char kCaseTables[][24] = {"cases", "case_events", "case_notes", "idempotency",
                                    "reference_counters"};

std::string Quoted(const std::string& text) { return absl::StrCat("'", text, "'"); }

// What a statement did: the SQL state it failed with ("" if it succeeded), and
// the first cell of its result (for SELECTs) or the rows it changed.
struct Outcome {
  std::string sqlstate;
  std::string first;
  int64_t changed = 0;
};

// Runs `statements` in one transaction on `dsn`, after SetSessionScope(*scope)
// unless `scope` is null, and commits. The outcome is that of the last
// statement, or of the first that failed.
Outcome Execute(const std::string& dsn, const SessionScope* scope,
                const std::vector<std::string>& statements) {
  pqxx::connection connection(dsn);
  Outcome outcome;
  try {
    pqxx::work tx(connection);
    if (scope != nullptr) SetSessionScope(tx, *scope);
    for (const std::string& sql : statements) {
      const pqxx::result result = tx.exec(sql);
      outcome.first = result.columns() > 0 && !result.empty() && !result[0][0].is_null()
                          ? result[0][0].c_str()
                          : "";
      outcome.changed = result.affected_rows();
    }
    tx.commit();
  } catch (const pqxx::insufficient_privilege& e) {
    outcome.sqlstate = kInsufficientPrivilege;  // libpqxx 6.4 leaves this one's sqlstate() empty
    outcome.first = e.what();
  } catch (const pqxx::sql_error& e) {
    outcome.sqlstate = e.sqlstate().empty() ? "?" : e.sqlstate();
    outcome.first = e.what();
  }
  return outcome;
}

Outcome Execute(const std::string& dsn, const SessionScope* scope, const std::string& sql) {
  return Execute(dsn, scope, std::vector<std::string>{sql});
}

// Returns an INSERT of one row into cases.`table` with `values` (column → SQL
// expression) and a type-appropriate filler for every other NOT NULL column
// without a default, so the fixtures survive columns later migrations add.
std::string InsertSql(const TestDatabase& db, const std::string& table,
                      const std::vector<std::pair<std::string, std::string>>& values) {
  pqxx::connection connection(db.dsn());
  pqxx::read_transaction tx(connection);
  const pqxx::result required = tx.exec_params(
      "SELECT column_name::text, udt_name::text FROM information_schema.columns "
      "WHERE table_schema = 'cases' AND table_name = $1 AND is_nullable = 'NO' "
      "AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER' "
      "ORDER BY ordinal_position",
      table);
  std::vector<std::string> columns;
  std::vector<std::string> expressions;
  for (const auto& [column, expression] : values) {
    columns.push_back(column);
    expressions.push_back(expression);
  }
  for (const pqxx::row& row : required) {
    const std::string column = row[0].as<std::string>();
    const std::string type = row[1].as<std::string>();
    bool given = false;
    for (const auto& value : values) given = given || value.first == column;
    if (given) continue;
    std::string filler;
    if (column == "subject_name_bidx") {  // migration 0003: a 32-byte blind index
      filler = "decode(repeat('00', 32), 'hex')";
    } else if (type == "text" || type == "varchar") {
      filler = "'x'";
    } else if (type == "bytea") {
      // Shaped like a field ciphertext (migration 0003 checks the shape): version 1, 48 bytes.
      filler = "decode('01' || repeat('00', 47), 'hex')";
    } else if (type == "int2" || type == "int4" || type == "int8" || type == "numeric") {
      filler = "1";
    } else if (type == "bool") {
      filler = "false";
    } else if (type == "timestamptz" || type == "timestamp") {
      filler = "now()";
    } else if (type == "date") {
      filler = "current_date";
    } else if (type == "uuid") {
      filler = "gen_random_uuid()";
    } else if (type == "json" || type == "jsonb") {
      filler = "'{}'";
    } else if (!type.empty() && type[0] == '_') {
      filler = "'{}'";
    } else {
      throw std::runtime_error(
          absl::StrCat("no fixture filler for cases.", table, ".", column, " of type ", type));
    }
    columns.push_back(column);
    expressions.push_back(filler);
  }
  return absl::StrCat("INSERT INTO cases.", table, " (", absl::StrJoin(columns, ", "), ") VALUES (",
                      absl::StrJoin(expressions, ", "), ")");
}

std::string CaseInsert(const TestDatabase& db, const std::string& id, const std::string& post,
                       const std::string& reference) {
  return InsertSql(db, "cases",
                   {{"id", Quoted(id) + "::uuid"},
                    {"reference", Quoted(reference)},
                    {"handling_post", Quoted(post)},
                    {"country", "'MA'"},
                    {"status", "'INTAKE'"},
                    {"version", "1"},
                    // Nullable since migration 0023 (an anonymised case has neither), so not
                    // filled in by InsertSql: a case that is not anonymised has both.
                    {"personal", "decode('01' || repeat('00', 47), 'hex')"},
                    {"subject_name_bidx", "decode(repeat('00', 32), 'hex')"}});
}

std::string NoteInsert(const TestDatabase& db, const std::string& case_id) {
  return InsertSql(db, "case_notes",
                   {{"id", "gen_random_uuid()"}, {"case_id", Quoted(case_id) + "::uuid"}});
}

std::string EventInsert(const TestDatabase& db, const std::string& case_id, int sequence) {
  return InsertSql(db, "case_events",
                   {{"case_id", Quoted(case_id) + "::uuid"},
                    {"sequence", std::to_string(sequence)},
                    {"payload", "'{}'::jsonb"}});
}

std::string IdempotencyInsert(const TestDatabase& db, const std::string& actor,
                              const std::string& request_id) {
  return InsertSql(db, "idempotency",
                   {{"actor", Quoted(actor)}, {"request_id", Quoted(request_id)}});
}

// Two RABAT cases and one TUNIS case, each with notes and an event; idempotency
// records of alice (RABAT) and bob (TUNIS); one reference counter. Inserted as
// the owner (a superuser), which row-level security does not filter.
class RowSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create();
    const Outcome fixtures = Execute(
        db_->dsn(), nullptr,
        {CaseInsert(*db_, kRabat1, "RABAT", "ABN-2024-00001"),
         CaseInsert(*db_, kRabat2, "RABAT", "ABN-2024-00002"),
         CaseInsert(*db_, kTunis1, "TUNIS", "ABN-2024-00003"), NoteInsert(*db_, kRabat1),
         NoteInsert(*db_, kRabat2), NoteInsert(*db_, kTunis1), NoteInsert(*db_, kTunis1),
         EventInsert(*db_, kRabat1, 1), EventInsert(*db_, kRabat2, 1),
         EventInsert(*db_, kTunis1, 1), EventInsert(*db_, kTunis1, 2),
         IdempotencyInsert(*db_, "alice", "request-a"), IdempotencyInsert(*db_, "bob", "request-b"),
         "INSERT INTO cases.reference_counters (prefix, year, last_value) "
         "VALUES ('ABN', 2024, 3)"});
    ASSERT_EQ(fixtures.sqlstate, "") << fixtures.first;
  }

  // Runs `sql` as the service role with `scope` (null: none set).
  Outcome AsService(const SessionScope* scope, const std::string& sql) const {
    return Execute(db_->app_dsn(), scope, sql);
  }
  // Returns the first cell of `sql` run as the service role with `scope`; fails
  // the test if the statement fails.
  std::string ServiceScalar(const SessionScope* scope, const std::string& sql) const {
    const Outcome outcome = AsService(scope, sql);
    EXPECT_EQ(outcome.sqlstate, "") << sql << ": " << outcome.first;
    return outcome.first;
  }

  std::unique_ptr<TestDatabase> db_;
};

TEST_F(RowSecurityTest, ServiceRoleIsNeitherOwnerNorPrivileged) {
  EXPECT_EQ(db_->QueryScalar(
                absl::StrCat("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = '",
                             TestDatabase::kAppRole, "'")),
            "f");
  EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT pg_has_role('", TestDatabase::kAppRole,
                                          "', 'consular_service', 'MEMBER')")),
            "t");
  EXPECT_EQ(ServiceScalar(nullptr, "SELECT current_user"), TestDatabase::kAppRole);
}

TEST_F(RowSecurityTest, UnfilteredQueryReturnsOnlyTheCallersPost) {
  // No WHERE clause at all: the application's own filter is gone.
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, "SELECT count(*) FROM cases.cases"), "2");
  EXPECT_EQ(ServiceScalar(&kRabatOfficer,
                          "SELECT string_agg(DISTINCT handling_post, ',') FROM cases.cases"),
            "RABAT");
  EXPECT_EQ(ServiceScalar(&kRabatManager, "SELECT count(*) FROM cases.cases"), "2");
  EXPECT_EQ(ServiceScalar(&kTunisOfficer, "SELECT count(*) FROM cases.cases"), "1");
  EXPECT_EQ(ServiceScalar(&kTunisOfficer, "SELECT id::text FROM cases.cases"), kTunis1);
  // Asking for the other post's case by id finds nothing either.
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, absl::StrCat("SELECT count(*) FROM cases.cases "
                                                       "WHERE id = '",
                                                       kTunis1, "'")),
            "0");
  // The owner (a superuser here) sees all three: the rows are there.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases"), "3");
}

TEST_F(RowSecurityTest, WithoutACompleteScopeNothingIsVisible) {
  for (const char* table : kCaseTables) {
    EXPECT_EQ(ServiceScalar(nullptr, absl::StrCat("SELECT count(*) FROM cases.", table)), "0")
        << table;
  }
  const SessionScope incomplete[] = {
      {"", "ROLE_CONSULAR_OFFICER", "RABAT"},    // no subject
      {"alice", "", "RABAT"},                    // no role
      {"alice", "ROLE_CONSULAR_OFFICER", ""},    // no post
      {"alice", "ROLE_POLICY_STAFF", "RABAT"},   // aggregates only
      {"alice", "ROLE_AUDITOR", "RABAT"},        // audit trail only
      {"alice", "ROLE_ADMINISTRATOR", "RABAT"},  // no case content
      {"alice", "rabat", "RABAT"},               // not a role name
  };
  for (const SessionScope& scope : incomplete) {
    const std::string label = absl::StrCat(scope.subject, "/", scope.role, "/", scope.post);
    EXPECT_EQ(ServiceScalar(&scope, "SELECT count(*) FROM cases.cases"), "0") << label;
    EXPECT_EQ(ServiceScalar(&scope, "SELECT count(*) FROM cases.case_notes"), "0") << label;
    EXPECT_EQ(ServiceScalar(&scope, "SELECT count(*) FROM cases.case_events"), "0") << label;
    EXPECT_EQ(ServiceScalar(&scope, "SELECT count(*) FROM cases.reference_counters"), "0") << label;
  }
}

// Sharing and emergency access (migration 0005), still with no application filter at all.
std::string ShareInsert(const TestDatabase& db, const std::string& case_id,
                        const std::string& grantee, const std::string& access,
                        const std::string& extra_columns_sql = "") {
  std::vector<std::pair<std::string, std::string>> values = {
      {"id", "gen_random_uuid()"},
      {"case_id", Quoted(case_id) + "::uuid"},
      {"grantee_unit", Quoted(grantee)},
      {"access", Quoted(access)},
      {"granted_at", "now() - interval '2 days'"}};
  if (extra_columns_sql == "revoked") {
    values.push_back({"revoked_at", "now() - interval '1 hour'"});
    values.push_back({"revoked_by", "'someone'"});
  } else if (extra_columns_sql == "expired") {
    values.push_back({"expires_at", "now() - interval '1 hour'"});
  } else if (extra_columns_sql == "future") {
    values.push_back({"expires_at", "now() + interval '1 day'"});
  }
  return InsertSql(db, "case_shares", values);
}

std::string EmergencyInsert(const TestDatabase& db, const std::string& case_id,
                            const SessionScope& who, bool live) {
  return InsertSql(
      db, "emergency_access",
      {{"id", "gen_random_uuid()"},
       {"case_id", Quoted(case_id) + "::uuid"},
       {"handling_post", "'TUNIS'"},
       {"actor", Quoted(who.subject)},
       {"actor_role", Quoted(who.role)},
       {"opened_at", live ? "now()" : "now() - interval '3 hours'"},
       {"expires_at", live ? "now() + interval '1 hour'" : "now() - interval '2 hours'"},
       // Nullable since migration 0023 (destroyed with an anonymised case).
       {"reason", "decode('01' || repeat('00', 47), 'hex')"}});
}

const SessionScope kLkha{"lena", "ROLE_LKHA_CASEWORKER", ""};
const SessionScope kCairoOfficer{"dina", "ROLE_CONSULAR_OFFICER", "CAIRO"};

TEST_F(RowSecurityTest, LiveSharesAddExactlyTheSharedCase) {
  const std::string count = "SELECT count(*) FROM cases.cases";
  const std::string update_tunis =
      absl::StrCat("UPDATE cases.cases SET version = version + 1 WHERE id = '", kTunis1, "'");
  // LKHA handles nothing here and has no share: nothing.
  EXPECT_EQ(ServiceScalar(&kLkha, count), "0");
  EXPECT_EQ(ServiceScalar(&kLkha, "SELECT count(*) FROM cases.case_notes"), "0");

  // Dead shares give nothing.
  ASSERT_EQ(Execute(db_->dsn(), nullptr,
                    {ShareInsert(*db_, kTunis1, "RABAT", "READ_WRITE", "revoked"),
                     ShareInsert(*db_, kTunis1, "LKHA", "READ_WRITE", "expired")})
                .sqlstate,
            "");
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, count), "2");
  EXPECT_EQ(ServiceScalar(&kLkha, count), "0");
  EXPECT_EQ(AsService(&kRabatOfficer, update_tunis).changed, 0);

  // A live read share: the case, its notes and events become visible, but not writable.
  ASSERT_EQ(
      Execute(db_->dsn(), nullptr, ShareInsert(*db_, kTunis1, "LKHA", "READ", "future")).sqlstate,
      "");
  EXPECT_EQ(ServiceScalar(&kLkha, count), "1");
  EXPECT_EQ(ServiceScalar(&kLkha, "SELECT id::text FROM cases.cases"), kTunis1);
  EXPECT_EQ(ServiceScalar(&kLkha, "SELECT count(*) FROM cases.case_notes"), "2");
  EXPECT_EQ(ServiceScalar(&kLkha, "SELECT count(*) FROM cases.case_events"), "2");
  EXPECT_EQ(AsService(&kLkha, update_tunis).changed, 0);
  const Outcome note = AsService(&kLkha, NoteInsert(*db_, kTunis1));
  EXPECT_EQ(note.sqlstate, kInsufficientPrivilege) << note.first;
  // RABAT, another grantee's unit, still sees only its own.
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, count), "2");

  // A live read-write share to RABAT: visible and writable, for every RABAT role.
  ASSERT_EQ(
      Execute(db_->dsn(), nullptr, ShareInsert(*db_, kTunis1, "RABAT", "READ_WRITE")).sqlstate, "");
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, count), "3");
  EXPECT_EQ(ServiceScalar(&kRabatManager, count), "3");
  EXPECT_EQ(AsService(&kRabatOfficer, update_tunis).changed, 1);
  EXPECT_EQ(AsService(&kRabatOfficer, NoteInsert(*db_, kTunis1)).sqlstate, "");
  // ... but it cannot move the case to itself or anywhere else it would not see.
  const Outcome move = AsService(
      &kRabatOfficer,
      absl::StrCat("UPDATE cases.cases SET handling_post = 'CAIRO' WHERE id = '", kTunis1, "'"));
  EXPECT_EQ(move.sqlstate, kInsufficientPrivilege) << move.first;
  // A third post sees none of it.
  EXPECT_EQ(ServiceScalar(&kCairoOfficer, count), "0");

  // Once the share is revoked (by the handling post), the very next transaction sees nothing.
  const SessionScope tunis_revoker{"bob", "ROLE_CONSULAR_OFFICER", "TUNIS"};
  EXPECT_EQ(AsService(&tunis_revoker,
                      "UPDATE cases.case_shares SET revoked_at = now(), revoked_by = 'bob' "
                      "WHERE grantee_unit = 'RABAT' AND revoked_at IS NULL")
                .changed,
            1);
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, count), "2");
  EXPECT_EQ(AsService(&kRabatOfficer, update_tunis).changed, 0);
}

TEST_F(RowSecurityTest, SharesAreSeenByTheirGranteeAndTheHandlingPostOnly) {
  ASSERT_EQ(Execute(db_->dsn(), nullptr,
                    {ShareInsert(*db_, kTunis1, "RABAT", "READ"),
                     ShareInsert(*db_, kTunis1, "LKHA", "READ_WRITE")})
                .sqlstate,
            "");
  const std::string shares =
      "SELECT string_agg(grantee_unit, ',' ORDER BY grantee_unit) "
      "FROM cases.case_shares";
  EXPECT_EQ(ServiceScalar(&kTunisOfficer, shares), "LKHA,RABAT");
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, shares), "RABAT");
  EXPECT_EQ(ServiceScalar(&kLkha, shares), "LKHA");
  EXPECT_EQ(ServiceScalar(&kCairoOfficer, shares), "");
  // Only the handling post grants and revokes; a grantee cannot revoke, nor grant further.
  EXPECT_EQ(AsService(&kRabatOfficer,
                      "UPDATE cases.case_shares SET revoked_at = now(), revoked_by = 'alice'")
                .changed,
            0);
  const Outcome regrant = AsService(&kLkha, InsertSql(*db_, "case_shares",
                                                      {{"id", "gen_random_uuid()"},
                                                       {"case_id", Quoted(kTunis1) + "::uuid"},
                                                       {"grantee_unit", "'CAIRO'"},
                                                       {"access", "'READ'"},
                                                       {"granted_by", "'lena'"},
                                                       {"granted_by_unit", "'LKHA'"}}));
  EXPECT_EQ(regrant.sqlstate, kInsufficientPrivilege) << regrant.first;
  // A share changes only by being revoked.
  const Outcome widen =
      AsService(&kTunisOfficer, "UPDATE cases.case_shares SET access = 'READ_WRITE'");
  EXPECT_NE(widen.sqlstate, "") << "a share's access level was changed";
  // The grantee answers its share (declining ends it), once; the answer is never rewritten.
  const std::string answer =
      "UPDATE cases.case_shares SET answer = 'DECLINED', answered_by = 'alice', "
      "answered_at = now(), answer_reason = 'not ours', revoked_at = now(), revoked_by = 'alice' "
      "WHERE grantee_unit = 'RABAT'";
  EXPECT_EQ(AsService(&kRabatOfficer, answer).changed, 1);
  EXPECT_EQ(ServiceScalar(&kTunisOfficer,
                          "SELECT answer || ':' || revoked_by_unit FROM cases.case_shares "
                          "WHERE grantee_unit = 'RABAT'"),
            "DECLINED:RABAT");
  EXPECT_NE(AsService(&kRabatOfficer,
                      "UPDATE cases.case_shares SET answer_reason = 'changed my mind' "
                      "WHERE grantee_unit = 'RABAT'")
                .sqlstate,
            "");
  // Nobody but the grantee answers: the handling post cannot accept for it.
  EXPECT_NE(AsService(&kTunisOfficer,
                      "UPDATE cases.case_shares SET answer = 'ACCEPTED', answered_by = 'bob', "
                      "answered_at = now() WHERE grantee_unit = 'LKHA'")
                .sqlstate,
            "");
}

TEST_F(RowSecurityTest, EmergencyAccessIsReadOnlyPersonalAndTimeLimited) {
  const std::string count = "SELECT count(*) FROM cases.cases";
  ASSERT_EQ(
      Execute(db_->dsn(), nullptr, EmergencyInsert(*db_, kTunis1, kRabatManager, false)).sqlstate,
      "");
  EXPECT_EQ(ServiceScalar(&kRabatManager, count), "2");  // expired: nothing
  ASSERT_EQ(
      Execute(db_->dsn(), nullptr, EmergencyInsert(*db_, kTunis1, kRabatManager, true)).sqlstate,
      "");
  EXPECT_EQ(ServiceScalar(&kRabatManager, count), "3");
  EXPECT_EQ(ServiceScalar(&kRabatManager, "SELECT count(*) FROM cases.case_notes"), "4");
  // The grant is the manager's own: a colleague of the same post sees nothing more.
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, count), "2");
  // Read-only.
  EXPECT_EQ(AsService(&kRabatManager, absl::StrCat("UPDATE cases.cases SET version = version + 1 "
                                                   "WHERE id = '",
                                                   kTunis1, "'"))
                .changed,
            0);
  // The same subject in another role gets nothing from it.
  const SessionScope as_officer{"carol", "ROLE_CONSULAR_OFFICER", "RABAT"};
  EXPECT_EQ(ServiceScalar(&as_officer, count), "2");
  // Who sees the grants: the opener, auditors, the managers of the case's post.
  const SessionScope auditor{"audrey", "ROLE_AUDITOR", ""};
  const SessionScope tunis_manager{"tom", "ROLE_POST_MANAGER", "TUNIS"};
  const std::string grants = "SELECT count(*) FROM cases.emergency_access";
  EXPECT_EQ(ServiceScalar(&kRabatManager, grants), "2");
  EXPECT_EQ(ServiceScalar(&auditor, grants), "2");
  EXPECT_EQ(ServiceScalar(&tunis_manager, grants), "2");
  EXPECT_EQ(ServiceScalar(&kTunisOfficer, grants), "0");
  EXPECT_EQ(ServiceScalar(&kLkha, grants), "0");
  // Opening one for someone else, or longer than eight hours, is refused.
  const Outcome for_other =
      AsService(&kRabatManager, EmergencyInsert(*db_, kTunis1, kRabatOfficer, true));
  EXPECT_EQ(for_other.sqlstate, kInsufficientPrivilege) << for_other.first;
  // The opener cannot review their own access.
  EXPECT_EQ(AsService(&kRabatManager,
                      "UPDATE cases.emergency_access SET review = 'JUSTIFIED', "
                      "reviewed_by = 'carol', reviewed_at = now()")
                .changed,
            0);
  EXPECT_EQ(AsService(&tunis_manager,
                      "UPDATE cases.emergency_access SET review = 'JUSTIFIED', "
                      "reviewed_by = 'tom', reviewed_at = now()")
                .changed,
            2);
}

TEST_F(RowSecurityTest, APostCalledLkhaIsNotLkha) {
  ASSERT_EQ(
      Execute(db_->dsn(), nullptr,
              CaseInsert(*db_, "00000000-0000-4000-8000-00000000ee01", "LKHA", "ABN-2024-00004"))
          .sqlstate,
      "");
  EXPECT_EQ(ServiceScalar(&kLkha, "SELECT count(*) FROM cases.cases"), "1");
  const SessionScope fake{"mallory", "ROLE_CONSULAR_OFFICER", "LKHA"};
  EXPECT_EQ(ServiceScalar(&fake, "SELECT count(*) FROM cases.cases"), "0");
  EXPECT_EQ(ServiceScalar(&fake, "SELECT count(*) FROM cases.reference_counters"), "0");
}

TEST_F(RowSecurityTest, ScopeEndsWithItsTransaction) {
  pqxx::connection connection(db_->app_dsn());
  {
    pqxx::work tx(connection);
    SetSessionScope(tx, kRabatOfficer);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM cases.cases")[0].as<int>(), 2);
    tx.commit();
  }
  {
    pqxx::work tx(connection);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM cases.cases")[0].as<int>(), 0);
    SetSessionScope(tx, kTunisOfficer);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM cases.cases")[0].as<int>(), 1);
    tx.abort();
  }
  {
    pqxx::read_transaction tx(connection);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM cases.cases")[0].as<int>(), 0);
  }
}

TEST_F(RowSecurityTest, PooledConnectionsDoNotCarryAScopeToTheNextTransaction) {
  ConnectionPool pool({db_->app_dsn(), 1});
  TransactionRunner runner(&pool);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  int64_t seen = -1;
  ASSERT_TRUE(runner
                  .RunReadOnly(deadline,
                               [&](pqxx::transaction_base& tx) {
                                 SetSessionScope(tx, kRabatOfficer);
                                 seen =
                                     tx.exec1("SELECT count(*) FROM cases.cases")[0].as<int64_t>();
                                 return absl::OkStatus();
                               })
                  .ok());
  EXPECT_EQ(seen, 2);
  ASSERT_TRUE(runner
                  .RunReadOnly(deadline,
                               [&](pqxx::transaction_base& tx) {
                                 seen =
                                     tx.exec1("SELECT count(*) FROM cases.cases")[0].as<int64_t>();
                                 return absl::OkStatus();
                               })
                  .ok());
  EXPECT_EQ(seen, 0);
  EXPECT_EQ(pool.OpenConnections(), 1);  // the same connection both times
}

TEST_F(RowSecurityTest, InsertingACaseOutsideTheScopeIsRejected) {
  const std::string other_post =
      CaseInsert(*db_, "00000000-0000-4000-8000-00000000ab10", "TUNIS", "ABN-2024-00010");
  EXPECT_EQ(AsService(&kRabatOfficer, other_post).sqlstate, kInsufficientPrivilege);
  const std::string own_post =
      CaseInsert(*db_, "00000000-0000-4000-8000-00000000ab11", "RABAT", "ABN-2024-00011");
  EXPECT_EQ(AsService(nullptr, own_post).sqlstate, kInsufficientPrivilege);
  const SessionScope policy{"dora", "ROLE_POLICY_STAFF", "RABAT"};
  EXPECT_EQ(AsService(&policy, own_post).sqlstate, kInsufficientPrivilege);
  // The same row with the matching scope goes in: it is the scope that decides.
  const Outcome inserted = AsService(&kRabatOfficer, own_post);
  EXPECT_EQ(inserted.sqlstate, "") << inserted.first;
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases"), "4");
}

TEST_F(RowSecurityTest, NotesAndEventsOfAnotherPostsCaseAreInvisibleAndClosed) {
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, "SELECT count(*) FROM cases.case_notes"), "2");
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, "SELECT count(*) FROM cases.case_events"), "2");
  EXPECT_EQ(ServiceScalar(&kRabatOfficer,
                          absl::StrCat("SELECT count(*) FROM cases.case_notes WHERE case_id = '",
                                       kTunis1, "'")),
            "0");
  EXPECT_EQ(ServiceScalar(&kRabatOfficer,
                          absl::StrCat("SELECT count(*) FROM cases.case_events WHERE case_id = '",
                                       kTunis1, "'")),
            "0");
  EXPECT_EQ(ServiceScalar(&kTunisOfficer, "SELECT count(*) FROM cases.case_notes"), "2");
  EXPECT_EQ(ServiceScalar(&kTunisOfficer, "SELECT count(*) FROM cases.case_events"), "2");

  EXPECT_EQ(AsService(&kRabatOfficer, NoteInsert(*db_, kTunis1)).sqlstate, kInsufficientPrivilege);
  EXPECT_EQ(AsService(&kRabatOfficer, EventInsert(*db_, kTunis1, 3)).sqlstate,
            kInsufficientPrivilege);
  const Outcome note = AsService(&kRabatOfficer, NoteInsert(*db_, kRabat1));
  EXPECT_EQ(note.sqlstate, "") << note.first;
  const Outcome event = AsService(&kRabatOfficer, EventInsert(*db_, kRabat1, 2));
  EXPECT_EQ(event.sqlstate, "") << event.first;
  EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT count(*) FROM cases.case_notes WHERE case_id = '",
                                          kTunis1, "'")),
            "2");
}

TEST_F(RowSecurityTest, UpdatesOfAnotherPostsCaseChangeNothing) {
  const std::string update_tunis =
      absl::StrCat("UPDATE cases.cases SET status = 'ACTIVE' WHERE id = '", kTunis1, "'");
  const Outcome outcome = AsService(&kRabatOfficer, update_tunis);
  EXPECT_EQ(outcome.sqlstate, "") << outcome.first;
  EXPECT_EQ(outcome.changed, 0);
  EXPECT_EQ(AsService(&kRabatOfficer, "UPDATE cases.cases SET version = version + 1").changed, 2);
  EXPECT_EQ(AsService(nullptr, "UPDATE cases.cases SET version = version + 1").changed, 0);
  EXPECT_EQ(
      ServiceScalar(&kRabatOfficer,
                    absl::StrCat("SELECT count(*) FROM (SELECT id FROM cases.cases WHERE id = '",
                                 kTunis1, "' FOR UPDATE) locked")),
      "0");
  // Moving an own case out of the scope is refused by the policy's WITH CHECK.
  EXPECT_EQ(AsService(&kRabatOfficer,
                      absl::StrCat("UPDATE cases.cases SET handling_post = 'TUNIS' WHERE id = '",
                                   kRabat1, "'"))
                .sqlstate,
            kInsufficientPrivilege);
  EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT status || '/' || version FROM cases.cases "
                                          "WHERE id = '",
                                          kTunis1, "'")),
            "INTAKE/1");
  EXPECT_EQ(db_->QueryScalar("SELECT string_agg(handling_post || version, ',' ORDER BY id) "
                             "FROM cases.cases"),
            "TUNIS1,RABAT2,RABAT2");
}

TEST_F(RowSecurityTest, IdempotencyRecordsAreTheCallersOwn) {
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, "SELECT string_agg(actor, ',') FROM cases.idempotency"),
            "alice");
  EXPECT_EQ(ServiceScalar(&kTunisOfficer, "SELECT string_agg(actor, ',') FROM cases.idempotency"),
            "bob");
  EXPECT_EQ(AsService(&kRabatOfficer,
                      "UPDATE cases.idempotency SET response = '\\x01' "
                      "WHERE actor = 'bob'")
                .changed,
            0);
  EXPECT_EQ(AsService(&kRabatOfficer, IdempotencyInsert(*db_, "bob", "request-c")).sqlstate,
            kInsufficientPrivilege);
  const Outcome own = AsService(&kRabatOfficer, IdempotencyInsert(*db_, "alice", "request-c"));
  EXPECT_EQ(own.sqlstate, "") << own.first;
}

TEST_F(RowSecurityTest, ReferenceCountersNeedAPostScope) {
  const std::string next =
      "INSERT INTO cases.reference_counters (prefix, year, last_value) VALUES ('ABN', 2024, 1) "
      "ON CONFLICT (prefix, year) DO UPDATE "
      "SET last_value = cases.reference_counters.last_value + 1 RETURNING last_value";
  EXPECT_EQ(AsService(nullptr, next).sqlstate, kInsufficientPrivilege);
  const SessionScope auditor{"erik", "ROLE_AUDITOR", ""};
  EXPECT_EQ(AsService(&auditor, next).sqlstate, kInsufficientPrivilege);
  EXPECT_EQ(ServiceScalar(&kRabatOfficer, next), "4");
  EXPECT_EQ(ServiceScalar(&kTunisOfficer, next), "5");
}

TEST_F(RowSecurityTest, ServiceRoleCannotDeleteOrTruncate) {
  for (const char* table : kCaseTables) {
    const Outcome deleted = AsService(&kRabatOfficer, absl::StrCat("DELETE FROM cases.", table));
    EXPECT_EQ(deleted.sqlstate, kInsufficientPrivilege) << table << ": " << deleted.first;
    const Outcome truncated =
        AsService(&kRabatOfficer, absl::StrCat("TRUNCATE cases.", table, " CASCADE"));
    EXPECT_EQ(truncated.sqlstate, kInsufficientPrivilege) << table << ": " << truncated.first;
  }
  // The timeline and notes are append-only for the service.
  EXPECT_EQ(AsService(&kRabatOfficer, "UPDATE cases.case_notes SET author = 'mallory'").sqlstate,
            kInsufficientPrivilege);
  EXPECT_EQ(AsService(&kRabatOfficer, "UPDATE cases.case_events SET actor = 'mallory'").sqlstate,
            kInsufficientPrivilege);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases"), "3");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.case_notes"), "4");
}

TEST_F(RowSecurityTest, AuditTablesAreInsertOnlyForTheService) {
  // Every table in schema audit (migration 0002): SELECT and INSERT, never
  // UPDATE, DELETE or TRUNCATE; the verified watermark (migration 0027) SELECT
  // only: it moves through audit.record_verification.
  const std::string role = TestDatabase::kAppRole;
  EXPECT_EQ(db_->QueryScalar(absl::StrCat(
                "SELECT string_agg(c.oid::regclass::text, ',') FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'audit' AND c.relkind IN ('r', 'p') AND ("
                "  has_table_privilege('",
                role, "', c.oid, 'UPDATE, DELETE, TRUNCATE') OR NOT has_table_privilege('", role,
                "', c.oid, 'SELECT') OR has_table_privilege('", role,
                "', c.oid, 'INSERT') <> (c.relname <> 'verified_watermark'))")),
            "");
  // And no table of schema cases or audit lets the service DELETE or TRUNCATE.
  EXPECT_EQ(db_->QueryScalar(
                absl::StrCat("SELECT string_agg(c.oid::regclass::text, ',') FROM pg_class c "
                             "JOIN pg_namespace n ON n.oid = c.relnamespace "
                             "WHERE n.nspname IN ('cases', 'audit') AND c.relkind IN ('r', 'p') "
                             "AND has_table_privilege('",
                             role, "', c.oid, 'DELETE, TRUNCATE')")),
            "");
}

TEST_F(RowSecurityTest, EveryCaseTableHasRowSecurityEnabledAndForced) {
  EXPECT_EQ(db_->QueryScalar("SELECT string_agg(relname, ',') FROM pg_class "
                             "WHERE relnamespace = 'cases'::regnamespace AND relkind IN ('r', 'p') "
                             "AND NOT (relrowsecurity AND relforcerowsecurity)"),
            "");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) >= 5 FROM pg_class "
                             "WHERE relnamespace = 'cases'::regnamespace AND relkind = 'r'"),
            "t");
}

TEST_F(RowSecurityTest, EveryContactsTableHasRowSecurityEnabledAndForcedAndNoDelete) {
  EXPECT_EQ(db_->QueryScalar("SELECT string_agg(relname, ',') FROM pg_class "
                             "WHERE relnamespace = 'contacts'::regnamespace "
                             "AND relkind IN ('r', 'p') "
                             "AND NOT (relrowsecurity AND relforcerowsecurity)"),
            "");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) >= 3 FROM pg_class "
                             "WHERE relnamespace = 'contacts'::regnamespace AND relkind = 'r'"),
            "t");
  for (const char* table : {"partners", "accreditations", "idempotency"}) {
    const Outcome deleted = AsService(&kRabatManager, absl::StrCat("DELETE FROM contacts.", table));
    EXPECT_EQ(deleted.sqlstate, kInsufficientPrivilege) << table << ": " << deleted.first;
    const Outcome truncated = AsService(&kRabatManager, absl::StrCat("TRUNCATE contacts.", table));
    EXPECT_EQ(truncated.sqlstate, kInsufficientPrivilege) << table << ": " << truncated.first;
  }
}

// A login role for one test, dropped at the end (with whatever it owns or was
// granted in the test database). Roles are cluster-wide: the name is unique.
class ScopedRole {
 public:
  ScopedRole(const TestDatabase& db, const std::string& attributes) : db_(db) {
    static std::atomic<int> counter{0};
    name_ = absl::StrCat("rls_test_", getpid(), "_", counter.fetch_add(1));
    db_.AdminQueryScalar(absl::StrCat("CREATE ROLE ", name_, " LOGIN ", attributes));
    db_.AdminQueryScalar(absl::StrCat("GRANT CONNECT ON DATABASE ", db_.name(), " TO ", name_));
    absl::StatusOr<std::string> dsn = OverrideConninfo(db_.dsn(), {{"user", name_}});
    if (!dsn.ok()) throw std::runtime_error(dsn.status().ToString());
    dsn_ = *dsn;
  }
  ~ScopedRole() {
    try {
      db_.QueryScalar(absl::StrCat("REASSIGN OWNED BY ", name_, " TO CURRENT_USER"));
      db_.QueryScalar(absl::StrCat("DROP OWNED BY ", name_));
      db_.AdminQueryScalar(absl::StrCat("DROP ROLE ", name_));
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping role " << name_ << ": " << e.what();
    }
  }
  ScopedRole(const ScopedRole&) = delete;
  ScopedRole& operator=(const ScopedRole&) = delete;

  const std::string& name() const { return name_; }
  const std::string& dsn() const { return dsn_; }

 private:
  const TestDatabase& db_;
  std::string name_;
  std::string dsn_;
};

class RowSecurityCheckTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = TestDatabase::Create(); }
  std::unique_ptr<TestDatabase> db_;
};

TEST_F(RowSecurityCheckTest, PassesForTheServiceRole) {
  const absl::Status status = CheckRowLevelSecurityEnforced(db_->app_dsn());
  EXPECT_TRUE(status.ok()) << status;
}

TEST_F(RowSecurityCheckTest, FailsForASuperuser) {
  const absl::Status status = CheckRowLevelSecurityEnforced(db_->dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(
      std::string(status.message()),
      AllOf(HasSubstr("superuser"), HasSubstr("docs/database-roles.md"), Not(HasSubstr("host="))));
}

TEST_F(RowSecurityCheckTest, FailsForTheOwnerOfACaseTable) {
  ScopedRole owner(*db_, "NOSUPERUSER NOBYPASSRLS IN ROLE consular_service");
  ASSERT_TRUE(CheckRowLevelSecurityEnforced(owner.dsn()).ok());
  db_->QueryScalar(absl::StrCat("ALTER TABLE cases.case_notes OWNER TO ", owner.name()));
  const absl::Status status = CheckRowLevelSecurityEnforced(owner.dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr(owner.name()), HasSubstr("owns"), HasSubstr("cases.case_notes")));
}

TEST_F(RowSecurityCheckTest, FailsForAMemberOfTheOwner) {
  ScopedRole owner(*db_, "NOSUPERUSER NOBYPASSRLS");
  ScopedRole member(*db_, "NOSUPERUSER NOBYPASSRLS IN ROLE consular_service");
  db_->QueryScalar(absl::StrCat("ALTER TABLE cases.idempotency OWNER TO ", owner.name()));
  ASSERT_TRUE(CheckRowLevelSecurityEnforced(member.dsn()).ok());
  db_->AdminQueryScalar(absl::StrCat("GRANT ", owner.name(), " TO ", member.name()));
  const absl::Status status = CheckRowLevelSecurityEnforced(member.dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("cases.idempotency"));
}

TEST_F(RowSecurityCheckTest, FailsForBypassRlsDirectlyOrThroughARole) {
  ScopedRole bypass(*db_, "NOSUPERUSER BYPASSRLS IN ROLE consular_service");
  absl::Status status = CheckRowLevelSecurityEnforced(bypass.dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("BYPASSRLS"));

  ScopedRole member(*db_, "NOSUPERUSER NOBYPASSRLS IN ROLE consular_service");
  db_->AdminQueryScalar(absl::StrCat("GRANT ", bypass.name(), " TO ", member.name()));
  status = CheckRowLevelSecurityEnforced(member.dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(bypass.name()));
}

TEST_F(RowSecurityCheckTest, FailsForAMemberOfConsularMaintenance) {
  ScopedRole both(*db_, "NOSUPERUSER NOBYPASSRLS IN ROLE consular_service, consular_maintenance");
  const absl::Status status = CheckRowLevelSecurityEnforced(both.dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("consular_maintenance"));
  // That membership does pass every policy, without any scope: the check is
  // not paranoia.
  EXPECT_EQ(
      Execute(db_->dsn(), nullptr, CaseInsert(*db_, kTunis1, "TUNIS", "ABN-2024-00003")).sqlstate,
      "");
  EXPECT_EQ(Execute(both.dsn(), nullptr, "SELECT count(*) FROM cases.cases").first, "1");
}

TEST_F(RowSecurityCheckTest, FailsWhenTheServiceMayDelete) {
  ScopedRole role(*db_, "NOSUPERUSER NOBYPASSRLS IN ROLE consular_service");
  db_->QueryScalar(absl::StrCat("GRANT DELETE ON cases.case_events TO ", role.name()));
  const absl::Status status = CheckRowLevelSecurityEnforced(role.dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), AllOf(HasSubstr("DELETE"), HasSubstr("case_events")));
}

TEST_F(RowSecurityCheckTest, FailsWhenForceIsOffOnOneTable) {
  db_->QueryScalar("ALTER TABLE cases.case_events NO FORCE ROW LEVEL SECURITY");
  absl::Status status = CheckRowLevelSecurityEnforced(db_->app_dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("cases.case_events"), Not(HasSubstr("cases.cases,"))));

  db_->QueryScalar("ALTER TABLE cases.case_events FORCE ROW LEVEL SECURITY");
  EXPECT_TRUE(CheckRowLevelSecurityEnforced(db_->app_dsn()).ok());
  db_->QueryScalar("ALTER TABLE cases.reference_counters DISABLE ROW LEVEL SECURITY");
  status = CheckRowLevelSecurityEnforced(db_->app_dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("cases.reference_counters"));
  db_->QueryScalar("ALTER TABLE cases.reference_counters ENABLE ROW LEVEL SECURITY");
  EXPECT_TRUE(CheckRowLevelSecurityEnforced(db_->app_dsn()).ok());

  // The tables of schema contacts (migration 0006 on) are held to the same rule.
  db_->QueryScalar("ALTER TABLE contacts.partners NO FORCE ROW LEVEL SECURITY");
  status = CheckRowLevelSecurityEnforced(db_->app_dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("contacts.partners"), Not(HasSubstr("contacts.idempotency"))));
  db_->QueryScalar("ALTER TABLE contacts.partners FORCE ROW LEVEL SECURITY");
  db_->QueryScalar("ALTER TABLE contacts.accreditations DISABLE ROW LEVEL SECURITY");
  status = CheckRowLevelSecurityEnforced(db_->app_dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("contacts.accreditations"));
}

TEST_F(RowSecurityCheckTest, FailsForTheOwnerOrADeleterOfAContactsTable) {
  ScopedRole owner(*db_, "NOSUPERUSER NOBYPASSRLS IN ROLE consular_service");
  ASSERT_TRUE(CheckRowLevelSecurityEnforced(owner.dsn()).ok());
  db_->QueryScalar(absl::StrCat("GRANT DELETE ON contacts.accreditations TO ", owner.name()));
  absl::Status status = CheckRowLevelSecurityEnforced(owner.dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("DELETE"), HasSubstr("contacts.accreditations")));
  db_->QueryScalar(absl::StrCat("REVOKE DELETE ON contacts.accreditations FROM ", owner.name()));
  db_->QueryScalar(absl::StrCat("ALTER TABLE contacts.partners OWNER TO ", owner.name()));
  status = CheckRowLevelSecurityEnforced(owner.dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("owns"), HasSubstr("contacts.partners")));
}

TEST_F(RowSecurityCheckTest, FailsForAnUnmigratedDatabase) {
  auto bare = TestDatabase::CreateUnmigrated();
  const absl::Status status = CheckRowLevelSecurityEnforced(bare->app_dsn());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("migrations"));
}

TEST(RowSecurityCheckUnreachableTest, IsUnavailableWhenTheDatabaseCannotBeReached) {
  const absl::Status status = CheckRowLevelSecurityEnforced(
      "host=/nonexistent/consular-rls-socket port=5439 user=nobody dbname=none");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

}  // namespace
}  // namespace consular::storage

#include "storage/prepared.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <string>

#include "tests/support/test_database.h"

namespace consular::storage {
namespace {

using ::consular::testing::TestDatabase;

constexpr char kInsert[] = "INSERT INTO items (id, label) VALUES ($1, $2)";
constexpr char kLabelOf[] = "SELECT label FROM items WHERE id = $1";
constexpr char kInsertName[] = "test_item_insert";
constexpr char kLabelOfName[] = "test_item_label";

class PreparedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create();
    db_->QueryScalar("CREATE TABLE items (id integer PRIMARY KEY, label text NOT NULL)");
    connection_ = std::make_unique<pqxx::connection>(db_->dsn());
  }

  // The server's counters for the prepared statement `name` on this test's connection:
  // "custom/generic", or "" when it is not prepared there.
  std::string PlansOf(const std::string& name) {
    pqxx::nontransaction tx(*connection_);
    const pqxx::result r = tx.exec_params(
        "SELECT custom_plans || '/' || generic_plans FROM pg_prepared_statements WHERE name = $1",
        name);
    return r.empty() ? "" : r[0][0].as<std::string>();
  }

  std::string LabelOf(int id) {
    pqxx::work tx(*connection_);
    const pqxx::result r = ExecPrepared(tx, kLabelOfName, kLabelOf, id);
    tx.commit();
    return r.empty() ? "" : r[0][0].as<std::string>();
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<pqxx::connection> connection_;
};

TEST(StatementNameTest, ANameStandsForOneTextOnly) {
  EXPECT_NO_THROW(CheckStatementName("test_name_once", "SELECT 1"));
  EXPECT_NO_THROW(CheckStatementName("test_name_once", std::string("SELECT 1")));
  EXPECT_THROW(CheckStatementName("test_name_once", "SELECT 1 "), std::logic_error);
  EXPECT_THROW(CheckStatementName("test_name_once", "SELECT 2"), std::logic_error);
  // The first text keeps the name.
  EXPECT_NO_THROW(CheckStatementName("test_name_once", "SELECT 1"));
}

TEST(StatementNameTest, NamesAreShortLowerCaseIdentifiers) {
  EXPECT_NO_THROW(CheckStatementName("test_case_find_by_id2", "SELECT 3"));
  EXPECT_NO_THROW(CheckStatementName(std::string(kMaxStatementName, 'a'), "SELECT 4"));
  for (const std::string& name :
       {std::string(), std::string(kMaxStatementName + 1, 'b'), std::string("Test_upper"),
        std::string("test name"), std::string("test-dash"), std::string("SELECT 5")}) {
    EXPECT_THROW(CheckStatementName(name, "SELECT 5"), std::logic_error) << name;
  }
}

TEST_F(PreparedTest, PreparesOncePerConnectionAndReusesThePlan) {
  EXPECT_EQ(PlansOf(kLabelOfName), "");
  {
    pqxx::work tx(*connection_);
    for (int id = 1; id <= 12; ++id)
      ExecPrepared0(tx, kInsertName, kInsert, id, "item " + std::to_string(id));
    tx.commit();
  }
  for (int id = 1; id <= 12; ++id) EXPECT_EQ(LabelOf(id), "item " + std::to_string(id));
  EXPECT_EQ(LabelOf(99), "");
  // One statement on the server, executed 13 times: after its first custom plans PostgreSQL keeps
  // a generic plan, so most calls are not planned at all.
  const std::string plans = PlansOf(kLabelOfName);
  ASSERT_THAT(plans, ::testing::MatchesRegex("[0-9]+/[0-9]+"));
  const int custom = std::stoi(plans.substr(0, plans.find('/')));
  const int generic = std::stoi(plans.substr(plans.find('/') + 1));
  EXPECT_EQ(custom + generic, 13);
  EXPECT_GE(generic, 8);
}

TEST_F(PreparedTest, ExpectedRowCountsAreChecked) {
  pqxx::work tx(*connection_);
  ExecPrepared0(tx, kInsertName, kInsert, 1, "one");
  EXPECT_EQ(ExecPrepared1(tx, kLabelOfName, kLabelOf, 1)[0].as<std::string>(), "one");
  EXPECT_THROW(ExecPrepared1(tx, kLabelOfName, kLabelOf, 2), pqxx::unexpected_rows);
  EXPECT_THROW(ExecPrepared0(tx, kLabelOfName, kLabelOf, 1), pqxx::unexpected_rows);
}

TEST_F(PreparedTest, StatementOutlivesARolledBackTransaction) {
  {
    pqxx::work tx(*connection_);
    ExecPrepared0(tx, kInsertName, kInsert, 1, "rolled back");
    // No commit: the row goes, the prepared statement stays (it belongs to the session).
  }
  EXPECT_EQ(LabelOf(1), "");
  pqxx::work tx(*connection_);
  ExecPrepared0(tx, kInsertName, kInsert, 1, "kept");
  tx.commit();
  EXPECT_EQ(LabelOf(1), "kept");
}

TEST_F(PreparedTest, StatementWhoseFirstRunFailedRunsAgain) {
  db_->QueryScalar("INSERT INTO items (id, label) VALUES (1, 'there') RETURNING id");
  {
    pqxx::work tx(*connection_);
    EXPECT_THROW(ExecPrepared0(tx, kInsertName, kInsert, 1, "duplicate"), pqxx::unique_violation);
  }
  pqxx::work tx(*connection_);
  ExecPrepared0(tx, kInsertName, kInsert, 2, "second");
  EXPECT_EQ(ExecPrepared1(tx, kLabelOfName, kLabelOf, 2)[0].as<std::string>(), "second");
  EXPECT_EQ(ExecPrepared1(tx, kLabelOfName, kLabelOf, 1)[0].as<std::string>(), "there");
}

TEST_F(PreparedTest, TheServerKnowsTheStatementByItsName) {
  EXPECT_EQ(LabelOf(1), "");
  pqxx::nontransaction tx(*connection_);
  EXPECT_EQ(tx.exec_params1("SELECT statement FROM pg_prepared_statements WHERE name = $1",
                            kLabelOfName)[0]
                .as<std::string>(),
            kLabelOf);
}

TEST_F(PreparedTest, ANameUsedForAnotherTextIsRefusedBeforeItRuns) {
  pqxx::work tx(*connection_);
  ExecPrepared0(tx, kInsertName, kInsert, 1, "one");
  EXPECT_THROW(ExecPrepared(tx, kInsertName, kLabelOf, 1), std::logic_error);
  EXPECT_EQ(ExecPrepared1(tx, kLabelOfName, kLabelOf, 1)[0].as<std::string>(), "one");
}

TEST_F(PreparedTest, BadSqlIsAnSqlErrorAndTheConnectionStaysUsable) {
  {
    pqxx::work tx(*connection_);
    EXPECT_THROW(
        ExecPrepared(tx, "test_bad_sql", "SELECT no_such_column FROM items WHERE id = $1", 1),
        pqxx::sql_error);
  }
  EXPECT_EQ(LabelOf(1), "");
}

}  // namespace
}  // namespace consular::storage

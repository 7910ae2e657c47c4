#include "storage/transaction_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/connection_pool.h"
#include "storage/prepared.h"
#include "storage/row_security.h"
#include "tests/support/test_database.h"

namespace consular::storage {
namespace {

using ::consular::testing::TestDatabase;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

absl::Time In(absl::Duration duration) { return absl::Now() + duration; }

// Lets `parties` threads wait for each other, for at most `timeout` (so a test
// cannot hang).
class Rendezvous {
 public:
  explicit Rendezvous(int parties) : waiting_for_(parties) {}
  // Returns true if all parties arrived in time.
  bool ArriveAndWait(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    --waiting_for_;
    auto all_arrived = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return waiting_for_ <= 0;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&all_arrived), timeout);
  }

 private:
  absl::Mutex mu_;
  int waiting_for_ ABSL_GUARDED_BY(mu_);
};

class TransactionRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create();
    db_->QueryScalar(
        "CREATE TABLE items (id integer PRIMARY KEY, label text NOT NULL)");
    pool_ = std::make_unique<ConnectionPool>(PoolOptions{db_->dsn(), 4});
  }

  int Count(const std::string& table) {
    return std::stoi(
        db_->QueryScalar(absl::StrCat("SELECT count(*) FROM ", table)));
  }

  static void Insert(pqxx::transaction_base& tx, int id) {
    tx.exec_params0("INSERT INTO items (id, label) VALUES ($1, 'x')", id);
  }

  // Returns work that inserts item `id`.
  static TransactionRunner::Work InsertItem(int id) {
    return [id](pqxx::transaction_base& tx) {
      Insert(tx, id);
      return absl::OkStatus();
    };
  }

  // Returns the value of setting `name` as seen inside a transaction run by
  // `runner`.
  std::string SettingInTransaction(TransactionRunner& runner,
                                   absl::Time deadline, const std::string& name,
                                   Isolation isolation,
                                   bool read_only = false) {
    std::string value;
    auto work = [&](pqxx::transaction_base& tx) {
      value = tx.exec1("SHOW " + name)[0].as<std::string>();
      return absl::OkStatus();
    };
    absl::Status status = read_only
                              ? runner.RunReadOnly(deadline, work, isolation)
                              : runner.Run(deadline, work, isolation);
    EXPECT_TRUE(status.ok()) << status;
    return value;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(TransactionRunnerTest, CommitsWhenWorkReturnsOk) {
  TransactionRunner runner(pool_.get());
  absl::Status status =
      runner.Run(In(absl::Seconds(30)), [](pqxx::transaction_base& tx) {
        Insert(tx, 1);
        Insert(tx, 2);
        return absl::OkStatus();
      });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(Count("items"), 2);
}

TEST_F(TransactionRunnerTest, RollsBackAndReturnsWorkStatusUnchanged) {
  TransactionRunner runner(pool_.get());
  const absl::Status refusal = absl::NotFoundError("case 42 not found");
  int calls = 0;
  absl::Status status =
      runner.Run(In(absl::Seconds(30)), [&](pqxx::transaction_base& tx) {
        ++calls;
        Insert(tx, 1);
        return refusal;
      });
  EXPECT_EQ(status, refusal);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Count("items"), 0);
}

TEST_F(TransactionRunnerTest, AbortedFromWorkIsNotRetried) {
  TransactionRunner runner(pool_.get());
  int calls = 0;
  absl::Status status =
      runner.Run(In(absl::Seconds(30)), [&](pqxx::transaction_base&) {
        ++calls;
        return absl::AbortedError("version conflict");
      });
  EXPECT_EQ(status, absl::AbortedError("version conflict"));
  EXPECT_EQ(calls, 1);
}

TEST_F(TransactionRunnerTest, ExceptionFromWorkIsInternalAndRollsBack) {
  TransactionRunner runner(pool_.get());
  ::testing::internal::CaptureStderr();
  absl::Status status = runner.Run(
      In(absl::Seconds(30)), [](pqxx::transaction_base& tx) -> absl::Status {
        Insert(tx, 1);
        throw std::runtime_error("passport number P1234567");
      });
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()),
              ContainsRegex("^internal error, correlation id [0-9a-f]{16}$"));
  EXPECT_THAT(log, HasSubstr("passport number P1234567"));
  EXPECT_THAT(
      log,
      HasSubstr(
          std::string(status.message())
              .substr(std::string("internal error, correlation id ").size())));
  EXPECT_EQ(Count("items"), 0);
}

TEST_F(TransactionRunnerTest, SqlErrorIsInternalWithDetailOnlyInTheLog) {
  TransactionRunner runner(pool_.get());
  ::testing::internal::CaptureStderr();
  absl::Status status =
      runner.Run(In(absl::Seconds(30)), [](pqxx::transaction_base& tx) {
        tx.exec("SELEC label FROM items");
        return absl::OkStatus();
      });
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("SELEC")));
  EXPECT_THAT(log, HasSubstr("42601"));
  // The connection is still good: the pool keeps it and the next Run succeeds.
  EXPECT_EQ(pool_->OpenConnections(), 1);
  EXPECT_TRUE(runner.Run(In(absl::Seconds(30)), InsertItem(1)).ok());
}

TEST_F(TransactionRunnerTest, ConstraintViolationRollsBackEverything) {
  TransactionRunner runner(pool_.get());
  ::testing::internal::CaptureStderr();
  absl::Status status =
      runner.Run(In(absl::Seconds(30)), [](pqxx::transaction_base& tx) {
        Insert(tx, 1);
        Insert(tx, 1);
        return absl::OkStatus();
      });
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Count("items"), 0);
}

TEST_F(TransactionRunnerTest, StatementTimeoutIsDeadlineExceeded) {
  TransactionRunner runner(pool_.get());
  // An hour's sleep: only the statement timeout from the deadline can end it within the test's
  // 120 s timeout.
  absl::Status status = runner.Run(absl::Now() + absl::Milliseconds(300),
                                   [](pqxx::transaction_base& tx) {
                                     tx.exec("SELECT pg_sleep(3600)");
                                     return absl::OkStatus();
                                   });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
}

TEST_F(TransactionRunnerTest, LockWaitPastTheDeadlineIsDeadlineExceeded) {
  TransactionRunner runner(pool_.get());
  ASSERT_TRUE(runner.Run(In(absl::Seconds(30)), InsertItem(1)).ok());
  // Another session holds the row lock for longer than our deadline.
  absl::StatusOr<ConnectionPool::Lease> holder =
      pool_->Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(holder.ok()) << holder.status();
  pqxx::work locker(holder->connection());
  locker.exec("SELECT * FROM items WHERE id = 1 FOR UPDATE");

  absl::Status status =
      runner.Run(In(absl::Milliseconds(300)), [](pqxx::transaction_base& tx) {
        tx.exec("UPDATE items SET label = 'y' WHERE id = 1");
        return absl::OkStatus();
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  locker.abort();
}

TEST_F(TransactionRunnerTest,
       StatementTimeoutIsTheTimeLeftAndLocalToTheTransaction) {
  TransactionRunner runner(pool_.get(), RunnerOptions{5, absl::Seconds(7)});
  const std::string query =
      "SELECT setting FROM pg_settings WHERE name = 'statement_timeout'";
  std::string explicit_deadline;
  std::string default_deadline;
  ASSERT_TRUE(runner
                  .Run(In(absl::Seconds(60)),
                       [&](pqxx::transaction_base& tx) {
                         explicit_deadline =
                             tx.exec1(query)[0].as<std::string>();
                         return absl::OkStatus();
                       })
                  .ok());
  ASSERT_TRUE(runner
                  .Run(absl::InfiniteFuture(),
                       [&](pqxx::transaction_base& tx) {
                         default_deadline =
                             tx.exec1(query)[0].as<std::string>();
                         return absl::OkStatus();
                       })
                  .ok());
  EXPECT_GT(std::stoi(explicit_deadline), 40000);
  EXPECT_LE(std::stoi(explicit_deadline), 60000);
  EXPECT_GT(std::stoi(default_deadline), 3000);
  EXPECT_LE(std::stoi(default_deadline), 7000);

  // SET LOCAL ended with the transaction: the pooled session is back to the
  // server default.
  EXPECT_EQ(pool_->OpenConnections(), 1);
  absl::StatusOr<ConnectionPool::Lease> lease =
      pool_->Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(lease.ok()) << lease.status();
  pqxx::nontransaction session(lease->connection());
  EXPECT_EQ(session.exec1(query)[0].as<std::string>(), "0");
}

TEST_F(TransactionRunnerTest, AppliesIsolationAndReadOnly) {
  TransactionRunner runner(pool_.get());
  const absl::Time deadline = In(absl::Seconds(30));
  EXPECT_EQ(SettingInTransaction(runner, deadline, "transaction_isolation",
                                 Isolation::kReadCommitted),
            "read committed");
  EXPECT_EQ(SettingInTransaction(runner, deadline, "transaction_isolation",
                                 Isolation::kRepeatableRead),
            "repeatable read");
  EXPECT_EQ(SettingInTransaction(runner, deadline, "transaction_isolation",
                                 Isolation::kSerializable),
            "serializable");
  EXPECT_EQ(SettingInTransaction(runner, deadline, "transaction_read_only",
                                 Isolation::kReadCommitted),
            "off");
  EXPECT_EQ(SettingInTransaction(runner, deadline, "transaction_read_only",
                                 Isolation::kReadCommitted, /*read_only=*/true),
            "on");
  EXPECT_EQ(SettingInTransaction(runner, deadline, "transaction_isolation",
                                 Isolation::kSerializable, /*read_only=*/true),
            "serializable");
}

TEST_F(TransactionRunnerTest, ReadOnlyTransactionRejectsWrites) {
  TransactionRunner runner(pool_.get());
  ::testing::internal::CaptureStderr();
  absl::Status status =
      runner.RunReadOnly(In(absl::Seconds(30)), InsertItem(1));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(log, HasSubstr("25006"));  // read_only_sql_transaction
  EXPECT_EQ(Count("items"), 0);
}

TEST_F(TransactionRunnerTest, RetriesSerializationFailureUntilBothCommit) {
  // Write skew: each transaction inserts the sum it read. Run one after the
  // other they give rows 1, 1, 2; interleaved (both read before either writes)
  // SERIALIZABLE must abort one, which the runner retries, so the result is
  // still 1, 1, 2 (sum 4), never 1, 1, 1.
  db_->QueryScalar("CREATE TABLE ledger (amount integer NOT NULL)");
  db_->QueryScalar("INSERT INTO ledger VALUES (1)");
  TransactionRunner runner(pool_.get());
  Rendezvous both_have_read(2);
  std::atomic<int> attempts{0};
  auto work = [&](pqxx::transaction_base& tx) {
    const bool first_attempt = attempts.fetch_add(1) < 2;
    const int sum = tx.exec1("SELECT sum(amount) FROM ledger")[0].as<int>();
    if (first_attempt) both_have_read.ArriveAndWait(absl::Seconds(20));
    tx.exec_params0("INSERT INTO ledger VALUES ($1)", sum);
    return absl::OkStatus();
  };
  absl::Status first;
  absl::Status second;
  std::thread a([&] {
    first = runner.Run(In(absl::Seconds(60)), work, Isolation::kSerializable);
  });
  std::thread b([&] {
    second = runner.Run(In(absl::Seconds(60)), work, Isolation::kSerializable);
  });
  a.join();
  b.join();
  EXPECT_TRUE(first.ok()) << first;
  EXPECT_TRUE(second.ok()) << second;
  EXPECT_EQ(db_->QueryScalar("SELECT sum(amount) FROM ledger"), "4");
  EXPECT_EQ(Count("ledger"), 3);
  EXPECT_GE(attempts.load(), 3);  // at least one retry happened
}

TEST_F(TransactionRunnerTest, RetriesDeadlockUntilBothCommit) {
  db_->QueryScalar("INSERT INTO items VALUES (1, 'a'), (2, 'b')");
  TransactionRunner runner(pool_.get());
  Rendezvous both_hold_a_lock(2);
  std::atomic<int> attempts{0};
  auto work_locking = [&](int first_id, int second_id) {
    return [&, first_id, second_id](pqxx::transaction_base& tx) {
      const bool first_attempt = attempts.fetch_add(1) < 2;
      tx.exec_params0("UPDATE items SET label = label || '+' WHERE id = $1",
                      first_id);
      if (first_attempt) both_hold_a_lock.ArriveAndWait(absl::Seconds(20));
      tx.exec_params0("UPDATE items SET label = label || '+' WHERE id = $1",
                      second_id);
      return absl::OkStatus();
    };
  };
  absl::Status first;
  absl::Status second;
  std::thread a(
      [&] { first = runner.Run(In(absl::Seconds(60)), work_locking(1, 2)); });
  std::thread b(
      [&] { second = runner.Run(In(absl::Seconds(60)), work_locking(2, 1)); });
  a.join();
  b.join();
  EXPECT_TRUE(first.ok()) << first;
  EXPECT_TRUE(second.ok()) << second;
  EXPECT_EQ(
      db_->QueryScalar("SELECT string_agg(label, ',' ORDER BY id) FROM items"),
      "a++,b++");
  EXPECT_GE(attempts.load(), 3);
}

TEST_F(TransactionRunnerTest, GivesUpWithAbortedAfterMaxAttempts) {
  RunnerOptions options;
  options.max_attempts = 3;
  options.initial_backoff = absl::Milliseconds(1);
  TransactionRunner runner(pool_.get(), options);
  int calls = 0;
  absl::Status status = runner.Run(
      In(absl::Seconds(30)), [&](pqxx::transaction_base& tx) -> absl::Status {
        ++calls;
        Insert(tx, calls);
        throw pqxx::serialization_failure("could not serialize access");
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(Count("items"), 0);
}

TEST_F(TransactionRunnerTest,
       ConnectionLostInWorkIsUnavailableAndTheNextRunReconnects) {
  TransactionRunner runner(pool_.get());
  ::testing::internal::CaptureStderr();
  absl::Status status =
      runner.Run(In(absl::Seconds(30)), [](pqxx::transaction_base& tx) {
        Insert(tx, 1);
        tx.exec("SELECT pg_terminate_backend(pg_backend_pid())");
        return absl::OkStatus();
      });
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(pool_->OpenConnections(), 0);  // discarded, not returned
  EXPECT_EQ(Count("items"), 0);

  status = runner.Run(In(absl::Seconds(30)), InsertItem(2));
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(Count("items"), 1);
}

TEST_F(TransactionRunnerTest, IdleConnectionKilledByTheServerIsReplaced) {
  TransactionRunner runner(pool_.get());
  int old_pid = 0;
  ASSERT_TRUE(runner
                  .Run(In(absl::Seconds(30)),
                       [&](pqxx::transaction_base& tx) {
                         old_pid =
                             tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
                         return absl::OkStatus();
                       })
                  .ok());
  ASSERT_EQ(db_->AdminQueryScalar(
                absl::StrCat("SELECT pg_terminate_backend(", old_pid, ")")),
            "t");
  ASSERT_TRUE(db_->WaitUntilSessionEnded(old_pid, absl::Seconds(20)));

  int new_pid = 0;
  ::testing::internal::CaptureStderr();
  absl::Status status =
      runner.Run(In(absl::Seconds(30)), [&](pqxx::transaction_base& tx) {
        new_pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
        Insert(tx, 1);
        return absl::OkStatus();
      });
  ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_NE(new_pid, old_pid);
  EXPECT_EQ(Count("items"), 1);
}

TEST_F(TransactionRunnerTest, UnavailableWhileTheDatabaseIsDownThenRecovers) {
  TransactionRunner runner(pool_.get());
  auto insert = InsertItem;
  ASSERT_TRUE(runner.Run(In(absl::Seconds(30)), insert(1)).ok());

  // "Stop" the database: refuse new sessions and end the existing ones.
  db_->AdminQueryScalar(
      absl::StrCat("ALTER DATABASE ", db_->name(), " ALLOW_CONNECTIONS false"));
  db_->AdminQueryScalar(
      absl::StrCat("SELECT count(pg_terminate_backend(pid)) FROM "
                   "pg_stat_activity WHERE datname = '",
                   db_->name(), "'"));
  ASSERT_TRUE(db_->WaitUntilNoSessions(absl::Seconds(20)));
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 3; ++i) {
    absl::Status down = runner.Run(In(absl::Seconds(30)), insert(100 + i));
    EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  }
  ::testing::internal::GetCapturedStderr();

  // "Start" it again: the same runner and pool work without any restart.
  db_->AdminQueryScalar(
      absl::StrCat("ALTER DATABASE ", db_->name(), " ALLOW_CONNECTIONS true"));
  absl::Status up = runner.Run(In(absl::Seconds(30)), insert(2));
  EXPECT_TRUE(up.ok()) << up;
  EXPECT_EQ(Count("items"), 2);
}

TEST_F(TransactionRunnerTest,
       NoFreeConnectionBeforeTheDeadlineIsDeadlineExceeded) {
  ConnectionPool small_pool({db_->dsn(), 1});
  TransactionRunner runner(&small_pool);
  absl::StatusOr<ConnectionPool::Lease> held =
      small_pool.Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(held.ok()) << held.status();
  int calls = 0;
  absl::Status status =
      runner.Run(In(absl::Milliseconds(200)), [&](pqxx::transaction_base&) {
        ++calls;
        return absl::OkStatus();
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(calls, 0);
}

TEST_F(TransactionRunnerTest, ConcurrentRunsAllCommit) {
  db_->QueryScalar("INSERT INTO items VALUES (1, '0')");
  TransactionRunner runner(pool_.get());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        absl::Status status =
            runner.Run(In(absl::Seconds(60)), [](pqxx::transaction_base& tx) {
              tx.exec0(
                  "UPDATE items SET label = (label::integer + 1)::text WHERE "
                  "id = 1");
              return absl::OkStatus();
            });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(db_->QueryScalar("SELECT label FROM items WHERE id = 1"), "200");
  EXPECT_LE(pool_->OpenConnections(), 4);
}

TEST_F(TransactionRunnerTest, AStatementForTheCommitIsSentWithItAndCommitsWithTheWork) {
  TransactionRunner runner(pool_.get());
  int inside = -1;
  absl::Status status = runner.Run(In(absl::Seconds(30)), [&](pqxx::transaction_base& tx) {
    Insert(tx, 1);
    ExecPreparedAtCommit(tx, "test_item_insert", "INSERT INTO items (id, label) VALUES ($1, $2)",
                         2, std::string("it's \\ quoted"));
    inside = tx.exec1("SELECT count(*) FROM items")[0].as<int>();
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(inside, 1);  // not sent before the commit
  EXPECT_EQ(Count("items"), 2);
  EXPECT_EQ(db_->QueryScalar("SELECT label FROM items WHERE id = 2"), "it's \\ quoted");
}

TEST_F(TransactionRunnerTest, AFailingStatementAtTheCommitRollsBackEverythingAndTheConnectionStaysUsable) {
  // One connection: the next run gets the same one back.
  ConnectionPool single(PoolOptions{db_->dsn(), 1});
  TransactionRunner runner(&single);
  ::testing::internal::CaptureStderr();
  absl::Status status = runner.Run(In(absl::Seconds(30)), [](pqxx::transaction_base& tx) {
    Insert(tx, 1);
    ExecPreparedAtCommit(tx, "test_item_insert", "INSERT INTO items (id, label) VALUES ($1, $2)",
                         1, std::string("duplicate"));
    return absl::OkStatus();
  });
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_EQ(Count("items"), 0);
  EXPECT_EQ(log.find("no transaction in progress"), std::string::npos) << log;
  // The connection went back idle, not inside the failed transaction.
  EXPECT_TRUE(runner.Run(In(absl::Seconds(30)), InsertItem(3)).ok());
  EXPECT_EQ(Count("items"), 1);
  EXPECT_EQ(single.OpenConnections(), 1);
}

TEST_F(TransactionRunnerTest, ACommitThatFailsItselfAfterADeferredStatementIsReportedAndRolledBack) {
  db_->QueryScalar(
      "CREATE TABLE labels (label text, CONSTRAINT labels_unique UNIQUE (label) DEFERRABLE "
      "INITIALLY DEFERRED)");
  ConnectionPool single(PoolOptions{db_->dsn(), 1});
  TransactionRunner runner(&single);
  ::testing::internal::CaptureStderr();
  absl::Status status = runner.Run(In(absl::Seconds(30)), [](pqxx::transaction_base& tx) {
    tx.exec0("INSERT INTO labels VALUES ('a')");
    ExecPreparedAtCommit(tx, "test_label_insert", "INSERT INTO labels VALUES ($1)",
                         std::string("a"));  // violates the constraint at COMMIT
    return absl::OkStatus();
  });
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_EQ(Count("labels"), 0);
  EXPECT_EQ(log.find("no transaction in progress"), std::string::npos) << log;
  EXPECT_TRUE(runner.Run(In(absl::Seconds(30)), InsertItem(3)).ok());
  EXPECT_EQ(Count("items"), 1);
}

TEST_F(TransactionRunnerTest, TheScopeIsSetWithBeginAndAnsweredWithoutAnotherStatement) {
  TransactionRunner runner(pool_.get());  // the test database is migrated: RABAT is a unit
  const SessionScope scope{"o'brien \\ x", "ROLE_CONSULAR_OFFICER", "RABAT"};
  std::string subject, role, post;
  bool active = false;
  bool other_active = true;
  absl::Status status = runner.Run(
      In(absl::Seconds(30)),
      [&](pqxx::transaction_base& tx) {
        const pqxx::row before = tx.exec1(
            "SELECT current_setting('consular.subject'), current_setting('consular.role'), "
            "current_setting('consular.post')");
        subject = before[0].as<std::string>();
        role = before[1].as<std::string>();
        post = before[2].as<std::string>();
        active = SetSessionScope(tx, scope);
        // Another scope is set by its own statement.
        other_active = SetSessionScope(tx, SessionScope{"x", "ROLE_CONSULAR_OFFICER", "NOWHERE"});
        return absl::OkStatus();
      },
      Isolation::kReadCommitted, &scope);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(subject, scope.subject);
  EXPECT_EQ(role, scope.role);
  EXPECT_EQ(post, "RABAT");
  EXPECT_TRUE(active);
  EXPECT_FALSE(other_active);
  // The scope ends with the transaction.
  for (int i = 0; i < 4; ++i) {
    std::string after = "unread";
    ASSERT_TRUE(runner
                    .Run(In(absl::Seconds(30)),
                         [&](pqxx::transaction_base& tx) {
                           after = tx.exec1("SELECT COALESCE(current_setting('consular.subject', "
                                            "true), '')")[0]
                                       .as<std::string>();
                           return absl::OkStatus();
                         })
                    .ok());
    EXPECT_EQ(after, "");
  }
}

}  // namespace
}  // namespace consular::storage

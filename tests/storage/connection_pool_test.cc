#include "storage/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <pqxx/nontransaction>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/support/test_database.h"

namespace consular::storage {
namespace {

using ::consular::testing::TestDatabase;

absl::Time In(absl::Duration duration) { return absl::Now() + duration; }

int BackendPid(ConnectionPool::Lease& lease) {
  return lease.connection().backendpid();
}

// Returns how many sessions other than the caller's are connected to `db`.
int Sessions(const TestDatabase& db) {
  return std::stoi(db.QueryScalar(
      "SELECT count(*) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
}

TEST(ConnectionPoolTest, AcquireReturnsWorkingConnection) {
  auto db = TestDatabase::Create();
  ConnectionPool pool({db->dsn(), 2});
  absl::StatusOr<ConnectionPool::Lease> lease =
      pool.Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(lease.ok()) << lease.status();
  pqxx::nontransaction session(lease->connection());
  EXPECT_EQ(session.exec1("SELECT 41 + 1")[0].as<int>(), 42);
  EXPECT_EQ(session.exec1("SELECT current_database()")[0].as<std::string>(),
            db->name());
}

TEST(ConnectionPoolTest, OpensLazilyAndReusesReturnedConnections) {
  auto db = TestDatabase::Create();
  ConnectionPool pool({db->dsn(), 4});
  EXPECT_EQ(pool.OpenConnections(), 0);
  EXPECT_EQ(Sessions(*db), 0);
  int first_pid = 0;
  {
    absl::StatusOr<ConnectionPool::Lease> lease =
        pool.Acquire(In(absl::Seconds(30)));
    ASSERT_TRUE(lease.ok()) << lease.status();
    first_pid = BackendPid(*lease);
    EXPECT_EQ(pool.OpenConnections(), 1);
    EXPECT_EQ(pool.IdleConnections(), 0);
  }
  EXPECT_EQ(pool.IdleConnections(), 1);
  absl::StatusOr<ConnectionPool::Lease> again =
      pool.Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(BackendPid(*again), first_pid);
  EXPECT_EQ(pool.OpenConnections(), 1);
  EXPECT_EQ(Sessions(*db), 1);
}

TEST(ConnectionPoolTest, AcquireBeyondSizeWaitsAndTimesOut) {
  auto db = TestDatabase::Create();
  ConnectionPool pool({db->dsn(), 2});
  absl::StatusOr<ConnectionPool::Lease> first =
      pool.Acquire(In(absl::Seconds(30)));
  absl::StatusOr<ConnectionPool::Lease> second =
      pool.Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();

  const absl::Time start = absl::Now();
  absl::StatusOr<ConnectionPool::Lease> third =
      pool.Acquire(start + absl::Milliseconds(300));
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(third.status().code(), absl::StatusCode::kDeadlineExceeded);
  // It waited for the deadline (and no longer than it must: both connections stay leased, so
  // without the deadline it would wait until the test's timeout).
  EXPECT_GE(waited, absl::Milliseconds(250));
  EXPECT_EQ(pool.OpenConnections(), 2);
  EXPECT_EQ(Sessions(*db), 2);

  // A deadline in the past fails at once when nothing is free.
  EXPECT_EQ(pool.Acquire(absl::InfinitePast()).status().code(),
            absl::StatusCode::kDeadlineExceeded);

  // Once one is returned, Acquire succeeds again, with the returned connection.
  const int returned_pid = BackendPid(*first);
  { ConnectionPool::Lease done = std::move(*first); }
  absl::StatusOr<ConnectionPool::Lease> fourth =
      pool.Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_EQ(BackendPid(*fourth), returned_pid);
  EXPECT_EQ(Sessions(*db), 2);
}

TEST(ConnectionPoolTest, WaiterGetsTheConnectionWhenItIsReturned) {
  auto db = TestDatabase::Create();
  ConnectionPool pool({db->dsn(), 1});
  absl::StatusOr<ConnectionPool::Lease> held =
      pool.Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(held.ok()) << held.status();
  const int pid = BackendPid(*held);

  absl::Status waiter_status;
  int waiter_pid = 0;
  std::thread waiter([&] {
    absl::StatusOr<ConnectionPool::Lease> lease =
        pool.Acquire(In(absl::Seconds(60)));
    waiter_status = lease.status();
    if (lease.ok()) waiter_pid = BackendPid(*lease);
  });
  // Let the waiter block (the test passes either way).
  absl::SleepFor(absl::Milliseconds(100));
  { ConnectionPool::Lease done = std::move(*held); }
  waiter.join();
  EXPECT_TRUE(waiter_status.ok()) << waiter_status;
  EXPECT_EQ(waiter_pid, pid);
}

TEST(ConnectionPoolTest, MarkBrokenClosesTheConnectionAndFreesItsSlot) {
  auto db = TestDatabase::Create();
  ConnectionPool pool({db->dsn(), 1});
  int broken_pid = 0;
  {
    absl::StatusOr<ConnectionPool::Lease> lease =
        pool.Acquire(In(absl::Seconds(30)));
    ASSERT_TRUE(lease.ok()) << lease.status();
    broken_pid = BackendPid(*lease);
    lease->MarkBroken();
  }
  EXPECT_EQ(pool.OpenConnections(), 0);
  EXPECT_TRUE(db->WaitUntilSessionEnded(broken_pid, absl::Seconds(20)));

  absl::StatusOr<ConnectionPool::Lease> fresh =
      pool.Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_NE(BackendPid(*fresh), broken_pid);
}

TEST(ConnectionPoolTest, MovedLeaseReturnsItsConnectionOnce) {
  auto db = TestDatabase::Create();
  ConnectionPool pool({db->dsn(), 2});
  {
    absl::StatusOr<ConnectionPool::Lease> acquired =
        pool.Acquire(In(absl::Seconds(30)));
    ASSERT_TRUE(acquired.ok()) << acquired.status();
    ConnectionPool::Lease a = std::move(*acquired);
    ConnectionPool::Lease b = std::move(a);
    absl::StatusOr<ConnectionPool::Lease> other =
        pool.Acquire(In(absl::Seconds(30)));
    ASSERT_TRUE(other.ok()) << other.status();
    b = std::move(*other);  // returns the first connection, takes the second
    EXPECT_EQ(pool.IdleConnections(), 1);
    EXPECT_EQ(pool.OpenConnections(), 2);
  }
  EXPECT_EQ(pool.IdleConnections(), 2);
  EXPECT_EQ(pool.OpenConnections(), 2);
}

TEST(ConnectionPoolTest, ClosedIdleConnectionIsNotReturnedForReuse) {
  auto db = TestDatabase::Create();
  ConnectionPool pool({db->dsn(), 1});
  {
    absl::StatusOr<ConnectionPool::Lease> lease =
        pool.Acquire(In(absl::Seconds(30)));
    ASSERT_TRUE(lease.ok()) << lease.status();
    lease->connection()
        .disconnect();  // as libpqxx does when it sees the connection break
  }
  EXPECT_EQ(pool.OpenConnections(), 0);
  absl::StatusOr<ConnectionPool::Lease> fresh =
      pool.Acquire(In(absl::Seconds(30)));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_TRUE(fresh->connection().is_open());
}

TEST(ConnectionPoolTest, ManyThreadsNeverExceedTheSize) {
  auto db = TestDatabase::Create();
  ConnectionPool pool({db->dsn(), 3});
  std::atomic<int> in_use{0};
  std::atomic<int> max_in_use{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        absl::StatusOr<ConnectionPool::Lease> lease =
            pool.Acquire(In(absl::Seconds(60)));
        if (!lease.ok()) {
          ++failures;
          continue;
        }
        const int now_in_use = ++in_use;
        int seen = max_in_use.load();
        while (now_in_use > seen &&
               !max_in_use.compare_exchange_weak(seen, now_in_use)) {
        }
        pqxx::nontransaction session(lease->connection());
        session.exec("SELECT 1");
        --in_use;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(max_in_use.load(), 3);
  EXPECT_LE(pool.OpenConnections(), 3);
  EXPECT_LE(Sessions(*db), 3);
}

}  // namespace
}  // namespace consular::storage

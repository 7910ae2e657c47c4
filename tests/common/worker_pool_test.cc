#include "services/common/worker_pool.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace consular {
namespace {

// Releases blocked tasks when a test ends early, so that the pool's destructor
// does not wait forever.
class ReleaseOnExit {
 public:
  explicit ReleaseOnExit(absl::Notification& release) : release_(release) {}
  ~ReleaseOnExit() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }

 private:
  absl::Notification& release_;
};

TEST(WorkerPoolTest, RunsTasksOnItsThreads) {
  WorkerPool pool(/*threads=*/3, /*queue_limit=*/100);
  std::atomic<int> ran{0};
  absl::Mutex mu;
  std::vector<std::thread::id> seen;
  constexpr int kTasks = 50;
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(pool.TrySubmit([&] {
      absl::MutexLock lock(&mu);
      seen.push_back(std::this_thread::get_id());
      ++ran;
    }));
  }
  pool.Shutdown();
  EXPECT_EQ(ran.load(), kTasks);
  for (const std::thread::id& id : seen) EXPECT_NE(id, std::this_thread::get_id());
}

TEST(WorkerPoolTest, RejectsWhenQueueIsFull) {
  WorkerPool pool(/*threads=*/2, /*queue_limit=*/3);
  absl::Notification release;
  ReleaseOnExit release_on_exit(release);
  std::atomic<int> started{0};
  std::atomic<int> ran{0};
  auto blocking_task = [&] {
    ++started;
    release.WaitForNotification();
    ++ran;
  };
  // Occupy both threads.
  ASSERT_TRUE(pool.TrySubmit(blocking_task));
  ASSERT_TRUE(pool.TrySubmit(blocking_task));
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (started.load() < 2 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_EQ(started.load(), 2);

  // Three may wait; the fourth is refused and never runs.
  std::atomic<bool> refused_task_ran{false};
  EXPECT_TRUE(pool.TrySubmit(blocking_task));
  EXPECT_TRUE(pool.TrySubmit(blocking_task));
  EXPECT_TRUE(pool.TrySubmit(blocking_task));
  EXPECT_EQ(pool.QueuedTasks(), 3u);
  EXPECT_FALSE(pool.TrySubmit([&] { refused_task_ran = true; }));

  release.Notify();
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 5);
  EXPECT_FALSE(refused_task_ran.load());

  // After draining, room again would not matter: the pool is shut down.
  EXPECT_FALSE(pool.TrySubmit([&] { refused_task_ran = true; }));
  EXPECT_FALSE(refused_task_ran.load());
}

TEST(WorkerPoolTest, AWithdrawnTaskNeverRunsAndFreesItsSlot) {
  WorkerPool pool(/*threads=*/1, /*queue_limit=*/1);
  absl::Notification release;
  ReleaseOnExit release_on_exit(release);
  std::atomic<int> started{0};
  ASSERT_NE(pool.Submit([&] {
    ++started;
    release.WaitForNotification();
  }),
            0u);
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (started.load() < 1 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_EQ(started.load(), 1);

  std::atomic<bool> withdrawn_ran{false};
  const WorkerPool::TaskId queued = pool.Submit([&] { withdrawn_ran = true; });
  ASSERT_NE(queued, 0u);
  EXPECT_EQ(pool.Submit([] {}), 0u);  // the queue is full
  EXPECT_TRUE(pool.Withdraw(queued));
  EXPECT_FALSE(pool.Withdraw(queued));  // only once
  EXPECT_EQ(pool.QueuedTasks(), 0u);
  std::atomic<bool> next_ran{false};
  const WorkerPool::TaskId next = pool.Submit([&] { next_ran = true; });
  EXPECT_NE(next, 0u);  // its slot was free at once
  EXPECT_NE(next, queued);

  release.Notify();
  pool.Shutdown();
  EXPECT_FALSE(withdrawn_ran.load());
  EXPECT_TRUE(next_ran.load());
  EXPECT_FALSE(pool.Withdraw(next));  // it ran: nothing to withdraw
  EXPECT_FALSE(pool.Withdraw(0));
}

TEST(WorkerPoolTest, ShutdownDrainsQueuedTasks) {
  absl::Notification release;
  WorkerPool pool(/*threads=*/1, /*queue_limit=*/10);
  ReleaseOnExit release_on_exit(release);
  std::atomic<int> ran{0};
  absl::Notification started;
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
    ++ran;
  }));
  // The blocking task must be running (not queued) before the queue is filled.
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(absl::Seconds(10)));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(pool.TrySubmit([&] {
      absl::SleepFor(absl::Milliseconds(2));
      ++ran;
    }));
  }
  std::thread shutdown([&] { pool.Shutdown(); });
  // Shutdown is waiting on the blocked task; new work is already refused.
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(pool.TrySubmit([] {}));
  EXPECT_LT(ran.load(), 11);
  release.Notify();
  shutdown.join();
  EXPECT_EQ(ran.load(), 11);
  pool.Shutdown();  // idempotent
}

TEST(WorkerPoolTest, AThrowingTaskDoesNotStopTheWorker) {
  WorkerPool pool(/*threads=*/1, /*queue_limit=*/10);
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.TrySubmit([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(pool.TrySubmit([&] { ++ran; }));
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 1);
}

TEST(WorkerPoolTest, DestructorDrainsLikeShutdown) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(/*threads=*/2, /*queue_limit=*/20);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(pool.TrySubmit([&] {
        absl::SleepFor(absl::Milliseconds(1));
        ++ran;
      }));
    }
  }
  EXPECT_EQ(ran.load(), 20);
}

}  // namespace
}  // namespace consular

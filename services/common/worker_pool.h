#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace consular {

// A fixed set of threads running blocking work (database calls) off the gRPC
// callback threads, with a bounded queue so that overload is refused early
// instead of piling up. All methods are thread-safe.
class WorkerPool {
 public:
  // Starts `threads` threads (at least one). At most `queue_limit` tasks (at
  // least zero) wait for a free thread; tasks already running do not count.
  WorkerPool(int threads, int queue_limit);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  // Shutdown().
  ~WorkerPool();

  // Names a queued task, so that it can be withdrawn. Never 0.
  using TaskId = uint64_t;

  // Queues `task` and returns its id; 0 (and does not run it) when queue_limit
  // tasks are already waiting or after Shutdown. A task that throws is reported
  // on stderr and does not stop its thread.
  TaskId Submit(std::function<void()> task);

  // Submit(task) != 0.
  bool TrySubmit(std::function<void()> task) { return Submit(std::move(task)) != 0; }

  // Removes task `id` from the queue if it is still waiting: true if it was
  // removed (it will never run, and its queue slot is free at once); false if it
  // has started or finished already, or was never queued.
  bool Withdraw(TaskId id);

  // Stops accepting, runs every queued task to completion, joins the threads.
  // Idempotent; later and concurrent callers return once the first call has
  // finished. Must not be called from a task.
  void Shutdown();

  // The number of tasks waiting for a thread (for metrics and tests).
  size_t QueuedTasks() const;

 private:
  void RunWorker();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t queue_limit_;
  mutable absl::Mutex mu_;
  struct Queued {
    TaskId id;
    std::function<void()> task;
  };
  std::deque<Queued> queue_ ABSL_GUARDED_BY(mu_);
  TaskId last_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
  std::once_flag shutdown_once_;
};

}  // namespace consular

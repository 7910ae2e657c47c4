#include "services/common/worker_pool.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "base/log.h"

namespace consular {

WorkerPool::WorkerPool(int threads, int queue_limit)
    : queue_limit_(static_cast<size_t>(std::max(queue_limit, 0))) {
  const int count = std::max(threads, 1);
  threads_.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { RunWorker(); });
}

WorkerPool::~WorkerPool() { Shutdown(); }

WorkerPool::TaskId WorkerPool::Submit(std::function<void()> task) {
  if (!task) return 0;
  absl::MutexLock lock(&mu_);
  if (stopping_ || queue_.size() >= queue_limit_) return 0;
  const TaskId id = ++last_id_;
  queue_.push_back({id, std::move(task)});
  return id;
}

bool WorkerPool::Withdraw(TaskId id) {
  if (id == 0) return false;
  std::function<void()> withdrawn;  // destroyed outside the lock
  absl::MutexLock lock(&mu_);
  const auto it = std::find_if(queue_.begin(), queue_.end(),
                               [id](const Queued& queued) { return queued.id == id; });
  if (it == queue_.end()) return false;
  withdrawn = std::move(it->task);
  queue_.erase(it);
  return true;
}

void WorkerPool::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (std::thread& thread : threads_) thread.join();
  });
}

size_t WorkerPool::QueuedTasks() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

bool WorkerPool::HasWorkOrStopping() const { return stopping_ || !queue_.empty(); }

void WorkerPool::RunWorker() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &WorkerPool::HasWorkOrStopping));
      if (queue_.empty()) return;  // stopping, and nothing left to drain
      task = std::move(queue_.front().task);
      queue_.pop_front();
    }
    try {
      task();
    } catch (...) {
      // The message is not printed: it may carry case data.
      LogError("worker pool: a task threw an exception");
    }
  }
}

}  // namespace consular

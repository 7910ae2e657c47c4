#pragma once

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

// The clock everything that reads the time is given, so that rules about time (deadlines, expiry,
// follow-ups, ages) can be tested at any instant without waiting.
namespace consular {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system's clock (absl::Now()); one instance for the whole process, never destroyed.
const Clock& SystemClock();

// A clock that stands still until told to move; safe to read and move from any thread.
class ManualClock : public Clock {
 public:
  explicit ManualClock(absl::Time start) : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time now) {
    absl::MutexLock lock(&mu_);
    now_ = now;
  }
  void Advance(absl::Duration by) {
    absl::MutexLock lock(&mu_);
    now_ += by;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace consular

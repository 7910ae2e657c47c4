#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/cases/records_manager.h"

namespace consular::cases {

// The monthly destruction list, proposed in the background of consular-cases: every `interval`
// it asks RecordsManager::ProposeMonthlyListIfDue, which proposes the month's list once cases
// are due (one list per month, whichever replica is first). Failures go to the log, once per
// change of error.
class DestructionListJob {
 public:
  DestructionListJob(RecordsManager* manager, absl::Duration interval)
      : manager_(manager), interval_(interval) {}
  DestructionListJob(const DestructionListJob&) = delete;
  DestructionListJob& operator=(const DestructionListJob&) = delete;
  ~DestructionListJob() { Stop(); }

  // Starts the thread (its first round at once); does nothing if started.
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Stops the thread, waiting for a round in progress; idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  RecordsManager* const manager_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // started and joined by Start/Stop, which callers do not race
};

}  // namespace consular::cases

#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/stats/rollups.h"

namespace consular::stats {

// Brings the rollups up to date every `interval` on a thread of its own, from Start() until
// Stop(). A failed round is reported on stderr and retried after the interval. `updater` must
// outlive the refresher.
class RollupRefresher {
 public:
  RollupRefresher(RollupUpdater* updater, absl::Duration interval)
      : updater_(updater), interval_(interval) {}
  RollupRefresher(const RollupRefresher&) = delete;
  RollupRefresher& operator=(const RollupRefresher&) = delete;
  ~RollupRefresher() { Stop(); }

  void Start();
  // Waits for a round in progress to end; idempotent.
  void Stop();

 private:
  void Loop();

  RollupUpdater* const updater_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace consular::stats

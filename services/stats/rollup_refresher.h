#pragma once

#include <functional>
#include <thread>
#include <utility>

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
  // `after_round`, when given, runs on the refresher's thread after every round (the monthly
  // release is made there).
  RollupRefresher(RollupUpdater* updater, absl::Duration interval,
                  std::function<void()> after_round = nullptr)
      : updater_(updater), interval_(interval), after_round_(std::move(after_round)) {}
  RollupRefresher(const RollupRefresher&) = delete;
  RollupRefresher& operator=(const RollupRefresher&) = delete;
  ~RollupRefresher() { Stop(); }

  void Start();
  // Waits for a round in progress to end; idempotent.
  void Stop();

  // The rollups' freshness after the last round that could read it (lag zero and as_of
  // InfinitePast before the first). For the metrics; thread-safe.
  Freshness LastFreshness() const ABSL_LOCKS_EXCLUDED(freshness_mu_);

 private:
  void Loop();

  RollupUpdater* const updater_;
  const absl::Duration interval_;
  const std::function<void()> after_round_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
  mutable absl::Mutex freshness_mu_;
  Freshness freshness_ ABSL_GUARDED_BY(freshness_mu_){absl::InfinitePast(), absl::ZeroDuration(), 0};
};

}  // namespace consular::stats

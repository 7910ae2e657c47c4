#include "services/stats/rollup_refresher.h"

#include "absl/strings/str_cat.h"
#include "base/log.h"

namespace consular::stats {

void RollupRefresher::Start() {
  if (thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

Freshness RollupRefresher::LastFreshness() const {
  absl::MutexLock lock(&freshness_mu_);
  return freshness_;
}

void RollupRefresher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void RollupRefresher::Loop() {
  while (true) {
    const absl::StatusOr<int64_t> applied = updater_->CatchUp();
    if (!applied.ok()) {
      LogError(absl::StrCat("updating the rollups: ", applied.status().message()));
    } else if (absl::StatusOr<Freshness> fresh = updater_->CurrentFreshness(); fresh.ok()) {
      absl::MutexLock lock(&freshness_mu_);
      freshness_ = *fresh;
    }
    if (after_round_) after_round_();
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stop_), interval_);
    if (stop_) return;
  }
}

}  // namespace consular::stats

#include "services/cases/destruction_job.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/log.h"

namespace consular::cases {

void DestructionListJob::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (thread_.joinable()) return;
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void DestructionListJob::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void DestructionListJob::Loop() {
  std::string last_error;
  while (true) {
    const absl::StatusOr<std::optional<std::string>> proposed = manager_->ProposeMonthlyListIfDue();
    if (!proposed.ok()) {
      const std::string error = proposed.status().ToString();
      if (error != last_error) LogError(absl::StrCat("the monthly destruction list: ", error));
      last_error = error;
    } else {
      last_error.clear();
      if (proposed->has_value()) {
        LogInfo("proposed the monthly destruction list", {{"list", **proposed}});
      }
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stop_), interval_);
    if (stop_) return;
  }
}

}  // namespace consular::cases

#include "services/common/service_manager.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/log.h"

namespace consular {
namespace {

void Notify(const std::string& state) {
  const int sent = sd_notify(/*unset_environment=*/0, state.c_str());
  if (sent < 0) {
    LogWarning(absl::StrCat("cannot notify the service manager: ", std::strerror(-sent)));
  }
}

// A STATUS= assignment: one line.
std::string StatusLine(const std::string& status) {
  return absl::StrCat("STATUS=", absl::StrReplaceAll(status, {{"\n", " "}, {"\r", " "}}));
}

}  // namespace

void NotifyReady(const std::string& status) {
  Notify(absl::StrCat("READY=1\n", StatusLine(status)));
}

void NotifyStatus(const std::string& status) { Notify(StatusLine(status)); }

void NotifyStopping(const std::string& status) {
  Notify(absl::StrCat("STOPPING=1\n", StatusLine(status)));
}

absl::Duration WatchdogPingInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) <= 0 || usec == 0) {
    return absl::ZeroDuration();
  }
  return absl::Microseconds(static_cast<int64_t>(usec / 2));
}

void NotifyWatchdog() { Notify("WATCHDOG=1"); }

}  // namespace consular

#pragma once

#include <string>

#include "absl/time/time.h"

// Tells the service manager that started this process (systemd, through the datagram socket that
// $NOTIFY_SOCKET names; sd_notify(3)) how the process is doing, so that a unit of Type=notify is
// active only once the process serves, and deactivating from the moment its shutdown begins. Each
// function does nothing when no service manager asked to be told (no NOTIFY_SOCKET); a failure to
// tell it is logged as a warning and changes nothing else.
namespace consular {

// READY=1: start-up is complete and the process serves. `status` (one line; newlines become
// spaces) is what `systemctl status` shows.
void NotifyReady(const std::string& status);

// STATUS=: what the process is doing now.
void NotifyStatus(const std::string& status);

// STOPPING=1: shutdown has begun.
void NotifyStopping(const std::string& status);

// How often this process must send WATCHDOG=1: half the unit's WatchdogSec=, or zero when the
// service manager keeps no watchdog for it (or there is none).
absl::Duration WatchdogPingInterval();

// WATCHDOG=1: the process is alive.
void NotifyWatchdog();

}  // namespace consular

#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace consular::loadgen {

// Exit codes of consular-loadgen and consular-datagen.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure =
    1;  // the run failed (could not connect, a call or the load failed)
inline constexpr int kExitUsage = 2;  // bad command line or unreadable file

// 16 hex digits from the system's random source: keeps the request ids of separate runs apart.
std::string NewRunId();

// Writes "error: MESSAGE" and a pointer to --help to stderr; returns kExitUsage.
int UsageError(const std::string& message);

// Writes "error: CODE: MESSAGE" of `status` to stderr; returns kExitFailure.
int Failure(const absl::Status& status);

// A duration flag: "30s", "1.5s", "500ms", "2m", "1h30m", or a bare number of seconds ("30").
// INVALID_ARGUMENT naming `flag` for anything else or a negative duration.
absl::StatusOr<absl::Duration> ParseDurationFlag(const std::string& flag, const std::string& text);

}  // namespace consular::loadgen

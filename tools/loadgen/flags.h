#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace consular::loadgen {

// A duration flag: "30s", "1.5s", "500ms", "2m", "1h30m", or a bare number of seconds ("30").
// INVALID_ARGUMENT naming `flag` for anything else or a negative duration.
absl::StatusOr<absl::Duration> ParseDurationFlag(const std::string& flag, const std::string& text);

}  // namespace consular::loadgen

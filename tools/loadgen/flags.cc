#include "tools/loadgen/flags.h"

#include <cmath>
#include <cstdint>
#include <iostream>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace consular::loadgen {

std::string NewRunId() {
  std::random_device random;
  const uint64_t id = (static_cast<uint64_t>(random()) << 32) ^ random();
  return absl::StrFormat("%016x", id);
}

int UsageError(const std::string& message) {
  std::cerr << "error: " << message << "\nRun with --help for more information." << std::endl;
  return kExitUsage;
}

int Failure(const absl::Status& status) {
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
            << std::endl;
  return kExitFailure;
}

absl::StatusOr<absl::Duration> ParseDurationFlag(const std::string& flag, const std::string& text) {
  const std::string trimmed(absl::StripAsciiWhitespace(text));
  absl::Duration duration;
  double seconds = 0;
  if (absl::SimpleAtod(trimmed, &seconds) && std::isfinite(seconds)) {
    duration = absl::Seconds(seconds);
  } else if (trimmed.empty() || !absl::ParseDuration(trimmed, &duration) ||
             duration == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": not a duration: \"", text, "\" (e.g. 30s, 500ms, 2m, or a number of seconds)"));
  }
  if (duration < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": must not be negative"));
  }
  return duration;
}

}  // namespace consular::loadgen

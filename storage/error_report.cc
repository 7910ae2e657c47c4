#include "storage/error_report.h"

#include <cstdio>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace consular::storage {

std::string NewCorrelationId() {
  thread_local absl::BitGen bit_gen;
  return absl::StrFormat("%016x", absl::Uniform<uint64_t>(bit_gen));
}

absl::Status ReportError(absl::StatusCode code,
                         absl::string_view public_message,
                         absl::string_view detail) {
  const std::string id = NewCorrelationId();
  const std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                    absl::UTCTimeZone()),
                   " storage error, correlation id ", id, " (",
                   absl::StatusCodeToString(code),
                   "): ", absl::StripTrailingAsciiWhitespace(detail), "\n");
  // One fwrite per line keeps concurrent lines from interleaving.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  return absl::Status(code,
                      absl::StrCat(public_message, ", correlation id ", id));
}

}  // namespace consular::storage

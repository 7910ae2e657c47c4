#include "services/common/internal_error.h"

#include <openssl/rand.h>

#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace consular {
namespace {

constexpr char kCorrelationMarker[] = "correlation id ";

std::string NewId() {
  unsigned char bytes[8] = {};
  RAND_bytes(bytes, sizeof bytes);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

absl::Status Report(absl::StatusCode code, const std::string& detail) {
  const std::string id = NewId();
  const std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                   " internal error, correlation id ", id, " (", absl::StatusCodeToString(code),
                   "): ", detail, "\n");
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write: lines never interleave
  std::fflush(stderr);
  return absl::Status(code, absl::StrCat("internal error, ", kCorrelationMarker, id));
}

}  // namespace

absl::Status MaskInternalError(const absl::Status& status) {
  const absl::StatusCode code = status.code();
  if (code != absl::StatusCode::kInternal && code != absl::StatusCode::kUnknown &&
      code != absl::StatusCode::kDataLoss) {
    return status;
  }
  if (absl::StrContains(status.message(), kCorrelationMarker)) return status;
  return Report(code, std::string(status.message()));
}

absl::Status InternalErrorWithCorrelation(const std::string& detail) {
  return Report(absl::StatusCode::kInternal, detail);
}

}  // namespace consular

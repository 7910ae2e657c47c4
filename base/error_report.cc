#include "base/error_report.h"

#include <cstdint>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "base/log.h"

namespace consular {

std::string NewCorrelationId() {
  thread_local absl::BitGen bit_gen;
  return absl::StrFormat("%016x", absl::Uniform<uint64_t>(bit_gen));
}

absl::Status ReportError(absl::StatusCode code, absl::string_view public_message,
                         absl::string_view detail) {
  const std::string id = NewCorrelationId();
  LogError(absl::StripTrailingAsciiWhitespace(detail),
           {{"correlation_id", id}, {"code", absl::StatusCodeToString(code)}});
  absl::Status status(code, absl::StrCat(public_message, ", correlation id ", id));
  status.SetPayload(kCorrelationIdPayload, absl::Cord(id));
  return status;
}

std::string CorrelationIdOf(const absl::Status& status) {
  const absl::optional<absl::Cord> id = status.GetPayload(kCorrelationIdPayload);
  return id.has_value() ? std::string(*id) : std::string();
}

absl::Status WithCorrelationOf(absl::Status status, const absl::Status& reported) {
  const std::string id = CorrelationIdOf(reported);
  if (!id.empty() && !status.ok()) status.SetPayload(kCorrelationIdPayload, absl::Cord(id));
  return status;
}

}  // namespace consular

#include "services/common/internal_error.h"

#include <string>

#include "base/error_report.h"

namespace consular {

absl::Status MaskInternalError(const absl::Status& status) {
  const absl::StatusCode code = status.code();
  if (code != absl::StatusCode::kInternal && code != absl::StatusCode::kUnknown &&
      code != absl::StatusCode::kDataLoss) {
    return status;
  }
  if (!CorrelationIdOf(status).empty()) return status;
  return ReportError(code, "internal error", status.message());
}

absl::Status InternalErrorWithCorrelation(const std::string& detail) {
  return ReportError(absl::StatusCode::kInternal, "internal error", detail);
}

}  // namespace consular

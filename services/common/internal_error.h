#pragma once

#include <string>

#include "absl/status/status.h"

namespace consular {

// Internal failures tell a caller nothing but a correlation id (base/error_report.h): for INTERNAL,
// UNKNOWN and DATA_LOSS statuses that do not already carry one, writes the detail to the server log
// (stderr) under a new correlation id and returns the same code with the message
// "internal error, correlation id <id>". Every other status is returned unchanged.
absl::Status MaskInternalError(const absl::Status& status);

// Logs `detail` under a new correlation id and returns INTERNAL
// "internal error, correlation id <id>".
absl::Status InternalErrorWithCorrelation(const std::string& detail);

}  // namespace consular

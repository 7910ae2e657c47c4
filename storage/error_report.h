#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace consular::storage {

// Returns a new random correlation id (16 hex digits) that ties a status
// returned to a caller to the detailed server-side log line written for it.
std::string NewCorrelationId();

// Writes `detail` to stderr under a new correlation id and returns a status
// with `code` whose message is only "<public_message>, correlation id <id>".
// Use it wherever the detail (SQL state, server messages, host names) must stay
// on the server.
absl::Status ReportError(absl::StatusCode code,
                         absl::string_view public_message,
                         absl::string_view detail);

}  // namespace consular::storage

#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

// The one way an error's detail is kept on the server: the detail goes to the log (stderr) under a
// new correlation id, and the caller gets a status whose message is only a public text and that id.
// The id travels in the status as a payload (kCorrelationIdPayload), so code that needs it (the
// audit row of a failed call, the check that a status is already reported) reads it from there,
// never from the message text.
namespace consular {

// The type URL of the payload that carries a status's correlation id.
inline constexpr char kCorrelationIdPayload[] = "type.consular.dev/correlation-id";

// A new random correlation id: 16 hex digits.
std::string NewCorrelationId();

// Logs `detail` as an error line with "correlation_id" and "code" (base/log.h) and returns a
// status with `code`, the message "<public_message>, correlation id <id>" and the id as payload.
absl::Status ReportError(absl::StatusCode code, absl::string_view public_message,
                         absl::string_view detail);

// The correlation id `status` carries, or "" when it carries none.
std::string CorrelationIdOf(const absl::Status& status);

// `status` carrying the correlation id of `reported` too (when it has one): for a status built
// from another's message.
absl::Status WithCorrelationOf(absl::Status status, const absl::Status& reported);

}  // namespace consular

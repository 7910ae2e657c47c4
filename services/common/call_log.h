#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/identity.h"

// One log line per call (base/log.h), written where every call of every service passes
// (proto_service.cc): which method, its status code, how long it took, the caller's role and unit
// (not who), the correlation id of an error the server logged, and the W3C trace id the client
// sent. Never a request's or an answer's content, never a status message (it may repeat input).
namespace consular {

struct CallLogRecord {
  std::string method;          // "/consular.v1.CaseService/GetCase"
  grpc::StatusCode code = grpc::StatusCode::OK;
  absl::Duration latency;
  const Identity* who = nullptr;  // null when the caller was not authenticated
  std::string correlation_id;  // of a logged error; may be empty
  std::string trace_id;        // from "traceparent"; may be empty
};

// The trace id of a W3C "traceparent" header ("00-<32 hex>-<16 hex>-<2 hex>", lower case; an
// all-zero trace id is invalid), or "" when the value is not one.
std::string TraceIdOf(absl::string_view traceparent);

// The correlation id an error status's message ends with ("…, correlation id <16 hex>"), or "".
std::string CorrelationIdInMessage(absl::string_view message);

// "OK", "INVALID_ARGUMENT", …
const char* StatusCodeName(grpc::StatusCode code);

// Writes the call's line: msg "call", fields method, code, latency_ms, role, unit,
// correlation_id and trace_id (the last four only when known).
void LogCall(const CallLogRecord& record);

}  // namespace consular

#include "services/common/call_log.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "base/log.h"
#include "consular/v1/common.pb.h"

namespace consular {
namespace {

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

}  // namespace

std::string TraceIdOf(absl::string_view traceparent) {
  traceparent = absl::StripAsciiWhitespace(traceparent);
  // version "00": exactly 55 characters; a later version may append fields after a dash.
  if (traceparent.size() < 55 || (traceparent.size() > 55 && traceparent[55] != '-')) return "";
  if (traceparent[2] != '-' || traceparent[35] != '-' || traceparent[52] != '-') return "";
  const absl::string_view version = traceparent.substr(0, 2);
  const absl::string_view trace_id = traceparent.substr(3, 32);
  const absl::string_view parent_id = traceparent.substr(36, 16);
  const absl::string_view flags = traceparent.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff" || !IsLowerHex(trace_id) || !IsLowerHex(parent_id) ||
      !IsLowerHex(flags)) {
    return "";
  }
  if (version == "00" && traceparent.size() != 55) return "";
  if (trace_id == std::string(32, '0') || parent_id == std::string(16, '0')) return "";
  return std::string(trace_id);
}

std::string CorrelationIdInMessage(absl::string_view message) {
  constexpr absl::string_view kMarker = "correlation id ";
  if (message.size() < kMarker.size() + 16) return "";
  const absl::string_view id = message.substr(message.size() - 16);
  const absl::string_view before = message.substr(0, message.size() - 16);
  if (!absl::EndsWith(before, kMarker) || !IsLowerHex(id)) return "";
  return std::string(id);
}

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    default: return "UNKNOWN";
  }
}

void LogCall(const CallLogRecord& record) {
  const double latency_ms = absl::ToDoubleMilliseconds(record.latency);
  const LogLevel level =
      record.code == grpc::StatusCode::INTERNAL || record.code == grpc::StatusCode::DATA_LOSS ||
              record.code == grpc::StatusCode::UNKNOWN
          ? LogLevel::kError
          : LogLevel::kInfo;
  const std::string role =
      record.who != nullptr ? consular::v1::Role_Name(record.who->role) : std::string();
  const std::string unit = record.who != nullptr ? UnitOf(*record.who) : std::string();
  // Fields without a value are left out, so that every line stays short.
  std::vector<LogField> fields = {{"method", record.method},
                                  {"code", StatusCodeName(record.code)},
                                  {"latency_ms", latency_ms}};
  if (record.who != nullptr) {
    fields.push_back({"role", role});
    if (!unit.empty()) fields.push_back({"unit", unit});
  }
  if (!record.correlation_id.empty()) fields.push_back({"correlation_id", record.correlation_id});
  if (!record.trace_id.empty()) fields.push_back({"trace_id", record.trace_id});
  Log(level, "call", fields);
}

}  // namespace consular

#pragma once

// The gRPC-Web wire format (binary mode, "application/grpc-web+proto") as the web gateway speaks
// it: a request body is one length-prefixed data frame holding the serialized request; an answer is
// a data frame with the serialized response (on success) followed by a trailer frame
// ("grpc-status: N\r\ngrpc-message: ...\r\n").
// Reference: https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace consular::web {

// The one message of a unary call's request body: exactly one uncompressed data frame (flag 0,
// 4-byte big-endian length, that many bytes) and nothing after it. INVALID_ARGUMENT naming what is
// wrong otherwise (a compressed frame, a trailer frame, a short or over-long body).
absl::StatusOr<std::string> UnaryRequestMessage(absl::string_view body);

// A data frame holding `message`.
std::string DataFrame(absl::string_view message);

// A trailer frame with the call's status: "grpc-status" (the numeric code) and, when `message` is
// not empty, "grpc-message" percent-encoded as gRPC requires.
std::string TrailerFrame(int code, absl::string_view message);

// `message` percent-encoded for the grpc-message field: bytes outside printable ASCII and '%'
// become %XX.
std::string PercentEncodeGrpcMessage(absl::string_view message);

// The duration of a "grpc-timeout" header ("250m", "30S", "1H"); nullopt when absent or malformed.
std::optional<absl::Duration> ParseGrpcTimeout(absl::string_view value);

// Whether `content_type` is a gRPC-Web binary content type ("application/grpc-web",
// "application/grpc-web+proto", with optional parameters).
bool IsGrpcWebBinary(absl::string_view content_type);

}  // namespace consular::web

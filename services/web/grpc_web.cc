#include "services/web/grpc_web.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace consular::web {
namespace {

constexpr unsigned char kDataFlag = 0x00;
constexpr unsigned char kCompressedFlag = 0x01;
constexpr unsigned char kTrailerFlag = 0x80;

std::string Frame(unsigned char flag, absl::string_view payload) {
  std::string out;
  out.reserve(5 + payload.size());
  out.push_back(static_cast<char>(flag));
  const uint32_t n = static_cast<uint32_t>(payload.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(payload.data(), payload.size());
  return out;
}

}  // namespace

absl::StatusOr<std::string> UnaryRequestMessage(absl::string_view body) {
  if (body.size() < 5) {
    return absl::InvalidArgumentError("request body: not a gRPC-Web frame (under 5 bytes)");
  }
  const auto flag = static_cast<unsigned char>(body[0]);
  if (flag & kTrailerFlag) {
    return absl::InvalidArgumentError("request body: a trailer frame where a message belongs");
  }
  if (flag & kCompressedFlag) {
    return absl::InvalidArgumentError("request body: compressed frames are not accepted");
  }
  if (flag != kDataFlag) return absl::InvalidArgumentError("request body: unknown frame flag");
  const uint32_t n = (static_cast<uint32_t>(static_cast<unsigned char>(body[1])) << 24) |
                     (static_cast<uint32_t>(static_cast<unsigned char>(body[2])) << 16) |
                     (static_cast<uint32_t>(static_cast<unsigned char>(body[3])) << 8) |
                     static_cast<uint32_t>(static_cast<unsigned char>(body[4]));
  if (body.size() - 5 != n) {
    return absl::InvalidArgumentError(absl::StrCat("request body: the frame announces ", n,
                                                   " bytes and ", body.size() - 5, " follow"));
  }
  return std::string(body.substr(5));
}

std::string DataFrame(absl::string_view message) { return Frame(kDataFlag, message); }

std::string TrailerFrame(int code, absl::string_view message) {
  std::string trailers = absl::StrCat("grpc-status:", code, "\r\n");
  if (!message.empty()) {
    absl::StrAppend(&trailers, "grpc-message:", PercentEncodeGrpcMessage(message), "\r\n");
  }
  return Frame(kTrailerFlag, trailers);
}

std::string PercentEncodeGrpcMessage(absl::string_view message) {
  std::string out;
  for (char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte <= 0x7e && byte != '%') {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", byte);
    }
  }
  return out;
}

std::optional<absl::Duration> ParseGrpcTimeout(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  const char unit = value.back();
  int64_t amount = 0;
  const absl::string_view digits = value.substr(0, value.size() - 1);
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  if (!absl::SimpleAtoi(digits, &amount) || amount < 0) return std::nullopt;
  switch (unit) {
    case 'H':
      return absl::Hours(amount);
    case 'M':
      return absl::Minutes(amount);
    case 'S':
      return absl::Seconds(amount);
    case 'm':
      return absl::Milliseconds(amount);
    case 'u':
      return absl::Microseconds(amount);
    case 'n':
      return absl::Nanoseconds(amount);
    default:
      return std::nullopt;
  }
}

bool IsGrpcWebBinary(absl::string_view content_type) {
  absl::string_view type = content_type.substr(0, content_type.find(';'));
  type = absl::StripAsciiWhitespace(type);
  return absl::EqualsIgnoreCase(type, "application/grpc-web") ||
         absl::EqualsIgnoreCase(type, "application/grpc-web+proto");
}

}  // namespace consular::web

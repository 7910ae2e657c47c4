#include "tools/consularctl/client.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/tls.h"
#include "tools/consularctl/ids.h"

namespace consular::ctl {

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const GlobalOptions& options, const std::string& addr) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      consular::MakeToolChannelCredentials(options.insecure, options.ca_cert);
  if (!credentials.ok()) {
    return absl::Status(credentials.status().code(),
                        absl::StrCat("--ca-cert: ", credentials.status().message()));
  }
  return grpc::CreateChannel(addr, *credentials);
}

void PrepareCallContext(grpc::ClientContext* context, const std::string& token,
                        double timeout_seconds, const std::string& purpose) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            std::chrono::duration<double>(timeout_seconds)));
  // Without a token the call goes out without the header, and the server says
  // UNAUTHENTICATED.
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  if (!purpose.empty()) context->AddMetadata("x-access-purpose", purpose);
}

absl::StatusOr<std::string> TokenSubject(const std::string& token) {
  const std::vector<std::string> parts =
      absl::StrSplit(absl::StripAsciiWhitespace(token), '.');
  std::string payload;
  google::protobuf::Struct claims;
  if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[1], &payload) ||
      !google::protobuf::util::JsonStringToMessage(payload, &claims).ok()) {
    return absl::InvalidArgumentError("the token (--token, CONSULAR_TOKEN) is not a JWT");
  }
  const auto sub = claims.fields().find("sub");
  if (sub == claims.fields().end() || sub->second.string_value().empty()) {
    return absl::InvalidArgumentError("the token (--token, CONSULAR_TOKEN) names no subject");
  }
  return sub->second.string_value();
}

std::string RequestIdOrNew(const std::string& given) {
  return given.empty() ? NewRequestId() : given;
}

namespace {

// Whether a failed mutation may or may not have been applied, so that a retry
// with the same request id is the safe way forward.
bool OutcomeUnknown(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
      return true;
    default:
      return false;
  }
}

}  // namespace

int ReportMutationError(const absl::Status& status, const GlobalOptions& options,
                        const std::string& request_id) {
  const int exit_code = ReportCallError(status, options);
  if (OutcomeUnknown(status)) {
    std::cerr << "the change may or may not have been made; to retry safely, "
                 "repeat the "
                 "command with --request-id "
              << request_id << std::endl;
  }
  return exit_code;
}

int ReportError(const absl::Status& status) {
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": "
            << status.message() << std::endl;
  return kExitFailure;
}

int ReportCallError(const absl::Status& status, const GlobalOptions& options) {
  const int exit_code = ReportError(status);
  if (status.code() == absl::StatusCode::kUnauthenticated &&
      absl::StripAsciiWhitespace(options.token).empty()) {
    std::cerr
        << "hint: no token was sent; pass --token or set CONSULAR_TOKEN, e.g. "
           "export CONSULAR_TOKEN=$(consularctl dev token --role officer "
           "--post RABAT)"
        << std::endl;
  }
  return exit_code;
}

int ReportUsageError(absl::string_view message, bool help_hint) {
  std::cerr << "error: " << message << "\n";
  if (help_hint) std::cerr << "Run with --help for more information.\n";
  std::cerr << std::flush;
  return kExitUsage;
}

int PrintResult(bool json, const google::protobuf::Message& message,
                const std::string& text) {
  if (!json) {
    std::cout << text << std::flush;
    return kExitOk;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string out;
  google::protobuf::util::Status status =
      google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    // Cannot happen for the messages of this API (no Any fields); say so rather
    // than hide it.
    std::cerr << "error: INTERNAL: cannot print the response as JSON: "
              << status.ToString() << std::endl;
    return kExitFailure;
  }
  if (out.empty() || out.back() != '\n') out.push_back('\n');
  std::cout << out << std::flush;
  return kExitOk;
}

}  // namespace consular::ctl

#include "tools/consularctl/client.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/status.h"
#include "services/common/tls.h"

namespace consular::ctl {

using ::consular::v1::CaseService;

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const GlobalOptions& options, const std::string& addr) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.insecure) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> tls =
        consular::MakeChannelCredentials(options.ca_cert);
    if (!tls.ok()) {
      return absl::Status(tls.status().code(),
                          absl::StrCat("--ca-cert: ", tls.status().message()));
    }
    credentials = *std::move(tls);
  }
  return grpc::CreateChannel(addr, credentials);
}

absl::StatusOr<std::unique_ptr<CaseClient>> CaseClient::Connect(
    const GlobalOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(options, options.addr);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<CaseClient>(
      new CaseClient(CaseService::NewStub(*channel), options));
}

CaseClient::CaseClient(std::unique_ptr<CaseService::StubInterface> stub,
                       const GlobalOptions& options)
    : stub_(std::move(stub)),
      token_(absl::StripAsciiWhitespace(options.token)),
      timeout_seconds_(options.timeout_seconds) {}

template <typename Request, typename Response>
absl::StatusOr<Response> CaseClient::Call(
    grpc::Status (CaseService::StubInterface::*method)(grpc::ClientContext*,
                                                       const Request&,
                                                       Response*),
    const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(
      std::chrono::system_clock::now() +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(timeout_seconds_)));
  // Without a token the call goes out without the header, and the server says
  // UNAUTHENTICATED.
  if (!token_.empty())
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  Response response;
  grpc::Status status = (stub_.get()->*method)(&context, request, &response);
  if (!status.ok()) return consular::FromGrpcStatus(status);
  return response;
}

absl::StatusOr<consular::v1::Case> CaseClient::CreateCase(
    const consular::v1::CreateCaseRequest& request) {
  return Call(&CaseService::StubInterface::CreateCase, request);
}

absl::StatusOr<consular::v1::Case> CaseClient::GetCase(
    const consular::v1::GetCaseRequest& request) {
  return Call(&CaseService::StubInterface::GetCase, request);
}

absl::StatusOr<consular::v1::ListCasesResponse> CaseClient::ListCases(
    const consular::v1::ListCasesRequest& request) {
  return Call(&CaseService::StubInterface::ListCases, request);
}

absl::StatusOr<consular::v1::Case> CaseClient::UpdateCase(
    const consular::v1::UpdateCaseRequest& request) {
  return Call(&CaseService::StubInterface::UpdateCase, request);
}

absl::StatusOr<consular::v1::Case> CaseClient::TransitionCase(
    const consular::v1::TransitionCaseRequest& request) {
  return Call(&CaseService::StubInterface::TransitionCase, request);
}

absl::StatusOr<consular::v1::CaseNote> CaseClient::AddCaseNote(
    const consular::v1::AddCaseNoteRequest& request) {
  return Call(&CaseService::StubInterface::AddCaseNote, request);
}

absl::StatusOr<consular::v1::ListCaseNotesResponse> CaseClient::ListCaseNotes(
    const consular::v1::ListCaseNotesRequest& request) {
  return Call(&CaseService::StubInterface::ListCaseNotes, request);
}

absl::StatusOr<consular::v1::ListCaseEventsResponse> CaseClient::ListCaseEvents(
    const consular::v1::ListCaseEventsRequest& request) {
  return Call(&CaseService::StubInterface::ListCaseEvents, request);
}

absl::StatusOr<consular::v1::SearchCasesResponse> CaseClient::SearchCases(
    const consular::v1::SearchCasesRequest& request) {
  return Call(&CaseService::StubInterface::SearchCases, request);
}

absl::StatusOr<consular::v1::CaseShare> CaseClient::ShareCase(
    const consular::v1::ShareCaseRequest& request) {
  return Call(&CaseService::StubInterface::ShareCase, request);
}

absl::StatusOr<consular::v1::CaseShare> CaseClient::RevokeShare(
    const consular::v1::RevokeShareRequest& request) {
  return Call(&CaseService::StubInterface::RevokeShare, request);
}

absl::StatusOr<consular::v1::ListSharesResponse> CaseClient::ListShares(
    const consular::v1::ListSharesRequest& request) {
  return Call(&CaseService::StubInterface::ListShares, request);
}

absl::StatusOr<consular::v1::Case> CaseClient::ReferCase(
    const consular::v1::ReferCaseRequest& request) {
  return Call(&CaseService::StubInterface::ReferCase, request);
}

absl::StatusOr<consular::v1::EmergencyAccess> CaseClient::OpenEmergencyAccess(
    const consular::v1::OpenEmergencyAccessRequest& request) {
  return Call(&CaseService::StubInterface::OpenEmergencyAccess, request);
}

absl::StatusOr<consular::v1::ListEmergencyAccessResponse> CaseClient::ListEmergencyAccess(
    const consular::v1::ListEmergencyAccessRequest& request) {
  return Call(&CaseService::StubInterface::ListEmergencyAccess, request);
}

absl::StatusOr<consular::v1::EmergencyAccess> CaseClient::ReviewEmergencyAccess(
    const consular::v1::ReviewEmergencyAccessRequest& request) {
  return Call(&CaseService::StubInterface::ReviewEmergencyAccess, request);
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

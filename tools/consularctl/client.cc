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
#include "tools/consularctl/ids.h"

namespace consular::ctl {

using ::consular::v1::CaseService;
using ::consular::v1::ContactService;
using ::consular::v1::PartnerService;

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

void PrepareCallContext(grpc::ClientContext* context, const std::string& token,
                        double timeout_seconds) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            std::chrono::duration<double>(timeout_seconds)));
  // Without a token the call goes out without the header, and the server says
  // UNAUTHENTICATED.
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

template <typename Request, typename Response>
absl::StatusOr<Response> CaseClient::Call(
    grpc::Status (CaseService::StubInterface::*method)(grpc::ClientContext*,
                                                       const Request&,
                                                       Response*),
    const Request& request) {
  grpc::ClientContext context;
  PrepareCallContext(&context, token_, timeout_seconds_);
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

absl::StatusOr<std::unique_ptr<ContactsClient>> ContactsClient::Connect(
    const GlobalOptions& options, const std::string& addr) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options, addr);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<ContactsClient>(new ContactsClient(*std::move(channel), options));
}

ContactsClient::ContactsClient(std::shared_ptr<grpc::Channel> channel, const GlobalOptions& options)
    : partners_(PartnerService::NewStub(channel)),
      contacts_(ContactService::NewStub(channel)),
      token_(absl::StripAsciiWhitespace(options.token)),
      timeout_seconds_(options.timeout_seconds) {}

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> ContactsClient::Call(
    Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
    const Request& request) {
  grpc::ClientContext context;
  PrepareCallContext(&context, token_, timeout_seconds_);
  Response response;
  grpc::Status status = (stub->*method)(&context, request, &response);
  if (!status.ok()) return consular::FromGrpcStatus(status);
  return response;
}

absl::StatusOr<consular::v1::Partner> ContactsClient::CreatePartner(
    const consular::v1::CreatePartnerRequest& request) {
  return Call(partners_.get(), &PartnerService::StubInterface::CreatePartner, request);
}

absl::StatusOr<consular::v1::Partner> ContactsClient::UpdatePartner(
    const consular::v1::UpdatePartnerRequest& request) {
  return Call(partners_.get(), &PartnerService::StubInterface::UpdatePartner, request);
}

absl::StatusOr<consular::v1::Partner> ContactsClient::GetPartner(
    const consular::v1::GetPartnerRequest& request) {
  return Call(partners_.get(), &PartnerService::StubInterface::GetPartner, request);
}

absl::StatusOr<consular::v1::ListPartnersResponse> ContactsClient::ListPartners(
    const consular::v1::ListPartnersRequest& request) {
  return Call(partners_.get(), &PartnerService::StubInterface::ListPartners, request);
}

absl::StatusOr<consular::v1::Partner> ContactsClient::SetVetting(
    const consular::v1::SetVettingRequest& request) {
  return Call(partners_.get(), &PartnerService::StubInterface::SetVetting, request);
}

absl::StatusOr<consular::v1::Partner> ContactsClient::DeactivatePartner(
    const consular::v1::DeactivatePartnerRequest& request) {
  return Call(partners_.get(), &PartnerService::StubInterface::DeactivatePartner, request);
}

absl::StatusOr<consular::v1::Accreditation> ContactsClient::SetAccreditation(
    const consular::v1::SetAccreditationRequest& request) {
  return Call(partners_.get(), &PartnerService::StubInterface::SetAccreditation, request);
}

absl::StatusOr<consular::v1::Accreditation> ContactsClient::GetAccreditation(
    const consular::v1::GetAccreditationRequest& request) {
  return Call(partners_.get(), &PartnerService::StubInterface::GetAccreditation, request);
}

absl::StatusOr<consular::v1::Contact> ContactsClient::LogContact(
    const consular::v1::LogContactRequest& request) {
  return Call(contacts_.get(), &ContactService::StubInterface::LogContact, request);
}

absl::StatusOr<consular::v1::ListContactsResponse> ContactsClient::ListContacts(
    const consular::v1::ListContactsRequest& request) {
  return Call(contacts_.get(), &ContactService::StubInterface::ListContacts, request);
}

absl::StatusOr<consular::v1::ListFollowUpsDueResponse> ContactsClient::ListFollowUpsDue(
    const consular::v1::ListFollowUpsDueRequest& request) {
  return Call(contacts_.get(), &ContactService::StubInterface::ListFollowUpsDue, request);
}

absl::StatusOr<consular::v1::Contact> ContactsClient::CompleteFollowUp(
    const consular::v1::CompleteFollowUpRequest& request) {
  return Call(contacts_.get(), &ContactService::StubInterface::CompleteFollowUp, request);
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

absl::StatusOr<std::unique_ptr<StatsClient>> StatsClient::Connect(const GlobalOptions& options,
                                                                 const std::string& addr) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options, addr);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<StatsClient>(new StatsClient(*std::move(channel), options));
}

StatsClient::StatsClient(std::shared_ptr<grpc::Channel> channel, const GlobalOptions& options)
    : statistics_(consular::v1::StatisticsService::NewStub(channel)),
      talks_(consular::v1::BilateralService::NewStub(channel)),
      reports_(consular::v1::ReportService::NewStub(channel)),
      token_(absl::StripAsciiWhitespace(options.token)),
      timeout_seconds_(options.timeout_seconds) {}

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> StatsClient::Call(
    Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
    const Request& request) {
  grpc::ClientContext context;
  PrepareCallContext(&context, token_, timeout_seconds_);
  Response response;
  grpc::Status status = (stub->*method)(&context, request, &response);
  if (!status.ok()) return consular::FromGrpcStatus(status);
  return response;
}

absl::StatusOr<consular::v1::CountryStatistics> StatsClient::GetCountryStatistics(
    const consular::v1::GetCountryStatisticsRequest& request) {
  return Call(statistics_.get(), &consular::v1::StatisticsService::StubInterface::GetCountryStatistics,
              request);
}

absl::StatusOr<consular::v1::ListCountriesResponse> StatsClient::ListCountries(
    const consular::v1::ListCountriesRequest& request) {
  return Call(statistics_.get(), &consular::v1::StatisticsService::StubInterface::ListCountries,
              request);
}

absl::StatusOr<consular::v1::TimeSeries> StatsClient::GetTimeSeries(
    const consular::v1::GetTimeSeriesRequest& request) {
  return Call(statistics_.get(), &consular::v1::StatisticsService::StubInterface::GetTimeSeries,
              request);
}

absl::StatusOr<consular::v1::Talk> StatsClient::RecordTalk(
    const consular::v1::RecordTalkRequest& request) {
  return Call(talks_.get(), &consular::v1::BilateralService::StubInterface::RecordTalk, request);
}

absl::StatusOr<consular::v1::ListTalksResponse> StatsClient::ListTalks(
    const consular::v1::ListTalksRequest& request) {
  return Call(talks_.get(), &consular::v1::BilateralService::StubInterface::ListTalks, request);
}

absl::StatusOr<consular::v1::Talk> StatsClient::GetTalk(const consular::v1::GetTalkRequest& request) {
  return Call(talks_.get(), &consular::v1::BilateralService::StubInterface::GetTalk, request);
}

absl::StatusOr<consular::v1::Dossier> StatsClient::RenderCountryDossier(
    const consular::v1::RenderCountryDossierRequest& request) {
  return Call(reports_.get(), &consular::v1::ReportService::StubInterface::RenderCountryDossier,
              request);
}

}  // namespace consular::ctl

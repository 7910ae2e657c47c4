#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "consular/v1/cases.grpc.pb.h"
#include "consular/v1/contacts.grpc.pb.h"
#include "consular/v1/statistics.grpc.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"

namespace consular::ctl {

// Exit codes of consularctl.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the call failed (any gRPC error)
inline constexpr int kExitUsage =
    2;  // bad command line, unreadable file, missing token

// Options that apply to every command.
struct GlobalOptions {
  std::string addr = "127.0.0.1:50051";
  std::string
      ca_cert;        // PEM file of the CA that signed the server's certificate
  std::string token;  // bearer token; never printed
  bool insecure = false;  // plaintext instead of TLS
  double timeout_seconds = 10;
  bool json = false;
};

// A channel to `addr` with the TLS (or --insecure) settings of `options`. NOT_FOUND /
// INVALID_ARGUMENT naming --ca-cert if the CA file cannot be read: usage errors.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const GlobalOptions& options, const std::string& addr);

// A CaseService client: every call gets the deadline --timeout from now and the
// metadata "authorization: Bearer <token>" (none if the token is empty: the
// server then answers UNAUTHENTICATED). Methods return the server's status
// converted with consular::FromGrpcStatus.
class CaseClient {
 public:
  // Opens a channel to options.addr: TLS with options.ca_cert, or plaintext
  // with --insecure. NOT_FOUND / INVALID_ARGUMENT if the CA file cannot be read
  // or holds no certificate: usage errors.
  static absl::StatusOr<std::unique_ptr<CaseClient>> Connect(
      const GlobalOptions& options);

  absl::StatusOr<consular::v1::Case> CreateCase(
      const consular::v1::CreateCaseRequest& request);
  absl::StatusOr<consular::v1::Case> GetCase(
      const consular::v1::GetCaseRequest& request);
  absl::StatusOr<consular::v1::ListCasesResponse> ListCases(
      const consular::v1::ListCasesRequest& request);
  absl::StatusOr<consular::v1::Case> UpdateCase(
      const consular::v1::UpdateCaseRequest& request);
  absl::StatusOr<consular::v1::Case> TransitionCase(
      const consular::v1::TransitionCaseRequest& request);
  absl::StatusOr<consular::v1::CaseNote> AddCaseNote(
      const consular::v1::AddCaseNoteRequest& request);
  absl::StatusOr<consular::v1::ListCaseNotesResponse> ListCaseNotes(
      const consular::v1::ListCaseNotesRequest& request);
  absl::StatusOr<consular::v1::ListCaseEventsResponse> ListCaseEvents(
      const consular::v1::ListCaseEventsRequest& request);
  absl::StatusOr<consular::v1::SearchCasesResponse> SearchCases(
      const consular::v1::SearchCasesRequest& request);
  absl::StatusOr<consular::v1::CaseShare> ShareCase(const consular::v1::ShareCaseRequest& request);
  absl::StatusOr<consular::v1::CaseShare> RevokeShare(
      const consular::v1::RevokeShareRequest& request);
  absl::StatusOr<consular::v1::ListSharesResponse> ListShares(
      const consular::v1::ListSharesRequest& request);
  absl::StatusOr<consular::v1::Case> ReferCase(const consular::v1::ReferCaseRequest& request);
  absl::StatusOr<consular::v1::EmergencyAccess> OpenEmergencyAccess(
      const consular::v1::OpenEmergencyAccessRequest& request);
  absl::StatusOr<consular::v1::ListEmergencyAccessResponse> ListEmergencyAccess(
      const consular::v1::ListEmergencyAccessRequest& request);
  absl::StatusOr<consular::v1::EmergencyAccess> ReviewEmergencyAccess(
      const consular::v1::ReviewEmergencyAccessRequest& request);

 private:
  CaseClient(std::unique_ptr<consular::v1::CaseService::StubInterface> stub,
             const GlobalOptions& options);

  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (consular::v1::CaseService::StubInterface::*method)(
          grpc::ClientContext*, const Request&, Response*),
      const Request& request);

  std::unique_ptr<consular::v1::CaseService::StubInterface> stub_;
  std::string token_;  // never printed
  double timeout_seconds_;
};

// A client of consular-contacts (PartnerService and ContactService, one channel) with the same
// conventions as CaseClient: every call gets the deadline --timeout from now and the metadata
// "authorization: Bearer <token>".
class ContactsClient {
 public:
  // Opens a channel to `addr` (the global --contacts-addr) with the TLS (or --insecure) settings of
  // `options`. NOT_FOUND / INVALID_ARGUMENT if the CA file cannot be read: usage errors.
  static absl::StatusOr<std::unique_ptr<ContactsClient>> Connect(const GlobalOptions& options,
                                                                 const std::string& addr);

  absl::StatusOr<consular::v1::Partner> CreatePartner(
      const consular::v1::CreatePartnerRequest& request);
  absl::StatusOr<consular::v1::Partner> UpdatePartner(
      const consular::v1::UpdatePartnerRequest& request);
  absl::StatusOr<consular::v1::Partner> GetPartner(const consular::v1::GetPartnerRequest& request);
  absl::StatusOr<consular::v1::ListPartnersResponse> ListPartners(
      const consular::v1::ListPartnersRequest& request);
  absl::StatusOr<consular::v1::Partner> SetVetting(const consular::v1::SetVettingRequest& request);
  absl::StatusOr<consular::v1::Partner> DeactivatePartner(
      const consular::v1::DeactivatePartnerRequest& request);
  absl::StatusOr<consular::v1::Accreditation> SetAccreditation(
      const consular::v1::SetAccreditationRequest& request);
  absl::StatusOr<consular::v1::Accreditation> GetAccreditation(
      const consular::v1::GetAccreditationRequest& request);
  absl::StatusOr<consular::v1::Contact> LogContact(const consular::v1::LogContactRequest& request);
  absl::StatusOr<consular::v1::ListContactsResponse> ListContacts(
      const consular::v1::ListContactsRequest& request);
  absl::StatusOr<consular::v1::ListFollowUpsDueResponse> ListFollowUpsDue(
      const consular::v1::ListFollowUpsDueRequest& request);
  absl::StatusOr<consular::v1::Contact> CompleteFollowUp(
      const consular::v1::CompleteFollowUpRequest& request);

 private:
  ContactsClient(std::shared_ptr<grpc::Channel> channel, const GlobalOptions& options);

  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(Stub* stub,
                                grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                                const Request& request);

  std::unique_ptr<consular::v1::PartnerService::StubInterface> partners_;
  std::unique_ptr<consular::v1::ContactService::StubInterface> contacts_;
  std::string token_;  // never printed
  double timeout_seconds_;
};

// A client of consular-stats (StatisticsService, BilateralService and ReportService, one channel)
// with the same conventions as CaseClient.
class StatsClient {
 public:
  // Opens a channel to `addr` (the global --stats-addr); errors as ContactsClient::Connect.
  static absl::StatusOr<std::unique_ptr<StatsClient>> Connect(const GlobalOptions& options,
                                                              const std::string& addr);

  absl::StatusOr<consular::v1::CountryStatistics> GetCountryStatistics(
      const consular::v1::GetCountryStatisticsRequest& request);
  absl::StatusOr<consular::v1::ListCountriesResponse> ListCountries(
      const consular::v1::ListCountriesRequest& request);
  absl::StatusOr<consular::v1::TimeSeries> GetTimeSeries(
      const consular::v1::GetTimeSeriesRequest& request);
  absl::StatusOr<consular::v1::Talk> RecordTalk(const consular::v1::RecordTalkRequest& request);
  absl::StatusOr<consular::v1::ListTalksResponse> ListTalks(
      const consular::v1::ListTalksRequest& request);
  absl::StatusOr<consular::v1::Talk> GetTalk(const consular::v1::GetTalkRequest& request);
  absl::StatusOr<consular::v1::Dossier> RenderCountryDossier(
      const consular::v1::RenderCountryDossierRequest& request);

 private:
  StatsClient(std::shared_ptr<grpc::Channel> channel, const GlobalOptions& options);
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(Stub* stub,
                                grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                                const Request& request);

  std::unique_ptr<consular::v1::StatisticsService::StubInterface> statistics_;
  std::unique_ptr<consular::v1::BilateralService::StubInterface> talks_;
  std::unique_ptr<consular::v1::ReportService::StubInterface> reports_;
  std::string token_;  // never printed
  double timeout_seconds_;
};

// Sets the deadline `timeout_seconds` from now and, unless `token` is empty, the metadata
// "authorization: Bearer <token>" (without it the server answers UNAUTHENTICATED).
void PrepareCallContext(grpc::ClientContext* context, const std::string& token,
                        double timeout_seconds);

// A fresh request id (UUID) unless `given` is not empty.
std::string RequestIdOrNew(const std::string& given);

// ReportCallError for a failed mutation; when the outcome is unknown (UNAVAILABLE,
// DEADLINE_EXCEEDED, ...) it names the request id to retry with.
int ReportMutationError(const absl::Status& status, const GlobalOptions& options,
                        const std::string& request_id);

// Prints "error: <CODE_NAME>: <message>" on stderr and returns kExitFailure.
int ReportError(const absl::Status& status);

// ReportError for a failed call; adds a hint when UNAUTHENTICATED and no token
// was given.
int ReportCallError(const absl::Status& status, const GlobalOptions& options);

// Prints a usage error ("error: <message>", then a hint to --help if help_hint)
// on stderr and returns kExitUsage.
int ReportUsageError(absl::string_view message, bool help_hint = true);

// Prints `message` on stdout: as proto JSON (enum names, camelCase fields) if
// json, else `text`. Returns kExitOk, or kExitFailure if the message cannot be
// printed as JSON.
int PrintResult(bool json, const google::protobuf::Message& message,
                const std::string& text);

}  // namespace consular::ctl

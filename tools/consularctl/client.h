#pragma once

#include <memory>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "consular/v1/cases.grpc.pb.h"
#include "consular/v1/contacts.grpc.pb.h"
#include "consular/v1/records.grpc.pb.h"
#include "consular/v1/exports.grpc.pb.h"
#include "consular/v1/statistics.grpc.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "services/common/status.h"

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
  // Why the calls reach case data (casework, supervision, emergency, audit,
  // statistics-correction), sent as "x-access-purpose"; empty: none stated.
  std::string purpose;
  bool insecure = false;  // plaintext instead of TLS
  double timeout_seconds = 10;
  bool timeout_given = false;  // --timeout was on the command line
  bool json = false;
};

// The largest answer consularctl accepts (an export's file is at most 48 MiB).
inline constexpr int kMaxResponseBytes = 64 << 20;

// A channel to `addr` with the TLS (or --insecure) settings of `options`. NOT_FOUND /
// INVALID_ARGUMENT naming --ca-cert if the CA file cannot be read: usage errors.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const GlobalOptions& options, const std::string& addr);

// Sets the deadline `timeout_seconds` from now and, unless `token` is empty, the metadata
// "authorization: Bearer <token>" (without it the server answers UNAUTHENTICATED), and unless
// `purpose` is empty "x-access-purpose: <purpose>".
void PrepareCallContext(grpc::ClientContext* context, const std::string& token,
                        double timeout_seconds, const std::string& purpose = "");

// A unary method of a gRPC stub, e.g. &consular::v1::CaseService::StubInterface::GetCase.
template <typename Stub, typename Request, typename Response>
using UnaryMethod = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

// A client of the gRPC services `Services` (one stub each, all on one channel): every call gets
// the deadline --timeout from now, the metadata "authorization: Bearer <token>" (none if the
// token is empty: the server then answers UNAUTHENTICATED) and the --purpose. Calls return the server's status
// converted with consular::FromGrpcStatus.
template <typename... Services>
class ServiceClient {
 public:
  // Opens a channel to `addr` (the global --addr, --contacts-addr, ...): TLS with
  // options.ca_cert, or plaintext with --insecure. NOT_FOUND / INVALID_ARGUMENT if the CA file
  // cannot be read or holds no certificate: usage errors.
  static absl::StatusOr<std::unique_ptr<ServiceClient>> Connect(const GlobalOptions& options,
                                                                const std::string& addr) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options, addr);
    if (!channel.ok()) return channel.status();
    return std::unique_ptr<ServiceClient>(new ServiceClient(*channel, options));
  }

  // Calls `method` of the stub it belongs to, e.g.
  // client->Call(&consular::v1::CaseService::StubInterface::GetCase, request).
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(UnaryMethod<Stub, Request, Response> method,
                                const Request& request) {
    grpc::ClientContext context;
    PrepareCallContext(&context, token_, timeout_seconds_, purpose_);
    Response response;
    Stub* stub = std::get<std::unique_ptr<Stub>>(stubs_).get();
    const grpc::Status status = (stub->*method)(&context, request, &response);
    if (!status.ok()) return consular::FromGrpcStatus(status);
    return response;
  }

 private:
  ServiceClient(const std::shared_ptr<grpc::Channel>& channel, const GlobalOptions& options)
      : stubs_(Services::NewStub(channel)...),
        token_(absl::StripAsciiWhitespace(options.token)),
        timeout_seconds_(options.timeout_seconds),
        purpose_(options.purpose) {}

  std::tuple<std::unique_ptr<typename Services::StubInterface>...> stubs_;
  std::string token_;  // never printed
  double timeout_seconds_;
  std::string purpose_;
};

// consular-cases (CaseService and ExportService), at --addr.
using CaseClient = ServiceClient<consular::v1::CaseService, consular::v1::ExportService>;
// RecordsService (records management, served by consular-cases), at --addr.
using RecordsClient = ServiceClient<consular::v1::RecordsService>;
// consular-contacts (PartnerService, ContactService and UnitService), at --contacts-addr.
using ContactsClient = ServiceClient<consular::v1::PartnerService, consular::v1::ContactService,
                                     consular::v1::UnitService>;
// consular-stats (StatisticsService, BilateralService and ReportService), at --stats-addr.
using StatsClient = ServiceClient<consular::v1::StatisticsService, consular::v1::BilateralService,
                                  consular::v1::ReportService>;

// The stubs whose methods the commands call.
using CaseStub = consular::v1::CaseService::StubInterface;
using RecordsStub = consular::v1::RecordsService::StubInterface;
using ExportStub = consular::v1::ExportService::StubInterface;
using PartnerStub = consular::v1::PartnerService::StubInterface;
using ContactStub = consular::v1::ContactService::StubInterface;
using UnitStub = consular::v1::UnitService::StubInterface;
using StatisticsStub = consular::v1::StatisticsService::StubInterface;
using BilateralStub = consular::v1::BilateralService::StubInterface;
using ReportStub = consular::v1::ReportService::StubInterface;

// The "sub" claim of a bearer token (the caller's staff id), read without checking the token (the
// server does that). INVALID_ARGUMENT if it is not a JWT with a subject.
absl::StatusOr<std::string> TokenSubject(const std::string& token);

// A fresh request id (UUID) unless `given` is not empty.
std::string RequestIdOrNew(const std::string& given);

// ReportCallError for a failed mutation; when the outcome is unknown (UNAVAILABLE,
// DEADLINE_EXCEEDED, ...) it names the request id to retry with.
int ReportMutationError(const absl::Status& status, const GlobalOptions& options,
                        const std::string& request_id);

// A server's INVALID_ARGUMENT message "<field>: <problem>" told with the command's flag, e.g.
// "--dob: is in the future (case.subject.date_of_birth)"; other messages as they are.
std::string NameTheFlag(absl::string_view message);

// Prints "error: <CODE_NAME>: <message>" on stderr (an INVALID_ARGUMENT naming the flag, see
// NameTheFlag) and returns kExitFailure.
int ReportError(const absl::Status& status);

// ReportError for a failed call; adds a hint when UNAUTHENTICATED and no token
// was given.
int ReportCallError(const absl::Status& status, const GlobalOptions& options);

// Prints a usage error ("error: <message>", then a hint to --help if help_hint)
// on stderr and returns kExitUsage.
int ReportUsageError(absl::string_view message, bool help_hint = true);

// For a failed look-up of an id the user typed (a prefix matching nothing or several): an
// INVALID_ARGUMENT is the user's, told as a usage error without the --help hint; any other status
// is a failed call (ReportCallError).
int ReportLookupError(const absl::Status& status, const GlobalOptions& options);

// Prints `message` on stdout: as proto JSON (enum names, camelCase fields) if
// json, else `text`. Returns kExitOk, or kExitFailure if the message cannot be
// printed as JSON.
int PrintResult(bool json, const google::protobuf::Message& message,
                const std::string& text);

}  // namespace consular::ctl

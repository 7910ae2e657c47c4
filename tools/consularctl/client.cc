#include "tools/consularctl/client.h"

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
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
  // Answers may be larger than gRPC's default 4 MiB: an export's encrypted file
  // (DownloadExport) may be up to 48 MiB.
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kMaxResponseBytes);
  return grpc::CreateCustomChannel(addr, *credentials, arguments);
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

namespace {

// The flags of the fields the server names in its errors: case and contact fields by their
// paths (list items by their field, "case.persons[1].full_name" by "full_name").
const std::map<std::string, std::string>& FlagsOfFields() {
  static const auto* const kFlags = new std::map<std::string, std::string>{
      {"case.country", "--country"},
      {"case.subject.full_name", "--name"},
      {"case.subject.date_of_birth", "--dob"},
      {"case.subject.sex", "--sex"},
      {"case.subject.nationality_status", "--nationality"},
      {"case.risk_flags", "--flag"},
      {"case.referral_source", "--referral"},
      {"case.abandonment.left_netherlands_on", "--left-nl"},
      {"case.abandonment.reported_on", "--reported"},
      {"case.abandonment.region", "--region"},
      {"case.abandonment.documents_withheld", "--withheld"},
      {"case.abandonment.residence_permit_expires_on", "--permit-expires"},
      {"case.abandonment.residence_permit_kind", "--permit-kind"},
      {"case.abandonment.person_wishes", "--wishes"},
      {"case.abandonment.returned_on", "--returned"},
      {"case.abandonment.return_plan.planned_on", "--return-planned"},
      {"case.abandonment.return_plan.route", "--return-route"},
      {"case.abandonment.return_plan.escort", "--return-escort"},
      {"case.abandonment.return_plan.funding", "--return-funding"},
      {"case.abandonment.return_plan.loan_amount_cents", "--loan-cents"},
      {"case.divorce_recognition.dutch_divorce_on", "--divorce-date"},
      {"case.divorce_recognition.dutch_court", "--court"},
      {"case.divorce_recognition.proceedings_state", "--proceedings"},
      {"case.divorce_recognition.lawyer_partner_id", "--lawyer"},
      {"case.divorce_recognition.obstacles", "--obstacle"},
      {"case.divorce_recognition.obstacle_note", "--obstacle-note"},
      {"case.divorce_recognition.foreign_court", "--foreign-court"},
      {"case.divorce_recognition.foreign_case_number", "--foreign-case-number"},
      {"case.divorce_recognition.decision", "--decision"},
      {"case.divorce_recognition.decided_on", "--decided"},
      {"case.safety.safe_contact_channel", "--safe-channel"},
      {"case.safety.safe_contact_times", "--safe-times"},
      {"case.safety.covert_notes", "--covert-notes"},
      {"case.safety.code_word", "--code-word"},
      {"contact.occurred_at", "--when"},
      {"contact.channel", "--channel"},
      {"contact.direction", "--direction"},
      {"contact.purpose", "--purpose"},
      {"contact.outcome", "--outcome"},
      {"contact.follow_up_due", "--follow-up"},
      {"contact.note", "--note"},
      {"contact.partner_id", "--partner"},
      {"contact.ad_hoc.name", "--adhoc-name"},
      {"contact.ad_hoc.organisation", "--adhoc-org"},
      {"contact.ad_hoc.phone", "--adhoc-phone"},
      {"contact.ad_hoc.email", "--adhoc-email"},
      {"contact.ad_hoc.person_id", "--person"},
  };
  return *kFlags;
}

// The flag of a list item's field: persons, documents and the steps of proceedings.
std::string ItemFlag(absl::string_view field) {
  static const auto* const kItemFlags = new std::map<std::string, std::string>{
      {"role", "--role"},         {"full_name", "--name"},      {"date_of_birth", "--dob"},
      {"nationality", "--nationality"}, {"note", "--note"},     {"type", "--type"},
      {"status", "--status"},     {"withheld_by", "--withheld-by"}, {"number", "--number"},
      {"issuing_authority", "--authority"}, {"issued_on", "--issued"},
      {"expires_on", "--expires"}, {"holder_person_id", "--holder"}, {"stage", "--stage"},
      {"on", "--on"}};
  for (absl::string_view list : {"case.persons[", "case.documents[",
                                 "case.divorce_recognition.stages["}) {
    if (!absl::StartsWith(field, list)) continue;
    const size_t dot = field.find("].");
    if (dot == absl::string_view::npos) return "";
    const auto it = kItemFlags->find(std::string(field.substr(dot + 2)));
    return it == kItemFlags->end() ? "" : it->second;
  }
  return "";
}

}  // namespace

std::string NameTheFlag(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return std::string(message);
  const absl::string_view field = message.substr(0, colon);
  std::string flag;
  if (const auto it = FlagsOfFields().find(std::string(field)); it != FlagsOfFields().end()) {
    flag = it->second;
  } else {
    flag = ItemFlag(field);
  }
  if (flag.empty()) return std::string(message);
  return absl::StrCat(flag, ": ", message.substr(colon + 2), " (", field, ")");
}

int ReportError(const absl::Status& status) {
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": "
            << (status.code() == absl::StatusCode::kInvalidArgument
                    ? NameTheFlag(status.message())
                    : std::string(status.message()))
            << std::endl;
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

int ReportLookupError(const absl::Status& status, const GlobalOptions& options) {
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return ReportUsageError(status.message(), /*help_hint=*/false);
  }
  return ReportCallError(status, options);
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

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "services/common/token.h"
#include "tools/consularctl/case_fields.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"
#include "tools/consularctl/listing.h"

namespace consular::ctl {
namespace {

using ::consular::v1::Case;
using ::consular::v1::CaseType;

constexpr int kMaxPageSize = 500;

// Values of the options of one command; owned by the command's callback.
struct CreateArgs {
  std::string type;
  CaseFieldInputs fields;
  std::string request_id;
};

struct CaseIdArgs {
  std::string case_id;
};

struct ListArgs {
  std::string post;
  std::string country;
  std::string type;
  std::string status;
  std::string flag;
  std::string opened_from;
  std::string opened_to;
  int page_size = 0;
  std::string page_token;
  bool all = false;
};

struct FindArgs {
  std::string name;
  int page_size = 0;
  std::string page_token;
  bool all = false;
};

struct UpdateArgs {
  std::string case_id;
  int64_t version = 0;  // 0: read the case first
  CaseFieldInputs fields;
  std::string request_id;
};

struct TransitionArgs {
  std::string case_id;
  std::string status;
  std::string reason;
  std::string outcome;
  int64_t version = 0;  // 0: read the case first
  std::string request_id;
};

struct NoteArgs {
  std::string case_id;
  std::string text;
  std::string request_id;
};

struct PagedCaseArgs {
  std::string case_id;
  int page_size = 0;
  std::string page_token;
  bool all = false;
};

struct ShareArgs {
  std::string case_id;
  std::string grantee;
  std::string access;
  std::string legal_basis;
  std::string until;  // empty: until revoked
  std::string request_id;
};

struct UnshareArgs {
  std::string share_id;
  std::string request_id;
};

struct SharesArgs {
  std::string case_id;
  bool all = false;  // also revoked and expired shares
};

struct ReferArgs {
  std::string case_id;
  std::string to_post;
  std::string legal_basis;
  int64_t version = 0;
  std::string request_id;
};

struct EmergencyOpenArgs {
  std::string case_id;
  std::string reason;
  int minutes = 0;  // 0: the server's default (60)
  std::string request_id;
};

struct EmergencyListArgs {
  bool unreviewed = false;
  int page_size = 0;
  std::string page_token;
  bool all = false;
};

struct EmergencyReviewArgs {
  std::string id;
  bool justified = false;
  bool not_justified = false;
  std::string request_id;
};

// Connects, or prints why not (a bad CA file) and returns nullptr with
// *exit_code set.
std::unique_ptr<CaseClient> ConnectOrReport(const GlobalOptions& global, int* exit_code) {
  absl::StatusOr<std::unique_ptr<CaseClient>> client = CaseClient::Connect(global);
  if (!client.ok()) {
    *exit_code = ReportUsageError(client.status().message(), /*help_hint=*/false);
    return nullptr;
  }
  return *std::move(client);
}

CLI::Option* AddCaseId(CLI::App* command, std::string* case_id) {
  return command->add_option("CASE", *case_id, "Case UUID or reference (e.g. ABN-2026-00001)")
      ->required();
}

CLI::Option* AddRequestId(CLI::App* command, std::string* request_id) {
  return command
      ->add_option("--request-id", *request_id,
                   "Idempotency key (default: a new random UUID); repeat a "
                   "command with the "
                   "same id to retry it safely")
      ->type_name("ID");
}

CLI::Option* AddVersion(CLI::App* command, int64_t* version) {
  return command
      ->add_option("--version", *version,
                   "The case version the change is based on; if omitted, the "
                   "case is read "
                   "first (GetCase) and its current version is used")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
}

void AddPaging(CLI::App* command, int* page_size, std::string* page_token, bool* all) {
  command->add_option("--page-size", *page_size, "Results per page (1..500)")
      ->type_name("N")
      ->check(CLI::Range(1, kMaxPageSize));
  command->add_option("--page-token", *page_token, "Continue from this page token")->type_name("T");
  command->add_flag("--all", *all, "Follow next_page_token to the last page");
}

// Connects, reads one page (or every page with `all`) through `call`, prints
// the result as JSON or as `format` makes it, and hints at the next page.
template <typename Request, typename Response, typename Format>
int RunListing(const GlobalOptions& global, const Request& request, bool all,
               absl::StatusOr<Response> (CaseClient::*call)(const Request&), Format format) {
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  return RunListingOn(client.get(), global, request, all, call, format);
}

// GetCase: the case as it is now (its version is what a change is based on).
absl::StatusOr<Case> ReadCase(CaseClient* client, const std::string& case_id) {
  consular::v1::GetCaseRequest request;
  request.set_case_id(case_id);
  return client->GetCase(request);
}

int RunCreate(const GlobalOptions& global, const CreateArgs& args) {
  absl::StatusOr<CaseType> type =
      ParseEnumAs<CaseType>(consular::v1::CaseType_descriptor(), args.type);
  if (!type.ok()) return ReportUsageError(absl::StrCat("--type: ", type.status().message()));
  absl::StatusOr<CaseEdit> edit = BuildCaseEdit(args.fields, *type);
  if (!edit.ok()) return ReportUsageError(edit.status().message());

  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;

  consular::v1::CreateCaseRequest request;
  request.set_request_id(RequestIdOrNew(args.request_id));
  *request.mutable_case_() = std::move(edit->fields);
  request.mutable_case_()->set_type(*type);
  absl::StatusOr<Case> created = client->CreateCase(request);
  if (!created.ok()) return ReportMutationError(created.status(), global, request.request_id());
  return PrintResult(global.json, *created, FormatCase(*created));
}

int RunGet(const GlobalOptions& global, const CaseIdArgs& args) {
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  absl::StatusOr<Case> got = ReadCase(client.get(), args.case_id);
  if (!got.ok()) return ReportCallError(got.status(), global);
  return PrintResult(global.json, *got, FormatCase(*got));
}

// Sets *date from text if text is not empty.
absl::Status SetFilterDate(const std::string& text, absl::string_view flag,
                           consular::v1::Date* date) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<consular::v1::Date> parsed = ParseDate(text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", parsed.status().message()));
  }
  *date = *parsed;
  return absl::OkStatus();
}

// Sets an enum filter from text if text is not empty.
template <typename E>
absl::Status SetFilterEnum(const std::string& text, absl::string_view flag,
                           const google::protobuf::EnumDescriptor* descriptor, E* value) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<E> parsed = ParseEnumAs<E>(descriptor, text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", parsed.status().message()));
  }
  *value = *parsed;
  return absl::OkStatus();
}

int RunList(const GlobalOptions& global, const ListArgs& args) {
  consular::v1::ListCasesRequest request;
  request.set_post(args.post);
  request.set_country(absl::AsciiStrToUpper(args.country));
  CaseType type = consular::v1::CASE_TYPE_UNSPECIFIED;
  consular::v1::CaseStatus status = consular::v1::CASE_STATUS_UNSPECIFIED;
  consular::v1::RiskFlag flag = consular::v1::RISK_FLAG_UNSPECIFIED;
  for (const absl::Status& parsed : {
           SetFilterEnum(args.type, "--type", consular::v1::CaseType_descriptor(), &type),
           SetFilterEnum(args.status, "--status", consular::v1::CaseStatus_descriptor(), &status),
           SetFilterEnum(args.flag, "--flag", consular::v1::RiskFlag_descriptor(), &flag),
           SetFilterDate(args.opened_from, "--opened-from", request.mutable_opened_from()),
           SetFilterDate(args.opened_to, "--opened-to", request.mutable_opened_to()),
       }) {
    if (!parsed.ok()) return ReportUsageError(parsed.message());
  }
  request.set_type(type);
  request.set_status(status);
  request.set_risk_flag(flag);
  request.set_page_size(args.page_size);
  request.set_page_token(args.page_token);

  return RunListing(global, request, args.all, &CaseClient::ListCases,
                    [](const consular::v1::ListCasesResponse& response) {
                      return FormatCaseList(response.cases());
                    });
}

// SearchCases: the same table as `case list`.
int RunFind(const GlobalOptions& global, const FindArgs& args) {
  consular::v1::SearchCasesRequest request;
  request.set_name(args.name);
  request.set_page_size(args.page_size);
  request.set_page_token(args.page_token);

  return RunListing(global, request, args.all, &CaseClient::SearchCases,
                    [](const consular::v1::SearchCasesResponse& response) {
                      return FormatCaseList(response.cases());
                    });
}

int RunUpdate(const GlobalOptions& global, const UpdateArgs& args) {
  absl::StatusOr<CaseEdit> edit = BuildCaseEdit(args.fields, consular::v1::CASE_TYPE_UNSPECIFIED);
  if (!edit.ok()) return ReportUsageError(edit.status().message());
  if (edit->paths.empty()) {
    return ReportUsageError("nothing to update: give at least one field flag (see --help)");
  }

  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;

  int64_t version = args.version;
  if (version == 0) {
    absl::StatusOr<Case> current = ReadCase(client.get(), args.case_id);
    if (!current.ok()) return ReportCallError(current.status(), global);
    version = current->version();
    // Now that the type is known, details flags of the other type are a usage
    // error.
    absl::StatusOr<CaseEdit> checked = BuildCaseEdit(args.fields, current->type());
    if (!checked.ok()) return ReportUsageError(checked.status().message());
  }

  consular::v1::UpdateCaseRequest request;
  request.set_request_id(RequestIdOrNew(args.request_id));
  *request.mutable_case_() = std::move(edit->fields);
  request.mutable_case_()->set_id(args.case_id);
  for (const std::string& path : edit->paths) request.mutable_update_mask()->add_paths(path);
  request.set_expected_version(version);
  absl::StatusOr<Case> updated = client->UpdateCase(request);
  if (!updated.ok()) return ReportMutationError(updated.status(), global, request.request_id());
  return PrintResult(global.json, *updated, FormatCase(*updated));
}

int RunTransition(const GlobalOptions& global, const TransitionArgs& args) {
  absl::StatusOr<consular::v1::CaseStatus> target =
      ParseEnumAs<consular::v1::CaseStatus>(consular::v1::CaseStatus_descriptor(), args.status);
  if (!target.ok()) return ReportUsageError(absl::StrCat("STATUS: ", target.status().message()));
  consular::v1::Outcome outcome = consular::v1::OUTCOME_UNSPECIFIED;
  absl::Status parsed =
      SetFilterEnum(args.outcome, "--outcome", consular::v1::Outcome_descriptor(), &outcome);
  if (!parsed.ok()) return ReportUsageError(parsed.message());
  if (*target == consular::v1::CASE_STATUS_RESOLVED &&
      outcome == consular::v1::OUTCOME_UNSPECIFIED) {
    return ReportUsageError("RESOLVED needs --outcome");
  }
  if (*target != consular::v1::CASE_STATUS_RESOLVED &&
      outcome != consular::v1::OUTCOME_UNSPECIFIED) {
    return ReportUsageError("--outcome is only for a transition to RESOLVED");
  }

  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;

  int64_t version = args.version;
  if (version == 0) {
    absl::StatusOr<Case> current = ReadCase(client.get(), args.case_id);
    if (!current.ok()) return ReportCallError(current.status(), global);
    version = current->version();
  }

  consular::v1::TransitionCaseRequest request;
  request.set_request_id(RequestIdOrNew(args.request_id));
  request.set_case_id(args.case_id);
  request.set_target_status(*target);
  request.set_reason(args.reason);
  request.set_outcome(outcome);
  request.set_expected_version(version);
  absl::StatusOr<Case> transitioned = client->TransitionCase(request);
  if (!transitioned.ok()) {
    return ReportMutationError(transitioned.status(), global, request.request_id());
  }
  return PrintResult(global.json, *transitioned, FormatCase(*transitioned));
}

int RunNote(const GlobalOptions& global, const NoteArgs& args) {
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::AddCaseNoteRequest request;
  request.set_request_id(RequestIdOrNew(args.request_id));
  request.set_case_id(args.case_id);
  request.set_text(args.text);
  absl::StatusOr<consular::v1::CaseNote> note = client->AddCaseNote(request);
  if (!note.ok()) return ReportMutationError(note.status(), global, request.request_id());
  return PrintResult(global.json, *note, FormatNote(*note));
}

int RunNotes(const GlobalOptions& global, const PagedCaseArgs& args) {
  consular::v1::ListCaseNotesRequest request;
  request.set_case_id(args.case_id);
  request.set_page_size(args.page_size);
  request.set_page_token(args.page_token);
  return RunListing(global, request, args.all, &CaseClient::ListCaseNotes,
                    [](const consular::v1::ListCaseNotesResponse& response) {
                      return FormatNotes(response.notes());
                    });
}

int RunEvents(const GlobalOptions& global, const PagedCaseArgs& args) {
  consular::v1::ListCaseEventsRequest request;
  request.set_case_id(args.case_id);
  request.set_page_size(args.page_size);
  request.set_page_token(args.page_token);
  return RunListing(global, request, args.all, &CaseClient::ListCaseEvents,
                    [](const consular::v1::ListCaseEventsResponse& response) {
                      return FormatEvents(response.events());
                    });
}

// A unit as typed ("lkha", " Rabat "): upper case, surrounding blanks removed. INVALID_ARGUMENT
// naming `flag` unless it is a well-formed post code, or (with allow_lkha) LKHA.
absl::StatusOr<std::string> ParseUnit(const std::string& text, absl::string_view flag,
                                      bool allow_lkha) {
  std::string unit = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  if (allow_lkha && unit == consular::kLkhaUnit) return unit;
  if (!consular::IsValidPostCode(unit)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": not ", allow_lkha ? "LKHA or a post code" : "a post code", ": \"", text, "\""));
  }
  return unit;
}

int RunShare(const GlobalOptions& global, const ShareArgs& args) {
  absl::StatusOr<std::string> grantee = ParseUnit(args.grantee, "--with", /*allow_lkha=*/true);
  if (!grantee.ok()) return ReportUsageError(grantee.status().message());
  absl::StatusOr<consular::v1::ShareAccess> access =
      ParseEnumAs<consular::v1::ShareAccess>(consular::v1::ShareAccess_descriptor(), args.access);
  if (!access.ok()) return ReportUsageError(absl::StrCat("--access: ", access.status().message()));
  consular::v1::ShareCaseRequest request;
  if (!args.until.empty()) {
    absl::StatusOr<absl::Time> until = ParseWhen(args.until, /*end_of_day=*/true);
    if (!until.ok()) return ReportUsageError(absl::StrCat("--until: ", until.status().message()));
    *request.mutable_expires_at() = ToTimestamp(*until);
  }

  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  request.set_request_id(RequestIdOrNew(args.request_id));
  request.set_case_id(args.case_id);
  request.set_grantee(*grantee);
  request.set_access(*access);
  request.set_legal_basis(args.legal_basis);
  absl::StatusOr<consular::v1::CaseShare> share = client->ShareCase(request);
  if (!share.ok()) return ReportMutationError(share.status(), global, request.request_id());
  return PrintResult(global.json, *share, FormatShare(*share));
}

int RunUnshare(const GlobalOptions& global, const UnshareArgs& args) {
  if (!IsUuid(args.share_id)) {
    return ReportUsageError(
        absl::StrCat("SHARE_ID: not a UUID: \"", args.share_id, "\" (see: case shares CASE)"));
  }
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::RevokeShareRequest request;
  request.set_request_id(RequestIdOrNew(args.request_id));
  request.set_share_id(absl::AsciiStrToLower(args.share_id));
  absl::StatusOr<consular::v1::CaseShare> share = client->RevokeShare(request);
  if (!share.ok()) return ReportMutationError(share.status(), global, request.request_id());
  return PrintResult(global.json, *share, FormatShare(*share));
}

int RunShares(const GlobalOptions& global, const SharesArgs& args) {
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::ListSharesRequest request;
  request.set_case_id(args.case_id);
  request.set_include_inactive(args.all);
  absl::StatusOr<consular::v1::ListSharesResponse> response = client->ListShares(request);
  if (!response.ok()) return ReportCallError(response.status(), global);
  return PrintResult(global.json, *response, FormatShares(response->shares()));
}

int RunRefer(const GlobalOptions& global, const ReferArgs& args) {
  absl::StatusOr<std::string> to_post = ParseUnit(args.to_post, "--to", /*allow_lkha=*/false);
  if (!to_post.ok()) return ReportUsageError(to_post.status().message());

  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::ReferCaseRequest request;
  request.set_request_id(RequestIdOrNew(args.request_id));
  request.set_case_id(args.case_id);
  request.set_to_post(*to_post);
  request.set_legal_basis(args.legal_basis);
  request.set_expected_version(args.version);
  absl::StatusOr<Case> referred = client->ReferCase(request);
  if (!referred.ok()) return ReportMutationError(referred.status(), global, request.request_id());
  return PrintResult(global.json, *referred, FormatCase(*referred));
}

int RunEmergencyOpen(const GlobalOptions& global, const EmergencyOpenArgs& args) {
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::OpenEmergencyAccessRequest request;
  request.set_request_id(RequestIdOrNew(args.request_id));
  request.set_case_id(args.case_id);
  request.set_reason(args.reason);
  request.set_minutes(args.minutes);
  absl::StatusOr<consular::v1::EmergencyAccess> grant = client->OpenEmergencyAccess(request);
  if (!grant.ok()) return ReportMutationError(grant.status(), global, request.request_id());
  exit_code = PrintResult(global.json, *grant, FormatEmergencyAccess(*grant));
  std::cerr << "warning: emergency access is logged and reviewed: every call you make through it "
               "is flagged in the audit trail, and your reason will be reviewed by a manager of "
            << (grant->handling_post().empty() ? "the handling post" : grant->handling_post())
            << " or an auditor; read-only, until "
            << (FormatTimestamp(grant->expires_at()).empty() ? "it expires"
                                                             : FormatTimestamp(grant->expires_at()))
            << std::endl;
  return exit_code;
}

int RunEmergencyList(const GlobalOptions& global, const EmergencyListArgs& args) {
  consular::v1::ListEmergencyAccessRequest request;
  request.set_unreviewed_only(args.unreviewed);
  request.set_page_size(args.page_size);
  request.set_page_token(args.page_token);
  return RunListing(global, request, args.all, &CaseClient::ListEmergencyAccess,
                    [](const consular::v1::ListEmergencyAccessResponse& response) {
                      return FormatEmergencyAccessList(response.grants());
                    });
}

int RunEmergencyReview(const GlobalOptions& global, const EmergencyReviewArgs& args) {
  if (!IsUuid(args.id)) {
    return ReportUsageError(
        absl::StrCat("ID: not a UUID: \"", args.id, "\" (see: emergency list)"));
  }
  if (args.justified == args.not_justified) {
    return ReportUsageError("give exactly one of --justified and --not-justified");
  }
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::ReviewEmergencyAccessRequest request;
  request.set_request_id(RequestIdOrNew(args.request_id));
  request.set_emergency_access_id(absl::AsciiStrToLower(args.id));
  request.set_review(args.justified ? consular::v1::EMERGENCY_REVIEW_JUSTIFIED
                                    : consular::v1::EMERGENCY_REVIEW_NOT_JUSTIFIED);
  absl::StatusOr<consular::v1::EmergencyAccess> grant = client->ReviewEmergencyAccess(request);
  if (!grant.ok()) return ReportMutationError(grant.status(), global, request.request_id());
  return PrintResult(global.json, *grant, FormatEmergencyAccess(*grant));
}

// On parse of `command`, stores an action running `run` with the global options
// and args.
template <typename Args>
void OnParse(CLI::App* command, const GlobalOptions* global, std::shared_ptr<Args> args,
             int (*run)(const GlobalOptions&, const Args&), Action* action) {
  command->callback([global, args, run, action] {
    *action = [global, args, run] { return run(*global, *args); };
  });
}

void AddCreate(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand("create", "Open a new case");
  auto args = std::make_shared<CreateArgs>();
  command->add_option("--type", args->type, "Case type: abandonment or divorce")
      ->required()
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::CaseType_descriptor()))
      ->group("Case");
  AddCaseFieldOptions(command, CaseFieldMode::kCreate, &args->fields);
  AddRequestId(command, &args->request_id);
  OnParse(command, global, args, &RunCreate, action);
}

void AddGet(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand("get", "Show one case");
  auto args = std::make_shared<CaseIdArgs>();
  AddCaseId(command, &args->case_id);
  OnParse(command, global, args, &RunGet, action);
}

void AddList(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "list", "List cases, newest first (prints the next page token on stderr)");
  auto args = std::make_shared<ListArgs>();
  command->add_option("--post", args->post, "Handling post (e.g. RABAT)")->type_name("P");
  command->add_option("--country", args->country, "Country of focus (e.g. MA)")->type_name("CC");
  command->add_option("--type", args->type, "Case type")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::CaseType_descriptor()));
  command->add_option("--status", args->status, "Case status")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::CaseStatus_descriptor()));
  command->add_option("--flag", args->flag, "Cases carrying this risk flag")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::RiskFlag_descriptor()));
  command->add_option("--opened-from", args->opened_from, "Opened on or after (YYYY-MM-DD)")
      ->type_name("DATE")
      ->check(DateValidator());
  command->add_option("--opened-to", args->opened_to, "Opened on or before (YYYY-MM-DD)")
      ->type_name("DATE")
      ->check(DateValidator());
  AddPaging(command, &args->page_size, &args->page_token, &args->all);
  OnParse(command, global, args, &RunList, action);
}

void AddFind(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "find",
      "Find the cases of a person by full name: an exact match, with accents, "
      "letter case and spacing ignored (newest first)");
  auto args = std::make_shared<FindArgs>();
  command->add_option("--name", args->name, "The person's full name")
      ->required()
      ->type_name("TEXT");
  AddPaging(command, &args->page_size, &args->page_token, &args->all);
  OnParse(command, global, args, &RunFind, action);
}

void AddUpdate(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand("update",
                                             "Change fields of a case: only the fields given "
                                             "are changed (the update mask). "
                                             "Without --version the case is read first and its "
                                             "current version is used.");
  auto args = std::make_shared<UpdateArgs>();
  AddCaseId(command, &args->case_id);
  AddVersion(command, &args->version);
  AddCaseFieldOptions(command, CaseFieldMode::kUpdate, &args->fields);
  AddRequestId(command, &args->request_id);
  OnParse(command, global, args, &RunUpdate, action);
}

void AddTransition(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand("transition",
                                             "Move a case to another status (INTAKE -> ACTIVE "
                                             "<-> ON_HOLD -> RESOLVED -> CLOSED, "
                                             "CLOSED -> ACTIVE). Without --version the case is "
                                             "read first and its current version "
                                             "is used.");
  auto args = std::make_shared<TransitionArgs>();
  AddCaseId(command, &args->case_id);
  command->add_option("STATUS", args->status, "Target status (e.g. ACTIVE, on-hold, RESOLVED)")
      ->required()
      ->check(EnumValidator(consular::v1::CaseStatus_descriptor()));
  command->add_option("--reason", args->reason, "Why (required)")->required()->type_name("TEXT");
  command->add_option("--outcome", args->outcome, "Outcome; required with RESOLVED")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::Outcome_descriptor()));
  AddVersion(command, &args->version);
  AddRequestId(command, &args->request_id);
  OnParse(command, global, args, &RunTransition, action);
}

void AddNote(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand("note", "Add a note to a case");
  auto args = std::make_shared<NoteArgs>();
  AddCaseId(command, &args->case_id);
  command->add_option("--text", args->text, "The note (required)")->required()->type_name("TEXT");
  AddRequestId(command, &args->request_id);
  OnParse(command, global, args, &RunNote, action);
}

void AddNotes(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand("notes", "List the notes of a case, oldest first");
  auto args = std::make_shared<PagedCaseArgs>();
  AddCaseId(command, &args->case_id);
  AddPaging(command, &args->page_size, &args->page_token, &args->all);
  OnParse(command, global, args, &RunNotes, action);
}

void AddEvents(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand("events", "List the timeline of a case, oldest first");
  auto args = std::make_shared<PagedCaseArgs>();
  AddCaseId(command, &args->case_id);
  AddPaging(command, &args->page_size, &args->page_token, &args->all);
  OnParse(command, global, args, &RunEvents, action);
}

void AddShare(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "share",
      "Give LKHA or another post access to a case of your unit, read-only or read-write, until "
      "revoked (case unshare) or until --until");
  auto args = std::make_shared<ShareArgs>();
  AddCaseId(command, &args->case_id);
  command->add_option("--with", args->grantee, "Who gets access: LKHA or a post code (e.g. TUNIS)")
      ->required()
      ->type_name("LKHA|POST");
  command->add_option("--access", args->access, "read or read-write")
      ->required()
      ->type_name("ACCESS")
      ->check(EnumValidator(consular::v1::ShareAccess_descriptor()));
  command
      ->add_option("--basis", args->legal_basis,
                   "Why the law allows the sharing (1..300 characters; no personal data)")
      ->required()
      ->type_name("TEXT");
  command
      ->add_option("--until", args->until,
                   "Access ends at this time: RFC 3339, or YYYY-MM-DD for the end of that day "
                   "(UTC); default: until revoked")
      ->type_name("TIME");
  AddRequestId(command, &args->request_id);
  OnParse(command, global, args, &RunShare, action);
}

void AddUnshare(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "unshare", "Revoke a share (see: case shares CASE); it gives nothing from the next call on");
  auto args = std::make_shared<UnshareArgs>();
  command->add_option("SHARE_ID", args->share_id, "The share's UUID")->required();
  AddRequestId(command, &args->request_id);
  OnParse(command, global, args, &RunUnshare, action);
}

void AddShares(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "shares", "List the live shares of a case, oldest first (a grantee sees only its own share)");
  auto args = std::make_shared<SharesArgs>();
  AddCaseId(command, &args->case_id);
  command->add_flag("--all", args->all, "Also revoked and expired shares");
  OnParse(command, global, args, &RunShares, action);
}

void AddRefer(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "refer",
      "Hand a case over to another post (post managers for their post's cases, LKHA caseworkers "
      "for LKHA's); your unit keeps read-only access through a share");
  auto args = std::make_shared<ReferArgs>();
  AddCaseId(command, &args->case_id);
  command->add_option("--to", args->to_post, "The post that handles the case from now on")
      ->required()
      ->type_name("POST");
  command
      ->add_option("--basis", args->legal_basis,
                   "Why the law allows your unit to keep read access (1..300 characters; no "
                   "personal data)")
      ->required()
      ->type_name("TEXT");
  command
      ->add_option("--version", args->version,
                   "The case version the referral is based on (see: case get)")
      ->required()
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  AddRequestId(command, &args->request_id);
  OnParse(command, global, args, &RunRefer, action);
}

void AddEmergencyOpen(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "open",
      "Open a case outside your scope, read-only, for a limited time (post managers and LKHA "
      "caseworkers). Every call through it is flagged in the audit trail and the access is "
      "reviewed.");
  auto args = std::make_shared<EmergencyOpenArgs>();
  AddCaseId(command, &args->case_id);
  command->add_option("--reason", args->reason, "Why you need the case now (10..2000 characters)")
      ->required()
      ->type_name("TEXT");
  command->add_option("--minutes", args->minutes, "How long the access lasts (1..480; default 60)")
      ->type_name("N")
      ->check(CLI::Range(1, 480));
  AddRequestId(command, &args->request_id);
  OnParse(command, global, args, &RunEmergencyOpen, action);
}

void AddEmergencyList(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "list",
      "List emergency accesses, newest first, with their reasons: an auditor sees all, a post "
      "manager those to their post's cases and their own, an LKHA caseworker their own (prints "
      "the next page token on stderr)");
  auto args = std::make_shared<EmergencyListArgs>();
  command->add_flag("--unreviewed", args->unreviewed, "Only those not reviewed yet");
  AddPaging(command, &args->page_size, &args->page_token, &args->all);
  OnParse(command, global, args, &RunEmergencyList, action);
}

void AddEmergencyReview(CLI::App* parent, const GlobalOptions* global, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "review",
      "Record whether an emergency access was justified (auditors, and managers of the post "
      "whose case was opened; once, never your own)");
  auto args = std::make_shared<EmergencyReviewArgs>();
  command->add_option("ID", args->id, "The emergency access's UUID (see: emergency list)")
      ->required();
  CLI::Option* justified =
      command->add_flag("--justified", args->justified, "The access was justified");
  CLI::Option* not_justified =
      command->add_flag("--not-justified", args->not_justified, "The access was not justified");
  justified->excludes(not_justified);
  not_justified->excludes(justified);
  AddRequestId(command, &args->request_id);
  OnParse(command, global, args, &RunEmergencyReview, action);
}

}  // namespace

void AddCaseCommands(CLI::App* app, const GlobalOptions* global, Action* action) {
  CLI::App* cases = app->add_subcommand("case", "Open, read, change and work consular cases");
  cases->require_subcommand(1);
  AddCreate(cases, global, action);
  AddGet(cases, global, action);
  AddList(cases, global, action);
  AddFind(cases, global, action);
  AddUpdate(cases, global, action);
  AddTransition(cases, global, action);
  AddNote(cases, global, action);
  AddNotes(cases, global, action);
  AddEvents(cases, global, action);
  AddShare(cases, global, action);
  AddUnshare(cases, global, action);
  AddShares(cases, global, action);
  AddRefer(cases, global, action);
}

void AddEmergencyCommands(CLI::App* app, const GlobalOptions* global, Action* action) {
  CLI::App* emergency = app->add_subcommand(
      "emergency",
      "Emergency (\"break-glass\") access to cases outside your scope, and its review");
  emergency->require_subcommand(1);
  AddEmergencyOpen(emergency, global, action);
  AddEmergencyList(emergency, global, action);
  AddEmergencyReview(emergency, global, action);
}

}  // namespace consular::ctl

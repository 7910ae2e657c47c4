// consularctl case share|unshare|shares|refer and emergency open|list|review: who else may see
// a case (another unit through a share or a referral, or anyone in an emergency), through
// CaseService at --addr.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "services/common/token.h"
#include "tools/consularctl/case_fields.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"

namespace consular::ctl {
namespace {

using ::consular::v1::Case;

// Values of the options of one command; owned by the command's callback.
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
  std::string case_id;  // needed with the first characters of a share's id
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

struct EmergencySearchArgs {
  std::string name;
  std::string dob;
  std::string reason;
};

struct EmergencyOpenArgs {
  std::string case_id;
  std::string reason;
  int minutes = 0;  // 0: the server's default (60)
  std::string request_id;
};

struct EmergencyListArgs {
  bool unreviewed = false;
  PagingArgs paging;
};

struct EmergencyReviewArgs {
  std::string id;
  bool justified = false;
  bool not_justified = false;
  std::string request_id;
};

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

int RunShare(const CaseContext& context, const ShareArgs& args) {
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
  request.set_case_id(args.case_id);
  request.set_grantee(*grantee);
  request.set_access(*access);
  request.set_legal_basis(args.legal_basis);
  return RunChange(context, &CaseStub::ShareCase, request, args.request_id, &FormatShare);
}

// The share `args` name: a full id as it is, or the one live share of --case whose id begins with
// the 8 or more characters given.
absl::StatusOr<std::string> ResolveShare(CaseClient* client, const UnshareArgs& args) {
  const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(args.share_id));
  if (IsUuid(wanted)) return wanted;
  if (!IsIdPrefix(wanted) || args.case_id.empty()) {
    return absl::InvalidArgumentError(
        "SHARE_ID: give the share's id, or its first 8 or more characters with --case CASE (see: "
        "case shares CASE)");
  }
  consular::v1::ListSharesRequest request;
  request.set_case_id(args.case_id);
  absl::StatusOr<consular::v1::ListSharesResponse> listed =
      client->Call(&CaseStub::ListShares, request);
  if (!listed.ok()) return listed.status();
  std::vector<std::string> ids;
  for (const consular::v1::CaseShare& share : listed->shares()) ids.push_back(share.id());
  return OneIdStartingWith(wanted, ids, "SHARE_ID", "case shares CASE");
}

int RunUnshare(const CaseContext& context, const UnshareArgs& args) {
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  absl::StatusOr<std::string> share_id = ResolveShare(client.get(), args);
  if (!share_id.ok()) return ReportLookupError(share_id.status(), *context.global);
  consular::v1::RevokeShareRequest request;
  request.set_share_id(*share_id);
  return ChangeAndPrint(client.get(), *context.global, &CaseStub::RevokeShare, request,
                        args.request_id, &FormatShare);
}

int RunShares(const CaseContext& context, const SharesArgs& args) {
  consular::v1::ListSharesRequest request;
  request.set_case_id(args.case_id);
  request.set_include_inactive(args.all);
  return RunCall(context, &CaseStub::ListShares, request,
                 [](const consular::v1::ListSharesResponse& response) {
                   return FormatShares(response.shares());
                 });
}

int RunRefer(const CaseContext& context, const ReferArgs& args) {
  absl::StatusOr<std::string> to_post = ParseUnit(args.to_post, "--to", /*allow_lkha=*/false);
  if (!to_post.ok()) return ReportUsageError(to_post.status().message());
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  const absl::StatusOr<int64_t> version = CaseVersion(client.get(), args.case_id, args.version);
  if (!version.ok()) return ReportCallError(version.status(), *context.global);
  consular::v1::ReferCaseRequest request;
  request.set_case_id(args.case_id);
  request.set_to_post(*to_post);
  request.set_legal_basis(args.legal_basis);
  request.set_expected_version(*version);
  return ChangeAndPrint(client.get(), *context.global, &CaseStub::ReferCase, request,
                        args.request_id, &FormatCase);
}

int RunEmergencySearch(const CaseContext& context, const EmergencySearchArgs& args) {
  absl::StatusOr<consular::v1::Date> born = ParseDate(args.dob);
  if (!born.ok()) return ReportUsageError(absl::StrCat("--dob: ", born.status().message()));
  consular::v1::EmergencySearchRequest request;
  request.set_full_name(args.name);
  *request.mutable_date_of_birth() = *born;
  request.set_reason(args.reason);
  const int exit_code = RunCall(context, &CaseStub::EmergencySearch, request,
                                [](const consular::v1::EmergencySearchResponse& response) {
                                  return FormatEmergencyHits(response.hits());
                                });
  if (exit_code == kExitOk) {
    std::cerr << "warning: this search is flagged in the audit trail with your reason; open "
                 "emergency access with: consularctl emergency open REFERENCE --reason ..."
              << std::endl;
  }
  return exit_code;
}

int RunEmergencyOpen(const CaseContext& context, const EmergencyOpenArgs& args) {
  const GlobalOptions& global = *context.global;
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::OpenEmergencyAccessRequest request;
  request.set_request_id(RequestIdOrNew(args.request_id));
  request.set_case_id(args.case_id);
  request.set_reason(args.reason);
  request.set_minutes(args.minutes);
  absl::StatusOr<consular::v1::EmergencyAccess> grant =
      client->Call(&CaseStub::OpenEmergencyAccess, request);
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

int RunEmergencyList(const CaseContext& context, const EmergencyListArgs& args) {
  consular::v1::ListEmergencyAccessRequest request;
  request.set_unreviewed_only(args.unreviewed);
  return RunListing(context, &CaseStub::ListEmergencyAccess, request, args.paging,
                    [](const consular::v1::ListEmergencyAccessResponse& response) {
                      return FormatEmergencyAccessList(response.grants());
                    });
}

// The emergency access `text` names: a full id as it is, or the one unreviewed access the caller
// may review whose id starts with these 8 or more characters.
absl::StatusOr<std::string> ResolveEmergencyAccess(CaseClient* client, const std::string& text) {
  const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (IsUuid(wanted)) return wanted;
  if (!IsIdPrefix(wanted)) {
    return absl::InvalidArgumentError(
        "ID: give the emergency access's id or its first 8 or more characters (see: emergency "
        "list)");
  }
  consular::v1::ListEmergencyAccessRequest request;
  request.set_unreviewed_only(true);
  request.set_page_size(500);
  std::vector<std::string> ids;
  for (int page = 0; page < 100; ++page) {
    absl::StatusOr<consular::v1::ListEmergencyAccessResponse> listed =
        client->Call(&CaseStub::ListEmergencyAccess, request);
    if (!listed.ok()) return listed.status();
    for (const consular::v1::EmergencyAccess& grant : listed->grants()) ids.push_back(grant.id());
    if (listed->next_page_token().empty()) break;
    request.set_page_token(listed->next_page_token());
  }
  return OneIdStartingWith(wanted, ids, "ID", "emergency list --unreviewed");
}

int RunEmergencyReview(const CaseContext& context, const EmergencyReviewArgs& args) {
  if (args.justified == args.not_justified) {
    return ReportUsageError("give exactly one of --justified and --not-justified");
  }
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  absl::StatusOr<std::string> id = ResolveEmergencyAccess(client.get(), args.id);
  if (!id.ok()) return ReportLookupError(id.status(), *context.global);
  consular::v1::ReviewEmergencyAccessRequest request;
  request.set_emergency_access_id(*id);
  request.set_review(args.justified ? consular::v1::EMERGENCY_REVIEW_JUSTIFIED
                                    : consular::v1::EMERGENCY_REVIEW_NOT_JUSTIFIED);
  return ChangeAndPrint(client.get(), *context.global, &CaseStub::ReviewEmergencyAccess, request,
                        args.request_id, &FormatEmergencyAccess);
}

void AddShare(CLI::App* parent, CaseContext context, Action* action) {
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
  OnParse(command, context, args, &RunShare, action);
}

void AddUnshare(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "unshare", "Revoke a share (see: case shares CASE); it gives nothing from the next call on");
  auto args = std::make_shared<UnshareArgs>();
  command->add_option("SHARE_ID", args->share_id,
                      "The share's id, or its first 8 or more characters with --case")
      ->required();
  command->add_option("--case", args->case_id,
                      "The shared case (UUID or reference): to find a share by the first "
                      "characters of its id")
      ->type_name("CASE");
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunUnshare, action);
}

void AddShares(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "shares", "List the live shares of a case, oldest first (a grantee sees only its own share)");
  auto args = std::make_shared<SharesArgs>();
  AddCaseId(command, &args->case_id);
  command->add_flag("--all", args->all, "Also revoked and expired shares");
  OnParse(command, context, args, &RunShares, action);
}

void AddRefer(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "refer",
      "Propose to hand a case over to another post (post managers for their post's cases, LKHA "
      "caseworkers for LKHA's). Your unit handles it until a manager there accepts (consularctl "
      "inbox accept), and keeps read-only access after");
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
                   "The case version the referral is based on; if omitted, the case is read "
                   "first and its current version is used")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunRefer, action);
}

void AddEmergencySearch(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "search",
      "Find a person's cases at every unit by exact name and date of birth: only their "
      "reference and unit (post managers and LKHA caseworkers; flagged in the audit trail)");
  auto args = std::make_shared<EmergencySearchArgs>();
  command->add_option("--name", args->name, "The person's full name")
      ->required()
      ->type_name("TEXT");
  command->add_option("--dob", args->dob, "Date of birth (YYYY-MM-DD)")
      ->required()
      ->type_name("DATE")
      ->check(DateValidator());
  command->add_option("--reason", args->reason, "Why you search now (10..2000 characters)")
      ->required()
      ->type_name("TEXT");
  OnParse(command, context, args, &RunEmergencySearch, action);
}

void AddEmergencyOpen(CLI::App* parent, CaseContext context, Action* action) {
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
  OnParse(command, context, args, &RunEmergencyOpen, action);
}

void AddEmergencyList(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "list",
      "List emergency accesses, newest first, with their reasons: an auditor sees all, a post "
      "manager those to their post's cases and their own, an LKHA caseworker their own (prints "
      "the next page token on stderr)");
  auto args = std::make_shared<EmergencyListArgs>();
  command->add_flag("--unreviewed", args->unreviewed, "Only those not reviewed yet");
  AddPaging(command, &args->paging);
  OnParse(command, context, args, &RunEmergencyList, action);
}

void AddEmergencyReview(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "review",
      "Record whether an emergency access was justified (auditors, and managers of the post "
      "whose case was opened; once, never your own)");
  auto args = std::make_shared<EmergencyReviewArgs>();
  command
      ->add_option("ID", args->id,
                   "The emergency access's id, or its first 8 or more characters (see: emergency "
                   "list)")
      ->required();
  CLI::Option* justified =
      command->add_flag("--justified", args->justified, "The access was justified");
  CLI::Option* not_justified =
      command->add_flag("--not-justified", args->not_justified, "The access was not justified");
  justified->excludes(not_justified);
  not_justified->excludes(justified);
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunEmergencyReview, action);
}

}  // namespace

void AddCaseSharingCommands(CLI::App* cases, const GlobalOptions* global, Action* action) {
  const CaseContext context{global, &global->addr};
  AddShare(cases, context, action);
  AddUnshare(cases, context, action);
  AddShares(cases, context, action);
  AddRefer(cases, context, action);
}

void AddEmergencyCommands(CLI::App* app, const GlobalOptions* global, Action* action) {
  const CaseContext context{global, &global->addr};
  CLI::App* emergency = app->add_subcommand(
      "emergency",
      "Emergency (\"break-glass\") access to cases outside your scope, and its review");
  emergency->require_subcommand(1);
  AddEmergencySearch(emergency, context, action);
  AddEmergencyOpen(emergency, context, action);
  AddEmergencyList(emergency, context, action);
  AddEmergencyReview(emergency, context, action);
}

}  // namespace consular::ctl

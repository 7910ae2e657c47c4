// consularctl case create|get|list|find|update|transition|note|notes|events: a case, its notes
// and its timeline, through CaseService at --addr. The sharing subcommands of `case` are in
// commands_sharing.cc.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "consular/v1/cases.pb.h"
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
using ::consular::v1::CaseType;

// Values of the options of one command; owned by the command's callback.
struct CreateArgs {
  std::string type;
  CaseFieldInputs fields;
  std::string request_id;
};

struct GetArgs {
  std::string case_id;
  bool reveal_code_word = false;
};

struct ListArgs {
  std::string post;
  std::string country;
  std::string type;
  std::string status;
  std::string flag;
  std::string opened_from;
  std::string opened_to;
  bool mine = false;
  bool unassigned = false;
  PagingArgs paging;
};

struct FindArgs {
  std::string name;
  PagingArgs paging;
};

struct DeadlinesArgs {
  int within = 0;
};

struct DuplicatesArgs {
  std::string case_id;
  std::string name;
  std::string dob;
};

struct UpdateArgs {
  std::string case_id;
  int64_t version = 0;  // 0: read the case first
  CaseFieldInputs fields;
  std::string reason;
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
  PagingArgs paging;
};

struct HistoryArgs {
  std::string case_id;
  std::string field;
  PagingArgs paging;
};

CLI::Option* AddVersionOrReadFirst(CLI::App* command, int64_t* version) {
  return command
      ->add_option("--version", *version,
                   "The case version the change is based on; if omitted, the "
                   "case is read "
                   "first (GetCase) and its current version is used")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
}

// GetCase: the case as it is now (its version is what a change is based on).
absl::StatusOr<Case> ReadCase(CaseClient* client, const std::string& case_id) {
  consular::v1::GetCaseRequest request;
  request.set_case_id(case_id);
  return client->Call(&CaseStub::GetCase, request);
}

int RunCreate(const CaseContext& context, const CreateArgs& args) {
  absl::StatusOr<CaseType> type =
      ParseEnumAs<CaseType>(consular::v1::CaseType_descriptor(), args.type);
  if (!type.ok()) return ReportUsageError(absl::StrCat("--type: ", type.status().message()));
  absl::StatusOr<CaseEdit> edit = BuildCaseEdit(args.fields, *type);
  if (!edit.ok()) return ReportUsageError(edit.status().message());

  consular::v1::CreateCaseRequest request;
  *request.mutable_case_() = std::move(edit->fields);
  request.mutable_case_()->set_type(*type);
  return RunChange(context, &CaseStub::CreateCase, request, args.request_id, &FormatCase);
}

int RunGet(const CaseContext& context, const GetArgs& args) {
  consular::v1::GetCaseRequest request;
  request.set_case_id(args.case_id);
  request.set_reveal_code_word(args.reveal_code_word);
  return RunCall(context, &CaseStub::GetCase, request, &FormatCase);
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

int RunList(const CaseContext& context, const ListArgs& args) {
  consular::v1::ListCasesRequest request;
  request.set_post(absl::AsciiStrToUpper(absl::StripAsciiWhitespace(args.post)));
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
  request.set_assigned_to_me(args.mine);
  request.set_unassigned(args.unassigned);
  return RunListing(context, &CaseStub::ListCases, request, args.paging,
                    [](const consular::v1::ListCasesResponse& response) {
                      return FormatCaseList(response.cases());
                    });
}

// SearchCases: the same table as `case list`.
int RunFind(const CaseContext& context, const FindArgs& args) {
  consular::v1::SearchCasesRequest request;
  request.set_name(args.name);
  return RunListing(context, &CaseStub::SearchCases, request, args.paging,
                    [](const consular::v1::SearchCasesResponse& response) {
                      return FormatCaseList(response.cases());
                    });
}

int RunUpdate(const CaseContext& context, const UpdateArgs& args) {
  absl::StatusOr<CaseEdit> edit = BuildCaseEdit(args.fields, consular::v1::CASE_TYPE_UNSPECIFIED);
  if (!edit.ok()) return ReportUsageError(edit.status().message());
  if (edit->paths.empty()) {
    return ReportUsageError("nothing to update: give at least one field flag (see --help)");
  }

  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;

  int64_t version = args.version;
  if (version == 0) {
    absl::StatusOr<Case> current = ReadCase(client.get(), args.case_id);
    if (!current.ok()) return ReportCallError(current.status(), *context.global);
    version = current->version();
    // Now that the type is known, details flags of the other type are a usage
    // error.
    absl::StatusOr<CaseEdit> checked = BuildCaseEdit(args.fields, current->type());
    if (!checked.ok()) return ReportUsageError(checked.status().message());
  }

  consular::v1::UpdateCaseRequest request;
  *request.mutable_case_() = std::move(edit->fields);
  request.mutable_case_()->set_id(args.case_id);
  for (const std::string& path : edit->paths) request.mutable_update_mask()->add_paths(path);
  request.set_reason(args.reason);
  request.set_expected_version(version);
  return ChangeAndPrint(client.get(), *context.global, &CaseStub::UpdateCase, request,
                        args.request_id, &FormatCase);
}

int RunTransition(const CaseContext& context, const TransitionArgs& args) {
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
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;

  const absl::StatusOr<int64_t> version = CaseVersion(client.get(), args.case_id, args.version);
  if (!version.ok()) return ReportCallError(version.status(), *context.global);

  consular::v1::TransitionCaseRequest request;
  request.set_case_id(args.case_id);
  request.set_target_status(*target);
  request.set_reason(args.reason);
  request.set_outcome(outcome);
  request.set_expected_version(*version);
  return ChangeAndPrint(client.get(), *context.global, &CaseStub::TransitionCase, request,
                        args.request_id, &FormatCase);
}

int RunNote(const CaseContext& context, const NoteArgs& args) {
  consular::v1::AddCaseNoteRequest request;
  request.set_case_id(args.case_id);
  request.set_text(args.text);
  return RunChange(context, &CaseStub::AddCaseNote, request, args.request_id, &FormatNote);
}

int RunNotes(const CaseContext& context, const PagedCaseArgs& args) {
  consular::v1::ListCaseNotesRequest request;
  request.set_case_id(args.case_id);
  return RunListing(context, &CaseStub::ListCaseNotes, request, args.paging,
                    [](const consular::v1::ListCaseNotesResponse& response) {
                      return FormatNotes(response.notes());
                    });
}

int RunEvents(const CaseContext& context, const PagedCaseArgs& args) {
  consular::v1::ListCaseEventsRequest request;
  request.set_case_id(args.case_id);
  return RunListing(context, &CaseStub::ListCaseEvents, request, args.paging,
                    [](const consular::v1::ListCaseEventsResponse& response) {
                      return FormatEvents(response.events());
                    });
}

int RunDeadlines(const CaseContext& context, const DeadlinesArgs& args) {
  consular::v1::ListDeadlinesRequest request;
  request.set_within_days(args.within);
  return RunCall(context, &CaseStub::ListDeadlines, request,
                 [](const consular::v1::ListDeadlinesResponse& response) {
                   return FormatDeadlines(response.deadlines());
                 });
}

int RunDuplicates(const CaseContext& context, const DuplicatesArgs& args) {
  consular::v1::FindPossibleDuplicatesRequest request;
  if (args.case_id.empty() == args.name.empty()) {
    return ReportUsageError("give either a CASE or --name (with --dob if known)");
  }
  if (!args.case_id.empty() && !args.dob.empty()) {
    return ReportUsageError("--dob: only with --name (a CASE has its own date of birth)");
  }
  request.set_case_id(args.case_id);
  request.set_full_name(args.name);
  if (!args.dob.empty()) {
    absl::StatusOr<consular::v1::Date> born = ParseDate(args.dob);
    if (!born.ok()) return ReportUsageError(absl::StrCat("--dob: ", born.status().message()));
    *request.mutable_date_of_birth() = *born;
  }
  return RunCall(context, &CaseStub::FindPossibleDuplicates, request,
                 [](const consular::v1::FindPossibleDuplicatesResponse& response) {
                   return FormatDuplicates(response.duplicates());
                 });
}

int RunHistory(const CaseContext& context, const HistoryArgs& args) {
  consular::v1::ListCaseHistoryRequest request;
  request.set_case_id(args.case_id);
  request.set_field(args.field);
  return RunListing(context, &CaseStub::ListCaseHistory, request, args.paging,
                    [](const consular::v1::ListCaseHistoryResponse& response) {
                      return FormatHistory(response.entries());
                    });
}

void AddCreate(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand("create", "Open a new case");
  auto args = std::make_shared<CreateArgs>();
  command->add_option("--type", args->type, "Case type: abandonment or divorce")
      ->required()
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::CaseType_descriptor()))
      ->group("Case");
  AddCaseFieldOptions(command, CaseFieldMode::kCreate, &args->fields);
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunCreate, action);
}

void AddGet(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand("get", "Show one case");
  auto args = std::make_shared<GetArgs>();
  AddCaseId(command, &args->case_id);
  command->add_flag("--reveal-code-word", args->reveal_code_word,
                    "Show the code word too, to verify a caller (recorded in the audit trail)");
  OnParse(command, context, args, &RunGet, action);
}

void AddList(CLI::App* parent, CaseContext context, Action* action) {
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
  CLI::Option* mine = command->add_flag("--mine", args->mine, "Only the cases assigned to you");
  command->add_flag("--unassigned", args->unassigned, "Only the cases nobody is assigned to")
      ->excludes(mine);
  AddPaging(command, &args->paging);
  OnParse(command, context, args, &RunList, action);
}

void AddFind(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "find",
      "Find the cases of a person by full name: an exact match, with accents, "
      "letter case and spacing ignored (newest first)");
  auto args = std::make_shared<FindArgs>();
  command->add_option("--name", args->name, "The person's full name")
      ->required()
      ->type_name("TEXT");
  AddPaging(command, &args->paging);
  OnParse(command, context, args, &RunFind, action);
}

void AddUpdate(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand("update",
                                             "Change fields of a case: only the fields given "
                                             "are changed (the update mask). "
                                             "Without --version the case is read first and its "
                                             "current version is used.");
  auto args = std::make_shared<UpdateArgs>();
  AddCaseId(command, &args->case_id);
  AddVersionOrReadFirst(command, &args->version);
  AddCaseFieldOptions(command, CaseFieldMode::kUpdate, &args->fields);
  command->add_option("--reason", args->reason,
                      "Why (kept in the history); required when changing safety information")
      ->type_name("TEXT");
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunUpdate, action);
}

void AddTransition(CLI::App* parent, CaseContext context, Action* action) {
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
  AddVersionOrReadFirst(command, &args->version);
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunTransition, action);
}

void AddNote(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand("note", "Add a note to a case");
  auto args = std::make_shared<NoteArgs>();
  AddCaseId(command, &args->case_id);
  command->add_option("--text", args->text, "The note (required)")->required()->type_name("TEXT");
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunNote, action);
}

void AddNotes(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand("notes", "List the notes of a case, oldest first");
  auto args = std::make_shared<PagedCaseArgs>();
  AddCaseId(command, &args->case_id);
  AddPaging(command, &args->paging);
  OnParse(command, context, args, &RunNotes, action);
}

void AddEvents(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand("events", "List the timeline of a case, oldest first");
  auto args = std::make_shared<PagedCaseArgs>();
  AddCaseId(command, &args->case_id);
  AddPaging(command, &args->paging);
  OnParse(command, context, args, &RunEvents, action);
}

void AddDeadlines(CLI::App* app, CaseContext context, Action* action) {
  CLI::App* command = app->add_subcommand(
      "deadlines",
      "Your unit's deadlines, most urgent first: residence permits of people held abroad "
      "(warned at 8, 4 and 1 weeks), follow-ups due, shares about to end; passed ones first");
  auto args = std::make_shared<DeadlinesArgs>();
  command->add_option("--within", args->within, "Days ahead to show (default 56)")
      ->type_name("DAYS")
      ->check(CLI::Range(1, 3660));
  OnParse(command, context, args, &RunDeadlines, action);
}

void AddDuplicates(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "duplicates",
      "Look for cases of the same person at any unit: by a case, or by name (and date of birth). "
      "Of a case you may not read you learn only its unit: ask that unit for a share");
  auto args = std::make_shared<DuplicatesArgs>();
  command->add_option("CASE", args->case_id, "Case UUID or reference (e.g. ABN-2026-00001)");
  command->add_option("--name", args->name, "The person's full name")->type_name("TEXT");
  command->add_option("--dob", args->dob, "Date of birth (YYYY-MM-DD)")
      ->type_name("DATE")
      ->check(DateValidator());
  OnParse(command, context, args, &RunDuplicates, action);
}

void AddHistory(CLI::App* parent, CaseContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "history", "Show what changed on a case, field by field: old and new values, who, when, why");
  auto args = std::make_shared<HistoryArgs>();
  AddCaseId(command, &args->case_id);
  command->add_option("--field", args->field,
                      "Only this field or group (e.g. safety, safety.safe_contact_times, status)")
      ->type_name("PATH");
  AddPaging(command, &args->paging);
  OnParse(command, context, args, &RunHistory, action);
}

}  // namespace

void AddCaseCommands(CLI::App* app, const GlobalOptions* global, Action* action) {
  const CaseContext context{global, &global->addr};
  CLI::App* cases = app->add_subcommand("case", "Open, read, change and work consular cases");
  cases->require_subcommand(1);
  AddCreate(cases, context, action);
  AddGet(cases, context, action);
  AddList(cases, context, action);
  AddFind(cases, context, action);
  AddUpdate(cases, context, action);
  AddTransition(cases, context, action);
  AddNote(cases, context, action);
  AddNotes(cases, context, action);
  AddEvents(cases, context, action);
  AddHistory(cases, context, action);
  AddDuplicates(cases, context, action);
  AddCaseSharingCommands(cases, global, action);
  AddPersonCommands(cases, global, action);
  AddDocumentCommands(cases, global, action);
  AddStageCommands(cases, global, action);
  AddInboxCommands(app, cases, global, action);
  AddDeadlines(app, context, action);
}

}  // namespace consular::ctl

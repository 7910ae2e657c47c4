// consularctl sar (request, answer, list, get) and export (request, answer, list, download): the
// person's own data (GDPR art. 15) and bulk exports, each approved by a second person
// (docs/records.md). Passwords are read from a file or the terminal, never from the
// command line.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "consular/v1/exports.pb.h"
#include "tools/consularctl/case_fields.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/secrets.h"
#include "tools/consularctl/text_layout.h"

namespace consular::ctl {
namespace {

using ::consular::v1::Export;
using ::consular::v1::SubjectAccessRequest;

struct SarRequestArgs {
  std::string case_id;
  std::string language;
  std::string note;
  std::string request_id;
};

struct AnswerArgs {
  std::string id;
  bool approve = false;
  bool refuse = false;
  std::string reason;
  int days = 0;
  // export answer only
  std::string password_file;
  std::string public_key_file;
  int downloads = 0;
  std::string request_id;
};

struct SarListArgs {
  std::string case_id;
  bool pending = false;
  int limit = 0;
};

struct SarGetArgs {
  std::string id;
  std::string out_dir;
};

struct ExportRequestArgs {
  std::string country;
  std::string type;
  std::string status;
  std::string opened_from;
  std::string opened_to;
  std::string legal_basis;
  std::string recipient;
  std::string purpose;
  std::string request_id;
};

struct ExportListArgs {
  bool pending = false;
  int limit = 0;
};

struct DownloadArgs {
  std::string id;
  std::string out;
  std::string request_id;
};

std::string StateWords(consular::v1::ExportState state) {
  return EnumWords(consular::v1::ExportState_descriptor(), state);
}

std::string FormatSar(const SubjectAccessRequest& r) {
  std::string out =
      absl::StrCat("Subject-access request ", r.id(), "\n  case      ", r.case_reference(), " (",
                   r.unit(), ")\n  language  ", r.language(), "\n  note      ", r.note(),
                   "\n  asked by  ", r.requested_by(), " at ", FormatTimestamp(r.requested_at()),
                   "\n  state     ", StateWords(r.state()), "\n");
  if (!r.answered_by().empty()) {
    absl::StrAppend(&out, "  answered  by ", r.answered_by(), " at ",
                    FormatTimestamp(r.answered_at()), "\n");
  }
  if (!r.refusal_reason().empty()) absl::StrAppend(&out, "  reason    ", r.refusal_reason(), "\n");
  if (r.has_available_until()) {
    absl::StrAppend(&out, "  until     ", FormatTimestamp(r.available_until()),
                    " (consularctl sar get ", r.id(), " --out DIR)\n");
  }
  return out;
}

std::string FormatSarList(const consular::v1::ListSubjectAccessRequestsResponse& list) {
  if (list.requests().empty()) return "No subject-access requests.\n";
  std::vector<std::vector<std::string>> rows;
  for (const SubjectAccessRequest& r : list.requests()) {
    rows.push_back({r.case_reference(), r.language(), r.requested_by(),
                    FormatTimestamp(r.requested_at()), StateWords(r.state()), r.answered_by(),
                    r.id()});
  }
  return FormatTable({"CASE", "LANG", "ASKED BY", "WHEN", "STATE", "ANSWERED BY", "ID"}, rows);
}

std::string FilterWords(const consular::v1::ExportFilter& f) {
  std::vector<std::string> parts;
  if (!f.country().empty()) parts.push_back("country " + f.country());
  if (f.type() != 0) parts.push_back(EnumWords(consular::v1::CaseType_descriptor(), f.type()));
  if (f.status() != 0) {
    parts.push_back(EnumWords(consular::v1::CaseStatus_descriptor(), f.status()));
  }
  if (f.has_opened_from()) parts.push_back("opened from " + FormatDate(f.opened_from()));
  if (f.has_opened_to()) parts.push_back("opened to " + FormatDate(f.opened_to()));
  return parts.empty() ? "all cases" : absl::StrJoin(parts, ", ");
}

std::string FormatExport(const Export& e) {
  std::string out = absl::StrCat(
      "Export ", e.id(), "\n  cases       ", FilterWords(e.filter()), " (", e.unit(), ")\n",
      "  legal basis ", e.legal_basis(), "\n  recipient   ", e.recipient(), "\n  purpose     ",
      e.purpose(), "\n  asked by    ", e.requested_by(), " at ", FormatTimestamp(e.requested_at()),
      "\n  state       ", StateWords(e.state()), "\n");
  if (!e.answered_by().empty()) {
    absl::StrAppend(&out, "  answered    by ", e.answered_by(), " at ",
                    FormatTimestamp(e.answered_at()), "\n");
  }
  if (!e.refusal_reason().empty())
    absl::StrAppend(&out, "  reason      ", e.refusal_reason(), "\n");
  if (e.protection() != consular::v1::EXPORT_PROTECTION_UNSPECIFIED) {
    absl::StrAppend(&out, "  protection  ",
                    e.protection() == consular::v1::EXPORT_PROTECTION_PASSWORD
                        ? "password (AES-256 ZIP)"
                        : absl::StrCat("OpenPGP key ", e.recipient_key_fingerprint()),
                    "\n  file        ", e.file_name(), ", ", e.case_count(), " case(s)",
                    e.file_destroyed() ? ", destroyed" : "", "\n  sha256      ", e.file_sha256(),
                    "\n  expires     ", FormatTimestamp(e.expires_at()), "\n  downloads   ",
                    e.downloads_left(), " of ", e.downloads_allowed(), " left\n");
  }
  return out;
}

std::string FormatExportList(const consular::v1::ListExportsResponse& list) {
  if (list.exports().empty()) return "No exports.\n";
  std::vector<std::vector<std::string>> rows;
  for (const Export& e : list.exports()) {
    rows.push_back({FilterWords(e.filter()), e.recipient(), e.requested_by(),
                    FormatTimestamp(e.requested_at()), StateWords(e.state()),
                    e.state() == consular::v1::EXPORT_STATE_PENDING
                        ? ""
                        : absl::StrCat(e.downloads_left(), "/", e.downloads_allowed()),
                    e.id()});
  }
  return FormatTable({"CASES", "RECIPIENT", "ASKED BY", "WHEN", "STATE", "DOWNLOADS", "ID"}, rows);
}

absl::StatusOr<consular::v1::ExportDecision> DecisionOf(const AnswerArgs& args) {
  if (args.approve == args.refuse) {
    return absl::InvalidArgumentError("give one of --approve or --refuse");
  }
  if (args.refuse && absl::StripAsciiWhitespace(args.reason).empty()) {
    return absl::InvalidArgumentError("--reason: required to refuse (1..300 characters)");
  }
  return args.approve ? consular::v1::EXPORT_DECISION_APPROVE
                      : consular::v1::EXPORT_DECISION_REFUSE;
}

// Writes `content` to a new file at `path` (mode 0600); fails if it exists.
absl::Status WriteNewFile(const std::string& path, const std::string& content) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot create it (", std::strerror(errno), ")"));
  }
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n <= 0) {
      close(fd);
      return absl::InternalError(absl::StrCat(path, ": write failed"));
    }
    written += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return absl::InternalError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

int RunSarRequest(const CaseContext& context, const SarRequestArgs& args) {
  consular::v1::RequestSubjectAccessRequest request;
  request.set_case_id(args.case_id);
  request.set_language(absl::AsciiStrToLower(args.language));
  request.set_note(args.note);
  return RunChange(context, &ExportStub::RequestSubjectAccess, request, args.request_id,
                   &FormatSar);
}

int RunSarAnswer(const CaseContext& context, const AnswerArgs& args) {
  absl::StatusOr<consular::v1::ExportDecision> decision = DecisionOf(args);
  if (!decision.ok()) return ReportUsageError(decision.status().message());
  consular::v1::AnswerSubjectAccessRequest request;
  request.set_subject_access_id(args.id);
  request.set_decision(*decision);
  request.set_reason(args.reason);
  request.set_available_days(args.days);
  return RunChange(context, &ExportStub::AnswerSubjectAccess, request, args.request_id, &FormatSar);
}

int RunSarList(const CaseContext& context, const SarListArgs& args) {
  consular::v1::ListSubjectAccessRequestsRequest request;
  request.set_case_id(args.case_id);
  request.set_pending_only(args.pending);
  request.set_page_size(args.limit);
  return RunCall(context, &ExportStub::ListSubjectAccessRequests, request, &FormatSarList);
}

int RunSarGet(const CaseContext& context, const SarGetArgs& args) {
  std::error_code error;
  if (!std::filesystem::is_directory(args.out_dir, error)) {
    return ReportUsageError(absl::StrCat("--out: ", args.out_dir, " is not a directory"));
  }
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::GetSubjectAccessExportRequest request;
  request.set_subject_access_id(args.id);
  absl::StatusOr<consular::v1::SubjectAccessFiles> files =
      client->Call(&ExportStub::GetSubjectAccessExport, request);
  if (!files.ok()) return ReportCallError(files.status(), *context.global);
  const std::string stem = (std::filesystem::path(args.out_dir) / files->file_stem()).string();
  for (const auto& [path, content] :
       {std::pair<std::string, const std::string*>{stem + ".html", &files->html()},
        {stem + ".json", &files->json()}}) {
    const absl::Status written = WriteNewFile(path, *content);
    if (!written.ok()) return ReportUsageError(written.message(), /*help_hint=*/false);
  }
  return PrintResult(context.global->json, files->request(),
                     absl::StrCat("Wrote ", stem, ".html and ", stem, ".json\n"));
}

int RunExportRequest(const CaseContext& context, const ExportRequestArgs& args) {
  consular::v1::RequestExportRequest request;
  consular::v1::ExportFilter* filter = request.mutable_filter();
  filter->set_country(CountryCode(args.country));
  if (!args.type.empty()) {
    absl::StatusOr<consular::v1::CaseType> type = ParseFlagEnum<consular::v1::CaseType>(
        args.type, "--type", consular::v1::CaseType_descriptor());
    if (!type.ok()) return ReportUsageError(type.status().message());
    filter->set_type(*type);
  }
  if (!args.status.empty()) {
    absl::StatusOr<consular::v1::CaseStatus> status = ParseFlagEnum<consular::v1::CaseStatus>(
        args.status, "--status", consular::v1::CaseStatus_descriptor());
    if (!status.ok()) return ReportUsageError(status.status().message());
    filter->set_status(*status);
  }
  for (const auto& [text, flag, date] :
       {std::tuple<const std::string*, const char*, consular::v1::Date*>{
            &args.opened_from, "--opened-from", filter->mutable_opened_from()},
        {&args.opened_to, "--opened-to", filter->mutable_opened_to()}}) {
    if (text->empty()) continue;
    absl::StatusOr<consular::v1::Date> parsed = ParseDate(*text);
    if (!parsed.ok()) return ReportUsageError(absl::StrCat(flag, ": ", parsed.status().message()));
    *date = *parsed;
  }
  if (args.opened_from.empty()) filter->clear_opened_from();
  if (args.opened_to.empty()) filter->clear_opened_to();
  request.set_legal_basis(args.legal_basis);
  request.set_recipient(args.recipient);
  request.set_purpose(args.purpose);
  return RunChange(context, &ExportStub::RequestExport, request, args.request_id, &FormatExport);
}

int RunExportAnswer(const CaseContext& context, const AnswerArgs& args) {
  absl::StatusOr<consular::v1::ExportDecision> decision = DecisionOf(args);
  if (!decision.ok()) return ReportUsageError(decision.status().message());
  consular::v1::AnswerExportRequest request;
  request.set_export_id(args.id);
  request.set_decision(*decision);
  request.set_reason(args.reason);
  if (args.approve) {
    if (!args.password_file.empty() && !args.public_key_file.empty()) {
      return ReportUsageError("give --password-file or --public-key-file, not both");
    }
    if (!args.public_key_file.empty()) {
      std::ifstream file(args.public_key_file, std::ios::binary);
      if (!file) {
        return ReportUsageError(
            absl::StrCat("--public-key-file: cannot read ", args.public_key_file));
      }
      std::stringstream key;
      key << file.rdbuf();
      request.set_openpgp_public_key(key.str());
    } else {
      absl::StatusOr<std::string> password =
          args.password_file.empty()
              ? PromptPassword("Password for the export (12 characters or more)")
              : ReadPasswordFile(args.password_file, "--password-file");
      if (!password.ok()) return ReportUsageError(password.status().message());
      request.set_password(*std::move(password));
    }
    request.set_expiry_days(args.days);
    request.set_downloads_allowed(args.downloads);
  }
  return RunChange(context, &ExportStub::AnswerExport, request, args.request_id, &FormatExport);
}

int RunExportList(const CaseContext& context, const ExportListArgs& args) {
  consular::v1::ListExportsRequest request;
  request.set_pending_only(args.pending);
  request.set_page_size(args.limit);
  return RunCall(context, &ExportStub::ListExports, request, &FormatExportList);
}

int RunExportDownload(const CaseContext& context, const DownloadArgs& args) {
  if (std::filesystem::exists(args.out)) {
    return ReportUsageError(absl::StrCat("--out: ", args.out, " exists already"));
  }
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::DownloadExportRequest request;
  request.set_export_id(args.id);
  // Every download counts: a new request id each time unless one is given.
  request.set_request_id(RequestIdOrNew(args.request_id));
  absl::StatusOr<consular::v1::ExportFile> file =
      client->Call(&ExportStub::DownloadExport, request);
  if (!file.ok()) return ReportMutationError(file.status(), *context.global, request.request_id());
  const absl::Status written = WriteNewFile(args.out, file->content());
  if (!written.ok()) return ReportUsageError(written.message(), /*help_hint=*/false);
  return PrintResult(context.global->json, file->export_(),
                     absl::StrCat("Wrote ", args.out, " (", file->content().size(), " bytes, ",
                                  file->media_type(), ", sha256 ", file->export_().file_sha256(),
                                  "); ", file->export_().downloads_left(), " download(s) left\n"));
}

void AddAnswerFlags(CLI::App* command, AnswerArgs* args, const std::string& days_help) {
  command->add_option("ID", args->id, "The request's id")->required();
  command->add_flag("--approve", args->approve, "Approve (you must not be the requester)");
  command->add_flag("--refuse", args->refuse, "Refuse, with --reason");
  command->add_option("--reason", args->reason, "Why it is refused (1..300 characters)")
      ->type_name("TEXT");
  command->add_option("--days", args->days, days_help)->type_name("N")->check(CLI::Range(0, 30));
  AddRequestId(command, &args->request_id);
}

}  // namespace

void AddExportCommands(CLI::App* app, const GlobalOptions* global, Action* action) {
  const CaseContext context{global, &global->addr};

  CLI::App* sar = app->add_subcommand(
      "sar",
      "Subject access (GDPR art. 15): a person's own data from her case, approved by a "
      "post manager other than the requester");
  sar->require_subcommand(1);
  {
    CLI::App* command = sar->add_subcommand("request", "Ask for the person's data of a case");
    auto args = std::make_shared<SarRequestArgs>();
    AddCaseId(command, &args->case_id);
    command->add_option("--language", args->language, "Language of the export: nl or en")
        ->required()
        ->check(CLI::IsMember({"nl", "en", "NL", "EN"}));
    command
        ->add_option("--note", args->note,
                     "The reference of her request (letter, e-mail, date); 1..500 characters")
        ->required()
        ->type_name("TEXT");
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunSarRequest, action);
  }
  {
    CLI::App* command = sar->add_subcommand(
        "answer", "Approve or refuse a request (a post manager; for LKHA another caseworker)");
    auto args = std::make_shared<AnswerArgs>();
    AddAnswerFlags(command, args.get(),
                   "Days the export can be obtained after approval, 1..30 (default 14)");
    OnParse(command, context, args, &RunSarAnswer, action);
  }
  {
    CLI::App* command = sar->add_subcommand("list", "Your unit's requests, newest first");
    auto args = std::make_shared<SarListArgs>();
    command->add_option("--case", args->case_id, "Of this case only (UUID or reference)")
        ->type_name("CASE");
    command->add_flag("--pending", args->pending, "Only those waiting for an answer");
    command->add_option("--limit", args->limit, "At most N (default 50, at most 200)")
        ->type_name("N")
        ->check(CLI::Range(0, 200));
    OnParse(command, context, args, &RunSarList, action);
  }
  {
    CLI::App* command = sar->add_subcommand(
        "get", "Write the export of an approved request as DIR/subject-access-REF.html and .json");
    auto args = std::make_shared<SarGetArgs>();
    command->add_option("ID", args->id, "The request's id")->required();
    command->add_option("--out", args->out_dir, "The folder to write both files to")
        ->required()
        ->type_name("DIR");
    OnParse(command, context, args, &RunSarGet, action);
  }

  CLI::App* exports = app->add_subcommand(
      "export",
      "Bulk exports of your unit's cases to an authority or court, approved by a "
      "second person and encrypted for the recipient");
  exports->require_subcommand(1);
  {
    CLI::App* command = exports->add_subcommand("request", "Ask for an export");
    auto args = std::make_shared<ExportRequestArgs>();
    command->add_option("--country", args->country, "Country of focus (ISO 3166-1 alpha-2)")
        ->type_name("CC");
    command->add_option("--type", args->type, "Case type")
        ->check(EnumValidator(consular::v1::CaseType_descriptor()));
    command->add_option("--status", args->status, "Case status")
        ->check(EnumValidator(consular::v1::CaseStatus_descriptor()));
    command->add_option("--opened-from", args->opened_from, "Opened on or after")
        ->type_name("YYYY-MM-DD");
    command->add_option("--opened-to", args->opened_to, "Opened on or before")
        ->type_name("YYYY-MM-DD");
    command
        ->add_option("--legal-basis", args->legal_basis,
                     "The legal ground for handing the data over (10..300 characters)")
        ->required()
        ->type_name("TEXT");
    command->add_option("--recipient", args->recipient, "The authority or court (1..200)")
        ->required()
        ->type_name("TEXT");
    command->add_option("--purpose", args->purpose, "What the recipient needs it for (1..300)")
        ->required()
        ->type_name("TEXT");
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunExportRequest, action);
  }
  {
    CLI::App* command = exports->add_subcommand(
        "answer",
        "Approve (producing the encrypted file) or refuse an export. The password is read from "
        "--password-file or asked for on the terminal; it is never stored.");
    auto args = std::make_shared<AnswerArgs>();
    AddAnswerFlags(command, args.get(), "Days until the file expires, 1..30 (with --approve)");
    command
        ->add_option("--password-file", args->password_file,
                     "A file whose one line is the password (12 characters or more)")
        ->type_name("FILE");
    command
        ->add_option("--public-key-file", args->public_key_file,
                     "The recipient's ASCII-armored OpenPGP public key, instead of a password")
        ->type_name("FILE");
    command->add_option("--downloads", args->downloads, "Downloads allowed, 1..10 (with --approve)")
        ->type_name("N")
        ->check(CLI::Range(0, 10));
    OnParse(command, context, args, &RunExportAnswer, action);
  }
  {
    CLI::App* command = exports->add_subcommand("list", "Your unit's exports, newest first");
    auto args = std::make_shared<ExportListArgs>();
    command->add_flag("--pending", args->pending, "Only those waiting for an answer");
    command->add_option("--limit", args->limit, "At most N (default 50, at most 200)")
        ->type_name("N")
        ->check(CLI::Range(0, 200));
    OnParse(command, context, args, &RunExportList, action);
  }
  {
    CLI::App* command = exports->add_subcommand(
        "download", "Download an approved export (the requester; each download counts)");
    auto args = std::make_shared<DownloadArgs>();
    command->add_option("ID", args->id, "The export's id")->required();
    command->add_option("--out", args->out, "The file to write (must not exist)")
        ->required()
        ->type_name("FILE");
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunExportDownload, action);
  }
}

}  // namespace consular::ctl

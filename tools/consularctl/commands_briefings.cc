// consularctl briefing: the country dossier taken to a bilateral talk, stored byte for byte with
// its SHA-256 and checked against it on every read, through consular-stats' BilateralService at
// --stats-addr.
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "consular/v1/statistics.pb.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"
#include "tools/consularctl/stats_format.h"

namespace consular::ctl {
namespace {

struct BriefingStoreArgs {
  std::string talk_id;
  std::string language;
  std::string format = "html";
  std::string request_id;
};

struct BriefingGetArgs {
  std::string talk_id;
  std::string language;
  std::string format;
  std::string output;
};

std::string FormatBriefing(const consular::v1::Briefing& b) {
  return FormatTable(
      {"FIELD", "VALUE"},
      {{"id", b.id()},
       {"talk", b.talk_id()},
       {"language", b.language()},
       {"format", EnumWords(consular::v1::DossierFormat_descriptor(), b.format())},
       {"file name", b.filename()},
       {"bytes", absl::StrCat(b.size())},
       {"sha-256", b.sha256()},
       {"figures of", PeriodText(b.statistics_period())},
       {"stored by", b.stored_by()},
       {"stored at", FormatTimestamp(b.stored_at())}});
}

int RunBriefingStore(const StatsContext& context, const BriefingStoreArgs& args) {
  consular::v1::StoreBriefingRequest request;
  request.set_language(args.language);
  absl::StatusOr<consular::v1::DossierFormat> format = ParseFlagEnum<consular::v1::DossierFormat>(
      args.format, "--format", consular::v1::DossierFormat_descriptor());
  if (!format.ok()) return ReportUsageError(format.status().message());
  request.set_format(*format);
  return WithResolvedId<StatsClient>(
      context, args.talk_id, &ResolveTalkId, [&](StatsClient* client, const std::string& id) {
        request.set_talk_id(id);
        return ChangeAndPrint(client, *context.global, &BilateralStub::StoreBriefing, request,
                              args.request_id, &FormatBriefing);
      });
}

int RunBriefingGet(const StatsContext& context, const BriefingGetArgs& args) {
  consular::v1::GetBriefingRequest request;
  request.set_language(args.language);
  if (!args.format.empty()) {
    absl::StatusOr<consular::v1::DossierFormat> format = ParseFlagEnum<consular::v1::DossierFormat>(
        args.format, "--format", consular::v1::DossierFormat_descriptor());
    if (!format.ok()) return ReportUsageError(format.status().message());
    request.set_format(*format);
  }
  int exit_code = kExitOk;
  std::unique_ptr<StatsClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  absl::StatusOr<std::string> id = ResolveTalkId(client.get(), args.talk_id);
  if (!id.ok()) return ReportLookupError(id.status(), *context.global);
  request.set_talk_id(*id);
  absl::StatusOr<consular::v1::Briefing> briefing =
      client->Call(&BilateralStub::GetBriefing, request);
  if (!briefing.ok()) return ReportCallError(briefing.status(), *context.global);
  const std::string path = args.output.empty() ? briefing->filename() : args.output;
  if (path == "-") {
    std::cout << briefing->content();
    return kExitOk;
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << briefing->content();
  file.close();
  if (!file) return ReportUsageError(absl::StrCat("-o: cannot write ", path), false);
  std::cout << "wrote " << path << " (" << briefing->content().size() << " bytes, sha-256 "
            << briefing->sha256() << ", stored " << FormatTimestamp(briefing->stored_at()) << " by "
            << briefing->stored_by() << ")\n";
  return kExitOk;
}

}  // namespace

void AddBriefingCommands(CLI::App* app, const GlobalOptions* global, const std::string* stats_addr,
                         Action* action) {
  const StatsContext context{global, stats_addr};

  CLI::App* briefing = app->add_subcommand(
      "briefing", "A talk's country dossier, stored byte for byte with its digest (--stats-addr)");
  briefing->require_subcommand(1);
  {
    CLI::App* command = briefing->add_subcommand(
        "store", "Render the talk's country dossier and store it with its SHA-256");
    auto args = std::make_shared<BriefingStoreArgs>();
    command->add_option("TALK_ID", args->talk_id, "The talk's id, or its first 8 or more characters (see: talk list)")->required();
    command->add_option("--language", args->language, "en (default) or nl")
        ->check(CLI::IsMember({"en", "nl"}));
    AddEnumOption(command, "--format", &args->format, consular::v1::DossierFormat_descriptor(),
                  "html (default), csv or json");
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunBriefingStore, action);
  }
  {
    CLI::App* command = briefing->add_subcommand(
        "get", "Write the newest stored briefing of a talk, checked against its digest");
    auto args = std::make_shared<BriefingGetArgs>();
    command->add_option("TALK_ID", args->talk_id, "The talk's id, or its first 8 or more characters (see: talk list)")->required();
    command->add_option("--language", args->language, "Only a briefing in en or nl")
        ->check(CLI::IsMember({"en", "nl"}));
    AddEnumOption(command, "--format", &args->format, consular::v1::DossierFormat_descriptor(),
                  "Only a briefing in html, csv or json");
    command->add_option("-o,--output", args->output,
                        "File to write (default: the stored file name; - for stdout)");
    OnParse(command, context, args, &RunBriefingGet, action);
  }
}

}  // namespace consular::ctl

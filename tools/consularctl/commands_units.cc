// consularctl post: the register of units, the posts and LKHA (UnitService at --contacts-addr).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "consular/v1/contacts.pb.h"
#include "services/common/token.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/format.h"

namespace consular::ctl {
namespace {

struct UnitAddArgs {
  std::string code;
  std::string name;
  std::string city;
  std::string country;
  std::vector<std::string> accredit;
  std::string request_id;
};

struct UnitListArgs {
  std::string accredited_to;
  bool all = false;
};

struct UnitCodeArgs {
  std::string code;
};

struct UnitChangeArgs {
  std::string code;
  std::vector<std::string> countries;  // accredit, unaccredit
  std::string reason;                  // close
  std::string name;                    // update
  std::string city;                    // update
  int64_t version = 0;                 // 0: read it first
  std::string request_id;
};

// A unit code as typed (" rabat", "lkha"): upper case, surrounding blanks removed;
// INVALID_ARGUMENT naming CODE unless it is a well-formed code.
absl::StatusOr<std::string> ParseUnitCode(const std::string& text) {
  std::string code = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  if (code != "LKHA" && !consular::IsValidPostCode(code)) {
    return absl::InvalidArgumentError(
        absl::StrCat("CODE: not a unit code (e.g. RABAT, NEW-DELHI): \"", text, "\""));
  }
  return code;
}

std::vector<std::string> CountryCodes(const std::vector<std::string>& texts) {
  std::vector<std::string> codes;
  for (const std::string& text : texts) codes.push_back(CountryCode(text));
  return codes;
}

int RunUnitAdd(const ContactsContext& context, const UnitAddArgs& args) {
  absl::StatusOr<std::string> code = ParseUnitCode(args.code);
  if (!code.ok()) return ReportUsageError(code.status().message());
  consular::v1::CreateUnitRequest request;
  consular::v1::Unit* unit = request.mutable_unit();
  unit->set_code(*code);
  unit->set_kind(consular::v1::UNIT_KIND_POST);
  unit->set_name(args.name);
  unit->set_city(args.city);
  unit->set_country(CountryCode(args.country));
  for (const std::string& c : CountryCodes(args.accredit)) unit->add_accredited_countries(c);
  return RunChange(context, &UnitStub::CreateUnit, request, args.request_id, &FormatUnit);
}

int RunUnitList(const ContactsContext& context, const UnitListArgs& args) {
  consular::v1::ListUnitsRequest request;
  if (!args.accredited_to.empty()) request.set_accredited_to(CountryCode(args.accredited_to));
  request.set_include_inactive(args.all);
  return RunCall(context, &UnitStub::ListUnits, request,
                 [](const consular::v1::ListUnitsResponse& r) { return FormatUnitList(r.units()); });
}

int RunUnitShow(const ContactsContext& context, const UnitCodeArgs& args) {
  absl::StatusOr<std::string> code = ParseUnitCode(args.code);
  if (!code.ok()) return ReportUsageError(code.status().message());
  consular::v1::GetUnitRequest request;
  request.set_code(*code);
  return RunCall(context, &UnitStub::GetUnit, request, &FormatUnit);
}

// Sends a change of the unit `args.code` built by `fill` (given the code and the version the
// change is based on): the version given with --version, else the one read first.
template <typename Request>
int RunUnitChange(const ContactsContext& context, const UnitChangeArgs& args,
                  UnaryMethod<UnitStub, Request, consular::v1::Unit> method,
                  const std::function<void(const std::string&, int64_t, Request*)>& fill) {
  absl::StatusOr<std::string> code = ParseUnitCode(args.code);
  if (!code.ok()) return ReportUsageError(code.status().message());
  int exit_code = kExitOk;
  std::unique_ptr<ContactsClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  int64_t version = args.version;
  if (version == 0) {
    consular::v1::GetUnitRequest get;
    get.set_code(*code);
    absl::StatusOr<consular::v1::Unit> read = client->Call(&UnitStub::GetUnit, get);
    if (!read.ok()) return ReportCallError(read.status(), *context.global);
    version = read->version();
  }
  Request request;
  fill(*code, version, &request);
  return ChangeAndPrint(client.get(), *context.global, method, request, args.request_id,
                        &FormatUnit);
}

int RunUnitAccredit(const ContactsContext& context, const UnitChangeArgs& args) {
  return RunUnitChange<consular::v1::AccreditUnitRequest>(
      context, args, &UnitStub::AccreditUnit,
      [&](const std::string& code, int64_t version, consular::v1::AccreditUnitRequest* r) {
        r->set_code(code);
        for (const std::string& c : CountryCodes(args.countries)) r->add_countries(c);
        r->set_expected_version(version);
      });
}

int RunUnitUnaccredit(const ContactsContext& context, const UnitChangeArgs& args) {
  return RunUnitChange<consular::v1::UnaccreditUnitRequest>(
      context, args, &UnitStub::UnaccreditUnit,
      [&](const std::string& code, int64_t version, consular::v1::UnaccreditUnitRequest* r) {
        r->set_code(code);
        for (const std::string& c : CountryCodes(args.countries)) r->add_countries(c);
        r->set_expected_version(version);
      });
}

int RunUnitClose(const ContactsContext& context, const UnitChangeArgs& args) {
  return RunUnitChange<consular::v1::SetUnitActiveRequest>(
      context, args, &UnitStub::SetUnitActive,
      [&](const std::string& code, int64_t version, consular::v1::SetUnitActiveRequest* r) {
        r->set_code(code);
        r->set_active(false);
        r->set_reason(args.reason);
        r->set_expected_version(version);
      });
}

int RunUnitReopen(const ContactsContext& context, const UnitChangeArgs& args) {
  return RunUnitChange<consular::v1::SetUnitActiveRequest>(
      context, args, &UnitStub::SetUnitActive,
      [&](const std::string& code, int64_t version, consular::v1::SetUnitActiveRequest* r) {
        r->set_code(code);
        r->set_active(true);
        r->set_expected_version(version);
      });
}

int RunUnitUpdate(const ContactsContext& context, const UnitChangeArgs& args) {
  if (args.name.empty() && args.city.empty()) {
    return ReportUsageError("give --name, --city or both");
  }
  return RunUnitChange<consular::v1::UpdateUnitRequest>(
      context, args, &UnitStub::UpdateUnit,
      [&](const std::string& code, int64_t version, consular::v1::UpdateUnitRequest* r) {
        r->set_code(code);
        r->set_name(args.name);
        r->set_city(args.city);
        r->set_expected_version(version);
      });
}

CLI::Option* AddCountries(CLI::App* command, std::vector<std::string>* countries,
                          const std::string& name, const std::string& description) {
  return command->add_option(name, *countries, description)
      ->delimiter(',')
      ->type_name("CC")
      ->allow_extra_args(false);
}

// --version N, optional here: read first when not given.
void AddOptionalVersion(CLI::App* command, int64_t* version) {
  command
      ->add_option("--version", *version,
                   "The unit version the change is based on (default: the version now)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
}

CLI::App* AddChange(CLI::App* parent, const std::string& name, const std::string& description,
                    ContactsContext context, Action* action,
                    int (*run)(const ContactsContext&, const UnitChangeArgs&),
                    std::shared_ptr<UnitChangeArgs> args) {
  CLI::App* command = parent->add_subcommand(name, description);
  command->add_option("CODE", args->code, "Post code (e.g. RABAT)")->required();
  AddOptionalVersion(command, &args->version);
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, run, action);
  return command;
}

}  // namespace

void AddUnitCommands(CLI::App* app, const GlobalOptions* global, const std::string* contacts_addr,
                     Action* action) {
  const ContactsContext context{global, contacts_addr};
  CLI::App* post = app->add_subcommand(
      "post",
      "The register of units: posts (and LKHA), the countries each post is accredited to; "
      "kept by administrators, read by everyone (talks to --contacts-addr)");
  post->require_subcommand(1);

  {
    CLI::App* command = post->add_subcommand("add", "Add a post to the register (administrators)");
    auto args = std::make_shared<UnitAddArgs>();
    command->add_option("CODE", args->code, "Post code (e.g. ISTANBUL, NEW-DELHI)")->required();
    command->add_option("--name", args->name, "Name (e.g. Embassy of the Netherlands in Rabat)")
        ->required();
    command->add_option("--city", args->city, "City");
    command->add_option("--country", args->country, "Country where it is (ISO 3166-1 alpha-2)")
        ->required()
        ->type_name("CC");
    AddCountries(command, &args->accredit, "--accredit",
                 "Countries it is accredited to; repeat or give a comma list");
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunUnitAdd, action);
  }
  {
    CLI::App* command = post->add_subcommand("list", "The units of the register, by code");
    auto args = std::make_shared<UnitListArgs>();
    command->add_option("--accredited-to", args->accredited_to,
                        "Only the posts accredited to this country")
        ->type_name("CC");
    command->add_flag("--all", args->all, "Closed posts too");
    OnParse(command, context, args, &RunUnitList, action);
  }
  {
    CLI::App* command = post->add_subcommand("show", "One unit, with its countries");
    auto args = std::make_shared<UnitCodeArgs>();
    command->add_option("CODE", args->code, "Unit code (e.g. RABAT, LKHA)")->required();
    OnParse(command, context, args, &RunUnitShow, action);
  }
  {
    auto args = std::make_shared<UnitChangeArgs>();
    CLI::App* command = AddChange(
        post, "accredit",
        "Add countries to a post's accreditation; those it has stay (administrators). Its post "
        "managers may then edit those countries' partners",
        context, action, &RunUnitAccredit, args);
    AddCountries(command, &args->countries, "--country",
                 "Country to add (ISO 3166-1 alpha-2); repeat or give a comma list")
        ->required();
  }
  {
    auto args = std::make_shared<UnitChangeArgs>();
    CLI::App* command =
        AddChange(post, "unaccredit", "Take countries off a post's accreditation (administrators)",
                  context, action, &RunUnitUnaccredit, args);
    AddCountries(command, &args->countries, "--country",
                 "Country to take off; repeat or give a comma list")
        ->required();
  }
  {
    auto args = std::make_shared<UnitChangeArgs>();
    CLI::App* command = AddChange(
        post, "close",
        "Close a post: no case can be referred or shared to it any more (administrators)", context,
        action, &RunUnitClose, args);
    command->add_option("--reason", args->reason, "Why (1-300 characters)")->required();
  }
  AddChange(post, "reopen", "Reopen a closed post (administrators)", context, action,
            &RunUnitReopen, std::make_shared<UnitChangeArgs>());
  {
    auto args = std::make_shared<UnitChangeArgs>();
    CLI::App* command = AddChange(
        post, "update",
        "Rename a post or record the city it moved to; its code and country stay "
        "(administrators)",
        context, action, &RunUnitUpdate, args);
    command->add_option("--name", args->name, "The new name (1-200 characters)");
    command->add_option("--city", args->city, "The new city (1-100 characters)");
  }
}

}  // namespace consular::ctl

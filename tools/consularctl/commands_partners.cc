// consularctl partner: the directory of local partners (PartnerService at --contacts-addr). The
// posts and their accreditation are in commands_units.cc.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "consular/v1/contacts.pb.h"
#include "services/common/token.h"
#include "tools/consularctl/case_fields.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"

namespace consular::ctl {
namespace {

using ::consular::v1::Partner;

// Values of the options of one command; owned by the command's callback.
struct PartnerAddArgs {
  std::string kind;
  std::string name;
  std::string country;
  std::string city;
  std::vector<std::string> specialisms;
  std::vector<std::string> languages;
  std::string phone;
  std::string email;
  std::string address;
  std::string website;
  std::string request_id;
};

struct PartnerListArgs {
  std::string country;
  std::string city;
  std::string kind;
  std::string specialism;
  std::string language;
  std::string vetting;
  bool include_inactive = false;
  PagingArgs paging;  // --all-pages
};

struct PartnerIdArgs {
  std::string id;
};

// An unset optional means the flag was not given: only given flags go into the update mask.
struct PartnerUpdateArgs {
  std::string id;
  int64_t version = 0;
  std::optional<std::string> name;
  std::optional<std::string> city;
  std::optional<std::vector<std::string>> specialisms;
  std::optional<std::vector<std::string>> languages;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::optional<std::string> address;
  std::optional<std::string> website;
  std::string request_id;
};

struct PartnerVetArgs {
  std::string id;
  std::string status;
  std::string note;
  int64_t version = 0;
  std::string request_id;
};

struct PartnerDeactivateArgs {
  std::string id;
  std::string reason;
  int64_t version = 0;
  std::string request_id;
};

// Adds the parsed specialisms to `partner`; INVALID_ARGUMENT naming --specialism.
absl::Status SetSpecialisms(const std::vector<std::string>& texts, Partner* partner) {
  partner->clear_specialisms();
  for (const std::string& text : texts) {
    absl::StatusOr<consular::v1::Specialism> specialism = ParseFlagEnum<consular::v1::Specialism>(
        text, "--specialism", consular::v1::Specialism_descriptor());
    if (!specialism.ok()) return specialism.status();
    partner->add_specialisms(*specialism);
  }
  return absl::OkStatus();
}

// Language codes as typed ("AR", " fr"): lower case, surrounding blanks removed.
void SetLanguages(const std::vector<std::string>& texts, Partner* partner) {
  partner->clear_languages();
  for (const std::string& text : texts) {
    partner->add_languages(absl::AsciiStrToLower(absl::StripAsciiWhitespace(text)));
  }
}

int RunPartnerAdd(const ContactsContext& context, const PartnerAddArgs& args) {
  absl::StatusOr<consular::v1::PartnerKind> kind = ParseFlagEnum<consular::v1::PartnerKind>(
      args.kind, "--kind", consular::v1::PartnerKind_descriptor());
  if (!kind.ok()) return ReportUsageError(kind.status().message());
  consular::v1::CreatePartnerRequest request;
  Partner* partner = request.mutable_partner();
  partner->set_kind(*kind);
  partner->set_name(args.name);
  partner->set_country(CountryCode(args.country));
  partner->set_city(args.city);
  if (absl::Status set = SetSpecialisms(args.specialisms, partner); !set.ok()) {
    return ReportUsageError(set.message());
  }
  SetLanguages(args.languages, partner);
  partner->mutable_contact_details()->set_phone(args.phone);
  partner->mutable_contact_details()->set_email(args.email);
  partner->mutable_contact_details()->set_address(args.address);
  partner->mutable_contact_details()->set_website(args.website);
  return RunChange(context, &PartnerStub::CreatePartner, request, args.request_id, &FormatPartner);
}

int RunPartnerList(const ContactsContext& context, const PartnerListArgs& args) {
  consular::v1::ListPartnersRequest request;
  request.set_country(CountryCode(args.country));
  request.set_city(args.city);
  if (!args.kind.empty()) {
    absl::StatusOr<consular::v1::PartnerKind> kind = ParseFlagEnum<consular::v1::PartnerKind>(
        args.kind, "--kind", consular::v1::PartnerKind_descriptor());
    if (!kind.ok()) return ReportUsageError(kind.status().message());
    request.set_kind(*kind);
  }
  if (!args.specialism.empty()) {
    absl::StatusOr<consular::v1::Specialism> specialism = ParseFlagEnum<consular::v1::Specialism>(
        args.specialism, "--specialism", consular::v1::Specialism_descriptor());
    if (!specialism.ok()) return ReportUsageError(specialism.status().message());
    request.set_specialism(*specialism);
  }
  request.set_language(absl::AsciiStrToLower(absl::StripAsciiWhitespace(args.language)));
  if (!args.vetting.empty()) {
    absl::StatusOr<consular::v1::VettingStatus> vetting =
        ParseFlagEnum<consular::v1::VettingStatus>(args.vetting, "--vetting",
                                                   consular::v1::VettingStatus_descriptor());
    if (!vetting.ok()) return ReportUsageError(vetting.status().message());
    request.set_vetting_status(*vetting);
  }
  request.set_include_inactive(args.include_inactive);
  return RunListing(context, &PartnerStub::ListPartners, request, args.paging,
                    [](const consular::v1::ListPartnersResponse& response) {
                      return FormatPartnerList(response.partners());
                    });
}

}  // namespace

absl::StatusOr<std::string> ResolvePartnerId(ContactsClient* client, const std::string& text,
                                             absl::string_view name) {
  const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (IsUuid(wanted)) return wanted;
  if (!IsIdPrefix(wanted)) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": not a UUID or the first 8 or more characters of one: \"", text,
        "\" (see: partner list)"));
  }
  consular::v1::ListPartnersRequest list;
  list.set_include_inactive(true);
  list.set_page_size(500);
  std::vector<std::string> ids;
  for (int page = 0; page < 100; ++page) {
    absl::StatusOr<consular::v1::ListPartnersResponse> listed =
        client->Call(&PartnerStub::ListPartners, list);
    if (!listed.ok()) return listed.status();
    for (const Partner& p : listed->partners()) ids.push_back(p.id());
    if (listed->next_page_token().empty()) break;
    list.set_page_token(listed->next_page_token());
  }
  return OneIdStartingWith(wanted, ids, name, "partner list");
}

namespace {

// Connects and runs `run` with the partner `text` names: a full id, or its first 8 or more
// characters (found in the directory, deactivated partners included).
int WithPartner(const ContactsContext& context, const std::string& text,
                const std::function<int(ContactsClient*, const std::string& id)>& run) {
  int exit_code = kExitOk;
  std::unique_ptr<ContactsClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  absl::StatusOr<std::string> id = ResolvePartnerId(client.get(), text, "ID");
  if (!id.ok()) return ReportLookupError(id.status(), *context.global);
  return run(client.get(), *id);
}

// The version a change of partner `id` is based on: `given` (--version), else the one it has now.
absl::StatusOr<int64_t> PartnerVersion(ContactsClient* client, const std::string& id,
                                       int64_t given) {
  if (given != 0) return given;
  consular::v1::GetPartnerRequest request;
  request.set_partner_id(id);
  absl::StatusOr<Partner> read = client->Call(&PartnerStub::GetPartner, request);
  if (!read.ok()) return read.status();
  return read->version();
}

// Runs the change `method` of partner `id` with the version it is based on set by `set_version`.
template <typename Request>
int ChangePartner(const ContactsContext& context, ContactsClient* client, const std::string& id,
                  int64_t given_version, Request* request,
                  UnaryMethod<PartnerStub, Request, Partner> method,
                  const std::string& request_id) {
  absl::StatusOr<int64_t> version = PartnerVersion(client, id, given_version);
  if (!version.ok()) return ReportCallError(version.status(), *context.global);
  request->set_expected_version(*version);
  return ChangeAndPrint(client, *context.global, method, *request, request_id, &FormatPartner);
}

int RunPartnerShow(const ContactsContext& context, const PartnerIdArgs& args) {
  return WithPartner(context, args.id, [&](ContactsClient* client, const std::string& id) {
    consular::v1::GetPartnerRequest request;
    request.set_partner_id(id);
    return CallAndPrint(client, *context.global, &PartnerStub::GetPartner, request,
                        &FormatPartner);
  });
}

int RunPartnerUpdate(const ContactsContext& context, const PartnerUpdateArgs& args) {
  consular::v1::UpdatePartnerRequest request;
  Partner* partner = request.mutable_partner();
  google::protobuf::FieldMask* mask = request.mutable_update_mask();
  // Paths in proto field order (contacts.proto, UpdatePartnerRequest).
  if (args.name) {
    partner->set_name(*args.name);
    mask->add_paths("name");
  }
  if (args.city) {
    partner->set_city(*args.city);
    mask->add_paths("city");
  }
  if (args.specialisms) {
    if (absl::Status set = SetSpecialisms(*args.specialisms, partner); !set.ok()) {
      return ReportUsageError(set.message());
    }
    mask->add_paths("specialisms");
  }
  if (args.languages) {
    SetLanguages(*args.languages, partner);
    mask->add_paths("languages");
  }
  consular::v1::PartnerContactDetails* details = partner->mutable_contact_details();
  if (args.phone) {
    details->set_phone(*args.phone);
    mask->add_paths("contact_details.phone");
  }
  if (args.email) {
    details->set_email(*args.email);
    mask->add_paths("contact_details.email");
  }
  if (args.address) {
    details->set_address(*args.address);
    mask->add_paths("contact_details.address");
  }
  if (args.website) {
    details->set_website(*args.website);
    mask->add_paths("contact_details.website");
  }
  if (mask->paths().empty()) {
    return ReportUsageError("nothing to update: give at least one field flag (see --help)");
  }
  return WithPartner(context, args.id, [&](ContactsClient* client, const std::string& id) {
    request.mutable_partner()->set_id(id);
    return ChangePartner(context, client, id, args.version, &request, &PartnerStub::UpdatePartner,
                         args.request_id);
  });
}

int RunPartnerVet(const ContactsContext& context, const PartnerVetArgs& args) {
  absl::StatusOr<consular::v1::VettingStatus> status = ParseFlagEnum<consular::v1::VettingStatus>(
      args.status, "--status", consular::v1::VettingStatus_descriptor());
  if (!status.ok()) return ReportUsageError(status.status().message());
  consular::v1::SetVettingRequest request;
  request.set_status(*status);
  request.set_note(args.note);
  return WithPartner(context, args.id, [&](ContactsClient* client, const std::string& id) {
    request.set_partner_id(id);
    return ChangePartner(context, client, id, args.version, &request, &PartnerStub::SetVetting,
                         args.request_id);
  });
}

int RunPartnerDeactivate(const ContactsContext& context, const PartnerDeactivateArgs& args) {
  consular::v1::DeactivatePartnerRequest request;
  request.set_reason(args.reason);
  return WithPartner(context, args.id, [&](ContactsClient* client, const std::string& id) {
    request.set_partner_id(id);
    return ChangePartner(context, client, id, args.version, &request,
                         &PartnerStub::DeactivatePartner, args.request_id);
  });
}

std::vector<std::string>& ListOf(std::vector<std::string>* target) { return *target; }

std::vector<std::string>& ListOf(std::optional<std::vector<std::string>>* target) {
  if (!target->has_value()) target->emplace();
  return **target;
}

// Repeatable, each occurrence one value or a comma-separated list, appended to *target (a list, or
// an optional list that is set once the flag is given).
template <typename Target>
CLI::Option* AddList(CLI::App* command, const std::string& name, Target* target,
                     const std::string& description) {
  return command
      ->add_option_function<std::vector<std::string>>(
          name,
          [target](const std::vector<std::string>& values) {
            std::vector<std::string>& list = ListOf(target);
            for (const std::string& value : values) {
              if (!value.empty()) list.push_back(value);
            }
          },
          description)
      ->expected(1)
      ->allow_extra_args(false)  // "--language ar ID": ID is not a second language
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->delimiter(',');
}

// Writes the value into an optional: given (even empty) or not.
CLI::Option* AddOptionalText(CLI::App* command, const std::string& name,
                             std::optional<std::string>* target, const std::string& description) {
  return command
      ->add_option_function<std::string>(
          name, [target](const std::string& value) { *target = value; }, description)
      ->type_name("TEXT");
}

CLI::Option* AddPartnerId(CLI::App* command, std::string* id) {
  return command->add_option("ID", *id, "The partner's UUID (see: partner list)")->required();
}

void AddPartnerAdd(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "add",
      "Add a partner to the directory (administrators, and post managers of a post accredited "
      "to the country); it starts UNVETTED");
  auto args = std::make_shared<PartnerAddArgs>();
  AddEnumOption(command, "--kind", &args->kind, consular::v1::PartnerKind_descriptor(),
                "Kind of partner")
      ->required();
  command->add_option("--name", args->name, "Office or organisation (1..200 characters)")
      ->required()
      ->type_name("TEXT");
  command->add_option("--country", args->country, "Country (ISO 3166-1 alpha-2, e.g. MA)")
      ->required()
      ->type_name("CC");
  command->add_option("--city", args->city, "City (1..100 characters)")
      ->required()
      ->type_name("TEXT");
  AddList(command, "--specialism", &args->specialisms, "Specialism; repeat or give a comma list")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::Specialism_descriptor()));
  AddList(command, "--language", &args->languages,
          "Language spoken (ISO 639-1, e.g. ar); repeat or give a comma list")
      ->type_name("CODE");
  command->add_option("--phone", args->phone, "Phone number")->type_name("TEXT");
  command->add_option("--email", args->email, "Email address")->type_name("TEXT");
  command->add_option("--address", args->address, "Postal or street address")->type_name("TEXT");
  command->add_option("--website", args->website, "Website")->type_name("TEXT");
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunPartnerAdd, action);
}

void AddPartnerList(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "list",
      "List partners by country, city and name; active ones only unless --all (prints the next "
      "page token on stderr)");
  auto args = std::make_shared<PartnerListArgs>();
  command->add_option("--country", args->country, "Country (e.g. MA)")->type_name("CC");
  command->add_option("--city", args->city, "City (exact, any letter case)")->type_name("TEXT");
  AddEnumOption(command, "--kind", &args->kind, consular::v1::PartnerKind_descriptor(),
                "Kind of partner");
  AddEnumOption(command, "--specialism", &args->specialism, consular::v1::Specialism_descriptor(),
                "Partners with this specialism");
  command->add_option("--language", args->language, "Partners speaking this language (e.g. ar)")
      ->type_name("CODE");
  AddEnumOption(command, "--vetting", &args->vetting, consular::v1::VettingStatus_descriptor(),
                "Vetting status");
  command->add_flag("--all", args->include_inactive, "Also deactivated partners");
  AddPaging(command, &args->paging, "--all-pages");
  OnParse(command, context, args, &RunPartnerList, action);
}

void AddPartnerShow(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand("show", "Show one partner");
  auto args = std::make_shared<PartnerIdArgs>();
  AddPartnerId(command, &args->id);
  OnParse(command, context, args, &RunPartnerShow, action);
}

void AddPartnerUpdate(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "update",
      "Change a partner: only the fields given are changed (the update mask); --specialism and "
      "--language replace the lists. Kind and country are fixed.");
  auto args = std::make_shared<PartnerUpdateArgs>();
  AddPartnerId(command, &args->id);
  AddVersion(command, &args->version, "partner");
  AddOptionalText(command, "--name", &args->name, "Office or organisation");
  AddOptionalText(command, "--city", &args->city, "City");
  AddList(command, "--specialism", &args->specialisms, "Specialism; repeat or give a comma list")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::Specialism_descriptor()));
  AddList(command, "--language", &args->languages,
          "Language spoken (ISO 639-1); repeat or give a comma list")
      ->type_name("CODE");
  AddOptionalText(command, "--phone", &args->phone, "Phone number (\"\" clears it)");
  AddOptionalText(command, "--email", &args->email, "Email address (\"\" clears it)");
  AddOptionalText(command, "--address", &args->address, "Address (\"\" clears it)");
  AddOptionalText(command, "--website", &args->website, "Website (\"\" clears it)");
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunPartnerUpdate, action);
}

void AddPartnerVet(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command =
      parent->add_subcommand("vet", "Record a vetting decision: vetted, suspended or unvetted");
  auto args = std::make_shared<PartnerVetArgs>();
  AddPartnerId(command, &args->id);
  AddEnumOption(command, "--status", &args->status, consular::v1::VettingStatus_descriptor(),
                "The decision")
      ->required();
  command->add_option("--note", args->note, "On what the decision rests (1..2000 characters)")
      ->required()
      ->type_name("TEXT");
  AddVersion(command, &args->version, "partner");
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunPartnerVet, action);
}

void AddPartnerDeactivate(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "deactivate",
      "Deactivate a partner for good (it stays readable, with its contacts; partner list --all)");
  auto args = std::make_shared<PartnerDeactivateArgs>();
  AddPartnerId(command, &args->id);
  command->add_option("--reason", args->reason, "Why (1..2000 characters)")
      ->required()
      ->type_name("TEXT");
  AddVersion(command, &args->version, "partner");
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunPartnerDeactivate, action);
}

}  // namespace

void AddPartnerCommands(CLI::App* app, const GlobalOptions* global,
                        const std::string* contacts_addr, Action* action) {
  const ContactsContext context{global, contacts_addr};

  CLI::App* partner = app->add_subcommand(
      "partner",
      "The directory of local partners: lawyers, aid organisations, shelters, ... (talks to "
      "--contacts-addr)");
  partner->require_subcommand(1);
  AddPartnerAdd(partner, context, action);
  AddPartnerList(partner, context, action);
  AddPartnerShow(partner, context, action);
  AddPartnerUpdate(partner, context, action);
  AddPartnerVet(partner, context, action);
  AddPartnerDeactivate(partner, context, action);
}

}  // namespace consular::ctl

// consularctl contact: the contact log of cases and its follow-ups, through ContactService at
// --contacts-addr.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "proto/dates.h"
#include "tools/consularctl/case_fields.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"

namespace consular::ctl {
namespace {

using ::consular::v1::Contact;

// Values of the options of one command; owned by the command's callback.
struct ContactLogArgs {
  std::string case_id;
  std::string partner_id;
  std::string adhoc_name;
  std::string person_id;
  std::string adhoc_org;
  std::string adhoc_phone;
  std::string adhoc_email;
  std::string channel;
  std::string direction;
  std::string purpose;
  std::string outcome;
  std::string when;  // empty: now
  std::string follow_up;
  std::string note;
  std::string request_id;
};

struct ContactListArgs {
  std::string case_id;
  std::string partner_id;
  PagingArgs paging;
};

struct ContactDueArgs {
  std::string from;
  std::string to;
  PagingArgs paging;
};

struct ContactDoneArgs {
  std::string id;
  int64_t version = 0;
  std::string request_id;
};

// A date flag (already checked by DateValidator; checked again here): nothing if not given (or
// given as "none"). INVALID_ARGUMENT naming the flag.
absl::StatusOr<std::optional<consular::v1::Date>> ParseDateFlag(const std::string& text,
                                                                absl::string_view flag) {
  if (text.empty()) return std::nullopt;
  absl::StatusOr<consular::v1::Date> parsed = ParseDate(text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", parsed.status().message()));
  }
  if (!IsSet(*parsed)) return std::nullopt;
  return *parsed;
}

// The person on the case `text` names: a full id as it is, or the one person on the case whose id
// begins with these 8 or more characters (read from the case at --addr).
absl::StatusOr<std::string> ResolvePersonId(const ContactsContext& context,
                                            const std::string& case_id, const std::string& text) {
  const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (IsUuid(wanted)) return wanted;
  absl::StatusOr<std::unique_ptr<CaseClient>> client =
      CaseClient::Connect(*context.global, context.global->addr);
  if (!client.ok()) return client.status();
  consular::v1::GetCaseRequest get;
  get.set_case_id(case_id);
  absl::StatusOr<consular::v1::Case> got = (*client)->Call(&CaseStub::GetCase, get);
  if (!got.ok()) return got.status();
  std::vector<std::string> ids;
  for (const consular::v1::Person& person : got->persons()) ids.push_back(person.id());
  return OneIdStartingWith(wanted, ids, "--person", "case get");
}

int RunContactLog(const ContactsContext& context, const ContactLogArgs& args) {
  consular::v1::LogContactRequest request;
  Contact* contact = request.mutable_contact();
  contact->set_case_id(args.case_id);
  // --partner and --adhoc-name exclude each other (CLI11); one of them is needed.
  if (!args.partner_id.empty()) {
    if (!IsIdPrefix(absl::AsciiStrToLower(args.partner_id))) {
      return ReportUsageError(absl::StrCat("--partner: not a UUID or the first 8 or more characters "
                                           "of one: \"", args.partner_id, "\" (see: partner list)"));
    }
  } else if (!args.adhoc_name.empty() || !args.person_id.empty()) {
    consular::v1::AdHocContact* ad_hoc = contact->mutable_ad_hoc();
    if (!args.person_id.empty() && !IsIdPrefix(absl::AsciiStrToLower(args.person_id))) {
      return ReportUsageError(absl::StrCat("--person: not a UUID or the first 8 or more characters "
                                           "of one: \"", args.person_id, "\" (see: case get)"));
    }
    ad_hoc->set_name(args.adhoc_name);
    ad_hoc->set_organisation(args.adhoc_org);
    ad_hoc->set_phone(args.adhoc_phone);
    ad_hoc->set_email(args.adhoc_email);
  } else {
    return ReportUsageError(
        "say who the contact was with: --partner ID (a directory partner), --person ID (a "
        "person on the case) or --adhoc-name TEXT");
  }
  absl::StatusOr<consular::v1::ContactChannel> channel =
      ParseFlagEnum<consular::v1::ContactChannel>(args.channel, "--channel",
                                                  consular::v1::ContactChannel_descriptor());
  if (!channel.ok()) return ReportUsageError(channel.status().message());
  absl::StatusOr<consular::v1::ContactDirection> direction =
      ParseFlagEnum<consular::v1::ContactDirection>(args.direction, "--direction",
                                                    consular::v1::ContactDirection_descriptor());
  if (!direction.ok()) return ReportUsageError(direction.status().message());
  absl::StatusOr<consular::v1::ContactPurpose> purpose =
      ParseFlagEnum<consular::v1::ContactPurpose>(args.purpose, "--purpose",
                                                  consular::v1::ContactPurpose_descriptor());
  if (!purpose.ok()) return ReportUsageError(purpose.status().message());
  absl::StatusOr<consular::v1::ContactOutcome> outcome =
      ParseFlagEnum<consular::v1::ContactOutcome>(args.outcome, "--outcome",
                                                  consular::v1::ContactOutcome_descriptor());
  if (!outcome.ok()) return ReportUsageError(outcome.status().message());
  contact->set_channel(*channel);
  contact->set_direction(*direction);
  contact->set_purpose(*purpose);
  contact->set_outcome(*outcome);
  absl::Time when = absl::Now();
  if (!args.when.empty()) {
    absl::StatusOr<absl::Time> parsed = ParseWhen(args.when, /*end_of_day=*/false);
    if (!parsed.ok()) return ReportUsageError(absl::StrCat("--when: ", parsed.status().message()));
    when = *parsed;
  }
  *contact->mutable_occurred_at() = ToTimestamp(when);
  absl::StatusOr<std::optional<consular::v1::Date>> follow_up =
      ParseDateFlag(args.follow_up, "--follow-up");
  if (!follow_up.ok()) return ReportUsageError(follow_up.status().message());
  if (follow_up->has_value()) *contact->mutable_follow_up_due() = **follow_up;
  contact->set_note(args.note);
  int exit_code = kExitOk;
  std::unique_ptr<ContactsClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  if (!args.partner_id.empty()) {
    absl::StatusOr<std::string> partner =
        ResolvePartnerId(client.get(), args.partner_id, "--partner");
    if (!partner.ok()) return ReportLookupError(partner.status(), *context.global);
    contact->set_partner_id(*partner);
  }
  if (!args.person_id.empty()) {
    absl::StatusOr<std::string> person = ResolvePersonId(context, args.case_id, args.person_id);
    if (!person.ok()) return ReportLookupError(person.status(), *context.global);
    contact->mutable_ad_hoc()->set_person_id(*person);
  }
  return ChangeAndPrint(client.get(), *context.global, &ContactStub::LogContact, request,
                        args.request_id, &FormatContact);
}

int RunContactList(const ContactsContext& context, const ContactListArgs& args) {
  consular::v1::ListContactsRequest request;
  if (!args.case_id.empty()) {
    request.set_case_id(args.case_id);
  } else if (args.partner_id.empty()) {
    return ReportUsageError("give --case CASE or --partner ID");
  } else {
    int exit_code = kExitOk;
    std::unique_ptr<ContactsClient> client = ConnectOrReport(context, &exit_code);
    if (client == nullptr) return exit_code;
    absl::StatusOr<std::string> partner =
        ResolvePartnerId(client.get(), args.partner_id, "--partner");
    if (!partner.ok()) return ReportLookupError(partner.status(), *context.global);
    request.set_partner_id(*partner);
  }
  return RunListing(context, &ContactStub::ListContacts, request, args.paging,
                    [](const consular::v1::ListContactsResponse& response) {
                      return FormatContactList(response.contacts());
                    });
}

int RunContactDue(const ContactsContext& context, const ContactDueArgs& args) {
  consular::v1::ListFollowUpsDueRequest request;
  absl::StatusOr<std::optional<consular::v1::Date>> from = ParseDateFlag(args.from, "--from");
  if (!from.ok()) return ReportUsageError(from.status().message());
  if (from->has_value()) *request.mutable_due_from() = **from;
  absl::StatusOr<std::optional<consular::v1::Date>> to = ParseDateFlag(args.to, "--to");
  if (!to.ok()) return ReportUsageError(to.status().message());
  if (to->has_value()) *request.mutable_due_to() = **to;
  return RunListing(context, &ContactStub::ListFollowUpsDue, request, args.paging,
                    [](const consular::v1::ListFollowUpsDueResponse& response) {
                      return FormatFollowUps(response.follow_ups());
                    });
}

// The contact of an open follow-up of the caller's unit: by its id and --version as given, or (an
// id's first 8 or more characters, or no --version) found among the unit's open follow-ups, with
// its current version. A usage error (exit code in *exit_code) or a failed call otherwise.
struct FollowUpTarget {
  std::string id;
  int64_t version = 0;
};

absl::StatusOr<FollowUpTarget> ResolveFollowUp(ContactsClient* client, const ContactDoneArgs& args) {
  const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(args.id));
  if (IsUuid(wanted) && args.version != 0) return FollowUpTarget{wanted, args.version};
  if (!IsIdPrefix(wanted)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CONTACT_ID: give the contact's id or its first 8 or more characters (see: contact due)"));
  }
  consular::v1::ListFollowUpsDueRequest request;
  *request.mutable_due_to() = DateFromCivilDay(
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + 3660);  // every open one
  request.set_page_size(500);
  std::vector<std::string> ids;
  std::map<std::string, int64_t> versions;
  for (int page = 0; page < 100; ++page) {
    absl::StatusOr<consular::v1::ListFollowUpsDueResponse> listed =
        client->Call(&ContactStub::ListFollowUpsDue, request);
    if (!listed.ok()) return listed.status();
    for (const consular::v1::FollowUpDue& due : listed->follow_ups()) {
      ids.push_back(due.contact().id());
      versions[due.contact().id()] = due.contact().version();
    }
    if (listed->next_page_token().empty()) break;
    request.set_page_token(listed->next_page_token());
  }
  absl::StatusOr<std::string> id = OneIdStartingWith(wanted, ids, "CONTACT_ID", "contact due");
  if (!id.ok()) return id.status();
  return FollowUpTarget{*id, args.version != 0 ? args.version : versions[*id]};
}

// Resolves the follow-up and runs the change `make` builds for it.
template <typename Request>
int RunFollowUpChange(const ContactsContext& context, const ContactDoneArgs& args,
                      grpc::Status (ContactStub::*method)(grpc::ClientContext*, const Request&,
                                                          consular::v1::Contact*),
                      Request (*make)(const FollowUpTarget&)) {
  int exit_code = kExitOk;
  std::unique_ptr<ContactsClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  absl::StatusOr<FollowUpTarget> target = ResolveFollowUp(client.get(), args);
  if (!target.ok()) return ReportLookupError(target.status(), *context.global);
  return ChangeAndPrint(client.get(), *context.global, method, make(*target), args.request_id,
                        &FormatContact);
}

consular::v1::CompleteFollowUpRequest DoneRequest(const FollowUpTarget& target) {
  consular::v1::CompleteFollowUpRequest request;
  request.set_contact_id(target.id);
  request.set_expected_version(target.version);
  return request;
}

// UpdateContact clearing follow_up_due: the follow-up is no longer planned.
consular::v1::UpdateContactRequest CancelRequest(const FollowUpTarget& target) {
  consular::v1::UpdateContactRequest request;
  request.mutable_contact()->set_id(target.id);
  request.mutable_update_mask()->add_paths("follow_up_due");
  request.set_expected_version(target.version);
  return request;
}

int RunContactDone(const ContactsContext& context, const ContactDoneArgs& args) {
  return RunFollowUpChange(context, args, &ContactStub::CompleteFollowUp, &DoneRequest);
}

int RunContactCancel(const ContactsContext& context, const ContactDoneArgs& args) {
  return RunFollowUpChange(context, args, &ContactStub::UpdateContact, &CancelRequest);
}

// CONTACT_ID and --version of contact done and cancel.
void AddFollowUpTarget(CLI::App* command, ContactDoneArgs* args) {
  command->add_option("CONTACT_ID", args->id,
                      "The contact's id, or its first 8 or more characters")
      ->required();
  command
      ->add_option("--version", args->version,
                   "The contact version the change is based on; if omitted, the current one")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
}

void AddContactLog(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "log",
      "Log a contact on a case your unit may change: with a directory partner (--partner) or "
      "someone outside the directory (--adhoc-name)");
  auto args = std::make_shared<ContactLogArgs>();
  command->add_option("CASE", args->case_id, "Case UUID or reference (e.g. ABN-2026-00001)")
      ->required();
  CLI::Option* partner =
      command->add_option("--partner", args->partner_id,
                          "Directory partner's id, or its first 8 or more characters")
          ->type_name("ID");
  CLI::Option* adhoc_name =
      command->add_option("--adhoc-name", args->adhoc_name, "Name of someone not in the directory")
          ->type_name("TEXT");
  CLI::Option* person =
      command->add_option("--person", args->person_id,
                          "A person on the case (see: case get), by id or its first 8 or more "
                          "characters; never one marked do not contact for an outgoing contact")
          ->type_name("ID");
  partner->excludes(adhoc_name);
  adhoc_name->excludes(partner);
  partner->excludes(person);
  person->excludes(partner);
  for (auto [name, target, description] :
       std::vector<std::tuple<const char*, std::string*, const char*>>{
           {"--adhoc-org", &args->adhoc_org, "Their organisation"},
           {"--adhoc-phone", &args->adhoc_phone, "Their phone number"},
           {"--adhoc-email", &args->adhoc_email, "Their email address"},
       }) {
    command->add_option(name, *target, description)->type_name("TEXT")->needs(adhoc_name);
  }
  AddEnumOption(command, "--channel", &args->channel, consular::v1::ContactChannel_descriptor(),
                "How")
      ->required();
  AddEnumOption(command, "--direction", &args->direction,
                consular::v1::ContactDirection_descriptor(), "Who contacted whom")
      ->required();
  AddEnumOption(command, "--purpose", &args->purpose, consular::v1::ContactPurpose_descriptor(),
                "Why")
      ->required();
  AddEnumOption(command, "--outcome", &args->outcome, consular::v1::ContactOutcome_descriptor(),
                "What came of it")
      ->required();
  command
      ->add_option("--when", args->when,
                   "When it happened: RFC 3339, or YYYY-MM-DD for the start of that day (UTC); "
                   "default: now")
      ->type_name("TIME");
  command->add_option("--follow-up", args->follow_up, "Follow-up due on (YYYY-MM-DD)")
      ->type_name("DATE")
      ->check(DateValidator());
  command->add_option("--note", args->note, "Note (stored encrypted)")->type_name("TEXT");
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunContactLog, action);
}

void AddContactList(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "list",
      "List the contacts of a case (newest first) or with a partner, on the cases you may read "
      "(prints the next page token on stderr)");
  auto args = std::make_shared<ContactListArgs>();
  CLI::Option* by_case =
      command->add_option("--case", args->case_id, "Case UUID or reference")->type_name("CASE");
  CLI::Option* by_partner =
      command->add_option("--partner", args->partner_id,
                          "Partner's id, or its first 8 or more characters")
          ->type_name("ID");
  by_case->excludes(by_partner);
  by_partner->excludes(by_case);
  AddPaging(command, &args->paging);
  OnParse(command, context, args, &RunContactList, action);
}

void AddContactDue(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "due",
      "List the open follow-ups of your unit's cases due up to --to (default today), overdue "
      "first (prints the next page token on stderr)");
  auto args = std::make_shared<ContactDueArgs>();
  command->add_option("--from", args->from, "Due on or after (YYYY-MM-DD); default: no limit")
      ->type_name("DATE")
      ->check(DateValidator());
  command->add_option("--to", args->to, "Due on or before (YYYY-MM-DD); default: today (UTC)")
      ->type_name("DATE")
      ->check(DateValidator());
  AddPaging(command, &args->paging);
  OnParse(command, context, args, &RunContactDue, action);
}

void AddContactDone(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command =
      parent->add_subcommand("done", "Mark the follow-up of a contact as done (see: contact due)");
  auto args = std::make_shared<ContactDoneArgs>();
  AddFollowUpTarget(command, args.get());
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunContactDone, action);
}

void AddContactCancel(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "cancel", "Cancel the follow-up of a contact: it is no longer planned (see: contact due)");
  auto args = std::make_shared<ContactDoneArgs>();
  AddFollowUpTarget(command, args.get());
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunContactCancel, action);
}

}  // namespace

void AddContactCommands(CLI::App* app, const GlobalOptions* global,
                        const std::string* contacts_addr, Action* action) {
  const ContactsContext context{global, contacts_addr};

  CLI::App* contact = app->add_subcommand(
      "contact", "The contact log of cases and its follow-ups (talks to --contacts-addr)");
  contact->require_subcommand(1);
  AddContactLog(contact, context, action);
  AddContactList(contact, context, action);
  AddContactDue(contact, context, action);
  AddContactDone(contact, context, action);
  AddContactCancel(contact, context, action);
}

}  // namespace consular::ctl

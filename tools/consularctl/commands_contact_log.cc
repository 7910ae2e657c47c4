// consularctl contact: the contact log of cases and its follow-ups, through ContactService at
// --contacts-addr.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/contacts.pb.h"
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

int RunContactLog(const ContactsContext& context, const ContactLogArgs& args) {
  consular::v1::LogContactRequest request;
  Contact* contact = request.mutable_contact();
  contact->set_case_id(args.case_id);
  // --partner and --adhoc-name exclude each other (CLI11); one of them is needed.
  if (!args.partner_id.empty()) {
    absl::StatusOr<std::string> partner = ParseId(args.partner_id, "--partner", "partner list");
    if (!partner.ok()) return ReportUsageError(partner.status().message());
    contact->set_partner_id(*partner);
  } else if (!args.adhoc_name.empty() || !args.person_id.empty()) {
    consular::v1::AdHocContact* ad_hoc = contact->mutable_ad_hoc();
    if (!args.person_id.empty()) {
      absl::StatusOr<std::string> person = ParseId(args.person_id, "--person", "case get");
      if (!person.ok()) return ReportUsageError(person.status().message());
      ad_hoc->set_person_id(*person);
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
  return RunChange(context, &ContactStub::LogContact, request, args.request_id, &FormatContact);
}

int RunContactList(const ContactsContext& context, const ContactListArgs& args) {
  consular::v1::ListContactsRequest request;
  if (!args.case_id.empty()) {
    request.set_case_id(args.case_id);
  } else if (!args.partner_id.empty()) {
    absl::StatusOr<std::string> partner = ParseId(args.partner_id, "--partner", "partner list");
    if (!partner.ok()) return ReportUsageError(partner.status().message());
    request.set_partner_id(*partner);
  } else {
    return ReportUsageError("give --case CASE or --partner ID");
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

int RunContactDone(const ContactsContext& context, const ContactDoneArgs& args) {
  absl::StatusOr<std::string> id = ParseId(args.id, "CONTACT_ID", "contact due");
  if (!id.ok()) return ReportUsageError(id.status().message());
  consular::v1::CompleteFollowUpRequest request;
  request.set_contact_id(*id);
  request.set_expected_version(args.version);
  return RunChange(context, &ContactStub::CompleteFollowUp, request, args.request_id,
                   &FormatContact);
}

// UpdateContact clearing follow_up_due: the follow-up is no longer planned.
int RunContactCancel(const ContactsContext& context, const ContactDoneArgs& args) {
  absl::StatusOr<std::string> id = ParseId(args.id, "CONTACT_ID", "contact due");
  if (!id.ok()) return ReportUsageError(id.status().message());
  consular::v1::UpdateContactRequest request;
  request.mutable_contact()->set_id(*id);
  request.mutable_update_mask()->add_paths("follow_up_due");
  request.set_expected_version(args.version);
  return RunChange(context, &ContactStub::UpdateContact, request, args.request_id,
                   &FormatContact);
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
      command->add_option("--partner", args->partner_id, "Directory partner's UUID")
          ->type_name("ID");
  CLI::Option* adhoc_name =
      command->add_option("--adhoc-name", args->adhoc_name, "Name of someone not in the directory")
          ->type_name("TEXT");
  CLI::Option* person =
      command->add_option("--person", args->person_id,
                          "A person on the case (see: case get); never one marked do not contact "
                          "for an outgoing contact")
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
      command->add_option("--partner", args->partner_id, "Partner's UUID")->type_name("ID");
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
  command->add_option("CONTACT_ID", args->id, "The contact's UUID")->required();
  AddVersion(command, &args->version, "contact");
  AddRequestId(command, &args->request_id);
  OnParse(command, context, args, &RunContactDone, action);
}

void AddContactCancel(CLI::App* parent, ContactsContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "cancel", "Cancel the follow-up of a contact: it is no longer planned (see: contact due)");
  auto args = std::make_shared<ContactDoneArgs>();
  command->add_option("CONTACT_ID", args->id, "The contact's UUID")->required();
  AddVersion(command, &args->version, "contact");
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

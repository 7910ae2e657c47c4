// consularctl case show: one case on one screen, from both services: the case (persons,
// documents, proceedings, safety with the covert notes hidden unless asked), its deadlines, its
// open follow-ups and its latest contacts.
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/format.h"

namespace consular::ctl {
namespace {

constexpr int kContactsShown = 10;

struct ShowArgs {
  std::string case_id;
  bool covert = false;
};

int RunShow(const CaseContext& cases, const ContactsContext& contacts, const ShowArgs& args) {
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> case_client = ConnectOrReport(cases, &exit_code);
  if (case_client == nullptr) return exit_code;
  consular::v1::GetCaseRequest get;
  get.set_case_id(args.case_id);
  absl::StatusOr<consular::v1::Case> found = case_client->Call(&CaseStub::GetCase, get);
  if (!found.ok()) return ReportCallError(found.status(), *cases.global);
  consular::v1::Case c = *std::move(found);
  if (!args.covert && !c.safety().covert_notes().empty()) {
    // Kept off the screen (someone may be looking over the shoulder) unless asked for.
    c.mutable_safety()->set_covert_notes("hidden (case show --covert shows them)");
  }
  std::string out = FormatCase(c);

  // The deadlines of the case, if the caller's unit keeps its list (the handling unit).
  absl::StatusOr<consular::v1::ListDeadlinesResponse> deadlines =
      case_client->Call(&CaseStub::ListDeadlines, consular::v1::ListDeadlinesRequest());
  if (deadlines.ok()) {
    google::protobuf::RepeatedPtrField<consular::v1::Deadline> own;
    for (const consular::v1::Deadline& d : deadlines->deadlines()) {
      if (d.case_id() == c.id()) *own.Add() = d;
    }
    absl::StrAppend(&out, "\nDeadlines (8 weeks):\n",
                    own.empty() ? "none\n" : FormatDeadlines(own));
  }

  // Its contacts, from consular-contacts.
  absl::StatusOr<std::unique_ptr<ContactsClient>> contacts_client =
      ContactsClient::Connect(*contacts.global, *contacts.addr);
  absl::StatusOr<consular::v1::ListContactsResponse> listed =
      contacts_client.ok() ? (*contacts_client)
                                 ->Call(&ContactStub::ListContacts,
                                        [&] {
                                          consular::v1::ListContactsRequest request;
                                          request.set_case_id(c.id());
                                          request.set_page_size(500);
                                          return request;
                                        }())
                           : absl::StatusOr<consular::v1::ListContactsResponse>(
                                 contacts_client.status());
  if (!listed.ok()) {
    absl::StrAppend(&out, "\nContacts: not available (", listed.status().ToString(), ")\n");
  } else {
    google::protobuf::RepeatedPtrField<consular::v1::Contact> open;
    google::protobuf::RepeatedPtrField<consular::v1::Contact> latest;
    for (const consular::v1::Contact& k : listed->contacts()) {
      if (k.has_follow_up_due() && !k.has_follow_up_done_at()) *open.Add() = k;
      if (latest.size() < kContactsShown) *latest.Add() = k;
    }
    absl::StrAppend(&out, "\nOpen follow-ups:\n", open.empty() ? "none\n" : FormatContactList(open));
    absl::StrAppend(&out, "\nLatest contacts:\n",
                    latest.empty() ? "none\n" : FormatContactList(latest));
  }
  return PrintResult(cases.global->json, c, out);
}

}  // namespace

void AddCaseShow(CLI::App* app, const GlobalOptions* global, const std::string* contacts_addr,
                 Action* action) {
  CLI::App* cases = app->get_subcommand("case");
  CLI::App* command = cases->add_subcommand(
      "show",
      "One case on one screen: the person, children and others, documents, proceedings, safety "
      "(covert notes hidden unless --covert), deadlines, open follow-ups and latest contacts");
  auto args = std::make_shared<ShowArgs>();
  AddCaseId(command, &args->case_id);
  command->add_flag("--covert", args->covert, "Show the covert notes too");
  const CaseContext case_context{global, &global->addr};
  const ContactsContext contacts_context{global, contacts_addr};
  command->callback([case_context, contacts_context, args, action] {
    *action = [case_context, contacts_context, args] {
      return RunShow(case_context, contacts_context, *args);
    };
  });
}

}  // namespace consular::ctl

// consularctl audit list|verify: the audit trail, through AuditService (auditors only).
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "consular/v1/audit.grpc.pb.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"

namespace consular::ctl {
namespace {

using ::consular::v1::AuditService;

constexpr int kMaxAuditPageSize = 1000;

// AuditService, at --audit-addr.
using AuditClient = ServiceClient<AuditService>;
using AuditContext = ServerContext<AuditClient>;
using AuditStub = AuditService::StubInterface;

struct ListArgs {
  std::string actor;
  std::string case_id;
  std::string action;
  std::string since;
  std::string until;
  PagingArgs paging;
};

struct VerifyArgs {};

std::string FormatAuditEvents(
    const google::protobuf::RepeatedPtrField<consular::v1::AuditEvent>& events) {
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::AuditEvent& event : events) {
    rows.push_back({
        std::to_string(event.id()),
        event.chain_seq() == 0 ? "" : std::to_string(event.chain_seq()),
        FormatTimestamp(event.occurred_at()),
        event.actor(),
        event.actor_role() == consular::v1::ROLE_UNSPECIFIED
            ? ""
            : EnumWords(consular::v1::Role_descriptor(), event.actor_role()),
        event.actor_post(),
        event.action(),
        event.case_id().empty() && event.returned_case_ids_size() > 0
            ? absl::StrCat("(", event.returned_case_ids_size(), " in results)")
            : event.case_id(),
        event.purpose(),
        event.outcome(),
        event.emergency() ? "yes" : "no",
    });
  }
  return absl::StrCat(FormatTable({"ID", "SEQ", "WHEN", "ACTOR", "ROLE", "POST", "ACTION", "CASE",
                                   "PURPOSE", "OUTCOME", "EMERGENCY"},
                                  rows),
                      events.size(), " event(s)\n");
}

int RunList(const AuditContext& context, const ListArgs& args) {
  consular::v1::ListAuditEventsRequest request;
  request.set_actor(args.actor);
  request.set_case_id(std::string(absl::StripAsciiWhitespace(args.case_id)));
  request.set_action(args.action);
  if (!args.since.empty()) {
    absl::StatusOr<absl::Time> since = ParseWhen(args.since, /*end_of_day=*/false);
    if (!since.ok()) return ReportUsageError(absl::StrCat("--since: ", since.status().message()));
    *request.mutable_since() = ToTimestamp(*since);
  }
  if (!args.until.empty()) {
    absl::StatusOr<absl::Time> until = ParseWhen(args.until, /*end_of_day=*/true);
    if (!until.ok()) return ReportUsageError(absl::StrCat("--until: ", until.status().message()));
    *request.mutable_until() = ToTimestamp(*until);
  }
  return RunListing(context, &AuditStub::ListAuditEvents, request, args.paging,
                    [](const consular::v1::ListAuditEventsResponse& response) {
                      return FormatAuditEvents(response.events());
                    });
}

// "chain valid up to seq N (M events checked, K pending)" or "chain BROKEN at ...".
std::string FormatVerification(const consular::v1::VerifyChainResponse& v) {
  if (v.ok()) {
    std::string text =
        absl::StrCat("chain valid up to seq ", v.watermark(), " (", v.events_checked(),
                     " events checked, ", v.pending(), " pending)\n");
    if (v.watermark() > 0) {
      absl::StrAppend(&text, "head hash at seq ", v.watermark(), ": ", v.head_hash(), "\n");
    }
    return text;
  }
  std::string where;
  if (v.first_broken_seq() > 0 && v.first_broken_event_id() > 0) {
    where =
        absl::StrCat("seq ", v.first_broken_seq(), " (event id ", v.first_broken_event_id(), ")");
  } else if (v.first_broken_seq() > 0) {
    where = absl::StrCat("seq ", v.first_broken_seq());
  } else {
    where = absl::StrCat("event id ", v.first_broken_event_id(), " (not in the chain)");
  }
  return absl::StrCat("chain BROKEN at ", where, ": ", v.reason(), "\n");
}

int RunVerify(const AuditContext& context, const VerifyArgs&) {
  int exit_code = kExitOk;
  std::unique_ptr<AuditClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  absl::StatusOr<consular::v1::VerifyChainResponse> verified =
      client->Call(&AuditStub::VerifyChain, consular::v1::VerifyChainRequest());
  if (!verified.ok()) return ReportCallError(verified.status(), *context.global);
  exit_code = PrintResult(context.global->json, *verified, FormatVerification(*verified));
  if (exit_code != kExitOk) return exit_code;
  return verified->ok() ? kExitOk : kExitFailure;
}

void AddList(CLI::App* parent, AuditContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "list", "List audit events, newest first (prints the next page token on stderr)");
  auto args = std::make_shared<ListArgs>();
  command->add_option("--actor", args->actor, "Events of this staff member (token subject)")
      ->type_name("A");
  command->add_option("--case", args->case_id,
                      "Events about this case (its UUID or reference, e.g. ABN-2026-00001)")
      ->type_name("CASE_UUID");
  command->add_option("--action", args->action, "Events of this call, e.g. CaseService.GetCase")
      ->type_name("A");
  command
      ->add_option("--since", args->since,
                   "From this time on: RFC 3339, or YYYY-MM-DD for the start of that day (UTC)")
      ->type_name("TIME");
  command
      ->add_option("--until", args->until,
                   "Before this time: RFC 3339, or YYYY-MM-DD to include that whole day (UTC)")
      ->type_name("TIME");
  AddPaging(command, &args->paging, "--all", kMaxAuditPageSize);
  OnParse(command, context, args, &RunList, action);
}

void AddVerify(CLI::App* parent, AuditContext context, Action* action) {
  CLI::App* command = parent->add_subcommand(
      "verify",
      "Verify the audit trail's hash chain up to its watermark; exit 1 and name the first "
      "broken row if it was edited, deleted or reordered");
  OnParse(command, context, std::make_shared<VerifyArgs>(), &RunVerify, action);
}

}  // namespace

void AddAuditCommands(CLI::App* app, const GlobalOptions* global, const std::string* audit_addr,
                      Action* action) {
  CLI::App* audit = app->add_subcommand(
      "audit", "Read and verify the audit trail (auditors only; talks to --audit-addr)");
  audit->require_subcommand(1);
  const AuditContext context{global, audit_addr};
  AddList(audit, context, action);
  AddVerify(audit, context, action);
}

}  // namespace consular::ctl

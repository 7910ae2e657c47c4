// consularctl audit list|verify: the audit trail, through AuditService (auditors only).
#include <algorithm>
#include <cstdint>
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

struct VerifyArgs {
  bool full = false;
};

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

// What a verification covered: "verified seq A to B in full", "verified seq A to B after the
// verified watermark at seq A-1", or "nothing new after the verified watermark at seq W".
std::string FormatCoverage(const consular::v1::VerifyChainResponse& v) {
  const int64_t from = std::max<int64_t>(v.verified_from_seq(), 1);
  if (v.full()) {
    if (v.watermark() == 0) return "the chain is empty (full verification)";
    return absl::StrCat("verified seq ", from, " to ", v.watermark(), " in full");
  }
  if (from > v.watermark()) {
    return absl::StrCat("nothing new after the verified watermark at seq ", from - 1,
                        " (checked against its stored hash)");
  }
  if (from == 1) {
    return absl::StrCat("verified seq 1 to ", v.watermark(), " (no earlier verification)");
  }
  return absl::StrCat("verified seq ", from, " to ", v.watermark(),
                      " after the verified watermark at seq ", from - 1,
                      " (checked against its stored hash)");
}

std::string FormatLastFull(const consular::v1::VerifyChainResponse& v) {
  return absl::StrCat("last full verification: ",
                      v.has_last_full_verification()
                          ? FormatTimestamp(v.last_full_verification())
                          : std::string("never (audit verify --full)"),
                      "\n");
}

// "chain valid up to seq N (M events checked, K pending)" or "chain BROKEN at ...", then what was
// verified and where the verified watermark is.
std::string FormatVerification(const consular::v1::VerifyChainResponse& v) {
  if (v.ok()) {
    std::string text =
        absl::StrCat("chain valid up to seq ", v.watermark(), " (", v.events_checked(),
                     " events checked, ", v.pending(), " pending)\n", FormatCoverage(v),
                     "; verified watermark now at seq ", v.verified_watermark(), "\n");
    if (v.watermark() > 0) {
      absl::StrAppend(&text, "head hash at seq ", v.watermark(), ": ", v.head_hash(), "\n");
    }
    absl::StrAppend(&text, FormatLastFull(v));
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
  return absl::StrCat(
      "chain BROKEN at ", where, ": ", v.reason(), "\n",
      v.full() ? std::string("full verification from seq 1")
               : absl::StrCat("verification from the verified watermark at seq ",
                              std::max<int64_t>(v.verified_from_seq(), 1) - 1),
      "; the verified watermark stays at seq ", v.verified_watermark(), "\n");
}

int RunVerify(const AuditContext& context, const VerifyArgs& args) {
  int exit_code = kExitOk;
  std::unique_ptr<AuditClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::VerifyChainRequest request;
  request.set_full(args.full);
  absl::StatusOr<consular::v1::VerifyChainResponse> verified =
      client->Call(&AuditStub::VerifyChain, request);
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
      "Verify the audit trail's hash chain up to its head, from the verified watermark (the rows "
      "chained since the last verification); exit 1 and name the first broken row if it was "
      "edited, deleted or reordered");
  auto args = std::make_shared<VerifyArgs>();
  command->add_flag("--full", args->full,
                    "Verify the whole chain from seq 1 and reset the verified watermark: rows "
                    "before the watermark are re-checked only this way (run it periodically and "
                    "after a restore; for a long trail give it time, e.g. --timeout 600)");
  OnParse(command, context, args, &RunVerify, action);
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

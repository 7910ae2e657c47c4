// consularctl inbox [accept|decline] and case assign: what reaches a unit from others (referrals
// and shares to answer, answers, revocations), and who of the unit works a case.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "consular/v1/cases.pb.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"
#include "tools/consularctl/text_layout.h"

namespace consular::ctl {
namespace {

using ::consular::v1::InboxItem;

// An id's shortest accepted prefix (a UUID has 36 characters).
constexpr size_t kMinIdPrefix = 8;

struct InboxArgs {
  int days = 0;
};

struct AnswerArgs {
  std::string id;
  std::string reason;
  std::string request_id;
};

struct AssignArgs {
  std::string case_id;
  std::string to;
  bool me = false;
  bool nobody = false;
  int64_t version = 0;  // 0: read the case first
  std::string request_id;
};

std::string KindWords(consular::v1::InboxItemKind kind) {
  switch (kind) {
    case consular::v1::INBOX_ITEM_KIND_REFERRAL_RECEIVED:
      return "referral to us";
    case consular::v1::INBOX_ITEM_KIND_REFERRAL_ANSWERED:
      return "our referral";
    case consular::v1::INBOX_ITEM_KIND_SHARE_RECEIVED:
      return "share to us";
    case consular::v1::INBOX_ITEM_KIND_SHARE_ANSWERED:
      return "our share";
    case consular::v1::INBOX_ITEM_KIND_SHARE_REVOKED:
      return "share ended";
    default:
      return "";
  }
}

std::string StateWords(const InboxItem& item) {
  if (item.needs_answer()) return "TO ANSWER";
  if (item.kind() == consular::v1::INBOX_ITEM_KIND_SHARE_REVOKED) {
    return absl::StrCat("revoked by ", item.from_unit());
  }
  switch (item.answer()) {
    case consular::v1::ANSWER_ACCEPTED:
      return "accepted";
    case consular::v1::ANSWER_DECLINED:
      return absl::StrCat("declined: ", item.answer_reason());
    default:
      return "ended unanswered";
  }
}

std::string FormatInbox(const consular::v1::ListInboxResponse& inbox) {
  if (inbox.items().empty()) return "Nothing in the inbox.\n";
  std::vector<std::vector<std::string>> rows;
  int to_answer = 0;
  for (const InboxItem& item : inbox.items()) {
    if (item.needs_answer()) ++to_answer;
    rows.push_back({KindWords(item.kind()), item.case_reference(),
                    EnumWords(consular::v1::CaseType_descriptor(), item.case_type()),
                    item.country(), item.from_unit(), item.to_unit(),
                    FormatTimestamp(item.at()), StateWords(item), item.item_id()});
  }
  return absl::StrCat(
      FormatTable({"WHAT", "CASE", "TYPE", "COUNTRY", "FROM", "TO", "WHEN", "STATE", "ID"}, rows),
      inbox.items_size(), " item(s), ", to_answer,
      " to answer (consularctl inbox accept|decline ID)\n");
}

int RunInbox(const CaseContext& context, const InboxArgs& args) {
  consular::v1::ListInboxRequest request;
  request.set_within_days(args.days);
  return RunCall(context, &CaseStub::ListInbox, request, &FormatInbox);
}

std::string FormatReferral(const consular::v1::Referral& r) {
  const std::string answer = r.answer() == consular::v1::ANSWER_ACCEPTED
                                 ? "accepted: the case is handled by " + r.to_unit() + " now"
                                 : "declined: " + r.answer_reason();
  return absl::StrCat("Referral ", r.id(), " of ", r.case_reference(), " from ", r.from_unit(),
                      " to ", r.to_unit(), ": ", answer, "\n");
}

std::string FormatAnsweredShare(const consular::v1::CaseShare& s) {
  return absl::StrCat("Share ", s.id(), " of ", s.case_reference(), " to ", s.grantee(), ": ",
                      s.answer() == consular::v1::ANSWER_ACCEPTED
                          ? "accepted"
                          : "declined (ended): " + s.answer_reason(),
                      "\n");
}

// Answers the inbox item `args.id` (its id or a unique prefix of 8 or more characters): the
// referral or the share it names.
int RunAnswer(const CaseContext& context, const AnswerArgs& args, consular::v1::Answer answer) {
  const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(args.id));
  if (!IsIdPrefix(wanted)) {
    return ReportUsageError(absl::StrCat("ID: give the item's id or at least its first ",
                                         kMinIdPrefix, " characters (see: consularctl inbox)"));
  }
  if (answer == consular::v1::ANSWER_DECLINED &&
      absl::StripAsciiWhitespace(args.reason).empty()) {
    return ReportUsageError("--reason: required to decline (1..300 characters, no personal data)");
  }
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::ListInboxRequest list;
  list.set_within_days(366);
  absl::StatusOr<consular::v1::ListInboxResponse> inbox =
      client->Call(&CaseStub::ListInbox, list);
  if (!inbox.ok()) return ReportCallError(inbox.status(), *context.global);
  std::vector<std::string> ids;
  for (const InboxItem& item : inbox->items()) {
    if (item.needs_answer()) ids.push_back(item.item_id());
  }
  absl::StatusOr<std::string> id = OneIdStartingWith(wanted, ids, "ID", "consularctl inbox");
  if (!id.ok()) return ReportUsageError(id.status().message(), /*help_hint=*/false);
  const InboxItem* found = nullptr;
  for (const InboxItem& item : inbox->items()) {
    if (item.item_id() == *id) found = &item;
  }
  const InboxItem& item = *found;
  if (item.kind() == consular::v1::INBOX_ITEM_KIND_REFERRAL_RECEIVED) {
    consular::v1::AnswerReferralRequest request;
    request.set_referral_id(item.item_id());
    request.set_answer(answer);
    request.set_reason(args.reason);
    return ChangeAndPrint(client.get(), *context.global, &CaseStub::AnswerReferral, request,
                          args.request_id, &FormatReferral);
  }
  consular::v1::AnswerShareRequest request;
  request.set_share_id(item.item_id());
  request.set_answer(answer);
  request.set_reason(args.reason);
  return ChangeAndPrint(client.get(), *context.global, &CaseStub::AnswerShare, request,
                        args.request_id, &FormatAnsweredShare);
}

int RunAccept(const CaseContext& context, const AnswerArgs& args) {
  return RunAnswer(context, args, consular::v1::ANSWER_ACCEPTED);
}

int RunDecline(const CaseContext& context, const AnswerArgs& args) {
  return RunAnswer(context, args, consular::v1::ANSWER_DECLINED);
}

int RunAssign(const CaseContext& context, const AssignArgs& args) {
  if (static_cast<int>(!args.to.empty()) + static_cast<int>(args.me) +
          static_cast<int>(args.nobody) !=
      1) {
    return ReportUsageError("give one of --to STAFF, --me or --nobody");
  }
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  const absl::StatusOr<int64_t> version = CaseVersion(client.get(), args.case_id, args.version);
  if (!version.ok()) return ReportCallError(version.status(), *context.global);
  std::string assignee = args.to;
  consular::v1::AssignCaseRequest request;
  request.set_case_id(args.case_id);
  request.set_expected_version(*version);
  if (args.me) {
    // The token's subject: the server compares it with the caller's own.
    absl::StatusOr<std::string> subject = TokenSubject(context.global->token);
    if (!subject.ok()) return ReportUsageError(absl::StrCat("--me: ", subject.status().message()));
    assignee = *subject;
  }
  request.set_assignee(assignee);
  return ChangeAndPrint(client.get(), *context.global, &CaseStub::AssignCase, request,
                        args.request_id, &FormatCase);
}

}  // namespace

void AddInboxCommands(CLI::App* app, CLI::App* cases, const GlobalOptions* global,
                      Action* action) {
  const CaseContext context{global, &global->addr};
  CLI::App* inbox = app->add_subcommand(
      "inbox",
      "Your unit's inbox: referrals and shares to accept or decline, the answers to yours, and "
      "shares another unit ended");
  auto list_args = std::make_shared<InboxArgs>();
  inbox->add_option("--days", list_args->days,
                    "Answers and revocations of this many days back (default 30, at most 366)")
      ->type_name("N")
      ->check(CLI::Range(0, 366));
  // Listing is what `inbox` does without accept or decline (which set the action themselves).
  inbox->callback([context, list_args, inbox, action] {
    if (!inbox->get_subcommands().empty()) return;
    *action = [context, list_args] { return RunInbox(context, *list_args); };
  });
  for (const auto& [verb, help, run] :
       std::vector<std::tuple<std::string, std::string, int (*)(const CaseContext&,
                                                                  const AnswerArgs&)>>{
           {"accept",
            "Accept a referral (post managers: your post handles the case from then on) or a "
            "share",
            &RunAccept},
           {"decline", "Decline a referral or a share, with a reason (a declined share ends)",
            &RunDecline}}) {
    CLI::App* command = inbox->add_subcommand(verb, help);
    auto args = std::make_shared<AnswerArgs>();
    command->add_option("ID", args->id, "The item's id, or its first 8 or more characters")
        ->required();
    command->add_option("--reason", args->reason,
                        "Why (required to decline; 1..300 characters, no personal data)")
        ->type_name("TEXT");
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, run, action);
  }

  CLI::App* assign = cases->add_subcommand(
      "assign",
      "Give a case to a staff member of your unit to work (post managers; an officer may take "
      "an unassigned case with --me). Without --version the case is read first.");
  auto assign_args = std::make_shared<AssignArgs>();
  AddCaseId(assign, &assign_args->case_id);
  assign->add_option("--to", assign_args->to, "The staff member (their sign-in id)")
      ->type_name("STAFF");
  assign->add_flag("--me", assign_args->me, "Take the case yourself");
  assign->add_flag("--nobody", assign_args->nobody, "Nobody works the case");
  assign
      ->add_option("--version", assign_args->version,
                   "The case version the change is based on; if omitted, the case is read first")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  AddRequestId(assign, &assign_args->request_id);
  OnParse(assign, context, assign_args, &RunAssign, action);
}

}  // namespace consular::ctl

// consularctl retention ... and hold ...: records management (RecordsService, docs/records.md):
// retention schedules, destruction lists and their reviews, legal holds.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "consular/v1/records.pb.h"
#include "proto/dates.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/text_layout.h"

namespace consular::ctl {
namespace {

using consular::v1::DestructionList;
using consular::v1::LegalHold;

struct SchedulesArgs {
  bool history = false;
};

struct SetScheduleArgs {
  std::string type;
  std::string outcome;
  int years = -1;
  std::string reason;
  std::string request_id;
};

struct ListsArgs {
  int page_size = 0;
};

struct ListArgs {
  std::string list;
  std::string request_id;
};

struct ProposeArgs {
  std::string cut_off;
  std::string request_id;
};

struct ReviewArgs {
  std::string list;
  std::vector<std::string> approve;
  std::vector<std::string> exclude;
  std::string reason;
  std::string request_id;
};

struct HoldArgs {
  std::string id;  // the case (place) or the hold (lift)
  std::string reason;
  std::string request_id;
};

struct HoldsArgs {
  std::string case_id;
  bool all = false;
  int page_size = 0;
};

std::string Words(const google::protobuf::EnumDescriptor* descriptor, int number) {
  return number == 0 ? "-" : EnumWords(descriptor, number);
}

std::string FormatSchedules(const consular::v1::ListRetentionSchedulesResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::RetentionSchedule& s : response.schedules()) {
    rows.push_back({Words(consular::v1::CaseType_descriptor(), s.case_type()),
                    s.outcome() == 0 ? "(default)"
                                     : EnumWords(consular::v1::Outcome_descriptor(), s.outcome()),
                    absl::StrCat(s.retention_years()), absl::StrCat(s.version()), s.changed_by(),
                    FormatTimestamp(s.changed_at()), s.reason()});
  }
  return FormatTable({"TYPE", "OUTCOME", "YEARS", "VERSION", "BY", "AT", "REASON"}, rows);
}

std::string FormatSchedule(const consular::v1::RetentionSchedule& s) {
  return absl::StrCat(
      "Retention of ", Words(consular::v1::CaseType_descriptor(), s.case_type()), " cases",
      s.outcome() == 0
          ? ""
          : " with outcome " + EnumWords(consular::v1::Outcome_descriptor(), s.outcome()),
      ": ", s.retention_years(), " year(s) after closing (version ", s.version(),
      "), for cases closed from now on\n");
}

std::string ReviewsOf(const consular::v1::DestructionItem& item) {
  std::vector<std::string> parts;
  for (const consular::v1::DestructionReview& r : item.reviews()) {
    parts.push_back(
        absl::StrCat(EnumShortName(consular::v1::ReviewSlot_descriptor(), r.slot()), " ",
                     EnumShortName(consular::v1::ReviewDecision_descriptor(), r.decision()), " (",
                     r.reviewed_by(), ")"));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

std::string ListHeader(const DestructionList& l) {
  return absl::StrCat(
      l.number(), "  ", EnumShortName(consular::v1::DestructionListState_descriptor(), l.state()),
      "  cut-off ", FormatDate(l.cut_off()), "  proposed ", FormatTimestamp(l.proposed_at()),
      " by ", l.proposed_by(),
      l.processed_by().empty() ? ""
                               : absl::StrCat("  processed ", FormatTimestamp(l.processed_at()),
                                              " by ", l.processed_by()),
      "  ", l.item_count(), " item(s)  ", l.id(), "\n");
}

std::string FormatList(const DestructionList& l) {
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::DestructionItem& i : l.items()) {
    rows.push_back({i.case_reference(), Words(consular::v1::CaseType_descriptor(), i.case_type()),
                    Words(consular::v1::Outcome_descriptor(), i.outcome()), i.handling_unit(),
                    FormatTimestamp(i.closed_at()), FormatDate(i.archive_action_date()),
                    ReviewsOf(i),
                    i.result() == 0
                        ? "-"
                        : EnumShortName(consular::v1::DestructionResult_descriptor(), i.result())});
  }
  return absl::StrCat(ListHeader(l), FormatTable({"CASE", "TYPE", "OUTCOME", "UNIT", "CLOSED",
                                                  "ARCHIVE DATE", "REVIEWS", "RESULT"},
                                                 rows));
}

std::string FormatLists(const consular::v1::ListDestructionListsResponse& response) {
  if (response.lists().empty()) return "No destruction lists.\n";
  std::string out;
  for (const DestructionList& l : response.lists()) out += ListHeader(l);
  return out;
}

std::string FormatHold(const LegalHold& h) {
  return absl::StrCat(h.active() ? "HELD  " : "lifted  ", h.case_reference(), "  ",
                      h.handling_unit(), "  placed ", FormatTimestamp(h.placed_at()), " by ",
                      h.placed_by(), "  \"", h.reason(), "\"",
                      h.active() ? ""
                                 : absl::StrCat("  lifted ", FormatTimestamp(h.lifted_at()), " by ",
                                                h.lifted_by(), "  \"", h.lift_reason(), "\""),
                      "  ", h.id(), "\n");
}

std::string FormatHolds(const consular::v1::ListLegalHoldsResponse& response) {
  if (response.holds().empty()) return "No legal holds.\n";
  std::string out;
  for (const LegalHold& h : response.holds()) out += FormatHold(h);
  return out;
}

int RunSchedules(const RecordsContext& context, const SchedulesArgs& args) {
  consular::v1::ListRetentionSchedulesRequest request;
  request.set_include_history(args.history);
  return RunCall(context, &RecordsStub::ListRetentionSchedules, request, &FormatSchedules);
}

int RunSetSchedule(const RecordsContext& context, const SetScheduleArgs& args) {
  consular::v1::SetRetentionScheduleRequest request;
  absl::StatusOr<consular::v1::CaseType> type = ParseFlagEnum<consular::v1::CaseType>(
      args.type, "--type", consular::v1::CaseType_descriptor());
  if (!type.ok()) return ReportUsageError(type.status().message());
  request.set_case_type(*type);
  if (!args.outcome.empty()) {
    absl::StatusOr<consular::v1::Outcome> outcome = ParseFlagEnum<consular::v1::Outcome>(
        args.outcome, "--outcome", consular::v1::Outcome_descriptor());
    if (!outcome.ok()) return ReportUsageError(outcome.status().message());
    request.set_outcome(*outcome);
  }
  request.set_retention_years(args.years);
  request.set_reason(args.reason);
  return RunChange(context, &RecordsStub::SetRetentionSchedule, request, args.request_id,
                   &FormatSchedule);
}

int RunLists(const RecordsContext& context, const ListsArgs& args) {
  consular::v1::ListDestructionListsRequest request;
  request.set_page_size(args.page_size);
  return RunCall(context, &RecordsStub::ListDestructionLists, request, &FormatLists);
}

int RunShow(const RecordsContext& context, const ListArgs& args) {
  consular::v1::GetDestructionListRequest request;
  request.set_list(args.list);
  return RunCall(context, &RecordsStub::GetDestructionList, request, &FormatList);
}

int RunPropose(const RecordsContext& context, const ProposeArgs& args) {
  consular::v1::ProposeDestructionListRequest request;
  if (!args.cut_off.empty()) {
    absl::StatusOr<consular::v1::Date> cut_off = ParseDate(args.cut_off);
    if (!cut_off.ok()) {
      return ReportUsageError(absl::StrCat("--cut-off: ", cut_off.status().message()));
    }
    *request.mutable_cut_off() = *cut_off;
  }
  return RunChange(context, &RecordsStub::ProposeDestructionList, request, args.request_id,
                   &FormatList);
}

int RunReview(const RecordsContext& context, const ReviewArgs& args) {
  if (args.approve.empty() && args.exclude.empty()) {
    return ReportUsageError("give --approve CASE or --exclude CASE (repeatable)");
  }
  consular::v1::ReviewDestructionItemsRequest request;
  request.set_list(args.list);
  for (const auto& [cases, decision] :
       {std::make_pair(&args.approve, consular::v1::REVIEW_DECISION_APPROVE),
        std::make_pair(&args.exclude, consular::v1::REVIEW_DECISION_EXCLUDE)}) {
    for (const std::string& c : *cases) {
      consular::v1::ItemDecision* d = request.add_decisions();
      d->set_case_id(std::string(absl::StripAsciiWhitespace(c)));
      d->set_decision(decision);
      d->set_reason(args.reason);
    }
  }
  return RunChange(context, &RecordsStub::ReviewDestructionItems, request, args.request_id,
                   &FormatList);
}

int RunProcess(const RecordsContext& context, const ListArgs& args) {
  consular::v1::ProcessDestructionListRequest request;
  request.set_list(args.list);
  return RunChange(context, &RecordsStub::ProcessDestructionList, request, args.request_id,
                   &FormatList);
}

int RunPlaceHold(const RecordsContext& context, const HoldArgs& args) {
  consular::v1::PlaceLegalHoldRequest request;
  request.set_case_id(args.id);
  request.set_reason(args.reason);
  return RunChange(context, &RecordsStub::PlaceLegalHold, request, args.request_id, &FormatHold);
}

int RunLiftHold(const RecordsContext& context, const HoldArgs& args) {
  consular::v1::LiftLegalHoldRequest request;
  request.set_hold_id(std::string(absl::AsciiStrToLower(absl::StripAsciiWhitespace(args.id))));
  request.set_reason(args.reason);
  return RunChange(context, &RecordsStub::LiftLegalHold, request, args.request_id, &FormatHold);
}

int RunHolds(const RecordsContext& context, const HoldsArgs& args) {
  consular::v1::ListLegalHoldsRequest request;
  request.set_case_id(args.case_id);
  request.set_include_lifted(args.all);
  request.set_page_size(args.page_size);
  return RunCall(context, &RecordsStub::ListLegalHolds, request, &FormatHolds);
}

}  // namespace

void AddRecordsCommands(CLI::App* app, const GlobalOptions* global, Action* action) {
  const RecordsContext context{global, &global->addr};
  CLI::App* retention = app->add_subcommand(
      "retention", "Retention schedules and destruction lists (records management)");
  retention->require_subcommand(1);

  auto schedules_args = std::make_shared<SchedulesArgs>();
  CLI::App* schedules = retention->add_subcommand("schedules", "The retention schedules in force");
  schedules->add_flag("--history", schedules_args->history,
                      "Every version, not only those in force");
  OnParse(schedules, context, schedules_args, &RunSchedules, action);

  auto set_args = std::make_shared<SetScheduleArgs>();
  CLI::App* set = retention->add_subcommand(
      "set-schedule", "A new version of a schedule (administrators; for cases closed from now on)");
  AddEnumOption(set, "--type", &set_args->type, consular::v1::CaseType_descriptor(),
                "Case type (abandonment, divorce)")
      ->required();
  AddEnumOption(set, "--outcome", &set_args->outcome, consular::v1::Outcome_descriptor(),
                "Outcome (omit: the type's default)");
  set->add_option("--years", set_args->years, "Whole years after closing (0..100)")
      ->required()
      ->check(CLI::Range(0, 100));
  set->add_option("--reason", set_args->reason, "Why (10..300 characters)")->required();
  AddRequestId(set, &set_args->request_id);
  OnParse(set, context, set_args, &RunSetSchedule, action);

  auto lists_args = std::make_shared<ListsArgs>();
  CLI::App* lists = retention->add_subcommand("lists", "Destruction lists, newest first");
  lists->add_option("--page-size", lists_args->page_size, "At most this many (1..500)")
      ->check(CLI::Range(1, 500));
  OnParse(lists, context, lists_args, &RunLists, action);

  auto show_args = std::make_shared<ListArgs>();
  CLI::App* show = retention->add_subcommand("show", "A destruction list with its items");
  show->add_option("LIST", show_args->list, "The list's number (VL-2026-1) or id")->required();
  OnParse(show, context, show_args, &RunShow, action);

  auto propose_args = std::make_shared<ProposeArgs>();
  CLI::App* propose =
      retention->add_subcommand("propose", "Propose a destruction list now (administrators)");
  propose->add_option("--cut-off", propose_args->cut_off,
                      "Archive action dates up to this day, YYYY-MM-DD (default today)");
  AddRequestId(propose, &propose_args->request_id);
  OnParse(propose, context, propose_args, &RunPropose, action);

  auto review_args = std::make_shared<ReviewArgs>();
  CLI::App* review = retention->add_subcommand(
      "review", "Approve or exclude items of a list (the handling unit's manager, an auditor)");
  review->add_option("LIST", review_args->list, "The list's number or id")->required();
  review->add_option("--approve", review_args->approve, "A case (reference or id) to destroy")
      ->type_name("CASE");
  review->add_option("--exclude", review_args->exclude, "A case (reference or id) to retain")
      ->type_name("CASE");
  review->add_option("--reason", review_args->reason, "Why (3..300 characters)")->required();
  AddRequestId(review, &review_args->request_id);
  OnParse(review, context, review_args, &RunReview, action);

  auto process_args = std::make_shared<ListArgs>();
  CLI::App* process = retention->add_subcommand(
      "process", "Anonymise what both reviewers approved and nobody excluded (administrators)");
  process->add_option("LIST", process_args->list, "The list's number or id")->required();
  AddRequestId(process, &process_args->request_id);
  OnParse(process, context, process_args, &RunProcess, action);

  CLI::App* hold = app->add_subcommand("hold", "Legal holds: a held case is never destroyed");
  hold->require_subcommand(1);
  auto place_args = std::make_shared<HoldArgs>();
  CLI::App* place = hold->add_subcommand("place", "Hold a case");
  AddCaseId(place, &place_args->id);
  place
      ->add_option("--reason", place_args->reason,
                   "The legal ground (10..300 characters, no personal data)")
      ->required();
  AddRequestId(place, &place_args->request_id);
  OnParse(place, context, place_args, &RunPlaceHold, action);

  auto lift_args = std::make_shared<HoldArgs>();
  CLI::App* lift = hold->add_subcommand("lift", "Lift a hold");
  lift->add_option("HOLD", lift_args->id, "The hold's id (consularctl hold list)")->required();
  lift->add_option("--reason", lift_args->reason, "Why (10..300 characters)")->required();
  AddRequestId(lift, &lift_args->request_id);
  OnParse(lift, context, lift_args, &RunLiftHold, action);

  auto holds_args = std::make_shared<HoldsArgs>();
  CLI::App* holds = hold->add_subcommand("list", "Active holds, newest first");
  holds->add_option("--case", holds_args->case_id, "Of one case (reference or id)");
  holds->add_flag("--all", holds_args->all, "Lifted holds too");
  holds->add_option("--page-size", holds_args->page_size, "At most this many (1..500)")
      ->check(CLI::Range(1, 500));
  OnParse(holds, context, holds_args, &RunHolds, action);
}

}  // namespace consular::ctl

// consularctl talk|decision: the bilateral-talks register (talks and their status, commitments,
// the countries never raised) and the per-country decision log, through consular-stats'
// BilateralService at --stats-addr. The briefings are in commands_briefings.cc.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "consular/v1/statistics.pb.h"
#include "tools/consularctl/case_fields.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"
#include "tools/consularctl/stats_format.h"

namespace consular::ctl {

absl::StatusOr<std::string> ResolveTalkId(StatsClient* client, const std::string& text) {
  const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (IsUuid(wanted)) return wanted;
  if (!IsIdPrefix(wanted)) {
    return absl::InvalidArgumentError(
        "TALK_ID: give the talk's id or its first 8 or more characters (see: talk list)");
  }
  consular::v1::ListTalksRequest request;
  request.set_page_size(500);
  std::vector<std::string> ids;
  for (int page = 0; page < 100; ++page) {
    absl::StatusOr<consular::v1::ListTalksResponse> listed =
        client->Call(&BilateralStub::ListTalks, request);
    if (!listed.ok()) return listed.status();
    for (const consular::v1::Talk& t : listed->talks()) ids.push_back(t.id());
    if (listed->next_page_token().empty()) break;
    request.set_page_token(listed->next_page_token());
  }
  return OneIdStartingWith(wanted, ids, "TALK_ID", "talk list");
}

namespace {

// The open commitment `text` names: a full id, or the one open commitment whose id begins with
// these 8 or more characters.
absl::StatusOr<std::string> ResolveCommitmentId(StatsClient* client, const std::string& text) {
  const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (IsUuid(wanted)) return wanted;
  if (!IsIdPrefix(wanted)) {
    return absl::InvalidArgumentError(
        "COMMITMENT_ID: give the commitment's id or its first 8 or more characters (see: talk "
        "commitments)");
  }
  consular::v1::ListCommitmentsRequest request;
  request.set_open_only(true);
  request.set_page_size(500);
  std::vector<std::string> ids;
  for (int page = 0; page < 100; ++page) {
    absl::StatusOr<consular::v1::ListCommitmentsResponse> listed =
        client->Call(&BilateralStub::ListCommitments, request);
    if (!listed.ok()) return listed.status();
    for (const consular::v1::Commitment& c : listed->commitments()) ids.push_back(c.id());
    if (listed->next_page_token().empty()) break;
    request.set_page_token(listed->next_page_token());
  }
  return OneIdStartingWith(wanted, ids, "COMMITMENT_ID", "talk commitments");
}


using ::consular::v1::Commitment;
using ::consular::v1::CountryDecision;
using ::consular::v1::Talk;

// What a talk is about, as `talk record` and `talk plan` take it.
struct TalkContentArgs {
  std::string country;
  std::string date;
  std::string level;
  std::vector<std::string> topics;
  std::string summary;
  int stats_year = 0;
};

struct TalkRecordArgs {
  TalkContentArgs content;
  std::string outcome;
  std::string follow_up;
  std::string follow_up_due;
  std::string request_id;
};

struct TalkPlanArgs {
  TalkContentArgs content;
  std::string request_id;
};

struct TalkListArgs {
  std::string country;
  PagingArgs paging;
};

struct TalkShowArgs {
  std::string id;
};

// held, postpone, replan, cancel: a talk, a day and a text.
struct TalkChangeArgs {
  std::string id;
  std::string date;
  std::string text;  // the outcome (held) or the reason
  std::string request_id;
};

struct CommitArgs {
  std::string talk_id;
  std::string text;
  std::string owner;
  std::string due;
  std::string request_id;
};

struct CloseCommitmentArgs {
  std::string id;
  std::string note;
  std::string request_id;
};

struct CommitmentsArgs {
  std::string country;
  bool open_only = false;
  PagingArgs paging;
};

struct UnraisedArgs {
  int years = 0;
  bool round = false;
};

struct DecisionRecordArgs {
  std::string country;
  std::string topic;
  std::string decision;
  std::string level;
  std::string reasons;
  std::string date;
  std::string request_id;
};

struct DecisionListArgs {
  std::string country;
  PagingArgs paging;
};

std::string Words(const google::protobuf::EnumDescriptor* descriptor, int value) {
  return EnumWords(descriptor, value);
}

std::string DateText(const consular::v1::Date& d) { return IsSet(d) ? FormatDate(d) : ""; }

// The talk's day: when held, else when planned.
std::string TalkDay(const Talk& t) {
  return DateText(t.has_held_on() ? t.held_on() : t.planned_on());
}

std::string TopicsText(const Talk& t, const std::string& separator) {
  std::vector<std::string> topics;
  for (const int topic : t.topics()) {
    topics.push_back(Words(consular::v1::TalkTopic_descriptor(), topic));
  }
  return absl::StrJoin(topics, separator);
}

std::string FormatTalk(const Talk& t) {
  std::string out = FormatTable(
      {"FIELD", "VALUE"}, {{"id", t.id()},
                           {"country", t.country()},
                           {"status", Words(consular::v1::TalkStatus_descriptor(), t.status())},
                           {"held on", DateText(t.held_on())},
                           {"planned on", DateText(t.planned_on())},
                           {"level", Words(consular::v1::TalkLevel_descriptor(), t.level())},
                           {"topics", TopicsText(t, ", ")},
                           {"summary", t.summary()},
                           {"outcome", t.outcome()},
                           {"follow-up", t.follow_up()},
                           {"follow-up due", DateText(t.follow_up_due())},
                           {"figures of", PeriodText(t.statistics_period())},
                           {"recorded by", t.recorded_by()},
                           {"recorded at", FormatTimestamp(t.recorded_at())},
                           {"figures of release",
                            !t.has_statistics() ? ""
                            : t.statistics().release() == 0
                                ? "none (no release was in force on the day it was held)"
                                : absl::StrCat(t.statistics().release())}});
  if (t.changes_size() > 0) {
    std::vector<std::vector<std::string>> rows;
    for (const consular::v1::TalkStatusChange& c : t.changes()) {
      rows.push_back({FormatTimestamp(c.changed_at()), c.changed_by(),
                      c.from_status() == consular::v1::TALK_STATUS_UNSPECIFIED
                          ? "entered"
                          : Words(consular::v1::TalkStatus_descriptor(), c.from_status()),
                      Words(consular::v1::TalkStatus_descriptor(), c.to_status()),
                      DateText(c.on_date()), c.reason().empty() ? c.outcome() : c.reason()});
    }
    out += "\nStatus changes:\n" +
           FormatTable({"WHEN", "BY", "FROM", "TO", "DATE", "REASON / OUTCOME"}, rows);
  }
  if (t.has_statistics()) {
    out += "\nFigures shown at the time:\n" + FormatStatistics(t.statistics());
  }
  return out;
}

// Fills what `talk record` and `talk plan` share; a usage error's exit code when a flag is bad.
int FillTalkContent(const TalkContentArgs& args, Talk* t, consular::v1::Date* date) {
  t->set_country(CountryCode(args.country));
  if (!args.date.empty()) {
    absl::StatusOr<consular::v1::Date> day = ParseDate(args.date);
    if (!day.ok()) return ReportUsageError(absl::StrCat("--date: ", day.status().message()));
    *date = *day;
  }
  absl::StatusOr<consular::v1::TalkLevel> level =
      ParseEnumAs<consular::v1::TalkLevel>(consular::v1::TalkLevel_descriptor(), args.level);
  if (!level.ok()) return ReportUsageError(absl::StrCat("--level: ", level.status().message()));
  t->set_level(*level);
  for (const std::string& topic : args.topics) {
    absl::StatusOr<consular::v1::TalkTopic> parsed =
        ParseEnumAs<consular::v1::TalkTopic>(consular::v1::TalkTopic_descriptor(), topic);
    if (!parsed.ok()) return ReportUsageError(absl::StrCat("--topic: ", parsed.status().message()));
    t->add_topics(*parsed);
  }
  t->set_summary(args.summary);
  if (args.stats_year != 0) t->mutable_statistics_period()->set_year(args.stats_year);
  return kExitOk;
}

int RunTalkRecord(const StatsContext& context, const TalkRecordArgs& args) {
  consular::v1::RecordTalkRequest request;
  Talk* t = request.mutable_talk();
  if (const int bad = FillTalkContent(args.content, t, t->mutable_held_on()); bad != kExitOk) {
    return bad;
  }
  t->set_outcome(args.outcome);
  t->set_follow_up(args.follow_up);
  if (!args.follow_up_due.empty()) {
    absl::StatusOr<consular::v1::Date> due = ParseDate(args.follow_up_due);
    if (!due.ok()) {
      return ReportUsageError(absl::StrCat("--follow-up-due: ", due.status().message()));
    }
    *t->mutable_follow_up_due() = *due;
  }
  return RunChange(context, &BilateralStub::RecordTalk, request, args.request_id, &FormatTalk);
}

int RunTalkPlan(const StatsContext& context, const TalkPlanArgs& args) {
  consular::v1::PlanTalkRequest request;
  Talk* t = request.mutable_talk();
  if (const int bad = FillTalkContent(args.content, t, t->mutable_planned_on()); bad != kExitOk) {
    return bad;
  }
  return RunChange(context, &BilateralStub::PlanTalk, request, args.request_id, &FormatTalk);
}

int RunTalkList(const StatsContext& context, const TalkListArgs& args) {
  consular::v1::ListTalksRequest request;
  request.set_country(CountryCode(args.country));
  return RunListing(
      context, &BilateralStub::ListTalks, request, args.paging,
      [](const consular::v1::ListTalksResponse& response) {
        std::vector<std::vector<std::string>> rows;
        for (const Talk& t : response.talks()) {
          rows.push_back({TalkDay(t), Words(consular::v1::TalkStatus_descriptor(), t.status()),
                          t.country(), Words(consular::v1::TalkLevel_descriptor(), t.level()),
                          TopicsText(t, ","), t.summary(), t.id()});
        }
        return FormatTable({"DATE", "STATUS", "COUNTRY", "LEVEL", "TOPICS", "SUMMARY", "ID"}, rows);
      });
}

int RunTalkShow(const StatsContext& context, const TalkShowArgs& args) {
  return WithResolvedId<StatsClient>(
      context, args.id, &ResolveTalkId, [&](StatsClient* client, const std::string& id) {
        consular::v1::GetTalkRequest request;
        request.set_id(id);
        return CallAndPrint(client, *context.global, &BilateralStub::GetTalk, request, &FormatTalk);
      });
}

// A status change: the talk's id and (when given) its day; then `run` sends it.
template <typename Request>
int RunTalkChange(const StatsContext& context, const TalkChangeArgs& args, consular::v1::Date* day,
                  Request* request, UnaryMethod<BilateralStub, Request, Talk> method) {
  if (day != nullptr && !args.date.empty()) {
    absl::StatusOr<consular::v1::Date> parsed = ParseDate(args.date);
    if (!parsed.ok()) return ReportUsageError(absl::StrCat("--date: ", parsed.status().message()));
    *day = *parsed;
  }
  return WithResolvedId<StatsClient>(
      context, args.id, &ResolveTalkId, [&](StatsClient* client, const std::string& id) {
        request->set_talk_id(id);
        return ChangeAndPrint(client, *context.global, method, *request, args.request_id,
                              &FormatTalk);
      });
}

int RunTalkHeld(const StatsContext& context, const TalkChangeArgs& args) {
  consular::v1::MarkTalkHeldRequest request;
  request.set_outcome(args.text);
  return RunTalkChange(context, args, request.mutable_held_on(), &request,
                       &BilateralStub::MarkTalkHeld);
}

int RunTalkPostpone(const StatsContext& context, const TalkChangeArgs& args) {
  consular::v1::PostponeTalkRequest request;
  request.set_reason(args.text);
  return RunTalkChange(context, args, request.mutable_planned_on(), &request,
                       &BilateralStub::PostponeTalk);
}

int RunTalkReplan(const StatsContext& context, const TalkChangeArgs& args) {
  consular::v1::ReplanTalkRequest request;
  request.set_reason(args.text);
  return RunTalkChange(context, args, request.mutable_planned_on(), &request,
                       &BilateralStub::ReplanTalk);
}

int RunTalkCancel(const StatsContext& context, const TalkChangeArgs& args) {
  consular::v1::CancelTalkRequest request;
  request.set_reason(args.text);
  return RunTalkChange(context, args, nullptr, &request, &BilateralStub::CancelTalk);
}

std::string FormatCommitment(const Commitment& c) {
  std::vector<std::vector<std::string>> rows = {
      {"id", c.id()},
      {"talk", c.talk_id()},
      {"country", c.country()},
      {"text", c.text()},
      {"owner", c.owner()},
      {"due on", DateText(c.due_on())},
      {"state", c.closed() ? "closed" : (c.overdue() ? "OPEN, OVERDUE" : "open")},
      {"added by", c.added_by()},
      {"added at", FormatTimestamp(c.added_at())}};
  if (c.closed()) {
    rows.push_back({"closed by", c.closed_by()});
    rows.push_back({"closed at", FormatTimestamp(c.closed_at())});
    rows.push_back({"closing note", c.closing_note()});
  }
  return FormatTable({"FIELD", "VALUE"}, rows);
}

int RunCommit(const StatsContext& context, const CommitArgs& args) {
  consular::v1::AddCommitmentRequest request;
  request.set_text(args.text);
  request.set_owner(args.owner);
  absl::StatusOr<consular::v1::Date> due = ParseDate(args.due);
  if (!due.ok()) return ReportUsageError(absl::StrCat("--due: ", due.status().message()));
  *request.mutable_due_on() = *due;
  return WithResolvedId<StatsClient>(
      context, args.talk_id, &ResolveTalkId, [&](StatsClient* client, const std::string& id) {
        request.set_talk_id(id);
        return ChangeAndPrint(client, *context.global, &BilateralStub::AddCommitment, request,
                              args.request_id, &FormatCommitment);
      });
}

int RunCloseCommitment(const StatsContext& context, const CloseCommitmentArgs& args) {
  consular::v1::CloseCommitmentRequest request;
  request.set_closing_note(args.note);
  return WithResolvedId<StatsClient>(
      context, args.id, &ResolveCommitmentId, [&](StatsClient* client, const std::string& id) {
        request.set_commitment_id(id);
        return ChangeAndPrint(client, *context.global, &BilateralStub::CloseCommitment, request,
                              args.request_id, &FormatCommitment);
      });
}

int RunCommitments(const StatsContext& context, const CommitmentsArgs& args) {
  consular::v1::ListCommitmentsRequest request;
  request.set_country(CountryCode(args.country));
  request.set_open_only(args.open_only);
  return RunListing(context, &BilateralStub::ListCommitments, request, args.paging,
                    [](const consular::v1::ListCommitmentsResponse& response) {
                      std::vector<std::vector<std::string>> rows;
                      for (const Commitment& c : response.commitments()) {
                        rows.push_back({DateText(c.due_on()),
                                        c.closed() ? "closed" : (c.overdue() ? "OVERDUE" : "open"),
                                        c.country(), c.owner(), c.text(), c.id()});
                      }
                      return FormatTable({"DUE", "STATE", "COUNTRY", "OWNER", "TEXT", "ID"}, rows);
                    });
}

int RunUnraised(const StatsContext& context, const UnraisedArgs& args) {
  consular::v1::ListUnraisedCountriesRequest request;
  request.set_years(args.years);
  request.set_round_to_base5(args.round);
  return RunCall(
      context, &BilateralStub::ListUnraisedCountries, request,
      [](const consular::v1::ListUnraisedCountriesResponse& response) {
        std::vector<std::vector<std::string>> rows;
        for (const consular::v1::UnraisedCountry& c : response.countries()) {
          rows.push_back(
              {c.country(), FigureText(c.cases_opened()), DateText(c.last_talk_held_on()),
               IsSet(c.last_decided_on())
                   ? absl::StrCat(
                         DateText(c.last_decided_on()), " ",
                         Words(consular::v1::RaiseDecision_descriptor(), c.last_decision()))
                   : ""});
        }
        return absl::StrCat(
            "Countries with cases opened in ", PeriodText(response.period()),
            " and no talk held or decision taken then (",
            FreshnessText(response), ")\n",
            FormatTable({"COUNTRY", "OPENED", "LAST TALK HELD", "LAST DECISION"}, rows), "\n",
            Legend(response.threshold(), response.rounded_to_base5()));
      });
}

std::string FormatDecision(const CountryDecision& d) {
  return FormatTable({"FIELD", "VALUE"},
                     {{"id", d.id()},
                      {"country", d.country()},
                      {"topic", Words(consular::v1::TalkTopic_descriptor(), d.topic())},
                      {"decision", Words(consular::v1::RaiseDecision_descriptor(), d.decision())},
                      {"level", Words(consular::v1::TalkLevel_descriptor(), d.level())},
                      {"reasons", d.reasons()},
                      {"decided on", DateText(d.decided_on())},
                      {"decided by", d.decided_by()},
                      {"recorded at", FormatTimestamp(d.recorded_at())}});
}

int RunDecisionRecord(const StatsContext& context, const DecisionRecordArgs& args) {
  consular::v1::RecordDecisionRequest request;
  CountryDecision* d = request.mutable_decision();
  d->set_country(CountryCode(args.country));
  absl::StatusOr<consular::v1::TalkTopic> topic = ParseFlagEnum<consular::v1::TalkTopic>(
      args.topic, "--topic", consular::v1::TalkTopic_descriptor());
  if (!topic.ok()) return ReportUsageError(topic.status().message());
  d->set_topic(*topic);
  absl::StatusOr<consular::v1::RaiseDecision> decision = ParseFlagEnum<consular::v1::RaiseDecision>(
      args.decision, "--decision", consular::v1::RaiseDecision_descriptor());
  if (!decision.ok()) return ReportUsageError(decision.status().message());
  d->set_decision(*decision);
  absl::StatusOr<consular::v1::TalkLevel> level = ParseFlagEnum<consular::v1::TalkLevel>(
      args.level, "--level", consular::v1::TalkLevel_descriptor());
  if (!level.ok()) return ReportUsageError(level.status().message());
  d->set_level(*level);
  d->set_reasons(args.reasons);
  absl::StatusOr<consular::v1::Date> on = ParseDate(args.date);
  if (!on.ok()) return ReportUsageError(absl::StrCat("--date: ", on.status().message()));
  *d->mutable_decided_on() = *on;
  return RunChange(context, &BilateralStub::RecordDecision, request, args.request_id,
                   &FormatDecision);
}

int RunDecisionList(const StatsContext& context, const DecisionListArgs& args) {
  consular::v1::ListDecisionsRequest request;
  request.set_country(CountryCode(args.country));
  return RunListing(
      context, &BilateralStub::ListDecisions, request, args.paging,
      [](const consular::v1::ListDecisionsResponse& response) {
        std::vector<std::vector<std::string>> rows;
        for (const CountryDecision& d : response.decisions()) {
          rows.push_back({DateText(d.decided_on()), d.country(),
                          Words(consular::v1::TalkTopic_descriptor(), d.topic()),
                          Words(consular::v1::RaiseDecision_descriptor(), d.decision()),
                          Words(consular::v1::TalkLevel_descriptor(), d.level()), d.decided_by(),
                          d.reasons()});
        }
        return FormatTable({"DECIDED ON", "COUNTRY", "TOPIC", "DECISION", "LEVEL", "BY", "REASONS"},
                           rows);
      });
}

// --country, --date (required, with `date_help`), --level, --topic, --summary and --stats-year.
void AddTalkContentOptions(CLI::App* command, TalkContentArgs* args, const std::string& date_help) {
  command->add_option("--country", args->country, "ISO 3166-1 alpha-2 code")->required();
  command->add_option("--date", args->date, date_help)->required()->check(DateValidator());
  AddEnumOption(command, "--level", &args->level, consular::v1::TalkLevel_descriptor(),
                "ministerial, ambassador or official")
      ->required();
  command->add_option("--topic", args->topics, "Topic (repeatable)")
      ->required()
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::TalkTopic_descriptor()));
  command->add_option("--summary", args->summary, "What is or was discussed (no case details)")
      ->required();
  command->add_option("--stats-year", args->stats_year,
                      "Year of the figures frozen with the talk (default: the year it is held)");
}

// ID, --date (when `date_help` is not empty) and --`text_flag` (when not empty).
void AddTalkChangeOptions(CLI::App* command, TalkChangeArgs* args, const std::string& date_help,
                          const std::string& text_flag, const std::string& text_help,
                          bool text_required) {
  command->add_option("ID", args->id, "The talk's id, or its first 8 or more characters (see: talk list)")->required();
  if (!date_help.empty()) {
    command->add_option("--date", args->date, date_help)->required()->check(DateValidator());
  }
  CLI::Option* text = command->add_option(text_flag, args->text, text_help);
  if (text_required) text->required();
  AddRequestId(command, &args->request_id);
}

}  // namespace

void AddTalkCommands(CLI::App* app, const GlobalOptions* global, const std::string* stats_addr,
                     Action* action) {
  const StatsContext context{global, stats_addr};

  CLI::App* talk = app->add_subcommand(
      "talk", "The register of bilateral talks with foreign governments (talks to --stats-addr)");
  talk->require_subcommand(1);
  {
    CLI::App* command = talk->add_subcommand(
        "record",
        "Record a talk that was held; the country's published figures are frozen with it");
    auto args = std::make_shared<TalkRecordArgs>();
    AddTalkContentOptions(command, &args->content, "When it was held (YYYY-MM-DD)");
    command->add_option("--outcome", args->outcome, "What came of it");
    command->add_option("--follow-up", args->follow_up, "What is to follow");
    command->add_option("--follow-up-due", args->follow_up_due, "Follow-up due on (YYYY-MM-DD)")
        ->check(DateValidator());
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunTalkRecord, action);
  }
  {
    CLI::App* command = talk->add_subcommand("plan", "Enter a talk to be held (status PLANNED)");
    auto args = std::make_shared<TalkPlanArgs>();
    AddTalkContentOptions(command, &args->content, "When it is to be held (YYYY-MM-DD, not past)");
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunTalkPlan, action);
  }
  {
    CLI::App* command = talk->add_subcommand(
        "held", "Mark a planned or postponed talk held; its figures are frozen now");
    auto args = std::make_shared<TalkChangeArgs>();
    AddTalkChangeOptions(command, args.get(), "When it was held (YYYY-MM-DD, not future)",
                         "--outcome", "What came of it", false);
    OnParse(command, context, args, &RunTalkHeld, action);
  }
  {
    CLI::App* command = talk->add_subcommand("postpone", "Postpone a planned talk to a new day");
    auto args = std::make_shared<TalkChangeArgs>();
    AddTalkChangeOptions(command, args.get(), "The new day (YYYY-MM-DD, not past)", "--reason",
                         "Why", false);
    OnParse(command, context, args, &RunTalkPostpone, action);
  }
  {
    CLI::App* command = talk->add_subcommand("replan", "Plan a postponed talk again");
    auto args = std::make_shared<TalkChangeArgs>();
    AddTalkChangeOptions(command, args.get(), "The day planned (YYYY-MM-DD, not past)", "--reason",
                         "Why", false);
    OnParse(command, context, args, &RunTalkReplan, action);
  }
  {
    CLI::App* command = talk->add_subcommand("cancel", "Cancel a planned or postponed talk");
    auto args = std::make_shared<TalkChangeArgs>();
    AddTalkChangeOptions(command, args.get(), "", "--reason", "Why (required)", true);
    OnParse(command, context, args, &RunTalkCancel, action);
  }
  {
    CLI::App* command = talk->add_subcommand("list", "Talks, newest day first");
    auto args = std::make_shared<TalkListArgs>();
    command->add_option("--country", args->country, "Only this country");
    AddPaging(command, &args->paging);
    OnParse(command, context, args, &RunTalkList, action);
  }
  {
    CLI::App* command = talk->add_subcommand(
        "show", "One talk with its status changes and the figures shown at the time");
    auto args = std::make_shared<TalkShowArgs>();
    command->add_option("ID", args->id, "The talk's id, or its first 8 or more characters (see: talk list)")->required();
    OnParse(command, context, args, &RunTalkShow, action);
  }
  {
    CLI::App* command = talk->add_subcommand("commit", "Add a commitment made at a held talk");
    auto args = std::make_shared<CommitArgs>();
    command->add_option("TALK_ID", args->talk_id, "The talk's id, or its first 8 or more characters (see: talk list)")->required();
    command->add_option("--text", args->text, "What was promised")->required();
    command->add_option("--owner", args->owner, "Who follows it up: a name or a unit")->required();
    command->add_option("--due", args->due, "Due on (YYYY-MM-DD)")
        ->required()
        ->check(DateValidator());
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunCommit, action);
  }
  {
    CLI::App* command =
        talk->add_subcommand("close-commitment", "Close a commitment with a note, once");
    auto args = std::make_shared<CloseCommitmentArgs>();
    command->add_option("COMMITMENT_ID", args->id, "The commitment's id, or its first 8 or more characters (see: talk commitments)")
        ->required();
    command->add_option("--note", args->note, "How it was met (or why it is closed)")->required();
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunCloseCommitment, action);
  }
  {
    CLI::App* command = talk->add_subcommand(
        "commitments", "The follow-up list: open commitments by due day, overdue ones marked");
    auto args = std::make_shared<CommitmentsArgs>();
    command->add_option("--country", args->country, "Only this country");
    command->add_flag("--open", args->open_only, "Only commitments not closed");
    AddPaging(command, &args->paging);
    OnParse(command, context, args, &RunCommitments, action);
  }
  {
    CLI::App* command = talk->add_subcommand(
        "unraised", "Countries with cases and no talk held or decision taken in the last years");
    auto args = std::make_shared<UnraisedArgs>();
    command->add_option("--years", args->years,
                        "Calendar years back, this one included (1..25; 5)");
    command->add_flag("--round", args->round, "Round figures to multiples of 5");
    OnParse(command, context, args, &RunUnraised, action);
  }

  CLI::App* decision = app->add_subcommand(
      "decision", "Whether to raise an issue with a country: the decision log (--stats-addr)");
  decision->require_subcommand(1);
  {
    CLI::App* command = decision->add_subcommand("record", "Record a decision");
    auto args = std::make_shared<DecisionRecordArgs>();
    command->add_option("--country", args->country, "ISO 3166-1 alpha-2 code")->required();
    AddEnumOption(command, "--topic", &args->topic, consular::v1::TalkTopic_descriptor(),
                  "abandonment or divorce-recognition")
        ->required();
    AddEnumOption(command, "--decision", &args->decision, consular::v1::RaiseDecision_descriptor(),
                  "raise, do-not-raise or defer")
        ->required();
    AddEnumOption(command, "--level", &args->level, consular::v1::TalkLevel_descriptor(),
                  "ministerial, ambassador or official")
        ->required();
    command->add_option("--reasons", args->reasons, "Why")->required();
    command->add_option("--date", args->date, "When it was decided (YYYY-MM-DD, not future)")
        ->required()
        ->check(DateValidator());
    AddRequestId(command, &args->request_id);
    OnParse(command, context, args, &RunDecisionRecord, action);
  }
  {
    CLI::App* command = decision->add_subcommand("list", "Decisions, newest first");
    auto args = std::make_shared<DecisionListArgs>();
    command->add_option("--country", args->country, "Only this country");
    AddPaging(command, &args->paging);
    OnParse(command, context, args, &RunDecisionList, action);
  }
}

}  // namespace consular::ctl

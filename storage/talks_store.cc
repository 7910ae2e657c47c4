#include "storage/talks_store.h"

#include <google/protobuf/util/time_util.h>

#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

using consular::v1::Briefing;
using consular::v1::Commitment;
using consular::v1::CountryDecision;
using consular::v1::Talk;
using consular::v1::TalkStatusChange;
using google::protobuf::util::TimeUtil;

// A protobuf message as a bytea parameter; an empty one is stored as NULL (NULLIF in the SQL).
pqxx::binarystring Bytes(const google::protobuf::MessageLite& message) {
  return pqxx::binarystring(message.SerializeAsString());
}

template <typename Message>
void ParseBytes(const pqxx::field& field, const char* what, Message* out) {
  if (!out->ParseFromString(pqxx::binarystring(field).str())) {
    throw std::runtime_error(absl::StrCat("stored ", what, " does not parse"));
  }
}

// The columns of stats.talk_state a talk is read from; statistics only where asked for.
constexpr char kTalkColumns[] =
    "id::text, country, COALESCE(to_char(held_on, 'YYYY-MM-DD'), ''), "
    "COALESCE(to_char(planned_on, 'YYYY-MM-DD'), ''), level, array_to_string(topics, ','), "
    "summary, outcome, follow_up, COALESCE(to_char(follow_up_due, 'YYYY-MM-DD'), ''), "
    "recorded_by, " MICROS("recorded_at") ", status, statistics_period";

Talk TalkFrom(const pqxx::row& r) {
  Talk t;
  t.set_id(r[0].as<std::string>());
  t.set_country(r[1].as<std::string>());
  *t.mutable_held_on() = ParseDate(r[2].as<std::string>());
  *t.mutable_planned_on() = ParseDate(r[3].as<std::string>());
  t.set_level(ParseStoredEnum<consular::v1::TalkLevel>(r[4].as<std::string>(),
                                                       consular::v1::TalkLevel_Parse));
  for (const absl::string_view topic :
       absl::StrSplit(r[5].as<std::string>(), ',', absl::SkipEmpty())) {
    t.add_topics(ParseStoredEnum<consular::v1::TalkTopic>(std::string(topic),
                                                          consular::v1::TalkTopic_Parse));
  }
  t.set_summary(r[6].as<std::string>());
  t.set_outcome(r[7].as<std::string>());
  t.set_follow_up(r[8].as<std::string>());
  *t.mutable_follow_up_due() = ParseDate(r[9].as<std::string>());
  if (t.follow_up_due().year() == 0) t.clear_follow_up_due();
  if (t.held_on().year() == 0) t.clear_held_on();
  if (t.planned_on().year() == 0) t.clear_planned_on();
  t.set_recorded_by(r[10].as<std::string>());
  *t.mutable_recorded_at() = TimeUtil::MicrosecondsToTimestamp(r[11].as<int64_t>());
  t.set_status(ParseStoredEnum<consular::v1::TalkStatus>(r[12].as<std::string>(),
                                                         consular::v1::TalkStatus_Parse));
  if (!r[13].is_null()) {
    ParseBytes(r[13], "talk period", t.mutable_statistics_period());
  } else {
    // A planned talk without a period of its own: the year of the day it is planned for.
    t.mutable_statistics_period()->set_year(t.has_held_on() ? t.held_on().year()
                                                            : t.planned_on().year());
  }
  return t;
}

TalkStatusChange ChangeFrom(const pqxx::row& r) {
  TalkStatusChange c;
  c.set_from_status(ParseStoredEnum<consular::v1::TalkStatus>(
      r[0].is_null() ? "" : r[0].as<std::string>(), consular::v1::TalkStatus_Parse));
  c.set_to_status(ParseStoredEnum<consular::v1::TalkStatus>(r[1].as<std::string>(),
                                                            consular::v1::TalkStatus_Parse));
  const std::string on = r[2].as<std::string>();
  if (!on.empty()) *c.mutable_on_date() = ParseDate(on);
  c.set_reason(r[3].as<std::string>());
  c.set_outcome(r[4].as<std::string>());
  c.set_changed_by(r[5].as<std::string>());
  *c.mutable_changed_at() = TimeUtil::MicrosecondsToTimestamp(r[6].as<int64_t>());
  return c;
}

constexpr char kCommitmentColumns[] =
    "c.id::text, c.talk_id::text, t.country, c.text, c.owner, to_char(c.due_on, 'YYYY-MM-DD'), "
    "c.added_by, " MICROS("c.added_at") ", cl.commitment_id IS NOT NULL, COALESCE(cl.note, ''), "
    "COALESCE(cl.closed_by, ''), COALESCE(" MICROS("cl.closed_at") ", 0)";

constexpr char kCommitmentFrom[] =
    " FROM stats.commitments c JOIN stats.talks t ON t.id = c.talk_id "
    "LEFT JOIN stats.commitment_closures cl ON cl.commitment_id = c.id";

Commitment CommitmentFrom(const pqxx::row& r) {
  Commitment c;
  c.set_id(r[0].as<std::string>());
  c.set_talk_id(r[1].as<std::string>());
  c.set_country(r[2].as<std::string>());
  c.set_text(r[3].as<std::string>());
  c.set_owner(r[4].as<std::string>());
  *c.mutable_due_on() = ParseDate(r[5].as<std::string>());
  c.set_added_by(r[6].as<std::string>());
  *c.mutable_added_at() = TimeUtil::MicrosecondsToTimestamp(r[7].as<int64_t>());
  c.set_closed(r[8].as<bool>());
  if (c.closed()) {
    c.set_closing_note(r[9].as<std::string>());
    c.set_closed_by(r[10].as<std::string>());
    *c.mutable_closed_at() = TimeUtil::MicrosecondsToTimestamp(r[11].as<int64_t>());
  }
  return c;
}

constexpr char kDecisionColumns[] =
    "id::text, country, topic, decision, level, reasons, to_char(decided_on, 'YYYY-MM-DD'), "
    "decided_by, " MICROS("recorded_at");

CountryDecision DecisionFrom(const pqxx::row& r) {
  CountryDecision d;
  d.set_id(r[0].as<std::string>());
  d.set_country(r[1].as<std::string>());
  d.set_topic(ParseStoredEnum<consular::v1::TalkTopic>(r[2].as<std::string>(),
                                                       consular::v1::TalkTopic_Parse));
  d.set_decision(ParseStoredEnum<consular::v1::RaiseDecision>(r[3].as<std::string>(),
                                                              consular::v1::RaiseDecision_Parse));
  d.set_level(ParseStoredEnum<consular::v1::TalkLevel>(r[4].as<std::string>(),
                                                       consular::v1::TalkLevel_Parse));
  d.set_reasons(r[5].as<std::string>());
  *d.mutable_decided_on() = ParseDate(r[6].as<std::string>());
  d.set_decided_by(r[7].as<std::string>());
  *d.mutable_recorded_at() = TimeUtil::MicrosecondsToTimestamp(r[8].as<int64_t>());
  return d;
}

}  // namespace

void TalksStore::InsertTalk(const Talk& t) {
  std::vector<std::string> topics;
  for (const int topic : t.topics()) {
    topics.push_back(consular::v1::TalkTopic_Name(static_cast<consular::v1::TalkTopic>(topic)));
  }
  const bool held = t.has_held_on();
  ExecPrepared0(
      tx_, "talk_register_insert",
      "INSERT INTO stats.talks (id, country, held_on, planned_on, level, topics, summary, "
      "outcome, follow_up, follow_up_due, recorded_by, recorded_at, statistics_period, "
      "statistics) VALUES ($1::uuid, $2, NULLIF($3, '')::date, NULLIF($4, '')::date, $5, "
      "$6::text[], $7, $8, $9, NULLIF($10, '')::date, $11, " FROM_MICROS("$12") ", "
      "NULLIF($13::bytea, ''::bytea), NULLIF($14::bytea, ''::bytea))",
      t.id(), t.country(), DateText(t.held_on()), DateText(t.planned_on()),
      consular::v1::TalkLevel_Name(t.level()), "{" + absl::StrJoin(topics, ",") + "}",
      t.summary(), t.outcome(), t.follow_up(), DateText(t.follow_up_due()), t.recorded_by(),
      Micros(t.recorded_at()),
      t.has_statistics_period() ? Bytes(t.statistics_period()) : pqxx::binarystring(""),
      held ? Bytes(t.statistics()) : pqxx::binarystring(""));
  // Its entry: the first status change.
  TalkStatusChange entry;
  entry.set_to_status(held ? consular::v1::TALK_STATUS_HELD : consular::v1::TALK_STATUS_PLANNED);
  *entry.mutable_on_date() = held ? t.held_on() : t.planned_on();
  entry.set_changed_by(t.recorded_by());
  *entry.mutable_changed_at() = t.recorded_at();
  AppendStatusChange(t.id(), 1, entry, nullptr, nullptr);
}

void TalksStore::LockTalk(const std::string& id) {
  ExecPrepared(tx_, "talk_register_lock",
               "SELECT pg_advisory_xact_lock(hashtextextended('stats.talks:' || $1, 0))", id);
}

std::optional<consular::v1::Period> TalksStore::EnteredStatisticsPeriod(const std::string& id) {
  const pqxx::result r =
      ExecPrepared(tx_, "talk_register_entered_period",
                   "SELECT statistics_period FROM stats.talks WHERE id = $1::uuid", id);
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  consular::v1::Period period;
  ParseBytes(r[0][0], "talk period", &period);
  return period;
}

std::optional<Talk> TalksStore::FindTalk(const std::string& id) {
  const pqxx::result r =
      ExecPrepared(tx_, "talk_register_find",
                   absl::StrCat("SELECT ", kTalkColumns,
                                ", statistics FROM stats.talk_state WHERE id = $1::uuid"),
                   id);
  if (r.empty()) return std::nullopt;
  Talk t = TalkFrom(r[0]);
  if (!r[0][14].is_null()) ParseBytes(r[0][14], "talk statistics", t.mutable_statistics());
  for (TalkStatusChange& c : StatusChanges(id)) *t.add_changes() = std::move(c);
  return t;
}

std::vector<Talk> TalksStore::ListTalks(const std::string& country, const std::string& after_date,
                                        const std::string& after_id, int limit) {
  const pqxx::result r = ExecPrepared(
      tx_, "talk_register_list",
      absl::StrCat("SELECT ", kTalkColumns,
                   " FROM stats.talk_state WHERE ($1 = '' OR country = $1) "
                   "AND ($2 = '' OR (talk_date, id) < ($2::date, NULLIF($3, '')::uuid)) "
                   "ORDER BY talk_date DESC, id DESC LIMIT $4"),
      country, after_date, after_id, limit);
  std::vector<Talk> talks;
  talks.reserve(r.size());
  for (const pqxx::row& row : r) talks.push_back(TalkFrom(row));
  return talks;
}

std::vector<Talk> TalksStore::ListHeldTalks(const std::string& country, int limit) {
  const pqxx::result r = ExecPrepared(
      tx_, "talk_register_list_held",
      absl::StrCat("SELECT ", kTalkColumns,
                   " FROM stats.talk_state WHERE country = $1 AND status = 'TALK_STATUS_HELD' "
                   "ORDER BY held_on DESC, id DESC LIMIT $2"),
      country, limit);
  std::vector<Talk> talks;
  talks.reserve(r.size());
  for (const pqxx::row& row : r) talks.push_back(TalkFrom(row));
  return talks;
}

void TalksStore::AppendStatusChange(const std::string& talk_id, int seq, const TalkStatusChange& c,
                                    const consular::v1::Period* period,
                                    const consular::v1::CountryStatistics* statistics) {
  ExecPrepared0(
      tx_, "talk_register_change",
      "INSERT INTO stats.talk_status_changes (talk_id, seq, from_status, to_status, on_date, "
      "reason, outcome, changed_by, changed_at, statistics_period, statistics) VALUES "
      "($1::uuid, $2, NULLIF($3, ''), $4, NULLIF($5, '')::date, $6, $7, $8, " FROM_MICROS("$9") ", "
      "NULLIF($10::bytea, ''::bytea), NULLIF($11::bytea, ''::bytea))",
      talk_id, seq,
      c.from_status() == consular::v1::TALK_STATUS_UNSPECIFIED
          ? std::string()
          : consular::v1::TalkStatus_Name(c.from_status()),
      consular::v1::TalkStatus_Name(c.to_status()), DateText(c.on_date()), c.reason(),
      c.outcome(), c.changed_by(), Micros(c.changed_at()),
      period != nullptr ? Bytes(*period) : pqxx::binarystring(""),
      statistics != nullptr ? Bytes(*statistics) : pqxx::binarystring(""));
}

std::vector<TalkStatusChange> TalksStore::StatusChanges(const std::string& talk_id) {
  const pqxx::result r = ExecPrepared(
      tx_, "talk_register_changes",
      "SELECT from_status, to_status, COALESCE(to_char(on_date, 'YYYY-MM-DD'), ''), reason, "
      "outcome, changed_by, " MICROS("changed_at") " FROM stats.talk_status_changes "
      "WHERE talk_id = $1::uuid ORDER BY seq",
      talk_id);
  std::vector<TalkStatusChange> changes;
  changes.reserve(r.size());
  for (const pqxx::row& row : r) changes.push_back(ChangeFrom(row));
  return changes;
}

void TalksStore::InsertCommitment(const Commitment& c) {
  ExecPrepared0(
      tx_, "commitment_insert",
      "INSERT INTO stats.commitments (id, talk_id, text, owner, due_on, added_by, "
      "added_at) VALUES ($1::uuid, $2::uuid, $3, $4, $5::date, $6, " FROM_MICROS("$7") ")",
      c.id(), c.talk_id(), c.text(), c.owner(), DateText(c.due_on()), c.added_by(),
      Micros(c.added_at()));
}

void TalksStore::LockCommitment(const std::string& id) {
  ExecPrepared(tx_, "commitment_lock",
               "SELECT pg_advisory_xact_lock(hashtextextended('stats.commitments:' || $1, 0))", id);
}

void TalksStore::InsertClosure(const std::string& commitment_id, const std::string& note,
                               const std::string& closed_by, int64_t closed_at_micros) {
  ExecPrepared0(tx_, "commitment_close",
                "INSERT INTO stats.commitment_closures (commitment_id, note, closed_by, closed_at) "
                "VALUES ($1::uuid, $2, $3, " FROM_MICROS("$4") ")",
                commitment_id, note, closed_by, closed_at_micros);
}

std::optional<Commitment> TalksStore::FindCommitment(const std::string& id) {
  const pqxx::result r = ExecPrepared(
      tx_, "commitment_find",
      absl::StrCat("SELECT ", kCommitmentColumns, kCommitmentFrom, " WHERE c.id = $1::uuid"), id);
  if (r.empty()) return std::nullopt;
  return CommitmentFrom(r[0]);
}

std::vector<Commitment> TalksStore::ListCommitments(const std::string& country, bool open_only,
                                                    const CommitmentCursor* after, int limit) {
  const pqxx::result r = ExecPrepared(
      tx_, "commitment_list",
      absl::StrCat("SELECT ", kCommitmentColumns, kCommitmentFrom,
                   " WHERE ($1 = '' OR t.country = $1) AND (NOT $2 OR cl.commitment_id IS NULL) "
                   "AND ($3 = '' OR ((cl.commitment_id IS NOT NULL)::int, c.due_on, c.id) > "
                   "($4::int, NULLIF($3, '')::date, NULLIF($5, '')::uuid)) "
                   "ORDER BY (cl.commitment_id IS NOT NULL), c.due_on, c.id LIMIT $6"),
      country, open_only, after != nullptr ? after->due_on : std::string(),
      after != nullptr && after->closed ? 1 : 0, after != nullptr ? after->id : std::string(),
      limit);
  std::vector<Commitment> commitments;
  commitments.reserve(r.size());
  for (const pqxx::row& row : r) commitments.push_back(CommitmentFrom(row));
  return commitments;
}

void TalksStore::InsertDecision(const CountryDecision& d) {
  ExecPrepared0(tx_, "decision_insert",
                "INSERT INTO stats.decisions (id, country, topic, decision, level, reasons, "
                "decided_on, decided_by, recorded_at) VALUES ($1::uuid, $2, $3, $4, $5, $6, "
                "$7::date, $8, " FROM_MICROS("$9") ")",
                d.id(), d.country(), consular::v1::TalkTopic_Name(d.topic()),
                consular::v1::RaiseDecision_Name(d.decision()),
                consular::v1::TalkLevel_Name(d.level()), d.reasons(), DateText(d.decided_on()),
                d.decided_by(), Micros(d.recorded_at()));
}

std::vector<CountryDecision> TalksStore::ListDecisions(const std::string& country,
                                                       const DecisionCursor* after, int limit) {
  const pqxx::result r = ExecPrepared(
      tx_, "decision_list",
      absl::StrCat(
          "SELECT ", kDecisionColumns,
          " FROM stats.decisions WHERE ($1 = '' OR country = $1) "
          "AND ($2 = '' OR (decided_on, recorded_at, id) < (NULLIF($2, '')::date, " FROM_MICROS(
              "$3") ", NULLIF($4, '')::uuid)) "
                    "ORDER BY decided_on DESC, recorded_at DESC, id DESC LIMIT $5"),
      country, after != nullptr ? after->decided_on : std::string(),
      after != nullptr ? after->recorded_at_micros : int64_t{0},
      after != nullptr ? after->id : std::string(), limit);
  std::vector<CountryDecision> decisions;
  decisions.reserve(r.size());
  for (const pqxx::row& row : r) decisions.push_back(DecisionFrom(row));
  return decisions;
}

std::vector<std::string> TalksStore::CountriesWithCasesOpened(int first_year, int last_year) {
  const pqxx::result r = ExecPrepared(
      tx_, "talk_register_countries_opened",
      "SELECT DISTINCT country FROM stats.rollup WHERE year BETWEEN $1 AND $2 "
      "AND measure = 'MEASURE_CASES_OPENED' AND dimension = 'TOTAL' AND n > 0 ORDER BY country",
      first_year, last_year);
  std::vector<std::string> countries;
  countries.reserve(r.size());
  for (const pqxx::row& row : r) countries.push_back(row[0].as<std::string>());
  return countries;
}

std::map<std::string, CountryEngagement> TalksStore::Engagements(const consular::v1::Date& since) {
  std::map<std::string, CountryEngagement> engagements;
  const pqxx::result talks = ExecPrepared(
      tx_, "talk_register_last_held",
      "SELECT country, to_char(max(held_on), 'YYYY-MM-DD'), bool_or(held_on >= $1::date) "
      "FROM stats.talk_state WHERE status = 'TALK_STATUS_HELD' GROUP BY country",
      DateText(since));
  for (const pqxx::row& row : talks) {
    CountryEngagement& e = engagements[row[0].as<std::string>()];
    e.last_talk_held_on = ParseDate(row[1].as<std::string>());
    e.talk_since = row[2].as<bool>();
  }
  const pqxx::result decisions = ExecPrepared(
      tx_, "talk_register_last_decision",
      "SELECT country, to_char(max(decided_on), 'YYYY-MM-DD'), bool_or(decided_on >= $1::date), "
      "(array_agg(decision ORDER BY decided_on DESC, recorded_at DESC, id DESC))[1] "
      "FROM stats.decisions GROUP BY country",
      DateText(since));
  for (const pqxx::row& row : decisions) {
    CountryEngagement& e = engagements[row[0].as<std::string>()];
    e.last_decided_on = ParseDate(row[1].as<std::string>());
    e.decision_since = row[2].as<bool>();
    e.last_decision = ParseStoredEnum<consular::v1::RaiseDecision>(
        row[3].as<std::string>(), consular::v1::RaiseDecision_Parse);
  }
  return engagements;
}

void TalksStore::InsertBriefing(const Briefing& b) {
  ExecPrepared0(tx_, "briefing_insert",
                "INSERT INTO stats.briefings (id, talk_id, language, format, content_type, "
                "filename, statistics_period, content, sha256, stored_by, stored_at) VALUES "
                "($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, " FROM_MICROS("$11") ")",
                b.id(), b.talk_id(), b.language(), consular::v1::DossierFormat_Name(b.format()),
                b.content_type(), b.filename(), Bytes(b.statistics_period()),
                pqxx::binarystring(b.content()), b.sha256(), b.stored_by(), Micros(b.stored_at()));
}

std::optional<Briefing> TalksStore::NewestBriefing(const std::string& talk_id,
                                                   const std::string& language,
                                                   consular::v1::DossierFormat format) {
  const pqxx::result r = ExecPrepared(
      tx_, "briefing_newest",
      "SELECT id::text, talk_id::text, language, format, content_type, filename, "
      "statistics_period, content, sha256, stored_by, " MICROS("stored_at") " "
      "FROM stats.briefings WHERE talk_id = $1::uuid AND ($2 = '' OR language = $2) "
      "AND ($3 = '' OR format = $3) ORDER BY stored_at DESC, id DESC LIMIT 1",
      talk_id, language,
      format == consular::v1::DOSSIER_FORMAT_UNSPECIFIED
          ? std::string()
          : consular::v1::DossierFormat_Name(format));
  if (r.empty()) return std::nullopt;
  const pqxx::row row = r[0];
  Briefing b;
  b.set_id(row[0].as<std::string>());
  b.set_talk_id(row[1].as<std::string>());
  b.set_language(row[2].as<std::string>());
  b.set_format(ParseStoredEnum<consular::v1::DossierFormat>(row[3].as<std::string>(),
                                                            consular::v1::DossierFormat_Parse));
  b.set_content_type(row[4].as<std::string>());
  b.set_filename(row[5].as<std::string>());
  ParseBytes(row[6], "briefing period", b.mutable_statistics_period());
  b.set_content(pqxx::binarystring(row[7]).str());
  b.set_sha256(row[8].as<std::string>());
  b.set_size(static_cast<int64_t>(b.content().size()));
  b.set_stored_by(row[9].as<std::string>());
  *b.mutable_stored_at() = TimeUtil::MicrosecondsToTimestamp(row[10].as<int64_t>());
  return b;
}

}  // namespace consular::storage

#include "storage/stats_store.h"

#include <nlohmann/json.hpp>

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/idempotency.h"
#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

// A JSON string literal of `text` (nlohmann escapes it; invalid UTF-8 throws).
std::string JsonString(const std::string& text) { return nlohmann::json(text).dump(); }

std::string JsonArrayOf(const std::vector<std::string>& texts) {
  return nlohmann::json(texts).dump();
}

RollupRow RollupFrom(const pqxx::row& r) {
  RollupRow row;
  row.country = r[0].as<std::string>();
  row.year = r[1].as<int>();
  row.month = r[2].as<int>();
  row.measure = r[3].as<std::string>();
  row.dimension = r[4].as<std::string>();
  row.category = r[5].as<std::string>();
  row.n = r[6].as<int64_t>();
  return row;
}

constexpr char kRollupColumns[] = "country, year, month, measure, dimension, category, n";

// Distinct cases with contacts per month, quarter and year (the slots of ContactCasesRow), from
// the presence rows `p` of the WHERE condition: one pass, one group per grouping set.
constexpr char kContactCasesSelect[] =
    "SELECT country, year, CASE WHEN GROUPING(month) = 0 THEN month - 1 "
    "WHEN GROUPING(quarter) = 0 THEN 12 + quarter ELSE 16 END, dimension, category, "
    "count(DISTINCT case_id) "
    "FROM (SELECT country, year, month, (month - 1) / 3 AS quarter, dimension, category, case_id "
    "FROM stats.contact_presence WHERE ";
constexpr char kContactCasesGroups[] =
    ") p GROUP BY country, year, dimension, category, GROUPING SETS ((month), (quarter), ())";

std::vector<ContactCasesRow> ContactCasesFrom(const pqxx::result& r) {
  std::vector<ContactCasesRow> rows;
  rows.reserve(r.size());
  for (const pqxx::row& row : r) {
    rows.push_back({row[0].as<std::string>(), row[1].as<int>(), row[2].as<int>(),
                    row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<int64_t>()});
  }
  // Ordered here, whatever the database's collation.
  std::sort(rows.begin(), rows.end(), [](const ContactCasesRow& a, const ContactCasesRow& b) {
    return std::tie(a.country, a.year, a.slot, a.dimension, a.category) <
           std::tie(b.country, b.year, b.slot, b.dimension, b.category);
  });
  return rows;
}

}  // namespace

const std::vector<SealedColumn>& StatsStore::SealedColumns() {
  static const std::vector<SealedColumn>* const kColumns =
      new std::vector<SealedColumn>{IdempotencySealedColumn(IdempotencyTable::kStats)};
  return *kColumns;
}

std::string StatsStore::Horizon() {
  return tx_.exec1("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")[0].as<std::string>();
}

StreamCursor StatsStore::LockCursor() {
  const pqxx::row r = tx_.exec1(
      "SELECT applied_xid::text, applied_id, horizon::text, "
      "CASE WHEN caught_up_at = '-infinity' THEN 0 ELSE " MICROS("caught_up_at") " END "
      "FROM stats.cursor FOR UPDATE");
  StreamCursor c;
  c.applied_xid = r[0].as<std::string>();
  c.applied_id = r[1].as<int64_t>();
  c.horizon = r[2].as<std::string>();
  c.caught_up_micros = r[3].as<int64_t>();
  return c;
}

void StatsStore::SaveCursor(const StreamCursor& c) {
  ExecPrepared0(
      tx_, "stats_cursor_save",
      "UPDATE stats.cursor SET applied_xid = $1::xid8, applied_id = $2, horizon = $3::xid8, "
      "caught_up_at = CASE WHEN $4::bigint = 0 THEN '-infinity' ELSE " FROM_MICROS("$4") " END",
      c.applied_xid, c.applied_id, c.horizon, c.caught_up_micros);
}

std::vector<StreamEvent> StatsStore::EventsAfter(const std::string& xid, int64_t id,
                                                 const std::string& before, int limit) {
  const pqxx::result r =
      ExecPrepared(tx_, "stats_events_after",
                   "SELECT id, xid::text, case_id::text, sequence, event_type, facts::text "
                   "FROM cases.statistical_events($1::xid8, $2, $3::xid8, $4)",
                   xid, id, before, limit);
  std::vector<StreamEvent> events;
  events.reserve(r.size());
  for (const pqxx::row& row : r) {
    StreamEvent e;
    e.id = row[0].as<int64_t>();
    e.xid = row[1].as<std::string>();
    e.case_id = row[2].as<std::string>();
    e.sequence = row[3].as<int>();
    e.type = row[4].as<std::string>();
    e.facts = row[5].is_null() ? "" : row[5].as<std::string>();
    events.push_back(std::move(e));
  }
  return events;
}

StatsStore::Freshness StatsStore::ReadFreshness() {
  static const std::string kSql =
      "SELECT CASE WHEN c.caught_up_at = '-infinity' THEN 0 ELSE " MICROS("c.caught_up_at") " END, "
      "EXISTS (SELECT FROM cases.statistical_newest_event() e WHERE e.xid >= c.horizon) "
      "FROM stats.cursor c";
  const pqxx::row r = ExecPrepared1(tx_, "stats_freshness", kSql);
  return {r[0].as<int64_t>(), r[1].as<bool>()};
}

std::vector<CaseState> StatsStore::CaseStates(const std::vector<std::string>& ids) {
  std::vector<CaseState> states;
  if (ids.empty()) return states;
  const pqxx::result r =
      ExecPrepared(tx_, "stats_case_states",
                   "SELECT case_id::text, sequence, facts::text FROM stats.case_state "
                   "WHERE case_id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)",
                   JsonArrayOf(ids));
  for (const pqxx::row& row : r) {
    states.push_back({row[0].as<std::string>(), row[1].as<int>(), row[2].as<std::string>()});
  }
  return states;
}

void StatsStore::SaveCaseStates(const std::vector<CaseState>& states) {
  if (states.empty()) return;
  std::vector<std::string> items;
  items.reserve(states.size());
  for (const CaseState& s : states) {
    items.push_back(absl::StrCat("{\"case_id\":", JsonString(s.case_id),
                                 ",\"sequence\":", s.sequence, ",\"facts\":", s.facts, "}"));
  }
  ExecPrepared0(
      tx_, "stats_case_states_save",
      "INSERT INTO stats.case_state (case_id, sequence, facts) "
      "SELECT x.case_id, x.sequence, x.facts FROM jsonb_to_recordset($1::jsonb) "
      "AS x (case_id uuid, sequence integer, facts jsonb) "
      "ON CONFLICT (case_id) DO UPDATE SET sequence = EXCLUDED.sequence, facts = EXCLUDED.facts",
      "[" + absl::StrJoin(items, ",") + "]");
}

std::vector<ContactState> StatsStore::ContactStatesOfCases(
    const std::vector<std::string>& case_ids) {
  std::vector<ContactState> states;
  if (case_ids.empty()) return states;
  const pqxx::result r = ExecPrepared(
      tx_, "stats_contact_states",
      "SELECT contact_id::text, case_id::text, sequence, facts::text FROM stats.contact_state "
      "WHERE case_id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)",
      JsonArrayOf(case_ids));
  for (const pqxx::row& row : r) {
    states.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int>(),
                      row[3].as<std::string>()});
  }
  return states;
}

void StatsStore::SaveContactStates(const std::vector<ContactState>& states) {
  if (states.empty()) return;
  std::vector<std::string> items;
  items.reserve(states.size());
  for (const ContactState& s : states) {
    items.push_back(absl::StrCat("{\"contact_id\":", JsonString(s.contact_id),
                                 ",\"case_id\":", JsonString(s.case_id),
                                 ",\"sequence\":", s.sequence, ",\"facts\":", s.facts, "}"));
  }
  ExecPrepared0(
      tx_, "stats_contact_states_save",
      "INSERT INTO stats.contact_state (contact_id, case_id, sequence, facts) "
      "SELECT x.contact_id, x.case_id, x.sequence, x.facts FROM jsonb_to_recordset($1::jsonb) "
      "AS x (contact_id uuid, case_id uuid, sequence integer, facts jsonb) "
      "ON CONFLICT (contact_id) DO UPDATE SET sequence = EXCLUDED.sequence, "
      "facts = EXCLUDED.facts",
      "[" + absl::StrJoin(items, ",") + "]");
}

void StatsStore::OpenLastFactsCursors(const std::string& before) {
  const std::string quoted = tx_.quote(before);
  tx_.exec0(
      "DECLARE stats_last_cases NO SCROLL CURSOR FOR SELECT case_id::text, sequence, "
      "facts::text FROM cases.statistical_last_case_facts(" +
      quoted + "::xid8)");
  tx_.exec0(
      "DECLARE stats_last_contacts NO SCROLL CURSOR FOR SELECT contact_id::text, "
      "case_id::text, sequence, facts::text FROM cases.statistical_last_contact_facts(" +
      quoted + "::xid8)");
}

std::vector<CaseState> StatsStore::FetchLastCaseFacts(int limit) {
  const pqxx::result r = tx_.exec(absl::StrCat("FETCH FORWARD ", limit, " FROM stats_last_cases"));
  std::vector<CaseState> states;
  states.reserve(r.size());
  for (const pqxx::row& row : r) {
    states.push_back({row[0].as<std::string>(), row[1].as<int>(), row[2].as<std::string>()});
  }
  return states;
}

std::vector<ContactState> StatsStore::FetchLastContactFacts(int limit) {
  const pqxx::result r =
      tx_.exec(absl::StrCat("FETCH FORWARD ", limit, " FROM stats_last_contacts"));
  std::vector<ContactState> states;
  states.reserve(r.size());
  for (const pqxx::row& row : r) {
    states.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int>(),
                      row[3].as<std::string>()});
  }
  return states;
}

std::optional<StatsStore::LastEventOf> StatsStore::LastEvent(const std::string& before) {
  const pqxx::result r = ExecPrepared(
      tx_, "stats_last_event",
      "SELECT xid::text, id, events FROM cases.statistical_last_event($1::xid8)", before);
  if (r.empty()) return std::nullopt;
  return LastEventOf{r[0][0].as<std::string>(), r[0][1].as<int64_t>(), r[0][2].as<int64_t>()};
}

void StatsStore::AddToRollups(const std::vector<RollupRow>& changes) {
  if (changes.empty()) return;
  std::vector<std::string> items;
  items.reserve(changes.size());
  for (const RollupRow& c : changes) {
    items.push_back(absl::StrCat("{\"country\":", JsonString(c.country), ",\"year\":", c.year,
                                 ",\"month\":", c.month, ",\"measure\":", JsonString(c.measure),
                                 ",\"dimension\":", JsonString(c.dimension),
                                 ",\"category\":", JsonString(c.category), ",\"n\":", c.n, "}"));
  }
  ExecPrepared0(
      tx_, "stats_rollups_add",
      "INSERT INTO stats.rollup AS r (country, year, month, measure, dimension, category, n) "
      "SELECT x.country, x.year, x.month, x.measure, x.dimension, x.category, x.n "
      "FROM jsonb_to_recordset($1::jsonb) AS x (country text, year integer, month integer, "
      "measure text, dimension text, category text, n bigint) "
      "ON CONFLICT (country, year, month, measure, dimension, category) "
      "DO UPDATE SET n = r.n + EXCLUDED.n",
      "[" + absl::StrJoin(items, ",") + "]");
}

namespace {

// The rows as the JSON array the statements below read with jsonb_to_recordset.
std::string ContactPresenceJson(const std::vector<ContactPresenceRow>& rows) {
  std::vector<std::string> items;
  items.reserve(rows.size());
  for (const ContactPresenceRow& c : rows) {
    items.push_back(absl::StrCat("{\"case_id\":", JsonString(c.case_id),
                                 ",\"country\":", JsonString(c.country), ",\"year\":", c.year,
                                 ",\"month\":", c.month, ",\"dimension\":", JsonString(c.dimension),
                                 ",\"category\":", JsonString(c.category), ",\"n\":", c.n, "}"));
  }
  return "[" + absl::StrJoin(items, ",") + "]";
}

constexpr char kContactPresenceRecords[] =
    "jsonb_to_recordset($1::jsonb) AS x (case_id uuid, country text, year integer, "
    "month integer, dimension text, category text, n bigint)";

}  // namespace

void StatsStore::AddToContactPresence(const std::vector<ContactPresenceRow>& changes) {
  if (changes.empty()) return;
  // One statement: a count reaching 0 removes its row, so the table holds presence only.
  // Planned at every call, never prepared: a plan cached while the table was small (a hash join
  // over all of it) would be kept as it grows to millions of rows; planned afresh, the join
  // probes the primary key for each change.
  tx_.exec_params0(
      absl::StrCat(
          "MERGE INTO stats.contact_presence AS p USING (SELECT * FROM ", kContactPresenceRecords,
          ") AS x "
          "ON p.case_id = x.case_id AND p.country = x.country AND p.year = x.year "
          "AND p.month = x.month AND p.dimension = x.dimension AND p.category = x.category "
          "WHEN MATCHED AND p.n + x.n = 0 THEN DELETE "
          "WHEN MATCHED THEN UPDATE SET n = p.n + x.n "
          "WHEN NOT MATCHED THEN INSERT (case_id, country, year, month, dimension, category, n) "
          "VALUES (x.case_id, x.country, x.year, x.month, x.dimension, x.category, x.n)"),
      ContactPresenceJson(changes));
}

void StatsStore::InsertContactPresence(const std::vector<ContactPresenceRow>& rows) {
  if (rows.empty()) return;
  ExecPrepared0(tx_, "stats_contact_presence_insert",
                absl::StrCat("INSERT INTO stats.contact_presence "
                             "(case_id, country, year, month, dimension, category, n) "
                             "SELECT case_id, country, year, month, dimension, category, n FROM ",
                             kContactPresenceRecords),
                ContactPresenceJson(rows));
}

void StatsStore::Clear() {
  tx_.exec0("DELETE FROM stats.rollup");
  tx_.exec0("DELETE FROM stats.contact_presence");
  tx_.exec0("DELETE FROM stats.case_state");
  tx_.exec0("DELETE FROM stats.contact_state");
  SaveCursor(StreamCursor{});
}

std::vector<RollupRow> StatsStore::Rollups(const std::string& country, int from_year, int to_year,
                                           bool with_days) {
  // Without the DAYS rows the condition is spelled out, so that rollup_tables_idx applies.
  const pqxx::result r = ExecPrepared(
      tx_, with_days ? "stats_rollups_with_days" : "stats_rollups",
      absl::StrCat("SELECT ", kRollupColumns,
                   " FROM stats.rollup WHERE country = $1 AND year BETWEEN $2 AND $3 AND n > 0",
                   with_days ? "" : " AND dimension <> 'DAYS'"),
      country, from_year, to_year);
  std::vector<RollupRow> rows;
  rows.reserve(r.size());
  for (const pqxx::row& row : r) rows.push_back(RollupFrom(row));
  return rows;
}

std::vector<RollupRow> StatsStore::CumulativeBefore(const std::string& country, int year) {
  const pqxx::result r = ExecPrepared(
      tx_, "stats_cumulative_before",
      "SELECT country, 0, 0, measure, dimension, category, sum(n)::bigint FROM stats.rollup "
      "WHERE country = $1 AND year < $2 AND measure IN ('MEASURE_CASES_OPENED', "
      "'MEASURE_CASES_RESOLVED') AND dimension IN ('TOTAL', 'DIMENSION_CASE_TYPE') "
      "GROUP BY country, measure, dimension, category",
      country, year);
  std::vector<RollupRow> rows;
  rows.reserve(r.size());
  for (const pqxx::row& row : r) rows.push_back(RollupFrom(row));
  return rows;
}

std::vector<RollupRow> StatsStore::AllRollups() {
  const pqxx::result r =
      tx_.exec(absl::StrCat("SELECT ", kRollupColumns,
                            " FROM stats.rollup WHERE n > 0 ORDER BY "
                            "country, year, month, measure, dimension, category"));
  std::vector<RollupRow> rows;
  rows.reserve(r.size());
  for (const pqxx::row& row : r) rows.push_back(RollupFrom(row));
  return rows;
}

std::vector<std::string> StatsStore::Countries(int from_year, int to_year) {
  const pqxx::result r = ExecPrepared(
      tx_, "stats_countries",
      "SELECT DISTINCT country FROM stats.rollup WHERE year BETWEEN $1 AND $2 AND n > 0 "
      "ORDER BY country",
      from_year, to_year);
  std::vector<std::string> countries;
  for (const pqxx::row& row : r) countries.push_back(row[0].as<std::string>());
  return countries;
}

std::vector<RollupRow> StatsStore::Recount(const std::string& country) {
  const pqxx::result r =
      ExecPrepared(tx_, "stats_recount",
                   absl::StrCat("SELECT ", kRollupColumns,
                                " FROM cases.statistical_recount(NULLIF($1, '')) ORDER BY "
                                "country, year, month, measure, dimension, category"),
                   country);
  std::vector<RollupRow> rows;
  rows.reserve(r.size());
  for (const pqxx::row& row : r) rows.push_back(RollupFrom(row));
  return rows;
}

std::vector<ContactCasesRow> StatsStore::ContactCases(const std::string& country, int from_year,
                                                      int to_year) {
  return ContactCasesFrom(
      ExecPrepared(tx_, "stats_contact_cases",
                   absl::StrCat(kContactCasesSelect, "country = $1 AND year BETWEEN $2 AND $3",
                                kContactCasesGroups),
                   country, from_year, to_year));
}

std::vector<ContactCasesRow> StatsStore::AllContactCases() {
  return ContactCasesFrom(tx_.exec(absl::StrCat(kContactCasesSelect, "true", kContactCasesGroups)));
}

std::vector<ContactCasesRow> StatsStore::ContactCasesRecount(const std::string& country) {
  return ContactCasesFrom(
      ExecPrepared(tx_, "stats_contact_cases_recount",
                   "SELECT country, year, slot, dimension, category, cases "
                   "FROM cases.statistical_contact_cases_recount(NULLIF($1, ''))",
                   country));
}

std::vector<RollupRow> StatsStore::ContactPresenceSums() {
  const pqxx::result r = tx_.exec(
      "SELECT country, year, month, 'MEASURE_CONTACTS', dimension, category, sum(n)::bigint "
      "FROM stats.contact_presence GROUP BY country, year, month, dimension, category");
  std::vector<RollupRow> rows;
  rows.reserve(r.size());
  for (const pqxx::row& row : r) rows.push_back(RollupFrom(row));
  std::sort(rows.begin(), rows.end(), [](const RollupRow& a, const RollupRow& b) {
    return std::tie(a.country, a.year, a.month, a.dimension, a.category) <
           std::tie(b.country, b.year, b.month, b.dimension, b.category);
  });
  return rows;
}

}  // namespace consular::storage

#include "storage/records_store.h"

#include <google/protobuf/util/time_util.h>

#include <map>
#include <stdexcept>
#include <utility>

#include "absl/strings/match.h"
#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

using consular::v1::DestructionItem;
using consular::v1::DestructionList;
using consular::v1::LegalHold;
using consular::v1::RetentionSchedule;
using google::protobuf::util::TimeUtil;

constexpr char kScheduleColumns[] =
    "s.case_type, COALESCE(s.outcome, ''), s.version, s.retention_years, s.changed_by, " MICROS(
        "s.changed_at") ", s.reason";

// $1 include history.
constexpr char kSchedules[] =
    "SELECT %s FROM cases.retention_schedules s WHERE $1 OR s.version = "
    "(SELECT max(n.version) FROM cases.retention_schedules n WHERE n.case_type = s.case_type "
    "AND n.outcome IS NOT DISTINCT FROM s.outcome) "
    "ORDER BY s.case_type, s.outcome NULLS FIRST, s.version DESC";

constexpr char kScheduleLock[] =
    "SELECT pg_advisory_xact_lock(hashtext('cases.retention_schedules'))";

// $1 type, $2 outcome ('' default), $3 years, $4 by, $5 at, $6 reason.
constexpr char kInsertSchedule[] =
    "INSERT INTO cases.retention_schedules (case_type, outcome, version, retention_years, "
    "changed_by, changed_at, reason) SELECT $1, NULLIF($2, ''), COALESCE(max(s.version), 0) + 1, "
    "$3, $4, " FROM_MICROS("$5") ", $6 FROM cases.retention_schedules s "
    "WHERE s.case_type = $1 AND s.outcome IS NOT DISTINCT FROM NULLIF($2, '') "
    "RETURNING case_type, COALESCE(outcome, ''), version, retention_years, changed_by, " MICROS(
        "changed_at") ", reason";

constexpr char kFindCase[] =
    "SELECT id::text, reference, handling_post, status, anonymised "
    "FROM cases.case_for_records($1)";

constexpr char kHoldColumns[] =
    "h.id::text, h.case_id::text, h.case_reference, h.handling_post, h.reason, h.placed_by, "
    "h.placed_by_role, COALESCE(h.placed_by_unit, ''), " MICROS("h.placed_at") ", "
    "h.lifted_at IS NULL, COALESCE(h.lifted_by, ''), COALESCE(" MICROS("h.lifted_at") ", 0), "
    "COALESCE(h.lift_reason, '')";

constexpr char kInsertHold[] =
    "INSERT INTO cases.legal_holds (id, case_id, case_reference, handling_post, reason, "
    "placed_by, placed_by_role, placed_by_unit, placed_at) VALUES ($1::uuid, $2::uuid, $3, $4, $5, "
    "$6, $7, NULLIF($8, ''), " FROM_MICROS("$9") ")";

constexpr char kLiftHold[] =
    "UPDATE cases.legal_holds SET lifted_by = $2, lifted_at = " FROM_MICROS("$3") ", "
    "lift_reason = $4 WHERE id = $1::uuid AND lifted_at IS NULL";

// $1 case id ('' any), $2 include lifted, $3 limit.
constexpr char kListHolds[] =
    "FROM cases.legal_holds h WHERE ($1 = '' OR h.case_id = NULLIF($1, '')::uuid) "
    "AND ($2 OR h.lifted_at IS NULL) ORDER BY h.placed_at DESC, h.id DESC LIMIT $3";

constexpr char kPropose[] =
    "SELECT number, items FROM cases.propose_destruction_list($1::uuid, $2::date, NULLIF($3, "
    "''), " FROM_MICROS("$4") ")";

// The items the caller sees are counted (row-level security filters them).
constexpr char kListColumns[] =
    "l.id::text, l.number, l.cut_off::text, l.proposed_by, " MICROS("l.proposed_at") ", l.state, "
    "COALESCE(l.processed_by, ''), COALESCE(" MICROS("l.processed_at") ", 0), "
    "(SELECT count(*) FROM cases.destruction_items i WHERE i.list_id = l.id)::integer";

constexpr char kFindList[] =
    "FROM cases.destruction_lists l WHERE l.id::text = lower($1) OR l.number = upper($1)";

constexpr char kListLists[] =
    "FROM cases.destruction_lists l ORDER BY l.proposed_at DESC, l.id DESC LIMIT $1";

constexpr char kItems[] =
    "SELECT i.case_id::text, i.case_reference, i.case_type, COALESCE(i.outcome, ''), "
    "i.handling_post, " MICROS("i.closed_at") ", i.archive_action_date::text, "
    "COALESCE(i.result, '') FROM cases.destruction_items i WHERE i.list_id = $1::uuid "
    "ORDER BY i.case_reference";

constexpr char kReviews[] =
    "SELECT r.case_id::text, r.slot, r.decision, r.reason, r.reviewed_by, r.reviewer_role, "
    MICROS("r.reviewed_at") " FROM cases.destruction_reviews r WHERE r.list_id = $1::uuid "
    "ORDER BY r.case_id, r.slot";

constexpr char kInsertReview[] =
    "INSERT INTO cases.destruction_reviews (list_id, case_id, slot, decision, reason, "
    "reviewed_by, reviewer_role, reviewer_unit, reviewed_at) VALUES ($1::uuid, $2::uuid, $3, $4, "
    "$5, $6, $7, NULLIF($8, ''), " FROM_MICROS("$9") ") ON CONFLICT DO NOTHING";

constexpr char kProcess[] =
    "SELECT case_id::text, case_reference, result FROM "
    "cases.process_destruction_list($1::uuid, " FROM_MICROS("$2") ")";

std::string WithColumns(const char* format, const char* columns) {
  char buffer[2048];
  const int n = std::snprintf(buffer, sizeof buffer, format, columns);
  if (n < 0 || static_cast<size_t>(n) >= sizeof buffer) throw std::logic_error("SQL too long");
  return buffer;
}

std::string Select(const char* columns, const char* rest) {
  return std::string("SELECT ") + columns + " " + rest;
}

RetentionSchedule ScheduleFromRow(const pqxx::row& row) {
  RetentionSchedule s;
  s.set_case_type(ParseStoredEnum<consular::v1::CaseType>(row[0].as<std::string>(),
                                                          consular::v1::CaseType_Parse));
  s.set_outcome(ParseStoredEnum<consular::v1::Outcome>(row[1].as<std::string>(),
                                                       consular::v1::Outcome_Parse));
  s.set_version(row[2].as<int>());
  s.set_retention_years(row[3].as<int>());
  s.set_changed_by(row[4].as<std::string>());
  *s.mutable_changed_at() = TimeUtil::MicrosecondsToTimestamp(row[5].as<int64_t>());
  s.set_reason(row[6].as<std::string>());
  return s;
}

LegalHold HoldFromRow(const pqxx::row& row) {
  LegalHold h;
  h.set_id(row[0].as<std::string>());
  h.set_case_id(row[1].as<std::string>());
  h.set_case_reference(row[2].as<std::string>());
  h.set_handling_unit(row[3].as<std::string>());
  h.set_reason(row[4].as<std::string>());
  h.set_placed_by(row[5].as<std::string>());
  h.set_placed_by_role(
      ParseStoredEnum<consular::v1::Role>(row[6].as<std::string>(), consular::v1::Role_Parse));
  h.set_placed_by_unit(row[7].as<std::string>());
  *h.mutable_placed_at() = TimeUtil::MicrosecondsToTimestamp(row[8].as<int64_t>());
  h.set_active(row[9].as<bool>());
  h.set_lifted_by(row[10].as<std::string>());
  if (const int64_t lifted = row[11].as<int64_t>(); lifted != 0) {
    *h.mutable_lifted_at() = TimeUtil::MicrosecondsToTimestamp(lifted);
  }
  h.set_lift_reason(row[12].as<std::string>());
  return h;
}

template <typename Enum, typename Parse>
Enum Prefixed(const std::string& prefix, const std::string& stored, Parse parse) {
  return stored.empty() ? Enum{} : ParseStoredEnum<Enum>(prefix + stored, parse);
}

// "REVIEW_SLOT_AUDITOR" -> "AUDITOR".
std::string Unprefixed(const std::string& name, const std::string& prefix) {
  if (!absl::StartsWith(name, prefix)) throw std::logic_error("unexpected enum name " + name);
  return name.substr(prefix.size());
}

}  // namespace

RecordsStore::RecordsStore(pqxx::transaction_base& tx) : tx_(tx) {}

std::vector<RetentionSchedule> RecordsStore::Schedules(bool include_history) {
  std::vector<RetentionSchedule> out;
  for (const auto& row : ExecPrepared(tx_, "records_schedules",
                                      WithColumns(kSchedules, kScheduleColumns), include_history)) {
    out.push_back(ScheduleFromRow(row));
  }
  return out;
}

RetentionSchedule RecordsStore::InsertScheduleVersion(consular::v1::CaseType type,
                                                      consular::v1::Outcome outcome, int years,
                                                      const std::string& changed_by,
                                                      int64_t at_micros,
                                                      const std::string& reason) {
  ExecPrepared(tx_, "records_schedule_lock", kScheduleLock);
  const std::string outcome_name =
      outcome == consular::v1::OUTCOME_UNSPECIFIED ? "" : consular::v1::Outcome_Name(outcome);
  return ScheduleFromRow(ExecPrepared1(tx_, "records_schedule_insert", kInsertSchedule,
                                       consular::v1::CaseType_Name(type), outcome_name, years,
                                       changed_by, at_micros, reason));
}

std::optional<RecordsCase> RecordsStore::FindCase(const std::string& id_or_reference) {
  const pqxx::result r = ExecPrepared(tx_, "records_find_case", kFindCase, id_or_reference);
  if (r.empty()) return std::nullopt;
  return RecordsCase{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                     r[0][2].as<std::string>(), r[0][3].as<std::string>(), r[0][4].as<bool>()};
}

void RecordsStore::InsertHold(const LegalHold& hold) {
  ExecPrepared0(tx_, "records_hold_insert", kInsertHold, hold.id(), hold.case_id(),
                hold.case_reference(), hold.handling_unit(), hold.reason(), hold.placed_by(),
                consular::v1::Role_Name(hold.placed_by_role()), hold.placed_by_unit(),
                Micros(hold.placed_at()));
}

std::optional<LegalHold> RecordsStore::FindHold(const std::string& id, bool lock) {
  const std::string sql = std::string("SELECT ") + kHoldColumns +
                          " FROM cases.legal_holds h WHERE h.id = $1::uuid" +
                          (lock ? " FOR UPDATE" : "");
  const pqxx::result r =
      ExecPrepared(tx_, lock ? "records_hold_find_locked" : "records_hold_find", sql, id);
  if (r.empty()) return std::nullopt;
  return HoldFromRow(r[0]);
}

bool RecordsStore::LiftHold(const std::string& id, const std::string& lifted_by, int64_t at_micros,
                            const std::string& reason) {
  return ExecPrepared(tx_, "records_hold_lift", kLiftHold, id, lifted_by, at_micros, reason)
             .affected_rows() == 1;
}

std::vector<LegalHold> RecordsStore::ListHolds(const std::string& case_id, bool include_lifted,
                                               int limit) {
  std::vector<LegalHold> out;
  for (const auto& row : ExecPrepared(tx_, "records_hold_list", Select(kHoldColumns, kListHolds),
                                      case_id, include_lifted, limit)) {
    out.push_back(HoldFromRow(row));
  }
  return out;
}

bool RecordsStore::ProposeList(const std::string& id, const std::string& cut_off,
                               const std::string& month, int64_t at_micros) {
  return !ExecPrepared(tx_, "records_list_propose", kPropose, id, cut_off, month, at_micros)
              .empty();
}

int64_t RecordsStore::CountDue(const std::string& cut_off) {
  return ExecPrepared1(tx_, "records_count_due", "SELECT cases.count_due_for_destruction($1::date)",
                       cut_off)[0]
      .as<int64_t>();
}

bool RecordsStore::MonthListExists(const std::string& month) {
  return ExecPrepared1(tx_, "records_month_list_exists",
                       "SELECT EXISTS (SELECT FROM cases.destruction_lists l "
                       "WHERE l.scheduled_month = $1)",
                       month)[0]
      .as<bool>();
}

DestructionList RecordsStore::ListFromRow(const pqxx::row& row) const {
  DestructionList l;
  l.set_id(row[0].as<std::string>());
  l.set_number(row[1].as<std::string>());
  *l.mutable_cut_off() = ParseDate(row[2].as<std::string>());
  l.set_proposed_by(row[3].as<std::string>());
  *l.mutable_proposed_at() = TimeUtil::MicrosecondsToTimestamp(row[4].as<int64_t>());
  l.set_state(Prefixed<consular::v1::DestructionListState>(
      "DESTRUCTION_LIST_STATE_", row[5].as<std::string>(),
      consular::v1::DestructionListState_Parse));
  l.set_processed_by(row[6].as<std::string>());
  if (const int64_t processed = row[7].as<int64_t>(); processed != 0) {
    *l.mutable_processed_at() = TimeUtil::MicrosecondsToTimestamp(processed);
  }
  l.set_item_count(row[8].as<int>());
  return l;
}

std::optional<DestructionList> RecordsStore::FindList(const std::string& id_or_number,
                                                      bool with_items) {
  const pqxx::result r =
      ExecPrepared(tx_, "records_list_find", Select(kListColumns, kFindList), id_or_number);
  if (r.empty()) return std::nullopt;
  DestructionList list = ListFromRow(r[0]);
  if (!with_items) return list;
  std::map<std::string, DestructionItem*> by_case;
  for (const auto& row : ExecPrepared(tx_, "records_list_items", kItems, list.id())) {
    DestructionItem* item = list.add_items();
    item->set_case_id(row[0].as<std::string>());
    item->set_case_reference(row[1].as<std::string>());
    item->set_case_type(ParseStoredEnum<consular::v1::CaseType>(row[2].as<std::string>(),
                                                                consular::v1::CaseType_Parse));
    item->set_outcome(ParseStoredEnum<consular::v1::Outcome>(row[3].as<std::string>(),
                                                             consular::v1::Outcome_Parse));
    item->set_handling_unit(row[4].as<std::string>());
    *item->mutable_closed_at() = TimeUtil::MicrosecondsToTimestamp(row[5].as<int64_t>());
    *item->mutable_archive_action_date() = ParseDate(row[6].as<std::string>());
    item->set_result(Prefixed<consular::v1::DestructionResult>(
        "DESTRUCTION_RESULT_", row[7].as<std::string>(), consular::v1::DestructionResult_Parse));
    by_case[item->case_id()] = item;
  }
  for (const auto& row : ExecPrepared(tx_, "records_list_reviews", kReviews, list.id())) {
    const auto it = by_case.find(row[0].as<std::string>());
    if (it == by_case.end()) continue;  // a review of an item the caller does not see
    consular::v1::DestructionReview* review = it->second->add_reviews();
    review->set_slot(Prefixed<consular::v1::ReviewSlot>("REVIEW_SLOT_", row[1].as<std::string>(),
                                                        consular::v1::ReviewSlot_Parse));
    review->set_decision(Prefixed<consular::v1::ReviewDecision>(
        "REVIEW_DECISION_", row[2].as<std::string>(), consular::v1::ReviewDecision_Parse));
    review->set_reason(row[3].as<std::string>());
    review->set_reviewed_by(row[4].as<std::string>());
    review->set_reviewer_role(
        ParseStoredEnum<consular::v1::Role>(row[5].as<std::string>(), consular::v1::Role_Parse));
    *review->mutable_reviewed_at() = TimeUtil::MicrosecondsToTimestamp(row[6].as<int64_t>());
  }
  return list;
}

std::vector<DestructionList> RecordsStore::ListLists(int limit) {
  std::vector<DestructionList> out;
  for (const auto& row :
       ExecPrepared(tx_, "records_list_list", Select(kListColumns, kListLists), limit)) {
    out.push_back(ListFromRow(row));
  }
  return out;
}

bool RecordsStore::InsertReview(const std::string& list_id, const std::string& case_id,
                                consular::v1::ReviewSlot slot,
                                consular::v1::ReviewDecision decision, const std::string& reason,
                                const std::string& reviewed_by, const std::string& reviewer_role,
                                const std::string& reviewer_unit, int64_t at_micros) {
  return ExecPrepared(tx_, "records_review_insert", kInsertReview, list_id, case_id,
                      Unprefixed(consular::v1::ReviewSlot_Name(slot), "REVIEW_SLOT_"),
                      Unprefixed(consular::v1::ReviewDecision_Name(decision), "REVIEW_DECISION_"),
                      reason, reviewed_by, reviewer_role, reviewer_unit, at_micros)
             .affected_rows() == 1;
}

std::vector<ProcessedItem> RecordsStore::ProcessList(const std::string& list_id,
                                                     int64_t at_micros) {
  std::vector<ProcessedItem> out;
  for (const auto& row : ExecPrepared(tx_, "records_list_process", kProcess, list_id, at_micros)) {
    out.push_back(ProcessedItem{row[0].as<std::string>(), row[1].as<std::string>(),
                                ParseStoredEnum<consular::v1::DestructionResult>(
                                    "DESTRUCTION_RESULT_" + row[2].as<std::string>(),
                                    consular::v1::DestructionResult_Parse)});
  }
  return out;
}

}  // namespace consular::storage

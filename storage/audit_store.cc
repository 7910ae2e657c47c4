#include "storage/audit_store.h"

#include <cstdio>
#include <stdexcept>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/error_report.h"
#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

constexpr char kInsertEvent[] =
    "INSERT INTO audit.events (occurred_at, actor, actor_role, actor_post, action, case_id, "
    "purpose, outcome, emergency, correlation_id, returned_case_ids) VALUES (" FROM_MICROS("$1")
    ", $2, $3, $4, $5, NULLIF($6, '')::uuid, NULLIF($7, ''), $8, $9, NULLIF($10, ''), "
    "NULLIF($11, '')::uuid[])";

// $1 actor, $2 case id, $3 action, $4/$5 since/until micros ('' = none), $6/$7 cursor micros/id
// ('' = first page), $8 limit.
constexpr char kListEvents[] =
    "SELECT e.id, " MICROS("e.occurred_at") ", e.actor, e.actor_role, e.actor_post, e.action, "
    "COALESCE(e.case_id::text, ''), COALESCE(e.purpose, ''), e.outcome, e.emergency, "
    "COALESCE(e.correlation_id, ''), COALESCE(c.seq, 0), "
    "COALESCE(array_to_string(e.returned_case_ids, ','), '') "
    "FROM audit.events e LEFT JOIN audit.chain c ON c.event_id = e.id "
    "WHERE ($1 = '' OR e.actor = $1) "
    "AND ($2 = '' OR e.case_id = NULLIF($2, '')::uuid "
    "OR e.returned_case_ids @> ARRAY[NULLIF($2, '')::uuid]) "
    "AND ($3 = '' OR e.action = $3) "
    "AND ($4 = '' OR e.occurred_at >= " FROM_MICROS("NULLIF($4, '')") ") "
    "AND ($5 = '' OR e.occurred_at < " FROM_MICROS("NULLIF($5, '')") ") "
    "AND ($6 = '' OR (e.occurred_at, e.id) < (" FROM_MICROS("NULLIF($6, '')") ", "
    "NULLIF($7, '')::bigint)) "
    "ORDER BY e.occurred_at DESC, e.id DESC LIMIT $8";

// How long the audit row of a failed call may take to write, whatever the call's deadline.
constexpr absl::Duration kFailureRecordTimeout = absl::Seconds(5);

std::string OptionalMicros(const std::optional<int64_t>& micros) {
  return micros.has_value() ? std::to_string(*micros) : std::string();
}


}  // namespace

void InsertAuditRecord(pqxx::transaction_base& tx, const AuditRecord& record) {
  if (record.actor.empty() || record.actor_role.empty() || record.action.empty() ||
      record.outcome.empty()) {
    throw std::invalid_argument("audit record without actor, actor_role, action or outcome");
  }
  ExecPreparedAtCommit(tx, "audit_event_insert", kInsertEvent, absl::ToUnixMicros(record.occurred_at),
                record.actor, record.actor_role, record.actor_post, record.action, record.case_id,
                record.purpose, record.outcome, record.emergency, record.correlation_id,
                record.returned_case_ids.empty()
                    ? std::string()
                    : absl::StrCat("{", absl::StrJoin(record.returned_case_ids, ","), "}"));
}

std::string AuditOutcome(const absl::Status& status) {
  return absl::StatusCodeToString(status.code());
}

absl::Status RunAudited(TransactionRunner* runner, absl::Time deadline, const AuditRecord& record,
                        const AuditedWork& work, Isolation isolation, const SessionScope* scope) {
  AuditRecord last = record;
  const absl::Status status = runner->Run(
      deadline,
      [&](pqxx::transaction_base& tx) -> absl::Status {
        last = record;  // each attempt starts afresh; kept as work left it, even if it threw
        const absl::Status work_status = work(tx, &last);
        if (!work_status.ok()) return work_status;
        AuditRecord done = last;
        done.outcome = AuditOutcome(absl::OkStatus());
        InsertAuditRecord(tx, done);
        return absl::OkStatus();
      },
      isolation, scope);
  if (status.ok()) return status;

  last.outcome = AuditOutcome(status);
  if (last.correlation_id.empty()) last.correlation_id = CorrelationIdOf(status);
  const absl::Status recorded =
      runner->Run(runner->clock().Now() + kFailureRecordTimeout, [&](pqxx::transaction_base& tx) {
        InsertAuditRecord(tx, last);
        return absl::OkStatus();
      });
  if (!recorded.ok()) {
    // Only the action and codes: the log holds no personal data.
    const std::string line = absl::StrCat("audit: could not record the failed call ", last.action,
                                          " (", last.outcome, "): ", recorded.ToString(), "\n");
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
  return status;
}

std::vector<StoredAuditEvent> ListAuditEvents(pqxx::transaction_base& tx, const AuditFilter& filter,
                                              const std::optional<AuditCursor>& after, int limit) {
  const pqxx::result rows =
      ExecPrepared(tx, "audit_event_list", kListEvents, filter.actor, filter.case_id, filter.action,
                   OptionalMicros(filter.since_micros), OptionalMicros(filter.until_micros),
                   after.has_value() ? std::to_string(after->occurred_at_micros) : std::string(),
                   after.has_value() ? std::to_string(after->id) : std::string(), limit);
  std::vector<StoredAuditEvent> events;
  events.reserve(rows.size());
  for (const pqxx::row& row : rows) {
    StoredAuditEvent event;
    event.id = row[0].as<int64_t>();
    event.occurred_at_micros = row[1].as<int64_t>();
    event.actor = row[2].as<std::string>();
    event.actor_role = row[3].as<std::string>();
    event.actor_post = row[4].as<std::string>();
    event.action = row[5].as<std::string>();
    event.case_id = row[6].as<std::string>();
    event.purpose = row[7].as<std::string>();
    event.outcome = row[8].as<std::string>();
    event.emergency = row[9].as<bool>();
    event.correlation_id = row[10].as<std::string>();
    event.chain_seq = row[11].as<int64_t>();
    const std::string returned = row[12].as<std::string>();
    if (!returned.empty()) event.returned_case_ids = absl::StrSplit(returned, ',');
    events.push_back(std::move(event));
  }
  return events;
}

std::optional<std::string> CaseIdOfReference(pqxx::transaction_base& tx,
                                             const std::string& reference) {
  const pqxx::result r = ExecPrepared(tx, "audit_case_id_of_reference",
                                      "SELECT cases.case_id_of_reference($1)::text", reference);
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  return r[0][0].as<std::string>();
}

}  // namespace consular::storage

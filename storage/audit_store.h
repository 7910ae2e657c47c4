#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storage/transaction_runner.h"

// The audit trail's SQL (schema "audit", storage/migrations/0002_audit.sql): writing one row per
// call, and listing them for the auditor. Chaining is in audit_chain.h, verification in
// audit_verification.h.
namespace consular::storage {

// One audited call. Only these fields can be recorded: never a name, a date of birth or note text.
struct AuditRecord {
  std::string actor;           // the token's subject; required
  std::string actor_role;      // the role name without prefix, e.g. "CONSULAR_OFFICER"; required
  std::string actor_post;      // "" for roles without a post
  std::string action;          // "<Service>.<Method>", e.g. "CaseService.GetCase"; required
  std::string case_id;         // the case's UUID; "" = none
  std::string purpose;         // why, as stated by the caller; "" = none
  std::string outcome;         // the status code name, e.g. "OK", "NOT_FOUND"; see AuditOutcome
  std::string correlation_id;  // ties the row to a server log line; "" = none
  bool emergency = false;      // emergency ("break-glass") access
  absl::Time occurred_at;      // stored to the microsecond
  // The cases a search returned to the caller (UUIDs, in the order returned); empty = none.
  std::vector<std::string> returned_case_ids;
};

// Inserts the record in the caller's transaction (so it commits or rolls back with the work).
// Throws std::invalid_argument if actor, actor_role, action or outcome is empty, and libpqxx
// exceptions (e.g. for a case_id that is not a UUID), which the TransactionRunner maps to INTERNAL:
// the call then fails with its audit row. In a transaction of a TransactionRunner the row is sent
// with COMMIT (ExecPreparedAtCommit), so a database error in it fails the commit.
void InsertAuditRecord(pqxx::transaction_base& tx, const AuditRecord& record);

// The outcome column for a call that ended with `status`: its code name ("OK", "NOT_FOUND",
// "PERMISSION_DENIED", ...).
std::string AuditOutcome(const absl::Status& status);

// The work of an audited call. It may fill in the record's case_id, purpose or emergency flag
// once known; its changes to *record are kept even when it fails.
using AuditedWork = std::function<absl::Status(pqxx::transaction_base&, AuditRecord* record)>;

// Runs `work` in one transaction with `runner` and records `record` for it, so that every call,
// allowed or not, leaves exactly one row:
// - work returns OK: the row (outcome "OK") is inserted in the same transaction, which then
//   commits; if that insert or the commit fails, the call fails with the runner's status.
// - work (or the transaction) fails: it rolls back, then the row with that status's outcome is
//   written in a transaction of its own (with its own few seconds, even after `deadline`).
//   Returns work's status either way; a failure to write this row goes to stderr.
// `record.outcome` is ignored. Retries as TransactionRunner::Run does (work must be safe to
// repeat; each attempt starts from `record`). `scope`, if given, is set with BEGIN (see
// TransactionRunner::Run); the row goes to the server with COMMIT (ExecPreparedAtCommit).
absl::Status RunAudited(TransactionRunner* runner, absl::Time deadline, const AuditRecord& record,
                        const AuditedWork& work, Isolation isolation = Isolation::kReadCommitted,
                        const SessionScope* scope = nullptr);

// One row of audit.events as listed, with its place in the chain.
struct StoredAuditEvent {
  int64_t id = 0;
  int64_t occurred_at_micros = 0;  // since the Unix epoch
  std::string actor;
  std::string actor_role;
  std::string actor_post;
  std::string action;
  std::string case_id;  // "" = none
  std::string purpose;
  std::string outcome;
  bool emergency = false;
  std::string correlation_id;
  int64_t chain_seq = 0;  // 0: not chained yet
  std::vector<std::string> returned_case_ids;
};

// Filters of a listing; empty / unset means "any".
struct AuditFilter {
  std::string actor;
  std::string case_id;  // a UUID: the events about it, and the searches that returned it
  std::string action;
  std::optional<int64_t> since_micros;  // occurred_at >= since
  std::optional<int64_t> until_micros;  // occurred_at < until
};

// The sort key of an event in listings: newest first.
struct AuditCursor {
  int64_t occurred_at_micros = 0;
  int64_t id = 0;
};

// Up to `limit` events matching `filter`, newest first (occurred_at, then id, descending), after
// `after` if given. Throws libpqxx exceptions (e.g. a case_id that is not a UUID).
std::vector<StoredAuditEvent> ListAuditEvents(pqxx::transaction_base& tx, const AuditFilter& filter,
                                              const std::optional<AuditCursor>& after, int limit);

// The UUID of the case with this reference (cases.case_id_of_reference: the id only, never the
// case), or nullopt when there is none.
std::optional<std::string> CaseIdOfReference(pqxx::transaction_base& tx,
                                             const std::string& reference);

}  // namespace consular::storage

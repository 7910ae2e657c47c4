#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/transaction_runner.h"

// The audit trail's hash chain (table audit.chain): the row format and hash, and the sequencer that
// chains committed events in batches moments after commit. The verifier is in
// audit_verification.h. See docs/audit.md.
//
// Chain row seq (1, 2, 3, ... without gaps) covers one event:
//   hash = SHA-256(prev_hash || seq as 8 bytes big-endian || CanonicalAuditRow(event))
// where prev_hash is the hash of seq - 1, and 32 zero bytes for seq 1.
namespace consular::storage {

// Every column of an audit.events row, as the chain covers it. NULL columns are nullopt.
struct AuditEventRow {
  int64_t id = 0;
  int64_t occurred_at_micros = 0;
  std::string actor;
  std::string actor_role;
  std::string actor_post;
  std::string action;
  std::optional<std::string> case_id;  // canonical lower-case UUID text
  std::optional<std::string> purpose;
  std::string outcome;
  bool emergency = false;
  std::optional<std::string> correlation_id;
  // The cases a search returned (migration 0020), as comma-separated lower-case UUIDs in the
  // order stored; nullopt when the column is NULL.
  std::optional<std::string> returned_case_ids;
};

// The unambiguous byte encoding of a row that the chain hashes: a version tag, then each column in
// table order; integers as 8 bytes big-endian, the boolean as one byte, texts as a presence byte
// (0 = NULL, 1 = present) followed by the length (4 bytes big-endian) and the bytes. Two rows
// encode alike only if every column is equal. returned_case_ids, the last column, is appended
// only when it is set, so rows written before it existed keep their hashes.
std::string CanonicalAuditRow(const AuditEventRow& row);

// The columns of audit.events (aliased `e`) in table order, as AuditEventFromRow reads them: 12
// columns, the time as microseconds (MICROS of storage/sql_values.h), the case id as text, the
// returned case ids joined by commas. For the SQL of the chain's readers.
#define CONSULAR_AUDIT_EVENT_COLUMNS                                                          \
  "e.id, (extract(epoch from e.occurred_at) * 1000000)::bigint, e.actor, e.actor_role, "      \
  "e.actor_post, e.action, e.case_id::text, e.purpose, e.outcome, e.emergency, "               \
  "e.correlation_id, array_to_string(e.returned_case_ids, ',')"

// Reads the 12 columns of CONSULAR_AUDIT_EVENT_COLUMNS starting at column `first` of `row`.
// Throws libpqxx exceptions if they are not there or are NULL where the table does not allow it.
AuditEventRow AuditEventFromRow(const pqxx::row& row, int first);

// SHA-256(prev_hash || seq (8 bytes big-endian) || canonical_row): 32 raw bytes.
std::string AuditChainHash(const std::string& prev_hash, int64_t seq,
                           const std::string& canonical_row);

struct SequencerOptions {
  // Events chained per transaction (values below 1 count as 1).
  int batch_size = 500;
  // Bound on one round's transaction.
  absl::Duration round_timeout = absl::Seconds(10);
};

// Chains committed, not yet chained audit events. Writers only INSERT into audit.events (no lock,
// no hash); a trigger queues each new event in audit.pending in the writer's transaction. A round
// is one transaction: it takes a transaction-level advisory lock with pg_try_advisory_xact_lock
// (another process holding it means that process chains this round: skip), reads the chain head,
// takes up to batch_size queued events in id order, appends one chain row each and removes them
// from the queue. An event whose transaction commits late (smaller id, later commit) is chained
// in a later round: the chain's order is seq order, not id order. Any number of processes may run
// sequencers on one database. Thread-safe; `runner` must outlive the sequencer.
// How far the chain is behind, as the sequencer saw it at the end of its last successful round.
struct SequencerLag {
  int64_t pending = 0;              // committed events not chained yet
  double oldest_age_seconds = 0;    // age of the oldest of them; 0 when none
  absl::Time measured_at = absl::InfinitePast();  // when (InfinitePast: no round succeeded yet)
};

class AuditSequencer {
 public:
  explicit AuditSequencer(TransactionRunner* runner, SequencerOptions options = {});
  // Stops the background thread if running.
  ~AuditSequencer();
  AuditSequencer(const AuditSequencer&) = delete;
  AuditSequencer& operator=(const AuditSequencer&) = delete;

  // One round. Returns how many events it chained: 0 when nothing was waiting or another process
  // held the lock. Errors as TransactionRunner::Run (UNAVAILABLE when the database is down,
  // DEADLINE_EXCEEDED after round_timeout, INTERNAL otherwise); nothing is chained then.
  absl::StatusOr<int> RunOnce();

  // Starts a background thread that runs rounds until the queue is drained, then waits
  // `interval`, until Stop. Errors go to stderr (once per change of error, not every round).
  // Does nothing if already started.
  void Start(absl::Duration interval) ABSL_LOCKS_EXCLUDED(mu_);
  // Stops the background thread and waits for it (at most one round). Harmless if not started.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  // The lag measured at the end of the last successful round (also a round in which another
  // process held the lock). For the metrics; thread-safe.
  SequencerLag Lag() const ABSL_LOCKS_EXCLUDED(lag_mu_);

 private:
  void Loop(absl::Duration interval) ABSL_LOCKS_EXCLUDED(mu_);

  TransactionRunner* const runner_;
  const SequencerOptions options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // started and joined by Start/Stop, which callers do not race
  mutable absl::Mutex lag_mu_;
  SequencerLag lag_ ABSL_GUARDED_BY(lag_mu_);
};

}  // namespace consular::storage

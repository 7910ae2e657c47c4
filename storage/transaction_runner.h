#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <pqxx/dbtransaction>
#include <pqxx/result>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "storage/connection_pool.h"
#include "storage/row_security.h"

namespace consular::storage {

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

struct RunnerOptions {
  // Attempts per Run, counting the first (values below 1 count as 1).
  int max_attempts = 5;
  // The time a Run with deadline absl::InfiniteFuture() gets.
  absl::Duration default_timeout = absl::Seconds(10);
  // Backoff before retry n (n = 1, 2, ...) is uniformly random in [b/2, b] with
  // b = min(initial_backoff * 2^(n-1), max_backoff), and never past the
  // deadline.
  absl::Duration initial_backoff = absl::Milliseconds(10);
  absl::Duration max_backoff = absl::Milliseconds(200);
  // What deadlines are measured against; must outlive the runner.
  const Clock* clock = &SystemClock();
};

// The transaction a TransactionRunner runs work in. It costs as few round trips as the work allows:
// BEGIN, the statement timeout and (when the runner is given one) the caller's scope go to the
// server as one query; statements deferred with DeferUntilCommit go with COMMIT as one query, so
// nothing waits between them and the commit. Work sees it as a pqxx::transaction_base.
class RunnerTransaction final : public pqxx::dbtransaction {
 public:
  // Starts the transaction at once: `start_sql` must begin with BEGIN (it is sent as it is).
  // `scope` is the session scope that `start_sql` sets, if it sets one (its last statement is
  // then the scope statement of storage::SetSessionScope).
  RunnerTransaction(pqxx::connection_base& connection, std::string start_sql,
                    std::optional<SessionScope> scope);
  ~RunnerTransaction() noexcept override;

  // Whether the start set exactly `scope`; if so, *post_active is the scope statement's answer
  // (see SetSessionScope).
  bool StartedWithScope(const SessionScope& scope, bool* post_active) const;

  // Sends `sql` (one statement, values written into it as quoted literals) together with COMMIT.
  // If it fails, the transaction rolls back and commit() throws what the statement threw.
  void DeferUntilCommit(std::string sql);

 private:
  void do_begin() override;
  void do_commit() override;

  const std::string start_sql_;
  const std::optional<SessionScope> scope_;
  pqxx::result start_result_;
  std::vector<std::string> deferred_;
};

// Runs units of work in PostgreSQL transactions on connections from a
// ConnectionPool, with deadlines, retry of serialization failures and
// deadlocks, and exceptions mapped to statuses. Thread-safe; `pool` must
// outlive the runner.
class TransactionRunner {
 public:
  using Work = std::function<absl::Status(pqxx::transaction_base&)>;

  TransactionRunner(ConnectionPool* pool, RunnerOptions options = {});

  // The clock its deadlines are measured against (RunnerOptions::clock).
  const Clock& clock() const { return *options_.clock; }

  // Runs `work` in one transaction and returns its outcome. Before `work`, sets
  // `SET LOCAL statement_timeout` to the time left until `deadline`
  // (absl::InfiniteFuture() means options.default_timeout from now) and, when
  // `scope` is given, the caller's session scope (SetSessionScope then answers
  // from that without another round trip), in the same round trip as BEGIN. Commits if
  // `work` returns OK; otherwise rolls back and returns work's status
  // unchanged. On serialization failure or deadlock the whole of `work` runs
  // again in a new transaction after a short jittered backoff, up to
  // max_attempts; then ABORTED. `work` may therefore run more than once and
  // must not have effects outside the transaction. A pooled connection found
  // broken before `work` started (e.g. it died while idle) is discarded and
  // the attempt repeated on a fresh one. Status codes besides work's
  // own: DEADLINE_EXCEEDED if the deadline has passed before the start (the
  // database is not touched), a statement timed out, or no connection was free
  // in time; UNAVAILABLE if the connection broke or could not be opened (the
  // connection is discarded) or the commit outcome is unknown; ABORTED as
  // above; INTERNAL "internal error, correlation id <id>" for any other
  // exception, whose detail goes only to stderr under that id. Never throws.
  absl::Status Run(absl::Time deadline, const Work& work,
                   Isolation isolation = Isolation::kReadCommitted,
                   const SessionScope* scope = nullptr);

  // Same as Run, in a read-only transaction (SET TRANSACTION READ ONLY): writes
  // fail with INTERNAL.
  absl::Status RunReadOnly(absl::Time deadline, const Work& work,
                           Isolation isolation = Isolation::kReadCommitted,
                           const SessionScope* scope = nullptr);

 private:
  absl::Status RunWithRetries(absl::Time deadline, const Work& work,
                              Isolation isolation, bool read_only,
                              const SessionScope* scope);

  ConnectionPool* const pool_;
  const RunnerOptions options_;
};

// Maps a libpqxx / std exception to a status: broken connection, database
// shutting down or commit / statement outcome unknown → UNAVAILABLE;
// serialization failure, deadlock or other transaction rollback → ABORTED;
// query canceled (statement timeout) → DEADLINE_EXCEEDED; anything else →
// INTERNAL "internal error, correlation id <id>". UNAVAILABLE and INTERNAL
// write the detail (SQL state, message) to stderr under the correlation id
// given in the returned message; the returned message never carries it. Exposed
// for tests.
absl::Status StatusFromException(const std::exception& e);

}  // namespace consular::storage

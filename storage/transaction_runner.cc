#include "storage/transaction_runner.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <pqxx/except>
#include <pqxx/transaction>
#include <string>
#include <typeinfo>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/error_report.h"

namespace consular::storage {
namespace {

// SQL states (PostgreSQL appendix A) that libpqxx 6.4 reports as plain
// pqxx::sql_error.
constexpr char kQueryCanceled[] = "57014";
constexpr char kAdminShutdown[] = "57P01";
constexpr char kCrashShutdown[] = "57P02";
constexpr char kCannotConnectNow[] = "57P03";
constexpr char kIdleInTransactionTimeout[] = "25P03";

// Ends an attempt: the status to return, and whether the whole work may be run
// again.
struct AttemptResult {
  absl::Status status;
  bool retry = false;
};

bool IsConnectionLoss(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return true;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    return absl::StartsWith(state, "08") || state == kAdminShutdown ||
           state == kCrashShutdown || state == kCannotConnectNow ||
           state == kIdleInTransactionTimeout;
  }
  return false;
}

bool IsRetryableConflict(const std::exception& e) {
  return dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr ||
         dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr;
}

// The statement_timeout for the time left, in whole milliseconds rounded up: at
// least 1 (0 would disable the timeout) and at most what PostgreSQL accepts.
int64_t StatementTimeoutMillis(absl::Duration left) {
  const int64_t millis =
      absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1)));
  return std::clamp<int64_t>(millis, 1, std::numeric_limits<int32_t>::max());
}

// The first query of an attempt: BEGIN with the isolation level and access mode, the statement
// timeout and, with a scope, the scope statement (whose row is the query's result).
std::string StartSql(pqxx::connection_base& connection, Isolation isolation, bool read_only,
                     int64_t timeout_millis, const SessionScope* scope) {
  const char* level = "READ COMMITTED";
  switch (isolation) {
    case Isolation::kRepeatableRead:
      level = "REPEATABLE READ";
      break;
    case Isolation::kSerializable:
      level = "SERIALIZABLE";
      break;
    case Isolation::kReadCommitted:
      break;
  }
  std::string sql = absl::StrCat("BEGIN ISOLATION LEVEL ", level, read_only ? ", READ ONLY" : "",
                                 "; SET LOCAL statement_timeout = ", timeout_millis);
  if (scope != nullptr) absl::StrAppend(&sql, "; ", SessionScopeStatement(connection, *scope));
  return sql;
}

AttemptResult Attempt(pqxx::connection& connection, Isolation isolation, bool read_only,
                      int64_t timeout_millis, const SessionScope* scope,
                      const TransactionRunner::Work& work, bool* connection_broken) {
  bool work_started = false;
  try {
    RunnerTransaction transaction(
        connection, StartSql(connection, isolation, read_only, timeout_millis, scope),
        scope != nullptr ? std::optional<SessionScope>(*scope) : std::nullopt);
    work_started = true;
    absl::Status status = work(transaction);
    if (!status.ok()) {
      try {
        transaction.abort();
      } catch (const std::exception&) {
        // The rollback failed only if the connection did; the server rolls back
        // then anyway.
        *connection_broken = true;
      }
      return {status, false};
    }
    transaction.commit();
    return {absl::OkStatus(), false};
  } catch (const std::exception& e) {
    const bool lost = IsConnectionLoss(e) || !connection.is_open();
    if (lost) *connection_broken = true;
    if (IsRetryableConflict(e)) return {StatusFromException(e), true};
    if (lost && !work_started) {
      // Typically a pooled connection that died while idle (e.g. the server
      // restarted): nothing of `work` ran, so it is safe to try again on a
      // fresh connection.
      return {ReportError(
                  absl::StatusCode::kUnavailable, "database connection lost",
                  absl::StrCat("before the transaction started: ", e.what())),
              true};
    }
    absl::Status status = StatusFromException(e);
    if (lost && status.code() == absl::StatusCode::kInternal) {
      status = WithCorrelationOf(
          absl::UnavailableError(absl::StrCat("database connection lost (", status.message(), ")")),
          status);
    }
    return {status, false};
  } catch (...) {
    return {ReportError(absl::StatusCode::kInternal, "internal error",
                        "non-standard exception thrown in a transaction"),
            false};
  }
}

absl::Duration Backoff(const RunnerOptions& options, int retry) {
  absl::Duration cap = options.initial_backoff;
  for (int i = 1; i < retry && cap < options.max_backoff; ++i) cap *= 2;
  cap = std::min(cap, options.max_backoff);
  if (cap <= absl::ZeroDuration()) return absl::ZeroDuration();
  thread_local absl::BitGen bit_gen;
  return cap * absl::Uniform(bit_gen, 0.5, 1.0);
}

}  // namespace

TransactionRunner::TransactionRunner(ConnectionPool* pool,
                                     RunnerOptions options)
    : pool_(pool), options_(options) {}

absl::Status TransactionRunner::Run(absl::Time deadline, const Work& work,
                                    Isolation isolation, const SessionScope* scope) {
  return RunWithRetries(deadline, work, isolation, /*read_only=*/false, scope);
}

absl::Status TransactionRunner::RunReadOnly(absl::Time deadline,
                                            const Work& work,
                                            Isolation isolation,
                                            const SessionScope* scope) {
  return RunWithRetries(deadline, work, isolation, /*read_only=*/true, scope);
}

absl::Status TransactionRunner::RunWithRetries(absl::Time deadline,
                                               const Work& work,
                                               Isolation isolation,
                                               bool read_only,
                                               const SessionScope* scope) {
  if (deadline == absl::InfiniteFuture())
    deadline = options_.clock->Now() + options_.default_timeout;
  const int max_attempts = std::max(1, options_.max_attempts);
  absl::Status last;
  for (int attempt = 1;; ++attempt) {
    const absl::Duration left = deadline - options_.clock->Now();
    if (left <= absl::ZeroDuration()) {
      if (attempt == 1) {
        return absl::DeadlineExceededError(
            "deadline passed before the transaction started");
      }
      return WithCorrelationOf(
          absl::DeadlineExceededError(absl::StrCat(
              "deadline passed while retrying the transaction (last error: ", last.message(), ")")),
          last);
    }
    absl::StatusOr<ConnectionPool::Lease> lease = pool_->Acquire(deadline);
    if (!lease.ok()) return lease.status();

    bool connection_broken = false;
    const int64_t timeout_millis =
        StatementTimeoutMillis(deadline - options_.clock->Now());
    AttemptResult result = Attempt(lease->connection(), isolation, read_only, timeout_millis,
                                   scope, work, &connection_broken);
    if (connection_broken) lease->MarkBroken();
    if (!result.retry) return result.status;
    last = result.status;
    if (attempt >= max_attempts) {
      if (last.code() == absl::StatusCode::kAborted) {
        return absl::AbortedError(
            absl::StrCat("transaction conflicted with concurrent ones in all ",
                         max_attempts, " attempts"));
      }
      return last;
    }
    // Hand the connection back (or discard it) before sleeping.
    { ConnectionPool::Lease done = std::move(*lease); }
    absl::SleepFor(
        std::min(Backoff(options_, attempt), deadline - options_.clock->Now()));
  }
}

RunnerTransaction::RunnerTransaction(pqxx::connection_base& connection, std::string start_sql,
                                     std::optional<SessionScope> scope)
    : pqxx::internal::namedclass("RunnerTransaction"),
      pqxx::dbtransaction(connection),
      start_sql_(std::move(start_sql)),
      scope_(std::move(scope)) {
  Begin();
}

RunnerTransaction::~RunnerTransaction() noexcept { End(); }

bool RunnerTransaction::StartedWithScope(const SessionScope& scope, bool* post_active) const {
  if (!scope_.has_value() || scope_->subject != scope.subject || scope_->role != scope.role ||
      scope_->post != scope.post || start_result_.size() != 1) {
    return false;
  }
  *post_active = start_result_[0][3].as<bool>();
  return true;
}

void RunnerTransaction::DeferUntilCommit(std::string sql) { deferred_.push_back(std::move(sql)); }

void RunnerTransaction::do_begin() { start_result_ = direct_exec(start_sql_.c_str()); }

void RunnerTransaction::do_commit() {
  std::string sql;
  for (const std::string& statement : deferred_) absl::StrAppend(&sql, statement, "; ");
  sql += "COMMIT";
  try {
    direct_exec(sql.c_str());
  } catch (const pqxx::statement_completion_unknown& e) {
    throw pqxx::in_doubt_error(
        absl::StrCat("commit outcome unknown (", e.what(), ")"));
  } catch (const std::exception& e) {
    if (!conn().is_open()) {
      throw pqxx::in_doubt_error(
          absl::StrCat("connection lost while committing (", e.what(), ")"));
    }
    // A deferred statement failed: the server skipped the rest of the query, COMMIT with it, and
    // the transaction is still open in its failed state. End it here, so the connection goes back
    // to its pool idle. (If COMMIT itself failed, the transaction has ended and the ROLLBACK is a
    // harmless no-op.)
    if (!deferred_.empty()) {
      try {
        direct_exec("ROLLBACK");
      } catch (const std::exception&) {
        // The connection broke: the server rolls back anyway.
      }
    }
    throw;
  }
}

absl::Status StatusFromException(const std::exception& e) {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return ReportError(absl::StatusCode::kUnavailable,
                       "database commit outcome unknown",
                       absl::StrCat("in_doubt_error: ", e.what()));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return ReportError(absl::StatusCode::kUnavailable,
                       "database connection lost",
                       absl::StrCat("broken_connection: ", e.what()));
  }
  if (IsRetryableConflict(e)) {
    return absl::AbortedError(
        "transaction conflicted with a concurrent transaction");
  }
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) {
    return ReportError(
        absl::StatusCode::kUnavailable, "database statement outcome unknown",
        absl::StrCat("statement_completion_unknown: ", e.what()));
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    return absl::AbortedError("transaction rolled back by the database");
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    if (state == kQueryCanceled) {
      return absl::DeadlineExceededError(
          "database statement canceled at the deadline");
    }
    if (IsConnectionLoss(e)) {
      return ReportError(absl::StatusCode::kUnavailable, "database unavailable",
                         absl::StrCat("SQL state ", state, ": ", e.what()));
    }
    return ReportError(
        absl::StatusCode::kInternal, "internal error",
        absl::StrCat("SQL state ", state.empty() ? "unknown" : state, ": ",
                     e.what()));
  }
  return ReportError(
      absl::StatusCode::kInternal, "internal error",
      absl::StrCat("exception ", typeid(e).name(), ": ", e.what()));
}

}  // namespace consular::storage

#pragma once

#include <pqxx/binarystring>
#include <pqxx/transaction_base>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/transaction_runner.h"

namespace consular::storage {

// The stores' statements run as named prepared statements, prepared on a connection the first time
// that connection runs them and reused after. PostgreSQL then plans each statement once per
// connection (or keeps a generic plan) instead of planning it again on every call: with the
// row-level security policies expanded into every query on a case, planning a single-row read took
// several times longer than running it.
//
// Each statement has a readable name, chosen where its SQL is written ("case_find_by_id",
// "contact_insert", "audit_chain_append"), so pg_prepared_statements and the server log
// ("execute case_find_by_id") say what ran. A statement built at run time gets one name per shape
// ("stats_rollups", "stats_rollups_with_days"). Values are always parameters, never part of the
// text, so the number of names stays bounded.

// The longest name PostgreSQL keeps whole (NAMEDATALEN - 1).
inline constexpr size_t kMaxStatementName = 63;

// Records that prepared statement `name` stands for `sql` in this process. Throws std::logic_error
// when `name` is not 1 to 63 characters of [a-z0-9_], or already stands for another text: two
// statements sharing a name would otherwise run each other's SQL, depending on which one a
// connection prepared first. Thread-safe; ExecPrepared calls it on every run.
void CheckStatementName(const std::string& name, const std::string& sql);

// Runs `sql` with `args` as $1, $2, ... like pqxx's exec_params, as the prepared statement `name`
// of the transaction's connection. libpqxx registers the definition once per connection
// (registering the same name with the same text again is a lookup) and prepares it on the server
// at first use.
template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& name,
                          const std::string& sql, Args&&... args) {
  CheckStatementName(name, sql);
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

// ExecPrepared that expects no rows (pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::result ExecPrepared0(pqxx::transaction_base& tx, const std::string& name,
                           const std::string& sql, Args&&... args) {
  CheckStatementName(name, sql);
  tx.conn().prepare(name, sql);
  return tx.exec_prepared0(name, std::forward<Args>(args)...);
}

// ExecPrepared that expects exactly one row and returns it (pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::row ExecPrepared1(pqxx::transaction_base& tx, const std::string& name, const std::string& sql,
                        Args&&... args) {
  CheckStatementName(name, sql);
  tx.conn().prepare(name, sql);
  return tx.exec_prepared1(name, std::forward<Args>(args)...);
}

// ExecPrepared0 for a statement whose result nobody waits for (an audit row): in a transaction of a
// TransactionRunner it is sent with COMMIT, in the same round trip, as `EXECUTE name(...)` with the
// arguments as quoted literals (the statement is prepared on the connection first, if it is not
// yet); an error then fails the commit. In any other transaction it runs at once.
// A value of ExecPreparedAtCommit as an SQL literal.
template <typename T>
std::string QuotedArgument(pqxx::transaction_base& tx, const T& value) {
  return tx.quote(value);
}
inline std::string QuotedArgument(pqxx::transaction_base& tx, const pqxx::binarystring& value) {
  return tx.quote_raw(value.data(), value.size());
}

template <typename... Args>
void ExecPreparedAtCommit(pqxx::transaction_base& tx, const std::string& name,
                          const std::string& sql, Args&&... args) {
  auto* runner_tx = dynamic_cast<RunnerTransaction*>(&tx);
  if (runner_tx == nullptr) {
    ExecPrepared0(tx, name, sql, std::forward<Args>(args)...);
    return;
  }
  CheckStatementName(name, sql);
  tx.conn().prepare(name, sql);
  tx.conn().prepare_now(name);
  std::string statement = absl::StrCat("EXECUTE ", name, "(");
  const char* separator = "";
  ((absl::StrAppend(&statement, separator, QuotedArgument(tx, args)), separator = ", "), ...);
  statement += ")";
  runner_tx->DeferUntilCommit(std::move(statement));
}

}  // namespace consular::storage

#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <utility>

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

}  // namespace consular::storage

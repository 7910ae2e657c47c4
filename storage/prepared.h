#pragma once

#include <cstdint>
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
// The name is derived from the SQL text, so the same text always gets the same name and a
// statement built at run time (a list query with optional filters) gets one name per shape.
// Values are always parameters, never part of the text, so the number of names stays bounded.

// The prepared statement name of `sql`: "consular_" and 16 hex digits of its 64-bit FNV-1a hash.
inline std::string PreparedName(const std::string& sql) {
  uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : sql) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = "consular_";
  for (int shift = 60; shift >= 0; shift -= 4) name += kHex[(hash >> shift) & 0xF];
  return name;
}

// Runs `sql` with `args` as $1, $2, ... like pqxx's exec_params, as a prepared statement of the
// transaction's connection. libpqxx registers the definition once per connection (registering
// the same name with the same text again is a lookup) and prepares it on the server at first use;
// a different text under the same name (a hash collision) throws pqxx::argument_error rather than
// running the wrong statement.
template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  const std::string name = PreparedName(sql);
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

// ExecPrepared that expects no rows (pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::result ExecPrepared0(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  const std::string name = PreparedName(sql);
  tx.conn().prepare(name, sql);
  return tx.exec_prepared0(name, std::forward<Args>(args)...);
}

// ExecPrepared that expects exactly one row and returns it (pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::row ExecPrepared1(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  const std::string name = PreparedName(sql);
  tx.conn().prepare(name, sql);
  return tx.exec_prepared1(name, std::forward<Args>(args)...);
}

}  // namespace consular::storage

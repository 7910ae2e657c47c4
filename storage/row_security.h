#pragma once

#include <pqxx/connection_base>
#include <pqxx/transaction_base>
#include <string>

#include "absl/status/status.h"

namespace consular::storage {

// Who is asking, as the row-level security policies of migration 0004 read it
// (docs/database-roles.md). An empty field means "not known": a transaction
// whose scope lacks the subject, a post role or the post sees no case rows.
struct SessionScope {
  std::string subject;  // the token's subject (staff identifier)
  std::string role;     // the consular.v1.Role enum name, e.g. "ROLE_CONSULAR_OFFICER"
  std::string post;     // the caller's post code, e.g. "RABAT"; "" for roles without a post
};

// Tells PostgreSQL who `tx` runs for: sets consular.subject, consular.role and
// consular.post transaction-locally (set_config(..., true)), so they end with
// the transaction and never leak to the next user of a pooled connection. Call
// it first in every transaction of a service; `tx` must be a real transaction
// (pqxx::work, pqxx::read_transaction), not a nontransaction. Throws what
// libpqxx throws for a failed statement (TransactionRunner maps it to a status).
// Returns whether the scope's post is an active unit of the register of units
// (units.is_active, migration 0014), or true when it has none: a caller whose
// post is not must be refused (RunAuditedCall: UNAUTHENTICATED).
// In a transaction of a TransactionRunner given this scope, it answers from the runner's first
// round trip, which set it already.
bool SetSessionScope(pqxx::transaction_base& tx, const SessionScope& scope);

// The statement SetSessionScope runs, with the scope's values written in as quoted literals (for
// TransactionRunner, which sends it in one query with BEGIN). Its one row's fourth column is
// SetSessionScope's answer.
std::string SessionScopeStatement(pqxx::connection_base& connection, const SessionScope& scope);

// Returns OK if a service connecting with `dsn` is held by row-level security:
// its role is no superuser, has no BYPASSRLS, is no member of a role that is
// either, or of consular_maintenance (whose members pass every policy), owns
// (itself or through a role it belongs to) no table in schemas cases, contacts
// and audit, may not DELETE or TRUNCATE in them nor UPDATE audit rows, and
// every table in schemas cases and contacts has ENABLE and FORCE ROW LEVEL
// SECURITY. FAILED_PRECONDITION naming every problem found (or that schema
// cases has no tables: migrate first); UNAVAILABLE if the database cannot be
// reached or the connection breaks; INTERNAL on any other database error;
// INVALID_ARGUMENT if `dsn` is malformed. The message is for operators; it
// never holds the dsn.
absl::Status CheckRowLevelSecurityEnforced(const std::string& dsn);

}  // namespace consular::storage

#include "storage/row_security.h"

#include <exception>
#include <memory>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "storage/conninfo.h"
#include "storage/prepared.h"
#include "storage/transaction_runner.h"

namespace consular::storage {
namespace {

constexpr absl::Duration kConnectTimeout = absl::Seconds(5);

// With it, in the same round trip: whether the post (if any) is an active unit of the register.
constexpr char kSetScope[] =
    "SELECT set_config('consular.subject', $1, true), set_config('consular.role', $2, true), "
    "set_config('consular.post', $3, true), ($3 = '' OR units.is_active($3))";

// The connected role: name, superuser, BYPASSRLS, the superuser or BYPASSRLS
// roles it belongs to (it could SET ROLE to them), and whether it belongs to
// consular_maintenance. pg_has_role(..., 'MEMBER') follows indirect membership.
constexpr char kRoleFacts[] =
    "SELECT r.rolname, r.rolsuper, r.rolbypassrls, "
    "  COALESCE((SELECT string_agg(quote_ident(m.rolname), ', ' ORDER BY m.rolname) "
    "              FROM pg_roles m "
    "             WHERE m.oid <> r.oid AND (m.rolsuper OR m.rolbypassrls) "
    "               AND pg_has_role(r.oid, m.oid, 'MEMBER')), ''), "
    "  EXISTS (SELECT FROM pg_roles m WHERE m.rolname = 'consular_maintenance' "
    "            AND pg_has_role(r.oid, m.oid, 'MEMBER')) "
    "FROM pg_roles r WHERE r.rolname = current_user";

// Over the tables of schemas cases, contacts, units and audit: how many are in cases;
// those the role owns (directly or as a member of the owner: owners may disable
// RLS); those in cases, contacts or units without ENABLE and FORCE ROW LEVEL SECURITY;
// those it may DELETE or TRUNCATE, or UPDATE in audit.
constexpr char kTableFacts[] =
    "WITH t AS ("
    "  SELECT n.nspname AS schema, format('%I.%I', n.nspname, c.relname) AS name, c.oid, "
    "         c.relowner, c.relrowsecurity, c.relforcerowsecurity "
    "    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "   WHERE n.nspname IN ('cases', 'contacts', 'units', 'audit') AND c.relkind IN ('r', 'p')) "
    "SELECT count(*) FILTER (WHERE schema = 'cases'), "
    "  COALESCE(string_agg(name, ', ' ORDER BY name) "
    "    FILTER (WHERE pg_has_role(current_user, relowner, 'MEMBER')), ''), "
    "  COALESCE(string_agg(name, ', ' ORDER BY name) "
    "    FILTER (WHERE schema IN ('cases', 'contacts', 'units') "
    "                AND NOT (relrowsecurity AND relforcerowsecurity)), ''), "
    "  COALESCE(string_agg(name, ', ' ORDER BY name) "
    "    FILTER (WHERE has_table_privilege(oid, 'DELETE, TRUNCATE') "
    "               OR (schema = 'audit' AND has_table_privilege(oid, 'UPDATE'))), '') "
    "FROM t";

std::string Trimmed(const std::exception& e) {
  std::string message = e.what();
  absl::StripTrailingAsciiWhitespace(&message);
  return message;
}

}  // namespace

bool SetSessionScope(pqxx::transaction_base& tx, const SessionScope& scope) {
  if (const auto* runner_tx = dynamic_cast<const RunnerTransaction*>(&tx)) {
    bool post_active = false;
    if (runner_tx->StartedWithScope(scope, &post_active)) return post_active;
  }
  return ExecPrepared1(tx, "session_set_scope", kSetScope, scope.subject, scope.role,
                       scope.post)[3]
      .as<bool>();
}

std::string SessionScopeStatement(pqxx::connection_base& connection, const SessionScope& scope) {
  const std::string subject = connection.quote(scope.subject);
  const std::string role = connection.quote(scope.role);
  const std::string post = connection.quote(scope.post);
  return absl::StrCat("SELECT set_config('consular.subject', ", subject,
                      ", true), set_config('consular.role', ", role,
                      ", true), set_config('consular.post', ", post, ", true), (", post,
                      " = '' OR units.is_active(", post, "))");
}

absl::Status CheckRowLevelSecurityEnforced(const std::string& dsn) {
  CONSULAR_ASSIGN_OR_RETURN(std::string conninfo, WithDefaultConnectTimeout(dsn, kConnectTimeout));
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = std::make_unique<pqxx::connection>(conninfo);
    DisableReactivation(*connection);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("row-level security check: cannot connect to the database: ", Trimmed(e)));
  }

  std::string role;
  std::vector<std::string> problems;
  try {
    pqxx::read_transaction tx(*connection);
    const pqxx::row facts = tx.exec1(kRoleFacts);
    role = facts[0].as<std::string>();
    if (facts[1].as<bool>()) {
      problems.push_back("it is a superuser");
    } else {
      if (facts[2].as<bool>()) problems.push_back("it has BYPASSRLS");
      const std::string privileged = facts[3].as<std::string>();
      if (!privileged.empty()) {
        problems.push_back(
            absl::StrCat("it is a member of superuser or BYPASSRLS roles (", privileged, ")"));
      }
      if (facts[4].as<bool>()) {
        problems.push_back(
            "it is a member of consular_maintenance, whose members pass every policy");
      }
      const pqxx::row tables = tx.exec1(kTableFacts);
      if (tables[0].as<int64_t>() == 0) {
        problems.push_back("schema cases has no tables: apply the migrations first");
      }
      const std::string owned = tables[1].as<std::string>();
      if (!owned.empty()) {
        problems.push_back(absl::StrCat("it owns (or is a member of the owner of) ", owned,
                                        ", and an owner may switch row-level security off"));
      }
      const std::string unforced = tables[2].as<std::string>();
      if (!unforced.empty()) {
        problems.push_back(
            absl::StrCat("row-level security is not both enabled and forced on ", unforced));
      }
      const std::string destructive = tables[3].as<std::string>();
      if (!destructive.empty()) {
        problems.push_back(
            absl::StrCat("it may DELETE or TRUNCATE (or UPDATE audit rows) in ", destructive));
      }
    }
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(
        absl::StrCat("row-level security check: database connection lost: ", Trimmed(e)));
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("row-level security check: query failed: ", Trimmed(e)));
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the database role \"", role,
      "\" is not held by row-level security, refusing to serve: ", absl::StrJoin(problems, "; "),
      ". Connect as a login role that is a member of consular_service only "
      "(docs/database-roles.md)."));
}

}  // namespace consular::storage

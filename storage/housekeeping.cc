#include "storage/housekeeping.h"

#include "absl/strings/str_cat.h"
#include "storage/prepared.h"

namespace consular::storage {
namespace {

struct ExpirySql {
  const char* name;  // prepared statement name
  const char* sql;   // $1 age as interval text, $2 limit → rows deleted
};

ExpirySql SqlFor(ExpiringKind kind) {
  switch (kind) {
    case ExpiringKind::kContactsIdempotency:
      return {"housekeeping_contacts_idempotency",
              "SELECT contacts.expire_idempotency($1::interval, $2)"};
    case ExpiringKind::kStatsIdempotency:
      return {"housekeeping_stats_idempotency",
              "SELECT stats.expire_idempotency($1::interval, $2)"};
    case ExpiringKind::kEndedShares:
      return {"housekeeping_ended_shares", "SELECT cases.expire_ended_shares($1::interval, $2)"};
    case ExpiringKind::kReviewedEmergencyAccess:
      return {"housekeeping_reviewed_emergency_access",
              "SELECT cases.expire_reviewed_emergency_access($1::interval, $2)"};
    case ExpiringKind::kEmergencySearches:
      return {"housekeeping_emergency_searches",
              "SELECT cases.expire_emergency_searches($1::interval, $2)"};
    case ExpiringKind::kExpiredExportFiles:
      break;  // ExpireBatch: no age, no batch
    case ExpiringKind::kCasesIdempotency:
      break;
  }
  return {"housekeeping_cases_idempotency", "SELECT cases.expire_idempotency($1::interval, $2)"};
}

}  // namespace

std::string ExpiringKindName(ExpiringKind kind) {
  switch (kind) {
    case ExpiringKind::kContactsIdempotency:
      return "contacts_idempotency";
    case ExpiringKind::kStatsIdempotency:
      return "stats_idempotency";
    case ExpiringKind::kEndedShares:
      return "ended_shares";
    case ExpiringKind::kReviewedEmergencyAccess:
      return "reviewed_emergency_access";
    case ExpiringKind::kEmergencySearches:
      return "emergency_searches";
    case ExpiringKind::kExpiredExportFiles:
      return "expired_export_files";
    case ExpiringKind::kCasesIdempotency:
      break;
  }
  return "cases_idempotency";
}

int64_t ExpireBatch(pqxx::transaction_base& tx, ExpiringKind kind, absl::Duration older_than,
                    int limit) {
  if (kind == ExpiringKind::kExpiredExportFiles) {
    // Every file past its export's expiry at once: there are few, each one row.
    return ExecPrepared1(tx, "housekeeping_expired_export_files",
                         "SELECT cases.purge_expired_exports()")[0]
        .as<int64_t>();
  }
  const ExpirySql sql = SqlFor(kind);
  const int64_t seconds = absl::ToInt64Seconds(older_than);
  const pqxx::row row =
      ExecPrepared1(tx, sql.name, sql.sql, absl::StrCat(seconds, " seconds"), limit);
  return row[0].as<int64_t>();
}

}  // namespace consular::storage

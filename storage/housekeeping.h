#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "absl/time/time.h"

// Housekeeping's deletions (migration 0025, docs/records.md): rows that only serve
// for a while, deleted once that while is over, in bounded batches, through the SECURITY DEFINER
// functions (the services' role has no DELETE privilege). The audit trail is never among them.
namespace consular::storage {

// What expires; each kind is one table and one function.
enum class ExpiringKind {
  kCasesIdempotency,         // cases.idempotency, by created_at
  kContactsIdempotency,      // contacts.idempotency, by created_at
  kStatsIdempotency,         // stats.idempotency, by created_at
  kEndedShares,              // cases.case_shares revoked or expired, unless a referral names them
  kReviewedEmergencyAccess,  // cases.emergency_access, reviewed (never an unreviewed one)
  kEmergencySearches,        // cases.emergency_searches, by searched_at
  // The files of bulk exports past their own expiry (cases.purge_expired_exports, migration
  // 0024): destroyed, the export's record kept; the age given is not used.
  kExpiredExportFiles,
};

// The kind's name in metrics and logs: "cases_idempotency", "ended_shares", ...
std::string ExpiringKindName(ExpiringKind kind);

// Deletes at most `limit` rows of `kind` older than `older_than` (by the database clock) in `tx`
// and returns how many it deleted; fewer than `limit` means none are left for now. Throws what
// libpqxx throws.
int64_t ExpireBatch(pqxx::transaction_base& tx, ExpiringKind kind, absl::Duration older_than,
                    int limit);

}  // namespace consular::storage

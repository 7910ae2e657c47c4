#pragma once

#include <functional>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "services/common/identity.h"
#include "storage/audit_store.h"
#include "storage/transaction_runner.h"

// The shape of every call of a service that touches case data: one transaction that tells
// PostgreSQL who is asking (row-level security, storage::SetSessionScope) and records one audit
// row for the call (storage::RunAudited): with the work when it succeeds, on its own after a
// failure or refusal.
namespace consular {

// The work of an audited call. It sets record->case_id once it has found the case it works on
// (and record->emergency / purpose when only emergency access let it).
using AuditedBody = std::function<absl::Status(pqxx::transaction_base&, storage::AuditRecord*)>;

// Runs `body` for `who` as action `action` ("<Service>.<Method>"). `case_id_hint` is the case id
// the request names: a UUID is recorded even when the call fails before finding the case.
// `now` is the time recorded. Returns body's status, or the runner's when the transaction fails.
absl::Status RunAuditedCall(storage::TransactionRunner* runner, const Identity& who,
                            const std::string& action, const std::string& case_id_hint,
                            absl::Time now, absl::Time deadline, const AuditedBody& body);

// Records in `record` that the call reached case `case_id` with `access`; a reach through
// emergency access is flagged (emergency, purpose "emergency access").
void RecordCaseReached(const std::string& case_id, consular::v1::CaseAccess access,
                       storage::AuditRecord* record);

// Flags `record` as emergency access (also for attempts to open it, refused or not).
void FlagEmergency(storage::AuditRecord* record);

}  // namespace consular

#pragma once

#include <functional>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/status_macros.h"
#include "consular/v1/statistics.pb.h"
#include "proto/dates.h"
#include "services/common/audited_call.h"
#include "services/common/idempotent_call.h"
#include "services/common/identity.h"
#include "services/common/validation.h"
#include "services/stats/statistics_manager.h"
#include "storage/case_store.h"
#include "storage/talks_store.h"
#include "storage/transaction_runner.h"

// What the mutations of the bilateral-talks register share (talks_register.cc,
// talk_briefings.cc).
namespace consular::stats {

// The shape of every mutation of the register, as RecordTalk's: one transaction audited as
// "BilateralService.<method>"; the caller's role checked (CheckMayReadStatistics), then the
// request id, then the request (`check`, given the UTC day of the call); then `work` (given the
// time of the call) once per request id: a replay returns the first reply and writes nothing.
// The register is not scoped beyond the caller's role, which every call, replays included,
// checks afresh.
template <typename Reply, typename Request>
absl::Status RunRegisterChange(
    storage::TransactionRunner* runner, const Clock& clock, const storage::FieldCrypto& crypto,
    const Identity& who, const std::string& method, const Request& request,
    const std::string& request_id, absl::Time deadline, Reply* out,
    const std::function<absl::Status(const consular::v1::Date& today)>& check,
    const std::function<absl::Status(pqxx::transaction_base&, absl::Time now, Reply*)>& work) {
  return RunAuditedCall(runner, who, "BilateralService." + method, "", clock.Now(), deadline,
                        [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
                          CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
                          CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request_id));
                          const absl::Time now = clock.Now();
                          CONSULAR_RETURN_IF_ERROR(check(DateOf(now)));
                          return RunIdempotentCall<Reply>(
                              tx, *crypto.cipher, *crypto.blind_index,
                              storage::IdempotencyTable::kStats, who, method, request, request_id,
                              out, [](const Reply&) { return absl::OkStatus(); },
                              [&](Reply* reply) { return work(tx, now, reply); });
                        });
}

// NOT_FOUND "talk <id> not found".
absl::Status TalkNotFound(const std::string& id);

// The talk `id` as it now stands (as GetTalk returns it) into `out`; INTERNAL when it is gone,
// which an append-only register never allows.
absl::Status ReadTalk(storage::TalksStore& talks, const std::string& id, consular::v1::Talk* out);

}  // namespace consular::stats

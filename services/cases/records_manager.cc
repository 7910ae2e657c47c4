// RecordsManager: retention schedules, legal holds and the monthly proposal. The destruction
// lists' calls are in destruction_lists.cc; the rules both share in records_rules.h.
#include "services/cases/records_manager.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "proto/dates.h"
#include "services/cases/case_rules.h"
#include "services/cases/records_rules.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/validation.h"
#include "storage/idempotency.h"
#include "storage/records_store.h"
#include "storage/row_security.h"

namespace consular::cases {
namespace {

using consular::v1::Role;

constexpr int kDefaultHoldPageSize = 100;

absl::Status HoldNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("legal hold ", id, " not found"));
}

}  // namespace

const Identity& RecordsManager::MonthlyJobIdentity() {
  static const Identity* const kJob = new Identity{
      "consular-cases/records", consular::v1::ROLE_ADMINISTRATOR, "", "monthly destruction list"};
  return *kJob;
}

RecordsManager::RecordsManager(storage::TransactionRunner* runner, const Clock& clock,
                               storage::FieldCrypto crypto)
    : runner_(runner), clock_(clock), crypto_(crypto) {}

absl::Status RecordsManager::ListRetentionSchedules(
    const Identity& who, const v1::ListRetentionSchedulesRequest& request, absl::Time deadline,
    v1::ListRetentionSchedulesResponse* out) {
  return RunAuditedCall(runner_, who, "RecordsService.ListRetentionSchedules", "", clock_.Now(),
                        deadline,
                        [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
                          CONSULAR_RETURN_IF_ERROR(records::CheckStaff(who));
                          out->Clear();
                          for (v1::RetentionSchedule& s :
                               storage::RecordsStore(tx).Schedules(request.include_history())) {
                            *out->add_schedules() = std::move(s);
                          }
                          return absl::OkStatus();
                        });
}

absl::Status RecordsManager::SetRetentionSchedule(const Identity& who,
                                                  const v1::SetRetentionScheduleRequest& request,
                                                  absl::Time deadline, v1::RetentionSchedule* out) {
  return RunAuditedCall(
      runner_, who, "RecordsService.SetRetentionSchedule", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(
            records::CheckRole(who, {consular::v1::ROLE_ADMINISTRATOR}, "change schedules"));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(records::ValidateSchedule(request));
        const absl::Time now = clock_.Now();
        return RunIdempotentCall<v1::RetentionSchedule>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "SetRetentionSchedule", request, request.request_id(), out,
            [](const v1::RetentionSchedule&) { return absl::OkStatus(); },
            [&](v1::RetentionSchedule* written) -> absl::Status {
              *written = storage::RecordsStore(tx).InsertScheduleVersion(
                  request.case_type(), request.outcome(), request.retention_years(), who.subject,
                  absl::ToUnixMicros(now), request.reason());
              return absl::OkStatus();
            });
      });
}

absl::Status RecordsManager::PlaceLegalHold(const Identity& who,
                                            const v1::PlaceLegalHoldRequest& request,
                                            absl::Time deadline, v1::LegalHold* out) {
  return RunAuditedCall(
      runner_, who, "RecordsService.PlaceLegalHold", request.case_id(), clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(records::CheckMayHold(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        CONSULAR_RETURN_IF_ERROR(records::CheckReason("reason", request.reason()));
        const absl::Time now = clock_.Now();
        storage::RecordsStore store(tx);
        return RunIdempotentCall<v1::LegalHold>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "PlaceLegalHold", request, request.request_id(), out,
            [&](const v1::LegalHold& stored) -> absl::Status {
              audit->case_id = stored.case_id();
              if (!store.FindHold(stored.id(), false)) return HoldNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](v1::LegalHold* hold) -> absl::Status {
              std::optional<storage::RecordsCase> c = store.FindCase(request.case_id());
              if (!c) {
                return absl::NotFoundError(absl::StrCat("case ", request.case_id(), " not found"));
              }
              audit->case_id = c->id;
              if (c->anonymised) {
                return absl::FailedPreconditionError(absl::StrCat(
                    "case ", c->reference, " is anonymised: there is nothing to hold"));
              }
              hold->set_id(NewUuid());
              hold->set_case_id(c->id);
              hold->set_case_reference(c->reference);
              hold->set_handling_unit(c->handling_post);
              hold->set_reason(request.reason());
              hold->set_placed_by(who.subject);
              hold->set_placed_by_role(who.role);
              hold->set_placed_by_unit(UnitOf(who));
              *hold->mutable_placed_at() = ToTimestamp(now);
              hold->set_active(true);
              store.InsertHold(*hold);
              return absl::OkStatus();
            });
      });
}

absl::Status RecordsManager::LiftLegalHold(const Identity& who,
                                           const v1::LiftLegalHoldRequest& request,
                                           absl::Time deadline, v1::LegalHold* out) {
  return RunAuditedCall(
      runner_, who, "RecordsService.LiftLegalHold", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(records::CheckMayHold(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("hold_id", request.hold_id()));
        CONSULAR_RETURN_IF_ERROR(records::CheckReason("reason", request.reason()));
        const std::string id = absl::AsciiStrToLower(request.hold_id());
        const absl::Time now = clock_.Now();
        storage::RecordsStore store(tx);
        return RunIdempotentCall<v1::LegalHold>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "LiftLegalHold", request, request.request_id(), out,
            [&](const v1::LegalHold& stored) -> absl::Status {
              audit->case_id = stored.case_id();
              if (!store.FindHold(stored.id(), false)) return HoldNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](v1::LegalHold* lifted) -> absl::Status {
              std::optional<v1::LegalHold> hold = store.FindHold(id, false);
              if (!hold) return HoldNotFound(id);
              audit->case_id = hold->case_id();
              // Post managers lift the holds of their own post's cases only.
              if (!store.FindCase(hold->case_id())) {
                return absl::PermissionDeniedError(
                    absl::StrCat("the hold on case ", hold->case_reference(),
                                 " is lifted by the post handling it, LKHA or an administrator"));
              }
              hold = store.FindHold(id, true);
              if (!hold) return HoldNotFound(id);
              if (!hold->active() ||
                  !store.LiftHold(id, who.subject, absl::ToUnixMicros(now), request.reason())) {
                return absl::FailedPreconditionError(
                    absl::StrCat("legal hold ", id, " was lifted already by ", hold->lifted_by()));
              }
              std::optional<v1::LegalHold> after = store.FindHold(id, false);
              if (!after) throw std::runtime_error("lifted hold is not visible");
              *lifted = *std::move(after);
              return absl::OkStatus();
            });
      });
}

absl::Status RecordsManager::ListLegalHolds(const Identity& who,
                                            const v1::ListLegalHoldsRequest& request,
                                            absl::Time deadline, v1::ListLegalHoldsResponse* out) {
  return RunAuditedCall(
      runner_, who, "RecordsService.ListLegalHolds", request.case_id(), clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(records::CheckRole(
            who,
            {consular::v1::ROLE_ADMINISTRATOR, consular::v1::ROLE_AUDITOR,
             consular::v1::ROLE_LKHA_CASEWORKER, consular::v1::ROLE_POST_MANAGER},
            "list legal holds"));
        if (!request.case_id().empty()) {
          CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        }
        CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                  PageSizeOf(request.page_size(), kDefaultHoldPageSize));
        storage::RecordsStore store(tx);
        std::string case_id;
        if (!request.case_id().empty()) {
          std::optional<storage::RecordsCase> c = store.FindCase(request.case_id());
          if (!c) {
            return absl::NotFoundError(absl::StrCat("case ", request.case_id(), " not found"));
          }
          case_id = c->id;
          audit->case_id = c->id;
        }
        out->Clear();
        for (v1::LegalHold& hold : store.ListHolds(case_id, request.include_lifted(), page_size)) {
          *out->add_holds() = std::move(hold);
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<std::optional<std::string>> RecordsManager::ProposeMonthlyListIfDue() {
  const Identity& job = MonthlyJobIdentity();
  const absl::Time now = clock_.Now();
  const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
  const std::string month = absl::StrFormat("%04d-%02d", today.year(), today.month());
  const std::string cut_off = FormatDate(DateOf(now));
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  // First, without a trace: is there anything to do?
  bool due = false;
  const storage::SessionScope scope{job.subject, consular::v1::Role_Name(job.role), job.post};
  CONSULAR_RETURN_IF_ERROR(
      runner_->RunReadOnly(deadline, [&](pqxx::transaction_base& tx) -> absl::Status {
        if (!storage::SetSessionScope(tx, scope)) {
          return absl::InternalError("the records job's scope was refused");
        }
        storage::RecordsStore store(tx);
        due = !store.MonthListExists(month) && store.CountDue(cut_off) > 0;
        return absl::OkStatus();
      }));
  if (!due) return std::nullopt;
  std::optional<std::string> number;
  CONSULAR_RETURN_IF_ERROR(RunAuditedCall(
      runner_, job, "RecordsService.ProposeDestructionList", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        number.reset();
        storage::RecordsStore store(tx);
        const std::string id = NewUuid();
        if (!store.ProposeList(id, cut_off, month, absl::ToUnixMicros(now))) {
          return absl::OkStatus();  // another replica was first, or nothing is due any more
        }
        std::optional<v1::DestructionList> list = store.FindList(id, false);
        if (!list) throw std::runtime_error("proposed list is not visible");
        number = list->number();
        return absl::OkStatus();
      }));
  return number;
}

}  // namespace consular::cases

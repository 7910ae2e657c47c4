// RecordsManager, destruction lists: ProposeDestructionList, ListDestructionLists,
// GetDestructionList, ReviewDestructionItems, ProcessDestructionList.
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "proto/dates.h"
#include "services/cases/records_manager.h"
#include "services/cases/records_rules.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/token.h"
#include "services/common/validation.h"
#include "storage/audit_store.h"
#include "storage/idempotency.h"
#include "storage/records_store.h"

namespace consular::cases {
namespace {

using consular::v1::DestructionList;

constexpr int kDefaultListPageSize = 50;

absl::Status ListNotFound(const std::string& list) {
  return absl::NotFoundError(absl::StrCat("destruction list ", list, " not found"));
}

absl::Status CheckMaySeeLists(const Identity& who) {
  return records::CheckRole(who,
                            {consular::v1::ROLE_ADMINISTRATOR, consular::v1::ROLE_AUDITOR,
                             consular::v1::ROLE_POST_MANAGER, consular::v1::ROLE_LKHA_CASEWORKER},
                            "see destruction lists");
}

absl::Status CheckOpen(const DestructionList& list) {
  if (list.state() != consular::v1::DESTRUCTION_LIST_STATE_OPEN) {
    return absl::FailedPreconditionError(
        absl::StrCat("destruction list ", list.number(), " was processed at ",
                     FormatTimestamp(list.processed_at()), " by ", list.processed_by()));
  }
  return absl::OkStatus();
}

// The item of `list` that `case_id` (a UUID or reference) names, if the caller sees it.
const consular::v1::DestructionItem* ItemOf(const DestructionList& list,
                                            const std::string& case_id) {
  for (const consular::v1::DestructionItem& item : list.items()) {
    if (item.case_id() == absl::AsciiStrToLower(case_id) ||
        item.case_reference() == absl::AsciiStrToUpper(case_id)) {
      return &item;
    }
  }
  return nullptr;
}

// One more audit row of the call, naming a case it acted on (the call's own row names none).
void AuditCase(pqxx::transaction_base& tx, const storage::AuditRecord& call,
               const std::string& case_id, const std::string& purpose) {
  storage::AuditRecord row = call;
  row.case_id = case_id;
  row.purpose = purpose;
  row.outcome = "OK";
  storage::InsertAuditRecord(tx, row);
}

}  // namespace

absl::Status RecordsManager::ProposeDestructionList(
    const Identity& who, const v1::ProposeDestructionListRequest& request, absl::Time deadline,
    DestructionList* out) {
  return RunAuditedCall(
      runner_, who, "RecordsService.ProposeDestructionList", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(records::CheckRole(who, {consular::v1::ROLE_ADMINISTRATOR},
                                                    "propose destruction lists"));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        const absl::Time now = clock_.Now();
        const consular::v1::Date today = DateOf(now);
        CONSULAR_RETURN_IF_ERROR(CheckDate("cut_off", request.cut_off(), today, false));
        const std::string cut_off =
            FormatDate(request.cut_off().year() == 0 ? today : request.cut_off());
        storage::RecordsStore store(tx);
        return RunIdempotentCall<DestructionList>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "ProposeDestructionList", request, request.request_id(), out,
            [&](const DestructionList& stored) -> absl::Status {
              if (!store.FindList(stored.id(), false)) return ListNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](DestructionList* proposed) -> absl::Status {
              const std::string id = NewUuid();
              if (!store.ProposeList(id, cut_off, "", absl::ToUnixMicros(now))) {
                return absl::FailedPreconditionError(absl::StrCat(
                    "no case is due for destruction by ", cut_off,
                    ": none is closed with an archive action date on or before it, without a "
                    "legal hold and not on an open list"));
              }
              std::optional<DestructionList> list = store.FindList(id, true);
              if (!list) throw std::runtime_error("proposed list is not visible");
              *proposed = *std::move(list);
              return absl::OkStatus();
            });
      });
}

absl::Status RecordsManager::ListDestructionLists(const Identity& who,
                                                  const v1::ListDestructionListsRequest& request,
                                                  absl::Time deadline,
                                                  v1::ListDestructionListsResponse* out) {
  return RunAuditedCall(
      runner_, who, "RecordsService.ListDestructionLists", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMaySeeLists(who));
        CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                  PageSizeOf(request.page_size(), kDefaultListPageSize));
        out->Clear();
        for (DestructionList& list : storage::RecordsStore(tx).ListLists(page_size)) {
          *out->add_lists() = std::move(list);
        }
        return absl::OkStatus();
      });
}

absl::Status RecordsManager::GetDestructionList(const Identity& who,
                                                const v1::GetDestructionListRequest& request,
                                                absl::Time deadline, DestructionList* out) {
  return RunAuditedCall(runner_, who, "RecordsService.GetDestructionList", "", clock_.Now(),
                        deadline,
                        [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
                          CONSULAR_RETURN_IF_ERROR(CheckMaySeeLists(who));
                          if (request.list().empty())
                            return InvalidField("list", "required: the list's id or number");
                          std::optional<DestructionList> list =
                              storage::RecordsStore(tx).FindList(request.list(), true);
                          if (!list) return ListNotFound(request.list());
                          *out = *std::move(list);
                          return absl::OkStatus();
                        });
}

absl::Status RecordsManager::ReviewDestructionItems(
    const Identity& who, const v1::ReviewDestructionItemsRequest& request, absl::Time deadline,
    DestructionList* out) {
  return RunAuditedCall(
      runner_, who, "RecordsService.ReviewDestructionItems", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        const consular::v1::ReviewSlot slot = records::SlotOf(who);
        if (slot == consular::v1::REVIEW_SLOT_UNSPECIFIED) {
          return absl::PermissionDeniedError(
              absl::StrCat(RoleName(who.role),
                           " may not review destruction lists: the handling unit and auditors do"));
        }
        CONSULAR_RETURN_IF_ERROR(records::ValidateReview(request));
        const absl::Time now = clock_.Now();
        storage::RecordsStore store(tx);
        return RunIdempotentCall<DestructionList>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "ReviewDestructionItems", request, request.request_id(), out,
            [&](const DestructionList& stored) -> absl::Status {
              if (!store.FindList(stored.id(), false)) return ListNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](DestructionList* reviewed) -> absl::Status {
              std::optional<DestructionList> list = store.FindList(request.list(), true);
              if (!list) return ListNotFound(request.list());
              CONSULAR_RETURN_IF_ERROR(CheckOpen(*list));
              for (const consular::v1::ItemDecision& d : request.decisions()) {
                const consular::v1::DestructionItem* item = ItemOf(*list, d.case_id());
                if (item == nullptr) {
                  return absl::NotFoundError(absl::StrCat("case ", d.case_id(),
                                                          " is not on destruction list ",
                                                          list->number(), " for you to review"));
                }
                bool inserted = false;
                try {
                  inserted = store.InsertReview(
                      list->id(), item->case_id(), slot, d.decision(), d.reason(), who.subject,
                      consular::v1::Role_Name(who.role), UnitOf(who), absl::ToUnixMicros(now));
                } catch (const pqxx::check_violation&) {
                  // Processed after this call read the list (review_while_open).
                  return absl::FailedPreconditionError(absl::StrCat(
                      "destruction list ", list->number(), " was processed meanwhile"));
                }
                if (!inserted) {
                  return absl::FailedPreconditionError(
                      absl::StrCat("case ", item->case_reference(), " on destruction list ",
                                   list->number(), " has its ", consular::v1::ReviewSlot_Name(slot),
                                   " review already: a decision is never changed"));
                }
                AuditCase(tx, *audit, item->case_id(),
                          absl::StrCat(list->number(), " ",
                                       consular::v1::ReviewDecision_Name(d.decision())));
              }
              list = store.FindList(list->id(), true);
              if (!list) throw std::runtime_error("reviewed list is not visible");
              *reviewed = *std::move(list);
              return absl::OkStatus();
            });
      });
}

absl::Status RecordsManager::ProcessDestructionList(
    const Identity& who, const v1::ProcessDestructionListRequest& request, absl::Time deadline,
    DestructionList* out) {
  return RunAuditedCall(
      runner_, who, "RecordsService.ProcessDestructionList", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(records::CheckRole(who, {consular::v1::ROLE_ADMINISTRATOR},
                                                    "process destruction lists"));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        if (request.list().empty())
          return InvalidField("list", "required: the list's id or number");
        const absl::Time now = clock_.Now();
        storage::RecordsStore store(tx);
        return RunIdempotentCall<DestructionList>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "ProcessDestructionList", request, request.request_id(), out,
            [&](const DestructionList& stored) -> absl::Status {
              if (!store.FindList(stored.id(), false)) return ListNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](DestructionList* processed) -> absl::Status {
              std::optional<DestructionList> list = store.FindList(request.list(), false);
              if (!list) return ListNotFound(request.list());
              CONSULAR_RETURN_IF_ERROR(CheckOpen(*list));
              std::vector<storage::ProcessedItem> items;
              try {
                items = store.ProcessList(list->id(), absl::ToUnixMicros(now));
              } catch (const pqxx::check_violation&) {
                // Another administrator's processing committed after this call read the list.
                return absl::FailedPreconditionError(
                    absl::StrCat("destruction list ", list->number(), " was processed meanwhile"));
              }
              for (const storage::ProcessedItem& item : items) {
                if (item.result == consular::v1::DESTRUCTION_RESULT_ANONYMISED) {
                  AuditCase(tx, *audit, item.case_id,
                            absl::StrCat("anonymised under ", list->number()));
                }
              }
              list = store.FindList(list->id(), true);
              if (!list) throw std::runtime_error("processed list is not visible");
              *processed = *std::move(list);
              return absl::OkStatus();
            });
      });
}

}  // namespace consular::cases

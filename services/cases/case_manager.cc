#include "services/cases/case_manager.h"

#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/time_util.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "services/cases/case_rules.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/page_token.h"
#include "services/common/token.h"
#include "services/common/validation.h"
#include "storage/audit_store.h"
#include "storage/case_store.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseEvent;
using consular::v1::CaseNote;
using consular::v1::CaseStatus;
using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::TimeUtil;
using storage::CaseStore;

constexpr int kDefaultCasePageSize = 50;
constexpr int kDefaultEventPageSize = 100;
constexpr size_t kMaxReasonChars = 2000;
constexpr size_t kMaxNoteChars = 10000;
constexpr size_t kMaxNameChars = 200;

// The (time, id) cursor in a page token of `kind`; nullopt for the first page.
absl::StatusOr<std::optional<storage::CaseCursor>> DecodeTimeCursor(const std::string& token,
                                                                    const std::string& kind,
                                                                    const std::string& filters) {
  if (token.empty()) return std::optional<storage::CaseCursor>();
  auto fields = DecodePageToken(token, kind, filters, 2);
  if (!fields.ok()) return fields.status();
  storage::CaseCursor cursor;
  if (!absl::SimpleAtoi((*fields)[0], &cursor.opened_at_micros) || !LooksLikeUuid((*fields)[1])) {
    return InvalidField("page_token", "malformed");
  }
  cursor.id = (*fields)[1];
  return std::optional<storage::CaseCursor>(cursor);
}

// Fills `out` from `cases`, fetched with one more than `page_size`: the first page_size of them,
// and when there were more, the token of the next page (listing `kind`) after the last one.
template <typename Response>
void FillCasePage(std::vector<Case> cases, int page_size, const std::string& kind,
                  const std::string& filters, Response* out) {
  out->Clear();
  const bool more = static_cast<int>(cases.size()) > page_size;
  if (more) cases.resize(page_size);
  for (Case& c : cases) *out->add_cases() = std::move(c);
  if (more) {
    const Case& last = out->cases(out->cases_size() - 1);
    out->set_next_page_token(EncodePageToken(
        kind, filters,
        {std::to_string(TimeUtil::TimestampToMicroseconds(last.opened_at())), last.id()}));
  }
}

absl::Status CaseNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("case ", id, " not found"));
}

storage::CaseScope ScopeOf(const Identity& who) {
  return storage::CaseScope{UnitOf(who), who.subject, consular::v1::Role_Name(who.role)};
}

// Records in the audit row that the call reached case `c`, flagged when only emergency access
// let it.
void Reached(const Case& c, storage::AuditRecord* audit) {
  RecordCaseReached(c.id(), c.caller_access(), audit);
}

CaseEvent NewEvent(const Identity& who, consular::v1::CaseEventType type, absl::Time now,
                   int64_t case_version) {
  CaseEvent event;
  event.set_type(type);
  event.set_actor(who.subject);
  event.set_actor_role(who.role);
  event.set_actor_post(who.post);
  *event.mutable_occurred_at() = ToTimestamp(now);
  event.set_case_version(case_version);
  return event;
}

// The paths of `mask` whose values differ between `before` and `after`.
std::vector<std::string> ChangedPaths(const google::protobuf::FieldMask& mask, const Case& before,
                                      const Case& after) {
  std::vector<std::string> changed;
  for (const std::string& path : mask.paths()) {
    google::protobuf::FieldMask one;
    one.add_paths(path);
    Case a = before;
    Case b = after;
    FieldMaskUtil::TrimMessage(one, &a);
    FieldMaskUtil::TrimMessage(one, &b);
    if (a.SerializeAsString() != b.SerializeAsString()) changed.push_back(path);
  }
  return changed;
}

absl::Status CheckVersion(const Case& current, int64_t expected) {
  if (current.version() != expected) {
    return absl::AbortedError(absl::StrCat("case ", current.reference(), " is at version ",
                                           current.version(), ", not ", expected,
                                           "; read it again and retry"));
  }
  return absl::OkStatus();
}

absl::Status CheckNotClosed(const Case& current) {
  if (current.status() == consular::v1::CASE_STATUS_CLOSED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case ", current.reference(), " is closed; a post manager must reopen it first"));
  }
  return absl::OkStatus();
}

// Runs a mutation once per (actor, request id) (RunIdempotentCall), giving `replay` and `work` a
// CaseStore in the same transaction.
template <typename Response>
absl::Status RunIdempotent(pqxx::transaction_base& tx, const storage::FieldCrypto& crypto,
                           const Identity& who, const std::string& method,
                           const google::protobuf::Message& request, const std::string& request_id,
                           Response* out,
                           const std::function<absl::Status(CaseStore&, const Response&)>& replay,
                           const std::function<absl::Status(CaseStore&, Response*)>& work) {
  CaseStore store(tx, crypto);
  return RunIdempotentCall<Response>(
      tx, *crypto.cipher, *crypto.blind_index, storage::IdempotencyTable::kCases, who, method,
      request, request_id, out, [&](const Response& stored) { return replay(store, stored); },
      [&](Response* response) { return work(store, response); });
}

// The replay rule of a mutation of an existing case: the case must still be in the caller's scope
// (handling unit, a live share, open emergency access), else NOT_FOUND as a fresh call gets. The
// audit row names the case either way.
absl::Status CaseStillInScope(CaseStore& store, const Identity& who, const std::string& case_id,
                              storage::AuditRecord* audit) {
  audit->case_id = case_id;
  std::optional<Case> visible = store.Find(ScopeOf(who), case_id, false);
  if (!visible) return CaseNotFound(case_id);
  Reached(*visible, audit);
  return absl::OkStatus();
}

// The replay rule of a call that gave the caller its access (opening a case, opening emergency
// access): FAILED_PRECONDITION once that access is gone, since the request id cannot be used again.
absl::Status CreatedStillInScope(CaseStore& store, const Identity& who, const std::string& case_id,
                                 storage::AuditRecord* audit) {
  if (CaseStillInScope(store, who, case_id, audit).ok()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "request_id: already used, and the case that request reached is no longer visible to you; "
      "a new request needs a new request_id");
}

}  // namespace

absl::Status CaseManager::Audited(
    const Identity& who, const std::string& action, const std::string& case_id_hint,
    absl::Time deadline,
    const std::function<absl::Status(pqxx::transaction_base&, storage::AuditRecord*)>& body) {
  return RunAuditedCall(runner_, who, action, case_id_hint, clock_(), deadline, body);
}

CaseManager::CaseManager(storage::TransactionRunner* runner, std::function<absl::Time()> clock,
                         storage::FieldCrypto crypto)
    : runner_(runner), clock_(std::move(clock)), crypto_(crypto) {}

absl::Status CaseManager::Create(const Identity& who,
                                 const consular::v1::CreateCaseRequest& request,
                                 absl::Time deadline, Case* out) {
  return Audited(
      who, "CaseService.CreateCase", "", deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(CheckMayCreate(who));
        RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        if (!request.has_case_()) return InvalidField("case", "required");
        const absl::Time now = clock_();
        RETURN_IF_ERROR(ValidateCaseContent(request.case_(), DateOf(now)));

        return RunIdempotent<Case>(
            tx, crypto_, who, "CreateCase", request, request.request_id(), out,
            [&](CaseStore& store, const Case& stored) {
              return CreatedStillInScope(store, who, stored.id(), audit);
            },
            [&](CaseStore& store, Case* created) -> absl::Status {
              Case c;
              c.set_type(request.case_().type());
              c.set_country(request.case_().country());
              *c.mutable_subject() = request.case_().subject();
              *c.mutable_risk_flags() = request.case_().risk_flags();
              c.set_referral_source(request.case_().referral_source());
              if (request.case_().has_abandonment()) {
                *c.mutable_abandonment() = request.case_().abandonment();
              }
              if (request.case_().has_divorce_recognition()) {
                *c.mutable_divorce_recognition() = request.case_().divorce_recognition();
              }
              *c.mutable_safety() = request.case_().safety();

              const int year = static_cast<int>(absl::ToCivilYear(now, absl::UTCTimeZone()).year());
              const std::string prefix = ReferencePrefix(c.type());
              const int number = store.NextReferenceNumber(prefix, year);
              c.set_id(NewUuid());
              c.set_reference(absl::StrFormat("%s-%04d-%05d", prefix, year, number));
              c.set_status(consular::v1::CASE_STATUS_INTAKE);
              c.set_handling_post(UnitOf(who));
              *c.mutable_opened_at() = ToTimestamp(now);
              *c.mutable_updated_at() = ToTimestamp(now);
              c.set_version(1);
              store.Insert(c);

              CaseEvent event = NewEvent(who, consular::v1::CASE_EVENT_TYPE_CREATED, now, 1);
              event.set_to_status(consular::v1::CASE_STATUS_INTAKE);
              store.AppendEvent(c.id(), event);
              audit->case_id = c.id();
              c.set_caller_access(consular::v1::CASE_ACCESS_HANDLING);
              *created = std::move(c);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::Get(const Identity& who, const consular::v1::GetCaseRequest& request,
                              absl::Time deadline, Case* out) {
  return Audited(who, "CaseService.GetCase", request.case_id(), deadline,
                 [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
                   RETURN_IF_ERROR(CheckCaseServiceAccess(who));
                   RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
                   std::optional<Case> found =
                       CaseStore(tx, crypto_).Find(ScopeOf(who), request.case_id(), false);
                   if (!found) return CaseNotFound(request.case_id());
                   Reached(*found, audit);
                   *out = std::move(*found);
                   return absl::OkStatus();
                 });
}

absl::Status CaseManager::List(const Identity& who, const consular::v1::ListCasesRequest& request,
                               absl::Time deadline, consular::v1::ListCasesResponse* out) {
  return Audited(
      who, "CaseService.ListCases", "", deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        storage::CaseFilter filter;
        if (!request.post().empty()) RETURN_IF_ERROR(ValidateGrantee("post", request.post()));
        filter.post = request.post();
        if (!request.country().empty()) {
          if (!IsKnownCountryCode(request.country())) {
            return InvalidField("country",
                                "not an ISO 3166-1 alpha-2 country code (upper case, e.g. MA)");
          }
          filter.country = request.country();
        }
        if (!consular::v1::CaseType_IsValid(request.type()))
          return InvalidField("type", "unknown value");
        if (request.type() != consular::v1::CASE_TYPE_UNSPECIFIED) {
          filter.type = consular::v1::CaseType_Name(request.type());
        }
        if (!consular::v1::CaseStatus_IsValid(request.status())) {
          return InvalidField("status", "unknown value");
        }
        if (request.status() != consular::v1::CASE_STATUS_UNSPECIFIED) {
          filter.status = consular::v1::CaseStatus_Name(request.status());
        }
        if (!consular::v1::RiskFlag_IsValid(request.risk_flag())) {
          return InvalidField("risk_flag", "unknown value");
        }
        if (request.risk_flag() != consular::v1::RISK_FLAG_UNSPECIFIED) {
          filter.risk_flag = consular::v1::RiskFlag_Name(request.risk_flag());
        }
        const consular::v1::Date far_future =
            DateOf(absl::FromCivil(absl::CivilDay(9999, 12, 31), absl::UTCTimeZone()));
        RETURN_IF_ERROR(CheckDate("opened_from", request.opened_from(), far_future, true));
        RETURN_IF_ERROR(CheckDate("opened_to", request.opened_to(), far_future, true));
        if (IsSet(request.opened_from())) filter.opened_from = FormatDate(request.opened_from());
        if (IsSet(request.opened_to())) filter.opened_to = FormatDate(request.opened_to());
        if (IsSet(request.opened_from()) && IsSet(request.opened_to()) &&
            CompareDates(request.opened_to(), request.opened_from()) < 0) {
          return InvalidField("opened_to", "is before opened_from");
        }
        absl::StatusOr<int> page_size = PageSizeOf(request.page_size(), kDefaultCasePageSize);
        if (!page_size.ok()) return page_size.status();

        consular::v1::ListCasesRequest filters_only = request;
        filters_only.clear_page_size();
        filters_only.clear_page_token();
        const std::string filters = filters_only.SerializeAsString();
        absl::StatusOr<std::optional<storage::CaseCursor>> after =
            DecodeTimeCursor(request.page_token(), "cases", filters);
        if (!after.ok()) return after.status();

        FillCasePage(CaseStore(tx, crypto_).List(ScopeOf(who), filter, *after, *page_size + 1),
                     *page_size, "cases", filters, out);
        return absl::OkStatus();
      });
}

absl::Status CaseManager::Search(const Identity& who,
                                 const consular::v1::SearchCasesRequest& request,
                                 absl::Time deadline, consular::v1::SearchCasesResponse* out) {
  return Audited(
      who, "CaseService.SearchCases", "", deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(CheckText("name", request.name(), kMaxNameChars, true));
        absl::StatusOr<std::string> name_index = crypto_.blind_index->NameIndex(request.name());
        if (!name_index.ok()) return InvalidField("name", "not valid UTF-8");
        absl::StatusOr<int> page_size = PageSizeOf(request.page_size(), kDefaultCasePageSize);
        if (!page_size.ok()) return page_size.status();
        // The page token is tied to the blind index, never to the name itself.
        const std::string filters = *name_index;
        absl::StatusOr<std::optional<storage::CaseCursor>> after =
            DecodeTimeCursor(request.page_token(), "search", filters);
        if (!after.ok()) return after.status();

        FillCasePage(
            CaseStore(tx, crypto_).Search(ScopeOf(who), *name_index, *after, *page_size + 1),
            *page_size, "search", filters, out);
        return absl::OkStatus();
      });
}

absl::Status CaseManager::Update(const Identity& who,
                                 const consular::v1::UpdateCaseRequest& request,
                                 absl::Time deadline, Case* out) {
  return Audited(
      who, "CaseService.UpdateCase", request.case_().id(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        RETURN_IF_ERROR(ValidateCaseId("case.id", request.case_().id()));
        RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        RETURN_IF_ERROR(CheckUpdateMaskShape(request.update_mask()));
        const absl::Time now = clock_();

        return RunIdempotent<Case>(
            tx, crypto_, who, "UpdateCase", request, request.request_id(), out,
            [&](CaseStore& store, const Case& stored) {
              return CaseStillInScope(store, who, stored.id(), audit);
            },
            [&](CaseStore& store, Case* updated) -> absl::Status {
              std::optional<Case> current = store.Find(ScopeOf(who), request.case_().id(), true);
              if (!current) return CaseNotFound(request.case_().id());
              Reached(*current, audit);
              RETURN_IF_ERROR(CheckMayChange(*current));
              RETURN_IF_ERROR(ValidateUpdateMask(request.update_mask(), current->type()));
              RETURN_IF_ERROR(CheckVersion(*current, request.expected_version()));
              RETURN_IF_ERROR(CheckNotClosed(*current));

              Case merged = *current;
              FieldMaskUtil::MergeOptions options;
              options.set_replace_message_fields(true);
              options.set_replace_repeated_fields(true);
              FieldMaskUtil::MergeMessageTo(request.case_(), request.update_mask(), options,
                                            &merged);
              RETURN_IF_ERROR(ValidateCaseContent(merged, DateOf(now)));

              const std::vector<std::string> changed =
                  ChangedPaths(request.update_mask(), *current, merged);
              if (changed.empty()) {
                *updated = std::move(*current);
                return absl::OkStatus();
              }
              merged.set_version(current->version() + 1);
              *merged.mutable_updated_at() = ToTimestamp(now);
              store.Update(merged);
              CaseEvent event =
                  NewEvent(who, consular::v1::CASE_EVENT_TYPE_UPDATED, now, merged.version());
              for (const std::string& path : changed) event.add_changed_fields(path);
              store.AppendEvent(merged.id(), event);
              *updated = std::move(merged);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::Transition(const Identity& who,
                                     const consular::v1::TransitionCaseRequest& request,
                                     absl::Time deadline, Case* out) {
  return Audited(
      who, "CaseService.TransitionCase", request.case_id(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        const CaseStatus target = request.target_status();
        if (target == consular::v1::CASE_STATUS_UNSPECIFIED) {
          return InvalidField("target_status", "required");
        }
        if (!consular::v1::CaseStatus_IsValid(target))
          return InvalidField("target_status", "unknown value");
        RETURN_IF_ERROR(CheckText("reason", request.reason(), kMaxReasonChars, true));
        if (!consular::v1::Outcome_IsValid(request.outcome())) {
          return InvalidField("outcome", "unknown value");
        }
        const bool resolving = target == consular::v1::CASE_STATUS_RESOLVED;
        if (resolving && request.outcome() == consular::v1::OUTCOME_UNSPECIFIED) {
          return InvalidField("outcome", "required to resolve a case");
        }
        if (!resolving && request.outcome() != consular::v1::OUTCOME_UNSPECIFIED) {
          return InvalidField("outcome", "only when resolving a case");
        }
        RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        const absl::Time now = clock_();

        return RunIdempotent<Case>(
            tx, crypto_, who, "TransitionCase", request, request.request_id(), out,
            [&](CaseStore& store, const Case& stored) {
              return CaseStillInScope(store, who, stored.id(), audit);
            },
            [&](CaseStore& store, Case* moved) -> absl::Status {
              std::optional<Case> current = store.Find(ScopeOf(who), request.case_id(), true);
              if (!current) return CaseNotFound(request.case_id());
              Reached(*current, audit);
              RETURN_IF_ERROR(CheckMayChange(*current));
              RETURN_IF_ERROR(CheckVersion(*current, request.expected_version()));
              const CaseStatus from = current->status();
              if (!IsAllowedTransition(from, target)) {
                return absl::FailedPreconditionError(
                    absl::StrCat("case ", current->reference(), " cannot move from ",
                                 StatusName(from), " to ", StatusName(target)));
              }
              RETURN_IF_ERROR(CheckMayTransition(who, current->caller_access(), from, target));
              if (resolving && !IsOutcomeValidFor(current->type(), request.outcome())) {
                return InvalidField("outcome", absl::StrCat(OutcomeName(request.outcome()),
                                                            " is not an outcome of a ",
                                                            TypeName(current->type()), " case"));
              }
              Case c = std::move(*current);
              c.set_status(target);
              if (resolving) {
                c.set_outcome(request.outcome());
                *c.mutable_resolved_at() = ToTimestamp(now);
              } else if (target == consular::v1::CASE_STATUS_CLOSED) {
                *c.mutable_closed_at() = ToTimestamp(now);
              } else if (from == consular::v1::CASE_STATUS_CLOSED) {
                // Reopened: the earlier outcome stays in the timeline, not on the case.
                c.clear_outcome();
                c.clear_resolved_at();
                c.clear_closed_at();
              }
              c.set_version(c.version() + 1);
              *c.mutable_updated_at() = ToTimestamp(now);
              store.Update(c);
              CaseEvent event =
                  NewEvent(who, consular::v1::CASE_EVENT_TYPE_TRANSITIONED, now, c.version());
              event.set_from_status(from);
              event.set_to_status(target);
              event.set_reason(request.reason());
              event.set_outcome(request.outcome());
              store.AppendEvent(c.id(), event);
              *moved = std::move(c);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::AddNote(const Identity& who,
                                  const consular::v1::AddCaseNoteRequest& request,
                                  absl::Time deadline, CaseNote* out) {
  return Audited(who, "CaseService.AddCaseNote", request.case_id(), deadline,
                 [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
                   RETURN_IF_ERROR(CheckCaseServiceAccess(who));
                   RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
                   RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
                   RETURN_IF_ERROR(CheckText("text", request.text(), kMaxNoteChars, true));
                   const absl::Time now = clock_();

                   return RunIdempotent<CaseNote>(
                       tx, crypto_, who, "AddCaseNote", request, request.request_id(), out,
                       [&](CaseStore& store, const CaseNote& stored) {
                         return CaseStillInScope(store, who, stored.case_id(), audit);
                       },
                       [&](CaseStore& store, CaseNote* note) -> absl::Status {
                         std::optional<Case> current =
                             store.Find(ScopeOf(who), request.case_id(), true);
                         if (!current) return CaseNotFound(request.case_id());
                         Reached(*current, audit);
                         RETURN_IF_ERROR(CheckMayChange(*current));
                         RETURN_IF_ERROR(CheckNotClosed(*current));
                         note->set_id(NewUuid());
                         note->set_case_id(current->id());
                         note->set_author(who.subject);
                         note->set_author_post(who.post);
                         *note->mutable_created_at() = ToTimestamp(now);
                         note->set_text(request.text());
                         store.InsertNote(*note);
                         CaseEvent event = NewEvent(who, consular::v1::CASE_EVENT_TYPE_NOTE_ADDED,
                                                    now, current->version());
                         event.set_note_id(note->id());
                         store.AppendEvent(current->id(), event);
                         return absl::OkStatus();
                       });
                 });
}

absl::Status CaseManager::ListNotes(const Identity& who,
                                    const consular::v1::ListCaseNotesRequest& request,
                                    absl::Time deadline, consular::v1::ListCaseNotesResponse* out) {
  return Audited(
      who, "CaseService.ListCaseNotes", request.case_id(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        absl::StatusOr<int> page_size = PageSizeOf(request.page_size(), kDefaultCasePageSize);
        if (!page_size.ok()) return page_size.status();
        absl::StatusOr<std::optional<storage::CaseCursor>> after =
            DecodeTimeCursor(request.page_token(), "notes", request.case_id());
        if (!after.ok()) return after.status();
        out->Clear();
        CaseStore store(tx, crypto_);
        std::optional<Case> found = store.Find(ScopeOf(who), request.case_id(), false);
        if (!found) return CaseNotFound(request.case_id());
        Reached(*found, audit);
        std::vector<CaseNote> notes = store.ListNotes(found->id(), *after, *page_size + 1);
        const bool more = static_cast<int>(notes.size()) > *page_size;
        if (more) notes.resize(*page_size);
        for (CaseNote& note : notes) *out->add_notes() = std::move(note);
        if (more) {
          const CaseNote& last = out->notes(out->notes_size() - 1);
          out->set_next_page_token(EncodePageToken(
              "notes", request.case_id(),
              {std::to_string(TimeUtil::TimestampToMicroseconds(last.created_at())), last.id()}));
        }
        return absl::OkStatus();
      });
}

absl::Status CaseManager::ListEvents(const Identity& who,
                                     const consular::v1::ListCaseEventsRequest& request,
                                     absl::Time deadline,
                                     consular::v1::ListCaseEventsResponse* out) {
  return Audited(
      who, "CaseService.ListCaseEvents", request.case_id(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        absl::StatusOr<int> page_size = PageSizeOf(request.page_size(), kDefaultEventPageSize);
        if (!page_size.ok()) return page_size.status();
        int64_t after_sequence = 0;
        if (!request.page_token().empty()) {
          auto cursor = DecodePageToken(request.page_token(), "events", request.case_id(), 1);
          if (!cursor.ok()) return cursor.status();
          if (!absl::SimpleAtoi((*cursor)[0], &after_sequence) || after_sequence < 0) {
            return InvalidField("page_token", "malformed");
          }
        }
        out->Clear();
        CaseStore store(tx, crypto_);
        std::optional<Case> found = store.Find(ScopeOf(who), request.case_id(), false);
        if (!found) return CaseNotFound(request.case_id());
        Reached(*found, audit);
        std::vector<CaseEvent> events =
            store.ListEvents(found->id(), after_sequence, *page_size + 1);
        const bool more = static_cast<int>(events.size()) > *page_size;
        if (more) events.resize(*page_size);
        for (CaseEvent& event : events) *out->add_events() = std::move(event);
        if (more) {
          out->set_next_page_token(
              EncodePageToken("events", request.case_id(),
                              {std::to_string(out->events(out->events_size() - 1).sequence())}));
        }
        return absl::OkStatus();
      });
}

namespace {

constexpr size_t kMaxLegalBasisChars = 300;
constexpr size_t kMaxEmergencyReasonChars = 2000;
constexpr size_t kMinEmergencyReasonChars = 10;
constexpr int kDefaultEmergencyMinutes = 60;
constexpr int kMaxEmergencyMinutes = 480;

size_t CodePoints(const std::string& text) {
  size_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

absl::Status ShareNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("share ", id, " not found"));
}

absl::Status EmergencyAccessNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("emergency access ", id, " not found"));
}

// Whether `who` may see emergency access `grant` at all: the application's own scope, as the
// policies of cases.emergency_access (auditors, the holder, the handling post).
bool SeesGrant(const Identity& who, const consular::v1::EmergencyAccess& grant) {
  return who.role == consular::v1::ROLE_AUDITOR || grant.actor() == who.subject ||
         grant.handling_post() == UnitOf(who);
}

consular::v1::CaseShare NewShare(const Identity& who, const Case& c, const std::string& grantee,
                                 consular::v1::ShareAccess access, const std::string& legal_basis,
                                 absl::Time now) {
  consular::v1::CaseShare share;
  share.set_id(NewUuid());
  share.set_case_id(c.id());
  share.set_case_reference(c.reference());
  share.set_grantee(grantee);
  share.set_access(access);
  share.set_legal_basis(legal_basis);
  share.set_granted_by(who.subject);
  share.set_granted_by_unit(c.handling_post());
  *share.mutable_granted_at() = ToTimestamp(now);
  share.set_active(true);
  return share;
}

}  // namespace

absl::Status CaseManager::Share(const Identity& who, const consular::v1::ShareCaseRequest& request,
                                absl::Time deadline, consular::v1::CaseShare* out) {
  return Audited(
      who, "CaseService.ShareCase", request.case_id(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        RETURN_IF_ERROR(ValidateGrantee("grantee", request.grantee()));
        if (!consular::v1::ShareAccess_IsValid(request.access()) ||
            request.access() == consular::v1::SHARE_ACCESS_UNSPECIFIED) {
          return InvalidField("access", "required: READ or READ_WRITE");
        }
        RETURN_IF_ERROR(CheckText("legal_basis", request.legal_basis(), kMaxLegalBasisChars, true));
        const absl::Time now = clock_();
        if (request.has_expires_at()) {
          const google::protobuf::Timestamp& t = request.expires_at();
          if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
              t.seconds() > TimeUtil::kTimestampMaxSeconds || t.nanos() < 0 ||
              t.nanos() > 999999999) {
            return InvalidField("expires_at", "not a valid time");
          }
          if (absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(request.expires_at())) <=
              now) {
            return InvalidField("expires_at", "must be in the future");
          }
        }
        return RunIdempotent<consular::v1::CaseShare>(
            tx, crypto_, who, "ShareCase", request, request.request_id(), out,
            [&](CaseStore& store, const consular::v1::CaseShare& stored) {
              return CaseStillInScope(store, who, stored.case_id(), audit);
            },
            [&](CaseStore& store, consular::v1::CaseShare* share) -> absl::Status {
              // Locked: shares of one case are granted one at a time.
              std::optional<Case> current = store.Find(ScopeOf(who), request.case_id(), true);
              if (!current) return CaseNotFound(request.case_id());
              Reached(*current, audit);
              RETURN_IF_ERROR(CheckHandles(*current, "share it"));
              if (request.grantee() == current->handling_post()) {
                return InvalidField("grantee", "is the unit handling the case");
              }
              if (std::optional<consular::v1::CaseShare> live =
                      store.LiveShare(current->id(), request.grantee())) {
                return absl::AlreadyExistsError(absl::StrCat(
                    "case ", current->reference(), " is already shared with ", request.grantee(),
                    " (share ", live->id(), "); revoke that share first"));
              }
              *share = NewShare(who, *current, request.grantee(), request.access(),
                                request.legal_basis(), now);
              if (request.has_expires_at()) *share->mutable_expires_at() = request.expires_at();
              store.InsertShare(*share);
              CaseEvent event =
                  NewEvent(who, consular::v1::CASE_EVENT_TYPE_SHARED, now, current->version());
              event.set_share_id(share->id());
              event.set_grantee(share->grantee());
              event.set_share_access(share->access());
              store.AppendEvent(current->id(), event);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::RevokeShare(const Identity& who,
                                      const consular::v1::RevokeShareRequest& request,
                                      absl::Time deadline, consular::v1::CaseShare* out) {
  return Audited(
      who, "CaseService.RevokeShare", "", deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        RETURN_IF_ERROR(CheckUuidField("share_id", request.share_id()));
        const std::string share_id = absl::AsciiStrToLower(request.share_id());
        const absl::Time now = clock_();
        return RunIdempotent<consular::v1::CaseShare>(
            tx, crypto_, who, "RevokeShare", request, request.request_id(), out,
            [&](CaseStore& store, const consular::v1::CaseShare& stored) -> absl::Status {
              if (!CaseStillInScope(store, who, stored.case_id(), audit).ok())
                return ShareNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](CaseStore& store, consular::v1::CaseShare* revoked) -> absl::Status {
              std::optional<consular::v1::CaseShare> share = store.FindShare(share_id, false);
              if (!share) return ShareNotFound(share_id);
              std::optional<Case> current = store.Find(ScopeOf(who), share->case_id(), true);
              if (!current) return ShareNotFound(share_id);
              Reached(*current, audit);
              RETURN_IF_ERROR(CheckHandles(*current, "revoke its shares"));
              share = store.FindShare(share_id, true);
              if (!share) return ShareNotFound(share_id);
              if (share->has_revoked_at()) {
                return absl::FailedPreconditionError(absl::StrCat(
                    "share ", share_id, " was revoked at ", FormatTimestamp(share->revoked_at()),
                    " by ", share->revoked_by()));
              }
              store.RevokeShare(share_id, who.subject, ToTimestamp(now));
              CaseEvent event = NewEvent(who, consular::v1::CASE_EVENT_TYPE_SHARE_REVOKED, now,
                                         current->version());
              event.set_share_id(share_id);
              event.set_grantee(share->grantee());
              store.AppendEvent(current->id(), event);
              std::optional<consular::v1::CaseShare> after = store.FindShare(share_id, false);
              if (!after) throw std::runtime_error("revoked share vanished");
              *revoked = std::move(*after);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::ListShares(const Identity& who,
                                     const consular::v1::ListSharesRequest& request,
                                     absl::Time deadline, consular::v1::ListSharesResponse* out) {
  return Audited(
      who, "CaseService.ListShares", request.case_id(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        out->Clear();
        CaseStore store(tx, crypto_);
        std::optional<Case> found = store.Find(ScopeOf(who), request.case_id(), false);
        if (!found) return CaseNotFound(request.case_id());
        Reached(*found, audit);
        if (found->caller_access() == consular::v1::CASE_ACCESS_EMERGENCY) {
          return absl::PermissionDeniedError("emergency access shows the case, not its shares");
        }
        // The handling unit sees every share; a grantee only its own.
        const std::string grantee =
            found->caller_access() == consular::v1::CASE_ACCESS_HANDLING ? "" : UnitOf(who);
        for (consular::v1::CaseShare& share :
             store.ListShares(found->id(), grantee, request.include_inactive())) {
          *out->add_shares() = std::move(share);
        }
        return absl::OkStatus();
      });
}

absl::Status CaseManager::Refer(const Identity& who, const consular::v1::ReferCaseRequest& request,
                                absl::Time deadline, Case* out) {
  return Audited(
      who, "CaseService.ReferCase", request.case_id(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        RETURN_IF_ERROR(CheckMayRefer(who));
        RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        if (request.to_post().empty()) return InvalidField("to_post", "required: a post code");
        if (!IsValidPostCode(request.to_post())) {
          return InvalidField("to_post", "must be a post code (^[A-Z][A-Z0-9-]{1,31}$, not LKHA)");
        }
        RETURN_IF_ERROR(CheckText("legal_basis", request.legal_basis(), kMaxLegalBasisChars, true));
        RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        const absl::Time now = clock_();
        return RunIdempotent<Case>(
            tx, crypto_, who, "ReferCase", request, request.request_id(), out,
            [&](CaseStore& store, const Case& stored) {
              return CaseStillInScope(store, who, stored.id(), audit);
            },
            [&](CaseStore& store, Case* referred) -> absl::Status {
              std::optional<Case> current = store.Find(ScopeOf(who), request.case_id(), true);
              if (!current) return CaseNotFound(request.case_id());
              Reached(*current, audit);
              RETURN_IF_ERROR(CheckHandles(*current, "refer it"));
              RETURN_IF_ERROR(CheckVersion(*current, request.expected_version()));
              RETURN_IF_ERROR(CheckNotClosed(*current));
              if (request.to_post() == current->handling_post()) {
                return InvalidField("to_post", "already handles the case");
              }
              const std::string from = current->handling_post();
              // The new post handles the case now: a share it held is spent.
              if (std::optional<consular::v1::CaseShare> spent =
                      store.LiveShare(current->id(), request.to_post())) {
                store.RevokeShare(spent->id(), who.subject, ToTimestamp(now));
              }
              // The referring unit keeps read access (written before the move: row-level
              // security lets a case move only where its mover can still see it).
              const consular::v1::CaseShare kept = NewShare(
                  who, *current, from, consular::v1::SHARE_ACCESS_READ, request.legal_basis(), now);
              store.InsertShare(kept);
              Case c = std::move(*current);
              c.set_version(c.version() + 1);
              CaseEvent event =
                  NewEvent(who, consular::v1::CASE_EVENT_TYPE_REFERRED, now, c.version());
              event.set_from_unit(from);
              event.set_to_unit(request.to_post());
              event.set_share_id(kept.id());
              store.AppendEvent(c.id(), event);
              c.set_handling_post(request.to_post());
              *c.mutable_updated_at() = ToTimestamp(now);
              store.Update(c);
              c.set_caller_access(consular::v1::CASE_ACCESS_SHARED_READ);
              *referred = std::move(c);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::OpenEmergencyAccess(
    const Identity& who, const consular::v1::OpenEmergencyAccessRequest& request,
    absl::Time deadline, consular::v1::EmergencyAccess* out) {
  return Audited(
      who, "CaseService.OpenEmergencyAccess", request.case_id(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        // Every attempt is flagged, refused ones too: they are what a reviewer looks for.
        FlagEmergency(audit);
        RETURN_IF_ERROR(CheckMayOpenEmergencyAccess(who));
        RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        RETURN_IF_ERROR(CheckText("reason", request.reason(), kMaxEmergencyReasonChars, true));
        if (CodePoints(request.reason()) < kMinEmergencyReasonChars) {
          return InvalidField("reason", "at least 10 characters: say why the access is needed");
        }
        if (request.minutes() < 0 || request.minutes() > kMaxEmergencyMinutes) {
          return InvalidField("minutes", "must be 1..480 (0 means 60)");
        }
        const int minutes = request.minutes() == 0 ? kDefaultEmergencyMinutes : request.minutes();
        return RunIdempotent<consular::v1::EmergencyAccess>(
            tx, crypto_, who, "OpenEmergencyAccess", request, request.request_id(), out,
            [&](CaseStore& store, const consular::v1::EmergencyAccess& stored) {
              return CreatedStillInScope(store, who, stored.case_id(), audit);
            },
            [&](CaseStore& store, consular::v1::EmergencyAccess* grant) -> absl::Status {
              if (std::optional<Case> visible =
                      store.Find(ScopeOf(who), request.case_id(), false)) {
                Reached(*visible, audit);
                if (visible->caller_access() == consular::v1::CASE_ACCESS_EMERGENCY) {
                  std::optional<consular::v1::EmergencyAccess> live = store.LiveEmergencyAccess(
                      visible->id(), who.subject, consular::v1::Role_Name(who.role));
                  return absl::FailedPreconditionError(absl::StrCat(
                      "you hold emergency access to case ", visible->reference(),
                      live ? absl::StrCat(" until ", FormatTimestamp(live->expires_at())) : ""));
                }
                return absl::FailedPreconditionError(
                    absl::StrCat("you can already see case ", visible->reference(),
                                 "; emergency access is for cases outside your scope"));
              }
              std::optional<storage::EmergencyTarget> target =
                  store.FindCaseForEmergency(request.case_id());
              if (!target) return CaseNotFound(request.case_id());
              audit->case_id = target->id;
              grant->set_id(NewUuid());
              grant->set_case_id(target->id);
              grant->set_case_reference(target->reference);
              grant->set_handling_post(target->handling_post);
              grant->set_actor(who.subject);
              grant->set_actor_role(who.role);
              grant->set_actor_unit(UnitOf(who));
              grant->set_reason(request.reason());
              grant->set_active(true);
              store.InsertEmergencyAccess(grant, minutes);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::ListEmergencyAccess(
    const Identity& who, const consular::v1::ListEmergencyAccessRequest& request,
    absl::Time deadline, consular::v1::ListEmergencyAccessResponse* out) {
  return Audited(
      who, "CaseService.ListEmergencyAccess", "", deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        RETURN_IF_ERROR(CheckMayListEmergencyAccess(who));
        absl::StatusOr<int> page_size = PageSizeOf(request.page_size(), kDefaultCasePageSize);
        if (!page_size.ok()) return page_size.status();
        const std::string filters = request.unreviewed_only() ? "unreviewed" : "all";
        absl::StatusOr<std::optional<storage::CaseCursor>> after =
            DecodeTimeCursor(request.page_token(), "emergency", filters);
        if (!after.ok()) return after.status();
        storage::EmergencyListScope scope;
        scope.all = who.role == consular::v1::ROLE_AUDITOR;
        scope.actor = who.subject;
        if (who.role == consular::v1::ROLE_POST_MANAGER) scope.post = UnitOf(who);
        out->Clear();
        std::vector<consular::v1::EmergencyAccess> grants =
            CaseStore(tx, crypto_)
                .ListEmergencyAccess(scope, request.unreviewed_only(), *after, *page_size + 1);
        const bool more = static_cast<int>(grants.size()) > *page_size;
        if (more) grants.resize(*page_size);
        for (consular::v1::EmergencyAccess& grant : grants) *out->add_grants() = std::move(grant);
        if (more) {
          const consular::v1::EmergencyAccess& last = out->grants(out->grants_size() - 1);
          out->set_next_page_token(EncodePageToken(
              "emergency", filters,
              {std::to_string(TimeUtil::TimestampToMicroseconds(last.opened_at())), last.id()}));
        }
        return absl::OkStatus();
      });
}

absl::Status CaseManager::ReviewEmergencyAccess(
    const Identity& who, const consular::v1::ReviewEmergencyAccessRequest& request,
    absl::Time deadline, consular::v1::EmergencyAccess* out) {
  return Audited(
      who, "CaseService.ReviewEmergencyAccess", "", deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        RETURN_IF_ERROR(CheckMayReviewEmergencyAccess(who));
        RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        RETURN_IF_ERROR(CheckUuidField("emergency_access_id", request.emergency_access_id()));
        if (!consular::v1::EmergencyReview_IsValid(request.review()) ||
            request.review() == consular::v1::EMERGENCY_REVIEW_UNSPECIFIED) {
          return InvalidField("review", "required: JUSTIFIED or NOT_JUSTIFIED");
        }
        const std::string id = absl::AsciiStrToLower(request.emergency_access_id());
        const absl::Time now = clock_();
        return RunIdempotent<consular::v1::EmergencyAccess>(
            tx, crypto_, who, "ReviewEmergencyAccess", request, request.request_id(), out,
            [&](CaseStore& store, const consular::v1::EmergencyAccess& stored) -> absl::Status {
              audit->case_id = stored.case_id();
              std::optional<consular::v1::EmergencyAccess> grant =
                  store.FindEmergencyAccess(stored.id(), false);
              if (!grant || !SeesGrant(who, *grant)) return EmergencyAccessNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](CaseStore& store, consular::v1::EmergencyAccess* reviewed) -> absl::Status {
              std::optional<consular::v1::EmergencyAccess> grant =
                  store.FindEmergencyAccess(id, true);
              if (!grant || !SeesGrant(who, *grant)) return EmergencyAccessNotFound(id);
              audit->case_id = grant->case_id();
              if (grant->actor() == who.subject) {
                return absl::PermissionDeniedError("nobody reviews their own emergency access");
              }
              if (grant->review() != consular::v1::EMERGENCY_REVIEW_UNSPECIFIED) {
                return absl::FailedPreconditionError(
                    absl::StrCat("emergency access ", id, " was reviewed by ", grant->reviewed_by(),
                                 " at ", FormatTimestamp(grant->reviewed_at())));
              }
              store.ReviewEmergencyAccess(id, request.review(), who.subject, ToTimestamp(now));
              std::optional<consular::v1::EmergencyAccess> after =
                  store.FindEmergencyAccess(id, false);
              if (!after) throw std::runtime_error("reviewed emergency access vanished");
              *reviewed = std::move(*after);
              return absl::OkStatus();
            });
      });
}

}  // namespace consular::cases

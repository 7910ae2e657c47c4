// CaseManager, cases: CreateCase, GetCase, ListCases, SearchCases, UpdateCase, TransitionCase,
// AddCaseNote, ListCaseNotes, ListCaseEvents. Sharing and referral are in case_sharing.cc,
// emergency access in case_emergency.cc.
#include "services/cases/case_manager.h"

#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "proto/dates.h"
#include "services/cases/case_history.h"
#include "services/cases/case_manager_support.h"
#include "services/cases/case_rules.h"
#include "services/cases/pg_case_repository.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/page_token.h"
#include "services/common/paging.h"
#include "services/common/token.h"
#include "services/common/validation.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseEvent;
using consular::v1::CaseNote;
using consular::v1::CaseStatus;
using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::TimeUtil;
using internal::CaseIdOf;
using internal::CaseNotFound;
using internal::CaseStillInScope;
using internal::CheckNotAnonymised;
using internal::CheckNotClosed;
using internal::CheckVersion;
using internal::CreatedStillInScope;
using internal::DecodeTimeCursor;
using internal::kDefaultCasePageSize;
using internal::NewEvent;
using internal::Reached;

constexpr int kDefaultEventPageSize = 100;
constexpr int kDefaultHistoryPageSize = 100;
// Events read at a time while filling a page of the history.
constexpr int kHistoryEventBatch = 200;
constexpr size_t kMaxReasonChars = 2000;
constexpr size_t kMaxNoteChars = 10000;
constexpr size_t kMaxNameChars = 200;

// The event sequence a page token of listing `kind` over `scope` continues after (0 without a
// token).
absl::StatusOr<int64_t> DecodeSequenceCursor(const std::string& token, const std::string& kind,
                                             const std::string& scope) {
  int64_t after = 0;
  if (token.empty()) return after;
  auto cursor = DecodePageToken(token, kind, scope, 1);
  if (!cursor.ok()) return cursor.status();
  if (!absl::SimpleAtoi((*cursor)[0], &after) || after < 0) {
    return InvalidField("page_token", "malformed");
  }
  return after;
}

// Fills `out` from `cases`, fetched with one more than `page_size`: the first page_size of them,
// and when there were more, the token of the next page (listing `kind`) after the last one.
template <typename Response>
void FillCasePage(std::vector<Case> cases, int page_size, const std::string& kind,
                  const std::string& filters, Response* out) {
  out->Clear();
  FillPage(std::move(cases), page_size, out->mutable_cases(), out->mutable_next_page_token(),
           [&](const Case& last) {
             return EncodePageToken(
                 kind, filters,
                 {std::to_string(TimeUtil::TimestampToMicroseconds(last.opened_at())), last.id()});
           });
}

// What the server fills in on a valid case: a new id for every person, travel document and step of
// the foreign proceedings without one, and those steps in the order of their days (stable for
// equal days).
void CompleteServerFields(Case* c) {
  for (consular::v1::Person& p : *c->mutable_persons()) {
    if (p.id().empty()) p.set_id(NewUuid());
  }
  for (consular::v1::TravelDocument& d : *c->mutable_documents()) {
    if (d.id().empty()) d.set_id(NewUuid());
  }
  if (c->has_divorce_recognition()) {
    auto* stages = c->mutable_divorce_recognition()->mutable_stages();
    for (consular::v1::ProceedingsStep& step : *stages) {
      if (step.id().empty()) step.set_id(NewUuid());
    }
    std::stable_sort(stages->begin(), stages->end(),
                     [](const consular::v1::ProceedingsStep& a,
                        const consular::v1::ProceedingsStep& b) {
                       return CompareDates(a.on(), b.on()) < 0;
                     });
  }
}

// Records in the audit row which of `duplicates` the caller was shown (those with a case id).
void RecordReturned(
    const google::protobuf::RepeatedPtrField<consular::v1::PossibleDuplicate>& duplicates,
    storage::AuditRecord* audit) {
  for (const consular::v1::PossibleDuplicate& d : duplicates) {
    if (!d.case_id().empty()) audit->returned_case_ids.push_back(d.case_id());
  }
}

// Fills `out` with the cases that may be about a person with this name and date of birth, except
// `exclude_id`: of those the caller may not read, only the unit and the match.
void FillPossibleDuplicates(CaseRepository& repo, const std::string& exclude_id,
                            const std::string& full_name, const consular::v1::Date& born,
                            google::protobuf::RepeatedPtrField<consular::v1::PossibleDuplicate>* out) {
  for (const storage::DuplicateRow& row : repo.PossibleDuplicates(exclude_id, full_name, born)) {
    consular::v1::PossibleDuplicate* d = out->Add();
    d->set_handling_unit(row.handling_post);
    d->set_match(static_cast<consular::v1::DuplicateMatch>(row.match));
    if (row.visible) {
      d->set_case_id(row.id);
      d->set_reference(row.reference);
    }
  }
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

}  // namespace

CaseManager::CaseManager(CaseTransactions* transactions, const Clock& clock,
                         const BlindIndex* blind_index)
    : transactions_(transactions), clock_(clock), blind_index_(blind_index) {}

CaseManager::CaseManager(storage::TransactionRunner* runner, const Clock& clock,
                         storage::FieldCrypto crypto)
    : owned_transactions_(std::make_unique<PgCaseTransactions>(runner, crypto)),
      transactions_(owned_transactions_.get()),
      clock_(clock),
      blind_index_(crypto.blind_index) {}

CaseManager::~CaseManager() = default;

absl::Status CaseManager::Audited(const Identity& who, const std::string& action,
                                  const std::string& case_id_hint, absl::Time deadline,
                                  const CaseTransactions::Work& body) {
  return transactions_->Run(who, action, case_id_hint, clock_.Now(), deadline, body);
}

template <typename Reply>
absl::Status CaseManager::Change(const Identity& who, const google::protobuf::Message& request,
                                 absl::Time deadline, const CaseChange<Reply>& change, Reply* out) {
  return Audited(
      who, "CaseService." + change.method, change.case_id, deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        const absl::Time now = clock_.Now();
        CONSULAR_RETURN_IF_ERROR(change.validate(now));
        return RunIdempotentCall<Reply>(
            repo, *blind_index_, who, change.method, request, change.request_id, out,
            [&](const Reply& stored) { return CaseStillInScope(repo, CaseIdOf(stored), audit); },
            [&](Reply* reply) -> absl::Status {
              std::optional<Case> current = repo.Find(change.case_id, true);
              if (!current) return CaseNotFound(change.case_id);
              Reached(*current, audit);
              CONSULAR_RETURN_IF_ERROR(CheckNotAnonymised(*current));
              return change.apply(repo, *std::move(current), now, reply);
            });
      });
}

// The replies of the case changes (case_manager.cc and case_sharing.cc).
template absl::Status CaseManager::Change<Case>(const Identity&, const google::protobuf::Message&,
                                                absl::Time, const CaseChange<Case>&, Case*);
template absl::Status CaseManager::Change<CaseNote>(const Identity&,
                                                    const google::protobuf::Message&, absl::Time,
                                                    const CaseChange<CaseNote>&, CaseNote*);
template absl::Status CaseManager::Change<consular::v1::CaseShare>(
    const Identity&, const google::protobuf::Message&, absl::Time,
    const CaseChange<consular::v1::CaseShare>&, consular::v1::CaseShare*);

absl::Status CaseManager::Create(const Identity& who,
                                 const consular::v1::CreateCaseRequest& request,
                                 absl::Time deadline, Case* out) {
  return Audited(
      who, "CaseService.CreateCase", "", deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(CheckMayCreate(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        if (!request.has_case_()) return InvalidField("case", "required");
        const absl::Time now = clock_.Now();
        CONSULAR_RETURN_IF_ERROR(ValidateCaseContent(request.case_(), DateOf(now)));

        return RunIdempotentCall<Case>(
            repo, *blind_index_, who, "CreateCase", request, request.request_id(), out,
            [&](const Case& stored) { return CreatedStillInScope(repo, stored.id(), audit); },
            [&](Case* created) -> absl::Status {
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
              *c.mutable_persons() = request.case_().persons();
              *c.mutable_documents() = request.case_().documents();
              CompleteServerFields(&c);

              c.set_id(NewUuid());
              // Before the reference is taken: its counter row stays locked until the commit,
              // and every CreateCase of the type waits for it. The new case is no duplicate of
              // itself, and nothing else has it yet.
              FillPossibleDuplicates(repo, c.id(), c.subject().full_name(),
                                     c.subject().date_of_birth(), c.mutable_possible_duplicates());
              RecordReturned(c.possible_duplicates(), audit);
              c.set_status(consular::v1::CASE_STATUS_INTAKE);
              c.set_handling_post(UnitOf(who));
              *c.mutable_opened_at() = ToTimestamp(now);
              *c.mutable_updated_at() = ToTimestamp(now);
              c.set_version(1);
              // The one who opens the case works it until a manager assigns someone else.
              c.set_assigned_to(who.subject);
              *c.mutable_assigned_at() = ToTimestamp(now);
              CaseEvent event = NewEvent(who, consular::v1::CASE_EVENT_TYPE_CREATED, now, 1);
              event.set_to_status(consular::v1::CASE_STATUS_INTAKE);

              const int year = static_cast<int>(absl::ToCivilYear(now, absl::UTCTimeZone()).year());
              const std::string prefix = ReferencePrefix(c.type());
              const int number = repo.NextReferenceNumber(prefix, year);
              c.set_reference(absl::StrFormat("%s-%04d-%05d", prefix, year, number));
              // Sent with the commit (with the stored response and the audit row), so the counter
              // row is held for two round trips.
              repo.InsertWithFirstEvent(c, event);
              audit->case_id = c.id();
              c.set_caller_access(consular::v1::CASE_ACCESS_HANDLING);
              PrepareForCaller(&c);
              *created = std::move(c);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::Get(const Identity& who, const consular::v1::GetCaseRequest& request,
                              absl::Time deadline, Case* out) {
  return Audited(who, "CaseService.GetCase", request.case_id(), deadline,
                 [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
                   CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
                   CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
                   std::optional<Case> found = repo.FindWithPendingReferral(request.case_id());
                   if (!found) return CaseNotFound(request.case_id());
                   Reached(*found, audit);
                   if (request.reveal_code_word()) {
                     audit->purpose = audit->purpose.empty()
                                          ? "code word revealed"
                                          : absl::StrCat(audit->purpose, "; code word revealed");
                   }
                   PrepareForCaller(&*found, request.reveal_code_word());
                   *out = std::move(*found);
                   return absl::OkStatus();
                 });
}

absl::Status CaseManager::List(const Identity& who, const consular::v1::ListCasesRequest& request,
                               absl::Time deadline, consular::v1::ListCasesResponse* out) {
  return Audited(
      who, "CaseService.ListCases", "", deadline,
      [&](CaseRepository& repo, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        storage::CaseFilter filter;
        if (!request.post().empty()) {
          CONSULAR_RETURN_IF_ERROR(ValidateGrantee("post", request.post()));
          if (!repo.IsRegisteredUnit(request.post())) {
            return InvalidField("post", absl::StrCat(request.post(),
                                                     " is not a unit of the register of units"));
          }
        }
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
        CONSULAR_RETURN_IF_ERROR(CheckDate("opened_from", request.opened_from(), far_future, true));
        CONSULAR_RETURN_IF_ERROR(CheckDate("opened_to", request.opened_to(), far_future, true));
        if (IsSet(request.opened_from())) filter.opened_from = FormatDate(request.opened_from());
        if (IsSet(request.opened_to())) filter.opened_to = FormatDate(request.opened_to());
        if (IsSet(request.opened_from()) && IsSet(request.opened_to()) &&
            CompareDates(request.opened_to(), request.opened_from()) < 0) {
          return InvalidField("opened_to", "is before opened_from");
        }
        if (request.assigned_to_me() && request.unassigned()) {
          return InvalidField("unassigned", "cannot be combined with assigned_to_me");
        }
        if (request.assigned_to_me()) filter.assigned_to = who.subject;
        filter.unassigned = request.unassigned();
        CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                  PageSizeOf(request.page_size(), kDefaultCasePageSize));

        consular::v1::ListCasesRequest filters_only = request;
        filters_only.clear_page_size();
        filters_only.clear_page_token();
        const std::string filters = filters_only.SerializeAsString();
        absl::StatusOr<std::optional<storage::CaseCursor>> after =
            DecodeTimeCursor(request.page_token(), "cases", filters);
        if (!after.ok()) return after.status();

        FillCasePage(repo.List(filter, *after, FetchLimit(page_size)), page_size, "cases", filters,
                     out);
        for (Case& c : *out->mutable_cases()) PrepareForCaller(&c);
        return absl::OkStatus();
      });
}

absl::Status CaseManager::Search(const Identity& who,
                                 const consular::v1::SearchCasesRequest& request,
                                 absl::Time deadline, consular::v1::SearchCasesResponse* out) {
  return Audited(who, "CaseService.SearchCases", "", deadline,
                 [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
                   CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
                   CONSULAR_RETURN_IF_ERROR(CheckText("name", request.name(), kMaxNameChars, true));
                   absl::StatusOr<std::string> name_index = blind_index_->NameIndex(request.name());
                   if (!name_index.ok()) return InvalidField("name", "not valid UTF-8");
                   CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                             PageSizeOf(request.page_size(), kDefaultCasePageSize));
                   // The page token is tied to the blind index, never to the name itself.
                   const std::string filters = *name_index;
                   absl::StatusOr<std::optional<storage::CaseCursor>> after =
                       DecodeTimeCursor(request.page_token(), "search", filters);
                   if (!after.ok()) return after.status();

                   FillCasePage(repo.Search(*name_index, *after, FetchLimit(page_size)), page_size,
                                "search", filters, out);
                   for (Case& c : *out->mutable_cases()) {
                     PrepareForCaller(&c);
                     audit->returned_case_ids.push_back(c.id());
                   }
                   return absl::OkStatus();
                 });
}

absl::Status CaseManager::FindPossibleDuplicates(
    const Identity& who, const consular::v1::FindPossibleDuplicatesRequest& request,
    absl::Time deadline, consular::v1::FindPossibleDuplicatesResponse* out) {
  return Audited(
      who, "CaseService.FindPossibleDuplicates", request.case_id(), deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(CheckMayCreate(who));
        out->Clear();
        if (!request.case_id().empty()) {
          if (!request.full_name().empty() || IsSet(request.date_of_birth())) {
            return InvalidField("case_id", "give either case_id or full_name (and date_of_birth)");
          }
          CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
          std::optional<Case> found = repo.Find(request.case_id(), false);
          if (!found) return CaseNotFound(request.case_id());
          Reached(*found, audit);
          FillPossibleDuplicates(repo, found->id(), found->subject().full_name(),
                                 found->subject().date_of_birth(), out->mutable_duplicates());
          RecordReturned(out->duplicates(), audit);
          return absl::OkStatus();
        }
        CONSULAR_RETURN_IF_ERROR(CheckText("full_name", request.full_name(), kMaxNameChars, true));
        CONSULAR_RETURN_IF_ERROR(
            CheckDate("date_of_birth", request.date_of_birth(), DateOf(clock_.Now()), true));
        FillPossibleDuplicates(repo, "", request.full_name(), request.date_of_birth(),
                               out->mutable_duplicates());
        RecordReturned(out->duplicates(), audit);
        return absl::OkStatus();
      });
}

absl::Status CaseManager::Update(const Identity& who,
                                 const consular::v1::UpdateCaseRequest& request,
                                 absl::Time deadline, Case* out) {
  CaseChange<Case> change{"UpdateCase", request.case_().id(), request.request_id()};
  change.validate = [&](absl::Time /*now*/) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
    CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case.id", request.case_().id()));
    CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
    CONSULAR_RETURN_IF_ERROR(CheckUpdateMaskShape(request.update_mask()));
    CONSULAR_RETURN_IF_ERROR(CheckText("reason", request.reason(), kMaxReasonChars, false));
    return absl::OkStatus();
  };
  change.apply = [&](CaseRepository& repo, Case current, absl::Time now,
                     Case* updated) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(CheckMayChange(current));
    CONSULAR_RETURN_IF_ERROR(ValidateUpdateMask(request.update_mask(), current.type()));
    CONSULAR_RETURN_IF_ERROR(CheckVersion(current, request.expected_version()));
    CONSULAR_RETURN_IF_ERROR(CheckNotClosed(current));

    Case merged = current;
    FieldMaskUtil::MergeOptions options;
    options.set_replace_message_fields(true);
    options.set_replace_repeated_fields(true);
    FieldMaskUtil::MergeMessageTo(request.case_(), request.update_mask(), options, &merged);
    // Nobody reads the code word back, so replacing all of safety keeps it unless it is named
    // (safety.code_word) or a new one is given.
    const auto& paths = request.update_mask().paths();
    if (std::find(paths.begin(), paths.end(), "safety.code_word") == paths.end() &&
        request.case_().safety().code_word().empty()) {
      merged.mutable_safety()->set_code_word(current.safety().code_word());
    }
    merged.mutable_safety()->clear_has_code_word();
    CONSULAR_RETURN_IF_ERROR(ValidateCaseContent(merged, DateOf(now)));
    CompleteServerFields(&merged);
    // A resolved case keeps its outcome: a decision recorded later must agree with it, and a
    // return date cannot be removed from a case resolved RETURNED_TO_NL.
    CONSULAR_RETURN_IF_ERROR(CheckOutcomeAgreesWithCase(merged, merged.outcome()));

    const std::vector<std::string> changed = ChangedPaths(request.update_mask(), current, merged);
    if (changed.empty()) {
      *updated = std::move(current);
      PrepareForCaller(updated);
      return absl::OkStatus();
    }
    const std::vector<consular::v1::FieldChange> changes =
        ChangedFields(request.update_mask(), current, merged);
    for (const consular::v1::FieldChange& change : changes) {
      if (change.field() == "safety.covert_notes_shareable" &&
          current.caller_access() != consular::v1::CASE_ACCESS_HANDLING) {
        return absl::PermissionDeniedError(
            "only the handling unit decides whether covert notes are shared");
      }
      if (IsSafetyField(change.field()) && request.reason().empty()) {
        return InvalidField("reason", absl::StrCat("required to change ", change.field(),
                                                   ": the safety information is never changed "
                                                   "without saying why"));
      }
    }
    merged.set_version(current.version() + 1);
    *merged.mutable_updated_at() = ToTimestamp(now);
    repo.Update(merged);
    CaseEvent event = NewEvent(who, consular::v1::CASE_EVENT_TYPE_UPDATED, now, merged.version());
    for (const std::string& path : changed) event.add_changed_fields(path);
    for (const consular::v1::FieldChange& change : changes) *event.add_changes() = change;
    event.set_reason(request.reason());
    repo.AppendEvent(merged.id(), event);
    *updated = std::move(merged);
    PrepareForCaller(updated);
    return absl::OkStatus();
  };
  return Change(who, request, deadline, change, out);
}

absl::Status CaseManager::Transition(const Identity& who,
                                     const consular::v1::TransitionCaseRequest& request,
                                     absl::Time deadline, Case* out) {
  const CaseStatus target = request.target_status();
  const bool resolving = target == consular::v1::CASE_STATUS_RESOLVED;
  CaseChange<Case> change{"TransitionCase", request.case_id(), request.request_id()};
  change.validate = [&](absl::Time /*now*/) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
    CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
    if (target == consular::v1::CASE_STATUS_UNSPECIFIED) {
      return InvalidField("target_status", "required");
    }
    if (!consular::v1::CaseStatus_IsValid(target))
      return InvalidField("target_status", "unknown value");
    CONSULAR_RETURN_IF_ERROR(CheckText("reason", request.reason(), kMaxReasonChars, true));
    if (!consular::v1::Outcome_IsValid(request.outcome())) {
      return InvalidField("outcome", "unknown value");
    }
    if (resolving && request.outcome() == consular::v1::OUTCOME_UNSPECIFIED) {
      return InvalidField("outcome", "required to resolve a case");
    }
    if (!resolving && request.outcome() != consular::v1::OUTCOME_UNSPECIFIED) {
      return InvalidField("outcome", "only when resolving a case");
    }
    CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
    return absl::OkStatus();
  };
  change.apply = [&](CaseRepository& repo, Case current, absl::Time now,
                     Case* moved) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(CheckMayChange(current));
    CONSULAR_RETURN_IF_ERROR(CheckVersion(current, request.expected_version()));
    const CaseStatus from = current.status();
    if (!IsAllowedTransition(from, target)) {
      return absl::FailedPreconditionError(absl::StrCat("case ", current.reference(),
                                                        " cannot move from ", StatusName(from),
                                                        " to ", StatusName(target)));
    }
    CONSULAR_RETURN_IF_ERROR(CheckMayTransition(who, current.caller_access(), from, target));
    if (resolving && !IsOutcomeValidFor(current.type(), request.outcome())) {
      return InvalidField("outcome",
                          absl::StrCat(OutcomeName(request.outcome()), " is not an outcome of a ",
                                       TypeName(current.type()), " case"));
    }
    if (resolving) {
      CONSULAR_RETURN_IF_ERROR(CheckOutcomeAgreesWithCase(current, request.outcome()));
    }
    if (target == consular::v1::CASE_STATUS_CLOSED) {
      // Nothing promised is dropped silently: open follow-ups are completed or cancelled first.
      const std::vector<std::string> open = repo.OpenFollowUps(current.id());
      if (!open.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "case ", current.reference(), " has ", open.size(),
            " open follow-up(s), of contact(s) ", absl::StrJoin(open, ", "),
            ": complete them (consularctl contact done) or cancel them (consularctl contact "
            "cancel) before closing it"));
      }
    }
    Case c = std::move(current);
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
    repo.Update(c);
    CaseEvent event = NewEvent(who, consular::v1::CASE_EVENT_TYPE_TRANSITIONED, now, c.version());
    event.set_from_status(from);
    event.set_to_status(target);
    event.set_reason(request.reason());
    event.set_outcome(request.outcome());
    repo.AppendEvent(c.id(), event);
    *moved = std::move(c);
    PrepareForCaller(moved);
    return absl::OkStatus();
  };
  return Change(who, request, deadline, change, out);
}

absl::Status CaseManager::AddNote(const Identity& who,
                                  const consular::v1::AddCaseNoteRequest& request,
                                  absl::Time deadline, CaseNote* out) {
  CaseChange<CaseNote> change{"AddCaseNote", request.case_id(), request.request_id()};
  change.validate = [&](absl::Time /*now*/) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
    CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
    CONSULAR_RETURN_IF_ERROR(CheckText("text", request.text(), kMaxNoteChars, true));
    return absl::OkStatus();
  };
  change.apply = [&](CaseRepository& repo, Case current, absl::Time now,
                     CaseNote* note) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(CheckMayChange(current));
    CONSULAR_RETURN_IF_ERROR(CheckNotClosed(current));
    note->set_id(NewUuid());
    note->set_case_id(current.id());
    note->set_author(who.subject);
    note->set_author_post(who.post);
    *note->mutable_created_at() = ToTimestamp(now);
    note->set_text(request.text());
    repo.InsertNote(*note);
    CaseEvent event =
        NewEvent(who, consular::v1::CASE_EVENT_TYPE_NOTE_ADDED, now, current.version());
    event.set_note_id(note->id());
    repo.AppendEvent(current.id(), event);
    return absl::OkStatus();
  };
  return Change(who, request, deadline, change, out);
}

absl::Status CaseManager::ListNotes(const Identity& who,
                                    const consular::v1::ListCaseNotesRequest& request,
                                    absl::Time deadline, consular::v1::ListCaseNotesResponse* out) {
  return Audited(
      who, "CaseService.ListCaseNotes", request.case_id(), deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                  PageSizeOf(request.page_size(), kDefaultCasePageSize));
        absl::StatusOr<std::optional<storage::CaseCursor>> after =
            DecodeTimeCursor(request.page_token(), "notes", request.case_id());
        if (!after.ok()) return after.status();
        out->Clear();
        std::optional<Case> found = repo.Find(request.case_id(), false);
        if (!found) return CaseNotFound(request.case_id());
        Reached(*found, audit);
        FillPage(repo.ListNotes(found->id(), *after, FetchLimit(page_size)), page_size,
                 out->mutable_notes(), out->mutable_next_page_token(), [&](const CaseNote& last) {
                   return EncodePageToken(
                       "notes", request.case_id(),
                       {std::to_string(TimeUtil::TimestampToMicroseconds(last.created_at())),
                        last.id()});
                 });
        return absl::OkStatus();
      });
}

absl::Status CaseManager::ListEvents(const Identity& who,
                                     const consular::v1::ListCaseEventsRequest& request,
                                     absl::Time deadline,
                                     consular::v1::ListCaseEventsResponse* out) {
  return Audited(
      who, "CaseService.ListCaseEvents", request.case_id(), deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                  PageSizeOf(request.page_size(), kDefaultEventPageSize));
        CONSULAR_ASSIGN_OR_RETURN(
            int64_t after_sequence,
            DecodeSequenceCursor(request.page_token(), "events", request.case_id()));
        out->Clear();
        std::optional<Case> found = repo.Find(request.case_id(), false);
        if (!found) return CaseNotFound(request.case_id());
        Reached(*found, audit);
        FillPage(repo.ListEvents(found->id(), after_sequence, FetchLimit(page_size)), page_size,
                 out->mutable_events(), out->mutable_next_page_token(), [&](const CaseEvent& last) {
                   return EncodePageToken("events", request.case_id(),
                                          {std::to_string(last.sequence())});
                 });
        // The values an update changed are the history's (ListCaseHistory), not the timeline's.
        for (CaseEvent& event : *out->mutable_events()) event.clear_changes();
        return absl::OkStatus();
      });
}

absl::Status CaseManager::ListHistory(const Identity& who,
                                      const consular::v1::ListCaseHistoryRequest& request,
                                      absl::Time deadline,
                                      consular::v1::ListCaseHistoryResponse* out) {
  return Audited(
      who, "CaseService.ListCaseHistory", request.case_id(), deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        if (!request.field().empty() && !IsCaseFieldPath(request.field())) {
          return InvalidField("field", absl::StrCat("\"", request.field(),
                                                    "\" is not a field of a case (e.g. safety, "
                                                    "safety.covert_notes, status)"));
        }
        CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                  PageSizeOf(request.page_size(), kDefaultHistoryPageSize));
        const std::string scope = absl::StrCat(request.case_id(), "/", request.field());
        CONSULAR_ASSIGN_OR_RETURN(int64_t after_sequence,
                                  DecodeSequenceCursor(request.page_token(), "history", scope));
        out->Clear();
        std::optional<Case> found = repo.Find(request.case_id(), false);
        if (!found) return CaseNotFound(request.case_id());
        Reached(*found, audit);
        const bool show_covert_notes = MaySeeCovertNotes(*found);
        std::vector<consular::v1::CaseHistoryEntry> entries;
        const size_t wanted = static_cast<size_t>(FetchLimit(page_size));
        for (bool more = true; more && entries.size() < wanted;) {
          const std::vector<CaseEvent> events =
              repo.ListEvents(found->id(), after_sequence, kHistoryEventBatch);
          more = events.size() == static_cast<size_t>(kHistoryEventBatch);
          for (const CaseEvent& event : events) {
            after_sequence = event.sequence();
            std::optional<consular::v1::CaseHistoryEntry> entry =
                HistoryEntryOf(event, request.field(), show_covert_notes);
            if (entry) entries.push_back(*std::move(entry));
            if (entries.size() == wanted) break;
          }
        }
        FillPage(std::move(entries), page_size, out->mutable_entries(),
                 out->mutable_next_page_token(),
                 [&](const consular::v1::CaseHistoryEntry& last) {
                   return EncodePageToken("history", scope, {std::to_string(last.sequence())});
                 });
        return absl::OkStatus();
      });
}

}  // namespace consular::cases

// ExportManager, subject access (GDPR art. 15): RequestSubjectAccess, AnswerSubjectAccess,
// ListSubjectAccessRequests, GetSubjectAccessExport.
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/cases/case_manager_support.h"
#include "services/cases/export_manager.h"
#include "services/cases/export_support.h"
#include "services/cases/subject_access_render.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/validation.h"
#include "storage/case_store.h"
#include "storage/contact_store.h"
#include "storage/export_store.h"

namespace consular::cases {
namespace {

using consular::v1::SubjectAccessRequest;
using google::protobuf::util::TimeUtil;
using internal::CaseNotFound;
using internal::CheckExportServiceAccess;
using internal::ScopeOf;

constexpr int kDefaultAvailableDays = 14;
constexpr int kMaxAvailableDays = 30;
constexpr int kMaxNoteChars = 500;
constexpr int kDefaultListSize = 50;
constexpr int kMaxListSize = 200;
constexpr int kBatch = 500;
// More notes or contacts than this on one case is not a case but a fault: refuse, do not truncate.
constexpr size_t kMaxItems = 20000;

absl::Status RequestNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("subject-access request ", id, " not found"));
}

// The state as the caller should see it: an approved request past its day is EXPIRED.
SubjectAccessRequest AsSeenAt(SubjectAccessRequest r, absl::Time now) {
  if (r.state() == consular::v1::EXPORT_STATE_APPROVED &&
      internal::Passed(r.available_until(), now)) {
    r.set_state(consular::v1::EXPORT_STATE_EXPIRED);
  }
  return r;
}

// Every note of the case, oldest first.
std::vector<consular::v1::CaseNote> AllNotes(storage::CaseStore& cases,
                                             const std::string& case_id) {
  std::vector<consular::v1::CaseNote> out;
  std::optional<storage::CaseCursor> after;
  while (true) {
    std::vector<consular::v1::CaseNote> page = cases.ListNotes(case_id, after, kBatch);
    if (page.empty()) break;
    after = storage::CaseCursor{TimeUtil::TimestampToMicroseconds(page.back().created_at()),
                                page.back().id()};
    out.insert(out.end(), page.begin(), page.end());
    if (out.size() > kMaxItems) throw std::runtime_error("too many notes for one export");
    if (page.size() < static_cast<size_t>(kBatch)) break;
  }
  return out;
}

// Every contact of the case's contact log, oldest first.
std::vector<consular::v1::Contact> AllContacts(storage::ContactStore& contacts,
                                               const std::string& case_id) {
  std::vector<consular::v1::Contact> out;
  std::optional<storage::ContactCursor> after;
  while (true) {
    std::vector<consular::v1::Contact> page = contacts.ListByCase(case_id, after, kBatch);
    if (page.empty()) break;
    after = storage::ContactCursor{
        std::to_string(TimeUtil::TimestampToMicroseconds(page.back().occurred_at())),
        page.back().id()};
    out.insert(out.end(), page.begin(), page.end());
    if (out.size() > kMaxItems) throw std::runtime_error("too many contacts for one export");
    if (page.size() < static_cast<size_t>(kBatch)) break;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

absl::Status ExportManager::RequestSubjectAccess(
    const Identity& who, const consular::v1::RequestSubjectAccessRequest& request,
    absl::Time deadline, SubjectAccessRequest* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ExportService.RequestSubjectAccess", request.case_id(), now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckExportServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        if (request.language() != "nl" && request.language() != "en") {
          return InvalidField("language", "required: nl or en");
        }
        CONSULAR_RETURN_IF_ERROR(CheckText("note", request.note(), kMaxNoteChars, true));
        storage::ExportStore exports(tx, crypto_);
        return RunIdempotentCall<SubjectAccessRequest>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "RequestSubjectAccess", request, request.request_id(), out,
            [&](const SubjectAccessRequest& stored) -> absl::Status {
              audit->case_id = stored.case_id();
              std::optional<SubjectAccessRequest> now_seen =
                  exports.FindSubjectAccess(stored.id(), false);
              if (!now_seen) return CaseNotFound(request.case_id());
              return absl::OkStatus();
            },
            [&](SubjectAccessRequest* made) -> absl::Status {
              storage::CaseStore cases(tx, crypto_);
              std::optional<consular::v1::Case> c =
                  cases.Find(ScopeOf(who), request.case_id(), false);
              if (!c) return CaseNotFound(request.case_id());
              audit->case_id = c->id();
              // A tombstone holds nothing about her any more: there is nothing to give.
              CONSULAR_RETURN_IF_ERROR(internal::CheckNotAnonymised(*c));
              if (c->caller_access() != consular::v1::CASE_ACCESS_HANDLING) {
                return absl::PermissionDeniedError(
                    absl::StrCat("the unit handling case ", c->reference(), " (",
                                 c->handling_post(), ") answers a request for the person's data"));
              }
              made->set_id(NewUuid());
              made->set_case_id(c->id());
              made->set_case_reference(c->reference());
              made->set_unit(c->handling_post());
              made->set_language(request.language());
              made->set_note(request.note());
              made->set_requested_by(who.subject);
              made->set_requested_by_role(who.role);
              *made->mutable_requested_at() = ToTimestamp(now);
              made->set_state(consular::v1::EXPORT_STATE_PENDING);
              exports.InsertSubjectAccess(*made);
              return absl::OkStatus();
            });
      });
}

absl::Status ExportManager::AnswerSubjectAccess(
    const Identity& who, const consular::v1::AnswerSubjectAccessRequest& request,
    absl::Time deadline, SubjectAccessRequest* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ExportService.AnswerSubjectAccess", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckExportServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("subject_access_id", request.subject_access_id()));
        CONSULAR_RETURN_IF_ERROR(internal::CheckAnswer(request.decision(), request.reason()));
        if (request.available_days() < 0 || request.available_days() > kMaxAvailableDays) {
          return InvalidField("available_days", "must be 1..30 (0 means 14)");
        }
        if (request.decision() == consular::v1::EXPORT_DECISION_REFUSE &&
            request.available_days() != 0) {
          return InvalidField("available_days", "only with APPROVE");
        }
        const int days =
            request.available_days() == 0 ? kDefaultAvailableDays : request.available_days();
        const std::string id = absl::AsciiStrToLower(request.subject_access_id());
        storage::ExportStore exports(tx, crypto_);
        const absl::Status status = RunIdempotentCall<SubjectAccessRequest>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "AnswerSubjectAccess", request, request.request_id(), out,
            [&](const SubjectAccessRequest& stored) -> absl::Status {
              audit->case_id = stored.case_id();
              if (!exports.FindSubjectAccess(stored.id(), false)) return RequestNotFound(id);
              return absl::OkStatus();
            },
            [&](SubjectAccessRequest* answered) -> absl::Status {
              std::optional<SubjectAccessRequest> r = exports.FindSubjectAccess(id, true);
              if (!r) return RequestNotFound(id);
              audit->case_id = r->case_id();
              CONSULAR_RETURN_IF_ERROR(internal::CheckMayAnswer(who, r->unit(), r->requested_by(),
                                                                "subject-access request"));
              if (r->state() != consular::v1::EXPORT_STATE_PENDING) {
                return absl::FailedPreconditionError(
                    absl::StrCat("subject-access request ", id, " was answered by ",
                                 r->answered_by(), " at ", FormatTimestamp(r->answered_at())));
              }
              const bool done = request.decision() == consular::v1::EXPORT_DECISION_APPROVE
                                    ? exports.ApproveSubjectAccess(
                                          id, who.subject, absl::ToUnixMicros(now),
                                          absl::ToUnixMicros(now + absl::Hours(24) * days))
                                    : exports.RefuseSubjectAccess(
                                          id, storage::Refusal{who.subject, absl::ToUnixMicros(now),
                                                               request.reason()});
              if (!done) throw std::runtime_error("pending subject-access request not answered");
              std::optional<SubjectAccessRequest> after = exports.FindSubjectAccess(id, false);
              if (!after) throw std::runtime_error("answered subject-access request vanished");
              *answered = std::move(*after);
              return absl::OkStatus();
            });
        if (status.ok()) *out = AsSeenAt(*out, now);
        return status;
      });
}

absl::Status ExportManager::ListSubjectAccessRequests(
    const Identity& who, const consular::v1::ListSubjectAccessRequestsRequest& request,
    absl::Time deadline, consular::v1::ListSubjectAccessRequestsResponse* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ExportService.ListSubjectAccessRequests", request.case_id(), now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckExportServiceAccess(who));
        if (!request.case_id().empty()) {
          CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        }
        CONSULAR_ASSIGN_OR_RETURN(int limit,
                                  PageSizeOf(request.page_size(), kDefaultListSize, kMaxListSize));
        std::string case_id;
        if (!request.case_id().empty()) {
          std::optional<consular::v1::Case> c =
              storage::CaseStore(tx, crypto_).Find(ScopeOf(who), request.case_id(), false);
          if (!c) return CaseNotFound(request.case_id());
          case_id = c->id();
          audit->case_id = case_id;
        }
        out->Clear();
        for (SubjectAccessRequest& r :
             storage::ExportStore(tx, crypto_)
                 .ListSubjectAccess(case_id, request.pending_only(), limit)) {
          *out->add_requests() = AsSeenAt(std::move(r), now);
        }
        return absl::OkStatus();
      });
}

absl::Status ExportManager::GetSubjectAccessExport(
    const Identity& who, const consular::v1::GetSubjectAccessExportRequest& request,
    absl::Time deadline, consular::v1::SubjectAccessFiles* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ExportService.GetSubjectAccessExport", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckExportServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("subject_access_id", request.subject_access_id()));
        const std::string id = absl::AsciiStrToLower(request.subject_access_id());
        std::optional<SubjectAccessRequest> r =
            storage::ExportStore(tx, crypto_).FindSubjectAccess(id, false);
        if (!r) return RequestNotFound(id);
        audit->case_id = r->case_id();
        if (who.subject != r->requested_by() && who.subject != r->answered_by()) {
          return absl::PermissionDeniedError(
              "the export goes to the requester or the approver of the request only");
        }
        switch (r->state()) {
          case consular::v1::EXPORT_STATE_PENDING:
            return absl::FailedPreconditionError(absl::StrCat(
                "subject-access request ", id, " waits for a post manager's approval"));
          case consular::v1::EXPORT_STATE_REFUSED:
            return absl::FailedPreconditionError(
                absl::StrCat("subject-access request ", id, " was refused: ", r->refusal_reason()));
          default:
            break;
        }
        if (internal::Passed(r->available_until(), now)) {
          return absl::FailedPreconditionError(
              absl::StrCat("subject-access request ", id, " could be obtained until ",
                           FormatTimestamp(r->available_until()), "; ask again"));
        }
        storage::CaseStore cases(tx, crypto_);
        std::optional<consular::v1::Case> c = cases.Find(ScopeOf(who), r->case_id(), false);
        if (!c) return CaseNotFound(r->case_reference());
        CONSULAR_RETURN_IF_ERROR(internal::CheckNotAnonymised(*c));
        storage::ContactStore contacts(tx, crypto_);
        const consular::v1::SubjectAccessContent content = BuildSubjectAccessContent(
            *r, *c, AllNotes(cases, c->id()), AllContacts(contacts, c->id()), ToTimestamp(now));
        out->Clear();
        *out->mutable_request() = AsSeenAt(*r, now);
        out->set_file_stem(absl::StrCat("subject-access-", c->reference()));
        out->set_html(RenderSubjectAccessHtml(content));
        out->set_json(RenderSubjectAccessJson(content));
        if (out->json().empty()) throw std::runtime_error("subject-access JSON not rendered");
        return absl::OkStatus();
      });
}

}  // namespace consular::cases

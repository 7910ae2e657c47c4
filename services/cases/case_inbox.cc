// CaseManager, between units and within one: AnswerReferral, AnswerShare, ListInbox, AssignCase.
#include <google/protobuf/util/time_util.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/cases/case_history.h"
#include "services/cases/case_manager.h"
#include "services/cases/case_manager_support.h"
#include "services/cases/case_rules.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/token.h"
#include "services/common/validation.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseEvent;
using google::protobuf::util::TimeUtil;
using internal::CaseNotFound;
using internal::CheckNotClosed;
using internal::CheckVersion;
using internal::MarkAnswered;
using internal::NewEvent;
using internal::NewShare;
using internal::Reached;
using internal::ShareNotFound;

constexpr size_t kMaxAnswerReasonChars = 300;
constexpr size_t kMaxAssigneeChars = 128;
constexpr int kDefaultInboxDays = 30;
constexpr int kMaxInboxDays = 366;

absl::Status ReferralNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("referral ", id, " not found"));
}

// ACCEPTED, or DECLINED with a reason of 1..300 characters (no personal data: it is stored in
// clear, like a legal basis).
absl::Status ValidateAnswer(consular::v1::Answer answer, const std::string& reason) {
  if (answer != consular::v1::ANSWER_ACCEPTED && answer != consular::v1::ANSWER_DECLINED) {
    return InvalidField("answer", "required: ACCEPTED or DECLINED");
  }
  CONSULAR_RETURN_IF_ERROR(CheckText("reason", reason, kMaxAnswerReasonChars,
                                     answer == consular::v1::ANSWER_DECLINED));
  return absl::OkStatus();
}

absl::Status AnsweredAlready(const std::string& what, const std::string& id,
                             consular::v1::Answer answer, const std::string& by) {
  return absl::FailedPreconditionError(absl::StrCat(
      what, " ", id, " was ",
      answer == consular::v1::ANSWER_ACCEPTED ? "accepted" : "declined", " by ", by, " already"));
}

}  // namespace

absl::Status CaseManager::AnswerReferral(const Identity& who,
                                         const consular::v1::AnswerReferralRequest& request,
                                         absl::Time deadline, consular::v1::Referral* out) {
  return Audited(
      who, "CaseService.AnswerReferral", "", deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        if (who.role != consular::v1::ROLE_POST_MANAGER) {
          return absl::PermissionDeniedError(
              "a referral is answered by a manager of the post it was referred to");
        }
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("referral_id", request.referral_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateAnswer(request.answer(), request.reason()));
        const std::string referral_id = absl::AsciiStrToLower(request.referral_id());
        const absl::Time now = clock_.Now();
        return RunIdempotentCall<consular::v1::Referral>(
            repo, *blind_index_, who, "AnswerReferral", request, request.request_id(), out,
            [&](const consular::v1::Referral& stored) -> absl::Status {
              audit->case_id = stored.case_id();
              if (!repo.FindReferral(stored.id(), false)) return ReferralNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](consular::v1::Referral* answered) -> absl::Status {
              // Seen by both units; locked (by its receiver only) once it is the caller's.
              std::optional<std::pair<consular::v1::Referral, std::string>> found =
                  repo.FindReferral(referral_id, false);
              if (!found) return ReferralNotFound(referral_id);
              audit->case_id = found->first.case_id();
              if (found->first.to_unit() != UnitOf(who)) {
                return absl::PermissionDeniedError(absl::StrCat(
                    "referral ", referral_id, " is answered by ", found->first.to_unit()));
              }
              found = repo.FindReferral(referral_id, true);
              if (!found) return ReferralNotFound(referral_id);
              consular::v1::Referral referral = found->first;
              const std::string& look_share = found->second;
              if (referral.answer() != consular::v1::ANSWER_UNSPECIFIED) {
                return AnsweredAlready("referral", referral_id, referral.answer(),
                                       referral.answered_by());
              }
              // Locked: the referring unit cannot change the case while it moves.
              std::optional<Case> current = repo.Find(referral.case_id(), true);
              if (!current) return CaseNotFound(referral.case_reference());
              Reached(*current, audit);
              const google::protobuf::Timestamp at = ToTimestamp(now);
              if (request.answer() == consular::v1::ANSWER_DECLINED) {
                if (!repo.AnswerReferral(referral_id, request.answer(), who.subject, at,
                                         request.reason())) {
                  throw std::runtime_error("pending referral could not be answered");
                }
                // The view given with the referral ends; a share held before it stays.
                std::optional<consular::v1::CaseShare> look = repo.FindShare(look_share, true);
                if (look && look->active() &&
                    TimeUtil::TimestampToMicroseconds(look->granted_at()) ==
                        TimeUtil::TimestampToMicroseconds(referral.referred_at())) {
                  repo.RevokeShare(look_share, who.subject, at);
                }
              } else {
                CONSULAR_RETURN_IF_ERROR(internal::CheckNotAnonymised(*current));
                CONSULAR_RETURN_IF_ERROR(CheckNotClosed(*current));
                // The case moves (while the referral is pending: only then may this post move
                // it), nobody works it here yet, and the post's own view is spent.
                Case c = *std::move(current);
                const std::string from = c.handling_post();
                c.set_version(c.version() + 1);
                c.set_handling_post(referral.to_unit());
                *c.mutable_updated_at() = at;
                repo.Update(c);
                repo.SetAssignment(c.id(), "", at);
                if (!repo.AnswerReferral(referral_id, request.answer(), who.subject, at, "")) {
                  throw std::runtime_error("pending referral could not be answered");
                }
                if (std::optional<consular::v1::CaseShare> spent =
                        repo.LiveShare(c.id(), referral.to_unit())) {
                  repo.RevokeShare(spent->id(), who.subject, at);
                }
                // The referring unit keeps read access.
                consular::v1::CaseShare kept = NewShare(
                    who, c, from, consular::v1::SHARE_ACCESS_READ, referral.legal_basis(), now);
                MarkAnswered(who, now, &kept);
                repo.InsertShare(kept);
                CaseEvent event =
                    NewEvent(who, consular::v1::CASE_EVENT_TYPE_REFERRED, now, c.version());
                event.set_from_unit(from);
                event.set_to_unit(referral.to_unit());
                event.set_share_id(kept.id());
                event.set_referral_id(referral_id);
                repo.AppendEvent(c.id(), event);
              }
              std::optional<std::pair<consular::v1::Referral, std::string>> after =
                  repo.FindReferral(referral_id, false);
              if (!after) throw std::runtime_error("answered referral vanished");
              *answered = std::move(after->first);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::AnswerShare(const Identity& who,
                                      const consular::v1::AnswerShareRequest& request,
                                      absl::Time deadline, consular::v1::CaseShare* out) {
  return Audited(
      who, "CaseService.AnswerShare", "", deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("share_id", request.share_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateAnswer(request.answer(), request.reason()));
        const std::string share_id = absl::AsciiStrToLower(request.share_id());
        const absl::Time now = clock_.Now();
        return RunIdempotentCall<consular::v1::CaseShare>(
            repo, *blind_index_, who, "AnswerShare", request, request.request_id(), out,
            [&](const consular::v1::CaseShare& stored) -> absl::Status {
              audit->case_id = stored.case_id();
              if (!repo.FindShare(stored.id(), false)) return ShareNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](consular::v1::CaseShare* answered) -> absl::Status {
              std::optional<consular::v1::CaseShare> share = repo.FindShare(share_id, true);
              if (!share) return ShareNotFound(share_id);
              audit->case_id = share->case_id();
              if (share->grantee() != UnitOf(who)) {
                return absl::PermissionDeniedError(
                    absl::StrCat("share ", share_id, " is answered by ", share->grantee()));
              }
              if (share->answer() != consular::v1::ANSWER_UNSPECIFIED) {
                return AnsweredAlready("share", share_id, share->answer(), share->answered_by());
              }
              if (!share->active()) {
                return absl::FailedPreconditionError(
                    absl::StrCat("share ", share_id, " has ended"));
              }
              const google::protobuf::Timestamp at = ToTimestamp(now);
              if (!repo.AnswerShare(share_id, request.answer(), who.subject, at,
                                    request.reason())) {
                throw std::runtime_error("unanswered share could not be answered");
              }
              if (request.answer() == consular::v1::ANSWER_DECLINED) {
                repo.RevokeShare(share_id, who.subject, at);
              }
              std::optional<consular::v1::CaseShare> after = repo.FindShare(share_id, false);
              if (!after) throw std::runtime_error("answered share vanished");
              *answered = std::move(*after);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::ListInbox(const Identity& who,
                                    const consular::v1::ListInboxRequest& request,
                                    absl::Time deadline, consular::v1::ListInboxResponse* out) {
  return Audited(who, "CaseService.ListInbox", "", deadline,
                 [&](CaseRepository& repo, storage::AuditRecord* /*audit*/) -> absl::Status {
                   CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
                   if (request.within_days() < 0 || request.within_days() > kMaxInboxDays) {
                     return InvalidField("within_days", "must be 0..366 (0 means 30)");
                   }
                   const int days =
                       request.within_days() == 0 ? kDefaultInboxDays : request.within_days();
                   out->Clear();
                   const absl::Time since = clock_.Now() - absl::Hours(24) * days;
                   for (consular::v1::InboxItem& item : repo.Inbox(absl::ToUnixMicros(since))) {
                     *out->add_items() = std::move(item);
                   }
                   return absl::OkStatus();
                 });
}

absl::Status CaseManager::AssignCase(const Identity& who,
                                     const consular::v1::AssignCaseRequest& request,
                                     absl::Time deadline, Case* out) {
  CaseChange<Case> change{"AssignCase", request.case_id(), request.request_id()};
  change.validate = [&](absl::Time /*now*/) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
    CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
    CONSULAR_RETURN_IF_ERROR(
        CheckText("assignee", request.assignee(), kMaxAssigneeChars, false));
    for (const char ch : request.assignee()) {
      if (ch <= ' ' || ch > '~') {
        return InvalidField("assignee", "a staff member's id: printable characters, no spaces");
      }
    }
    CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
    return absl::OkStatus();
  };
  change.apply = [&](CaseRepository& repo, Case current, absl::Time now,
                     Case* assigned) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(CheckHandles(current, "assign it"));
    const bool manages = who.role == consular::v1::ROLE_POST_MANAGER ||
                         who.role == consular::v1::ROLE_LKHA_CASEWORKER;
    if (!manages && !(request.assignee() == who.subject && current.assigned_to().empty())) {
      return absl::PermissionDeniedError(
          "a post manager assigns cases; an officer may only take an unassigned case");
    }
    CONSULAR_RETURN_IF_ERROR(CheckVersion(current, request.expected_version()));
    CONSULAR_RETURN_IF_ERROR(CheckNotClosed(current));
    if (current.assigned_to() == request.assignee()) {
      *assigned = std::move(current);
      PrepareForCaller(assigned);
      return absl::OkStatus();
    }
    Case c = std::move(current);
    c.set_version(c.version() + 1);
    const google::protobuf::Timestamp at = ToTimestamp(now);
    *c.mutable_updated_at() = at;
    repo.Update(c);
    repo.SetAssignment(c.id(), request.assignee(), at);
    CaseEvent event = NewEvent(who, consular::v1::CASE_EVENT_TYPE_ASSIGNED, now, c.version());
    event.set_assigned_to(request.assignee());
    repo.AppendEvent(c.id(), event);
    c.set_assigned_to(request.assignee());
    if (request.assignee().empty()) {
      c.clear_assigned_at();
    } else {
      *c.mutable_assigned_at() = at;
    }
    *assigned = std::move(c);
    PrepareForCaller(assigned);
    return absl::OkStatus();
  };
  return Change(who, request, deadline, change, out);
}

}  // namespace consular::cases

// CaseManager, sharing and referral: ShareCase, RevokeShare, ListShares, ReferCase.
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
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/page_token.h"
#include "services/common/token.h"
#include "services/common/validation.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseEvent;
using google::protobuf::util::TimeUtil;
using internal::CaseNotFound;
using internal::CaseStillInScope;
using internal::CheckNotClosed;
using internal::CheckRegisteredUnit;
using internal::CheckVersion;
using internal::MarkAnswered;
using internal::NewEvent;
using internal::NewShare;
using internal::Reached;
using internal::ShareNotFound;

constexpr size_t kMaxLegalBasisChars = 300;

}  // namespace

absl::Status CaseManager::Share(const Identity& who, const consular::v1::ShareCaseRequest& request,
                                absl::Time deadline, consular::v1::CaseShare* out) {
  CaseChange<consular::v1::CaseShare> change{"ShareCase", request.case_id(), request.request_id()};
  change.validate = [&](absl::Time now) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
    CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
    CONSULAR_RETURN_IF_ERROR(ValidateGrantee("grantee", request.grantee()));
    if (!consular::v1::ShareAccess_IsValid(request.access()) ||
        request.access() == consular::v1::SHARE_ACCESS_UNSPECIFIED) {
      return InvalidField("access", "required: READ or READ_WRITE");
    }
    CONSULAR_RETURN_IF_ERROR(
        CheckText("legal_basis", request.legal_basis(), kMaxLegalBasisChars, true));
    if (request.has_expires_at()) {
      const google::protobuf::Timestamp& t = request.expires_at();
      if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
          t.seconds() > TimeUtil::kTimestampMaxSeconds || t.nanos() < 0 || t.nanos() > 999999999) {
        return InvalidField("expires_at", "not a valid time");
      }
      if (absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(request.expires_at())) <= now) {
        return InvalidField("expires_at", "must be in the future");
      }
    }
    return absl::OkStatus();
  };
  change.apply = [&](CaseRepository& repo, Case current, absl::Time now,
                     consular::v1::CaseShare* share) -> absl::Status {
    // The case is locked (Change): shares of one case are granted one at a time.
    CONSULAR_RETURN_IF_ERROR(CheckHandles(current, "share it"));
    if (request.grantee() == current.handling_post()) {
      return InvalidField("grantee", "is the unit handling the case");
    }
    CONSULAR_RETURN_IF_ERROR(CheckRegisteredUnit(repo, "grantee", request.grantee()));
    if (std::optional<consular::v1::CaseShare> live =
            repo.LiveShare(current.id(), request.grantee())) {
      return absl::AlreadyExistsError(
          absl::StrCat("case ", current.reference(), " is already shared with ", request.grantee(),
                       " (share ", live->id(), "); revoke that share first"));
    }
    *share =
        NewShare(who, current, request.grantee(), request.access(), request.legal_basis(), now);
    if (request.has_expires_at()) *share->mutable_expires_at() = request.expires_at();
    repo.InsertShare(*share);
    CaseEvent event = NewEvent(who, consular::v1::CASE_EVENT_TYPE_SHARED, now, current.version());
    event.set_share_id(share->id());
    event.set_grantee(share->grantee());
    event.set_share_access(share->access());
    repo.AppendEvent(current.id(), event);
    return absl::OkStatus();
  };
  return Change(who, request, deadline, change, out);
}

absl::Status CaseManager::RevokeShare(const Identity& who,
                                      const consular::v1::RevokeShareRequest& request,
                                      absl::Time deadline, consular::v1::CaseShare* out) {
  return Audited(
      who, "CaseService.RevokeShare", "", deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("share_id", request.share_id()));
        const std::string share_id = absl::AsciiStrToLower(request.share_id());
        const absl::Time now = clock_.Now();
        return RunIdempotentCall<consular::v1::CaseShare>(
            repo, *blind_index_, who, "RevokeShare", request, request.request_id(), out,
            [&](const consular::v1::CaseShare& stored) -> absl::Status {
              if (!CaseStillInScope(repo, stored.case_id(), audit).ok())
                return ShareNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](consular::v1::CaseShare* revoked) -> absl::Status {
              std::optional<consular::v1::CaseShare> share = repo.FindShare(share_id, false);
              if (!share) return ShareNotFound(share_id);
              std::optional<Case> current = repo.Find(share->case_id(), true);
              if (!current) return ShareNotFound(share_id);
              Reached(*current, audit);
              CONSULAR_RETURN_IF_ERROR(CheckHandles(*current, "revoke its shares"));
              share = repo.FindShare(share_id, true);
              if (!share) return ShareNotFound(share_id);
              if (share->has_revoked_at()) {
                return absl::FailedPreconditionError(absl::StrCat(
                    "share ", share_id, " was revoked at ", FormatTimestamp(share->revoked_at()),
                    " by ", share->revoked_by()));
              }
              repo.RevokeShare(share_id, who.subject, ToTimestamp(now));
              CaseEvent event = NewEvent(who, consular::v1::CASE_EVENT_TYPE_SHARE_REVOKED, now,
                                         current->version());
              event.set_share_id(share_id);
              event.set_grantee(share->grantee());
              repo.AppendEvent(current->id(), event);
              std::optional<consular::v1::CaseShare> after = repo.FindShare(share_id, false);
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
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        out->Clear();
        std::optional<Case> found = repo.Find(request.case_id(), false);
        if (!found) return CaseNotFound(request.case_id());
        Reached(*found, audit);
        if (found->caller_access() == consular::v1::CASE_ACCESS_EMERGENCY) {
          return absl::PermissionDeniedError("emergency access shows the case, not its shares");
        }
        // The handling unit sees every share; a grantee only its own.
        const std::string grantee =
            found->caller_access() == consular::v1::CASE_ACCESS_HANDLING ? "" : UnitOf(who);
        for (consular::v1::CaseShare& share :
             repo.ListShares(found->id(), grantee, request.include_inactive())) {
          *out->add_shares() = std::move(share);
        }
        return absl::OkStatus();
      });
}

absl::Status CaseManager::Refer(const Identity& who, const consular::v1::ReferCaseRequest& request,
                                absl::Time deadline, Case* out) {
  CaseChange<Case> change{"ReferCase", request.case_id(), request.request_id()};
  change.validate = [&](absl::Time /*now*/) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(CheckMayRefer(who));
    CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
    CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
    if (request.to_post().empty()) return InvalidField("to_post", "required: a post code");
    if (!IsValidPostCode(request.to_post())) {
      return InvalidField("to_post", "must be a post code (^[A-Z][A-Z0-9-]{1,31}$, not LKHA)");
    }
    CONSULAR_RETURN_IF_ERROR(
        CheckText("legal_basis", request.legal_basis(), kMaxLegalBasisChars, true));
    CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
    return absl::OkStatus();
  };
  change.apply = [&](CaseRepository& repo, Case current, absl::Time now,
                     Case* referred) -> absl::Status {
    CONSULAR_RETURN_IF_ERROR(CheckHandles(current, "refer it"));
    CONSULAR_RETURN_IF_ERROR(CheckVersion(current, request.expected_version()));
    CONSULAR_RETURN_IF_ERROR(CheckNotClosed(current));
    if (request.to_post() == current.handling_post()) {
      return InvalidField("to_post", "already handles the case");
    }
    CONSULAR_RETURN_IF_ERROR(CheckRegisteredUnit(repo, "to_post", request.to_post()));
    if (std::optional<consular::v1::Referral> pending = repo.PendingReferral(current.id())) {
      return absl::FailedPreconditionError(
          absl::StrCat("case ", current.reference(), " is referred to ", pending->to_unit(),
                       " already (referral ", pending->id(), "), waiting for its answer"));
    }
    // The post judges the case before it answers: it reads it through a share, its own live one
    // if it holds one without an end, else one given with the referral (and ended if it
    // declines).
    std::string share_id;
    if (std::optional<consular::v1::CaseShare> live =
            repo.LiveShare(current.id(), request.to_post());
        live && !live->has_expires_at()) {
      share_id = live->id();
    } else {
      consular::v1::CaseShare look = NewShare(who, current, request.to_post(),
                                              consular::v1::SHARE_ACCESS_READ,
                                              request.legal_basis(), now);
      MarkAnswered(who, now, &look);
      repo.InsertShare(look);
      share_id = look.id();
    }
    consular::v1::Referral referral;
    referral.set_id(NewUuid());
    referral.set_case_id(current.id());
    referral.set_case_reference(current.reference());
    referral.set_from_unit(current.handling_post());
    referral.set_to_unit(request.to_post());
    referral.set_legal_basis(request.legal_basis());
    referral.set_referred_by(who.subject);
    *referral.mutable_referred_at() = ToTimestamp(now);
    repo.InsertReferral(referral, share_id);
    Case c = std::move(current);
    c.set_version(c.version() + 1);
    CaseEvent event =
        NewEvent(who, consular::v1::CASE_EVENT_TYPE_REFERRAL_PROPOSED, now, c.version());
    event.set_from_unit(c.handling_post());
    event.set_to_unit(request.to_post());
    event.set_referral_id(referral.id());
    event.set_share_id(share_id);
    repo.AppendEvent(c.id(), event);
    *c.mutable_updated_at() = ToTimestamp(now);
    repo.Update(c);
    *c.mutable_pending_referral() = referral;
    *referred = std::move(c);
    PrepareForCaller(referred);
    return absl::OkStatus();
  };
  return Change(who, request, deadline, change, out);
}

}  // namespace consular::cases

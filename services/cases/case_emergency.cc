// CaseManager, emergency access: OpenEmergencyAccess, ListEmergencyAccess, ReviewEmergencyAccess.
#include <google/protobuf/util/time_util.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/cases/case_manager.h"
#include "services/cases/case_manager_support.h"
#include "services/cases/case_rules.h"
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
using google::protobuf::util::TimeUtil;
using internal::CaseNotFound;
using internal::CreatedStillInScope;
using internal::DecodeTimeCursor;
using internal::kDefaultCasePageSize;
using internal::Reached;

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

absl::Status EmergencyAccessNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("emergency access ", id, " not found"));
}

// Whether `who` may see emergency access `grant` at all: the application's own scope, as the
// policies of cases.emergency_access (auditors, the holder, the handling post).
bool SeesGrant(const Identity& who, const consular::v1::EmergencyAccess& grant) {
  return who.role == consular::v1::ROLE_AUDITOR || grant.actor() == who.subject ||
         grant.handling_post() == UnitOf(who);
}

}  // namespace

absl::Status CaseManager::EmergencySearch(const Identity& who,
                                          const consular::v1::EmergencySearchRequest& request,
                                          absl::Time deadline,
                                          consular::v1::EmergencySearchResponse* out) {
  return Audited(
      who, "CaseService.EmergencySearch", "", deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        // Every search is flagged, refused ones too.
        FlagEmergency(audit);
        CONSULAR_RETURN_IF_ERROR(CheckMayOpenEmergencyAccess(who));
        CONSULAR_RETURN_IF_ERROR(CheckText("full_name", request.full_name(), 200, true));
        if (!IsSet(request.date_of_birth())) {
          return InvalidField("date_of_birth", "required: the search is by exact name and date");
        }
        CONSULAR_RETURN_IF_ERROR(
            CheckDate("date_of_birth", request.date_of_birth(), DateOf(clock_.Now()), false));
        CONSULAR_RETURN_IF_ERROR(
            CheckText("reason", request.reason(), kMaxEmergencyReasonChars, true));
        if (CodePoints(request.reason()) < kMinEmergencyReasonChars) {
          return InvalidField("reason", "at least 10 characters: say why the search is needed");
        }
        out->Clear();
        std::vector<std::string> found;
        for (const storage::EmergencyTarget& hit :
             repo.EmergencySearch(request.full_name(), request.date_of_birth())) {
          consular::v1::EmergencySearchHit* h = out->add_hits();
          h->set_reference(hit.reference);
          h->set_handling_unit(hit.handling_post);
          found.push_back(hit.id);
        }
        repo.InsertEmergencySearch(NewUuid(), who, request.reason(), found);
        // The trail names the case a single hit found, so a lookup by its reference shows the
        // search; every case found is in cases.emergency_searches.
        if (found.size() == 1) audit->case_id = found[0];
        return absl::OkStatus();
      });
}

absl::Status CaseManager::OpenEmergencyAccess(
    const Identity& who, const consular::v1::OpenEmergencyAccessRequest& request,
    absl::Time deadline, consular::v1::EmergencyAccess* out) {
  return Audited(
      who, "CaseService.OpenEmergencyAccess", request.case_id(), deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        // Every attempt is flagged, refused ones too: they are what a reviewer looks for.
        FlagEmergency(audit);
        CONSULAR_RETURN_IF_ERROR(CheckMayOpenEmergencyAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
        CONSULAR_RETURN_IF_ERROR(
            CheckText("reason", request.reason(), kMaxEmergencyReasonChars, true));
        if (CodePoints(request.reason()) < kMinEmergencyReasonChars) {
          return InvalidField("reason", "at least 10 characters: say why the access is needed");
        }
        if (request.minutes() < 0 || request.minutes() > kMaxEmergencyMinutes) {
          return InvalidField("minutes", "must be 1..480 (0 means 60)");
        }
        const int minutes = request.minutes() == 0 ? kDefaultEmergencyMinutes : request.minutes();
        return RunIdempotentCall<consular::v1::EmergencyAccess>(
            repo, *blind_index_, who, "OpenEmergencyAccess", request, request.request_id(), out,
            [&](const consular::v1::EmergencyAccess& stored) {
              return CreatedStillInScope(repo, stored.case_id(), audit);
            },
            [&](consular::v1::EmergencyAccess* grant) -> absl::Status {
              if (std::optional<Case> visible = repo.Find(request.case_id(), false)) {
                Reached(*visible, audit);
                if (visible->caller_access() == consular::v1::CASE_ACCESS_EMERGENCY) {
                  std::optional<consular::v1::EmergencyAccess> live =
                      repo.LiveEmergencyAccess(visible->id());
                  return absl::FailedPreconditionError(absl::StrCat(
                      "you hold emergency access to case ", visible->reference(),
                      live ? absl::StrCat(" until ", FormatTimestamp(live->expires_at())) : ""));
                }
                return absl::FailedPreconditionError(
                    absl::StrCat("you can already see case ", visible->reference(),
                                 "; emergency access is for cases outside your scope"));
              }
              std::optional<storage::EmergencyTarget> target =
                  repo.FindCaseForEmergency(request.case_id());
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
              repo.InsertEmergencyAccess(grant, minutes);
              return absl::OkStatus();
            });
      });
}

absl::Status CaseManager::ListEmergencyAccess(
    const Identity& who, const consular::v1::ListEmergencyAccessRequest& request,
    absl::Time deadline, consular::v1::ListEmergencyAccessResponse* out) {
  return Audited(
      who, "CaseService.ListEmergencyAccess", "", deadline,
      [&](CaseRepository& repo, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayListEmergencyAccess(who));
        CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                  PageSizeOf(request.page_size(), kDefaultCasePageSize));
        const std::string filters = request.unreviewed_only() ? "unreviewed" : "all";
        absl::StatusOr<std::optional<storage::CaseCursor>> after =
            DecodeTimeCursor(request.page_token(), "emergency", filters);
        if (!after.ok()) return after.status();
        storage::EmergencyListScope scope;
        scope.all = who.role == consular::v1::ROLE_AUDITOR;
        scope.actor = who.subject;
        if (who.role == consular::v1::ROLE_POST_MANAGER) scope.post = UnitOf(who);
        out->Clear();
        FillPage(repo.ListEmergencyAccess(scope, request.unreviewed_only(), *after,
                                          FetchLimit(page_size)),
                 page_size, out->mutable_grants(), out->mutable_next_page_token(),
                 [&](const consular::v1::EmergencyAccess& last) {
                   return EncodePageToken(
                       "emergency", filters,
                       {std::to_string(TimeUtil::TimestampToMicroseconds(last.opened_at())),
                        last.id()});
                 });
        return absl::OkStatus();
      });
}

absl::Status CaseManager::ReviewEmergencyAccess(
    const Identity& who, const consular::v1::ReviewEmergencyAccessRequest& request,
    absl::Time deadline, consular::v1::EmergencyAccess* out) {
  return Audited(
      who, "CaseService.ReviewEmergencyAccess", "", deadline,
      [&](CaseRepository& repo, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReviewEmergencyAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(
            CheckUuidField("emergency_access_id", request.emergency_access_id()));
        if (!consular::v1::EmergencyReview_IsValid(request.review()) ||
            request.review() == consular::v1::EMERGENCY_REVIEW_UNSPECIFIED) {
          return InvalidField("review", "required: JUSTIFIED or NOT_JUSTIFIED");
        }
        const std::string id = absl::AsciiStrToLower(request.emergency_access_id());
        const absl::Time now = clock_.Now();
        return RunIdempotentCall<consular::v1::EmergencyAccess>(
            repo, *blind_index_, who, "ReviewEmergencyAccess", request, request.request_id(), out,
            [&](const consular::v1::EmergencyAccess& stored) -> absl::Status {
              audit->case_id = stored.case_id();
              std::optional<consular::v1::EmergencyAccess> grant =
                  repo.FindEmergencyAccess(stored.id(), false);
              if (!grant || !SeesGrant(who, *grant)) return EmergencyAccessNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](consular::v1::EmergencyAccess* reviewed) -> absl::Status {
              std::optional<consular::v1::EmergencyAccess> grant =
                  repo.FindEmergencyAccess(id, true);
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
              repo.ReviewEmergencyAccess(id, request.review(), who.subject, ToTimestamp(now));
              std::optional<consular::v1::EmergencyAccess> after =
                  repo.FindEmergencyAccess(id, false);
              if (!after) throw std::runtime_error("reviewed emergency access vanished");
              *reviewed = std::move(*after);
              return absl::OkStatus();
            });
      });
}

}  // namespace consular::cases

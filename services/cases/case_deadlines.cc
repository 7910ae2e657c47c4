// CaseManager, deadlines: ListDeadlines (the engine is deadlines.h).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "consular/v1/contacts.pb.h"
#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "proto/dates.h"
#include "services/cases/case_manager.h"
#include "services/cases/case_rules.h"
#include "services/cases/deadlines.h"
#include "services/common/call_support.h"
#include "services/common/token.h"
#include "services/common/validation.h"

namespace consular::cases {
namespace {

constexpr int kDefaultWithinDays = 56;  // eight weeks: the first permit warning
constexpr int kMaxWithinDays = 3660;
// Follow-ups and shares are warned in their last week.
const std::vector<int> kLastWeek = {1};

std::string DayText(absl::CivilDay day) { return FormatDate(DateFromCivilDay(day)); }

// "legal advice" for the stored CONTACT_PURPOSE_LEGAL_ADVICE; another text as it is.
std::string PurposeWords(const std::string& stored) {
  constexpr absl::string_view kPrefix = "CONTACT_PURPOSE_";
  consular::v1::ContactPurpose purpose;
  if (!consular::v1::ContactPurpose_Parse(stored, &purpose) || !absl::StartsWith(stored, kPrefix)) {
    return stored;
  }
  std::string words = absl::AsciiStrToLower(absl::string_view(stored).substr(kPrefix.size()));
  std::replace(words.begin(), words.end(), '_', ' ');
  return words;
}

consular::v1::Deadline ItemDeadline(const storage::DatedItem& item,
                                    consular::v1::DeadlineKind kind, absl::CivilDay today,
                                    std::string detail) {
  consular::v1::Deadline d;
  d.set_kind(kind);
  d.set_case_id(item.case_id);
  d.set_reference(item.reference);
  const absl::optional<consular::v1::Date> due = ParseIsoDate(item.due_on);
  if (!due) throw std::runtime_error("stored day does not parse");
  *d.mutable_due_on() = *due;
  SetUrgency(ToCivilDay(*due), today, kLastWeek, &d);
  d.set_detail(std::move(detail));
  return d;
}

}  // namespace

absl::Status CaseManager::ListDeadlines(const Identity& who,
                                        const consular::v1::ListDeadlinesRequest& request,
                                        absl::Time deadline,
                                        consular::v1::ListDeadlinesResponse* out) {
  return Audited(
      who, "CaseService.ListDeadlines", "", deadline,
      [&](CaseRepository& repo, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckCaseServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(CheckMayCreate(who));
        if (request.within_days() < 0 || request.within_days() > kMaxWithinDays) {
          return InvalidField("within_days", "must be 0..3660 (0 means 56)");
        }
        const int within =
            request.within_days() == 0 ? kDefaultWithinDays : request.within_days();
        const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), absl::UTCTimeZone());
        const absl::CivilDay until = today + within;

        PermitRules rules;
        for (const storage::PermitRuleRow& row : repo.PermitRules()) {
          consular::v1::PermitKind kind = consular::v1::PERMIT_KIND_UNSPECIFIED;
          if (!consular::v1::PermitKind_Parse(row.permit_kind, &kind)) continue;
          rules[kind] = PermitRule{row.max_months_abroad, row.warn_weeks, row.description};
        }
        std::vector<consular::v1::Deadline> deadlines;
        for (const consular::v1::Case& c : repo.OpenCases()) {
          for (consular::v1::Deadline& d : PermitDeadlines(c, rules, today)) {
            if (d.days_left() <= within) deadlines.push_back(std::move(d));
          }
          for (consular::v1::Deadline& d : DocumentDeadlines(c, today)) {
            if (d.days_left() <= within) deadlines.push_back(std::move(d));
          }
          for (consular::v1::Deadline& d : HearingDeadlines(c, today)) {
            if (d.days_left() <= within) deadlines.push_back(std::move(d));
          }
        }
        for (const storage::DatedItem& item : repo.FollowUpsDue(DayText(until))) {
          consular::v1::Deadline d = ItemDeadline(
              item, consular::v1::DEADLINE_KIND_FOLLOW_UP, today,
              absl::StrCat("follow-up of a contact (", PurposeWords(item.what), ")"));
          d.set_contact_id(item.id);
          deadlines.push_back(std::move(d));
        }
        for (const storage::DatedItem& item : repo.SharesEnding(DayText(until))) {
          consular::v1::Deadline d =
              ItemDeadline(item, consular::v1::DEADLINE_KIND_SHARE_EXPIRY, today,
                           absl::StrCat("the share to ", item.what, " ends"));
          d.set_share_id(item.id);
          deadlines.push_back(std::move(d));
        }
        SortDeadlines(&deadlines);
        out->Clear();
        for (consular::v1::Deadline& d : deadlines) *out->add_deadlines() = std::move(d);
        return absl::OkStatus();
      });
}

}  // namespace consular::cases

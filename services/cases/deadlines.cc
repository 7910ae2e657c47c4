#include "services/cases/deadlines.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "proto/dates.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::Deadline;

bool IsOpen(const Case& c) {
  return c.status() == consular::v1::CASE_STATUS_INTAKE ||
         c.status() == consular::v1::CASE_STATUS_ACTIVE ||
         c.status() == consular::v1::CASE_STATUS_ON_HOLD;
}

Deadline CaseDeadline(const Case& c, consular::v1::DeadlineKind kind, absl::CivilDay due,
                      absl::CivilDay today, const PermitRule& rule, std::string detail) {
  Deadline d;
  d.set_kind(kind);
  d.set_case_id(c.id());
  d.set_reference(c.reference());
  *d.mutable_due_on() = DateFromCivilDay(due);
  SetUrgency(due, today, rule.warn_weeks, &d);
  d.set_detail(std::move(detail));
  return d;
}

}  // namespace

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const absl::CivilDay last = absl::CivilDay(month + 1) - 1;
  return std::min(absl::CivilDay(month.year(), month.month(), day.day()), last);
}

void SetUrgency(absl::CivilDay due, absl::CivilDay today, const std::vector<int>& warn_weeks,
                Deadline* deadline) {
  const int days_left = static_cast<int>(due - today);
  deadline->set_days_left(days_left);
  deadline->set_passed(days_left < 0);
  int warning = 0;
  if (days_left >= 0) {
    for (const int weeks : warn_weeks) {
      if (days_left <= 7 * weeks && (warning == 0 || weeks < warning)) warning = weeks;
    }
  }
  deadline->set_warning_weeks(warning);
}

std::vector<Deadline> PermitDeadlines(const Case& c, const PermitRules& rules,
                                      absl::CivilDay today) {
  std::vector<Deadline> out;
  if (c.type() != consular::v1::CASE_TYPE_ABANDONMENT || !IsOpen(c)) return out;
  const consular::v1::AbandonmentDetails& a = c.abandonment();
  if (IsSet(a.returned_on())) return out;
  const auto rule = rules.find(a.residence_permit_kind());
  if (rule != rules.end() && IsSet(a.left_netherlands_on())) {
    const absl::CivilDay lapses =
        AddMonths(ToCivilDay(a.left_netherlands_on()), rule->second.max_months_abroad);
    out.push_back(CaseDeadline(c, consular::v1::DEADLINE_KIND_PERMIT_ABSENCE, lapses, today,
                               rule->second, rule->second.description));
  }
  if (IsSet(a.residence_permit_expires_on())) {
    // The permit's own end is warned like its kind's clock (8, 4, 1 weeks when the kind is not
    // known).
    static const PermitRule* const kUnknownKind = new PermitRule{0, {8, 4, 1}, ""};
    out.push_back(CaseDeadline(c, consular::v1::DEADLINE_KIND_PERMIT_EXPIRY,
                               ToCivilDay(a.residence_permit_expires_on()), today,
                               rule != rules.end() ? rule->second : *kUnknownKind,
                               "the residence permit expires"));
  }
  return out;
}

std::vector<Deadline> DocumentDeadlines(const Case& c, absl::CivilDay today) {
  static const PermitRule* const kDocumentWarnings = new PermitRule{0, {8, 4, 1}, ""};
  std::vector<Deadline> out;
  if (!IsOpen(c)) return out;
  for (const consular::v1::TravelDocument& d : c.documents()) {
    if (!IsSet(d.expires_on())) continue;
    if (d.status() != consular::v1::DOCUMENT_STATUS_HELD_BY_PERSON &&
        d.status() != consular::v1::DOCUMENT_STATUS_WITHHELD) {
      continue;
    }
    std::string what(absl::StripPrefix(consular::v1::TravelDocumentType_Name(d.type()),
                                       "TRAVEL_DOCUMENT_TYPE_"));
    absl::AsciiStrToLower(&what);
    absl::StrReplaceAll({{"_", " "}}, &what);
    Deadline deadline =
        CaseDeadline(c, consular::v1::DEADLINE_KIND_DOCUMENT_EXPIRY, ToCivilDay(d.expires_on()), today,
                     *kDocumentWarnings,
                     absl::StrCat(d.holder_person_id().empty() ? "her " : "a person's ", what,
                                  " expires"));
    deadline.set_document_id(d.id());
    out.push_back(std::move(deadline));
  }
  return out;
}

std::vector<Deadline> HearingDeadlines(const Case& c, absl::CivilDay today) {
  static const PermitRule* const kHearingWarnings = new PermitRule{0, {4, 1}, ""};
  std::vector<Deadline> out;
  if (!IsOpen(c) || !c.has_divorce_recognition()) return out;
  for (const consular::v1::ProceedingsStep& step : c.divorce_recognition().stages()) {
    if (step.stage() != consular::v1::PROCEEDINGS_STAGE_HEARING || !IsSet(step.on())) continue;
    const absl::CivilDay day = ToCivilDay(step.on());
    if (day < today) continue;  // held: a step of the history, no longer a deadline
    out.push_back(CaseDeadline(c, consular::v1::DEADLINE_KIND_HEARING, day, today,
                               *kHearingWarnings, "a hearing of the foreign court"));
  }
  return out;
}

void SortDeadlines(std::vector<Deadline>* deadlines) {
  std::sort(deadlines->begin(), deadlines->end(), [](const Deadline& a, const Deadline& b) {
    return std::make_tuple(ToCivilDay(a.due_on()), a.reference(), static_cast<int>(a.kind()),
                           a.contact_id(), a.share_id(), a.document_id()) <
           std::make_tuple(ToCivilDay(b.due_on()), b.reference(), static_cast<int>(b.kind()),
                           b.contact_id(), b.share_id(), b.document_id());
  });
}

}  // namespace consular::cases

#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "consular/v1/cases.pb.h"

// The deadline engine (ListDeadlines): which days matter for a case, and how urgent they are.
// Pure: the rules come from cases.residence_permit_rules, the cases from the store.
namespace consular::cases {

// A row of cases.residence_permit_rules.
struct PermitRule {
  int max_months_abroad = 0;
  std::vector<int> warn_weeks;  // largest first, e.g. {8, 4, 1}
  std::string description;
};
using PermitRules = std::map<consular::v1::PermitKind, PermitRule>;

// The day `months` calendar months after `day`; the 31st becomes the last day of a shorter month.
absl::CivilDay AddMonths(absl::CivilDay day, int months);

// Fills the urgency of a deadline due on `due` seen on `today`: days_left, passed, and the
// warning reached (the smallest of `warn_weeks` with days_left <= 7 * weeks; 0 if none, or passed).
void SetUrgency(absl::CivilDay due, absl::CivilDay today, const std::vector<int>& warn_weeks,
                consular::v1::Deadline* deadline);

// The residence-permit deadlines of an open abandonment case whose person has not returned: the
// day her permit lapses after the longest stay abroad its kind allows (from left_netherlands_on),
// and the permit's own expiry. None for other cases, or without the dates or a rule.
std::vector<consular::v1::Deadline> PermitDeadlines(const consular::v1::Case& c,
                                                    const PermitRules& rules,
                                                    absl::CivilDay today);

// The expiry of the travel documents of an open case that are held or withheld (not lost or
// cancelled), warned at 8, 4 and 1 weeks.
std::vector<consular::v1::Deadline> DocumentDeadlines(const consular::v1::Case& c,
                                                      absl::CivilDay today);

// The hearings of the foreign proceedings of an open divorce-recognition case from today on,
// warned at 4 and 1 weeks. A hearing that has been held is no longer a deadline.
std::vector<consular::v1::Deadline> HearingDeadlines(const consular::v1::Case& c,
                                                     absl::CivilDay today);

// Most urgent first: by day, then reference, kind and the contact or share.
void SortDeadlines(std::vector<consular::v1::Deadline>* deadlines);

}  // namespace consular::cases

#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "consular/v1/common.pb.h"

// The one dates module: the API's calendar date (consular.v1.Date, all zero = not set) on
// absl::CivilDay. Dates are UTC calendar days; valid years are 1900..9999.
namespace consular {

inline constexpr int kMinDateYear = 1900;
inline constexpr int kMaxDateYear = 9999;

// True unless the date is all zero.
bool IsSet(const consular::v1::Date& date);
// A day that exists, year kMinDateYear..kMaxDateYear.
bool IsValidDate(const consular::v1::Date& date);
// <0, 0, >0 as a is before, the same day as, or after b (field by field: for valid dates).
int CompareDates(const consular::v1::Date& a, const consular::v1::Date& b);

// Conversions. ToCivilDay normalises an impossible date (Feb 30 becomes Mar 2): check it first.
absl::CivilDay ToCivilDay(const consular::v1::Date& date);
consular::v1::Date DateFromCivilDay(absl::CivilDay day);
// The UTC calendar day of `time`.
consular::v1::Date DateOf(absl::Time time);

// "YYYY-MM-DD", or "" for an unset date.
std::string FormatDate(const consular::v1::Date& date);
// Exactly "YYYY-MM-DD" naming a valid date; nullopt otherwise.
absl::optional<consular::v1::Date> ParseIsoDate(absl::string_view text);

// Whole years from `born` to `on` (an age): one less when `on` falls before the birthday.
int YearsBetween(const consular::v1::Date& born, absl::CivilDay on);

}  // namespace consular

#include "proto/dates.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace consular {

bool IsSet(const consular::v1::Date& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0;
}

bool IsValidDate(const consular::v1::Date& date) {
  if (date.year() < kMinDateYear || date.year() > kMaxDateYear) return false;
  if (date.month() < 1 || date.month() > 12 || date.day() < 1 || date.day() > 31) return false;
  // CivilDay normalises a day past the month's end; a round trip detects it.
  const absl::CivilDay day = ToCivilDay(date);
  return day.month() == date.month() && day.day() == date.day();
}

int CompareDates(const consular::v1::Date& a, const consular::v1::Date& b) {
  if (a.year() != b.year()) return a.year() < b.year() ? -1 : 1;
  if (a.month() != b.month()) return a.month() < b.month() ? -1 : 1;
  if (a.day() != b.day()) return a.day() < b.day() ? -1 : 1;
  return 0;
}

absl::CivilDay ToCivilDay(const consular::v1::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

consular::v1::Date DateFromCivilDay(absl::CivilDay day) {
  consular::v1::Date date;
  date.set_year(static_cast<int>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

consular::v1::Date DateOf(absl::Time time) {
  return DateFromCivilDay(absl::ToCivilDay(time, absl::UTCTimeZone()));
}

std::string FormatDate(const consular::v1::Date& date) {
  if (!IsSet(date)) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

absl::optional<consular::v1::Date> ParseIsoDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return absl::nullopt;
  for (const size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return absl::nullopt;
  }
  int year = 0;
  int month = 0;
  int day = 0;
  if (!absl::SimpleAtoi(text.substr(0, 4), &year) || !absl::SimpleAtoi(text.substr(5, 2), &month) ||
      !absl::SimpleAtoi(text.substr(8, 2), &day)) {
    return absl::nullopt;
  }
  consular::v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  if (!IsValidDate(date)) return absl::nullopt;
  return date;
}

int YearsBetween(const consular::v1::Date& born, absl::CivilDay on) {
  int years = static_cast<int>(on.year()) - born.year();
  if (on.month() < born.month() || (on.month() == born.month() && on.day() < born.day())) --years;
  return years;
}

}  // namespace consular

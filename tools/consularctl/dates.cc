#include "tools/consularctl/dates.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"

namespace consular::ctl {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status BadDate(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid date \"", text, "\": ", why));
}

}  // namespace

absl::StatusOr<consular::v1::Date> ParseDate(absl::string_view text) {
  consular::v1::Date date;
  if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(text), kNoDate))
    return date;
  // YYYY-MM-DD: exactly 10 characters with '-' at positions 4 and 7.
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !AllDigits(text.substr(0, 4)) || !AllDigits(text.substr(5, 2)) ||
      !AllDigits(text.substr(8, 2))) {
    return BadDate(text, "expected YYYY-MM-DD");
  }
  int year = 0;
  int month = 0;
  int day = 0;
  if (!absl::SimpleAtoi(text.substr(0, 4), &year) ||
      !absl::SimpleAtoi(text.substr(5, 2), &month) ||
      !absl::SimpleAtoi(text.substr(8, 2), &day)) {
    return BadDate(text, "expected YYYY-MM-DD");
  }
  if (year < kMinYear || year > kMaxYear) {
    return BadDate(text,
                   absl::StrCat("year must be ", kMinYear, "..", kMaxYear));
  }
  if (month < 1 || month > 12) return BadDate(text, "month must be 01..12");
  // CivilDay normalises out-of-range days (Feb 30 -> Mar 2); a round trip
  // detects them.
  const absl::CivilDay civil(year, month, day);
  if (day < 1 || civil.day() != day || civil.month() != month) {
    return BadDate(text, "no such day in that month");
  }
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

absl::StatusOr<absl::Time> ParseWhen(absl::string_view text, bool end_of_day) {
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return time;
  absl::CivilDay day;
  if (text.size() == 10 && absl::ParseCivilTime(text, &day)) {
    if (end_of_day) day += 1;
    return absl::FromCivil(day, absl::UTCTimeZone());
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", text, "\" is neither YYYY-MM-DD nor an RFC 3339 time such as 2026-03-01T09:30:00Z"));
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(timestamp.seconds()),
                          absl::UTCTimeZone());
}

}  // namespace consular::ctl

#pragma once

#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"

// Days and times of the bulk loader's data set, as seconds since 1970-01-01 (everything is UTC),
// written as COPY and protobuf's JSON read them.
namespace consular::datagen::bulk {

constexpr int64_t kDay = 86400;
constexpr int64_t kHour = 3600;

// 1970-01-01, the day the data set's seconds count from.
inline constexpr absl::CivilDay kEpochDay(1970, 1, 1);

// Days since 1970-01-01 of a civil date.
constexpr int64_t DaysFromCivil(int y, int m, int d) { return absl::CivilDay(y, m, d) - kEpochDay; }

// The civil date of a day since 1970-01-01.
inline absl::CivilDay CivilOfDay(int64_t day) { return kEpochDay + day; }

// a / b rounded down.
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// The year of the day `seconds` falls on.
int YearOf(int64_t seconds);

// Appends "YYYY-MM-DD" of the day `seconds` falls on.
void AppendDate(std::string* out, int64_t seconds);
// Appends "YYYY-MM-DD" of a day since 1970-01-01.
void AppendDay(std::string* out, int64_t day);
// Appends a timestamptz as COPY reads it: "2025-03-10 12:00:00+00".
void AppendTimestamp(std::string* out, int64_t seconds);

// The data set's time frame: cases opened from kFirstDay to the day before kEndDay; nothing
// happens at or after kEnd ("now" for the data).
constexpr int64_t kFirstDay = DaysFromCivil(2017, 1, 1);
constexpr int64_t kEndDay = DaysFromCivil(2026, 11, 1);
constexpr int64_t kEnd = kEndDay * kDay;
// When the directory partners were entered and vetted.
constexpr int64_t kPartnersCreated = DaysFromCivil(2016, 6, 1) * kDay + 10 * kHour;
constexpr int64_t kPartnersVetted = DaysFromCivil(2016, 9, 1) * kDay + 10 * kHour;

}  // namespace consular::datagen::bulk

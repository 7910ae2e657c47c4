#include "tools/datagen/bulk_dates.h"

#include <cstdio>

namespace consular::datagen::bulk {

Ymd CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

int YearOf(int64_t seconds) { return CivilFromDays(FloorDiv(seconds, kDay)).year; }

void AppendDay(std::string* out, int64_t day) {
  const Ymd d = CivilFromDays(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  out->append(buf);
}

void AppendDate(std::string* out, int64_t seconds) { AppendDay(out, FloorDiv(seconds, kDay)); }

void AppendTimestamp(std::string* out, int64_t seconds) {
  const int64_t day = FloorDiv(seconds, kDay);
  const int64_t rest = seconds - day * kDay;
  const Ymd d = CivilFromDays(day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d+00", d.year, d.month, d.day,
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  out->append(buf);
}

}  // namespace consular::datagen::bulk

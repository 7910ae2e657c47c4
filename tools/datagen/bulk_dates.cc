#include "tools/datagen/bulk_dates.h"

#include "absl/strings/str_format.h"

namespace consular::datagen::bulk {

int YearOf(int64_t seconds) { return static_cast<int>(CivilOfDay(FloorDiv(seconds, kDay)).year()); }

void AppendDay(std::string* out, int64_t day) {
  const absl::CivilDay d = CivilOfDay(day);
  absl::StrAppendFormat(out, "%04d-%02d-%02d", d.year(), d.month(), d.day());
}

void AppendDate(std::string* out, int64_t seconds) { AppendDay(out, FloorDiv(seconds, kDay)); }

void AppendTimestamp(std::string* out, int64_t seconds) {
  const int64_t day = FloorDiv(seconds, kDay);
  const int64_t rest = seconds - day * kDay;
  const absl::CivilDay d = CivilOfDay(day);
  absl::StrAppendFormat(out, "%04d-%02d-%02d %02d:%02d:%02d+00", d.year(), d.month(), d.day(),
                        rest / 3600, rest / 60 % 60, rest % 60);
}

}  // namespace consular::datagen::bulk

#include "services/stats/dossier_format.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace consular::stats {
namespace {

constexpr int kDefaultThreshold = 5;

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace

int Threshold(const consular::v1::CountryStatistics& statistics) {
  return statistics.threshold() > 0 ? statistics.threshold() : kDefaultThreshold;
}

std::string DossierCountry(const consular::v1::CountryDossier& dossier) {
  return dossier.country().empty() ? dossier.statistics().country() : dossier.country();
}

std::string FormatCount(int64_t value, absl::string_view separator) {
  const bool negative = value < 0;
  std::string digits = absl::StrCat(negative ? -value : value);
  std::string out;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) absl::StrAppend(&out, separator);
    out += digits[i];
  }
  return negative ? absl::StrCat("-", out) : out;
}

std::string PadTwo(int value) {
  return value < 10 ? absl::StrCat("0", value) : absl::StrCat(value);
}

bool IsTimestampSet(const google::protobuf::Timestamp& ts) {
  return ts.seconds() != 0 || ts.nanos() != 0;
}

std::string PeriodCode(const consular::v1::Period& period) {
  switch (period.kind_case()) {
    case consular::v1::Period::kYear:
      return absl::StrCat(period.year());
    case consular::v1::Period::kQuarter:
      return absl::StrCat(period.quarter().year(), "-Q", period.quarter().quarter());
    case consular::v1::Period::kRange:
      return absl::StrCat(FormatDate(period.range().from()), "/", FormatDate(period.range().to()));
    case consular::v1::Period::KIND_NOT_SET:
      break;
  }
  return "";
}

std::string TimestampCode(const google::protobuf::Timestamp& ts) {
  if (!IsTimestampSet(ts)) return "";
  return absl::FormatTime(absl::RFC3339_full, ToTime(ts), absl::UTCTimeZone());
}

std::string MeasureName(consular::v1::Measure measure) {
  return EnumNameOr(consular::v1::Measure_Name(measure), static_cast<int>(measure));
}

std::string DimensionName(consular::v1::Dimension dimension) {
  return EnumNameOr(consular::v1::Dimension_Name(dimension), static_cast<int>(dimension));
}

std::string EnumNameOr(const std::string& name, int value) {
  return name.empty() ? absl::StrCat(value) : name;
}

}  // namespace consular::stats

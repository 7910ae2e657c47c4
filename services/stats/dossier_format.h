#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "consular/v1/common.pb.h"
#include "consular/v1/statistics.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "proto/dates.h"

namespace consular::stats {

// Numbers, dates and names of a dossier as codes: the same in every language. Words for a
// reader come from dossier_labels.h.

// The threshold a dossier's figures were protected with: statistics.threshold, 5 when unset.
int Threshold(const consular::v1::CountryStatistics& statistics);

// The country a dossier is about: its own field, else the statistics'.
std::string DossierCountry(const consular::v1::CountryDossier& dossier);

// Returns `value` in decimal digits with `separator` between groups of three: 12345 -> "12,345".
std::string FormatCount(int64_t value, absl::string_view separator);

// Returns `value` with a leading zero below 10: 7 -> "07".
std::string PadTwo(int value);

bool IsTimestampSet(const google::protobuf::Timestamp& ts);

// "2026", "2026-Q2", "2025-01-01/2026-06-30"; "" when the period is not set.
std::string PeriodCode(const consular::v1::Period& period);

// RFC 3339 in UTC, e.g. "2026-02-03T10:15:00Z"; "" when the timestamp is not set.
std::string TimestampCode(const google::protobuf::Timestamp& ts);

// The proto enum name, or the number when the value has no name.
std::string MeasureName(consular::v1::Measure measure);
std::string DimensionName(consular::v1::Dimension dimension);
std::string EnumNameOr(const std::string& name, int value);

}  // namespace consular::stats

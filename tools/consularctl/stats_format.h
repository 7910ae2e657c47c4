#pragma once

#include <string>

#include "consular/v1/statistics.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

// How the stats, talk and report commands print figures (commands_stats.cc); shared with the
// talks register's commands (commands_talks.cc).
namespace consular::ctl {

// "2026", "2026-Q2", "2025-01-01 to 2026-06-30".
std::string PeriodText(const consular::v1::Period& p);

// A figure as printed: its value, or "x" when it is not published.
std::string FigureText(const consular::v1::Figure& f);

// Where figures come from: "release N, definitions D, figures as of <cut-off>".
std::string FreshnessText(int release, const std::string& definition_version,
                          const google::protobuf::Timestamp& as_of);
template <typename Figures>
std::string FreshnessText(const Figures& f) {
  return FreshnessText(f.release(), f.definition_version(), f.as_of());
}

// The line explaining "x" (and rounding), ending in a newline.
std::string Legend(int threshold, bool rounded);

// A country's statistics: the headline figures and each breakdown as a table, and the legend.
std::string FormatStatistics(const consular::v1::CountryStatistics& s);

}  // namespace consular::ctl

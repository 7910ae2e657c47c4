#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "consular/v1/common.pb.h"
#include "consular/v1/statistics.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/stats/dossier_messages.h"

namespace consular::stats {

// Numbers, dates and names of a dossier in the words of a message catalogue. Plain text: the
// caller escapes it.

// 12345 -> "12,345" (the catalogue's digit group separator).
std::string CountInWords(const DossierMessages& messages, int64_t value);

// A figure for a reader: its count, or that it is not shown (never its value when suppressed).
std::string FigureInWords(const DossierMessages& messages, const consular::v1::Figure& figure,
                          int threshold);

// "1 Jan 2025"; an impossible month as "2025-13-01".
std::string DateInWords(const DossierMessages& messages, const consular::v1::Date& date);

// "2025", "2026 Q2", "1 Jan 2025 – 30 Jun 2026", "period not specified".
std::string PeriodInWords(const DossierMessages& messages, const consular::v1::Period& period);

// "3 Feb 2026, 10:15:00 UTC", "not recorded".
std::string TimestampInWords(const DossierMessages& messages,
                             const google::protobuf::Timestamp& ts);

// "none: every committed event is included", "12 seconds", "3 minutes 5 seconds",
// "2 hours 1 minute", "1 day 4 hours".
std::string LagInWords(const DossierMessages& messages, const google::protobuf::Duration& lag);

// The label of a breakdown category: the catalogue's text for it ("March 2025" for a month
// "2025-03"), else the category in words without its enum prefix.
std::string CategoryLabel(const DossierMessages& messages, consular::v1::Dimension dimension,
                          absl::string_view category);

std::string TalkLevelLabel(const DossierMessages& messages, consular::v1::TalkLevel level);
std::string TalkTopicLabel(const DossierMessages& messages, int topic);

// "by age group at opening".
std::string DimensionHeading(const DossierMessages& messages, consular::v1::Dimension dimension);

// "Cases opened by age group at opening".
std::string BreakdownTitle(const DossierMessages& messages,
                           const consular::v1::Breakdown& breakdown);

// The header of a breakdown's category column ("Age group") and of its figures ("Cases").
std::string DimensionColumn(const DossierMessages& messages, consular::v1::Dimension dimension);
std::string MeasureUnit(const DossierMessages& messages, consular::v1::Measure measure);

// A note under a breakdown's table (e.g. why its rows do not add up), or "".
std::string BreakdownNote(const DossierMessages& messages,
                          const consular::v1::Breakdown& breakdown);

}  // namespace consular::stats

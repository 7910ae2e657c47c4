#include "services/stats/dossier_labels.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/stats/dossier_format.h"

namespace consular::stats {
namespace {

bool IsValidMonth(int month) { return month >= 1 && month <= 12; }

std::string MonthAbbreviation(const DossierMessages& messages, int month) {
  return messages.Format(absl::StrCat("month.short.", month));
}

// The catalogue's text of `prefix` + `name`, or of `fallback` when it has none.
std::string NamedOr(const DossierMessages& messages, absl::string_view prefix,
                    const std::string& name, absl::string_view fallback) {
  const std::string id = absl::StrCat(prefix, name);
  return messages.Format(!name.empty() && messages.Has(id) ? absl::string_view(id) : fallback);
}

std::string Plural(const DossierMessages& messages, int64_t n, absl::string_view unit) {
  return messages.Format(absl::StrCat("unit.", unit, n == 1 ? ".one" : ".other"), n);
}

std::string HumaniseIdentifier(absl::string_view identifier) {
  std::string text = absl::AsciiStrToLower(identifier);
  std::replace(text.begin(), text.end(), '_', ' ');
  if (!text.empty()) text[0] = absl::ascii_toupper(text[0]);
  return text;
}

// "2026-03" -> "March 2026"; anything else unchanged.
std::string MonthLabel(const DossierMessages& messages, absl::string_view category) {
  if (category.size() == 7 && category[4] == '-' && absl::ascii_isdigit(category[5]) &&
      absl::ascii_isdigit(category[6])) {
    const int month = (category[5] - '0') * 10 + (category[6] - '0');
    bool year_digits = true;
    for (int i = 0; i < 4; ++i) year_digits = year_digits && absl::ascii_isdigit(category[i]);
    if (year_digits && IsValidMonth(month)) {
      return messages.Format("date.month_year", messages.Text(absl::StrCat("month.long.", month)),
                             category.substr(0, 4));
    }
  }
  return std::string(category);
}

}  // namespace

std::string CountInWords(const DossierMessages& messages, int64_t value) {
  return FormatCount(value, messages.Text("number.group_separator"));
}

std::string FigureInWords(const DossierMessages& messages, const consular::v1::Figure& figure,
                          int threshold) {
  if (figure.suppressed()) return messages.Format("figure.suppressed_words", threshold);
  return CountInWords(messages, figure.value());
}

std::string DateInWords(const DossierMessages& messages, const consular::v1::Date& date) {
  if (!IsValidMonth(date.month())) {
    return absl::StrCat(date.year(), "-", PadTwo(date.month()), "-", PadTwo(date.day()));
  }
  return messages.Format("date.day_month_year", date.day(),
                         MonthAbbreviation(messages, date.month()), date.year());
}

std::string PeriodInWords(const DossierMessages& messages, const consular::v1::Period& period) {
  switch (period.kind_case()) {
    case consular::v1::Period::kYear:
      return absl::StrCat(period.year());
    case consular::v1::Period::kQuarter:
      return messages.Format("period.quarter", period.quarter().year(), period.quarter().quarter());
    case consular::v1::Period::kRange:
      return messages.Format("period.range", DateInWords(messages, period.range().from()),
                             DateInWords(messages, period.range().to()));
    case consular::v1::Period::KIND_NOT_SET:
      break;
  }
  return messages.Format("period.not_specified");
}

std::string TimestampInWords(const DossierMessages& messages,
                             const google::protobuf::Timestamp& ts) {
  if (!IsTimestampSet(ts)) return messages.Format("date.not_recorded");
  const absl::Time time = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  const absl::CivilSecond cs = absl::ToCivilSecond(time, absl::UTCTimeZone());
  return messages.Format(
      "date.timestamp",
      messages.Format("date.day_month_year", cs.day(), MonthAbbreviation(messages, cs.month()),
                      cs.year()),
      absl::StrCat(PadTwo(cs.hour()), ":", PadTwo(cs.minute()), ":", PadTwo(cs.second())));
}

std::string LagInWords(const DossierMessages& messages, const google::protobuf::Duration& lag) {
  int64_t seconds = lag.seconds();
  if (seconds < 0) seconds = 0;
  if (seconds == 0) {
    return messages.Format(lag.nanos() > 0 ? "lag.under_a_second" : "lag.none");
  }
  const int64_t days = seconds / 86400;
  const int64_t hours = (seconds % 86400) / 3600;
  const int64_t minutes = (seconds % 3600) / 60;
  const int64_t secs = seconds % 60;
  auto two = [&](int64_t a, absl::string_view a_unit, int64_t b, absl::string_view b_unit) {
    return messages.Format("lag.two_units", Plural(messages, a, a_unit),
                           Plural(messages, b, b_unit));
  };
  if (days > 0) return two(days, "day", hours, "hour");
  if (hours > 0) return two(hours, "hour", minutes, "minute");
  if (minutes > 0) return two(minutes, "minute", secs, "second");
  return Plural(messages, secs, "second");
}

std::string CategoryLabel(const DossierMessages& messages, consular::v1::Dimension dimension,
                          absl::string_view category) {
  if (dimension == consular::v1::DIMENSION_MONTH) return MonthLabel(messages, category);
  const std::string id = absl::StrCat("category.", category);
  if (messages.Has(id)) return messages.Format(id);
  if (absl::EndsWith(category, "_UNSPECIFIED")) {
    return messages.Format("category_fallback.unspecified");
  }
  // An unknown category: strip a known enum prefix and write it in words.
  constexpr absl::string_view kPrefixes[] = {"CASE_TYPE_",
                                             "CASE_STATUS_",
                                             "OUTCOME_",
                                             "AGE_GROUP_",
                                             "SEX_",
                                             "NATIONALITY_STATUS_",
                                             "REFERRAL_SOURCE_",
                                             "RISK_FLAG_",
                                             "RECOGNITION_DECISION_",
                                             "RECOGNITION_OBSTACLE_",
                                             "PROCEEDINGS_STAGE_",
                                             "CHILDREN_",
                                             "RETURN_FUNDING_",
                                             "PARTNER_KIND_",
                                             "CONTACT_PURPOSE_"};
  for (absl::string_view prefix : kPrefixes) {
    if (absl::StartsWith(category, prefix) && category.size() > prefix.size()) {
      return HumaniseIdentifier(category.substr(prefix.size()));
    }
  }
  return HumaniseIdentifier(category);
}

std::string TalkLevelLabel(const DossierMessages& messages, consular::v1::TalkLevel level) {
  return NamedOr(messages, "talk_level.", consular::v1::TalkLevel_Name(level),
                 "talk_level.unspecified");
}

std::string TalkTopicLabel(const DossierMessages& messages, int topic) {
  return NamedOr(messages, "talk_topic.",
                 consular::v1::TalkTopic_Name(static_cast<consular::v1::TalkTopic>(topic)),
                 "talk_topic.unspecified");
}

std::string DimensionHeading(const DossierMessages& messages, consular::v1::Dimension dimension) {
  const std::string name = DimensionName(dimension);
  const std::string heading_id = absl::StrCat("dimension.", name, ".heading");
  return messages.Has(heading_id)
             ? messages.Format(heading_id)
             : messages.Format("dimension.other.heading", HumaniseIdentifier(name));
}

std::string BreakdownTitle(const DossierMessages& messages,
                           const consular::v1::Breakdown& breakdown) {
  return messages.Format("breakdown.title",
                         NamedOr(messages, "measure.",
                                 consular::v1::Measure_Name(breakdown.measure()), "measure.other"),
                         DimensionHeading(messages, breakdown.dimension()));
}

std::string DimensionColumn(const DossierMessages& messages, consular::v1::Dimension dimension) {
  const std::string name = DimensionName(dimension);
  const std::string id = absl::StrCat("dimension.", name, ".column");
  return messages.Has(id) ? messages.Format(id) : HumaniseIdentifier(name);
}

std::string MeasureUnit(const DossierMessages& messages, consular::v1::Measure measure) {
  return NamedOr(messages, "measure_unit.", consular::v1::Measure_Name(measure),
                 "measure_unit.other");
}

std::string BreakdownNote(const DossierMessages& messages,
                          const consular::v1::Breakdown& breakdown) {
  const std::string id =
      absl::StrCat("breakdown_note.", consular::v1::Dimension_Name(breakdown.dimension()));
  return messages.Has(id) ? messages.Format(id) : std::string();
}

}  // namespace consular::stats

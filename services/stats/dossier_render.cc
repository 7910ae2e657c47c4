#include "services/stats/dossier_render.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "consular/v1/common.pb.h"
#include "google/protobuf/util/json_util.h"

namespace consular::stats {
namespace {

using consular::v1::Breakdown;
using consular::v1::CountryDossier;
using consular::v1::CountryStatistics;
using consular::v1::Date;
using consular::v1::Dimension;
using consular::v1::Figure;
using consular::v1::Measure;
using consular::v1::Period;
using consular::v1::Talk;
using consular::v1::YearByType;

constexpr int kDefaultThreshold = 5;

constexpr absl::string_view kMonthNames[] = {"January",   "February", "March",    "April",
                                             "May",       "June",     "July",     "August",
                                             "September", "October",  "November", "December"};
constexpr absl::string_view kMonthAbbreviations[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// ---------------------------------------------------------------------------------------------
// Text helpers.

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string PadTwo(int value) {
  return value < 10 ? absl::StrCat("0", value) : absl::StrCat(value);
}

// 12345 -> "12,345".
std::string FormatCount(int64_t value) {
  const bool negative = value < 0;
  std::string digits = absl::StrCat(negative ? -value : value);
  std::string out;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? absl::StrCat("-", out) : out;
}

// An SVG coordinate with at most one decimal.
std::string Num(double value) { return absl::StrCat(std::round(value * 10.0) / 10.0); }

int Threshold(const CountryStatistics& statistics) {
  return statistics.threshold() > 0 ? statistics.threshold() : kDefaultThreshold;
}

// The mark of a figure that is not shown. Not "<5": a larger figure withheld to protect a small one
// carries the same mark, and "<5" would misstate it.
std::string SuppressedText(int /*threshold*/) { return "x"; }

bool IsValidMonth(int month) { return month >= 1 && month <= 12; }

bool IsDateSet(const Date& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0;
}

// "1 Jan 2025".
std::string DateInWords(const Date& date) {
  if (!IsValidMonth(date.month())) {
    return absl::StrCat(date.year(), "-", PadTwo(date.month()), "-", PadTwo(date.day()));
  }
  return absl::StrCat(date.day(), " ", kMonthAbbreviations[date.month() - 1], " ", date.year());
}

// "2025-01-01".
std::string IsoDate(const Date& date) {
  if (!IsDateSet(date)) return "";
  return absl::StrCat(date.year(), "-", PadTwo(date.month()), "-", PadTwo(date.day()));
}

std::string PeriodInWords(const Period& period) {
  switch (period.kind_case()) {
    case Period::kYear:
      return absl::StrCat(period.year());
    case Period::kQuarter:
      return absl::StrCat(period.quarter().year(), " Q", period.quarter().quarter());
    case Period::kRange:
      return absl::StrCat(DateInWords(period.range().from()), " \u2013 ",
                          DateInWords(period.range().to()));
    case Period::KIND_NOT_SET:
      break;
  }
  return "period not specified";
}

// "2026", "2026-Q2", "2025-01-01/2026-06-30".
std::string PeriodCode(const Period& period) {
  switch (period.kind_case()) {
    case Period::kYear:
      return absl::StrCat(period.year());
    case Period::kQuarter:
      return absl::StrCat(period.quarter().year(), "-Q", period.quarter().quarter());
    case Period::kRange:
      return absl::StrCat(IsoDate(period.range().from()), "/", IsoDate(period.range().to()));
    case Period::KIND_NOT_SET:
      break;
  }
  return "";
}

bool IsTimestampSet(const google::protobuf::Timestamp& ts) {
  return ts.seconds() != 0 || ts.nanos() != 0;
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// "3 Feb 2026, 10:15:00 UTC".
std::string TimestampInWords(const google::protobuf::Timestamp& ts) {
  if (!IsTimestampSet(ts)) return "not recorded";
  const absl::CivilSecond cs = absl::ToCivilSecond(ToTime(ts), absl::UTCTimeZone());
  return absl::StrCat(cs.day(), " ", kMonthAbbreviations[cs.month() - 1], " ", cs.year(), ", ",
                      PadTwo(cs.hour()), ":", PadTwo(cs.minute()), ":", PadTwo(cs.second()),
                      " UTC");
}

std::string TimestampCode(const google::protobuf::Timestamp& ts) {
  if (!IsTimestampSet(ts)) return "";
  return absl::FormatTime(absl::RFC3339_full, ToTime(ts), absl::UTCTimeZone());
}

std::string Plural(int64_t n, absl::string_view unit) {
  return absl::StrCat(n, " ", unit, n == 1 ? "" : "s");
}

// "none", "12 seconds", "3 minutes 5 seconds", "2 hours 1 minute", "1 day 4 hours".
std::string LagInWords(const google::protobuf::Duration& lag) {
  int64_t seconds = lag.seconds();
  if (seconds < 0) seconds = 0;
  if (seconds == 0) {
    return lag.nanos() > 0 ? "under a second" : "none: every committed event is included";
  }
  const int64_t days = seconds / 86400;
  const int64_t hours = (seconds % 86400) / 3600;
  const int64_t minutes = (seconds % 3600) / 60;
  const int64_t secs = seconds % 60;
  if (days > 0) return absl::StrCat(Plural(days, "day"), " ", Plural(hours, "hour"));
  if (hours > 0) return absl::StrCat(Plural(hours, "hour"), " ", Plural(minutes, "minute"));
  if (minutes > 0) return absl::StrCat(Plural(minutes, "minute"), " ", Plural(secs, "second"));
  return Plural(secs, "second");
}

// ---------------------------------------------------------------------------------------------
// Names and plain-English labels.

struct Label {
  absl::string_view category;
  absl::string_view text;
};

constexpr Label kCategoryLabels[] = {
    {"CASE_TYPE_ABANDONMENT", "Abandonment"},
    {"CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION", "Foreign divorce recognition"},
    {"CASE_STATUS_INTAKE", "Intake"},
    {"CASE_STATUS_ACTIVE", "Active"},
    {"CASE_STATUS_ON_HOLD", "On hold"},
    {"CASE_STATUS_RESOLVED", "Resolved"},
    {"CASE_STATUS_CLOSED", "Closed"},
    {"OUTCOME_RETURNED_TO_NL", "Returned to the Netherlands"},
    {"OUTCOME_STAYED_BY_OWN_CHOICE", "Stayed by own choice"},
    {"OUTCOME_RETURN_NOT_POSSIBLE", "Return not possible"},
    {"OUTCOME_CONTACT_LOST", "Contact lost"},
    {"OUTCOME_REFERRED_ELSEWHERE", "Referred elsewhere"},
    {"OUTCOME_WITHDRAWN", "Withdrawn"},
    {"OUTCOME_RECOGNISED", "Divorce recognised"},
    {"OUTCOME_REFUSED", "Recognition refused"},
    {"OUTCOME_ALTERNATIVE_SOLUTION", "Alternative solution"},
    {"OUTCOME_PROCEEDINGS_ABANDONED", "Proceedings abandoned"},
    {"AGE_GROUP_MINOR", "Minor (under 18)"},
    {"AGE_GROUP_YOUNG_ADULT", "Young adult (18\u201323)"},
    {"AGE_GROUP_ADULT", "Adult (24+)"},
    {"AGE_GROUP_UNKNOWN", "Unknown"},
    {"YES", "Yes"},
    {"NO", "No"},
    {"SEX_FEMALE", "Female"},
    {"SEX_MALE", "Male"},
    {"SEX_X", "X (neither female nor male)"},
    {"SEX_UNKNOWN", "Unknown"},
    {"NATIONALITY_STATUS_DUTCH_ONLY", "Dutch only"},
    {"NATIONALITY_STATUS_DUAL", "Dutch and another nationality"},
    {"NATIONALITY_STATUS_RESIDENCE_PERMIT", "Dutch residence permit, not Dutch"},
    {"REFERRAL_SOURCE_SELF", "The person themselves"},
    {"REFERRAL_SOURCE_FAMILY", "Family"},
    {"REFERRAL_SOURCE_LKHA", "LKHA (national expertise centre)"},
    {"REFERRAL_SOURCE_SCHOOL", "School"},
    {"REFERRAL_SOURCE_POLICE", "Police"},
    {"REFERRAL_SOURCE_NGO", "Non-governmental organisation"},
    {"REFERRAL_SOURCE_OTHER_POST", "Another post"},
    {"REFERRAL_SOURCE_OTHER", "Other"},
    {"RISK_FLAG_FORCED_MARRIAGE", "Forced marriage"},
    {"RISK_FLAG_MARITAL_CAPTIVITY", "Marital captivity"},
    {"RISK_FLAG_MINOR_INVOLVED", "Minor involved"},
    {"RISK_FLAG_CHILDREN_WITH_PERSON", "Children with the person"},
    {"RISK_FLAG_PASSPORT_WITHHELD", "Passport withheld"},
    {"RISK_FLAG_RESIDENCE_PERMIT_AT_RISK", "Residence permit at risk"},
    {"RISK_FLAG_HONOUR_VIOLENCE_THREAT", "Threat of honour-based violence"},
    {"RISK_FLAG_FGM_RISK", "Risk of female genital mutilation"},
    {"RISK_FLAG_PREGNANCY", "Pregnancy"},
    {"RECOGNITION_DECISION_GRANTED", "Granted"},
    {"RECOGNITION_DECISION_REFUSED", "Refused"},
    {"RECOGNITION_DECISION_UNSPECIFIED", "Pending (no decision yet)"},
    {"RECOGNITION_OBSTACLE_SPOUSE_CONSENT_DEMANDED", "Spouse\u2019s consent demanded"},
    {"RECOGNITION_OBSTACLE_RELIGIOUS_DIVORCE_DEMANDED", "Religious divorce demanded"},
    {"RECOGNITION_OBSTACLE_DOCUMENT_LEGALISATION", "Legalisation of documents"},
    {"RECOGNITION_OBSTACLE_COST", "Cost"},
    {"RECOGNITION_OBSTACLE_NO_LAWYER_AVAILABLE", "No lawyer available"},
    {"RECOGNITION_OBSTACLE_OTHER", "Other"},
    {"PARTNER_KIND_LAWYER", "Lawyer"},
    {"PARTNER_KIND_AID_ORGANISATION", "Aid organisation"},
    {"PARTNER_KIND_SHELTER", "Shelter"},
    {"PARTNER_KIND_LOCAL_AUTHORITY", "Local authority"},
    {"PARTNER_KIND_MEDICAL", "Medical"},
    {"PARTNER_KIND_OTHER", "Other"},
    {"CONTACT_PURPOSE_LEGAL_ADVICE", "Legal advice"},
    {"CONTACT_PURPOSE_COURT_REPRESENTATION", "Court representation"},
    {"CONTACT_PURPOSE_SHELTER", "Shelter"},
    {"CONTACT_PURPOSE_DOCUMENTS", "Documents"},
    {"CONTACT_PURPOSE_MEDIATION", "Mediation"},
    {"CONTACT_PURPOSE_MEDICAL", "Medical care"},
    {"CONTACT_PURPOSE_RETURN_TRAVEL", "Return travel"},
    {"CONTACT_PURPOSE_OTHER", "Other"},
};

struct DimensionInfo {
  Dimension dimension;
  absl::string_view heading;  // "<measure> <heading>"
  absl::string_view column;   // the category column's header
};

constexpr DimensionInfo kDimensions[] = {
    {consular::v1::DIMENSION_CASE_TYPE, "by case type", "Case type"},
    {consular::v1::DIMENSION_STATUS, "by status now", "Status now"},
    {consular::v1::DIMENSION_OUTCOME, "by outcome", "Outcome"},
    {consular::v1::DIMENSION_AGE_GROUP, "by age group at opening", "Age group"},
    {consular::v1::DIMENSION_MOTHER_WITH_MINOR_CHILDREN,
     "by whether the person is a mother of minor children", "Mother of minor children"},
    {consular::v1::DIMENSION_SEX, "by sex", "Sex"},
    {consular::v1::DIMENSION_NATIONALITY_STATUS, "by nationality status", "Nationality status"},
    {consular::v1::DIMENSION_REFERRAL_SOURCE, "by referral source", "Referred by"},
    {consular::v1::DIMENSION_RISK_FLAG, "by risk flag", "Risk flag"},
    {consular::v1::DIMENSION_MONTH, "by month", "Month"},
    {consular::v1::DIMENSION_RECOGNITION_DECISION, "by recognition decision",
     "Recognition decision"},
    {consular::v1::DIMENSION_RECOGNITION_OBSTACLE, "by recognition obstacle", "Obstacle"},
    {consular::v1::DIMENSION_PARTNER_KIND, "by partner kind", "Partner kind"},
    {consular::v1::DIMENSION_CONTACT_PURPOSE, "by contact purpose", "Purpose"},
};

const DimensionInfo* FindDimension(Dimension dimension) {
  for (const DimensionInfo& info : kDimensions) {
    if (info.dimension == dimension) return &info;
  }
  return nullptr;
}

absl::string_view MeasureTitle(Measure measure) {
  switch (measure) {
    case consular::v1::MEASURE_CASES_OPENED:
      return "Cases opened";
    case consular::v1::MEASURE_CASES_RESOLVED:
      return "Cases resolved";
    case consular::v1::MEASURE_CASES_UNRESOLVED:
      return "Cases unresolved at the end of the period";
    case consular::v1::MEASURE_CONTACTS:
      return "Contacts with partners";
    default:
      return "Figures";
  }
}

absl::string_view MeasureUnit(Measure measure) {
  return measure == consular::v1::MEASURE_CONTACTS ? "Contacts" : "Cases";
}

std::string MeasureName(Measure measure) {
  const std::string& name = consular::v1::Measure_Name(measure);
  return name.empty() ? absl::StrCat(static_cast<int>(measure)) : name;
}

std::string DimensionName(Dimension dimension) {
  const std::string& name = consular::v1::Dimension_Name(dimension);
  return name.empty() ? absl::StrCat(static_cast<int>(dimension)) : name;
}

std::string HumaniseIdentifier(absl::string_view identifier) {
  std::string text = absl::AsciiStrToLower(identifier);
  std::replace(text.begin(), text.end(), '_', ' ');
  if (!text.empty()) text[0] = absl::ascii_toupper(text[0]);
  return text;
}

// "2026-03" -> "March 2026"; anything else unchanged.
std::string MonthLabel(absl::string_view category) {
  if (category.size() == 7 && category[4] == '-' && absl::ascii_isdigit(category[5]) &&
      absl::ascii_isdigit(category[6])) {
    const int month = (category[5] - '0') * 10 + (category[6] - '0');
    bool year_digits = true;
    for (int i = 0; i < 4; ++i) year_digits = year_digits && absl::ascii_isdigit(category[i]);
    if (year_digits && IsValidMonth(month)) {
      return absl::StrCat(kMonthNames[month - 1], " ", category.substr(0, 4));
    }
  }
  return std::string(category);
}

// The plain-English label of a category (not escaped).
std::string CategoryLabel(Dimension dimension, absl::string_view category) {
  if (dimension == consular::v1::DIMENSION_MONTH) return MonthLabel(category);
  for (const Label& label : kCategoryLabels) {
    if (label.category == category) return std::string(label.text);
  }
  if (absl::EndsWith(category, "_UNSPECIFIED")) return "Not recorded";
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
                                             "PARTNER_KIND_",
                                             "CONTACT_PURPOSE_"};
  for (absl::string_view prefix : kPrefixes) {
    if (absl::StartsWith(category, prefix) && category.size() > prefix.size()) {
      return HumaniseIdentifier(category.substr(prefix.size()));
    }
  }
  return HumaniseIdentifier(category);
}

std::string TalkLevelLabel(consular::v1::TalkLevel level) {
  switch (level) {
    case consular::v1::TALK_LEVEL_MINISTERIAL:
      return "Ministerial";
    case consular::v1::TALK_LEVEL_AMBASSADOR:
      return "Ambassador";
    case consular::v1::TALK_LEVEL_OFFICIAL:
      return "Officials";
    default:
      return "Level not recorded";
  }
}

std::string TalkTopicLabel(consular::v1::TalkTopic topic) {
  switch (topic) {
    case consular::v1::TALK_TOPIC_ABANDONMENT:
      return "Abandonment";
    case consular::v1::TALK_TOPIC_DIVORCE_RECOGNITION:
      return "Divorce recognition";
    case consular::v1::TALK_TOPIC_FORCED_MARRIAGE:
      return "Forced marriage";
    case consular::v1::TALK_TOPIC_CONSULAR_ACCESS:
      return "Consular access";
    case consular::v1::TALK_TOPIC_DUAL_NATIONALITY:
      return "Dual nationality";
    case consular::v1::TALK_TOPIC_CHILD_PROTECTION:
      return "Child protection";
    case consular::v1::TALK_TOPIC_OTHER:
      return "Other";
    default:
      return "Not recorded";
  }
}

std::string EnumNameOr(const std::string& name, int value) {
  return name.empty() ? absl::StrCat(value) : name;
}

const Breakdown* FindBreakdown(const CountryStatistics& statistics, Measure measure,
                               Dimension dimension) {
  for (const Breakdown& breakdown : statistics.breakdowns()) {
    if (breakdown.measure() == measure && breakdown.dimension() == dimension) return &breakdown;
  }
  return nullptr;
}

std::string BreakdownTitle(const Breakdown& breakdown) {
  const DimensionInfo* info = FindDimension(breakdown.dimension());
  return absl::StrCat(
      MeasureTitle(breakdown.measure()), " ",
      info != nullptr
          ? std::string(info->heading)
          : absl::StrCat("by ", HumaniseIdentifier(DimensionName(breakdown.dimension()))));
}

// ---------------------------------------------------------------------------------------------
// HTML pieces.

// A figure as table or headline text (HTML).
std::string FigureHtml(const Figure& figure, int threshold) {
  if (figure.suppressed()) {
    return absl::StrCat("<span class=\"suppressed-mark\" title=\"not shown: fewer than ", threshold,
                        ", or would let such a figure be worked out\">",
                        HtmlEscape(SuppressedText(threshold)),
                        "</span><a class=\"footnote\" href=\"#small-numbers\">*</a>");
  }
  return FormatCount(figure.value());
}

// A figure in words for an aria-label (not escaped).
std::string FigureWords(const Figure& figure, int threshold) {
  if (figure.suppressed()) return absl::StrCat("fewer than ", threshold, " or not shown");
  return FormatCount(figure.value());
}

// Chart styles: how a series' bars are filled. Greyscale-safe: solid, hatched, dotted.
enum BarStyle { kSolid = 0, kHatched = 1, kDotted = 2, kSuppressedStyle = -1 };

std::string StyleAttributes(absl::string_view chart, int style) {
  switch (style) {
    case kSolid:
      return "fill=\"#404040\" stroke=\"#000\" stroke-width=\"1\"";
    case kHatched:
      return absl::StrCat("fill=\"url(#", chart, "-hatch)\" stroke=\"#000\" stroke-width=\"1\"");
    case kDotted:
      return absl::StrCat("fill=\"url(#", chart, "-dots)\" stroke=\"#000\" stroke-width=\"1\"");
    default:
      return absl::StrCat("fill=\"url(#", chart,
                          "-suppressed)\" stroke=\"#000\" stroke-width=\"1\" "
                          "stroke-dasharray=\"3 2\"");
  }
}

std::string StyleClass(int style) {
  return style == kSuppressedStyle ? "suppressed" : absl::StrCat("s", style);
}

std::string PatternDefs(absl::string_view chart) {
  return absl::StrCat(
      "<defs>"
      "<pattern id=\"",
      chart,
      "-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
      "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#000\" stroke-width=\"3\"/></pattern>"
      "<pattern id=\"",
      chart,
      "-dots\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\">"
      "<rect width=\"5\" height=\"5\" fill=\"#fff\"/>"
      "<rect x=\"1\" y=\"1\" width=\"2\" height=\"2\" fill=\"#000\"/></pattern>"
      "<pattern id=\"",
      chart,
      "-suppressed\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\">"
      "<rect width=\"4\" height=\"4\" fill=\"#fff\"/>"
      "<line x1=\"0\" y1=\"4\" x2=\"4\" y2=\"0\" stroke=\"#888\" stroke-width=\"1\"/></pattern>"
      "</defs>");
}

struct LegendEntry {
  std::string label;
  int style;
};

// A legend row starting at (x, 6); swatches have class "swatch", never "bar".
std::string Legend(absl::string_view chart, double x, const std::vector<LegendEntry>& entries) {
  std::string out = "<g class=\"legend\">";
  for (const LegendEntry& entry : entries) {
    absl::StrAppend(&out, "<rect class=\"swatch ", StyleClass(entry.style), "\" x=\"", Num(x),
                    "\" y=\"6\" width=\"12\" height=\"12\" ", StyleAttributes(chart, entry.style),
                    "/>", "<text x=\"", Num(x + 17), "\" y=\"16\">", HtmlEscape(entry.label),
                    "</text>");
    x += 17 + 6.3 * static_cast<double>(entry.label.size()) + 14;
  }
  absl::StrAppend(&out, "</g>");
  return out;
}

// A "nice" axis maximum and tick step for values up to `max_value`.
void NiceScale(int64_t max_value, int64_t* axis_max, int64_t* step) {
  if (max_value < 5) max_value = 5;
  const double raw = static_cast<double>(max_value) / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double nice = magnitude;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    nice = factor * magnitude;
    if (nice >= raw) break;
  }
  *step = std::max<int64_t>(1, static_cast<int64_t>(std::llround(nice)));
  *axis_max = ((max_value + *step - 1) / *step) * *step;
}

enum class ChartState { kData, kAllZero, kNotAvailable };

struct ChartSpec {
  std::string name;        // data-chart
  std::string caption;     // shown above the chart
  std::string aria_label;  // title and every value, in words
  std::string value_axis;  // e.g. "Cases resolved"
  std::string category_axis;
  std::string empty_text;  // for kAllZero
  std::vector<LegendEntry> legend;
};

std::string ChartOpen(const ChartSpec& spec, double width, double height) {
  return absl::StrCat("<figure class=\"chart-box\"><figcaption>", HtmlEscape(spec.caption),
                      "</figcaption>\n<svg class=\"chart\" data-chart=\"", HtmlEscape(spec.name),
                      "\" role=\"img\" aria-label=\"", HtmlEscape(spec.aria_label),
                      "\" viewBox=\"0 0 ", Num(width), " ", Num(height), "\" width=\"", Num(width),
                      "\" height=\"", Num(height), "\" preserveAspectRatio=\"xMinYMin meet\">",
                      PatternDefs(spec.name));
}

constexpr absl::string_view kChartClose = "</svg></figure>\n";

std::string StateText(const ChartSpec& spec, ChartState state) {
  return state == ChartState::kNotAvailable
             ? "Not available: this breakdown is not in the statistics"
             : spec.empty_text;
}

struct Bar {
  std::string label;
  Figure figure;
  int style = kSolid;
};

// Horizontal bars, one row per category: label on the left, value at the end of the bar.
std::string HorizontalBarChart(const ChartSpec& spec, const std::vector<Bar>& bars,
                               ChartState state, int threshold) {
  constexpr double kWidth = 720;
  constexpr double kLabelRight = 232;
  constexpr double kPlotLeft = 240;
  constexpr double kPlotWidth = 400;
  constexpr double kPlotTop = 34;
  constexpr double kRow = 26;
  constexpr double kBarHeight = 16;
  constexpr double kSuppressedLength = 14;

  const int rows = state == ChartState::kData ? static_cast<int>(bars.size()) : 3;
  const double plot_bottom = kPlotTop + rows * kRow + 4;
  const double height = plot_bottom + 46;

  int64_t max_value = 0;
  if (state == ChartState::kData) {
    for (const Bar& bar : bars) {
      if (!bar.figure.suppressed()) max_value = std::max(max_value, bar.figure.value());
    }
  }
  int64_t axis_max = 0;
  int64_t step = 1;
  NiceScale(max_value, &axis_max, &step);
  auto x_of = [&](int64_t value) {
    return kPlotLeft + kPlotWidth * static_cast<double>(value) / static_cast<double>(axis_max);
  };

  std::string out = ChartOpen(spec, kWidth, height);
  // Category axis title, above the labels; legend to its right.
  absl::StrAppend(&out, "<text class=\"axis-title\" x=\"", Num(kLabelRight), "\" y=\"",
                  Num(kPlotTop - 8), "\" text-anchor=\"end\">", HtmlEscape(spec.category_axis),
                  "</text>");
  absl::StrAppend(&out, Legend(spec.name, kPlotLeft, spec.legend));
  // Grid and value axis.
  absl::StrAppend(&out, "<g class=\"value-axis\">");
  for (int64_t tick = 0; tick <= axis_max; tick += step) {
    const double x = x_of(tick);
    absl::StrAppend(&out, "<line class=\"grid\" x1=\"", Num(x), "\" y1=\"", Num(kPlotTop),
                    "\" x2=\"", Num(x), "\" y2=\"", Num(plot_bottom), "\"/>",
                    "<line class=\"axis\" x1=\"", Num(x), "\" y1=\"", Num(plot_bottom), "\" x2=\"",
                    Num(x), "\" y2=\"", Num(plot_bottom + 4), "\"/>", "<text x=\"", Num(x),
                    "\" y=\"", Num(plot_bottom + 17), "\" text-anchor=\"middle\">",
                    FormatCount(tick), "</text>");
  }
  absl::StrAppend(&out, "<line class=\"axis\" x1=\"", Num(kPlotLeft), "\" y1=\"", Num(plot_bottom),
                  "\" x2=\"", Num(kPlotLeft + kPlotWidth), "\" y2=\"", Num(plot_bottom), "\"/>",
                  "<line class=\"axis\" x1=\"", Num(kPlotLeft), "\" y1=\"", Num(kPlotTop),
                  "\" x2=\"", Num(kPlotLeft), "\" y2=\"", Num(plot_bottom), "\"/>",
                  "<text class=\"axis-title\" x=\"", Num(kPlotLeft + kPlotWidth / 2), "\" y=\"",
                  Num(plot_bottom + 38), "\" text-anchor=\"middle\">", HtmlEscape(spec.value_axis),
                  "</text></g>");

  if (state != ChartState::kData) {
    absl::StrAppend(&out, "<text class=\"empty-note\" x=\"", Num(kPlotLeft + kPlotWidth / 2),
                    "\" y=\"", Num(kPlotTop + 1.5 * kRow + 5), "\" text-anchor=\"middle\">",
                    HtmlEscape(StateText(spec, state)), "</text>");
    absl::StrAppend(&out, kChartClose);
    return out;
  }

  absl::StrAppend(&out, "<g class=\"marks\">");
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& bar = bars[i];
    const double y = kPlotTop + static_cast<double>(i) * kRow + (kRow - kBarHeight) / 2;
    const double text_y = y + kBarHeight / 2 + 4;
    absl::StrAppend(&out, "<text class=\"category\" x=\"", Num(kLabelRight), "\" y=\"", Num(text_y),
                    "\" text-anchor=\"end\">", HtmlEscape(bar.label), "</text>");
    double length;
    std::string value_text;
    if (bar.figure.suppressed()) {
      length = kSuppressedLength;
      value_text = HtmlEscape(SuppressedText(threshold));
      absl::StrAppend(&out, "<rect class=\"bar suppressed\" x=\"", Num(kPlotLeft), "\" y=\"",
                      Num(y), "\" width=\"", Num(length), "\" height=\"", Num(kBarHeight), "\" ",
                      StyleAttributes(spec.name, kSuppressedStyle), "/>");
    } else {
      const int64_t value = std::max<int64_t>(0, bar.figure.value());
      length = x_of(value) - kPlotLeft;
      if (value > 0 && length < 2) length = 2;
      value_text = FormatCount(bar.figure.value());
      absl::StrAppend(&out, "<rect class=\"bar ", StyleClass(bar.style), "\" x=\"", Num(kPlotLeft),
                      "\" y=\"", Num(y), "\" width=\"", Num(length), "\" height=\"",
                      Num(kBarHeight), "\" ", StyleAttributes(spec.name, bar.style), "/>");
    }
    absl::StrAppend(&out, "<text class=\"value", bar.figure.suppressed() ? " suppressed-label" : "",
                    "\" x=\"", Num(kPlotLeft + length + 6), "\" y=\"", Num(text_y), "\">",
                    value_text, "</text>");
  }
  absl::StrAppend(&out, "</g>", kChartClose);
  return out;
}

struct SeriesValue {
  Figure figure;
  int style;
};

struct Group {
  std::string label;
  std::vector<SeriesValue> values;
};

// Vertical grouped bars: one group per year, one bar per series.
std::string GroupedColumnChart(const ChartSpec& spec, const std::vector<Group>& groups,
                               ChartState state, int threshold) {
  constexpr double kWidth = 720;
  constexpr double kPlotLeft = 64;
  constexpr double kPlotRight = 704;
  constexpr double kPlotTop = 44;
  constexpr double kPlotBottom = 250;
  constexpr double kHeight = 300;
  constexpr double kSuppressedHeight = 10;

  int64_t max_value = 0;
  size_t series = 0;
  if (state == ChartState::kData) {
    for (const Group& group : groups) {
      series = std::max(series, group.values.size());
      for (const SeriesValue& v : group.values) {
        if (!v.figure.suppressed()) max_value = std::max(max_value, v.figure.value());
      }
    }
  }
  int64_t axis_max = 0;
  int64_t step = 1;
  NiceScale(max_value, &axis_max, &step);
  const double plot_height = kPlotBottom - kPlotTop;
  auto y_of = [&](int64_t value) {
    return kPlotBottom - plot_height * static_cast<double>(value) / static_cast<double>(axis_max);
  };

  std::string out = ChartOpen(spec, kWidth, kHeight);
  absl::StrAppend(&out, Legend(spec.name, kPlotLeft, spec.legend));
  absl::StrAppend(&out, "<g class=\"value-axis\">");
  for (int64_t tick = 0; tick <= axis_max; tick += step) {
    const double y = y_of(tick);
    absl::StrAppend(&out, "<line class=\"grid\" x1=\"", Num(kPlotLeft), "\" y1=\"", Num(y),
                    "\" x2=\"", Num(kPlotRight), "\" y2=\"", Num(y), "\"/>",
                    "<line class=\"axis\" x1=\"", Num(kPlotLeft - 4), "\" y1=\"", Num(y),
                    "\" x2=\"", Num(kPlotLeft), "\" y2=\"", Num(y), "\"/>", "<text x=\"",
                    Num(kPlotLeft - 7), "\" y=\"", Num(y + 4), "\" text-anchor=\"end\">",
                    FormatCount(tick), "</text>");
  }
  absl::StrAppend(&out, "<line class=\"axis\" x1=\"", Num(kPlotLeft), "\" y1=\"", Num(kPlotTop),
                  "\" x2=\"", Num(kPlotLeft), "\" y2=\"", Num(kPlotBottom), "\"/>",
                  "<line class=\"axis\" x1=\"", Num(kPlotLeft), "\" y1=\"", Num(kPlotBottom),
                  "\" x2=\"", Num(kPlotRight), "\" y2=\"", Num(kPlotBottom), "\"/>",
                  "<text class=\"axis-title\" transform=\"translate(16 ",
                  Num((kPlotTop + kPlotBottom) / 2), ") rotate(-90)\" text-anchor=\"middle\">",
                  HtmlEscape(spec.value_axis), "</text>", "<text class=\"axis-title\" x=\"",
                  Num((kPlotLeft + kPlotRight) / 2), "\" y=\"", Num(kPlotBottom + 40),
                  "\" text-anchor=\"middle\">", HtmlEscape(spec.category_axis), "</text></g>");

  if (state != ChartState::kData) {
    absl::StrAppend(&out, "<text class=\"empty-note\" x=\"", Num((kPlotLeft + kPlotRight) / 2),
                    "\" y=\"", Num((kPlotTop + kPlotBottom) / 2), "\" text-anchor=\"middle\">",
                    HtmlEscape(StateText(spec, state)), "</text>", kChartClose);
    return out;
  }

  const double group_width = (kPlotRight - kPlotLeft) / static_cast<double>(groups.size());
  const double bar_width =
      std::min(24.0, group_width * 0.8 / static_cast<double>(std::max<size_t>(series, 1)));
  absl::StrAppend(&out, "<g class=\"marks\">");
  for (size_t g = 0; g < groups.size(); ++g) {
    const Group& group = groups[g];
    const double center = kPlotLeft + group_width * (static_cast<double>(g) + 0.5);
    absl::StrAppend(&out, "<text class=\"category\" x=\"", Num(center), "\" y=\"",
                    Num(kPlotBottom + 17), "\" text-anchor=\"middle\">", HtmlEscape(group.label),
                    "</text>");
    const double first_x = center - bar_width * static_cast<double>(group.values.size()) / 2.0;
    for (size_t s = 0; s < group.values.size(); ++s) {
      const SeriesValue& v = group.values[s];
      const double x = first_x + bar_width * static_cast<double>(s);
      double top;
      std::string value_text;
      if (v.figure.suppressed()) {
        top = kPlotBottom - kSuppressedHeight;
        value_text = HtmlEscape(SuppressedText(threshold));
        absl::StrAppend(&out, "<rect class=\"bar suppressed\" x=\"", Num(x + 1), "\" y=\"",
                        Num(top), "\" width=\"", Num(bar_width - 2), "\" height=\"",
                        Num(kSuppressedHeight), "\" ", StyleAttributes(spec.name, kSuppressedStyle),
                        "/>");
      } else {
        const int64_t value = std::max<int64_t>(0, v.figure.value());
        top = y_of(value);
        if (value > 0 && kPlotBottom - top < 2) top = kPlotBottom - 2;
        value_text = FormatCount(v.figure.value());
        absl::StrAppend(&out, "<rect class=\"bar ", StyleClass(v.style), "\" x=\"", Num(x + 1),
                        "\" y=\"", Num(top), "\" width=\"", Num(bar_width - 2), "\" height=\"",
                        Num(kPlotBottom - top), "\" ", StyleAttributes(spec.name, v.style), "/>");
      }
      absl::StrAppend(&out, "<text class=\"value", v.figure.suppressed() ? " suppressed-label" : "",
                      "\" x=\"", Num(x + bar_width / 2), "\" y=\"", Num(top - 4),
                      "\" text-anchor=\"middle\">", value_text, "</text>");
    }
  }
  absl::StrAppend(&out, "</g>", kChartClose);
  return out;
}

bool AllZero(const std::vector<Bar>& bars) {
  for (const Bar& bar : bars) {
    if (bar.figure.suppressed() || bar.figure.value() != 0) return false;
  }
  return true;
}

std::string AriaValues(const std::vector<Bar>& bars, int threshold) {
  std::vector<std::string> parts;
  for (const Bar& bar : bars) {
    parts.push_back(absl::StrCat(bar.label, ": ", FigureWords(bar.figure, threshold)));
  }
  return absl::StrJoin(parts, "; ");
}

// A chart of one breakdown's cells. `keep` selects cells; `style_of` picks each bar's style.
template <typename Keep, typename StyleOf>
std::string BreakdownChart(ChartSpec spec, const Breakdown* breakdown, int threshold, Keep keep,
                           StyleOf style_of) {
  std::vector<Bar> bars;
  ChartState state = ChartState::kNotAvailable;
  if (breakdown != nullptr) {
    for (const consular::v1::Cell& cell : breakdown->cells()) {
      if (!keep(cell)) continue;
      bars.push_back(Bar{CategoryLabel(breakdown->dimension(), cell.category()), cell.figure(),
                         style_of(cell.category())});
    }
    state = AllZero(bars) ? ChartState::kAllZero : ChartState::kData;
  }
  switch (state) {
    case ChartState::kData:
      absl::StrAppend(&spec.aria_label, ". ", AriaValues(bars, threshold));
      break;
    case ChartState::kAllZero:
      absl::StrAppend(&spec.aria_label, ". ", spec.empty_text);
      break;
    case ChartState::kNotAvailable:
      absl::StrAppend(&spec.aria_label, ". Not available");
      break;
  }
  return HorizontalBarChart(spec, bars, state, threshold);
}

std::vector<LegendEntry> SingleSeriesLegend(absl::string_view unit, int threshold) {
  return {{std::string(unit), kSolid},
          {absl::StrCat(SuppressedText(threshold), ": not shown (see note)"), kSuppressedStyle}};
}

std::string HistoryChart(const CountryDossier& dossier, int threshold) {
  ChartSpec spec;
  spec.name = "cases-per-year-by-type";
  spec.value_axis = "Cases opened";
  spec.category_axis = "Year";
  spec.empty_text = "No cases in these years";
  spec.legend = {
      {"Abandonment", kSolid},
      {"Foreign divorce recognition", kHatched},
      {absl::StrCat(SuppressedText(threshold), ": not shown (see note)"), kSuppressedStyle}};
  std::vector<Group> groups;
  std::vector<std::string> aria;
  bool all_zero = true;
  for (const YearByType& year : dossier.history()) {
    groups.push_back(Group{absl::StrCat(year.year()),
                           {{year.abandonment(), kSolid}, {year.divorce_recognition(), kHatched}}});
    aria.push_back(absl::StrCat(
        year.year(), ": abandonment ", FigureWords(year.abandonment(), threshold),
        ", foreign divorce recognition ", FigureWords(year.divorce_recognition(), threshold)));
    for (const Figure* f : {&year.abandonment(), &year.divorce_recognition()}) {
      if (f->suppressed() || f->value() != 0) all_zero = false;
    }
  }
  ChartState state = ChartState::kData;
  if (groups.empty()) {
    state = ChartState::kNotAvailable;
    spec.caption = "Cases opened per year, by type";
  } else {
    spec.caption = absl::StrCat(
        "Cases opened per year, by type, ", groups.front().label,
        groups.size() > 1 ? absl::StrCat("\u2013", groups.back().label) : std::string());
    if (all_zero) state = ChartState::kAllZero;
  }
  spec.aria_label = absl::StrCat(
      spec.caption, ". ",
      state == ChartState::kData
          ? absl::StrJoin(aria, "; ")
          : (state == ChartState::kAllZero ? spec.empty_text : std::string("Not available")));
  return GroupedColumnChart(spec, groups, state, threshold);
}

std::string Charts(const CountryDossier& dossier, const std::string& period_words, int threshold) {
  const CountryStatistics& statistics = dossier.statistics();
  std::string out = HistoryChart(dossier, threshold);

  {
    ChartSpec spec;
    spec.name = "outcomes";
    spec.caption = absl::StrCat("Cases resolved in ", period_words, ", by outcome");
    spec.aria_label = spec.caption;
    spec.value_axis = "Cases resolved";
    spec.category_axis = "Outcome";
    spec.empty_text = "No cases in this period";
    spec.legend = SingleSeriesLegend("Cases resolved", threshold);
    absl::StrAppend(&out, BreakdownChart(
                              spec,
                              FindBreakdown(statistics, consular::v1::MEASURE_CASES_RESOLVED,
                                            consular::v1::DIMENSION_OUTCOME),
                              threshold,
                              [](const consular::v1::Cell& c) {
                                return c.figure().suppressed() || c.figure().value() != 0;
                              },
                              [](const std::string&) { return kSolid; }));
  }
  {
    ChartSpec spec;
    spec.name = "recognition";
    spec.caption = absl::StrCat("Foreign divorce recognition cases opened in ", period_words,
                                ": recognition granted, refused or pending");
    spec.aria_label = spec.caption;
    spec.value_axis = "Cases opened";
    spec.category_axis = "Decision";
    spec.empty_text = "No cases in this period";
    spec.legend = {
        {"Granted", kSolid},
        {"Refused", kHatched},
        {"Pending", kDotted},
        {absl::StrCat(SuppressedText(threshold), ": not shown (see note)"), kSuppressedStyle}};
    // Granted, refused, pending; then anything else the breakdown holds.
    const Breakdown* source = FindBreakdown(statistics, consular::v1::MEASURE_CASES_OPENED,
                                            consular::v1::DIMENSION_RECOGNITION_DECISION);
    Breakdown ordered;
    if (source != nullptr) {
      ordered.set_measure(source->measure());
      ordered.set_dimension(source->dimension());
      for (absl::string_view category :
           {"RECOGNITION_DECISION_GRANTED", "RECOGNITION_DECISION_REFUSED",
            "RECOGNITION_DECISION_UNSPECIFIED"}) {
        for (const consular::v1::Cell& cell : source->cells()) {
          if (cell.category() == category) *ordered.add_cells() = cell;
        }
      }
      for (const consular::v1::Cell& cell : source->cells()) {
        if (cell.category() != "RECOGNITION_DECISION_GRANTED" &&
            cell.category() != "RECOGNITION_DECISION_REFUSED" &&
            cell.category() != "RECOGNITION_DECISION_UNSPECIFIED") {
          *ordered.add_cells() = cell;
        }
      }
    }
    absl::StrAppend(&out, BreakdownChart(
                              spec, source != nullptr ? &ordered : nullptr, threshold,
                              [](const consular::v1::Cell&) { return true; },
                              [](const std::string& category) {
                                if (category == "RECOGNITION_DECISION_REFUSED") return kHatched;
                                if (category == "RECOGNITION_DECISION_UNSPECIFIED") {
                                  return kDotted;
                                }
                                return kSolid;
                              }));
  }
  {
    ChartSpec spec;
    spec.name = "age-groups";
    spec.caption = absl::StrCat("Cases opened in ", period_words, ", by age group at opening");
    spec.aria_label = spec.caption;
    spec.value_axis = "Cases opened";
    spec.category_axis = "Age group";
    spec.empty_text = "No cases in this period";
    spec.legend = SingleSeriesLegend("Cases opened", threshold);
    absl::StrAppend(&out, BreakdownChart(
                              spec,
                              FindBreakdown(statistics, consular::v1::MEASURE_CASES_OPENED,
                                            consular::v1::DIMENSION_AGE_GROUP),
                              threshold, [](const consular::v1::Cell&) { return true; },
                              [](const std::string&) { return kSolid; }));
  }
  {
    ChartSpec spec;
    spec.name = "contacts-by-partner-kind";
    spec.caption = absl::StrCat("Contacts with partners in ", period_words, ", by kind of partner");
    spec.aria_label = spec.caption;
    spec.value_axis = "Contacts";
    spec.category_axis = "Partner kind";
    spec.empty_text = "No contacts in this period";
    spec.legend = SingleSeriesLegend("Contacts", threshold);
    absl::StrAppend(&out, BreakdownChart(
                              spec,
                              FindBreakdown(statistics, consular::v1::MEASURE_CONTACTS,
                                            consular::v1::DIMENSION_PARTNER_KIND),
                              threshold, [](const consular::v1::Cell&) { return true; },
                              [](const std::string&) { return kSolid; }));
  }
  return out;
}

std::string BreakdownNote(const Breakdown& breakdown) {
  switch (breakdown.dimension()) {
    case consular::v1::DIMENSION_RISK_FLAG:
      return "A case counts under each of its risk flags, so the rows do not add up to the "
             "total; the total is the number of cases.";
    case consular::v1::DIMENSION_RECOGNITION_OBSTACLE:
      return "Over the foreign divorce recognition cases opened in the period. A case counts "
             "under each obstacle named, so the rows do not add up to the total.";
    case consular::v1::DIMENSION_RECOGNITION_DECISION:
      return "Over the foreign divorce recognition cases opened in the period; the decision "
             "as it stands now.";
    case consular::v1::DIMENSION_STATUS:
      return "The status of the cases now, not at the end of the period.";
    case consular::v1::DIMENSION_MOTHER_WITH_MINOR_CHILDREN:
      return "Yes: a woman with children under 18.";
    default:
      return "";
  }
}

std::string BreakdownTable(const Breakdown& breakdown, int threshold) {
  const DimensionInfo* info = FindDimension(breakdown.dimension());
  const std::string column = info != nullptr
                                 ? std::string(info->column)
                                 : HumaniseIdentifier(DimensionName(breakdown.dimension()));
  const std::string unit(MeasureUnit(breakdown.measure()));
  std::string out = absl::StrCat(
      "<section class=\"breakdown\" data-measure=\"", HtmlEscape(MeasureName(breakdown.measure())),
      "\" data-dimension=\"", HtmlEscape(DimensionName(breakdown.dimension())), "\"><h3>",
      HtmlEscape(BreakdownTitle(breakdown)), "</h3>\n<table>\n<thead><tr><th scope=\"col\">",
      HtmlEscape(column), "</th><th scope=\"col\" class=\"num\">", HtmlEscape(unit),
      "</th></tr></thead>\n<tbody>\n");
  for (const consular::v1::Cell& cell : breakdown.cells()) {
    absl::StrAppend(
        &out, "<tr", cell.figure().suppressed() ? " class=\"suppressed\"" : "",
        "><th scope=\"row\">", HtmlEscape(CategoryLabel(breakdown.dimension(), cell.category())),
        "</th><td class=\"num\">", FigureHtml(cell.figure(), threshold), "</td></tr>\n");
  }
  if (breakdown.cells().empty()) {
    absl::StrAppend(&out, "<tr><td colspan=\"2\">No categories</td></tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n<tfoot><tr",
                  breakdown.total().suppressed() ? " class=\"suppressed\"" : "",
                  "><th scope=\"row\">Total</th><td class=\"num\">",
                  FigureHtml(breakdown.total(), threshold), "</td></tr></tfoot>\n</table>\n");
  const std::string note = BreakdownNote(breakdown);
  if (!note.empty()) absl::StrAppend(&out, "<p class=\"table-note\">", HtmlEscape(note), "</p>\n");
  absl::StrAppend(&out, "</section>\n");
  return out;
}

std::string HistoryTable(const CountryDossier& dossier, int threshold) {
  std::string out =
      "<section class=\"breakdown\" data-measure=\"MEASURE_CASES_OPENED\" "
      "data-dimension=\"HISTORY\"><h3>Cases opened per year, by case type</h3>\n";
  if (dossier.history().empty()) {
    absl::StrAppend(&out, "<p>Not available.</p></section>\n");
    return out;
  }
  absl::StrAppend(&out,
                  "<table>\n<thead><tr><th scope=\"col\">Year</th><th scope=\"col\" "
                  "class=\"num\">Abandonment</th><th scope=\"col\" class=\"num\">Foreign "
                  "divorce recognition</th><th scope=\"col\" class=\"num\">Total</th></tr>"
                  "</thead>\n<tbody>\n");
  for (const YearByType& year : dossier.history()) {
    absl::StrAppend(&out, "<tr><th scope=\"row\">", year.year(), "</th><td class=\"num\">",
                    FigureHtml(year.abandonment(), threshold), "</td><td class=\"num\">",
                    FigureHtml(year.divorce_recognition(), threshold), "</td><td class=\"num\">",
                    FigureHtml(year.total(), threshold), "</td></tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n</table>\n</section>\n");
  return out;
}

std::string TalksSection(const CountryDossier& dossier) {
  std::string out = "<section id=\"talks\"><h2>Bilateral talks</h2>\n";
  if (dossier.talks().empty()) {
    absl::StrAppend(&out, "<p class=\"no-talks\">No talks recorded.</p>\n</section>\n");
    return out;
  }
  absl::StrAppend(&out, "<ol class=\"timeline\">\n");
  for (const Talk& talk : dossier.talks()) {
    std::vector<std::string> topics;
    for (int topic : talk.topics()) {
      topics.push_back(TalkTopicLabel(static_cast<consular::v1::TalkTopic>(topic)));
    }
    absl::StrAppend(&out, "<li class=\"talk\"><h3><time datetime=\"",
                    HtmlEscape(IsoDate(talk.held_on())), "\">",
                    HtmlEscape(IsDateSet(talk.held_on()) ? DateInWords(talk.held_on())
                                                         : std::string("Date not recorded")),
                    "</time> \u2014 ", HtmlEscape(TalkLevelLabel(talk.level())), "</h3>\n<dl>");
    absl::StrAppend(&out, "<dt>Level</dt><dd>", HtmlEscape(TalkLevelLabel(talk.level())), "</dd>");
    absl::StrAppend(
        &out, "<dt>Topics</dt><dd>",
        HtmlEscape(topics.empty() ? std::string("None recorded") : absl::StrJoin(topics, ", ")),
        "</dd>");
    absl::StrAppend(&out, "<dt>Summary</dt><dd class=\"text\">", HtmlEscape(talk.summary()),
                    "</dd>");
    absl::StrAppend(&out, "<dt>Outcome</dt><dd class=\"text\">",
                    talk.outcome().empty() ? "None recorded" : HtmlEscape(talk.outcome()), "</dd>");
    std::string follow_up =
        talk.follow_up().empty() ? std::string("None recorded") : HtmlEscape(talk.follow_up());
    if (IsDateSet(talk.follow_up_due())) {
      absl::StrAppend(&follow_up, " <span class=\"due\">(due <time datetime=\"",
                      HtmlEscape(IsoDate(talk.follow_up_due())), "\">",
                      HtmlEscape(DateInWords(talk.follow_up_due())), "</time>)</span>");
    }
    absl::StrAppend(&out, "<dt>Follow-up</dt><dd class=\"text\">", follow_up, "</dd></dl></li>\n");
  }
  absl::StrAppend(&out, "</ol>\n</section>\n");
  return out;
}

constexpr absl::string_view kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: #000;
  background: #fff; margin: 0 auto; max-width: 62rem; padding: 1.5rem; font-size: 11pt;
  line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #000; padding-bottom: .15rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
.meta dt { font-weight: bold; }
.meta dd { margin: 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5rem, 1fr)); gap: .75rem; margin: 0; }
.figure-card { border: 1px solid #000; padding: .5rem .75rem; break-inside: avoid; page-break-inside: avoid; }
.figure-card dt { font-size: .9rem; }
.figure-card dd { font-size: 1.6rem; font-weight: bold; margin: .2rem 0 0; }
figure.chart-box { margin: 1rem 0 1.5rem; break-inside: avoid; page-break-inside: avoid; }
figure.chart-box figcaption { font-weight: bold; margin-bottom: .3rem; }
svg.chart { display: block; width: 100%; max-width: 720px; height: auto; overflow: visible; }
svg.chart text { font-size: 12px; fill: #000; }
svg.chart .axis-title { font-weight: bold; }
svg.chart .grid { stroke: #d0d0d0; stroke-width: 1; }
svg.chart .axis { stroke: #000; stroke-width: 1; }
svg.chart .suppressed-label { font-weight: bold; }
svg.chart .empty-note { font-size: 15px; font-style: italic; }
table { border-collapse: collapse; width: 100%; max-width: 40rem; margin: .25rem 0 .5rem; }
th, td { border: 1px solid #000; padding: .2rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #eee; }
tbody th { font-weight: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.suppressed-mark { font-weight: bold; }
a.footnote { color: inherit; text-decoration: none; }
.table-note { font-size: .9rem; margin: 0 0 1rem; }
.timeline { list-style: none; margin: 0; padding: 0; }
.talk { border-left: 4px solid #000; padding: .1rem 0 .5rem 1rem; margin: 0 0 1rem; break-inside: avoid; page-break-inside: avoid; }
.talk h3 { margin-top: 0; }
.talk dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
.talk dt { font-weight: bold; }
.talk dd { margin: 0; }
.talk .text { white-space: pre-line; overflow-wrap: anywhere; }
.note { border: 2px solid #000; padding: .5rem 1rem; break-inside: avoid; page-break-inside: avoid; }
.note h2 { margin-top: .5rem; }
@page { size: A4; margin: 15mm }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  section.breakdown { break-inside: avoid; page-break-inside: avoid; }
  thead th { background: none; }
  svg.chart { max-width: 100%; }
}
)css";

}  // namespace

std::string RenderDossierHtml(const CountryDossier& dossier) {
  const CountryStatistics& statistics = dossier.statistics();
  const int threshold = Threshold(statistics);
  const std::string country = dossier.country().empty() ? statistics.country() : dossier.country();
  const std::string period_words = PeriodInWords(statistics.period());

  std::string out = absl::StrCat(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
      // No script, no network: only inline styles and same-document references.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n",
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
      "<title>Country dossier ", HtmlEscape(country), " \u2014 ", HtmlEscape(period_words),
      "</title>\n<style>", kStyle, "</style>\n</head>\n<body>\n");

  // Header.
  absl::StrAppend(&out,
                  "<header class=\"dossier-header\">\n<h1>Country dossier: ", HtmlEscape(country),
                  ", ", HtmlEscape(period_words), "</h1>\n<dl class=\"meta\">");
  absl::StrAppend(&out, "<dt>Country</dt><dd>", HtmlEscape(country), "</dd>");
  absl::StrAppend(&out, "<dt>Period</dt><dd>", HtmlEscape(period_words), "</dd>");
  absl::StrAppend(&out, "<dt>Generated at</dt><dd>",
                  HtmlEscape(TimestampInWords(dossier.generated_at())), "</dd>");
  absl::StrAppend(&out, "<dt>Figures as of</dt><dd>",
                  HtmlEscape(TimestampInWords(statistics.as_of())),
                  " (every event committed before then is counted)</dd>");
  absl::StrAppend(&out, "<dt>Lag</dt><dd>", HtmlEscape(LagInWords(statistics.lag())), "</dd>");
  absl::StrAppend(&out, "<dt>Small numbers</dt><dd>Counts from 1 to ", threshold - 1,
                  " are not shown",
                  statistics.rounded_to_base5() ? "; figures are rounded to the nearest 5" : "",
                  " (<a href=\"#small-numbers\">how</a>)</dd>");
  absl::StrAppend(&out, "</dl>\n</header>\n");

  // Headline figures.
  struct Headline {
    absl::string_view label;
    const Figure& figure;
    absl::string_view unit;
  };
  const Headline headlines[] = {
      {"Cases opened", statistics.cases_opened(), ""},
      {"Cases resolved", statistics.cases_resolved(), ""},
      {"Unresolved at the end of the period", statistics.cases_unresolved(), ""},
      {"Contacts with partners", statistics.contacts(), ""},
      {"Median days to resolution", statistics.median_days_to_resolution(), " days"},
  };
  absl::StrAppend(&out,
                  "<section id=\"headline\"><h2>Headline figures</h2>\n<dl class=\"figures\">");
  for (const Headline& h : headlines) {
    absl::StrAppend(&out, "<div class=\"figure-card\"><dt>", HtmlEscape(h.label), "</dt><dd>");
    if (h.figure.suppressed() && !h.unit.empty()) {
      // A median is not a count: "<5" would read as "under 5 days".
      absl::StrAppend(&out, "<span class=\"suppressed-mark\" title=\"not shown: fewer than ",
                      threshold,
                      " cases resolved\">not shown</span><a class=\"footnote\" "
                      "href=\"#small-numbers\">*</a>");
    } else {
      absl::StrAppend(&out, FigureHtml(h.figure, threshold),
                      h.figure.suppressed() ? "" : std::string(h.unit));
    }
    absl::StrAppend(&out, "</dd></div>");
  }
  absl::StrAppend(&out, "</dl>\n</section>\n");

  // Charts.
  absl::StrAppend(&out, "<section id=\"charts\"><h2>Charts</h2>\n",
                  Charts(dossier, period_words, threshold), "</section>\n");

  // Tables.
  absl::StrAppend(&out, "<section id=\"tables\"><h2>Figures in detail</h2>\n");
  for (const Breakdown& breakdown : statistics.breakdowns()) {
    absl::StrAppend(&out, BreakdownTable(breakdown, threshold));
  }
  if (statistics.breakdowns().empty()) {
    absl::StrAppend(&out, "<p>No breakdowns are available for this period.</p>\n");
  }
  absl::StrAppend(&out, HistoryTable(dossier, threshold), "</section>\n");

  absl::StrAppend(&out, TalksSection(dossier));

  // How small numbers are protected.
  absl::StrAppend(
      &out,
      "<section id=\"small-numbers\" class=\"note\"><h2>How small numbers are protected</h2>\n",
      "<p>So that no one can be recognised from these figures, counts from 1 to ", threshold - 1,
      " are not shown. Nor are the figures that would let such a count be worked out from a "
      "total, from the other categories or from other periods.</p>\n",
      "<p>A figure that is not shown is marked \u201c", HtmlEscape(SuppressedText(threshold)),
      "\u201d with an asterisk (*) in the tables and drawn in the charts as a short, hatched bar "
      "with a dashed outline, labelled \u201c",
      HtmlEscape(SuppressedText(threshold)),
      "\u201d. It is never shown as 0. It may stand for a count from 1 to ", threshold - 1,
      " or for a larger figure withheld because it would reveal such a count. A 0 is a real "
      "zero.</p>\n",
      "<p>The median days to resolution is not shown when fewer than ", threshold,
      " cases were resolved in the period.</p>\n",
      statistics.rounded_to_base5()
          ? "<p>Every figure shown has been rounded to the nearest multiple of 5, so a total "
            "may differ from the sum of its parts.</p>\n"
          : "<p>Figures are not rounded.</p>\n",
      "</section>\n");

  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

// ---------------------------------------------------------------------------------------------
// CSV.

namespace {

// A cell a spreadsheet would run as a formula (first character =, +, -, @, tab or carriage
// return; e.g. a talk summary "=HYPERLINK(...)") gets a leading apostrophe, so it is shown as
// text, as OWASP advises against CSV injection.
bool LooksLikeFormula(absl::string_view field) {
  return !field.empty() &&
         absl::string_view("=+-@\t\r").find(field.front()) != absl::string_view::npos;
}

std::string CsvField(absl::string_view field) {
  const bool formula = LooksLikeFormula(field);
  if (!formula && field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(field);
  }
  std::string out = formula ? "\"'" : "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void AppendCsvRow(std::string* out, const std::vector<std::string>& fields) {
  bool first = true;
  for (const std::string& field : fields) {
    if (!first) out->push_back(',');
    first = false;
    absl::StrAppend(out, CsvField(field));
  }
  absl::StrAppend(out, "\r\n");
}

void AppendFigureRow(std::string* out, const std::string& section, const std::string& measure,
                     const std::string& dimension, const std::string& category,
                     const Figure& figure) {
  AppendCsvRow(out, {section, measure, dimension, category,
                     figure.suppressed() ? std::string() : absl::StrCat(figure.value()),
                     figure.suppressed() ? "true" : "false"});
}

}  // namespace

std::string RenderDossierCsv(const CountryDossier& dossier) {
  const CountryStatistics& statistics = dossier.statistics();
  const std::string country = dossier.country().empty() ? statistics.country() : dossier.country();
  std::string out;
  AppendCsvRow(&out, {"section", "measure", "dimension", "category", "value", "suppressed"});

  AppendCsvRow(&out, {"meta", "COUNTRY", "", "", country, ""});
  AppendCsvRow(&out, {"meta", "PERIOD", "", "", PeriodCode(statistics.period()), ""});
  AppendCsvRow(&out, {"meta", "THRESHOLD", "", "", absl::StrCat(Threshold(statistics)), ""});
  AppendCsvRow(&out, {"meta", "ROUNDED_TO_BASE5", "", "",
                      statistics.rounded_to_base5() ? "true" : "false", ""});
  AppendCsvRow(&out, {"meta", "AS_OF", "", "", TimestampCode(statistics.as_of()), ""});
  AppendCsvRow(&out, {"meta", "LAG_SECONDS", "", "", absl::StrCat(statistics.lag().seconds()), ""});
  AppendCsvRow(&out, {"meta", "GENERATED_AT", "", "", TimestampCode(dossier.generated_at()), ""});

  AppendFigureRow(&out, "headline", MeasureName(consular::v1::MEASURE_CASES_OPENED), "", "",
                  statistics.cases_opened());
  AppendFigureRow(&out, "headline", MeasureName(consular::v1::MEASURE_CASES_RESOLVED), "", "",
                  statistics.cases_resolved());
  AppendFigureRow(&out, "headline", MeasureName(consular::v1::MEASURE_CASES_UNRESOLVED), "", "",
                  statistics.cases_unresolved());
  AppendFigureRow(&out, "headline", MeasureName(consular::v1::MEASURE_CONTACTS), "", "",
                  statistics.contacts());
  AppendFigureRow(&out, "headline", "MEDIAN_DAYS_TO_RESOLUTION", "", "",
                  statistics.median_days_to_resolution());

  for (const Breakdown& breakdown : statistics.breakdowns()) {
    const std::string measure = MeasureName(breakdown.measure());
    const std::string dimension = DimensionName(breakdown.dimension());
    for (const consular::v1::Cell& cell : breakdown.cells()) {
      AppendFigureRow(&out, "breakdown", measure, dimension, cell.category(), cell.figure());
    }
    AppendFigureRow(&out, "breakdown", measure, dimension, "TOTAL", breakdown.total());
  }

  const std::string opened = MeasureName(consular::v1::MEASURE_CASES_OPENED);
  const std::string case_type = DimensionName(consular::v1::DIMENSION_CASE_TYPE);
  for (const YearByType& year : dossier.history()) {
    const std::string section = absl::StrCat("history:", year.year());
    AppendFigureRow(&out, section, opened, case_type,
                    consular::v1::CaseType_Name(consular::v1::CASE_TYPE_ABANDONMENT),
                    year.abandonment());
    AppendFigureRow(
        &out, section, opened, case_type,
        consular::v1::CaseType_Name(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION),
        year.divorce_recognition());
    AppendFigureRow(&out, section, opened, case_type, "TOTAL", year.total());
  }

  for (const Talk& talk : dossier.talks()) {
    std::vector<std::string> topics;
    for (int topic : talk.topics()) {
      topics.push_back(EnumNameOr(consular::v1::TalkTopic_Name(topic), topic));
    }
    AppendCsvRow(&out, {"talk", IsoDate(talk.held_on()),
                        EnumNameOr(consular::v1::TalkLevel_Name(talk.level()), talk.level()),
                        absl::StrJoin(topics, ";"), talk.summary(), talk.outcome(),
                        talk.follow_up(), IsoDate(talk.follow_up_due())});
  }
  return out;
}

std::string RenderDossierJson(const CountryDossier& dossier) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  options.always_print_enums_as_ints = false;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(dossier, &out, options).ok()) return "";
  return out;
}

}  // namespace consular::stats

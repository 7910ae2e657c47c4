#include "services/stats/dossier_charts.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "base/markup.h"
#include "services/stats/dossier_format.h"
#include "services/stats/dossier_labels.h"
#include "services/stats/svg_chart.h"

namespace consular::stats {
namespace {

using consular::v1::Breakdown;
using consular::v1::Cell;
using consular::v1::CountryDossier;
using consular::v1::CountryStatistics;
using consular::v1::Figure;
using consular::v1::YearByType;

ChartValue ValueOf(const Figure& figure) { return ChartValue{figure.value(), figure.suppressed()}; }

bool IsZero(const Figure& figure) { return !figure.suppressed() && figure.value() == 0; }

const Breakdown* FindBreakdown(const CountryStatistics& statistics, consular::v1::Measure measure,
                               consular::v1::Dimension dimension) {
  for (const Breakdown& breakdown : statistics.breakdowns()) {
    if (breakdown.measure() == measure && breakdown.dimension() == dimension) return &breakdown;
  }
  return nullptr;
}

// What the charts share: the catalogue, the threshold and how numbers are written.
struct Context {
  const DossierMessages& messages;
  int threshold;
};

ChartText BaseText(const Context& context, absl::string_view name, absl::string_view id) {
  const DossierMessages& messages = context.messages;
  ChartText text;
  text.name = std::string(name);
  text.value_axis = messages.Format(absl::StrCat(id, ".value_axis"));
  text.category_axis = messages.Format(absl::StrCat(id, ".category_axis"));
  text.suppressed_mark = messages.Format("figure.suppressed_mark");
  text.format_number = [&messages](int64_t value) { return CountInWords(messages, value); };
  return text;
}

LegendEntry SuppressedLegend(const Context& context) {
  return {context.messages.Format("chart.legend_suppressed",
                                  context.messages.Text("figure.suppressed_mark")),
          BarFill::kSuppressed};
}

std::string ChartFigure(absl::string_view caption, const std::string& svg) {
  return absl::StrCat("<figure class=\"chart-box\"><figcaption>", EscapeMarkup(caption),
                      "</figcaption>\n", svg, "</figure>\n");
}

// Grouped columns: per year, abandonment and foreign divorce recognition.
std::string HistoryChart(const Context& context, const CountryDossier& dossier) {
  const DossierMessages& messages = context.messages;
  ChartText text = BaseText(context, "cases-per-year-by-type", "chart.history");
  text.legend = {
      {messages.Format("category.CASE_TYPE_ABANDONMENT"), BarFill::kSolid},
      {messages.Format("category.CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION"), BarFill::kHatched},
      SuppressedLegend(context)};
  std::vector<ColumnGroup> groups;
  std::vector<std::string> aria;
  bool all_zero = true;
  for (const YearByType& year : dossier.history()) {
    groups.push_back(ColumnGroup{absl::StrCat(year.year()),
                                 {{ValueOf(year.abandonment()), BarFill::kSolid},
                                  {ValueOf(year.divorce_recognition()), BarFill::kHatched}}});
    aria.push_back(
        messages.Format("chart.history.aria_year", year.year(),
                        FigureInWords(messages, year.abandonment(), context.threshold),
                        FigureInWords(messages, year.divorce_recognition(), context.threshold)));
    all_zero = all_zero && IsZero(year.abandonment()) && IsZero(year.divorce_recognition());
  }
  std::string caption;
  std::string values;
  if (groups.empty()) {
    caption = messages.Format("chart.history.caption");
    text.note = messages.Format("chart.not_available");
    values = messages.Format("chart.not_available_short");
  } else {
    caption = messages.Format(
        "chart.history.caption_years",
        groups.size() > 1
            ? messages.Format("range.years", groups.front().category, groups.back().category)
            : groups.front().category);
    if (all_zero) {
      text.note = messages.Format("chart.history.empty");
      values = text.note;
    } else {
      values = absl::StrJoin(aria, messages.Text("aria.separator"));
    }
  }
  text.aria_label = messages.Format("chart.aria", caption, values);
  return ChartFigure(caption, GroupedColumnChart(text, groups));
}

// Horizontal bars over one breakdown's cells. `keep` selects cells; `fill_of` picks each bar's
// fill by category.
template <typename Keep, typename FillOf>
std::string BreakdownChart(const Context& context, ChartText text, const std::string& caption,
                           absl::string_view empty_id, const Breakdown* breakdown, Keep keep,
                           FillOf fill_of) {
  const DossierMessages& messages = context.messages;
  std::vector<Bar> bars;
  std::string values;
  if (breakdown == nullptr) {
    text.note = messages.Format("chart.not_available");
    values = messages.Format("chart.not_available_short");
  } else {
    std::vector<std::string> aria;
    bool all_zero = true;
    for (const Cell& cell : breakdown->cells()) {
      if (!keep(cell)) continue;
      std::string label = CategoryLabel(messages, breakdown->dimension(), cell.category());
      aria.push_back(messages.Format("chart.aria_value", label,
                                     FigureInWords(messages, cell.figure(), context.threshold)));
      bars.push_back(Bar{std::move(label), ValueOf(cell.figure()), fill_of(cell.category())});
      all_zero = all_zero && IsZero(cell.figure());
    }
    if (all_zero) {
      text.note = messages.Format(empty_id);
      values = text.note;
    } else {
      values = absl::StrJoin(aria, messages.Text("aria.separator"));
    }
  }
  text.aria_label = messages.Format("chart.aria", caption, values);
  return ChartFigure(caption, HorizontalBarChart(text, bars));
}

// The recognition chart: granted, refused, pending; then anything else the breakdown holds.
constexpr absl::string_view kRecognitionOrder[] = {"RECOGNITION_DECISION_GRANTED",
                                                   "RECOGNITION_DECISION_REFUSED",
                                                   "RECOGNITION_DECISION_UNSPECIFIED"};

bool Always(const Cell&) { return true; }
BarFill Solid(const std::string&) { return BarFill::kSolid; }

}  // namespace

std::string DossierChartsHtml(const CountryDossier& dossier, const DossierMessages& messages,
                              const std::string& period_words) {
  const CountryStatistics& statistics = dossier.statistics();
  const Context context{messages, Threshold(statistics)};
  std::string out = HistoryChart(context, dossier);

  {
    ChartText text = BaseText(context, "outcomes", "chart.outcomes");
    text.legend = {{messages.Format("chart.outcomes.series"), BarFill::kSolid},
                   SuppressedLegend(context)};
    absl::StrAppend(
        &out, BreakdownChart(
                  context, std::move(text), messages.Format("chart.outcomes.caption", period_words),
                  "chart.outcomes.empty",
                  FindBreakdown(statistics, consular::v1::MEASURE_CASES_RESOLVED,
                                consular::v1::DIMENSION_OUTCOME),
                  [](const Cell& c) { return !IsZero(c.figure()); }, Solid));
  }
  {
    ChartText text = BaseText(context, "recognition", "chart.recognition");
    text.legend = {{messages.Format("chart.recognition.granted"), BarFill::kSolid},
                   {messages.Format("chart.recognition.refused"), BarFill::kHatched},
                   {messages.Format("chart.recognition.pending"), BarFill::kDotted},
                   SuppressedLegend(context)};
    auto is_ordered = [&](const std::string& category) {
      for (absl::string_view c : kRecognitionOrder) {
        if (category == c) return true;
      }
      return false;
    };
    const Breakdown* source = FindBreakdown(statistics, consular::v1::MEASURE_CASES_OPENED,
                                            consular::v1::DIMENSION_RECOGNITION_DECISION);
    Breakdown ordered;
    if (source != nullptr) {
      ordered.set_measure(source->measure());
      ordered.set_dimension(source->dimension());
      for (absl::string_view category : kRecognitionOrder) {
        for (const Cell& cell : source->cells()) {
          if (cell.category() == category) *ordered.add_cells() = cell;
        }
      }
      for (const Cell& cell : source->cells()) {
        if (!is_ordered(cell.category())) *ordered.add_cells() = cell;
      }
    }
    absl::StrAppend(
        &out, BreakdownChart(context, std::move(text),
                             messages.Format("chart.recognition.caption", period_words),
                             "chart.recognition.empty", source != nullptr ? &ordered : nullptr,
                             Always, [](const std::string& category) {
                               if (category == kRecognitionOrder[1]) return BarFill::kHatched;
                               if (category == kRecognitionOrder[2]) return BarFill::kDotted;
                               return BarFill::kSolid;
                             }));
  }
  {
    ChartText text = BaseText(context, "age-groups", "chart.age_groups");
    text.legend = {{messages.Format("chart.age_groups.series"), BarFill::kSolid},
                   SuppressedLegend(context)};
    absl::StrAppend(&out,
                    BreakdownChart(context, std::move(text),
                                   messages.Format("chart.age_groups.caption", period_words),
                                   "chart.age_groups.empty",
                                   FindBreakdown(statistics, consular::v1::MEASURE_CASES_OPENED,
                                                 consular::v1::DIMENSION_AGE_GROUP),
                                   Always, Solid));
  }
  {
    ChartText text = BaseText(context, "contacts-by-partner-kind", "chart.contacts");
    text.legend = {{messages.Format("chart.contacts.series"), BarFill::kSolid},
                   SuppressedLegend(context)};
    absl::StrAppend(&out, BreakdownChart(context, std::move(text),
                                         messages.Format("chart.contacts.caption", period_words),
                                         "chart.contacts.empty",
                                         FindBreakdown(statistics, consular::v1::MEASURE_CONTACTS,
                                                       consular::v1::DIMENSION_PARTNER_KIND),
                                         Always, Solid));
  }
  return out;
}

}  // namespace consular::stats

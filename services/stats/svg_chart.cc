#include "services/stats/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/markup.h"

namespace consular::stats {
namespace {

// An SVG coordinate with at most one decimal.
std::string Num(double value) { return absl::StrCat(std::round(value * 10.0) / 10.0); }

std::string FormatNumber(const ChartText& text, int64_t value) {
  return EscapeMarkup(text.format_number ? text.format_number(value) : absl::StrCat(value));
}

std::string FillAttributes(absl::string_view chart, BarFill fill) {
  switch (fill) {
    case BarFill::kSolid:
      return "fill=\"#404040\" stroke=\"#000\" stroke-width=\"1\"";
    case BarFill::kHatched:
      return absl::StrCat("fill=\"url(#", chart, "-hatch)\" stroke=\"#000\" stroke-width=\"1\"");
    case BarFill::kDotted:
      return absl::StrCat("fill=\"url(#", chart, "-dots)\" stroke=\"#000\" stroke-width=\"1\"");
    case BarFill::kSuppressed:
      break;
  }
  return absl::StrCat("fill=\"url(#", chart,
                      "-suppressed)\" stroke=\"#000\" stroke-width=\"1\" "
                      "stroke-dasharray=\"3 2\"");
}

std::string FillClass(BarFill fill) {
  return fill == BarFill::kSuppressed ? "suppressed" : absl::StrCat("s", static_cast<int>(fill));
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

// A legend row starting at (x, 6).
std::string Legend(absl::string_view chart, double x, const std::vector<LegendEntry>& entries) {
  std::string out = "<g class=\"legend\">";
  for (const LegendEntry& entry : entries) {
    absl::StrAppend(&out, "<rect class=\"swatch ", FillClass(entry.fill), "\" x=\"", Num(x),
                    "\" y=\"6\" width=\"12\" height=\"12\" ", FillAttributes(chart, entry.fill),
                    "/>", "<text x=\"", Num(x + 17), "\" y=\"16\">", EscapeMarkup(entry.label),
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

std::string SvgOpen(const ChartText& text, double width, double height) {
  const std::string name = EscapeMarkup(text.name);
  return absl::StrCat("<svg class=\"chart\" data-chart=\"", name, "\" role=\"img\" aria-label=\"",
                      EscapeMarkup(text.aria_label), "\" viewBox=\"0 0 ", Num(width), " ", Num(height),
                      "\" width=\"", Num(width), "\" height=\"", Num(height),
                      "\" preserveAspectRatio=\"xMinYMin meet\">", PatternDefs(name));
}

constexpr absl::string_view kSvgClose = "</svg>";

}  // namespace

std::string HorizontalBarChart(const ChartText& text, const std::vector<Bar>& bars,
                               const HorizontalBarLayout& layout) {
  const bool has_marks = text.note.empty();
  const std::string chart = EscapeMarkup(text.name);
  const int rows = has_marks ? static_cast<int>(bars.size()) : 3;
  const double plot_bottom = layout.plot_top + rows * layout.row + 4;
  const double height = plot_bottom + 46;
  const double plot_right = layout.plot_left + layout.plot_width;

  int64_t max_value = 0;
  if (has_marks) {
    for (const Bar& bar : bars) {
      if (!bar.value.suppressed) max_value = std::max(max_value, bar.value.value);
    }
  }
  int64_t axis_max = 0;
  int64_t step = 1;
  NiceScale(max_value, &axis_max, &step);
  auto x_of = [&](int64_t value) {
    return layout.plot_left +
           layout.plot_width * static_cast<double>(value) / static_cast<double>(axis_max);
  };

  std::string out = SvgOpen(text, layout.width, height);
  // Category axis title, above the labels; legend to its right.
  absl::StrAppend(&out, "<text class=\"axis-title\" x=\"", Num(layout.label_right), "\" y=\"",
                  Num(layout.plot_top - 8), "\" text-anchor=\"end\">",
                  EscapeMarkup(text.category_axis), "</text>");
  absl::StrAppend(&out, Legend(chart, layout.plot_left, text.legend));
  // Grid and value axis.
  absl::StrAppend(&out, "<g class=\"value-axis\">");
  for (int64_t tick = 0; tick <= axis_max; tick += step) {
    const double x = x_of(tick);
    absl::StrAppend(&out, "<line class=\"grid\" x1=\"", Num(x), "\" y1=\"", Num(layout.plot_top),
                    "\" x2=\"", Num(x), "\" y2=\"", Num(plot_bottom), "\"/>",
                    "<line class=\"axis\" x1=\"", Num(x), "\" y1=\"", Num(plot_bottom), "\" x2=\"",
                    Num(x), "\" y2=\"", Num(plot_bottom + 4), "\"/>", "<text x=\"", Num(x),
                    "\" y=\"", Num(plot_bottom + 17), "\" text-anchor=\"middle\">",
                    FormatNumber(text, tick), "</text>");
  }
  absl::StrAppend(&out, "<line class=\"axis\" x1=\"", Num(layout.plot_left), "\" y1=\"",
                  Num(plot_bottom), "\" x2=\"", Num(plot_right), "\" y2=\"", Num(plot_bottom),
                  "\"/>", "<line class=\"axis\" x1=\"", Num(layout.plot_left), "\" y1=\"",
                  Num(layout.plot_top), "\" x2=\"", Num(layout.plot_left), "\" y2=\"",
                  Num(plot_bottom), "\"/>", "<text class=\"axis-title\" x=\"",
                  Num(layout.plot_left + layout.plot_width / 2), "\" y=\"", Num(plot_bottom + 38),
                  "\" text-anchor=\"middle\">", EscapeMarkup(text.value_axis), "</text></g>");

  if (!has_marks) {
    absl::StrAppend(&out, "<text class=\"empty-note\" x=\"",
                    Num(layout.plot_left + layout.plot_width / 2), "\" y=\"",
                    Num(layout.plot_top + 1.5 * layout.row + 5), "\" text-anchor=\"middle\">",
                    EscapeMarkup(text.note), "</text>", kSvgClose);
    return out;
  }

  absl::StrAppend(&out, "<g class=\"marks\">");
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& bar = bars[i];
    const double y = layout.plot_top + static_cast<double>(i) * layout.row +
                     (layout.row - layout.bar_height) / 2;
    const double text_y = y + layout.bar_height / 2 + 4;
    absl::StrAppend(&out, "<text class=\"category\" x=\"", Num(layout.label_right), "\" y=\"",
                    Num(text_y), "\" text-anchor=\"end\">", EscapeMarkup(bar.category), "</text>");
    double length;
    std::string value_text;
    if (bar.value.suppressed) {
      length = layout.suppressed_length;
      value_text = EscapeMarkup(text.suppressed_mark);
      absl::StrAppend(&out, "<rect class=\"bar suppressed\" x=\"", Num(layout.plot_left), "\" y=\"",
                      Num(y), "\" width=\"", Num(length), "\" height=\"", Num(layout.bar_height),
                      "\" ", FillAttributes(chart, BarFill::kSuppressed), "/>");
    } else {
      const int64_t value = std::max<int64_t>(0, bar.value.value);
      length = x_of(value) - layout.plot_left;
      if (value > 0 && length < 2) length = 2;
      value_text = FormatNumber(text, bar.value.value);
      absl::StrAppend(&out, "<rect class=\"bar ", FillClass(bar.fill), "\" x=\"",
                      Num(layout.plot_left), "\" y=\"", Num(y), "\" width=\"", Num(length),
                      "\" height=\"", Num(layout.bar_height), "\" ",
                      FillAttributes(chart, bar.fill), "/>");
    }
    absl::StrAppend(&out, "<text class=\"value", bar.value.suppressed ? " suppressed-label" : "",
                    "\" x=\"", Num(layout.plot_left + length + 6), "\" y=\"", Num(text_y), "\">",
                    value_text, "</text>");
  }
  absl::StrAppend(&out, "</g>", kSvgClose);
  return out;
}

std::string GroupedColumnChart(const ChartText& text, const std::vector<ColumnGroup>& groups,
                               const ColumnLayout& layout) {
  const bool has_marks = text.note.empty();
  const std::string chart = EscapeMarkup(text.name);
  int64_t max_value = 0;
  size_t series = 0;
  if (has_marks) {
    for (const ColumnGroup& group : groups) {
      series = std::max(series, group.columns.size());
      for (const ColumnGroup::Column& column : group.columns) {
        if (!column.value.suppressed) max_value = std::max(max_value, column.value.value);
      }
    }
  }
  int64_t axis_max = 0;
  int64_t step = 1;
  NiceScale(max_value, &axis_max, &step);
  const double plot_height = layout.plot_bottom - layout.plot_top;
  auto y_of = [&](int64_t value) {
    return layout.plot_bottom -
           plot_height * static_cast<double>(value) / static_cast<double>(axis_max);
  };

  std::string out = SvgOpen(text, layout.width, layout.height);
  absl::StrAppend(&out, Legend(chart, layout.plot_left, text.legend));
  absl::StrAppend(&out, "<g class=\"value-axis\">");
  for (int64_t tick = 0; tick <= axis_max; tick += step) {
    const double y = y_of(tick);
    absl::StrAppend(&out, "<line class=\"grid\" x1=\"", Num(layout.plot_left), "\" y1=\"", Num(y),
                    "\" x2=\"", Num(layout.plot_right), "\" y2=\"", Num(y), "\"/>",
                    "<line class=\"axis\" x1=\"", Num(layout.plot_left - 4), "\" y1=\"", Num(y),
                    "\" x2=\"", Num(layout.plot_left), "\" y2=\"", Num(y), "\"/>", "<text x=\"",
                    Num(layout.plot_left - 7), "\" y=\"", Num(y + 4), "\" text-anchor=\"end\">",
                    FormatNumber(text, tick), "</text>");
  }
  absl::StrAppend(
      &out, "<line class=\"axis\" x1=\"", Num(layout.plot_left), "\" y1=\"", Num(layout.plot_top),
      "\" x2=\"", Num(layout.plot_left), "\" y2=\"", Num(layout.plot_bottom), "\"/>",
      "<line class=\"axis\" x1=\"", Num(layout.plot_left), "\" y1=\"", Num(layout.plot_bottom),
      "\" x2=\"", Num(layout.plot_right), "\" y2=\"", Num(layout.plot_bottom), "\"/>",
      "<text class=\"axis-title\" transform=\"translate(16 ",
      Num((layout.plot_top + layout.plot_bottom) / 2), ") rotate(-90)\" text-anchor=\"middle\">",
      EscapeMarkup(text.value_axis), "</text>", "<text class=\"axis-title\" x=\"",
      Num((layout.plot_left + layout.plot_right) / 2), "\" y=\"", Num(layout.plot_bottom + 40),
      "\" text-anchor=\"middle\">", EscapeMarkup(text.category_axis), "</text></g>");

  if (!has_marks) {
    absl::StrAppend(&out, "<text class=\"empty-note\" x=\"",
                    Num((layout.plot_left + layout.plot_right) / 2), "\" y=\"",
                    Num((layout.plot_top + layout.plot_bottom) / 2), "\" text-anchor=\"middle\">",
                    EscapeMarkup(text.note), "</text>", kSvgClose);
    return out;
  }

  const double group_width = (layout.plot_right - layout.plot_left) /
                             static_cast<double>(std::max<size_t>(groups.size(), 1));
  const double column_width =
      std::min(layout.max_column_width,
               group_width * 0.8 / static_cast<double>(std::max<size_t>(series, 1)));
  absl::StrAppend(&out, "<g class=\"marks\">");
  for (size_t g = 0; g < groups.size(); ++g) {
    const ColumnGroup& group = groups[g];
    const double center = layout.plot_left + group_width * (static_cast<double>(g) + 0.5);
    absl::StrAppend(&out, "<text class=\"category\" x=\"", Num(center), "\" y=\"",
                    Num(layout.plot_bottom + 17), "\" text-anchor=\"middle\">",
                    EscapeMarkup(group.category), "</text>");
    const double first_x = center - column_width * static_cast<double>(group.columns.size()) / 2.0;
    for (size_t s = 0; s < group.columns.size(); ++s) {
      const ColumnGroup::Column& column = group.columns[s];
      const double x = first_x + column_width * static_cast<double>(s);
      double top;
      std::string value_text;
      if (column.value.suppressed) {
        top = layout.plot_bottom - layout.suppressed_height;
        value_text = EscapeMarkup(text.suppressed_mark);
        absl::StrAppend(&out, "<rect class=\"bar suppressed\" x=\"", Num(x + 1), "\" y=\"",
                        Num(top), "\" width=\"", Num(column_width - 2), "\" height=\"",
                        Num(layout.suppressed_height), "\" ",
                        FillAttributes(chart, BarFill::kSuppressed), "/>");
      } else {
        const int64_t value = std::max<int64_t>(0, column.value.value);
        top = y_of(value);
        if (value > 0 && layout.plot_bottom - top < 2) top = layout.plot_bottom - 2;
        value_text = FormatNumber(text, column.value.value);
        absl::StrAppend(&out, "<rect class=\"bar ", FillClass(column.fill), "\" x=\"", Num(x + 1),
                        "\" y=\"", Num(top), "\" width=\"", Num(column_width - 2), "\" height=\"",
                        Num(layout.plot_bottom - top), "\" ", FillAttributes(chart, column.fill),
                        "/>");
      }
      absl::StrAppend(&out, "<text class=\"value",
                      column.value.suppressed ? " suppressed-label" : "", "\" x=\"",
                      Num(x + column_width / 2), "\" y=\"", Num(top - 4),
                      "\" text-anchor=\"middle\">", value_text, "</text>");
    }
  }
  absl::StrAppend(&out, "</g>", kSvgClose);
  return out;
}

}  // namespace consular::stats

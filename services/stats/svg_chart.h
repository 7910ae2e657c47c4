#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace consular::stats {

// Inline SVG bar charts for printable documents: greyscale-safe fills, a legend, a value axis
// with "nice" ticks, and a fixed-size placeholder for a figure that is not shown. Pure functions:
// the same input always gives the same bytes. Every text given is XML-escaped; nothing is read
// from outside the returned <svg> except the class names, which a style sheet may use.
//
// Marks are <rect class="bar sN"> (N the fill: 0 solid, 1 hatched, 2 dotted) or
// <rect class="bar suppressed">; legend swatches are <rect class="swatch ...">, never "bar".


// How a bar is filled. The patterns are defined inside each chart, with ids CHART-hatch,
// CHART-dots and CHART-suppressed.
enum class BarFill { kSolid = 0, kHatched = 1, kDotted = 2, kSuppressed = 3 };

// One figure of a chart: drawn to scale, or suppressed (not shown), which is drawn as a short
// hatched placeholder with a dashed outline and labelled with ChartText::suppressed_mark; its
// `value` is then ignored. Negative values are drawn as 0 and labelled with their value.
struct ChartValue {
  int64_t value = 0;
  bool suppressed = false;
};

struct LegendEntry {
  std::string label;
  BarFill fill = BarFill::kSolid;
};

// What a chart says besides its data. Plain text: the chart escapes it.
struct ChartText {
  std::string name;        // <svg data-chart="NAME">; also the prefix of the pattern ids
  std::string aria_label;  // the accessible name: the title and every value in words
  std::string value_axis;  // title of the value axis
  std::string category_axis;
  std::vector<LegendEntry> legend;
  std::string suppressed_mark = "x";  // the value label of a suppressed figure
  // When not empty, the chart has nothing to draw: axes and this note, no marks.
  std::string note;
  // Tick and value labels; plain decimal when unset.
  std::function<std::string(int64_t)> format_number;
};

// One row of a horizontal bar chart.
struct Bar {
  std::string category;
  ChartValue value;
  BarFill fill = BarFill::kSolid;
};

// The sizes of a horizontal bar chart, in SVG user units.
struct HorizontalBarLayout {
  double width = 720;
  double label_right = 232;  // category labels end here
  double plot_left = 240;
  double plot_width = 400;
  double plot_top = 34;
  double row = 26;
  double bar_height = 16;
  double suppressed_length = 14;
};

// Returns <svg class="chart" ...>...</svg>: one row per bar, the category on the left and the
// value at the end of the bar. With a note, three empty rows and the note.
std::string HorizontalBarChart(const ChartText& text, const std::vector<Bar>& bars,
                               const HorizontalBarLayout& layout = {});

// One group of a grouped column chart (e.g. a year), one column per series.
struct ColumnGroup {
  struct Column {
    ChartValue value;
    BarFill fill = BarFill::kSolid;
  };
  std::string category;
  std::vector<Column> columns;
};

// The sizes of a grouped column chart, in SVG user units.
struct ColumnLayout {
  double width = 720;
  double height = 300;
  double plot_left = 64;
  double plot_right = 704;
  double plot_top = 44;
  double plot_bottom = 250;
  double max_column_width = 24;
  double suppressed_height = 10;
};

// Returns <svg class="chart" ...>...</svg>: vertical columns side by side within each group, the
// group's category below and each value above its column.
std::string GroupedColumnChart(const ChartText& text, const std::vector<ColumnGroup>& groups,
                               const ColumnLayout& layout = {});

}  // namespace consular::stats

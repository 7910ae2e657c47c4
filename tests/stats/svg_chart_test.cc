#include "services/stats/svg_chart.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/markup.h"

namespace consular::stats {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int CountOccurrences(absl::string_view haystack, absl::string_view needle) {
  int n = 0;
  for (size_t pos = haystack.find(needle); pos != absl::string_view::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// Every element that starts with `open` (e.g. "<rect class=\"bar"), up to its "/>" or ">".
std::vector<std::string> Elements(const std::string& svg, const std::string& open) {
  std::vector<std::string> out;
  for (size_t pos = svg.find(open); pos != std::string::npos; pos = svg.find(open, pos + 1)) {
    out.push_back(svg.substr(pos, svg.find('>', pos) + 1 - pos));
  }
  return out;
}

// The number in attribute `name` of `element`; fails the test when absent.
double Attribute(const std::string& element, absl::string_view name) {
  const std::string key = absl::StrCat(" ", name, "=\"");
  const size_t pos = element.find(key);
  EXPECT_NE(pos, std::string::npos) << name << " in " << element;
  if (pos == std::string::npos) return -1;
  return std::strtod(element.c_str() + pos + key.size(), nullptr);
}

ChartText Text(absl::string_view name) {
  ChartText text;
  text.name = std::string(name);
  text.aria_label = "Cases by kind: a 10; b 5";
  text.value_axis = "Cases";
  text.category_axis = "Kind";
  text.legend = {{"Cases", BarFill::kSolid}, {"x: not shown", BarFill::kSuppressed}};
  return text;
}

TEST(EscapeMarkupTest, EscapesMarkupAndQuotesOnly) {
  EXPECT_EQ(EscapeMarkup("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(EscapeMarkup("Young adult (18\u201323), 12,345"), "Young adult (18\u201323), 12,345");
  EXPECT_EQ(EscapeMarkup(""), "");
}

TEST(HorizontalBarChartTest, DrawsOneBarPerCategoryToScale) {
  const std::string svg = HorizontalBarChart(
      Text("kinds"), {{"a", {10, false}, BarFill::kSolid}, {"b", {5, false}, BarFill::kHatched}});
  EXPECT_TRUE(absl::StartsWith(svg, "<svg class=\"chart\" data-chart=\"kinds\" role=\"img\""));
  EXPECT_TRUE(absl::EndsWith(svg, "</svg>"));
  EXPECT_THAT(svg, HasSubstr("aria-label=\"Cases by kind: a 10; b 5\""));
  const std::vector<std::string> bars = Elements(svg, "<rect class=\"bar");
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_THAT(bars[0], HasSubstr("class=\"bar s0\""));
  EXPECT_THAT(bars[1], HasSubstr("class=\"bar s1\""));
  EXPECT_THAT(bars[1], HasSubstr("url(#kinds-hatch)"));
  EXPECT_DOUBLE_EQ(Attribute(bars[0], "width"), 2 * Attribute(bars[1], "width"));
  EXPECT_LE(Attribute(bars[0], "width"), HorizontalBarLayout().plot_width);
  EXPECT_GT(Attribute(bars[1], "y"), Attribute(bars[0], "y"));  // in the order given
  EXPECT_THAT(svg, HasSubstr(">a</text>"));
  EXPECT_THAT(svg, HasSubstr(">10</text>"));
  EXPECT_THAT(svg, HasSubstr("<defs><pattern id=\"kinds-hatch\""));
  // Legend and axes, and the swatches are not marks.
  EXPECT_THAT(svg, HasSubstr("class=\"legend\""));
  EXPECT_EQ(CountOccurrences(svg, "<rect class=\"swatch"), 2);
  EXPECT_THAT(svg, HasSubstr("class=\"axis-title\""));
  EXPECT_THAT(svg, HasSubstr(">Kind</text>"));
  EXPECT_THAT(svg, HasSubstr(">Cases</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("empty-note")));
}

TEST(HorizontalBarChartTest, SuppressedFigureIsAFixedPlaceholderNeverItsValue) {
  ChartText text = Text("kinds");
  text.suppressed_mark = "x";
  const std::string svg = HorizontalBarChart(
      text, {{"a", {40, false}, BarFill::kSolid}, {"b", {3, true}, BarFill::kSolid}});
  const std::vector<std::string> suppressed = Elements(svg, "<rect class=\"bar suppressed\"");
  ASSERT_EQ(suppressed.size(), 1u);
  EXPECT_EQ(Attribute(suppressed[0], "width"), HorizontalBarLayout().suppressed_length);
  EXPECT_THAT(suppressed[0], HasSubstr("stroke-dasharray"));
  EXPECT_THAT(suppressed[0], HasSubstr("url(#kinds-suppressed)"));
  EXPECT_THAT(svg, HasSubstr("suppressed-label\""));
  EXPECT_THAT(svg, HasSubstr(">x</text>"));
  EXPECT_THAT(svg, Not(HasSubstr(">3</text>")));
}

TEST(HorizontalBarChartTest, UsesTheGivenSizesAndNumberFormat) {
  ChartText text = Text("kinds");
  text.format_number = [](int64_t value) { return absl::StrCat("n", value); };
  HorizontalBarLayout layout;
  layout.width = 500;
  layout.plot_width = 200;
  const std::string svg = HorizontalBarChart(text, {{"a", {1234, false}}}, layout);
  EXPECT_THAT(svg, HasSubstr("viewBox=\"0 0 500 "));
  EXPECT_THAT(svg, HasSubstr(">n1234</text>"));
  EXPECT_THAT(svg, HasSubstr(">n0</text>"));  // the first tick
  const std::vector<std::string> bars = Elements(svg, "<rect class=\"bar");
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_GT(Attribute(bars[0], "width"), 100);
  EXPECT_LE(Attribute(bars[0], "width"), 200);
}

TEST(HorizontalBarChartTest, ANoteReplacesTheMarks) {
  ChartText text = Text("kinds");
  text.note = "No cases in this period";
  const std::string svg = HorizontalBarChart(text, {{"a", {0, false}}});
  EXPECT_EQ(CountOccurrences(svg, "<rect class=\"bar"), 0);
  EXPECT_THAT(svg, HasSubstr("class=\"empty-note\""));
  EXPECT_THAT(svg, HasSubstr(">No cases in this period</text>"));
  EXPECT_THAT(svg, HasSubstr("class=\"axis\""));
}

TEST(HorizontalBarChartTest, EscapesEveryText) {
  ChartText text = Text("a\"b");
  text.aria_label = "<script>";
  text.value_axis = "A & B";
  text.category_axis = "it's";
  text.legend = {{"<i>", BarFill::kSolid}};
  text.suppressed_mark = "<x>";
  const std::string svg = HorizontalBarChart(text, {{"<b>1</b>", {1, false}}, {"c", {1, true}}});
  EXPECT_THAT(svg, HasSubstr("data-chart=\"a&quot;b\""));
  EXPECT_THAT(svg, HasSubstr("aria-label=\"&lt;script&gt;\""));
  EXPECT_THAT(svg, HasSubstr(">A &amp; B<"));
  EXPECT_THAT(svg, HasSubstr(">it&#39;s<"));
  EXPECT_THAT(svg, HasSubstr(">&lt;i&gt;<"));
  EXPECT_THAT(svg, HasSubstr(">&lt;b&gt;1&lt;/b&gt;<"));
  EXPECT_THAT(svg, HasSubstr(">&lt;x&gt;<"));
  EXPECT_THAT(svg, Not(HasSubstr("<script")));
  EXPECT_THAT(svg, Not(HasSubstr("<b>")));
  EXPECT_THAT(svg, Not(HasSubstr("<i>")));
  EXPECT_THAT(svg, Not(HasSubstr("<x>")));
}

TEST(HorizontalBarChartTest, NegativeValueIsDrawnAsZeroAndLabelledAsItIs) {
  const std::string svg = HorizontalBarChart(Text("kinds"), {{"a", {-7, false}}});
  const std::vector<std::string> bars = Elements(svg, "<rect class=\"bar");
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(Attribute(bars[0], "width"), 0);
  EXPECT_THAT(svg, HasSubstr(">-7</text>"));
}

TEST(HorizontalBarChartTest, TinyValueStaysVisible) {
  const std::string svg =
      HorizontalBarChart(Text("kinds"), {{"a", {100000, false}}, {"b", {1, false}}});
  const std::vector<std::string> bars = Elements(svg, "<rect class=\"bar");
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_GE(Attribute(bars[1], "width"), 2);
}

TEST(GroupedColumnChartTest, DrawsEveryColumnOfEveryGroupToScale) {
  const std::vector<ColumnGroup> groups = {
      {"2024", {{{20, false}, BarFill::kSolid}, {{10, false}, BarFill::kHatched}}},
      {"2025", {{{5, false}, BarFill::kSolid}, {{2, true}, BarFill::kHatched}}},
  };
  const std::string svg = GroupedColumnChart(Text("years"), groups);
  EXPECT_TRUE(absl::StartsWith(svg, "<svg class=\"chart\" data-chart=\"years\""));
  EXPECT_TRUE(absl::EndsWith(svg, "</svg>"));
  const std::vector<std::string> bars = Elements(svg, "<rect class=\"bar");
  ASSERT_EQ(bars.size(), 4u);
  EXPECT_DOUBLE_EQ(Attribute(bars[0], "height"), 2 * Attribute(bars[1], "height"));
  EXPECT_DOUBLE_EQ(Attribute(bars[0], "height"), 4 * Attribute(bars[2], "height"));
  const ColumnLayout layout;
  EXPECT_LE(Attribute(bars[0], "height"), layout.plot_bottom - layout.plot_top);
  // Every column stands on the axis.
  for (const std::string& bar : bars) {
    EXPECT_DOUBLE_EQ(Attribute(bar, "y") + Attribute(bar, "height"), layout.plot_bottom) << bar;
  }
  EXPECT_THAT(bars[3], HasSubstr("class=\"bar suppressed\""));
  EXPECT_EQ(Attribute(bars[3], "height"), layout.suppressed_height);
  EXPECT_THAT(svg, Not(HasSubstr(">2</text>")));
  EXPECT_LT(Attribute(bars[0], "x"), Attribute(bars[2], "x"));  // groups left to right
  EXPECT_THAT(svg, HasSubstr(">2024</text>"));
  EXPECT_THAT(svg, HasSubstr(">2025</text>"));
  EXPECT_THAT(svg, HasSubstr("rotate(-90)"));  // the value axis title
}

TEST(GroupedColumnChartTest, ANoteReplacesTheMarks) {
  ChartText text = Text("years");
  text.note = "Not available";
  const std::string svg = GroupedColumnChart(text, {});
  EXPECT_EQ(CountOccurrences(svg, "<rect class=\"bar"), 0);
  EXPECT_THAT(svg, HasSubstr(">Not available</text>"));
  EXPECT_THAT(svg, HasSubstr("class=\"axis\""));
}

TEST(GroupedColumnChartTest, NoGroupsAndNoNoteDrawsAnEmptyPlot) {
  const std::string svg = GroupedColumnChart(Text("years"), {});
  EXPECT_EQ(CountOccurrences(svg, "<rect class=\"bar"), 0);
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
  EXPECT_THAT(svg, Not(HasSubstr("inf")));
}

TEST(SvgChartTest, SameInputSameBytes) {
  const std::vector<Bar> bars = {{"a", {3, false}}, {"b", {0, true}}};
  EXPECT_EQ(HorizontalBarChart(Text("k"), bars), HorizontalBarChart(Text("k"), bars));
}

}  // namespace
}  // namespace consular::stats

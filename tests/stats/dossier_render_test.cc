#include "services/stats/dossier_render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/stats/dossier_messages.h"
#include "tests/stats/dossier_fixture.h"

namespace consular::stats {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kCharts[] = {"cases-per-year-by-type", "outcomes", "recognition",
                                   "age-groups", "contacts-by-partner-kind"};

int CountOccurrences(absl::string_view haystack, absl::string_view needle) {
  int n = 0;
  for (size_t pos = haystack.find(needle); pos != absl::string_view::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// The <svg ...>...</svg> of chart `name`, or "" when absent.
std::string ChartSvg(const std::string& html, absl::string_view name) {
  const std::string open = absl::StrCat("<svg class=\"chart\" data-chart=\"", name, "\"");
  const size_t start = html.find(open);
  if (start == std::string::npos) return "";
  const size_t end = html.find("</svg>", start);
  if (end == std::string::npos) return "";
  return html.substr(start, end + 6 - start);
}

// The table row (<tr ...>...</tr>) whose header cell is `label`, within the table of the
// breakdown (measure, dimension); "" when absent.
std::string TableRow(const std::string& html, absl::string_view measure,
                     absl::string_view dimension, absl::string_view label) {
  const std::string section =
      absl::StrCat("data-measure=\"", measure, "\" data-dimension=\"", dimension, "\"");
  const size_t start = html.find(section);
  if (start == std::string::npos) return "";
  const size_t end = html.find("</section>", start);
  const std::string header = absl::StrCat("<th scope=\"row\">", label, "</th>");
  const size_t cell = html.find(header, start);
  if (cell == std::string::npos || cell > end) return "";
  const size_t row_start = html.rfind("<tr", cell);
  const size_t row_end = html.find("</tr>", cell);
  return html.substr(row_start, row_end + 5 - row_start);
}

// Removes every <rect class="bar..."/> from chart `name`: a chart that draws nothing.
std::string WithoutMarks(std::string html, absl::string_view name) {
  const std::string open = absl::StrCat("<svg class=\"chart\" data-chart=\"", name, "\"");
  const size_t start = html.find(open);
  if (start == std::string::npos) return html;
  size_t end = html.find("</svg>", start);
  for (size_t pos = html.find("<rect class=\"bar", start); pos != std::string::npos && pos < end;
       pos = html.find("<rect class=\"bar", pos)) {
    const size_t close = html.find("/>", pos);
    html.erase(pos, close + 2 - pos);
    end = html.find("</svg>", start);
  }
  return html;
}

// A minimal RFC 4180 parser: records of fields; fails the test on malformed input.
std::vector<std::vector<std::string>> ParseCsv(const std::string& csv) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  for (size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < csv.size() && csv[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      EXPECT_FALSE(field_started) << "quote inside an unquoted field at " << i;
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\r') {
      EXPECT_TRUE(i + 1 < csv.size() && csv[i + 1] == '\n') << "CR without LF at " << i;
      record.push_back(field);
      records.push_back(record);
      record.clear();
      field.clear();
      field_started = false;
      ++i;
    } else {
      EXPECT_NE(c, '\n') << "bare LF outside quotes at " << i;
      field += c;
      field_started = true;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted field";
  EXPECT_TRUE(record.empty() && field.empty()) << "last record not ended by CRLF";
  return records;
}

TEST(DossierHtmlTest, IsOneSelfContainedPrintableDocument) {
  const std::string html = RenderDossierHtml(MakeFixtureDossier());
  EXPECT_TRUE(absl::StartsWith(html, "<!doctype html>"));
  EXPECT_THAT(html, HasSubstr("<style>"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("@page { size: A4; margin: 15mm }"));
  EXPECT_THAT(html, HasSubstr("@media print"));
  EXPECT_THAT(html, HasSubstr("break-inside: avoid"));
  // Nothing from the network, nothing to run.
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("//")));  // no protocol-relative URL either
  for (size_t pos = html.find("url("); pos != std::string::npos; pos = html.find("url(", pos + 1)) {
    EXPECT_EQ(html.substr(pos, 5), "url(#") << "a url() that is not a same-document reference";
  }
  for (size_t pos = html.find("href=\""); pos != std::string::npos;
       pos = html.find("href=\"", pos + 1)) {
    EXPECT_EQ(html.substr(pos, 7), "href=\"#") << "a link out of the document";
  }
}

TEST(DossierHtmlTest, HasEverySection) {
  const std::string html = RenderDossierHtml(MakeFixtureDossier());
  EXPECT_THAT(html, HasSubstr("Country dossier: MA, 2025"));
  EXPECT_THAT(html, HasSubstr("3 Feb 2026, 10:15:00 UTC"));  // generated at
  EXPECT_THAT(html, HasSubstr("3 Feb 2026, 10:14:48 UTC"));  // as of
  EXPECT_THAT(html, HasSubstr("<dt>Lag</dt><dd>12 seconds</dd>"));
  EXPECT_THAT(html, HasSubstr("Headline figures"));
  EXPECT_THAT(html, HasSubstr("<dt>Cases opened</dt><dd>35</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Median days to resolution</dt><dd>74 days</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Unresolved at the end of the period</dt><dd>30</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Cases with contacts with partners</dt><dd>58</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Counting definitions</dt><dd>version 2</dd>"));
  // Not the overlap year of a change of definitions: the current ones only.
  EXPECT_THAT(html, Not(HasSubstr("previous-definition")));
  EXPECT_THAT(html, HasSubstr("How small numbers are protected"));
  EXPECT_THAT(html, HasSubstr("counts from 1 to 4 are not shown"));
  EXPECT_THAT(html, HasSubstr("Bilateral talks"));
  EXPECT_THAT(html, HasSubstr("14 May 2024"));
  EXPECT_THAT(html, HasSubstr("Ministerial"));
  EXPECT_THAT(html, HasSubstr("Forced marriage, Child protection, Divorce recognition"));
  EXPECT_THAT(html, HasSubstr("(due <time datetime=\"2026-03-01\">1 Mar 2026</time>)"));
  // Every breakdown has its table.
  const consular::v1::CountryDossier dossier = MakeFixtureDossier();
  for (const auto& breakdown : dossier.statistics().breakdowns()) {
    EXPECT_THAT(html, HasSubstr(absl::StrCat(
                          "data-measure=\"", consular::v1::Measure_Name(breakdown.measure()),
                          "\" data-dimension=\"",
                          consular::v1::Dimension_Name(breakdown.dimension()), "\"")));
  }
}

TEST(DossierHtmlTest, LabelsCategoriesInPlainEnglish) {
  const std::string html = RenderDossierHtml(MakeFixtureDossier());
  for (const char* label : {"Abandonment", "Foreign divorce recognition", "Minor (under 18)",
                            "Young adult (18\u201323)", "Adult (24+)", "Unknown",
                            "Returned to the Netherlands", "Pending (no decision yet)",
                            "Aid organisation", "Threat of honour-based violence", "March 2025"}) {
    EXPECT_THAT(html, HasSubstr(label));
  }
  EXPECT_THAT(html, Not(HasSubstr(">AGE_GROUP_")));
  EXPECT_THAT(html, Not(HasSubstr(">CASE_TYPE_")));
  EXPECT_THAT(html, Not(HasSubstr(">PARTNER_KIND_")));
}

// The children of abandonment cases, who paid for the returns and the stages of the foreign
// proceedings: a table each, in words, with the population they divide, in both languages.
TEST(DossierHtmlTest, ShowsChildrenReturnFundingAndProceedingsStages) {
  const std::string html = RenderDossierHtml(MakeFixtureDossier());
  for (const char* text :
       {"Cases opened by number of children", "Three or more children", "Not counted",
        "Over the abandonment cases opened in the period",
        "Cases resolved by who paid for the return", "Return paid by", "Consular loan", "Own means",
        "Over the cases resolved in the period with a return to the Netherlands",
        "Cases opened by stage of the foreign proceedings", "Furthest stage reached",
        "Filed with the court", "Documents legalised", "None recorded",
        "A hearing still to come does not count"}) {
    EXPECT_THAT(html, HasSubstr(text));
  }
  EXPECT_THAT(html, Not(HasSubstr(">CHILDREN_")));
  EXPECT_THAT(html, Not(HasSubstr(">RETURN_FUNDING_")));
  EXPECT_THAT(html, Not(HasSubstr(">PROCEEDINGS_STAGE_")));
  const std::string dutch = RenderDossierHtml(MakeFixtureDossier(), DossierMessages::Dutch());
  for (const char* text :
       {"naar aantal kinderen", "Drie of meer kinderen", "Niet geteld",
        "Over de zaken van achterlating die in de periode zijn geopend",
        "naar wie de terugkeer betaalde", "Consulaire lening", "Eigen middelen",
        "naar stadium van de buitenlandse procedure", "Ingediend bij de rechtbank",
        "Niets vastgelegd", "Een zitting die nog moet komen telt niet mee"}) {
    EXPECT_THAT(dutch, HasSubstr(text));
  }
}

TEST(DossierHtmlTest, DrawsFiveChartsWithOneMarkPerCategory) {
  const std::string html = RenderDossierHtml(MakeFixtureDossier());
  const std::map<std::string, int> expected_marks = {
      {"cases-per-year-by-type", 20},  // ten years, two types
      {"outcomes", 6},                 // the non-zero or suppressed outcomes
      {"recognition", 3},              // granted, refused, pending
      {"age-groups", 4},
      {"contacts-by-partner-kind", 6},
  };
  const std::map<std::string, int> expected_suppressed = {
      {"cases-per-year-by-type", 4},   {"outcomes", 4}, {"recognition", 2}, {"age-groups", 2},
      {"contacts-by-partner-kind", 2},
  };
  for (const char* name : kCharts) {
    SCOPED_TRACE(name);
    const std::string svg = ChartSvg(html, name);
    ASSERT_FALSE(svg.empty());
    EXPECT_THAT(svg, HasSubstr("role=\"img\" aria-label=\""));
    EXPECT_EQ(CountOccurrences(svg, "<rect class=\"bar"), expected_marks.at(name));
    EXPECT_EQ(CountOccurrences(svg, "<rect class=\"bar suppressed\""),
              expected_suppressed.at(name));
    // Each suppressed bar carries its "x" label; legend and axes are there.
    EXPECT_GE(CountOccurrences(svg, ">x</text>"), expected_suppressed.at(name));
    EXPECT_THAT(svg, HasSubstr("class=\"legend\""));
    EXPECT_THAT(svg, HasSubstr("class=\"axis-title\""));
    EXPECT_THAT(svg, Not(HasSubstr("Not available")));
  }
  EXPECT_EQ(CountOccurrences(html, "<svg class=\"chart\""), 5);
}

TEST(DossierHtmlTest, SuppressedBarsHaveAFixedVisibleSize) {
  const std::string svg = ChartSvg(RenderDossierHtml(MakeFixtureDossier()), "age-groups");
  const size_t pos = svg.find("<rect class=\"bar suppressed\"");
  ASSERT_NE(pos, std::string::npos);
  const std::string rect = svg.substr(pos, svg.find("/>", pos) - pos);
  EXPECT_THAT(rect, HasSubstr("width=\"14\""));
  EXPECT_THAT(rect, HasSubstr("height=\"16\""));
  EXPECT_THAT(rect, HasSubstr("stroke-dasharray"));
  EXPECT_THAT(rect, HasSubstr("url(#age-groups-suppressed)"));
}

TEST(DossierHtmlTest, ChartOrdersRecognitionGrantedRefusedPending) {
  const std::string svg = ChartSvg(RenderDossierHtml(MakeFixtureDossier()), "recognition");
  const size_t granted = svg.find(">Granted</text>", svg.find("class=\"marks\""));
  const size_t refused = svg.find(">Refused</text>", svg.find("class=\"marks\""));
  const size_t pending = svg.find(">Pending (no decision yet)</text>");
  ASSERT_NE(granted, std::string::npos);
  ASSERT_NE(refused, std::string::npos);
  ASSERT_NE(pending, std::string::npos);
  EXPECT_LT(granted, refused);
  EXPECT_LT(refused, pending);
}

TEST(DossierHtmlTest, SuppressedFiguresAreMarkedNeverZeroNorTheirValue) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  // A suppressed figure whose value field is set anyway must not leak it.
  for (auto& breakdown : *dossier.mutable_statistics()->mutable_breakdowns()) {
    if (breakdown.dimension() == consular::v1::DIMENSION_AGE_GROUP) {
      breakdown.mutable_cells(0)->mutable_figure()->set_value(3);
    }
  }
  const std::string html = RenderDossierHtml(dossier);
  for (const char* label : {"Minor (under 18)", "Unknown"}) {
    SCOPED_TRACE(label);
    const std::string row = TableRow(html, "MEASURE_CASES_OPENED", "DIMENSION_AGE_GROUP", label);
    ASSERT_FALSE(row.empty());
    EXPECT_THAT(row, HasSubstr(">x</span>"));
    EXPECT_THAT(row, HasSubstr("href=\"#small-numbers\">*</a>"));
    EXPECT_THAT(row, Not(HasSubstr(">0<")));
    EXPECT_THAT(row, Not(HasSubstr(">3<")));
  }
  EXPECT_THAT(TableRow(html, "MEASURE_CASES_OPENED", "DIMENSION_AGE_GROUP", "Adult (24+)"),
              HasSubstr("<td class=\"num\">21</td>"));
  // A real zero is shown as 0.
  EXPECT_THAT(TableRow(html, "MEASURE_CASES_OPENED", "DIMENSION_SEX", "Unknown"),
              HasSubstr("<td class=\"num\">0</td>"));
  // Every suppressed figure of every table (breakdowns and history) carries the mark.
  const size_t tables = html.find("id=\"tables\"");
  const std::string tables_html = html.substr(tables, html.find("id=\"talks\"") - tables);
  int suppressed_cells = 0;
  for (const auto& breakdown : dossier.statistics().breakdowns()) {
    for (const auto& cell : breakdown.cells()) suppressed_cells += cell.figure().suppressed();
    suppressed_cells += breakdown.total().suppressed();
  }
  for (const auto& year : dossier.history()) {
    suppressed_cells += year.abandonment().suppressed() + year.divorce_recognition().suppressed() +
                        year.total().suppressed();
  }
  EXPECT_EQ(CountOccurrences(tables_html, "<span class=\"suppressed-mark\""), suppressed_cells);
}

TEST(DossierHtmlTest, SuppressedHeadlineFiguresAreMarked) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  dossier.mutable_statistics()->mutable_cases_resolved()->Clear();
  dossier.mutable_statistics()->mutable_cases_resolved()->set_suppressed(true);
  dossier.mutable_statistics()->mutable_median_days_to_resolution()->Clear();
  dossier.mutable_statistics()->mutable_median_days_to_resolution()->set_suppressed(true);
  const std::string html = RenderDossierHtml(dossier);
  EXPECT_THAT(html, HasSubstr("<dt>Cases resolved</dt><dd><span class=\"suppressed-mark\""));
  EXPECT_THAT(html, Not(HasSubstr("<dt>Cases resolved</dt><dd>0")));
  // A median is not a count: it reads "not shown", never "<5" (under five days) nor 0.
  EXPECT_THAT(html, HasSubstr("cases resolved\">not shown</span>"));
  EXPECT_THAT(html, Not(HasSubstr("<dt>Median days to resolution</dt><dd>0")));
}

TEST(DossierHtmlTest, UsesTheStatisticsThreshold) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  dossier.mutable_statistics()->set_threshold(10);
  dossier.mutable_statistics()->set_rounded_to_base5(true);
  const std::string html = RenderDossierHtml(dossier);
  EXPECT_THAT(html, HasSubstr("counts from 1 to 9 are not shown"));
  EXPECT_THAT(html, HasSubstr("a count from 1 to 9 or for a larger figure"));
  EXPECT_THAT(html, HasSubstr("rounded to the nearest multiple of 5"));
  EXPECT_THAT(html, Not(HasSubstr("&lt;5<")));
}

TEST(DossierHtmlTest, EscapesEveryStringFromTheData) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  consular::v1::Talk* talk = dossier.mutable_talks(0);
  talk->set_summary("<script>alert(\"x\")</script> & Sons");
  talk->set_outcome("<img onerror='y'>");
  talk->set_follow_up("a < b > c");
  dossier.set_country("M&A");
  auto* cell = dossier.mutable_statistics()->mutable_breakdowns(0)->add_cells();
  cell->set_category("<b>NEW</b>");
  cell->mutable_figure()->set_value(1);
  const std::string html = RenderDossierHtml(dossier);
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons"));
  EXPECT_THAT(html, HasSubstr("&lt;img onerror=&#39;y&#39;&gt;"));
  EXPECT_THAT(html, HasSubstr("a &lt; b &gt; c"));
  EXPECT_THAT(html, HasSubstr("Country dossier: M&amp;A"));
  EXPECT_THAT(html, HasSubstr("&lt;b&gt;new&lt;/b&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, Not(HasSubstr("M&A")));
}

TEST(DossierHtmlTest, NoTalksRecorded) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  dossier.clear_talks();
  EXPECT_THAT(RenderDossierHtml(dossier), HasSubstr("No talks recorded"));
  EXPECT_THAT(RenderDossierHtml(MakeFixtureDossier()), Not(HasSubstr("No talks recorded")));
}

TEST(DossierHtmlTest, WritesThePeriodInWords) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  consular::v1::Period* period = dossier.mutable_statistics()->mutable_period();
  period->mutable_quarter()->set_year(2026);
  period->mutable_quarter()->set_quarter(2);
  EXPECT_THAT(RenderDossierHtml(dossier), HasSubstr("Country dossier: MA, 2026 Q2</h1>"));
  consular::v1::DateRange* range = period->mutable_range();
  range->mutable_from()->set_year(2025);
  range->mutable_from()->set_month(1);
  range->mutable_from()->set_day(1);
  range->mutable_to()->set_year(2026);
  range->mutable_to()->set_month(6);
  range->mutable_to()->set_day(30);
  EXPECT_THAT(RenderDossierHtml(dossier),
              HasSubstr("Country dossier: MA, 1 Jan 2025 \u2013 30 Jun 2026</h1>"));
}

TEST(DossierHtmlTest, AllZeroChartsStillRenderWithAxesAndText) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  for (auto& breakdown : *dossier.mutable_statistics()->mutable_breakdowns()) {
    for (auto& cell : *breakdown.mutable_cells()) cell.mutable_figure()->Clear();
    breakdown.mutable_total()->Clear();
  }
  for (auto& year : *dossier.mutable_history()) {
    year.mutable_abandonment()->Clear();
    year.mutable_divorce_recognition()->Clear();
    year.mutable_total()->Clear();
  }
  const std::string html = RenderDossierHtml(dossier);
  for (const char* name : kCharts) {
    SCOPED_TRACE(name);
    const std::string svg = ChartSvg(html, name);
    ASSERT_FALSE(svg.empty());
    EXPECT_THAT(svg, HasSubstr("class=\"axis\""));
    EXPECT_THAT(svg, HasSubstr("class=\"empty-note\""));
    EXPECT_EQ(CountOccurrences(svg, "<rect class=\"bar"), 0);
  }
  EXPECT_THAT(ChartSvg(html, "outcomes"), HasSubstr(">No cases in this period</text>"));
  EXPECT_THAT(ChartSvg(html, "age-groups"), HasSubstr(">No cases in this period</text>"));
  EXPECT_THAT(ChartSvg(html, "recognition"), HasSubstr(">No cases in this period</text>"));
  EXPECT_THAT(ChartSvg(html, "contacts-by-partner-kind"),
              HasSubstr(">No cases with contacts in this period</text>"));
}

TEST(DossierHtmlTest, MissingBreakdownRendersNotAvailable) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  dossier.mutable_statistics()->clear_breakdowns();
  dossier.clear_history();
  const std::string html = RenderDossierHtml(dossier);
  for (const char* name : kCharts) {
    SCOPED_TRACE(name);
    const std::string svg = ChartSvg(html, name);
    ASSERT_FALSE(svg.empty());
    EXPECT_THAT(svg, HasSubstr("Not available"));
    EXPECT_THAT(svg, HasSubstr("class=\"axis\""));
  }
}

TEST(DossierHtmlTest, WithoutMarksHelperEmptiesOnlyThatChart) {
  const std::string html = WithoutMarks(RenderDossierHtml(MakeFixtureDossier()), "age-groups");
  EXPECT_EQ(CountOccurrences(ChartSvg(html, "age-groups"), "<rect class=\"bar"), 0);
  EXPECT_EQ(CountOccurrences(ChartSvg(html, "outcomes"), "<rect class=\"bar"), 6);
}

TEST(DossierCsvTest, ParsesBackWithEveryFigure) {
  const consular::v1::CountryDossier dossier = MakeFixtureDossier();
  const std::string csv = RenderDossierCsv(dossier);
  const auto records = ParseCsv(csv);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0], (std::vector<std::string>{"section", "measure", "dimension", "category",
                                                  "value", "suppressed"}));
  size_t figure_rows = 5;  // headline
  for (const auto& breakdown : dossier.statistics().breakdowns()) {
    figure_rows += breakdown.cells_size() + 1;
  }
  figure_rows += 3 * dossier.history_size();
  const size_t meta_rows = 8;
  EXPECT_EQ(records.size(), 1 + meta_rows + figure_rows + dossier.talks_size());

  int talks = 0;
  for (size_t i = 1; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r[0] == "talk") {
      EXPECT_EQ(r.size(), 8u);
      ++talks;
      continue;
    }
    ASSERT_EQ(r.size(), 6u) << "row " << i;
    if (r[0] == "meta") continue;
    ASSERT_TRUE(r[5] == "true" || r[5] == "false") << "row " << i;
    if (r[5] == "true") {
      EXPECT_EQ(r[4], "") << "a suppressed figure with a value, row " << i;
    } else {
      EXPECT_FALSE(r[4].empty()) << "row " << i;
    }
  }
  EXPECT_EQ(talks, dossier.talks_size());

  const std::vector<std::string> minor = {
      "breakdown", "MEASURE_CASES_OPENED", "DIMENSION_AGE_GROUP", "AGE_GROUP_MINOR", "", "true"};
  const std::vector<std::string> adult = {
      "breakdown", "MEASURE_CASES_OPENED", "DIMENSION_AGE_GROUP", "AGE_GROUP_ADULT", "21", "false"};
  const std::vector<std::string> total = {
      "breakdown", "MEASURE_CASES_OPENED", "DIMENSION_AGE_GROUP", "TOTAL", "35", "false"};
  const std::vector<std::string> year = {
      "history:2016", "MEASURE_CASES_OPENED", "DIMENSION_CASE_TYPE", "CASE_TYPE_ABANDONMENT", "",
      "true"};
  const std::vector<std::string> headline = {"headline", "MEASURE_CASES_OPENED", "", "", "35",
                                             "false"};
  const std::vector<std::string> period = {"meta", "PERIOD", "", "", "2025", ""};
  const std::vector<std::string> version = {"meta", "DEFINITION_VERSION", "", "", "2", ""};
  for (const auto& expected : {minor, adult, total, year, headline, period, version}) {
    EXPECT_NE(std::find(records.begin(), records.end(), expected), records.end())
        << expected[0] << " " << expected[3];
  }
}

// A dossier of the overlap year of the change of counting definitions (docs/statistics.md): the
// contacts as definitions 1 counted them beside the cases with contacts of definitions 2.
consular::v1::CountryDossier MakeOverlapYearDossier() {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  consular::v1::CountryStatistics* s = dossier.mutable_statistics();
  s->mutable_period()->set_year(2026);
  consular::v1::PreviousDefinitionFigures* previous = s->mutable_previous_definition();
  previous->set_definition_version("1");
  previous->mutable_contacts()->set_value(140);
  consular::v1::Breakdown* b = previous->add_breakdowns();
  b->set_measure(consular::v1::MEASURE_CONTACTS);
  b->set_dimension(consular::v1::DIMENSION_PARTNER_KIND);
  for (const auto& [category, value] :
       std::vector<std::pair<std::string, int64_t>>{{"PARTNER_KIND_LAWYER", 63},
                                                    {"PARTNER_KIND_AID_ORGANISATION", 31},
                                                    {"PARTNER_KIND_SHELTER", 17},
                                                    {"PARTNER_KIND_LOCAL_AUTHORITY", -1},
                                                    {"PARTNER_KIND_MEDICAL", 0},
                                                    {"PARTNER_KIND_OTHER", -1}}) {
    consular::v1::Cell* cell = b->add_cells();
    cell->set_category(category);
    if (value < 0) {
      cell->mutable_figure()->set_suppressed(true);
    } else {
      cell->mutable_figure()->set_value(value);
    }
  }
  b->mutable_total()->set_value(140);
  return dossier;
}

TEST(DossierHtmlTest, TheOverlapYearSetsBothDefinitionsSideBySide) {
  const std::string html = RenderDossierHtml(MakeOverlapYearDossier());
  const size_t start =
      html.find("<section id=\"previous-definition\" data-definition-version=\"1\">");
  ASSERT_NE(start, std::string::npos) << html;
  const std::string section = html.substr(start, html.find("<section class=\"breakdown\" "
                                                           "data-measure=\"MEASURE_CASES_OPENED\" "
                                                           "data-dimension=\"HISTORY\"",
                                                           start) -
                                                     start);
  EXPECT_THAT(section, HasSubstr("<h3>Contacts under definitions 1, beside definitions 2</h3>"));
  EXPECT_THAT(section, HasSubstr("<h4>Definitions 2 and 1 by partner kind</h4>"));
  EXPECT_THAT(section, HasSubstr(">Cases with contacts (definitions 2)</th>"));
  EXPECT_THAT(section, HasSubstr(">Contacts (definitions 1)</th>"));
  // Each row: the cases with contacts now, then the contacts as definitions 1 counted them.
  EXPECT_THAT(section, HasSubstr("<th scope=\"row\">Lawyer</th><td class=\"num\">21</td>"
                                 "<td class=\"num\">63</td>"));
  EXPECT_THAT(section, HasSubstr("<tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">58"
                                 "</td><td class=\"num\">140</td></tr></tfoot>"));
  // A hidden figure under either definitions is marked, never shown as a number.
  EXPECT_THAT(section, HasSubstr("<tr class=\"suppressed\"><th scope=\"row\">Local authority"));
  EXPECT_EQ(CountOccurrences(section, "class=\"suppressed-mark\""), 4);

  const std::string dutch = RenderDossierHtml(MakeOverlapYearDossier(), DossierMessages::Dutch());
  EXPECT_THAT(dutch, HasSubstr("<h3>Contacten volgens definities 1, naast definities 2</h3>"));
  EXPECT_THAT(dutch, HasSubstr(">Zaken met contacten (definities 2)</th>"));
}

TEST(DossierCsvTest, TheOverlapYearExportsTheContactsUnderBothDefinitions) {
  const auto records = ParseCsv(RenderDossierCsv(MakeOverlapYearDossier()));
  const auto has = [&](const std::vector<std::string>& row) {
    return std::find(records.begin(), records.end(), row) != records.end();
  };
  EXPECT_TRUE(has({"definition:1", "MEASURE_CONTACTS", "", "", "140", "false"}));
  EXPECT_TRUE(has({"definition:1", "MEASURE_CONTACTS", "DIMENSION_PARTNER_KIND",
                   "PARTNER_KIND_LAWYER", "63", "false"}));
  EXPECT_TRUE(has({"definition:1", "MEASURE_CONTACTS", "DIMENSION_PARTNER_KIND",
                   "PARTNER_KIND_OTHER", "", "true"}));
  EXPECT_TRUE(
      has({"definition:1", "MEASURE_CONTACTS", "DIMENSION_PARTNER_KIND", "TOTAL", "140", "false"}));
  EXPECT_TRUE(has({"breakdown", "MEASURE_CONTACTS", "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER",
                   "21", "false"}));
  // Another year has none.
  for (const auto& r : ParseCsv(RenderDossierCsv(MakeFixtureDossier()))) {
    EXPECT_NE(r[0], "definition:1");
  }
}

TEST(DossierCsvTest, QuotesCommasQuotesAndNewlines) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  dossier.clear_talks();
  consular::v1::Talk* talk = dossier.add_talks();
  talk->mutable_held_on()->set_year(2025);
  talk->mutable_held_on()->set_month(3);
  talk->mutable_held_on()->set_day(9);
  talk->set_level(consular::v1::TALK_LEVEL_OFFICIAL);
  talk->add_topics(consular::v1::TALK_TOPIC_ABANDONMENT);
  talk->add_topics(consular::v1::TALK_TOPIC_OTHER);
  talk->set_summary("Line one, with a comma\nand \"quotes\"\r\nend");
  talk->set_outcome("plain");
  const std::string csv = RenderDossierCsv(dossier);
  EXPECT_THAT(
      csv, HasSubstr("talk,2025-03-09,TALK_LEVEL_OFFICIAL,TALK_TOPIC_ABANDONMENT;TALK_TOPIC_OTHER,"
                     "\"Line one, with a comma\nand \"\"quotes\"\"\r\nend\",plain,,\r\n"));
  const auto records = ParseCsv(csv);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back(), (std::vector<std::string>{
                                "talk", "2025-03-09", "TALK_LEVEL_OFFICIAL",
                                "TALK_TOPIC_ABANDONMENT;TALK_TOPIC_OTHER",
                                "Line one, with a comma\nand \"quotes\"\r\nend", "plain", "", ""}));
}

TEST(DossierCsvTest, CellsASpreadsheetWouldRunAsFormulasAreText) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  dossier.clear_talks();
  consular::v1::Talk* talk = dossier.add_talks();
  talk->mutable_held_on()->set_year(2025);
  talk->mutable_held_on()->set_month(3);
  talk->mutable_held_on()->set_day(9);
  talk->set_level(consular::v1::TALK_LEVEL_OFFICIAL);
  talk->add_topics(consular::v1::TALK_TOPIC_ABANDONMENT);
  talk->set_summary("=HYPERLINK(\"http://example.invalid\",\"x\")");
  talk->set_outcome("+1 agreed");
  talk->set_follow_up("@SUM(A1:A9)");
  const std::string csv = RenderDossierCsv(dossier);
  const auto records = ParseCsv(csv);
  ASSERT_FALSE(records.empty());
  const std::vector<std::string>& row = records.back();
  ASSERT_EQ(row.size(), 8u);
  EXPECT_EQ(row[4], "'=HYPERLINK(\"http://example.invalid\",\"x\")");
  EXPECT_EQ(row[5], "'+1 agreed");
  EXPECT_EQ(row[6], "'@SUM(A1:A9)");
  // Every cell of the file: none starts with a formula character.
  for (const auto& record : records) {
    for (const std::string& cell : record) {
      EXPECT_TRUE(cell.empty() || std::string("=+-@\t\r").find(cell[0]) == std::string::npos)
          << cell;
    }
  }
}

TEST(DossierCsvTest, EveryLineEndsWithCrLf) {
  // Without talks no field holds a line break: every LF ends a record. (Line breaks inside
  // quoted fields are checked by ParseCsv.)
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  dossier.clear_talks();
  const std::string csv = RenderDossierCsv(dossier);
  ASSERT_TRUE(absl::EndsWith(csv, "\r\n"));
  for (size_t pos = csv.find('\n'); pos != std::string::npos; pos = csv.find('\n', pos + 1)) {
    ASSERT_GT(pos, 0u);
    EXPECT_EQ(csv[pos - 1], '\r') << "bare LF at " << pos;
  }
}

TEST(DossierJsonTest, ParsesBackIntoTheSameDossier) {
  const consular::v1::CountryDossier dossier = MakeFixtureDossier();
  const std::string json = RenderDossierJson(dossier);
  ASSERT_FALSE(json.empty());
  EXPECT_THAT(json, HasSubstr("\"generatedAt\""));
  EXPECT_THAT(json, HasSubstr("\"medianDaysToResolution\""));
  EXPECT_THAT(json, HasSubstr("\"MEASURE_CASES_OPENED\""));
  EXPECT_THAT(json, HasSubstr("\"TALK_LEVEL_MINISTERIAL\""));
  EXPECT_THAT(json, HasSubstr("\n"));  // pretty-printed
  consular::v1::CountryDossier parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, dossier))
      << parsed.DebugString();
}

TEST(DossierJsonTest, SuppressedFigureHasNoValue) {
  consular::v1::CountryDossier dossier;
  dossier.mutable_statistics()->mutable_cases_opened()->set_suppressed(true);
  EXPECT_THAT(RenderDossierJson(dossier), Not(HasSubstr("\"value\"")));
  EXPECT_THAT(RenderDossierJson(dossier), HasSubstr("\"suppressed\": true"));
}

// A catalogue with every English text in capitals (placeholders and the digit separator kept).
DossierMessages ShoutingCatalogue() {
  const DossierMessages& english = DossierMessages::English();
  std::vector<std::pair<std::string, std::string>> texts;
  for (const std::string& id : english.Ids()) {
    texts.emplace_back(id, absl::AsciiStrToUpper(english.Text(id)));
  }
  return DossierMessages("x-shout", std::move(texts));
}

// Every run of text of the page's body and every aria-label and title attribute.
std::vector<std::string> VisibleTexts(const std::string& html) {
  std::vector<std::string> texts;
  const size_t body = html.find("<body>");
  for (size_t pos = html.find('>', body); pos != std::string::npos; pos = html.find('>', pos)) {
    const size_t end = html.find('<', pos);
    if (end == std::string::npos) break;
    if (end > pos + 1) texts.push_back(html.substr(pos + 1, end - pos - 1));
    pos = end;
  }
  for (const std::string attribute : {" aria-label=\"", " title=\""}) {
    for (size_t pos = html.find(attribute); pos != std::string::npos;
         pos = html.find(attribute, pos + 1)) {
      const size_t start = pos + attribute.size();
      texts.push_back(html.substr(start, html.find('"', start) - start));
    }
  }
  return texts;
}

TEST(DossierMessagesTest, EnglishIsTheDefault) {
  const consular::v1::CountryDossier dossier = MakeFixtureDossier();
  EXPECT_EQ(RenderDossierHtml(dossier), RenderDossierHtml(dossier, DossierMessages::English()));
  EXPECT_THAT(RenderDossierHtml(dossier), HasSubstr("<html lang=\"en\">"));
}

TEST(DossierMessagesTest, EveryTextOfThePageComesFromTheCatalogue) {
  consular::v1::CountryDossier dossier = MakeFixtureDossier();
  // Data without lower-case letters, so that any left on the page is a text not in the catalogue.
  for (consular::v1::Talk& talk : *dossier.mutable_talks()) {
    talk.set_summary("S");
    talk.set_outcome("O");
    talk.set_follow_up("F");
  }
  const DossierMessages shouting = ShoutingCatalogue();
  std::vector<consular::v1::CountryDossier> dossiers = {dossier};
  dossiers.push_back(dossier);  // both definitions side by side
  *dossiers.back().mutable_statistics() = MakeOverlapYearDossier().statistics();
  dossiers.push_back(dossier);  // every chart and table empty, no talks
  dossiers.back().mutable_statistics()->clear_breakdowns();
  dossiers.back().clear_history();
  dossiers.back().clear_talks();
  dossiers.back().mutable_statistics()->set_rounded_to_base5(true);
  dossiers.back().mutable_statistics()->mutable_median_days_to_resolution()->set_suppressed(true);
  for (const consular::v1::CountryDossier& d : dossiers) {
    const std::string html = RenderDossierHtml(d, shouting);
    EXPECT_THAT(html, HasSubstr("<html lang=\"x-shout\">"));
    EXPECT_THAT(html, HasSubstr("<h2>HEADLINE FIGURES</h2>"));
    for (const std::string& text : VisibleTexts(html)) {
      EXPECT_FALSE(
          std::any_of(text.begin(), text.end(), [](char c) { return absl::ascii_islower(c); }))
          << "a text not from the catalogue: " << text;
    }
  }
  const std::string html = RenderDossierHtml(dossier, shouting);
  EXPECT_THAT(html, HasSubstr(">MINOR (UNDER 18)<"));
  EXPECT_THAT(html, HasSubstr(">MARCH 2025<"));
  EXPECT_THAT(html, HasSubstr("3 FEB 2026, 10:15:00 UTC"));
  EXPECT_THAT(html, HasSubstr("COUNTS FROM 1 TO 4 ARE NOT SHOWN"));
}

TEST(DossierMessagesTest, ATextMissingFromACatalogueShowsItsId) {
  const DossierMessages partial("en", {{"headline.heading", "Key figures"}});
  const std::string html = RenderDossierHtml(MakeFixtureDossier(), partial);
  EXPECT_THAT(html, HasSubstr("<h2>Key figures</h2>"));
  EXPECT_THAT(html, HasSubstr("<h2>charts.heading</h2>"));
}

TEST(DossierMessagesTest, CatalogueTextsAreEscapedOnThePage) {
  const DossierMessages& english = DossierMessages::English();
  std::vector<std::pair<std::string, std::string>> texts;
  for (const std::string& id : english.Ids()) texts.emplace_back(id, english.Text(id));
  texts.emplace_back("headline.heading", "<b>Figures & \"facts\"</b>");
  const std::string html =
      RenderDossierHtml(MakeFixtureDossier(), DossierMessages("en", std::move(texts)));
  EXPECT_THAT(html, HasSubstr("<h2>&lt;b&gt;Figures &amp; &quot;facts&quot;&lt;/b&gt;</h2>"));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
}

TEST(DossierMessagesTest, EnglishPlaceholdersAreWellFormed) {
  const DossierMessages& english = DossierMessages::English();
  for (const std::string& id : english.Ids()) {
    const absl::string_view text = english.Text(id);
    for (size_t pos = text.find('$'); pos != absl::string_view::npos;
         pos = text.find('$', pos + 2)) {
      ASSERT_LT(pos + 1, text.size()) << id;
      EXPECT_TRUE(absl::ascii_isdigit(text[pos + 1]) || text[pos + 1] == '$') << id;
    }
  }
  EXPECT_EQ(english.Format("headline.days", 74), "74 days");
  EXPECT_EQ(english.Format("meta.how"), "how");
  EXPECT_FALSE(english.Has("no.such.id"));
  EXPECT_EQ(english.Text("no.such.id"), "no.such.id");
}

// The $n placeholders of a text, sorted, without repeats.
std::set<std::string> Placeholders(absl::string_view text) {
  std::set<std::string> found;
  for (size_t pos = text.find('$'); pos != absl::string_view::npos && pos + 1 < text.size();
       pos = text.find('$', pos + 2)) {
    if (absl::ascii_isdigit(text[pos + 1])) found.insert(std::string(text.substr(pos, 2)));
  }
  return found;
}

TEST(DossierMessagesTest, DutchHasEveryEnglishTextWithTheSamePlaceholders) {
  const DossierMessages& english = DossierMessages::English();
  const DossierMessages& dutch = DossierMessages::Dutch();
  EXPECT_EQ(dutch.language(), "nl");
  EXPECT_EQ(dutch.Ids(), english.Ids());
  for (const std::string& id : english.Ids()) {
    EXPECT_EQ(Placeholders(dutch.Text(id)), Placeholders(english.Text(id))) << id;
  }
  EXPECT_EQ(&DossierMessages::ForLanguage("nl"), &dutch);
  EXPECT_EQ(&DossierMessages::ForLanguage("en"), &english);
  EXPECT_EQ(&DossierMessages::ForLanguage(""), &english);
}

TEST(DossierMessagesTest, ADutchPageSpeaksDutch) {
  const std::string html = RenderDossierHtml(MakeFixtureDossier(), DossierMessages::Dutch());
  EXPECT_THAT(html, HasSubstr("<html lang=\"nl\">"));
  EXPECT_THAT(html, HasSubstr("<h2>Kerncijfers</h2>"));
  EXPECT_THAT(html, HasSubstr("Hoe kleine aantallen worden beschermd"));
  EXPECT_THAT(html, Not(HasSubstr("Headline figures")));
}

}  // namespace
}  // namespace consular::stats

// Besides the unit tests, the binary writes the fixture's HTML for the browser check:
//   dossier_unit_test --write-fixture-html=PATH [--without-marks-in=CHART]
// The second flag removes every <rect class="bar"> of CHART, so that the check must fail.
int main(int argc, char** argv) {
  std::string html_path;
  std::string without_marks_in;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (absl::StartsWith(arg, "--write-fixture-html=")) {
      html_path = std::string(arg.substr(std::strlen("--write-fixture-html=")));
    } else if (absl::StartsWith(arg, "--without-marks-in=")) {
      without_marks_in = std::string(arg.substr(std::strlen("--without-marks-in=")));
    }
  }
  if (!html_path.empty()) {
    std::string html = consular::stats::RenderDossierHtml(consular::stats::MakeFixtureDossier());
    if (!without_marks_in.empty()) {
      const std::string before = html;
      html = consular::stats::WithoutMarks(html, without_marks_in);
      if (html == before) {
        std::cerr << "no marks to remove in chart " << without_marks_in << "\n";
        return 2;
      }
    }
    std::ofstream out(html_path, std::ios::binary | std::ios::trunc);
    out << html;
    out.close();
    if (!out) {
      std::cerr << "cannot write " << html_path << "\n";
      return 1;
    }
    std::cout << "wrote " << html_path << " (" << html.size() << " bytes)\n";
    return 0;
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

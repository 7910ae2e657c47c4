// The country dossier as one HTML page: a template filled with sections whose texts all come from
// a message catalogue (dossier_messages.h), the style sheet of dossier_style.h and the charts of
// dossier_charts.h.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/substitute.h"
#include "base/markup.h"
#include "consular/v1/statistics.pb.h"
#include "services/stats/dossier_charts.h"
#include "services/stats/dossier_format.h"
#include "services/stats/dossier_labels.h"
#include "services/stats/dossier_messages.h"
#include "services/stats/dossier_render.h"
#include "services/stats/dossier_style.h"
#include "services/stats/svg_chart.h"

namespace consular::stats {
namespace {

using consular::v1::Breakdown;
using consular::v1::CountryDossier;
using consular::v1::CountryStatistics;
using consular::v1::Figure;
using consular::v1::Talk;
using consular::v1::YearByType;

// The page. No script, no network: only inline styles and same-document references. Each
// {{slot}} is replaced once; text put into a slot is not searched for slots again.
constexpr absl::string_view kPageTemplate = R"html(<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>{{style}}</style>
</head>
<body>
{{header}}{{headline}}{{charts}}{{tables}}{{talks}}{{note}}</body>
</html>
)html";

std::string Escape(absl::string_view text) { return EscapeMarkup(text); }

// The HTML of one page's worth of texts: the catalogue and what every part of the page needs.
class Page {
 public:
  Page(const CountryDossier& dossier, const DossierMessages& messages)
      : dossier_(dossier),
        statistics_(dossier.statistics()),
        messages_(messages),
        threshold_(Threshold(statistics_)),
        country_(DossierCountry(dossier)),
        period_words_(PeriodInWords(messages, statistics_.period())) {}

  std::string Render() const {
    return absl::StrReplaceAll(
        kPageTemplate,
        {{"{{lang}}", Escape(messages_.language())},
         {"{{title}}", Html("page.title", Escape(country_), Escape(period_words_))},
         {"{{style}}", std::string(kDossierStyleSheet)},
         {"{{header}}", Header()},
         {"{{headline}}", Headline()},
         {"{{charts}}",
          absl::StrCat("<section id=\"charts\"><h2>", Html("charts.heading"), "</h2>\n",
                       DossierChartsHtml(dossier_, messages_, period_words_), "</section>\n")},
         {"{{tables}}", Tables()},
         {"{{talks}}", Talks()},
         {"{{note}}", SmallNumbersNote()}});
  }

 private:
  // The catalogue's text of `id`, escaped, with its placeholders replaced by `html` (numbers or
  // markup, inserted as they are).
  template <typename... Args>
  std::string Html(absl::string_view id, const Args&... html) const {
    if constexpr (sizeof...(Args) == 0) {
      return Escape(messages_.Text(id));
    } else {
      return absl::Substitute(Escape(messages_.Text(id)), html...);
    }
  }

  // A figure as table or headline text: its count, or the mark and a footnote link.
  std::string FigureHtml(const Figure& figure) const {
    if (figure.suppressed()) {
      return absl::StrCat("<span class=\"suppressed-mark\" title=\"",
                          Html("figure.suppressed_title", threshold_), "\">",
                          Html("figure.suppressed_mark"),
                          "</span><a class=\"footnote\" href=\"#small-numbers\">*</a>");
    }
    return Escape(CountInWords(messages_, figure.value()));
  }

  std::string Header() const {
    auto item = [](const std::string& term, const std::string& html) {
      return absl::StrCat("<dt>", term, "</dt><dd>", html, "</dd>");
    };
    return absl::StrCat(
        "<header class=\"dossier-header\">\n<h1>",
        Html("page.heading", Escape(country_), Escape(period_words_)), "</h1>\n<dl class=\"meta\">",
        item(Html("meta.country"), Escape(country_)),
        item(Html("meta.period"), Escape(period_words_)),
        item(Html("meta.generated_at"),
             Escape(TimestampInWords(messages_, dossier_.generated_at()))),
        item(Html("meta.as_of"),
             Html("meta.as_of_value", Escape(TimestampInWords(messages_, statistics_.as_of())))),
        item(Html("meta.lag"), Escape(LagInWords(messages_, statistics_.lag()))),
        item(Html("meta.definitions"),
             statistics_.definition_version().empty()
                 ? Html("meta.definitions_not_recorded")
                 : Html("meta.definitions_value", Escape(statistics_.definition_version()))),
        item(Html("meta.small_numbers"),
             Html("meta.small_numbers_value", threshold_ - 1,
                  statistics_.rounded_to_base5() ? Html("meta.rounded") : std::string(),
                  absl::StrCat("<a href=\"#small-numbers\">", Html("meta.how"), "</a>"))),
        "</dl>\n</header>\n");
  }

  std::string Headline() const {
    struct Headline {
      absl::string_view label_id;
      const Figure& figure;
      bool is_median;
    };
    const Headline headlines[] = {
        {"headline.cases_opened", statistics_.cases_opened(), false},
        {"headline.cases_resolved", statistics_.cases_resolved(), false},
        {"headline.cases_unresolved", statistics_.cases_unresolved(), false},
        {"headline.contacts", statistics_.contacts(), false},
        {"headline.median_days", statistics_.median_days_to_resolution(), true},
    };
    std::string out = absl::StrCat("<section id=\"headline\"><h2>", Html("headline.heading"),
                                   "</h2>\n<dl class=\"figures\">");
    for (const Headline& h : headlines) {
      absl::StrAppend(&out, "<div class=\"figure-card\"><dt>", Html(h.label_id), "</dt><dd>");
      if (h.is_median && h.figure.suppressed()) {
        // A median is not a count: the mark would read as a number of days.
        absl::StrAppend(&out, "<span class=\"suppressed-mark\" title=\"",
                        Html("headline.median_suppressed_title", threshold_), "\">",
                        Html("headline.median_not_shown"),
                        "</span><a class=\"footnote\" href=\"#small-numbers\">*</a>");
      } else if (h.is_median) {
        absl::StrAppend(&out, Html("headline.days", FigureHtml(h.figure)));
      } else {
        absl::StrAppend(&out, FigureHtml(h.figure));
      }
      absl::StrAppend(&out, "</dd></div>");
    }
    absl::StrAppend(&out, "</dl>\n</section>\n");
    return out;
  }

  std::string Tables() const {
    std::string out =
        absl::StrCat("<section id=\"tables\"><h2>", Html("tables.heading"), "</h2>\n");
    for (const Breakdown& breakdown : statistics_.breakdowns()) {
      absl::StrAppend(&out, BreakdownTable(breakdown));
    }
    if (statistics_.breakdowns().empty()) {
      absl::StrAppend(&out, "<p>", Html("tables.no_breakdowns"), "</p>\n");
    }
    if (statistics_.has_previous_definition()) absl::StrAppend(&out, PreviousDefinition());
    absl::StrAppend(&out, HistoryTable(), "</section>\n");
    return out;
  }

  // A table row: the header cell, then the figures.
  std::string Row(const std::string& header_html, std::vector<const Figure*> figures,
                  bool mark_suppressed) const {
    bool suppressed = false;
    std::string cells;
    for (const Figure* figure : figures) {
      suppressed = suppressed || figure->suppressed();
      absl::StrAppend(&cells, "<td class=\"num\">", FigureHtml(*figure), "</td>");
    }
    return absl::StrCat("<tr", mark_suppressed && suppressed ? " class=\"suppressed\"" : "",
                        "><th scope=\"row\">", header_html, "</th>", cells, "</tr>");
  }

  std::string BreakdownTable(const Breakdown& breakdown) const {
    std::string out = absl::StrCat(
        "<section class=\"breakdown\" data-measure=\"", Escape(MeasureName(breakdown.measure())),
        "\" data-dimension=\"", Escape(DimensionName(breakdown.dimension())), "\"><h3>",
        Escape(BreakdownTitle(messages_, breakdown)),
        "</h3>\n<table>\n<thead><tr><th scope=\"col\">",
        Escape(DimensionColumn(messages_, breakdown.dimension())),
        "</th><th scope=\"col\" class=\"num\">",
        Escape(MeasureUnit(messages_, breakdown.measure())), "</th></tr></thead>\n<tbody>\n");
    for (const consular::v1::Cell& cell : breakdown.cells()) {
      absl::StrAppend(&out,
                      Row(Escape(CategoryLabel(messages_, breakdown.dimension(), cell.category())),
                          {&cell.figure()}, true),
                      "\n");
    }
    if (breakdown.cells().empty()) {
      absl::StrAppend(&out, "<tr><td colspan=\"2\">", Html("table.no_categories"), "</td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody>\n<tfoot>", Row(Html("table.total"), {&breakdown.total()}, true),
                    "</tfoot>\n</table>\n");
    const std::string note = BreakdownNote(messages_, breakdown);
    if (!note.empty()) absl::StrAppend(&out, "<p class=\"table-note\">", Escape(note), "</p>\n");
    absl::StrAppend(&out, "</section>\n");
    return out;
  }

  // In the overlap year of a change of counting definitions: the contacts as the previous
  // definitions counted them, each table beside the same one under the current definitions.
  std::string PreviousDefinition() const {
    const consular::v1::PreviousDefinitionFigures& previous = statistics_.previous_definition();
    const std::string then = Escape(previous.definition_version());
    const std::string now = Escape(statistics_.definition_version());
    std::string out =
        absl::StrCat("<section id=\"previous-definition\" data-definition-version=\"", then,
                     "\"><h3>", Html("previous.heading", then, now),
                     "</h3>\n<p class=\"table-note\">", Html("previous.note", then, now), "</p>\n");
    for (const Breakdown& b : previous.breakdowns()) {
      const Breakdown* current = nullptr;
      for (const Breakdown& c : statistics_.breakdowns()) {
        if (c.measure() == b.measure() && c.dimension() == b.dimension()) current = &c;
      }
      const auto figure_of = [&](const std::string& category) -> const Figure* {
        if (current == nullptr) return nullptr;
        for (const consular::v1::Cell& cell : current->cells()) {
          if (cell.category() == category) return &cell.figure();
        }
        return nullptr;
      };
      // A figure the current tables do not hold (none should be missing) shows as a dash.
      const auto row = [&](const std::string& header_html, const Figure* current_figure,
                           const Figure& previous_figure) {
        const bool suppressed = (current_figure != nullptr && current_figure->suppressed()) ||
                                previous_figure.suppressed();
        return absl::StrCat("<tr", suppressed ? " class=\"suppressed\"" : "", "><th scope=\"row\">",
                            header_html, "</th><td class=\"num\">",
                            current_figure == nullptr ? "\u2013" : FigureHtml(*current_figure),
                            "</td><td class=\"num\">", FigureHtml(previous_figure), "</td></tr>");
      };
      absl::StrAppend(
          &out, "<section class=\"breakdown\" data-measure=\"", Escape(MeasureName(b.measure())),
          "\" data-dimension=\"", Escape(DimensionName(b.dimension())),
          "\" data-definition-version=\"", then, "\"><h4>",
          Html("previous.title", now, then, Escape(DimensionHeading(messages_, b.dimension()))),
          "</h4>\n<table>\n<thead><tr><th scope=\"col\">",
          Escape(DimensionColumn(messages_, b.dimension())),
          "</th><th scope=\"col\" class=\"num\">", Html("previous.column_now", now),
          "</th><th scope=\"col\" class=\"num\">", Html("previous.column_then", then),
          "</th></tr></thead>\n<tbody>\n");
      for (const consular::v1::Cell& cell : b.cells()) {
        absl::StrAppend(&out,
                        row(Escape(CategoryLabel(messages_, b.dimension(), cell.category())),
                            figure_of(cell.category()), cell.figure()),
                        "\n");
      }
      absl::StrAppend(
          &out, "</tbody>\n<tfoot>",
          row(Html("table.total"), current == nullptr ? nullptr : &current->total(), b.total()),
          "</tfoot>\n</table>\n</section>\n");
    }
    absl::StrAppend(&out, "</section>\n");
    return out;
  }

  std::string HistoryTable() const {
    std::string out = absl::StrCat(
        "<section class=\"breakdown\" data-measure=\"MEASURE_CASES_OPENED\" "
        "data-dimension=\"HISTORY\"><h3>",
        Html("history.title"), "</h3>\n");
    if (dossier_.history().empty()) {
      absl::StrAppend(&out, "<p>", Html("history.not_available"), "</p></section>\n");
      return out;
    }
    absl::StrAppend(&out, "<table>\n<thead><tr><th scope=\"col\">", Html("history.year"),
                    "</th><th scope=\"col\" class=\"num\">", Html("category.CASE_TYPE_ABANDONMENT"),
                    "</th><th scope=\"col\" class=\"num\">",
                    Html("category.CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION"),
                    "</th><th scope=\"col\" class=\"num\">", Html("table.total"),
                    "</th></tr></thead>\n<tbody>\n");
    for (const YearByType& year : dossier_.history()) {
      absl::StrAppend(&out,
                      Row(absl::StrCat(year.year()),
                          {&year.abandonment(), &year.divorce_recognition(), &year.total()}, false),
                      "\n");
    }
    absl::StrAppend(&out, "</tbody>\n</table>\n</section>\n");
    return out;
  }

  // A date as <time>, in words.
  std::string TimeHtml(const consular::v1::Date& date, absl::string_view unset_id) const {
    return absl::StrCat("<time datetime=\"", Escape(FormatDate(date)), "\">",
                        IsSet(date) ? Escape(DateInWords(messages_, date)) : Html(unset_id),
                        "</time>");
  }

  std::string Talks() const {
    std::string out = absl::StrCat("<section id=\"talks\"><h2>", Html("talks.heading"), "</h2>\n");
    if (dossier_.talks().empty()) {
      absl::StrAppend(&out, "<p class=\"no-talks\">", Html("talks.none"), "</p>\n</section>\n");
      return out;
    }
    auto item = [this](absl::string_view term_id, absl::string_view dd_attributes,
                       const std::string& html) {
      return absl::StrCat("<dt>", Html(term_id), "</dt><dd", dd_attributes, ">", html, "</dd>");
    };
    auto or_none = [this](const std::string& text) {
      return text.empty() ? Html("talks.none_recorded") : Escape(text);
    };
    absl::StrAppend(&out, "<ol class=\"timeline\">\n");
    for (const Talk& talk : dossier_.talks()) {
      std::vector<std::string> topics;
      for (int topic : talk.topics()) topics.push_back(TalkTopicLabel(messages_, topic));
      const std::string level = Escape(TalkLevelLabel(messages_, talk.level()));
      std::string follow_up = or_none(talk.follow_up());
      if (IsSet(talk.follow_up_due())) {
        absl::StrAppend(&follow_up, " <span class=\"due\">",
                        Html("talks.due", TimeHtml(talk.follow_up_due(), "date.not_recorded")),
                        "</span>");
      }
      absl::StrAppend(
          &out, "<li class=\"talk\"><h3>",
          Html("talks.title", TimeHtml(talk.held_on(), "talks.date_not_recorded"), level),
          "</h3>\n<dl>", item("talks.level", "", level),
          item("talks.topics", "",
               or_none(absl::StrJoin(topics, messages_.Text("list.separator")))),
          item("talks.summary", " class=\"text\"", Escape(talk.summary())),
          item("talks.outcome", " class=\"text\"", or_none(talk.outcome())),
          item("talks.follow_up", " class=\"text\"", follow_up), "</dl></li>\n");
    }
    absl::StrAppend(&out, "</ol>\n</section>\n");
    return out;
  }

  std::string SmallNumbersNote() const {
    // Every paragraph may use $0 (the largest count not shown), $1 (the mark), $2 (threshold).
    const std::string mark = Html("figure.suppressed_mark");
    auto paragraph = [&](absl::string_view id) {
      return absl::StrCat("<p>", Html(id, threshold_ - 1, mark, threshold_), "</p>\n");
    };
    return absl::StrCat(
        "<section id=\"small-numbers\" class=\"note\"><h2>", Html("note.heading"), "</h2>\n",
        paragraph("note.threshold"), paragraph("note.mark"), paragraph("note.median"),
        paragraph(statistics_.rounded_to_base5() ? "note.rounded" : "note.not_rounded"),
        "</section>\n");
  }

  const CountryDossier& dossier_;
  const CountryStatistics& statistics_;
  const DossierMessages& messages_;
  const int threshold_;
  const std::string country_;
  const std::string period_words_;
};

}  // namespace

std::string RenderDossierHtml(const CountryDossier& dossier) {
  return RenderDossierHtml(dossier, DossierMessages::English());
}

std::string RenderDossierHtml(const CountryDossier& dossier, const DossierMessages& messages) {
  return Page(dossier, messages).Render();
}

}  // namespace consular::stats

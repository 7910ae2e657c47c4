#pragma once

#include <string>

#include "consular/v1/statistics.pb.h"
#include "services/stats/dossier_messages.h"

namespace consular::stats {

// Renderers of a country dossier (docs/statistics.md, ReportService): HTML in dossier_html.cc
// (texts from dossier_messages.cc, style sheet in dossier_style.h, charts through svg_chart.h),
// CSV in dossier_csv.cc, JSON in dossier_json.cc. Pure functions: no I/O, no clock, no
// randomness; the same dossier always gives the same bytes.
//
// `dossier` is already disclosure-protected: these functions render what it says and compute
// nothing that could undo the protection. A suppressed figure is never shown as 0 (nor as its
// `value`, which is ignored): it is shown as "x" (the catalogue's mark) with a footnote (the note
// explains it may be a count below statistics.threshold, 5 when unset, or a larger figure withheld
// to protect one), drawn as a hatched placeholder bar of fixed size labelled "x", and exported with
// an empty value and suppressed=true.

// Returns one self-contained HTML document (UTF-8), in English: inline CSS, inline SVG charts, no
// script and no external resource, printable on A4. Every string taken from the dossier is
// HTML-escaped. The five charts are <svg class="chart" data-chart="NAME"> with NAME one of
// cases-per-year-by-type, outcomes, recognition, age-groups, contacts-by-partner-kind; their data
// marks are <rect class="bar ..."> (class "bar suppressed" for a suppressed figure). In the
// overlap year of a change of counting definitions, <section id="previous-definition"> sets each
// table of the contacts as the previous definitions counted them beside the same table now.
std::string RenderDossierHtml(const consular::v1::CountryDossier& dossier);

// The same page with every text a reader sees taken from `messages` (and <html lang> its
// language): a page in another language needs only another catalogue.
std::string RenderDossierHtml(const consular::v1::CountryDossier& dossier,
                              const DossierMessages& messages);

// Returns RFC 4180 CSV (CRLF line ends, fields quoted when they hold a comma, quote, CR or LF)
// with the header `section,measure,dimension,category,value,suppressed`. Rows, in order:
//   meta,NAME,,,VALUE,                     COUNTRY, PERIOD ("2026", "2026-Q2",
//                                          "2025-01-01/2026-06-30"), THRESHOLD,
//                                          ROUNDED_TO_BASE5, AS_OF, LAG_SECONDS, GENERATED_AT,
//                                          DEFINITION_VERSION (of the counting definitions)
//   headline,MEASURE_*,,,VALUE,SUPPRESSED  and headline,MEDIAN_DAYS_TO_RESOLUTION,,,...
//   breakdown,MEASURE_*,DIMENSION_*,CATEGORY,VALUE,SUPPRESSED  every cell, then CATEGORY=TOTAL
//   definition:V,MEASURE_CONTACTS,...      in the overlap year of a change of definitions, the
//                                          contacts as version V counted them: the total (no
//                                          dimension), then each breakdown as above
//   history:YEAR,MEASURE_CASES_OPENED,DIMENSION_CASE_TYPE,CASE_TYPE_*|TOTAL,VALUE,SUPPRESSED
//   talk,HELD_ON,TALK_LEVEL_*,TOPIC;TOPIC,SUMMARY,OUTCOME,FOLLOW_UP,FOLLOW_UP_DUE  (8 fields)
// Names are the proto enum names, as in the JSON. A suppressed figure has an empty value and
// suppressed=true; a published one its value and suppressed=false. Dates are YYYY-MM-DD.
std::string RenderDossierCsv(const consular::v1::CountryDossier& dossier);

// Returns the dossier as pretty-printed proto3 JSON (lowerCamelCase field names, enum names,
// default values omitted so that a suppressed figure has no "value"). Returns an empty string
// when the message cannot be printed as JSON (a Timestamp or Duration out of the JSON range).
std::string RenderDossierJson(const consular::v1::CountryDossier& dossier);

}  // namespace consular::stats

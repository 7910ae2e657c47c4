// The country dossier as RFC 4180 CSV (dossier_render.h), proto enum names and codes only: the
// same in every language.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "consular/v1/statistics.pb.h"
#include "services/stats/dossier_format.h"
#include "services/stats/dossier_render.h"

namespace consular::stats {

using consular::v1::Breakdown;
using consular::v1::CountryDossier;
using consular::v1::CountryStatistics;
using consular::v1::Figure;
using consular::v1::Talk;
using consular::v1::YearByType;

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
  const std::string country = DossierCountry(dossier);
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
  AppendCsvRow(&out, {"meta", "DEFINITION_VERSION", "", "", statistics.definition_version(), ""});

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

  if (statistics.has_previous_definition()) {
    const consular::v1::PreviousDefinitionFigures& previous = statistics.previous_definition();
    const std::string section = absl::StrCat("definition:", previous.definition_version());
    AppendFigureRow(&out, section, MeasureName(consular::v1::MEASURE_CONTACTS), "", "",
                    previous.contacts());
    for (const Breakdown& breakdown : previous.breakdowns()) {
      const std::string measure = MeasureName(breakdown.measure());
      const std::string dimension = DimensionName(breakdown.dimension());
      for (const consular::v1::Cell& cell : breakdown.cells()) {
        AppendFigureRow(&out, section, measure, dimension, cell.category(), cell.figure());
      }
      AppendFigureRow(&out, section, measure, dimension, "TOTAL", breakdown.total());
    }
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
    AppendCsvRow(&out, {"talk", FormatDate(talk.held_on()),
                        EnumNameOr(consular::v1::TalkLevel_Name(talk.level()), talk.level()),
                        absl::StrJoin(topics, ";"), talk.summary(), talk.outcome(),
                        talk.follow_up(), FormatDate(talk.follow_up_due())});
  }
  return out;
}

}  // namespace consular::stats

// services/stats/dossier_render: the country dossier's CSV encoder over any CountryDossier (binary
// wire form). The figures and talks come from the database, but the talks' texts (summaries,
// outcomes, follow-ups) were typed by users: the encoder must keep them data. The CSV is RFC 4180:
// it parses back into the rows the header promises, 6 fields each (8 for a talk), and every talk's
// texts come back as given (with an apostrophe in front of one that looks like a formula).
#include <string>
#include <vector>

#include "services/stats/dossier_render.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/proto_input.h"

namespace {

namespace v1 = consular::v1;

// RFC 4180 records; FUZZ_CHECK fails on anything else (CRLF line ends, quoting as the RFC says).
std::vector<std::vector<std::string>> ParseCsv(const std::string& csv) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  size_t i = 0;
  while (i < csv.size()) {
    std::string field;
    if (csv[i] == '"') {
      ++i;
      while (true) {
        FUZZ_CHECK(i < csv.size());  // an unterminated quoted field
        if (csv[i] == '"') {
          if (i + 1 < csv.size() && csv[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += csv[i++];
      }
    } else {
      while (i < csv.size() && csv[i] != ',' && csv[i] != '\r') {
        FUZZ_CHECK(csv[i] != '"' && csv[i] != '\n');
        field += csv[i++];
      }
    }
    record.push_back(field);
    FUZZ_CHECK(i < csv.size());  // every record ends with CRLF
    if (csv[i] == ',') {
      ++i;
      continue;
    }
    FUZZ_CHECK(csv.compare(i, 2, "\r\n") == 0);
    i += 2;
    records.push_back(std::move(record));
    record.clear();
  }
  return records;
}

// A text cell as the CSV holds it: one a spreadsheet would run as a formula (starting with =, +,
// -, @, tab or CR) gets a leading apostrophe.
std::string AsCell(const std::string& text) {
  if (!text.empty() && std::string("=+-@\t\r").find(text.front()) != std::string::npos) {
    return "'" + text;
  }
  return text;
}

void CheckCsv(const v1::CountryDossier& dossier) {
  const std::string csv = consular::stats::RenderDossierCsv(dossier);
  const std::vector<std::vector<std::string>> records = ParseCsv(csv);
  size_t expected = 1 + 8 + 5 + 3 * dossier.history_size() + dossier.talks_size();
  for (const v1::Breakdown& b : dossier.statistics().breakdowns()) expected += b.cells_size() + 1;
  if (dossier.statistics().has_previous_definition()) {
    const v1::PreviousDefinitionFigures& previous = dossier.statistics().previous_definition();
    expected += 1;
    for (const v1::Breakdown& b : previous.breakdowns()) expected += b.cells_size() + 1;
  }
  FUZZ_CHECK(records.size() == expected);
  FUZZ_CHECK(records[0] == (std::vector<std::string>{"section", "measure", "dimension", "category",
                                                     "value", "suppressed"}));
  int talk = 0;
  for (size_t r = 1; r < records.size(); ++r) {
    const std::vector<std::string>& record = records[r];
    if (record[0] == "talk") {
      FUZZ_CHECK(record.size() == 8);
      const v1::Talk& t = dossier.talks(talk++);
      FUZZ_CHECK(record[4] == AsCell(t.summary()) && record[5] == AsCell(t.outcome()) &&
                 record[6] == AsCell(t.follow_up()));
    } else {
      FUZZ_CHECK(record.size() == 6);
      if (record[0] != "meta") {
        // A figure: suppressed ones have no value, published ones a number.
        FUZZ_CHECK(record[5] == "true" || record[5] == "false");
        FUZZ_CHECK((record[5] == "true") == record[4].empty());
      }
    }
  }
  FUZZ_CHECK(talk == dossier.talks_size());
}

}  // namespace

CONSULAR_FUZZ_TARGET(dossier_csv) {
  v1::CountryDossier dossier;
  if (!consular::fuzz::ParseProto(std::string(reinterpret_cast<const char*>(data), size),
                                  &dossier)) {
    return;
  }
  CheckCsv(dossier);
}

// A release's year of a country as JSON (YearJson) and back (AddYearJson): every figure and day
// comes back as stored, the JSON reads as a document parser reads it (keys in any order, spaced
// as PostgreSQL writes it, unknown keys and trailing fields skipped), and anything else is
// refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "services/stats/linked_tables.h"

namespace consular::stats {
namespace {

// What reading a year meant before it was read without building the document: the whole
// document parsed, then its figures and days taken out.
bool AddYearJsonByDocument(const std::string& json, ReleasedCountry* country) {
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("year") || !doc["year"].is_number_integer()) return false;
  const int year = doc["year"].get<int>();
  try {
    for (const auto& f : doc.at("figures")) {
      country->figures[FigureKey(year, f.at(0).get<int>(), f.at(1).get<std::string>(),
                                 f.at(2).get<std::string>(), f.at(3).get<std::string>())] =
          Released{f.at(4).get<int64_t>(), f.at(5).get<bool>()};
    }
    for (const auto& d : doc.at("days")) {
      country->days[{year, d.at(0).get<int>()}].emplace_back(d.at(1).get<int64_t>(),
                                                             d.at(2).get<int64_t>());
    }
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

void ExpectSame(const ReleasedCountry& got, const ReleasedCountry& want) {
  EXPECT_EQ(got.days, want.days);
  ASSERT_EQ(got.figures.size(), want.figures.size());
  for (auto g = got.figures.begin(), w = want.figures.begin(); g != got.figures.end(); ++g, ++w) {
    EXPECT_TRUE(g->first == w->first)
        << g->first.year << " " << g->first.slot << " " << g->first.measure << " "
        << g->first.dimension << " " << g->first.category;
    EXPECT_EQ(g->second.value, w->second.value);
    EXPECT_EQ(g->second.suppressed, w->second.suppressed);
  }
}

// A country over 2019..2026 with figures of every kind of key, values of every size (a few
// hidden) and days to resolution per quarter.
ReleasedCountry RandomCountry(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> measures = {"MEASURE_CASES_OPENED", "MEASURE_CASES_RESOLVED",
                                             "MEASURE_CONTACTS", "MEASURE_CONTACTS@1",
                                             "MEASURE_CASES_UNRESOLVED"};
  const std::vector<std::pair<std::string, std::string>> cells = {
      {"TOTAL", "*"},
      {"DIMENSION_CASE_TYPE", "CASE_TYPE_ABANDONMENT"},
      {"DIMENSION_OUTCOME", "OUTCOME_RETURNED_TO_NL"},
      {"DIMENSION_RECOGNITION_DECISION", "RECOGNITION_DECISION_REFUSED"},
      {"DIMENSION_SEX", "SEX_FEMALE"},
      {"DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER \"of\" \\ the\tcourt"}};
  std::uniform_int_distribution<int> slot(0, kSlotYear);
  std::uniform_int_distribution<int64_t> value(0, 5000000000LL);
  ReleasedCountry c;
  c.first_year = 2019;
  c.last_year = 2026;
  for (int y = 2018; y <= 2026; ++y) {
    for (int i = 0; i < 300; ++i) {
      const auto& [d, category] = cells[rng() % cells.size()];
      c.figures[FigureKey(y, slot(rng), measures[rng() % measures.size()], d, category)] =
          Released{value(rng) % (i % 3 == 0 ? 5 : 100000), rng() % 4 == 0};
    }
    for (int q = 0; q < 4; ++q) {
      for (int64_t d = 0; d < 40; d += 1 + static_cast<int64_t>(rng() % 7)) {
        c.days[{y, q}].emplace_back(d, 1 + static_cast<int64_t>(rng() % 9));
      }
    }
  }
  return c;
}

TEST(YearJsonTest, EveryFigureAndDayComesBackAsStored) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const ReleasedCountry stored = RandomCountry(seed);
    ReleasedCountry read, by_document;
    for (int y = 2018; y <= 2026; ++y) {
      const std::string json = YearJson(stored, y);
      ASSERT_TRUE(AddYearJson(json, &read)) << json.substr(0, 200);
      ASSERT_TRUE(AddYearJsonByDocument(json, &by_document));
    }
    ExpectSame(read, stored);
    ExpectSame(read, by_document);
  }
}

TEST(YearJsonTest, ReadsAsTheDocumentParserReads) {
  const std::vector<std::string> documents = {
      // As PostgreSQL's json_build_object writes it (migration 0028): another order, spaced.
      R"({"year" : 2025, "figures" : [[12,"MEASURE_CASES_OPENED","TOTAL","*",7,false], )"
      R"([16,"MEASURE_CASES_RESOLVED","DIMENSION_OUTCOME","OUTCOME_RETURNED_TO_NL",2,true]], )"
      R"("days" : []})",
      // Unknown keys, of every kind, anywhere; fields past the sixth (or third) skipped.
      R"({"note": {"a": [1, {"b": null}], "c": "x"}, "days": [[1, 30, 2, "more"], [1, 31, 1]],)"
      R"( "figures": [[3, "M", "D", "C", 4, false, 9, "extra"]], "made": 1.5, "year": 2020,)"
      R"( "list": [[1], [2, [3]]], "flag": true, "nothing": null})",
      // A large year and value; nothing at all.
      R"({"days": [], "figures": [[16, "M", "TOTAL", "*", 9007199254740993, true]], "year": 2100})",
      R"({"days": [], "figures": [], "year": 2001})"};
  for (const std::string& json : documents) {
    ReleasedCountry read, by_document;
    ASSERT_TRUE(AddYearJsonByDocument(json, &by_document)) << json;
    ASSERT_TRUE(AddYearJson(json, &read)) << json;
    ExpectSame(read, by_document);
  }
  ReleasedCountry read;
  ASSERT_TRUE(AddYearJson(documents[1], &read));
  ASSERT_EQ(read.figures.size(), 1u);
  EXPECT_EQ(read.figures.begin()->first.year, 2020);
  EXPECT_EQ(read.figures.begin()->first.category, "C");
  EXPECT_EQ(read.figures.begin()->second.value, 4);
  EXPECT_EQ((read.days.at({2020, 1})),
            (std::vector<std::pair<int64_t, int64_t>>{{30, 2}, {31, 1}}));
}

TEST(YearJsonTest, AnythingElseIsRefused) {
  const std::vector<std::string> documents = {
      "",
      "[]",
      "2025",
      R"({"days": [], "figures": []})",                  // no year
      R"({"days": [], "figures": [], "year": 2025.5})",  // not a whole year
      R"({"days": [], "figures": [], "year": "2025"})",
      R"({"days": [], "year": 2025})",     // no figures
      R"({"figures": [], "year": 2025})",  // no days
      R"({"days": [], "figures": 5, "year": 2025})",
      R"({"days": [], "figures": [5], "year": 2025})",
      R"({"days": [], "figures": [[16, "M", "D", "C", 4]], "year": 2025})",  // five fields
      R"({"days": [], "figures": [[16, "M", "D", 3, 4, false]], "year": 2025})",
      R"({"days": [], "figures": [["16", "M", "D", "C", 4, false]], "year": 2025})",
      R"({"days": [], "figures": [[16, "M", "D", "C", "4", false]], "year": 2025})",
      R"({"days": [], "figures": [[16, "M", "D", "C", 4, 0]], "year": 2025})",
      R"({"days": [], "figures": [{"slot": 16}], "year": 2025})",
      R"({"days": [[1, 2]], "figures": [], "year": 2025})",
      R"({"days": [[1, "2", 3]], "figures": [], "year": 2025})",
      R"({"days": [], "figures": [[16, "M", "D", "C", 4, false]], "year": 2025)",  // cut short
      R"({"days": [], "figures": [], "year": 2025} {})",
  };
  for (const std::string& json : documents) {
    ReleasedCountry read;
    EXPECT_FALSE(AddYearJson(json, &read)) << json;
  }
}

}  // namespace
}  // namespace consular::stats

// Publishing figures from rollups (services/stats/publisher.h): the figures of a year, a quarter,
// a range of quarters and a time series from hand-made counts, and, over random countries, the
// disclosure-control properties of everything published.
#include "services/stats/publisher.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/stats/rollups.h"

namespace consular::stats {
namespace {

using consular::v1::CountryStatistics;
using consular::v1::Figure;
using consular::v1::Period;

void AddMonth(CountryCounts* counts, int year, int month, const std::string& measure,
              const std::string& dimension, const std::string& category, int64_t n) {
  counts->Add({"MA", year, month, measure, dimension, category, n});
}

// Published value, or -1 when suppressed.
int64_t Value(const Figure& f) { return f.suppressed() ? -1 : f.value(); }

int64_t CellOf(const CountryStatistics& s, const std::string& measure, const std::string& dimension,
               const std::string& category) {
  for (const auto& b : s.breakdowns()) {
    if (Measure_Name(b.measure()) != measure || Dimension_Name(b.dimension()) != dimension)
      continue;
    if (category == "TOTAL") return Value(b.total());
    for (const auto& c : b.cells()) {
      if (c.category() == category) return Value(c.figure());
    }
  }
  return -2;  // not there
}

Period Year(int y) {
  Period p;
  p.set_year(y);
  return p;
}
Period Quarter(int y, int q) {
  Period p;
  p.mutable_quarter()->set_year(y);
  p.mutable_quarter()->set_quarter(q);
  return p;
}
Period Range(int y1, int m1, int d1, int y2, int m2, int d2) {
  Period p;
  auto* from = p.mutable_range()->mutable_from();
  from->set_year(y1);
  from->set_month(m1);
  from->set_day(d1);
  auto* to = p.mutable_range()->mutable_to();
  to->set_year(y2);
  to->set_month(m2);
  to->set_day(d2);
  return p;
}

// The hand-made country: 2025 in Morocco, with what came before.
CountryCounts HandCounts() {
  CountryCounts c;
  const std::string o = kOpened, r = kResolved, t = "DIMENSION_CASE_TYPE";
  for (const auto& [m, n] : std::map<int, int>{{1, 3}, {2, 2}, {4, 6}, {11, 1}}) {
    AddMonth(&c, 2025, m, o, kTotal, kAll, n);
  }
  for (const auto& [m, n] : std::map<int, int>{{1, 2}, {2, 2}, {4, 4}, {11, 1}}) {
    AddMonth(&c, 2025, m, o, t, "CASE_TYPE_ABANDONMENT", n);
  }
  AddMonth(&c, 2025, 1, o, t, "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION", 1);
  AddMonth(&c, 2025, 4, o, t, "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION", 2);
  AddMonth(&c, 2025, 1, o, "DIMENSION_RECOGNITION_DECISION", "RECOGNITION_DECISION_REFUSED", 1);
  AddMonth(&c, 2025, 4, o, "DIMENSION_RECOGNITION_DECISION", "RECOGNITION_DECISION_REFUSED", 1);
  AddMonth(&c, 2025, 4, o, "DIMENSION_RECOGNITION_DECISION", "RECOGNITION_DECISION_UNSPECIFIED", 1);
  AddMonth(&c, 2025, 4, r, kTotal, kAll, 2);
  AddMonth(&c, 2025, 4, r, t, "CASE_TYPE_ABANDONMENT", 2);
  AddMonth(&c, 2025, 4, r, "DIMENSION_OUTCOME", "OUTCOME_RETURNED_TO_NL", 2);
  AddMonth(&c, 2025, 4, r, kDays, "10", 1);
  AddMonth(&c, 2025, 4, r, kDays, "30", 1);
  // The children of the abandonment cases opened, the funding of the two returns, the stages of
  // the divorce-recognition cases opened.
  const std::string children = "DIMENSION_CHILDREN";
  AddMonth(&c, 2025, 1, o, children, "CHILDREN_ONE", 2);
  AddMonth(&c, 2025, 2, o, children, "CHILDREN_NONE", 2);
  AddMonth(&c, 2025, 4, o, children, "CHILDREN_NONE", 1);
  AddMonth(&c, 2025, 4, o, children, "CHILDREN_TWO", 2);
  AddMonth(&c, 2025, 4, o, children, "CHILDREN_THREE_OR_MORE", 1);
  AddMonth(&c, 2025, 11, o, children, "CHILDREN_UNKNOWN", 1);
  AddMonth(&c, 2025, 4, r, "DIMENSION_RETURN_FUNDING", "RETURN_FUNDING_FAMILY", 1);
  AddMonth(&c, 2025, 4, r, "DIMENSION_RETURN_FUNDING", "RETURN_FUNDING_CONSULAR_LOAN", 1);
  const std::string stage = "DIMENSION_RECOGNITION_STAGE";
  AddMonth(&c, 2025, 1, o, stage, "PROCEEDINGS_STAGE_DECISION", 1);
  AddMonth(&c, 2025, 4, o, stage, "PROCEEDINGS_STAGE_FILED", 1);
  AddMonth(&c, 2025, 4, o, stage, "PROCEEDINGS_STAGE_UNSPECIFIED", 1);
  AddMonth(&c, 2025, 3, kContacts, kTotal, kAll, 4);
  AddMonth(&c, 2025, 3, kContacts, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER", 3);
  AddMonth(&c, 2025, 3, kContacts, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_SHELTER", 1);
  // Those four contacts are of three cases: two had the three with lawyers.
  for (const int slot : {2, storage::kFirstQuarterSlot, storage::kYearSlot}) {
    c.AddContactCases({"MA", 2025, slot, kTotal, kAll, 3});
    c.AddContactCases({"MA", 2025, slot, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER", 2});
    c.AddContactCases({"MA", 2025, slot, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_SHELTER", 1});
  }
  c.AddBefore({"MA", 0, 0, o, kTotal, kAll, 4});
  c.AddBefore({"MA", 0, 0, r, kTotal, kAll, 1});
  c.AddBefore({"MA", 0, 0, o, t, "CASE_TYPE_ABANDONMENT", 4});
  c.AddBefore({"MA", 0, 0, r, t, "CASE_TYPE_ABANDONMENT", 1});
  return c;
}

PublishOptions Unprotected() {
  PublishOptions options;
  options.unprotected = true;
  return options;
}

TEST(PublisherTest, AQuarterMatchesTheHandComputedFigures) {
  const CountryStatistics s = Publish("MA", Quarter(2025, 2), HandCounts(), {}, Unprotected());
  EXPECT_EQ(Value(s.cases_opened()), 6);
  EXPECT_EQ(Value(s.cases_resolved()), 2);
  // Cases unresolved are published at the year's end only (see the year below).
  EXPECT_TRUE(s.cases_unresolved().suppressed());
  EXPECT_EQ(Value(s.contacts()), 0);
  EXPECT_EQ(Value(s.median_days_to_resolution()), 20);
  const std::string o = kOpened, r = kResolved;
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CASE_TYPE", "CASE_TYPE_ABANDONMENT"), 4);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CASE_TYPE", "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION"), 2);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CASE_TYPE", "TOTAL"), 6);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_RECOGNITION_DECISION", "RECOGNITION_DECISION_REFUSED"), 1);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_RECOGNITION_DECISION", "RECOGNITION_DECISION_GRANTED"), 0);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_RECOGNITION_DECISION", "RECOGNITION_DECISION_UNSPECIFIED"), 1);
  // The recognition breakdown's total is the divorce-recognition cases.
  EXPECT_EQ(CellOf(s, o, "DIMENSION_RECOGNITION_DECISION", "TOTAL"), 2);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_MONTH", "2025-04"), 6);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_MONTH", "2025-05"), 0);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_MONTH", "2025-03"), -2);
  EXPECT_EQ(CellOf(s, r, "DIMENSION_OUTCOME", "OUTCOME_RETURNED_TO_NL"), 2);
  EXPECT_EQ(CellOf(s, "MEASURE_CASES_UNRESOLVED", "DIMENSION_CASE_TYPE", "CASE_TYPE_ABANDONMENT"),
            -1);
  // Every category is listed, zeros included.
  EXPECT_EQ(CellOf(s, o, "DIMENSION_SEX", "SEX_X"), 0);
}

// Children, return funding and proceedings stage each divide a cell of another table: their
// totals are the abandonment cases opened, the returns, the divorce-recognition cases opened.
TEST(PublisherTest, TheNewBreakdownsDivideTheirPopulations) {
  const CountryStatistics s = Publish("MA", Quarter(2025, 2), HandCounts(), {}, Unprotected());
  const std::string o = kOpened, r = kResolved;
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CHILDREN", "CHILDREN_NONE"), 1);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CHILDREN", "CHILDREN_ONE"), 0);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CHILDREN", "CHILDREN_TWO"), 2);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CHILDREN", "CHILDREN_THREE_OR_MORE"), 1);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CHILDREN", "CHILDREN_UNKNOWN"), 0);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CHILDREN", "TOTAL"),
            CellOf(s, o, "DIMENSION_CASE_TYPE", "CASE_TYPE_ABANDONMENT"));
  EXPECT_EQ(CellOf(s, o, "DIMENSION_CHILDREN", "TOTAL"), 4);
  EXPECT_EQ(CellOf(s, r, "DIMENSION_RETURN_FUNDING", "RETURN_FUNDING_FAMILY"), 1);
  EXPECT_EQ(CellOf(s, r, "DIMENSION_RETURN_FUNDING", "RETURN_FUNDING_CONSULAR_LOAN"), 1);
  EXPECT_EQ(CellOf(s, r, "DIMENSION_RETURN_FUNDING", "RETURN_FUNDING_OWN_MEANS"), 0);
  EXPECT_EQ(CellOf(s, r, "DIMENSION_RETURN_FUNDING", "RETURN_FUNDING_UNSPECIFIED"), 0);
  EXPECT_EQ(CellOf(s, r, "DIMENSION_RETURN_FUNDING", "TOTAL"),
            CellOf(s, r, "DIMENSION_OUTCOME", "OUTCOME_RETURNED_TO_NL"));
  EXPECT_EQ(CellOf(s, r, "DIMENSION_RETURN_FUNDING", "TOTAL"), 2);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_RECOGNITION_STAGE", "PROCEEDINGS_STAGE_FILED"), 1);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_RECOGNITION_STAGE", "PROCEEDINGS_STAGE_DECISION"), 0);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_RECOGNITION_STAGE", "PROCEEDINGS_STAGE_UNSPECIFIED"), 1);
  EXPECT_EQ(CellOf(s, o, "DIMENSION_RECOGNITION_STAGE", "TOTAL"), 2);
  // Every category, in enum order, "not recorded" last.
  std::vector<std::string> stages;
  for (const auto& b : s.breakdowns()) {
    if (b.dimension() != consular::v1::DIMENSION_RECOGNITION_STAGE) continue;
    for (const auto& c : b.cells()) stages.push_back(c.category());
  }
  EXPECT_EQ(stages, (std::vector<std::string>{
                        "PROCEEDINGS_STAGE_DOCUMENTS_GATHERED",
                        "PROCEEDINGS_STAGE_DOCUMENTS_LEGALISED", "PROCEEDINGS_STAGE_FILED",
                        "PROCEEDINGS_STAGE_HEARING", "PROCEEDINGS_STAGE_DECISION",
                        "PROCEEDINGS_STAGE_APPEAL", "PROCEEDINGS_STAGE_UNSPECIFIED"}));

  const CountryStatistics year = Publish("MA", Year(2025), HandCounts(), {}, Unprotected());
  EXPECT_EQ(CellOf(year, o, "DIMENSION_CHILDREN", "CHILDREN_NONE"), 3);
  EXPECT_EQ(CellOf(year, o, "DIMENSION_CHILDREN", "TOTAL"), 9);
  EXPECT_EQ(CellOf(year, o, "DIMENSION_RECOGNITION_STAGE", "TOTAL"), 3);
  // A time series of one of their categories reads the same tables.
  consular::v1::GetTimeSeriesRequest request;
  request.set_country("MA");
  request.set_measure(consular::v1::MEASURE_CASES_RESOLVED);
  request.set_interval(consular::v1::INTERVAL_QUARTER);
  request.set_from_year(2025);
  request.set_to_year(2025);
  request.set_dimension(consular::v1::DIMENSION_RETURN_FUNDING);
  request.set_category("RETURN_FUNDING_FAMILY");
  absl::StatusOr<consular::v1::TimeSeries> series =
      PublishTimeSeries(request, HandCounts(), Unprotected());
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->points_size(), 4);
  EXPECT_EQ(Value(series->points(1).figure()), 1);
  // Children are a breakdown of the cases opened, not of those resolved.
  request.set_dimension(consular::v1::DIMENSION_CHILDREN);
  request.set_category("CHILDREN_NONE");
  EXPECT_EQ(PublishTimeSeries(request, HandCounts(), Unprotected())
                .status()
                .message()
                .rfind("dimension:", 0),
            0u);
}

TEST(PublisherTest, TheMedianComesFromTheDaysOfThePeriodsQuarters) {
  const CountryCounts counts = HandCounts();
  // 10 and 30 days in April: the mean of the middle two, for the quarter and the year.
  EXPECT_EQ(
      Value(Publish("MA", Quarter(2025, 2), counts, {}, Unprotected()).median_days_to_resolution()),
      20);
  EXPECT_EQ(Value(Publish("MA", Year(2025), counts, {}, Unprotected()).median_days_to_resolution()),
            20);
  // None resolved: no median, marked rather than 0.
  EXPECT_TRUE(Publish("MA", Quarter(2025, 3), counts, {}, Unprotected())
                  .median_days_to_resolution()
                  .suppressed());
}

TEST(PublisherTest, AYearAndARangeMatchTheHandComputedFigures) {
  const CountryStatistics year = Publish("MA", Year(2025), HandCounts(), {}, Unprotected());
  EXPECT_EQ(Value(year.cases_opened()), 12);
  EXPECT_EQ(Value(year.cases_unresolved()), 13);
  // Contacts count the cases with a contact, not the contacts.
  EXPECT_EQ(Value(year.contacts()), 3);
  EXPECT_EQ(CellOf(year, kContacts, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER"), 2);
  EXPECT_EQ(CellOf(year, kOpened, "DIMENSION_MONTH", "2025-11"), 1);
  const CountryStatistics range =
      Publish("MA", Range(2025, 1, 1, 2025, 6, 30), HandCounts(), {}, Unprotected());
  EXPECT_EQ(Value(range.cases_opened()), 11);
  EXPECT_TRUE(range.cases_unresolved().suppressed());  // ends with a quarter, not a year
  EXPECT_EQ(CellOf(range, kOpened, "DIMENSION_CASE_TYPE", "CASE_TYPE_ABANDONMENT"), 8);
  EXPECT_EQ(range.breakdowns_size(), year.breakdowns_size());
}

TEST(PublisherTest, PeriodsThatCannotBePublishedAreRefusedByName) {
  const auto error = [](const Period& p) { return std::string(YearsOf(p).status().message()); };
  EXPECT_EQ(error(Period()).rfind("period:", 0), 0u);
  EXPECT_EQ(error(Year(1999)).rfind("period.year:", 0), 0u);
  EXPECT_EQ(error(Quarter(2025, 5)).rfind("period.quarter.quarter:", 0), 0u);
  EXPECT_EQ(error(Range(2025, 1, 2, 2025, 3, 31)).rfind("period.range.from:", 0), 0u);
  EXPECT_EQ(error(Range(2025, 2, 1, 2025, 3, 31)).rfind("period.range.from:", 0), 0u);
  EXPECT_EQ(error(Range(2025, 1, 1, 2025, 3, 30)).rfind("period.range.to:", 0), 0u);
  EXPECT_EQ(error(Range(2025, 1, 1, 2025, 5, 31)).rfind("period.range.to:", 0), 0u);
  EXPECT_EQ(error(Range(2025, 4, 1, 2025, 3, 31)).rfind("period.range.to:", 0), 0u);
  EXPECT_EQ(error(Range(2000, 1, 1, 2030, 12, 31)).rfind("period.range:", 0), 0u);
  EXPECT_TRUE(YearsOf(Range(2024, 10, 1, 2026, 6, 30)).ok());
}

TEST(PublisherTest, TimeSeriesReadTheSameTables) {
  consular::v1::GetTimeSeriesRequest request;
  request.set_country("MA");
  request.set_measure(consular::v1::MEASURE_CASES_OPENED);
  request.set_interval(consular::v1::INTERVAL_QUARTER);
  request.set_from_year(2025);
  request.set_to_year(2025);
  request.set_dimension(consular::v1::DIMENSION_CASE_TYPE);
  request.set_category("CASE_TYPE_ABANDONMENT");
  absl::StatusOr<consular::v1::TimeSeries> series =
      PublishTimeSeries(request, HandCounts(), Unprotected());
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->points_size(), 4);
  EXPECT_EQ(series->points(0).period(), "2025-Q1");
  EXPECT_EQ(Value(series->points(0).figure()), 4);
  EXPECT_EQ(Value(series->points(1).figure()), 4);
  EXPECT_EQ(Value(series->points(3).figure()), 1);

  request.set_interval(consular::v1::INTERVAL_MONTH);
  EXPECT_NE(
      PublishTimeSeries(request, HandCounts(), Unprotected()).status().message().find("interval:"),
      std::string::npos);
  request.clear_dimension();
  request.clear_category();
  series = PublishTimeSeries(request, HandCounts(), Unprotected());
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->points_size(), 12);
  EXPECT_EQ(series->points(3).period(), "2025-04");
  EXPECT_EQ(Value(series->points(3).figure()), 6);
  request.set_dimension(consular::v1::DIMENSION_OUTCOME);
  request.set_category("OUTCOME_REFUSED");
  request.set_interval(consular::v1::INTERVAL_YEAR);
  EXPECT_EQ(PublishTimeSeries(request, HandCounts(), Unprotected())
                .status()
                .message()
                .rfind("dimension:", 0),
            0u);
}

// A random country: cases and contacts over two years, counted as the rollups count them.
CountryCounts RandomCountry(std::mt19937& random, int cases) {
  const auto pick = [&](const std::vector<std::string>& from) {
    return from[random() % from.size()];
  };
  RollupDelta delta;
  // The cases with a contact per (year, slot, dimension, category), as the store counts them.
  std::map<std::tuple<int, int, std::string, std::string>, std::set<int>> persons;
  for (int i = 0; i < cases; ++i) {
    CaseFacts f;
    f.country = "MA";
    f.type = pick(CategoriesOf(consular::v1::DIMENSION_CASE_TYPE));
    // Skewed: most cases in a few months, so cells of all sizes occur.
    const int month = 1 + static_cast<int>(random() % 3) * static_cast<int>(random() % 5);
    f.opened = absl::CivilDay(2024 + static_cast<int>(random() % 2), month,
                              1 + static_cast<int>(random() % 28));
    // As the service keeps them: resolved cases are RESOLVED or CLOSED, the others open.
    if (random() % 3 == 0) {
      f.resolved = f.opened + static_cast<int>(random() % 200);
      f.outcome = pick(CategoriesOf(consular::v1::DIMENSION_OUTCOME));
      f.status = random() % 2 == 0 ? "CASE_STATUS_RESOLVED" : "CASE_STATUS_CLOSED";
    } else {
      f.status = pick({"CASE_STATUS_INTAKE", "CASE_STATUS_ACTIVE", "CASE_STATUS_ON_HOLD"});
    }
    f.age_group = pick(CategoriesOf(consular::v1::DIMENSION_AGE_GROUP));
    f.mother_with_minor_children = random() % 4 == 0;
    f.sex = pick(CategoriesOf(consular::v1::DIMENSION_SEX));
    f.nationality_status = pick(CategoriesOf(consular::v1::DIMENSION_NATIONALITY_STATUS));
    f.referral_source = pick(CategoriesOf(consular::v1::DIMENSION_REFERRAL_SOURCE));
    for (const std::string& flag : CategoriesOf(consular::v1::DIMENSION_RISK_FLAG)) {
      if (random() % 4 == 0) f.risk_flags.push_back(flag);
    }
    f.recognition_decision = pick(CategoriesOf(consular::v1::DIMENSION_RECOGNITION_DECISION));
    for (const std::string& o : CategoriesOf(consular::v1::DIMENSION_RECOGNITION_OBSTACLE)) {
      if (random() % 3 == 0) f.recognition_obstacles.push_back(o);
    }
    f.recognition_stage = pick(CategoriesOf(consular::v1::DIMENSION_RECOGNITION_STAGE));
    f.children = pick(CategoriesOf(consular::v1::DIMENSION_CHILDREN));
    f.return_funding = pick(CategoriesOf(consular::v1::DIMENSION_RETURN_FUNDING));
    delta.AddCase(f, +1);
    if (random() % 2 == 0) {
      ContactFacts c;
      c.id = absl::StrCat(i);
      c.day = f.opened + static_cast<int>(random() % 60);
      c.partner_kind = pick(CategoriesOf(consular::v1::DIMENSION_PARTNER_KIND));
      c.purpose = pick(CategoriesOf(consular::v1::DIMENSION_CONTACT_PURPOSE));
      delta.AddContact("MA", c, +1);
      const int year = static_cast<int>(c.day.year());
      const int month = c.day.month() - 1;
      for (const int slot : {month, storage::kFirstQuarterSlot + month / 3, storage::kYearSlot}) {
        persons[{year, slot, kTotal, kAll}].insert(i);
        persons[{year, slot, "DIMENSION_PARTNER_KIND", c.partner_kind}].insert(i);
        persons[{year, slot, "DIMENSION_CONTACT_PURPOSE", c.purpose}].insert(i);
      }
    }
  }
  CountryCounts counts;
  for (const storage::RollupRow& row : delta.Rows()) {
    if (row.year >= 2024) counts.Add(row);
  }
  for (const auto& [key, who] : persons) {
    const auto& [year, slot, dimension, category] = key;
    if (year < 2024) continue;
    counts.AddContactCases(
        {"MA", year, slot, dimension, category, static_cast<int64_t>(who.size())});
  }
  return counts;
}

// Every published figure of `s` with a label.
std::vector<std::pair<std::string, Figure>> AllFigures(const CountryStatistics& s) {
  std::vector<std::pair<std::string, Figure>> all = {{"opened", s.cases_opened()},
                                                     {"resolved", s.cases_resolved()},
                                                     {"unresolved", s.cases_unresolved()},
                                                     {"contacts", s.contacts()}};
  for (const auto& b : s.breakdowns()) {
    const std::string name =
        absl::StrCat(Measure_Name(b.measure()), "/", Dimension_Name(b.dimension()));
    all.emplace_back(name + "/TOTAL", b.total());
    for (const auto& c : b.cells()) all.emplace_back(name + "/" + c.category(), c.figure());
  }
  return all;
}

// Contacts count cases with a contact: neither over periods nor over partner kinds do they add
// up (a case counts in every quarter and under every kind it had contacts in).
bool IsAdditive(const consular::v1::Breakdown& b) {
  return b.measure() != consular::v1::MEASURE_CASES_UNRESOLVED &&
         b.measure() != consular::v1::MEASURE_CONTACTS;
}
bool IsPartition(const consular::v1::Breakdown& b) {
  return b.dimension() != consular::v1::DIMENSION_RISK_FLAG &&
         b.dimension() != consular::v1::DIMENSION_RECOGNITION_OBSTACLE &&
         b.measure() != consular::v1::MEASURE_CONTACTS;
}

TEST(PublisherPropertyTest, NothingPublishedIsSmallOrRecoverableAcrossCategoriesAndPeriods) {
  std::mt19937 random(5);
  int countries = 0, suppressed_seen = 0;
  for (int round = 0; round < 20; ++round) {
    const int k = 5 + static_cast<int>(random() % 3) * 2;
    PublishOptions options;
    options.threshold = k;
    const CountryCounts source = RandomCountry(random, 10 + static_cast<int>(random() % 300));
    // Protected once, as a release is: every period below reads the same figures.
    const auto [first, last] = source.Years();
    const LinkedProtection protection = ProtectCounts(source, first, last, k);
    EXPECT_TRUE(protection.fully_protected) << "round " << round;
    const ReleasedCountry& counts = protection.country;
    ++countries;
    for (int y : {2024, 2025}) {
      std::vector<CountryStatistics> quarters;
      for (int q = 1; q <= 4; ++q)
        quarters.push_back(Publish("MA", Quarter(y, q), counts, {}, options));
      const CountryStatistics year = Publish("MA", Year(y), counts, {}, options);
      std::vector<const CountryStatistics*> all = {&year};
      for (const auto& q : quarters) all.push_back(&q);
      for (const CountryStatistics* s : all) {
        for (const auto& [label, f] : AllFigures(*s)) {
          if (f.suppressed()) {
            ++suppressed_seen;
            EXPECT_EQ(f.value(), 0) << label;
          } else {
            EXPECT_FALSE(f.value() >= 1 && f.value() < k) << label << " = " << f.value();
          }
        }
        // Within a period, a partition's cells and its total: exactly one suppressed only if
        // what the others give away is 0 (nobody).
        for (const auto& b : s->breakdowns()) {
          if (!IsPartition(b)) continue;
          int hidden = b.total().suppressed() ? 1 : 0;
          int64_t cells = 0;
          for (const auto& c : b.cells()) {
            hidden += c.figure().suppressed() ? 1 : 0;
            cells += c.figure().value();
          }
          if (hidden == 1) {
            EXPECT_EQ(b.total().suppressed() ? cells : b.total().value() - cells, 0)
                << Measure_Name(b.measure()) << "/" << Dimension_Name(b.dimension())
                << " of one period";
          }
        }
      }
      // Across periods: a year's figure and its four quarters' figures: never exactly one hidden.
      for (int bi = 0; bi < year.breakdowns_size(); ++bi) {
        const auto& b = year.breakdowns(bi);
        if (!IsAdditive(b) || b.dimension() == consular::v1::DIMENSION_MONTH) continue;
        for (int ci = -1; ci < b.cells_size(); ++ci) {
          const auto figure = [&](const CountryStatistics& s) {
            const auto& sb = s.breakdowns(bi);
            return ci < 0 ? sb.total() : sb.cells(ci).figure();
          };
          int hidden = figure(year).suppressed() ? 1 : 0;
          int64_t sum = 0;
          for (const auto& q : quarters) {
            hidden += figure(q).suppressed() ? 1 : 0;
            sum += figure(q).value();
          }
          if (hidden == 1) {  // what it gives away: nobody
            EXPECT_EQ(figure(year).suppressed() ? sum : figure(year).value() - sum, 0)
                << Dimension_Name(b.dimension()) << " " << ci << " in " << y;
          }
          if (hidden == 0) {
            EXPECT_EQ(sum, figure(year).value());
          }
        }
      }
      // Months of a quarter and the quarter: never exactly one hidden.
      for (int q = 0; q < 4; ++q) {
        const CountryStatistics& s = quarters[q];
        for (const auto& b : s.breakdowns()) {
          if (b.dimension() != consular::v1::DIMENSION_MONTH || !IsAdditive(b)) continue;
          int hidden = b.total().suppressed() ? 1 : 0;
          int64_t months = 0;
          for (const auto& c : b.cells()) {
            hidden += c.figure().suppressed() ? 1 : 0;
            months += c.figure().value();
          }
          if (hidden == 1) {
            EXPECT_EQ(b.total().suppressed() ? months : b.total().value() - months, 0)
                << Measure_Name(b.measure()) << " months of Q" << q + 1;
          }
        }
      }
    }
    // A range is the sum of its parts' published figures, suppressed when any part is.
    const CountryStatistics range =
        Publish("MA", Range(2024, 10, 1, 2025, 12, 31), counts, {}, options);
    const CountryStatistics q4 = Publish("MA", Quarter(2024, 4), counts, {}, options);
    const CountryStatistics y25 = Publish("MA", Year(2025), counts, {}, options);
    const auto r = AllFigures(range), a = AllFigures(q4), b = AllFigures(y25);
    // The range lists 15 months of three measures, the quarter 3.
    ASSERT_EQ(r.size(), a.size() + 3 * 12);
    // Contacts (cases with a contact) over several parts are not a sum: not published.
    EXPECT_TRUE(r[3].second.suppressed());
    for (size_t i = 0; i < 3; ++i) {
      if (i == 2) continue;  // unresolved: at the end of the range, not a sum
      EXPECT_EQ(r[i].second.suppressed(), a[i].second.suppressed() || b[i].second.suppressed());
      if (!r[i].second.suppressed()) {
        EXPECT_EQ(r[i].second.value(), a[i].second.value() + b[i].second.value());
      }
    }
    if (HasFailure()) return;
  }
  EXPECT_EQ(countries, 20);
  EXPECT_GT(suppressed_seen, 1000);
}

// The overlap year of the change of definitions: contacts are also published as version 1 counted
// them (every contact), each hidden when the cases behind it are too few, whatever the contacts.
// March of the overlap year: one case with forty contacts with lawyers, twenty cases with one at a
// shelter each.
CountryCounts OverlapYearCounts() {
  const int y = kDefinitionOverlapYear;
  CountryCounts c;
  AddMonth(&c, y, 3, kContacts, kTotal, kAll, 60);
  AddMonth(&c, y, 3, kContacts, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER", 40);
  AddMonth(&c, y, 3, kContacts, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_SHELTER", 20);
  AddMonth(&c, y, 3, kContacts, "DIMENSION_CONTACT_PURPOSE", "CONTACT_PURPOSE_OTHER", 60);
  for (const int slot : {2, storage::kFirstQuarterSlot, storage::kYearSlot}) {
    c.AddContactCases({"MA", y, slot, kTotal, kAll, 21});
    c.AddContactCases({"MA", y, slot, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER", 1});
    c.AddContactCases({"MA", y, slot, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_SHELTER", 20});
    c.AddContactCases({"MA", y, slot, "DIMENSION_CONTACT_PURPOSE", "CONTACT_PURPOSE_OTHER", 21});
  }
  return c;
}

TEST(PublisherTest, TheOverlapYearPublishesContactsUnderBothDefinitions) {
  const int y = kDefinitionOverlapYear;
  const CountryCounts c = OverlapYearCounts();

  const CountryStatistics truth = Publish("MA", Year(y), c, {}, Unprotected());
  ASSERT_TRUE(truth.has_previous_definition());
  const consular::v1::PreviousDefinitionFigures& t = truth.previous_definition();
  EXPECT_EQ(t.definition_version(), kPreviousDefinitionVersion);
  EXPECT_EQ(Value(t.contacts()), 60);
  EXPECT_EQ(Value(truth.contacts()), 21);
  const auto previous_cell = [](const consular::v1::PreviousDefinitionFigures& p,
                                consular::v1::Dimension d, const std::string& category) {
    for (const consular::v1::Breakdown& b : p.breakdowns()) {
      if (b.dimension() != d) continue;
      for (const consular::v1::Cell& cell : b.cells()) {
        if (cell.category() == category) return Value(cell.figure());
      }
    }
    return int64_t{-2};
  };
  EXPECT_EQ(previous_cell(t, consular::v1::DIMENSION_PARTNER_KIND, "PARTNER_KIND_LAWYER"), 40);
  EXPECT_EQ(previous_cell(t, consular::v1::DIMENSION_PARTNER_KIND, "PARTNER_KIND_SHELTER"), 20);
  EXPECT_EQ(previous_cell(t, consular::v1::DIMENSION_MONTH, absl::StrCat(y, "-03")), 60);

  PublishOptions options;  // threshold 5
  const CountryStatistics s = Publish("MA", Year(y), c, {}, options);
  ASSERT_TRUE(s.has_previous_definition());
  EXPECT_EQ(Value(s.contacts()), 21);  // the country is published, not withheld as a whole
  // Forty contacts, but of one case: hidden, like the one case itself.
  EXPECT_EQ(previous_cell(s.previous_definition(), consular::v1::DIMENSION_PARTNER_KIND,
                          "PARTNER_KIND_LAWYER"),
            -1);
  EXPECT_EQ(CellOf(s, kContacts, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER"), -1);
  // Nothing published under either definition is a small count of people or reveals one: the
  // shelter contacts (20) would give the lawyers' 40 away from the total 60.
  const int64_t shelter = previous_cell(
      s.previous_definition(), consular::v1::DIMENSION_PARTNER_KIND, "PARTNER_KIND_SHELTER");
  const int64_t total = Value(s.previous_definition().contacts());
  EXPECT_TRUE(shelter == -1 || total == -1) << shelter << " " << total;

  // Only the overlap year has them.
  EXPECT_FALSE(Publish("MA", Year(y - 1), c, {}, Unprotected()).has_previous_definition());
  EXPECT_TRUE(Publish("MA", Quarter(y, 0), c, {}, Unprotected()).has_previous_definition());
}

// A time series of contacts over the overlap year carries, at its points of that year, the
// figures as the previous definitions counted them (the same figures as GetCountryStatistics).
TEST(PublisherTest, TheOverlapYearsPointsOfASeriesCarryThePreviousDefinitions) {
  const int y = kDefinitionOverlapYear;
  const CountryCounts c = OverlapYearCounts();
  consular::v1::GetTimeSeriesRequest request;
  request.set_country("MA");
  request.set_measure(consular::v1::MEASURE_CONTACTS);
  request.set_interval(consular::v1::INTERVAL_MONTH);
  request.set_from_year(y - 1);
  request.set_to_year(y);
  absl::StatusOr<consular::v1::TimeSeries> series = PublishTimeSeries(request, c, Unprotected());
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_EQ(series->previous_definition_version(), kPreviousDefinitionVersion);
  ASSERT_EQ(series->points_size(), 24);
  for (int i = 0; i < 12; ++i) EXPECT_FALSE(series->points(i).has_previous_definition()) << i;
  const consular::v1::TimePoint& march = series->points(12 + 2);
  EXPECT_EQ(march.period(), absl::StrCat(y, "-03"));
  EXPECT_EQ(Value(march.figure()), 21);
  EXPECT_EQ(Value(march.previous_definition()), 60);
  EXPECT_EQ(Value(series->points(12).previous_definition()), 0);

  // By partner kind and quarter, protected: forty contacts of one case are hidden like the case.
  request.set_interval(consular::v1::INTERVAL_QUARTER);
  request.set_dimension(consular::v1::DIMENSION_PARTNER_KIND);
  request.set_category("PARTNER_KIND_LAWYER");
  series = PublishTimeSeries(request, c, PublishOptions{});
  ASSERT_TRUE(series.ok()) << series.status();
  const consular::v1::TimePoint& q1 = series->points(4);
  EXPECT_EQ(q1.period(), absl::StrCat(y, "-Q1"));
  EXPECT_TRUE(q1.figure().suppressed());
  EXPECT_TRUE(q1.previous_definition().suppressed());
  EXPECT_EQ(q1.previous_definition().value(), 0);  // a hidden figure carries no value
  request.set_category("PARTNER_KIND_SHELTER");
  series = PublishTimeSeries(request, c, Unprotected());
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_EQ(Value(series->points(4).previous_definition()), 20);
  EXPECT_EQ(Value(series->points(7).previous_definition()), 0);

  // Other measures, and series that miss the overlap year, have none.
  request.clear_dimension();
  request.clear_category();
  request.set_measure(consular::v1::MEASURE_CASES_OPENED);
  series = PublishTimeSeries(request, c, Unprotected());
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_EQ(series->previous_definition_version(), "");
  for (const auto& p : series->points()) EXPECT_FALSE(p.has_previous_definition()) << p.period();
  request.set_measure(consular::v1::MEASURE_CONTACTS);
  request.set_from_year(y - 2);
  request.set_to_year(y - 1);
  series = PublishTimeSeries(request, c, Unprotected());
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_EQ(series->previous_definition_version(), "");
}

// A release made before the figures of the previous definitions existed has none; the next
// release, protected jointly with it, must not read their absence as zeros (which contradict the
// contacts it does hold) and withhold the whole country.
TEST(PublisherTest, AReleaseWithoutThePreviousDefinitionsStillChains) {
  const int y = kDefinitionOverlapYear;
  CountryCounts c;
  AddMonth(&c, y, 5, kContacts, kTotal, kAll, 30);
  AddMonth(&c, y, 5, kContacts, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_SHELTER", 30);
  AddMonth(&c, y, 5, kContacts, "DIMENSION_CONTACT_PURPOSE", "CONTACT_PURPOSE_OTHER", 30);
  for (const int slot : {4, storage::kFirstQuarterSlot + 1, storage::kYearSlot}) {
    c.AddContactCases({"MA", y, slot, kTotal, kAll, 12});
    c.AddContactCases({"MA", y, slot, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_SHELTER", 12});
    c.AddContactCases({"MA", y, slot, "DIMENSION_CONTACT_PURPOSE", "CONTACT_PURPOSE_OTHER", 12});
  }
  LinkedProtection before = ProtectCounts(c, y, y, 5);
  ASSERT_TRUE(before.fully_protected);
  for (auto it = before.country.figures.begin(); it != before.country.figures.end();) {
    it = it->first.measure == kContactsPrevious ? before.country.figures.erase(it) : std::next(it);
  }
  const LinkedProtection next = ProtectCounts(c, y, y, 5, {&before.country});
  EXPECT_TRUE(next.fully_protected);
  EXPECT_FALSE(next.country.Get(FigureKey(y, kSlotYear, kContacts, kTotal, kAll)).suppressed);
  EXPECT_FALSE(
      next.country.Get(FigureKey(y, kSlotYear, kContactsPrevious, kTotal, kAll)).suppressed);
}

// A release made before children, return funding and proceedings stages were counted holds none of
// their figures: the next release chains to it without them, and it publishes no such breakdown
// (rather than zeros that do not add up to their total).
TEST(PublisherTest, AReleaseMadeBeforeTheNewBreakdownsStillChains) {
  std::mt19937 random(23);
  const CountryCounts c = RandomCountry(random, 150);
  const auto [first, last] = c.Years();
  LinkedProtection before = ProtectCounts(c, first, last, 5);
  ASSERT_TRUE(before.fully_protected);
  const std::set<std::string> added = {"DIMENSION_CHILDREN", "DIMENSION_RETURN_FUNDING",
                                       "DIMENSION_RECOGNITION_STAGE"};
  size_t removed = 0;
  for (auto it = before.country.figures.begin(); it != before.country.figures.end();) {
    const bool drop = added.count(it->first.dimension) != 0;
    removed += drop ? 1 : 0;
    it = drop ? before.country.figures.erase(it) : std::next(it);
  }
  ASSERT_GT(removed, 0u);
  for (const auto& [measure, dimension] :
       {std::pair{consular::v1::MEASURE_CASES_OPENED, consular::v1::DIMENSION_CHILDREN},
        {consular::v1::MEASURE_CASES_RESOLVED, consular::v1::DIMENSION_RETURN_FUNDING},
        {consular::v1::MEASURE_CASES_OPENED, consular::v1::DIMENSION_RECOGNITION_STAGE}}) {
    EXPECT_FALSE(HoldsDimension(before.country, measure, dimension)) << Dimension_Name(dimension);
  }
  EXPECT_TRUE(HoldsDimension(before.country, consular::v1::MEASURE_CASES_OPENED,
                             consular::v1::DIMENSION_RECOGNITION_DECISION));
  // Nobody in the population: every figure 0 either way, held.
  EXPECT_TRUE(HoldsDimension(ReleasedCountry(), consular::v1::MEASURE_CASES_OPENED,
                             consular::v1::DIMENSION_CHILDREN));

  const LinkedProtection next = ProtectCounts(c, first, last, 5, {&before.country});
  EXPECT_TRUE(next.fully_protected);
  EXPECT_FALSE(next.country.Get(FigureKey(2025, kSlotYear, kOpened, kTotal, kAll)).suppressed);
  EXPECT_TRUE(HoldsDimension(next.country, consular::v1::MEASURE_CASES_OPENED,
                             consular::v1::DIMENSION_CHILDREN));

  PublishOptions options;
  const CountryStatistics old = Publish("MA", Year(2025), before.country, {}, options);
  EXPECT_EQ(CellOf(old, kOpened, "DIMENSION_CHILDREN", "TOTAL"), -2);
  EXPECT_EQ(CellOf(old, kResolved, "DIMENSION_RETURN_FUNDING", "TOTAL"), -2);
  EXPECT_EQ(CellOf(old, kOpened, "DIMENSION_RECOGNITION_STAGE", "TOTAL"), -2);
  EXPECT_NE(CellOf(old, kOpened, "DIMENSION_RECOGNITION_DECISION", "TOTAL"), -2);
  const CountryStatistics now = Publish("MA", Year(2025), next.country, {}, options);
  EXPECT_EQ(CellOf(now, kOpened, "DIMENSION_CHILDREN", "TOTAL"),
            CellOf(now, kOpened, "DIMENSION_CASE_TYPE", "CASE_TYPE_ABANDONMENT"));
  EXPECT_NE(CellOf(now, kOpened, "DIMENSION_CHILDREN", "TOTAL"), -2);
  consular::v1::GetTimeSeriesRequest request;
  request.set_country("MA");
  request.set_measure(consular::v1::MEASURE_CASES_OPENED);
  request.set_interval(consular::v1::INTERVAL_YEAR);
  request.set_from_year(2025);
  request.set_to_year(2025);
  request.set_dimension(consular::v1::DIMENSION_CHILDREN);
  request.set_category("CHILDREN_NONE");
  EXPECT_EQ(PublishTimeSeries(request, before.country, options).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(PublishTimeSeries(request, next.country, options).ok());
}

TEST(PublisherTest, SmallFiguresAreSuppressedNotZero) {
  PublishOptions options;  // threshold 5
  const CountryStatistics hand = Publish("MA", Quarter(2025, 2), HandCounts(), {}, options);
  EXPECT_TRUE(hand.cases_resolved().suppressed());  // 2
  EXPECT_TRUE(hand.median_days_to_resolution().suppressed());
  EXPECT_EQ(CellOf(hand, kOpened, "DIMENSION_CASE_TYPE", "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION"),
            -1);
  EXPECT_EQ(CellOf(hand, kOpened, "DIMENSION_CASE_TYPE", "CASE_TYPE_ABANDONMENT"), -1);

  std::mt19937 random(11);
  const CountryCounts counts = RandomCountry(random, 40);
  const CountryStatistics s = Publish("MA", Quarter(2025, 2), counts, {}, options);
  EXPECT_EQ(s.threshold(), 5);
  // Zeros are published as 0 (unless one is needed to protect a small figure).
  int published_zeros = 0, suppressed = 0;
  for (const auto& [label, figure] : AllFigures(s)) {
    if (figure.suppressed()) {
      EXPECT_EQ(figure.value(), 0) << label;
      ++suppressed;
    } else {
      EXPECT_FALSE(figure.value() >= 1 && figure.value() < 5) << label;
      published_zeros += figure.value() == 0 ? 1 : 0;
    }
  }
  EXPECT_GT(published_zeros, 5);
  EXPECT_GT(suppressed, 5);
}

TEST(PublisherPropertyTest, RoundingKeepsSuppressionAndRoundsToFives) {
  std::mt19937 random(11);
  PublishOptions options;
  options.round_to_base5 = true;
  const CountryCounts counts = RandomCountry(random, 400);
  const CountryStatistics s = Publish("MA", Year(2025), counts, {}, options);
  EXPECT_TRUE(s.rounded_to_base5());
  PublishOptions exact;
  const CountryStatistics e = Publish("MA", Year(2025), counts, {}, exact);
  const auto rounded = AllFigures(s), plain = AllFigures(e);
  ASSERT_EQ(rounded.size(), plain.size());
  for (size_t i = 0; i < rounded.size(); ++i) {
    EXPECT_EQ(rounded[i].second.suppressed(), plain[i].second.suppressed()) << rounded[i].first;
    if (!rounded[i].second.suppressed()) {
      EXPECT_EQ(rounded[i].second.value() % 5, 0) << rounded[i].first;
      EXPECT_LE(std::abs(rounded[i].second.value() - plain[i].second.value()), 2);
    }
  }
}

}  // namespace
}  // namespace consular::stats

// StatisticsService.ListCountries reads every country of a release in one statement, and of each
// year only the figures a row is computed from (migration 0028). Over real gRPC with PostgreSQL,
// for a data set over four years with contacts, suppressed cells and two releases: the loader
// gives each country that part of what the per-country reads gave; every answer (each order,
// rounded or not, periods of a year, a quarter and ranges, both releases) is the one the
// per-country computation over the whole figures gives, and so are the figures of the countries
// never raised; and the statements a call runs do not grow with the number of countries.
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/stats/publisher.h"
#include "services/stats/releases.h"
#include "storage/release_store.h"
#include "tests/stats/stats_fixture.h"
#include "tests/stats/stats_server_fixture.h"

namespace consular::stats {
namespace {

namespace v1 = consular::v1;
using testing::At;
using testing::CaseSpec;
using testing::CaseWriter;

v1::Period Year(int y) {
  v1::Period p;
  p.set_year(y);
  return p;
}

v1::Period Quarter(int y, int q) {
  v1::Period p;
  p.mutable_quarter()->set_year(y);
  p.mutable_quarter()->set_quarter(q);
  return p;
}

v1::Period Range(int from_year, int from_month, int to_year, int to_month, int to_day) {
  v1::Period p;
  *p.mutable_range()->mutable_from() = testing::MakeDate(from_year, from_month, 1);
  *p.mutable_range()->mutable_to() = testing::MakeDate(to_year, to_month, to_day);
  return p;
}

// ListCountries as it was computed before it read every country in one statement: the countries
// with a stored year in the period's years (one statement), then each country's row and its years
// (two statements each), published and ordered. Without `lag` (it depends on the moment).
v1::ListCountriesResponse PerCountryListCountries(pqxx::transaction_base& tx,
                                                  const v1::ListCountriesRequest& request) {
  storage::ReleaseStore releases(tx);
  const v1::Release release = ReleaseFor(releases, request.release()).value();
  const PeriodYears years = YearsOf(request.period()).value();
  std::vector<std::pair<std::string, ReleasedCountry>> countries;
  for (const std::string& country : releases.Countries(release.number(), years.first, years.last)) {
    countries.emplace_back(
        country, LoadReleased(releases, release.number(), country, years.first, years.last)
                     .value_or(ReleasedCountry()));
  }
  PublishOptions options;
  options.threshold = release.threshold();
  options.round_to_base5 = request.round_to_base5();
  const v1::CountryOrder order_by = request.order_by();
  v1::ListCountriesResponse out;
  const std::vector<v1::Dimension> dimensions = {v1::DIMENSION_RECOGNITION_DECISION,
                                                 v1::DIMENSION_OUTCOME};
  for (const auto& [country, released] : countries) {
    const v1::CountryStatistics s =
        Publish(country, request.period(), released, dimensions, options);
    v1::CountryRow* row = out.add_countries();
    row->set_country(country);
    *row->mutable_cases_opened() = s.cases_opened();
    *row->mutable_cases_resolved() = s.cases_resolved();
    *row->mutable_cases_unresolved() = s.cases_unresolved();
    *row->mutable_contacts() = s.contacts();
    if (s.has_previous_definition()) {
      *row->mutable_previous_definition_contacts() = s.previous_definition().contacts();
      out.set_previous_definition_version(s.previous_definition().definition_version());
    }
    for (const v1::Breakdown& b : s.breakdowns()) {
      for (const v1::Cell& cell : b.cells()) {
        if (cell.category() == "RECOGNITION_DECISION_GRANTED") {
          *row->mutable_recognition_granted() = cell.figure();
        } else if (cell.category() == "RECOGNITION_DECISION_REFUSED") {
          *row->mutable_recognition_refused() = cell.figure();
        } else if (cell.category() == "OUTCOME_RETURNED_TO_NL") {
          *row->mutable_returned_to_nl() = cell.figure();
        }
      }
    }
  }
  const auto key = [&](const v1::CountryRow& r) -> const v1::Figure& {
    switch (order_by) {
      case v1::COUNTRY_ORDER_RECOGNITION_REFUSALS:
        return r.recognition_refused();
      case v1::COUNTRY_ORDER_UNRESOLVED:
        return r.cases_unresolved();
      default:
        return r.cases_opened();
    }
  };
  auto* rows = out.mutable_countries();
  std::stable_sort(rows->begin(), rows->end(), [&](const auto& a, const auto& b) {
    if (order_by == v1::COUNTRY_ORDER_COUNTRY) return a.country() < b.country();
    const v1::Figure& fa = key(a);
    const v1::Figure& fb = key(b);
    if (fa.suppressed() != fb.suppressed()) return !fa.suppressed();
    if (!fa.suppressed() && fa.value() != fb.value()) return fa.value() > fb.value();
    return a.country() < b.country();
  });
  out.set_threshold(options.threshold);
  out.set_rounded_to_base5(options.round_to_base5);
  out.set_release(release.number());
  out.set_definition_version(release.definition_version());
  *out.mutable_as_of() = release.cut_off();
  return out;
}

// The part of a year's figures a list row is computed from (0028_release_list_figures.sql): a
// quarter's or the year's, of the totals and the case-type, recognition-decision and outcome
// tables; no days.
ReleasedCountry ListedPart(const ReleasedCountry& all) {
  ReleasedCountry part;
  part.first_year = all.first_year;
  part.last_year = all.last_year;
  part.from_the_start = all.from_the_start;
  for (const auto& [key, figure] : all.figures) {
    if (key.slot >= kSlotQuarter0 &&
        (key.dimension == "TOTAL" || key.dimension == "DIMENSION_CASE_TYPE" ||
         key.dimension == "DIMENSION_RECOGNITION_DECISION" ||
         key.dimension == "DIMENSION_OUTCOME")) {
      part.figures[key] = figure;
    }
  }
  return part;
}

void ExpectSameFigures(const ReleasedCountry& got, const ReleasedCountry& want,
                       const std::string& what) {
  EXPECT_EQ(got.first_year, want.first_year) << what;
  EXPECT_EQ(got.last_year, want.last_year) << what;
  EXPECT_EQ(got.from_the_start, want.from_the_start) << what;
  EXPECT_EQ(got.days, want.days) << what;
  ASSERT_EQ(got.figures.size(), want.figures.size()) << what;
  for (auto g = got.figures.begin(), w = want.figures.begin(); g != got.figures.end(); ++g, ++w) {
    EXPECT_TRUE(g->first == w->first) << what;
    EXPECT_EQ(g->second.value, w->second.value) << what;
    EXPECT_EQ(g->second.suppressed, w->second.suppressed) << what;
  }
}

class ListCountriesTest : public testing::StatsServerTest {
 protected:
  void SetUp() override {
    testing::StatsServerTest::SetUp();
    writer_ = std::make_unique<CaseWriter>(*db_);
  }

  // `n` cases of `spec` opened from `at` on, a day apart.
  std::vector<v1::Case> Open(int n, const CaseSpec& spec, absl::Time at) {
    std::vector<v1::Case> opened;
    for (int i = 0; i < n; ++i) opened.push_back(writer_->Create(spec, at + absl::Hours(24 * i)));
    return opened;
  }

  // Resolves each case, the outcome recorded, a week after `at`.
  void Resolve(const std::vector<v1::Case>& cases, absl::Time at, v1::Outcome outcome) {
    for (const v1::Case& c : cases) {
      const v1::Case active = writer_->Transition(c, v1::CASE_STATUS_ACTIVE, at);
      writer_->Transition(active, v1::CASE_STATUS_RESOLVED, at + absl::Hours(24 * 7), outcome);
    }
  }

  static CaseSpec Divorce(const std::string& country, v1::RecognitionDecision decision) {
    CaseSpec spec;
    spec.type = v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION;
    spec.country = country;
    spec.decision = decision;
    return spec;
  }

  static CaseSpec Abandonment(const std::string& country) {
    CaseSpec spec;
    spec.country = country;
    return spec;
  }

  // Countries large and small over 2023..2026, recognition decisions and returns among them, with
  // counts of 1 to 4 (suppressed) in most, and ties; release 1. Then more cases and a new country;
  // release 2.
  void SeedTwoReleases() {
    Open(6, Divorce("MA", v1::RECOGNITION_DECISION_GRANTED), At(2024, 2, 3));
    Open(3, Divorce("MA", v1::RECOGNITION_DECISION_REFUSED), At(2024, 5, 10));
    Resolve(Open(5, Abandonment("MA"), At(2025, 1, 6)), At(2025, 3, 1), v1::OUTCOME_RETURNED_TO_NL);
    Open(2, Abandonment("MA"), At(2025, 8, 1));
    Resolve(Open(2, Abandonment("TN"), At(2025, 4, 2)), At(2026, 2, 1), v1::OUTCOME_RETURNED_TO_NL);
    Open(4, Abandonment("TN"), At(2025, 10, 2));
    Open(2, Abandonment("TR"), At(2026, 3, 3));
    Open(5, Divorce("EG", v1::RECOGNITION_DECISION_REFUSED), At(2024, 7, 1));
    Open(1, Abandonment("EG"), At(2025, 11, 11));
    Open(3, Abandonment("DZ"), At(2023, 6, 6));
    Open(6, Abandonment("LB"), At(2026, 5, 5));
    Open(6, Abandonment("JO"), At(2026, 6, 6));
    Open(4, Divorce("IR", v1::RECOGNITION_DECISION_GRANTED), At(2023, 9, 1));
    const std::vector<v1::Case> ir =
        Open(7, Divorce("IR", v1::RECOGNITION_DECISION_REFUSED), At(2025, 2, 2));
    // Contacts: six cases with one in 2025, one case with six in 2026 (the overlap year of the
    // counting definitions: one person, six contacts).
    for (int i = 0; i < 6; ++i) {
      writer_->LogContact(ir[i], v1::CONTACT_PURPOSE_LEGAL_ADVICE, At(2025, 6, 1 + i),
                          At(2025, 6, 1 + i));
    }
    for (int i = 0; i < 6; ++i) {
      writer_->LogContact(ir[6], v1::CONTACT_PURPOSE_LEGAL_ADVICE, At(2026, 2, 1 + i),
                          At(2026, 2, 1 + i));
    }
    CatchUp();
    Open(1, Abandonment("TR"), At(2026, 9, 9));
    Open(2, Divorce("MA", v1::RECOGNITION_DECISION_REFUSED), At(2026, 10, 1));
    Open(7, Abandonment("SD"), At(2026, 4, 4));
    CatchUp();
  }

  v1::ListCountriesResponse List(const v1::ListCountriesRequest& request) {
    v1::ListCountriesResponse out;
    const grpc::Status status =
        stats_stub_->ListCountries(Context(Token(v1::ROLE_POLICY_STAFF, "")).get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::ListCountriesResponse PerCountry(const v1::ListCountriesRequest& request) {
    v1::ListCountriesResponse out;
    const absl::Status status = runner_->Run(absl::Now() + absl::Seconds(30),
                                             [&](pqxx::transaction_base& tx) -> absl::Status {
                                               out = PerCountryListCountries(tx, request);
                                               return absl::OkStatus();
                                             });
    EXPECT_TRUE(status.ok()) << status;
    return out;
  }

  std::unique_ptr<CaseWriter> writer_;
};

TEST_F(ListCountriesTest, OneStatementLoadsTheListedPartOfWhatThePerCountryReadsLoaded) {
  SeedTwoReleases();
  int compared = 0;
  size_t listed = 0, all = 0;
  const absl::Status status = runner_->Run(
      absl::Now() + absl::Seconds(60), [&](pqxx::transaction_base& tx) -> absl::Status {
        compared = 0;
        listed = all = 0;
        storage::ReleaseStore releases(tx);
        for (const int release : {1, 2}) {
          for (const auto& [from, to] : std::vector<std::pair<int, int>>{
                   {2023, 2023}, {2024, 2024}, {2026, 2026}, {2023, 2026}, {2010, 2010}}) {
            const std::vector<ReleasedInSpan> loaded =
                LoadListedCountries(releases, release, from, to);
            // The countries with a stored year in the span, as the per-country listing has them.
            std::vector<std::string> with_years;
            for (const ReleasedInSpan& c : loaded) {
              if (c.any_year) with_years.push_back(c.country);
            }
            EXPECT_EQ(with_years, releases.Countries(release, from, to))
                << "release " << release << ", " << from << ".." << to;
            for (const ReleasedInSpan& c : loaded) {
              const std::string what =
                  absl::StrCat("release ", release, ", ", c.country, ", ", from, "..", to);
              const std::optional<ReleasedCountry> one =
                  LoadReleased(releases, release, c.country, from, to);
              if (!one) {
                ADD_FAILURE() << what << ": not held";
                continue;
              }
              ExpectSameFigures(c.figures, ListedPart(*one), what);
              ++compared;
              listed += c.figures.figures.size();
              all += one->figures.size();
            }
          }
        }
        return absl::OkStatus();
      });
  ASSERT_TRUE(status.ok()) << status;
  // Release 1: eight countries, release 2: nine; five spans each.
  EXPECT_EQ(compared, 5 * 8 + 5 * 9);
  // Less than the whole: months, other breakdowns and days are left out.
  EXPECT_LT(listed, all / 2);
  EXPECT_GT(listed, 0);
}

TEST_F(ListCountriesTest, AnswersAsThePerCountryComputationDid) {
  SeedTwoReleases();
  const std::vector<v1::Period> periods = {Year(2023),
                                           Year(2024),
                                           Year(2025),
                                           Year(2026),
                                           Year(2010),
                                           Quarter(2024, 2),
                                           Quarter(2026, 4),
                                           Range(2023, 1, 2026, 12, 31),
                                           Range(2024, 4, 2025, 9, 30)};
  int compared = 0, rows = 0, suppressed = 0, contacts = 0, previous = 0;
  for (const int release : {1, 2, 0}) {
    for (const v1::Period& period : periods) {
      for (const v1::CountryOrder order :
           {v1::COUNTRY_ORDER_UNSPECIFIED, v1::COUNTRY_ORDER_VOLUME,
            v1::COUNTRY_ORDER_RECOGNITION_REFUSALS, v1::COUNTRY_ORDER_UNRESOLVED,
            v1::COUNTRY_ORDER_COUNTRY}) {
        for (const bool rounded : {false, true}) {
          v1::ListCountriesRequest request;
          *request.mutable_period() = period;
          request.set_order_by(order);
          request.set_round_to_base5(rounded);
          request.set_release(release);
          v1::ListCountriesResponse got = List(request);
          EXPECT_TRUE(got.has_lag());
          got.clear_lag();
          const v1::ListCountriesResponse want = PerCountry(request);
          std::string differences;
          google::protobuf::util::MessageDifferencer differ;
          differ.ReportDifferencesToString(&differences);
          EXPECT_TRUE(differ.Compare(got, want)) << request.ShortDebugString() << "\n"
                                                 << differences;
          ++compared;
          rows += got.countries_size();
          for (const v1::CountryRow& row : got.countries()) {
            suppressed += row.cases_opened().suppressed() + row.recognition_refused().suppressed() +
                          row.cases_unresolved().suppressed() + row.returned_to_nl().suppressed();
            contacts += row.contacts().value() > 0;
            previous += row.has_previous_definition_contacts();
          }
        }
      }
    }
  }
  EXPECT_EQ(compared, 3 * 9 * 5 * 2);
  // Not a comparison of empty lists: rows, and suppressed figures among them.
  EXPECT_GT(rows, 500);
  EXPECT_GT(suppressed, 100);
  EXPECT_GT(contacts, 0);
  EXPECT_GT(previous, 0);

  // The newest release, a year: the rows as the data says (every country stores the year of the
  // cut-off), the most cases opened first, ties by country code, the suppressed counts last.
  v1::ListCountriesRequest request;
  *request.mutable_period() = Year(2026);
  const v1::ListCountriesResponse newest = List(request);
  EXPECT_EQ(newest.release(), 2);
  ASSERT_EQ(newest.countries_size(), 9);
  EXPECT_EQ(newest.countries(0).country(), "SD");
  EXPECT_EQ(newest.countries(0).cases_opened().value(), 7);
  EXPECT_EQ(newest.countries(1).country(), "JO");
  EXPECT_EQ(newest.countries(2).country(), "LB");
  EXPECT_EQ(newest.countries(7).country(), "MA");
  EXPECT_TRUE(newest.countries(7).cases_opened().suppressed());
  EXPECT_EQ(newest.countries(8).country(), "TR");
  EXPECT_TRUE(newest.countries(8).cases_opened().suppressed());
}

TEST_F(ListCountriesTest, CountriesNeverRaisedHaveTheFiguresOfThePerCountryComputation) {
  SeedTwoReleases();
  v1::ListUnraisedCountriesRequest request;
  request.set_years(5);
  v1::ListUnraisedCountriesResponse unraised;
  const grpc::Status status = talk_stub_->ListUnraisedCountries(
      Context(Token(v1::ROLE_POLICY_STAFF, "")).get(), request, &unraised);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // No talk, no decision: every country with cases, ranked as ListCountries ranks the period.
  v1::ListCountriesRequest list;
  *list.mutable_period() = unraised.period();
  const v1::ListCountriesResponse want = PerCountry(list);
  ASSERT_EQ(unraised.countries_size(), want.countries_size());
  ASSERT_EQ(unraised.countries_size(), 9);
  for (int i = 0; i < want.countries_size(); ++i) {
    EXPECT_EQ(unraised.countries(i).country(), want.countries(i).country()) << i;
    EXPECT_EQ(unraised.countries(i).cases_opened().ShortDebugString(),
              want.countries(i).cases_opened().ShortDebugString())
        << i;
  }
}

// The statements each prepared statement of the one connection of `runner` has run.
std::map<std::string, int64_t> StatementsRun(storage::TransactionRunner& runner) {
  std::map<std::string, int64_t> runs;
  const absl::Status status =
      runner.Run(absl::Now() + absl::Seconds(10), [&](pqxx::transaction_base& tx) -> absl::Status {
        runs.clear();
        for (const pqxx::row& row :
             tx.exec("SELECT name, custom_plans + generic_plans FROM pg_prepared_statements")) {
          runs[row[0].as<std::string>()] = row[1].as<int64_t>();
        }
        return absl::OkStatus();
      });
  EXPECT_TRUE(status.ok()) << status;
  return runs;
}

// How many more times each statement ran in `after` than in `before`.
std::map<std::string, int64_t> Ran(const std::map<std::string, int64_t>& before,
                                   const std::map<std::string, int64_t>& after) {
  std::map<std::string, int64_t> ran;
  for (const auto& [name, n] : after) {
    const auto b = before.find(name);
    const int64_t more = n - (b == before.end() ? 0 : b->second);
    if (more != 0) ran[name] = more;
  }
  return ran;
}

TEST_F(ListCountriesTest, StatementsDoNotGrowWithTheCountries) {
  // One connection, so every statement of the manager's calls is counted on it.
  storage::ConnectionPool pool(storage::PoolOptions{db_->app_dsn(), 1});
  storage::TransactionRunner runner(&pool);
  StatisticsManager manager(&runner, SystemClock(), field_keys_.crypto(), StatisticsSettings{});
  const Identity policy{"policy-staff", v1::ROLE_POLICY_STAFF, ""};
  const auto run = [&](int year) {
    v1::ListCountriesRequest request;
    *request.mutable_period() = Year(year);
    const std::map<std::string, int64_t> before = StatementsRun(runner);
    v1::ListCountriesResponse out;
    const absl::Status status =
        manager.ListCountries(policy, request, absl::Now() + absl::Seconds(30), &out);
    EXPECT_TRUE(status.ok()) << status;
    return std::make_pair(out.countries_size(), Ran(before, StatementsRun(runner)));
  };

  Open(6, Abandonment("MA"), At(2026, 2, 2));
  Open(2, Abandonment("TN"), At(2026, 2, 2));
  CatchUp();
  run(2026);  // the connection's first call prepares what it runs
  const auto [few_countries, few_statements] = run(2026);
  EXPECT_EQ(few_countries, 2);

  for (const char* country : {"DZ", "EG", "IR", "JO", "LB", "SD", "TR", "YE", "IQ", "SY"}) {
    Open(1, Abandonment(country), At(2026, 3, 3));
  }
  CatchUp();
  const auto [many_countries, many_statements] = run(2026);
  EXPECT_EQ(many_countries, 12);
  EXPECT_EQ(many_statements, few_statements);
  // The figures of every country in one statement; none per country.
  EXPECT_EQ(many_statements.count("release_list_figures"), 1u);
  EXPECT_EQ(many_statements.at("release_list_figures"), 1);
  for (const char* per_country : {"release_country", "release_years", "release_countries"}) {
    EXPECT_EQ(many_statements.count(per_country), 0u) << per_country;
  }
  int64_t total = 0;
  for (const auto& [name, n] : many_statements) total += n;
  EXPECT_LT(total, 6) << "statements run by one call";
}

}  // namespace
}  // namespace consular::stats

#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "consular/v1/statistics.pb.h"
#include "services/stats/country_counts.h"
#include "services/stats/linked_tables.h"

// From rollups to published figures: disclosure control over each country's calendar year, and
// the figures of a year, a quarter or a range of whole quarters read off the protected tables
// (docs/statistics.md). Pure: no database, no clock.
//
// The protected tables of one country and year, built top-down so shared cells keep one status
// (each table takes the status of the cells it shares with the one above it as given):
//   1. per measure (cases opened, resolved, contacts): months -> quarters -> year of the totals;
//   2. per dimension: quarters x categories with their totals, whose quarter and year totals are
//      the cells of table 1; multi-valued dimensions (risk flags, obstacles) as one table per
//      category: with / without it;
//   3. the breakdowns of a part of the cases (PopulationOf): their totals are a column of another
//      table of the measure (recognition decisions, obstacles and stages: the divorce-recognition
//      column of the case-type table; children: its abandonment column; who paid for the
//      return: the RETURNED_TO_NL column of the outcome table of cases resolved);
//   4. cases unresolved at the end of each quarter: by type, with their total.
// A year and its quarters and months are published from these tables only; a range of quarters
// is the sum of the published figures of its years and quarters, suppressed when any part is, so
// it can never be differenced against them to reveal more.
namespace consular::stats {

struct PublishOptions {
  int threshold = 5;            // the smallest count published; at least 5
  bool round_to_base5 = false;  // round published figures to multiples of 5
  // Test and verification only: publish every figure as counted (no suppression).
  bool unprotected = false;
};

// The years a period touches, and whether it is valid: a year, a quarter, or a range from the
// first day of a quarter to the last day of a quarter (at most 25 years). INVALID_ARGUMENT names
// the field ("period.range.from", ...).
struct PeriodYears {
  int first = 0;
  int last = 0;
};
absl::StatusOr<PeriodYears> YearsOf(const consular::v1::Period& period);
// The first and last month (YYYYMM) of a valid period.
std::pair<int, int> MonthSpanOf(const consular::v1::Period& period);

// The figures of `country` for `period` from a release's protected figures. `dimensions` empty:
// all. `options.threshold` is only reported (the release was protected with it).
consular::v1::CountryStatistics Publish(const std::string& country,
                                        const consular::v1::Period& period,
                                        const ReleasedCountry& released,
                                        const std::vector<consular::v1::Dimension>& dimensions,
                                        const PublishOptions& options);

// The same from `counts` (which hold every year of the period, and AddBefore rows for the years
// before), protected on the spot as one linked set over the years loaded (ProtectCounts): for
// tests and benchmarks; readers get releases.
consular::v1::CountryStatistics Publish(const std::string& country,
                                        const consular::v1::Period& period,
                                        const CountryCounts& counts,
                                        const std::vector<consular::v1::Dimension>& dimensions,
                                        const PublishOptions& options);

// A time series from the years' protected tables. INVALID_ARGUMENT for a combination the tables
// do not hold (a month series of a category, of unresolved cases; a dimension the measure lacks,
// a category the dimension lacks).
absl::StatusOr<consular::v1::TimeSeries> PublishTimeSeries(
    const consular::v1::GetTimeSeriesRequest& request, const ReleasedCountry& released,
    const PublishOptions& options);
absl::StatusOr<consular::v1::TimeSeries> PublishTimeSeries(
    const consular::v1::GetTimeSeriesRequest& request, const CountryCounts& counts,
    const PublishOptions& options);

// The categories of a dimension, in enum order (MONTH: none).
std::vector<std::string> CategoriesOf(consular::v1::Dimension dimension);
// The dimensions a measure is broken down by, in enum order.
std::vector<consular::v1::Dimension> DimensionsOf(consular::v1::Measure measure);

// The population a breakdown divides, of the breakdown's measure: every case (dimension
// DIMENSION_UNSPECIFIED), or the cases of one category of another breakdown of the measure, so
// that the breakdown's total is a cell of that one (the RECOGNITION_* dimensions: the
// divorce-recognition column of the case-type table).
struct Population {
  consular::v1::Dimension dimension = consular::v1::DIMENSION_UNSPECIFIED;
  std::string category;

  // As figures are keyed (linked_tables.h): kTotal and kAll for every case.
  std::string DimensionKey() const;
  std::string CategoryKey() const;
};
Population PopulationOf(consular::v1::Dimension dimension);
// Whether a case may count under several categories of the dimension (then the cells do not add
// up to the population, each is at most it).
bool IsMultiValued(consular::v1::Dimension dimension);

}  // namespace consular::stats

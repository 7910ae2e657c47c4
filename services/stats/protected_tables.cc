#include "services/stats/protected_tables.h"

#include <algorithm>

#include "services/stats/rollups.h"

namespace consular::stats {

using consular::v1::Dimension;
using consular::v1::Measure;
using consular::v1::Period;

Pub Sum(const Pub& a, const Pub& b) { return {a.value + b.value, a.suppressed || b.suppressed}; }

namespace {

bool IsMultiValued(Dimension d) {
  return d == consular::v1::DIMENSION_RISK_FLAG ||
         d == consular::v1::DIMENSION_RECOGNITION_OBSTACLE;
}
bool OverDivorceCases(Dimension d) {
  return d == consular::v1::DIMENSION_RECOGNITION_DECISION ||
         d == consular::v1::DIMENSION_RECOGNITION_OBSTACLE;
}

}  // namespace

const CalendarPub& YearTables::Calendar(Measure measure) {
  auto it = calendars_.find(measure);
  if (it != calendars_.end()) return it->second;
  std::array<int64_t, 12> months{};
  if (const auto* counted = counts_.Months(year_, Measure_Name(measure), kTotal, kAll)) {
    months = *counted;
  }
  const Table table = CalendarTable(months);
  const std::vector<bool> suppressed = Suppress(table);
  CalendarPub pub;
  for (int m = 0; m < 12; ++m) pub.months[m] = At(table, suppressed, CalendarMonth(m));
  for (int q = 0; q < 4; ++q) pub.quarters[q] = At(table, suppressed, CalendarQuarter(q));
  pub.year = At(table, suppressed, kCalendarYear);
  return calendars_.emplace(measure, pub).first->second;
}

const DimensionPub& YearTables::Of(Measure measure, Dimension dimension) {
  const auto key = std::make_pair(measure, dimension);
  auto it = dimensions_.find(key);
  if (it != dimensions_.end()) return it->second;

  // The population the dimension divides, and its published quarter and year totals.
  std::array<Pub, 4> population_quarters;
  Pub population_year;
  std::array<int64_t, 4> population_values{};
  if (OverDivorceCases(dimension)) {
    const DimensionPub& types = Of(measure, consular::v1::DIMENSION_CASE_TYPE);
    const size_t divorce =
        static_cast<size_t>(std::find(types.categories.begin(), types.categories.end(), kDivorce) -
                            types.categories.begin());
    for (int q = 0; q < 4; ++q) {
      population_quarters[q] = types.quarters[divorce][q];
      population_values[q] = Raw(measure, consular::v1::DIMENSION_CASE_TYPE, kDivorce, q);
    }
    population_year = types.year[divorce];
  } else {
    const CalendarPub& calendar = Calendar(measure);
    population_quarters = calendar.quarters;
    population_year = calendar.year;
    for (int q = 0; q < 4; ++q) population_values[q] = RawTotal(measure, q);
  }

  DimensionPub pub;
  pub.categories = CategoriesOf(dimension);
  for (const std::string& seen :
       counts_.SeenCategories(year_, Measure_Name(measure), Dimension_Name(dimension))) {
    if (std::find(pub.categories.begin(), pub.categories.end(), seen) == pub.categories.end()) {
      pub.categories.push_back(seen);
    }
  }
  pub.total_quarters = population_quarters;
  pub.total_year = population_year;
  const int columns = static_cast<int>(pub.categories.size());
  pub.quarters.resize(columns);
  pub.year.resize(columns);

  const auto forced = [](const Pub& p) {
    return p.suppressed ? CellRule::kSuppressed : CellRule::kPublished;
  };
  if (IsMultiValued(dimension)) {
    // One table per category: the cases with it and those without, per quarter.
    for (int c = 0; c < columns; ++c) {
      std::vector<int64_t> interior;
      for (int q = 0; q < 4; ++q) {
        const int64_t with = Raw(measure, dimension, pub.categories[c], q);
        interior.push_back(with);
        interior.push_back(std::max<int64_t>(0, population_values[q] - with));
      }
      Table table = TwoWayTable(4, 2, interior);
      const TwoWayShape shape{4, 2};
      table.rules.assign(table.values.size(), CellRule::kFree);
      for (int q = 0; q < 4; ++q) table.rules[shape.RowTotal(q)] = forced(population_quarters[q]);
      table.rules[shape.GrandTotal()] = forced(population_year);
      const std::vector<bool> suppressed = Suppress(table);
      for (int q = 0; q < 4; ++q) pub.quarters[c][q] = At(table, suppressed, shape.Cell(q, 0));
      pub.year[c] = At(table, suppressed, shape.ColumnTotal(0));
    }
  } else {
    std::vector<int64_t> interior;
    for (int q = 0; q < 4; ++q) {
      for (int c = 0; c < columns; ++c) {
        interior.push_back(Raw(measure, dimension, pub.categories[c], q));
      }
    }
    Table table = TwoWayTable(4, columns, interior);
    const TwoWayShape shape{4, columns};
    table.rules.assign(table.values.size(), CellRule::kFree);
    for (int q = 0; q < 4; ++q) table.rules[shape.RowTotal(q)] = forced(population_quarters[q]);
    table.rules[shape.GrandTotal()] = forced(population_year);
    const std::vector<bool> suppressed = Suppress(table);
    for (int c = 0; c < columns; ++c) {
      for (int q = 0; q < 4; ++q) pub.quarters[c][q] = At(table, suppressed, shape.Cell(q, c));
      pub.year[c] = At(table, suppressed, shape.ColumnTotal(c));
    }
  }
  return dimensions_.emplace(key, std::move(pub)).first->second;
}

const SnapshotPub& YearTables::Unresolved(int q) {
  auto it = snapshots_.find(q);
  if (it != snapshots_.end()) return it->second;
  const int month = 3 * q + 3;
  Table table;
  table.values = {counts_.UnresolvedAt(year_, month, kAbandonment),
                  counts_.UnresolvedAt(year_, month, kDivorce),
                  counts_.UnresolvedAt(year_, month, "")};
  table.constraints = {AdditiveConstraint{2, {0, 1}}};
  const std::vector<bool> suppressed = Suppress(table);
  SnapshotPub pub{At(table, suppressed, 0), At(table, suppressed, 1), At(table, suppressed, 2)};
  return snapshots_.emplace(q, pub).first->second;
}

std::vector<bool> YearTables::Suppress(const Table& table) const {
  if (options_.unprotected) return std::vector<bool>(table.values.size(), false);
  ProtectionResult result = Protect(table, options_.threshold);
  if (!result.fully_protected) {
    // Cannot happen with consistent counts; publish nothing of the table rather than too much.
    result.suppressed.assign(table.values.size(), true);
  }
  return result.suppressed;
}

Pub YearTables::At(const Table& table, const std::vector<bool>& suppressed, int cell) {
  if (suppressed[cell]) return Pub{0, true};
  return Pub{table.values[cell], false};
}

int64_t YearTables::Raw(Measure measure, Dimension dimension, const std::string& category,
                        int q) const {
  return QuarterOf(
      counts_.Months(year_, Measure_Name(measure), Dimension_Name(dimension), category), q);
}

int64_t YearTables::RawTotal(Measure measure, int q) const {
  return QuarterOf(counts_.Months(year_, Measure_Name(measure), kTotal, kAll), q);
}

int64_t YearTables::QuarterOf(const std::array<int64_t, 12>* months, int q) {
  if (months == nullptr) return 0;
  return (*months)[3 * q] + (*months)[3 * q + 1] + (*months)[3 * q + 2];
}

std::vector<Part> PartsOf(const Period& period) {
  std::vector<Part> parts;
  switch (period.kind_case()) {
    case Period::kYear:
      parts.push_back({period.year(), -1});
      break;
    case Period::kQuarter:
      parts.push_back({period.quarter().year(), period.quarter().quarter() - 1});
      break;
    case Period::kRange: {
      int y = period.range().from().year();
      int q = (period.range().from().month() - 1) / 3;
      const int last_y = period.range().to().year();
      const int last_q = (period.range().to().month() - 1) / 3;
      while (y < last_y || (y == last_y && q <= last_q)) {
        if (q == 0 && (y < last_y || last_q == 3)) {
          parts.push_back({y, -1});
          ++y;
          continue;
        }
        parts.push_back({y, q});
        if (++q == 4) {
          q = 0;
          ++y;
        }
      }
      break;
    }
    case Period::KIND_NOT_SET:
      break;
  }
  return parts;
}

// The months (year, 1..12) of a part.
std::vector<std::pair<int, int>> MonthsOf(const Part& part) {
  std::vector<std::pair<int, int>> months;
  const int first = part.quarter < 0 ? 0 : 3 * part.quarter;
  const int last = part.quarter < 0 ? 11 : 3 * part.quarter + 2;
  for (int m = first; m <= last; ++m) months.emplace_back(part.year, m + 1);
  return months;
}

YearTables& Publication::Year(int year) {
  auto it = years_.find(year);
  if (it == years_.end()) {
    it = years_.emplace(year, std::make_unique<YearTables>(counts_, year, options_)).first;
  }
  return *it->second;
}

Pub Publication::CalendarFigure(const std::vector<Part>& parts, Measure measure) {
  Pub sum;
  for (const Part& p : parts) {
    const CalendarPub& c = Year(p.year).Calendar(measure);
    sum = Sum(sum, p.quarter < 0 ? c.year : c.quarters[p.quarter]);
  }
  return sum;
}

Pub Publication::CategoryFigure(const std::vector<Part>& parts, Measure measure,
                                Dimension dimension, const std::string& category) {
  Pub sum;
  for (const Part& p : parts) {
    const DimensionPub& d = Year(p.year).Of(measure, dimension);
    const auto it = std::find(d.categories.begin(), d.categories.end(), category);
    if (it == d.categories.end()) continue;
    const size_t c = static_cast<size_t>(it - d.categories.begin());
    sum = Sum(sum, p.quarter < 0 ? d.year[c] : d.quarters[c][p.quarter]);
  }
  return sum;
}

Pub Publication::PopulationFigure(const std::vector<Part>& parts, Measure measure,
                                  Dimension dimension) {
  Pub sum;
  for (const Part& p : parts) {
    const DimensionPub& d = Year(p.year).Of(measure, dimension);
    sum = Sum(sum, p.quarter < 0 ? d.total_year : d.total_quarters[p.quarter]);
  }
  return sum;
}

const SnapshotPub& Publication::SnapshotAtEnd(const std::vector<Part>& parts) {
  const Part& last = parts.back();
  return Year(last.year).Unresolved(last.quarter < 0 ? 3 : last.quarter);
}
}  // namespace consular::stats

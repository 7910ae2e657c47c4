#include "services/stats/protected_tables.h"

#include <algorithm>

#include "services/stats/linked_tables.h"
#include "services/stats/rollups.h"

namespace consular::stats {

using consular::v1::Dimension;
using consular::v1::Measure;
using consular::v1::Period;

Pub Sum(const Pub& a, const Pub& b) { return {a.value + b.value, a.suppressed || b.suppressed}; }

Pub YearTables::At(int slot, const std::string& measure, const std::string& dimension,
                   const std::string& category) const {
  const Released r = released_.Get(FigureKey(year_, slot, measure, dimension, category));
  return r.suppressed ? Pub{0, true} : Pub{r.value, false};
}

CalendarPub YearTables::Calendar(Measure measure) const {
  const std::string m = Measure_Name(measure);
  CalendarPub pub;
  for (int i = 0; i < 12; ++i) pub.months[i] = At(i, m, kTotal, kAll);
  for (int q = 0; q < 4; ++q) pub.quarters[q] = At(QuarterSlot(q), m, kTotal, kAll);
  pub.year = At(kSlotYear, m, kTotal, kAll);
  return pub;
}

Pub YearTables::CalendarPart(Measure measure, int q) const {
  return At(q < 0 ? kSlotYear : QuarterSlot(q), Measure_Name(measure), kTotal, kAll);
}

DimensionPub YearTables::Of(Measure measure, Dimension dimension) const {
  const std::string m = Measure_Name(measure);
  const std::string d = Dimension_Name(dimension);
  DimensionPub pub;
  pub.categories = CategoriesOf(dimension);
  for (auto it = released_.figures.lower_bound(FigureKey(year_, 0, "", "", ""));
       it != released_.figures.end() && it->first.year == year_; ++it) {
    if (it->first.measure == m && it->first.dimension == d &&
        std::find(pub.categories.begin(), pub.categories.end(), it->first.category) ==
            pub.categories.end()) {
      pub.categories.push_back(it->first.category);
    }
  }
  const Population population = PopulationOf(dimension);
  const std::string population_dimension = population.DimensionKey();
  const std::string population_category = population.CategoryKey();
  for (int q = 0; q < 4; ++q) {
    pub.total_quarters[q] = At(QuarterSlot(q), m, population_dimension, population_category);
  }
  pub.total_year = At(kSlotYear, m, population_dimension, population_category);
  for (const std::string& c : pub.categories) {
    std::array<Pub, 4> quarters;
    for (int q = 0; q < 4; ++q) quarters[q] = At(QuarterSlot(q), m, d, c);
    pub.quarters.push_back(quarters);
    pub.year.push_back(At(kSlotYear, m, d, c));
  }
  return pub;
}

SnapshotPub YearTables::Unresolved(int q) const {
  const std::string m = Measure_Name(consular::v1::MEASURE_CASES_UNRESOLVED);
  const int s = QuarterSlot(q);
  if (q != 3) {
    // Published at the year's end only: at every quarter's end, these stocks would chain the
    // quarters' opened and resolved cases to one another (unresolved at the end = before +
    // opened - resolved) and give away the small ones.
    return SnapshotPub{Pub{0, true}, Pub{0, true}, Pub{0, true}};
  }
  return SnapshotPub{At(s, m, "DIMENSION_CASE_TYPE", kAbandonment),
                     At(s, m, "DIMENSION_CASE_TYPE", kDivorce), At(s, m, kTotal, kAll)};
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

namespace {

// Cases with a contact are counted per quarter and year: a case with contacts in two of them
// counts in each, so the figures of several parts do not add up to the range's.
bool NotASum(const std::vector<Part>& parts, Measure measure) {
  return measure == consular::v1::MEASURE_CONTACTS && parts.size() > 1;
}

}  // namespace

Pub Publication::CalendarFigure(const std::vector<Part>& parts, Measure measure) const {
  if (NotASum(parts, measure)) return Pub{0, true};
  Pub sum;
  for (const Part& p : parts) sum = Sum(sum, Year(p.year).CalendarPart(measure, p.quarter));
  return sum;
}

std::vector<DimensionPub> Publication::Tables(const std::vector<Part>& parts, Measure measure,
                                              Dimension dimension) const {
  std::vector<DimensionPub> tables;
  tables.reserve(parts.size());
  for (const Part& p : parts) tables.push_back(Year(p.year).Of(measure, dimension));
  return tables;
}

Pub Publication::CategoryFigure(const std::vector<Part>& parts, Measure measure,
                                const std::vector<DimensionPub>& tables,
                                const std::string& category) {
  if (NotASum(parts, measure)) return Pub{0, true};
  Pub sum;
  for (size_t i = 0; i < parts.size(); ++i) {
    const DimensionPub& d = tables[i];
    const auto it = std::find(d.categories.begin(), d.categories.end(), category);
    if (it == d.categories.end()) continue;
    const size_t c = static_cast<size_t>(it - d.categories.begin());
    sum = Sum(sum, parts[i].quarter < 0 ? d.year[c] : d.quarters[c][parts[i].quarter]);
  }
  return sum;
}

Pub Publication::PopulationFigure(const std::vector<Part>& parts, Measure measure,
                                  const std::vector<DimensionPub>& tables) {
  if (NotASum(parts, measure)) return Pub{0, true};
  Pub sum;
  for (size_t i = 0; i < parts.size(); ++i) {
    const DimensionPub& d = tables[i];
    sum = Sum(sum, parts[i].quarter < 0 ? d.total_year : d.total_quarters[parts[i].quarter]);
  }
  return sum;
}

Pub Publication::CategoryFigure(const std::vector<Part>& parts, Measure measure,
                                Dimension dimension, const std::string& category) const {
  if (NotASum(parts, measure)) return Pub{0, true};
  return CategoryFigure(parts, measure, Tables(parts, measure, dimension), category);
}

Pub Publication::PopulationFigure(const std::vector<Part>& parts, Measure measure,
                                  Dimension dimension) const {
  if (NotASum(parts, measure)) return Pub{0, true};
  return PopulationFigure(parts, measure, Tables(parts, measure, dimension));
}

SnapshotPub Publication::SnapshotAtEnd(const std::vector<Part>& parts) const {
  const Part& last = parts.back();
  return Year(last.year).Unresolved(last.quarter < 0 ? 3 : last.quarter);
}
}  // namespace consular::stats

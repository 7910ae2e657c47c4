#include "services/stats/modular_protection.h"

#include <algorithm>
#include <map>
#include <utility>

#include "services/stats/protected_tables.h"
#include "services/stats/rollups.h"

namespace consular::stats {

using consular::v1::Dimension;
using consular::v1::Measure;

namespace {

// The protected tables of one country and year, built when first asked for, top-down so that a
// cell shared by two tables has one status (publisher.h lists the four kinds).
class ModularYear {
 public:
  ModularYear(const CountryCounts& counts, int year, int k) : counts_(counts), year_(year), k_(k) {}

  const CalendarPub& Calendar(Measure measure);
  const DimensionPub& Of(Measure measure, Dimension dimension);
  const SnapshotPub& Unresolved(int q);

 private:
  std::vector<bool> Suppress(const Table& table) const;
  static Pub At(const Table& table, const std::vector<bool>& suppressed, int cell);
  int64_t Raw(Measure measure, Dimension dimension, const std::string& category, int q) const;
  int64_t RawTotal(Measure measure, int q) const;
  static int64_t QuarterOf(const std::array<int64_t, 12>* months, int q);

  const CountryCounts& counts_;
  const int year_;
  const int k_;
  std::map<Measure, CalendarPub> calendars_;
  std::map<std::pair<Measure, Dimension>, DimensionPub> dimensions_;
  std::map<int, SnapshotPub> snapshots_;
};

}  // namespace

const CalendarPub& ModularYear::Calendar(Measure measure) {
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

const DimensionPub& ModularYear::Of(Measure measure, Dimension dimension) {
  const auto key = std::make_pair(measure, dimension);
  auto it = dimensions_.find(key);
  if (it != dimensions_.end()) return it->second;

  // The population the dimension divides, and its published quarter and year totals.
  std::array<Pub, 4> population_quarters;
  Pub population_year;
  std::array<int64_t, 4> population_values{};
  const Population population = PopulationOf(dimension);
  if (population.dimension != consular::v1::DIMENSION_UNSPECIFIED) {
    // A column of another table of the measure, built first.
    const DimensionPub& table = Of(measure, population.dimension);
    const size_t column = static_cast<size_t>(
        std::find(table.categories.begin(), table.categories.end(), population.category) -
        table.categories.begin());
    for (int q = 0; q < 4; ++q) {
      population_quarters[q] = table.quarters[column][q];
      population_values[q] = Raw(measure, population.dimension, population.category, q);
    }
    population_year = table.year[column];
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

const SnapshotPub& ModularYear::Unresolved(int q) {
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

std::vector<bool> ModularYear::Suppress(const Table& table) const {
  ProtectionResult result = Protect(table, k_);
  if (!result.fully_protected) {
    // Cannot happen with consistent counts; publish nothing of the table rather than too much.
    result.suppressed.assign(table.values.size(), true);
  }
  return result.suppressed;
}

Pub ModularYear::At(const Table& table, const std::vector<bool>& suppressed, int cell) {
  if (suppressed[cell]) return Pub{0, true};
  return Pub{table.values[cell], false};
}

int64_t ModularYear::Raw(Measure measure, Dimension dimension, const std::string& category,
                        int q) const {
  return QuarterOf(
      counts_.Months(year_, Measure_Name(measure), Dimension_Name(dimension), category), q);
}

int64_t ModularYear::RawTotal(Measure measure, int q) const {
  return QuarterOf(counts_.Months(year_, Measure_Name(measure), kTotal, kAll), q);
}

int64_t ModularYear::QuarterOf(const std::array<int64_t, 12>* months, int q) {
  if (months == nullptr) return 0;
  return (*months)[3 * q] + (*months)[3 * q + 1] + (*months)[3 * q + 2];
}


namespace {

void Put(ReleasedCountry* out, const FigureKey& key, const Pub& pub, int64_t value) {
  if (value != 0 || pub.suppressed) out->figures[key] = Released{value, pub.suppressed};
}

int64_t SumSlot(const std::array<int64_t, 12>* months, int slot) {
  if (months == nullptr) return 0;
  if (slot < kSlotQuarter0) return (*months)[slot];
  const int first = slot == kSlotYear ? 0 : 3 * (slot - kSlotQuarter0);
  const int last = slot == kSlotYear ? 11 : first + 2;
  int64_t n = 0;
  for (int m = first; m <= last; ++m) n += (*months)[m];
  return n;
}

}  // namespace

LinkedProtection ProtectModular(const CountryCounts& counts, int first_year, int last_year,
                                int k) {
  LinkedProtection out;
  out.country.first_year = first_year;
  out.country.last_year = last_year;
  out.country.from_the_start = !counts.AnythingBefore();
  const FigureSource value = CountsSource(counts);
  const SeenCategories seen = CountsSeen(counts);
  for (int y = first_year; y <= last_year; ++y) {
    ModularYear year(counts, y, k);
    for (const Measure measure :
         {consular::v1::MEASURE_CASES_OPENED, consular::v1::MEASURE_CASES_RESOLVED}) {
      const std::string m = Measure_Name(measure);
      const CalendarPub& calendar = year.Calendar(measure);
      const std::array<int64_t, 12>* months = counts.Months(y, m, kTotal, kAll);
      for (int i = 0; i < 12; ++i) {
        Put(&out.country, FigureKey(y, i, m, kTotal, kAll), calendar.months[i],
            SumSlot(months, i));
      }
      for (int q = 0; q < 4; ++q) {
        Put(&out.country, FigureKey(y, QuarterSlot(q), m, kTotal, kAll), calendar.quarters[q],
            SumSlot(months, QuarterSlot(q)));
      }
      Put(&out.country, FigureKey(y, kSlotYear, m, kTotal, kAll), calendar.year,
          SumSlot(months, kSlotYear));
      for (const Dimension dimension : DimensionsOf(measure)) {
        if (dimension == consular::v1::DIMENSION_MONTH) continue;
        const std::string d = Dimension_Name(dimension);
        const DimensionPub& table = year.Of(measure, dimension);
        for (size_t c = 0; c < table.categories.size(); ++c) {
          const std::array<int64_t, 12>* cm = counts.Months(y, m, d, table.categories[c]);
          for (int q = 0; q < 4; ++q) {
            Put(&out.country, FigureKey(y, QuarterSlot(q), m, d, table.categories[c]),
                table.quarters[c][q], SumSlot(cm, QuarterSlot(q)));
          }
          Put(&out.country, FigureKey(y, kSlotYear, m, d, table.categories[c]), table.year[c],
              SumSlot(cm, kSlotYear));
        }
      }
    }
    // Cases unresolved at the year's end, in total and by type.
    const std::string u = Measure_Name(consular::v1::MEASURE_CASES_UNRESOLVED);
    {
      const int q = 3;
      const SnapshotPub& snapshot = year.Unresolved(q);
      const int month = 12;
      Put(&out.country, FigureKey(y, QuarterSlot(q), u, kTotal, kAll), snapshot.total,
          counts.UnresolvedAt(y, month, ""));
      Put(&out.country, FigureKey(y, QuarterSlot(q), u, "DIMENSION_CASE_TYPE", kAbandonment),
          snapshot.abandonment, counts.UnresolvedAt(y, month, kAbandonment));
      Put(&out.country, FigureKey(y, QuarterSlot(q), u, "DIMENSION_CASE_TYPE", kDivorce),
          snapshot.divorce, counts.UnresolvedAt(y, month, kDivorce));
    }
    // Cases with a contact: their own linked set per year (they do not add up over periods or
    // partner kinds, so the tables above do not fit them).
    const LinkedProtection contacts = ProtectLinkedContacts(y, value, seen, k);
    if (!contacts.fully_protected) out.fully_protected = false;
    out.secondary += contacts.secondary;
    for (const auto& [key, figure] : contacts.country.figures) out.country.figures[key] = figure;
  }
  return out;
}

}  // namespace consular::stats

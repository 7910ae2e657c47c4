#include "services/stats/linked_tables.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "consular/v1/statistics.pb.h"
#include "services/stats/modular_protection.h"
#include "services/stats/protected_tables.h"
#include "services/stats/publisher.h"
#include "services/stats/rollups.h"

namespace consular::stats {
namespace {

using consular::v1::Dimension;
using consular::v1::Measure;

constexpr char kUnresolved[] = "MEASURE_CASES_UNRESOLVED";
constexpr char kCaseType[] = "DIMENSION_CASE_TYPE";
constexpr char kStatus[] = "DIMENSION_STATUS";

bool IsOpenStatus(const std::string& status) {
  return status != "CASE_STATUS_RESOLVED" && status != "CASE_STATUS_CLOSED";
}

// Builds the cells and identities of a linked set.
class Builder {
 public:
  Builder(const FigureSource& value, const SeenCategories& seen, bool previous_definition = true,
          std::vector<Dimension> missing = {})
      : value_(value),
        seen_(seen),
        previous_definition_(previous_definition),
        missing_(std::move(missing)) {}

  // The cases with a contact of one year only.
  LinkedSet BuildContacts(int y) {
    DeclareContacts(y);
    set_.num_published = static_cast<int>(set_.keys.size());
    LinkContacts(y);
    return std::move(set_);
  }

  LinkedSet Build(int first, int last, bool from_the_start) {
    // Published cells first: create every key before any auxiliary cell. The cases unresolved at
    // the end of the year before the first are the opening balance of the chain.
    for (const char* type : {kAll, kAbandonment, kDivorce}) {
      Cell(OpeningKey(first, type));
    }
    for (int y = first; y <= last; ++y) DeclareYear(y);
    set_.num_published = static_cast<int>(set_.keys.size());
    Sum(Existing(OpeningKey(first, kAll)),
        {Existing(OpeningKey(first, kAbandonment)), Existing(OpeningKey(first, kDivorce))});
    for (int y = first; y <= last; ++y) LinkYear(y);
    if (from_the_start) LinkStatusesNow(first, last);
    return std::move(set_);
  }

 private:
  int Cell(const FigureKey& key) {
    auto it = set_.index.find(key);
    if (it != set_.index.end()) return it->second;
    const int cell = static_cast<int>(set_.table.values.size());
    set_.table.values.push_back(std::max<int64_t>(0, value_(key)));
    set_.table.rules.push_back(CellRule::kFree);
    set_.keys.push_back(key);
    set_.index.emplace(key, cell);
    return cell;
  }
  int Existing(const FigureKey& key) const { return set_.index.at(key); }
  // The dimensions of the cases opened and resolved in the set.
  std::vector<Dimension> TableDimensions(Measure m) const {
    std::vector<Dimension> out;
    for (const Dimension d : DimensionsOf(m)) {
      if (d == consular::v1::DIMENSION_MONTH ||
          std::find(missing_.begin(), missing_.end(), d) != missing_.end()) {
        continue;
      }
      out.push_back(d);
    }
    return out;
  }
  int Aux(int64_t value) {
    const int cell = static_cast<int>(set_.table.values.size());
    set_.table.values.push_back(value);
    set_.table.rules.push_back(CellRule::kAuxiliary);
    return cell;
  }
  int64_t V(int cell) const { return set_.table.values[cell]; }
  void Sum(int total, std::vector<int> parts) {
    set_.table.constraints.push_back({total, std::move(parts)});
  }
  // a <= b: b = a + slack.
  void AtMost(int a, int b) { Sum(b, {a, Aux(V(b) - V(a))}); }
  // The sum of `parts` as an auxiliary cell.
  int SumAux(const std::vector<int>& parts) {
    int64_t total = 0;
    for (int p : parts) total += V(p);
    const int cell = Aux(total);
    Sum(cell, parts);
    return cell;
  }

  std::vector<std::string> Categories(int year, Measure m, Dimension d) {
    std::vector<std::string> categories = CategoriesOf(d);
    if (seen_) {
      for (const std::string& c : seen_(year, Measure_Name(m), Dimension_Name(d))) {
        if (std::find(categories.begin(), categories.end(), c) == categories.end()) {
          categories.push_back(c);
        }
      }
    }
    return categories;
  }

  // Every slot of a series: months 0..11, quarters, the year.
  void DeclareSeries(int y, const std::string& m, const std::string& d, const std::string& c,
                     bool with_months) {
    const int first_slot = with_months ? 0 : kSlotQuarter0;
    for (int s = first_slot; s <= kSlotYear; ++s) Cell(FigureKey(y, s, m, d, c));
  }

  void DeclareContacts(int y) {
    const Measure m = consular::v1::MEASURE_CONTACTS;
    DeclareSeries(y, Measure_Name(m), kTotal, kAll, true);
    for (const Dimension d : DimensionsOf(m)) {
      if (d == consular::v1::DIMENSION_MONTH) continue;
      for (const std::string& c : Categories(y, m, d)) {
        DeclareSeries(y, Measure_Name(m), Dimension_Name(d), c, true);
      }
    }
  }

  // The contacts as version 1 counted them (every contact), in the overlap year.
  void DeclarePreviousContacts(int y) {
    const Measure m = consular::v1::MEASURE_CONTACTS;
    DeclareSeries(y, kContactsPrevious, kTotal, kAll, true);
    for (const Dimension d : DimensionsOf(m)) {
      if (d == consular::v1::DIMENSION_MONTH) continue;
      for (const std::string& c : Categories(y, m, d)) {
        DeclareSeries(y, kContactsPrevious, Dimension_Name(d), c, true);
      }
    }
  }

  void DeclareYear(int y) {
    for (const Measure m :
         {consular::v1::MEASURE_CASES_OPENED, consular::v1::MEASURE_CASES_RESOLVED}) {
      DeclareSeries(y, Measure_Name(m), kTotal, kAll, true);
      for (const Dimension d : TableDimensions(m)) {
        for (const std::string& c : Categories(y, m, d)) {
          DeclareSeries(y, Measure_Name(m), Dimension_Name(d), c, false);
        }
      }
    }
    DeclareContacts(y);
    if (y == kDefinitionOverlapYear && previous_definition_) DeclarePreviousContacts(y);
    // Cases unresolved at the year's end, in total and by case type.
    Cell(FigureKey(y, QuarterSlot(3), kUnresolved, kTotal, kAll));
    Cell(FigureKey(y, QuarterSlot(3), kUnresolved, kCaseType, kAbandonment));
    Cell(FigureKey(y, QuarterSlot(3), kUnresolved, kCaseType, kDivorce));
  }

  // Additive counts (cases opened, resolved): months -> quarters -> year.
  void LinkAdditive(int y, const std::string& m, const std::string& d, const std::string& c,
                    bool with_months) {
    std::vector<int> quarters;
    for (int q = 0; q < 4; ++q) {
      const int quarter = Existing(FigureKey(y, QuarterSlot(q), m, d, c));
      quarters.push_back(quarter);
      if (with_months) {
        Sum(quarter, {Existing(FigureKey(y, 3 * q, m, d, c)),
                      Existing(FigureKey(y, 3 * q + 1, m, d, c)),
                      Existing(FigureKey(y, 3 * q + 2, m, d, c))});
      }
    }
    Sum(Existing(FigureKey(y, kSlotYear, m, d, c)), quarters);
  }

  // Counts of people with a contact: a period's count lies between its largest part and the sum
  // of its parts.
  void LinkDistinct(int y, const std::string& m, const std::string& d, const std::string& c) {
    const auto link = [&](int whole, const std::vector<int>& parts) {
      for (int p : parts) AtMost(p, whole);
      AtMost(whole, SumAux(parts));
    };
    std::vector<int> quarters;
    for (int q = 0; q < 4; ++q) {
      const int quarter = Existing(FigureKey(y, QuarterSlot(q), m, d, c));
      quarters.push_back(quarter);
      link(quarter, {Existing(FigureKey(y, 3 * q, m, d, c)),
                     Existing(FigureKey(y, 3 * q + 1, m, d, c)),
                     Existing(FigureKey(y, 3 * q + 2, m, d, c))});
    }
    link(Existing(FigureKey(y, kSlotYear, m, d, c)), quarters);
  }

  static FigureKey OpeningKey(int first, const char* type) {
    return type == std::string(kAll)
               ? FigureKey(first - 1, QuarterSlot(3), kUnresolved, kTotal, kAll)
               : FigureKey(first - 1, QuarterSlot(3), kUnresolved, kCaseType, type);
  }

  void LinkYear(int y) {
    for (const Measure measure :
         {consular::v1::MEASURE_CASES_OPENED, consular::v1::MEASURE_CASES_RESOLVED}) {
      const std::string m = Measure_Name(measure);
      LinkAdditive(y, m, kTotal, kAll, true);
      for (const Dimension dimension : TableDimensions(measure)) {
        const std::string d = Dimension_Name(dimension);
        const std::vector<std::string> categories = Categories(y, measure, dimension);
        for (const std::string& c : categories) LinkAdditive(y, m, d, c, false);
        const Population of = PopulationOf(dimension);
        for (int s = kSlotQuarter0; s <= kSlotYear; ++s) {
          const int population = Existing(FigureKey(y, s, m, of.DimensionKey(), of.CategoryKey()));
          std::vector<int> cells;
          for (const std::string& c : categories) cells.push_back(Existing(FigureKey(y, s, m, d, c)));
          if (IsMultiValued(dimension)) {
            for (int cell : cells) AtMost(cell, population);
          } else {
            Sum(population, cells);
          }
        }
      }
    }

    LinkContacts(y);
    if (y == kDefinitionOverlapYear && previous_definition_) LinkPreviousContacts(y);
    LinkUnresolved(y);
  }

  // Contacts add up (months to quarters to the year; each contact has one partner kind and one
  // purpose), and a figure of contacts is at least the cases with such a contact.
  void LinkPreviousContacts(int y) {
    const std::string contacts = Measure_Name(consular::v1::MEASURE_CONTACTS);
    LinkAdditive(y, kContactsPrevious, kTotal, kAll, true);
    for (int s = 0; s <= kSlotYear; ++s) {
      AtMost(Existing(FigureKey(y, s, contacts, kTotal, kAll)),
             Existing(FigureKey(y, s, kContactsPrevious, kTotal, kAll)));
    }
    for (const Dimension dimension : DimensionsOf(consular::v1::MEASURE_CONTACTS)) {
      if (dimension == consular::v1::DIMENSION_MONTH) continue;
      const std::string d = Dimension_Name(dimension);
      const std::vector<std::string> categories =
          Categories(y, consular::v1::MEASURE_CONTACTS, dimension);
      for (const std::string& c : categories) {
        LinkAdditive(y, kContactsPrevious, d, c, true);
        for (int s = 0; s <= kSlotYear; ++s) {
          AtMost(Existing(FigureKey(y, s, contacts, d, c)),
                 Existing(FigureKey(y, s, kContactsPrevious, d, c)));
        }
      }
      for (int s = 0; s <= kSlotYear; ++s) {
        std::vector<int> cells;
        for (const std::string& c : categories) {
          cells.push_back(Existing(FigureKey(y, s, kContactsPrevious, d, c)));
        }
        Sum(Existing(FigureKey(y, s, kContactsPrevious, kTotal, kAll)), cells);
      }
    }
  }

  void LinkContacts(int y) {
    const std::string contacts = Measure_Name(consular::v1::MEASURE_CONTACTS);
    LinkDistinct(y, contacts, kTotal, kAll);
    for (const Dimension dimension : DimensionsOf(consular::v1::MEASURE_CONTACTS)) {
      if (dimension == consular::v1::DIMENSION_MONTH) continue;
      const std::string d = Dimension_Name(dimension);
      const std::vector<std::string> categories =
          Categories(y, consular::v1::MEASURE_CONTACTS, dimension);
      for (const std::string& c : categories) LinkDistinct(y, contacts, d, c);
      // Every case with a contact had at least one partner kind (purpose), and none more often
      // than it had contacts at all.
      for (int s = 0; s <= kSlotYear; ++s) {
        const int total = Existing(FigureKey(y, s, contacts, kTotal, kAll));
        std::vector<int> cells;
        for (const std::string& c : categories) {
          cells.push_back(Existing(FigureKey(y, s, contacts, d, c)));
          AtMost(cells.back(), total);
        }
        AtMost(total, SumAux(cells));
      }
    }
  }

  void LinkUnresolved(int y) {
    // Cases unresolved at the year's end: unresolved at the end + resolved = unresolved at the
    // year's start + opened, in total and by type.
    const std::string opened = Measure_Name(consular::v1::MEASURE_CASES_OPENED);
    const std::string resolved = Measure_Name(consular::v1::MEASURE_CASES_RESOLVED);
    const int year_end = QuarterSlot(3);
    Sum(Existing(FigureKey(y, year_end, kUnresolved, kTotal, kAll)),
        {Existing(FigureKey(y, year_end, kUnresolved, kCaseType, kAbandonment)),
         Existing(FigureKey(y, year_end, kUnresolved, kCaseType, kDivorce))});
    for (const auto& [dimension, category] :
         {std::pair<const char*, const char*>{kTotal, kAll}, {kCaseType, kAbandonment},
          {kCaseType, kDivorce}}) {
      const int now = Existing(FigureKey(y, year_end, kUnresolved, dimension, category));
      const int out = Existing(FigureKey(y, kSlotYear, resolved, dimension, category));
      const int balance = Aux(V(now) + V(out));
      Sum(balance, {now, out});
      Sum(balance, {Existing(FigureKey(y - 1, year_end, kUnresolved, dimension, category)),
                    Existing(FigureKey(y, kSlotYear, opened, dimension, category))});
    }
  }

  // Statuses are as of now: over all years, the cases opened in an open status are the cases
  // unresolved at the end, the resolved and closed ones every case resolved.
  void LinkStatusesNow(int first, int last) {
    const std::string opened = Measure_Name(consular::v1::MEASURE_CASES_OPENED);
    const std::string resolved = Measure_Name(consular::v1::MEASURE_CASES_RESOLVED);
    std::vector<int> open_cells, resolved_cells, resolved_years;
    for (int y = first; y <= last; ++y) {
      for (const std::string& c : Categories(y, consular::v1::MEASURE_CASES_OPENED,
                                             consular::v1::DIMENSION_STATUS)) {
        const int cell = Existing(FigureKey(y, kSlotYear, opened, kStatus, c));
        (IsOpenStatus(c) ? open_cells : resolved_cells).push_back(cell);
      }
      resolved_years.push_back(Existing(FigureKey(y, kSlotYear, resolved, kTotal, kAll)));
    }
    Sum(Existing(FigureKey(last, QuarterSlot(3), kUnresolved, kTotal, kAll)), open_cells);
    Sum(SumAux(resolved_years), resolved_cells);
  }

  const FigureSource& value_;
  const SeenCategories& seen_;
  const bool previous_definition_;  // with the figures of the previous definitions
  const std::vector<Dimension> missing_;  // dimensions left out
  LinkedSet set_;
};

int64_t SumMonths(const std::array<int64_t, 12>* months, int slot) {
  if (months == nullptr) return 0;
  if (slot < kSlotQuarter0) return (*months)[slot];
  const int first = slot == kSlotYear ? 0 : 3 * (slot - kSlotQuarter0);
  const int last = slot == kSlotYear ? 11 : first + 2;
  int64_t n = 0;
  for (int m = first; m <= last; ++m) n += (*months)[m];
  return n;
}

}  // namespace

LinkedSet BuildLinkedSet(int first_year, int last_year, const FigureSource& value,
                         const SeenCategories& seen, bool from_the_start, bool previous_definition,
                         const std::vector<Dimension>& missing) {
  return Builder(value, seen, previous_definition, missing)
      .Build(first_year, last_year, from_the_start);
}

bool HoldsDimension(const ReleasedCountry& country, Measure measure, Dimension dimension) {
  // Only the tables of the cases opened and resolved have breakdowns added over time; months are
  // the totals' own figures.
  if ((measure != consular::v1::MEASURE_CASES_OPENED &&
       measure != consular::v1::MEASURE_CASES_RESOLVED) ||
      dimension == consular::v1::DIMENSION_MONTH || IsMultiValued(dimension)) {
    return true;
  }
  const std::string m = Measure_Name(measure);
  const std::string d = Dimension_Name(dimension);
  const Population population = PopulationOf(dimension);
  const std::string population_dimension = population.DimensionKey();
  const std::string population_category = population.CategoryKey();
  bool people = false;
  for (const auto& [key, figure] : country.figures) {
    if (key.measure != m) continue;
    if (key.dimension == d) return true;
    if (key.dimension == population_dimension && key.category == population_category &&
        figure.value != 0) {
      people = true;
    }
  }
  return !people;
}

LinkedProtection ProtectLinkedContacts(int year, const FigureSource& value,
                                       const SeenCategories& seen, int k) {
  const LinkedSet set = Builder(value, seen).BuildContacts(year);
  ProtectOptions options;
  options.batch = true;
  options.prune = true;
  const ProtectionResult result = Protect(set.table, k, options);
  LinkedProtection out;
  out.fully_protected = result.fully_protected;
  for (int i = 0; i < set.num_published; ++i) {
    const int64_t v = set.table.values[i];
    bool suppressed = result.suppressed[i] || !result.fully_protected;
    if (suppressed && !(v >= 1 && v < k)) ++out.secondary;
    if (v != 0 || suppressed) out.country.figures[set.keys[i]] = Released{v, suppressed};
  }
  return out;
}

FigureSource CountsSource(const CountryCounts& counts) {
  return [&counts](const FigureKey& key) -> int64_t {
    if (key.measure == kUnresolved) {
      const int month = 3 * (key.slot - kSlotQuarter0) + 3;
      return counts.UnresolvedAt(key.year, month, key.dimension == kTotal ? "" : key.category);
    }
    if (key.measure == kContacts) {
      return counts.ContactCases(key.year, key.slot, key.dimension, key.category);
    }
    if (key.measure == kContactsPrevious) {
      return SumMonths(counts.Months(key.year, kContacts, key.dimension, key.category), key.slot);
    }
    return SumMonths(counts.Months(key.year, key.measure, key.dimension, key.category), key.slot);
  };
}

SeenCategories CountsSeen(const CountryCounts& counts) {
  return [&counts](int year, const std::string& measure, const std::string& dimension) {
    if (measure == kContacts) return counts.SeenContactCategories(year, dimension);
    return counts.SeenCategories(year, measure, dimension);
  };
}

Released ReleasedCountry::Get(const FigureKey& key) const {
  const auto it = figures.find(key);
  return it == figures.end() ? Released{} : it->second;
}

namespace {

// The figures of a released country as a source, and its categories.
FigureSource ReleasedSource(const ReleasedCountry& country) {
  return [&country](const FigureKey& key) { return country.Get(key).value; };
}
// Whether a release holds the figures of the previous definitions: made since they exist, or
// without contacts in the overlap year (then they are all 0 either way).
bool HoldsPreviousDefinition(const ReleasedCountry& country) {
  for (const auto& [key, figure] : country.figures) {
    if (key.measure == kContactsPrevious) return true;
  }
  const std::string contacts = Measure_Name(consular::v1::MEASURE_CONTACTS);
  return country.Get(FigureKey(kDefinitionOverlapYear, kSlotYear, contacts, kTotal, kAll)).value ==
         0;
}

SeenCategories ReleasedSeen(const ReleasedCountry& country) {
  return [&country](int year, const std::string& measure, const std::string& dimension) {
    std::vector<std::string> seen;
    for (const auto& [key, figure] : country.figures) {
      if (key.year == year && key.measure == measure && key.dimension == dimension &&
          std::find(seen.begin(), seen.end(), key.category) == seen.end()) {
        seen.push_back(key.category);
      }
    }
    return seen;
  };
}

}  // namespace

namespace {

// The linked sets of several releases of a country, and of the release being made, as one table
// (see ProtectLinked in the header).
class Chain {
 public:
  // Adds the linked set of a release; `released` holds its pattern (null: the release being made,
  // whose cells are left for Protect to decide).
  std::vector<int> Add(const LinkedSet& set, const ReleasedCountry* released) {
    const int n = static_cast<int>(set.table.values.size());
    // A set of the same figures as the one before, every value (the auxiliary unknowns' too) as
    // it was: the data did not change. Its auxiliary unknowns correspond one to one.
    bool repeat = set.keys == last_keys_ &&
                  n - set.num_published == static_cast<int>(last_auxiliary_.size());
    for (int i = 0; i < n && repeat; ++i) {
      const int before = i < set.num_published ? last_cell_of_key_.at(set.keys[i])
                                               : last_auxiliary_[i - set.num_published];
      repeat = table_.values[before] == set.table.values[i];
    }
    std::vector<int> cell_of(n, -1);
    std::map<FigureKey, int> cell_of_key;
    for (int i = 0; i < set.num_published; ++i) {
      const FigureKey& key = set.keys[i];
      const int64_t v = set.table.values[i];
      const auto before = last_cell_of_key_.find(key);
      if (before != last_cell_of_key_.end() && table_.values[before->second] == v &&
          (repeat || published_[before->second])) {
        // One unknown for both: a published figure with the value it had (what a reader sees),
        // or any figure of a release that repeats the one before.
        cell_of[i] = before->second;
      } else {
        cell_of[i] = NewCell(v, /*auxiliary=*/false);
        if (before != last_cell_of_key_.end()) Changed(before->second, cell_of[i]);
      }
      cell_of_key[key] = cell_of[i];
      if (released != nullptr) {
        (released->Get(key).suppressed ? hidden_ : published_)[cell_of[i]] = true;
      }
    }
    std::vector<int> auxiliary;
    for (int i = set.num_published; i < n; ++i) {
      cell_of[i] = repeat ? last_auxiliary_[i - set.num_published]
                          : NewCell(set.table.values[i], /*auxiliary=*/true);
      auxiliary.push_back(cell_of[i]);
    }
    for (const AdditiveConstraint& c : set.table.constraints) {
      AdditiveConstraint mapped{cell_of[c.total], {}};
      for (int p : c.parts) mapped.parts.push_back(cell_of[p]);
      std::vector<int> parts = mapped.parts;
      std::sort(parts.begin(), parts.end());
      if (seen_constraints_.insert({mapped.total, std::move(parts)}).second) {
        table_.constraints.push_back(std::move(mapped));
      }
    }
    last_cell_of_key_ = std::move(cell_of_key);
    last_keys_ = set.keys;
    last_auxiliary_ = std::move(auxiliary);
    return cell_of;
  }

  // The table with the rules: an unknown published by any earlier release stays published, one
  // only hidden stays hidden, the others are free.
  Table Finish() {
    for (size_t i = 0; i < table_.values.size(); ++i) {
      if (table_.rules[i] == CellRule::kAuxiliary) continue;
      if (published_[i]) {
        table_.rules[i] = CellRule::kPublished;
      } else if (hidden_[i]) {
        table_.rules[i] = CellRule::kSuppressed;
      }
    }
    return std::move(table_);
  }

 private:
  int NewCell(int64_t value, bool auxiliary) {
    table_.values.push_back(value);
    table_.rules.push_back(auxiliary ? CellRule::kAuxiliary : CellRule::kFree);
    published_.push_back(false);
    hidden_.push_back(false);
    return static_cast<int>(table_.values.size()) - 1;
  }

  // A figure that changed between two releases: the later value is the earlier plus a difference
  // of the sign it has (what a reader who knows how the data changed could assume).
  void Changed(int earlier, int later) {
    const int64_t change = table_.values[later] - table_.values[earlier];
    const int difference = NewCell(change >= 0 ? change : -change, /*auxiliary=*/true);
    if (change >= 0) {
      table_.constraints.push_back({later, {earlier, difference}});
    } else {
      table_.constraints.push_back({earlier, {later, difference}});
    }
  }

  Table table_;
  std::vector<bool> published_;
  std::vector<bool> hidden_;
  std::set<std::pair<int, std::vector<int>>> seen_constraints_;
  std::map<FigureKey, int> last_cell_of_key_;
  std::vector<FigureKey> last_keys_;
  std::vector<int> last_auxiliary_;
};

}  // namespace

LinkedProtection ProtectLinked(int first_year, int last_year, const FigureSource& value,
                               const SeenCategories& seen, bool from_the_start, int k,
                               const std::vector<const ReleasedCountry*>& earlier,
                               const ReleasedCountry* start) {
  LinkedProtection out;
  out.country.first_year = first_year;
  out.country.last_year = last_year;
  out.country.from_the_start = from_the_start;

  Chain chain;
  for (const ReleasedCountry* release : earlier) {
    if (release == nullptr || release->first_year <= 0) continue;
    // A release made before a dimension was counted has none of its figures: left out.
    std::vector<Dimension> missing;
    for (const Measure measure :
         {consular::v1::MEASURE_CASES_OPENED, consular::v1::MEASURE_CASES_RESOLVED}) {
      for (const Dimension dimension : DimensionsOf(measure)) {
        if (dimension != consular::v1::DIMENSION_MONTH &&
            !HoldsDimension(*release, measure, dimension)) {
          missing.push_back(dimension);
        }
      }
    }
    chain.Add(BuildLinkedSet(release->first_year, release->last_year, ReleasedSource(*release),
                             ReleasedSeen(*release), release->from_the_start,
                             HoldsPreviousDefinition(*release), missing),
              release);
  }
  const LinkedSet now = BuildLinkedSet(first_year, last_year, value, seen, from_the_start);
  const std::vector<int> cell_of = chain.Add(now, nullptr);
  Table table = chain.Finish();
  // A figure counted under the previous definitions is hidden whenever the people behind it
  // (its figure under the current ones) are too few, however many contacts they had.
  const std::string contacts = Measure_Name(consular::v1::MEASURE_CONTACTS);
  for (int i = 0; i < now.num_published; ++i) {
    const FigureKey& key = now.keys[i];
    if (key.measure != kContactsPrevious) continue;
    const int64_t people = now.table.values[now.index.at(
        FigureKey(key.year, key.slot, contacts, key.dimension, key.category))];
    if (people >= 1 && people < k && table.rules[cell_of[i]] == CellRule::kFree) {
      table.rules[cell_of[i]] = CellRule::kSuppressed;
    }
  }

  ProtectOptions options;
  options.batch = true;
  options.prune = true;
  if (start != nullptr) {
    // A start, not a rule: its complements may be published again when the linked set's own
    // complements make them redundant.
    options.start.assign(table.values.size(), false);
    for (int i = 0; i < now.num_published; ++i) {
      const int cell = cell_of[i];
      if (table.rules[cell] == CellRule::kFree && start->Get(now.keys[i]).suppressed) {
        options.start[cell] = true;
      }
    }
  }

  const ProtectionResult result = Protect(table, k, options);
  out.fully_protected = result.fully_protected;
  for (int i = 0; i < now.num_published; ++i) {
    const int64_t v = now.table.values[i];
    // Not fully protected: publish nothing of the country rather than too much.
    const bool suppressed = result.suppressed[cell_of[i]] || !result.fully_protected;
    if (suppressed && !(v >= 1 && v < k)) ++out.secondary;
    if (v != 0 || suppressed) out.country.figures[now.keys[i]] = Released{v, suppressed};
  }
  return out;
}

LinkedProtection ProtectCounts(const CountryCounts& counts, int first_year, int last_year, int k,
                               const std::vector<const ReleasedCountry*>& earlier,
                               bool unprotected) {
  // The pattern of the tables one by one is the start; the linked set of all of them, with the
  // identities between them and with the release before, adds what they miss.
  LinkedProtection out = ProtectModular(counts, first_year, last_year, k);
  if (unprotected) {
    for (auto& [key, figure] : out.country.figures) figure.suppressed = false;
    // And the figures only the linked set has (those of the previous definitions).
    const LinkedSet set = BuildLinkedSet(first_year, last_year, CountsSource(counts),
                                         CountsSeen(counts), out.country.from_the_start);
    for (int i = 0; i < set.num_published; ++i) {
      if (set.table.values[i] != 0) {
        out.country.figures.emplace(set.keys[i], Released{set.table.values[i], false});
      }
    }
  } else {
    const ReleasedCountry start = std::move(out.country);
    out = ProtectLinked(first_year, last_year, CountsSource(counts), CountsSeen(counts),
                        start.from_the_start, k, earlier, &start);
  }
  for (int y = first_year; y <= last_year; ++y) {
    for (int q = 0; q < 4; ++q) {
      std::map<int64_t, int64_t> days;
      for (int m = 3 * q + 1; m <= 3 * q + 3; ++m) {
        for (const auto& [d, n] : counts.ResolutionDays(y, m)) days[d] += n;
      }
      if (!days.empty()) out.country.days[{y, q}].assign(days.begin(), days.end());
    }
  }
  return out;
}

}  // namespace consular::stats

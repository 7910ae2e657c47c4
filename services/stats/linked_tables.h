#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "services/stats/country_counts.h"
#include "services/stats/disclosure.h"

// Every figure the service can publish for one country, over all its years, protected as one
// linked set (docs/statistics.md, "Disclosure control"). Pure.
//
// A figure is a count of people in a year's month, quarter or whole year, for a measure and a
// category of one of its dimensions (or the total). The identities between the figures are the
// ones a reader can write down from the published tables and the documentation:
//   - months add up to quarters, quarters to the year (cases opened and resolved);
//   - categories add up to the total (a single-valued dimension), or are at most the total (a case
//     may count under several risk flags or obstacles: with + without = total);
//   - a breakdown of a part of the cases divides a cell of another table (PopulationOf in
//     publisher.h: the recognition dimensions the divorce-recognition cases opened, children the
//     abandonment cases opened, who paid for the return the cases resolved as returned);
//   - cases unresolved at a year's end by type add up to the total, and chain from year to year:
//     unresolved at the end = unresolved before + opened - resolved, in total and per case type;
//   - statuses now: the cases opened (over all years) in an open status are the cases unresolved
//     now, those resolved or closed are every case resolved;
//   - contacts count cases with a contact: a case counts once in a quarter however many months it
//     had contacts in, so a quarter lies between its largest month and the sum of its months (the
//     same for the year and its quarters), and a partner kind or purpose is at most the total.
// Inequalities become equations through auxiliary unknowns (CellRule::kAuxiliary): never
// published, never protected, only linking.
namespace consular::stats {

// Counting definitions (docs/statistics.md, "Counting definitions"). Version 2 counts the cases
// with a contact (MEASURE_CONTACTS); version 1 counted the contacts. In the overlap year, the
// figures of version 1 whose definition changed are published beside version 2's, under the
// measure kContactsPrevious (every slot, the total and every partner kind and purpose), each
// hidden whenever the cases behind it (the version 2 figure) number 1..k-1.
inline constexpr char kPreviousDefinitionVersion[] = "1";
inline constexpr int kDefinitionOverlapYear = 2026;
inline constexpr char kContactsPrevious[] = "MEASURE_CONTACTS@1";

// Slots of a year: months 0..11, quarters 12..15, the year 16.
inline constexpr int kSlotQuarter0 = 12;
inline constexpr int kSlotYear = 16;
constexpr int QuarterSlot(int q) { return kSlotQuarter0 + q; }

// A published figure: (year, slot, measure, dimension, category). Totals use dimension kTotal and
// category kAll (services/stats/rollups.h); cases unresolved at a quarter's end use measure
// MEASURE_CASES_UNRESOLVED, dimension DIMENSION_CASE_TYPE or kTotal, the slot of the fourth
// quarter (published at year ends only).
struct FigureKey {
  int year = 0;
  int slot = 0;
  std::string measure;
  std::string dimension;
  std::string category;

  FigureKey() = default;
  FigureKey(int y, int s, std::string m, std::string d, std::string c)
      : year(y), slot(s), measure(std::move(m)), dimension(std::move(d)), category(std::move(c)) {}

  bool operator<(const FigureKey& o) const {
    return std::tie(year, slot, measure, dimension, category) <
           std::tie(o.year, o.slot, o.measure, o.dimension, o.category);
  }
  bool operator==(const FigureKey& o) const {
    return std::tie(year, slot, measure, dimension, category) ==
           std::tie(o.year, o.slot, o.measure, o.dimension, o.category);
  }
};

// The value of a figure (a count of people; 0 when nothing was counted).
using FigureSource = std::function<int64_t(const FigureKey&)>;

// The linked set of a country's years first..last: the cells (published figures first, then the
// auxiliary unknowns) and the identities, as a disclosure::Table whose rules mark the auxiliary
// cells. `keys[i]` names published cell i (i < num_published).
struct LinkedSet {
  Table table;
  std::vector<FigureKey> keys;
  int num_published = 0;
  std::map<FigureKey, int> index;  // key -> cell
};

// The categories a published table has in `year` besides the enum's: whatever `seen` returns for
// (year, measure, dimension) is added. May be null.
using SeenCategories =
    std::function<std::vector<std::string>(int, const std::string&, const std::string&)>;

// `from_the_start`: no case was opened before first_year (then the identities of the statuses
// now hold over the years of the set).
// `previous_definition`: with the figures of the previous definitions in the overlap year (a
// release made before they existed has none).
// `missing`: dimensions left out (a release made before they were counted has none of their
// figures; see HoldsDimension).
LinkedSet BuildLinkedSet(int first_year, int last_year, const FigureSource& value,
                         const SeenCategories& seen, bool from_the_start,
                         bool previous_definition = true,
                         const std::vector<consular::v1::Dimension>& missing = {});

// The value of every figure from a country's rollup counts (cases unresolved from the cumulative
// counts, contacts as the cases with a contact).
FigureSource CountsSource(const CountryCounts& counts);
SeenCategories CountsSeen(const CountryCounts& counts);

// A protected figure.
struct Released {
  int64_t value = 0;
  bool suppressed = false;
};

// The protected figures of one country in a release, with the days from opening to resolution
// per quarter (for the medians). A figure not held is a published 0.
struct ReleasedCountry {
  int first_year = 0;
  int last_year = 0;
  bool from_the_start = true;
  std::map<FigureKey, Released> figures;
  // (year, quarter 0..3) -> (days, cases) ascending by days.
  std::map<std::pair<int, int>, std::vector<std::pair<int64_t, int64_t>>> days;

  Released Get(const FigureKey& key) const;
};

// Whether a release holds the figures of `dimension` (of `measure`): made since the dimension is
// counted, or with nobody in its population in any year (then its figures are all 0 either way).
// A single-valued dimension whose population has people always has a figure; a multi-valued one
// (RISK_FLAG, RECOGNITION_OBSTACLE) may have none, and is taken as held, as are MONTH and the
// dimensions of other measures than the cases opened and resolved.
bool HoldsDimension(const ReleasedCountry& country, consular::v1::Measure measure,
                    consular::v1::Dimension dimension);

struct LinkedProtection {
  ReleasedCountry country;
  bool fully_protected = true;
  int secondary = 0;  // complementary suppressions made
};

// Protects the linked set of years first..last with threshold k, jointly with the `earlier`
// releases of the same country (oldest first; null entries are skipped): every release is
// written into one table, so that no hidden cell of any of them is narrower than k given
// everything all of them publish.
//   - A figure published before with the value it has now is one unknown in both releases (what
//     a reader sees): it stays published.
//   - A release whose every figure has the value it had in the release before (the data did not
//     change) is one set of unknowns with it (true, and more than a reader knows: the safe side):
//     it repeats the release before, and adds nothing to the size of the problem.
//   - Any other figure is linked to its earlier value by a difference of the sign it really has
//     (what a reader who knows how the data changed could assume).
//   - Earlier patterns are fixed; cells of the new release are suppressed until no hidden cell
//     of any release is narrower than k.
// With `start`, its suppressed figures are suppressed from the outset (a pattern from a cheaper
// method, which the linked check then completes). Complements redundant at the end, `start`'s
// included, are published again, the most people first (ProtectOptions::prune).
LinkedProtection ProtectLinked(int first_year, int last_year, const FigureSource& value,
                               const SeenCategories& seen, bool from_the_start, int k,
                               const std::vector<const ReleasedCountry*>& earlier,
                               const ReleasedCountry* start = nullptr);

// The cases with a contact of one year (every slot, in total and by partner kind and purpose) as
// one linked set of their own, protected with threshold k.
LinkedProtection ProtectLinkedContacts(int year, const FigureSource& value,
                                       const SeenCategories& seen, int k);

// A country's rollup counts protected over the years first..last as releases publish them: the
// tables one by one (ProtectModular, services/stats/modular_protection.h), then every figure as
// one linked set with the identities between the tables, jointly with the `earlier` releases of
// the same country (oldest first; ProtectLinked); with the days from opening to resolution per
// quarter of the years whose months were loaded with them. With `unprotected`, every figure is
// published as counted (verification and tests only).
LinkedProtection ProtectCounts(const CountryCounts& counts, int first_year, int last_year, int k,
                               const std::vector<const ReleasedCountry*>& earlier = {},
                               bool unprotected = false);

// JSON of one year of a released country (figures of that year that are nonzero or suppressed,
// and that year's days), and back. Parse returns false on malformed input.
std::string YearJson(const ReleasedCountry& country, int year);
bool AddYearJson(const std::string& json, ReleasedCountry* country);

}  // namespace consular::stats

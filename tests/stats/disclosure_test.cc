// Disclosure control (services/stats/disclosure.h): the LP intervals against brute-force
// enumeration, properties of Protect over thousands of random tables, hand-made cases with known
// answers, and RoundToBase5.

#include "services/stats/disclosure.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "services/stats/linear_program.h"

namespace consular::stats {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// Independent checker: enumerates every integer assignment of the suppressed cells in [0, cap]
// that satisfies all constraints (published cells fixed), by depth-first search with constraint
// propagation. Shares no code with the library.

struct IntegerRange {
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
};

class BruteForce {
 public:
  BruteForce(const Table& table, const std::vector<bool>& suppressed, int64_t cap, int64_t budget)
      : table_(table), suppressed_(suppressed), cap_(cap), budget_(budget) {}

  // Per cell, the range over all solutions (meaningful for suppressed cells); nullopt if the
  // search needed more than `budget` nodes.
  std::optional<std::vector<IntegerRange>> Run() {
    const size_t n = table_.values.size();
    ranges_.assign(n, IntegerRange{});
    value_.assign(n, 0);
    known_.assign(n, 0);
    part_of_.assign(n, {});
    for (size_t ci = 0; ci < table_.constraints.size(); ++ci) {
      for (int part : table_.constraints[ci].parts) part_of_[part].push_back(static_cast<int>(ci));
    }
    for (size_t c = 0; c < n; ++c) {
      if (!suppressed_[c]) {
        value_[c] = table_.values[c];
        known_[c] = 1;
      }
    }
    Search();
    if (aborted_) return std::nullopt;
    return ranges_;
  }

 private:
  void Assign(int cell, int64_t v) {
    value_[cell] = v;
    known_[cell] = 1;
    trail_.push_back(cell);
  }

  void UndoTo(size_t mark) {
    while (trail_.size() > mark) {
      known_[trail_.back()] = 0;
      trail_.pop_back();
    }
  }

  // Fills every cell a constraint determines; false on a contradiction.
  bool Propagate() {
    bool changed = true;
    while (changed) {
      changed = false;
      for (const AdditiveConstraint& constraint : table_.constraints) {
        int unknown = 0;
        int last = -1;
        int64_t known_parts = 0;
        if (!known_[constraint.total]) {
          ++unknown;
          last = constraint.total;
        }
        for (int part : constraint.parts) {
          if (known_[part]) {
            known_parts += value_[part];
          } else {
            ++unknown;
            last = part;
          }
        }
        const bool total_known = known_[constraint.total];
        if (unknown == 0) {
          if (value_[constraint.total] != known_parts) return false;
          continue;
        }
        if (total_known && known_parts > value_[constraint.total]) return false;
        if (unknown == 1) {
          const int64_t v =
              last == constraint.total ? known_parts : value_[constraint.total] - known_parts;
          if (v < 0 || v > cap_) return false;
          Assign(last, v);
          changed = true;
        }
      }
    }
    return true;
  }

  // The largest value `cell` may take given the known cells: cap, or less where it is a part of a
  // constraint with a known total.
  int64_t UpperBound(int cell) const {
    int64_t upper = cap_;
    for (int ci : part_of_[cell]) {
      const AdditiveConstraint& constraint = table_.constraints[ci];
      if (!known_[constraint.total]) continue;
      int64_t known_parts = 0;
      for (int part : constraint.parts) known_parts += known_[part] ? value_[part] : 0;
      upper = std::min(upper, value_[constraint.total] - known_parts);
    }
    return upper;
  }

  void Search() {
    if (aborted_) return;
    if (++nodes_ > budget_) {
      aborted_ = true;
      return;
    }
    const size_t mark = trail_.size();
    if (!Propagate()) {
      UndoTo(mark);
      return;
    }
    // Branch on the unknown cell with the fewest possible values.
    const int n = static_cast<int>(value_.size());
    int branch = -1;
    int64_t branch_upper = 0;
    for (int c = 0; c < n; ++c) {
      if (known_[c]) continue;
      const int64_t upper = UpperBound(c);
      if (branch < 0 || upper < branch_upper) {
        branch = c;
        branch_upper = upper;
      }
    }
    if (branch < 0) {
      for (int c = 0; c < n; ++c) {
        ranges_[c].lo = std::min(ranges_[c].lo, value_[c]);
        ranges_[c].hi = std::max(ranges_[c].hi, value_[c]);
      }
    } else {
      for (int64_t v = 0; v <= branch_upper && !aborted_; ++v) {
        const size_t before = trail_.size();
        Assign(branch, v);
        Search();
        UndoTo(before);
      }
    }
    UndoTo(mark);
  }

  const Table& table_;
  const std::vector<bool>& suppressed_;
  const int64_t cap_;
  const int64_t budget_;
  int64_t nodes_ = 0;
  bool aborted_ = false;
  std::vector<int64_t> value_;
  std::vector<char> known_;
  std::vector<int> trail_;
  std::vector<std::vector<int>> part_of_;  // Per cell, the constraints it is a part of.
  std::vector<IntegerRange> ranges_;
};

// ---------------------------------------------------------------------------------------------
// Random tables.

// Many counts of 0..6, some medium and a few large ones.
int64_t SkewedCount(std::mt19937& rng) {
  const int bucket = std::uniform_int_distribution<int>(0, 99)(rng);
  if (bucket < 35) return 0;
  if (bucket < 75) return std::uniform_int_distribution<int64_t>(1, 6)(rng);
  if (bucket < 90) return std::uniform_int_distribution<int64_t>(7, 30)(rng);
  return std::uniform_int_distribution<int64_t>(31, 2000)(rng);
}

Table RandomTwoWayTable(std::mt19937& rng, int max_rows, int max_cols) {
  const int rows = std::uniform_int_distribution<int>(1, max_rows)(rng);
  const int cols = std::uniform_int_distribution<int>(1, max_cols)(rng);
  std::vector<int64_t> interior(static_cast<size_t>(rows) * cols);
  for (int64_t& v : interior) v = SkewedCount(rng);
  return TwoWayTable(rows, cols, interior);
}

Table RandomCalendarTable(std::mt19937& rng) {
  std::array<int64_t, 12> months;
  for (int64_t& v : months) v = SkewedCount(rng);
  return CalendarTable(months);
}

std::vector<int> SuppressedCells(const ProtectionResult& result) {
  std::vector<int> cells;
  for (size_t c = 0; c < result.suppressed.size(); ++c) {
    if (result.suppressed[c]) cells.push_back(static_cast<int>(c));
  }
  return cells;
}

int64_t MaxValue(const Table& table) {
  return *std::max_element(table.values.begin(), table.values.end());
}

// ---------------------------------------------------------------------------------------------
// LinearProgram on its own.

TEST(LinearProgramTest, BoundsOfAVariable) {
  // x0 + x1 = 4, x1 + x2 = 3: x0 in [1, 4], x2 in [0, 3].
  LinearProgram program(3);
  program.AddEquation({1, 1, 0}, 4);
  program.AddEquation({0, 1, 1}, 3);
  EXPECT_TRUE(program.IsFeasible());
  const LpResult min0 = program.Minimize(0);
  ASSERT_EQ(min0.status, LpStatus::kOptimal);
  EXPECT_NEAR(min0.value, 1.0, 1e-12);
  EXPECT_NEAR(program.Maximize(0).value, 4.0, 1e-12);
  EXPECT_NEAR(program.Minimize(2).value, 0.0, 1e-12);
  EXPECT_NEAR(program.Maximize(2).value, 3.0, 1e-12);
  EXPECT_NEAR(program.Maximize(1).value, 3.0, 1e-12);
}

TEST(LinearProgramTest, InfeasibleAndUnbounded) {
  LinearProgram infeasible(2);
  infeasible.AddEquation({1, 1}, -1);
  EXPECT_FALSE(infeasible.IsFeasible());
  EXPECT_EQ(infeasible.Maximize(0).status, LpStatus::kInfeasible);

  LinearProgram contradictory(2);
  contradictory.AddEquation({1, 1}, 2);
  contradictory.AddEquation({1, 1}, 3);
  EXPECT_EQ(contradictory.Minimize(1).status, LpStatus::kInfeasible);

  // x0 - x1 = 2: x0 in [2, +inf).
  LinearProgram unbounded(2);
  unbounded.AddEquation({1, -1}, 2);
  const LpResult hi = unbounded.Maximize(0);
  EXPECT_EQ(hi.status, LpStatus::kUnbounded);
  EXPECT_EQ(hi.value, kInf);
  const LpResult lo = unbounded.Minimize(0);
  ASSERT_EQ(lo.status, LpStatus::kOptimal);
  EXPECT_NEAR(lo.value, 2.0, 1e-12);

  LinearProgram no_equations(1);
  EXPECT_EQ(no_equations.Maximize(0).status, LpStatus::kUnbounded);
  EXPECT_EQ(no_equations.Minimize(0).value, 0.0);
}

TEST(LinearProgramTest, StopsOnceTheTargetIsReached) {
  // x0 + x1 = 10: x0 in [0, 10].
  LinearProgram program(2);
  program.AddEquation({1, 1}, 10);
  const LpResult up = program.MaximizeUntil(0, 3);
  ASSERT_TRUE(up.status == LpStatus::kTargetReached || up.status == LpStatus::kOptimal);
  EXPECT_GE(up.value, 3.0);
  const LpResult unreachable = program.MaximizeUntil(0, 11);
  ASSERT_EQ(unreachable.status, LpStatus::kOptimal);
  EXPECT_NEAR(unreachable.value, 10.0, 1e-12);
  const LpResult down = program.MinimizeUntil(0, 5);
  ASSERT_EQ(down.status, LpStatus::kTargetReached);
  EXPECT_LE(down.value, 5.0);
  const LpResult floor = program.MinimizeUntil(0, -1);
  ASSERT_EQ(floor.status, LpStatus::kOptimal);
  EXPECT_NEAR(floor.value, 0.0, 1e-12);

  program.Reset(1);
  program.AddEquation({1}, 4);
  EXPECT_NEAR(program.Maximize(0).value, 4.0, 1e-12);
  EXPECT_NEAR(program.Minimize(0).value, 4.0, 1e-12);
}

TEST(LinearProgramTest, RedundantAndDegenerateEquations) {
  // A 2x2 table with all margins given twice over (one equation is redundant), zero right-hand
  // sides from a zero row: x = [a b; c d], a+b = 0, c+d = 5, a+c = 2, b+d = 3, a+b+c+d = 5.
  LinearProgram program(4);
  program.AddEquation({1, 1, 0, 0}, 0);
  program.AddEquation({0, 0, 1, 1}, 5);
  program.AddEquation({1, 0, 1, 0}, 2);
  program.AddEquation({0, 1, 0, 1}, 3);
  program.AddEquation({1, 1, 1, 1}, 5);
  program.AddEquation({2, 2, 2, 2}, 10);
  EXPECT_EQ(program.Maximize(0).value, 0.0);
  EXPECT_EQ(program.Maximize(1).value, 0.0);
  EXPECT_NEAR(program.Minimize(2).value, 2.0, 1e-12);
  EXPECT_NEAR(program.Maximize(2).value, 2.0, 1e-12);
  EXPECT_NEAR(program.Maximize(3).value, 3.0, 1e-12);
  // An equation added later invalidates the cached phase 1.
  program.AddEquation({0, 0, 0, 1}, 4);
  EXPECT_FALSE(program.IsFeasible());
}

// ---------------------------------------------------------------------------------------------
// 1. LP intervals equal brute-force integer ranges on small two-way tables.

TEST(CellIntervalTest, EqualsBruteForceOnSmallTwoWayTables) {
  std::mt19937 rng(20240611);
  int tables = 0;
  int cells_compared = 0;
  int skipped_over_budget = 0;
  for (int trial = 0; tables < 2000; ++trial) {
    ASSERT_LT(trial, 20000);
    const int rows = std::uniform_int_distribution<int>(2, 3)(rng);
    const int cols = std::uniform_int_distribution<int>(2, 3)(rng);
    std::vector<int64_t> interior(static_cast<size_t>(rows) * cols);
    for (int64_t& v : interior) v = std::uniform_int_distribution<int64_t>(0, 6)(rng);
    const Table table = TwoWayTable(rows, cols, interior);
    const TwoWayShape shape{rows, cols};
    const double p = std::array<double, 3>{0.25, 0.5, 0.75}[trial % 3];
    std::bernoulli_distribution suppress(p);
    std::vector<bool> suppressed(table.values.size());
    for (size_t c = 0; c < suppressed.size(); ++c) suppressed[c] = suppress(rng);
    // Keep the grand total fixed (published, or implied by published row or column totals), so
    // every solution lies in [0, grand total] and the enumeration range is not a constraint.
    bool row_totals_published = true;
    bool column_totals_published = true;
    for (int r = 0; r < rows; ++r) row_totals_published &= !suppressed[shape.RowTotal(r)];
    for (int c = 0; c < cols; ++c) column_totals_published &= !suppressed[shape.ColumnTotal(c)];
    if (!row_totals_published && !column_totals_published) {
      suppressed[shape.GrandTotal()] = false;
    }
    const int64_t grand_total = table.values[shape.GrandTotal()];
    const std::optional<std::vector<IntegerRange>> ranges =
        BruteForce(table, suppressed, grand_total, 20'000).Run();
    if (!ranges) {
      ++skipped_over_budget;
      continue;
    }
    ++tables;
    for (size_t c = 0; c < suppressed.size(); ++c) {
      if (!suppressed[c]) continue;
      const Interval interval = CellInterval(table, suppressed, static_cast<int>(c));
      ASSERT_EQ(interval.lo, static_cast<double>((*ranges)[c].lo))
          << "trial " << trial << " cell " << c;
      ASSERT_EQ(interval.hi, static_cast<double>((*ranges)[c].hi))
          << "trial " << trial << " cell " << c;
      ++cells_compared;
    }
  }
  std::cout << "[ stats    ] " << tables << " tables, " << cells_compared
            << " suppressed cells compared, " << skipped_over_budget << " over budget\n";
  EXPECT_LT(skipped_over_budget, tables / 10);
}

TEST(CellIntervalTest, PublishedCellsAndUnboundedCells) {
  // 1x1 table: cell, row total, column total, grand total all equal. All suppressed: unbounded.
  const Table table = TwoWayTable(1, 1, {4});
  const Interval published = CellInterval(table, {false, false, false, false}, 0);
  EXPECT_EQ(published.lo, 4.0);
  EXPECT_EQ(published.hi, 4.0);
  const Interval all = CellInterval(table, {true, true, true, true}, 0);
  EXPECT_EQ(all.lo, 0.0);
  EXPECT_EQ(all.hi, kInf);
  // A suppressed cell in no constraint can be anything.
  const Table lonely{{3}, {}, {}};
  EXPECT_EQ(CellInterval(lonely, {true}, 0).hi, kInf);
}

// ---------------------------------------------------------------------------------------------
// 2. Properties of Protect over random tables.

struct PropertyStats {
  int tables = 0;
  int brute_force_tables = 0;
  int suppressed_cells = 0;
};

// Checks every property of one protected table: with the LP always, and for tiny tables also with
// the brute-force enumerator.
void CheckProtection(const Table& table, int k, const ProtectionResult& result,
                     PropertyStats& stats, const std::string& label) {
  SCOPED_TRACE(label);
  ++stats.tables;
  ASSERT_EQ(result.suppressed.size(), table.values.size());
  EXPECT_TRUE(result.fully_protected);
  EXPECT_FALSE(result.overrode_forced);
  for (size_t c = 0; c < table.values.size(); ++c) {
    const int64_t v = table.values[c];
    if (!result.suppressed[c]) {
      EXPECT_FALSE(v >= 1 && v < k) << "published small cell " << c;
    }
  }
  // The LP check for every table.
  for (size_t c = 0; c < table.values.size(); ++c) {
    if (!result.suppressed[c]) continue;
    ++stats.suppressed_cells;
    const Interval interval = CellInterval(table, result.suppressed, static_cast<int>(c));
    EXPECT_GE(interval.hi - interval.lo, k)
        << "cell " << c << " [" << interval.lo << ", " << interval.hi << "]";
  }
  // Brute force for tiny tables: every integer assignment in [0, max + k] (the real table plus k
  // along any unbounded direction fits in that range).
  const int64_t cap = MaxValue(table) + k;
  if (table.values.size() <= 12 && cap <= 40) {
    const std::optional<std::vector<IntegerRange>> ranges =
        BruteForce(table, result.suppressed, cap, 20'000).Run();
    if (ranges) {
      ++stats.brute_force_tables;
      for (size_t c = 0; c < table.values.size(); ++c) {
        if (!result.suppressed[c]) continue;
        EXPECT_GE((*ranges)[c].hi - (*ranges)[c].lo, k) << "brute force, cell " << c;
      }
    }
  }
}

TEST(ProtectPropertyTest, RandomTwoWayTablesAreProtected) {
  std::mt19937 rng(7);
  PropertyStats stats;
  for (int i = 0; i < 2000; ++i) {
    const Table table = RandomTwoWayTable(rng, 6, 8);
    const int k = std::array<int, 4>{3, 5, 7, 10}[i % 4];
    const ProtectionResult result = Protect(table, k);
    CheckProtection(table, k, result, stats, "two-way table " + std::to_string(i));
    if (HasFatalFailure()) return;
  }
  std::cout << "[ stats    ] " << stats.tables << " two-way tables, " << stats.brute_force_tables
            << " also brute-forced, " << stats.suppressed_cells << " suppressed cells checked\n";
  EXPECT_GT(stats.brute_force_tables, 100);
}

TEST(ProtectPropertyTest, RandomTinyTwoWayTablesAreProtected) {
  // Small tables of small counts, so the brute-force checker covers most of them.
  std::mt19937 rng(11);
  PropertyStats stats;
  for (int i = 0; i < 2000; ++i) {
    const int rows = std::uniform_int_distribution<int>(1, 2)(rng);
    const int cols = std::uniform_int_distribution<int>(1, 3)(rng);
    std::vector<int64_t> interior(static_cast<size_t>(rows) * cols);
    for (int64_t& v : interior) v = std::uniform_int_distribution<int64_t>(0, 6)(rng);
    const Table table = TwoWayTable(rows, cols, interior);
    const int k = std::array<int, 4>{3, 5, 7, 10}[i % 4];
    CheckProtection(table, k, Protect(table, k), stats, "tiny table " + std::to_string(i));
    if (HasFatalFailure()) return;
  }
  std::cout << "[ stats    ] " << stats.tables << " tiny two-way tables, "
            << stats.brute_force_tables << " also brute-forced, " << stats.suppressed_cells
            << " suppressed cells checked\n";
  EXPECT_GT(stats.brute_force_tables, 1500);
}

// Pruning publishes again complements the others made redundant: the pattern stays safe (LP and
// brute force), it is a subset of the one without pruning (never a new suppression), and over
// many tables it hides fewer people.
TEST(ProtectPropertyTest, PruningKeepsTablesProtectedAndHidesFewerPeople) {
  std::mt19937 rng(17);
  PropertyStats stats;
  int64_t people_greedy = 0;
  int64_t people_pruned = 0;
  for (int i = 0; i < 600; ++i) {
    const Table table = i % 2 == 0 ? RandomTwoWayTable(rng, 6, 8) : RandomCalendarTable(rng);
    const int k = std::array<int, 4>{3, 5, 7, 10}[i % 4];
    for (const bool batch : {false, true}) {
      ProtectOptions greedy;
      greedy.batch = batch;
      ProtectOptions pruned = greedy;
      pruned.prune = true;
      const ProtectionResult without = Protect(table, k, greedy);
      const ProtectionResult with = Protect(table, k, pruned);
      const std::string label = "table " + std::to_string(i) + (batch ? " batch" : "");
      if (batch) {
        // Batch mode protects the hidden cells with people only.
        for (size_t c = 0; c < table.values.size(); ++c) {
          if (!with.suppressed[c] || table.values[c] == 0) continue;
          const Interval interval = CellInterval(table, with.suppressed, static_cast<int>(c));
          EXPECT_GE(interval.hi - interval.lo, k) << label << ", cell " << c;
        }
      } else {
        CheckProtection(table, k, with, stats, label);
      }
      for (size_t c = 0; c < table.values.size(); ++c) {
        EXPECT_TRUE(!with.suppressed[c] || without.suppressed[c]) << label << ", cell " << c;
        if (without.suppressed[c]) people_greedy += table.values[c];
        if (with.suppressed[c]) people_pruned += table.values[c];
      }
      if (HasFatalFailure()) return;
    }
  }
  std::cout << "[ stats    ] people hidden: " << people_greedy << " greedy, " << people_pruned
            << " pruned\n";
  EXPECT_LT(people_pruned, people_greedy);
}

// A start pattern is suppressed from the outset, and pruned like any complement: the most people
// first, kept where it is needed.
TEST(ProtectTest, AStartPatternIsSuppressedAndMayBePublishedAgain) {
  // total 23 = 1 + 10 + 12; the 1 is small, a cheaper method hid the 10 and the 12 as well.
  Table table;
  table.values = {23, 1, 10, 12};
  table.constraints = {{0, {1, 2, 3}}};
  ProtectOptions options;
  options.start = {false, false, true, true};
  EXPECT_EQ(SuppressedCells(Protect(table, 3, options)), (std::vector<int>{1, 2, 3}));
  options.prune = true;
  // The 12 goes first and is not needed (1 + 10 = 11 leaves the 1 wide); the 10 then is.
  const ProtectionResult pruned = Protect(table, 3, options);
  EXPECT_EQ(SuppressedCells(pruned), (std::vector<int>{1, 2}));
  EXPECT_TRUE(pruned.fully_protected);
}

TEST(ProtectPropertyTest, RandomCalendarTablesAreProtected) {
  std::mt19937 rng(13);
  PropertyStats stats;
  for (int i = 0; i < 2000; ++i) {
    const Table table = RandomCalendarTable(rng);
    const int k = std::array<int, 4>{3, 5, 7, 10}[i % 4];
    CheckProtection(table, k, Protect(table, k), stats, "calendar table " + std::to_string(i));
    if (HasFatalFailure()) return;
  }
  std::cout << "[ stats    ] " << stats.tables << " calendar tables, " << stats.suppressed_cells
            << " suppressed cells checked\n";
}

TEST(ProtectPropertyTest, ZeroTablesAndLargeCountsSuppressNothing) {
  std::mt19937 rng(17);
  for (int i = 0; i < 500; ++i) {
    const int k = std::array<int, 4>{3, 5, 7, 10}[i % 4];
    const int rows = std::uniform_int_distribution<int>(1, 6)(rng);
    const int cols = std::uniform_int_distribution<int>(1, 8)(rng);
    std::vector<int64_t> zeros(static_cast<size_t>(rows) * cols, 0);
    std::vector<int64_t> large(zeros.size());
    for (int64_t& v : large) v = std::uniform_int_distribution<int64_t>(k, 5000)(rng);
    std::array<int64_t, 12> months;
    for (int64_t& v : months) v = std::uniform_int_distribution<int64_t>(k, 5000)(rng);
    for (const Table& table : {TwoWayTable(rows, cols, zeros), TwoWayTable(rows, cols, large),
                               CalendarTable(months), CalendarTable(std::array<int64_t, 12>{})}) {
      const ProtectionResult result = Protect(table, k);
      EXPECT_TRUE(SuppressedCells(result).empty()) << "table " << i;
      EXPECT_TRUE(result.fully_protected);
    }
  }
}

TEST(ProtectPropertyTest, DeterministicAcrossCalls) {
  std::mt19937 rng(19);
  for (int i = 0; i < 500; ++i) {
    const Table table = i % 2 == 0 ? RandomTwoWayTable(rng, 6, 8) : RandomCalendarTable(rng);
    const int k = std::array<int, 4>{3, 5, 7, 10}[i % 4];
    const Table copy = table;
    const ProtectionResult first = Protect(table, k);
    const ProtectionResult second = Protect(copy, k);
    EXPECT_EQ(first.suppressed, second.suppressed) << "table " << i;
    EXPECT_EQ(first.fully_protected, second.fully_protected);
    EXPECT_EQ(first.overrode_forced, second.overrode_forced);
  }
}

TEST(ProtectPropertyTest, RandomRulesAreRespected) {
  std::mt19937 rng(23);
  int tables = 0;
  int not_fully_protected = 0;
  for (int i = 0; i < 1500; ++i) {
    Table table = i % 2 == 0 ? RandomTwoWayTable(rng, 4, 6) : RandomCalendarTable(rng);
    const int k = std::array<int, 4>{3, 5, 7, 10}[i % 4];
    table.rules.resize(table.values.size());
    for (CellRule& rule : table.rules) {
      const int draw = std::uniform_int_distribution<int>(0, 9)(rng);
      rule = draw == 0 ? CellRule::kPublished : draw == 1 ? CellRule::kSuppressed : CellRule::kFree;
    }
    const ProtectionResult result = Protect(table, k);
    ++tables;
    bool small_forced = false;
    for (size_t c = 0; c < table.values.size(); ++c) {
      const int64_t v = table.values[c];
      const bool small = v >= 1 && v < k;
      if (!result.suppressed[c]) {
        EXPECT_FALSE(small) << "table " << i << " cell " << c;
      }
      if (table.rules[c] == CellRule::kSuppressed) {
        EXPECT_TRUE(result.suppressed[c]) << "table " << i << " cell " << c;
      }
      if (table.rules[c] == CellRule::kPublished) {
        EXPECT_EQ(result.suppressed[c], small) << "table " << i << " cell " << c;
        small_forced |= small;
      }
    }
    EXPECT_EQ(result.overrode_forced, small_forced) << "table " << i;
    bool all_wide = true;
    for (size_t c = 0; c < table.values.size(); ++c) {
      if (!result.suppressed[c]) continue;
      const Interval interval = CellInterval(table, result.suppressed, static_cast<int>(c));
      all_wide &= interval.hi - interval.lo >= k;
    }
    // fully_protected says exactly whether every suppressed cell is wide enough.
    EXPECT_EQ(result.fully_protected, all_wide) << "table " << i;
    not_fully_protected += result.fully_protected ? 0 : 1;
  }
  std::cout << "[ stats    ] " << tables << " tables with random rules, " << not_fully_protected
            << " could not be fully protected\n";
}

// ---------------------------------------------------------------------------------------------
// 3. Hand-made cases.

// A single table constraint: cells[0] = sum of the others.
Table OneConstraintTable(std::vector<int64_t> values) {
  Table table;
  table.values = std::move(values);
  AdditiveConstraint constraint{0, {}};
  for (int c = 1; c < static_cast<int>(table.values.size()); ++c) constraint.parts.push_back(c);
  table.constraints.push_back(constraint);
  return table;
}

TEST(ProtectTest, SmallCellInTwoByTwoSuppressesTheRectangle) {
  const TwoWayShape shape{2, 2};
  const Table table = TwoWayTable(2, 2, {1, 10, 20, 30});
  const ProtectionResult result = Protect(table, 3);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{shape.Cell(0, 0), shape.Cell(0, 1),
                                                       shape.Cell(1, 0), shape.Cell(1, 1)}));
  EXPECT_TRUE(result.fully_protected);
  EXPECT_FALSE(result.overrode_forced);
  // The small cell can be anything from 0 to 11.
  const Interval interval = CellInterval(table, result.suppressed, shape.Cell(0, 0));
  EXPECT_EQ(interval.lo, 0.0);
  EXPECT_EQ(interval.hi, 11.0);
}

TEST(ProtectTest, ClosesTheRectangleInsteadOfStartingAChain) {
  // (0,0) is small; the smallest neighbours are (1,0) = 9 and then (0,1) = 40; the corner (1,1) =
  // 60 closes the rectangle although (0,2) = 50 is smaller.
  const TwoWayShape shape{3, 3};
  const Table table = TwoWayTable(3, 3, {2, 40, 50, 9, 60, 70, 80, 90, 99});
  const ProtectionResult result = Protect(table, 5);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{shape.Cell(0, 0), shape.Cell(0, 1),
                                                       shape.Cell(1, 0), shape.Cell(1, 1)}));
}

TEST(ProtectTest, QuartersWithNothingStayPublishedWhenTheirTotalsAre) {
  // Quarters x (abandonment, divorce): everything happened in Q4 (11 and 2). The quarter totals
  // and the year total are published by the calendar table above. Hiding a zero of an empty
  // quarter protects nothing (its published total 0 pins it), so the pattern must be Q4's two
  // cells and the two year cells, and the empty quarters stay published.
  const TwoWayShape shape{4, 2};
  Table table = TwoWayTable(4, 2, {0, 0, 0, 0, 0, 0, 11, 2});
  table.rules.assign(table.values.size(), CellRule::kFree);
  for (int q = 0; q < 4; ++q) table.rules[shape.RowTotal(q)] = CellRule::kPublished;
  table.rules[shape.GrandTotal()] = CellRule::kPublished;
  const ProtectionResult result = Protect(table, 5);
  EXPECT_TRUE(result.fully_protected);
  EXPECT_EQ(SuppressedCells(result),
            (std::vector<int>{shape.Cell(3, 0), shape.Cell(3, 1), shape.ColumnTotal(0),
                              shape.ColumnTotal(1)}));
  const Interval divorce = CellInterval(table, result.suppressed, shape.Cell(3, 1));
  EXPECT_EQ(divorce.lo, 0.0);
  EXPECT_EQ(divorce.hi, 13.0);
}

TEST(ProtectTest, SmallCellInRowWithPublishedTotalTakesTheSmallestOtherCell) {
  const Table table = OneConstraintTable({18, 2, 9, 7});
  const ProtectionResult result = Protect(table, 3);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{1, 3}));
  EXPECT_TRUE(result.fully_protected);
}

TEST(ProtectTest, SmallMonthSuppressesAnotherMonthOfTheSameQuarter) {
  std::array<int64_t, 12> months;
  months.fill(20);
  months[4] = 1;   // May, in the second quarter (April, May, June).
  months[3] = 15;  // April: the smallest other month of that quarter.
  months[0] = 8;   // Smaller, but in another quarter.
  const Table table = CalendarTable(months);
  const ProtectionResult result = Protect(table, 5);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{CalendarMonth(3), CalendarMonth(4)}));
  EXPECT_FALSE(result.suppressed[CalendarQuarter(1)]);
  EXPECT_FALSE(result.suppressed[kCalendarYear]);
}

TEST(ProtectTest, PublishedRuleKeepsACellPublished) {
  Table table = OneConstraintTable({18, 2, 9, 7});
  table.rules = {CellRule::kFree, CellRule::kFree, CellRule::kFree, CellRule::kPublished};
  const ProtectionResult result = Protect(table, 3);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{1, 2}));
  EXPECT_TRUE(result.fully_protected);
  EXPECT_FALSE(result.overrode_forced);
}

TEST(ProtectTest, SuppressedRuleCountsAsSuppressed) {
  // The forced cell already protects the small one: nothing else is needed.
  Table table = OneConstraintTable({18, 2, 9, 7});
  table.rules = {CellRule::kFree, CellRule::kFree, CellRule::kSuppressed, CellRule::kFree};
  EXPECT_EQ(SuppressedCells(Protect(table, 3)), (std::vector<int>{1, 2}));

  // A forced-suppressed large cell is protected like any other.
  Table large = OneConstraintTable({30, 10, 12, 8});
  large.rules = {CellRule::kFree, CellRule::kSuppressed, CellRule::kFree, CellRule::kFree};
  const ProtectionResult result = Protect(large, 3);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{1, 3}));
  EXPECT_TRUE(result.fully_protected);
}

TEST(ProtectTest, SmallPublishedCellIsOverriddenAndReported) {
  Table table = OneConstraintTable({18, 2, 9, 7});
  table.rules = {CellRule::kFree, CellRule::kPublished, CellRule::kFree, CellRule::kFree};
  const ProtectionResult result = Protect(table, 3);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{1, 3}));
  EXPECT_TRUE(result.overrode_forced);
  EXPECT_TRUE(result.fully_protected);
}

TEST(ProtectTest, PublishedRulesCanMakeProtectionImpossible) {
  Table table = OneConstraintTable({18, 2, 9, 7});
  table.rules = {CellRule::kPublished, CellRule::kFree, CellRule::kPublished, CellRule::kPublished};
  const ProtectionResult result = Protect(table, 3);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{1}));
  EXPECT_FALSE(result.fully_protected);
}

TEST(ProtectTest, WidensToTheComponentWhenTheNarrowCellsConstraintsAreExhausted) {
  // T = a + b + d, W = b + d. With T published, a = T - W is pinned; b and d (forced suppressed)
  // are free in [0, 20]. a's own constraint offers nothing, so W (in b's constraint) is taken.
  Table table;
  table.values = {21, 1, 10, 10, 20};  // T, a, b, d, W
  table.constraints = {{0, {1, 2, 3}}, {4, {2, 3}}};
  table.rules = {CellRule::kPublished, CellRule::kFree, CellRule::kSuppressed,
                 CellRule::kSuppressed, CellRule::kFree};
  const ProtectionResult result = Protect(table, 3);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_TRUE(result.fully_protected);

  table.rules[4] = CellRule::kPublished;
  const ProtectionResult impossible = Protect(table, 3);
  EXPECT_EQ(SuppressedCells(impossible), (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(impossible.fully_protected);
}

TEST(ProtectTest, SmallKStillProtectsForcedCells) {
  // No count is small for k <= 1, but a forced-suppressed cell still needs width k.
  Table table = OneConstraintTable({18, 2, 9, 7});
  table.rules = {CellRule::kFree, CellRule::kSuppressed, CellRule::kFree, CellRule::kFree};
  EXPECT_EQ(SuppressedCells(Protect(table, 0)), (std::vector<int>{1}));
  EXPECT_EQ(SuppressedCells(Protect(table, 1)), (std::vector<int>{1, 3}));
}

TEST(ProtectTest, ZeroIsPublished) {
  const Table table = TwoWayTable(2, 2, {0, 10, 20, 30});
  EXPECT_TRUE(SuppressedCells(Protect(table, 5)).empty());
}

TEST(ProtectTest, InvalidTableSuppressesEverything) {
  Table table = OneConstraintTable({18, 2, 9, 8});  // 2 + 9 + 8 != 18
  EXPECT_EQ(ValidateTable(table).code(), absl::StatusCode::kInvalidArgument);
  const ProtectionResult result = Protect(table, 3);
  EXPECT_EQ(SuppressedCells(result), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_FALSE(result.fully_protected);
}

TEST(ValidateTableTest, NamesTheBadField) {
  EXPECT_TRUE(ValidateTable(TwoWayTable(2, 3, {1, 2, 3, 4, 5, 6})).ok());
  EXPECT_TRUE(ValidateTable(CalendarTable({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})).ok());
  Table negative = OneConstraintTable({1, 2, -1});
  EXPECT_EQ(ValidateTable(negative).message().substr(0, 10), "values[2]:");
  Table out_of_range = OneConstraintTable({3, 1, 2});
  out_of_range.constraints[0].parts.push_back(7);
  EXPECT_EQ(ValidateTable(out_of_range).message().substr(0, 24), "constraints[0].parts[2]:");
  Table rules = OneConstraintTable({3, 1, 2});
  rules.rules = {CellRule::kFree};
  EXPECT_EQ(ValidateTable(rules).message().substr(0, 6), "rules:");
}

TEST(TableBuilderTest, TwoWayLayoutAndConstraints) {
  const TwoWayShape shape{2, 3};
  const Table table = TwoWayTable(2, 3, {1, 2, 3, 4, 5, 6});
  ASSERT_EQ(table.values.size(), static_cast<size_t>(shape.NumCells()));
  EXPECT_EQ(table.values[shape.Cell(1, 2)], 6);
  EXPECT_EQ(table.values[shape.RowTotal(0)], 6);
  EXPECT_EQ(table.values[shape.RowTotal(1)], 15);
  EXPECT_EQ(table.values[shape.ColumnTotal(0)], 5);
  EXPECT_EQ(table.values[shape.ColumnTotal(2)], 9);
  EXPECT_EQ(table.values[shape.GrandTotal()], 21);
  EXPECT_EQ(table.constraints.size(), 2u + 3u + 2u);
  EXPECT_TRUE(TwoWayTable(2, 3, {1, 2}).values.empty());
}

TEST(TableBuilderTest, CalendarLayout) {
  const Table table = CalendarTable({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  ASSERT_EQ(table.values.size(), static_cast<size_t>(kCalendarCells));
  EXPECT_EQ(table.values[CalendarQuarter(0)], 6);
  EXPECT_EQ(table.values[CalendarQuarter(3)], 33);
  EXPECT_EQ(table.values[kCalendarYear], 78);
  EXPECT_EQ(table.constraints.size(), 5u);
}

// ---------------------------------------------------------------------------------------------
// 4. RoundToBase5.

TEST(RoundToBase5Test, SmallValues) {
  const std::vector<int64_t> expected = {0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10, 15};
  for (int64_t v = 0; v <= 13; ++v) EXPECT_EQ(RoundToBase5(v), expected[v]) << v;
}

TEST(RoundToBase5Test, LargeAndNegativeValues) {
  EXPECT_EQ(RoundToBase5(1'000'002), 1'000'000);
  EXPECT_EQ(RoundToBase5(1'000'003), 1'000'005);
  EXPECT_EQ(RoundToBase5(9'999'999'999), 10'000'000'000);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();  // ...807, remainder 2
  EXPECT_EQ(RoundToBase5(kMax), kMax - 2);
  EXPECT_EQ(RoundToBase5(kMax - 4), kMax - 2);  // ...803, remainder 3: up to ...805
  EXPECT_EQ(RoundToBase5(-2), 0);
  EXPECT_EQ(RoundToBase5(-3), -5);
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(RoundToBase5(kMin), kMin + 3);
}

}  // namespace
}  // namespace consular::stats

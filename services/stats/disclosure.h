#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"

// Statistical disclosure control for published tables of counts.
//
// A table is a vector of non-negative integer counts ("cells") linked by additive constraints (a
// total equals the sum of its parts): quarters and a year, categories and a total, months, quarters
// and a year. Protect() decides which cells to suppress so that no count of 1..k-1 people is
// published and no suppressed cell can be recomputed, or narrowed to fewer than k possible values,
// from the published ones. Everything here is pure and deterministic.
namespace consular::stats {

// values[total] == sum of values[parts].
struct AdditiveConstraint {
  int total;               // Cell index.
  std::vector<int> parts;  // Cell indices.
};

enum class CellRule {
  kFree,       // Protect() decides.
  kPublished,  // Already published elsewhere (a table sharing the cell); kept published unless its
               // value is in 1..k-1 (then suppressed anyway, see
               // ProtectionResult::overrode_forced).
  kSuppressed,  // Already suppressed elsewhere; kept suppressed (and protected like any other).
  // Never published and never protected: an unknown that only links other cells (a slack in an
  // inequality, the cases without a category, the difference between two releases). Always a
  // variable of the checks, never narrow, never chosen as a complement.
  kAuxiliary
};

struct Table {
  std::vector<int64_t> values;  // Every cell, >= 0.
  std::vector<AdditiveConstraint> constraints;
  std::vector<CellRule> rules;  // Empty = all kFree; else one per cell.
};

struct ProtectionResult {
  std::vector<bool> suppressed;  // One per cell.
  // A kPublished cell had a value in 1..k-1 and was suppressed anyway.
  bool overrode_forced = false;
  // False only if kPublished cells left some suppressed cell with an interval narrower than k and
  // no kFree cell could be suppressed to widen it (or the table failed ValidateTable). Never false
  // for tables without rules of the shapes TwoWayTable and CalendarTable build (nor for any other
  // where every cell can grow together with some totals; a constraint pinning a cell, such as a
  // total without parts, could defeat that).
  bool fully_protected = true;
};

// The largest cell value accepted: every sum the checks form stays exact in a double.
inline constexpr int64_t kMaxCellValue = int64_t{1} << 50;

// OK if `table` is well formed: every value in [0, kMaxCellValue], every constraint index in
// range, `rules` empty or one per cell, and every constraint satisfied by the values.
// INVALID_ARGUMENT naming the first offending field ("values[3]: ...", "constraints[1].parts[0]:
// ...", "rules: ...") otherwise.
absl::Status ValidateTable(const Table& table);

// Primary suppression: every cell with 1 <= value <= k-1 is suppressed (0 is published: it is not a
// person), as are kSuppressed cells. Secondary suppression then adds cells, one at a time, until
// for every suppressed cell c the interval [lo, hi] of values c takes over the non-negative real
// solutions of the constraints, published cells fixed at their values, has hi - lo >= k (hi may be
// +infinity). A cell narrower than that is "narrow".
//
// Heuristic for the next complementary cell. Candidates are the kFree, not yet suppressed cells that
// share a constraint with a narrow cell, except zeros that are parts of a published zero total
// (they stay 0 whatever else is hidden). Among them, in this order of preference:
//   1. a cell with value >= 1 over a zero (a zero can only move up, so it protects less);
//   2. a cell that is not the total of any constraint;
//   3. the cell sharing the most constraints with narrow cells (this closes a rectangle or a chain
//      of suppressed cells instead of starting a new one);
//   4. the smallest value;
//   5. the lowest index.
// If no candidate exists, the candidates widen to the kFree, unsuppressed cells sharing a
// constraint with any suppressed cell connected (through constraints) to a narrow cell — which
// takes in the totals above them. If that set is empty too (possible only through kPublished
// rules), Protect stops with fully_protected = false.
//
// Intervals only widen as cells are suppressed, so a cell once wide enough is never rechecked;
// after each addition only the connected component of the new cell is solved again. Deterministic.
// A table failing ValidateTable gets every cell suppressed and fully_protected = false.
//
// `batch`: each round chooses a complement for every narrow cell whose constraints no complement of
// the round touches yet (each by the same preferences, among its own constraints), then solves
// again: far fewer rounds on large linked sets, for a few more suppressions. It also protects only
// the suppressed cells with people in them (value >= 1): a hidden zero, narrowed to a few values,
// tells of nobody; and it takes a zero as a complement only when no count in the narrow cells'
// constraints is left (a zero can only move up, and on sparse sets zeros cascade).
ProtectionResult Protect(const Table& table, int k, bool batch = false);

// How Protect searches, beyond the default above.
struct ProtectOptions {
  bool batch = false;  // as `batch` above
  // Cells suppressed from the outset (a pattern from a cheaper method, or the previous release's)
  // that the search may publish again: they are complements like any other. One per cell, or
  // empty.
  std::vector<bool> start;
  // Once every suppressed cell is wide enough, each complementary suppression (a kFree cell not
  // in 1..k-1), the most people first, is published again if every suppressed cell (with people,
  // in batch mode) stays wide enough without it. This removes the complements the greedy search
  // made redundant, so fewer people are hidden for the same protection; it never makes a cell
  // narrow. Skipped when the search could not protect the table. Each candidate costs a linear
  // program per suppressed cell around it, which in a mostly hidden set (a country of a few cases
  // a year: thousands of cells in one connected component) adds up to minutes: after
  // `prune_checks` interval checks in all, the complements not yet tried stay.
  bool prune = false;
  int64_t prune_checks = 5000;
};
ProtectionResult Protect(const Table& table, int k, const ProtectOptions& options);

struct Interval {
  double lo;
  double hi;  // +infinity when unbounded.
};

// The interval of values `cell` can take over the non-negative real solutions of the constraints
// with the cells not in `suppressed` fixed at their values, by linear programming over the
// suppressed cells connected to `cell` through constraints. Endpoints within 1e-6 (or 1e-9
// relative) of an integer are rounded to it. A published cell gives [value, value]. Requires a
// table passing ValidateTable and suppressed.size() == values.size(); NaN endpoints for a cell out
// of range or published values that contradict the constraints.
Interval CellInterval(const Table& table, const std::vector<bool>& suppressed, int cell);

// CellInterval of each of `cells`, solving each connected component of suppressed cells once.
std::vector<Interval> CellIntervals(const Table& table, const std::vector<bool>& suppressed,
                                   const std::vector<int>& cells);

// Rounds to the nearest multiple of 5 (an integer is never halfway): 0..2 -> 0, 3..7 -> 5,
// 8..12 -> 10. Negative values round symmetrically (-3 -> -5); never overflows.
int64_t RoundToBase5(int64_t value);

// The layout of TwoWayTable(rows, cols, ...): interior cell (r, c) at r * (cols + 1) + c, the total
// of row r at column `cols`, the total of column c at row `rows`, the grand total last.
struct TwoWayShape {
  int rows;
  int cols;

  constexpr int Cell(int r, int c) const { return r * (cols + 1) + c; }
  constexpr int RowTotal(int r) const { return Cell(r, cols); }
  constexpr int ColumnTotal(int c) const { return Cell(rows, c); }
  constexpr int GrandTotal() const { return Cell(rows, cols); }
  constexpr int NumCells() const { return (rows + 1) * (cols + 1); }
};

// A 2-D table with margins from `interior` (row-major, rows x cols). Constraints, in this order:
// each row's interior sums to its row total, each column's interior to its column total, the row
// totals to the grand total, the column totals to the grand total. An empty table if rows < 1,
// cols < 1 or interior.size() != rows * cols.
Table TwoWayTable(int rows, int cols, const std::vector<int64_t>& interior);

// Months -> quarters -> year: months at 0..11, quarters at 12..15, the year at 16. Constraints:
// months 3q..3q+2 sum to quarter q (q = 0..3), then the quarters sum to the year.
inline constexpr int kCalendarCells = 17;
constexpr int CalendarMonth(int month) { return month; }             // month in 0..11
constexpr int CalendarQuarter(int quarter) { return 12 + quarter; }  // quarter in 0..3
inline constexpr int kCalendarYear = 16;
Table CalendarTable(const std::array<int64_t, 12>& months);

}  // namespace consular::stats

#include "services/stats/disclosure.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/stats/linear_program.h"

namespace consular::stats {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Which constraints each cell appears in (ascending, each once) and whether it is some total.
struct Incidence {
  std::vector<std::vector<int>> constraints_of_cell;
  std::vector<bool> is_total;
};

Incidence BuildIncidence(const Table& table) {
  const int n = static_cast<int>(table.values.size());
  Incidence incidence;
  incidence.constraints_of_cell.resize(n);
  incidence.is_total.assign(n, false);
  for (int ci = 0; ci < static_cast<int>(table.constraints.size()); ++ci) {
    const AdditiveConstraint& constraint = table.constraints[ci];
    incidence.is_total[constraint.total] = true;
    auto add = [&](int cell) {
      std::vector<int>& list = incidence.constraints_of_cell[cell];
      if (list.empty() || list.back() != ci) list.push_back(ci);
    };
    add(constraint.total);
    for (int part : constraint.parts) add(part);
  }
  return incidence;
}

// Calls visit(cell) for the total and every part of `constraint` (a cell listed twice is visited
// twice).
template <typename Visit>
void ForEachCell(const AdditiveConstraint& constraint, Visit visit) {
  visit(constraint.total);
  for (int part : constraint.parts) visit(part);
}

// Suppressed cells connected to a seed through constraints, and the constraints joining them (every
// constraint with at least one of these cells). Both ascending.
struct Component {
  std::vector<int> cells;
  std::vector<int> constraints;
};

// Fills `component` (reusing its memory) with the component of `seed`. `mark` and
// `constraint_mark` are scratch space of one entry per cell / constraint, all false on entry and on
// return.
void FindComponent(const Table& table, const Incidence& incidence,
                   const std::vector<bool>& suppressed, int seed, std::vector<char>& mark,
                   std::vector<char>& constraint_mark, Component& component) {
  component.cells.assign(1, seed);
  component.constraints.clear();
  mark[seed] = true;
  for (size_t next = 0; next < component.cells.size(); ++next) {
    for (int ci : incidence.constraints_of_cell[component.cells[next]]) {
      if (constraint_mark[ci]) continue;
      constraint_mark[ci] = true;
      component.constraints.push_back(ci);
      ForEachCell(table.constraints[ci], [&](int cell) {
        if (suppressed[cell] && !mark[cell]) {
          mark[cell] = true;
          component.cells.push_back(cell);
        }
      });
    }
  }
  for (int cell : component.cells) mark[cell] = false;
  for (int ci : component.constraints) constraint_mark[ci] = false;
  std::sort(component.cells.begin(), component.cells.end());
  std::sort(component.constraints.begin(), component.constraints.end());
}

double RoundNearInteger(double x) {
  if (!std::isfinite(x)) return x;
  const double nearest = std::round(x);
  const double tolerance = std::max(1e-6, 1e-9 * std::abs(x));
  return std::abs(x - nearest) <= tolerance ? nearest : x;
}

// The equations of a component, published cells moved to the right-hand side, presolved: an
// equation with a single unknown left fixes that unknown, whose value is then substituted
// everywhere, until no such equation remains. (Secondary suppression spends much of its time on
// cells pinned this way: they need no LP at all.) The unknowns left fall into independent groups,
// one LinearProgram each. Load() reuses the memory of earlier components.
class ComponentSystem {
 public:
  explicit ComponentSystem(int num_cells) : variable_of_cell_(num_cells, -1) {}

  void Load(const Table& table, const std::vector<bool>& suppressed, const Component& component) {
    for (int cell : cells_) variable_of_cell_[cell] = -1;
    cells_ = component.cells;
    const int num_variables = static_cast<int>(cells_.size());
    for (int v = 0; v < num_variables; ++v) variable_of_cell_[cells_[v]] = v;
    infeasible_ = false;

    // Equations in compressed rows: the terms of equation e are [begin_[e], begin_[e + 1]).
    begin_.assign(1, 0);
    term_variable_.clear();
    term_coefficient_.clear();
    rhs_.clear();
    dense_.assign(num_variables, 0.0);
    double scale = 1.0;
    for (int ci : component.constraints) {
      const AdditiveConstraint& constraint = table.constraints[ci];
      double rhs = 0.0;
      const size_t first_term = term_variable_.size();
      auto add = [&](int cell, double coefficient) {
        if (!suppressed[cell]) {
          rhs -= coefficient * static_cast<double>(table.values[cell]);
          return;
        }
        const int v = variable_of_cell_[cell];
        if (dense_[v] == 0.0) term_variable_.push_back(v);  // First time (or cancelled) in here.
        dense_[v] += coefficient;
      };
      add(constraint.total, 1.0);
      for (int part : constraint.parts) add(part, -1.0);
      // Keep the nonzero coefficients, in ascending variable order.
      std::sort(term_variable_.begin() + first_term, term_variable_.end());
      term_variable_.erase(std::unique(term_variable_.begin() + first_term, term_variable_.end()),
                           term_variable_.end());
      size_t out = first_term;
      for (size_t t = first_term; t < term_variable_.size(); ++t) {
        const int v = term_variable_[t];
        if (dense_[v] != 0.0) {
          term_variable_[out++] = v;
          term_coefficient_.push_back(dense_[v]);
        }
        dense_[v] = 0.0;
      }
      term_variable_.resize(out);
      rhs_.push_back(rhs);
      begin_.push_back(static_cast<int>(out));
      scale = std::max(scale, std::abs(rhs));
    }
    const int num_equations = static_cast<int>(rhs_.size());
    const double tolerance = 1e-9 * scale;

    // The equations of each variable, compressed the same way.
    variable_begin_.assign(num_variables + 1, 0);
    for (int v : term_variable_) ++variable_begin_[v + 1];
    for (int v = 0; v < num_variables; ++v) variable_begin_[v + 1] += variable_begin_[v];
    equation_of_term_.resize(term_variable_.size());
    fill_.assign(variable_begin_.begin(), variable_begin_.end() - 1);
    for (int e = 0; e < num_equations; ++e) {
      for (int t = begin_[e]; t < begin_[e + 1]; ++t)
        equation_of_term_[fill_[term_variable_[t]]++] = e;
    }

    // Presolve.
    fixed_value_.assign(num_variables, kNaN);
    unknowns_.resize(num_equations);
    queue_.clear();
    for (int e = 0; e < num_equations; ++e) {
      unknowns_[e] = begin_[e + 1] - begin_[e];
      if (unknowns_[e] == 1) queue_.push_back(e);
      if (unknowns_[e] == 0 && std::abs(rhs_[e]) > tolerance) infeasible_ = true;
    }
    for (size_t next = 0; next < queue_.size() && !infeasible_; ++next) {
      const int e = queue_[next];
      if (unknowns_[e] != 1) continue;
      int variable = -1;
      double coefficient = 0.0;
      for (int t = begin_[e]; t < begin_[e + 1]; ++t) {
        if (std::isnan(fixed_value_[term_variable_[t]])) {
          variable = term_variable_[t];
          coefficient = term_coefficient_[t];
        }
      }
      double value = RoundNearInteger(rhs_[e] / coefficient);
      if (value < -tolerance) {
        infeasible_ = true;
        break;
      }
      value = std::max(0.0, value);
      fixed_value_[variable] = value;
      for (int i = variable_begin_[variable]; i < variable_begin_[variable + 1]; ++i) {
        const int other = equation_of_term_[i];
        for (int t = begin_[other]; t < begin_[other + 1]; ++t) {
          if (term_variable_[t] == variable) rhs_[other] -= term_coefficient_[t] * value;
        }
        --unknowns_[other];
        if (unknowns_[other] == 1) queue_.push_back(other);
        if (unknowns_[other] == 0 && std::abs(rhs_[other]) > tolerance) infeasible_ = true;
      }
    }
    num_programs_ = 0;
    if (infeasible_) return;

    // Groups of the unknowns left, connected through the equations left.
    group_of_.assign(num_variables, -1);
    index_in_group_.assign(num_variables, -1);
    equation_done_.assign(num_equations, false);
    for (int seed = 0; seed < num_variables; ++seed) {
      if (!std::isnan(fixed_value_[seed]) || group_of_[seed] >= 0) continue;
      const int group = num_programs_++;
      members_.assign(1, seed);
      group_equations_.clear();
      group_of_[seed] = group;
      for (size_t next = 0; next < members_.size(); ++next) {
        const int member = members_[next];
        for (int i = variable_begin_[member]; i < variable_begin_[member + 1]; ++i) {
          const int e = equation_of_term_[i];
          if (unknowns_[e] == 0 || equation_done_[e]) continue;
          equation_done_[e] = true;
          group_equations_.push_back(e);
          for (int t = begin_[e]; t < begin_[e + 1]; ++t) {
            const int v = term_variable_[t];
            if (std::isnan(fixed_value_[v]) && group_of_[v] < 0) {
              group_of_[v] = group;
              members_.push_back(v);
            }
          }
        }
      }
      std::sort(members_.begin(), members_.end());
      std::sort(group_equations_.begin(), group_equations_.end());
      for (size_t i = 0; i < members_.size(); ++i) {
        index_in_group_[members_[i]] = static_cast<int>(i);
      }
      if (static_cast<int>(programs_.size()) <= group) programs_.emplace_back();
      LinearProgram& program = programs_[group];
      program.Reset(static_cast<int>(members_.size()));
      row_.resize(members_.size());
      for (int e : group_equations_) {
        std::fill(row_.begin(), row_.end(), 0.0);
        for (int t = begin_[e]; t < begin_[e + 1]; ++t) {
          const int v = term_variable_[t];
          if (std::isnan(fixed_value_[v])) row_[index_in_group_[v]] = term_coefficient_[t];
        }
        program.AddEquation(row_, rhs_[e]);
      }
    }
  }

  // The interval of `cell`, one of the component's cells.
  Interval IntervalOf(int cell) {
    const int v = variable_of_cell_[cell];
    if (infeasible_) return {kNaN, kNaN};
    if (!std::isnan(fixed_value_[v])) return {fixed_value_[v], fixed_value_[v]};
    LinearProgram& program = programs_[group_of_[v]];
    const LpResult lo = program.Minimize(index_in_group_[v]);
    if (lo.status != LpStatus::kOptimal) return {kNaN, kNaN};
    const LpResult hi = program.Maximize(index_in_group_[v]);
    if (hi.status == LpStatus::kUnbounded) return {RoundNearInteger(lo.value), kInfinity};
    if (hi.status != LpStatus::kOptimal) return {kNaN, kNaN};
    return {RoundNearInteger(lo.value), RoundNearInteger(hi.value)};
  }

  // Whether IntervalOf(cell) has hi - lo >= k, where `value` is the cell's value in the real table;
  // usually with fewer pivots. No answer from the LP counts as narrow, the safe side.
  bool WideEnough(int cell, double value, int k) {
    if (k <= 0) return true;
    const int v = variable_of_cell_[cell];
    if (infeasible_ || !std::isnan(fixed_value_[v])) return false;
    LinearProgram& program = programs_[group_of_[v]];
    const int variable = index_in_group_[v];
    // The real table is feasible, so a solution k above it settles the question. Small cells, the
    // common case, can rarely go k below their value, so the upper side is tried first.
    const LpResult hi = program.MaximizeUntil(variable, value + k);
    if (hi.status == LpStatus::kTargetReached || hi.status == LpStatus::kUnbounded) return true;
    if (hi.status != LpStatus::kOptimal) return false;
    const double rounded_hi = RoundNearInteger(hi.value);
    const LpResult lo = program.MinimizeUntil(variable, rounded_hi - k);
    if (lo.status == LpStatus::kTargetReached) return true;
    if (lo.status != LpStatus::kOptimal) return false;
    return rounded_hi - RoundNearInteger(lo.value) >= static_cast<double>(k);
  }

 private:
  std::vector<int> variable_of_cell_;  // Per table cell: its variable, or -1.
  std::vector<int> cells_;             // The variables' cells, ascending.
  bool infeasible_ = false;
  // Equations: terms [begin_[e], begin_[e + 1]) of term_variable_ / term_coefficient_.
  std::vector<int> begin_;
  std::vector<int> term_variable_;
  std::vector<double> term_coefficient_;
  std::vector<double> rhs_;  // After substituting fixed variables.
  // Per variable: its equations, equation_of_term_[variable_begin_[v] .. variable_begin_[v + 1]).
  std::vector<int> variable_begin_;
  std::vector<int> equation_of_term_;
  std::vector<double> fixed_value_;  // Per variable; NaN if not fixed by presolve.
  std::vector<int> unknowns_;        // Per equation: its variables not fixed.
  std::vector<int> group_of_;        // Per unfixed variable.
  std::vector<int> index_in_group_;  // Per unfixed variable.
  int num_programs_ = 0;
  std::vector<LinearProgram> programs_;  // The first num_programs_ are this component's.
  // Scratch.
  std::vector<double> dense_;
  std::vector<int> fill_;
  std::vector<int> queue_;
  std::vector<bool> equation_done_;
  std::vector<int> members_;
  std::vector<int> group_equations_;
  std::vector<double> row_;
};

CellRule RuleOf(const Table& table, int cell) {
  return table.rules.empty() ? CellRule::kFree : table.rules[cell];
}

// The secondary-suppression search of Protect, with its scratch space.
class Protector {
 public:
  Protector(const Table& table, int k, const ProtectOptions& options)
      : table_(table),
        k_(k),
        batch_(options.batch),
        options_(options),
        n_(static_cast<int>(table.values.size())),
        incidence_(BuildIncidence(table)),
        suppressed_(n_, false),
        wide_(n_, false),
        mark_(n_, false),
        constraint_mark_(table.constraints.size(), false),
        system_(n_) {}

  ProtectionResult Run() {
    ProtectionResult result;
    for (int cell = 0; cell < n_; ++cell) {
      const int64_t value = table_.values[cell];
      const bool small = value >= 1 && value < static_cast<int64_t>(k_);
      const CellRule rule = RuleOf(table_, cell);
      if (rule == CellRule::kAuxiliary) {
        suppressed_[cell] = true;
        wide_[cell] = true;
        continue;
      }
      if (small && rule == CellRule::kPublished) result.overrode_forced = true;
      suppressed_[cell] = small || rule == CellRule::kSuppressed ||
                          (!options_.start.empty() && options_.start[cell]);
    }
    std::vector<int> seeds;
    for (int cell = 0; cell < n_; ++cell) {
      if (suppressed_[cell]) seeds.push_back(cell);
    }
    while (true) {
      Recheck(seeds);
      std::vector<int> narrow;
      for (int cell = 0; cell < n_; ++cell) {
        // Batch mode protects the cells with people in them: a hidden zero narrowed to a few
        // values tells of nobody.
        if (batch_ && table_.values[cell] == 0) continue;
        if (suppressed_[cell] && !wide_[cell]) narrow.push_back(cell);
      }
      if (narrow.empty()) break;
      seeds.clear();
      if (batch_) {
        // A complement for each narrow cell whose constraints no complement of this round
        // touches yet; the others wait for the recheck.
        std::vector<bool> touched(table_.constraints.size(), false);
        for (int cell : narrow) {
          const auto& mine = incidence_.constraints_of_cell[cell];
          if (std::any_of(mine.begin(), mine.end(), [&](int ci) { return touched[ci]; })) {
            continue;
          }
          const int next = ChooseComplement({cell});
          if (next < 0 || suppressed_[next]) continue;
          suppressed_[next] = true;
          seeds.push_back(next);
          for (int ci : incidence_.constraints_of_cell[next]) touched[ci] = true;
        }
      }
      if (seeds.empty()) {
        const int next = ChooseComplement(narrow);
        if (next < 0) {
          result.fully_protected = false;
          break;
        }
        suppressed_[next] = true;
        seeds.assign(1, next);
      }
    }
    if (options_.prune && result.fully_protected) Prune();
    result.suppressed = suppressed_;
    return result;
  }

 private:
  // Solves the components of `seeds` and marks the suppressed cells in them that are wide enough.
  void Recheck(const std::vector<int>& seeds) {
    std::vector<bool> done(n_, false);
    for (int seed : seeds) {
      if (done[seed]) continue;
      FindComponent(table_, incidence_, suppressed_, seed, mark_, constraint_mark_, component_);
      const Component& component = component_;
      for (int cell : component.cells) done[cell] = true;
      const bool any_narrow = std::any_of(component.cells.begin(), component.cells.end(),
                                          [&](int cell) { return !wide_[cell]; });
      if (!any_narrow) continue;
      system_.Load(table_, suppressed_, component);
      for (int cell : component.cells) {
        if (wide_[cell]) continue;  // Intervals only widen as more cells are suppressed.
        wide_[cell] = system_.WideEnough(cell, static_cast<double>(table_.values[cell]), k_);
      }
    }
  }

  // Whether a cell must be wide enough when suppressed: not an auxiliary unknown, and in batch
  // mode only a cell with people in it.
  bool NeedsProtection(int cell) const {
    return RuleOf(table_, cell) != CellRule::kAuxiliary && !(batch_ && table_.values[cell] == 0);
  }

  // Publishes again the complements the others made redundant (ProtectOptions::prune).
  void Prune() {
    std::vector<int> complements;
    for (int cell = 0; cell < n_; ++cell) {
      const int64_t value = table_.values[cell];
      const bool small = value >= 1 && value < static_cast<int64_t>(k_);
      if (suppressed_[cell] && !small && RuleOf(table_, cell) == CellRule::kFree) {
        complements.push_back(cell);
      }
    }
    // The most people first; ties to the lower index.
    std::stable_sort(complements.begin(), complements.end(), [&](int a, int b) {
      return table_.values[a] > table_.values[b];
    });
    for (int cell : complements) {
      if (prune_checks_ >= options_.prune_checks) break;
      suppressed_[cell] = false;
      if (!AllWideAround(cell)) suppressed_[cell] = true;
    }
  }

  // Whether every suppressed cell in the components next to `cell` (through its constraints) is
  // wide enough.
  bool AllWideAround(int cell) {
    std::vector<int> seeds;
    for (int ci : incidence_.constraints_of_cell[cell]) {
      ForEachCell(table_.constraints[ci], [&](int other) {
        if (suppressed_[other]) seeds.push_back(other);
      });
    }
    std::sort(seeds.begin(), seeds.end());
    seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
    std::vector<bool> done(n_, false);
    for (int seed : seeds) {
      if (done[seed]) continue;
      FindComponent(table_, incidence_, suppressed_, seed, mark_, constraint_mark_, component_);
      for (int c : component_.cells) done[c] = true;
      const bool any = std::any_of(component_.cells.begin(), component_.cells.end(),
                                   [&](int c) { return NeedsProtection(c); });
      if (!any) continue;
      system_.Load(table_, suppressed_, component_);
      // The cells next to `cell` first: if one turns narrow, it is usually one of them.
      for (int pass = 0; pass < 2; ++pass) {
        for (int c : component_.cells) {
          const bool next_to = std::binary_search(seeds.begin(), seeds.end(), c);
          if ((pass == 0) != next_to || !NeedsProtection(c)) continue;
          // A check the budget cannot pay for: the complement stays.
          if (prune_checks_++ >= options_.prune_checks) return false;
          if (!system_.WideEnough(c, static_cast<double>(table_.values[c]), k_)) return false;
        }
      }
    }
    return true;
  }

  // A zero that is a part of a published zero total: it is 0 whatever else is suppressed, so
  // suppressing it protects nothing.
  bool PinnedToZero(int cell) const {
    if (table_.values[cell] != 0) return false;
    for (int ci : incidence_.constraints_of_cell[cell]) {
      const int total = table_.constraints[ci].total;
      if (total != cell && !suppressed_[total] && table_.values[total] == 0) return true;
    }
    return false;
  }

  // The preferred candidate for the next suppression (see Protect in the header), or -1.
  int ChooseComplement(const std::vector<int>& narrow) {
    // Constraints holding a narrow cell.
    std::vector<bool> narrow_constraint(table_.constraints.size(), false);
    for (int cell : narrow) {
      for (int ci : incidence_.constraints_of_cell[cell]) narrow_constraint[ci] = true;
    }
    std::vector<bool> candidate(n_, false);
    bool any = false;
    // In batch mode a hidden zero is a last resort: it can only move up, and it must be protected
    // in turn, which on sparse linked sets cascades through their zeros.
    bool allow_zero = !batch_;
    auto consider = [&](int cell) {
      if (!suppressed_[cell] && RuleOf(table_, cell) == CellRule::kFree && !PinnedToZero(cell) &&
          (allow_zero || table_.values[cell] != 0)) {
        candidate[cell] = true;
        any = true;
      }
    };
    const auto gather_narrow = [&] {
      for (int ci = 0; ci < static_cast<int>(table_.constraints.size()); ++ci) {
        if (narrow_constraint[ci]) ForEachCell(table_.constraints[ci], consider);
      }
    };
    gather_narrow();
    if (!any && !allow_zero) {
      allow_zero = true;
      gather_narrow();
    }
    if (!any) {
      // Widen to everything touching the components of the narrow cells.
      allow_zero = true;
      std::vector<bool> done(n_, false);
      for (int seed : narrow) {
        if (done[seed]) continue;
        FindComponent(table_, incidence_, suppressed_, seed, mark_, constraint_mark_, component_);
        for (int cell : component_.cells) done[cell] = true;
        for (int ci : component_.constraints) ForEachCell(table_.constraints[ci], consider);
      }
    }
    if (!any) return -1;
    int best = -1;
    std::tuple<bool, bool, int, int64_t> best_key;
    for (int cell = 0; cell < n_; ++cell) {
      if (!candidate[cell]) continue;
      int shared = 0;
      for (int ci : incidence_.constraints_of_cell[cell]) shared += narrow_constraint[ci] ? 1 : 0;
      const int64_t value = table_.values[cell];
      // Smaller is better; ties go to the lower index (cells are visited in ascending order).
      // A zero can only move up, so any count comes first; then interior cells, then cells
      // closing a rectangle with the narrow ones, then the smallest.
      const std::tuple<bool, bool, int, int64_t> key(value == 0, incidence_.is_total[cell], -shared,
                                                     value);
      if (best < 0 || key < best_key) {
        best = cell;
        best_key = key;
      }
    }
    return best;
  }

  const Table& table_;
  const int k_;
  const bool batch_;
  const ProtectOptions& options_;
  int64_t prune_checks_ = 0;  // intervals checked by Prune
  const int n_;
  const Incidence incidence_;
  std::vector<bool> suppressed_;
  std::vector<bool> wide_;
  std::vector<char> mark_;
  std::vector<char> constraint_mark_;
  Component component_;
  ComponentSystem system_;
};

}  // namespace

absl::Status ValidateTable(const Table& table) {
  const int64_t n = static_cast<int64_t>(table.values.size());
  if (n > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("values: ", n, " cells is too many"));
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t value = table.values[i];
    if (value < 0 || value > kMaxCellValue) {
      return absl::InvalidArgumentError(
          absl::StrCat("values[", i, "]: ", value, " is not a count in [0, 2^50]"));
    }
  }
  if (!table.rules.empty() && static_cast<int64_t>(table.rules.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("rules: ", table.rules.size(), " rules for ", n, " cells"));
  }
  for (size_t ci = 0; ci < table.constraints.size(); ++ci) {
    const AdditiveConstraint& constraint = table.constraints[ci];
    const std::string field = absl::StrCat("constraints[", ci, "]");
    if (constraint.total < 0 || constraint.total >= n) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".total: cell ", constraint.total, " out of range"));
    }
    // Each value is at most 2^50, so the running sum stays below 2^62 + 2^50 < 2^63.
    constexpr int64_t kSumLimit = int64_t{1} << 62;
    int64_t sum = 0;
    for (size_t p = 0; p < constraint.parts.size(); ++p) {
      const int part = constraint.parts[p];
      if (part < 0 || part >= n) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".parts[", p, "]: cell ", part, " out of range"));
      }
      sum += table.values[part];
      if (sum > kSumLimit) {
        return absl::InvalidArgumentError(absl::StrCat(field, ": sum of parts too large"));
      }
    }
    if (sum != table.values[constraint.total]) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": total cell ", constraint.total,
                                                     " is ", table.values[constraint.total],
                                                     " but its parts sum to ", sum));
    }
  }
  return absl::OkStatus();
}

ProtectionResult Protect(const Table& table, int k, bool batch) {
  ProtectOptions options;
  options.batch = batch;
  return Protect(table, k, options);
}

ProtectionResult Protect(const Table& table, int k, const ProtectOptions& options) {
  if (!ValidateTable(table).ok() ||
      (!options.start.empty() && options.start.size() != table.values.size())) {
    ProtectionResult result;
    result.suppressed.assign(table.values.size(), true);
    result.fully_protected = false;
    return result;
  }
  return Protector(table, k, options).Run();
}

Interval CellInterval(const Table& table, const std::vector<bool>& suppressed, int cell) {
  const int n = static_cast<int>(table.values.size());
  if (cell < 0 || cell >= n || static_cast<int>(suppressed.size()) != n) return {kNaN, kNaN};
  if (!suppressed[cell]) {
    const double value = static_cast<double>(table.values[cell]);
    return {value, value};
  }
  const Incidence incidence = BuildIncidence(table);
  std::vector<char> mark(n, false);
  std::vector<char> constraint_mark(table.constraints.size(), false);
  Component component;
  FindComponent(table, incidence, suppressed, cell, mark, constraint_mark, component);
  ComponentSystem system(n);
  system.Load(table, suppressed, component);
  return system.IntervalOf(cell);
}

std::vector<Interval> CellIntervals(const Table& table, const std::vector<bool>& suppressed,
                                   const std::vector<int>& cells) {
  const int n = static_cast<int>(table.values.size());
  std::vector<Interval> out(cells.size(), Interval{kNaN, kNaN});
  if (static_cast<int>(suppressed.size()) != n) return out;
  const Incidence incidence = BuildIncidence(table);
  std::vector<char> mark(n, false);
  std::vector<char> constraint_mark(table.constraints.size(), false);
  std::vector<int> component_of(n, -1);
  std::vector<Component> components;
  // Which of `cells` lie in each component, solved once per component.
  std::vector<std::vector<size_t>> asked;
  for (size_t i = 0; i < cells.size(); ++i) {
    const int cell = cells[i];
    if (cell < 0 || cell >= n) continue;
    if (!suppressed[cell]) {
      const double value = static_cast<double>(table.values[cell]);
      out[i] = {value, value};
      continue;
    }
    if (component_of[cell] < 0) {
      Component component;
      FindComponent(table, incidence, suppressed, cell, mark, constraint_mark, component);
      for (int c : component.cells) component_of[c] = static_cast<int>(components.size());
      components.push_back(std::move(component));
      asked.emplace_back();
    }
    asked[component_of[cell]].push_back(i);
  }
  ComponentSystem system(n);
  for (size_t c = 0; c < components.size(); ++c) {
    system.Load(table, suppressed, components[c]);
    for (size_t i : asked[c]) out[i] = system.IntervalOf(cells[i]);
  }
  return out;
}

int64_t RoundToBase5(int64_t value) {
  const int64_t remainder = value % 5;  // Same sign as value (or 0).
  const int64_t toward_zero = value - remainder;
  if (remainder >= 3) return toward_zero + 5;  // Below INT64_MAX: INT64_MAX % 5 == 2.
  if (remainder <= -3) {
    // Only INT64_MIN (remainder -3) has no multiple of 5 below it in range: it rounds up.
    if (toward_zero < std::numeric_limits<int64_t>::min() + 5) return toward_zero;
    return toward_zero - 5;
  }
  return toward_zero;
}

Table TwoWayTable(int rows, int cols, const std::vector<int64_t>& interior) {
  Table table;
  if (rows < 1 || cols < 1 || interior.size() != static_cast<size_t>(rows) * cols) return table;
  const TwoWayShape shape{rows, cols};
  table.values.assign(shape.NumCells(), 0);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const int64_t value = interior[static_cast<size_t>(r) * cols + c];
      table.values[shape.Cell(r, c)] = value;
      table.values[shape.RowTotal(r)] += value;
      table.values[shape.ColumnTotal(c)] += value;
      table.values[shape.GrandTotal()] += value;
    }
  }
  for (int r = 0; r < rows; ++r) {
    AdditiveConstraint row{shape.RowTotal(r), {}};
    for (int c = 0; c < cols; ++c) row.parts.push_back(shape.Cell(r, c));
    table.constraints.push_back(std::move(row));
  }
  for (int c = 0; c < cols; ++c) {
    AdditiveConstraint column{shape.ColumnTotal(c), {}};
    for (int r = 0; r < rows; ++r) column.parts.push_back(shape.Cell(r, c));
    table.constraints.push_back(std::move(column));
  }
  AdditiveConstraint row_totals{shape.GrandTotal(), {}};
  for (int r = 0; r < rows; ++r) row_totals.parts.push_back(shape.RowTotal(r));
  table.constraints.push_back(std::move(row_totals));
  AdditiveConstraint column_totals{shape.GrandTotal(), {}};
  for (int c = 0; c < cols; ++c) column_totals.parts.push_back(shape.ColumnTotal(c));
  table.constraints.push_back(std::move(column_totals));
  return table;
}

Table CalendarTable(const std::array<int64_t, 12>& months) {
  Table table;
  table.values.assign(kCalendarCells, 0);
  for (int m = 0; m < 12; ++m) {
    table.values[CalendarMonth(m)] = months[m];
    table.values[CalendarQuarter(m / 3)] += months[m];
    table.values[kCalendarYear] += months[m];
  }
  for (int q = 0; q < 4; ++q) {
    table.constraints.push_back(
        {CalendarQuarter(q),
         {CalendarMonth(3 * q), CalendarMonth(3 * q + 1), CalendarMonth(3 * q + 2)}});
  }
  table.constraints.push_back(
      {kCalendarYear,
       {CalendarQuarter(0), CalendarQuarter(1), CalendarQuarter(2), CalendarQuarter(3)}});
  return table;
}

}  // namespace consular::stats

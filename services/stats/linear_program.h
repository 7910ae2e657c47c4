#pragma once

#include <vector>

// A small dense linear-program solver for the disclosure checks (services/stats/disclosure.h):
// minimise or maximise one variable subject to A x = b, x >= 0. Two-phase primal simplex with
// Bland's rule (lowest-index entering column, lowest-index leaving variable on ties), so it does
// not cycle; double precision with tolerances of 1e-9 relative to the largest |a_ij| or |b_i|.
// Meant for a few hundred variables and some tens of equations: everything is dense.
namespace consular::stats {

enum class LpStatus {
  kOptimal,     // `value` is the optimum.
  kUnbounded,   // The objective is unbounded in the requested direction.
  kInfeasible,  // No x >= 0 satisfies A x = b.
  // MinimizeUntil / MaximizeUntil only: the target is reached; `value` is a feasible value at least
  // as good as the target, not necessarily the optimum.
  kTargetReached,
  // Safety net for floating-point trouble: more pivots than Bland's rule can need on these
  // problems. Not expected; callers should treat it like "no answer".
  kIterationLimit,
};

struct LpResult {
  LpStatus status = LpStatus::kInfeasible;
  // The optimum when kOptimal; +infinity (maximising) or -infinity (minimising) when kUnbounded;
  // NaN otherwise.
  double value = 0;
};

// A x = b, x >= 0 over `num_variables` variables. Phase 1 (finding a feasible basis) runs once, at
// the first Minimize/Maximize/IsFeasible call after the last AddEquation; every later objective
// starts phase 2 from the basis the previous one ended in, so asking for the range of many
// variables costs one phase 1 and usually few pivots each.
class LinearProgram {
 public:
  explicit LinearProgram(int num_variables = 0);

  // Starts over with no equations over `num_variables` variables (keeps the allocated memory).
  void Reset(int num_variables);

  int num_variables() const { return num_variables_; }
  int num_equations() const { return static_cast<int>(rhs_.size()); }

  // Adds the equation sum_j coefficients[j] * x_j = rhs. `coefficients` has one entry per variable
  // (missing trailing entries count as 0, extra ones are ignored).
  void AddEquation(const std::vector<double>& coefficients, double rhs);

  // The minimum / maximum of x_variable over the feasible set. `variable` must be in
  // [0, num_variables()). Minimising a variable is never kUnbounded (x >= 0).
  LpResult Minimize(int variable);
  LpResult Maximize(int variable);

  // Like Minimize / Maximize, but stop with kTargetReached as soon as a feasible x with
  // x_variable <= target (Minimize) or >= target (Maximize) is found. For yes/no questions such as
  // "can this cell move by k?", which often need only a few pivots.
  LpResult MinimizeUntil(int variable, double target);
  LpResult MaximizeUntil(int variable, double target);

  // True if some x >= 0 satisfies every equation.
  bool IsFeasible();

 private:
  enum class Phase1 { kNotRun, kFeasible, kInfeasible, kFailed };

  // Runs phase 1 if needed; leaves a feasible canonical tableau without artificial columns or
  // redundant rows in basic_ / basis_.
  Phase1 EnsurePhase1();
  // Minimises z = sign * x_variable from the current feasible basis, stopping once z <= stop_at.
  LpResult Optimize(int variable, double sign, double stop_at);

  int num_variables_;
  std::vector<double> coefficients_;  // num_equations() x num_variables_, row-major.
  std::vector<double> rhs_;
  double scale_ = 1.0;  // max(1, |a_ij|, |b_i|): tolerances are relative to it.

  Phase1 phase1_ = Phase1::kNotRun;
  int basic_rows_ = 0;  // Rows left after dropping redundant equations.
  // The simplex tableau: basic_rows_ constraint rows and an objective row, each of
  // num_variables_ + 1 entries (the last is the right-hand side); feasible after phase 1.
  std::vector<double> basic_;
  std::vector<int> basis_;    // Basic variable of each constraint row.
  std::vector<int> scratch_;  // Pivot workspace.
};

}  // namespace consular::stats

#pragma once

#include <vector>

// The linear programs of the disclosure checks (services/stats/disclosure.h): minimise or
// maximise one variable subject to A x = b, x >= 0. Solved by GLPK's primal simplex (sparse LU
// factorisation of the basis, warm-started from the previous objective's basis), so that the
// linked set of every table of a country, thousands of unknowns and equations, is checked in
// milliseconds rather than by a dense tableau.
//
// Not copyable; movable. A program is made, used and destroyed by one thread (GLPK keeps its
// memory per thread, and frees it when the thread ends).
struct glp_prob;

namespace consular::stats {

enum class LpStatus {
  kOptimal,     // `value` is the optimum.
  kUnbounded,   // The objective is unbounded in the requested direction.
  kInfeasible,  // No x >= 0 satisfies A x = b.
  // MinimizeUntil / MaximizeUntil only: the target is reached; `value` is a feasible value at least
  // as good as the target (the optimum).
  kTargetReached,
  // The solver gave no answer (numerical trouble: a singular basis, the iteration limit). Not
  // expected; callers treat it like "no answer", the safe side.
  kIterationLimit,
};

struct LpResult {
  LpStatus status = LpStatus::kInfeasible;
  // The optimum when kOptimal or kTargetReached; +infinity (maximising) or -infinity (minimising)
  // when kUnbounded; NaN otherwise.
  double value = 0;
};

// A x = b, x >= 0 over `num_variables` variables. The problem is handed to the solver at the first
// Minimize/Maximize/IsFeasible call after the last AddEquation; every later objective starts from
// the basis the previous one ended in, so asking for the range of many variables costs one
// feasibility search and usually few pivots each.
class LinearProgram {
 public:
  explicit LinearProgram(int num_variables = 0);
  ~LinearProgram();
  LinearProgram(LinearProgram&& other) noexcept;
  LinearProgram& operator=(LinearProgram&& other) noexcept;
  LinearProgram(const LinearProgram&) = delete;
  LinearProgram& operator=(const LinearProgram&) = delete;

  // Starts over with no equations over `num_variables` variables.
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

  // Like Minimize / Maximize, but kTargetReached when the optimum is <= target (Minimize) or
  // >= target (Maximize): for yes/no questions such as "can this cell move by k?".
  LpResult MinimizeUntil(int variable, double target);
  LpResult MaximizeUntil(int variable, double target);

  // True if some x >= 0 satisfies every equation.
  bool IsFeasible();

 private:
  enum class Phase1 { kNotRun, kFeasible, kInfeasible, kFailed };

  // Builds the solver's problem if needed and finds a feasible basis.
  Phase1 EnsurePhase1();
  // Minimises sign * x_variable from the current feasible basis.
  LpResult Optimize(int variable, double sign);
  void Free();

  int num_variables_;
  // The equations' nonzero terms, 1-based as the solver takes them: term t of the matrix is
  // (row_[t], column_[t], value_[t]); index 0 unused.
  std::vector<int> row_;
  std::vector<int> column_;
  std::vector<double> value_;
  std::vector<double> rhs_;

  Phase1 phase1_ = Phase1::kNotRun;
  glp_prob* problem_ = nullptr;
  int objective_variable_ = -1;  // The variable of the last objective (0-based), or -1.
};

}  // namespace consular::stats

#include "services/stats/linear_program.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace consular::stats {
namespace {

constexpr double kRelativeTolerance = 1e-9;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// A simplex tableau in canonical form: `rows` constraint rows and one objective row after them,
// `cols` columns of which the last is the right-hand side. The objective row holds the reduced
// costs and, in its last column, minus the current objective value (we always minimise).
struct Tableau {
  double* a;
  int rows;
  int cols;
  int* basis;
  std::vector<int>* scratch;  // Nonzero columns of the pivot row.

  double* Row(int r) const { return a + static_cast<size_t>(r) * cols; }
};

void Pivot(const Tableau& t, int pivot_row, int pivot_col) {
  double* const prow = t.Row(pivot_row);
  const double inverse = 1.0 / prow[pivot_col];
  std::vector<int>& nonzero = *t.scratch;
  nonzero.clear();
  for (int c = 0; c < t.cols; ++c) {
    if (prow[c] == 0.0 || c == pivot_col) continue;
    prow[c] *= inverse;
    nonzero.push_back(c);
  }
  prow[pivot_col] = 1.0;
  // The tableaus of these problems stay sparse: update only the pivot row's nonzero columns.
  for (int r = 0; r <= t.rows; ++r) {
    if (r == pivot_row) continue;
    double* const row = t.Row(r);
    const double factor = row[pivot_col];
    if (factor == 0.0) continue;
    for (int c : nonzero) row[c] -= factor * prow[c];
    row[pivot_col] = 0.0;
  }
  t.basis[pivot_row] = pivot_col;
}

enum class SimplexOutcome { kOptimal, kUnbounded, kIterationLimit, kStopped };

// Primal simplex with Bland's rule on a feasible canonical tableau. Only columns below
// `num_eligible` may enter the basis. Stops early once the objective is <= stop_at.
SimplexOutcome RunSimplex(const Tableau& t, int num_eligible, double scale,
                          double stop_at = -kInfinity) {
  const int rhs = t.cols - 1;
  const double cost_tolerance = kRelativeTolerance;
  const double pivot_tolerance = kRelativeTolerance;
  const double ratio_tolerance = kRelativeTolerance * scale;
  // Bland's rule terminates in at most C(cols, rows) pivots; in practice a few times the size.
  // The cap only guards against floating-point trouble.
  const long max_pivots = 1000L + 50L * (t.rows + t.cols);
  double* const objective = t.Row(t.rows);
  for (long pivots = 0;; ++pivots) {
    if (-objective[rhs] <= stop_at) return SimplexOutcome::kStopped;
    int enter = -1;
    for (int c = 0; c < num_eligible; ++c) {
      if (objective[c] < -cost_tolerance) {
        enter = c;
        break;
      }
    }
    if (enter < 0) return SimplexOutcome::kOptimal;
    if (pivots >= max_pivots) return SimplexOutcome::kIterationLimit;
    int leave = -1;
    double best_ratio = 0.0;
    for (int r = 0; r < t.rows; ++r) {
      const double* const row = t.Row(r);
      const double entry = row[enter];
      if (entry <= pivot_tolerance) continue;
      const double ratio = std::max(0.0, row[rhs]) / entry;
      if (leave < 0 || ratio < best_ratio - ratio_tolerance ||
          (ratio <= best_ratio + ratio_tolerance && t.basis[r] < t.basis[leave])) {
        if (leave < 0 || ratio < best_ratio) best_ratio = ratio;
        leave = r;
      }
    }
    if (leave < 0) return SimplexOutcome::kUnbounded;
    Pivot(t, leave, enter);
  }
}

}  // namespace

LinearProgram::LinearProgram(int num_variables) : num_variables_(std::max(0, num_variables)) {}

void LinearProgram::Reset(int num_variables) {
  num_variables_ = std::max(0, num_variables);
  coefficients_.clear();
  rhs_.clear();
  scale_ = 1.0;
  phase1_ = Phase1::kNotRun;
}

void LinearProgram::AddEquation(const std::vector<double>& coefficients, double rhs) {
  const int given = std::min(num_variables_, static_cast<int>(coefficients.size()));
  coefficients_.insert(coefficients_.end(), coefficients.begin(), coefficients.begin() + given);
  coefficients_.resize(coefficients_.size() + (num_variables_ - given), 0.0);
  for (int j = 0; j < given; ++j) scale_ = std::max(scale_, std::abs(coefficients[j]));
  rhs_.push_back(rhs);
  scale_ = std::max(scale_, std::abs(rhs));
  phase1_ = Phase1::kNotRun;
}

LinearProgram::Phase1 LinearProgram::EnsurePhase1() {
  if (phase1_ != Phase1::kNotRun) return phase1_;
  const int m = num_equations();
  const int n = num_variables_;
  // Columns: n structural and the rhs; rows: m equations and the objective. Each row starts with an
  // artificial variable (numbered n + i) as its basic variable. Artificial columns are never needed
  // (an artificial that leaves the basis does not come back), so they are not stored.
  const int cols = n + 1;
  basic_.assign(static_cast<size_t>(m + 1) * cols, 0.0);
  basis_.resize(m);
  Tableau t{basic_.data(), m, cols, basis_.data(), &scratch_};
  double* const objective = t.Row(m);
  for (int i = 0; i < m; ++i) {
    const double sign = rhs_[i] < 0 ? -1.0 : 1.0;
    double* const row = t.Row(i);
    for (int j = 0; j < n; ++j) row[j] = sign * coefficients_[static_cast<size_t>(i) * n + j];
    row[n] = sign * rhs_[i];
    basis_[i] = n + i;
    // Minimise the sum of the artificials: reduced cost of x_j is -sum_i a_ij.
    for (int j = 0; j <= n; ++j) objective[j] -= row[j];
  }
  if (RunSimplex(t, n, scale_) == SimplexOutcome::kIterationLimit) {
    return phase1_ = Phase1::kFailed;
  }
  const double infeasibility = -objective[n];
  if (infeasibility > kRelativeTolerance * scale_ * (m + 1)) {
    return phase1_ = Phase1::kInfeasible;
  }
  // Drive artificials still in the basis (at level zero) out; a row where no structural column can
  // replace it is a redundant equation and is dropped.
  int kept = 0;
  for (int i = 0; i < m; ++i) {
    if (basis_[i] >= n) {
      const double* const row = t.Row(i);
      int best = -1;
      for (int j = 0; j < n; ++j) {
        if (std::abs(row[j]) > kRelativeTolerance &&
            (best < 0 || std::abs(row[j]) > std::abs(row[best]))) {
          best = j;
        }
      }
      if (best < 0) continue;  // Redundant.
      Pivot(t, i, best);
    }
    // Keep row i as row `kept` (rows before it are final, so moving it down is safe).
    if (kept != i) {
      std::copy(t.Row(i), t.Row(i) + cols, t.Row(kept));
      basis_[kept] = basis_[i];
    }
    t.Row(kept)[n] = std::max(0.0, t.Row(kept)[n]);
    ++kept;
  }
  basic_rows_ = kept;
  basis_.resize(kept);
  // The objective row of phase 2 follows the kept rows.
  basic_.resize(static_cast<size_t>(kept + 1) * cols);
  return phase1_ = Phase1::kFeasible;
}

LpResult LinearProgram::Optimize(int variable, double sign, double stop_at) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  switch (EnsurePhase1()) {
    case Phase1::kInfeasible:
      return {LpStatus::kInfeasible, kNaN};
    case Phase1::kFailed:
      return {LpStatus::kIterationLimit, kNaN};
    default:
      break;
  }
  // Phase 2 continues from wherever the previous objective left the tableau: it is feasible and
  // canonical, and usually a few pivots from the next optimum.
  const int n = num_variables_;
  const int cols = n + 1;
  Tableau t{basic_.data(), basic_rows_, cols, basis_.data(), &scratch_};
  // Objective: minimise sign * x_variable. Reduced costs d_j = c_j - c_B B^-1 A_j.
  double* const objective = t.Row(basic_rows_);
  std::fill(objective, objective + cols, 0.0);
  objective[variable] = sign;
  for (int r = 0; r < basic_rows_; ++r) {
    if (basis_[r] != variable) continue;
    const double* const row = t.Row(r);
    for (int c = 0; c < cols; ++c) objective[c] -= sign * row[c];
  }
  switch (RunSimplex(t, n, scale_, stop_at)) {
    case SimplexOutcome::kStopped:
      return {LpStatus::kTargetReached, -sign * objective[cols - 1]};
    case SimplexOutcome::kIterationLimit:
      return {LpStatus::kIterationLimit, kNaN};
    case SimplexOutcome::kUnbounded:
      return {LpStatus::kUnbounded, -sign * kInfinity};
    case SimplexOutcome::kOptimal:
      break;
  }
  // objective[rhs] = -(sign * x_variable) at the optimum.
  return {LpStatus::kOptimal, -sign * objective[cols - 1]};
}

LpResult LinearProgram::Minimize(int variable) { return Optimize(variable, 1.0, -kInfinity); }

LpResult LinearProgram::Maximize(int variable) { return Optimize(variable, -1.0, -kInfinity); }

LpResult LinearProgram::MinimizeUntil(int variable, double target) {
  return Optimize(variable, 1.0, target);
}

LpResult LinearProgram::MaximizeUntil(int variable, double target) {
  return Optimize(variable, -1.0, -target);
}

bool LinearProgram::IsFeasible() { return EnsurePhase1() == Phase1::kFeasible; }

}  // namespace consular::stats

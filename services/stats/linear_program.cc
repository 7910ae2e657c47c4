#include "services/stats/linear_program.h"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace consular::stats {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// GLPK keeps an environment per thread (its memory, the terminal output switch), made at a
// thread's first call. Freed when the thread ends: a pool's worker threads come and go.
struct ThreadEnvironment {
  ThreadEnvironment() { glp_term_out(GLP_OFF); }  // no solver messages on stdout
  ~ThreadEnvironment() { glp_free_env(); }
  ThreadEnvironment(const ThreadEnvironment&) = delete;
  ThreadEnvironment& operator=(const ThreadEnvironment&) = delete;
};

void EnsureThreadEnvironment() {
  thread_local ThreadEnvironment environment;
  (void)environment;
}

glp_smcp SimplexParameters() {
  glp_smcp parameters;
  glp_init_smcp(&parameters);
  parameters.msg_lev = GLP_MSG_OFF;
  parameters.meth = GLP_PRIMAL;
  parameters.presolve = GLP_OFF;  // keeps the basis between objectives
  return parameters;
}

// Runs the simplex from the problem's current basis; on a singular or ill-conditioned basis, once
// more from an advanced starting basis. False if the solver gave no answer.
bool Solve(glp_prob* problem) {
  const glp_smcp parameters = SimplexParameters();
  int code = glp_simplex(problem, &parameters);
  if (code == GLP_EBADB || code == GLP_ESING || code == GLP_ECOND || code == GLP_EFAIL) {
    glp_adv_basis(problem, 0);
    code = glp_simplex(problem, &parameters);
  }
  return code == 0;
}

}  // namespace

LinearProgram::LinearProgram(int num_variables) : num_variables_(std::max(0, num_variables)) {
  Reset(num_variables_);
}

LinearProgram::~LinearProgram() { Free(); }

LinearProgram::LinearProgram(LinearProgram&& other) noexcept
    : num_variables_(other.num_variables_),
      row_(std::move(other.row_)),
      column_(std::move(other.column_)),
      value_(std::move(other.value_)),
      rhs_(std::move(other.rhs_)),
      phase1_(other.phase1_),
      problem_(std::exchange(other.problem_, nullptr)),
      objective_variable_(other.objective_variable_) {
  other.Reset(0);
}

LinearProgram& LinearProgram::operator=(LinearProgram&& other) noexcept {
  if (this != &other) {
    Free();
    num_variables_ = other.num_variables_;
    row_ = std::move(other.row_);
    column_ = std::move(other.column_);
    value_ = std::move(other.value_);
    rhs_ = std::move(other.rhs_);
    phase1_ = other.phase1_;
    problem_ = std::exchange(other.problem_, nullptr);
    objective_variable_ = other.objective_variable_;
    other.Reset(0);
  }
  return *this;
}

void LinearProgram::Free() {
  if (problem_ != nullptr) glp_delete_prob(problem_);
  problem_ = nullptr;
}

void LinearProgram::Reset(int num_variables) {
  Free();
  num_variables_ = std::max(0, num_variables);
  row_.assign(1, 0);
  column_.assign(1, 0);
  value_.assign(1, 0.0);
  rhs_.clear();
  phase1_ = Phase1::kNotRun;
  objective_variable_ = -1;
}

void LinearProgram::AddEquation(const std::vector<double>& coefficients, double rhs) {
  const int given = std::min(num_variables_, static_cast<int>(coefficients.size()));
  rhs_.push_back(rhs);
  const int equation = static_cast<int>(rhs_.size());  // 1-based
  for (int j = 0; j < given; ++j) {
    if (coefficients[j] == 0.0) continue;
    row_.push_back(equation);
    column_.push_back(j + 1);
    value_.push_back(coefficients[j]);
  }
  Free();
  phase1_ = Phase1::kNotRun;
}

LinearProgram::Phase1 LinearProgram::EnsurePhase1() {
  if (phase1_ != Phase1::kNotRun) return phase1_;
  Free();
  EnsureThreadEnvironment();
  problem_ = glp_create_prob();
  const int m = num_equations();
  const int n = num_variables_;
  if (m > 0) glp_add_rows(problem_, m);
  if (n > 0) glp_add_cols(problem_, n);
  for (int i = 0; i < m; ++i) glp_set_row_bnds(problem_, i + 1, GLP_FX, rhs_[i], rhs_[i]);
  for (int j = 0; j < n; ++j) glp_set_col_bnds(problem_, j + 1, GLP_LO, 0.0, 0.0);
  const int terms = static_cast<int>(value_.size()) - 1;
  if (terms > 0) glp_load_matrix(problem_, terms, row_.data(), column_.data(), value_.data());
  glp_set_obj_dir(problem_, GLP_MIN);
  objective_variable_ = -1;
  if (m == 0) return phase1_ = Phase1::kFeasible;
  glp_adv_basis(problem_, 0);
  if (!Solve(problem_)) return phase1_ = Phase1::kFailed;
  switch (glp_get_status(problem_)) {
    case GLP_OPT:
      return phase1_ = Phase1::kFeasible;
    case GLP_NOFEAS:
      return phase1_ = Phase1::kInfeasible;
    default:
      return phase1_ = Phase1::kFailed;
  }
}

LpResult LinearProgram::Optimize(int variable, double sign) {
  switch (EnsurePhase1()) {
    case Phase1::kInfeasible:
      return {LpStatus::kInfeasible, kNaN};
    case Phase1::kFailed:
      return {LpStatus::kIterationLimit, kNaN};
    default:
      break;
  }
  if (num_equations() == 0) {  // x >= 0 and nothing else
    return sign > 0 ? LpResult{LpStatus::kOptimal, 0.0} : LpResult{LpStatus::kUnbounded, kInfinity};
  }
  if (objective_variable_ >= 0) glp_set_obj_coef(problem_, objective_variable_ + 1, 0.0);
  glp_set_obj_coef(problem_, variable + 1, sign);
  objective_variable_ = variable;
  if (!Solve(problem_)) return {LpStatus::kIterationLimit, kNaN};
  switch (glp_get_status(problem_)) {
    case GLP_OPT:
      return {LpStatus::kOptimal, glp_get_col_prim(problem_, variable + 1)};
    case GLP_UNBND:
      return {LpStatus::kUnbounded, -sign * kInfinity};
    case GLP_NOFEAS:
      return {LpStatus::kInfeasible, kNaN};
    default:
      return {LpStatus::kIterationLimit, kNaN};
  }
}

LpResult LinearProgram::Minimize(int variable) { return Optimize(variable, 1.0); }

LpResult LinearProgram::Maximize(int variable) { return Optimize(variable, -1.0); }

LpResult LinearProgram::MinimizeUntil(int variable, double target) {
  LpResult result = Optimize(variable, 1.0);
  if (result.status == LpStatus::kOptimal && result.value <= target) {
    result.status = LpStatus::kTargetReached;
  }
  return result;
}

LpResult LinearProgram::MaximizeUntil(int variable, double target) {
  LpResult result = Optimize(variable, -1.0);
  if (result.status == LpStatus::kOptimal && result.value >= target) {
    result.status = LpStatus::kTargetReached;
  }
  return result;
}

bool LinearProgram::IsFeasible() { return EnsurePhase1() == Phase1::kFeasible; }

}  // namespace consular::stats

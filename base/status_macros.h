#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Early return on error, for functions that return absl::Status or absl::StatusOr<T>.
//
//   CONSULAR_RETURN_IF_ERROR(CheckText("case.title", title, 200));
//   CONSULAR_ASSIGN_OR_RETURN(const int page_size, PageSizeOf(request.page_size(), 50));
//   CONSULAR_ASSIGN_OR_RETURN(std::string token, ReadTokenFile(path));
//
// The expression is evaluated once; on error its status is returned unchanged.

// Returns from the enclosing function with the status of `expr` unless it is OK.
#define CONSULAR_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    const absl::Status consular_status_ = (expr);        \
    if (!consular_status_.ok()) return consular_status_; \
  } while (false)

// Declares `lhs` (e.g. `const int n`) from the value of the absl::StatusOr `rexpr`, or returns
// from the enclosing function with its status. One per line (the temporary is named by line).
#define CONSULAR_ASSIGN_OR_RETURN(lhs, rexpr)                                                   \
  CONSULAR_ASSIGN_OR_RETURN_IMPL_(CONSULAR_STATUS_MACROS_CONCAT_(consular_statusor_, __LINE__), \
                                  lhs, rexpr)

#define CONSULAR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = *std::move(statusor)

#define CONSULAR_STATUS_MACROS_CONCAT_INNER_(a, b) a##b
#define CONSULAR_STATUS_MACROS_CONCAT_(a, b) CONSULAR_STATUS_MACROS_CONCAT_INNER_(a, b)

#pragma once

#include <pqxx/connection>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace consular::storage {

// Returns `dsn` (a libpq conninfo, key=value or URI form) rewritten as a
// key=value string with every entry of `overrides` set, replacing any value
// `dsn` had for that key. Parameters `dsn` does not mention are left out, so
// libpq defaults and PG* environment variables still apply. INVALID_ARGUMENT if
// `dsn` cannot be parsed or a key is not a libpq connection parameter.
absl::StatusOr<std::string> OverrideConninfo(
    const std::string& dsn,
    const std::vector<std::pair<std::string, std::string>>& overrides);

// Returns `dsn` with connect_timeout set to `timeout` (whole seconds, at least
// 2, libpq's minimum) when `dsn` has none; an explicit connect_timeout is kept.
// INVALID_ARGUMENT as above.
absl::StatusOr<std::string> WithDefaultConnectTimeout(const std::string& dsn,
                                                      absl::Duration timeout);

// Returns the value `dsn` sets for `key`, or "" if it sets none.
// INVALID_ARGUMENT as above.
absl::StatusOr<std::string> ConninfoValue(const std::string& dsn,
                                          const std::string& key);

// Stops libpqxx from silently reconnecting `connection` after it broke (its
// deprecated "reactivation"): a broken connection must be discarded and a new
// one opened instead.
void DisableReactivation(pqxx::connection& connection);

}  // namespace consular::storage

#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace consular::storage {

// Whether the database answers: a connection of its own (not one of the pool's, so a server whose
// pool is busy still answers health checks), opened on first use and again after it broke, and
// a `SELECT 1` with a short statement timeout. Not thread-safe: one checker thread uses it.
class DatabaseProbe {
 public:
  // `timeout` bounds the connection (whole seconds, at least 2) and the statement.
  DatabaseProbe(std::string dsn, absl::Duration timeout = absl::Seconds(2));
  ~DatabaseProbe();
  DatabaseProbe(const DatabaseProbe&) = delete;
  DatabaseProbe& operator=(const DatabaseProbe&) = delete;

  // OK when the database answered; UNAVAILABLE saying why not.
  absl::Status Check();

 private:
  const std::string dsn_;
  const absl::Duration timeout_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace consular::storage

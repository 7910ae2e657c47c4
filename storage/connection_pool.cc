#include "storage/connection_pool.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "storage/conninfo.h"
#include "base/error_report.h"

namespace consular::storage {
namespace {

// libpq does not accept connect_timeout below 2 seconds (it raises smaller
// values to 2).
constexpr int64_t kMinConnectTimeoutSeconds = 2;

absl::StatusOr<std::string> NormalizeDsn(const std::string& dsn, absl::Duration* connect_timeout) {
  CONSULAR_ASSIGN_OR_RETURN(std::string explicit_timeout, ConninfoValue(dsn, "connect_timeout"));
  if (!explicit_timeout.empty()) {
    int seconds = 0;
    try {
      seconds = std::stoi(explicit_timeout);
    } catch (const std::exception&) {
      return absl::InvalidArgumentError("invalid connection string: bad connect_timeout");
    }
    // libpq treats 0 or less as "wait forever"; keep connecting bounded.
    if (seconds > 0) *connect_timeout = absl::Seconds(seconds);
  }
  return OverrideConninfo(dsn, {});
}

}  // namespace

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)), broken_(other.broken_) {
  other.pool_ = nullptr;
  other.broken_ = false;
}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    connection_ = std::move(other.connection_);
    broken_ = other.broken_;
    other.pool_ = nullptr;
    other.broken_ = false;
  }
  return *this;
}

ConnectionPool::Lease::~Lease() { Release(); }

pqxx::connection& ConnectionPool::Lease::connection() { return *connection_; }

void ConnectionPool::Lease::MarkBroken() { broken_ = true; }

void ConnectionPool::Lease::Release() {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->Return(std::move(connection_), broken_);
  }
  pool_ = nullptr;
  connection_.reset();
  broken_ = false;
}

ConnectionPool::ConnectionPool(PoolOptions options)
    : size_(std::max(1, options.size)),
      clock_(options.clock),
      connect_timeout_(options.connect_timeout),
      conninfo_(NormalizeDsn(options.dsn, &connect_timeout_)) {}

ConnectionPool::~ConnectionPool() {
  std::vector<std::unique_ptr<pqxx::connection>> idle;
  {
    absl::MutexLock lock(&mu_);
    if (open_ != static_cast<int>(idle_.size())) {
      LogError("connection pool destroyed with connections still leased",
               {{"leased", open_ - static_cast<int>(idle_.size())}});
    }
    idle.swap(idle_);
    open_ -= static_cast<int>(idle.size());
  }
  // `idle` closes the connections here, outside the lock.
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire(absl::Time deadline) {
  if (!conninfo_.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("database connection string: ", conninfo_.status().message()));
  }
  {
    absl::MutexLock lock(&mu_);
    while (true) {
      if (stopped_) return absl::UnavailableError("shutting down");
      if (!idle_.empty()) {
        // Most recently returned first: it is the least likely to have gone
        // stale.
        std::unique_ptr<pqxx::connection> connection = std::move(idle_.back());
        idle_.pop_back();
        leased_.push_back(connection.get());
        return Lease(this, std::move(connection));
      }
      if (open_ < size_) {
        ++open_;  // reserve the slot; open outside the lock
        break;
      }
      if (clock_->Now() >= deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("no database connection became free before the "
                         "deadline (pool size ",
                         size_, ")"));
      }
      ++waiting_;
      changed_.WaitWithDeadline(&mu_, deadline);
      --waiting_;
    }
  }
  absl::StatusOr<std::unique_ptr<pqxx::connection>> connection = Open(deadline);
  if (!connection.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    changed_.Signal();
    return connection.status();
  }
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) {
      --open_;
      changed_.Signal();
      return absl::UnavailableError("shutting down");
    }
    leased_.push_back(connection->get());
  }
  return Lease(this, std::move(*connection));
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> ConnectionPool::Open(absl::Time deadline) {
  // Connecting is bounded by connect_timeout and, when sooner, by the deadline.
  absl::Duration timeout = std::min(connect_timeout_, deadline - clock_->Now());
  const int64_t seconds = std::max<int64_t>(
      kMinConnectTimeoutSeconds, absl::ToInt64Seconds(absl::Ceil(timeout, absl::Seconds(1))));
  absl::StatusOr<std::string> conninfo =
      OverrideConninfo(*conninfo_, {{"connect_timeout", std::to_string(seconds)}});
  if (!conninfo.ok()) return absl::FailedPreconditionError(conninfo.status().message());
  try {
    auto connection = std::make_unique<pqxx::connection>(*conninfo);
    DisableReactivation(*connection);
    return connection;
  } catch (const std::exception& e) {
    return ReportError(absl::StatusCode::kUnavailable, "database unavailable",
                       absl::StrCat("cannot connect to the database: ", e.what()));
  }
}

void ConnectionPool::Return(std::unique_ptr<pqxx::connection> connection, bool broken) {
  std::unique_ptr<pqxx::connection> to_close;  // closed outside the lock
  absl::MutexLock lock(&mu_);
  leased_.erase(std::remove(leased_.begin(), leased_.end(), connection.get()), leased_.end());
  if (broken || stopped_ || !connection->is_open()) {
    to_close = std::move(connection);
    --open_;
  } else {
    idle_.push_back(std::move(connection));
  }
  changed_.Signal();
}

void ConnectionPool::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  changed_.SignalAll();
  // Under the lock, so no leased connection is returned (and closed) meanwhile.
  for (pqxx::connection* connection : leased_) {
    try {
      connection->cancel_query();
    } catch (const std::exception& e) {
      LogWarning(absl::StrCat("connection pool: cannot cancel a running statement: ", e.what()));
    }
  }
}

int ConnectionPool::OpenConnections() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

int ConnectionPool::IdleConnections() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(idle_.size());
}

int ConnectionPool::Waiting() const {
  absl::MutexLock lock(&mu_);
  return waiting_;
}

}  // namespace consular::storage

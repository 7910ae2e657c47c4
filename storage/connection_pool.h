#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace consular::storage {

struct PoolOptions {
  std::string dsn;  // libpq conninfo (key=value or URI)
  int size = 8;     // maximum open connections (values below 1 count as 1)
  // Bound on opening one connection, used when `dsn` has no connect_timeout of
  // its own. Opening is further bounded by the Acquire deadline (libpq's
  // minimum is 2 s).
  absl::Duration connect_timeout = absl::Seconds(5);
  // What Acquire deadlines are measured against; must outlive the pool.
  const Clock* clock = &SystemClock();
};

// A bounded pool of PostgreSQL connections, opened lazily. Thread-safe. A
// connection that broke is discarded, never reused or reconnected in place: the
// next Acquire opens a fresh one, so the pool recovers by itself once the
// database is reachable again.
class ConnectionPool {
 public:
  // A connection on loan from the pool. Movable; returns the connection to the
  // pool when destroyed (or discards it, see MarkBroken). A moved-from Lease
  // holds nothing and must not be used.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    // Returns the leased connection. Any transaction on it must end before the
    // Lease does.
    pqxx::connection& connection();

    // Closes and discards the connection when the Lease ends instead of
    // returning it for reuse.
    void MarkBroken();

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection);
    void Release();

    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<pqxx::connection> connection_;
    bool broken_ = false;
  };

  explicit ConnectionPool(PoolOptions options);
  // Closes the idle connections. Every Lease must have ended before.
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Returns a connection: an idle one if any, else a newly opened one while
  // fewer than `size` are open, else waits for one to be returned until
  // `deadline`. UNAVAILABLE if the database cannot be reached (the libpq detail
  // goes to stderr under the correlation id in the message), DEADLINE_EXCEEDED
  // if none became free in time, FAILED_PRECONDITION if the dsn is malformed.
  absl::StatusOr<Lease> Acquire(absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);

  // Returns how many connections are open, idle or leased (for tests and
  // metrics).
  int OpenConnections() const ABSL_LOCKS_EXCLUDED(mu_);
  // Returns how many open connections are idle in the pool.
  int IdleConnections() const ABSL_LOCKS_EXCLUDED(mu_);
  // Returns how many callers of Acquire are waiting for a connection to be returned (metrics).
  int Waiting() const ABSL_LOCKS_EXCLUDED(mu_);

  // For shutdown: refuses every later Acquire (UNAVAILABLE "shutting down") and
  // asks PostgreSQL to cancel the statement running on each leased connection,
  // so the work holding them ends at once (the statement fails with
  // query_canceled). Leases still return normally. Thread-safe; idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Open(absl::Time deadline);
  void Return(std::unique_ptr<pqxx::connection> connection, bool broken) ABSL_LOCKS_EXCLUDED(mu_);

  const int size_;
  const Clock* const clock_;
  // Set once by the constructor: the bound on opening a connection, and
  // options.dsn normalised to key=value form (or why it is malformed).
  absl::Duration connect_timeout_;
  absl::StatusOr<std::string> conninfo_;

  mutable absl::Mutex mu_;
  // Signalled when a connection is returned or a slot frees up.
  absl::CondVar changed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + leased + being opened
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;  // callers of Acquire waiting for a return
  std::vector<pqxx::connection*> leased_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace consular::storage

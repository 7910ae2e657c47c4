#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "storage/housekeeping.h"
#include "storage/transaction_runner.h"

// Housekeeping (docs/records.md): a thread of the server that owns tables with rows
// that expire (idempotency records, ended shares, reviewed emergency access, emergency searches)
// deletes those older than their retention, at start and then every interval.
namespace consular {

// What one server expires and after how long.
struct HousekeepingSettings {
  absl::Duration interval = absl::Hours(1);  // between the starts of two rounds
  int batch = 1000;                          // rows per transaction
  // Batches per kind and round at most, so that one round ends (the rest waits for the next).
  int max_batches = 1000;
  std::vector<std::pair<storage::ExpiringKind, absl::Duration>> retention;
};

// The housekeeping flags, also read from the environment (`env_prefix` + the name) and --config.
struct HousekeepingFlags {
  int interval_seconds = 3600;  // 0: no housekeeping in this process
  int idempotency_days = 30;    // idempotency records and stored responses
  int ended_share_days = 400;   // shares since they were revoked or expired
  int emergency_days = 730;     // reviewed emergency access, emergency searches
  int batch = 1000;
};

// Adds the flags of `kinds` (those the server expires) to `app`, storing into `flags`.
void AddHousekeepingFlags(CLI::App& app, const std::string& env_prefix,
                          const std::vector<storage::ExpiringKind>& kinds,
                          HousekeepingFlags* flags);

// The settings of `kinds` from the flags.
HousekeepingSettings HousekeepingSettingsOf(const HousekeepingFlags& flags,
                                            const std::vector<storage::ExpiringKind>& kinds);

// Runs rounds of housekeeping on a thread of its own from Start() until Stop(). A round deletes,
// for each kind, batches (one transaction each) of rows older than its retention until a batch
// comes back short. A failed batch is logged and its kind retried next round; the others go on.
// Several replicas may run at once: a row deleted by one is skipped by the others. Thread-safe;
// `runner` and `clock` must outlive it.
class Housekeeper {
 public:
  Housekeeper(storage::TransactionRunner* runner, HousekeepingSettings settings,
              const Clock& clock);
  ~Housekeeper();
  Housekeeper(const Housekeeper&) = delete;
  Housekeeper& operator=(const Housekeeper&) = delete;

  void Start();
  // Waits for a round in progress to end (it stops between batches); idempotent.
  void Stop();

  // One round, on the caller's thread. OK when every kind was brought up to date (or its batch
  // cap reached); else the first error (UNAVAILABLE, DEADLINE_EXCEEDED, ... as the runner's).
  absl::Status RunRound();

  // Rows deleted per kind name since start (every kind of the settings, 0 at first).
  std::map<std::string, int64_t> Expired() const ABSL_LOCKS_EXCLUDED(mu_);
  // When the last round that succeeded ended (InfinitePast: none yet).
  absl::Time LastSuccess() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop();
  bool Stopping() const ABSL_LOCKS_EXCLUDED(mu_);

  storage::TransactionRunner* const runner_;
  const HousekeepingSettings settings_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, int64_t> expired_ ABSL_GUARDED_BY(mu_);
  absl::Time last_success_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::thread thread_;
};

}  // namespace consular

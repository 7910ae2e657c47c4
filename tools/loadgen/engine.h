#pragma once

// The load generator's engine: drives virtual users against a service and times every call.
//
// Concurrency model: one thread per virtual user, each making blocking calls through the
// synchronous gRPC stub. Chosen over the callback API because a virtual user is a sequence of
// dependent calls (read a case, update it with the version read, re-read and retry on ABORTED):
// straight-line code on a thread, a state machine with callbacks. It also makes --concurrency
// mean exactly "at most N calls in flight". The load tests these services need (tens to a few
// hundred users) are well within what threads handle; a run with thousands of users would want
// the callback API instead.
//
// Pacing: closed loop (rate 0) sends a user's next operation as soon as its previous one is done.
// Open loop (rate R > 0) schedules operation i at start + i / R across all users, whoever is free
// takes the next one, and its first call is timed from that scheduled time, not from when it was
// actually sent. A server that stalls therefore shows up in the latencies instead of silently
// slowing the senders down ("coordinated omission" is avoided, as in wrk2): when all users are
// busy, operations queue and their waiting counts.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace consular::loadgen {

using Clock = std::chrono::steady_clock;

// How much load to apply, and for how long.
struct RunPlan {
  int concurrency = 1;  // virtual users, each with at most one call in flight
  // Measure for this long after the warm-up (used when count is 0). Closed loop: operations
  // started before the end are completed and counted. Open loop: ceil(duration * rate)
  // operations are scheduled.
  absl::Duration duration = absl::Seconds(30);
  int64_t count = 0;  // if > 0: measure exactly this many operations instead of a duration
  double rate = 0;    // operations per second across all users; 0 = closed loop
  absl::Duration warmup = absl::ZeroDuration();  // run, but do not record, for this long first
  // When set and it becomes true (e.g. on Ctrl-C), users stop after their current operation.
  const std::atomic<bool>* cancel = nullptr;
};

// The calls of one RPC method.
struct MethodResult {
  std::vector<int64_t> latencies_ns;             // every recorded call, ok or failed
  std::map<grpc::StatusCode, int64_t> failures;  // the failed calls by status code
};

// Everything a run recorded (warm-up and set-up calls excluded).
struct RunResult {
  std::map<std::string, MethodResult> methods;  // by RPC name, e.g. "GetCase"
  std::map<std::string, int64_t> events;        // counted by scenarios, e.g. ABORTED retries
  int64_t operations = 0;                       // recorded operations (one or more calls each)
  // From the start of measurement (the end of the warm-up; open loop: the first recorded
  // operation's scheduled time) to the completion of the last recorded call.
  absl::Duration elapsed = absl::ZeroDuration();
  // Open loop: recorded operations that were scheduled but never sent, because the users were
  // still busy at the hard stop (the planned end plus max(planned measuring time, 10 s)); 0 when
  // cancelled.
  int64_t missed = 0;
  bool cancelled = false;  // the run was stopped early through RunPlan::cancel

  int64_t TotalCalls() const;
  int64_t FailedCalls() const;
};

// Times the calls of one virtual user; owned by the engine, one per user thread (not shared, so
// recording takes no lock).
class CallRecorder {
 public:
  // Starts an operation. Its calls are recorded only if `measured`. In open loop, `due` is the
  // operation's scheduled send time, from which its first call is timed.
  void BeginOperation(bool measured, std::optional<Clock::time_point> due);

  // Runs `call`, one RPC of `method`, and returns its status. If the operation is measured,
  // records the latency, from just before `call` is invoked (or from the due time, for the first
  // call of an open-loop operation) to its return, and the status.
  grpc::Status Time(const std::string& method, const std::function<grpc::Status()>& call);

  // Counts a scenario event (e.g. "ABORTED, re-read and retried") if the operation is measured.
  void Count(const std::string& event);

  // Adds what this recorder holds to `result`, emptying the recorder.
  void MergeInto(RunResult* result);

  // The completion time of the last recorded call, if any.
  std::optional<Clock::time_point> last_completion() const { return last_completion_; }

 private:
  bool measured_ = false;
  std::optional<Clock::time_point> due_;
  int64_t operations_ = 0;
  std::map<std::string, MethodResult> methods_;
  std::map<std::string, int64_t> events_;
  std::optional<Clock::time_point> last_completion_;
};

// One simulated client. Each user is driven by one thread; Step is never called concurrently on
// the same user.
class VirtualUser {
 public:
  virtual ~VirtualUser() = default;
  // Performs one operation: one call (or a few, e.g. a re-read and retry after ABORTED), each
  // through `recorder`. Failures are recorded by status code, not returned.
  virtual void Step(CallRecorder& recorder) = 0;
};

// What the users do: a scenario.
class Workload {
 public:
  virtual ~Workload() = default;
  // The set-up before anything is measured (e.g. making sure there are cases to read). Any error
  // aborts the run, with the status of the failed call.
  virtual absl::Status Prepare() = 0;
  // Virtual user number `index` (0-based). Errors (e.g. a token that cannot be minted) abort the
  // run.
  virtual absl::StatusOr<std::unique_ptr<VirtualUser>> NewUser(int index) = 0;
};

// INVALID_ARGUMENT naming the field for an impossible plan: concurrency below 1, a negative count,
// rate or warm-up, or no count and a duration that is not positive.
absl::Status ValidatePlan(const RunPlan& plan);

// Prepares `workload`, creates plan.concurrency users, runs them as planned and returns what was
// recorded. Errors: those of ValidatePlan, Workload::Prepare and Workload::NewUser.
absl::StatusOr<RunResult> RunLoad(Workload& workload, const RunPlan& plan);

}  // namespace consular::loadgen

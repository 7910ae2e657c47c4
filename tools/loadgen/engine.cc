#include "tools/loadgen/engine.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <utility>

namespace consular::loadgen {
namespace {

// How long past its planned end an open-loop run may go on to send operations that are late.
constexpr absl::Duration kMinOpenLoopGrace = absl::Seconds(10);

Clock::duration ToClock(absl::Duration d) {
  return std::chrono::duration_cast<Clock::duration>(absl::ToChronoNanoseconds(d));
}

// Hands out operations to the users: decides when the run is over, which operations are
// measured and, in open loop, when each is due. Shared by every user thread.
class Schedule {
 public:
  Schedule(const RunPlan& plan, Clock::time_point start) : plan_(plan), start_(start) {
    warmup_end_ = start + ToClock(plan.warmup);
    if (plan.rate > 0) {
      const double interval_ns = 1e9 / plan.rate;
      interval_ns_ = interval_ns;
      warmup_slots_ =
          static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(plan.warmup) * plan.rate - 1e-9));
      measured_slots_ =
          plan.count > 0 ? plan.count
                         : static_cast<int64_t>(
                               std::ceil(absl::ToDoubleSeconds(plan.duration) * plan.rate - 1e-9));
      const Clock::time_point planned_end = Due(warmup_slots_ + measured_slots_);
      const Clock::duration measuring = planned_end - Due(warmup_slots_);
      hard_stop_ = planned_end + std::max(measuring, ToClock(kMinOpenLoopGrace));
    } else {
      end_ = warmup_end_ + ToClock(plan.duration);
    }
  }

  // Claims the next operation for a user: false when the run is over for it. In open loop,
  // sleeps until the operation is due (and returns at once if it is late).
  bool Next(bool* measured, std::optional<Clock::time_point>* due) {
    if (plan_.cancel != nullptr && plan_.cancel->load()) {
      cancelled_ = true;
      return false;
    }
    if (plan_.rate > 0) return NextOpenLoop(measured, due);
    due->reset();
    const Clock::time_point now = Clock::now();
    *measured = now >= warmup_end_;
    if (plan_.count > 0) {
      if (!*measured) return true;
      return tickets_.fetch_add(1) < plan_.count;
    }
    return now < end_;
  }

  // Where measuring starts: the end of the warm-up, or the first recorded operation's due time.
  Clock::time_point measure_start() const {
    return plan_.rate > 0 ? Due(warmup_slots_) : warmup_end_;
  }

  // Open loop: recorded operations never sent.
  int64_t missed() const {
    return plan_.rate > 0 ? std::max<int64_t>(0, measured_slots_ - measured_sent_.load()) : 0;
  }

  bool cancelled() const { return cancelled_.load(); }

 private:
  Clock::time_point Due(int64_t slot) const {
    return start_ + std::chrono::nanoseconds(static_cast<int64_t>(
                        std::llround(static_cast<double>(slot) * interval_ns_)));
  }

  bool NextOpenLoop(bool* measured, std::optional<Clock::time_point>* due) {
    const int64_t slot = next_slot_.fetch_add(1);
    if (slot >= warmup_slots_ + measured_slots_) return false;
    if (Clock::now() > hard_stop_) return false;
    const Clock::time_point at = Due(slot);
    std::this_thread::sleep_until(at);
    *measured = slot >= warmup_slots_;
    if (*measured) measured_sent_.fetch_add(1);
    *due = at;
    return true;
  }

  const RunPlan& plan_;
  const Clock::time_point start_;
  Clock::time_point warmup_end_;
  Clock::time_point end_;        // closed loop with a duration
  double interval_ns_ = 0;       // open loop
  int64_t warmup_slots_ = 0;     // open loop
  int64_t measured_slots_ = 0;   // open loop
  Clock::time_point hard_stop_;  // open loop
  std::atomic<int64_t> next_slot_{0};
  std::atomic<int64_t> measured_sent_{0};
  std::atomic<int64_t> tickets_{0};  // closed loop with a count
  std::atomic<bool> cancelled_{false};
};

void RunUser(VirtualUser& user, CallRecorder& recorder, Schedule& schedule) {
  bool measured = false;
  std::optional<Clock::time_point> due;
  while (schedule.Next(&measured, &due)) {
    recorder.BeginOperation(measured, due);
    user.Step(recorder);
  }
}

}  // namespace

int64_t RunResult::TotalCalls() const {
  int64_t total = 0;
  for (const auto& [name, method] : methods) total += method.latencies_ns.size();
  return total;
}

int64_t RunResult::FailedCalls() const {
  int64_t failed = 0;
  for (const auto& [name, method] : methods) {
    for (const auto& [code, n] : method.failures) failed += n;
  }
  return failed;
}

void CallRecorder::BeginOperation(bool measured, std::optional<Clock::time_point> due) {
  measured_ = measured;
  due_ = due;
  if (measured) ++operations_;
}

grpc::Status CallRecorder::Time(const std::string& method,
                                const std::function<grpc::Status()>& call) {
  Clock::time_point start = Clock::now();
  if (due_.has_value()) {
    // The first call of an open-loop operation: timed from when it should have been sent.
    start = std::min(start, *due_);
    due_.reset();
  }
  grpc::Status status = call();
  const Clock::time_point end = Clock::now();
  if (measured_) {
    MethodResult& result = methods_[method];
    result.latencies_ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    if (!status.ok()) ++result.failures[status.error_code()];
    last_completion_ = end;
  }
  return status;
}

void CallRecorder::Count(const std::string& event) {
  if (measured_) ++events_[event];
}

void CallRecorder::MergeInto(RunResult* result) {
  result->operations += operations_;
  operations_ = 0;
  for (auto& [name, method] : methods_) {
    MethodResult& into = result->methods[name];
    into.latencies_ns.insert(into.latencies_ns.end(), method.latencies_ns.begin(),
                             method.latencies_ns.end());
    for (const auto& [code, n] : method.failures) into.failures[code] += n;
  }
  methods_.clear();
  for (const auto& [name, n] : events_) result->events[name] += n;
  events_.clear();
}

absl::Status ValidatePlan(const RunPlan& plan) {
  if (plan.concurrency < 1) return absl::InvalidArgumentError("concurrency: must be at least 1");
  if (plan.count < 0) return absl::InvalidArgumentError("count: must not be negative");
  if (plan.count == 0 && plan.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("duration: must be positive (or give a count)");
  }
  if (!(plan.rate >= 0) || std::isinf(plan.rate)) {
    return absl::InvalidArgumentError("rate: must be a finite number, 0 or more");
  }
  if (plan.warmup < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("warmup: must not be negative");
  }
  return absl::OkStatus();
}

absl::StatusOr<RunResult> RunLoad(Workload& workload, const RunPlan& plan) {
  if (absl::Status valid = ValidatePlan(plan); !valid.ok()) return valid;
  if (absl::Status prepared = workload.Prepare(); !prepared.ok()) return prepared;

  std::vector<std::unique_ptr<VirtualUser>> users;
  users.reserve(plan.concurrency);
  for (int i = 0; i < plan.concurrency; ++i) {
    absl::StatusOr<std::unique_ptr<VirtualUser>> user = workload.NewUser(i);
    if (!user.ok()) return user.status();
    users.push_back(*std::move(user));
  }
  std::vector<CallRecorder> recorders(users.size());

  Schedule schedule(plan, Clock::now());
  std::vector<std::thread> threads;
  threads.reserve(users.size());
  for (size_t i = 0; i < users.size(); ++i) {
    threads.emplace_back([&, i] { RunUser(*users[i], recorders[i], schedule); });
  }
  for (std::thread& thread : threads) thread.join();

  RunResult result;
  std::optional<Clock::time_point> last;
  for (CallRecorder& recorder : recorders) {
    if (recorder.last_completion().has_value() &&
        (!last.has_value() || *recorder.last_completion() > *last)) {
      last = recorder.last_completion();
    }
    recorder.MergeInto(&result);
  }
  if (last.has_value() && *last > schedule.measure_start()) {
    result.elapsed = absl::FromChrono(*last - schedule.measure_start());
  }
  result.cancelled = schedule.cancelled();
  result.missed = result.cancelled ? 0 : schedule.missed();
  return result;
}

}  // namespace consular::loadgen

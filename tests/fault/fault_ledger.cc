#include "tests/fault/fault_ledger.h"

#include <utility>

namespace consular::fault {

void Ledger::BeginRound(int round) {
  absl::MutexLock lock(&mu_);
  round_number_ = round;
  round_ = RoundCounts();
}

size_t Ledger::Record(Write write) {
  absl::MutexLock lock(&mu_);
  write.round = round_number_;
  writes_.push_back(std::move(write));
  return writes_.size() - 1;
}

void Ledger::Acknowledge(size_t index, int attempts, const std::string& case_id,
                         const std::string& reference, int64_t version,
                         const std::string& note_id) {
  absl::MutexLock lock(&mu_);
  Write& w = writes_.at(index);
  if (w.acknowledged) return;
  w.acknowledged = true;
  w.retried = attempts > 1;
  if (w.retried) ++round_.acknowledged_on_retry;
  if (w.kind == WriteKind::kCreate) {
    w.case_id = case_id;
    cases_.push_back(case_id);
  }
  w.reference = reference;
  w.version = version;
  w.note_id = note_id;
  ++acknowledged_;
  ++round_.acknowledged[static_cast<int>(w.kind)];
}

void Ledger::CountAttempt() {
  absl::MutexLock lock(&mu_);
  ++round_.attempts;
}

void Ledger::CountRetry(const std::string& code, const std::string& message) {
  absl::MutexLock lock(&mu_);
  ++round_.retried[code];
  round_.example.emplace(code, message);
}

void Ledger::Reject(size_t index) {
  absl::MutexLock lock(&mu_);
  writes_.at(index).rejected = true;
  ++round_.version_conflicts;
}

void Ledger::AddViolation(const std::string& what) {
  absl::MutexLock lock(&mu_);
  violations_.push_back(what);
}

int64_t Ledger::Acknowledged() const {
  absl::MutexLock lock(&mu_);
  return acknowledged_;
}

std::vector<std::string> Ledger::RecentCases(size_t recent) const {
  absl::MutexLock lock(&mu_);
  const size_t first = cases_.size() > recent ? cases_.size() - recent : 0;
  return std::vector<std::string>(cases_.begin() + static_cast<std::ptrdiff_t>(first),
                                  cases_.end());
}

std::vector<Write> Ledger::Writes() const {
  absl::MutexLock lock(&mu_);
  return writes_;
}

RoundCounts Ledger::Round() const {
  absl::MutexLock lock(&mu_);
  return round_;
}

std::vector<std::string> Ledger::Violations() const {
  absl::MutexLock lock(&mu_);
  return violations_;
}

}  // namespace consular::fault

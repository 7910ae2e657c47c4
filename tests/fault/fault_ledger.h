#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

// What the fault test's clients sent and what the service acknowledged. A client records every
// write before its first attempt (its request id and the marker written into the case) and again
// when a response with status OK arrives. A write without an OK response may or may not exist, but
// never twice; a write with one must exist exactly once.
namespace consular::fault {

enum class WriteKind { kCreate, kUpdate, kNote };

// One write, as sent: the same request id and payload on every retry.
struct Write {
  WriteKind kind = WriteKind::kCreate;
  std::string request_id;  // also the marker: it is written into the case or the note
  std::string case_id;     // kUpdate, kNote: the case written to; kCreate: set when acknowledged
  int64_t expected_version = 0;  // kUpdate
  int round = 0;
  // kUpdate answered ABORTED (the case had changed): not applied, by the API's contract.
  bool rejected = false;
  // Set from the OK response.
  bool acknowledged = false;
  bool retried = false;   // sent more than once before the OK: the retry found the first attempt
  std::string reference;  // kCreate
  int64_t version = 0;    // kCreate (1), kUpdate: the case's version after the update
  std::string note_id;    // kNote
};

// Counts of one round, for the report.
struct RoundCounts {
  int64_t acknowledged[3] = {0, 0, 0};     // by WriteKind
  int64_t acknowledged_on_retry = 0;       // OK only after the same request was sent again
  int64_t attempts = 0;                    // calls of write methods, retries included
  int64_t version_conflicts = 0;           // updates answered ABORTED and redone after a re-read
  std::map<std::string, int64_t> retried;  // status code name -> retries after it
  std::map<std::string, std::string> example;  // status code name -> one message
  int64_t Acknowledged() const { return acknowledged[0] + acknowledged[1] + acknowledged[2]; }
};

// Thread-safe: the clients write, the driver and the verification read.
class Ledger {
 public:
  void BeginRound(int round);

  // Records a write about to be sent for the first time; returns its index.
  size_t Record(Write write);
  // The OK response of write `index`, after `attempts` sends of the same request: sets its
  // acknowledged fields.
  void Acknowledge(size_t index, int attempts, const std::string& case_id,
                   const std::string& reference, int64_t version, const std::string& note_id);
  void CountAttempt();
  void CountRetry(const std::string& code, const std::string& message);
  // Write `index` (an update) was answered ABORTED; the client redoes it as a new request.
  void Reject(size_t index);
  // A check a client made on a response that failed (e.g. the response lacks the marker).
  void AddViolation(const std::string& what);

  // Acknowledged writes over all rounds.
  int64_t Acknowledged() const;
  // Up to `recent` of the most recently acknowledged creates, as case ids (for updates and notes).
  std::vector<std::string> RecentCases(size_t recent) const;

  std::vector<Write> Writes() const;
  RoundCounts Round() const;
  std::vector<std::string> Violations() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<Write> writes_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> cases_ ABSL_GUARDED_BY(mu_);
  int64_t acknowledged_ ABSL_GUARDED_BY(mu_) = 0;
  RoundCounts round_ ABSL_GUARDED_BY(mu_);
  int round_number_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> violations_ ABSL_GUARDED_BY(mu_);
};

}  // namespace consular::fault

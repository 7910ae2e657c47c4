#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>

#include "absl/time/time.h"
#include "consular/v1/cases.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/fault/fault_ledger.h"

// A client of the fault test: creates cases, updates them and adds notes through CaseService,
// records every write in the ledger and retries a write whose outcome it does not know with the
// same request id, as docs/architecture.md tells clients to.
namespace consular::fault {

// The marker a write leaves in the case or note: its request id, in a text of its own.
std::string CreateMarker(const std::string& request_id);  // in safety.covert_notes
std::string UpdateMarker(const std::string& request_id);  // in safety.safe_contact_times
std::string NoteText(const std::string& request_id);      // the note's text

// A channel to `addr` over TLS, trusting the CA certificates `ca_pem`, reconnecting within about a
// second after the server comes back. Channels with different `index` never share a connection.
std::shared_ptr<grpc::Channel> OpenChannel(const std::string& addr, const std::string& ca_pem,
                                           int index);

// Sets the call's deadline and bearer token, and makes it wait for a connection (until the
// deadline) instead of failing at once while the server is away.
void PrepareContext(grpc::ClientContext* context, const std::string& token, absl::Duration timeout);

// Whether a status leaves a write's outcome unknown, so that the same request is sent again.
bool IsRetryable(grpc::StatusCode code);

// Name of a status code, e.g. "UNAVAILABLE".
std::string CodeName(grpc::StatusCode code);

// How the driver ends a round: `stop` makes the clients start nothing new; a write already started
// is retried until acknowledged or until `give_up_unix_nanos`.
struct RoundControl {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> give_up_unix_nanos{std::numeric_limits<int64_t>::max()};
};

struct ClientOptions {
  std::string run_id;  // part of every request id: runs never replay each other's requests
  int index = 0;       // the client's number, part of its request ids
  int round = 0;
  uint64_t seed = 1;
  std::string token;  // an officer of the post the cases are created in
  absl::Duration call_timeout = absl::Seconds(5);
  absl::Duration retry_pause = absl::Milliseconds(100);
};

class FaultClient {
 public:
  FaultClient(ClientOptions options, std::shared_ptr<grpc::Channel> channel, Ledger* ledger,
              RoundControl* control);

  // Writes until control->stop: about 30% creates, 35% updates and 35% notes, the updates and
  // notes on recently created cases (of any client), so that updates also meet version conflicts.
  void Run();

 private:
  bool GivingUp() const;
  void Pause() const;
  // A failed attempt: counts a retry and returns true for a status that leaves the outcome
  // unknown; else records a violation and returns false.
  bool RetryAfter(const grpc::Status& status, const std::string& what);

  void Create();
  void Update(const std::string& case_id);
  void AddNote(const std::string& case_id);
  // The case's current version, read with retries; 0 when giving up.
  int64_t ReadVersion(const std::string& case_id);
  std::string NextRequestId(const char* kind);

  ClientOptions options_;
  std::unique_ptr<consular::v1::CaseService::Stub> stub_;
  Ledger* ledger_;
  RoundControl* control_;
  std::mt19937_64 rng_;
  int64_t next_ = 0;
};

}  // namespace consular::fault

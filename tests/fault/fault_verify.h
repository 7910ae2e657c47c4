#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tests/fault/fault_ledger.h"

// The fault test's proof, after the load of a round has stopped: what the ledger says was
// acknowledged is in the database exactly once, through the API and in PostgreSQL itself, and the
// audit chain verifies.
namespace consular::fault {

struct VerifyOptions {
  std::shared_ptr<grpc::Channel> cases;  // consular-cases
  std::shared_ptr<grpc::Channel> audit;  // consular-audit
  std::string officer_token;             // of the post the cases were created in: sees all of them
  std::string auditor_token;
  std::string dsn;     // a superuser of the database (reads past row-level security)
  std::string run_id;  // the run's request ids start with "fault-<run_id>-"
  int threads = 4;     // parallel readers through the API
  absl::Duration call_timeout = absl::Seconds(10);
  absl::Duration chain_timeout = absl::Seconds(60);  // for the sequencer to chain every event
};

struct VerifyReport {
  int64_t cases = 0;
  int64_t events = 0;
  int64_t notes = 0;
  int64_t rejected = 0;                // updates answered ABORTED (version conflicts)
  int64_t unacknowledged = 0;          // other writes sent without an OK response
  int64_t unacknowledged_present = 0;  // of those, found in the database (committed, then lost
                                       // in transit): allowed, once
  int64_t audit_events = 0;
  int64_t chain_watermark = 0;
  std::vector<std::string> violations;
};

// Checks `writes` (the whole run's, every round) against the service and the database:
//  - every acknowledged create is one case, with its id, reference and marker; no create marker
//    is on two cases; every case of the run carries the marker of a create that was sent;
//  - every case's timeline starts with its one CASE_CREATED at version 1, is numbered without
//    gaps, and ends at the case's version; each acknowledged update has exactly one UPDATED event
//    at the version it returned (which is at most the case's version), there are no more UPDATED
//    events than updates sent and not answered ABORTED, and the case holds the marker of one of
//    those (of the acknowledged one that made its version, if it was acknowledged);
//  - each acknowledged note exists once with its id and text, no note text is there twice, and
//    each note has one NOTE_ADDED event;
//  - PostgreSQL agrees: the same cases and events, a stored response for every acknowledged
//    request id, an audit row (outcome OK) for every change committed;
//  - once the sequencer has chained every audit event, AuditService.VerifyChain in full says the
//    chain is valid.
VerifyReport Verify(const VerifyOptions& options, const std::vector<Write>& writes);

}  // namespace consular::fault

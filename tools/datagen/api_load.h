#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

// consular-datagen --mode api: a small data set created through the public API, as officers of
// the posts would: CreateCase with fictional content (tools/loadgen/case_content.h) in the 60
// countries of the bulk data set (same skewed shares), a lifecycle per case (left in INTAKE,
// ACTIVE or ON_HOLD, or RESOLVED with an outcome valid for the type, and CLOSED by the post
// manager), case notes, and, with a ContactService address, ad-hoc contacts (LogContact).
// The content and every request id depend only on the seed (dates are relative to today), so a
// second run with the same seed replays idempotently instead of creating duplicates.
namespace consular::datagen {

struct ApiLoadOptions {
  std::string addr = "localhost:50051";  // CaseService
  std::string contacts_addr;             // ContactService; empty: no contacts
  std::string ca_cert;                   // PEM of the CA of the servers
  bool insecure = false;                 // plaintext (in-process tests only)
  std::string token_key;                 // ES256 private key PEM: tokens are minted with it
  std::string issuer = "consular-dev";
  std::string audience = "consular";
  int64_t cases = 200;
  uint64_t seed = 20170101;
  // Part of every request id, so that a second run creates new cases rather than replaying the
  // first run's requests; empty: a random one (loadgen::NewRunId).
  std::string run_id;
  absl::Duration call_timeout = absl::Seconds(10);
  // Called with a line of progress now and then; may be empty.
  std::function<void(const std::string&)> progress;
};

struct ApiLoadReport {
  int64_t cases = 0;  // created
  int64_t transitions = 0;
  int64_t notes = 0;
  int64_t contacts = 0;
  int64_t failed = 0;  // calls that failed (each is reported through progress)
  absl::Duration elapsed;
};

// Creates the data set. INVALID_ARGUMENT / NOT_FOUND for bad options or an unreadable file,
// UNAVAILABLE when a service cannot be reached; failed calls after that are counted, not fatal.
absl::StatusOr<ApiLoadReport> ApiLoad(const ApiLoadOptions& options);

}  // namespace consular::datagen

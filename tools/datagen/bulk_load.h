#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"

// A seeded bulk loader (consular-datagen --mode bulk, and the statistics benchmark,
// BENCHMARKS.md): realistic, fictional cases, their timelines, notes, directory partners and
// contacts, written straight into a migrated database with COPY as its owner. The same options
// and seed always give the same rows (ids and timestamps included); only the event stream's
// transaction id and, with real keys, the ciphertexts (random nonces) differ between loads.
//
// What the rows look like:
// - 60 countries of focus with a Zipf-like share of the cases (the first about 21%, the last
//   about 0.4%), each with a post; 3% of the cases are handled by LKHA.
// - Both case types (abandonment 65%, foreign divorce recognition 35%), opened from 2017-01-01 to
//   2026-10-31 (more each year, more in the summer months), with sex, age group, nationality
//   status, referral source, risk flags and, for divorce recognition, obstacles and a decision
//   in proportions that fit the type. Abandonment cases have children (none for most, up to
//   four) and, for most returns and a few plans that came to nothing, who pays for the return
//   (known from intake); divorce-recognition cases the steps of the foreign proceedings, recorded
//   at opening (documents gathered, legalised), when the proceedings move on (filed, a hearing
//   often set weeks ahead) and with the decision (a hearing before it, an appeal against some
//   refusals), the furthest reached by each change counted as storage::StatisticalFactsOf does.
// - Lifecycles INTAKE -> ACTIVE (-> ON_HOLD -> ACTIVE, up to twice) -> RESOLVED with an outcome
//   valid for the type (-> CLOSED for most), lasting days to years; whatever would happen after
//   2026-11-01 has not happened yet, so recent cases are still open.
// - Timelines as the services write them: CREATED, UPDATED (risk flags, obstacles, the
//   recognition decision, other fields), TRANSITIONED (with an encrypted reason), NOTE_ADDED (with
//   a case_notes row), CONTACT_LOGGED / CONTACT_UPDATED / FOLLOW_UP_COMPLETED (with a
//   contacts.contacts row: a directory partner of the case's country fitting the purpose, or an
//   ad-hoc counterpart). Event ids follow time, across cases, as commit order would.
// - case_events.facts as cases.fill_event_facts would have written them at each commit: the
//   case's statistical facts after the event (so the last event of a case carries its final
//   facts) and, for contact events, the contact's facts after the event.
// - Directory partners (4 to 12 a country) have fictional names fitting their kind and the city
//   of the country's post, in the clear as the directory keeps them.
// - Without keys (BulkLoadOptions::cipher unset) encrypted columns hold a fixed value that passes
//   cases.is_field_ciphertext and there are no personal names, dates of birth or free text
//   anywhere (the benchmark's data). With keys every case has a personal part (a fictional subject
//   whose sex, age group, nationality status, children (the subject's and the persons with the
//   role CHILD), the return plan's funding and, for divorce recognition, decision, obstacles and
//   steps of the proceedings agree with the clear columns; safety information; the type's details) sealed with the
//   FieldCipher under the associated data the services use, the real blind index of the subject's
//   name, and stat_* columns and facts from storage::StatisticalFactsOf of that very case; note
//   bodies, transition reasons, ad-hoc contacts, contact notes and partners' contact details and
//   vetting notes are real (fictional) text, sealed the same way. The services can then read and
//   search every case.
namespace consular::datagen {

struct BulkLoadOptions {
  int64_t cases = 1000000;
  // The average number of events per case aimed at (the lifecycle gives about 5; notes and
  // contacts make up the rest).
  double events_per_case = 10.0;
  uint64_t seed = 20170101;
  // Called with a line of progress now and then; may be empty.
  std::function<void(const std::string&)> progress;
  // The keys of the services (both or neither; not owned, must outlive the call). Without them
  // the encrypted columns hold dummy values (see above).
  const FieldCipher* cipher = nullptr;
  const BlindIndex* blind_index = nullptr;
  // Threads that build and seal the personal parts (1 to 16).
  int threads = 2;
};

struct BulkLoadCounts {
  int64_t partners = 0;
  int64_t cases = 0;
  int64_t events = 0;
  int64_t notes = 0;
  int64_t contacts = 0;
};

struct BulkLoadReport {
  BulkLoadCounts rows;
  absl::Duration generate;  // building the rows in memory
  absl::Duration seal;      // with keys: building and sealing the personal parts
  absl::Duration copy;      // COPY of every table, in one transaction, and its commit
  absl::Duration vacuum;    // VACUUM ANALYZE of the loaded tables afterwards
};

// A country of focus of the data set, with the post that handles its cases and its share of them.
struct CountryShare {
  std::string country;
  std::string post;
  double share = 0;
};

// The 60 countries, largest share first.
const std::vector<CountryShare>& BenchCountries();

// Writes the data set into the migrated database at `owner_dsn` (a superuser: the owner of the
// schema, so that `session_replication_role = replica` keeps the triggers from firing), which
// must hold no cases yet. One transaction; then VACUUM ANALYZE. FAILED_PRECONDITION when the
// database already holds cases, INVALID_ARGUMENT for bad options, INTERNAL with the database's
// message when a statement fails.
absl::StatusOr<BulkLoadReport> BulkLoad(const std::string& owner_dsn,
                                        const BulkLoadOptions& options);

// Checks what the loader wrote against the database's own definitions: the facts of each case's
// last event against cases.statistical_facts_of(case), and the contact facts of each contact's
// last event against contacts.statistical_facts_of(contact). Returns the number of mismatches
// (0 when the load is faithful). INTERNAL when a query fails.
absl::StatusOr<int64_t> CheckLoadedFacts(const std::string& owner_dsn);

}  // namespace consular::datagen

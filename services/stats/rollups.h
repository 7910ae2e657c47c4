#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "storage/stats_store.h"
#include "storage/transaction_runner.h"

// The rollups of consular-stats: counts per country, month, measure, dimension and category, kept
// up to date from the case and contact event stream (migration 0008, docs/statistics.md).
//
// Each event carries the facts of its case as they stood when its transaction committed (and, for
// a contact event, the contact's). The updater keeps the facts each case and contact last
// contributed; when they change it takes the old contribution back and adds the new one. So the
// rollups always count the cases and contacts as they stand now, which is exactly what a recount
// over the base tables gives.
//
// Beside the contact counts it keeps the contact presence (services/stats/contact_presence.h):
// which cases had contacts in which month and category, so that persons can be counted, not only
// contacts.
namespace consular::stats {

// Measure and dimension names as the rollups store them (the consular.v1 enum names, and TOTAL /
// DAYS).
inline constexpr char kOpened[] = "MEASURE_CASES_OPENED";
inline constexpr char kResolved[] = "MEASURE_CASES_RESOLVED";
inline constexpr char kContacts[] = "MEASURE_CONTACTS";
inline constexpr char kTotal[] = "TOTAL";
inline constexpr char kAll[] = "*";
inline constexpr char kDays[] = "DAYS";
// What Verify also compares, beside the rollups' measures: the distinct cases with contacts (the
// contact-presence table against cases.statistical_contact_cases_recount; such a difference's
// month holds the slot, see storage::kYearSlot), and the presence references summed per month
// against the contacts the recount counts (MEASURE_CONTACTS).
inline constexpr char kContactCases[] = "CONTACT_CASES";
inline constexpr char kContactPresence[] = "CONTACT_PRESENCE";

// What a case contributes.
struct CaseFacts {
  std::string country;
  std::string type;
  std::string status;
  std::string outcome;
  absl::CivilDay opened;
  std::optional<absl::CivilDay> resolved;
  std::string age_group;
  bool mother_with_minor_children = false;
  std::string sex;
  std::string nationality_status;
  std::string referral_source;
  std::vector<std::string> risk_flags;
  std::string recognition_decision;
  std::vector<std::string> recognition_obstacles;
  // Migration 0019; facts written before it lack them and read as the defaults given here (those
  // of the columns).
  std::string recognition_stage = "PROCEEDINGS_STAGE_UNSPECIFIED";
  std::string children = "CHILDREN_UNKNOWN";
  std::string return_funding = "RETURN_FUNDING_UNSPECIFIED";

  bool operator==(const CaseFacts& o) const;
  bool operator!=(const CaseFacts& o) const { return !(*this == o); }
};

// What a contact contributes (counted in its case's country).
struct ContactFacts {
  std::string id;
  absl::CivilDay day;
  std::string partner_kind;
  std::string purpose;

  bool operator==(const ContactFacts& o) const;
  bool operator!=(const ContactFacts& o) const { return !(*this == o); }
};

// The (dimension, category) pairs a contact counts under, in the rollups and in the contact
// presence: (TOTAL, *), its partner kind, its purpose.
std::array<std::pair<const char*, std::string>, 3> ContactCategories(const ContactFacts& c);

// Parses an event's (or a state's) facts JSON. INVALID_ARGUMENT names what is wrong.
absl::StatusOr<CaseFacts> ParseCaseFacts(const std::string& json);
// The "contact" of an event's facts, or a contact state's facts; nullopt when there is none.
absl::StatusOr<std::optional<ContactFacts>> ParseContactOf(const std::string& json);
absl::StatusOr<ContactFacts> ParseContactFacts(const std::string& json);
// A contact's facts as stored in its state.
std::string ContactFactsJson(const ContactFacts& c);

// Changes to counts, summed per key.
class RollupDelta {
 public:
  void AddCase(const CaseFacts& c, int sign);
  void AddContact(const std::string& country, const ContactFacts& c, int sign);
  // The non-zero changes, in key order.
  std::vector<storage::RollupRow> Rows() const;
  bool empty() const;

 private:
  using Key = std::tuple<std::string, int, int, std::string, std::string, std::string>;
  void Add(const std::string& country, absl::CivilDay day, const char* measure,
           const std::string& dimension, const std::string& category, int sign);
  std::map<Key, int64_t> counts_;
};

// How fresh the rollups are.
struct Freshness {
  absl::Time as_of;     // every event committed before this is counted
  absl::Duration lag;   // how far as_of lies behind the newest event (zero when none pending)
  int64_t pending = 0;  // 1 when events committed since are not yet counted, else 0
};

// A difference found by Verify.
struct RollupDifference {
  storage::RollupRow key;  // n unused; measure kContactCases: month holds the slot
  int64_t rollup = 0;      // as kept incrementally (rollups, contact presence)
  int64_t recount = 0;     // as recounted over the base tables
};

// One line for a difference: "MA 2025-3 MEASURE_CONTACTS TOTAL *: rollup 2, recount 3" (a
// quarter of the cases with contacts as 2025-Q1, their year as 2025).
std::string DescribeDifference(const RollupDifference& d);

class RollupUpdater {
 public:
  explicit RollupUpdater(storage::TransactionRunner* runner, int batch_size = 5000)
      : runner_(runner), batch_size_(batch_size) {}

  // Applies every event of the transactions that have ended, in batches of their own
  // transactions. Returns the number of events applied. Safe to run from several processes: the
  // cursor row serialises them.
  absl::StatusOr<int64_t> CatchUp();
  // Empties the rollups and the contact presence and builds them again from the whole stream, in
  // one transaction (readers see the old rollups until it commits): each case counted by the
  // facts of its last event, each contact by those of the last event that carried it, which is
  // what replaying every event ends with, in one pass. Returns the number of events the stream
  // holds below the horizon.
  absl::StatusOr<int64_t> Rebuild();
  // In one snapshot: the rollups brought up to date with every event visible, compared with the
  // recount over the base tables (cases.statistical_recount), and the contact presence with
  // cases.statistical_contact_cases_recount (distinct cases per month, quarter and year) and with
  // the recount's contacts (its references summed); nothing is written. Returns the differences
  // (none when they agree).
  absl::StatusOr<std::vector<RollupDifference>> Verify();
  // as_of and lag of the rollups as they are.
  absl::StatusOr<Freshness> CurrentFreshness();

 private:
  storage::TransactionRunner* const runner_;
  const int batch_size_;
};

// Applies `events` (oldest first) to the rollups, the contact presence and state in `store`'s
// transaction.
absl::Status ApplyEvents(storage::StatsStore& store,
                         const std::vector<storage::StreamEvent>& events);

}  // namespace consular::stats

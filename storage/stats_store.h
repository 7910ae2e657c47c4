#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "consular/v1/statistics.pb.h"
#include "storage/sealed_column.h"

// consular-stats' SQL (migration 0008): the event stream as statistics read it, the rollups and
// the state they were built from, and the recount over the base tables (the bilateral-talks
// register is storage/talks_store.h). Functions run in the caller's transaction and throw what
// libpqxx throws.
namespace consular::storage {

// One event of the stream: only what statistics need (never a payload, actor or reason).
struct StreamEvent {
  int64_t id = 0;
  std::string xid;
  std::string case_id;
  int sequence = 0;   // within the case
  std::string type;   // CASE_EVENT_TYPE_*
  std::string facts;  // JSON: the case's facts at commit, and "contact" for contact events
};

// How far the rollups have read the stream.
struct StreamCursor {
  std::string applied_xid = "0";
  int64_t applied_id = 0;
  std::string horizon = "0";  // every transaction below it had ended when last caught up
  int64_t caught_up_micros = 0;
};

// A count (or, when written, a change of a count) of the rollups.
struct RollupRow {
  std::string country;
  int year = 0;
  int month = 0;
  std::string measure;
  std::string dimension;
  std::string category;
  int64_t n = 0;
};

// A change of the contact-presence table (migration 0012): how many more (or, negative, fewer)
// contacts of a case count in one month under one (dimension, category), in the case's country.
struct ContactPresenceRow {
  std::string case_id;
  std::string country;
  int year = 0;
  int month = 0;  // 1..12
  std::string dimension;
  std::string category;
  int64_t n = 0;
};

// The periods of a year a count of cases with contacts is given for ("slot"): a month 0..11
// (January is 0), a quarter kFirstQuarterSlot + q (q = 0..3), the whole year kYearSlot.
inline constexpr int kFirstQuarterSlot = 12;
inline constexpr int kYearSlot = 16;
inline constexpr int kSlots = 17;

// How many distinct cases had at least one contact in a period under a (dimension, category).
struct ContactCasesRow {
  std::string country;
  int year = 0;
  int slot = 0;  // see kFirstQuarterSlot, kYearSlot
  std::string dimension;
  std::string category;
  int64_t cases = 0;
};

// The last facts a contact contributed, and its case.
struct ContactState {
  std::string contact_id;
  std::string case_id;
  int sequence = 0;
  std::string facts;  // JSON
};

// The last facts a case contributed.
struct CaseState {
  std::string case_id;
  int sequence = 0;
  std::string facts;  // JSON
};

class StatsStore {
 public:
  explicit StatsStore(pqxx::transaction_base& tx) : tx_(tx) {}

  // The sealed columns of schema "stats", for key rotation (storage/key_rotation.h):
  // stats.idempotency.response.
  static const std::vector<SealedColumn>& SealedColumns();

  // The oldest transaction still running (every lower one has ended), as text.
  std::string Horizon();
  // The cursor, locked until the transaction ends (one updater at a time).
  StreamCursor LockCursor();
  void SaveCursor(const StreamCursor& cursor);
  // Events after (xid, id) of transactions below `before`, oldest first.
  std::vector<StreamEvent> EventsAfter(const std::string& xid, int64_t id,
                                       const std::string& before, int limit);
  // When the rollups last caught up, and whether an event of a transaction not below the horizon
  // they caught up to exists (it is then pending).
  struct Freshness {
    int64_t caught_up_micros = 0;
    bool pending = false;
  };
  Freshness ReadFreshness();

  // The states of the cases among `ids` that have one.
  std::vector<CaseState> CaseStates(const std::vector<std::string>& ids);
  void SaveCaseStates(const std::vector<CaseState>& states);
  // The contact states of these cases.
  std::vector<ContactState> ContactStatesOfCases(const std::vector<std::string>& case_ids);
  void SaveContactStates(const std::vector<ContactState>& states);

  // Rebuild in one pass: cursors over the facts of each case's last event and of each contact's
  // last event among the transactions below `before`, both in case id order; then fetched in
  // chunks (empty when done). The transaction must stay open meanwhile.
  void OpenLastFactsCursors(const std::string& before);
  std::vector<CaseState> FetchLastCaseFacts(int limit);
  std::vector<ContactState> FetchLastContactFacts(int limit);
  // The last event of the transactions below `before`, and how many they wrote; nullopt if none.
  struct LastEventOf {
    std::string xid;
    int64_t id = 0;
    int64_t events = 0;
  };
  std::optional<LastEventOf> LastEvent(const std::string& before);

  // Adds each row's n (which may be negative) to its count.
  void AddToRollups(const std::vector<RollupRow>& changes);
  // Adds each row's n (which may be negative) to the reference count of its case in
  // stats.contact_presence; a count that reaches 0 removes the row. At most one row per key.
  // A count below 0 violates the table's check (pqxx::check_violation): the state was wrong.
  void AddToContactPresence(const std::vector<ContactPresenceRow>& changes);
  // Inserts rows of cases that have none yet (a rebuild, chunk by chunk of cases): no lookup of
  // existing rows. A row that exists already violates the primary key (pqxx::unique_violation).
  void InsertContactPresence(const std::vector<ContactPresenceRow>& rows);
  // Empties the rollups, the contact presence and their state and resets the cursor.
  void Clear();

  // Rollup rows (n > 0) of one country for years from..to; without the DAYS rows when
  // `with_days` is false (they are most of the rows).
  std::vector<RollupRow> Rollups(const std::string& country, int from_year, int to_year,
                                 bool with_days = true);
  // Cases opened and resolved (TOTAL and DIMENSION_CASE_TYPE rows) of one country before `year`,
  // summed (year and month 0).
  std::vector<RollupRow> CumulativeBefore(const std::string& country, int year);
  // Every rollup row with n > 0, ordered.
  std::vector<RollupRow> AllRollups();
  // Countries with any rollup row in years from..to.
  std::vector<std::string> Countries(int from_year, int to_year);
  // The recount over the base tables (cases.statistical_recount), for one country or all ("").
  std::vector<RollupRow> Recount(const std::string& country);

  // Distinct cases with at least one contact, of one country for years from..to, per (year,
  // slot, dimension, category) with a count above 0: months, quarters and years each counted
  // distinct in SQL (a case with contacts in January and February counts once in the quarter).
  // The total over every category is dimension "TOTAL", category "*", as in the rollups.
  std::vector<ContactCasesRow> ContactCases(const std::string& country, int from_year, int to_year);
  // The same for every country, ordered by (country, year, slot, dimension, category).
  std::vector<ContactCasesRow> AllContactCases();
  // The same recounted over the base tables (cases.statistical_contact_cases_recount), for one
  // country or all (""), in the same order.
  std::vector<ContactCasesRow> ContactCasesRecount(const std::string& country);
  // The contact-presence references summed per (country, year, month, dimension, category):
  // the number of contacts, as rows of measure MEASURE_CONTACTS, ordered like AllRollups.
  std::vector<RollupRow> ContactPresenceSums();

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace consular::storage

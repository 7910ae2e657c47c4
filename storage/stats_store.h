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
  // Empties the rollups and their state and resets the cursor.
  void Clear();

  // Rollup rows (n > 0) of one country for years from..to; without the DAYS rows when
  // `with_days` is false (they are most of the rows; see ResolutionDays).
  std::vector<RollupRow> Rollups(const std::string& country, int from_year, int to_year,
                                 bool with_days = true);
  // Days from opening to resolution and how many cases took them, summed over the months
  // first..last (YYYYMM, both included).
  std::vector<std::pair<int64_t, int64_t>> ResolutionDays(const std::string& country,
                                                          int first_month, int last_month);
  // Cases opened and resolved (TOTAL and DIMENSION_CASE_TYPE rows) of one country before `year`,
  // summed (year and month 0).
  std::vector<RollupRow> CumulativeBefore(const std::string& country, int year);
  // Every rollup row with n > 0, ordered.
  std::vector<RollupRow> AllRollups();
  // Countries with any rollup row in years from..to.
  std::vector<std::string> Countries(int from_year, int to_year);
  // The recount over the base tables (cases.statistical_recount), for one country or all ("").
  std::vector<RollupRow> Recount(const std::string& country);

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace consular::storage

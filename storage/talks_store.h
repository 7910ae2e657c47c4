#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "consular/v1/statistics.pb.h"

// The bilateral-talks register's SQL (schema "stats", migrations 0008 and 0013): talks and their
// status changes, commitments and their closing, the decision log and briefings. Every table is
// append-only: this store only reads and inserts (the database refuses anything else). Functions
// run in the caller's transaction and throw what libpqxx throws.
namespace consular::storage {

// Where a listing of commitments continues: after this (closed, due_on, id).
struct CommitmentCursor {
  bool closed = false;
  std::string due_on;  // YYYY-MM-DD
  std::string id;
};

// Where a listing of decisions continues: after this (decided_on, recorded_at, id), newest first.
struct DecisionCursor {
  std::string decided_on;  // YYYY-MM-DD
  int64_t recorded_at_micros = 0;
  std::string id;
};

// What the register knows of one country's engagement: its last held talk and last decision ever,
// and whether either falls on or after a given day.
struct CountryEngagement {
  consular::v1::Date last_talk_held_on;  // unset: none
  consular::v1::Date last_decided_on;    // unset: none
  consular::v1::RaiseDecision last_decision = consular::v1::RAISE_DECISION_UNSPECIFIED;
  bool talk_since = false;      // a talk held on or after the day
  bool decision_since = false;  // a decision dated on or after the day
};

class TalksStore {
 public:
  explicit TalksStore(pqxx::transaction_base& tx) : tx_(tx) {}

  // --- Talks ---

  // Inserts a talk as entered, with its entry (status change 1): held (held_on set, with
  // statistics and statistics_period) or planned (planned_on set; statistics_period stored only
  // when the talk has one). recorded_by/recorded_at are the entry's who and when.
  void InsertTalk(const consular::v1::Talk& talk);
  // Holds a lock on the talk's status until the transaction ends, so changes of one talk run one
  // after the other (each sees the one before).
  void LockTalk(const std::string& id);
  // The statistics period the talk was entered with; nullopt when none was asked for (a planned
  // talk then takes the year of the day it is held) or there is no such talk.
  std::optional<consular::v1::Period> EnteredStatisticsPeriod(const std::string& id);
  // The talk as it stands (status, dates, outcome and statistics from its newest changes), with
  // its statistics and every status change; nullopt if there is none.
  std::optional<consular::v1::Talk> FindTalk(const std::string& id);
  // Newest talk date first (held_on, else planned_on; ties by id, descending), after the cursor
  // (date "YYYY-MM-DD", id) when given; `country` "" for all. Without statistics or changes.
  std::vector<consular::v1::Talk> ListTalks(const std::string& country,
                                            const std::string& after_date,
                                            const std::string& after_id, int limit);
  // Only the talks of `country` whose status is HELD, newest held_on first, at most `limit`.
  std::vector<consular::v1::Talk> ListHeldTalks(const std::string& country, int limit);
  // Appends status change `seq` (the talk's newest + 1). For a change to HELD, `period` and
  // `statistics` are the figures frozen with it; nullptr otherwise.
  void AppendStatusChange(const std::string& talk_id, int seq,
                          const consular::v1::TalkStatusChange& change,
                          const consular::v1::Period* period,
                          const consular::v1::CountryStatistics* statistics);

  // --- Commitments ---

  void InsertCommitment(const consular::v1::Commitment& commitment);
  // As LockTalk, for closing a commitment.
  void LockCommitment(const std::string& id);
  // Appends the closing of a commitment (one per commitment).
  void InsertClosure(const std::string& commitment_id, const std::string& note,
                     const std::string& closed_by, int64_t closed_at_micros);
  // With its closing when closed (overdue is left unset); nullopt if there is none.
  std::optional<consular::v1::Commitment> FindCommitment(const std::string& id);
  // Open ones first, then closed ones; each by due_on, then id; after `after` when given.
  std::vector<consular::v1::Commitment> ListCommitments(const std::string& country, bool open_only,
                                                        const CommitmentCursor* after, int limit);

  // --- Decisions ---

  void InsertDecision(const consular::v1::CountryDecision& decision);
  // Newest decided_on first, then newest recorded_at, then id descending; after `after`.
  std::vector<consular::v1::CountryDecision> ListDecisions(const std::string& country,
                                                           const DecisionCursor* after, int limit);

  // --- Countries never raised ---

  // Countries whose rollups count a case opened in years first..last, in code order.
  std::vector<std::string> CountriesWithCasesOpened(int first_year, int last_year);
  // Per country with any held talk or decision: what CountryEngagement says, `since` the day.
  std::map<std::string, CountryEngagement> Engagements(const consular::v1::Date& since);

  // --- Briefings ---

  // Inserts a briefing with its content.
  void InsertBriefing(const consular::v1::Briefing& briefing);
  // The newest briefing of a talk (of that language and format when given: "" and UNSPECIFIED
  // for any), with its content exactly as stored; nullopt if there is none.
  std::optional<consular::v1::Briefing> NewestBriefing(const std::string& talk_id,
                                                       const std::string& language,
                                                       consular::v1::DossierFormat format);

 private:
  std::vector<consular::v1::TalkStatusChange> StatusChanges(const std::string& talk_id);

  pqxx::transaction_base& tx_;
};

}  // namespace consular::storage

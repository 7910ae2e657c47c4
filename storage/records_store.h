#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "consular/v1/records.pb.h"

// SQL for records management (storage/migrations/0023_retention.sql): retention schedules, legal
// holds, destruction lists and their reviews, and processing a list (which anonymises its
// approved cases in the definer function cases.process_destruction_list). Every function runs in
// the caller's transaction, whose session scope names the caller (row-level security filters
// every read), and throws what libpqxx throws. Nothing here reads or writes personal data.
namespace consular::storage {

// A case as a records call may name it, whoever handles it (cases.case_for_records): never
// content.
struct RecordsCase {
  std::string id;
  std::string reference;
  std::string handling_post;
  std::string status;  // CaseStatus name
  bool anonymised = false;
};

// What processing did with one item of a list.
struct ProcessedItem {
  std::string case_id;
  std::string case_reference;
  consular::v1::DestructionResult result = consular::v1::DESTRUCTION_RESULT_UNSPECIFIED;
};

class RecordsStore {
 public:
  explicit RecordsStore(pqxx::transaction_base& tx);

  // The schedules in force (with `include_history`, every version), by type, outcome (default
  // first) and version, newest first.
  std::vector<consular::v1::RetentionSchedule> Schedules(bool include_history);
  // Writes the next version of the schedule of (type, outcome) (OUTCOME_UNSPECIFIED: the type's
  // default) and returns it. Versions are numbered under a transaction lock, so concurrent
  // changes get consecutive versions.
  consular::v1::RetentionSchedule InsertScheduleVersion(consular::v1::CaseType type,
                                                        consular::v1::Outcome outcome, int years,
                                                        const std::string& changed_by,
                                                        int64_t at_micros,
                                                        const std::string& reason);

  // The case with this UUID or reference as records calls see it (administrators, LKHA
  // caseworkers and auditors any case; post managers their own unit's); nullopt otherwise.
  std::optional<RecordsCase> FindCase(const std::string& id_or_reference);

  // Inserts a hold (id, case, reference, unit, reason, placer and time as given).
  void InsertHold(const consular::v1::LegalHold& hold);
  // The hold with this id if the caller sees it; with `lock`, locked until the transaction ends.
  std::optional<consular::v1::LegalHold> FindHold(const std::string& id, bool lock);
  // Lifts an active hold; false when it was lifted already.
  bool LiftHold(const std::string& id, const std::string& lifted_by, int64_t at_micros,
                const std::string& reason);
  // Up to `limit` holds the caller sees, newest first: of one case (non-empty `case_id`) or all;
  // active ones only unless `include_lifted`.
  std::vector<consular::v1::LegalHold> ListHolds(const std::string& case_id, bool include_lifted,
                                                 int limit);

  // Proposes a list (cases.propose_destruction_list) with id `id`, cut-off `cut_off`
  // (YYYY-MM-DD), for the monthly job's `month` (YYYY-MM; empty: by hand), at `at_micros`.
  // Returns false when there was nothing to propose or the month's list exists already.
  bool ProposeList(const std::string& id, const std::string& cut_off, const std::string& month,
                   int64_t at_micros);
  // How many cases a list with this cut-off would hold now (administrators only).
  int64_t CountDue(const std::string& cut_off);
  // Whether the monthly job's list of `month` (YYYY-MM) exists.
  bool MonthListExists(const std::string& month);
  // The list with this UUID or number if the caller sees it; with `with_items`, the items (and
  // their reviews) the caller sees, by reference; item_count either way.
  std::optional<consular::v1::DestructionList> FindList(const std::string& id_or_number,
                                                        bool with_items);
  // Up to `limit` lists, newest first, without items.
  std::vector<consular::v1::DestructionList> ListLists(int limit);
  // Records a review of an item in `slot`; false when that slot has one already.
  bool InsertReview(const std::string& list_id, const std::string& case_id,
                    consular::v1::ReviewSlot slot, consular::v1::ReviewDecision decision,
                    const std::string& reason, const std::string& reviewed_by,
                    const std::string& reviewer_role, const std::string& reviewer_unit,
                    int64_t at_micros);
  // Processes the open list (cases.process_destruction_list): every item's result, by reference.
  std::vector<ProcessedItem> ProcessList(const std::string& list_id, int64_t at_micros);

 private:
  consular::v1::DestructionList ListFromRow(const pqxx::row& row) const;

  pqxx::transaction_base& tx_;
};

}  // namespace consular::storage

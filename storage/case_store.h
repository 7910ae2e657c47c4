#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "consular/v1/cases.pb.h"

// SQL for the case service's tables (schema "cases"). Every function runs inside the caller's
// transaction and throws libpqxx exceptions, which the TransactionRunner maps to status codes.
namespace consular::storage {

// What a caller may see: the cases handled by `post`. An empty post sees nothing.
struct CaseScope {
  std::string post;
};

// Filters of a case listing; empty strings mean "any". Enum values are their proto names.
struct CaseFilter {
  std::string post;
  std::string country;
  std::string type;
  std::string status;
  std::string risk_flag;
  std::string opened_from;  // YYYY-MM-DD, inclusive (UTC)
  std::string opened_to;    // YYYY-MM-DD, inclusive (UTC)
};

// The sort key of a case in listings: newest first.
struct CaseCursor {
  int64_t opened_at_micros = 0;
  std::string id;
};

// The idempotency record of a mutation already done by the same actor with the same request id.
struct PriorRequest {
  std::string method;
  std::string request_hash;
  std::string response;  // serialized response message
};

class CaseStore {
 public:
  explicit CaseStore(pqxx::transaction_base& tx) : tx_(tx) {}

  // Records (actor, request_id) for this transaction. Returns nullopt when the id is new; the
  // earlier record when it was used before (waiting for a concurrent transaction that holds it).
  std::optional<PriorRequest> ClaimRequest(const std::string& actor, const std::string& request_id,
                                           const std::string& method,
                                           const std::string& request_hash);
  // Stores the response of a claimed request, returned to replays.
  void SaveResponse(const std::string& actor, const std::string& request_id,
                    const std::string& response);

  // The next number in the sequence of (prefix, year), starting at 1.
  int NextReferenceNumber(const std::string& prefix, int year);

  // Inserts a new case (all fields of `c` as they are).
  void Insert(const consular::v1::Case& c);
  // Writes every mutable field of `c` to the row with c.id().
  void Update(const consular::v1::Case& c);
  // The case with this UUID or reference within `scope`; nullopt if absent or outside the scope.
  // With `lock`, the row is locked until the transaction ends (SELECT ... FOR UPDATE).
  std::optional<consular::v1::Case> Find(const CaseScope& scope, const std::string& id_or_reference,
                                         bool lock);
  // Up to `limit` cases within scope matching `filter`, newest first, after `after` if given.
  std::vector<consular::v1::Case> List(const CaseScope& scope, const CaseFilter& filter,
                                       const std::optional<CaseCursor>& after, int limit);

  // Appends `event` to the case's timeline, assigning the next sequence number (the case row
  // must be locked by this transaction). Returns the sequence number.
  int64_t AppendEvent(const std::string& case_id, const consular::v1::CaseEvent& event);
  // Up to `limit` events of the case with sequence > after_sequence, oldest first.
  std::vector<consular::v1::CaseEvent> ListEvents(const std::string& case_id,
                                                  int64_t after_sequence, int limit);

  void InsertNote(const consular::v1::CaseNote& note);
  // Up to `limit` notes of the case after the cursor (created_at micros, id), oldest first.
  std::vector<consular::v1::CaseNote> ListNotes(const std::string& case_id,
                                                const std::optional<CaseCursor>& after,
                                                int limit);

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace consular::storage

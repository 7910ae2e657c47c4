#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "crypto/field_cipher.h"
#include "storage/sealed_column.h"

// Idempotency records of mutations (a retry with the same request id returns the first response
// and writes nothing). Each service keeps them in a table of its own schema, shaped alike
// (actor, request_id, method, request_hash, response, case_id, created_at); the stored response is
// encrypted, bound to its table and (actor, request id). Functions run in the caller's transaction
// and throw what libpqxx throws.
namespace consular::storage {

enum class IdempotencyTable {
  kCases,     // cases.idempotency (migration 0001)
  kContacts,  // contacts.idempotency (migration 0006)
  kStats,     // stats.idempotency (migration 0008)
};

// "cases.idempotency" and so on.
std::string IdempotencyTableName(IdempotencyTable table);

// The record of a mutation already done by the same actor with the same request id.
struct PriorRequest {
  std::string method;
  std::string request_hash;
  std::string response;  // serialized response message (decrypted); empty if none was saved
};

// Records (actor, request_id) for this transaction. Returns nullopt when the id is new; the
// earlier record when it was used before (waiting for a concurrent transaction that holds it).
std::optional<PriorRequest> ClaimRequest(pqxx::transaction_base& tx, const FieldCipher& cipher,
                                         IdempotencyTable table, const std::string& actor,
                                         const std::string& request_id, const std::string& method,
                                         const std::string& request_hash);

// Stores the response of a claimed request, encrypted, for replays, with the case it is about
// (`case_id`, a UUID; "" for none: NULL), by which anonymising a case finds its records.
void SaveResponse(pqxx::transaction_base& tx, const FieldCipher& cipher, IdempotencyTable table,
                  const std::string& actor, const std::string& request_id,
                  const std::string& response, const std::string& case_id);

// Where a stored response lives: the associated data its ciphertext is bound to.
AssociatedData ResponseAssociatedData(IdempotencyTable table, const std::string& actor,
                                      const std::string& request_id);

// The stored responses of `table` as a sealed column, for key rotation
// ("cases.idempotency.response" and so on; row id "<len(actor)>:<actor><request id>", the row key
// of its associated data). The store that owns the schema lists it among its SealedColumns().
SealedColumn IdempotencySealedColumn(IdempotencyTable table);

}  // namespace consular::storage

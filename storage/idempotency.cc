#include "storage/idempotency.h"

#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "storage/prepared.h"

namespace consular::storage {
namespace {

// The statements of one idempotency table, each with its prepared statement name.
struct IdempotencySql {
  const char* claim_name;
  const char* claim;  // $1 actor, $2 request id, $3 method, $4 request hash
  const char* find_name;
  const char* find;  // $1 actor, $2 request id → method, hash, response
  const char* save_name;
  const char* save;  // $1 actor, $2 request id, $3 response, $4 case id ('' for none)
};

// `schema` is "cases", "contacts" or "stats"; its table is "<schema>.idempotency" and the
// statements are named "<schema>_idempotency_claim" and so on.
#define IDEMPOTENCY_SQL(schema)                                                                \
  IdempotencySql {                                                                             \
    schema "_idempotency_claim",                                                               \
        "INSERT INTO " schema                                                                  \
        ".idempotency (actor, request_id, method, request_hash) VALUES ($1, $2, $3, $4) "      \
        "ON CONFLICT DO NOTHING",                                                              \
        schema "_idempotency_find",                                                            \
        "SELECT method, request_hash, COALESCE(response, ''::bytea) FROM " schema              \
        ".idempotency WHERE actor = $1 AND request_id = $2",                                   \
        schema "_idempotency_save",                                                            \
        "UPDATE " schema                                                                       \
        ".idempotency SET response = $3, case_id = NULLIF($4, '')::uuid "                      \
        "WHERE actor = $1 AND request_id = $2"                                                 \
  }

const IdempotencySql& SqlFor(IdempotencyTable table) {
  static const IdempotencySql kCases = IDEMPOTENCY_SQL("cases");
  static const IdempotencySql kContacts = IDEMPOTENCY_SQL("contacts");
  static const IdempotencySql kStats = IDEMPOTENCY_SQL("stats");
  switch (table) {
    case IdempotencyTable::kContacts:
      return kContacts;
    case IdempotencyTable::kStats:
      return kStats;
    case IdempotencyTable::kCases:
      break;
  }
  return kCases;
}

}  // namespace

std::string IdempotencyTableName(IdempotencyTable table) {
  switch (table) {
    case IdempotencyTable::kContacts:
      return "contacts.idempotency";
    case IdempotencyTable::kStats:
      return "stats.idempotency";
    case IdempotencyTable::kCases:
      break;
  }
  return "cases.idempotency";
}

AssociatedData ResponseAssociatedData(IdempotencyTable table, const std::string& actor,
                                      const std::string& request_id) {
  return {IdempotencyTableName(table), "response",
          absl::StrCat(actor.size(), ":", actor, request_id)};
}

SealedColumn IdempotencySealedColumn(IdempotencyTable table) {
  return SealedColumn{IdempotencyTableName(table),
                      "response",
                      "(octet_length(actor)::text || ':' || actor || request_id)",
                      "actor, request_id",
                      "actor = $1 AND request_id = $2",
                      [table](const std::string& actor, const std::string& request_id) {
                        return ResponseAssociatedData(table, actor, request_id);
                      }};
}

std::optional<PriorRequest> ClaimRequest(pqxx::transaction_base& tx, const FieldCipher& cipher,
                                         IdempotencyTable table, const std::string& actor,
                                         const std::string& request_id, const std::string& method,
                                         const std::string& request_hash) {
  const IdempotencySql& sql = SqlFor(table);
  pqxx::result found;
  // Twice at most: housekeeping may delete an expired record between the claim that ran into it
  // and the read; the second claim then takes the id as new.
  for (int attempt = 0; attempt < 2 && found.empty(); ++attempt) {
    const pqxx::result claimed = ExecPrepared(tx, sql.claim_name, sql.claim, actor, request_id,
                                              method, pqxx::binarystring(request_hash));
    if (claimed.affected_rows() == 1) return std::nullopt;
    found = ExecPrepared(tx, sql.find_name, sql.find, actor, request_id);
  }
  if (found.empty()) throw std::runtime_error("idempotency record vanished twice while claimed");
  const pqxx::row row = found[0];
  PriorRequest prior{row[0].as<std::string>(), pqxx::binarystring(row[1]).str(), ""};
  const pqxx::binarystring stored(row[2]);
  if (stored.size() > 0) {
    const AssociatedData ad = ResponseAssociatedData(table, actor, request_id);
    absl::StatusOr<std::string> response = cipher.Decrypt(stored.str(), ad);
    if (!response.ok()) {
      throw std::runtime_error(
          absl::StrCat(response.status().message(), " (row ", ad.row_key, ")"));
    }
    prior.response = *std::move(response);
  }
  return prior;
}

void SaveResponse(pqxx::transaction_base& tx, const FieldCipher& cipher, IdempotencyTable table,
                  const std::string& actor, const std::string& request_id,
                  const std::string& response, const std::string& case_id) {
  const IdempotencySql& sql = SqlFor(table);
  ExecPreparedAtCommit(tx, sql.save_name, sql.save, actor, request_id,
                pqxx::binarystring(
                    cipher.Encrypt(response, ResponseAssociatedData(table, actor, request_id))),
                case_id);
}

}  // namespace consular::storage

#pragma once

#include <functional>
#include <string>
#include <utility>

#include <pqxx/pqxx>

#include "crypto/field_cipher.h"

// An encrypted ("sealed") column, described for key rotation (storage/key_rotation.h): where its
// values are stored, how its rows are found again, and the associated data each value is bound to.
// Each store declares its own sealed columns next to its SQL (CaseStore::SealedColumns() etc.).
namespace consular::storage {

struct SealedColumn {
  // The schema-qualified table, e.g. "cases.case_events".
  std::string table;
  // The encrypted bytea column, e.g. "reason".
  std::string column;
  // SQL (over the table) for the row id reported when a value does not decrypt and matched
  // against rotation's skip list, as text, e.g. "id::text".
  std::string row_id;
  // SQL for the two text values that find the row again and form its associated data, e.g.
  // "id::text, ''" or "case_id::text, sequence::text".
  std::string row_keys;
  // SQL condition matching a row by those two values as $1 and $2,
  // e.g. "id = $1::uuid AND $2 = ''".
  std::string row_match;
  // The associated data of the row's value, from the two row keys.
  std::function<AssociatedData(const std::string& key1, const std::string& key2)> associated_data;

  // "cases.case_events.reason": how rotation reports the column.
  std::string Name() const { return table + "." + column; }
};

// A sealed column of a table whose rows are keyed by their uuid `id`; `associated_data` takes the
// id (e.g. {"cases.cases", "personal", id}).
inline SealedColumn IdKeyedSealedColumn(std::string table, std::string column,
                                        AssociatedData (*associated_data)(const std::string& id)) {
  return SealedColumn{std::move(table),
                      std::move(column),
                      "id::text",
                      "id::text, ''",
                      "id = $1::uuid AND $2 = ''",
                      [associated_data](const std::string& id, const std::string& /*unused*/) {
                        return associated_data(id);
                      }};
}

// The plaintext of a sealed column's value read as `field`, bound to `ad`. Throws
// std::runtime_error naming the row key only, never content, when it does not decrypt.
std::string OpenSealed(const FieldCipher& cipher, const pqxx::field& field,
                       const AssociatedData& ad);

}  // namespace consular::storage

#include "storage/key_rotation.h"

#include <nlohmann/json.hpp>


#include "absl/strings/str_cat.h"
#include "storage/prepared.h"

namespace consular::storage {
namespace {

// The key id of a stored value is bytes 3.. of it (after the format byte and the key id length),
// compared with the active id ($1).
std::string NotOnActiveKey(const std::string& column) {
  return absl::StrCat(column, " IS NOT NULL AND substring(", column, " from 3 for get_byte(",
                      column, ", 1)) <> convert_to($1, 'UTF8')");
}

// The prepared statement name of `what` on `column`: "rotation_batch_cases_cases_personal".
std::string StatementName(const std::string& what, const SealedColumn& column) {
  std::string name = absl::StrCat("rotation_", what, "_", column.Name());
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

// $1 active key id, $2 a JSON array of row ids to leave out, $3 limit → row id, the two row keys,
// the value.
std::string SelectBatchSql(const SealedColumn& c) {
  return absl::StrCat("SELECT ", c.row_id, ", ", c.row_keys, ", ", c.column, " FROM ", c.table,
                      " WHERE ", NotOnActiveKey(c.column), " AND NOT (", c.row_id,
                      " = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))) "
                      "LIMIT $3 FOR NO KEY UPDATE SKIP LOCKED");
}

// $1 active key id.
std::string CountSql(const SealedColumn& c) {
  return absl::StrCat("SELECT count(*) FROM ", c.table, " WHERE ", NotOnActiveKey(c.column));
}

// $1 key 1, $2 key 2, $3 new value.
std::string UpdateSql(const SealedColumn& c) {
  return absl::StrCat("UPDATE ", c.table, " SET ", c.column, " = $3 WHERE ", c.row_match);
}

// A JSON array of the strings, for jsonb_array_elements_text.
std::string JsonStringArray(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump();
}

}  // namespace

RotationBatch RotateBatch(pqxx::transaction_base& tx, const FieldCipher& cipher,
                          const SealedColumn& column, int limit,
                          const std::vector<std::string>& skip) {
  const std::string& active = cipher.active_key_id();
  RotationBatch batch;
  const pqxx::result rows = ExecPrepared(tx, StatementName("batch", column), SelectBatchSql(column),
                                         active, JsonStringArray(skip), limit);
  const std::string update_name = StatementName("update", column);
  const std::string update = UpdateSql(column);
  for (const auto& row : rows) {
    const std::string key1 = row[1].as<std::string>();
    const std::string key2 = row[2].as<std::string>();
    const AssociatedData ad = column.associated_data(key1, key2);
    absl::StatusOr<std::string> plaintext = cipher.Decrypt(pqxx::binarystring(row[3]).str(), ad);
    if (!plaintext.ok()) {
      batch.failed.push_back(row[0].as<std::string>());
      continue;
    }
    ExecPrepared0(tx, update_name, update, key1, key2,
                  pqxx::binarystring(cipher.Encrypt(*plaintext, ad)));
    ++batch.rotated;
  }
  return batch;
}

int64_t CountNotOnActiveKey(pqxx::transaction_base& tx, const FieldCipher& cipher,
                            const SealedColumn& column) {
  return ExecPrepared1(tx, StatementName("count", column), CountSql(column),
                       cipher.active_key_id())[0]
      .as<int64_t>();
}

}  // namespace consular::storage

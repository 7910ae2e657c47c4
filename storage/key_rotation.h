#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "crypto/field_cipher.h"
#include "storage/sealed_column.h"

// Key rotation of any sealed column (storage/sealed_column.h): re-encrypting its stored values
// under the key ring's active key. Runs in the caller's transaction and throws what libpqxx
// throws; the caller decides which rows it sees (consular-keys turns row security off).
namespace consular::storage {

// The outcome of one rotation batch.
struct RotationBatch {
  int64_t rotated = 0;              // values re-encrypted under the active key
  std::vector<std::string> failed;  // row ids whose value does not decrypt (left as they are)
};

// Re-encrypts under cipher's active key up to `limit` values of `column` that are under another
// key, skipping rows whose id is in `skip` and rows locked by other transactions (FOR NO KEY
// UPDATE SKIP LOCKED: it passes over rows a service holds FOR UPDATE, and never blocks a note or
// event being added to a case). Changes nothing else: no version, time or event. Values that do
// not decrypt are left alone and reported in `failed`.
RotationBatch RotateBatch(pqxx::transaction_base& tx, const FieldCipher& cipher,
                          const SealedColumn& column, int limit,
                          const std::vector<std::string>& skip);

// The number of values of `column` under a key other than cipher's active one.
int64_t CountNotOnActiveKey(pqxx::transaction_base& tx, const FieldCipher& cipher,
                            const SealedColumn& column);

}  // namespace consular::storage

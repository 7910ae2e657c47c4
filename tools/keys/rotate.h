#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crypto/field_cipher.h"
#include "storage/sealed_column.h"
#include "storage/transaction_runner.h"

// Key rotation of the encrypted case fields: re-encrypts every stored value that is under a key
// other than the ring's active one, while the services keep serving.
namespace consular::keys {

struct RotationOptions {
  // Values re-encrypted per transaction.
  int batch_size = 100;
  // The time one batch (one transaction) may take.
  absl::Duration batch_timeout = absl::Seconds(30);
  // How long to keep coming back for rows that other transactions hold locked.
  absl::Duration max_wait_for_locked = absl::Minutes(2);
};

// What rotation did to one encrypted column.
struct ColumnRotation {
  std::string column;               // e.g. "cases.cases.personal"
  int64_t rotated = 0;              // values moved to the active key
  int64_t remaining = 0;            // values still under another key afterwards
  std::vector<std::string> failed;  // row ids whose value does not decrypt (left as they are)
};

// Every store's sealed columns, in the order rotation takes them: the case store's, the partner
// store's, the contact store's, the statistics store's.
const std::vector<storage::SealedColumn>& AllSealedColumns();

// Moves every encrypted value of AllSealedColumns() to cipher's active key, column by column, in
// batches of options.batch_size, each batch its own transaction (FOR UPDATE SKIP LOCKED, so the
// services' transactions are never waited for; no version bump, no case event). Rows locked by
// others are retried until none is left or options.max_wait_for_locked has passed. Returns one
// entry per column; rotation is complete when every `remaining` is 0. Errors: the runner's status
// of a batch that failed (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL ...).
absl::StatusOr<std::vector<ColumnRotation>> RotateFieldKeys(storage::TransactionRunner* runner,
                                                            const FieldCipher& cipher,
                                                            const RotationOptions& options = {});

}  // namespace consular::keys

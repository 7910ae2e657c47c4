#include "tools/keys/rotate.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "storage/case_store.h"
#include "storage/contact_store.h"
#include "storage/export_store.h"
#include "storage/key_rotation.h"
#include "storage/partner_store.h"
#include "storage/stats_store.h"

namespace consular::keys {
namespace {

// Rotation must see every row. With row_security off, a query that row-level security would
// filter fails instead ("query would be affected by row-level security policy"), so a role held
// to a scope cannot make rotation report "done" while rows stay on an old key.
constexpr char kSeeEveryRow[] = "SET LOCAL row_security = off";

}  // namespace

const std::vector<storage::SealedColumn>& AllSealedColumns() {
  static const std::vector<storage::SealedColumn>* const kAll = [] {
    auto* all = new std::vector<storage::SealedColumn>();
    for (const auto* columns :
         {&storage::CaseStore::SealedColumns(), &storage::PartnerStore::SealedColumns(),
          &storage::ContactStore::SealedColumns(), &storage::StatsStore::SealedColumns(),
          &storage::ExportStore::SealedColumns()}) {
      all->insert(all->end(), columns->begin(), columns->end());
    }
    return all;
  }();
  return *kAll;
}

absl::StatusOr<std::vector<ColumnRotation>> RotateFieldKeys(storage::TransactionRunner* runner,
                                                            const FieldCipher& cipher,
                                                            const RotationOptions& options) {
  const int batch_size = std::max(1, options.batch_size);
  std::vector<ColumnRotation> report;
  for (const storage::SealedColumn& column : AllSealedColumns()) {
    ColumnRotation result;
    result.column = column.Name();
    const absl::Time give_up = absl::Now() + options.max_wait_for_locked;
    absl::Duration pause = absl::Milliseconds(20);
    while (true) {
      storage::RotationBatch batch;
      absl::Status status = runner->Run(
          absl::Now() + options.batch_timeout, [&](pqxx::transaction_base& tx) -> absl::Status {
            tx.exec0(kSeeEveryRow);
            batch = storage::RotateBatch(tx, cipher, column, batch_size, result.failed);
            return absl::OkStatus();
          });
      if (!status.ok()) return status;
      result.rotated += batch.rotated;
      result.failed.insert(result.failed.end(), batch.failed.begin(), batch.failed.end());
      if (batch.rotated > 0 || !batch.failed.empty()) continue;

      // Nothing left to take: done, unless rows are locked by others right now.
      status = runner->RunReadOnly(
          absl::Now() + options.batch_timeout, [&](pqxx::transaction_base& tx) -> absl::Status {
            tx.exec0(kSeeEveryRow);
            result.remaining = storage::CountNotOnActiveKey(tx, cipher, column);
            return absl::OkStatus();
          });
      if (!status.ok()) return status;
      const int64_t locked = result.remaining - static_cast<int64_t>(result.failed.size());
      if (locked <= 0 || absl::Now() >= give_up) break;
      absl::SleepFor(pause);
      pause = std::min(pause * 2, absl::Milliseconds(500));
    }
    report.push_back(std::move(result));
  }
  return report;
}

}  // namespace consular::keys

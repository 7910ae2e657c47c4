#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "consular/v1/exports.pb.h"
#include "storage/case_store.h"
#include "storage/sealed_column.h"

// SQL for exports (migration 0024): subject-access requests (cases.subject_access_requests) and
// bulk exports (cases.exports). Runs in the caller's transaction, as the caller's row-level
// security scope sees the rows (its unit's requests only), and throws what libpqxx throws. The
// note of a subject-access request and the file of an export are sealed with the FieldCipher,
// bound to table, column and id. States are returned as stored (PENDING, APPROVED, REFUSED);
// whether an approved one has expired is for the caller to judge by its clock.
namespace consular::storage {

// The file of an approved export, as the approval writes it.
struct ExportApproval {
  std::string answered_by;
  int64_t answered_at_micros = 0;
  consular::v1::ExportProtection protection = consular::v1::EXPORT_PROTECTION_UNSPECIFIED;
  std::string recipient_key;  // the OpenPGP fingerprint; "" for a password
  int64_t expires_at_micros = 0;
  int downloads_allowed = 0;
  int case_count = 0;
  std::string file_name;
  std::string file_sha256;  // 32 bytes
  std::string file;         // the encrypted envelope (sealed here before it is stored)
};

// The answer to a pending request that is refused.
struct Refusal {
  std::string answered_by;
  int64_t answered_at_micros = 0;
  std::string reason;
};

class ExportStore {
 public:
  // `crypto.cipher` must not be null.
  ExportStore(pqxx::transaction_base& tx, FieldCrypto crypto);

  // The sealed columns of the export tables, for key rotation (storage/key_rotation.h):
  // cases.subject_access_requests.request_note, cases.exports.file.
  static const std::vector<SealedColumn>& SealedColumns();

  // Subject access. Inserts a pending request (its note sealed).
  void InsertSubjectAccess(const consular::v1::SubjectAccessRequest& request);
  // The request with this id if the caller's unit sees it; with `lock`, locked.
  std::optional<consular::v1::SubjectAccessRequest> FindSubjectAccess(const std::string& id,
                                                                      bool lock);
  // Up to `limit` requests of the caller's unit, newest first: of `case_id` only when it is not
  // empty, pending ones only with `pending_only`.
  std::vector<consular::v1::SubjectAccessRequest> ListSubjectAccess(const std::string& case_id,
                                                                    bool pending_only, int limit);
  // Approves the pending request, obtainable until `available_until_micros`; false if it was
  // answered already.
  bool ApproveSubjectAccess(const std::string& id, const std::string& answered_by,
                            int64_t answered_at_micros, int64_t available_until_micros);
  // Refuses the pending request; false if it was answered already.
  bool RefuseSubjectAccess(const std::string& id, const Refusal& refusal);

  // Bulk exports. Inserts a pending export.
  void InsertExport(const consular::v1::Export& request);
  // The export with this id if the caller's unit sees it; with `lock`, locked.
  std::optional<consular::v1::Export> FindExport(const std::string& id, bool lock);
  // Up to `limit` exports of the caller's unit, newest first; pending ones only with
  // `pending_only`.
  std::vector<consular::v1::Export> ListExports(bool pending_only, int limit);
  // Approves the pending export with its file; false if it was answered already.
  bool ApproveExport(const std::string& id, const ExportApproval& approval);
  // Refuses the pending export; false if it was answered already.
  bool RefuseExport(const std::string& id, const Refusal& refusal);
  // Takes one download of the approved export (locked by the caller): returns its file (the
  // encrypted envelope, unsealed) and counts the download; the last download destroys the stored
  // file. nullopt when there is no file or no download left (nothing changes then).
  std::optional<std::string> TakeDownload(const std::string& id);
  // Destroys the stored files of every unit's exports whose expiry has passed by the database
  // clock (cases.purge_expired_exports); returns how many.
  int64_t PurgeExpired();

 private:
  consular::v1::SubjectAccessRequest SubjectAccessFromRow(const pqxx::row& row) const;
  consular::v1::Export ExportFromRow(const pqxx::row& row) const;

  pqxx::transaction_base& tx_;
  FieldCrypto crypto_;
};

}  // namespace consular::storage

#include "storage/export_store.h"

#include <stdexcept>

#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

using consular::v1::Export;
using consular::v1::SubjectAccessRequest;

AssociatedData SubjectAccessNoteAd(const std::string& id) {
  return {"cases.subject_access_requests", "request_note", id};
}
AssociatedData ExportFileAd(const std::string& id) { return {"cases.exports", "file", id}; }

// A time stamp parameter: NULL for 0.
#define OPTIONAL_MICROS(param) \
  "CASE WHEN " param "::bigint = 0 THEN NULL ELSE " FROM_MICROS(param) " END"

constexpr char kSubjectAccessColumns[] =
    "id::text, case_id::text, case_reference, unit, language, request_note, requested_by, "
    "requested_by_role, " MICROS("requested_at") ", state, COALESCE(answered_by, ''), "
    "COALESCE(" MICROS("answered_at") ", 0), COALESCE(refusal_reason, ''), "
    "COALESCE(" MICROS("available_until") ", 0)";

constexpr char kSubjectAccessInsert[] =
    "INSERT INTO cases.subject_access_requests (id, case_id, case_reference, unit, language, "
    "request_note, requested_by, requested_by_role, requested_at) "
    "VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, " FROM_MICROS("$9") ")";

constexpr char kSubjectAccessApprove[] =
    "UPDATE cases.subject_access_requests SET state = 'APPROVED', answered_by = $2, "
    "answered_at = " FROM_MICROS("$3") ", available_until = " FROM_MICROS(
        "$4") " WHERE id = $1::uuid AND state = 'PENDING'";

constexpr char kSubjectAccessRefuse[] =
    "UPDATE cases.subject_access_requests SET state = 'REFUSED', answered_by = $2, "
    "answered_at = " FROM_MICROS("$3") ", refusal_reason = $4 "
    "WHERE id = $1::uuid AND state = 'PENDING'";

constexpr char kExportColumns[] =
    "id::text, unit, requested_by, requested_by_role, " MICROS("requested_at") ", "
    "COALESCE(filter_country, ''), COALESCE(filter_type, ''), COALESCE(filter_status, ''), "
    "COALESCE(filter_opened_from::text, ''), COALESCE(filter_opened_to::text, ''), legal_basis, "
    "recipient, purpose, state, COALESCE(answered_by, ''), COALESCE(" MICROS("answered_at") ", 0), "
    "COALESCE(refusal_reason, ''), COALESCE(protection, ''), COALESCE(recipient_key, ''), "
    "COALESCE(" MICROS("expires_at") ", 0), COALESCE(downloads_allowed, 0), "
    "COALESCE(downloads_left, 0), COALESCE(case_count, 0), COALESCE(file_name, ''), "
    "COALESCE(encode(file_sha256, 'hex'), ''), file_destroyed_at IS NOT NULL";

constexpr char kExportInsert[] =
    "INSERT INTO cases.exports (id, unit, requested_by, requested_by_role, requested_at, "
    "filter_country, filter_type, filter_status, filter_opened_from, filter_opened_to, "
    "legal_basis, recipient, purpose) "
    "VALUES ($1::uuid, $2, $3, $4, " FROM_MICROS("$5") ", NULLIF($6, ''), NULLIF($7, ''), "
    "NULLIF($8, ''), NULLIF($9, '')::date, NULLIF($10, '')::date, $11, $12, $13)";

constexpr char kExportApprove[] =
    "UPDATE cases.exports SET state = 'APPROVED', answered_by = $2, "
    "answered_at = " FROM_MICROS("$3") ", protection = $4, recipient_key = NULLIF($5, ''), "
    "expires_at = " FROM_MICROS("$6") ", downloads_allowed = $7::integer, "
    "downloads_left = $7::integer, case_count = $8::integer, file_name = $9, file_sha256 = $10, "
    "file = $11 WHERE id = $1::uuid AND state = 'PENDING'";

constexpr char kExportRefuse[] =
    "UPDATE cases.exports SET state = 'REFUSED', answered_by = $2, "
    "answered_at = " FROM_MICROS("$3") ", refusal_reason = $4 "
    "WHERE id = $1::uuid AND state = 'PENDING'";

// The file of an export that may still be downloaded (by the database clock too).
constexpr char kExportHeldFile[] =
    "SELECT file FROM cases.exports WHERE id = $1::uuid AND state = 'APPROVED' "
    "AND file IS NOT NULL AND downloads_left > 0 AND expires_at > now()";

// One download taken; the last one destroys the stored file.
constexpr char kExportTakeDownload[] =
    "UPDATE cases.exports SET downloads_left = downloads_left - 1, "
    "file = CASE WHEN downloads_left = 1 THEN NULL ELSE file END, "
    "file_destroyed_at = CASE WHEN downloads_left = 1 THEN now() ELSE file_destroyed_at END "
    "WHERE id = $1::uuid AND downloads_left > 0 AND file IS NOT NULL";

constexpr char kPurgeExpired[] = "SELECT cases.purge_expired_exports()";

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

consular::v1::ExportState StateOf(const std::string& stored) {
  if (stored == "PENDING") return consular::v1::EXPORT_STATE_PENDING;
  if (stored == "APPROVED") return consular::v1::EXPORT_STATE_APPROVED;
  if (stored == "REFUSED") return consular::v1::EXPORT_STATE_REFUSED;
  throw std::runtime_error("stored export state not known: " + stored);
}

consular::v1::Role RoleOf(const std::string& stored) {
  return ParseStoredEnum<consular::v1::Role>(stored, consular::v1::Role_Parse);
}

}  // namespace

const std::vector<SealedColumn>& ExportStore::SealedColumns() {
  static const std::vector<SealedColumn>* const kColumns = new std::vector<SealedColumn>{
      IdKeyedSealedColumn("cases.subject_access_requests", "request_note", SubjectAccessNoteAd),
      IdKeyedSealedColumn("cases.exports", "file", ExportFileAd),
  };
  return *kColumns;
}

ExportStore::ExportStore(pqxx::transaction_base& tx, FieldCrypto crypto)
    : tx_(tx), crypto_(crypto) {
  if (crypto_.cipher == nullptr) throw std::logic_error("ExportStore needs a field cipher");
}

SubjectAccessRequest ExportStore::SubjectAccessFromRow(const pqxx::row& row) const {
  SubjectAccessRequest r;
  r.set_id(row[0].as<std::string>());
  r.set_case_id(row[1].as<std::string>());
  r.set_case_reference(row[2].as<std::string>());
  r.set_unit(row[3].as<std::string>());
  r.set_language(row[4].as<std::string>());
  // NULL once the case was anonymised (migration 0026): the note went with it.
  if (!row[5].is_null()) r.set_note(OpenSealed(*crypto_.cipher, row[5], SubjectAccessNoteAd(r.id())));
  r.set_requested_by(row[6].as<std::string>());
  r.set_requested_by_role(RoleOf(row[7].as<std::string>()));
  *r.mutable_requested_at() = FromMicros(row[8].as<int64_t>());
  r.set_state(StateOf(row[9].as<std::string>()));
  r.set_answered_by(row[10].as<std::string>());
  if (const int64_t at = row[11].as<int64_t>(); at != 0) *r.mutable_answered_at() = FromMicros(at);
  r.set_refusal_reason(row[12].as<std::string>());
  if (const int64_t until = row[13].as<int64_t>(); until != 0) {
    *r.mutable_available_until() = FromMicros(until);
  }
  return r;
}

void ExportStore::InsertSubjectAccess(const SubjectAccessRequest& r) {
  ExecPrepared0(tx_, "export_sar_insert", kSubjectAccessInsert, r.id(), r.case_id(),
                r.case_reference(), r.unit(), r.language(),
                pqxx::binarystring(crypto_.cipher->Encrypt(r.note(), SubjectAccessNoteAd(r.id()))),
                r.requested_by(), consular::v1::Role_Name(r.requested_by_role()),
                Micros(r.requested_at()));
}

std::optional<SubjectAccessRequest> ExportStore::FindSubjectAccess(const std::string& id,
                                                                   bool lock) {
  static const std::string kFind = std::string("SELECT ") + kSubjectAccessColumns +
                                   " FROM cases.subject_access_requests WHERE id = $1::uuid";
  static const std::string kFindLocked = kFind + " FOR UPDATE";
  const pqxx::result rows = lock ? ExecPrepared(tx_, "export_sar_find_locked", kFindLocked, id)
                                 : ExecPrepared(tx_, "export_sar_find", kFind, id);
  if (rows.empty()) return std::nullopt;
  return SubjectAccessFromRow(rows[0]);
}

std::vector<SubjectAccessRequest> ExportStore::ListSubjectAccess(const std::string& case_id,
                                                                 bool pending_only, int limit) {
  static const std::string kList =
      std::string("SELECT ") + kSubjectAccessColumns +
      " FROM cases.subject_access_requests WHERE unit = cases.caller_unit() "
      "AND ($1 = '' OR case_id = NULLIF($1, '')::uuid) AND (NOT $2::boolean OR state = 'PENDING') "
      "ORDER BY requested_at DESC, id DESC LIMIT $3::integer";
  std::vector<SubjectAccessRequest> out;
  for (const pqxx::row& row :
       ExecPrepared(tx_, "export_sar_list", kList, case_id, pending_only, limit)) {
    out.push_back(SubjectAccessFromRow(row));
  }
  return out;
}

bool ExportStore::ApproveSubjectAccess(const std::string& id, const std::string& answered_by,
                                       int64_t answered_at_micros, int64_t available_until_micros) {
  return ExecPrepared(tx_, "export_sar_approve", kSubjectAccessApprove, id, answered_by,
                      answered_at_micros, available_until_micros)
             .affected_rows() == 1;
}

bool ExportStore::RefuseSubjectAccess(const std::string& id, const Refusal& refusal) {
  return ExecPrepared(tx_, "export_sar_refuse", kSubjectAccessRefuse, id, refusal.answered_by,
                      refusal.answered_at_micros, refusal.reason)
             .affected_rows() == 1;
}

Export ExportStore::ExportFromRow(const pqxx::row& row) const {
  Export e;
  e.set_id(row[0].as<std::string>());
  e.set_unit(row[1].as<std::string>());
  e.set_requested_by(row[2].as<std::string>());
  e.set_requested_by_role(RoleOf(row[3].as<std::string>()));
  *e.mutable_requested_at() = FromMicros(row[4].as<int64_t>());
  consular::v1::ExportFilter* filter = e.mutable_filter();
  filter->set_country(row[5].as<std::string>());
  filter->set_type(ParseStoredEnum<consular::v1::CaseType>(row[6].as<std::string>(),
                                                           consular::v1::CaseType_Parse));
  filter->set_status(ParseStoredEnum<consular::v1::CaseStatus>(row[7].as<std::string>(),
                                                               consular::v1::CaseStatus_Parse));
  if (const std::string from = row[8].as<std::string>(); !from.empty()) {
    *filter->mutable_opened_from() = ParseDate(from);
  }
  if (const std::string to = row[9].as<std::string>(); !to.empty()) {
    *filter->mutable_opened_to() = ParseDate(to);
  }
  e.set_legal_basis(row[10].as<std::string>());
  e.set_recipient(row[11].as<std::string>());
  e.set_purpose(row[12].as<std::string>());
  e.set_state(StateOf(row[13].as<std::string>()));
  e.set_answered_by(row[14].as<std::string>());
  if (const int64_t at = row[15].as<int64_t>(); at != 0) *e.mutable_answered_at() = FromMicros(at);
  e.set_refusal_reason(row[16].as<std::string>());
  const std::string protection = row[17].as<std::string>();
  if (protection == "PASSWORD") e.set_protection(consular::v1::EXPORT_PROTECTION_PASSWORD);
  if (protection == "OPENPGP") e.set_protection(consular::v1::EXPORT_PROTECTION_OPENPGP);
  e.set_recipient_key_fingerprint(row[18].as<std::string>());
  if (const int64_t at = row[19].as<int64_t>(); at != 0) *e.mutable_expires_at() = FromMicros(at);
  e.set_downloads_allowed(row[20].as<int>());
  e.set_downloads_left(row[21].as<int>());
  e.set_case_count(row[22].as<int>());
  e.set_file_name(row[23].as<std::string>());
  e.set_file_sha256(row[24].as<std::string>());
  e.set_file_destroyed(row[25].as<bool>());
  return e;
}

void ExportStore::InsertExport(const Export& e) {
  const consular::v1::ExportFilter& f = e.filter();
  ExecPrepared0(
      tx_, "export_insert", kExportInsert, e.id(), e.unit(), e.requested_by(),
      consular::v1::Role_Name(e.requested_by_role()), Micros(e.requested_at()), f.country(),
      f.type() == consular::v1::CASE_TYPE_UNSPECIFIED ? "" : consular::v1::CaseType_Name(f.type()),
      f.status() == consular::v1::CASE_STATUS_UNSPECIFIED
          ? ""
          : consular::v1::CaseStatus_Name(f.status()),
      DateText(f.opened_from()), DateText(f.opened_to()), e.legal_basis(), e.recipient(),
      e.purpose());
}

std::optional<Export> ExportStore::FindExport(const std::string& id, bool lock) {
  static const std::string kFind =
      std::string("SELECT ") + kExportColumns + " FROM cases.exports WHERE id = $1::uuid";
  static const std::string kFindLocked = kFind + " FOR UPDATE";
  const pqxx::result rows = lock ? ExecPrepared(tx_, "export_find_locked", kFindLocked, id)
                                 : ExecPrepared(tx_, "export_find", kFind, id);
  if (rows.empty()) return std::nullopt;
  return ExportFromRow(rows[0]);
}

std::vector<Export> ExportStore::ListExports(bool pending_only, int limit) {
  static const std::string kList = std::string("SELECT ") + kExportColumns +
                                   " FROM cases.exports WHERE unit = cases.caller_unit() "
                                   "AND (NOT $1::boolean OR state = 'PENDING') "
                                   "ORDER BY requested_at DESC, id DESC LIMIT $2::integer";
  std::vector<Export> out;
  for (const pqxx::row& row : ExecPrepared(tx_, "export_list", kList, pending_only, limit)) {
    out.push_back(ExportFromRow(row));
  }
  return out;
}

bool ExportStore::ApproveExport(const std::string& id, const ExportApproval& a) {
  const std::string protection =
      a.protection == consular::v1::EXPORT_PROTECTION_OPENPGP ? "OPENPGP" : "PASSWORD";
  return ExecPrepared(tx_, "export_approve", kExportApprove, id, a.answered_by,
                      a.answered_at_micros, protection, a.recipient_key, a.expires_at_micros,
                      a.downloads_allowed, a.case_count, a.file_name,
                      pqxx::binarystring(a.file_sha256),
                      pqxx::binarystring(crypto_.cipher->Encrypt(a.file, ExportFileAd(id))))
             .affected_rows() == 1;
}

bool ExportStore::RefuseExport(const std::string& id, const Refusal& refusal) {
  return ExecPrepared(tx_, "export_refuse", kExportRefuse, id, refusal.answered_by,
                      refusal.answered_at_micros, refusal.reason)
             .affected_rows() == 1;
}

std::optional<std::string> ExportStore::TakeDownload(const std::string& id) {
  const pqxx::result held = ExecPrepared(tx_, "export_held_file", kExportHeldFile, id);
  if (held.empty()) return std::nullopt;
  std::string file = OpenSealed(*crypto_.cipher, held[0][0], ExportFileAd(id));
  if (ExecPrepared(tx_, "export_take_download", kExportTakeDownload, id).affected_rows() != 1) {
    return std::nullopt;
  }
  return file;
}

int64_t ExportStore::PurgeExpired() {
  return ExecPrepared1(tx_, "export_purge_expired", kPurgeExpired)[0].as<int64_t>();
}

}  // namespace consular::storage

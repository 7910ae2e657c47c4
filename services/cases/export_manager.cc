// ExportManager, bulk exports under two keys: RequestExport, AnswerExport, ListExports,
// DownloadExport. Subject access is in subject_access.cc.
#include "services/cases/export_manager.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <sodium.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "crypto/export_envelope.h"
#include "proto/dates.h"
#include "services/cases/case_history.h"
#include "services/cases/export_support.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/validation.h"
#include "storage/case_store.h"
#include "storage/export_store.h"

namespace consular::cases {
namespace {

using consular::v1::Export;
using google::protobuf::util::TimeUtil;
using internal::CheckExportServiceAccess;

constexpr size_t kMinLegalBasisChars = 10;
constexpr size_t kMaxLegalBasisChars = 300;
constexpr size_t kMaxRecipientChars = 200;
constexpr size_t kMaxPurposeChars = 300;
constexpr size_t kMinPasswordChars = 12;
constexpr size_t kMaxPasswordChars = 200;
constexpr size_t kMaxPublicKeyBytes = 64 * 1024;
constexpr int kMaxExpiryDays = 30;
constexpr int kMaxDownloads = 10;
constexpr int kDefaultListSize = 50;
constexpr int kMaxListSize = 200;
constexpr int kBatch = 500;
// An export larger than this is refused rather than cut short: narrow the filter.
constexpr size_t kMaxExportCases = 5000;
// ... and so is a file larger than this: it must fit one gRPC answer (consularctl accepts 64 MiB).
constexpr size_t kMaxExportFileBytes = 48u << 20;

absl::Status ExportNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("export ", id, " not found"));
}

// The state as the caller should see it: an approved export past its expiry, with its downloads
// used up or its file destroyed is EXPIRED.
Export AsSeenAt(Export e, absl::Time now) {
  if (e.state() == consular::v1::EXPORT_STATE_APPROVED &&
      (internal::Passed(e.expires_at(), now) || e.downloads_left() == 0 || e.file_destroyed())) {
    e.set_state(consular::v1::EXPORT_STATE_EXPIRED);
  }
  return e;
}

absl::Status CheckFilter(const consular::v1::ExportFilter& f) {
  if (!f.country().empty() && !IsKnownCountryCode(f.country())) {
    return InvalidField("filter.country", "must be an ISO 3166-1 alpha-2 code in capitals");
  }
  if (!consular::v1::CaseType_IsValid(f.type())) return InvalidField("filter.type", "unknown");
  if (!consular::v1::CaseStatus_IsValid(f.status())) {
    return InvalidField("filter.status", "unknown");
  }
  for (const auto& [field, date] :
       {std::pair<std::string, const consular::v1::Date*>{"filter.opened_from", &f.opened_from()},
        {"filter.opened_to", &f.opened_to()}}) {
    if (date->year() == 0 && date->month() == 0 && date->day() == 0) continue;
    if (!IsValidDate(*date)) return InvalidField(field, "not a valid date");
  }
  if (IsValidDate(f.opened_from()) && IsValidDate(f.opened_to()) &&
      FormatDate(f.opened_to()) < FormatDate(f.opened_from())) {
    return InvalidField("filter.opened_to", "before filter.opened_from");
  }
  return absl::OkStatus();
}

storage::CaseFilter CaseFilterOf(const consular::v1::ExportFilter& f) {
  storage::CaseFilter filter;
  filter.country = f.country();
  if (f.type() != consular::v1::CASE_TYPE_UNSPECIFIED) {
    filter.type = consular::v1::CaseType_Name(f.type());
  }
  if (f.status() != consular::v1::CASE_STATUS_UNSPECIFIED) {
    filter.status = consular::v1::CaseStatus_Name(f.status());
  }
  if (IsValidDate(f.opened_from())) filter.opened_from = FormatDate(f.opened_from());
  if (IsValidDate(f.opened_to())) filter.opened_to = FormatDate(f.opened_to());
  return filter;
}

// The protection an approval asks for: INVALID_ARGUMENT naming the field when it is missing or
// unusable. Never echoes the password.
absl::Status CheckProtection(const consular::v1::AnswerExportRequest& request) {
  switch (request.protection_case()) {
    case consular::v1::AnswerExportRequest::kPassword: {
      if (!IsValidUtf8(request.password())) return InvalidField("password", "must be text");
      const size_t chars = CountCodePoints(request.password());
      if (chars < kMinPasswordChars || chars > kMaxPasswordChars) {
        return InvalidField("password", "must be 12..200 characters");
      }
      return absl::OkStatus();
    }
    case consular::v1::AnswerExportRequest::kOpenpgpPublicKey: {
      if (request.openpgp_public_key().size() > kMaxPublicKeyBytes) {
        return InvalidField("openpgp_public_key", "longer than 64 KiB");
      }
      absl::StatusOr<OpenPgpRecipient> key =
          InspectOpenPgpKey("openpgp_public_key", request.openpgp_public_key());
      return key.status();
    }
    default:
      return InvalidField("password", "required with APPROVE: a password or openpgp_public_key");
  }
}

// The request as its fingerprint and the idempotency record may know it: the password left out
// (only that one was given), so nothing derived from it is stored.
consular::v1::AnswerExportRequest WithoutSecrets(const consular::v1::AnswerExportRequest& request) {
  consular::v1::AnswerExportRequest copy = request;
  if (copy.protection_case() == consular::v1::AnswerExportRequest::kPassword) {
    copy.set_password("");
  }
  return copy;
}

std::string Sha256(const std::string& bytes) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return digest;
}

// The cases of the export as its requester's scope sees them (shares included, emergency access
// never), newest first, ready to leave: covert notes withheld as for read-only access, code words
// always. FAILED_PRECONDITION when there are more than kMaxExportCases.
absl::StatusOr<std::vector<consular::v1::Case>> CasesOf(storage::CaseStore& store, const Export& e,
                                                        consular::v1::ExportContent* content) {
  const storage::CaseScope scope{e.unit(), e.requested_by(),
                                 consular::v1::Role_Name(e.requested_by_role())};
  const storage::CaseFilter filter = CaseFilterOf(e.filter());
  std::vector<consular::v1::Case> out;
  std::optional<storage::CaseCursor> after;
  int covert_withheld = 0;
  int code_words = 0;
  while (true) {
    std::vector<consular::v1::Case> page = store.List(scope, filter, after, kBatch);
    if (page.empty()) break;
    after = storage::CaseCursor{TimeUtil::TimestampToMicroseconds(page.back().opened_at()),
                                page.back().id()};
    for (consular::v1::Case& c : page) {
      c.set_caller_access(consular::v1::CASE_ACCESS_SHARED_READ);
      if (!c.safety().covert_notes().empty() && !c.safety().covert_notes_shareable()) {
        ++covert_withheld;
      }
      WithholdCovertNotes(&c);
      if (!c.safety().code_word().empty()) ++code_words;
      c.mutable_safety()->clear_code_word();
      c.mutable_safety()->clear_has_code_word();
      c.clear_caller_access();
      c.clear_possible_duplicates();
      c.clear_pending_referral();
      out.push_back(std::move(c));
    }
    if (out.size() > kMaxExportCases) {
      return absl::FailedPreconditionError(
          absl::StrCat("more than ", kMaxExportCases, " cases match: narrow the filter"));
    }
    if (page.size() < static_cast<size_t>(kBatch)) break;
  }
  if (covert_withheld > 0) {
    consular::v1::WithheldItem* item = content->add_withheld();
    item->set_what("safety.covert_notes (not marked shareable by the handling unit)");
    item->set_count(covert_withheld);
    item->set_ground("protection of the data subject (security measure)");
  }
  if (code_words > 0) {
    consular::v1::WithheldItem* item = content->add_withheld();
    item->set_what("safety.code_word");
    item->set_count(code_words);
    item->set_ground("protection of the data subject (security measure)");
  }
  return out;
}

}  // namespace

ExportManager::ExportManager(storage::TransactionRunner* runner, const Clock& clock,
                             storage::FieldCrypto crypto)
    : runner_(runner), clock_(clock), crypto_(crypto) {
  if (crypto_.cipher == nullptr || crypto_.blind_index == nullptr) {
    throw std::logic_error("ExportManager needs the field cipher and the blind index");
  }
}

void ExportManager::PurgeExpiredExports(absl::Time deadline) {
  // A failure here is not the caller's: the next call (or housekeeping) purges again.
  (void)runner_->Run(deadline, [&](pqxx::transaction_base& tx) -> absl::Status {
    storage::ExportStore(tx, crypto_).PurgeExpired();
    return absl::OkStatus();
  });
}

absl::Status ExportManager::RequestExport(const Identity& who,
                                          const consular::v1::RequestExportRequest& request,
                                          absl::Time deadline, Export* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ExportService.RequestExport", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckExportServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckFilter(request.filter()));
        CONSULAR_RETURN_IF_ERROR(
            CheckText("legal_basis", request.legal_basis(), kMaxLegalBasisChars, true));
        if (CountCodePoints(request.legal_basis()) < kMinLegalBasisChars) {
          return InvalidField("legal_basis", "10..300 characters: name the legal ground");
        }
        CONSULAR_RETURN_IF_ERROR(
            CheckText("recipient", request.recipient(), kMaxRecipientChars, true));
        CONSULAR_RETURN_IF_ERROR(CheckText("purpose", request.purpose(), kMaxPurposeChars, true));
        storage::ExportStore exports(tx, crypto_);
        return RunIdempotentCall<Export>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "RequestExport", request, request.request_id(), out,
            [&](const Export& stored) -> absl::Status {
              if (!exports.FindExport(stored.id(), false)) return ExportNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](Export* made) -> absl::Status {
              made->set_id(NewUuid());
              made->set_unit(UnitOf(who));
              made->set_requested_by(who.subject);
              made->set_requested_by_role(who.role);
              *made->mutable_requested_at() = ToTimestamp(now);
              *made->mutable_filter() = request.filter();
              made->set_legal_basis(request.legal_basis());
              made->set_recipient(request.recipient());
              made->set_purpose(request.purpose());
              exports.InsertExport(*made);
              std::optional<Export> stored = exports.FindExport(made->id(), false);
              if (!stored) throw std::runtime_error("new export not found");
              *made = std::move(*stored);
              return absl::OkStatus();
            });
      });
}

absl::Status ExportManager::AnswerExport(const Identity& who,
                                         const consular::v1::AnswerExportRequest& request,
                                         absl::Time deadline, Export* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ExportService.AnswerExport", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckExportServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("export_id", request.export_id()));
        CONSULAR_RETURN_IF_ERROR(internal::CheckAnswer(request.decision(), request.reason()));
        const bool approve = request.decision() == consular::v1::EXPORT_DECISION_APPROVE;
        if (approve) {
          CONSULAR_RETURN_IF_ERROR(CheckProtection(request));
          if (request.expiry_days() < 1 || request.expiry_days() > kMaxExpiryDays) {
            return InvalidField("expiry_days", "required with APPROVE: 1..30");
          }
          if (request.downloads_allowed() < 1 || request.downloads_allowed() > kMaxDownloads) {
            return InvalidField("downloads_allowed", "required with APPROVE: 1..10");
          }
        } else if (request.protection_case() !=
                       consular::v1::AnswerExportRequest::PROTECTION_NOT_SET ||
                   request.expiry_days() != 0 || request.downloads_allowed() != 0) {
          return InvalidField(
              request.protection_case() == consular::v1::AnswerExportRequest::PROTECTION_NOT_SET
                  ? (request.expiry_days() != 0 ? "expiry_days" : "downloads_allowed")
                  : (request.protection_case() == consular::v1::AnswerExportRequest::kPassword
                         ? "password"
                         : "openpgp_public_key"),
              "only with APPROVE");
        }
        const std::string id = absl::AsciiStrToLower(request.export_id());
        storage::ExportStore exports(tx, crypto_);
        const absl::Status status = RunIdempotentCall<Export>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "AnswerExport", WithoutSecrets(request), request.request_id(), out,
            [&](const Export& stored) -> absl::Status {
              if (!exports.FindExport(stored.id(), false)) return ExportNotFound(stored.id());
              return absl::OkStatus();
            },
            [&](Export* answered) -> absl::Status {
              std::optional<Export> e = exports.FindExport(id, true);
              if (!e) return ExportNotFound(id);
              CONSULAR_RETURN_IF_ERROR(
                  internal::CheckMayAnswer(who, e->unit(), e->requested_by(), "export"));
              if (e->state() != consular::v1::EXPORT_STATE_PENDING) {
                return absl::FailedPreconditionError(
                    absl::StrCat("export ", id, " was answered by ", e->answered_by(), " at ",
                                 FormatTimestamp(e->answered_at())));
              }
              if (!approve) {
                if (!exports.RefuseExport(id, storage::Refusal{who.subject, absl::ToUnixMicros(now),
                                                               request.reason()})) {
                  throw std::runtime_error("pending export not refused");
                }
              } else {
                storage::ExportApproval approval;
                approval.answered_by = who.subject;
                approval.answered_at_micros = absl::ToUnixMicros(now);
                approval.expires_at_micros =
                    absl::ToUnixMicros(now + absl::Hours(24) * request.expiry_days());
                approval.downloads_allowed = request.downloads_allowed();
                const bool password =
                    request.protection_case() == consular::v1::AnswerExportRequest::kPassword;
                approval.protection = password ? consular::v1::EXPORT_PROTECTION_PASSWORD
                                               : consular::v1::EXPORT_PROTECTION_OPENPGP;
                approval.file_name =
                    absl::StrCat("export-", id.substr(0, 8), password ? ".zip" : ".json.gpg");

                // What the file says about itself: the export as approved.
                consular::v1::ExportContent content;
                Export* record = content.mutable_export_();
                *record = *e;
                record->set_state(consular::v1::EXPORT_STATE_APPROVED);
                record->set_answered_by(who.subject);
                *record->mutable_answered_at() = ToTimestamp(now);
                record->set_protection(approval.protection);
                *record->mutable_expires_at() =
                    TimeUtil::MicrosecondsToTimestamp(approval.expires_at_micros);
                record->set_downloads_allowed(approval.downloads_allowed);
                record->set_file_name(approval.file_name);
                *content.mutable_produced_at() = ToTimestamp(now);
                storage::CaseStore cases(tx, crypto_);
                absl::StatusOr<std::vector<consular::v1::Case>> found =
                    CasesOf(cases, *e, &content);
                if (!found.ok()) return found.status();
                approval.case_count = static_cast<int>(found->size());
                record->set_case_count(approval.case_count);
                for (consular::v1::Case& c : *found) {
                  audit->returned_case_ids.push_back(c.id());
                  *content.add_cases() = std::move(c);
                }
                google::protobuf::util::JsonPrintOptions options;
                options.add_whitespace = true;
                options.preserve_proto_field_names = true;
                std::string json;
                if (!google::protobuf::util::MessageToJsonString(content, &json, options).ok()) {
                  throw std::runtime_error("export JSON not rendered");
                }
                if (password) {
                  absl::StatusOr<std::string> zip =
                      SealZipWithPassword({{"cases.json", json}}, request.password());
                  if (!zip.ok()) return zip.status();
                  approval.file = *std::move(zip);
                } else {
                  absl::StatusOr<OpenPgpMessage> message = EncryptToOpenPgpKey(
                      "openpgp_public_key", request.openpgp_public_key(), "cases.json", json);
                  if (!message.ok()) return message.status();
                  approval.recipient_key = message->fingerprint;
                  approval.file = std::move(message->ciphertext);
                }
                if (approval.file.size() > kMaxExportFileBytes) {
                  return absl::FailedPreconditionError(absl::StrCat(
                      "the export's file would be ", approval.file.size() >> 20, " MiB, more than ",
                      kMaxExportFileBytes >> 20, ": narrow the filter"));
                }
                approval.file_sha256 = Sha256(approval.file);
                if (!exports.ApproveExport(id, approval)) {
                  throw std::runtime_error("pending export not approved");
                }
              }
              std::optional<Export> after = exports.FindExport(id, false);
              if (!after) throw std::runtime_error("answered export vanished");
              *answered = std::move(*after);
              return absl::OkStatus();
            });
        if (status.ok()) *out = AsSeenAt(*out, now);
        return status;
      });
}

absl::Status ExportManager::ListExports(const Identity& who,
                                        const consular::v1::ListExportsRequest& request,
                                        absl::Time deadline,
                                        consular::v1::ListExportsResponse* out) {
  const absl::Time now = clock_.Now();
  if (CheckExportServiceAccess(who).ok()) PurgeExpiredExports(deadline);
  return RunAuditedCall(
      runner_, who, "ExportService.ListExports", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckExportServiceAccess(who));
        CONSULAR_ASSIGN_OR_RETURN(int limit,
                                  PageSizeOf(request.page_size(), kDefaultListSize, kMaxListSize));
        out->Clear();
        for (Export& e :
             storage::ExportStore(tx, crypto_).ListExports(request.pending_only(), limit)) {
          *out->add_exports() = AsSeenAt(std::move(e), now);
        }
        return absl::OkStatus();
      });
}

absl::Status ExportManager::DownloadExport(const Identity& who,
                                           const consular::v1::DownloadExportRequest& request,
                                           absl::Time deadline, consular::v1::ExportFile* out) {
  const absl::Time now = clock_.Now();
  if (CheckExportServiceAccess(who).ok()) PurgeExpiredExports(deadline);
  return RunAuditedCall(
      runner_, who, "ExportService.DownloadExport", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckExportServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("export_id", request.export_id()));
        const std::string id = absl::AsciiStrToLower(request.export_id());
        storage::ExportStore exports(tx, crypto_);
        // The idempotency record keeps a receipt (the export after this download), never the
        // file: a repeated request id gets no second copy without a count.
        std::string file;
        Export receipt;
        const absl::Status status = RunIdempotentCall<Export>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kCases, who,
            "DownloadExport", request, request.request_id(), &receipt,
            [&](const Export& stored) -> absl::Status {
              if (!exports.FindExport(stored.id(), false)) return ExportNotFound(stored.id());
              return absl::AlreadyExistsError(absl::StrCat(
                  "request_id: export ", stored.id(),
                  " was downloaded under this request id already; each download counts, so a "
                  "new download needs a new request_id"));
            },
            [&](Export* taken) -> absl::Status {
              std::optional<Export> e = exports.FindExport(id, true);
              if (!e) return ExportNotFound(id);
              if (e->requested_by() != who.subject) {
                return absl::PermissionDeniedError("only the requester of an export downloads it");
              }
              switch (e->state()) {
                case consular::v1::EXPORT_STATE_PENDING:
                  return absl::FailedPreconditionError(
                      absl::StrCat("export ", id, " waits for a second person's approval"));
                case consular::v1::EXPORT_STATE_REFUSED:
                  return absl::FailedPreconditionError(
                      absl::StrCat("export ", id, " was refused: ", e->refusal_reason()));
                default:
                  break;
              }
              if (internal::Passed(e->expires_at(), now)) {
                return absl::FailedPreconditionError(
                    absl::StrCat("export ", id, " expired at ", FormatTimestamp(e->expires_at())));
              }
              if (e->downloads_left() <= 0 || e->file_destroyed()) {
                return absl::FailedPreconditionError(absl::StrCat("export ", id, " was downloaded ",
                                                                  e->downloads_allowed(),
                                                                  " times: no download is left"));
              }
              std::optional<std::string> held = exports.TakeDownload(id);
              if (!held) {
                // Expired by the database's clock, which destroys the stored file.
                return absl::FailedPreconditionError(absl::StrCat("export ", id, " has expired"));
              }
              file = *std::move(held);
              std::optional<Export> after = exports.FindExport(id, false);
              if (!after) throw std::runtime_error("downloaded export vanished");
              *taken = std::move(*after);
              return absl::OkStatus();
            });
        if (!status.ok()) return status;
        out->Clear();
        *out->mutable_export_() = AsSeenAt(std::move(receipt), now);
        out->set_file_name(out->export_().file_name());
        out->set_media_type(out->export_().protection() == consular::v1::EXPORT_PROTECTION_OPENPGP
                                ? "application/pgp-encrypted"
                                : "application/zip");
        out->set_content(std::move(file));
        return absl::OkStatus();
      });
}

}  // namespace consular::cases

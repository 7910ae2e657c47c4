// ContactsManager, the partner directory: CreatePartner, UpdatePartner, GetPartner, ListPartners,
// SetVetting, DeactivatePartner, SetAccreditation, GetAccreditation. The contact log is in
// contact_log.cc.
#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/page_token.h"
#include "services/common/paging.h"
#include "services/common/validation.h"
#include "services/contacts/contacts_manager.h"
#include "services/contacts/partner_rules.h"
#include "storage/audit_store.h"
#include "storage/partner_store.h"
#include "storage/unit_store.h"

namespace consular::contacts {
namespace {

using consular::v1::Partner;
using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::TimeUtil;
using storage::PartnerStore;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

absl::Status PartnerNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("partner ", id, " not found"));
}

absl::Status CheckVersion(const Partner& current, int64_t expected) {
  if (current.version() != expected) {
    return absl::AbortedError(absl::StrCat("partner ", current.id(), " is at version ",
                                           current.version(), ", not ", expected,
                                           "; read it again and retry"));
  }
  return absl::OkStatus();
}

absl::Status CheckActive(const Partner& current) {
  if (!current.active()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "partner ", current.id(), " was deactivated at ", FormatTimestamp(current.deactivated_at()),
        " by ", current.deactivated_by(), " and cannot change"));
  }
  return absl::OkStatus();
}

// The post whose accreditation holds a post manager.
std::string PostOf(const Identity& who) { return UnitOf(who); }

// May `who` write partners in `country`? Reads the accreditation of a post manager's post.
absl::Status CheckMayWriteIn(PartnerStore& store, const Identity& who, const std::string& country) {
  CONSULAR_RETURN_IF_ERROR(CheckMayWritePartners(who));
  const std::string post = PostOf(who);
  const bool accredited = who.role == consular::v1::ROLE_POST_MANAGER && !post.empty() &&
                          store.IsAccredited(post, country);
  return CheckMayWritePartnerIn(who, country, accredited);
}

// Finds the partner to change, locked, and checks the caller may change it.
absl::StatusOr<Partner> FindForChange(PartnerStore& store, const Identity& who,
                                      const std::string& id) {
  bool locked = false;
  std::optional<Partner> current = store.Find(id, true, &locked);
  if (!current) return PartnerNotFound(id);
  CONSULAR_RETURN_IF_ERROR(CheckMayWriteIn(store, who, current->country()));
  if (!locked) {
    // Writable by the application's rule yet not lockable: the rule and the policies disagree.
    throw std::runtime_error("partner " + id + " is writable but could not be locked");
  }
  return *std::move(current);
}

// Runs a mutation once per (actor, request id) in contacts.idempotency, giving `work` a
// PartnerStore in the same transaction.
template <typename Response>
absl::Status RunIdempotent(pqxx::transaction_base& tx, const storage::FieldCrypto& crypto,
                           const Identity& who, const std::string& method,
                           const google::protobuf::Message& request, const std::string& request_id,
                           Response* out,
                           const std::function<absl::Status(PartnerStore&, Response*)>& work) {
  PartnerStore store(tx, crypto);
  return RunIdempotentCall<Response>(
      tx, *crypto.cipher, *crypto.blind_index, storage::IdempotencyTable::kContacts, who, method,
      request, request_id, out,
      // The directory is not scoped beyond the caller's role, which every call checks afresh.
      [](const Response&) { return absl::OkStatus(); },
      [&](Response* response) { return work(store, response); });
}

// Changes the existing partner `id` as `method`, once per request id: finds it locked, checks
// that `who` may change it, that it is at `expected_version` and still active, and hands it to
// `change`, which edits it, saves it through the store and fills the response.
absl::Status ChangePartner(
    pqxx::transaction_base& tx, const storage::FieldCrypto& crypto, const Identity& who,
    const std::string& method, const google::protobuf::Message& request,
    const std::string& request_id, const std::string& id, int64_t expected_version, Partner* out,
    const std::function<absl::Status(PartnerStore&, Partner current, Partner*)>& change) {
  return RunIdempotent<Partner>(tx, crypto, who, method, request, request_id, out,
                                [&](PartnerStore& store, Partner* changed) -> absl::Status {
                                  CONSULAR_ASSIGN_OR_RETURN(Partner current,
                                                            FindForChange(store, who, id));
                                  CONSULAR_RETURN_IF_ERROR(CheckVersion(current, expected_version));
                                  CONSULAR_RETURN_IF_ERROR(CheckActive(current));
                                  return change(store, std::move(current), changed);
                                });
}

// The next version of `p`, changed at `now`.
void NextVersion(Partner& p, absl::Time now) {
  p.set_version(p.version() + 1);
  *p.mutable_updated_at() = ToTimestamp(now);
}

// Enum filter: "" for UNSPECIFIED, the proto name for a known value.
template <typename Enum>
absl::StatusOr<std::string> EnumFilter(const std::string& field, int value, bool (*is_valid)(int),
                                       const std::string& (*name)(Enum)) {
  if (!is_valid(value)) return InvalidField(field, absl::StrCat("unknown value ", value));
  if (value == 0) return std::string();
  return name(static_cast<Enum>(value));
}

}  // namespace

ContactsManager::ContactsManager(storage::TransactionRunner* runner, const Clock& clock,
                                 storage::FieldCrypto crypto)
    : runner_(runner), clock_(clock), crypto_(crypto) {}

absl::Status ContactsManager::CreatePartner(const Identity& who,
                                            const consular::v1::CreatePartnerRequest& request,
                                            absl::Time deadline, Partner* out) {
  return RunAuditedCall(
      runner_, who, "PartnerService.CreatePartner", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayWritePartners(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        if (!request.has_partner()) return InvalidField("partner", "required");
        CONSULAR_RETURN_IF_ERROR(ValidatePartnerContent(request.partner()));
        const absl::Time now = clock_.Now();
        return RunIdempotent<Partner>(
            tx, crypto_, who, "CreatePartner", request, request.request_id(), out,
            [&](PartnerStore& store, Partner* created) -> absl::Status {
              const Partner& in = request.partner();
              CONSULAR_RETURN_IF_ERROR(CheckMayWriteIn(store, who, in.country()));
              Partner p;
              p.set_id(NewUuid());
              p.set_kind(in.kind());
              p.set_name(in.name());
              p.set_country(in.country());
              p.set_city(in.city());
              *p.mutable_specialisms() = in.specialisms();
              *p.mutable_languages() = in.languages();
              *p.mutable_contact_details() = in.contact_details();
              p.set_vetting_status(consular::v1::VETTING_STATUS_UNVETTED);
              p.set_active(true);
              p.set_created_by(who.subject);
              *p.mutable_created_at() = ToTimestamp(now);
              *p.mutable_updated_at() = ToTimestamp(now);
              p.set_version(1);
              store.Insert(p);
              *created = std::move(p);
              return absl::OkStatus();
            });
      });
}

absl::Status ContactsManager::UpdatePartner(const Identity& who,
                                            const consular::v1::UpdatePartnerRequest& request,
                                            absl::Time deadline, Partner* out) {
  return RunAuditedCall(
      runner_, who, "PartnerService.UpdatePartner", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayWritePartners(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("partner.id", request.partner().id()));
        CONSULAR_RETURN_IF_ERROR(ValidatePartnerUpdateMask(request.update_mask()));
        CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        const std::string id = absl::AsciiStrToLower(request.partner().id());
        const absl::Time now = clock_.Now();
        return ChangePartner(
            tx, crypto_, who, "UpdatePartner", request, request.request_id(), id,
            request.expected_version(), out,
            [&](PartnerStore& store, Partner current, Partner* updated) -> absl::Status {
              Partner merged = current;
              FieldMaskUtil::MergeOptions options;
              options.set_replace_message_fields(true);
              options.set_replace_repeated_fields(true);
              FieldMaskUtil::MergeMessageTo(request.partner(), request.update_mask(), options,
                                            &merged);
              CONSULAR_RETURN_IF_ERROR(ValidatePartnerContent(merged));
              if (merged.SerializeAsString() == current.SerializeAsString()) {
                *updated = std::move(current);
                return absl::OkStatus();
              }
              NextVersion(merged, now);
              store.Update(merged);
              *updated = std::move(merged);
              return absl::OkStatus();
            });
      });
}

absl::Status ContactsManager::GetPartner(const Identity& who,
                                         const consular::v1::GetPartnerRequest& request,
                                         absl::Time deadline, Partner* out) {
  return RunAuditedCall(
      runner_, who, "PartnerService.GetPartner", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadPartners(who));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("partner_id", request.partner_id()));
        const std::string id = absl::AsciiStrToLower(request.partner_id());
        std::optional<Partner> found = PartnerStore(tx, crypto_).Find(id, false);
        if (!found) return PartnerNotFound(id);
        *out = std::move(*found);
        return absl::OkStatus();
      });
}

absl::Status ContactsManager::ListPartners(const Identity& who,
                                           const consular::v1::ListPartnersRequest& request,
                                           absl::Time deadline,
                                           consular::v1::ListPartnersResponse* out) {
  return RunAuditedCall(
      runner_, who, "PartnerService.ListPartners", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadPartners(who));
        storage::PartnerFilter filter;
        if (!request.country().empty()) {
          if (!IsKnownCountryCode(request.country())) {
            return InvalidField("country",
                                "not an ISO 3166-1 alpha-2 country code (upper case, e.g. MA)");
          }
          filter.country = request.country();
        }
        CONSULAR_RETURN_IF_ERROR(CheckText("city", request.city(), kMaxCityChars, false));
        filter.city = request.city();
        absl::StatusOr<std::string> kind = EnumFilter<consular::v1::PartnerKind>(
            "kind", request.kind(), consular::v1::PartnerKind_IsValid,
            consular::v1::PartnerKind_Name);
        if (!kind.ok()) return kind.status();
        filter.kind = *kind;
        absl::StatusOr<std::string> specialism = EnumFilter<consular::v1::Specialism>(
            "specialism", request.specialism(), consular::v1::Specialism_IsValid,
            consular::v1::Specialism_Name);
        if (!specialism.ok()) return specialism.status();
        filter.specialism = *specialism;
        if (!request.language().empty()) {
          CONSULAR_RETURN_IF_ERROR(ValidateLanguageCode("language", request.language()));
          filter.language = request.language();
        }
        CONSULAR_ASSIGN_OR_RETURN(
            std::string vetting,
            EnumFilter<consular::v1::VettingStatus>("vetting_status", request.vetting_status(),
                                                    consular::v1::VettingStatus_IsValid,
                                                    consular::v1::VettingStatus_Name));
        filter.vetting_status = vetting;
        filter.include_inactive = request.include_inactive();
        absl::StatusOr<int> page_size =
            PageSizeOf(request.page_size(), kDefaultPageSize, kMaxPageSize);
        if (!page_size.ok()) return page_size.status();

        consular::v1::ListPartnersRequest filters_only = request;
        filters_only.clear_page_size();
        filters_only.clear_page_token();
        const std::string filters = filters_only.SerializeAsString();
        std::optional<storage::PartnerCursor> after;
        if (!request.page_token().empty()) {
          auto fields = DecodePageToken(request.page_token(), "partners", filters, 4);
          if (!fields.ok()) return fields.status();
          storage::PartnerCursor cursor;
          if (!absl::WebSafeBase64Unescape((*fields)[0], &cursor.country) ||
              !absl::WebSafeBase64Unescape((*fields)[1], &cursor.city) ||
              !absl::WebSafeBase64Unescape((*fields)[2], &cursor.name) ||
              !LooksLikeUuid((*fields)[3])) {
            return InvalidField("page_token", "malformed");
          }
          cursor.id = (*fields)[3];
          after = std::move(cursor);
        }

        out->Clear();
        FillPage(PartnerStore(tx, crypto_).List(filter, after, FetchLimit(*page_size)), *page_size,
                 out->mutable_partners(), out->mutable_next_page_token(), [&](const Partner& last) {
                   return EncodePageToken("partners", filters,
                                          {absl::WebSafeBase64Escape(last.country()),
                                           absl::WebSafeBase64Escape(last.city()),
                                           absl::WebSafeBase64Escape(last.name()), last.id()});
                 });
        return absl::OkStatus();
      });
}

absl::Status ContactsManager::SetVetting(const Identity& who,
                                         const consular::v1::SetVettingRequest& request,
                                         absl::Time deadline, Partner* out) {
  return RunAuditedCall(
      runner_, who, "PartnerService.SetVetting", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayWritePartners(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("partner_id", request.partner_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateVettingStatus(request.status()));
        CONSULAR_RETURN_IF_ERROR(CheckText("note", request.note(), kMaxVettingNoteChars, true));
        CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        const std::string id = absl::AsciiStrToLower(request.partner_id());
        const absl::Time now = clock_.Now();
        return ChangePartner(tx, crypto_, who, "SetVetting", request, request.request_id(), id,
                             request.expected_version(), out,
                             [&](PartnerStore& store, Partner p, Partner* vetted) -> absl::Status {
                               p.set_vetting_status(request.status());
                               p.set_vetting_note(request.note());
                               p.set_vetted_by(who.subject);
                               *p.mutable_vetted_at() = ToTimestamp(now);
                               NextVersion(p, now);
                               store.Update(p);
                               *vetted = std::move(p);
                               return absl::OkStatus();
                             });
      });
}

absl::Status ContactsManager::DeactivatePartner(
    const Identity& who, const consular::v1::DeactivatePartnerRequest& request, absl::Time deadline,
    Partner* out) {
  return RunAuditedCall(
      runner_, who, "PartnerService.DeactivatePartner", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayWritePartners(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("partner_id", request.partner_id()));
        CONSULAR_RETURN_IF_ERROR(
            CheckText("reason", request.reason(), kMaxDeactivationReasonChars, true));
        CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        const std::string id = absl::AsciiStrToLower(request.partner_id());
        const absl::Time now = clock_.Now();
        return ChangePartner(
            tx, crypto_, who, "DeactivatePartner", request, request.request_id(), id,
            request.expected_version(), out,
            [&](PartnerStore& store, Partner p, Partner* deactivated) -> absl::Status {
              p.set_active(false);
              *p.mutable_deactivated_at() = ToTimestamp(now);
              p.set_deactivated_by(who.subject);
              NextVersion(p, now);
              store.Update(p, request.reason());
              *deactivated = std::move(p);
              return absl::OkStatus();
            });
      });
}

absl::Status ContactsManager::SetAccreditation(const Identity& who,
                                               const consular::v1::SetAccreditationRequest& request,
                                               absl::Time deadline,
                                               consular::v1::Accreditation* out) {
  return RunAuditedCall(
      runner_, who, "PartnerService.SetAccreditation", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMaySetAccreditation(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(ValidatePostCode("post", request.post()));
        std::set<std::string> countries;
        for (int i = 0; i < request.countries_size(); ++i) {
          const std::string field = absl::StrCat("countries[", i, "]");
          CONSULAR_RETURN_IF_ERROR(ValidatePartnerCountry(field, request.countries(i)));
          if (!countries.insert(request.countries(i)).second) {
            return InvalidField(field, "listed twice");
          }
        }
        const absl::Time now = clock_.Now();
        return RunIdempotent<consular::v1::Accreditation>(
            tx, crypto_, who, "SetAccreditation", request, request.request_id(), out,
            [&](PartnerStore& store, consular::v1::Accreditation* set) -> absl::Status {
              const std::optional<consular::v1::Unit> unit =
                  storage::UnitStore(tx).Find(request.post(), false);
              if (!unit || !unit->active()) {
                return InvalidField("post", absl::StrCat(request.post(),
                                                         " is not an active post of the register "
                                                         "of units"));
              }
              store.SetAccreditation(request.post(), {countries.begin(), countries.end()},
                                     who.subject, ToTimestamp(now));
              *set = store.GetAccreditation(request.post());
              return absl::OkStatus();
            });
      });
}

absl::Status ContactsManager::GetAccreditation(const Identity& who,
                                               const consular::v1::GetAccreditationRequest& request,
                                               absl::Time deadline,
                                               consular::v1::Accreditation* out) {
  return RunAuditedCall(
      runner_, who, "PartnerService.GetAccreditation", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadPartners(who));
        CONSULAR_RETURN_IF_ERROR(ValidatePostCode("post", request.post()));
        *out = PartnerStore(tx, crypto_).GetAccreditation(request.post());
        return absl::OkStatus();
      });
}

}  // namespace consular::contacts

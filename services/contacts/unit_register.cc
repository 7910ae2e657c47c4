// ContactsManager, the register of units: CreateUnit, GetUnit, ListUnits, AccreditUnit,
// UnaccreditUnit, SetUnitActive, UpdateUnit (docs/contacts.md, "The register of units"). A post's
// accreditation is kept where the partner directory reads it (contacts.accreditations).
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/validation.h"
#include "services/contacts/contacts_manager.h"
#include "services/contacts/partner_rules.h"
#include "storage/partner_store.h"
#include "storage/unit_store.h"

namespace consular::contacts {
namespace {

using consular::v1::Unit;
using storage::PartnerStore;
using storage::UnitStore;

constexpr size_t kMaxUnitNameChars = 200;
constexpr size_t kMaxUnitCityChars = 100;
constexpr size_t kMaxCloseReasonChars = 300;

absl::Status UnitNotFound(const std::string& code) {
  return absl::NotFoundError(absl::StrCat("unit ", code, " is not in the register of units"));
}

// The register is written by administrators only.
absl::Status CheckMayAdministerUnits(const Identity& who) {
  if (who.role == consular::v1::ROLE_ADMINISTRATOR) return absl::OkStatus();
  return absl::PermissionDeniedError("the register of units is kept by administrators");
}

// A unit code (^[A-Z][A-Z0-9-]{1,31}$; LKHA included).
absl::Status ValidateUnitCode(const std::string& field, const std::string& code) {
  if (code.empty()) return InvalidField(field, "required: a unit code such as RABAT");
  if (code == kLkhaUnit) return absl::OkStatus();
  return ValidatePostCode(field, code);
}

// The countries of an accreditation change: at least one, each a valid country, each once.
absl::StatusOr<std::vector<std::string>> CountriesOf(
    const std::string& name, const google::protobuf::RepeatedPtrField<std::string>& countries) {
  if (countries.empty()) return InvalidField(name, "required: at least one country");
  std::set<std::string> seen;
  for (int i = 0; i < countries.size(); ++i) {
    const std::string field = absl::StrCat(name, "[", i, "]");
    CONSULAR_RETURN_IF_ERROR(ValidatePartnerCountry(field, countries[i]));
    if (!seen.insert(countries[i]).second) return InvalidField(field, "listed twice");
  }
  return std::vector<std::string>(seen.begin(), seen.end());
}

// The unit with its accredited countries (a post's).
Unit WithAccreditation(PartnerStore& partners, Unit u) {
  if (u.kind() == consular::v1::UNIT_KIND_POST) {
    *u.mutable_accredited_countries() = partners.GetAccreditation(u.code()).countries();
  }
  return u;
}

// Runs a mutation of the register once per (actor, request id) in contacts.idempotency.
template <typename Response>
absl::Status RunIdempotentUnit(pqxx::transaction_base& tx, const storage::FieldCrypto& crypto,
                               const Identity& who, const std::string& method,
                               const google::protobuf::Message& request,
                               const std::string& request_id, Response* out,
                               const std::function<absl::Status(Response*)>& work) {
  return RunIdempotentCall<Response>(
      tx, *crypto.cipher, *crypto.blind_index, storage::IdempotencyTable::kContacts, who, method,
      request, request_id, out,
      // The register is not scoped beyond the caller's role, which every call checks afresh.
      [](const Response&) { return absl::OkStatus(); }, work);
}

// Changes the post `code` once per request id: finds it locked, checks it is a post at
// `expected_version`, and hands it to `change`, which edits it; the change is saved with the next
// version (unless `change` left it as it was) and returned with its accreditation.
absl::Status ChangeUnit(
    pqxx::transaction_base& tx, const storage::FieldCrypto& crypto, const Identity& who,
    const std::string& method, const google::protobuf::Message& request,
    const std::string& request_id, const std::string& code, int64_t expected_version,
    absl::Time now, Unit* out,
    const std::function<absl::Status(PartnerStore&, Unit*, bool* changed)>& change) {
  return RunIdempotentUnit<Unit>(tx, crypto, who, method, request, request_id, out,
                                 [&](Unit* changed_unit) -> absl::Status {
    UnitStore units(tx);
    PartnerStore partners(tx, crypto);
    std::optional<Unit> current = units.Find(code, true);
    if (!current) return UnitNotFound(code);
    if (current->kind() != consular::v1::UNIT_KIND_POST) {
      return absl::FailedPreconditionError(
          absl::StrCat(code, " is not a post: only posts are accredited, closed or renamed"));
    }
    if (current->version() != expected_version) {
      return absl::AbortedError(absl::StrCat("unit ", code, " is at version ", current->version(),
                                             ", not ", expected_version,
                                             "; read it again and retry"));
    }
    Unit u = *current;
    bool changed = false;
    CONSULAR_RETURN_IF_ERROR(change(partners, &u, &changed));
    if (changed) {
      u.set_version(u.version() + 1);
      u.set_updated_by(who.subject);
      *u.mutable_updated_at() = ToTimestamp(now);
      units.Update(u);
    }
    *changed_unit = WithAccreditation(partners, std::move(u));
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status ContactsManager::CreateUnit(const Identity& who,
                                         const consular::v1::CreateUnitRequest& request,
                                         absl::Time deadline, Unit* out) {
  return RunAuditedCall(
      runner_, who, "UnitService.CreateUnit", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayAdministerUnits(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        if (!request.has_unit()) return InvalidField("unit", "required");
        const Unit& in = request.unit();
        CONSULAR_RETURN_IF_ERROR(ValidatePostCode("unit.code", in.code()));
        if (in.kind() != consular::v1::UNIT_KIND_UNSPECIFIED &&
            in.kind() != consular::v1::UNIT_KIND_POST) {
          return InvalidField("unit.kind", "a new unit is a post (LKHA exists already)");
        }
        CONSULAR_RETURN_IF_ERROR(CheckText("unit.name", in.name(), kMaxUnitNameChars, true));
        CONSULAR_RETURN_IF_ERROR(CheckText("unit.city", in.city(), kMaxUnitCityChars, false));
        CONSULAR_RETURN_IF_ERROR(ValidatePartnerCountry("unit.country", in.country()));
        std::vector<std::string> accredited;
        if (!in.accredited_countries().empty()) {
          CONSULAR_ASSIGN_OR_RETURN(
              accredited, CountriesOf("unit.accredited_countries", in.accredited_countries()));
        }
        const absl::Time now = clock_.Now();
        return RunIdempotentUnit<Unit>(
            tx, crypto_, who, "CreateUnit", request, request.request_id(), out,
            [&](Unit* created) -> absl::Status {
              UnitStore units(tx);
              if (units.Find(in.code(), false)) {
                return absl::AlreadyExistsError(
                    absl::StrCat("unit ", in.code(), " is in the register already"));
              }
              Unit u;
              u.set_code(in.code());
              u.set_kind(consular::v1::UNIT_KIND_POST);
              u.set_name(in.name());
              u.set_city(in.city());
              u.set_country(in.country());
              u.set_active(true);
              u.set_version(1);
              u.set_created_by(who.subject);
              *u.mutable_created_at() = ToTimestamp(now);
              u.set_updated_by(who.subject);
              *u.mutable_updated_at() = ToTimestamp(now);
              units.Insert(u);
              PartnerStore partners(tx, crypto_);
              if (!accredited.empty()) {
                partners.SetAccreditation(u.code(), accredited, who.subject, ToTimestamp(now));
              }
              *created = WithAccreditation(partners, std::move(u));
              return absl::OkStatus();
            });
      });
}

absl::Status ContactsManager::GetUnit(const Identity& who,
                                      const consular::v1::GetUnitRequest& request,
                                      absl::Time deadline, Unit* out) {
  return RunAuditedCall(
      runner_, who, "UnitService.GetUnit", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadPartners(who));
        CONSULAR_RETURN_IF_ERROR(ValidateUnitCode("code", request.code()));
        std::optional<Unit> found = UnitStore(tx).Find(request.code(), false);
        if (!found) return UnitNotFound(request.code());
        PartnerStore partners(tx, crypto_);
        *out = WithAccreditation(partners, *std::move(found));
        return absl::OkStatus();
      });
}

absl::Status ContactsManager::ListUnits(const Identity& who,
                                        const consular::v1::ListUnitsRequest& request,
                                        absl::Time deadline,
                                        consular::v1::ListUnitsResponse* out) {
  return RunAuditedCall(
      runner_, who, "UnitService.ListUnits", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadPartners(who));
        if (!request.accredited_to().empty()) {
          CONSULAR_RETURN_IF_ERROR(ValidatePartnerCountry("accredited_to", request.accredited_to()));
        }
        PartnerStore partners(tx, crypto_);
        out->Clear();
        for (Unit& u : UnitStore(tx).List(request.accredited_to(), request.include_inactive())) {
          *out->add_units() = WithAccreditation(partners, std::move(u));
        }
        return absl::OkStatus();
      });
}

absl::Status ContactsManager::AccreditUnit(const Identity& who,
                                           const consular::v1::AccreditUnitRequest& request,
                                           absl::Time deadline, Unit* out) {
  return RunAuditedCall(
      runner_, who, "UnitService.AccreditUnit", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayAdministerUnits(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateUnitCode("code", request.code()));
        CONSULAR_ASSIGN_OR_RETURN(std::vector<std::string> added,
                                  CountriesOf("countries", request.countries()));
        CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        const absl::Time now = clock_.Now();
        return ChangeUnit(
            tx, crypto_, who, "AccreditUnit", request, request.request_id(), request.code(),
            request.expected_version(), now, out,
            [&](PartnerStore& partners, Unit* u, bool* changed) -> absl::Status {
              if (!u->active()) {
                return absl::FailedPreconditionError(
                    absl::StrCat(u->code(), " is closed: reopen it first"));
              }
              const consular::v1::Accreditation now_held = partners.GetAccreditation(u->code());
              std::set<std::string> countries(now_held.countries().begin(),
                                              now_held.countries().end());
              const size_t before = countries.size();
              countries.insert(added.begin(), added.end());
              if (countries.size() == before) return absl::OkStatus();  // nothing new
              partners.SetAccreditation(u->code(), {countries.begin(), countries.end()},
                                        who.subject, ToTimestamp(now));
              *changed = true;
              return absl::OkStatus();
            });
      });
}

absl::Status ContactsManager::UnaccreditUnit(const Identity& who,
                                             const consular::v1::UnaccreditUnitRequest& request,
                                             absl::Time deadline, Unit* out) {
  return RunAuditedCall(
      runner_, who, "UnitService.UnaccreditUnit", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayAdministerUnits(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateUnitCode("code", request.code()));
        CONSULAR_ASSIGN_OR_RETURN(std::vector<std::string> removed,
                                  CountriesOf("countries", request.countries()));
        CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        const absl::Time now = clock_.Now();
        return ChangeUnit(
            tx, crypto_, who, "UnaccreditUnit", request, request.request_id(), request.code(),
            request.expected_version(), now, out,
            [&](PartnerStore& partners, Unit* u, bool* changed) -> absl::Status {
              const consular::v1::Accreditation held = partners.GetAccreditation(u->code());
              std::set<std::string> countries(held.countries().begin(), held.countries().end());
              for (int i = 0; i < request.countries_size(); ++i) {
                if (countries.count(request.countries(i)) == 0) {
                  return InvalidField(absl::StrCat("countries[", i, "]"),
                                      absl::StrCat(u->code(), " is not accredited to ",
                                                   request.countries(i)));
                }
              }
              for (const std::string& c : removed) countries.erase(c);
              partners.SetAccreditation(u->code(), {countries.begin(), countries.end()},
                                        who.subject, ToTimestamp(now));
              *changed = true;
              return absl::OkStatus();
            });
      });
}

absl::Status ContactsManager::SetUnitActive(const Identity& who,
                                            const consular::v1::SetUnitActiveRequest& request,
                                            absl::Time deadline, Unit* out) {
  return RunAuditedCall(
      runner_, who, "UnitService.SetUnitActive", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayAdministerUnits(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateUnitCode("code", request.code()));
        if (request.active()) {
          if (!request.reason().empty()) {
            return InvalidField("reason", "only when closing a post (active false)");
          }
        } else {
          CONSULAR_RETURN_IF_ERROR(
              CheckText("reason", request.reason(), kMaxCloseReasonChars, true));
        }
        CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        const absl::Time now = clock_.Now();
        return ChangeUnit(tx, crypto_, who, "SetUnitActive", request, request.request_id(),
                          request.code(), request.expected_version(), now, out,
                          [&](PartnerStore&, Unit* u, bool* changed) -> absl::Status {
                            if (u->active() == request.active()) {
                              return absl::FailedPreconditionError(absl::StrCat(
                                  u->code(), request.active() ? " is open" : " is closed",
                                  " already"));
                            }
                            // Nobody could work a case left at a closed post.
                            if (!request.active()) {
                              const int64_t open = UnitStore(tx).OpenCaseCount(u->code());
                              if (open > 0) {
                                return absl::FailedPreconditionError(absl::StrCat(
                                    u->code(), " still handles ", open,
                                    " case(s) that are not closed: refer them to another post "
                                    "first"));
                              }
                            }
                            u->set_active(request.active());
                            u->set_inactive_reason(request.active() ? "" : request.reason());
                            *changed = true;
                            return absl::OkStatus();
                          });
      });
}

absl::Status ContactsManager::UpdateUnit(const Identity& who,
                                         const consular::v1::UpdateUnitRequest& request,
                                         absl::Time deadline, Unit* out) {
  return RunAuditedCall(
      runner_, who, "UnitService.UpdateUnit", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayAdministerUnits(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        CONSULAR_RETURN_IF_ERROR(ValidateUnitCode("code", request.code()));
        if (request.name().empty() && request.city().empty()) {
          return InvalidField("name", "give a new name or a new city (city)");
        }
        CONSULAR_RETURN_IF_ERROR(CheckText("name", request.name(), kMaxUnitNameChars, false));
        CONSULAR_RETURN_IF_ERROR(CheckText("city", request.city(), kMaxUnitCityChars, false));
        CONSULAR_RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version()));
        const absl::Time now = clock_.Now();
        return ChangeUnit(tx, crypto_, who, "UpdateUnit", request, request.request_id(),
                          request.code(), request.expected_version(), now, out,
                          [&](PartnerStore&, Unit* u, bool* changed) -> absl::Status {
                            if (!request.name().empty() && request.name() != u->name()) {
                              u->set_name(request.name());
                              *changed = true;
                            }
                            if (!request.city().empty() && request.city() != u->city()) {
                              u->set_city(request.city());
                              *changed = true;
                            }
                            return absl::OkStatus();
                          });
      });
}

}  // namespace consular::contacts

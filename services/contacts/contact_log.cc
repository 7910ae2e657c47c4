// ContactsManager, the contact log: LogContact, UpdateContact, ListContacts, ListFollowUpsDue,
// CompleteFollowUp. The partner directory is in partner_directory.cc.
#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/time_util.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "proto/dates.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/idempotent_call.h"
#include "services/common/ids.h"
#include "services/common/page_token.h"
#include "services/common/paging.h"
#include "services/common/validation.h"
#include "services/contacts/contact_rules.h"
#include "services/contacts/contacts_manager.h"
#include "storage/contact_store.h"

namespace consular::contacts {
namespace {

using consular::v1::Contact;
using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::TimeUtil;
using storage::ContactStore;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

// The contact log is for staff who work cases: officers, post managers, LKHA caseworkers.
absl::Status CheckContactServiceAccess(const Identity& who) {
  if (!UnitOf(who).empty()) return absl::OkStatus();
  return absl::PermissionDeniedError("this role has no access to the contact log");
}

absl::Status CheckVersion(const Contact& current, int64_t expected) {
  if (expected <= 0) return InvalidField("expected_version", "required: the version you read");
  if (current.version() != expected) {
    return absl::AbortedError(absl::StrCat("contact ", current.id(), " is at version ",
                                           current.version(), ", not ", expected,
                                           "; read it again and retry"));
  }
  return absl::OkStatus();
}

// The case a contact is logged on must be one the caller may change, and not closed.
absl::Status CheckCaseWritable(const storage::CaseAccessRow& c) {
  if (c.access != consular::v1::CASE_ACCESS_HANDLING &&
      c.access != consular::v1::CASE_ACCESS_SHARED_READ_WRITE) {
    return absl::PermissionDeniedError(
        absl::StrCat("case ", c.reference,
                     " is not yours to change: contacts are logged by the "
                     "unit handling it or holding a read-write share"));
  }
  if (c.anonymised) {
    return absl::FailedPreconditionError(
        absl::StrCat("case ", c.reference, " is anonymised: it can no longer be changed"));
  }
  if (c.status == consular::v1::CASE_STATUS_CLOSED) {
    return absl::FailedPreconditionError(
        absl::StrCat("case ", c.reference, " is closed; a post manager must reopen it first"));
  }
  return absl::OkStatus();
}

consular::v1::CaseEvent ContactEvent(const Identity& who, consular::v1::CaseEventType type,
                                     const Contact& c, absl::Time now) {
  consular::v1::CaseEvent event;
  event.set_type(type);
  event.set_actor(who.subject);
  event.set_actor_role(who.role);
  event.set_actor_post(who.post);
  *event.mutable_occurred_at() = ToTimestamp(now);
  event.set_contact_id(c.id());
  event.set_partner_kind(c.partner_kind());
  event.set_contact_purpose(c.purpose());
  return event;
}

absl::Status NotFound(const std::string& what, const std::string& id) {
  return absl::NotFoundError(absl::StrCat(what, " ", id, " not found"));
}

// Appends `event` to the timeline of case `case_id` (locking the case row), and checks again that
// the change is allowed once the row is locked: a close or revocation committed meanwhile is seen
// here.
absl::Status LockCaseForChange(ContactStore& store, const std::string& case_id,
                               const consular::v1::CaseEvent& event) {
  store.AppendCaseEvent(case_id, event);
  std::optional<storage::CaseAccessRow> locked = store.FindCase(case_id);
  if (!locked) return NotFound("case", case_id);
  return CheckCaseWritable(*locked);
}

template <typename Response>
void AddPage(std::vector<Contact> contacts, int page_size, const std::string& kind,
             const std::string& filters, Response* out) {
  FillPage(
      std::move(contacts), page_size, out->mutable_contacts(), out->mutable_next_page_token(),
      [&](const Contact& last) {
        return EncodePageToken(
            kind, filters,
            {std::to_string(TimeUtil::TimestampToMicroseconds(last.occurred_at())), last.id()});
      });
}

absl::StatusOr<std::optional<storage::ContactCursor>> DecodeCursor(const std::string& token,
                                                                   const std::string& kind,
                                                                   const std::string& filters) {
  if (token.empty()) return std::optional<storage::ContactCursor>();
  auto fields = DecodePageToken(token, kind, filters, 2);
  if (!fields.ok()) return fields.status();
  if (!LooksLikeUuid((*fields)[1])) return InvalidField("page_token", "malformed");
  return std::optional<storage::ContactCursor>(storage::ContactCursor{(*fields)[0], (*fields)[1]});
}

// The replay rule of the contact log's mutations: the contact's case must still be visible to the
// caller (its unit, a live share), else NOT_FOUND naming what a fresh call would name. The audit
// row names the case either way.
absl::Status ContactCaseStillVisible(pqxx::transaction_base& tx, const storage::FieldCrypto& crypto,
                                     const Contact& stored, const std::string& kind,
                                     const std::string& id, storage::AuditRecord* audit) {
  audit->case_id = stored.case_id();
  std::optional<storage::CaseAccessRow> c = ContactStore(tx, crypto).FindCase(stored.case_id());
  if (!c || c->access == consular::v1::CASE_ACCESS_UNSPECIFIED) return NotFound(kind, id);
  return absl::OkStatus();
}

// A contact with a person on the case (ad_hoc.person_id): the person must be on it, and one marked
// do-not-contact is never contacted (an OUTGOING contact is FAILED_PRECONDITION). The message
// names the person's role, never the name.
absl::Status CheckPersonContact(ContactStore& store, const storage::CaseAccessRow& c,
                                const Contact& contact) {
  if (contact.counterpart_case() != Contact::kAdHoc || contact.ad_hoc().person_id().empty()) {
    return absl::OkStatus();
  }
  const std::string id = absl::AsciiStrToLower(contact.ad_hoc().person_id());
  for (const consular::v1::Person& person : store.CasePersons(c.id)) {
    if (person.id() != id) continue;
    if (person.do_not_contact() &&
        contact.direction() == consular::v1::CONTACT_DIRECTION_OUTGOING) {
      return absl::FailedPreconditionError(absl::StrCat(
          "case ", c.reference, ": this person (",
          absl::AsciiStrToLower(absl::StripPrefix(consular::v1::PersonRole_Name(person.role()),
                                                  "PERSON_ROLE_")),
          ") is marked do not contact: an outgoing contact with them cannot be logged"));
    }
    return absl::OkStatus();
  }
  return InvalidField("contact.ad_hoc.person_id",
                      absl::StrCat("not a person on case ", c.reference));
}

}  // namespace

absl::Status ContactsManager::LogContact(const Identity& who,
                                         const consular::v1::LogContactRequest& request,
                                         absl::Time deadline, Contact* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ContactService.LogContact", request.contact().case_id(), now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckContactServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        if (!request.has_contact()) return InvalidField("contact", "required");
        const Contact& in = request.contact();
        CONSULAR_RETURN_IF_ERROR(ValidateCaseId("contact.case_id", in.case_id()));
        switch (in.counterpart_case()) {
          case Contact::kPartnerId:
            if (!LooksLikeUuid(in.partner_id())) {
              return InvalidField("contact.partner_id", "must be a UUID");
            }
            break;
          case Contact::kAdHoc:
            CONSULAR_RETURN_IF_ERROR(ValidateAdHoc(in.ad_hoc()));
            break;
          default:
            return InvalidField("contact.partner_id",
                                "required: a directory partner or an ad_hoc contact");
        }
        CONSULAR_RETURN_IF_ERROR(ValidateContactContent(in, now));
        return RunIdempotentCall<Contact>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kContacts, who,
            "LogContact", request, request.request_id(), out,
            [&](const Contact& stored) {
              return ContactCaseStillVisible(tx, crypto_, stored, "case", in.case_id(), audit);
            },
            [&](Contact* logged) -> absl::Status {
              ContactStore store(tx, crypto_);
              std::optional<storage::CaseAccessRow> c = store.FindCase(in.case_id());
              if (!c || c->access == consular::v1::CASE_ACCESS_UNSPECIFIED) {
                return NotFound("case", in.case_id());
              }
              audit->case_id = c->id;
              CONSULAR_RETURN_IF_ERROR(CheckCaseWritable(*c));
              CONSULAR_RETURN_IF_ERROR(CheckPersonContact(store, *c, in));
              *logged = in;
              logged->set_partner_kind(consular::v1::PARTNER_KIND_OTHER);
              if (in.counterpart_case() == Contact::kPartnerId) {
                std::optional<storage::PartnerSummary> partner =
                    store.FindPartner(absl::AsciiStrToLower(in.partner_id()));
                if (!partner) return NotFound("partner", in.partner_id());
                if (!partner->active) {
                  return absl::FailedPreconditionError(
                      absl::StrCat("partner ", partner->name,
                                   " is deactivated and cannot be used for a new "
                                   "contact"));
                }
                if (partner->suspended) {
                  return absl::FailedPreconditionError(
                      absl::StrCat("partner ", partner->name,
                                   " is suspended (vetting) and cannot be used for a new contact"));
                }
                logged->set_partner_id(partner->id);
                logged->set_partner_kind(partner->kind);
                logged->set_partner_name(partner->name);
              }
              logged->set_id(NewUuid());
              logged->set_case_id(c->id);
              logged->set_case_reference(c->reference);
              logged->set_country(c->country);
              logged->clear_follow_up_done_at();
              logged->clear_follow_up_done_by();
              logged->set_logged_by(who.subject);
              logged->set_logged_by_unit(UnitOf(who));
              *logged->mutable_created_at() = ToTimestamp(now);
              *logged->mutable_updated_at() = ToTimestamp(now);
              logged->set_version(1);
              CONSULAR_RETURN_IF_ERROR(LockCaseForChange(
                  store, c->id,
                  ContactEvent(who, consular::v1::CASE_EVENT_TYPE_CONTACT_LOGGED, *logged, now)));
              store.Insert(*logged);
              return absl::OkStatus();
            });
      });
}

absl::Status ContactsManager::UpdateContact(const Identity& who,
                                            const consular::v1::UpdateContactRequest& request,
                                            absl::Time deadline, Contact* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ContactService.UpdateContact", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckContactServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        if (!LooksLikeUuid(request.contact().id())) {
          return InvalidField("contact.id", "required: the contact's UUID");
        }
        CONSULAR_RETURN_IF_ERROR(CheckUpdateMaskShape(request.update_mask()));
        static const std::vector<std::string> kPaths = {
            "occurred_at", "channel", "direction", "purpose", "outcome", "follow_up_due", "note"};
        for (const std::string& path : request.update_mask().paths()) {
          if (std::find(kPaths.begin(), kPaths.end(), path) == kPaths.end()) {
            return InvalidField("update_mask", absl::StrCat("cannot update \"", path, "\""));
          }
        }
        if (request.expected_version() <= 0) {
          return InvalidField("expected_version", "required: the version you read");
        }
        return RunIdempotentCall<Contact>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kContacts, who,
            "UpdateContact", request, request.request_id(), out,
            [&](const Contact& stored) {
              return ContactCaseStillVisible(tx, crypto_, stored, "contact", stored.id(), audit);
            },
            [&](Contact* updated) -> absl::Status {
              ContactStore store(tx, crypto_);
              const std::string id = absl::AsciiStrToLower(request.contact().id());
              std::optional<Contact> current = store.Find(id, true);
              if (!current) return NotFound("contact", id);
              audit->case_id = current->case_id();
              std::optional<storage::CaseAccessRow> c = store.FindCase(current->case_id());
              if (!c) return NotFound("contact", id);
              CONSULAR_RETURN_IF_ERROR(CheckCaseWritable(*c));
              CONSULAR_RETURN_IF_ERROR(CheckVersion(*current, request.expected_version()));
              Contact merged = *current;
              FieldMaskUtil::MergeOptions options;
              options.set_replace_message_fields(true);
              FieldMaskUtil::MergeMessageTo(request.contact(), request.update_mask(), options,
                                            &merged);
              CONSULAR_RETURN_IF_ERROR(ValidateContactContent(merged, now));
              CONSULAR_RETURN_IF_ERROR(CheckPersonContact(store, *c, merged));
              if (merged.SerializeAsString() == current->SerializeAsString()) {
                *updated = std::move(*current);
                return absl::OkStatus();
              }
              merged.set_version(current->version() + 1);
              *merged.mutable_updated_at() = ToTimestamp(now);
              CONSULAR_RETURN_IF_ERROR(LockCaseForChange(
                  store, c->id,
                  ContactEvent(who, consular::v1::CASE_EVENT_TYPE_CONTACT_UPDATED, merged, now)));
              store.Update(merged);
              *updated = std::move(merged);
              return absl::OkStatus();
            });
      });
}

absl::Status ContactsManager::ListContacts(const Identity& who,
                                           const consular::v1::ListContactsRequest& request,
                                           absl::Time deadline,
                                           consular::v1::ListContactsResponse* out) {
  const std::string case_hint =
      request.of_case() == consular::v1::ListContactsRequest::kCaseId ? request.case_id() : "";
  return RunAuditedCall(
      runner_, who, "ContactService.ListContacts", case_hint, clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckContactServiceAccess(who));
        CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                  PageSizeOf(request.page_size(), kDefaultPageSize, kMaxPageSize));
        out->Clear();
        ContactStore store(tx, crypto_);
        if (request.of_case() == consular::v1::ListContactsRequest::kCaseId) {
          CONSULAR_RETURN_IF_ERROR(ValidateCaseId("case_id", request.case_id()));
          auto after = DecodeCursor(request.page_token(), "contacts-of-case", request.case_id());
          if (!after.ok()) return after.status();
          std::optional<storage::CaseAccessRow> c = store.FindCase(request.case_id());
          if (!c || c->access == consular::v1::CASE_ACCESS_UNSPECIFIED) {
            return NotFound("case", request.case_id());
          }
          RecordCaseReached(c->id, c->access, audit);
          AddPage(store.ListByCase(c->id, *after, FetchLimit(page_size)), page_size,
                  "contacts-of-case", request.case_id(), out);
          return absl::OkStatus();
        }
        if (request.of_case() == consular::v1::ListContactsRequest::kPartnerId) {
          if (!LooksLikeUuid(request.partner_id())) {
            return InvalidField("partner_id", "must be a UUID");
          }
          const std::string partner_id = absl::AsciiStrToLower(request.partner_id());
          auto after = DecodeCursor(request.page_token(), "contacts-of-partner", partner_id);
          if (!after.ok()) return after.status();
          AddPage(store.ListByPartner(partner_id, *after, FetchLimit(page_size)), page_size,
                  "contacts-of-partner", partner_id, out);
          return absl::OkStatus();
        }
        return InvalidField("case_id", "required: a case_id or a partner_id");
      });
}

absl::Status ContactsManager::ListFollowUpsDue(const Identity& who,
                                               const consular::v1::ListFollowUpsDueRequest& request,
                                               absl::Time deadline,
                                               consular::v1::ListFollowUpsDueResponse* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ContactService.ListFollowUpsDue", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* /*audit*/) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckContactServiceAccess(who));
        const consular::v1::Date far_future =
            DateOf(absl::FromCivil(absl::CivilDay(9999, 12, 31), absl::UTCTimeZone()));
        CONSULAR_RETURN_IF_ERROR(CheckDate("due_from", request.due_from(), far_future, true));
        CONSULAR_RETURN_IF_ERROR(CheckDate("due_to", request.due_to(), far_future, true));
        const consular::v1::Date today = DateOf(now);
        const consular::v1::Date to = IsSet(request.due_to()) ? request.due_to() : today;
        if (IsSet(request.due_from()) && CompareDates(to, request.due_from()) < 0) {
          return InvalidField("due_to", "is before due_from");
        }
        CONSULAR_ASSIGN_OR_RETURN(int page_size,
                                  PageSizeOf(request.page_size(), kDefaultPageSize, kMaxPageSize));
        const std::string from = IsSet(request.due_from()) ? FormatDate(request.due_from()) : "";
        const std::string filters = absl::StrCat(from, "/", FormatDate(to));
        auto after = DecodeCursor(request.page_token(), "follow-ups", filters);
        if (!after.ok()) return after.status();
        out->Clear();
        std::vector<Contact> due =
            ContactStore(tx, crypto_)
                .ListFollowUpsDue(UnitOf(who), from, FormatDate(to), *after, FetchLimit(page_size));
        const bool more = TakePage(due, page_size);
        const absl::CivilDay today_day = ToCivilDay(today);
        for (Contact& c : due) {
          consular::v1::FollowUpDue* item = out->add_follow_ups();
          const absl::CivilDay due_day = ToCivilDay(c.follow_up_due());
          item->set_overdue(due_day < today_day);
          item->set_days_overdue(due_day < today_day ? static_cast<int>(today_day - due_day) : 0);
          *item->mutable_contact() = std::move(c);
        }
        if (more) {
          const Contact& last = out->follow_ups(out->follow_ups_size() - 1).contact();
          out->set_next_page_token(EncodePageToken("follow-ups", filters,
                                                   {FormatDate(last.follow_up_due()), last.id()}));
        }
        return absl::OkStatus();
      });
}

absl::Status ContactsManager::CompleteFollowUp(const Identity& who,
                                               const consular::v1::CompleteFollowUpRequest& request,
                                               absl::Time deadline, Contact* out) {
  const absl::Time now = clock_.Now();
  return RunAuditedCall(
      runner_, who, "ContactService.CompleteFollowUp", "", now, deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord* audit) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckContactServiceAccess(who));
        CONSULAR_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
        if (!LooksLikeUuid(request.contact_id())) {
          return InvalidField("contact_id", "required: the contact's UUID");
        }
        if (request.expected_version() <= 0) {
          return InvalidField("expected_version", "required: the version you read");
        }
        return RunIdempotentCall<Contact>(
            tx, *crypto_.cipher, *crypto_.blind_index, storage::IdempotencyTable::kContacts, who,
            "CompleteFollowUp", request, request.request_id(), out,
            [&](const Contact& stored) {
              return ContactCaseStillVisible(tx, crypto_, stored, "contact", stored.id(), audit);
            },
            [&](Contact* done) -> absl::Status {
              ContactStore store(tx, crypto_);
              const std::string id = absl::AsciiStrToLower(request.contact_id());
              std::optional<Contact> current = store.Find(id, true);
              if (!current) return NotFound("contact", id);
              audit->case_id = current->case_id();
              std::optional<storage::CaseAccessRow> c = store.FindCase(current->case_id());
              if (!c) return NotFound("contact", id);
              CONSULAR_RETURN_IF_ERROR(CheckCaseWritable(*c));
              CONSULAR_RETURN_IF_ERROR(CheckVersion(*current, request.expected_version()));
              if (!IsSet(current->follow_up_due())) {
                return absl::FailedPreconditionError(
                    absl::StrCat("contact ", id, " has no follow-up"));
              }
              if (current->has_follow_up_done_at()) {
                return absl::FailedPreconditionError(absl::StrCat("the follow-up of contact ", id,
                                                                  " was done by ",
                                                                  current->follow_up_done_by()));
              }
              Contact c2 = std::move(*current);
              *c2.mutable_follow_up_done_at() = ToTimestamp(now);
              c2.set_follow_up_done_by(who.subject);
              c2.set_version(c2.version() + 1);
              *c2.mutable_updated_at() = ToTimestamp(now);
              CONSULAR_RETURN_IF_ERROR(LockCaseForChange(
                  store, c->id,
                  ContactEvent(who, consular::v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED, c2, now)));
              store.Update(c2);
              *done = std::move(c2);
              return absl::OkStatus();
            });
      });
}

}  // namespace consular::contacts

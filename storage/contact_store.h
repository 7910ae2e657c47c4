#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "storage/case_store.h"

// SQL for the contact log (schema "contacts", migration 0007). Runs in the caller's transaction and
// throws libpqxx exceptions, which the TransactionRunner maps to status codes. The ad-hoc contact's
// details and the note are encrypted here (FieldCipher, bound to table, column and contact id).
//
// Of the case service it uses only its documented interface (migration 0007): the read-only view
// cases.case_access and the function cases.append_contact_event.
namespace consular::storage {

// A case as another service may know it, and how the caller reaches it.
struct CaseAccessRow {
  std::string id;
  std::string reference;
  consular::v1::CaseStatus status = consular::v1::CASE_STATUS_UNSPECIFIED;
  std::string country;
  std::string handling_post;
  consular::v1::CaseAccess access = consular::v1::CASE_ACCESS_UNSPECIFIED;
  bool anonymised = false;  // a tombstone: nothing is logged on it any more
};

// What a contact needs of a directory partner.
struct PartnerSummary {
  std::string id;
  consular::v1::PartnerKind kind = consular::v1::PARTNER_KIND_UNSPECIFIED;
  std::string name;
  std::string country;
  bool active = false;
  bool suspended = false;
};

// Sort key of contacts of a case or partner (newest first) and of follow-ups (due date first).
struct ContactCursor {
  std::string key;  // occurred_at micros, or the due date YYYY-MM-DD
  std::string id;
};

class ContactStore {
 public:
  // `crypto.cipher` must not be null.
  ContactStore(pqxx::transaction_base& tx, FieldCrypto crypto);

  // The sealed columns of contacts.contacts, for key rotation (storage/key_rotation.h):
  // contacts.contacts.ad_hoc, contacts.contacts.note.
  static const std::vector<SealedColumn>& SealedColumns();

  // The case with this UUID or reference if the caller can see it (row-level security), with
  // the caller's access.
  std::optional<CaseAccessRow> FindCase(const std::string& id_or_reference);
  // The persons on the case `case_id` (Case.persons, decrypted from cases.cases.personal), as
  // the caller's policies let it be read; empty if it cannot be.
  std::vector<consular::v1::Person> CasePersons(const std::string& case_id);
  // Appends `event` (a CONTACT_* or FOLLOW_UP_COMPLETED event) to the case's timeline, locking the
  // case row; throws pqxx::insufficient_privilege if the caller may not change the case.
  // Returns the case's version.
  int64_t AppendCaseEvent(const std::string& case_id, const consular::v1::CaseEvent& event);

  // The partner with this id, if any.
  std::optional<PartnerSummary> FindPartner(const std::string& partner_id);

  void Insert(const consular::v1::Contact& contact);
  // Writes the mutable fields of `contact` (times, channel, direction, purpose, outcome,
  // follow-up, note, version, updated_at) to the row with its id.
  void Update(const consular::v1::Contact& contact);
  // The contact with this id if the caller can see its case; with `lock`, locked FOR UPDATE when
  // the caller may change it (returned unlocked otherwise).
  std::optional<consular::v1::Contact> Find(const std::string& id, bool lock);
  // Contacts of a case, or of a partner on cases the caller can see; newest first.
  std::vector<consular::v1::Contact> ListByCase(const std::string& case_id,
                                                const std::optional<ContactCursor>& after,
                                                int limit);
  std::vector<consular::v1::Contact> ListByPartner(const std::string& partner_id,
                                                   const std::optional<ContactCursor>& after,
                                                   int limit);
  // Open follow-ups on the cases (not closed) `unit` handles or holds a share of, due in [from, to] (YYYY-MM-DD;
  // empty from: no lower bound), by due date then id.
  std::vector<consular::v1::Contact> ListFollowUpsDue(const std::string& unit,
                                                      const std::string& from,
                                                      const std::string& to,
                                                      const std::optional<ContactCursor>& after,
                                                      int limit);

 private:
  consular::v1::Contact FromRow(const pqxx::row& row) const;

  pqxx::transaction_base& tx_;
  FieldCrypto crypto_;
};

}  // namespace consular::storage

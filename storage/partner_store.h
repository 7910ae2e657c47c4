#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "consular/v1/contacts.pb.h"
#include "crypto/field_cipher.h"
#include "storage/case_store.h"

// SQL for the partner directory (schema "contacts", migration 0006): partners and the countries
// each post is accredited to. Every function runs inside the caller's transaction, whose scope
// (storage::SetSessionScope) row-level security reads, and throws libpqxx exceptions, which the
// TransactionRunner maps to status codes.
//
// A partner's contact details, vetting note and deactivation reason never reach the database in
// plaintext: they are encrypted here with the FieldCipher, bound to {"contacts.partners",
// "<column>", partner id}. A value that does not decrypt throws std::runtime_error naming the
// table, column and row id only (a generic INTERNAL).
//
// Enum values are stored as their full consular.v1 names ("PARTNER_KIND_LAWYER").
namespace consular::storage {

// Filters of a partner listing; empty strings mean "any". Enum values are their proto names.
struct PartnerFilter {
  std::string country;
  std::string city;  // compared case-insensitively
  std::string kind;
  std::string specialism;
  std::string language;
  std::string vetting_status;
  bool include_inactive = false;
};

// The sort key of a partner in listings: country, city, name, then id (ascending).
struct PartnerCursor {
  std::string country;
  std::string city;
  std::string name;
  std::string id;
};

class PartnerStore {
 public:
  // `crypto.cipher` must not be null; the blind index is not used.
  PartnerStore(pqxx::transaction_base& tx, FieldCrypto crypto);

  // The sealed columns of contacts.partners and the contacts schema's idempotency table (created
  // with the partners, migration 0006), for key rotation (storage/key_rotation.h):
  // contacts.partners.contact_details, .vetting_note, .deactivation_reason,
  // contacts.idempotency.response.
  static const std::vector<SealedColumn>& SealedColumns();

  // Inserts a new partner: every field of `p` as it is. A deactivated partner needs
  // `deactivation_reason`.
  void Insert(const consular::v1::Partner& p, const std::string& deactivation_reason = "");
  // Writes every mutable field of `p` (all but id, kind, country and creation) to the row with
  // p.id(); a non-empty `deactivation_reason` is stored too (else the stored one is kept). Throws
  // std::runtime_error when no row changed (absent, or the policies refused).
  void Update(const consular::v1::Partner& p, const std::string& deactivation_reason = "");
  // The partner with this UUID, or nullopt. With `lock`, a partner the caller may change (the
  // UPDATE policy) is locked until the transaction ends (FOR UPDATE); one the caller may only read
  // is returned unlocked. `*locked` (if given) tells which.
  std::optional<consular::v1::Partner> Find(const std::string& id, bool lock,
                                            bool* locked = nullptr);
  // The stored deactivation reason of the partner (decrypted); "" when it is active or absent.
  std::string DeactivationReason(const std::string& id);
  // Up to `limit` partners matching `filter`, by (country, city, name, id), after `after`.
  std::vector<consular::v1::Partner> List(const PartnerFilter& filter,
                                          const std::optional<PartnerCursor>& after, int limit);

  // Accreditation: the countries of `post` (sorted), with who set the list last and when (unset
  // when the post never had one).
  consular::v1::Accreditation GetAccreditation(const std::string& post);
  // Replaces the post's list by `countries` (no DELETE: countries no longer listed keep their row
  // with accredited = false). Every row of the post records `updated_by` and `updated_at`.
  void SetAccreditation(const std::string& post, const std::vector<std::string>& countries,
                        const std::string& updated_by,
                        const google::protobuf::Timestamp& updated_at);
  // True if `post` is accredited to `country`.
  bool IsAccredited(const std::string& post, const std::string& country);

 private:
  std::string Seal(const std::string& plaintext, const AssociatedData& ad) const;
  std::string Open(const pqxx::field& field, const AssociatedData& ad) const;
  consular::v1::Partner PartnerFromRow(const pqxx::row& row) const;

  pqxx::transaction_base& tx_;
  FieldCrypto crypto_;
};

}  // namespace consular::storage

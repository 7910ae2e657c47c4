#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "consular/v1/contacts.pb.h"

// SQL for the register of units (schema "units", migration 0014): the posts and LKHA. Every
// function runs inside the caller's transaction, whose scope (storage::SetSessionScope)
// row-level security reads (everyone reads the register; administrators write it), and throws
// libpqxx exceptions, which the TransactionRunner maps to status codes. A post's accredited
// countries live in contacts.accreditations (storage::PartnerStore); these functions leave
// Unit.accredited_countries empty.
//
// Enum values are stored as their full consular.v1 names ("UNIT_KIND_POST").
namespace consular::storage {

class UnitStore {
 public:
  explicit UnitStore(pqxx::transaction_base& tx) : tx_(tx) {}

  // Inserts `u` as it is (code, kind, name, city, country, active, reason, version, creation).
  void Insert(const consular::v1::Unit& u);
  // Writes the mutable fields of `u` (name, city, active, inactive_reason, version, update) to
  // the row with u.code(). Throws std::runtime_error when no row changed.
  void Update(const consular::v1::Unit& u);
  // The unit with this code, or nullopt; with `lock`, locked until the transaction ends.
  std::optional<consular::v1::Unit> Find(const std::string& code, bool lock);
  // Every unit by code; only active ones unless `include_inactive`; with a non-empty
  // `accredited_to`, only the posts accredited to that country.
  std::vector<consular::v1::Unit> List(const std::string& accredited_to, bool include_inactive);
  // Whether `code` is an active unit of the register (units.is_active).
  bool IsActive(const std::string& code);
  // Whether `code` is in the register, open or closed.
  bool IsRegistered(const std::string& code);
  // How many cases that are not closed the unit handles (units.open_case_count: a count only).
  int64_t OpenCaseCount(const std::string& code);

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace consular::storage

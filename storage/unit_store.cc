#include "storage/unit_store.h"

#include <google/protobuf/util/time_util.h>

#include <stdexcept>

#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

using consular::v1::Unit;
using google::protobuf::util::TimeUtil;

#define UNIT_COLUMNS                                                                       \
  "u.code, u.kind, u.name, u.city, u.country, u.active, u.inactive_reason, u.version, "    \
  "u.created_by, " MICROS("u.created_at") ", u.updated_by, "                               \
  "COALESCE(" MICROS("u.updated_at") ", 0)"

constexpr char kInsertUnit[] =
    "INSERT INTO units.units (code, kind, name, city, country, active, inactive_reason, version, "
    "created_by, created_at, updated_by, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, " FROM_MICROS("$10") ", $11, " FROM_MICROS("$12")
    ")";

constexpr char kUpdateUnit[] =
    "UPDATE units.units SET name = $2, city = $3, active = $4, inactive_reason = $5, "
    "version = $6, updated_by = $7, updated_at = " FROM_MICROS("$8") " WHERE code = $1";

constexpr char kFindUnit[] = "SELECT " UNIT_COLUMNS " FROM units.units u WHERE u.code = $1";
constexpr char kFindUnitLocked[] =
    "SELECT " UNIT_COLUMNS " FROM units.units u WHERE u.code = $1 FOR UPDATE";

// $1 accredited to ('' any), $2 include inactive.
constexpr char kListUnits[] =
    "SELECT " UNIT_COLUMNS " FROM units.units u "
    "WHERE ($2 OR u.active) AND ($1 = '' OR EXISTS (SELECT FROM contacts.accreditations a "
    "  WHERE a.post = u.code AND a.country = $1 AND a.accredited)) "
    "ORDER BY u.code";

Unit UnitFromRow(const pqxx::row& row) {
  Unit u;
  u.set_code(row[0].as<std::string>());
  consular::v1::UnitKind kind = consular::v1::UNIT_KIND_UNSPECIFIED;
  if (!consular::v1::UnitKind_Parse(row[1].as<std::string>(), &kind)) {
    throw std::runtime_error("units.units: unknown kind of unit " + u.code());
  }
  u.set_kind(kind);
  u.set_name(row[2].as<std::string>());
  u.set_city(row[3].as<std::string>());
  u.set_country(row[4].as<std::string>());
  u.set_active(row[5].as<bool>());
  u.set_inactive_reason(row[6].as<std::string>());
  u.set_version(row[7].as<int64_t>());
  u.set_created_by(row[8].as<std::string>());
  *u.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(row[9].as<int64_t>());
  u.set_updated_by(row[10].as<std::string>());
  const int64_t updated = row[11].as<int64_t>();
  if (updated != 0) *u.mutable_updated_at() = TimeUtil::MicrosecondsToTimestamp(updated);
  return u;
}

}  // namespace

void UnitStore::Insert(const Unit& u) {
  ExecPrepared0(tx_, "unit_insert", kInsertUnit, u.code(), consular::v1::UnitKind_Name(u.kind()),
                u.name(), u.city(), u.country(), u.active(), u.inactive_reason(), u.version(),
                u.created_by(), Micros(u.created_at()), u.updated_by(), Micros(u.updated_at()));
}

void UnitStore::Update(const Unit& u) {
  const pqxx::result r =
      ExecPrepared(tx_, "unit_update", kUpdateUnit, u.code(), u.name(), u.city(), u.active(),
                   u.inactive_reason(), u.version(), u.updated_by(), Micros(u.updated_at()));
  if (r.affected_rows() != 1) throw std::runtime_error("units.units: no row updated");
}

std::optional<Unit> UnitStore::Find(const std::string& code, bool lock) {
  const pqxx::result r = lock ? ExecPrepared(tx_, "unit_find_locked", kFindUnitLocked, code)
                              : ExecPrepared(tx_, "unit_find", kFindUnit, code);
  if (r.empty()) return std::nullopt;
  return UnitFromRow(r[0]);
}

bool UnitStore::IsActive(const std::string& code) {
  return ExecPrepared(tx_, "unit_is_active", "SELECT units.is_active($1)", code)[0][0].as<bool>();
}

bool UnitStore::IsRegistered(const std::string& code) {
  return ExecPrepared(tx_, "unit_is_registered",
                      "SELECT EXISTS (SELECT FROM units.units WHERE code = $1)", code)[0][0]
      .as<bool>();
}

int64_t UnitStore::OpenCaseCount(const std::string& code) {
  return ExecPrepared(tx_, "unit_open_cases", "SELECT units.open_case_count($1)", code)[0][0]
      .as<int64_t>();
}

std::vector<Unit> UnitStore::List(const std::string& accredited_to, bool include_inactive) {
  std::vector<Unit> units;
  for (const pqxx::row& row :
       ExecPrepared(tx_, "unit_list", kListUnits, accredited_to, include_inactive)) {
    units.push_back(UnitFromRow(row));
  }
  return units;
}

}  // namespace consular::storage

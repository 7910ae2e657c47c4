#include "storage/partner_store.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "storage/idempotency.h"
#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

using consular::v1::Partner;
using google::protobuf::util::TimeUtil;

#define NULL_OR_FROM_MICROS(param) \
  "CASE WHEN " param "::bigint = 0 THEN NULL ELSE " FROM_MICROS(param) " END"

constexpr char kTable[] = "contacts.partners";

constexpr char kPartnerColumns[] =
    "p.id::text, p.kind, p.name, p.country, p.city, array_to_string(p.specialisms, ','), "
    "array_to_string(p.languages, ','), p.contact_details, p.vetting_status, p.vetting_note, "
    "COALESCE(p.vetted_by, ''), COALESCE(" MICROS("p.vetted_at") ", 0), p.active, "
    "COALESCE(" MICROS("p.deactivated_at") ", 0), COALESCE(p.deactivated_by, ''), p.created_by, "
    MICROS("p.created_at") ", " MICROS("p.updated_at") ", p.version";

constexpr char kInsertPartner[] =
    "INSERT INTO contacts.partners (id, kind, name, country, city, specialisms, languages, "
    "contact_details, vetting_status, vetting_note, vetted_by, vetted_at, active, deactivated_at, "
    "deactivated_by, deactivation_reason, created_by, created_at, updated_at, version) VALUES "
    "($1::uuid, $2, $3, $4, $5, $6::text[], $7::text[], $8, $9, NULLIF($10, ''::bytea), "
    "NULLIF($11, ''), " NULL_OR_FROM_MICROS("$12") ", $13, " NULL_OR_FROM_MICROS("$14") ", "
    "NULLIF($15, ''), NULLIF($16, ''::bytea), $17, " FROM_MICROS("$18") ", " FROM_MICROS("$19") ", "
    "$20)";

constexpr char kUpdatePartner[] =
    "UPDATE contacts.partners SET name = $2, city = $3, specialisms = $4::text[], "
    "languages = $5::text[], contact_details = $6, vetting_status = $7, "
    "vetting_note = NULLIF($8, ''::bytea), vetted_by = NULLIF($9, ''), "
    "vetted_at = " NULL_OR_FROM_MICROS("$10") ", active = $11, "
    "deactivated_at = " NULL_OR_FROM_MICROS("$12") ", deactivated_by = NULLIF($13, ''), "
    "deactivation_reason = COALESCE(NULLIF($14, ''::bytea), deactivation_reason), "
    "updated_at = " FROM_MICROS("$15") ", version = $16 WHERE id = $1::uuid";

// $1 country, $2 city, $3 kind, $4 specialism, $5 language, $6 vetting status, $7 include
// inactive, $8..$11 cursor (id, country, city, name), $12 limit.
constexpr char kListPartners[] =
    "FROM contacts.partners p WHERE ($1 = '' OR p.country = $1) "
    "AND ($2 = '' OR lower(p.city) = lower($2)) "
    "AND ($3 = '' OR p.kind = $3) "
    "AND ($4 = '' OR $4 = ANY (p.specialisms)) "
    "AND ($5 = '' OR $5 = ANY (p.languages)) "
    "AND ($6 = '' OR p.vetting_status = $6) "
    "AND ($7 OR p.active) "
    "AND ($8 = '' OR (p.country, p.city, p.name, p.id) > ($9::text, $10::text, $11::text, "
    "NULLIF($8, '')::uuid)) "
    "ORDER BY p.country, p.city, p.name, p.id LIMIT $12";

constexpr char kGetAccreditation[] =
    "SELECT country, accredited, updated_by, " MICROS("updated_at") " "
    "FROM contacts.accreditations WHERE post = $1 ORDER BY country";

// Rows of the post: listed countries accredited, the others not; then the new ones.
constexpr char kUpdateAccreditations[] =
    "UPDATE contacts.accreditations SET accredited = (country = ANY ($2::text[])), "
    "updated_by = $3, updated_at = " FROM_MICROS("$4") " WHERE post = $1";
constexpr char kInsertAccreditations[] =
    "INSERT INTO contacts.accreditations (post, country, accredited, updated_by, updated_at) "
    "SELECT $1, c, true, $3, " FROM_MICROS("$4") " FROM unnest($2::text[]) AS c "
    "ON CONFLICT (post, country) DO NOTHING";

constexpr char kIsAccredited[] =
    "SELECT EXISTS (SELECT FROM contacts.accreditations WHERE post = $1 AND country = $2 "
    "AND accredited)";

AssociatedData DetailsAd(const std::string& id) { return {kTable, "contact_details", id}; }
AssociatedData VettingNoteAd(const std::string& id) { return {kTable, "vetting_note", id}; }
AssociatedData DeactivationReasonAd(const std::string& id) {
  return {kTable, "deactivation_reason", id};
}

// A PostgreSQL array literal of `values`, each quoted.
std::string TextArray(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  quoted.reserve(values.size());
  for (const std::string& value : values) {
    std::string q = "\"";
    for (const char c : value) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    quoted.push_back(q + "\"");
  }
  return "{" + absl::StrJoin(quoted, ",") + "}";
}

std::vector<std::string> SpecialismNames(const Partner& p) {
  std::vector<std::string> names;
  for (const int s : p.specialisms()) {
    names.push_back(consular::v1::Specialism_Name(static_cast<consular::v1::Specialism>(s)));
  }
  return names;
}

std::vector<std::string> Languages(const Partner& p) {
  return {p.languages().begin(), p.languages().end()};
}

std::string DetailsBytes(const Partner& p) {
  std::string bytes;
  p.contact_details().SerializeToString(&bytes);
  return bytes;
}

}  // namespace

const std::vector<SealedColumn>& PartnerStore::SealedColumns() {
  static const std::vector<SealedColumn>* const kColumns = new std::vector<SealedColumn>{
      IdKeyedSealedColumn(kTable, "contact_details", DetailsAd),
      IdKeyedSealedColumn(kTable, "vetting_note", VettingNoteAd),
      IdKeyedSealedColumn(kTable, "deactivation_reason", DeactivationReasonAd),
      IdempotencySealedColumn(IdempotencyTable::kContacts),
  };
  return *kColumns;
}

PartnerStore::PartnerStore(pqxx::transaction_base& tx, FieldCrypto crypto)
    : tx_(tx), crypto_(crypto) {
  if (crypto_.cipher == nullptr) throw std::logic_error("PartnerStore needs a field cipher");
}

std::string PartnerStore::Seal(const std::string& plaintext, const AssociatedData& ad) const {
  return crypto_.cipher->Encrypt(plaintext, ad);
}

std::string PartnerStore::Open(const pqxx::field& field, const AssociatedData& ad) const {
  return OpenSealed(*crypto_.cipher, field, ad);
}

Partner PartnerStore::PartnerFromRow(const pqxx::row& row) const {
  Partner p;
  const std::string id = row[0].as<std::string>();
  p.set_id(id);
  p.set_kind(ParseStoredEnum<consular::v1::PartnerKind>(row[1].as<std::string>(),
                                                        consular::v1::PartnerKind_Parse));
  p.set_name(row[2].as<std::string>());
  p.set_country(row[3].as<std::string>());
  p.set_city(row[4].as<std::string>());
  const std::string specialisms = row[5].as<std::string>();
  if (!specialisms.empty()) {
    for (const absl::string_view name : absl::StrSplit(specialisms, ',')) {
      p.add_specialisms(ParseStoredEnum<consular::v1::Specialism>(std::string(name),
                                                                  consular::v1::Specialism_Parse));
    }
  }
  const std::string languages = row[6].as<std::string>();
  if (!languages.empty()) {
    for (const absl::string_view code : absl::StrSplit(languages, ',')) {
      p.add_languages(std::string(code));
    }
  }
  if (!p.mutable_contact_details()->ParseFromString(Open(row[7], DetailsAd(id)))) {
    throw std::runtime_error("stored partner contact details do not parse (row " + id + ")");
  }
  p.set_vetting_status(ParseStoredEnum<consular::v1::VettingStatus>(
      row[8].as<std::string>(), consular::v1::VettingStatus_Parse));
  if (!row[9].is_null()) p.set_vetting_note(Open(row[9], VettingNoteAd(id)));
  p.set_vetted_by(row[10].as<std::string>());
  if (const int64_t vetted = row[11].as<int64_t>(); vetted != 0) {
    *p.mutable_vetted_at() = TimeUtil::MicrosecondsToTimestamp(vetted);
  }
  p.set_active(row[12].as<bool>());
  if (const int64_t deactivated = row[13].as<int64_t>(); deactivated != 0) {
    *p.mutable_deactivated_at() = TimeUtil::MicrosecondsToTimestamp(deactivated);
  }
  p.set_deactivated_by(row[14].as<std::string>());
  p.set_created_by(row[15].as<std::string>());
  *p.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(row[16].as<int64_t>());
  *p.mutable_updated_at() = TimeUtil::MicrosecondsToTimestamp(row[17].as<int64_t>());
  p.set_version(row[18].as<int64_t>());
  return p;
}

void PartnerStore::Insert(const Partner& p, const std::string& deactivation_reason) {
  const std::string note =
      p.vetted_by().empty() ? std::string() : Seal(p.vetting_note(), VettingNoteAd(p.id()));
  const std::string reason = deactivation_reason.empty()
                                 ? std::string()
                                 : Seal(deactivation_reason, DeactivationReasonAd(p.id()));
  ExecPrepared0(tx_, "partner_insert", kInsertPartner, p.id(),
                consular::v1::PartnerKind_Name(p.kind()), p.name(), p.country(), p.city(),
                TextArray(SpecialismNames(p)), TextArray(Languages(p)),
                pqxx::binarystring(Seal(DetailsBytes(p), DetailsAd(p.id()))),
                consular::v1::VettingStatus_Name(p.vetting_status()), pqxx::binarystring(note),
                p.vetted_by(), Micros(p.vetted_at()), p.active(), Micros(p.deactivated_at()),
                p.deactivated_by(), pqxx::binarystring(reason), p.created_by(),
                Micros(p.created_at()), Micros(p.updated_at()), p.version());
}

void PartnerStore::Update(const Partner& p, const std::string& deactivation_reason) {
  const std::string note =
      p.vetted_by().empty() ? std::string() : Seal(p.vetting_note(), VettingNoteAd(p.id()));
  const std::string reason = deactivation_reason.empty()
                                 ? std::string()
                                 : Seal(deactivation_reason, DeactivationReasonAd(p.id()));
  const pqxx::result r = ExecPrepared(
      tx_, "partner_update", kUpdatePartner, p.id(), p.name(), p.city(),
      TextArray(SpecialismNames(p)), TextArray(Languages(p)),
      pqxx::binarystring(Seal(DetailsBytes(p), DetailsAd(p.id()))),
      consular::v1::VettingStatus_Name(p.vetting_status()), pqxx::binarystring(note), p.vetted_by(),
      Micros(p.vetted_at()), p.active(), Micros(p.deactivated_at()), p.deactivated_by(),
      pqxx::binarystring(reason), Micros(p.updated_at()), p.version());
  if (r.affected_rows() != 1) throw std::runtime_error("partner row to update is missing");
}

std::optional<Partner> PartnerStore::Find(const std::string& id, bool lock, bool* locked) {
  if (locked != nullptr) *locked = false;
  const std::string sql =
      absl::StrCat("SELECT ", kPartnerColumns, " FROM contacts.partners p WHERE p.id = $1::uuid");
  if (lock) {
    // Locking a row needs the UPDATE policy too, so a partner the caller may only read is not
    // found FOR UPDATE: it is then read unlocked below, for the caller to be refused by name.
    const pqxx::result r = ExecPrepared(tx_, "partner_find_locked", sql + " FOR UPDATE OF p", id);
    if (!r.empty()) {
      if (locked != nullptr) *locked = true;
      return PartnerFromRow(r[0]);
    }
  }
  const pqxx::result r = ExecPrepared(tx_, "partner_find", sql, id);
  if (r.empty()) return std::nullopt;
  return PartnerFromRow(r[0]);
}

std::string PartnerStore::DeactivationReason(const std::string& id) {
  const pqxx::result r =
      ExecPrepared(tx_, "partner_deactivation_reason",
                   "SELECT deactivation_reason FROM contacts.partners WHERE id = $1::uuid", id);
  if (r.empty() || r[0][0].is_null()) return "";
  return Open(r[0][0], DeactivationReasonAd(id));
}

std::vector<Partner> PartnerStore::List(const PartnerFilter& filter,
                                        const std::optional<PartnerCursor>& after, int limit) {
  const pqxx::result r = ExecPrepared(
      tx_, "partner_list", absl::StrCat("SELECT ", kPartnerColumns, " ", kListPartners),
      filter.country, filter.city, filter.kind, filter.specialism, filter.language,
      filter.vetting_status, filter.include_inactive, after ? after->id : std::string(),
      after ? after->country : std::string(), after ? after->city : std::string(),
      after ? after->name : std::string(), limit);
  std::vector<Partner> partners;
  partners.reserve(r.size());
  for (const auto& row : r) partners.push_back(PartnerFromRow(row));
  return partners;
}

consular::v1::Accreditation PartnerStore::GetAccreditation(const std::string& post) {
  consular::v1::Accreditation accreditation;
  accreditation.set_post(post);
  int64_t latest = 0;
  for (const auto& row : ExecPrepared(tx_, "accreditation_get", kGetAccreditation, post)) {
    if (row[1].as<bool>()) accreditation.add_countries(row[0].as<std::string>());
    const int64_t at = row[3].as<int64_t>();
    if (at >= latest) {
      latest = at;
      accreditation.set_updated_by(row[2].as<std::string>());
      *accreditation.mutable_updated_at() = TimeUtil::MicrosecondsToTimestamp(at);
    }
  }
  return accreditation;
}

void PartnerStore::SetAccreditation(const std::string& post,
                                    const std::vector<std::string>& countries,
                                    const std::string& updated_by,
                                    const google::protobuf::Timestamp& updated_at) {
  const std::string list = TextArray(countries);
  ExecPrepared0(tx_, "accreditation_update", kUpdateAccreditations, post, list, updated_by,
                Micros(updated_at));
  ExecPrepared0(tx_, "accreditation_insert", kInsertAccreditations, post, list, updated_by,
                Micros(updated_at));
}

bool PartnerStore::IsAccredited(const std::string& post, const std::string& country) {
  return ExecPrepared1(tx_, "accreditation_check", kIsAccredited, post, country)[0].as<bool>();
}

}  // namespace consular::storage

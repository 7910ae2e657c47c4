#include "storage/contact_store.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "storage/case_sealing.h"
#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

using consular::v1::Contact;
using google::protobuf::util::TimeUtil;

constexpr char kFindCase[] =
    "SELECT id::text, reference, status, country, handling_post, COALESCE(access, ''), "
    "anonymised "
    "FROM cases.case_access WHERE ";

constexpr char kCasePersonal[] = "SELECT personal FROM cases.cases WHERE id = $1::uuid";

constexpr char kAppendEvent[] =
    "SELECT sequence, case_version FROM cases.append_contact_event($1::uuid, $2, $3, $4, "
    "$5, " FROM_MICROS("$6") ", $7::jsonb)";

// The partner's kind and vetting status as the directory stores them (proto enum names).
constexpr char kFindPartner[] =
    "SELECT id::text, kind, name, country, active, vetting_status FROM contacts.partners "
    "WHERE id = $1::uuid";

constexpr char kColumns[] =
    "SELECT c.id::text, c.case_id::text, COALESCE(a.reference, ''), COALESCE(c.partner_id::text, "
    "''), c.ad_hoc, c.partner_kind, COALESCE(p.name, ''), " MICROS("c.occurred_at") ", c.channel, "
    "c.direction, c.purpose, c.outcome, COALESCE(c.follow_up_due::text, ''), COALESCE(" MICROS(
        "c.follow_up_done_at") ", 0), COALESCE(c.follow_up_done_by, ''), c.note, c.logged_by, "
    "c.logged_by_unit, " MICROS("c.created_at") ", " MICROS("c.updated_at") ", c.version, "
    "COALESCE(a.country, '') "
    "FROM contacts.contacts c LEFT JOIN cases.case_access a ON a.id = c.case_id "
    "LEFT JOIN contacts.partners p ON p.id = c.partner_id ";

constexpr char kInsert[] =
    "INSERT INTO contacts.contacts (id, case_id, partner_id, ad_hoc, partner_kind, occurred_at, "
    "channel, direction, purpose, outcome, follow_up_due, note, logged_by, logged_by_unit, "
    "created_at, updated_at, version) VALUES ($1::uuid, $2::uuid, NULLIF($3, '')::uuid, "
    "NULLIF($4, ''::bytea), $5, " FROM_MICROS("$6") ", $7, $8, $9, $10, NULLIF($11, '')::date, "
    "NULLIF($12, ''::bytea), $13, $14, " FROM_MICROS("$15") ", " FROM_MICROS("$16") ", $17)";

constexpr char kUpdate[] =
    "UPDATE contacts.contacts SET occurred_at = " FROM_MICROS("$2") ", channel = $3, "
    "direction = $4, purpose = $5, outcome = $6, follow_up_due = NULLIF($7, '')::date, "
    "follow_up_done_at = CASE WHEN $8::bigint = 0 THEN NULL ELSE " FROM_MICROS("$8") " END, "
    "follow_up_done_by = NULLIF($9, ''), note = NULLIF($10, ''::bytea), "
    "updated_at = " FROM_MICROS("$11") ", version = $12 WHERE id = $1::uuid";

AssociatedData AdHocAd(const std::string& id) { return {"contacts.contacts", "ad_hoc", id}; }
AssociatedData NoteAd(const std::string& id) { return {"contacts.contacts", "note", id}; }

}  // namespace

const std::vector<SealedColumn>& ContactStore::SealedColumns() {
  static const std::vector<SealedColumn>* const kColumns = new std::vector<SealedColumn>{
      IdKeyedSealedColumn("contacts.contacts", "ad_hoc", AdHocAd),
      IdKeyedSealedColumn("contacts.contacts", "note", NoteAd),
  };
  return *kColumns;
}

ContactStore::ContactStore(pqxx::transaction_base& tx, FieldCrypto crypto)
    : tx_(tx), crypto_(crypto) {
  if (crypto_.cipher == nullptr) throw std::logic_error("ContactStore needs a field cipher");
}

std::vector<consular::v1::Person> ContactStore::CasePersons(const std::string& case_id) {
  const pqxx::result r = ExecPrepared(tx_, "contact_case_personal", kCasePersonal, case_id);
  // An anonymised case has no personal part, and no persons.
  if (r.empty() || r[0][0].is_null()) return {};
  consular::v1::Case personal;
  if (!personal.ParseFromString(OpenSealed(*crypto_.cipher, r[0][0], PersonalAd(case_id)))) {
    throw std::runtime_error("stored case record does not parse (row " + case_id + ")");
  }
  return {personal.persons().begin(), personal.persons().end()};
}

std::optional<CaseAccessRow> ContactStore::FindCase(const std::string& id_or_reference) {
  const bool by_id = id_or_reference.size() == 36;
  const std::string sql =
      absl::StrCat(kFindCase, by_id ? "id = $1::uuid" : "reference = upper($1)");
  const pqxx::result r =
      ExecPrepared(tx_, by_id ? "contact_find_case_by_id" : "contact_find_case_by_reference", sql,
                   id_or_reference);
  if (r.empty()) return std::nullopt;
  CaseAccessRow row;
  row.id = r[0][0].as<std::string>();
  row.reference = r[0][1].as<std::string>();
  row.status = ParseStoredEnum<consular::v1::CaseStatus>(r[0][2].as<std::string>(),
                                                         consular::v1::CaseStatus_Parse);
  row.country = r[0][3].as<std::string>();
  row.handling_post = r[0][4].as<std::string>();
  row.anonymised = r[0][6].as<bool>();
  const std::string access = r[0][5].as<std::string>();
  if (access == "HANDLING") {
    row.access = consular::v1::CASE_ACCESS_HANDLING;
  } else if (access == "READ_WRITE") {
    row.access = consular::v1::CASE_ACCESS_SHARED_READ_WRITE;
  } else if (access == "READ") {
    row.access = consular::v1::CASE_ACCESS_SHARED_READ;
  } else if (access == "EMERGENCY") {
    row.access = consular::v1::CASE_ACCESS_EMERGENCY;
  }
  return row;
}

int64_t ContactStore::AppendCaseEvent(const std::string& case_id,
                                      const consular::v1::CaseEvent& event) {
  std::string payload;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(event, &payload, options).ok()) {
    throw std::runtime_error("case event does not convert to JSON");
  }
  const pqxx::row r = ExecPrepared1(tx_, "contact_append_case_event", kAppendEvent, case_id,
                                    consular::v1::CaseEventType_Name(event.type()), event.actor(),
                                    consular::v1::Role_Name(event.actor_role()), event.actor_post(),
                                    Micros(event.occurred_at()), payload);
  return r[1].as<int64_t>();
}

std::optional<PartnerSummary> ContactStore::FindPartner(const std::string& partner_id) {
  const pqxx::result r = ExecPrepared(tx_, "contact_find_partner", kFindPartner, partner_id);
  if (r.empty()) return std::nullopt;
  PartnerSummary p;
  p.id = r[0][0].as<std::string>();
  p.kind = ParseStoredEnum<consular::v1::PartnerKind>(r[0][1].as<std::string>(),
                                                      consular::v1::PartnerKind_Parse);
  p.name = r[0][2].as<std::string>();
  p.country = r[0][3].as<std::string>();
  p.active = r[0][4].as<bool>();
  p.suspended = r[0][5].as<std::string>() == "VETTING_STATUS_SUSPENDED";
  return p;
}

void ContactStore::Insert(const Contact& c) {
  const std::string ad_hoc =
      c.has_ad_hoc() ? crypto_.cipher->Encrypt(c.ad_hoc().SerializeAsString(), AdHocAd(c.id()))
                     : std::string();
  const std::string note =
      c.note().empty() ? std::string() : crypto_.cipher->Encrypt(c.note(), NoteAd(c.id()));
  ExecPrepared0(tx_, "contact_insert", kInsert, c.id(), c.case_id(), c.partner_id(),
                pqxx::binarystring(ad_hoc), consular::v1::PartnerKind_Name(c.partner_kind()),
                Micros(c.occurred_at()), consular::v1::ContactChannel_Name(c.channel()),
                consular::v1::ContactDirection_Name(c.direction()),
                consular::v1::ContactPurpose_Name(c.purpose()),
                consular::v1::ContactOutcome_Name(c.outcome()), DateText(c.follow_up_due()),
                pqxx::binarystring(note), c.logged_by(), c.logged_by_unit(), Micros(c.created_at()),
                Micros(c.updated_at()), c.version());
}

void ContactStore::Update(const Contact& c) {
  const std::string note =
      c.note().empty() ? std::string() : crypto_.cipher->Encrypt(c.note(), NoteAd(c.id()));
  const pqxx::result r =
      ExecPrepared(tx_, "contact_update", kUpdate, c.id(), Micros(c.occurred_at()),
                   consular::v1::ContactChannel_Name(c.channel()),
                   consular::v1::ContactDirection_Name(c.direction()),
                   consular::v1::ContactPurpose_Name(c.purpose()),
                   consular::v1::ContactOutcome_Name(c.outcome()), DateText(c.follow_up_due()),
                   Micros(c.follow_up_done_at()), c.follow_up_done_by(), pqxx::binarystring(note),
                   Micros(c.updated_at()), c.version());
  if (r.affected_rows() != 1) throw std::runtime_error("contact row to update is missing");
}

Contact ContactStore::FromRow(const pqxx::row& row) const {
  Contact c;
  c.set_id(row[0].as<std::string>());
  c.set_case_id(row[1].as<std::string>());
  c.set_case_reference(row[2].as<std::string>());
  const std::string partner_id = row[3].as<std::string>();
  if (!partner_id.empty()) {
    c.set_partner_id(partner_id);
  } else if (!row[4].is_null()) {
    absl::StatusOr<std::string> plain =
        crypto_.cipher->Decrypt(pqxx::binarystring(row[4]).str(), AdHocAd(c.id()));
    if (!plain.ok() || !c.mutable_ad_hoc()->ParseFromString(*plain)) {
      throw std::runtime_error("contacts.contacts.ad_hoc does not decrypt (row " + c.id() + ")");
    }
  }
  c.set_partner_kind(ParseStoredEnum<consular::v1::PartnerKind>(row[5].as<std::string>(),
                                                                consular::v1::PartnerKind_Parse));
  c.set_partner_name(row[6].as<std::string>());
  *c.mutable_occurred_at() = TimeUtil::MicrosecondsToTimestamp(row[7].as<int64_t>());
  c.set_channel(ParseStoredEnum<consular::v1::ContactChannel>(row[8].as<std::string>(),
                                                              consular::v1::ContactChannel_Parse));
  c.set_direction(ParseStoredEnum<consular::v1::ContactDirection>(
      row[9].as<std::string>(), consular::v1::ContactDirection_Parse));
  c.set_purpose(ParseStoredEnum<consular::v1::ContactPurpose>(row[10].as<std::string>(),
                                                              consular::v1::ContactPurpose_Parse));
  c.set_outcome(ParseStoredEnum<consular::v1::ContactOutcome>(row[11].as<std::string>(),
                                                              consular::v1::ContactOutcome_Parse));
  const std::string due = row[12].as<std::string>();
  if (!due.empty()) *c.mutable_follow_up_due() = ParseDate(due);
  if (const int64_t done = row[13].as<int64_t>(); done != 0) {
    *c.mutable_follow_up_done_at() = TimeUtil::MicrosecondsToTimestamp(done);
  }
  c.set_follow_up_done_by(row[14].as<std::string>());
  if (!row[15].is_null()) {
    absl::StatusOr<std::string> note =
        crypto_.cipher->Decrypt(pqxx::binarystring(row[15]).str(), NoteAd(c.id()));
    if (!note.ok()) {
      throw std::runtime_error("contacts.contacts.note does not decrypt (row " + c.id() + ")");
    }
    c.set_note(*note);
  }
  c.set_logged_by(row[16].as<std::string>());
  c.set_logged_by_unit(row[17].as<std::string>());
  *c.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(row[18].as<int64_t>());
  *c.mutable_updated_at() = TimeUtil::MicrosecondsToTimestamp(row[19].as<int64_t>());
  c.set_version(row[20].as<int64_t>());
  c.set_country(row[21].as<std::string>());
  return c;
}

std::optional<Contact> ContactStore::Find(const std::string& id, bool lock) {
  const std::string sql = absl::StrCat(kColumns, "WHERE c.id = $1::uuid");
  if (lock) {
    // Locking needs the UPDATE policy (the caller may change the case); a contact the caller may
    // only read is read unlocked below, to be refused by name.
    const pqxx::result locked =
        ExecPrepared(tx_, "contact_find_locked", sql + " FOR UPDATE OF c", id);
    if (!locked.empty()) return FromRow(locked[0]);
  }
  const pqxx::result r = ExecPrepared(tx_, "contact_find", sql, id);
  if (r.empty()) return std::nullopt;
  return FromRow(r[0]);
}

std::vector<Contact> ContactStore::ListByCase(const std::string& case_id,
                                              const std::optional<ContactCursor>& after,
                                              int limit) {
  const pqxx::result r = ExecPrepared(
      tx_, "contact_list_by_case",
      absl::StrCat(
          kColumns,
          "WHERE c.case_id = $1::uuid AND ($2 = '' OR (c.occurred_at, c.id) < (" FROM_MICROS(
              "NULLIF($2, '')") ", NULLIF($3, '')::uuid)) "
                                "ORDER BY c.occurred_at DESC, c.id DESC LIMIT $4"),
      case_id, after ? after->key : std::string(), after ? after->id : std::string(), limit);
  std::vector<Contact> out;
  for (const auto& row : r) out.push_back(FromRow(row));
  return out;
}

std::vector<Contact> ContactStore::ListByPartner(const std::string& partner_id,
                                                 const std::optional<ContactCursor>& after,
                                                 int limit) {
  // Only contacts on cases the caller can see: the row-level security of contacts.contacts, and
  // the application's own filter on the view.
  const pqxx::result r = ExecPrepared(
      tx_, "contact_list_by_partner",
      absl::StrCat(kColumns,
                   "WHERE c.partner_id = $1::uuid AND a.id IS NOT NULL "
                   "AND ($2 = '' OR (c.occurred_at, c.id) < (" FROM_MICROS(
                       "NULLIF($2, '')") ", NULLIF($3, '')::uuid)) "
                                         "ORDER BY c.occurred_at DESC, c.id DESC LIMIT $4"),
      partner_id, after ? after->key : std::string(), after ? after->id : std::string(), limit);
  std::vector<Contact> out;
  for (const auto& row : r) out.push_back(FromRow(row));
  return out;
}

std::vector<Contact> ContactStore::ListFollowUpsDue(const std::string& unit,
                                                    const std::string& from, const std::string& to,
                                                    const std::optional<ContactCursor>& after,
                                                    int limit) {
  const pqxx::result r = ExecPrepared(
      tx_, "contact_list_follow_ups_due",
      absl::StrCat(
          kColumns,
          "WHERE c.follow_up_due IS NOT NULL AND c.follow_up_done_at IS NULL "
          "AND a.access IN ('HANDLING', 'READ_WRITE', 'READ') "
          "AND a.status <> 'CASE_STATUS_CLOSED' "
          "AND (a.handling_post = $1 OR a.access <> 'HANDLING') "
          "AND (NULLIF($2, '') IS NULL OR c.follow_up_due >= NULLIF($2, '')::date) "
          "AND c.follow_up_due <= $3::date "
          "AND ($4 = '' OR (c.follow_up_due, c.id) > (NULLIF($4, '')::date, NULLIF($5, '')::uuid)) "
          "ORDER BY c.follow_up_due, c.id LIMIT $6"),
      unit, from, to, after ? after->key : std::string(), after ? after->id : std::string(), limit);
  std::vector<Contact> out;
  for (const auto& row : r) out.push_back(FromRow(row));
  return out;
}

}  // namespace consular::storage

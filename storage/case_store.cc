#include "storage/case_store.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "storage/case_events.h"
#include "storage/case_facts.h"
#include "storage/idempotency.h"
#include "storage/prepared.h"
#include "storage/case_sealing.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

using consular::v1::Case;
using consular::v1::CaseEvent;
using consular::v1::CaseNote;
using google::protobuf::util::TimeUtil;

// A share or emergency access is live until revoked or expired, by the database clock.
#define LIVE_SHARE(s) \
  s ".revoked_at IS NULL AND (" s ".expires_at IS NULL OR " s ".expires_at > now())"

// How the caller ($1 unit, $2 subject, $3 role) reaches case c: the rule of the row-level security
// policies (cases.visible_to_caller, migration 0005), written out as the application's own answer.
// A share is read through cases.caller_grant (one call, for cases the unit does not handle), not
// through subqueries on cases.case_shares: each of those brings in the shares' own policies, which
// look at cases.cases again, and the plan of every statement that reads a case grew to some thirty
// subplans, set up on every execution.
#define CASE_ACCESS                                                                                \
  "CASE WHEN c.handling_post = $1 THEN 'HANDLING' "                                                \
  "ELSE COALESCE(CASE cases.caller_grant(c.id) WHEN 'READ_WRITE' THEN 'SHARED_READ_WRITE' "        \
  "WHEN 'READ' THEN 'SHARED_READ' END, CASE WHEN EXISTS (SELECT FROM cases.emergency_access e "    \
  "WHERE e.case_id = c.id AND e.actor = $2 AND e.actor_role = $3 AND e.expires_at > now()) "        \
  "THEN 'EMERGENCY' END) END"

// Listings show the cases handled by the unit ($1) and those shared with it.
#define LISTED_BY_UNIT                                                           \
  "(c.handling_post = $1 OR c.id IN (SELECT s.case_id FROM cases.case_shares s " \
  "WHERE s.grantee_unit = $1 AND " LIVE_SHARE("s") "))"

constexpr char kCaseColumns[] =
    "c.id::text, c.reference, c.case_type, c.status, COALESCE(c.outcome, ''), c.handling_post, "
    "c.country, array_to_string(c.risk_flags, ','), c.referral_source, c.personal, " MICROS(
        "c.opened_at") ", " MICROS("c.updated_at") ", COALESCE(" MICROS("c.resolved_at") ", 0), "
    "COALESCE(" MICROS("c.closed_at") ", 0), c.version, " CASE_ACCESS ", "
    "COALESCE(c.assigned_to, ''), COALESCE(" MICROS("c.assigned_at") ", 0), "
    "COALESCE(c.archive_action_date::text, ''), "
    "EXISTS (SELECT FROM cases.legal_holds h WHERE h.case_id = c.id AND h.lifted_at IS NULL), "
    "COALESCE(" MICROS("c.anonymised_at") ", 0), COALESCE(c.anonymised_under, '')";

// How many columns kCaseColumns has (CaseFromRow reads them), and which is the caller's access
// (CASE_ACCESS: NULL when the application's rule does not reach the case).
constexpr int kCaseColumnCount = 22;
constexpr int kAccessColumn = 15;

consular::v1::Referral ReferralFromRow(const pqxx::row& row, int first = 0);

constexpr char kNextReference[] =
    "INSERT INTO cases.reference_counters (prefix, year, last_value) VALUES ($1, $2, 1) "
    "ON CONFLICT (prefix, year) DO UPDATE SET last_value = cases.reference_counters.last_value + 1 "
    "RETURNING last_value";

constexpr char kInsertCase[] =
    "INSERT INTO cases.cases (id, reference, case_type, status, outcome, handling_post, country, "
    "risk_flags, referral_source, subject_sex, subject_nationality_status, personal, opened_at, "
    "updated_at, resolved_at, closed_at, version, subject_name_bidx, stat_age_group, "
    "stat_mother_with_minor_children, stat_recognition_decision, stat_recognition_obstacles, "
    "subject_name_birth_bidx, subject_sound_bidx, subject_sound_birth_bidx, stat_children, "
    "stat_return_funding, stat_recognition_stage, assigned_to, assigned_at) "
    "VALUES ($1::uuid, $2, $3, $4, "
    "NULLIF($5, ''), $6, $7, $8::text[], $9, $10, $11, $12, " FROM_MICROS("$13") ", "
    FROM_MICROS("$14") ", CASE WHEN $15::bigint = 0 THEN NULL ELSE " FROM_MICROS("$15") " END, "
    "CASE WHEN $16::bigint = 0 THEN NULL ELSE " FROM_MICROS("$16") " END, $17, $18, $19, $20, $21, "
    "$22::text[], NULLIF($23, ''::bytea), NULLIF($24, ''::bytea), NULLIF($25, ''::bytea), $26, "
    "$27, $28, NULLIF($29, ''), CASE WHEN $30::bigint = 0 THEN NULL ELSE " FROM_MICROS("$30") " END)";

constexpr char kUpdateCase[] =
    "UPDATE cases.cases SET status = $2, outcome = NULLIF($3, ''), country = $4, "
    "risk_flags = $5::text[], referral_source = $6, subject_sex = $7, "
    "subject_nationality_status = $8, personal = $9, updated_at = " FROM_MICROS("$10") ", "
    "resolved_at = CASE WHEN $11::bigint = 0 THEN NULL ELSE " FROM_MICROS("$11") " END, "
    "closed_at = CASE WHEN $12::bigint = 0 THEN NULL ELSE " FROM_MICROS("$12") " END, "
    "version = $13, subject_name_bidx = $14, handling_post = $15, stat_age_group = $16, "
    "stat_mother_with_minor_children = $17, stat_recognition_decision = $18, "
    "stat_recognition_obstacles = $19::text[], subject_name_birth_bidx = NULLIF($20, ''::bytea), "
    "subject_sound_bidx = NULLIF($21, ''::bytea), "
    "subject_sound_birth_bidx = NULLIF($22, ''::bytea), stat_children = $23, "
    "stat_return_funding = $24, stat_recognition_stage = $25 WHERE id = $1::uuid";

constexpr char kPossibleDuplicates[] =
    "SELECT id::text, reference, handling_post, match, visible FROM cases.possible_duplicates("
    "NULLIF($1, '')::uuid, NULLIF($2, ''::bytea), NULLIF($3, ''::bytea), NULLIF($4, ''::bytea))";

constexpr char kPermitRules[] =
    "SELECT permit_kind, max_months_abroad, array_to_string(warn_weeks, ','), description "
    "FROM cases.residence_permit_rules ORDER BY permit_kind";

constexpr char kOpenCases[] =
    "SELECT %s FROM cases.cases c WHERE c.handling_post = $1 "
    "AND c.status IN ('CASE_STATUS_INTAKE', 'CASE_STATUS_ACTIVE', 'CASE_STATUS_ON_HOLD') "
    "ORDER BY c.opened_at, c.id";

constexpr char kFollowUpsDue[] =
    "SELECT k.id::text, k.case_id::text, c.reference, k.follow_up_due::text, k.purpose "
    "FROM contacts.contacts k JOIN cases.cases c ON c.id = k.case_id "
    "WHERE c.handling_post = $1 AND c.status <> 'CASE_STATUS_CLOSED' "
    "AND k.follow_up_due IS NOT NULL AND k.follow_up_done_at IS NULL "
    "AND k.follow_up_due <= $2::date ORDER BY k.follow_up_due, k.id";

constexpr char kOpenFollowUps[] =
    "SELECT k.id::text FROM contacts.contacts k WHERE k.case_id = $1::uuid "
    "AND k.follow_up_due IS NOT NULL AND k.follow_up_done_at IS NULL "
    "ORDER BY k.follow_up_due, k.id LIMIT 20";

constexpr char kSharesEnding[] =
    "SELECT s.id::text, s.case_id::text, c.reference, "
    "(s.expires_at AT TIME ZONE 'UTC')::date::text, s.grantee_unit "
    "FROM cases.case_shares s JOIN cases.cases c ON c.id = s.case_id "
    "WHERE (c.handling_post = $1 OR s.grantee_unit = $1) AND " LIVE_SHARE("s") " "
    "AND s.expires_at IS NOT NULL AND s.expires_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC' "
    "ORDER BY s.expires_at, s.id";

constexpr char kEmergencySearch[] =
    "SELECT id::text, reference, handling_post FROM cases.emergency_search($1)";

constexpr char kInsertEmergencySearch[] =
    "INSERT INTO cases.emergency_searches (id, actor, actor_role, actor_unit, reason, "
    "found_case_ids) VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid[])";

// $1/$2/$3 scope (unit, subject, role), $4 id or reference; the id comparison is on text so a
// reference never fails a cast.
constexpr char kFindCase[] = "SELECT %s FROM cases.cases c WHERE %s";

constexpr char kListCases[] =
    "SELECT %s FROM cases.cases c WHERE " LISTED_BY_UNIT " "
    "AND ($4 = '' OR c.handling_post = $4) "
    "AND ($5 = '' OR c.country = $5) "
    "AND ($6 = '' OR c.case_type = $6) "
    "AND ($7 = '' OR c.status = $7) "
    "AND ($8 = '' OR $8 = ANY (c.risk_flags)) "
    "AND (NULLIF($9, '') IS NULL OR c.opened_at >= (NULLIF($9, '')::date)::timestamp AT TIME ZONE 'UTC') "
    "AND (NULLIF($10, '') IS NULL OR c.opened_at < (NULLIF($10, '')::date + 1)::timestamp AT TIME ZONE 'UTC') "
    "AND ($11 = '' OR (c.opened_at, c.id) < (" FROM_MICROS("NULLIF($12, '')") ", NULLIF($11, '')::uuid)) "
    "AND ($14 = '' OR c.assigned_to = $14) AND (NOT $15 OR c.assigned_to IS NULL) "
    "ORDER BY c.opened_at DESC, c.id DESC LIMIT $13";

// $1/$2/$3 scope, $4 blind index of the name, $5/$6 cursor id/micros, $7 limit.
constexpr char kSearchCases[] =
    "SELECT %s FROM cases.cases c WHERE " LISTED_BY_UNIT " AND c.subject_name_bidx = $4 "
    "AND ($5 = '' OR (c.opened_at, c.id) < (" FROM_MICROS("NULLIF($6, '')") ", NULLIF($5, '')::uuid)) "
    "ORDER BY c.opened_at DESC, c.id DESC LIMIT $7";

constexpr char kShareColumns[] =
    "s.id::text, s.case_id::text, c.reference, s.grantee_unit, s.access, s.legal_basis, "
    "s.granted_by, s.granted_by_unit, " MICROS("s.granted_at") ", COALESCE(" MICROS(
        "s.expires_at") ", 0), COALESCE(" MICROS("s.revoked_at") ", 0), COALESCE(s.revoked_by, ''), "
    "(" LIVE_SHARE("s") "), COALESCE(s.answer, ''), COALESCE(s.answered_by, ''), "
    "COALESCE(" MICROS("s.answered_at") ", 0), COALESCE(s.answer_reason, ''), "
    "COALESCE(s.revoked_by_unit, '')";

constexpr char kInsertShare[] =
    "INSERT INTO cases.case_shares (id, case_id, grantee_unit, access, legal_basis, granted_by, "
    "granted_by_unit, granted_at, expires_at, answer, answered_by, answered_at) "
    "VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, "
    "$7, " FROM_MICROS("$8") ", CASE WHEN $9::bigint = 0 THEN NULL ELSE " FROM_MICROS("$9") " END, "
    "NULLIF($10, ''), NULLIF($11, ''), "
    "CASE WHEN $10 = '' THEN NULL ELSE " FROM_MICROS("$8") " END)";

constexpr char kAnswerShare[] =
    "UPDATE cases.case_shares SET answer = $2, answered_by = $3, answered_at = " FROM_MICROS("$4")
    ", answer_reason = NULLIF($5, '') WHERE id = $1::uuid AND answer IS NULL";

constexpr char kSetAssignment[] =
    "UPDATE cases.cases SET assigned_to = NULLIF($2, ''), "
    "assigned_at = CASE WHEN $2 = '' THEN NULL ELSE " FROM_MICROS("$3") " END WHERE id = $1::uuid";

constexpr char kReferralColumns[] =
    "r.id::text, r.case_id::text, r.case_reference, r.from_unit, r.to_unit, r.legal_basis, "
    "r.referred_by, " MICROS("r.referred_at") ", r.state, COALESCE(r.answered_by, ''), "
    "COALESCE(" MICROS("r.answered_at") ", 0), COALESCE(r.answer_reason, ''), r.share_id::text";

constexpr char kInsertReferral[] =
    "INSERT INTO cases.referrals (id, case_id, case_reference, from_unit, to_unit, legal_basis, "
    "referred_by, referred_at, share_id) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, "
    FROM_MICROS("$8") ", $9::uuid)";

constexpr char kAnswerReferral[] =
    "UPDATE cases.referrals SET state = $2, answered_by = $3, answered_at = " FROM_MICROS("$4")
    ", answer_reason = NULLIF($5, '') WHERE id = $1::uuid AND state = 'PENDING'";

constexpr char kInbox[] =
    "SELECT kind, item_id::text, case_id::text, reference, case_type, country, from_unit, "
    "to_unit, legal_basis, " MICROS("at") ", needs_answer, COALESCE(answer, ''), "
    "COALESCE(answer_reason, ''), COALESCE(actor, ''), COALESCE(access, ''), "
    "COALESCE(" MICROS("expires_at") ", 0) FROM cases.inbox(" FROM_MICROS("$1") ") "
    "ORDER BY needs_answer DESC, at DESC, item_id";

// The case join: a share's case reference; the case row itself is filtered by its own policies,
// so a grantee sees the reference only while the share gives it sight of the case.
#define SHARES_FROM "FROM cases.case_shares s LEFT JOIN cases.cases c ON c.id = s.case_id "

constexpr char kRevokeShare[] =
    "UPDATE cases.case_shares SET revoked_at = " FROM_MICROS("$3") ", revoked_by = $2 "
    "WHERE id = $1::uuid AND revoked_at IS NULL";

constexpr char kFindCaseForEmergency[] =
    "SELECT id::text, reference, handling_post FROM cases.case_for_emergency($1)";

constexpr char kEmergencyColumns[] =
    "e.id::text, e.case_id::text, e.case_reference, e.handling_post, e.actor, e.actor_role, "
    "e.actor_unit, e.reason, " MICROS("e.opened_at") ", " MICROS("e.expires_at") ", "
    "(e.expires_at > now()), COALESCE(e.review, ''), COALESCE(e.reviewed_by, ''), "
    "COALESCE(" MICROS("e.reviewed_at") ", 0)";

constexpr char kInsertEmergency[] =
    "INSERT INTO cases.emergency_access (id, case_id, case_reference, handling_post, actor, "
    "actor_role, actor_unit, reason, opened_at, expires_at) VALUES ($1::uuid, $2::uuid, $3, $4, "
    "$5, $6, $7, $8, now(), now() + $9::integer * interval '1 minute') "
    "RETURNING " MICROS("opened_at") ", " MICROS("expires_at");

// $1 all, $2 actor, $3 post, $4 unreviewed only, $5/$6 cursor id/micros, $7 limit.
constexpr char kListEmergency[] =
    "FROM cases.emergency_access e WHERE ($1 OR e.actor = $2 OR (e.handling_post = $3 AND $3 <> '')) "
    "AND (NOT $4 OR e.review IS NULL) "
    "AND ($5 = '' OR (e.opened_at, e.id) < (" FROM_MICROS("NULLIF($6, '')") ", NULLIF($5, '')::uuid)) "
    "ORDER BY e.opened_at DESC, e.id DESC LIMIT $7";

constexpr char kReviewEmergency[] =
    "UPDATE cases.emergency_access SET review = $2, reviewed_by = $3, reviewed_at = " FROM_MICROS(
        "$4") " WHERE id = $1::uuid AND review IS NULL";

// The case row is locked by the caller, so the next sequence number cannot be taken meanwhile.
constexpr char kNextEventSequence[] =
    "SELECT COALESCE(MAX(sequence), 0) + 1 FROM cases.case_events WHERE case_id = $1::uuid";

constexpr char kAppendEvent[] =
    "INSERT INTO cases.case_events (case_id, sequence, event_type, actor, actor_role, actor_post, "
    "occurred_at, case_version, payload, reason, changes) VALUES ($1::uuid, $2, $3, $4, $5, "
    "$6, " FROM_MICROS("$7") ", $8, $9::jsonb, NULLIF($10, ''::bytea), NULLIF($11, ''::bytea))";

constexpr char kListEvents[] =
    "SELECT sequence, payload::text, reason, changes FROM cases.case_events WHERE case_id = $1::uuid "
    "AND sequence > $2 ORDER BY sequence LIMIT $3";

constexpr char kInsertNote[] =
    "INSERT INTO cases.case_notes (id, case_id, author, author_post, created_at, body) "
    "VALUES ($1::uuid, $2::uuid, $3, $4, " FROM_MICROS("$5") ", $6)";

constexpr char kListNotes[] =
    "SELECT id::text, author, author_post, " MICROS("created_at") ", body FROM cases.case_notes "
    "WHERE case_id = $1::uuid AND ($2 = '' OR (created_at, id) > (" FROM_MICROS("NULLIF($3, '')") ", "
    "NULLIF($2, '')::uuid)) ORDER BY created_at, id LIMIT $4";

std::string WithColumns(const char* format, const std::string& condition = "") {
  char buffer[8192];
  const int n = std::snprintf(buffer, sizeof buffer, format, kCaseColumns, condition.c_str());
  if (n < 0 || static_cast<size_t>(n) >= sizeof buffer) throw std::logic_error("SQL too long");
  return buffer;
}

// A text[] literal of enum names (letters, digits and underscores: nothing to quote).
std::string TextArray(const std::vector<std::string>& names) {
  return "{" + absl::StrJoin(names, ",") + "}";
}

std::string RiskFlagsArray(const Case& c) {
  std::vector<std::string> names;
  for (const int flag : c.risk_flags()) {
    names.push_back(consular::v1::RiskFlag_Name(static_cast<consular::v1::RiskFlag>(flag)));
  }
  return TextArray(names);
}

std::string EnumName(const Case& c, int which) {
  switch (which) {
    case 0:
      return consular::v1::CaseType_Name(c.type());
    case 1:
      return consular::v1::CaseStatus_Name(c.status());
    case 2:
      return c.outcome() == consular::v1::OUTCOME_UNSPECIFIED
                 ? ""
                 : consular::v1::Outcome_Name(c.outcome());
    case 3:
      return consular::v1::ReferralSource_Name(c.referral_source());
    case 4:
      return consular::v1::Sex_Name(c.subject().sex());
    default:
      return consular::v1::NationalityStatus_Name(c.subject().nationality_status());
  }
}

}  // namespace

const std::vector<SealedColumn>& CaseStore::SealedColumns() {
  static const std::vector<SealedColumn>* const kColumns = new std::vector<SealedColumn>{
      IdKeyedSealedColumn("cases.cases", "personal", PersonalAd),
      IdKeyedSealedColumn("cases.case_notes", "body", NoteBodyAd),
      SealedColumn{"cases.case_events", "reason", "id::text", "case_id::text, sequence::text",
                   "case_id = $1::uuid AND sequence = $2::integer",
                   [](const std::string& case_id, const std::string& sequence) {
                     return ReasonAd(case_id, std::stoll(sequence));
                   }},
      SealedColumn{"cases.case_events", "changes", "id::text", "case_id::text, sequence::text",
                   "case_id = $1::uuid AND sequence = $2::integer",
                   [](const std::string& case_id, const std::string& sequence) {
                     return ChangesAd(case_id, std::stoll(sequence));
                   }},
      IdempotencySealedColumn(IdempotencyTable::kCases),
      IdKeyedSealedColumn("cases.emergency_access", "reason", EmergencyReasonAd),
      IdKeyedSealedColumn("cases.emergency_searches", "reason", EmergencySearchReasonAd),
  };
  return *kColumns;
}

CaseStore::CaseStore(pqxx::transaction_base& tx, FieldCrypto crypto) : tx_(tx), crypto_(crypto) {
  if (crypto_.cipher == nullptr) throw std::logic_error("CaseStore needs a field cipher");
}

std::string CaseStore::Seal(const std::string& plaintext, const AssociatedData& ad) const {
  return crypto_.cipher->Encrypt(plaintext, ad);
}

std::string CaseStore::Open(const pqxx::field& field, const AssociatedData& ad) const {
  return OpenSealed(*crypto_.cipher, field, ad);
}

Case CaseStore::CaseFromRow(const pqxx::row& row) const {
  Case c;
  const std::string id = row[0].as<std::string>();
  // An anonymised case has no personal part: it is read as its tombstone.
  if (!row[9].is_null() && !c.ParseFromString(Open(row[9], PersonalAd(id)))) {
    throw std::runtime_error("stored case record does not parse (row " + id + ")");
  }
  c.set_id(id);
  c.set_reference(row[1].as<std::string>());
  c.set_type(ParseStoredEnum<consular::v1::CaseType>(row[2].as<std::string>(),
                                                     consular::v1::CaseType_Parse));
  c.set_status(ParseStoredEnum<consular::v1::CaseStatus>(row[3].as<std::string>(),
                                                         consular::v1::CaseStatus_Parse));
  c.set_outcome(ParseStoredEnum<consular::v1::Outcome>(row[4].as<std::string>(),
                                                       consular::v1::Outcome_Parse));
  c.set_handling_post(row[5].as<std::string>());
  c.set_country(row[6].as<std::string>());
  const std::string flags = row[7].as<std::string>();
  if (!flags.empty()) {
    for (const absl::string_view name : absl::StrSplit(flags, ',')) {
      c.add_risk_flags(
          ParseStoredEnum<consular::v1::RiskFlag>(std::string(name), consular::v1::RiskFlag_Parse));
    }
  }
  c.set_referral_source(ParseStoredEnum<consular::v1::ReferralSource>(
      row[8].as<std::string>(), consular::v1::ReferralSource_Parse));
  *c.mutable_opened_at() = TimeUtil::MicrosecondsToTimestamp(row[10].as<int64_t>());
  *c.mutable_updated_at() = TimeUtil::MicrosecondsToTimestamp(row[11].as<int64_t>());
  if (const int64_t resolved = row[12].as<int64_t>(); resolved != 0) {
    *c.mutable_resolved_at() = TimeUtil::MicrosecondsToTimestamp(resolved);
  }
  if (const int64_t closed = row[13].as<int64_t>(); closed != 0) {
    *c.mutable_closed_at() = TimeUtil::MicrosecondsToTimestamp(closed);
  }
  c.set_version(row[14].as<int64_t>());
  if (!row[15].is_null()) {
    consular::v1::CaseAccess access = consular::v1::CASE_ACCESS_UNSPECIFIED;
    if (!consular::v1::CaseAccess_Parse("CASE_ACCESS_" + row[15].as<std::string>(), &access)) {
      throw std::runtime_error("unknown case access " + row[15].as<std::string>());
    }
    c.set_caller_access(access);
  }
  c.set_assigned_to(row[16].as<std::string>());
  if (const int64_t assigned = row[17].as<int64_t>(); assigned != 0) {
    *c.mutable_assigned_at() = TimeUtil::MicrosecondsToTimestamp(assigned);
  }
  if (const std::string due = row[18].as<std::string>(); !due.empty()) {
    *c.mutable_archive_action_date() = ParseDate(due);
  }
  c.set_on_legal_hold(row[19].as<bool>());
  if (const int64_t anonymised = row[20].as<int64_t>(); anonymised != 0) {
    *c.mutable_anonymised_at() = TimeUtil::MicrosecondsToTimestamp(anonymised);
    c.set_anonymised_under(row[21].as<std::string>());
  }
  return c;
}

int CaseStore::NextReferenceNumber(const std::string& prefix, int year) {
  return ExecPrepared1(tx_, "case_next_reference", kNextReference, prefix, year)[0].as<int>();
}

void CaseStore::Insert(const Case& c) { InsertCase(c, /*at_commit=*/false); }

void CaseStore::InsertWithFirstEvent(const Case& c, const CaseEvent& created) {
  InsertCase(c, /*at_commit=*/true);
  InsertEvent(c.id(), 1, created, /*at_commit=*/true);
}

void CaseStore::InsertCase(const Case& c, bool at_commit) {
  const StatisticalFacts facts = StatisticalFactsOf(c);
  const SubjectIndexes indexes = SubjectIndexesOf(crypto_.blind_index, c.subject().full_name(),
                                                  c.subject().date_of_birth());
  const auto exec = [&](auto&&... args) {
    if (at_commit) {
      ExecPreparedAtCommit(tx_, "case_insert", kInsertCase, args...);
    } else {
      ExecPrepared0(tx_, "case_insert", kInsertCase, args...);
    }
  };
  exec( c.id(), c.reference(), EnumName(c, 0),
                EnumName(c, 1), EnumName(c, 2), c.handling_post(), c.country(), RiskFlagsArray(c),
                EnumName(c, 3), EnumName(c, 4), EnumName(c, 5),
                pqxx::binarystring(Seal(PersonalOf(c), PersonalAd(c.id()))), Micros(c.opened_at()),
                Micros(c.updated_at()), Micros(c.resolved_at()), Micros(c.closed_at()), c.version(),
                pqxx::binarystring(NameIndexOf(crypto_.blind_index, c)), facts.age_group,
                facts.mother_with_minor_children, facts.recognition_decision,
                TextArray(facts.recognition_obstacles), pqxx::binarystring(indexes.name_birth),
                pqxx::binarystring(indexes.sound), pqxx::binarystring(indexes.sound_birth),
                facts.children, facts.return_funding, facts.recognition_stage, c.assigned_to(),
                c.assigned_to().empty() ? int64_t{0} : Micros(c.assigned_at()));
}

void CaseStore::Update(const Case& c) {
  const StatisticalFacts facts = StatisticalFactsOf(c);
  const SubjectIndexes indexes = SubjectIndexesOf(crypto_.blind_index, c.subject().full_name(),
                                                  c.subject().date_of_birth());
  const pqxx::result r = ExecPrepared(
      tx_, "case_update", kUpdateCase, c.id(), EnumName(c, 1), EnumName(c, 2), c.country(),
      RiskFlagsArray(c), EnumName(c, 3), EnumName(c, 4), EnumName(c, 5),
      pqxx::binarystring(Seal(PersonalOf(c), PersonalAd(c.id()))), Micros(c.updated_at()),
      Micros(c.resolved_at()), Micros(c.closed_at()), c.version(),
      pqxx::binarystring(NameIndexOf(crypto_.blind_index, c)), c.handling_post(), facts.age_group,
      facts.mother_with_minor_children, facts.recognition_decision,
      TextArray(facts.recognition_obstacles), pqxx::binarystring(indexes.name_birth),
      pqxx::binarystring(indexes.sound), pqxx::binarystring(indexes.sound_birth), facts.children,
      facts.return_funding, facts.recognition_stage);
  if (r.affected_rows() != 1) throw std::runtime_error("case row to update is missing");
}

std::vector<std::string> CaseStore::OpenFollowUps(const std::string& case_id) {
  std::vector<std::string> ids;
  for (const auto& row : ExecPrepared(tx_, "case_open_follow_ups", kOpenFollowUps, case_id)) {
    ids.push_back(row[0].as<std::string>());
  }
  return ids;
}

std::vector<PermitRuleRow> CaseStore::PermitRules() {
  std::vector<PermitRuleRow> rules;
  for (const auto& row : ExecPrepared(tx_, "case_permit_rules", kPermitRules)) {
    PermitRuleRow rule;
    rule.permit_kind = row[0].as<std::string>();
    rule.max_months_abroad = row[1].as<int>();
    for (const absl::string_view weeks : absl::StrSplit(row[2].as<std::string>(), ',')) {
      int value = 0;
      if (absl::SimpleAtoi(weeks, &value)) rule.warn_weeks.push_back(value);
    }
    rule.description = row[3].as<std::string>();
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::vector<Case> CaseStore::OpenCases(const CaseScope& scope) {
  std::vector<Case> cases;
  if (scope.unit.empty()) return cases;
  const pqxx::result r = ExecPrepared(tx_, "case_open", WithColumns(kOpenCases),
                                      scope.unit, scope.subject, scope.role);
  cases.reserve(r.size());
  for (const auto& row : r) cases.push_back(CaseFromRow(row));
  return cases;
}

namespace {

std::vector<DatedItem> DatedItems(const pqxx::result& r) {
  std::vector<DatedItem> items;
  for (const auto& row : r) {
    items.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                     row[3].as<std::string>(), row[4].as<std::string>()});
  }
  return items;
}

}  // namespace

std::vector<DatedItem> CaseStore::FollowUpsDue(const std::string& unit, const std::string& until) {
  return DatedItems(ExecPrepared(tx_, "case_follow_ups_due", kFollowUpsDue, unit, until));
}

std::vector<DatedItem> CaseStore::SharesEnding(const std::string& unit, const std::string& until) {
  return DatedItems(ExecPrepared(tx_, "case_shares_ending", kSharesEnding, unit, until));
}

std::vector<DuplicateRow> CaseStore::PossibleDuplicates(const std::string& exclude_id,
                                                        const std::string& full_name,
                                                        const consular::v1::Date& date_of_birth) {
  const SubjectIndexes indexes = SubjectIndexesOf(crypto_.blind_index, full_name, date_of_birth);
  std::vector<DuplicateRow> rows;
  const pqxx::result r = ExecPrepared(tx_, "case_possible_duplicates", kPossibleDuplicates,
                                      exclude_id, pqxx::binarystring(indexes.name_birth),
                                      pqxx::binarystring(indexes.sound),
                                      pqxx::binarystring(indexes.sound_birth));
  for (const auto& row : r) {
    rows.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                    row[3].as<int>(), row[4].as<bool>()});
  }
  return rows;
}

std::vector<EmergencyTarget> CaseStore::EmergencySearch(const std::string& full_name,
                                                       const consular::v1::Date& date_of_birth) {
  const SubjectIndexes indexes = SubjectIndexesOf(crypto_.blind_index, full_name, date_of_birth);
  std::vector<EmergencyTarget> found;
  if (indexes.name_birth.empty()) return found;
  const pqxx::result r = ExecPrepared(tx_, "case_emergency_search", kEmergencySearch,
                                      pqxx::binarystring(indexes.name_birth));
  for (const auto& row : r) {
    found.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  }
  return found;
}

void CaseStore::InsertEmergencySearch(const std::string& id, const std::string& actor,
                                      const std::string& actor_role,
                                      const std::string& actor_unit, const std::string& reason,
                                      const std::vector<std::string>& found) {
  ExecPrepared0(tx_, "case_emergency_search_insert", kInsertEmergencySearch, id, actor,
                actor_role, actor_unit,
                pqxx::binarystring(Seal(reason, EmergencySearchReasonAd(id))), TextArray(found));
}

std::optional<Case> CaseStore::Find(const CaseScope& scope, const std::string& id_or_reference,
                                    bool lock) {
  if (scope.unit.empty()) return std::nullopt;
  const bool by_id = id_or_reference.size() == 36;
  const std::string sql =
      WithColumns(kFindCase, by_id ? "c.id = $4::uuid" : "c.reference = upper($4)");
  const std::string name = by_id ? "case_find_by_id" : "case_find_by_reference";
  if (lock) {
    // Locking a row needs the UPDATE policy too, so a case the caller may only read is not found
    // FOR UPDATE: it is then read unlocked below, for the caller to be refused by name.
    const pqxx::result locked =
        ExecPrepared(tx_, name + "_locked", sql + " FOR UPDATE OF c", scope.unit, scope.subject,
                     scope.role, id_or_reference);
    if (!locked.empty() && !locked[0][kAccessColumn].is_null()) return CaseFromRow(locked[0]);
  }
  const pqxx::result r =
      ExecPrepared(tx_, name, sql, scope.unit, scope.subject, scope.role, id_or_reference);
  if (r.empty() || r[0][kAccessColumn].is_null()) return std::nullopt;
  Case found = CaseFromRow(r[0]);
  if (lock && (found.caller_access() == consular::v1::CASE_ACCESS_HANDLING ||
               found.caller_access() == consular::v1::CASE_ACCESS_SHARED_READ_WRITE)) {
    // Writable yet not lockable: the application's rule and the policies disagree.
    throw std::runtime_error("case " + found.id() + " is writable but could not be locked");
  }
  return found;
}

std::optional<Case> CaseStore::FindWithPendingReferral(const CaseScope& scope,
                                                       const std::string& id_or_reference) {
  if (scope.unit.empty()) return std::nullopt;
  const bool by_id = id_or_reference.size() == 36;
  // The case's columns, then the pending referral's (all NULL when there is none); the referral
  // row passes its own policies, as in PendingReferral.
  static const std::string kFormat = absl::StrCat(
      "SELECT %s, ", kReferralColumns,
      " FROM cases.cases c LEFT JOIN LATERAL (SELECT * FROM cases.referrals r "
      "WHERE r.case_id = c.id AND r.state = 'PENDING' LIMIT 1) r ON true WHERE %s");
  const pqxx::result r = ExecPrepared(
      tx_, by_id ? "case_find_by_id_with_referral" : "case_find_by_reference_with_referral",
      WithColumns(kFormat.c_str(), by_id ? "c.id = $4::uuid" : "c.reference = upper($4)"),
      scope.unit, scope.subject, scope.role, id_or_reference);
  if (r.empty() || r[0][kAccessColumn].is_null()) return std::nullopt;
  Case found = CaseFromRow(r[0]);
  if (!r[0][kCaseColumnCount].is_null()) {
    *found.mutable_pending_referral() = ReferralFromRow(r[0], kCaseColumnCount);
  }
  return found;
}

std::vector<Case> CaseStore::List(const CaseScope& scope, const CaseFilter& filter,
                                  const std::optional<CaseCursor>& after, int limit) {
  std::vector<Case> cases;
  if (scope.unit.empty()) return cases;
  const pqxx::result r =
      ExecPrepared(tx_, "case_list", WithColumns(kListCases), scope.unit, scope.subject, scope.role,
                   filter.post, filter.country, filter.type, filter.status, filter.risk_flag,
                   filter.opened_from, filter.opened_to, after ? after->id : std::string(),
                   after ? std::to_string(after->opened_at_micros) : std::string(), limit,
                   filter.assigned_to, filter.unassigned);
  cases.reserve(r.size());
  for (const auto& row : r) cases.push_back(CaseFromRow(row));
  return cases;
}

std::vector<Case> CaseStore::Search(const CaseScope& scope, const std::string& name_index,
                                    const std::optional<CaseCursor>& after, int limit) {
  std::vector<Case> cases;
  if (scope.unit.empty()) return cases;
  const pqxx::result r =
      ExecPrepared(tx_, "case_search", WithColumns(kSearchCases), scope.unit, scope.subject,
                   scope.role, pqxx::binarystring(name_index), after ? after->id : std::string(),
                   after ? std::to_string(after->opened_at_micros) : std::string(), limit);
  cases.reserve(r.size());
  for (const auto& row : r) cases.push_back(CaseFromRow(row));
  return cases;
}

namespace {

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return TimeUtil::MicrosecondsToTimestamp(micros);
}

// "READ" for SHARE_ACCESS_READ and so on: the stored form of an enum value without its prefix.
std::string StoredName(const std::string& proto_name, const std::string& prefix) {
  if (proto_name.rfind(prefix, 0) != 0) throw std::logic_error("unexpected enum " + proto_name);
  return proto_name.substr(prefix.size());
}

// ACCEPTED / DECLINED as stored; anything else (NULL, PENDING) is no answer yet.
consular::v1::Answer AnswerOf(const std::string& stored) {
  if (stored == "ACCEPTED") return consular::v1::ANSWER_ACCEPTED;
  if (stored == "DECLINED") return consular::v1::ANSWER_DECLINED;
  return consular::v1::ANSWER_UNSPECIFIED;
}

std::string StoredAnswer(consular::v1::Answer answer) {
  return answer == consular::v1::ANSWER_UNSPECIFIED
             ? std::string()
             : StoredName(consular::v1::Answer_Name(answer), "ANSWER_");
}

// The referral in the columns kReferralColumns of `row`, from column `first` on.
consular::v1::Referral ReferralFromRow(const pqxx::row& row, int first) {
  consular::v1::Referral r;
  r.set_id(row[first].as<std::string>());
  r.set_case_id(row[first + 1].as<std::string>());
  r.set_case_reference(row[first + 2].as<std::string>());
  r.set_from_unit(row[first + 3].as<std::string>());
  r.set_to_unit(row[first + 4].as<std::string>());
  r.set_legal_basis(row[first + 5].as<std::string>());
  r.set_referred_by(row[first + 6].as<std::string>());
  *r.mutable_referred_at() = FromMicros(row[first + 7].as<int64_t>());
  r.set_answer(AnswerOf(row[first + 8].as<std::string>()));
  r.set_answered_by(row[first + 9].as<std::string>());
  if (const int64_t answered = row[first + 10].as<int64_t>(); answered != 0) {
    *r.mutable_answered_at() = FromMicros(answered);
  }
  r.set_answer_reason(row[first + 11].as<std::string>());
  return r;
}

consular::v1::CaseShare ShareFromRow(const pqxx::row& row) {
  consular::v1::CaseShare share;
  share.set_id(row[0].as<std::string>());
  share.set_case_id(row[1].as<std::string>());
  if (!row[2].is_null()) share.set_case_reference(row[2].as<std::string>());
  share.set_grantee(row[3].as<std::string>());
  share.set_access(ParseStoredEnum<consular::v1::ShareAccess>(
      "SHARE_ACCESS_" + row[4].as<std::string>(), consular::v1::ShareAccess_Parse));
  share.set_legal_basis(row[5].as<std::string>());
  share.set_granted_by(row[6].as<std::string>());
  share.set_granted_by_unit(row[7].as<std::string>());
  *share.mutable_granted_at() = FromMicros(row[8].as<int64_t>());
  if (const int64_t expires = row[9].as<int64_t>(); expires != 0) {
    *share.mutable_expires_at() = FromMicros(expires);
  }
  if (const int64_t revoked = row[10].as<int64_t>(); revoked != 0) {
    *share.mutable_revoked_at() = FromMicros(revoked);
  }
  share.set_revoked_by(row[11].as<std::string>());
  share.set_active(row[12].as<bool>());
  share.set_answer(AnswerOf(row[13].as<std::string>()));
  share.set_answered_by(row[14].as<std::string>());
  if (const int64_t answered = row[15].as<int64_t>(); answered != 0) {
    *share.mutable_answered_at() = FromMicros(answered);
  }
  share.set_answer_reason(row[16].as<std::string>());
  share.set_revoked_by_unit(row[17].as<std::string>());
  return share;
}

}  // namespace

void CaseStore::InsertShare(const consular::v1::CaseShare& share) {
  ExecPrepared0(tx_, "case_share_insert", kInsertShare, share.id(), share.case_id(),
                share.grantee(),
                StoredName(consular::v1::ShareAccess_Name(share.access()), "SHARE_ACCESS_"),
                share.legal_basis(), share.granted_by(), share.granted_by_unit(),
                Micros(share.granted_at()), Micros(share.expires_at()), StoredAnswer(share.answer()),
                share.answer() == consular::v1::ANSWER_UNSPECIFIED ? std::string()
                                                                   : share.answered_by());
}

bool CaseStore::AnswerShare(const std::string& share_id, consular::v1::Answer answer,
                            const std::string& answered_by,
                            const google::protobuf::Timestamp& answered_at,
                            const std::string& reason) {
  return ExecPrepared(tx_, "case_share_answer", kAnswerShare, share_id, StoredAnswer(answer),
                      answered_by, Micros(answered_at), reason)
             .affected_rows() == 1;
}

void CaseStore::SetAssignment(const std::string& case_id, const std::string& assignee,
                              const google::protobuf::Timestamp& at) {
  ExecPrepared0(tx_, "case_set_assignment", kSetAssignment, case_id, assignee, Micros(at));
}

void CaseStore::InsertReferral(const consular::v1::Referral& referral,
                               const std::string& share_id) {
  ExecPrepared0(tx_, "case_referral_insert", kInsertReferral, referral.id(), referral.case_id(),
                referral.case_reference(), referral.from_unit(), referral.to_unit(),
                referral.legal_basis(), referral.referred_by(), Micros(referral.referred_at()),
                share_id);
}

std::optional<std::pair<consular::v1::Referral, std::string>> CaseStore::FindReferral(
    const std::string& referral_id, bool lock) {
  std::string sql = absl::StrCat("SELECT ", kReferralColumns,
                                 " FROM cases.referrals r WHERE r.id = $1::uuid");
  if (lock) sql += " FOR UPDATE";
  const pqxx::result r = ExecPrepared(
      tx_, lock ? "case_referral_find_locked" : "case_referral_find", sql, referral_id);
  if (r.empty()) return std::nullopt;
  return std::make_pair(ReferralFromRow(r[0]), r[0][12].as<std::string>());
}

std::optional<consular::v1::Referral> CaseStore::PendingReferral(const std::string& case_id) {
  const pqxx::result r = ExecPrepared(
      tx_, "case_referral_pending",
      absl::StrCat("SELECT ", kReferralColumns,
                   " FROM cases.referrals r WHERE r.case_id = $1::uuid AND r.state = 'PENDING'"),
      case_id);
  if (r.empty()) return std::nullopt;
  return ReferralFromRow(r[0]);
}

bool CaseStore::AnswerReferral(const std::string& referral_id, consular::v1::Answer answer,
                               const std::string& answered_by,
                               const google::protobuf::Timestamp& answered_at,
                               const std::string& reason) {
  return ExecPrepared(tx_, "case_referral_answer", kAnswerReferral, referral_id,
                      StoredAnswer(answer), answered_by, Micros(answered_at), reason)
             .affected_rows() == 1;
}

std::vector<consular::v1::InboxItem> CaseStore::Inbox(int64_t since_micros) {
  std::vector<consular::v1::InboxItem> items;
  for (const auto& row : ExecPrepared(tx_, "case_inbox", kInbox, since_micros)) {
    consular::v1::InboxItem item;
    item.set_kind(ParseStoredEnum<consular::v1::InboxItemKind>(
        "INBOX_ITEM_KIND_" + row[0].as<std::string>(), consular::v1::InboxItemKind_Parse));
    item.set_item_id(row[1].as<std::string>());
    item.set_case_id(row[2].as<std::string>());
    item.set_case_reference(row[3].as<std::string>());
    item.set_case_type(ParseStoredEnum<consular::v1::CaseType>(row[4].as<std::string>(),
                                                               consular::v1::CaseType_Parse));
    item.set_country(row[5].as<std::string>());
    item.set_from_unit(row[6].as<std::string>());
    item.set_to_unit(row[7].as<std::string>());
    item.set_legal_basis(row[8].as<std::string>());
    *item.mutable_at() = FromMicros(row[9].as<int64_t>());
    item.set_needs_answer(row[10].as<bool>());
    item.set_answer(AnswerOf(row[11].as<std::string>()));
    item.set_answer_reason(row[12].as<std::string>());
    item.set_actor(row[13].as<std::string>());
    if (const std::string access = row[14].as<std::string>(); !access.empty()) {
      item.set_access(ParseStoredEnum<consular::v1::ShareAccess>(
          "SHARE_ACCESS_" + access, consular::v1::ShareAccess_Parse));
    }
    if (const int64_t expires = row[15].as<int64_t>(); expires != 0) {
      *item.mutable_expires_at() = FromMicros(expires);
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::optional<consular::v1::CaseShare> CaseStore::FindShare(const std::string& share_id,
                                                            bool lock) {
  std::string sql =
      absl::StrCat("SELECT ", kShareColumns, " ", SHARES_FROM, "WHERE s.id = $1::uuid");
  if (lock) sql += " FOR UPDATE OF s";
  const pqxx::result r =
      ExecPrepared(tx_, lock ? "case_share_find_locked" : "case_share_find", sql, share_id);
  if (r.empty()) return std::nullopt;
  return ShareFromRow(r[0]);
}

std::optional<consular::v1::CaseShare> CaseStore::LiveShare(const std::string& case_id,
                                                            const std::string& grantee) {
  const pqxx::result r = ExecPrepared(
      tx_, "case_share_live",
      absl::StrCat("SELECT ", kShareColumns, " ", SHARES_FROM,
                   "WHERE s.case_id = $1::uuid AND s.grantee_unit = $2 AND " LIVE_SHARE(
                       "s") " ORDER BY s.granted_at DESC LIMIT 1"),
      case_id, grantee);
  if (r.empty()) return std::nullopt;
  return ShareFromRow(r[0]);
}

std::vector<consular::v1::CaseShare> CaseStore::ListShares(const std::string& case_id,
                                                           const std::string& grantee,
                                                           bool include_inactive) {
  const pqxx::result r =
      ExecPrepared(tx_, "case_share_list",
                   absl::StrCat("SELECT ", kShareColumns, " ", SHARES_FROM,
                                "WHERE s.case_id = $1::uuid AND ($2 = '' OR s.grantee_unit = $2) "
                                "AND ($3 OR (" LIVE_SHARE("s") ")) ORDER BY s.granted_at, s.id"),
                   case_id, grantee, include_inactive);
  std::vector<consular::v1::CaseShare> shares;
  for (const auto& row : r) shares.push_back(ShareFromRow(row));
  return shares;
}

void CaseStore::RevokeShare(const std::string& share_id, const std::string& revoked_by,
                            const google::protobuf::Timestamp& revoked_at) {
  const pqxx::result r = ExecPrepared(tx_, "case_share_revoke", kRevokeShare, share_id, revoked_by,
                                      Micros(revoked_at));
  if (r.affected_rows() != 1) throw std::runtime_error("share to revoke is missing");
}

std::optional<EmergencyTarget> CaseStore::FindCaseForEmergency(const std::string& id_or_reference) {
  const pqxx::result r =
      ExecPrepared(tx_, "case_find_for_emergency", kFindCaseForEmergency, id_or_reference);
  if (r.empty()) return std::nullopt;
  return EmergencyTarget{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                         r[0][2].as<std::string>()};
}

consular::v1::EmergencyAccess CaseStore::EmergencyFromRow(const pqxx::row& row) const {
  consular::v1::EmergencyAccess grant;
  grant.set_id(row[0].as<std::string>());
  grant.set_case_id(row[1].as<std::string>());
  grant.set_case_reference(row[2].as<std::string>());
  grant.set_handling_post(row[3].as<std::string>());
  grant.set_actor(row[4].as<std::string>());
  grant.set_actor_role(
      ParseStoredEnum<consular::v1::Role>(row[5].as<std::string>(), consular::v1::Role_Parse));
  grant.set_actor_unit(row[6].as<std::string>());
  // Destroyed (NULL) once the case is anonymised: who, when and the review stay.
  if (!row[7].is_null()) grant.set_reason(Open(row[7], EmergencyReasonAd(grant.id())));
  *grant.mutable_opened_at() = FromMicros(row[8].as<int64_t>());
  *grant.mutable_expires_at() = FromMicros(row[9].as<int64_t>());
  grant.set_active(row[10].as<bool>());
  const std::string review = row[11].as<std::string>();
  if (!review.empty()) {
    grant.set_review(ParseStoredEnum<consular::v1::EmergencyReview>(
        "EMERGENCY_REVIEW_" + review, consular::v1::EmergencyReview_Parse));
    grant.set_reviewed_by(row[12].as<std::string>());
    *grant.mutable_reviewed_at() = FromMicros(row[13].as<int64_t>());
  }
  return grant;
}

void CaseStore::InsertEmergencyAccess(consular::v1::EmergencyAccess* grant, int minutes) {
  const pqxx::row times = ExecPrepared1(
      tx_, "emergency_access_insert", kInsertEmergency, grant->id(), grant->case_id(),
      grant->case_reference(), grant->handling_post(), grant->actor(),
      consular::v1::Role_Name(grant->actor_role()), grant->actor_unit(),
      pqxx::binarystring(Seal(grant->reason(), EmergencyReasonAd(grant->id()))), minutes);
  *grant->mutable_opened_at() = FromMicros(times[0].as<int64_t>());
  *grant->mutable_expires_at() = FromMicros(times[1].as<int64_t>());
}

std::optional<consular::v1::EmergencyAccess> CaseStore::FindEmergencyAccess(const std::string& id,
                                                                            bool lock) {
  const std::string sql = absl::StrCat("SELECT ", kEmergencyColumns,
                                       " FROM cases.emergency_access e WHERE e.id = $1::uuid");
  if (lock) {
    // As in Find: a grant the caller may see but not review (their own) is read unlocked.
    const pqxx::result locked =
        ExecPrepared(tx_, "emergency_access_find_locked", sql + " FOR UPDATE", id);
    if (!locked.empty()) return EmergencyFromRow(locked[0]);
  }
  const pqxx::result r = ExecPrepared(tx_, "emergency_access_find", sql, id);
  if (r.empty()) return std::nullopt;
  return EmergencyFromRow(r[0]);
}

std::optional<consular::v1::EmergencyAccess> CaseStore::LiveEmergencyAccess(
    const std::string& case_id, const std::string& actor, const std::string& role) {
  const pqxx::result r = ExecPrepared(
      tx_, "emergency_access_live",
      absl::StrCat("SELECT ", kEmergencyColumns,
                   " FROM cases.emergency_access e WHERE e.case_id = $1::uuid AND e.actor = $2 "
                   "AND e.actor_role = $3 AND e.expires_at > now() "
                   "ORDER BY e.expires_at DESC LIMIT 1"),
      case_id, actor, role);
  if (r.empty()) return std::nullopt;
  return EmergencyFromRow(r[0]);
}

std::vector<consular::v1::EmergencyAccess> CaseStore::ListEmergencyAccess(
    const EmergencyListScope& scope, bool unreviewed_only, const std::optional<CaseCursor>& after,
    int limit) {
  const pqxx::result r = ExecPrepared(
      tx_, "emergency_access_list", absl::StrCat("SELECT ", kEmergencyColumns, " ", kListEmergency),
      scope.all, scope.actor, scope.post, unreviewed_only, after ? after->id : std::string(),
      after ? std::to_string(after->opened_at_micros) : std::string(), limit);
  std::vector<consular::v1::EmergencyAccess> grants;
  for (const auto& row : r) grants.push_back(EmergencyFromRow(row));
  return grants;
}

void CaseStore::ReviewEmergencyAccess(const std::string& id, consular::v1::EmergencyReview review,
                                      const std::string& reviewed_by,
                                      const google::protobuf::Timestamp& reviewed_at) {
  const pqxx::result r =
      ExecPrepared(tx_, "emergency_access_review", kReviewEmergency, id,
                   StoredName(consular::v1::EmergencyReview_Name(review), "EMERGENCY_REVIEW_"),
                   reviewed_by, Micros(reviewed_at));
  if (r.affected_rows() != 1) throw std::runtime_error("emergency access to review is missing");
}

int64_t CaseStore::AppendEvent(const std::string& case_id, const CaseEvent& event) {
  const int64_t sequence =
      ExecPrepared1(tx_, "case_event_next_sequence", kNextEventSequence, case_id)[0].as<int64_t>();
  InsertEvent(case_id, sequence, event, /*at_commit=*/false);
  return sequence;
}

void CaseStore::InsertEvent(const std::string& case_id, int64_t sequence, const CaseEvent& event,
                            bool at_commit) {
  // The reason is personal: it is stored encrypted in a column of its own, not in the payload.
  const std::string payload = EventPayload(event);
  const std::string reason =
      event.reason().empty() ? std::string() : Seal(event.reason(), ReasonAd(case_id, sequence));
  std::string changes;
  if (!event.changes().empty()) {
    CaseEvent only_changes;
    *only_changes.mutable_changes() = event.changes();
    changes = Seal(only_changes.SerializeAsString(), ChangesAd(case_id, sequence));
  }
  const auto exec = [&](auto&&... args) {
    if (at_commit) {
      ExecPreparedAtCommit(tx_, "case_event_append", kAppendEvent, args...);
    } else {
      ExecPrepared0(tx_, "case_event_append", kAppendEvent, args...);
    }
  };
  exec(case_id, sequence, consular::v1::CaseEventType_Name(event.type()), event.actor(),
       consular::v1::Role_Name(event.actor_role()), event.actor_post(),
       Micros(event.occurred_at()), event.case_version(), payload, pqxx::binarystring(reason),
       pqxx::binarystring(changes));
}

std::vector<CaseEvent> CaseStore::ListEvents(const std::string& case_id, int64_t after_sequence,
                                             int limit) {
  std::vector<CaseEvent> events;
  const pqxx::result r =
      ExecPrepared(tx_, "case_event_list", kListEvents, case_id, after_sequence, limit);
  for (const auto& row : r) {
    CaseEvent event;
    if (!google::protobuf::util::JsonStringToMessage(row[1].as<std::string>(), &event).ok()) {
      throw std::runtime_error("stored case event does not parse");
    }
    event.set_sequence(row[0].as<int64_t>());
    if (!row[2].is_null()) event.set_reason(Open(row[2], ReasonAd(case_id, event.sequence())));
    if (!row[3].is_null()) {
      CaseEvent only_changes;
      if (!only_changes.ParseFromString(Open(row[3], ChangesAd(case_id, event.sequence())))) {
        throw std::runtime_error("stored case event changes do not parse");
      }
      *event.mutable_changes() = std::move(*only_changes.mutable_changes());
    }
    events.push_back(std::move(event));
  }
  return events;
}

void CaseStore::InsertNote(const CaseNote& note) {
  ExecPrepared0(tx_, "case_note_insert", kInsertNote, note.id(), note.case_id(), note.author(),
                note.author_post(), Micros(note.created_at()),
                pqxx::binarystring(Seal(note.text(), NoteBodyAd(note.id()))));
}

std::vector<CaseNote> CaseStore::ListNotes(const std::string& case_id,
                                           const std::optional<CaseCursor>& after, int limit) {
  std::vector<CaseNote> notes;
  const pqxx::result r =
      ExecPrepared(tx_, "case_note_list", kListNotes, case_id, after ? after->id : std::string(),
                   after ? std::to_string(after->opened_at_micros) : std::string(), limit);
  for (const auto& row : r) {
    CaseNote note;
    note.set_id(row[0].as<std::string>());
    note.set_case_id(case_id);
    note.set_author(row[1].as<std::string>());
    note.set_author_post(row[2].as<std::string>());
    *note.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(row[3].as<int64_t>());
    note.set_text(Open(row[4], NoteBodyAd(note.id())));
    notes.push_back(std::move(note));
  }
  return notes;
}

}  // namespace consular::storage

#include "storage/case_store.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <stdexcept>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace consular::storage {
namespace {

using consular::v1::Case;
using consular::v1::CaseEvent;
using consular::v1::CaseNote;
using google::protobuf::util::TimeUtil;

// Time stamps cross the wire as microseconds since the epoch, exactly.
#define MICROS(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define FROM_MICROS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 microsecond')"

constexpr char kCaseColumns[] =
    "id::text, reference, case_type, status, COALESCE(outcome, ''), handling_post, country, "
    "array_to_string(risk_flags, ','), referral_source, personal, " MICROS("opened_at") ", " MICROS(
        "updated_at") ", COALESCE(" MICROS("resolved_at") ", 0), COALESCE(" MICROS("closed_at") ", 0), "
    "version";

constexpr char kClaimRequest[] =
    "INSERT INTO cases.idempotency (actor, request_id, method, request_hash) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
constexpr char kFindRequest[] =
    "SELECT method, request_hash, COALESCE(response, ''::bytea) FROM cases.idempotency "
    "WHERE actor = $1 AND request_id = $2";
constexpr char kSaveResponse[] =
    "UPDATE cases.idempotency SET response = $3 WHERE actor = $1 AND request_id = $2";

constexpr char kNextReference[] =
    "INSERT INTO cases.reference_counters (prefix, year, last_value) VALUES ($1, $2, 1) "
    "ON CONFLICT (prefix, year) DO UPDATE SET last_value = cases.reference_counters.last_value + 1 "
    "RETURNING last_value";

constexpr char kInsertCase[] =
    "INSERT INTO cases.cases (id, reference, case_type, status, outcome, handling_post, country, "
    "risk_flags, referral_source, subject_sex, subject_nationality_status, personal, opened_at, "
    "updated_at, resolved_at, closed_at, version) VALUES ($1::uuid, $2, $3, $4, NULLIF($5, ''), $6, "
    "$7, $8::text[], $9, $10, $11, $12, " FROM_MICROS("$13") ", " FROM_MICROS("$14") ", "
    "CASE WHEN $15::bigint = 0 THEN NULL ELSE " FROM_MICROS("$15") " END, "
    "CASE WHEN $16::bigint = 0 THEN NULL ELSE " FROM_MICROS("$16") " END, $17)";

constexpr char kUpdateCase[] =
    "UPDATE cases.cases SET status = $2, outcome = NULLIF($3, ''), country = $4, "
    "risk_flags = $5::text[], referral_source = $6, subject_sex = $7, "
    "subject_nationality_status = $8, personal = $9, updated_at = " FROM_MICROS("$10") ", "
    "resolved_at = CASE WHEN $11::bigint = 0 THEN NULL ELSE " FROM_MICROS("$11") " END, "
    "closed_at = CASE WHEN $12::bigint = 0 THEN NULL ELSE " FROM_MICROS("$12") " END, "
    "version = $13 WHERE id = $1::uuid";

// $1 scope post, $2 id or reference; the id comparison is on text so a reference never fails a cast.
constexpr char kFindCase[] = "SELECT %s FROM cases.cases WHERE handling_post = $1 AND %s";

constexpr char kListCases[] =
    "SELECT %s FROM cases.cases WHERE handling_post = $1 "
    "AND ($2 = '' OR handling_post = $2) "
    "AND ($3 = '' OR country = $3) "
    "AND ($4 = '' OR case_type = $4) "
    "AND ($5 = '' OR status = $5) "
    "AND ($6 = '' OR $6 = ANY (risk_flags)) "
    "AND (NULLIF($7, '') IS NULL OR opened_at >= (NULLIF($7, '')::date)::timestamp AT TIME ZONE 'UTC') "
    "AND (NULLIF($8, '') IS NULL OR opened_at < (NULLIF($8, '')::date + 1)::timestamp AT TIME ZONE 'UTC') "
    "AND ($9 = '' OR (opened_at, id) < (" FROM_MICROS("NULLIF($10, '')") ", NULLIF($9, '')::uuid)) "
    "ORDER BY opened_at DESC, id DESC LIMIT $11";

constexpr char kAppendEvent[] =
    "INSERT INTO cases.case_events (case_id, sequence, event_type, actor, actor_role, actor_post, "
    "occurred_at, case_version, payload) SELECT $1::uuid, COALESCE(MAX(sequence), 0) + 1, $2, $3, $4, "
    "$5, " FROM_MICROS("$6") ", $7, $8::jsonb FROM cases.case_events WHERE case_id = $1::uuid "
    "RETURNING sequence";

constexpr char kListEvents[] =
    "SELECT sequence, payload::text FROM cases.case_events WHERE case_id = $1::uuid "
    "AND sequence > $2 ORDER BY sequence LIMIT $3";

constexpr char kInsertNote[] =
    "INSERT INTO cases.case_notes (id, case_id, author, author_post, created_at, body) "
    "VALUES ($1::uuid, $2::uuid, $3, $4, " FROM_MICROS("$5") ", $6)";

constexpr char kListNotes[] =
    "SELECT id::text, author, author_post, " MICROS("created_at") ", body FROM cases.case_notes "
    "WHERE case_id = $1::uuid AND ($2 = '' OR (created_at, id) > (" FROM_MICROS("NULLIF($3, '')") ", "
    "NULLIF($2, '')::uuid)) ORDER BY created_at, id LIMIT $4";

std::string WithColumns(const char* format, const std::string& condition = "") {
  char buffer[4096];
  const int n = std::snprintf(buffer, sizeof buffer, format, kCaseColumns, condition.c_str());
  if (n < 0 || static_cast<size_t>(n) >= sizeof buffer) throw std::logic_error("SQL too long");
  return buffer;
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 && t.nanos() == 0 ? 0 : TimeUtil::TimestampToMicroseconds(t);
}

std::string RiskFlagsArray(const Case& c) {
  std::vector<std::string> names;
  for (const int flag : c.risk_flags()) {
    names.push_back(consular::v1::RiskFlag_Name(static_cast<consular::v1::RiskFlag>(flag)));
  }
  return "{" + absl::StrJoin(names, ",") + "}";
}

// The personal part of a case: who the person is, how to reach them safely, and the details.
std::string PersonalOf(const Case& c) {
  Case personal;
  *personal.mutable_subject() = c.subject();
  *personal.mutable_safety() = c.safety();
  if (c.has_abandonment()) *personal.mutable_abandonment() = c.abandonment();
  if (c.has_divorce_recognition()) *personal.mutable_divorce_recognition() = c.divorce_recognition();
  std::string bytes;
  personal.SerializeToString(&bytes);
  return bytes;
}

template <typename Enum, typename Parse>
Enum ParseEnum(const std::string& name, Parse parse) {
  Enum value{};
  if (!name.empty() && !parse(name, &value)) {
    throw std::runtime_error("stored value not a known enum name: " + name);
  }
  return value;
}

Case CaseFromRow(const pqxx::row& row) {
  Case c;
  if (!c.ParseFromString(pqxx::binarystring(row[9]).str())) {
    throw std::runtime_error("stored case record does not parse");
  }
  c.set_id(row[0].as<std::string>());
  c.set_reference(row[1].as<std::string>());
  c.set_type(ParseEnum<consular::v1::CaseType>(row[2].as<std::string>(),
                                               consular::v1::CaseType_Parse));
  c.set_status(ParseEnum<consular::v1::CaseStatus>(row[3].as<std::string>(),
                                                   consular::v1::CaseStatus_Parse));
  c.set_outcome(ParseEnum<consular::v1::Outcome>(row[4].as<std::string>(),
                                                 consular::v1::Outcome_Parse));
  c.set_handling_post(row[5].as<std::string>());
  c.set_country(row[6].as<std::string>());
  const std::string flags = row[7].as<std::string>();
  if (!flags.empty()) {
    for (const absl::string_view name : absl::StrSplit(flags, ',')) {
      c.add_risk_flags(ParseEnum<consular::v1::RiskFlag>(std::string(name),
                                                         consular::v1::RiskFlag_Parse));
    }
  }
  c.set_referral_source(ParseEnum<consular::v1::ReferralSource>(
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
  return c;
}

std::string EnumName(const Case& c, int which) {
  switch (which) {
    case 0:
      return consular::v1::CaseType_Name(c.type());
    case 1:
      return consular::v1::CaseStatus_Name(c.status());
    case 2:
      return c.outcome() == consular::v1::OUTCOME_UNSPECIFIED ? ""
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

std::optional<PriorRequest> CaseStore::ClaimRequest(const std::string& actor,
                                                    const std::string& request_id,
                                                    const std::string& method,
                                                    const std::string& request_hash) {
  const pqxx::result claimed = tx_.exec_params(kClaimRequest, actor, request_id, method,
                                               pqxx::binarystring(request_hash));
  if (claimed.affected_rows() == 1) return std::nullopt;
  const pqxx::row row = tx_.exec_params1(kFindRequest, actor, request_id);
  return PriorRequest{row[0].as<std::string>(), pqxx::binarystring(row[1]).str(),
                      pqxx::binarystring(row[2]).str()};
}

void CaseStore::SaveResponse(const std::string& actor, const std::string& request_id,
                             const std::string& response) {
  tx_.exec_params0(kSaveResponse, actor, request_id, pqxx::binarystring(response));
}

int CaseStore::NextReferenceNumber(const std::string& prefix, int year) {
  return tx_.exec_params1(kNextReference, prefix, year)[0].as<int>();
}

void CaseStore::Insert(const Case& c) {
  tx_.exec_params0(kInsertCase, c.id(), c.reference(), EnumName(c, 0), EnumName(c, 1),
                   EnumName(c, 2), c.handling_post(), c.country(), RiskFlagsArray(c),
                   EnumName(c, 3), EnumName(c, 4), EnumName(c, 5),
                   pqxx::binarystring(PersonalOf(c)), Micros(c.opened_at()),
                   Micros(c.updated_at()), Micros(c.resolved_at()), Micros(c.closed_at()),
                   c.version());
}

void CaseStore::Update(const Case& c) {
  const pqxx::result r = tx_.exec_params(
      kUpdateCase, c.id(), EnumName(c, 1), EnumName(c, 2), c.country(), RiskFlagsArray(c),
      EnumName(c, 3), EnumName(c, 4), EnumName(c, 5), pqxx::binarystring(PersonalOf(c)),
      Micros(c.updated_at()), Micros(c.resolved_at()), Micros(c.closed_at()), c.version());
  if (r.affected_rows() != 1) throw std::runtime_error("case row to update is missing");
}

std::optional<Case> CaseStore::Find(const CaseScope& scope, const std::string& id_or_reference,
                                    bool lock) {
  if (scope.post.empty()) return std::nullopt;
  std::string sql = WithColumns(kFindCase, id_or_reference.size() == 36 ? "id = $2::uuid"
                                                                          : "reference = upper($2)");
  if (lock) sql += " FOR UPDATE";
  const pqxx::result r = tx_.exec_params(sql, scope.post, id_or_reference);
  if (r.empty()) return std::nullopt;
  return CaseFromRow(r[0]);
}

std::vector<Case> CaseStore::List(const CaseScope& scope, const CaseFilter& filter,
                                  const std::optional<CaseCursor>& after, int limit) {
  std::vector<Case> cases;
  if (scope.post.empty()) return cases;
  const pqxx::result r = tx_.exec_params(
      WithColumns(kListCases), scope.post, filter.post, filter.country, filter.type,
      filter.status, filter.risk_flag, filter.opened_from, filter.opened_to,
      after ? after->id : std::string(),
      after ? std::to_string(after->opened_at_micros) : std::string(), limit);
  cases.reserve(r.size());
  for (const auto& row : r) cases.push_back(CaseFromRow(row));
  return cases;
}

int64_t CaseStore::AppendEvent(const std::string& case_id, const CaseEvent& event) {
  std::string payload;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(event, &payload, options).ok()) {
    throw std::runtime_error("case event does not convert to JSON");
  }
  return tx_
      .exec_params1(kAppendEvent, case_id, consular::v1::CaseEventType_Name(event.type()),
                    event.actor(), consular::v1::Role_Name(event.actor_role()), event.actor_post(),
                    Micros(event.occurred_at()), event.case_version(), payload)[0]
      .as<int64_t>();
}

std::vector<CaseEvent> CaseStore::ListEvents(const std::string& case_id, int64_t after_sequence,
                                             int limit) {
  std::vector<CaseEvent> events;
  const pqxx::result r = tx_.exec_params(kListEvents, case_id, after_sequence, limit);
  for (const auto& row : r) {
    CaseEvent event;
    if (!google::protobuf::util::JsonStringToMessage(row[1].as<std::string>(), &event).ok()) {
      throw std::runtime_error("stored case event does not parse");
    }
    event.set_sequence(row[0].as<int64_t>());
    events.push_back(std::move(event));
  }
  return events;
}

void CaseStore::InsertNote(const CaseNote& note) {
  tx_.exec_params0(kInsertNote, note.id(), note.case_id(), note.author(), note.author_post(),
                   Micros(note.created_at()), note.text());
}

std::vector<CaseNote> CaseStore::ListNotes(const std::string& case_id,
                                           const std::optional<CaseCursor>& after, int limit) {
  std::vector<CaseNote> notes;
  const pqxx::result r = tx_.exec_params(
      kListNotes, case_id, after ? after->id : std::string(),
      after ? std::to_string(after->opened_at_micros) : std::string(), limit);
  for (const auto& row : r) {
    CaseNote note;
    note.set_id(row[0].as<std::string>());
    note.set_case_id(case_id);
    note.set_author(row[1].as<std::string>());
    note.set_author_post(row[2].as<std::string>());
    *note.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(row[3].as<int64_t>());
    note.set_text(row[4].as<std::string>());
    notes.push_back(std::move(note));
  }
  return notes;
}

}  // namespace consular::storage

#include "tools/datagen/row_encoders.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "google/protobuf/descriptor.h"
#include "storage/case_events.h"
#include "tools/datagen/bulk_dates.h"

namespace consular::datagen::bulk {
namespace {

namespace v1 = consular::v1;

const std::string& EnumText(const google::protobuf::EnumDescriptor* type, int number) {
  static const std::string kEmpty;
  const google::protobuf::EnumValueDescriptor* v = type->FindValueByNumber(number);
  return v == nullptr ? kEmpty : v->name();
}

std::string DateText(int64_t seconds) {
  std::string out;
  AppendDate(&out, seconds);
  return out;
}

// UPDATED events: the paths that changed, by UpdateKind.
const std::vector<std::vector<std::string>>& ChangedFields() {
  static const auto* const kChanged = new std::vector<std::vector<std::string>>{
      {"safety.safe_contact_channel", "safety.safe_contact_times"},
      {"risk_flags"},
      {"divorce_recognition.obstacles"},
      {"divorce_recognition.proceedings_state", "divorce_recognition.decision",
       "divorce_recognition.decided_on"},
      {"divorce_recognition.proceedings_state"}};
  return *kChanged;
}

// `value` as a JSON array of the names of the set bits of `mask`.
void SetNames(google::protobuf::Value* value, uint32_t mask, NameOf name_of) {
  google::protobuf::ListValue* list = value->mutable_list_value();
  for (int n = 1; n < 32; ++n) {
    if ((mask & (1u << n)) != 0) list->add_values()->set_string_value(name_of(n));
  }
}

}  // namespace

const std::string& CaseTypeName(int n) { return EnumText(v1::CaseType_descriptor(), n); }
const std::string& StatusName(int n) { return EnumText(v1::CaseStatus_descriptor(), n); }
const std::string& OutcomeName(int n) { return EnumText(v1::Outcome_descriptor(), n); }
const std::string& SexName(int n) { return EnumText(v1::Sex_descriptor(), n); }
const std::string& NationalityName(int n) {
  return EnumText(v1::NationalityStatus_descriptor(), n);
}
const std::string& ReferralName(int n) { return EnumText(v1::ReferralSource_descriptor(), n); }
const std::string& FlagName(int n) { return EnumText(v1::RiskFlag_descriptor(), n); }
const std::string& DecisionName(int n) { return EnumText(v1::RecognitionDecision_descriptor(), n); }
const std::string& ObstacleName(int n) { return EnumText(v1::RecognitionObstacle_descriptor(), n); }
const std::string& StageName(int n) { return EnumText(v1::ProceedingsStage_descriptor(), n); }
const std::string& FundingName(int n) { return EnumText(v1::ReturnFunding_descriptor(), n); }
const std::string& EventTypeName(int n) { return EnumText(v1::CaseEventType_descriptor(), n); }
const std::string& KindName(int n) { return EnumText(v1::PartnerKind_descriptor(), n); }
const std::string& PurposeName(int n) { return EnumText(v1::ContactPurpose_descriptor(), n); }
const std::string& ChannelName(int n) { return EnumText(v1::ContactChannel_descriptor(), n); }
const std::string& DirectionName(int n) { return EnumText(v1::ContactDirection_descriptor(), n); }
const std::string& ContactOutcomeName(int n) {
  return EnumText(v1::ContactOutcome_descriptor(), n);
}

std::string ChildrenName(const CaseRec& c) {
  if (c.type != v1::CASE_TYPE_ABANDONMENT) return kChildrenNotCounted;
  return kChildren[std::min<size_t>(c.children, kChildren.size() - 1)];
}

std::vector<std::string> NamesOf(uint32_t mask, NameOf name_of) {
  std::vector<std::string> names;
  for (int n = 1; n < 32; ++n) {
    if ((mask & (1u << n)) != 0) names.push_back(name_of(n));
  }
  return names;
}

void AppendTextArray(std::string* out, uint32_t mask, NameOf name_of) {
  out->push_back('{');
  bool first = true;
  for (int n = 1; n < 32; ++n) {
    if ((mask & (1u << n)) == 0) continue;
    if (!first) out->push_back(',');
    first = false;
    out->append(name_of(n));
  }
  out->push_back('}');
}

void AppendUuid(std::string* out, const Uuid& u) {
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out->push_back('-');
    out->push_back(kHex[u[i] >> 4]);
    out->push_back(kHex[u[i] & 15]);
  }
}

std::string UuidText(const Uuid& u) {
  std::string out;
  AppendUuid(&out, u);
  return out;
}

std::string Bytea(const std::string& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (const char ch : bytes) {
    const auto b = static_cast<uint8_t>(ch);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

const std::string& DummyCiphertext() {
  static const std::string* const kValue = new std::string("\\x01" + std::string(94, '0'));
  return *kValue;
}

const std::string& RowEncoder::Unit(const CaseRec& c) const {
  static const std::string kLkhaUnit = "LKHA";
  return c.lkha ? kLkhaUnit : countries_[c.country].post;
}

ActorOf RowEncoder::Actor(const CaseRec& c, uint8_t actor, uint8_t number) const {
  const std::string& post = countries_[c.country].post;
  switch (actor) {
    case kManager:
      return {absl::StrCat("manager-", post), v1::ROLE_POST_MANAGER, post};
    case kLkha:
      return {absl::StrCat("lkha-", number), v1::ROLE_LKHA_CASEWORKER, ""};
    default:
      return {absl::StrCat("officer-", post, "-", number), v1::ROLE_CONSULAR_OFFICER, post};
  }
}

std::string RowEncoder::Facts(const CaseRec& c, const EventRec& e) const {
  const bool resolved = e.status == v1::CASE_STATUS_RESOLVED || e.status == v1::CASE_STATUS_CLOSED;
  google::protobuf::Struct facts;
  auto& f = *facts.mutable_fields();
  f["country"].set_string_value(countries_[c.country].country);
  f["type"].set_string_value(CaseTypeName(c.type));
  f["status"].set_string_value(StatusName(e.status));
  f["outcome"].set_string_value(e.outcome == 0 ? std::string() : OutcomeName(e.outcome));
  f["opened"].set_string_value(DateText(c.opened));
  f["resolved"].set_string_value(resolved ? DateText(c.resolved) : std::string());
  f["age_group"].set_string_value(kAgeGroups[c.age_group]);
  f["mother_with_minor_children"].set_bool_value(c.mother);
  f["sex"].set_string_value(SexName(c.sex));
  f["nationality_status"].set_string_value(NationalityName(c.nationality));
  f["referral_source"].set_string_value(ReferralName(c.referral));
  SetNames(&f["risk_flags"], e.flags, FlagName);
  f["recognition_decision"].set_string_value(DecisionName(e.decision));
  SetNames(&f["recognition_obstacles"], e.obstacles, ObstacleName);
  f["recognition_stage"].set_string_value(StageName(e.stage));
  f["children"].set_string_value(ChildrenName(c));
  f["return_funding"].set_string_value(FundingName(c.funding));
  if (IsContactEvent(e.type)) {
    const ContactRec& k = d_.contacts[e.ref];
    auto& contact = *f["contact"].mutable_struct_value()->mutable_fields();
    contact["id"].set_string_value(UuidText(k.id));
    contact["day"].set_string_value(DateText(k.occurred));
    contact["partner_kind"].set_string_value(KindName(k.kind));
    contact["purpose"].set_string_value(PurposeName(e.contact_purpose));
  }
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(facts, &json).ok()) {
    throw std::runtime_error("event facts do not convert to JSON");
  }
  return json;
}

std::string RowEncoder::Payload(const EventRec& e, const ActorOf& actor) const {
  v1::CaseEvent event;
  event.set_type(static_cast<v1::CaseEventType>(e.type));
  event.set_actor(actor.subject);
  event.set_actor_role(actor.role);
  event.set_actor_post(actor.post);
  event.mutable_occurred_at()->set_seconds(e.at);
  event.set_case_version(e.version);
  switch (e.type) {
    case v1::CASE_EVENT_TYPE_CREATED:
      event.set_to_status(v1::CASE_STATUS_INTAKE);
      break;
    case v1::CASE_EVENT_TYPE_UPDATED:
      for (const std::string& path : ChangedFields()[e.update]) event.add_changed_fields(path);
      break;
    case v1::CASE_EVENT_TYPE_TRANSITIONED:
      event.set_from_status(static_cast<v1::CaseStatus>(e.from_status));
      event.set_to_status(static_cast<v1::CaseStatus>(e.status));
      if (e.status == v1::CASE_STATUS_RESOLVED) {
        event.set_outcome(static_cast<v1::Outcome>(e.outcome));
      }
      break;
    case v1::CASE_EVENT_TYPE_NOTE_ADDED:
      event.set_note_id(UuidText(d_.notes[e.ref].id));
      break;
    case v1::CASE_EVENT_TYPE_CONTACT_LOGGED:
    case v1::CASE_EVENT_TYPE_CONTACT_UPDATED:
    case v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED: {
      const ContactRec& k = d_.contacts[e.ref];
      event.set_contact_id(UuidText(k.id));
      event.set_partner_kind(static_cast<v1::PartnerKind>(k.kind));
      event.set_contact_purpose(static_cast<v1::ContactPurpose>(e.contact_purpose));
      break;
    }
    default:
      break;
  }
  return storage::EventPayload(event);
}

bool RowEncoder::IsContactEvent(int type) {
  return type == v1::CASE_EVENT_TYPE_CONTACT_LOGGED ||
         type == v1::CASE_EVENT_TYPE_CONTACT_UPDATED ||
         type == v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED;
}

}  // namespace consular::datagen::bulk

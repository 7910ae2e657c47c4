#include "services/cases/case_history.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/util/field_mask_util.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proto/dates.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseEvent;
using consular::v1::CaseHistoryEntry;
using consular::v1::FieldChange;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kCovertNotes[] = "safety.covert_notes";
constexpr char kCodeWord[] = "safety.code_word";

bool IsDate(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         field->message_type() == consular::v1::Date::descriptor();
}

// A field that is a group of fields of its own (subject, safety, the type's details).
bool IsGroup(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated() &&
         !IsDate(field);
}

std::string ElementText(const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* r = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetRepeatedString(message, field, index);
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetRepeatedEnum(message, field, index)->name();
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetRepeatedBool(message, field, index) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(r->GetRepeatedInt32(message, field, index));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r->GetRepeatedInt64(message, field, index));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return r->GetRepeatedMessage(message, field, index).ShortDebugString();
    default:
      return "?";
  }
}

// Appends the changes of `field` of `before`/`after` (messages of the same type) under `path`.
void Compare(const Message& before, const Message& after, const FieldDescriptor* field,
             const std::string& path, std::vector<FieldChange>* out) {
  if (IsGroup(field)) {
    const Reflection* r = before.GetReflection();
    const Message& b = r->GetMessage(before, field);
    const Message& a = r->GetMessage(after, field);
    const google::protobuf::Descriptor* type = field->message_type();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* inner = type->field(i);
      Compare(b, a, inner, absl::StrCat(path, ".", inner->name()), out);
    }
    return;
  }
  const std::string old_value = FieldText(before, field);
  const std::string new_value = FieldText(after, field);
  if (old_value == new_value) return;
  FieldChange change;
  change.set_field(path);
  change.set_old_value(old_value);
  change.set_new_value(new_value);
  out->push_back(std::move(change));
}

// The descriptor of the field `path` names in a case, or null.
const FieldDescriptor* FieldOfPath(const std::string& path) {
  std::vector<const FieldDescriptor*> fields;
  if (!google::protobuf::util::FieldMaskUtil::GetFieldDescriptors(Case::descriptor(), path,
                                                                 &fields) ||
      fields.empty()) {
    return nullptr;
  }
  return fields.back();
}

// The object of `path` in `c` that holds its last field: `c` itself or a group within it.
const Message& HolderOf(const Case& c, const std::string& path) {
  const Message* holder = &c;
  size_t start = 0;
  for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
    const FieldDescriptor* group =
        holder->GetDescriptor()->FindFieldByName(path.substr(start, dot - start));
    holder = &holder->GetReflection()->GetMessage(*holder, group);
    start = dot + 1;
  }
  return *holder;
}

FieldChange Change(std::string field, std::string old_value, std::string new_value) {
  FieldChange change;
  change.set_field(std::move(field));
  change.set_old_value(std::move(old_value));
  change.set_new_value(std::move(new_value));
  return change;
}

}  // namespace

std::string FieldText(const Message& message, const FieldDescriptor* field) {
  const Reflection* r = message.GetReflection();
  if (field->is_repeated()) {
    std::vector<std::string> items;
    for (int i = 0; i < r->FieldSize(message, field); ++i) {
      items.push_back(ElementText(message, field, i));
    }
    return absl::StrJoin(items, ", ");
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(message, field);
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* value = r->GetEnum(message, field);
      return value->number() == 0 ? std::string() : value->name();
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(message, field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(r->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!r->HasField(message, field)) return "";
      const Message& value = r->GetMessage(message, field);
      if (IsDate(field)) {
        const auto& date = static_cast<const consular::v1::Date&>(value);
        return IsSet(date) ? FormatDate(date) : std::string();
      }
      return value.ShortDebugString();
    }
    default:
      return "?";
  }
}

std::vector<FieldChange> ChangedFields(const google::protobuf::FieldMask& mask, const Case& before,
                                       const Case& after) {
  std::vector<FieldChange> changes;
  for (const std::string& path : mask.paths()) {
    const FieldDescriptor* field = FieldOfPath(path);
    if (field == nullptr) continue;  // the mask was validated before
    Compare(HolderOf(before, path), HolderOf(after, path), field, path, &changes);
  }
  return changes;
}

bool IsCaseFieldPath(const std::string& path) {
  return !path.empty() && FieldOfPath(path) != nullptr;
}

bool FieldMatches(const std::string& field, const std::string& filter) {
  return filter.empty() || field == filter || absl::StartsWith(field, absl::StrCat(filter, "."));
}

bool IsSafetyField(const std::string& field) { return FieldMatches(field, "safety"); }

bool MaySeeCovertNotes(const Case& c) {
  switch (c.caller_access()) {
    case consular::v1::CASE_ACCESS_HANDLING:
    case consular::v1::CASE_ACCESS_SHARED_READ_WRITE:
      return true;
    default:
      return c.safety().covert_notes_shareable();
  }
}

void WithholdCovertNotes(Case* c) {
  if (!MaySeeCovertNotes(*c)) c->mutable_safety()->clear_covert_notes();
}

void PrepareForCaller(Case* c, bool reveal_code_word) {
  if (c->has_anonymised_at()) return;  // a tombstone: no safety information to prepare
  WithholdCovertNotes(c);
  c->mutable_safety()->set_has_code_word(!c->safety().code_word().empty());
  if (!reveal_code_word) c->mutable_safety()->clear_code_word();
}

std::optional<CaseHistoryEntry> HistoryEntryOf(const CaseEvent& event, const std::string& filter,
                                               bool show_covert_notes) {
  std::vector<FieldChange> changes;
  switch (event.type()) {
    case consular::v1::CASE_EVENT_TYPE_UPDATED:
      changes.assign(event.changes().begin(), event.changes().end());
      break;
    case consular::v1::CASE_EVENT_TYPE_TRANSITIONED:
      changes.push_back(Change("status", consular::v1::CaseStatus_Name(event.from_status()),
                               consular::v1::CaseStatus_Name(event.to_status())));
      if (event.outcome() != consular::v1::OUTCOME_UNSPECIFIED) {
        changes.push_back(Change("outcome", "", consular::v1::Outcome_Name(event.outcome())));
      }
      break;
    case consular::v1::CASE_EVENT_TYPE_REFERRED:
      changes.push_back(Change("handling_post", event.from_unit(), event.to_unit()));
      break;
    default:
      return std::nullopt;
  }
  CaseHistoryEntry entry;
  for (FieldChange& change : changes) {
    if (!FieldMatches(change.field(), filter)) continue;
    if ((change.field() == kCovertNotes && !show_covert_notes) || change.field() == kCodeWord) {
      change.clear_old_value();
      change.clear_new_value();
      change.set_withheld(true);
    }
    *entry.add_changes() = std::move(change);
  }
  if (entry.changes().empty()) return std::nullopt;
  entry.set_sequence(event.sequence());
  entry.set_event_type(event.type());
  entry.set_actor(event.actor());
  entry.set_actor_role(event.actor_role());
  entry.set_actor_post(event.actor_post());
  *entry.mutable_changed_at() = event.occurred_at();
  entry.set_case_version(event.case_version());
  entry.set_reason(event.reason());
  return entry;
}

}  // namespace consular::cases

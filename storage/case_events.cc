#include "storage/case_events.h"

#include <google/protobuf/util/json_util.h>

#include <stdexcept>

namespace consular::storage {
namespace {

std::string JsonOf(const consular::v1::CaseEvent& event) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(event, &json, options).ok()) {
    throw std::runtime_error("case event does not convert to JSON");
  }
  return json;
}

}  // namespace

std::string EventPayload(const consular::v1::CaseEvent& event) {
  if (event.reason().empty() && event.changes().empty()) return JsonOf(event);
  consular::v1::CaseEvent without_personal = event;
  without_personal.clear_reason();
  without_personal.clear_changes();
  return JsonOf(without_personal);
}

}  // namespace consular::storage

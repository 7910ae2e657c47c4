#include "services/common/response_case.h"

#include "google/protobuf/descriptor.h"
#include "services/common/ids.h"

namespace consular {

std::string CaseIdOfResponse(const google::protobuf::Message& response) {
  const google::protobuf::Descriptor* descriptor = response.GetDescriptor();
  const char* field_name = descriptor->full_name() == "consular.v1.Case" ? "id" : "case_id";
  const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(field_name);
  if (field == nullptr || field->is_repeated() ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return "";
  }
  std::string value = response.GetReflection()->GetString(response, field);
  return LooksLikeUuid(value) ? value : "";
}

}  // namespace consular

#pragma once

#include <string>

#include "google/protobuf/message.h"

namespace consular {

// The case a mutation's response is about, for its idempotency record (the column case_id,
// migration 0022): the `id` of a consular.v1.Case, else the top-level string field `case_id` of
// the response (CaseNote, CaseShare, Referral, EmergencyAccess, Contact, ...). Returns "" when the
// response names no case or the value is not a UUID (a reference is never stored there).
std::string CaseIdOfResponse(const google::protobuf::Message& response);

}  // namespace consular

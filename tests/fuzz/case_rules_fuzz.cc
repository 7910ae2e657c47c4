// services/cases/case_rules: what the case service checks of a client's request before anything
// reaches the database. The first byte picks the check; the rest is the request part: a Case or
// a FieldMask in binary wire form, or the text of a field.
#include <string>

#include "absl/strings/match.h"
#include "google/protobuf/field_mask.pb.h"
#include "services/common/validation.h"
#include "services/cases/case_rules.h"
#include "services/common/token.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/proto_input.h"

namespace {

namespace v1 = consular::v1;

// The day the checks take for today.
v1::Date Today() {
  v1::Date today;
  today.set_year(2026);
  today.set_month(6);
  today.set_day(15);
  return today;
}

bool IsInvalidArgumentNaming(const absl::Status& status, const std::string& field) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         absl::StartsWith(status.message(), field);
}

}  // namespace

CONSULAR_FUZZ_TARGET(case_rules) {
  consular::fuzz::FuzzInput in(data, size);
  const uint8_t mode = in.Byte();
  switch (mode % 6) {
    case 0: {  // CreateCase / UpdateCase content
      v1::Case c;
      if (!consular::fuzz::ParseProto(in.Rest(), &c)) return;
      const absl::Status status = consular::cases::ValidateCaseContent(c, Today());
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "case."));
      if (status.ok()) {
        FUZZ_CHECK(!consular::cases::ReferencePrefix(c.type()).empty());
      }
      break;
    }
    case 1: {  // request_id: 1..128 printable ASCII characters, no space
      const std::string id = in.Rest();
      bool expected = !id.empty() && id.size() <= 128;
      for (const char ch : id) expected = expected && ch >= 0x21 && ch <= 0x7E;
      const absl::Status status = consular::ValidateRequestId(id);
      FUZZ_CHECK(status.ok() == expected);
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "request_id: "));
      break;
    }
    case 2: {  // case_id: a UUID or a reference
      const absl::Status status = consular::ValidateCaseId("case_id", in.Rest());
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "case_id: "));
      break;
    }
    case 3: {  // update_mask for a case of a type
      const auto type = static_cast<v1::CaseType>(in.Byte() % 4);
      google::protobuf::FieldMask mask;
      if (!consular::fuzz::ParseProto(in.Rest(), &mask)) return;
      const absl::Status status = consular::cases::ValidateUpdateMask(mask, type);
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "update_mask"));
      if (status.ok()) FUZZ_CHECK(mask.paths_size() > 0);
      break;
    }
    case 4: {  // a share's grantee: LKHA or a post code
      const std::string grantee = in.Rest();
      const absl::Status status = consular::cases::ValidateGrantee("grantee", grantee);
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "grantee: "));
      if (status.ok()) {
        FUZZ_CHECK(grantee == consular::kLkhaUnit || consular::IsValidPostCode(grantee));
      }
      break;
    }
    default: {  // the lifecycle and who may move a case, for any enum values a client may send
      const auto from = static_cast<v1::CaseStatus>(static_cast<int8_t>(in.Byte()));
      const auto to = static_cast<v1::CaseStatus>(static_cast<int8_t>(in.Byte()));
      const auto access = static_cast<v1::CaseAccess>(static_cast<int8_t>(in.Byte()));
      consular::Identity who;
      who.role = static_cast<v1::Role>(static_cast<int8_t>(in.Byte()));
      who.post = in.Bytes(40);
      who.subject = in.Rest();
      const bool allowed = consular::cases::IsAllowedTransition(from, to);
      if (allowed) {
        FUZZ_CHECK(v1::CaseStatus_IsValid(from) && v1::CaseStatus_IsValid(to) && from != to);
      }
      const absl::Status may = consular::cases::CheckMayTransition(who, access, from, to);
      FUZZ_CHECK(may.ok() || may.code() == absl::StatusCode::kPermissionDenied);
      (void)consular::cases::StatusName(from);
      (void)consular::cases::OutcomeName(static_cast<v1::Outcome>(static_cast<int8_t>(mode)));
      (void)consular::cases::TypeName(static_cast<v1::CaseType>(static_cast<int8_t>(mode)));
      const absl::Status service = consular::cases::CheckCaseServiceAccess(who);
      FUZZ_CHECK(service.ok() || service.code() == absl::StatusCode::kPermissionDenied);
      if (consular::cases::CheckMayCreate(who).ok()) {
        FUZZ_CHECK(!consular::UnitOf(who).empty());
      }
      break;
    }
  }
}

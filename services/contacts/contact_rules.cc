#include "services/contacts/contact_rules.h"

#include <google/protobuf/util/time_util.h>

#include <string>

#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "services/common/call_support.h"
#include "services/common/ids.h"
#include "services/common/validation.h"

namespace consular::contacts {
namespace {

using google::protobuf::util::TimeUtil;

absl::Status CheckEnum(const std::string& field, int value, bool valid) {
  if (!valid) return InvalidField(field, "unknown value");
  if (value == 0) return InvalidField(field, "required");
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateContactContent(const consular::v1::Contact& c, absl::Time now) {
  if (!c.has_occurred_at()) return InvalidField("contact.occurred_at", "required");
  const google::protobuf::Timestamp& t = c.occurred_at();
  if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
      t.seconds() > TimeUtil::kTimestampMaxSeconds || t.nanos() < 0 || t.nanos() > 999999999) {
    return InvalidField("contact.occurred_at", "not a valid time");
  }
  if (absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t)) > now + absl::Minutes(5)) {
    return InvalidField("contact.occurred_at", "lies in the future");
  }
  if (absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t)) <
      absl::FromCivil(absl::CivilDay(2000, 1, 1), absl::UTCTimeZone())) {
    return InvalidField("contact.occurred_at", "before 2000");
  }
  CONSULAR_RETURN_IF_ERROR(
      CheckEnum("contact.channel", c.channel(), consular::v1::ContactChannel_IsValid(c.channel())));
  CONSULAR_RETURN_IF_ERROR(CheckEnum("contact.direction", c.direction(),
                                     consular::v1::ContactDirection_IsValid(c.direction())));
  CONSULAR_RETURN_IF_ERROR(
      CheckEnum("contact.purpose", c.purpose(), consular::v1::ContactPurpose_IsValid(c.purpose())));
  CONSULAR_RETURN_IF_ERROR(
      CheckEnum("contact.outcome", c.outcome(), consular::v1::ContactOutcome_IsValid(c.outcome())));
  const consular::v1::Date far_future =
      DateOf(absl::FromCivil(absl::CivilDay(9999, 12, 31), absl::UTCTimeZone()));
  CONSULAR_RETURN_IF_ERROR(CheckDate("contact.follow_up_due", c.follow_up_due(), far_future, true));
  CONSULAR_RETURN_IF_ERROR(CheckText("contact.note", c.note(), kMaxContactNoteChars, false));
  return absl::OkStatus();
}

absl::Status ValidateAdHoc(const consular::v1::AdHocContact& a) {
  // With a person on the case the name is the person's (kept with the case).
  if (!a.person_id().empty() && !LooksLikeUuid(a.person_id())) {
    return InvalidField("contact.ad_hoc.person_id", "not a UUID");
  }
  CONSULAR_RETURN_IF_ERROR(
      CheckText("contact.ad_hoc.name", a.name(), kMaxAdHocNameChars, a.person_id().empty()));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("contact.ad_hoc.organisation", a.organisation(), kMaxAdHocNameChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("contact.ad_hoc.phone", a.phone(), kMaxAdHocPhoneChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("contact.ad_hoc.email", a.email(), kMaxAdHocEmailChars, false));
  return absl::OkStatus();
}

}  // namespace consular::contacts

// services/contacts: what the contacts service checks of a client's request before anything
// reaches the database (partner_rules, contact_rules). The first byte picks the check; the rest is
// the request part: a Partner, FieldMask, Contact or AdHocContact in binary wire form, or the text
// of a field.
#include <string>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "google/protobuf/field_mask.pb.h"
#include "services/common/token.h"
#include "services/contacts/contact_rules.h"
#include "services/contacts/partner_rules.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/proto_input.h"

namespace {

namespace v1 = consular::v1;

bool IsInvalidArgumentNaming(const absl::Status& status, const std::string& field) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         absl::StartsWith(status.message(), field);
}

}  // namespace

CONSULAR_FUZZ_TARGET(contacts_rules) {
  consular::fuzz::FuzzInput in(data, size);
  switch (in.Byte() % 6) {
    case 0: {  // CreatePartner / UpdatePartner content
      v1::Partner p;
      if (!consular::fuzz::ParseProto(in.Rest(), &p)) return;
      const absl::Status status = consular::contacts::ValidatePartnerContent(p);
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "partner."));
      break;
    }
    case 1: {  // UpdatePartner's update_mask
      google::protobuf::FieldMask mask;
      if (!consular::fuzz::ParseProto(in.Rest(), &mask)) return;
      const absl::Status status = consular::contacts::ValidatePartnerUpdateMask(mask);
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "update_mask"));
      if (status.ok()) FUZZ_CHECK(mask.paths_size() > 0);
      break;
    }
    case 2: {  // codes: country, language, post
      const std::string text = in.Rest();
      const absl::Status country = consular::contacts::ValidatePartnerCountry("country", text);
      FUZZ_CHECK(country.ok() || IsInvalidArgumentNaming(country, "country: "));
      if (country.ok()) FUZZ_CHECK(text.size() == 2 && text != "NL");
      const absl::Status language = consular::contacts::ValidateLanguageCode("language", text);
      FUZZ_CHECK(language.ok() == (text.size() == 2 && text[0] >= 'a' && text[0] <= 'z' &&
                                   text[1] >= 'a' && text[1] <= 'z'));
      const absl::Status post = consular::contacts::ValidatePostCode("post", text);
      FUZZ_CHECK(post.ok() == consular::IsValidPostCode(text));
      break;
    }
    case 3: {  // LogContact / UpdateContact content, against a fixed now
      v1::Contact c;
      if (!consular::fuzz::ParseProto(in.Rest(), &c)) return;
      const absl::Time now = absl::FromUnixSeconds(1781481600);  // 2026-06-15
      const absl::Status status = consular::contacts::ValidateContactContent(c, now);
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "contact."));
      break;
    }
    case 4: {  // a contact with someone outside the directory
      v1::AdHocContact a;
      if (!consular::fuzz::ParseProto(in.Rest(), &a)) return;
      const absl::Status status = consular::contacts::ValidateAdHoc(a);
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "contact.ad_hoc."));
      if (status.ok()) FUZZ_CHECK(!a.name().empty());
      break;
    }
    default: {  // SetVetting's status and who may write, for any values a client may send
      const auto status = static_cast<v1::VettingStatus>(static_cast<int8_t>(in.Byte()));
      const absl::Status vetting = consular::contacts::ValidateVettingStatus(status);
      FUZZ_CHECK(vetting.ok() || IsInvalidArgumentNaming(vetting, "status: "));
      if (vetting.ok()) FUZZ_CHECK(v1::VettingStatus_IsValid(status));
      consular::Identity who;
      who.role = static_cast<v1::Role>(static_cast<int8_t>(in.Byte()));
      const bool accredited = in.Byte() & 1;
      who.post = in.Bytes(40);
      const std::string country = in.Rest();
      const absl::Status write =
          consular::contacts::CheckMayWritePartnerIn(who, country, accredited);
      FUZZ_CHECK(write.ok() || write.code() == absl::StatusCode::kPermissionDenied);
      if (write.ok()) FUZZ_CHECK(consular::contacts::CheckMayWritePartners(who).ok());
      break;
    }
  }
}

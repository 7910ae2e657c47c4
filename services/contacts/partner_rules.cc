#include "services/contacts/partner_rules.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "services/common/call_support.h"
#include "services/common/token.h"
#include "services/common/validation.h"

namespace consular::contacts {
namespace {

bool IsKnownRole(consular::v1::Role role) {
  return role != consular::v1::ROLE_UNSPECIFIED && consular::v1::Role_IsValid(role);
}

}  // namespace

absl::Status CheckMayReadPartners(const Identity& who) {
  if (!IsKnownRole(who.role)) {
    return absl::PermissionDeniedError("the partner directory needs a known role");
  }
  return absl::OkStatus();
}

absl::Status CheckMayWritePartners(const Identity& who) {
  if (who.role == consular::v1::ROLE_ADMINISTRATOR || who.role == consular::v1::ROLE_POST_MANAGER) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      "only administrators and post managers change the partner directory");
}

absl::Status CheckMayWritePartnerIn(const Identity& who, const std::string& country,
                                    bool post_accredited) {
  CONSULAR_RETURN_IF_ERROR(CheckMayWritePartners(who));
  if (who.role == consular::v1::ROLE_ADMINISTRATOR) return absl::OkStatus();
  if (who.post.empty() || !post_accredited) {
    return absl::PermissionDeniedError(
        absl::StrCat("post ", who.post.empty() ? "(none)" : who.post, " is not accredited to ",
                     country, ": only its partners may be changed by its post managers"));
  }
  return absl::OkStatus();
}

absl::Status CheckMaySetAccreditation(const Identity& who) {
  if (who.role != consular::v1::ROLE_ADMINISTRATOR) {
    return absl::PermissionDeniedError("only administrators set accreditations");
  }
  return absl::OkStatus();
}

absl::Status ValidatePartnerCountry(const std::string& field, const std::string& country) {
  if (country.empty()) return InvalidField(field, "required");
  if (!IsKnownCountryCode(country)) {
    return InvalidField(field, "not an ISO 3166-1 alpha-2 country code (upper case, e.g. MA)");
  }
  if (country == "NL") return InvalidField(field, "must not be NL: the directory is for abroad");
  return absl::OkStatus();
}

absl::Status ValidateLanguageCode(const std::string& field, const std::string& code) {
  if (code.size() != 2 || code[0] < 'a' || code[0] > 'z' || code[1] < 'a' || code[1] > 'z') {
    return InvalidField(field, "must be an ISO 639-1 code in lower case, e.g. \"ar\"");
  }
  return absl::OkStatus();
}

absl::Status ValidatePostCode(const std::string& field, const std::string& post) {
  if (post.empty()) return InvalidField(field, "required: a post code");
  if (!IsValidPostCode(post)) {
    return InvalidField(field, "must be a post code (^[A-Z][A-Z0-9-]{1,31}$, not LKHA)");
  }
  return absl::OkStatus();
}

absl::Status ValidatePartnerContent(const consular::v1::Partner& p) {
  if (p.kind() == consular::v1::PARTNER_KIND_UNSPECIFIED) {
    return InvalidField("partner.kind", "required");
  }
  if (!consular::v1::PartnerKind_IsValid(p.kind())) {
    return InvalidField("partner.kind", absl::StrCat("unknown value ", p.kind()));
  }
  CONSULAR_RETURN_IF_ERROR(CheckText("partner.name", p.name(), kMaxPartnerNameChars, true));
  CONSULAR_RETURN_IF_ERROR(ValidatePartnerCountry("partner.country", p.country()));
  CONSULAR_RETURN_IF_ERROR(CheckText("partner.city", p.city(), kMaxCityChars, true));
  std::set<int> specialisms;
  for (int i = 0; i < p.specialisms_size(); ++i) {
    const int value = p.specialisms(i);
    const std::string field = absl::StrCat("partner.specialisms[", i, "]");
    if (value == consular::v1::SPECIALISM_UNSPECIFIED || !consular::v1::Specialism_IsValid(value)) {
      return InvalidField(field, "unknown or unspecified value");
    }
    if (!specialisms.insert(value).second) return InvalidField(field, "listed twice");
  }
  std::set<std::string> languages;
  for (int i = 0; i < p.languages_size(); ++i) {
    const std::string field = absl::StrCat("partner.languages[", i, "]");
    CONSULAR_RETURN_IF_ERROR(ValidateLanguageCode(field, p.languages(i)));
    if (!languages.insert(p.languages(i)).second) return InvalidField(field, "listed twice");
  }
  const consular::v1::PartnerContactDetails& d = p.contact_details();
  CONSULAR_RETURN_IF_ERROR(
      CheckText("partner.contact_details.phone", d.phone(), kMaxPhoneChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("partner.contact_details.email", d.email(), kMaxEmailChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("partner.contact_details.address", d.address(), kMaxAddressChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("partner.contact_details.website", d.website(), kMaxWebsiteChars, false));
  return absl::OkStatus();
}

absl::Status ValidatePartnerUpdateMask(const google::protobuf::FieldMask& mask) {
  const absl::Status shape = CheckUpdateMaskShape(mask);
  if (!shape.ok()) return shape;
  static const std::set<std::string> kTopLevel = {"name", "city", "specialisms", "languages",
                                                  "contact_details"};
  const auto* details = consular::v1::PartnerContactDetails::descriptor();
  for (const std::string& path : mask.paths()) {
    const std::vector<std::string> parts = absl::StrSplit(path, '.');
    bool ok = false;
    if (parts.size() == 1) {
      ok = kTopLevel.count(parts[0]) > 0;
    } else if (parts.size() == 2 && parts[0] == "contact_details") {
      ok = details->FindFieldByName(parts[1]) != nullptr;
    }
    if (!ok) {
      return InvalidField(
          "update_mask",
          absl::StrCat("\"", path, "\" cannot be updated",
                       parts[0] == "kind" || parts[0] == "country" ? " (fixed at creation)" : ""));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateVettingStatus(consular::v1::VettingStatus status) {
  if (status == consular::v1::VETTING_STATUS_UNSPECIFIED) {
    return InvalidField("status", "required: VETTED, UNVETTED or SUSPENDED");
  }
  if (!consular::v1::VettingStatus_IsValid(status)) {
    return InvalidField("status", absl::StrCat("unknown value ", static_cast<int>(status)));
  }
  return absl::OkStatus();
}

}  // namespace consular::contacts

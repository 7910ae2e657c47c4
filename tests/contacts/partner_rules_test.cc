// The partner directory's pure rules: validation and who may do what.
#include "services/contacts/partner_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace consular::contacts {
namespace {

using consular::v1::Partner;

const Identity kAdmin{"admin", consular::v1::ROLE_ADMINISTRATOR, ""};
const Identity kManager{"manager", consular::v1::ROLE_POST_MANAGER, "RABAT"};
const Identity kOfficer{"officer", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kLkha{"lkha", consular::v1::ROLE_LKHA_CASEWORKER, ""};
const Identity kPolicy{"policy", consular::v1::ROLE_POLICY_STAFF, ""};
const Identity kAuditor{"auditor", consular::v1::ROLE_AUDITOR, ""};
const Identity kNobody{"nobody", consular::v1::ROLE_UNSPECIFIED, ""};

Partner Valid() {
  Partner p;
  p.set_kind(consular::v1::PARTNER_KIND_LAWYER);
  p.set_name("Cabinet Example");
  p.set_country("MA");
  p.set_city("Nador");
  p.add_specialisms(consular::v1::SPECIALISM_FAMILY_LAW);
  p.add_specialisms(consular::v1::SPECIALISM_RECOGNITION_OF_FOREIGN_JUDGMENTS);
  p.add_languages("ar");
  p.add_languages("fr");
  p.mutable_contact_details()->set_phone("+212 600 000000");
  return p;
}

// The field an INVALID_ARGUMENT names ("" for OK).
std::string FieldOf(const absl::Status& status) {
  if (status.ok()) return "";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  const std::string message(status.message());
  return message.substr(0, message.find(':'));
}

TEST(PartnerRulesTest, EveryKnownRoleReads) {
  for (const Identity& who : {kAdmin, kManager, kOfficer, kLkha, kPolicy, kAuditor}) {
    EXPECT_TRUE(CheckMayReadPartners(who).ok()) << who.subject;
  }
  EXPECT_EQ(CheckMayReadPartners(kNobody).code(), absl::StatusCode::kPermissionDenied);
}

TEST(PartnerRulesTest, AdministratorsAndAccreditedPostManagersWrite) {
  EXPECT_TRUE(CheckMayWritePartners(kAdmin).ok());
  EXPECT_TRUE(CheckMayWritePartners(kManager).ok());
  for (const Identity& who : {kOfficer, kLkha, kPolicy, kAuditor, kNobody}) {
    EXPECT_EQ(CheckMayWritePartners(who).code(), absl::StatusCode::kPermissionDenied)
        << who.subject;
    EXPECT_EQ(CheckMayWritePartnerIn(who, "MA", true).code(), absl::StatusCode::kPermissionDenied)
        << who.subject;
  }
  EXPECT_TRUE(CheckMayWritePartnerIn(kAdmin, "MA", false).ok());
  EXPECT_TRUE(CheckMayWritePartnerIn(kManager, "MA", true).ok());
  const absl::Status denied = CheckMayWritePartnerIn(kManager, "TN", false);
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(denied.message(), "TN")) << denied;
  EXPECT_TRUE(absl::StrContains(denied.message(), "RABAT")) << denied;
  const Identity postless{"m", consular::v1::ROLE_POST_MANAGER, ""};
  EXPECT_EQ(CheckMayWritePartnerIn(postless, "MA", true).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(PartnerRulesTest, OnlyAdministratorsSetAccreditations) {
  EXPECT_TRUE(CheckMaySetAccreditation(kAdmin).ok());
  for (const Identity& who : {kManager, kOfficer, kLkha, kPolicy, kAuditor, kNobody}) {
    EXPECT_EQ(CheckMaySetAccreditation(who).code(), absl::StatusCode::kPermissionDenied)
        << who.subject;
  }
}

TEST(PartnerRulesTest, ValidPartnerPasses) {
  EXPECT_TRUE(ValidatePartnerContent(Valid()).ok());
  Partner minimal;
  minimal.set_kind(consular::v1::PARTNER_KIND_SHELTER);
  minimal.set_name("S");
  minimal.set_country("TR");
  minimal.set_city("I");
  EXPECT_TRUE(ValidatePartnerContent(minimal).ok());
}

TEST(PartnerRulesTest, EachBadFieldIsNamed) {
  struct Case {
    std::string field;
    void (*mutate)(Partner*);
  };
  const std::vector<Case> cases = {
      {"partner.kind", [](Partner* p) { p->clear_kind(); }},
      {"partner.kind", [](Partner* p) { p->set_kind(static_cast<consular::v1::PartnerKind>(77)); }},
      {"partner.name", [](Partner* p) { p->clear_name(); }},
      {"partner.name", [](Partner* p) { p->set_name(std::string(201, 'n')); }},
      {"partner.country", [](Partner* p) { p->set_country("NL"); }},
      {"partner.country", [](Partner* p) { p->set_country("ZZ"); }},
      {"partner.country", [](Partner* p) { p->set_country("Ma"); }},
      {"partner.city", [](Partner* p) { p->clear_city(); }},
      {"partner.city", [](Partner* p) { p->set_city(std::string(101, 'c')); }},
      {"partner.specialisms[0]",
       [](Partner* p) { p->set_specialisms(0, consular::v1::SPECIALISM_UNSPECIFIED); }},
      {"partner.specialisms[2]",
       [](Partner* p) { p->add_specialisms(static_cast<consular::v1::Specialism>(99)); }},
      {"partner.specialisms[2]",
       [](Partner* p) { p->add_specialisms(consular::v1::SPECIALISM_FAMILY_LAW); }},
      {"partner.languages[0]", [](Partner* p) { p->set_languages(0, "Ar"); }},
      {"partner.languages[0]", [](Partner* p) { p->set_languages(0, "a"); }},
      {"partner.languages[2]", [](Partner* p) { p->add_languages("fr"); }},
      {"partner.contact_details.phone",
       [](Partner* p) { p->mutable_contact_details()->set_phone(std::string(101, '1')); }},
      {"partner.contact_details.email",
       [](Partner* p) {
         p->mutable_contact_details()->set_email(
             "a\x01"
             "b");
       }},
      {"partner.contact_details.address",
       [](Partner* p) { p->mutable_contact_details()->set_address(std::string(501, 'a')); }},
      {"partner.contact_details.website",
       [](Partner* p) { p->mutable_contact_details()->set_website(std::string(301, 'w')); }},
  };
  for (const Case& c : cases) {
    Partner p = Valid();
    c.mutate(&p);
    EXPECT_EQ(FieldOf(ValidatePartnerContent(p)), c.field);
  }
  // Limits count characters: 100 three-byte characters are a valid city.
  Partner p = Valid();
  std::string city;
  for (int i = 0; i < 100; ++i) city += "\xe2\x82\xac";
  p.set_city(city);
  EXPECT_TRUE(ValidatePartnerContent(p).ok());
}

TEST(PartnerRulesTest, UpdateMaskNamesOnlyUpdatablePaths) {
  google::protobuf::FieldMask mask;
  EXPECT_EQ(FieldOf(ValidatePartnerUpdateMask(mask)), "update_mask");
  for (const char* path : {"name", "city", "specialisms", "languages", "contact_details",
                           "contact_details.phone", "contact_details.website"}) {
    google::protobuf::FieldMask one;
    one.add_paths(path);
    EXPECT_TRUE(ValidatePartnerUpdateMask(one).ok()) << path;
  }
  for (const char* path : {"kind", "country", "id", "version", "vetting_status", "vetting_note",
                           "active", "contact_details.fax", "name.first", "created_by"}) {
    google::protobuf::FieldMask one;
    one.add_paths("name");
    one.add_paths(path);
    EXPECT_EQ(FieldOf(ValidatePartnerUpdateMask(one)), "update_mask") << path;
  }
  // A path that is no field path at all is named by its place in the mask.
  google::protobuf::FieldMask empty_path;
  empty_path.add_paths("name");
  empty_path.add_paths("");
  EXPECT_EQ(FieldOf(ValidatePartnerUpdateMask(empty_path)), "update_mask.paths[1]");
  google::protobuf::FieldMask fixed;
  fixed.add_paths("country");
  EXPECT_TRUE(absl::StrContains(ValidatePartnerUpdateMask(fixed).message(), "fixed at creation"));
}

TEST(PartnerRulesTest, CodesAndStatuses) {
  EXPECT_TRUE(ValidateLanguageCode("language", "ar").ok());
  for (const char* bad : {"", "a", "AR", "ara", "a1", "é"}) {
    EXPECT_EQ(FieldOf(ValidateLanguageCode("language", bad)), "language") << bad;
  }
  EXPECT_TRUE(ValidatePostCode("post", "RABAT").ok());
  EXPECT_TRUE(ValidatePostCode("post", "NEW-YORK").ok());
  for (const char* bad : {"", "LKHA", "rabat", "R", "1RABAT"}) {
    EXPECT_EQ(FieldOf(ValidatePostCode("post", bad)), "post") << bad;
  }
  EXPECT_TRUE(ValidatePartnerCountry("c", "TN").ok());
  for (const char* bad : {"", "NL", "XX", "tn", "TUN"}) {
    EXPECT_EQ(FieldOf(ValidatePartnerCountry("c", bad)), "c") << bad;
  }
  EXPECT_TRUE(ValidateVettingStatus(consular::v1::VETTING_STATUS_VETTED).ok());
  EXPECT_TRUE(ValidateVettingStatus(consular::v1::VETTING_STATUS_UNVETTED).ok());
  EXPECT_TRUE(ValidateVettingStatus(consular::v1::VETTING_STATUS_SUSPENDED).ok());
  EXPECT_EQ(FieldOf(ValidateVettingStatus(consular::v1::VETTING_STATUS_UNSPECIFIED)), "status");
  EXPECT_EQ(FieldOf(ValidateVettingStatus(static_cast<consular::v1::VettingStatus>(9))), "status");
}

}  // namespace
}  // namespace consular::contacts

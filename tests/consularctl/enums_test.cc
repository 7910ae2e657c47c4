#include "tools/consularctl/enums.h"

#include <string>

#include "absl/status/status.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/common.pb.h"
#include "consular/v1/contacts.pb.h"
#include "consular/v1/statistics.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consular::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(EnumPrefixTest, DerivedFromTheUnspecifiedValue) {
  EXPECT_EQ(EnumPrefix(consular::v1::RiskFlag_descriptor()), "RISK_FLAG_");
  EXPECT_EQ(EnumPrefix(consular::v1::CaseType_descriptor()), "CASE_TYPE_");
  EXPECT_EQ(EnumPrefix(consular::v1::Sex_descriptor()), "SEX_");
  EXPECT_EQ(EnumPrefix(consular::v1::Role_descriptor()), "ROLE_");
}

TEST(ParseEnumTest, AcceptsEverySpellingOfAValue) {
  const auto* flags = consular::v1::RiskFlag_descriptor();
  for (const char* text :
       {"forced-marriage", "FORCED_MARRIAGE", "RISK_FLAG_FORCED_MARRIAGE",
        "Forced_Marriage", "risk-flag-forced-marriage", " forced-marriage "}) {
    absl::StatusOr<int> parsed = ParseEnum(flags, text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(*parsed, consular::v1::RISK_FLAG_FORCED_MARRIAGE) << text;
  }
}

TEST(ParseEnumTest, ParsesValuesOfEveryEnumUsedOnTheCommandLine) {
  EXPECT_EQ(*ParseEnum(consular::v1::Sex_descriptor(), "x"),
            consular::v1::SEX_X);
  EXPECT_EQ(*ParseEnum(consular::v1::NationalityStatus_descriptor(),
                       "residence-permit"),
            consular::v1::NATIONALITY_STATUS_RESIDENCE_PERMIT);
  EXPECT_EQ(*ParseEnum(consular::v1::ReferralSource_descriptor(), "other-post"),
            consular::v1::REFERRAL_SOURCE_OTHER_POST);
  EXPECT_EQ(*ParseEnum(consular::v1::WithheldDocument_descriptor(), "id-card"),
            consular::v1::WITHHELD_DOCUMENT_ID_CARD);
  EXPECT_EQ(
      *ParseEnum(consular::v1::ProceedingsState_descriptor(), "not-started"),
      consular::v1::PROCEEDINGS_STATE_NOT_STARTED);
  EXPECT_EQ(*ParseEnum(consular::v1::CaseStatus_descriptor(), "on-hold"),
            consular::v1::CASE_STATUS_ON_HOLD);
  EXPECT_EQ(*ParseEnum(consular::v1::Outcome_descriptor(), "returned-to-nl"),
            consular::v1::OUTCOME_RETURNED_TO_NL);
  EXPECT_EQ(*ParseEnum(consular::v1::Outcome_descriptor(), "RETURNED_TO_NL"),
            consular::v1::OUTCOME_RETURNED_TO_NL);
}

TEST(ParseEnumTest, DivorceIsAnAliasOfForeignDivorceRecognition) {
  const auto* types = consular::v1::CaseType_descriptor();
  EXPECT_EQ(*ParseEnum(types, "divorce"),
            consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  EXPECT_EQ(*ParseEnum(types, "DIVORCE"),
            consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  EXPECT_EQ(*ParseEnum(types, "foreign-divorce-recognition"),
            consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  EXPECT_EQ(*ParseEnum(types, "abandonment"),
            consular::v1::CASE_TYPE_ABANDONMENT);
}

TEST(ParseEnumTest, RoleShortNamesAndFullNames) {
  const auto* roles = consular::v1::Role_descriptor();
  EXPECT_EQ(*ParseEnum(roles, "officer"), consular::v1::ROLE_CONSULAR_OFFICER);
  EXPECT_EQ(*ParseEnum(roles, "CONSULAR_OFFICER"),
            consular::v1::ROLE_CONSULAR_OFFICER);
  EXPECT_EQ(*ParseEnum(roles, "manager"), consular::v1::ROLE_POST_MANAGER);
  EXPECT_EQ(*ParseEnum(roles, "lkha"), consular::v1::ROLE_LKHA_CASEWORKER);
  EXPECT_EQ(*ParseEnum(roles, "policy"), consular::v1::ROLE_POLICY_STAFF);
  EXPECT_EQ(*ParseEnum(roles, "auditor"), consular::v1::ROLE_AUDITOR);
  EXPECT_EQ(*ParseEnum(roles, "admin"), consular::v1::ROLE_ADMINISTRATOR);
  EXPECT_EQ(*ParseEnum(roles, "ROLE_ADMINISTRATOR"),
            consular::v1::ROLE_ADMINISTRATOR);
}

TEST(ParseEnumTest, ShareAccess) {
  const auto* access = consular::v1::ShareAccess_descriptor();
  for (const char* text : {"read", "READ", "SHARE_ACCESS_READ", "share-access-read"}) {
    absl::StatusOr<int> parsed = ParseEnum(access, text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(*parsed, consular::v1::SHARE_ACCESS_READ) << text;
  }
  for (const char* text : {"read-write", "READ_WRITE", "Read-Write", "SHARE_ACCESS_READ_WRITE"}) {
    absl::StatusOr<int> parsed = ParseEnum(access, text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(*parsed, consular::v1::SHARE_ACCESS_READ_WRITE) << text;
  }
  EXPECT_THAT(EnumValidNames(access), ElementsAre("read", "read-write"));
  for (const char* text : {"write", "readwrite", "read-only", "unspecified", ""}) {
    EXPECT_FALSE(ParseEnum(access, text).ok()) << text;
  }
  EXPECT_EQ(EnumValidationError(access, "write"),
            "invalid value \"write\"; valid values: read, read-write");
}

TEST(ParseEnumTest, EmergencyReview) {
  const auto* review = consular::v1::EmergencyReview_descriptor();
  EXPECT_EQ(*ParseEnum(review, "justified"), consular::v1::EMERGENCY_REVIEW_JUSTIFIED);
  EXPECT_EQ(*ParseEnum(review, "not-justified"), consular::v1::EMERGENCY_REVIEW_NOT_JUSTIFIED);
  EXPECT_EQ(*ParseEnum(review, "NOT_JUSTIFIED"), consular::v1::EMERGENCY_REVIEW_NOT_JUSTIFIED);
  EXPECT_EQ(*ParseEnum(review, "EMERGENCY_REVIEW_JUSTIFIED"),
            consular::v1::EMERGENCY_REVIEW_JUSTIFIED);
  EXPECT_FALSE(ParseEnum(review, "unspecified").ok());
  EXPECT_FALSE(ParseEnum(review, "unjustified").ok());
  EXPECT_THAT(EnumValidNames(review), ElementsAre("justified", "not-justified"));
}

TEST(EnumShortNameTest, SharingEnums) {
  EXPECT_EQ(EnumPrefix(consular::v1::CaseAccess_descriptor()), "CASE_ACCESS_");
  EXPECT_EQ(EnumShortName(consular::v1::CaseAccess_descriptor(),
                          consular::v1::CASE_ACCESS_SHARED_READ_WRITE),
            "SHARED_READ_WRITE");
  EXPECT_EQ(EnumShortName(consular::v1::ShareAccess_descriptor(), consular::v1::SHARE_ACCESS_READ),
            "READ");
  EXPECT_EQ(EnumShortName(consular::v1::CaseEventType_descriptor(),
                          consular::v1::CASE_EVENT_TYPE_SHARE_REVOKED),
            "SHARE_REVOKED");
}

TEST(ParseEnumTest, AliasOfAnotherEnumIsNotAccepted) {
  EXPECT_FALSE(
      ParseEnum(consular::v1::CaseStatus_descriptor(), "divorce").ok());
  EXPECT_FALSE(ParseEnum(consular::v1::CaseType_descriptor(), "officer").ok());
}

TEST(ParseEnumTest, RejectsUnspecifiedAndEmpty) {
  const auto* flags = consular::v1::RiskFlag_descriptor();
  EXPECT_FALSE(ParseEnum(flags, "unspecified").ok());
  EXPECT_FALSE(ParseEnum(flags, "RISK_FLAG_UNSPECIFIED").ok());
  EXPECT_FALSE(ParseEnum(flags, "").ok());
  EXPECT_FALSE(ParseEnum(flags, "RISK_FLAG_").ok());
}

TEST(ParseEnumTest, UnknownValueListsTheValidOnes) {
  absl::StatusOr<int> parsed =
      ParseEnum(consular::v1::Sex_descriptor(), "other");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "invalid value \"other\"; valid values: female, male, x, unknown");
}

TEST(ParseEnumTest, ValidNamesShowAliases) {
  EXPECT_THAT(
      EnumValidNames(consular::v1::CaseType_descriptor()),
      ElementsAre("abandonment", "foreign-divorce-recognition (divorce)"));
  EXPECT_THAT(
      EnumValidationError(consular::v1::CaseType_descriptor(), "marriage"),
      HasSubstr("abandonment, foreign-divorce-recognition (divorce)"));
  EXPECT_EQ(EnumValidationError(consular::v1::CaseType_descriptor(), "divorce"),
            "");
}

TEST(EnumShortNameTest, StripsThePrefix) {
  EXPECT_EQ(EnumShortName(consular::v1::CaseStatus_descriptor(),
                          consular::v1::CASE_STATUS_ON_HOLD),
            "ON_HOLD");
  EXPECT_EQ(EnumShortName(consular::v1::CaseType_descriptor(),
                          consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION),
            "FOREIGN_DIVORCE_RECOGNITION");
  EXPECT_EQ(EnumShortName(consular::v1::Sex_descriptor(), consular::v1::SEX_X),
            "X");
  // A number the client does not know (a newer server) still prints.
  EXPECT_EQ(EnumShortName(consular::v1::CaseStatus_descriptor(), 42), "42");
}

TEST(EnumWordsTest, LowerCaseWordsKeepingAbbreviations) {
  EXPECT_EQ(EnumWords(consular::v1::CaseType_descriptor(),
                      consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION),
            "foreign divorce recognition");
  EXPECT_EQ(EnumWords(consular::v1::Outcome_descriptor(), consular::v1::OUTCOME_RETURNED_TO_NL),
            "returned to NL");
  EXPECT_EQ(EnumWords(consular::v1::Role_descriptor(), consular::v1::ROLE_LKHA_CASEWORKER),
            "LKHA caseworker");
  EXPECT_EQ(EnumWords(consular::v1::NationalityStatus_descriptor(),
                      consular::v1::NATIONALITY_STATUS_DUTCH_ONLY),
            "Dutch only");
  EXPECT_EQ(EnumWords(consular::v1::CaseStatus_descriptor(), 42), "42");
}

TEST(EnumWordsTest, CategoriesInWords) {
  EXPECT_EQ(CategoryWords("PARTNER_KIND_LAWYER", consular::v1::DIMENSION_PARTNER_KIND), "lawyer");
  EXPECT_EQ(CategoryWords("OUTCOME_RETURNED_TO_NL", consular::v1::DIMENSION_OUTCOME),
            "returned to NL");
  EXPECT_EQ(CategoryWords("AGE_GROUP_YOUNG_ADULT", consular::v1::DIMENSION_AGE_GROUP),
            "young adult");
  EXPECT_EQ(CategoryWords("CHILDREN_THREE_OR_MORE", consular::v1::DIMENSION_CHILDREN),
            "three or more");
  EXPECT_EQ(CategoryWords("RETURN_FUNDING_UNSPECIFIED", consular::v1::DIMENSION_RETURN_FUNDING),
            "not recorded");
  EXPECT_EQ(CategoryWords("YES", consular::v1::DIMENSION_MOTHER_WITH_MINOR_CHILDREN), "yes");
  EXPECT_EQ(CategoryWords("2026-03", consular::v1::DIMENSION_MONTH), "2026-03");
  EXPECT_EQ(CategoryWords("MA", consular::v1::DIMENSION_UNSPECIFIED), "MA");
}

// What the client prints is what a user may type back.
TEST(EnumWordsTest, EveryValueInWordsParsesBackToItself) {
  const google::protobuf::FileDescriptor* files[] = {
      consular::v1::CaseType_descriptor()->file(),
      consular::v1::ContactChannel_descriptor()->file(),
      consular::v1::Measure_descriptor()->file(),
      consular::v1::Role_descriptor()->file(),
  };
  int checked = 0;
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int e = 0; e < file->enum_type_count(); ++e) {
      const google::protobuf::EnumDescriptor* descriptor = file->enum_type(e);
      for (int v = 0; v < descriptor->value_count(); ++v) {
        const int number = descriptor->value(v)->number();
        if (number == 0) continue;
        absl::StatusOr<int> parsed = ParseEnum(descriptor, EnumWords(descriptor, number));
        ASSERT_TRUE(parsed.ok()) << descriptor->value(v)->full_name() << ": " << parsed.status();
        EXPECT_EQ(*parsed, number) << descriptor->value(v)->full_name();
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(EnumAliasTest, ShortRoleWords) {
  EXPECT_EQ(EnumAlias(consular::v1::Role_descriptor(),
                      consular::v1::ROLE_CONSULAR_OFFICER),
            "officer");
  EXPECT_EQ(
      EnumAlias(consular::v1::Role_descriptor(), consular::v1::ROLE_AUDITOR),
      "");
}

TEST(ParseEnumTest, PartnerAndContactEnums) {
  const auto* kind = consular::v1::PartnerKind_descriptor();
  EXPECT_EQ(*ParseEnum(kind, "lawyer"), consular::v1::PARTNER_KIND_LAWYER);
  EXPECT_EQ(*ParseEnum(kind, "aid-organisation"), consular::v1::PARTNER_KIND_AID_ORGANISATION);
  EXPECT_EQ(*ParseEnum(kind, "LOCAL_AUTHORITY"), consular::v1::PARTNER_KIND_LOCAL_AUTHORITY);
  EXPECT_EQ(*ParseEnum(kind, "PARTNER_KIND_SHELTER"), consular::v1::PARTNER_KIND_SHELTER);
  EXPECT_FALSE(ParseEnum(kind, "notary").ok());
  EXPECT_FALSE(ParseEnum(kind, "unspecified").ok());
  EXPECT_THAT(EnumValidNames(kind), ElementsAre("lawyer", "aid-organisation", "shelter",
                                                "local-authority", "medical", "other"));

  const auto* specialism = consular::v1::Specialism_descriptor();
  EXPECT_EQ(*ParseEnum(specialism, "family-law"), consular::v1::SPECIALISM_FAMILY_LAW);
  EXPECT_EQ(*ParseEnum(specialism, "recognition-of-foreign-judgments"),
            consular::v1::SPECIALISM_RECOGNITION_OF_FOREIGN_JUDGMENTS);

  const auto* vetting = consular::v1::VettingStatus_descriptor();
  EXPECT_THAT(EnumValidNames(vetting), ElementsAre("unvetted", "vetted", "suspended"));
  EXPECT_EQ(*ParseEnum(vetting, "Suspended"), consular::v1::VETTING_STATUS_SUSPENDED);

  EXPECT_THAT(EnumValidNames(consular::v1::ContactChannel_descriptor()),
              ElementsAre("phone", "email", "in-person", "video", "letter", "messaging"));
  EXPECT_THAT(EnumValidNames(consular::v1::ContactDirection_descriptor()),
              ElementsAre("outgoing", "incoming"));
  EXPECT_THAT(EnumValidNames(consular::v1::ContactPurpose_descriptor()),
              ElementsAre("legal-advice", "court-representation", "shelter", "documents",
                          "mediation", "medical", "return-travel", "other"));
  EXPECT_THAT(EnumValidNames(consular::v1::ContactOutcome_descriptor()),
              ElementsAre("help-agreed", "information-received", "referred-on", "declined",
                          "no-answer", "pending"));
  EXPECT_EQ(*ParseEnum(consular::v1::ContactOutcome_descriptor(), "no-answer"),
            consular::v1::CONTACT_OUTCOME_NO_ANSWER);
  // The case outcome and the contact outcome are different enums.
  EXPECT_FALSE(ParseEnum(consular::v1::ContactOutcome_descriptor(), "returned-to-nl").ok());
}

}  // namespace
}  // namespace consular::ctl

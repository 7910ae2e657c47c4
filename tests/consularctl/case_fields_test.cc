#include "tools/consularctl/case_fields.h"

#include <algorithm>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consular::ctl {
namespace {

using ::consular::v1::CASE_TYPE_ABANDONMENT;
using ::consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION;
using ::consular::v1::CASE_TYPE_UNSPECIFIED;
using ::consular::v1::CaseType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Parses `args` as the flags of `case create` / `case update` (without the CASE
// argument) and builds the edit, as the commands do. CLI11 parse errors
// propagate as exceptions.
absl::StatusOr<CaseEdit> Parse(CaseFieldMode mode,
                               std::vector<std::string> args,
                               CaseType type = CASE_TYPE_UNSPECIFIED) {
  CLI::App app;
  CaseFieldInputs inputs;
  AddCaseFieldOptions(&app, mode, &inputs);
  std::reverse(args.begin(),
               args.end());  // CLI11 takes a vector in reverse order
  app.parse(args);
  return BuildCaseEdit(inputs, type);
}

absl::StatusOr<CaseEdit> ParseUpdate(std::vector<std::string> args) {
  return Parse(CaseFieldMode::kUpdate, std::move(args));
}

const std::vector<std::string> kCreateRequired = {
    "--country",  "ma",     "--name",        "Fatima Example",
    "--sex",      "female", "--nationality", "dual",
    "--referral", "lkha"};

TEST(UpdateMaskTest, OnlyTheGivenFlags) {
  absl::StatusOr<CaseEdit> edit = ParseUpdate({"--name", "New Name"});
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_THAT(edit->paths, ElementsAre("subject.full_name"));
  EXPECT_EQ(edit->fields.subject().full_name(), "New Name");
  EXPECT_FALSE(edit->fields.has_safety());
  EXPECT_EQ(edit->fields.details_case(), consular::v1::Case::DETAILS_NOT_SET);
}

TEST(UpdateMaskTest, NoFieldFlagGivesAnEmptyMask) {
  absl::StatusOr<CaseEdit> edit = ParseUpdate({});
  ASSERT_TRUE(edit.ok());
  EXPECT_THAT(edit->paths, IsEmpty());
}

TEST(UpdateMaskTest, PathsInProtoFieldOrderWhateverTheFlagOrder) {
  absl::StatusOr<CaseEdit> edit =
      ParseUpdate({"--no-family-contact", "--left-nl", "2025-12-01", "--flag",
                   "fgm-risk", "--name", "A", "--country", "ma"});
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_THAT(edit->paths,
              ElementsAre("country", "subject.full_name", "risk_flags",
                          "abandonment.left_netherlands_on",
                          "safety.do_not_contact_family"));
  EXPECT_EQ(edit->fields.country(), "MA");
  EXPECT_TRUE(edit->fields.safety().do_not_contact_family());
  EXPECT_EQ(edit->fields.abandonment().left_netherlands_on().year(), 2025);
}

TEST(UpdateMaskTest, FlagIsRepeatableTakesCommaListsAndDropsRepeats) {
  absl::StatusOr<CaseEdit> edit = ParseUpdate(
      {"--flag", "forced-marriage", "--flag",
       "MINOR_INVOLVED,RISK_FLAG_FGM_RISK", "--flag", "forced_marriage"});
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_THAT(edit->paths, ElementsAre("risk_flags"));
  EXPECT_THAT(edit->fields.risk_flags(),
              ElementsAre(consular::v1::RISK_FLAG_FORCED_MARRIAGE,
                          consular::v1::RISK_FLAG_MINOR_INVOLVED,
                          consular::v1::RISK_FLAG_FGM_RISK));
}

TEST(UpdateMaskTest, ListFlagTakesOneValuePerOccurrence) {
  CLI::App app;
  CaseFieldInputs inputs;
  std::string case_id;
  app.add_option("CASE", case_id)->required();
  AddCaseFieldOptions(&app, CaseFieldMode::kUpdate, &inputs);
  app.parse("--flag pregnancy ABN-2026-00001 --withheld passport", false);
  EXPECT_EQ(case_id, "ABN-2026-00001");
  absl::StatusOr<CaseEdit> edit = BuildCaseEdit(inputs, CASE_TYPE_UNSPECIFIED);
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_THAT(edit->fields.risk_flags(),
              ElementsAre(consular::v1::RISK_FLAG_PREGNANCY));
}

TEST(UpdateMaskTest, ClearFlagsSendsAnEmptyList) {
  absl::StatusOr<CaseEdit> edit = ParseUpdate({"--clear-flags"});
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_THAT(edit->paths, ElementsAre("risk_flags"));
  EXPECT_THAT(edit->fields.risk_flags(), IsEmpty());
}

TEST(UpdateMaskTest, ClearFlagsWithFlagIsAUsageError) {
  EXPECT_THROW((void)ParseUpdate({"--clear-flags", "--flag", "pregnancy"}),
               CLI::ExcludesError);
}

TEST(UpdateMaskTest, BooleansCanBeSetToFalse) {
  absl::StatusOr<CaseEdit> edit = ParseUpdate(
      {"--family-contact-ok", "--no-minor-children", "--etd-not-issued"});
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_THAT(edit->paths,
              ElementsAre("subject.has_minor_children",
                          "abandonment.emergency_travel_document_issued",
                          "safety.do_not_contact_family"));
  EXPECT_FALSE(edit->fields.safety().do_not_contact_family());
  EXPECT_FALSE(edit->fields.subject().has_minor_children());
  EXPECT_TRUE(edit->fields.has_abandonment());
}

TEST(UpdateMaskTest, BothSidesOfABooleanIsAUsageError) {
  EXPECT_THROW((void)ParseUpdate({"--no-family-contact", "--family-contact-ok"}),
               CLI::ExcludesError);
  EXPECT_THROW((void)ParseUpdate({"--minor-children", "--no-minor-children"}),
               CLI::ExcludesError);
}

TEST(UpdateMaskTest, EmptyTextAndNoneDateClearAField) {
  absl::StatusOr<CaseEdit> edit =
      ParseUpdate({"--region", "", "--returned", "none"});
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_THAT(edit->paths,
              ElementsAre("abandonment.region", "abandonment.returned_on"));
  EXPECT_EQ(edit->fields.abandonment().region(), "");
  EXPECT_EQ(edit->fields.abandonment().returned_on().year(), 0);
}

TEST(UpdateMaskTest, DivorceFlags) {
  absl::StatusOr<CaseEdit> edit =
      ParseUpdate({"--divorce-date", "2020-05-04", "--court",
                   "Rechtbank Den Haag", "--proceedings", "filed", "--lawyer",
                   "123E4567-E89B-12D3-A456-426614174000", "--obstacle",
                   "cost,spouse-consent-demanded", "--decision", "refused",
                   "--decided", "2026-01-10"});
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_THAT(edit->paths, ElementsAre("divorce_recognition.dutch_divorce_on",
                                       "divorce_recognition.dutch_court",
                                       "divorce_recognition.proceedings_state",
                                       "divorce_recognition.lawyer_partner_id",
                                       "divorce_recognition.obstacles",
                                       "divorce_recognition.decision",
                                       "divorce_recognition.decided_on"));
  const auto& d = edit->fields.divorce_recognition();
  EXPECT_EQ(d.lawyer_partner_id(), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_THAT(
      d.obstacles(),
      ElementsAre(consular::v1::RECOGNITION_OBSTACLE_COST,
                  consular::v1::RECOGNITION_OBSTACLE_SPOUSE_CONSENT_DEMANDED));
  EXPECT_EQ(d.decision(), consular::v1::RECOGNITION_DECISION_REFUSED);
}

TEST(UpdateMaskTest, MixingAbandonmentAndDivorceFlagsIsAnError) {
  absl::StatusOr<CaseEdit> edit =
      ParseUpdate({"--left-nl", "2025-01-01", "--court", "X"});
  ASSERT_FALSE(edit.ok());
  EXPECT_EQ(edit.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(edit.status().message()), HasSubstr("--left-nl"));
  EXPECT_THAT(std::string(edit.status().message()), HasSubstr("--court"));
}

TEST(UpdateMaskTest, BadValuesAreUsageErrorsNamingTheFlag) {
  try {
    ParseUpdate({"--sex", "other"}).IgnoreError();
    FAIL() << "no exception";
  } catch (const CLI::ValidationError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("--sex"));
    EXPECT_THAT(std::string(e.what()), HasSubstr("female, male, x, unknown"));
  }
  EXPECT_THROW((void)ParseUpdate({"--dob", "2026-02-30"}), CLI::ValidationError);
  EXPECT_THROW((void)ParseUpdate({"--flag", "forced-marriage,bogus"}),
               CLI::ValidationError);
  EXPECT_THROW((void)ParseUpdate({"--lawyer", "not-a-uuid"}), CLI::ValidationError);
}

TEST(UpdateMaskTest, EveryPathNamesAFieldOfCase) {
  std::vector<std::string> paths;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"--country",
            "MA",
            "--name",
            "N",
            "--dob",
            "2000-01-01",
            "--sex",
            "male",
            "--nationality",
            "dutch-only",
            "--minor-children",
            "--flag",
            "pregnancy",
            "--referral",
            "self",
            "--left-nl",
            "2025-01-01",
            "--reported",
            "2025-02-01",
            "--region",
            "R",
            "--withheld",
            "passport",
            "--permit-expires",
            "2027-01-01",
            "--wishes",
            "W",
            "--etd-issued",
            "--returned",
            "2025-03-01",
            "--safe-channel",
            "C",
            "--safe-times",
            "T",
            "--no-family-contact",
            "--covert-notes",
            "N"},
           {"--divorce-date", "2020-01-01", "--court", "C", "--proceedings",
            "hearing", "--lawyer", "123e4567-e89b-12d3-a456-426614174000",
            "--obstacle", "other", "--decision", "granted", "--decided",
            "2021-01-01"}}) {
    absl::StatusOr<CaseEdit> edit = ParseUpdate(args);
    ASSERT_TRUE(edit.ok()) << edit.status();
    paths.insert(paths.end(), edit->paths.begin(), edit->paths.end());
  }
  EXPECT_EQ(paths.size(), 27u);
  for (const std::string& path : paths) {
    const google::protobuf::Descriptor* message =
        consular::v1::Case::descriptor();
    const google::protobuf::FieldDescriptor* field = nullptr;
    for (absl::string_view part : absl::StrSplit(path, '.')) {
      ASSERT_NE(message, nullptr) << path;
      field = message->FindFieldByName(std::string(part));
      ASSERT_NE(field, nullptr) << path;
      message = field->message_type();
    }
  }
}

TEST(CreateFlagsTest, RequiredFlagsAndDetailsOfTheType) {
  std::vector<std::string> args = kCreateRequired;
  args.insert(args.end(),
              {"--flag", "passport-withheld", "--withheld", "passport,id-card",
               "--left-nl", "2025-06-01", "--etd-issued"});
  absl::StatusOr<CaseEdit> edit =
      Parse(CaseFieldMode::kCreate, args, CASE_TYPE_ABANDONMENT);
  ASSERT_TRUE(edit.ok()) << edit.status();
  const consular::v1::Case& c = edit->fields;
  EXPECT_EQ(c.country(), "MA");
  EXPECT_EQ(c.subject().full_name(), "Fatima Example");
  EXPECT_EQ(c.subject().sex(), consular::v1::SEX_FEMALE);
  EXPECT_EQ(c.subject().nationality_status(),
            consular::v1::NATIONALITY_STATUS_DUAL);
  EXPECT_EQ(c.referral_source(), consular::v1::REFERRAL_SOURCE_LKHA);
  EXPECT_THAT(c.abandonment().documents_withheld(),
              ElementsAre(consular::v1::WITHHELD_DOCUMENT_PASSPORT,
                          consular::v1::WITHHELD_DOCUMENT_ID_CARD));
  EXPECT_TRUE(c.abandonment().emergency_travel_document_issued());
}

TEST(CreateFlagsTest, MissingRequiredFlagIsAUsageError) {
  EXPECT_THROW((void)Parse(CaseFieldMode::kCreate, {"--country", "MA"}),
               CLI::RequiredError);
}

TEST(CreateFlagsTest, NoClearOrFalseFlagsOnCreate) {
  std::vector<std::string> args = kCreateRequired;
  args.push_back("--clear-flags");
  EXPECT_THROW((void)Parse(CaseFieldMode::kCreate, args), CLI::ExtrasError);
}

TEST(CreateFlagsTest, DetailsFlagsOfTheOtherTypeAreAnError) {
  std::vector<std::string> args = kCreateRequired;
  args.insert(args.end(), {"--left-nl", "2025-06-01", "--region", "Rif"});
  absl::StatusOr<CaseEdit> edit = Parse(CaseFieldMode::kCreate, args,
                                        CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  ASSERT_FALSE(edit.ok());
  EXPECT_THAT(std::string(edit.status().message()),
              HasSubstr("--left-nl, --region"));

  args = kCreateRequired;
  args.insert(args.end(), {"--decision", "granted"});
  edit = Parse(CaseFieldMode::kCreate, args, CASE_TYPE_ABANDONMENT);
  ASSERT_FALSE(edit.ok());
  EXPECT_THAT(std::string(edit.status().message()), HasSubstr("--decision"));
}

TEST(CreateFlagsTest, NoDetailsFlagsLeaveDetailsUnset) {
  absl::StatusOr<CaseEdit> edit =
      Parse(CaseFieldMode::kCreate, kCreateRequired, CASE_TYPE_ABANDONMENT);
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_EQ(edit->fields.details_case(), consular::v1::Case::DETAILS_NOT_SET);
}

}  // namespace
}  // namespace consular::ctl

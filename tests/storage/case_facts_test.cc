// The statistical facts the case service derives from a case (storage/case_facts.h): the children
// on an abandonment case, who pays for its return, and the furthest stage of the foreign
// proceedings of a divorce-recognition case.
#include "storage/case_facts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "google/protobuf/util/time_util.h"

namespace consular::storage {
namespace {

namespace v1 = consular::v1;
using google::protobuf::util::TimeUtil;

v1::Date MakeDate(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// A case of `type` opened on 1 March 2025 and written on `written` (noon UTC).
v1::Case CaseOf(v1::CaseType type, const std::string& written = "2025-06-10") {
  v1::Case c;
  c.set_type(type);
  c.mutable_subject()->set_sex(v1::SEX_FEMALE);
  TimeUtil::FromString("2025-03-01T09:00:00Z", c.mutable_opened_at());
  TimeUtil::FromString(written + "T12:00:00Z", c.mutable_updated_at());
  if (type == v1::CASE_TYPE_ABANDONMENT) c.mutable_abandonment();
  if (type == v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) c.mutable_divorce_recognition();
  return c;
}

void AddPerson(v1::Case* c, v1::PersonRole role) { c->add_persons()->set_role(role); }

void AddStep(v1::Case* c, v1::ProceedingsStage stage, const v1::Date& on) {
  v1::ProceedingsStep* step = c->mutable_divorce_recognition()->add_stages();
  step->set_stage(stage);
  *step->mutable_on() = on;
}

TEST(CaseFactsTest, ChildrenAreThePersonsWithTheRoleChild) {
  v1::Case c = CaseOf(v1::CASE_TYPE_ABANDONMENT);
  EXPECT_EQ(StatisticalFactsOf(c).children, "CHILDREN_NONE");
  // Other roles do not count.
  AddPerson(&c, v1::PERSON_ROLE_SPOUSE);
  AddPerson(&c, v1::PERSON_ROLE_TRUSTED_CONTACT);
  EXPECT_EQ(StatisticalFactsOf(c).children, "CHILDREN_NONE");
  std::vector<std::string> seen;
  for (int n = 1; n <= 4; ++n) {
    AddPerson(&c, v1::PERSON_ROLE_CHILD);
    seen.push_back(StatisticalFactsOf(c).children);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"CHILDREN_ONE", "CHILDREN_TWO",
                                            "CHILDREN_THREE_OR_MORE", "CHILDREN_THREE_OR_MORE"}));
}

TEST(CaseFactsTest, ChildrenAreNotCountedOnOtherCaseTypes) {
  v1::Case c = CaseOf(v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  AddPerson(&c, v1::PERSON_ROLE_CHILD);
  EXPECT_EQ(StatisticalFactsOf(c).children, "CHILDREN_UNKNOWN");
}

TEST(CaseFactsTest, ReturnFundingIsTheReturnPlansFunding) {
  v1::Case c = CaseOf(v1::CASE_TYPE_ABANDONMENT);
  EXPECT_EQ(StatisticalFactsOf(c).return_funding, "RETURN_FUNDING_UNSPECIFIED");
  for (const v1::ReturnFunding funding :
       {v1::RETURN_FUNDING_OWN_MEANS, v1::RETURN_FUNDING_FAMILY, v1::RETURN_FUNDING_CONSULAR_LOAN,
        v1::RETURN_FUNDING_OTHER}) {
    c.mutable_abandonment()->mutable_return_plan()->set_funding(funding);
    EXPECT_EQ(StatisticalFactsOf(c).return_funding, v1::ReturnFunding_Name(funding));
  }
  // A value this build does not know reads as not recorded.
  c.mutable_abandonment()->mutable_return_plan()->set_funding(static_cast<v1::ReturnFunding>(99));
  EXPECT_EQ(StatisticalFactsOf(c).return_funding, "RETURN_FUNDING_UNSPECIFIED");
  // A divorce-recognition case has no return.
  EXPECT_EQ(StatisticalFactsOf(CaseOf(v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION)).return_funding,
            "RETURN_FUNDING_UNSPECIFIED");
}

TEST(CaseFactsTest, TheStageIsTheFurthestReachedByTheDayTheCaseIsWritten) {
  v1::Case c = CaseOf(v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION, "2025-06-10");
  EXPECT_EQ(StatisticalFactsOf(c).recognition_stage, "PROCEEDINGS_STAGE_UNSPECIFIED");
  // Not in the order of the stages: the furthest counts, not the last listed.
  AddStep(&c, v1::PROCEEDINGS_STAGE_FILED, MakeDate(2025, 4, 2));
  AddStep(&c, v1::PROCEEDINGS_STAGE_DOCUMENTS_GATHERED, MakeDate(2025, 3, 5));
  EXPECT_EQ(StatisticalFactsOf(c).recognition_stage, "PROCEEDINGS_STAGE_FILED");
  // A hearing scheduled after the day the case is written does not count yet; on its day it does.
  AddStep(&c, v1::PROCEEDINGS_STAGE_HEARING, MakeDate(2025, 6, 11));
  EXPECT_EQ(StatisticalFactsOf(c).recognition_stage, "PROCEEDINGS_STAGE_FILED");
  TimeUtil::FromString("2025-06-11T08:00:00Z", c.mutable_updated_at());
  EXPECT_EQ(StatisticalFactsOf(c).recognition_stage, "PROCEEDINGS_STAGE_HEARING");
  // A step without a day tells nothing of when it was reached.
  v1::ProceedingsStep* undated = c.mutable_divorce_recognition()->add_stages();
  undated->set_stage(v1::PROCEEDINGS_STAGE_APPEAL);
  EXPECT_EQ(StatisticalFactsOf(c).recognition_stage, "PROCEEDINGS_STAGE_HEARING");
  AddStep(&c, v1::PROCEEDINGS_STAGE_DECISION, MakeDate(2025, 6, 11));
  EXPECT_EQ(StatisticalFactsOf(c).recognition_stage, "PROCEEDINGS_STAGE_DECISION");
}

TEST(CaseFactsTest, AnAbandonmentCaseHasNoProceedingsStage) {
  v1::Case c = CaseOf(v1::CASE_TYPE_ABANDONMENT);
  EXPECT_EQ(StatisticalFactsOf(c).recognition_stage, "PROCEEDINGS_STAGE_UNSPECIFIED");
}

}  // namespace
}  // namespace consular::storage

#include "services/cases/deadlines.h"

#include <gtest/gtest.h>

#include <vector>

#include "proto/dates.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::Deadline;

const absl::CivilDay kToday(2026, 6, 15);

PermitRules Rules() {
  return {{consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, {6, {8, 4, 1}, "regular"}},
          {consular::v1::PERMIT_KIND_EU_LONG_TERM_RESIDENT, {12, {8, 4, 1}, "EU long-term"}},
          {consular::v1::PERMIT_KIND_ASYLUM_FIXED_TERM, {6, {12, 2}, "asylum (other weeks)"}}};
}

// An open abandonment case of a person who left so that her permit of `kind` lapses in
// `days_left` days.
Case HeldAbroad(consular::v1::PermitKind kind, int months, int days_left) {
  Case c;
  c.set_id("c");
  c.set_reference("ABN-2026-00001");
  c.set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  c.set_status(consular::v1::CASE_STATUS_ACTIVE);
  c.mutable_abandonment()->set_residence_permit_kind(kind);
  *c.mutable_abandonment()->mutable_left_netherlands_on() =
      DateFromCivilDay(AddMonths(kToday + days_left, -months));
  return c;
}

TEST(DeadlinesTest, AddMonthsKeepsTheDayOrTakesTheLastOfTheMonth) {
  EXPECT_EQ(AddMonths(absl::CivilDay(2026, 2, 10), 6), absl::CivilDay(2026, 8, 10));
  EXPECT_EQ(AddMonths(absl::CivilDay(2025, 8, 31), 6), absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(AddMonths(absl::CivilDay(2027, 8, 31), 6), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(AddMonths(absl::CivilDay(2026, 1, 31), 12), absl::CivilDay(2027, 1, 31));
}

// The warnings come at the weeks each permit kind's rule names, and once the day has passed.
TEST(DeadlinesTest, ThePermitClockWarnsAtTheConfiguredWeeksOfEachKind) {
  struct Probe {
    consular::v1::PermitKind kind;
    int months;
    int days_left;
    int warning;
  };
  for (const Probe& p : std::vector<Probe>{
           {consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, 57, 0},
           {consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, 56, 8},
           {consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, 29, 8},
           {consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, 28, 4},
           {consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, 8, 4},
           {consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, 7, 1},
           {consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, 0, 1},
           {consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, -1, 0},
           {consular::v1::PERMIT_KIND_EU_LONG_TERM_RESIDENT, 12, 56, 8},
           {consular::v1::PERMIT_KIND_EU_LONG_TERM_RESIDENT, 12, 7, 1},
           {consular::v1::PERMIT_KIND_ASYLUM_FIXED_TERM, 6, 84, 12},
           {consular::v1::PERMIT_KIND_ASYLUM_FIXED_TERM, 6, 56, 12},
           {consular::v1::PERMIT_KIND_ASYLUM_FIXED_TERM, 6, 14, 2},
           {consular::v1::PERMIT_KIND_ASYLUM_FIXED_TERM, 6, 15, 12}}) {
    const std::vector<Deadline> found =
        PermitDeadlines(HeldAbroad(p.kind, p.months, p.days_left), Rules(), kToday);
    ASSERT_EQ(found.size(), 1u) << p.kind << " " << p.days_left;
    EXPECT_EQ(found[0].kind(), consular::v1::DEADLINE_KIND_PERMIT_ABSENCE);
    EXPECT_EQ(found[0].days_left(), p.days_left) << p.kind;
    EXPECT_EQ(found[0].warning_weeks(), p.warning) << p.kind << " " << p.days_left;
    EXPECT_EQ(found[0].passed(), p.days_left < 0);
    EXPECT_EQ(found[0].reference(), "ABN-2026-00001");
  }
  // The same absence means another day for a 12-month permit than for a 6-month one.
  Case eu = HeldAbroad(consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, 10);
  eu.mutable_abandonment()->set_residence_permit_kind(
      consular::v1::PERMIT_KIND_EU_LONG_TERM_RESIDENT);
  EXPECT_GT(PermitDeadlines(eu, Rules(), kToday)[0].days_left(), 180);
}

TEST(DeadlinesTest, NoClockOnceSheIsBackOrTheCaseIsResolvedOrWithoutARule) {
  Case c = HeldAbroad(consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6, 10);
  *c.mutable_abandonment()->mutable_residence_permit_expires_on() = DateFromCivilDay(kToday + 20);
  EXPECT_EQ(PermitDeadlines(c, Rules(), kToday).size(), 2u);
  Case back = c;
  *back.mutable_abandonment()->mutable_returned_on() = DateFromCivilDay(kToday - 1);
  EXPECT_TRUE(PermitDeadlines(back, Rules(), kToday).empty());
  Case resolved = c;
  resolved.set_status(consular::v1::CASE_STATUS_RESOLVED);
  EXPECT_TRUE(PermitDeadlines(resolved, Rules(), kToday).empty());
  Case no_rule = c;
  no_rule.mutable_abandonment()->set_residence_permit_kind(
      consular::v1::PERMIT_KIND_EU_FAMILY_MEMBER);
  const std::vector<Deadline> expiry_only = PermitDeadlines(no_rule, Rules(), kToday);
  ASSERT_EQ(expiry_only.size(), 1u);
  EXPECT_EQ(expiry_only[0].kind(), consular::v1::DEADLINE_KIND_PERMIT_EXPIRY);
  EXPECT_EQ(expiry_only[0].warning_weeks(), 4);
}

TEST(DeadlinesTest, HeldAndWithheldDocumentsWarnBeforeTheyExpire) {
  Case c = HeldAbroad(consular::v1::PERMIT_KIND_UNSPECIFIED, 6, 10);
  consular::v1::TravelDocument* passport = c.add_documents();
  passport->set_id("d1");
  passport->set_type(consular::v1::TRAVEL_DOCUMENT_TYPE_PASSPORT);
  passport->set_status(consular::v1::DOCUMENT_STATUS_WITHHELD);
  *passport->mutable_expires_on() = DateFromCivilDay(kToday + 20);
  consular::v1::TravelDocument* lost = c.add_documents();
  lost->set_type(consular::v1::TRAVEL_DOCUMENT_TYPE_ID_CARD);
  lost->set_status(consular::v1::DOCUMENT_STATUS_LOST);
  *lost->mutable_expires_on() = DateFromCivilDay(kToday + 5);
  consular::v1::TravelDocument* etd = c.add_documents();
  etd->set_id("d3");
  etd->set_holder_person_id("child");
  etd->set_type(consular::v1::TRAVEL_DOCUMENT_TYPE_EMERGENCY_TRAVEL_DOCUMENT);
  etd->set_status(consular::v1::DOCUMENT_STATUS_HELD_BY_PERSON);
  *etd->mutable_expires_on() = DateFromCivilDay(kToday + 3);
  const std::vector<Deadline> found = DocumentDeadlines(c, kToday);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].kind(), consular::v1::DEADLINE_KIND_DOCUMENT_EXPIRY);
  EXPECT_EQ(found[0].document_id(), "d1");
  EXPECT_EQ(found[0].warning_weeks(), 4);
  EXPECT_EQ(found[0].detail(), "her passport expires");
  EXPECT_EQ(found[1].warning_weeks(), 1);
  EXPECT_EQ(found[1].detail(), "a person's emergency travel document expires");
  c.set_status(consular::v1::CASE_STATUS_CLOSED);
  EXPECT_TRUE(DocumentDeadlines(c, kToday).empty());
}

TEST(DeadlinesTest, MostUrgentFirst) {
  std::vector<Deadline> list(3);
  *list[0].mutable_due_on() = DateFromCivilDay(kToday + 3);
  list[0].set_reference("B");
  *list[1].mutable_due_on() = DateFromCivilDay(kToday - 2);
  list[1].set_reference("C");
  *list[2].mutable_due_on() = DateFromCivilDay(kToday + 3);
  list[2].set_reference("A");
  SortDeadlines(&list);
  EXPECT_EQ(list[0].reference(), "C");
  EXPECT_EQ(list[1].reference(), "A");
  EXPECT_EQ(list[2].reference(), "B");
}

}  // namespace
}  // namespace consular::cases

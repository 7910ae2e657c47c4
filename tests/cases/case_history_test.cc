#include "services/cases/case_history.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseEvent;
using consular::v1::FieldChange;

google::protobuf::FieldMask Mask(const std::vector<std::string>& paths) {
  google::protobuf::FieldMask mask;
  for (const std::string& p : paths) mask.add_paths(p);
  return mask;
}

std::vector<std::string> Describe(const std::vector<FieldChange>& changes) {
  std::vector<std::string> out;
  for (const FieldChange& c : changes) {
    out.push_back(c.field() + ": '" + c.old_value() + "' -> '" + c.new_value() + "'");
  }
  return out;
}

TEST(CaseHistoryTest, AGroupPathExpandsToTheFieldsThatChanged) {
  Case before;
  before.mutable_safety()->set_safe_contact_channel("+212 600 000000");
  before.mutable_safety()->set_covert_notes("old notes");
  before.add_risk_flags(consular::v1::RISK_FLAG_PASSPORT_WITHHELD);
  Case after = before;
  after.mutable_safety()->set_safe_contact_channel("+212 611 111111");
  after.mutable_safety()->set_do_not_contact_family(true);
  after.add_risk_flags(consular::v1::RISK_FLAG_FORCED_MARRIAGE);
  after.mutable_abandonment()->mutable_returned_on()->set_year(2026);
  after.mutable_abandonment()->mutable_returned_on()->set_month(3);
  after.mutable_abandonment()->mutable_returned_on()->set_day(9);
  after.set_country("MA");  // outside the mask: not a change of this update
  EXPECT_EQ(Describe(ChangedFields(Mask({"safety", "risk_flags", "abandonment.returned_on"}),
                                   before, after)),
            (std::vector<std::string>{
                "safety.safe_contact_channel: '+212 600 000000' -> '+212 611 111111'",
                "safety.do_not_contact_family: 'false' -> 'true'",
                "risk_flags: 'RISK_FLAG_PASSPORT_WITHHELD' -> 'RISK_FLAG_PASSPORT_WITHHELD, "
                "RISK_FLAG_FORCED_MARRIAGE'",
                "abandonment.returned_on: '' -> '2026-03-09'"}));
  EXPECT_TRUE(ChangedFields(Mask({"subject"}), before, after).empty());
}

TEST(CaseHistoryTest, PathsAndFilters) {
  EXPECT_TRUE(IsCaseFieldPath("safety"));
  EXPECT_TRUE(IsCaseFieldPath("safety.covert_notes"));
  EXPECT_TRUE(IsCaseFieldPath("status"));
  EXPECT_FALSE(IsCaseFieldPath("safety.password"));
  EXPECT_FALSE(IsCaseFieldPath(""));
  EXPECT_TRUE(FieldMatches("safety.covert_notes", "safety"));
  EXPECT_TRUE(FieldMatches("safety.covert_notes", ""));
  EXPECT_FALSE(FieldMatches("safety_x", "safety"));
  EXPECT_FALSE(FieldMatches("subject.full_name", "safety"));
  EXPECT_TRUE(IsSafetyField("safety.safe_contact_times"));
  EXPECT_FALSE(IsSafetyField("subject.full_name"));
}

TEST(CaseHistoryTest, CovertNotesAreWithheldFromReadOnlyReaders) {
  Case c;
  c.mutable_safety()->set_covert_notes("Husband monitors her phone");
  for (const auto access : {consular::v1::CASE_ACCESS_HANDLING,
                            consular::v1::CASE_ACCESS_SHARED_READ_WRITE}) {
    c.set_caller_access(access);
    EXPECT_TRUE(MaySeeCovertNotes(c)) << access;
  }
  for (const auto access : {consular::v1::CASE_ACCESS_SHARED_READ,
                            consular::v1::CASE_ACCESS_EMERGENCY}) {
    c.set_caller_access(access);
    EXPECT_FALSE(MaySeeCovertNotes(c)) << access;
    Case copy = c;
    WithholdCovertNotes(&copy);
    EXPECT_EQ(copy.safety().covert_notes(), "");
    copy = c;
    copy.mutable_safety()->set_covert_notes_shareable(true);
    WithholdCovertNotes(&copy);
    EXPECT_EQ(copy.safety().covert_notes(), "Husband monitors her phone");
  }

  CaseEvent event;
  event.set_type(consular::v1::CASE_EVENT_TYPE_UPDATED);
  event.set_sequence(4);
  event.set_reason("New information");
  FieldChange* notes = event.add_changes();
  notes->set_field("safety.covert_notes");
  notes->set_old_value("a");
  notes->set_new_value("b");
  FieldChange* times = event.add_changes();
  times->set_field("safety.safe_contact_times");
  times->set_new_value("mornings");
  const auto hidden = HistoryEntryOf(event, "", false);
  ASSERT_TRUE(hidden.has_value());
  ASSERT_EQ(hidden->changes_size(), 2);
  EXPECT_TRUE(hidden->changes(0).withheld());
  EXPECT_EQ(hidden->changes(0).old_value() + hidden->changes(0).new_value(), "");
  EXPECT_EQ(hidden->changes(1).new_value(), "mornings");
  EXPECT_EQ(hidden->reason(), "New information");
  EXPECT_EQ(HistoryEntryOf(event, "", true)->changes(0).new_value(), "b");
  EXPECT_FALSE(HistoryEntryOf(event, "subject", true).has_value());
  EXPECT_EQ(HistoryEntryOf(event, "safety.safe_contact_times", true)->changes_size(), 1);
}

TEST(CaseHistoryTest, TransitionsAndReferralsAreChangesOfTheirFields) {
  CaseEvent moved;
  moved.set_type(consular::v1::CASE_EVENT_TYPE_TRANSITIONED);
  moved.set_from_status(consular::v1::CASE_STATUS_ACTIVE);
  moved.set_to_status(consular::v1::CASE_STATUS_RESOLVED);
  moved.set_outcome(consular::v1::OUTCOME_WITHDRAWN);
  const auto entry = HistoryEntryOf(moved, "", false);
  ASSERT_TRUE(entry.has_value());
  ASSERT_EQ(entry->changes_size(), 2);
  EXPECT_EQ(entry->changes(0).new_value(), "CASE_STATUS_RESOLVED");
  EXPECT_EQ(entry->changes(1).field(), "outcome");
  CaseEvent referred;
  referred.set_type(consular::v1::CASE_EVENT_TYPE_REFERRED);
  referred.set_from_unit("LKHA");
  referred.set_to_unit("RABAT");
  EXPECT_EQ(HistoryEntryOf(referred, "handling_post", false)->changes(0).old_value(), "LKHA");
  CaseEvent note;
  note.set_type(consular::v1::CASE_EVENT_TYPE_NOTE_ADDED);
  EXPECT_FALSE(HistoryEntryOf(note, "", true).has_value());
}

}  // namespace
}  // namespace consular::cases

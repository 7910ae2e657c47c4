#include "tools/consularctl/format.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consular::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  return timestamp;
}

constexpr int64_t kMarch1 = 1772357400;  // 2026-03-01T09:30:00Z

TEST(FormatTableTest, AlignsColumnsWithoutTrailingBlanks) {
  EXPECT_EQ(FormatTable({"A", "BB", "C"},
                        {{"xxx", "y", "z"}, {"", "long value", "w"}}),
            "A    BB          C\n"
            "xxx  y           z\n"
            "-    long value  w\n");
}

TEST(FormatTableTest, CountsCharactersNotBytesAndFlattensLineBreaks) {
  EXPECT_EQ(FormatTable({"NAME", "X"}, {{"Zoë", "1"}, {"a\nb", "2"}}),
            "NAME  X\n"
            "Zoë   1\n"
            "a b   2\n");
}

TEST(FormatCaseListTest, TableWithShortEnumNamesAndCount) {
  google::protobuf::RepeatedPtrField<consular::v1::Case> cases;
  consular::v1::Case* a = cases.Add();
  a->set_reference("ABN-2026-00001");
  a->set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  a->set_status(consular::v1::CASE_STATUS_ON_HOLD);
  a->set_handling_post("RABAT");
  a->set_country("MA");
  *a->mutable_opened_at() = At(kMarch1);
  a->set_version(3);
  consular::v1::Case* d = cases.Add();
  d->set_reference("DIV-2026-00007");
  d->set_type(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  d->set_status(consular::v1::CASE_STATUS_INTAKE);
  d->set_handling_post("ANKARA");
  d->set_country("TR");
  *d->mutable_opened_at() = At(kMarch1 + 86400);
  d->set_version(1);
  EXPECT_EQ(
      FormatCaseList(cases),
      "REFERENCE       TYPE                         STATUS   POST    COUNTRY  "
      "OPENED        "
      "        VERSION\n"
      "ABN-2026-00001  ABANDONMENT                  ON_HOLD  RABAT   MA       "
      "2026-03-01T09:30:00Z  3\n"
      "DIV-2026-00007  FOREIGN_DIVORCE_RECOGNITION  INTAKE   ANKARA  TR       "
      "2026-03-02T09:30:00Z  1\n"
      "2 case(s)\n");
}

TEST(FormatCaseListTest, EmptyListStillHasHeaderAndCount) {
  EXPECT_EQ(
      FormatCaseList({}),
      "REFERENCE  TYPE  STATUS  POST  COUNTRY  OPENED  VERSION\n0 case(s)\n");
}

TEST(EventDetailsTest, OnePerEventType) {
  consular::v1::CaseEvent event;
  event.set_type(consular::v1::CASE_EVENT_TYPE_TRANSITIONED);
  event.set_from_status(consular::v1::CASE_STATUS_INTAKE);
  event.set_to_status(consular::v1::CASE_STATUS_ACTIVE);
  event.set_reason("assessed");
  EXPECT_EQ(EventDetails(event), "INTAKE\u2192ACTIVE: assessed");

  event.set_from_status(consular::v1::CASE_STATUS_ACTIVE);
  event.set_to_status(consular::v1::CASE_STATUS_RESOLVED);
  event.set_outcome(consular::v1::OUTCOME_RETURNED_TO_NL);
  event.set_reason("back home");
  EXPECT_EQ(EventDetails(event),
            "ACTIVE\u2192RESOLVED (RETURNED_TO_NL): back home");

  consular::v1::CaseEvent updated;
  updated.set_type(consular::v1::CASE_EVENT_TYPE_UPDATED);
  updated.add_changed_fields("subject.full_name");
  updated.add_changed_fields("risk_flags");
  EXPECT_EQ(EventDetails(updated), "changed: subject.full_name, risk_flags");

  consular::v1::CaseEvent note;
  note.set_type(consular::v1::CASE_EVENT_TYPE_NOTE_ADDED);
  note.set_note_id("n-1");
  EXPECT_EQ(EventDetails(note), "note n-1");

  consular::v1::CaseEvent created;
  created.set_type(consular::v1::CASE_EVENT_TYPE_CREATED);
  created.set_to_status(consular::v1::CASE_STATUS_INTAKE);
  EXPECT_EQ(EventDetails(created), "created as INTAKE");
}

TEST(FormatEventsTest, Table) {
  google::protobuf::RepeatedPtrField<consular::v1::CaseEvent> events;
  consular::v1::CaseEvent* e = events.Add();
  e->set_sequence(2);
  e->set_type(consular::v1::CASE_EVENT_TYPE_UPDATED);
  e->set_actor("dev-officer-rabat");
  e->set_actor_role(consular::v1::ROLE_CONSULAR_OFFICER);
  *e->mutable_occurred_at() = At(kMarch1);
  e->set_case_version(2);
  e->add_changed_fields("country");
  EXPECT_EQ(FormatEvents(events),
            "SEQ  WHEN                  TYPE     ACTOR              ROLE       "
            "       VERSION  "
            "DETAILS\n"
            "2    2026-03-01T09:30:00Z  UPDATED  dev-officer-rabat  "
            "CONSULAR_OFFICER  2        "
            "changed: country\n"
            "1 event(s)\n");
}

TEST(FormatNotesTest, RowThenIndentedText) {
  google::protobuf::RepeatedPtrField<consular::v1::CaseNote> notes;
  consular::v1::CaseNote* n = notes.Add();
  n->set_author("alice");
  n->set_author_post("RABAT");
  *n->mutable_created_at() = At(kMarch1);
  n->set_text("Called the lawyer.\nFollow up Monday.");
  EXPECT_EQ(FormatNotes(notes),
            "WHEN                  AUTHOR  POST\n"
            "2026-03-01T09:30:00Z  alice   RABAT\n"
            "    Called the lawyer.\n"
            "    Follow up Monday.\n"
            "1 note(s)\n");
}

consular::v1::Case SampleCase() {
  consular::v1::Case c;
  c.set_id("0b7c2a8e-1111-4222-8333-444455556666");
  c.set_reference("ABN-2026-00001");
  c.set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  c.set_status(consular::v1::CASE_STATUS_ACTIVE);
  c.set_handling_post("RABAT");
  c.set_country("MA");
  c.set_version(4);
  *c.mutable_opened_at() = At(kMarch1);
  *c.mutable_updated_at() = At(kMarch1 + 60);
  c.mutable_subject()->set_full_name("Fatima Example");
  c.mutable_subject()->mutable_date_of_birth()->set_year(2007);
  c.mutable_subject()->mutable_date_of_birth()->set_month(5);
  c.mutable_subject()->mutable_date_of_birth()->set_day(9);
  c.mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
  c.mutable_subject()->set_nationality_status(
      consular::v1::NATIONALITY_STATUS_DUAL);
  c.add_risk_flags(consular::v1::RISK_FLAG_FORCED_MARRIAGE);
  c.add_risk_flags(consular::v1::RISK_FLAG_MINOR_INVOLVED);
  c.set_referral_source(consular::v1::REFERRAL_SOURCE_LKHA);
  c.mutable_abandonment()->set_region("Nador");
  c.mutable_abandonment()->add_documents_withheld(
      consular::v1::WITHHELD_DOCUMENT_PASSPORT);
  c.mutable_safety()->set_do_not_contact_family(true);
  c.mutable_safety()->set_covert_notes("line one\nline two");
  return c;
}

TEST(FormatCaseTest, KeyValueBlock) {
  EXPECT_EQ(FormatCase(SampleCase()),
            "Reference:             ABN-2026-00001\n"
            "ID:                    0b7c2a8e-1111-4222-8333-444455556666\n"
            "Type:                  ABANDONMENT\n"
            "Status:                ACTIVE\n"
            "Post:                  RABAT\n"
            "Country:               MA\n"
            "Version:               4\n"
            "Opened:                2026-03-01T09:30:00Z\n"
            "Updated:               2026-03-01T09:31:00Z\n"
            "Name:                  Fatima Example\n"
            "Date of birth:         2007-05-09\n"
            "Sex:                   FEMALE\n"
            "Nationality:           DUAL\n"
            "Minor children:        no\n"
            "Risk flags:            FORCED_MARRIAGE, MINOR_INVOLVED\n"
            "Referral:              LKHA\n"
            "Region:                Nador\n"
            "Documents withheld:    PASSPORT\n"
            "Do not contact family: yes\n"
            "Covert notes:          line one\n"
            "                       line two\n");
}

TEST(FormatCaseTest, ShowsOutcomeAndDivorceDetailsOnlyWhenSet) {
  consular::v1::Case c = SampleCase();
  EXPECT_THAT(FormatCase(c), Not(HasSubstr("Outcome:")));
  c.set_status(consular::v1::CASE_STATUS_RESOLVED);
  c.set_outcome(consular::v1::OUTCOME_RETURNED_TO_NL);
  EXPECT_THAT(FormatCase(c),
              HasSubstr("Outcome:               RETURNED_TO_NL\n"));

  c.mutable_divorce_recognition()->set_decision(
      consular::v1::RECOGNITION_DECISION_REFUSED);
  c.mutable_divorce_recognition()->add_obstacles(
      consular::v1::RECOGNITION_OBSTACLE_COST);
  const std::string text = FormatCase(c);
  EXPECT_THAT(text, HasSubstr("Decision:              REFUSED\n"));
  EXPECT_THAT(text, HasSubstr("Obstacles:             COST\n"));
  EXPECT_THAT(text, Not(HasSubstr("Proceedings:")));
  EXPECT_THAT(
      text, Not(HasSubstr("Region:")));  // the oneof now holds divorce details
}

TEST(FormatNoteTest, KeyValueBlock) {
  consular::v1::CaseNote note;
  note.set_id("n1");
  note.set_case_id("c1");
  note.set_author("alice");
  note.set_author_post("RABAT");
  *note.mutable_created_at() = At(kMarch1);
  note.set_text("hello");
  EXPECT_EQ(FormatNote(note),
            "Note:    n1\n"
            "Case:    c1\n"
            "Author:  alice\n"
            "Post:    RABAT\n"
            "Created: 2026-03-01T09:30:00Z\n"
            "Text:    hello\n");
}

}  // namespace
}  // namespace consular::ctl

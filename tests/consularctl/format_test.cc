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

TEST(FormatDuplicatesTest, NamesTheCaseOnlyWhenTheCallerMayReadIt) {
  consular::v1::Case c;
  c.set_reference("ABN-2026-00003");
  consular::v1::PossibleDuplicate* own = c.add_possible_duplicates();
  own->set_handling_unit("RABAT");
  own->set_match(consular::v1::DUPLICATE_MATCH_NAME_AND_BIRTH_DATE);
  own->set_reference("ABN-2026-00001");
  consular::v1::PossibleDuplicate* other = c.add_possible_duplicates();
  other->set_handling_unit("LKHA");
  other->set_match(consular::v1::DUPLICATE_MATCH_SIMILAR_NAME_AND_BIRTH_DATE);
  EXPECT_THAT(FormatCase(c),
              HasSubstr("\nPossible duplicates: the same person may have a case here\n"
                        "UNIT   MATCH                             CASE\n"
                        "RABAT  same name and date of birth       ABN-2026-00001\n"
                        "LKHA   similar name, same date of birth  (ask LKHA for a share)\n"
                        "2 possible duplicate(s)\n"));
  consular::v1::EmergencySearchResponse hits;
  consular::v1::EmergencySearchHit* hit = hits.add_hits();
  hit->set_reference("ABN-2026-00001");
  hit->set_handling_unit("RABAT");
  EXPECT_EQ(FormatEmergencyHits(hits.hits()),
            "REFERENCE       UNIT\nABN-2026-00001  RABAT\n1 case(s)\n");
}

TEST(FormatCaseTest, ATombstoneShowsTheListAndNothingPersonal) {
  consular::v1::Case c;
  c.set_reference("ABN-2026-00001");
  c.set_status(consular::v1::CASE_STATUS_CLOSED);
  c.mutable_archive_action_date()->set_year(2026);
  c.mutable_archive_action_date()->set_month(1);
  c.mutable_archive_action_date()->set_day(10);
  c.mutable_anonymised_at()->set_seconds(1770000000);
  c.set_anonymised_under("VL-2026-1");
  const std::string text = FormatCase(c);
  EXPECT_THAT(text, HasSubstr("Archive date"));
  EXPECT_THAT(text, HasSubstr("2026-01-10"));
  EXPECT_THAT(text, HasSubstr("under list VL-2026-1"));
  EXPECT_THAT(text, Not(HasSubstr("Name")));
  EXPECT_THAT(text, Not(HasSubstr("Date of birth")));
}

TEST(FormatDeadlinesTest, PassedFirstWithTheWarningReached) {
  consular::v1::ListDeadlinesResponse listed;
  consular::v1::Deadline* passed = listed.add_deadlines();
  passed->set_kind(consular::v1::DEADLINE_KIND_PERMIT_ABSENCE);
  passed->set_reference("ABN-2026-00001");
  passed->mutable_due_on()->set_year(2026);
  passed->mutable_due_on()->set_month(3);
  passed->mutable_due_on()->set_day(1);
  passed->set_days_left(-3);
  passed->set_passed(true);
  passed->set_detail("regular permit");
  consular::v1::Deadline* soon = listed.add_deadlines();
  soon->set_kind(consular::v1::DEADLINE_KIND_FOLLOW_UP);
  soon->set_reference("ABN-2026-00002");
  soon->mutable_due_on()->set_year(2026);
  soon->mutable_due_on()->set_month(3);
  soon->mutable_due_on()->set_day(9);
  soon->set_days_left(5);
  soon->set_warning_weeks(1);
  soon->set_detail("follow-up");
  EXPECT_EQ(FormatDeadlines(listed.deadlines()),
            "DUE         WHEN                 WARNING    CASE            KIND            WHAT\n"
            "2026-03-01  PASSED 3 day(s) ago  -          ABN-2026-00001  permit absence  regular "
            "permit\n"
            "2026-03-09  in 5 day(s)          1 week(s)  ABN-2026-00002  follow up       follow-up\n"
            "2 deadline(s)\n");
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
      "ABN-2026-00001  abandonment                  on hold  RABAT   MA       "
      "2026-03-01T09:30:00Z  3\n"
      "DIV-2026-00007  foreign divorce recognition  intake   ANKARA  TR       "
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
  EXPECT_EQ(EventDetails(event), "intake\u2192active: assessed");

  event.set_from_status(consular::v1::CASE_STATUS_ACTIVE);
  event.set_to_status(consular::v1::CASE_STATUS_RESOLVED);
  event.set_outcome(consular::v1::OUTCOME_RETURNED_TO_NL);
  event.set_reason("back home");
  EXPECT_EQ(EventDetails(event),
            "active\u2192resolved (returned to NL): back home");

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
  EXPECT_EQ(EventDetails(created), "created as intake");
}

TEST(EventDetailsTest, SharingAndReferral) {
  consular::v1::CaseEvent shared;
  shared.set_type(consular::v1::CASE_EVENT_TYPE_SHARED);
  shared.set_share_id("s-1");
  shared.set_grantee("LKHA");
  shared.set_share_access(consular::v1::SHARE_ACCESS_READ);
  EXPECT_EQ(EventDetails(shared), "shared with LKHA (read)");
  shared.set_grantee("TUNIS");
  shared.set_share_access(consular::v1::SHARE_ACCESS_READ_WRITE);
  EXPECT_EQ(EventDetails(shared), "shared with TUNIS (read write)");
  shared.clear_share_access();
  EXPECT_EQ(EventDetails(shared), "shared with TUNIS");

  consular::v1::CaseEvent revoked;
  revoked.set_type(consular::v1::CASE_EVENT_TYPE_SHARE_REVOKED);
  revoked.set_share_id("s-1");
  revoked.set_grantee("LKHA");
  EXPECT_EQ(EventDetails(revoked), "share with LKHA revoked");

  consular::v1::CaseEvent referred;
  referred.set_type(consular::v1::CASE_EVENT_TYPE_REFERRED);
  referred.set_from_unit("LKHA");
  referred.set_to_unit("RABAT");
  referred.set_share_id("s-2");
  EXPECT_EQ(EventDetails(referred), "referred LKHA\u2192RABAT");
}

TEST(FormatEventsTest, NewEventTypesInTheTable) {
  google::protobuf::RepeatedPtrField<consular::v1::CaseEvent> events;
  consular::v1::CaseEvent* e = events.Add();
  e->set_sequence(3);
  e->set_type(consular::v1::CASE_EVENT_TYPE_SHARED);
  e->set_actor("dev-officer-rabat");
  e->set_actor_role(consular::v1::ROLE_CONSULAR_OFFICER);
  *e->mutable_occurred_at() = At(kMarch1);
  e->set_case_version(1);
  e->set_grantee("LKHA");
  e->set_share_access(consular::v1::SHARE_ACCESS_READ);
  e = events.Add();
  e->set_sequence(4);
  e->set_type(consular::v1::CASE_EVENT_TYPE_REFERRED);
  e->set_actor("dev-manager-rabat");
  e->set_actor_role(consular::v1::ROLE_POST_MANAGER);
  *e->mutable_occurred_at() = At(kMarch1 + 60);
  e->set_case_version(2);
  e->set_from_unit("RABAT");
  e->set_to_unit("TUNIS");
  EXPECT_EQ(FormatEvents(events),
            "SEQ  WHEN                  TYPE      ACTOR              ROLE              VERSION  "
            "DETAILS\n"
            "3    2026-03-01T09:30:00Z  shared    dev-officer-rabat  consular officer  1        "
            "shared with LKHA (read)\n"
            "4    2026-03-01T09:31:00Z  referred  dev-manager-rabat  post manager      2        "
            "referred RABAT\u2192TUNIS\n"
            "2 event(s)\n");
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
            "2    2026-03-01T09:30:00Z  updated  dev-officer-rabat  "
            "consular officer  2        "
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
            "Type:                  abandonment\n"
            "Status:                active\n"
            "Post:                  RABAT\n"
            "Country:               MA\n"
            "Assigned to:           nobody\n"
            "Version:               4\n"
            "Opened:                2026-03-01T09:30:00Z\n"
            "Updated:               2026-03-01T09:31:00Z\n"
            "Name:                  Fatima Example\n"
            "Date of birth:         2007-05-09\n"
            "Sex:                   female\n"
            "Nationality:           dual\n"
            "Minor children:        no\n"
            "Risk flags:            forced marriage, minor involved\n"
            "Referral:              LKHA\n"
            "Region:                Nador\n"
            "Documents withheld:    passport\n"
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
              HasSubstr("Outcome:               returned to NL\n"));

  c.mutable_divorce_recognition()->set_decision(
      consular::v1::RECOGNITION_DECISION_REFUSED);
  c.mutable_divorce_recognition()->add_obstacles(
      consular::v1::RECOGNITION_OBSTACLE_COST);
  const std::string text = FormatCase(c);
  EXPECT_THAT(text, HasSubstr("Decision:              refused\n"));
  EXPECT_THAT(text, HasSubstr("Obstacles:             cost\n"));
  EXPECT_THAT(text, Not(HasSubstr("Proceedings:")));
  EXPECT_THAT(
      text, Not(HasSubstr("Region:")));  // the oneof now holds divorce details
}

TEST(CaseAccessTextTest, OnePerAccess) {
  EXPECT_EQ(CaseAccessText(consular::v1::CASE_ACCESS_UNSPECIFIED), "");
  EXPECT_EQ(CaseAccessText(consular::v1::CASE_ACCESS_HANDLING), "");
  EXPECT_EQ(CaseAccessText(consular::v1::CASE_ACCESS_SHARED_READ), "shared read-only");
  EXPECT_EQ(CaseAccessText(consular::v1::CASE_ACCESS_SHARED_READ_WRITE), "shared read-write");
  EXPECT_THAT(CaseAccessText(consular::v1::CASE_ACCESS_EMERGENCY), HasSubstr("emergency"));
  // A value this client does not know (a newer server) still shows.
  EXPECT_EQ(CaseAccessText(static_cast<consular::v1::CaseAccess>(9)), "9");
}

TEST(FormatCaseTest, ShowsWhoWorksTheCaseAndAReferralWaitingForItsAnswer) {
  consular::v1::Case c = SampleCase();
  c.set_assigned_to("dev-officer-rabat");
  c.mutable_pending_referral()->set_id("7e000000-1111-4222-8333-444455556666");
  c.mutable_pending_referral()->set_to_unit("TUNIS");
  *c.mutable_pending_referral()->mutable_referred_at() = At(kMarch1);
  const std::string text = FormatCase(c);
  EXPECT_THAT(text, HasSubstr("Assigned to:           dev-officer-rabat\n"));
  EXPECT_THAT(text, HasSubstr("Referred:              to TUNIS on 2026-03-01T09:30:00Z, waiting "
                              "for its answer (7e000000-1111-4222-8333-444455556666)\n"));
}

TEST(FormatCaseTest, ShowsTheCallersAccessOnlyWhenNotHandling) {
  consular::v1::Case c = SampleCase();
  EXPECT_THAT(FormatCase(c), Not(HasSubstr("Access:")));
  c.set_caller_access(consular::v1::CASE_ACCESS_HANDLING);
  EXPECT_THAT(FormatCase(c), Not(HasSubstr("Access:")));
  c.set_caller_access(consular::v1::CASE_ACCESS_SHARED_READ);
  EXPECT_THAT(FormatCase(c), HasSubstr("Post:                  RABAT\n"
                                       "Access:                shared read-only\n"
                                       "Country:               MA\n"));
  c.set_caller_access(consular::v1::CASE_ACCESS_EMERGENCY);
  EXPECT_THAT(FormatCase(c), HasSubstr("Access:                emergency (read-only"));
}

consular::v1::CaseShare SampleShare() {
  consular::v1::CaseShare share;
  share.set_id("5a1e0000-1111-4222-8333-444455556666");
  share.set_case_id("0b7c2a8e-1111-4222-8333-444455556666");
  share.set_case_reference("ABN-2026-00001");
  share.set_grantee("LKHA");
  share.set_access(consular::v1::SHARE_ACCESS_READ);
  share.set_legal_basis("Art. 5 consular act");
  share.set_granted_by("dev-officer-rabat");
  share.set_granted_by_unit("RABAT");
  *share.mutable_granted_at() = At(kMarch1);
  share.set_active(true);
  return share;
}

TEST(FormatShareTest, KeyValueBlock) {
  EXPECT_EQ(FormatShare(SampleShare()),
            "Share:       5a1e0000-1111-4222-8333-444455556666\n"
            "Case:        ABN-2026-00001\n"
            "Case ID:     0b7c2a8e-1111-4222-8333-444455556666\n"
            "Grantee:     LKHA\n"
            "Access:      read\n"
            "Legal basis: Art. 5 consular act\n"
            "Granted by:  dev-officer-rabat (RABAT)\n"
            "Granted:     2026-03-01T09:30:00Z\n"
            "Expires:     never (until revoked)\n"
            "State:       active\n");
}

TEST(FormatShareTest, ExpiryAndRevocation) {
  consular::v1::CaseShare share = SampleShare();
  *share.mutable_expires_at() = At(kMarch1 + 86400);
  std::string text = FormatShare(share);
  EXPECT_THAT(text, HasSubstr("Expires:     2026-03-02T09:30:00Z\n"));
  EXPECT_THAT(text, Not(HasSubstr("Revoked:")));

  share.set_active(false);
  EXPECT_EQ(ShareState(share), "expired");
  EXPECT_THAT(FormatShare(share), HasSubstr("State:       expired\n"));

  *share.mutable_revoked_at() = At(kMarch1 + 3600);
  share.set_revoked_by("dev-manager-rabat");
  EXPECT_EQ(ShareState(share), "revoked");
  text = FormatShare(share);
  EXPECT_THAT(text, HasSubstr("Revoked:     2026-03-01T10:30:00Z by dev-manager-rabat\n"
                              "State:       revoked\n"));
}

TEST(FormatSharesTest, TableWithStateAndCount) {
  google::protobuf::RepeatedPtrField<consular::v1::CaseShare> shares;
  *shares.Add() = SampleShare();
  consular::v1::CaseShare* revoked = shares.Add();
  *revoked = SampleShare();
  revoked->set_id("5a1e0000-2222-4222-8333-444455556666");
  revoked->set_grantee("TUNIS");
  revoked->set_access(consular::v1::SHARE_ACCESS_READ_WRITE);
  *revoked->mutable_expires_at() = At(kMarch1 + 86400);
  *revoked->mutable_revoked_at() = At(kMarch1 + 60);
  revoked->set_active(false);
  EXPECT_EQ(FormatShares(shares),
            "ID                                    GRANTEE  ACCESS      STATE    GRANTED          "
            "     EXPIRES               BY                 BASIS\n"
            "5a1e0000-1111-4222-8333-444455556666  LKHA     read        active   2026-03-01T09:30:"
            "00Z  -                     dev-officer-rabat  Art. 5 consular act\n"
            "5a1e0000-2222-4222-8333-444455556666  TUNIS    read write  revoked  2026-03-01T09:30:"
            "00Z  2026-03-02T09:30:00Z  dev-officer-rabat  Art. 5 consular act\n"
            "2 share(s)\n");
  EXPECT_EQ(FormatShares({}),
            "ID  GRANTEE  ACCESS  STATE  GRANTED  EXPIRES  BY  BASIS\n0 share(s)\n");
}

consular::v1::EmergencyAccess SampleGrant() {
  consular::v1::EmergencyAccess grant;
  grant.set_id("e0000000-1111-4222-8333-444455556666");
  grant.set_case_id("0b7c2a8e-1111-4222-8333-444455556666");
  grant.set_case_reference("ABN-2026-00001");
  grant.set_handling_post("RABAT");
  grant.set_actor("dev-manager-tunis");
  grant.set_actor_role(consular::v1::ROLE_POST_MANAGER);
  grant.set_actor_unit("TUNIS");
  grant.set_reason("Person at the TUNIS desk now,\nneeds the safe channel");
  *grant.mutable_opened_at() = At(kMarch1);
  *grant.mutable_expires_at() = At(kMarch1 + 3600);
  grant.set_active(true);
  return grant;
}

TEST(FormatEmergencyAccessTest, KeyValueBlock) {
  EXPECT_EQ(FormatEmergencyAccess(SampleGrant()),
            "Emergency access: e0000000-1111-4222-8333-444455556666\n"
            "Case:             ABN-2026-00001\n"
            "Case ID:          0b7c2a8e-1111-4222-8333-444455556666\n"
            "Handling post:    RABAT\n"
            "Opened by:        dev-manager-tunis\n"
            "Role:             post manager\n"
            "Unit:             TUNIS\n"
            "Reason:           Person at the TUNIS desk now,\n"
            "                  needs the safe channel\n"
            "Opened:           2026-03-01T09:30:00Z\n"
            "Expires:          2026-03-01T10:30:00Z\n"
            "State:            active\n"
            "Review:           unreviewed\n");
}

TEST(FormatEmergencyAccessTest, Reviewed) {
  consular::v1::EmergencyAccess grant = SampleGrant();
  grant.set_active(false);
  grant.set_review(consular::v1::EMERGENCY_REVIEW_NOT_JUSTIFIED);
  grant.set_reviewed_by("dev-auditor");
  *grant.mutable_reviewed_at() = At(kMarch1 + 7200);
  EXPECT_THAT(FormatEmergencyAccess(grant), HasSubstr("State:            expired\n"
                                                      "Review:           not justified\n"
                                                      "Reviewed by:      dev-auditor\n"
                                                      "Reviewed:         2026-03-01T11:30:00Z\n"));
  EXPECT_EQ(EmergencyReviewText(consular::v1::EMERGENCY_REVIEW_UNSPECIFIED), "unreviewed");
  EXPECT_EQ(EmergencyReviewText(consular::v1::EMERGENCY_REVIEW_JUSTIFIED), "justified");
}

TEST(FormatEmergencyAccessListTest, RowsWithTheirReasonsUnder) {
  google::protobuf::RepeatedPtrField<consular::v1::EmergencyAccess> grants;
  *grants.Add() = SampleGrant();
  consular::v1::EmergencyAccess* reviewed = grants.Add();
  *reviewed = SampleGrant();
  reviewed->set_id("e0000000-2222-4222-8333-444455556666");
  reviewed->set_actor("dev-lkha");
  reviewed->set_actor_role(consular::v1::ROLE_LKHA_CASEWORKER);
  reviewed->set_actor_unit("LKHA");
  reviewed->set_reason("Called by the police");
  reviewed->set_active(false);
  reviewed->set_review(consular::v1::EMERGENCY_REVIEW_JUSTIFIED);
  EXPECT_EQ(
      FormatEmergencyAccessList(grants),
      "ID                                    CASE            POST   OPENED                EXPIRES "
      "              ACTOR              ROLE             UNIT   STATE    REVIEW\n"
      "e0000000-1111-4222-8333-444455556666  ABN-2026-00001  RABAT  2026-03-01T09:30:00Z  "
      "2026-03-01T10:30:00Z  dev-manager-tunis  post manager     TUNIS  active   unreviewed\n"
      "    Person at the TUNIS desk now,\n"
      "    needs the safe channel\n"
      "e0000000-2222-4222-8333-444455556666  ABN-2026-00001  RABAT  2026-03-01T09:30:00Z  "
      "2026-03-01T10:30:00Z  dev-lkha           LKHA caseworker  LKHA   expired  justified\n"
      "    Called by the police\n"
      "2 emergency access(es)\n");
  EXPECT_EQ(FormatEmergencyAccessList({}),
            "ID  CASE  POST  OPENED  EXPIRES  ACTOR  ROLE  UNIT  STATE  REVIEW\n"
            "0 emergency access(es)\n");
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

TEST(EventDetailsTest, ContactEvents) {
  consular::v1::CaseEvent logged;
  logged.set_type(consular::v1::CASE_EVENT_TYPE_CONTACT_LOGGED);
  logged.set_contact_id("c-1");
  logged.set_partner_kind(consular::v1::PARTNER_KIND_LAWYER);
  logged.set_contact_purpose(consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE);
  EXPECT_EQ(EventDetails(logged), "contact c-1 logged: lawyer, legal advice");
  logged.clear_partner_kind();
  EXPECT_EQ(EventDetails(logged), "contact c-1 logged: legal advice");
  logged.clear_contact_purpose();
  EXPECT_EQ(EventDetails(logged), "contact c-1 logged");

  consular::v1::CaseEvent updated;
  updated.set_type(consular::v1::CASE_EVENT_TYPE_CONTACT_UPDATED);
  updated.set_contact_id("c-1");
  updated.set_partner_kind(consular::v1::PARTNER_KIND_OTHER);
  updated.set_contact_purpose(consular::v1::CONTACT_PURPOSE_SHELTER);
  EXPECT_EQ(EventDetails(updated), "contact c-1 changed: other, shelter");

  consular::v1::CaseEvent done;
  done.set_type(consular::v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED);
  done.set_contact_id("c-1");
  done.set_partner_kind(consular::v1::PARTNER_KIND_LAWYER);
  done.set_contact_purpose(consular::v1::CONTACT_PURPOSE_COURT_REPRESENTATION);
  EXPECT_EQ(EventDetails(done), "follow-up of contact c-1 done: lawyer, court representation");
}

consular::v1::Partner SamplePartner() {
  consular::v1::Partner p;
  p.set_id("9a000000-1111-4222-8333-444455556666");
  p.set_kind(consular::v1::PARTNER_KIND_LAWYER);
  p.set_name("Cabinet Benali");
  p.set_country("MA");
  p.set_city("Rabat");
  p.add_specialisms(consular::v1::SPECIALISM_FAMILY_LAW);
  p.add_specialisms(consular::v1::SPECIALISM_RECOGNITION_OF_FOREIGN_JUDGMENTS);
  p.add_languages("ar");
  p.add_languages("fr");
  p.set_vetting_status(consular::v1::VETTING_STATUS_UNVETTED);
  p.set_active(true);
  p.set_created_by("dev-manager-rabat");
  *p.mutable_created_at() = At(kMarch1);
  *p.mutable_updated_at() = At(kMarch1);
  p.set_version(1);
  return p;
}

TEST(FormatPartnerTest, KeyValueBlock) {
  consular::v1::Partner p = SamplePartner();
  p.mutable_contact_details()->set_phone("+212 5 37 00 00 00");
  EXPECT_EQ(FormatPartner(p),
            "Partner:     9a000000-1111-4222-8333-444455556666\n"
            "Kind:        lawyer\n"
            "Name:        Cabinet Benali\n"
            "Country:     MA\n"
            "City:        Rabat\n"
            "Specialisms: family law, recognition of foreign judgments\n"
            "Languages:   ar, fr\n"
            "Phone:       +212 5 37 00 00 00\n"
            "Vetting:     unvetted\n"
            "Active:      yes\n"
            "Created by:  dev-manager-rabat\n"
            "Created:     2026-03-01T09:30:00Z\n"
            "Updated:     2026-03-01T09:30:00Z\n"
            "Version:     1\n");

  p.set_vetting_status(consular::v1::VETTING_STATUS_SUSPENDED);
  p.set_vetting_note("Complaint under review");
  p.set_vetted_by("dev-manager-rabat");
  *p.mutable_vetted_at() = At(kMarch1 + 3600);
  p.set_active(false);
  *p.mutable_deactivated_at() = At(kMarch1 + 7200);
  p.set_deactivated_by("dev-admin");
  const std::string text = FormatPartner(p);
  EXPECT_THAT(text, HasSubstr("Vetting:        suspended\n"
                              "Vetting note:   Complaint under review\n"
                              "Vetted by:      dev-manager-rabat\n"
                              "Vetted:         2026-03-01T10:30:00Z\n"
                              "Active:         no\n"
                              "Deactivated:    2026-03-01T11:30:00Z\n"
                              "Deactivated by: dev-admin\n"));
}

TEST(FormatPartnerListTest, TableWithCount) {
  google::protobuf::RepeatedPtrField<consular::v1::Partner> partners;
  *partners.Add() = SamplePartner();
  EXPECT_EQ(FormatPartnerList(partners),
            "ID                                    KIND    NAME            COUNTRY  CITY   "
            "SPECIALISMS                                   LANGUAGES  VETTING   ACTIVE  VERSION\n"
            "9a000000-1111-4222-8333-444455556666  lawyer  Cabinet Benali  MA       Rabat  "
            "family law, recognition of foreign judgments  ar,fr      unvetted  yes     1\n"
            "1 partner(s)\n");
}

TEST(FormatUnitTest, KeyValueBlockAndTable) {
  consular::v1::Unit u;
  u.set_code("KABUL");
  u.set_kind(consular::v1::UNIT_KIND_POST);
  u.set_name("Embassy of the Netherlands in Kabul");
  u.set_city("Kabul");
  u.set_country("AF");
  u.set_active(false);
  u.set_inactive_reason("Closed since August 2021");
  u.set_version(3);
  u.set_created_by("dev-admin");
  *u.mutable_created_at() = At(kMarch1);
  EXPECT_EQ(FormatUnit(u),
            "Unit:          KABUL\n"
            "Kind:          post\n"
            "Name:          Embassy of the Netherlands in Kabul\n"
            "City:          Kabul\n"
            "Country:       AF\n"
            "Accredited to: none\n"
            "Active:        no: Closed since August 2021\n"
            "Version:       3\n"
            "Created by:    dev-admin\n"
            "Created:       2026-03-01T09:30:00Z\n");
  consular::v1::Unit lkha;
  lkha.set_code("LKHA");
  lkha.set_kind(consular::v1::UNIT_KIND_LKHA);
  lkha.set_name("LKHA");
  lkha.set_country("NL");
  lkha.set_active(true);
  lkha.set_version(1);
  EXPECT_THAT(FormatUnit(lkha), Not(HasSubstr("Accredited to")));
  google::protobuf::RepeatedPtrField<consular::v1::Unit> units;
  *units.Add() = lkha;
  u.add_accredited_countries("AF");
  u.add_accredited_countries("PK");
  *units.Add() = u;
  EXPECT_EQ(FormatUnitList(units),
            "CODE   NAME                                 CITY   COUNTRY  ACCREDITED TO  ACTIVE  "
            "VERSION\n"
            "LKHA   LKHA                                 -      NL       -              yes     1\n"
            "KABUL  Embassy of the Netherlands in Kabul  Kabul  AF       AF,PK          no      3\n"
            "2 unit(s)\n");
}

consular::v1::Contact SampleContact() {
  consular::v1::Contact c;
  c.set_id("c0000000-1111-4222-8333-444455556666");
  c.set_case_id("0b7c2a8e-1111-4222-8333-444455556666");
  c.set_case_reference("FDR-2026-00001");
  c.set_country("MA");
  c.set_partner_id("9a000000-1111-4222-8333-444455556666");
  c.set_partner_name("Cabinet Benali");
  c.set_partner_kind(consular::v1::PARTNER_KIND_LAWYER);
  *c.mutable_occurred_at() = At(kMarch1);
  c.set_channel(consular::v1::CONTACT_CHANNEL_PHONE);
  c.set_direction(consular::v1::CONTACT_DIRECTION_OUTGOING);
  c.set_purpose(consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE);
  c.set_outcome(consular::v1::CONTACT_OUTCOME_HELP_AGREED);
  c.mutable_follow_up_due()->set_year(2026);
  c.mutable_follow_up_due()->set_month(3);
  c.mutable_follow_up_due()->set_day(8);
  c.set_logged_by("dev-officer-rabat");
  c.set_logged_by_unit("RABAT");
  c.set_version(1);
  return c;
}

TEST(FormatContactTest, KeyValueBlock) {
  consular::v1::Contact c = SampleContact();
  c.set_note("Will file on Monday");
  EXPECT_EQ(FormatContact(c),
            "Contact:    c0000000-1111-4222-8333-444455556666\n"
            "Case:       FDR-2026-00001\n"
            "Case ID:    0b7c2a8e-1111-4222-8333-444455556666\n"
            "Country:    MA\n"
            "With:       Cabinet Benali\n"
            "Partner ID: 9a000000-1111-4222-8333-444455556666\n"
            "Kind:       lawyer\n"
            "When:       2026-03-01T09:30:00Z\n"
            "Channel:    phone\n"
            "Direction:  outgoing\n"
            "Purpose:    legal advice\n"
            "Outcome:    help agreed\n"
            "Follow-up:  2026-03-08\n"
            "Note:       Will file on Monday\n"
            "Logged by:  dev-officer-rabat (RABAT)\n"
            "Version:    1\n");

  *c.mutable_follow_up_done_at() = At(kMarch1 + 3600);
  c.set_follow_up_done_by("dev-officer-rabat");
  EXPECT_THAT(FormatContact(c),
              HasSubstr("Follow-up done: 2026-03-01T10:30:00Z by dev-officer-rabat\n"));
}

TEST(ContactCounterpartTest, PartnerOrAdHoc) {
  consular::v1::Contact c = SampleContact();
  EXPECT_EQ(ContactCounterpart(c), "Cabinet Benali");
  c.clear_partner_name();
  EXPECT_EQ(ContactCounterpart(c), "9a000000-1111-4222-8333-444455556666");
  c.mutable_ad_hoc()->set_name("Fatima Z.");
  EXPECT_EQ(ContactCounterpart(c), "Fatima Z. (ad hoc)");
  c.mutable_ad_hoc()->set_organisation("Red Crescent");
  EXPECT_EQ(ContactCounterpart(c), "Fatima Z., Red Crescent (ad hoc)");
}

TEST(FormatContactListTest, RowsWithNotesUnderThoseThatHaveOne) {
  google::protobuf::RepeatedPtrField<consular::v1::Contact> contacts;
  consular::v1::Contact* a = contacts.Add();
  *a = SampleContact();
  a->set_note("Will file on Monday");
  consular::v1::Contact* b = contacts.Add();
  *b = SampleContact();
  b->set_id("c0000000-2222-4222-8333-444455556666");
  b->mutable_ad_hoc()->set_name("Fatima Z.");
  b->set_partner_kind(consular::v1::PARTNER_KIND_OTHER);
  b->set_channel(consular::v1::CONTACT_CHANNEL_IN_PERSON);
  b->set_direction(consular::v1::CONTACT_DIRECTION_INCOMING);
  b->set_outcome(consular::v1::CONTACT_OUTCOME_NO_ANSWER);
  *b->mutable_follow_up_done_at() = At(kMarch1);
  b->set_version(2);
  EXPECT_EQ(FormatContactList(contacts),
            "WHEN                  CASE            WITH                KIND    CHANNEL    "
            "DIRECTION  PURPOSE       OUTCOME      FOLLOW-UP          ID                       "
            "             VERSION\n"
            "2026-03-01T09:30:00Z  FDR-2026-00001  Cabinet Benali      lawyer  phone      "
            "outgoing   legal advice  help agreed  2026-03-08         "
            "c0000000-1111-4222-8333-444455556666  1\n"
            "    Will file on Monday\n"
            "2026-03-01T09:30:00Z  FDR-2026-00001  Fatima Z. (ad hoc)  other   in person  "
            "incoming   legal advice  no answer    2026-03-08 (done)  "
            "c0000000-2222-4222-8333-444455556666  2\n"
            "2 contact(s)\n");
}

TEST(FormatFollowUpsTest, OverdueMarkAndCount) {
  google::protobuf::RepeatedPtrField<consular::v1::FollowUpDue> due;
  consular::v1::FollowUpDue* late = due.Add();
  *late->mutable_contact() = SampleContact();
  late->set_overdue(true);
  late->set_days_overdue(3);
  consular::v1::FollowUpDue* soon = due.Add();
  *soon->mutable_contact() = SampleContact();
  soon->mutable_contact()->set_id("c0000000-2222-4222-8333-444455556666");
  soon->mutable_contact()->mutable_follow_up_due()->set_day(20);
  EXPECT_EQ(OverdueText(*late), "OVERDUE 3 days");
  late->set_days_overdue(1);
  EXPECT_EQ(OverdueText(*late), "OVERDUE 1 day");
  EXPECT_EQ(OverdueText(*soon), "");
  EXPECT_EQ(FormatFollowUps(due),
            "DUE         OVERDUE        CASE            WITH            PURPOSE       CONTACT    "
            "                           VERSION\n"
            "2026-03-08  OVERDUE 1 day  FDR-2026-00001  Cabinet Benali  legal advice  "
            "c0000000-1111-4222-8333-444455556666  1\n"
            "2026-03-20  -              FDR-2026-00001  Cabinet Benali  legal advice  "
            "c0000000-2222-4222-8333-444455556666  1\n"
            "2 follow-up(s), 1 overdue\n");
}

}  // namespace
}  // namespace consular::ctl

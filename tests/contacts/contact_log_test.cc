// The contact log (ContactsManager) against a real PostgreSQL database, as the service's own
// database role so that row-level security applies. One fresh database per test.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/clock.h"
#include "services/cases/case_manager.h"
#include "services/contacts/contacts_manager.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::contacts {
namespace {

using consular::v1::Case;
using consular::v1::Contact;
using google::protobuf::util::TimeUtil;

const Identity kRabatOfficer{"officer-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kRabatManager{"manager-rabat", consular::v1::ROLE_POST_MANAGER, "RABAT"};
const Identity kTunisOfficer{"officer-tunis", consular::v1::ROLE_CONSULAR_OFFICER, "TUNIS"};
const Identity kLkha{"lkha-1", consular::v1::ROLE_LKHA_CASEWORKER, ""};
const Identity kPolicy{"policy-1", consular::v1::ROLE_POLICY_STAFF, ""};

constexpr char kNoteText[] = "Lawyer Benali will file the recognition request on Monday";

class ContactLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    ASSERT_NE(db_, nullptr);
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 8});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    cases_ = std::make_unique<cases::CaseManager>(runner_.get(), SystemClock(), keys_.crypto());
    contacts_ = std::make_unique<ContactsManager>(runner_.get(), clock_, keys_.crypto());
  }

  absl::Time Deadline() { return absl::Now() + absl::Seconds(20); }

  Case NewCase(const Identity& who, const std::string& request_id) {
    consular::v1::CreateCaseRequest request;
    request.set_request_id(request_id);
    Case* c = request.mutable_case_();
    c->set_type(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
    c->set_country("MA");
    c->mutable_subject()->set_full_name("Nadia Example");
    c->mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
    c->mutable_subject()->set_nationality_status(consular::v1::NATIONALITY_STATUS_DUAL);
    c->set_referral_source(consular::v1::REFERRAL_SOURCE_SELF);
    Case created;
    const absl::Status status = cases_->Create(who, request, Deadline(), &created);
    EXPECT_TRUE(status.ok()) << status;
    return created;
  }

  // A directory partner written directly by the owner (the directory has its own tests).
  std::string NewPartner(const std::string& name, const std::string& vetting = "VETTED",
                         bool active = true) {
    const std::string id = db_->QueryScalar("SELECT gen_random_uuid()::text");
    db_->QueryScalar(absl::StrCat(
        "INSERT INTO contacts.partners (id, kind, name, country, city, contact_details, "
        "vetting_status, active, deactivated_at, deactivated_by, deactivation_reason, created_by, "
        "created_at, updated_at, version) VALUES ('",
        id, "', 'PARTNER_KIND_LAWYER', '", name,
        "', 'MA', 'Rabat', decode('01' || repeat('00', 47), 'hex'), 'VETTING_STATUS_", vetting,
        "', ",
        active ? "true, NULL, NULL, NULL"
               : "false, now(), 'admin', decode('01' || repeat('00', 47), 'hex')",
        ", 'admin', now(), now(), 1) RETURNING id"));
    return id;
  }

  consular::v1::LogContactRequest LogRequest(const std::string& request_id, const Case& c,
                                             const std::string& partner_id) {
    consular::v1::LogContactRequest request;
    request.set_request_id(request_id);
    Contact* contact = request.mutable_contact();
    contact->set_case_id(c.reference());
    contact->set_partner_id(partner_id);
    *contact->mutable_occurred_at() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_.Now() - absl::Hours(2)));
    contact->set_channel(consular::v1::CONTACT_CHANNEL_PHONE);
    contact->set_direction(consular::v1::CONTACT_DIRECTION_OUTGOING);
    contact->set_purpose(consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE);
    contact->set_outcome(consular::v1::CONTACT_OUTCOME_HELP_AGREED);
    contact->set_note(kNoteText);
    return request;
  }

  absl::Status Log(const Identity& who, const consular::v1::LogContactRequest& request,
                   Contact* out) {
    return contacts_->LogContact(who, request, Deadline(), out);
  }

  std::string Count(const std::string& table) {
    return db_->QueryScalar("SELECT count(*) FROM " + table);
  }
  std::string Footprint() {
    return Count("contacts.contacts") + "/" + Count("cases.case_events") + "/" +
           Count("contacts.idempotency");
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto keys_;
  std::unique_ptr<cases::CaseManager> cases_;
  std::unique_ptr<ContactsManager> contacts_;
  ManualClock clock_{absl::Now()};
};

TEST_F(ContactLogTest, LogListAndTheCaseTimeline) {
  const Case c = NewCase(kRabatOfficer, "c1");
  const std::string lawyer = NewPartner("Cabinet Benali");
  Contact logged;
  ASSERT_TRUE(Log(kRabatOfficer, LogRequest("l1", c, lawyer), &logged).ok());
  EXPECT_EQ(logged.case_id(), c.id());
  EXPECT_EQ(logged.case_reference(), c.reference());
  EXPECT_EQ(logged.partner_kind(), consular::v1::PARTNER_KIND_LAWYER);
  EXPECT_EQ(logged.partner_name(), "Cabinet Benali");
  EXPECT_EQ(logged.country(), "MA");
  EXPECT_EQ(logged.logged_by_unit(), "RABAT");
  EXPECT_EQ(logged.version(), 1);

  consular::v1::ListContactsRequest list;
  list.set_case_id(c.reference());
  consular::v1::ListContactsResponse listed;
  ASSERT_TRUE(contacts_->ListContacts(kRabatManager, list, Deadline(), &listed).ok());
  ASSERT_EQ(listed.contacts_size(), 1);
  EXPECT_EQ(listed.contacts(0).note(), kNoteText);
  EXPECT_EQ(listed.contacts(0).SerializeAsString(), logged.SerializeAsString());

  // The contact is an event of the case, with what statistics count: partner kind and purpose.
  consular::v1::ListCaseEventsRequest events_request;
  events_request.set_case_id(c.id());
  consular::v1::ListCaseEventsResponse events;
  ASSERT_TRUE(cases_->ListEvents(kRabatOfficer, events_request, Deadline(), &events).ok());
  ASSERT_EQ(events.events_size(), 2);
  EXPECT_EQ(events.events(1).type(), consular::v1::CASE_EVENT_TYPE_CONTACT_LOGGED);
  EXPECT_EQ(events.events(1).contact_id(), logged.id());
  EXPECT_EQ(events.events(1).partner_kind(), consular::v1::PARTNER_KIND_LAWYER);
  EXPECT_EQ(events.events(1).contact_purpose(), consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE);
  EXPECT_EQ(events.events(1).case_version(), 1);

  // An ad-hoc contact, listed newest first; by partner only the partner's contacts.
  consular::v1::LogContactRequest ad_hoc = LogRequest("l2", c, "");
  ad_hoc.mutable_contact()->mutable_ad_hoc()->set_name("Imam of the local mosque");
  *ad_hoc.mutable_contact()->mutable_occurred_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_.Now() - absl::Minutes(10)));
  Contact second;
  ASSERT_TRUE(Log(kRabatOfficer, ad_hoc, &second).ok());
  EXPECT_EQ(second.partner_kind(), consular::v1::PARTNER_KIND_OTHER);
  ASSERT_TRUE(contacts_->ListContacts(kRabatOfficer, list, Deadline(), &listed).ok());
  ASSERT_EQ(listed.contacts_size(), 2);
  EXPECT_EQ(listed.contacts(0).id(), second.id());
  EXPECT_EQ(listed.contacts(0).ad_hoc().name(), "Imam of the local mosque");
  consular::v1::ListContactsRequest by_partner;
  by_partner.set_partner_id(lawyer);
  ASSERT_TRUE(contacts_->ListContacts(kRabatOfficer, by_partner, Deadline(), &listed).ok());
  ASSERT_EQ(listed.contacts_size(), 1);
  EXPECT_EQ(listed.contacts(0).id(), logged.id());
  // Another post sees none of it, by case or by partner.
  EXPECT_EQ(contacts_->ListContacts(kTunisOfficer, list, Deadline(), &listed).code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(contacts_->ListContacts(kTunisOfficer, by_partner, Deadline(), &listed).ok());
  EXPECT_EQ(listed.contacts_size(), 0);
}

TEST_F(ContactLogTest, AnotherPostsCaseIsRefusedAndNothingIsWritten) {
  const Case c = NewCase(kRabatOfficer, "c1");
  const std::string lawyer = NewPartner("Cabinet Benali");
  const std::string before = Footprint();
  Contact out;
  EXPECT_EQ(Log(kTunisOfficer, LogRequest("l1", c, lawyer), &out).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Log(kPolicy, LogRequest("l2", c, lawyer), &out).code(),
            absl::StatusCode::kPermissionDenied);
  // Read-only share: seen, not changed.
  consular::v1::ShareCaseRequest share;
  share.set_request_id("s1");
  share.set_case_id(c.id());
  share.set_grantee("LKHA");
  share.set_access(consular::v1::SHARE_ACCESS_READ);
  share.set_legal_basis("LKHA agreement");
  consular::v1::CaseShare granted;
  ASSERT_TRUE(cases_->Share(kRabatOfficer, share, Deadline(), &granted).ok());
  const std::string shared = Footprint();
  EXPECT_EQ(Log(kLkha, LogRequest("l3", c, lawyer), &out).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Footprint(), shared);
  EXPECT_NE(shared, before);  // the share's timeline event
}

TEST_F(ContactLogTest, SuspendedOrDeactivatedPartnersAreRefusedButTheirPastStaysListed) {
  const Case c = NewCase(kRabatOfficer, "c1");
  const std::string lawyer = NewPartner("Cabinet Benali");
  Contact past;
  ASSERT_TRUE(Log(kRabatOfficer, LogRequest("l1", c, lawyer), &past).ok());
  db_->QueryScalar(
      absl::StrCat("UPDATE contacts.partners SET vetting_status = "
                   "'VETTING_STATUS_SUSPENDED' WHERE id = '",
                   lawyer, "' RETURNING 1"));
  const std::string before = Footprint();
  Contact out;
  absl::Status status = Log(kRabatOfficer, LogRequest("l2", c, lawyer), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(std::string(status.message()).find("suspended"), std::string::npos) << status;
  const std::string gone = NewPartner("Old office", "VETTED", false);
  status = Log(kRabatOfficer, LogRequest("l3", c, gone), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(std::string(status.message()).find("deactivated"), std::string::npos) << status;
  EXPECT_EQ(Footprint(), before);
  consular::v1::ListContactsRequest by_partner;
  by_partner.set_partner_id(lawyer);
  consular::v1::ListContactsResponse listed;
  ASSERT_TRUE(contacts_->ListContacts(kRabatOfficer, by_partner, Deadline(), &listed).ok());
  ASSERT_EQ(listed.contacts_size(), 1);
  EXPECT_EQ(listed.contacts(0).id(), past.id());
}

TEST_F(ContactLogTest, AClosedCaseTakesNoContact) {
  Case c = NewCase(kRabatOfficer, "c1");
  const std::string lawyer = NewPartner("Cabinet Benali");
  int n = 0;
  for (const auto& [who, to] : std::vector<std::pair<Identity, consular::v1::CaseStatus>>{
           {kRabatOfficer, consular::v1::CASE_STATUS_ACTIVE},
           {kRabatOfficer, consular::v1::CASE_STATUS_RESOLVED},
           {kRabatManager, consular::v1::CASE_STATUS_CLOSED}}) {
    consular::v1::TransitionCaseRequest t;
    t.set_request_id(absl::StrCat("t", n++));
    t.set_case_id(c.id());
    t.set_target_status(to);
    t.set_reason("progress");
    if (to == consular::v1::CASE_STATUS_RESOLVED) t.set_outcome(consular::v1::OUTCOME_RECOGNISED);
    t.set_expected_version(c.version());
    ASSERT_TRUE(cases_->Transition(who, t, Deadline(), &c).ok());
  }
  const std::string before = Footprint();
  Contact out;
  const absl::Status status = Log(kRabatOfficer, LogRequest("l1", c, lawyer), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(Footprint(), before);
}

TEST_F(ContactLogTest, OneRequestIdWritesOnceAndBadInputNamesTheField) {
  const Case c = NewCase(kRabatOfficer, "c1");
  const std::string lawyer = NewPartner("Cabinet Benali");
  Contact first, again;
  ASSERT_TRUE(Log(kRabatOfficer, LogRequest("same", c, lawyer), &first).ok());
  const std::string after_first = Footprint();
  ASSERT_TRUE(Log(kRabatOfficer, LogRequest("same", c, lawyer), &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Footprint(), after_first);
  consular::v1::LogContactRequest other = LogRequest("same", c, lawyer);
  other.mutable_contact()->set_note("another note");
  EXPECT_EQ(Log(kRabatOfficer, other, &again).code(), absl::StatusCode::kInvalidArgument);

  struct Bad {
    std::string field;
    std::function<void(Contact*)> spoil;
  };
  const std::vector<Bad> bad = {
      {"contact.case_id", [](Contact* x) { x->set_case_id(""); }},
      {"contact.partner_id", [](Contact* x) { x->set_partner_id("nope"); }},
      {"contact.partner_id", [](Contact* x) { x->clear_counterpart(); }},
      {"contact.ad_hoc.name", [](Contact* x) { x->mutable_ad_hoc()->clear_name(); }},
      {"contact.occurred_at", [](Contact* x) { x->clear_occurred_at(); }},
      {"contact.occurred_at",
       [](Contact* x) {
         *x->mutable_occurred_at() =
             TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now() + absl::Hours(3)));
       }},
      {"contact.channel", [](Contact* x) { x->clear_channel(); }},
      {"contact.direction",
       [](Contact* x) { x->set_direction(static_cast<consular::v1::ContactDirection>(9)); }},
      {"contact.purpose", [](Contact* x) { x->clear_purpose(); }},
      {"contact.outcome", [](Contact* x) { x->clear_outcome(); }},
      {"contact.follow_up_due",
       [](Contact* x) {
         x->mutable_follow_up_due()->set_year(2026);
         x->mutable_follow_up_due()->set_month(2);
         x->mutable_follow_up_due()->set_day(30);
       }},
      {"contact.note", [](Contact* x) { x->set_note(std::string(10001, 'x')); }},
  };
  const std::string before = Footprint();
  int i = 0;
  for (const Bad& b : bad) {
    consular::v1::LogContactRequest request = LogRequest(absl::StrCat("bad", i++), c, lawyer);
    b.spoil(request.mutable_contact());
    const absl::Status status = Log(kRabatOfficer, request, &again);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << b.field << ": " << status;
    EXPECT_EQ(std::string(status.message()).rfind(b.field + ": ", 0), 0u) << status.message();
  }
  EXPECT_EQ(Footprint(), before);
}

TEST_F(ContactLogTest, FollowUpsDueOverdueFirstAndDoneOnce) {
  const Case c = NewCase(kRabatOfficer, "c1");
  const std::string lawyer = NewPartner("Cabinet Benali");
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), absl::UTCTimeZone());
  auto due = [](absl::CivilDay d) {
    consular::v1::Date date;
    date.set_year(static_cast<int>(d.year()));
    date.set_month(d.month());
    date.set_day(d.day());
    return date;
  };
  Contact later, overdue, none;
  consular::v1::LogContactRequest r1 = LogRequest("l1", c, lawyer);
  *r1.mutable_contact()->mutable_follow_up_due() = due(today + 3);
  ASSERT_TRUE(Log(kRabatOfficer, r1, &later).ok());
  consular::v1::LogContactRequest r2 = LogRequest("l2", c, lawyer);
  *r2.mutable_contact()->mutable_follow_up_due() = due(today - 4);
  ASSERT_TRUE(Log(kRabatOfficer, r2, &overdue).ok());
  ASSERT_TRUE(Log(kRabatOfficer, LogRequest("l3", c, lawyer), &none).ok());

  consular::v1::ListFollowUpsDueRequest request;
  *request.mutable_due_to() = due(today + 7);
  consular::v1::ListFollowUpsDueResponse listed;
  ASSERT_TRUE(contacts_->ListFollowUpsDue(kRabatManager, request, Deadline(), &listed).ok());
  ASSERT_EQ(listed.follow_ups_size(), 2);
  EXPECT_EQ(listed.follow_ups(0).contact().id(), overdue.id());
  EXPECT_TRUE(listed.follow_ups(0).overdue());
  EXPECT_EQ(listed.follow_ups(0).days_overdue(), 4);
  EXPECT_EQ(listed.follow_ups(1).contact().id(), later.id());
  EXPECT_FALSE(listed.follow_ups(1).overdue());
  // Without a window: up to today, so only the overdue one. Another post: nothing.
  ASSERT_TRUE(contacts_->ListFollowUpsDue(kRabatOfficer, {}, Deadline(), &listed).ok());
  ASSERT_EQ(listed.follow_ups_size(), 1);
  ASSERT_TRUE(contacts_->ListFollowUpsDue(kTunisOfficer, request, Deadline(), &listed).ok());
  EXPECT_EQ(listed.follow_ups_size(), 0);

  consular::v1::CompleteFollowUpRequest done;
  done.set_request_id("d1");
  done.set_contact_id(overdue.id());
  done.set_expected_version(overdue.version());
  Contact completed;
  ASSERT_TRUE(contacts_->CompleteFollowUp(kRabatOfficer, done, Deadline(), &completed).ok());
  EXPECT_TRUE(completed.has_follow_up_done_at());
  EXPECT_EQ(completed.follow_up_done_by(), kRabatOfficer.subject);
  EXPECT_EQ(completed.version(), 2);
  ASSERT_TRUE(contacts_->ListFollowUpsDue(kRabatOfficer, {}, Deadline(), &listed).ok());
  EXPECT_EQ(listed.follow_ups_size(), 0);
  done.set_request_id("d2");
  done.set_expected_version(2);
  EXPECT_EQ(contacts_->CompleteFollowUp(kRabatOfficer, done, Deadline(), &completed).code(),
            absl::StatusCode::kFailedPrecondition);
  done.set_request_id("d3");
  done.set_contact_id(none.id());
  done.set_expected_version(1);
  EXPECT_EQ(contacts_->CompleteFollowUp(kRabatOfficer, done, Deadline(), &completed).code(),
            absl::StatusCode::kFailedPrecondition);
  // A stale version is ABORTED.
  consular::v1::UpdateContactRequest update;
  update.set_request_id("u1");
  update.mutable_contact()->set_id(later.id());
  update.mutable_contact()->set_outcome(consular::v1::CONTACT_OUTCOME_PENDING);
  update.mutable_update_mask()->add_paths("outcome");
  update.set_expected_version(7);
  Contact updated;
  EXPECT_EQ(contacts_->UpdateContact(kRabatOfficer, update, Deadline(), &updated).code(),
            absl::StatusCode::kAborted);
  update.set_request_id("u2");
  update.set_expected_version(1);
  ASSERT_TRUE(contacts_->UpdateContact(kRabatOfficer, update, Deadline(), &updated).ok());
  EXPECT_EQ(updated.outcome(), consular::v1::CONTACT_OUTCOME_PENDING);
  EXPECT_EQ(updated.version(), 2);
  update.set_request_id("u3");
  update.mutable_update_mask()->set_paths(0, "case_id");
  EXPECT_EQ(contacts_->UpdateContact(kRabatOfficer, update, Deadline(), &updated).code(),
            absl::StatusCode::kInvalidArgument);

  // The open follow-up is on the unit's deadline list, warned in its last week.
  consular::v1::ListDeadlinesResponse deadlines;
  ASSERT_TRUE(cases_->ListDeadlines(kRabatOfficer, {}, Deadline(), &deadlines).ok());
  ASSERT_EQ(deadlines.deadlines_size(), 1);
  EXPECT_EQ(deadlines.deadlines(0).kind(), consular::v1::DEADLINE_KIND_FOLLOW_UP);
  EXPECT_EQ(deadlines.deadlines(0).contact_id(), later.id());
  EXPECT_EQ(deadlines.deadlines(0).days_left(), 3);
  EXPECT_EQ(deadlines.deadlines(0).warning_weeks(), 1);
  EXPECT_EQ(deadlines.deadlines(0).detail(), "follow-up of a contact (legal advice)");
  // A case with an open follow-up is not closed: it is completed or cancelled first. Closed,
  // the case's follow-ups leave both lists.
  Case moved = c;
  int step = 0;
  const auto move_to = [&](consular::v1::CaseStatus to, const Identity& who) {
    consular::v1::TransitionCaseRequest move;
    move.set_request_id("close-" + std::to_string(step++));
    move.set_case_id(c.id());
    move.set_target_status(to);
    move.set_reason("The person withdrew her request");
    if (to == consular::v1::CASE_STATUS_RESOLVED) move.set_outcome(consular::v1::OUTCOME_WITHDRAWN);
    move.set_expected_version(moved.version());
    Case after;
    const absl::Status status = cases_->Transition(who, move, Deadline(), &after);
    if (status.ok()) moved = after;
    return status;
  };
  ASSERT_TRUE(move_to(consular::v1::CASE_STATUS_ACTIVE, kRabatOfficer).ok());
  ASSERT_TRUE(move_to(consular::v1::CASE_STATUS_RESOLVED, kRabatOfficer).ok());
  const absl::Status open = move_to(consular::v1::CASE_STATUS_CLOSED, kRabatManager);
  EXPECT_EQ(open.code(), absl::StatusCode::kFailedPrecondition) << open;
  EXPECT_NE(std::string(open.message()).find(later.id()), std::string::npos) << open;
  consular::v1::UpdateContactRequest cancel;
  cancel.set_request_id("cancel-follow-up");
  cancel.mutable_contact()->set_id(later.id());
  cancel.mutable_update_mask()->add_paths("follow_up_due");
  cancel.set_expected_version(updated.version());  // as the update above left it
  Contact cancelled;
  const absl::Status cancelled_status =
      contacts_->UpdateContact(kRabatOfficer, cancel, Deadline(), &cancelled);
  ASSERT_TRUE(cancelled_status.ok()) << cancelled_status;
  EXPECT_FALSE(cancelled.has_follow_up_due());
  const absl::Status closed = move_to(consular::v1::CASE_STATUS_CLOSED, kRabatManager);
  ASSERT_TRUE(closed.ok()) << closed;
  ASSERT_TRUE(contacts_->ListFollowUpsDue(kRabatManager, request, Deadline(), &listed).ok());
  EXPECT_EQ(listed.follow_ups_size(), 0);
  ASSERT_TRUE(cases_->ListDeadlines(kRabatOfficer, {}, Deadline(), &deadlines).ok());
  EXPECT_EQ(deadlines.deadlines_size(), 0);
}

// The husband holding her passport is on the case, marked do not contact: nobody logs an outgoing
// contact with him, and nothing is written when they try. He may still call the post.
TEST_F(ContactLogTest, AnOutgoingContactWithADoNotContactPersonIsRefused) {
  const Case c = NewCase(kRabatOfficer, "c1");
  consular::v1::UpdateCaseRequest persons;
  persons.set_request_id("persons");
  persons.mutable_case_()->set_id(c.id());
  consular::v1::Person* husband = persons.mutable_case_()->add_persons();
  husband->set_role(consular::v1::PERSON_ROLE_PERPETRATOR);
  husband->set_full_name("Karim Example");
  husband->set_do_not_contact(true);
  consular::v1::Person* sister = persons.mutable_case_()->add_persons();
  sister->set_role(consular::v1::PERSON_ROLE_TRUSTED_CONTACT);
  sister->set_full_name("Salma Example");
  persons.mutable_update_mask()->add_paths("persons");
  persons.set_expected_version(c.version());
  Case with_persons;
  ASSERT_TRUE(cases_->Update(kRabatOfficer, persons, Deadline(), &with_persons).ok());
  const std::string husband_id = with_persons.persons(0).id();
  const std::string sister_id = with_persons.persons(1).id();

  const auto with_person = [&](const std::string& request_id, const std::string& person_id,
                               consular::v1::ContactDirection direction) {
    consular::v1::LogContactRequest request = LogRequest(request_id, c, "");
    request.mutable_contact()->mutable_ad_hoc()->set_person_id(person_id);
    request.mutable_contact()->set_direction(direction);
    request.mutable_contact()->set_purpose(consular::v1::CONTACT_PURPOSE_OTHER);
    return request;
  };
  const std::string before = Footprint();
  Contact logged;
  const absl::Status refused =
      Log(kRabatOfficer, with_person("l1", husband_id, consular::v1::CONTACT_DIRECTION_OUTGOING),
          &logged);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_NE(std::string(refused.message()).find("marked do not contact"), std::string::npos);
  EXPECT_EQ(std::string(refused.message()).find("Karim"), std::string::npos);
  EXPECT_EQ(Footprint(), before);
  // Not a person on this case.
  const absl::Status stranger = Log(
      kRabatOfficer,
      with_person("l2", "00000000-0000-4000-8000-000000000000",
                  consular::v1::CONTACT_DIRECTION_OUTGOING),
      &logged);
  EXPECT_EQ(stranger.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(stranger.message()).rfind("contact.ad_hoc.person_id: ", 0), 0u);
  EXPECT_EQ(Footprint(), before);

  // His call to the post is logged; so is a call to her sister.
  Contact incoming;
  ASSERT_TRUE(Log(kRabatOfficer,
                  with_person("l3", husband_id, consular::v1::CONTACT_DIRECTION_INCOMING),
                  &incoming)
                  .ok());
  EXPECT_EQ(incoming.ad_hoc().person_id(), husband_id);
  ASSERT_TRUE(Log(kRabatOfficer,
                  with_person("l4", sister_id, consular::v1::CONTACT_DIRECTION_OUTGOING),
                  &logged)
                  .ok());
  // Turning his incoming contact into an outgoing one is refused too.
  consular::v1::UpdateContactRequest update;
  update.set_request_id("u1");
  update.mutable_contact()->set_id(incoming.id());
  update.mutable_contact()->set_direction(consular::v1::CONTACT_DIRECTION_OUTGOING);
  update.mutable_update_mask()->add_paths("direction");
  update.set_expected_version(incoming.version());
  Contact updated;
  EXPECT_EQ(contacts_->UpdateContact(kRabatOfficer, update, Deadline(), &updated).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ContactLogTest, NotesAreEncryptedAtRestAndReadsAreAudited) {
  const Case c = NewCase(kRabatOfficer, "c1");
  const std::string lawyer = NewPartner("Cabinet Benali");
  consular::v1::LogContactRequest request = LogRequest("l1", c, "");
  request.mutable_contact()->mutable_ad_hoc()->set_name("Fatima Zahra");
  request.mutable_contact()->mutable_ad_hoc()->set_phone("+212 611 223344");
  Contact logged;
  ASSERT_TRUE(Log(kRabatOfficer, request, &logged).ok());
  for (const std::string needle : {"Benali will file", "Fatima Zahra", "611 223344"}) {
    EXPECT_EQ(db_->QueryScalar(absl::StrCat(
                  "SELECT count(*) FROM contacts.contacts WHERE position(convert_to('", needle,
                  "', 'UTF8') in COALESCE(note, ''::bytea) || COALESCE(ad_hoc, ''::bytea)) > 0")),
              "0")
        << needle;
  }
  consular::v1::ListContactsRequest list;
  list.set_case_id(c.id());
  consular::v1::ListContactsResponse listed;
  ASSERT_TRUE(contacts_->ListContacts(kRabatManager, list, Deadline(), &listed).ok());
  EXPECT_EQ(db_->QueryScalar(absl::StrCat(
                "SELECT string_agg(action || ':' || outcome, ',' ORDER BY id) FROM audit.events "
                "WHERE case_id = '",
                c.id(), "' AND action LIKE 'ContactService.%'")),
            "ContactService.LogContact:OK,ContactService.ListContacts:OK");
  // No audit row holds the note or the names.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events e WHERE e::text LIKE "
                             "'%Benali%' OR e::text LIKE '%Fatima%'"),
            "0");
}

}  // namespace
}  // namespace consular::contacts

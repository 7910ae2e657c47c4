// The lifecycle and replay rules of CaseManager over the in-memory case tables, with a manual
// clock: no PostgreSQL (case_manager_test.cc checks the same use cases against a real database).
#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/cases/case_manager.h"
#include "services/common/call_support.h"
#include "services/common/identity.h"
#include "tests/cases/fake_case_repository.h"
#include "tests/crypto/test_field_crypto.h"

namespace consular::cases {
namespace {

namespace v1 = consular::v1;
using v1::Case;

const absl::Time kStart =
    absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 0, 0), absl::UTCTimeZone());
const Identity kRabatOfficer{"officer-rabat", v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kRabatManager{"manager-rabat", v1::ROLE_POST_MANAGER, "RABAT"};
const Identity kTunisOfficer{"officer-tunis", v1::ROLE_CONSULAR_OFFICER, "TUNIS"};

class CaseManagerUnitTest : public ::testing::Test {
 protected:
  static absl::Time Deadline() { return absl::InfiniteFuture(); }

  Case MustCreate(const Identity& who, const std::string& request_id) {
    v1::CreateCaseRequest request;
    request.set_request_id(request_id);
    Case* c = request.mutable_case_();
    c->set_type(v1::CASE_TYPE_ABANDONMENT);
    c->set_country("MA");
    c->mutable_subject()->set_full_name("Amina Example");
    c->mutable_subject()->set_sex(v1::SEX_FEMALE);
    c->mutable_subject()->set_nationality_status(v1::NATIONALITY_STATUS_DUTCH_ONLY);
    c->set_referral_source(v1::REFERRAL_SOURCE_SELF);
    // Back in the Netherlands before the case was registered (RETURNED_TO_NL needs the date).
    v1::Date* back = c->mutable_abandonment()->mutable_returned_on();
    back->set_year(2026);
    back->set_month(1);
    back->set_day(5);
    Case out;
    const absl::Status status = manager_.Create(who, request, Deadline(), &out);
    EXPECT_TRUE(status.ok()) << status;
    return out;
  }

  absl::Status Transition(const Identity& who, const Case& from, v1::CaseStatus to, Case* out,
                          v1::Outcome outcome = v1::OUTCOME_UNSPECIFIED) {
    v1::TransitionCaseRequest request;
    request.set_request_id("t-" + std::to_string(++counter_));
    request.set_case_id(from.id());
    request.set_target_status(to);
    request.set_reason("as the case requires");
    request.set_outcome(outcome);
    request.set_expected_version(from.version());
    return manager_.Transition(who, request, Deadline(), out);
  }

  v1::UpdateCaseRequest CountryUpdate(const Case& c, const std::string& request_id) {
    v1::UpdateCaseRequest update;
    update.set_request_id(request_id);
    update.mutable_case_()->set_id(c.id());
    update.mutable_case_()->set_country("DZ");
    update.mutable_update_mask()->add_paths("country");
    update.set_expected_version(c.version());
    return update;
  }

  ManualClock clock_{kStart};
  consular::testing::TestFieldCrypto keys_;
  testing::FakeCaseTransactions storage_{clock_, &keys_.blind_index};
  CaseManager manager_{&storage_, clock_, &keys_.blind_index};
  int counter_ = 0;
};

TEST_F(CaseManagerUnitTest, LifecycleIsEnforcedAndRecordedInTheTimeline) {
  const Case created = MustCreate(kRabatOfficer, "r1");
  EXPECT_EQ(created.status(), v1::CASE_STATUS_INTAKE);
  EXPECT_EQ(created.reference(), "ABN-2026-00001");
  EXPECT_EQ(created.opened_at().seconds(), absl::ToUnixSeconds(kStart));
  Case c;
  EXPECT_EQ(
      Transition(kRabatOfficer, created, v1::CASE_STATUS_RESOLVED, &c, v1::OUTCOME_RETURNED_TO_NL)
          .code(),
      absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Transition(kRabatOfficer, created, v1::CASE_STATUS_ACTIVE, &c).ok());
  Case resolved;
  EXPECT_EQ(
      Transition(kRabatOfficer, c, v1::CASE_STATUS_RESOLVED, &resolved, v1::OUTCOME_RECOGNISED)
          .code(),
      absl::StatusCode::kInvalidArgument);
  clock_.Advance(absl::Hours(2));
  ASSERT_TRUE(
      Transition(kRabatOfficer, c, v1::CASE_STATUS_RESOLVED, &resolved, v1::OUTCOME_RETURNED_TO_NL)
          .ok());
  EXPECT_EQ(resolved.outcome(), v1::OUTCOME_RETURNED_TO_NL);
  EXPECT_EQ(resolved.resolved_at().seconds(), absl::ToUnixSeconds(kStart + absl::Hours(2)));

  // Closing and reopening are for the post manager.
  Case closed;
  EXPECT_EQ(Transition(kRabatOfficer, resolved, v1::CASE_STATUS_CLOSED, &closed).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Transition(kRabatManager, resolved, v1::CASE_STATUS_CLOSED, &closed).ok());
  EXPECT_TRUE(closed.has_closed_at());

  // A closed case is read-only.
  Case out;
  EXPECT_EQ(
      manager_.Update(kRabatManager, CountryUpdate(closed, "u-closed"), Deadline(), &out).code(),
      absl::StatusCode::kFailedPrecondition);
  v1::AddCaseNoteRequest note;
  note.set_request_id("n-closed");
  note.set_case_id(closed.id());
  note.set_text("late note");
  v1::CaseNote added;
  EXPECT_EQ(manager_.AddNote(kRabatManager, note, Deadline(), &added).code(),
            absl::StatusCode::kFailedPrecondition);

  Case reopened;
  EXPECT_EQ(Transition(kRabatOfficer, closed, v1::CASE_STATUS_ACTIVE, &reopened).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Transition(kRabatManager, closed, v1::CASE_STATUS_ACTIVE, &reopened).ok());
  EXPECT_EQ(reopened.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_FALSE(reopened.has_resolved_at());
  EXPECT_FALSE(reopened.has_closed_at());

  v1::ListCaseEventsRequest events;
  events.set_case_id(created.reference());
  v1::ListCaseEventsResponse timeline;
  ASSERT_TRUE(manager_.ListEvents(kRabatOfficer, events, Deadline(), &timeline).ok());
  ASSERT_EQ(timeline.events_size(), 5);
  EXPECT_EQ(timeline.events(0).type(), v1::CASE_EVENT_TYPE_CREATED);
  EXPECT_EQ(timeline.events(2).to_status(), v1::CASE_STATUS_RESOLVED);
  EXPECT_EQ(timeline.events(3).actor(), "manager-rabat");
  EXPECT_EQ(timeline.events(4).from_status(), v1::CASE_STATUS_CLOSED);
  EXPECT_EQ(timeline.events(4).to_status(), v1::CASE_STATUS_ACTIVE);
  for (int i = 0; i < timeline.events_size(); ++i) {
    EXPECT_EQ(timeline.events(i).sequence(), i + 1);
    EXPECT_EQ(timeline.events(i).case_version(), i + 1);
  }
}

TEST_F(CaseManagerUnitTest, StaleVersionIsAbortedAndARefusedCallChangesNothingButIsAudited) {
  const Case created = MustCreate(kRabatOfficer, "r1");
  Case updated;
  ASSERT_TRUE(
      manager_.Update(kRabatOfficer, CountryUpdate(created, "u1"), Deadline(), &updated).ok());
  EXPECT_EQ(updated.version(), 2);
  const size_t rows = storage_.AuditRows().size();

  // The same expected version again: someone else's change came first.
  Case stale;
  EXPECT_EQ(manager_.Update(kRabatOfficer, CountryUpdate(created, "u2"), Deadline(), &stale).code(),
            absl::StatusCode::kAborted);
  ASSERT_EQ(storage_.AuditRows().size(), rows + 1);
  EXPECT_EQ(storage_.AuditRows().back().outcome, "ABORTED");
  EXPECT_EQ(storage_.AuditRows().back().case_id, created.id());

  // Another post does not learn the case exists.
  EXPECT_EQ(manager_.Update(kTunisOfficer, CountryUpdate(updated, "u3"), Deadline(), &stale).code(),
            absl::StatusCode::kNotFound);
  v1::GetCaseRequest get;
  get.set_case_id(created.id());
  Case now;
  ASSERT_TRUE(manager_.Get(kRabatOfficer, get, Deadline(), &now).ok());
  EXPECT_EQ(now.version(), 2);
}

TEST_F(CaseManagerUnitTest, ReplayReturnsTheFirstResultAndWritesNothing) {
  const Case first = MustCreate(kRabatOfficer, "same-id");
  clock_.Advance(absl::Minutes(5));
  const Case again = MustCreate(kRabatOfficer, "same-id");
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(again.opened_at().seconds(), first.opened_at().seconds());
  EXPECT_EQ(storage_.CaseCount(), 1);
}

TEST_F(CaseManagerUnitTest, EachStoredResponseNamesItsCase) {
  const Case created = MustCreate(kRabatOfficer, "c-1");
  EXPECT_EQ(storage_.RequestCaseId("officer-rabat", "c-1"), created.id());
  Case updated;
  ASSERT_TRUE(
      manager_.Update(kRabatOfficer, CountryUpdate(created, "u-1"), Deadline(), &updated).ok());
  EXPECT_EQ(storage_.RequestCaseId("officer-rabat", "u-1"), created.id());
  v1::AddCaseNoteRequest note;
  note.set_request_id("n-1");
  note.set_case_id(created.reference());  // named by its reference: the record holds the UUID
  note.set_text("called the family");
  v1::CaseNote added;
  ASSERT_TRUE(manager_.AddNote(kRabatOfficer, note, Deadline(), &added).ok());
  EXPECT_EQ(storage_.RequestCaseId("officer-rabat", "n-1"), created.id());
  // A refused call stores no response.
  Case refused;
  EXPECT_FALSE(manager_.Update(kTunisOfficer, CountryUpdate(updated, "u-2"), Deadline(), &refused)
                   .ok());
  EXPECT_EQ(storage_.RequestCaseId("officer-tunis", "u-2"), std::nullopt);
}

TEST_F(CaseManagerUnitTest, AnExpiredShareGivesNothingOnceTheClockPassesIt) {
  const Case created = MustCreate(kTunisOfficer, "r1");
  v1::ShareCaseRequest share;
  share.set_request_id("s1");
  share.set_case_id(created.id());
  share.set_grantee("RABAT");
  share.set_access(v1::SHARE_ACCESS_READ_WRITE);
  share.set_legal_basis("Consular Act art. 5 (test)");
  *share.mutable_expires_at() = ToTimestamp(kStart + absl::Hours(1));
  v1::CaseShare granted;
  ASSERT_TRUE(manager_.Share(kTunisOfficer, share, Deadline(), &granted).ok());

  Case updated;
  ASSERT_TRUE(
      manager_.Update(kRabatOfficer, CountryUpdate(created, "u1"), Deadline(), &updated).ok());
  EXPECT_EQ(updated.caller_access(), v1::CASE_ACCESS_SHARED_READ_WRITE);

  clock_.Advance(absl::Hours(1));
  v1::GetCaseRequest get;
  get.set_case_id(created.id());
  Case read;
  EXPECT_EQ(manager_.Get(kRabatOfficer, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);
  // A replay of the earlier update obeys today's access too.
  EXPECT_EQ(manager_.Update(kRabatOfficer, CountryUpdate(created, "u1"), Deadline(), &read).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace consular::cases

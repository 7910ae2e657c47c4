// CaseManager against a real PostgreSQL database (one fresh database per test).
#include "proto/dates.h"
#include "services/cases/case_manager.h"
#include "services/cases/deadlines.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseStatus;

const Identity kRabatOfficer{"officer-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kRabatOfficer2{"officer2-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kRabatManager{"manager-rabat", consular::v1::ROLE_POST_MANAGER, "RABAT"};
const Identity kTunisOfficer{"officer-tunis", consular::v1::ROLE_CONSULAR_OFFICER, "TUNIS"};
const Identity kPolicy{"policy-1", consular::v1::ROLE_POLICY_STAFF, ""};
const Identity kLkha{"lkha-1", consular::v1::ROLE_LKHA_CASEWORKER, ""};
const Identity kLkha2{"lkha-2", consular::v1::ROLE_LKHA_CASEWORKER, ""};
const Identity kTunisManager{"manager-tunis", consular::v1::ROLE_POST_MANAGER, "TUNIS"};

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 6, 15, 10, 0, 0), absl::UTCTimeZone());

consular::v1::CreateCaseRequest NewCaseRequest(const std::string& request_id,
                                               const std::string& country = "MA") {
  consular::v1::CreateCaseRequest request;
  request.set_request_id(request_id);
  Case* c = request.mutable_case_();
  c->set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  c->set_country(country);
  c->mutable_subject()->set_full_name("Amina Example");
  c->mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
  c->mutable_subject()->set_nationality_status(consular::v1::NATIONALITY_STATUS_DUAL);
  c->set_referral_source(consular::v1::REFERRAL_SOURCE_FAMILY);
  c->add_risk_flags(consular::v1::RISK_FLAG_PASSPORT_WITHHELD);
  c->mutable_abandonment()->set_region("Nador");
  c->mutable_safety()->set_safe_contact_channel("+212 600 000000 after 20:00");
  return request;
}

class CaseManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    ASSERT_NE(db_, nullptr);
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 12});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    manager_ = std::make_unique<CaseManager>(
        runner_.get(), clock_, keys_.crypto());
  }

  absl::Time Deadline() { return absl::Now() + absl::Seconds(20); }

  Case MustCreate(const Identity& who, const std::string& request_id,
                  const std::string& country = "MA") {
    Case c;
    const absl::Status status =
        manager_->Create(who, NewCaseRequest(request_id, country), Deadline(), &c);
    EXPECT_TRUE(status.ok()) << status;
    return c;
  }

  absl::Status Transition(const Identity& who, const Case& c, CaseStatus to, Case* out,
                          consular::v1::Outcome outcome = consular::v1::OUTCOME_UNSPECIFIED) {
    consular::v1::TransitionCaseRequest request;
    request.set_request_id("t-" + std::to_string(counter_++));
    request.set_case_id(c.id());
    request.set_target_status(to);
    request.set_reason("reason text");
    request.set_outcome(outcome);
    request.set_expected_version(c.version());
    return manager_->Transition(who, request, Deadline(), out);
  }

  std::string Count(const std::string& table) {
    return db_->QueryScalar("SELECT count(*) FROM " + table);
  }

  // Counts of every table a mutation writes, to prove a failed call wrote nothing.
  std::string Footprint() {
    return Count("cases.cases") + "/" + Count("cases.case_events") + "/" +
           Count("cases.case_notes") + "/" + Count("cases.idempotency") + "/" +
           db_->QueryScalar("SELECT COALESCE(sum(version), 0) FROM cases.cases");
  }

  // The purpose recorded in the last audit row ("" when none).
  std::string LastAuditPurpose() {
    return db_->QueryScalar("SELECT COALESCE(purpose, '') FROM audit.events ORDER BY id DESC LIMIT 1");
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto keys_;
  std::unique_ptr<CaseManager> manager_;
  ManualClock clock_{kNow};  // moved only while no call runs
  int counter_ = 0;
};

TEST_F(CaseManagerTest, CreateThenGetByIdAndReference) {
  const Case created = MustCreate(kRabatOfficer, "r1");
  EXPECT_EQ(created.reference(), "ABN-2026-00001");
  EXPECT_EQ(created.status(), consular::v1::CASE_STATUS_INTAKE);
  EXPECT_EQ(created.handling_post(), "RABAT");
  EXPECT_EQ(created.version(), 1);

  for (const std::string& id : {created.id(), created.reference()}) {
    consular::v1::GetCaseRequest get;
    get.set_case_id(id);
    Case read;
    ASSERT_TRUE(manager_->Get(kRabatOfficer2, get, Deadline(), &read).ok());
    EXPECT_EQ(read.SerializeAsString(), created.SerializeAsString());
  }
  EXPECT_EQ(MustCreate(kRabatOfficer, "r2").reference(), "ABN-2026-00002");
}

TEST_F(CaseManagerTest, OfficerOfAnotherPostCannotReadListOrChange) {
  const Case created = MustCreate(kRabatOfficer, "r1");
  MustCreate(kTunisOfficer, "r1", "TN");
  const std::string before = Footprint();

  consular::v1::GetCaseRequest get;
  get.set_case_id(created.id());
  Case read;
  EXPECT_EQ(manager_->Get(kTunisOfficer, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);
  get.set_case_id(created.reference());
  EXPECT_EQ(manager_->Get(kTunisOfficer, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);

  consular::v1::ListCasesRequest list;
  consular::v1::ListCasesResponse listed;
  ASSERT_TRUE(manager_->List(kTunisOfficer, list, Deadline(), &listed).ok());
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_EQ(listed.cases(0).handling_post(), "TUNIS");
  list.set_post("RABAT");
  ASSERT_TRUE(manager_->List(kTunisOfficer, list, Deadline(), &listed).ok());
  EXPECT_EQ(listed.cases_size(), 0);

  consular::v1::UpdateCaseRequest update;
  update.set_request_id("u1");
  update.mutable_case_()->set_id(created.id());
  update.mutable_case_()->set_country("DZ");
  update.mutable_update_mask()->add_paths("country");
  update.set_expected_version(1);
  Case updated;
  EXPECT_EQ(manager_->Update(kTunisOfficer, update, Deadline(), &updated).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Transition(kTunisOfficer, created, consular::v1::CASE_STATUS_ACTIVE, &updated).code(),
            absl::StatusCode::kNotFound);
  consular::v1::AddCaseNoteRequest note;
  note.set_request_id("n1");
  note.set_case_id(created.id());
  note.set_text("note");
  consular::v1::CaseNote added;
  EXPECT_EQ(manager_->AddNote(kTunisOfficer, note, Deadline(), &added).code(),
            absl::StatusCode::kNotFound);
  consular::v1::ListCaseEventsRequest events;
  events.set_case_id(created.id());
  consular::v1::ListCaseEventsResponse timeline;
  EXPECT_EQ(manager_->ListEvents(kTunisOfficer, events, Deadline(), &timeline).code(),
            absl::StatusCode::kNotFound);
  consular::v1::ListCaseNotesRequest notes;
  notes.set_case_id(created.id());
  consular::v1::ListCaseNotesResponse note_list;
  EXPECT_EQ(manager_->ListNotes(kTunisOfficer, notes, Deadline(), &note_list).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Footprint(), before);
}

TEST_F(CaseManagerTest, PolicyStaffAreDeniedEverything) {
  const Case created = MustCreate(kRabatOfficer, "r1");
  Case out;
  EXPECT_EQ(manager_->Create(kPolicy, NewCaseRequest("p1"), Deadline(), &out).code(),
            absl::StatusCode::kPermissionDenied);
  consular::v1::GetCaseRequest get;
  get.set_case_id(created.id());
  EXPECT_EQ(manager_->Get(kPolicy, get, Deadline(), &out).code(),
            absl::StatusCode::kPermissionDenied);
  consular::v1::ListCasesResponse listed;
  EXPECT_EQ(manager_->List(kPolicy, {}, Deadline(), &listed).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(CaseManagerTest, ReplayReturnsTheFirstResultAndWritesNothing) {
  const Case first = MustCreate(kRabatOfficer, "same-id");
  const std::string after_first = Footprint();
  clock_.Set(kNow + absl::Minutes(5));
  const Case second = MustCreate(kRabatOfficer, "same-id");
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Footprint(), after_first);

  // The same id with another payload is rejected and writes nothing.
  Case other;
  const absl::Status status =
      manager_->Create(kRabatOfficer, NewCaseRequest("same-id", "TR"), Deadline(), &other);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()).rfind("request_id:", 0), 0u) << status;
  EXPECT_EQ(Footprint(), after_first);

  // Another caller's request ids are their own.
  EXPECT_NE(MustCreate(kRabatOfficer2, "same-id").id(), first.id());
}

TEST_F(CaseManagerTest, EightConcurrentReplaysYieldOneCase) {
  constexpr int kCallers = 8;
  std::vector<std::thread> threads;
  std::vector<Case> results(kCallers);
  std::vector<absl::Status> statuses(kCallers);
  std::atomic<int> ready{0};
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kCallers) std::this_thread::yield();
      statuses[i] =
          manager_->Create(kRabatOfficer, NewCaseRequest("burst-1"), Deadline(), &results[i]);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i];
    EXPECT_EQ(results[i].id(), results[0].id());
  }
  EXPECT_EQ(Count("cases.cases"), "1");
  EXPECT_EQ(Count("cases.case_events"), "1");
  EXPECT_EQ(Count("cases.idempotency"), "1");
}

TEST_F(CaseManagerTest, OfTwoConcurrentUpdatesFromOneVersionExactlyOneWins) {
  for (int round = 0; round < 5; ++round) {
    const Case created = MustCreate(kRabatOfficer, "c" + std::to_string(round));
    consular::v1::UpdateCaseRequest a;
    a.set_request_id("a" + std::to_string(round));
    a.mutable_case_()->set_id(created.id());
    a.mutable_case_()->mutable_subject()->set_full_name("Amina Changed");
    a.mutable_update_mask()->add_paths("subject.full_name");
    a.set_expected_version(created.version());
    consular::v1::UpdateCaseRequest b;
    b.set_request_id("b" + std::to_string(round));
    b.mutable_case_()->set_id(created.id());
    b.mutable_case_()->mutable_abandonment()->set_region("Oujda");
    b.mutable_update_mask()->add_paths("abandonment.region");
    b.set_expected_version(created.version());

    Case out_a, out_b;
    absl::Status status_a, status_b;
    std::thread ta([&] { status_a = manager_->Update(kRabatOfficer, a, Deadline(), &out_a); });
    std::thread tb([&] { status_b = manager_->Update(kRabatOfficer2, b, Deadline(), &out_b); });
    ta.join();
    tb.join();
    ASSERT_NE(status_a.ok(), status_b.ok()) << status_a << " / " << status_b;
    const absl::Status& loser = status_a.ok() ? status_b : status_a;
    EXPECT_EQ(loser.code(), absl::StatusCode::kAborted) << loser;

    consular::v1::GetCaseRequest get;
    get.set_case_id(created.id());
    Case now;
    ASSERT_TRUE(manager_->Get(kRabatOfficer, get, Deadline(), &now).ok());
    EXPECT_EQ(now.version(), 2);
    if (status_a.ok()) {
      EXPECT_EQ(now.subject().full_name(), "Amina Changed");
      EXPECT_EQ(now.abandonment().region(), "Nador");
    } else {
      EXPECT_EQ(now.subject().full_name(), "Amina Example");
      EXPECT_EQ(now.abandonment().region(), "Oujda");
    }
    // The loser re-reads and retries: both changes survive, nothing is lost.
    consular::v1::UpdateCaseRequest retry = status_a.ok() ? b : a;
    retry.set_request_id(retry.request_id() + "-retry");
    retry.set_expected_version(now.version());
    Case merged;
    ASSERT_TRUE(manager_->Update(kRabatOfficer, retry, Deadline(), &merged).ok());
    EXPECT_EQ(merged.subject().full_name(), "Amina Changed");
    EXPECT_EQ(merged.abandonment().region(), "Oujda");
    EXPECT_EQ(merged.safety().safe_contact_channel(), created.safety().safe_contact_channel());
    EXPECT_EQ(merged.version(), 3);
  }
}

TEST_F(CaseManagerTest, BadFieldIsInvalidArgumentNamingItAndChangesNothing) {
  const Case created = MustCreate(kRabatOfficer, "r1");
  const std::string before = Footprint();

  auto bad_create = NewCaseRequest("bad-1");
  bad_create.mutable_case_()->set_country("XX");
  Case out;
  absl::Status status = manager_->Create(kRabatOfficer, bad_create, Deadline(), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()).rfind("case.country:", 0), 0u) << status;

  // Invalid after merging: detected inside the transaction, rolled back entirely.
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("bad-2");
  update.mutable_case_()->set_id(created.id());
  update.mutable_case_()->mutable_subject()->set_full_name("");
  update.mutable_update_mask()->add_paths("subject.full_name");
  update.set_expected_version(created.version());
  status = manager_->Update(kRabatOfficer, update, Deadline(), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()).rfind("case.subject.full_name:", 0), 0u) << status;

  update.set_request_id("bad-3");
  update.mutable_update_mask()->set_paths(0, "status");
  status = manager_->Update(kRabatOfficer, update, Deadline(), &out);
  EXPECT_EQ(std::string(status.message()).rfind("update_mask:", 0), 0u) << status;

  EXPECT_EQ(Transition(kRabatOfficer, created, consular::v1::CASE_STATUS_ACTIVE, &out,
                       consular::v1::OUTCOME_RETURNED_TO_NL)
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Footprint(), before);

  consular::v1::GetCaseRequest get;
  get.set_case_id(created.id());
  ASSERT_TRUE(manager_->Get(kRabatOfficer, get, Deadline(), &out).ok());
  EXPECT_EQ(out.SerializeAsString(), created.SerializeAsString());
}

TEST_F(CaseManagerTest, StaleVersionIsAbortedAndChangesNothing) {
  const Case created = MustCreate(kRabatOfficer, "r1");
  Case active;
  ASSERT_TRUE(Transition(kRabatOfficer, created, consular::v1::CASE_STATUS_ACTIVE, &active).ok());
  const std::string before = Footprint();
  Case out;
  EXPECT_EQ(Transition(kRabatOfficer, created, consular::v1::CASE_STATUS_ACTIVE, &out).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(Footprint(), before);
}

// A divorce case is not "refused" when the foreign court granted recognition, nor given a
// decision later that contradicts the outcome it was resolved with.
TEST_F(CaseManagerTest, ADivorceOutcomeMustAgreeWithTheForeignDecision) {
  consular::v1::CreateCaseRequest create = NewCaseRequest("div-1", "TR");
  Case* in = create.mutable_case_();
  in->set_type(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  in->clear_abandonment();
  in->clear_risk_flags();
  consular::v1::DivorceRecognitionDetails* d = in->mutable_divorce_recognition();
  d->set_proceedings_state(consular::v1::PROCEEDINGS_STATE_DECIDED);
  d->set_decision(consular::v1::RECOGNITION_DECISION_GRANTED);
  d->mutable_decided_on()->set_year(2026);
  d->mutable_decided_on()->set_month(3);
  d->mutable_decided_on()->set_day(2);
  clock_.Set(absl::Now());
  Case created;
  ASSERT_TRUE(manager_->Create(kRabatOfficer, create, Deadline(), &created).ok());
  Case active;
  ASSERT_TRUE(Transition(kRabatOfficer, created, consular::v1::CASE_STATUS_ACTIVE, &active).ok());
  const std::string before = Footprint();
  Case resolved;
  const absl::Status contradiction = Transition(
      kRabatOfficer, active, consular::v1::CASE_STATUS_RESOLVED, &resolved,
      consular::v1::OUTCOME_REFUSED);
  EXPECT_EQ(contradiction.code(), absl::StatusCode::kFailedPrecondition) << contradiction;
  EXPECT_NE(std::string(contradiction.message()).find("contradicts the foreign decision GRANTED"),
            std::string::npos);
  EXPECT_EQ(Footprint(), before);
  ASSERT_TRUE(Transition(kRabatOfficer, active, consular::v1::CASE_STATUS_RESOLVED, &resolved,
                         consular::v1::OUTCOME_RECOGNISED)
                  .ok());
  // Resolved as recognised: the decision cannot be turned into a refusal afterwards.
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("div-update");
  update.mutable_case_()->set_id(resolved.id());
  update.mutable_case_()->mutable_divorce_recognition()->set_decision(
      consular::v1::RECOGNITION_DECISION_REFUSED);
  update.mutable_update_mask()->add_paths("divorce_recognition.decision");
  update.set_expected_version(resolved.version());
  Case updated;
  const std::string resolved_footprint = Footprint();
  EXPECT_EQ(manager_->Update(kRabatOfficer, update, Deadline(), &updated).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Footprint(), resolved_footprint);
}

// A divorce recognition is followed through the foreign court step by step: the court, its case
// number, the steps kept in the order of their days (a hearing may be scheduled ahead and is then
// on the deadline list), and an obstacle "other" always said in words.
TEST_F(CaseManagerTest, TheForeignProceedingsAreFollowedStepByStep) {
  clock_.Set(absl::Now());
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), absl::UTCTimeZone());
  consular::v1::CreateCaseRequest create = NewCaseRequest("proc-1", "MA");
  Case* in = create.mutable_case_();
  in->set_type(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  in->clear_abandonment();
  in->clear_risk_flags();
  consular::v1::DivorceRecognitionDetails* d = in->mutable_divorce_recognition();
  *d->mutable_dutch_divorce_on() = DateFromCivilDay(today - 400);
  d->set_foreign_court("Tribunal de première instance de Nador");
  d->set_foreign_case_number("1234/2026");
  const auto add_step = [d](consular::v1::ProceedingsStage stage, absl::CivilDay on) {
    consular::v1::ProceedingsStep* step = d->add_stages();
    step->set_stage(stage);
    *step->mutable_on() = DateFromCivilDay(on);
  };
  add_step(consular::v1::PROCEEDINGS_STAGE_HEARING, today + 20);  // scheduled
  add_step(consular::v1::PROCEEDINGS_STAGE_FILED, today - 100);
  add_step(consular::v1::PROCEEDINGS_STAGE_DOCUMENTS_GATHERED, today - 300);
  d->add_obstacles(consular::v1::RECOGNITION_OBSTACLE_OTHER);
  d->set_obstacle_note("the registry wants a certificate of custom");
  Case created;
  const absl::Status ok = manager_->Create(kRabatOfficer, create, Deadline(), &created);
  ASSERT_TRUE(ok.ok()) << ok;
  const consular::v1::DivorceRecognitionDetails& kept = created.divorce_recognition();
  ASSERT_EQ(kept.stages_size(), 3);
  EXPECT_EQ(kept.stages(0).stage(), consular::v1::PROCEEDINGS_STAGE_DOCUMENTS_GATHERED);
  EXPECT_EQ(kept.stages(1).stage(), consular::v1::PROCEEDINGS_STAGE_FILED);
  EXPECT_EQ(kept.stages(2).stage(), consular::v1::PROCEEDINGS_STAGE_HEARING);
  for (const consular::v1::ProceedingsStep& step : kept.stages()) EXPECT_EQ(step.id().size(), 36u);
  Case read;
  consular::v1::GetCaseRequest get;
  get.set_case_id(created.reference());
  ASSERT_TRUE(manager_->Get(kRabatOfficer, get, Deadline(), &read).ok());
  EXPECT_EQ(read.divorce_recognition().foreign_court(), "Tribunal de première instance de Nador");
  EXPECT_EQ(read.divorce_recognition().foreign_case_number(), "1234/2026");
  EXPECT_EQ(read.divorce_recognition().stages(2).id(), kept.stages(2).id());

  consular::v1::ListDeadlinesResponse listed;
  ASSERT_TRUE(manager_->ListDeadlines(kRabatOfficer, consular::v1::ListDeadlinesRequest(),
                                      Deadline(), &listed)
                  .ok());
  ASSERT_EQ(listed.deadlines_size(), 1);
  EXPECT_EQ(listed.deadlines(0).kind(), consular::v1::DEADLINE_KIND_HEARING);
  EXPECT_EQ(listed.deadlines(0).reference(), created.reference());
  EXPECT_EQ(listed.deadlines(0).days_left(), 20);
  EXPECT_EQ(listed.deadlines(0).warning_weeks(), 4);

  // Steps that have not happened yet, an "other" without words: refused, naming the field.
  const auto refused = [&](const std::string& field,
                           const std::function<void(consular::v1::UpdateCaseRequest*)>& edit) {
    consular::v1::UpdateCaseRequest update;
    update.set_request_id("proc-bad-" + std::to_string(counter_++));
    update.mutable_case_()->set_id(created.id());
    *update.mutable_case_()->mutable_divorce_recognition() = kept;
    update.mutable_update_mask()->add_paths("divorce_recognition");
    update.set_expected_version(created.version());
    edit(&update);
    const std::string before = Footprint();
    Case out;
    const absl::Status status = manager_->Update(kRabatOfficer, update, Deadline(), &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_EQ(std::string(status.message()).rfind(field + ": ", 0), 0u) << status;
    EXPECT_EQ(Footprint(), before);
  };
  refused("case.divorce_recognition.stages[1].on", [&](consular::v1::UpdateCaseRequest* r) {
    *r->mutable_case_()->mutable_divorce_recognition()->mutable_stages(1)->mutable_on() =
        DateFromCivilDay(today + 1);  // filed tomorrow
  });
  refused("case.divorce_recognition.stages[0].on", [&](consular::v1::UpdateCaseRequest* r) {
    *r->mutable_case_()->mutable_divorce_recognition()->mutable_stages(0)->mutable_on() =
        DateFromCivilDay(today - 500);  // before the Dutch divorce
  });
  refused("case.divorce_recognition.stages[2].stage", [&](consular::v1::UpdateCaseRequest* r) {
    r->mutable_case_()->mutable_divorce_recognition()->mutable_stages(2)->set_stage(
        consular::v1::PROCEEDINGS_STAGE_UNSPECIFIED);
  });
  refused("case.divorce_recognition.obstacle_note", [&](consular::v1::UpdateCaseRequest* r) {
    r->mutable_case_()->mutable_divorce_recognition()->set_obstacle_note(" ");
  });

  // The hearing was held: it leaves the deadline list and stays in the proceedings.
  clock_.Set(clock_.Now() + absl::Hours(24 * 21));
  ASSERT_TRUE(manager_->ListDeadlines(kRabatOfficer, consular::v1::ListDeadlinesRequest(),
                                      Deadline(), &listed)
                  .ok());
  EXPECT_EQ(listed.deadlines_size(), 0);
}

// Nobody is counted as returned to the Netherlands without the date she came back; once resolved
// so, the date cannot be taken away.
TEST_F(CaseManagerTest, ReturnedToTheNetherlandsNeedsTheActualReturnDate) {
  const Case created = MustCreate(kRabatOfficer, "ret-1");
  Case active;
  ASSERT_TRUE(Transition(kRabatOfficer, created, consular::v1::CASE_STATUS_ACTIVE, &active).ok());
  const std::string before = Footprint();
  Case resolved;
  const absl::Status no_date = Transition(kRabatOfficer, active, consular::v1::CASE_STATUS_RESOLVED,
                                          &resolved, consular::v1::OUTCOME_RETURNED_TO_NL);
  EXPECT_EQ(no_date.code(), absl::StatusCode::kFailedPrecondition) << no_date;
  EXPECT_NE(std::string(no_date.message()).find("abandonment.returned_on"), std::string::npos);
  EXPECT_EQ(Footprint(), before);

  consular::v1::UpdateCaseRequest update;
  update.set_request_id("ret-date");
  update.mutable_case_()->set_id(active.id());
  consular::v1::Date* on = update.mutable_case_()->mutable_abandonment()->mutable_returned_on();
  on->set_year(2026);
  on->set_month(6);
  on->set_day(12);
  update.mutable_update_mask()->add_paths("abandonment.returned_on");
  update.set_expected_version(active.version());
  Case dated;
  ASSERT_TRUE(manager_->Update(kRabatOfficer, update, Deadline(), &dated).ok());
  ASSERT_TRUE(Transition(kRabatOfficer, dated, consular::v1::CASE_STATUS_RESOLVED, &resolved,
                         consular::v1::OUTCOME_RETURNED_TO_NL)
                  .ok());
  EXPECT_EQ(resolved.outcome(), consular::v1::OUTCOME_RETURNED_TO_NL);

  update.set_request_id("ret-undate");
  update.mutable_case_()->mutable_abandonment()->clear_returned_on();
  update.set_expected_version(resolved.version());
  const std::string resolved_footprint = Footprint();
  Case undated;
  EXPECT_EQ(manager_->Update(kRabatOfficer, update, Deadline(), &undated).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Footprint(), resolved_footprint);
}

TEST_F(CaseManagerTest, LifecycleIsEnforcedAndRecordedInTheTimeline) {
  consular::v1::CreateCaseRequest returned = NewCaseRequest("r1");
  consular::v1::Date* back = returned.mutable_case_()->mutable_abandonment()->mutable_returned_on();
  back->set_year(2026);
  back->set_month(6);
  back->set_day(1);
  Case created;
  ASSERT_TRUE(manager_->Create(kRabatOfficer, returned, Deadline(), &created).ok());
  Case c;
  // INTAKE -> RESOLVED skips ACTIVE.
  EXPECT_EQ(Transition(kRabatOfficer, created, consular::v1::CASE_STATUS_RESOLVED, &c,
                       consular::v1::OUTCOME_RETURNED_TO_NL)
                .code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Transition(kRabatOfficer, created, consular::v1::CASE_STATUS_ACTIVE, &c).ok());
  Case resolved;
  // A divorce outcome does not fit an abandonment case.
  EXPECT_EQ(Transition(kRabatOfficer, c, consular::v1::CASE_STATUS_RESOLVED, &resolved,
                       consular::v1::OUTCOME_RECOGNISED)
                .code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(Transition(kRabatOfficer, c, consular::v1::CASE_STATUS_RESOLVED, &resolved,
                         consular::v1::OUTCOME_RETURNED_TO_NL)
                  .ok());
  EXPECT_EQ(resolved.outcome(), consular::v1::OUTCOME_RETURNED_TO_NL);
  EXPECT_TRUE(resolved.has_resolved_at());

  Case closed;
  EXPECT_EQ(Transition(kRabatOfficer, resolved, consular::v1::CASE_STATUS_CLOSED, &closed).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Transition(kRabatManager, resolved, consular::v1::CASE_STATUS_CLOSED, &closed).ok());

  // A closed case is read-only.
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("u-closed");
  update.mutable_case_()->set_id(closed.id());
  update.mutable_case_()->set_country("DZ");
  update.mutable_update_mask()->add_paths("country");
  update.set_expected_version(closed.version());
  Case out;
  EXPECT_EQ(manager_->Update(kRabatManager, update, Deadline(), &out).code(),
            absl::StatusCode::kFailedPrecondition);
  consular::v1::AddCaseNoteRequest note;
  note.set_request_id("n-closed");
  note.set_case_id(closed.id());
  note.set_text("late note");
  consular::v1::CaseNote added;
  EXPECT_EQ(manager_->AddNote(kRabatManager, note, Deadline(), &added).code(),
            absl::StatusCode::kFailedPrecondition);

  Case reopened;
  ASSERT_TRUE(Transition(kRabatManager, closed, consular::v1::CASE_STATUS_ACTIVE, &reopened).ok());
  EXPECT_EQ(reopened.outcome(), consular::v1::OUTCOME_UNSPECIFIED);
  EXPECT_FALSE(reopened.has_closed_at());

  consular::v1::ListCaseEventsRequest events;
  events.set_case_id(created.reference());
  consular::v1::ListCaseEventsResponse timeline;
  ASSERT_TRUE(manager_->ListEvents(kRabatOfficer, events, Deadline(), &timeline).ok());
  ASSERT_EQ(timeline.events_size(), 5);
  EXPECT_EQ(timeline.events(0).type(), consular::v1::CASE_EVENT_TYPE_CREATED);
  EXPECT_EQ(timeline.events(2).from_status(), consular::v1::CASE_STATUS_ACTIVE);
  EXPECT_EQ(timeline.events(2).to_status(), consular::v1::CASE_STATUS_RESOLVED);
  EXPECT_EQ(timeline.events(2).outcome(), consular::v1::OUTCOME_RETURNED_TO_NL);
  EXPECT_EQ(timeline.events(3).actor(), "manager-rabat");
  EXPECT_EQ(timeline.events(3).actor_role(), consular::v1::ROLE_POST_MANAGER);
  for (int i = 0; i < timeline.events_size(); ++i) {
    EXPECT_EQ(timeline.events(i).sequence(), i + 1);
    EXPECT_EQ(timeline.events(i).case_version(), i + 1);
  }
}

TEST_F(CaseManagerTest, UpdateRecordsChangedFieldsAndNotesAreListed) {
  const Case created = MustCreate(kRabatOfficer, "r1");
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("u1");
  update.mutable_case_()->set_id(created.reference());
  update.mutable_case_()->add_risk_flags(consular::v1::RISK_FLAG_FORCED_MARRIAGE);
  update.mutable_case_()->set_country("MA");  // unchanged value
  update.mutable_update_mask()->add_paths("risk_flags");
  update.mutable_update_mask()->add_paths("country");
  update.set_expected_version(1);
  Case updated;
  ASSERT_TRUE(manager_->Update(kRabatOfficer, update, Deadline(), &updated).ok());
  ASSERT_EQ(updated.risk_flags_size(), 1);
  EXPECT_EQ(updated.risk_flags(0), consular::v1::RISK_FLAG_FORCED_MARRIAGE);
  EXPECT_EQ(updated.version(), 2);

  for (int i = 0; i < 3; ++i) {
    consular::v1::AddCaseNoteRequest note;
    note.set_request_id("n" + std::to_string(i));
    note.set_case_id(created.id());
    note.set_text("note " + std::to_string(i));
    consular::v1::CaseNote added;
    ASSERT_TRUE(manager_->AddNote(kRabatOfficer, note, Deadline(), &added).ok());
    clock_.Advance(absl::Seconds(1));
  }
  consular::v1::ListCaseNotesRequest notes;
  notes.set_case_id(created.id());
  notes.set_page_size(2);
  consular::v1::ListCaseNotesResponse page;
  ASSERT_TRUE(manager_->ListNotes(kRabatOfficer2, notes, Deadline(), &page).ok());
  ASSERT_EQ(page.notes_size(), 2);
  EXPECT_EQ(page.notes(0).text(), "note 0");
  ASSERT_FALSE(page.next_page_token().empty());
  notes.set_page_token(page.next_page_token());
  ASSERT_TRUE(manager_->ListNotes(kRabatOfficer2, notes, Deadline(), &page).ok());
  ASSERT_EQ(page.notes_size(), 1);
  EXPECT_EQ(page.notes(0).text(), "note 2");
  EXPECT_TRUE(page.next_page_token().empty());

  consular::v1::ListCaseEventsRequest events;
  events.set_case_id(created.id());
  consular::v1::ListCaseEventsResponse timeline;
  ASSERT_TRUE(manager_->ListEvents(kRabatOfficer, events, Deadline(), &timeline).ok());
  ASSERT_EQ(timeline.events_size(), 5);
  ASSERT_EQ(timeline.events(1).changed_fields_size(), 1);
  EXPECT_EQ(timeline.events(1).changed_fields(0), "risk_flags");
  EXPECT_EQ(timeline.events(2).type(), consular::v1::CASE_EVENT_TYPE_NOTE_ADDED);
}

// The safety information is never overwritten silently: a change needs a reason, and the former
// value, who changed it, when and why stay in the history.
TEST_F(CaseManagerTest, ASafetyChangeNeedsAReasonAndTheFormerValueStaysInTheHistory) {
  const Case created = MustCreate(kRabatOfficer, "s1");
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("safety-1");
  update.mutable_case_()->set_id(created.reference());
  update.mutable_case_()->mutable_safety()->set_safe_contact_channel("+212 611 111111");
  update.mutable_case_()->mutable_safety()->set_safe_contact_times("weekday mornings only");
  update.mutable_update_mask()->add_paths("safety.safe_contact_channel");
  update.mutable_update_mask()->add_paths("safety.safe_contact_times");
  update.set_expected_version(created.version());
  const std::string before = Footprint();
  Case updated;
  const absl::Status no_reason = manager_->Update(kRabatOfficer, update, Deadline(), &updated);
  EXPECT_EQ(no_reason.code(), absl::StatusCode::kInvalidArgument) << no_reason;
  EXPECT_EQ(std::string(no_reason.message()).rfind("reason: ", 0), 0u) << no_reason;
  EXPECT_EQ(Footprint(), before);

  update.set_reason("Her husband found the old number");
  ASSERT_TRUE(manager_->Update(kRabatOfficer, update, Deadline(), &updated).ok());
  EXPECT_EQ(updated.safety().safe_contact_channel(), "+212 611 111111");
  clock_.Advance(absl::Minutes(5));
  Case active;
  ASSERT_TRUE(Transition(kRabatOfficer2, updated, consular::v1::CASE_STATUS_ACTIVE, &active).ok());

  consular::v1::ListCaseHistoryRequest request;
  request.set_case_id(created.id());
  consular::v1::ListCaseHistoryResponse history;
  ASSERT_TRUE(manager_->ListHistory(kRabatOfficer2, request, Deadline(), &history).ok());
  ASSERT_EQ(history.entries_size(), 2);
  const consular::v1::CaseHistoryEntry& change = history.entries(0);
  EXPECT_EQ(change.event_type(), consular::v1::CASE_EVENT_TYPE_UPDATED);
  EXPECT_EQ(change.actor(), "officer-rabat");
  EXPECT_EQ(change.actor_post(), "RABAT");
  EXPECT_EQ(change.reason(), "Her husband found the old number");
  EXPECT_EQ(change.case_version(), 2);
  ASSERT_EQ(change.changes_size(), 2);
  EXPECT_EQ(change.changes(0).field(), "safety.safe_contact_channel");
  EXPECT_EQ(change.changes(0).old_value(), "+212 600 000000 after 20:00");
  EXPECT_EQ(change.changes(0).new_value(), "+212 611 111111");
  EXPECT_EQ(change.changes(1).field(), "safety.safe_contact_times");
  EXPECT_EQ(change.changes(1).old_value(), "");
  EXPECT_EQ(change.changes(1).new_value(), "weekday mornings only");
  EXPECT_EQ(history.entries(1).actor(), "officer2-rabat");
  ASSERT_EQ(history.entries(1).changes_size(), 1);
  EXPECT_EQ(history.entries(1).changes(0).field(), "status");
  EXPECT_EQ(history.entries(1).changes(0).old_value(), "CASE_STATUS_INTAKE");
  EXPECT_EQ(history.entries(1).changes(0).new_value(), "CASE_STATUS_ACTIVE");
  EXPECT_EQ(history.entries(1).reason(), "reason text");

  // One field; paged.
  request.set_field("safety.safe_contact_channel");
  ASSERT_TRUE(manager_->ListHistory(kRabatOfficer, request, Deadline(), &history).ok());
  ASSERT_EQ(history.entries_size(), 1);
  ASSERT_EQ(history.entries(0).changes_size(), 1);
  EXPECT_EQ(history.entries(0).changes(0).new_value(), "+212 611 111111");
  request.set_field("");
  request.set_page_size(1);
  ASSERT_TRUE(manager_->ListHistory(kRabatOfficer, request, Deadline(), &history).ok());
  ASSERT_EQ(history.entries_size(), 1);
  ASSERT_FALSE(history.next_page_token().empty());
  request.set_page_token(history.next_page_token());
  ASSERT_TRUE(manager_->ListHistory(kRabatOfficer, request, Deadline(), &history).ok());
  ASSERT_EQ(history.entries_size(), 1);
  EXPECT_EQ(history.entries(0).changes(0).field(), "status");
  EXPECT_TRUE(history.next_page_token().empty());

  // The timeline names the fields and the reason, never the values.
  consular::v1::ListCaseEventsRequest events;
  events.set_case_id(created.id());
  consular::v1::ListCaseEventsResponse timeline;
  ASSERT_TRUE(manager_->ListEvents(kRabatOfficer, events, Deadline(), &timeline).ok());
  ASSERT_EQ(timeline.events_size(), 3);
  EXPECT_EQ(timeline.events(1).changes_size(), 0);
  EXPECT_EQ(timeline.events(1).reason(), "Her husband found the old number");
  // Neither value is stored in plaintext.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.case_events WHERE payload::text LIKE "
                             "'%611 111111%' OR payload::text LIKE '%600 000000%'"),
            "0");

  consular::v1::ListCaseHistoryRequest bad;
  bad.set_case_id(created.id());
  bad.set_field("safety.password");
  const absl::Status unknown = manager_->ListHistory(kRabatOfficer, bad, Deadline(), &history);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(unknown.message()).rfind("field: ", 0), 0u) << unknown;
  // Another post's officer learns nothing.
  EXPECT_EQ(manager_->ListHistory(kTunisOfficer, request, Deadline(), &history).code(),
            absl::StatusCode::kNotFound);
}

// Read-only grantees and emergency readers see how to reach the person safely, but not the covert
// notes, until the handling unit marks them shareable; nobody else may mark them.
TEST_F(CaseManagerTest, AReadOnlyGranteeNeverSeesCovertNotesNotMarkedShareable) {
  clock_.Set(absl::Now());
  consular::v1::CreateCaseRequest create = NewCaseRequest("cv-1");
  create.mutable_case_()->mutable_safety()->set_covert_notes("Husband monitors her phone");
  Case created;
  ASSERT_TRUE(manager_->Create(kRabatOfficer, create, Deadline(), &created).ok());
  EXPECT_EQ(created.safety().covert_notes(), "Husband monitors her phone");
  const auto share = [&](const std::string& grantee, consular::v1::ShareAccess access) {
    consular::v1::ShareCaseRequest request;
    request.set_request_id("share-" + grantee);
    request.set_case_id(created.id());
    request.set_grantee(grantee);
    request.set_access(access);
    request.set_legal_basis("Art. 6(1)(e) GDPR");
    consular::v1::CaseShare out;
    const absl::Status status = manager_->Share(kRabatOfficer, request, Deadline(), &out);
    EXPECT_TRUE(status.ok()) << status;
  };
  share("TUNIS", consular::v1::SHARE_ACCESS_READ);
  share("LKHA", consular::v1::SHARE_ACCESS_READ_WRITE);
  const auto read = [&](const Identity& who) {
    consular::v1::GetCaseRequest get;
    get.set_case_id(created.id());
    Case out;
    const absl::Status status = manager_->Get(who, get, Deadline(), &out);
    EXPECT_TRUE(status.ok()) << status;
    return out;
  };
  Case seen = read(kTunisOfficer);
  EXPECT_EQ(seen.caller_access(), consular::v1::CASE_ACCESS_SHARED_READ);
  EXPECT_EQ(seen.safety().covert_notes(), "");
  EXPECT_EQ(seen.safety().safe_contact_channel(), "+212 600 000000 after 20:00");
  EXPECT_EQ(read(kLkha).safety().covert_notes(), "Husband monitors her phone");
  consular::v1::ListCasesRequest list;
  consular::v1::ListCasesResponse listed;
  ASSERT_TRUE(manager_->List(kTunisOfficer, list, Deadline(), &listed).ok());
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_EQ(listed.cases(0).safety().covert_notes(), "");
  consular::v1::SearchCasesRequest search;
  search.set_name("Amina Example");
  consular::v1::SearchCasesResponse found;
  ASSERT_TRUE(manager_->Search(kTunisOfficer, search, Deadline(), &found).ok());
  ASSERT_EQ(found.cases_size(), 1);
  EXPECT_EQ(found.cases(0).safety().covert_notes(), "");
  // The search's audit row names the case it showed.
  EXPECT_EQ(db_->QueryScalar("SELECT action || ':' || array_to_string(returned_case_ids, ',') "
                             "FROM audit.events ORDER BY id DESC LIMIT 1"),
            "CaseService.SearchCases:" + created.id());

  // The notes change; the read-only grantee's history withholds both values.
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("cv-update");
  update.mutable_case_()->set_id(created.id());
  update.mutable_case_()->mutable_safety()->set_covert_notes("Husband reads her messages too");
  update.mutable_update_mask()->add_paths("safety.covert_notes");
  update.set_expected_version(created.version());
  update.set_reason("New information from her sister");
  Case updated;
  ASSERT_TRUE(manager_->Update(kRabatOfficer, update, Deadline(), &updated).ok());
  consular::v1::ListCaseHistoryRequest history_request;
  history_request.set_case_id(created.id());
  consular::v1::ListCaseHistoryResponse history;
  ASSERT_TRUE(manager_->ListHistory(kTunisOfficer, history_request, Deadline(), &history).ok());
  ASSERT_EQ(history.entries_size(), 1);
  ASSERT_EQ(history.entries(0).changes_size(), 1);
  EXPECT_TRUE(history.entries(0).changes(0).withheld());
  EXPECT_EQ(history.entries(0).changes(0).old_value(), "");
  EXPECT_EQ(history.entries(0).changes(0).new_value(), "");
  ASSERT_TRUE(manager_->ListHistory(kLkha, history_request, Deadline(), &history).ok());
  EXPECT_FALSE(history.entries(0).changes(0).withheld());
  EXPECT_EQ(history.entries(0).changes(0).old_value(), "Husband monitors her phone");

  // An emergency reader sees no covert notes either.
  consular::v1::OpenEmergencyAccessRequest open;
  open.set_request_id("cv-emergency");
  open.set_case_id(created.reference());
  open.set_reason("She called the embassy in Cairo and is in danger");
  consular::v1::EmergencyAccess grant;
  const Identity cairo_manager{"manager-cairo", consular::v1::ROLE_POST_MANAGER, "CAIRO"};
  const absl::Status opened =
      manager_->OpenEmergencyAccess(cairo_manager, open, Deadline(), &grant);
  ASSERT_TRUE(opened.ok()) << opened;
  seen = read(cairo_manager);
  EXPECT_EQ(seen.caller_access(), consular::v1::CASE_ACCESS_EMERGENCY);
  EXPECT_EQ(seen.safety().covert_notes(), "");

  // Only the handling unit marks them shareable (a read-write grantee may not).
  update.set_request_id("cv-share-lkha");
  update.mutable_case_()->mutable_safety()->set_covert_notes_shareable(true);
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("safety.covert_notes_shareable");
  update.set_expected_version(updated.version());
  update.set_reason("The post in Tunis must know before calling");
  Case marked;
  EXPECT_EQ(manager_->Update(kLkha, update, Deadline(), &marked).code(),
            absl::StatusCode::kPermissionDenied);
  update.set_request_id("cv-share");
  ASSERT_TRUE(manager_->Update(kRabatOfficer, update, Deadline(), &marked).ok());
  EXPECT_EQ(read(kTunisOfficer).safety().covert_notes(), "Husband reads her messages too");
}

// LKHA and a post do not open the same person twice without noticing; across units the answer
// names the unit that handles the other case and shows nothing of it.
TEST_F(CaseManagerTest, ADuplicateAtAnotherUnitIsReportedOnCreateWithItsUnitAndNoContent) {
  const auto person = [](const std::string& request_id, const std::string& name) {
    consular::v1::CreateCaseRequest request = NewCaseRequest(request_id);
    request.mutable_case_()->mutable_subject()->set_full_name(name);
    consular::v1::Date* born = request.mutable_case_()->mutable_subject()->mutable_date_of_birth();
    born->set_year(1990);
    born->set_month(4);
    born->set_day(2);
    return request;
  };
  Case at_rabat;
  ASSERT_TRUE(manager_->Create(kRabatOfficer, person("d1", "Fatima El-Amrani"), Deadline(),
                               &at_rabat)
                  .ok());
  EXPECT_EQ(at_rabat.possible_duplicates_size(), 0);

  // LKHA writes her name another way: a possible duplicate at RABAT, nothing more.
  Case at_lkha;
  ASSERT_TRUE(
      manager_->Create(kLkha, person("d2", "Fatima Elamrani"), Deadline(), &at_lkha).ok());
  ASSERT_EQ(at_lkha.possible_duplicates_size(), 1);
  const consular::v1::PossibleDuplicate& there = at_lkha.possible_duplicates(0);
  EXPECT_EQ(there.handling_unit(), "RABAT");
  EXPECT_EQ(there.match(), consular::v1::DUPLICATE_MATCH_SIMILAR_NAME_AND_BIRTH_DATE);
  EXPECT_EQ(there.case_id(), "");
  EXPECT_EQ(there.reference(), "");

  // At RABAT itself, the exact name and date: the case is named, the unit's own.
  Case again;
  ASSERT_TRUE(
      manager_->Create(kRabatOfficer2, person("d3", "fatima  EL-AMRANI"), Deadline(), &again)
          .ok());
  ASSERT_EQ(again.possible_duplicates_size(), 2);
  EXPECT_EQ(again.possible_duplicates(0).match(),
            consular::v1::DUPLICATE_MATCH_NAME_AND_BIRTH_DATE);
  EXPECT_EQ(again.possible_duplicates(0).reference(), at_rabat.reference());
  EXPECT_EQ(again.possible_duplicates(1).handling_unit(), "LKHA");
  EXPECT_EQ(again.possible_duplicates(1).reference(), "");

  // On demand: by name and date, or by a case; the name alone matches a similar name too.
  consular::v1::FindPossibleDuplicatesRequest find;
  find.set_full_name("Fatma Al Amrani");
  consular::v1::FindPossibleDuplicatesResponse found;
  ASSERT_TRUE(manager_->FindPossibleDuplicates(kTunisOfficer, find, Deadline(), &found).ok());
  ASSERT_EQ(found.duplicates_size(), 3);
  for (const auto& d : found.duplicates()) {
    EXPECT_EQ(d.match(), consular::v1::DUPLICATE_MATCH_SIMILAR_NAME);
    EXPECT_EQ(d.reference(), "");
  }
  find.Clear();
  find.set_case_id(at_lkha.reference());
  ASSERT_TRUE(manager_->FindPossibleDuplicates(kLkha, find, Deadline(), &found).ok());
  ASSERT_EQ(found.duplicates_size(), 2);
  EXPECT_EQ(found.duplicates(0).handling_unit(), "RABAT");
  // Another person is no duplicate; bad requests name the field.
  find.Clear();
  find.set_full_name("Samira Benali");
  ASSERT_TRUE(manager_->FindPossibleDuplicates(kTunisOfficer, find, Deadline(), &found).ok());
  EXPECT_EQ(found.duplicates_size(), 0);
  find.set_case_id(at_lkha.id());
  const absl::Status both = manager_->FindPossibleDuplicates(kLkha, find, Deadline(), &found);
  EXPECT_EQ(both.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(both.message()).rfind("case_id: ", 0), 0u) << both;
  EXPECT_EQ(manager_->FindPossibleDuplicates(kPolicy, consular::v1::FindPossibleDuplicatesRequest(),
                                             Deadline(), &found)
                .code(),
            absl::StatusCode::kPermissionDenied);
  // Nothing of the names or dates is stored in plaintext beside the blind indexes.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases WHERE subject_sound_bidx IS NULL "
                             "OR subject_name_birth_bidx IS NULL"),
            "0");
}

// A manager elsewhere, called by the person in danger, finds her case by exact name and date of
// birth: only its reference and unit, recorded with the reason and flagged in the audit trail.
TEST_F(CaseManagerTest, TheEmergencySearchFindsACaseAtAnotherUnitAndIsFlagged) {
  clock_.Set(absl::Now());
  consular::v1::CreateCaseRequest create = NewCaseRequest("e-1");
  consular::v1::Date* born = create.mutable_case_()->mutable_subject()->mutable_date_of_birth();
  born->set_year(1991);
  born->set_month(11);
  born->set_day(23);
  Case c;
  ASSERT_TRUE(manager_->Create(kRabatOfficer, create, Deadline(), &c).ok());

  consular::v1::EmergencySearchRequest search;
  search.set_full_name("AMINA example");
  *search.mutable_date_of_birth() = *born;
  search.set_reason("She called the embassy in Tunis and is in danger");
  consular::v1::EmergencySearchResponse found;
  const std::string searches_before = Count("cases.emergency_searches");
  ASSERT_TRUE(manager_->EmergencySearch(kTunisManager, search, Deadline(), &found).ok());
  ASSERT_EQ(found.hits_size(), 1);
  EXPECT_EQ(found.hits(0).reference(), c.reference());
  EXPECT_EQ(found.hits(0).handling_unit(), "RABAT");
  EXPECT_EQ(db_->QueryScalar("SELECT concat_ws('|', action, case_id, outcome, emergency) FROM "
                             "audit.events ORDER BY id DESC LIMIT 1"),
            "CaseService.EmergencySearch|" + c.id() + "|OK|t");
  EXPECT_EQ(Count("cases.emergency_searches"), std::to_string(std::stoi(searches_before) + 1));
  // The reason's words are nowhere in the stored bytes; the one case found is recorded.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.emergency_searches WHERE "
                             "position(convert_to('danger', 'UTF8') in reason) > 0 "
                             "OR found_case_ids <> ARRAY['" + c.id() + "']::uuid[]"),
            "0");
  // The reference is enough to open emergency access.
  consular::v1::OpenEmergencyAccessRequest open;
  open.set_request_id("e-open");
  open.set_case_id(found.hits(0).reference());
  open.set_reason(search.reason());
  consular::v1::EmergencyAccess grant;
  ASSERT_TRUE(manager_->OpenEmergencyAccess(kTunisManager, open, Deadline(), &grant).ok());

  // Only the exact date finds her; a similar name does not.
  search.mutable_date_of_birth()->set_day(24);
  ASSERT_TRUE(manager_->EmergencySearch(kLkha, search, Deadline(), &found).ok());
  EXPECT_EQ(found.hits_size(), 0);
  *search.mutable_date_of_birth() = *born;
  search.set_full_name("Amina Exampel");
  ASSERT_TRUE(manager_->EmergencySearch(kLkha, search, Deadline(), &found).ok());
  EXPECT_EQ(found.hits_size(), 0);
  // An officer may not search, and the refusal is flagged too; a search needs its reason.
  search.set_full_name("Amina Example");
  EXPECT_EQ(manager_->EmergencySearch(kTunisOfficer, search, Deadline(), &found).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(db_->QueryScalar("SELECT concat_ws('|', action, outcome, emergency) FROM "
                             "audit.events ORDER BY id DESC LIMIT 1"),
            "CaseService.EmergencySearch|PERMISSION_DENIED|t");
  search.set_reason("urgent");
  const absl::Status short_reason =
      manager_->EmergencySearch(kTunisManager, search, Deadline(), &found);
  EXPECT_EQ(short_reason.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(short_reason.message()).rfind("reason: ", 0), 0u) << short_reason;
  search.set_reason("She called the embassy in Tunis and is in danger");
  search.clear_date_of_birth();
  const absl::Status no_date = manager_->EmergencySearch(kTunisManager, search, Deadline(), &found);
  EXPECT_EQ(std::string(no_date.message()).rfind("date_of_birth: ", 0), 0u) << no_date;
}

// The unit's deadline list warns, for every permit kind in cases.residence_permit_rules, at the
// weeks the rule names, most urgent first; shares about to end are on it too.
TEST_F(CaseManagerTest, TheResidencePermitWarningsAppearAtTheConfiguredWeeksForEachPermitKind) {
  clock_.Set(absl::Now());
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), absl::UTCTimeZone());
  const std::string rules = db_->QueryScalar(
      "SELECT string_agg(permit_kind || ':' || max_months_abroad || ':' || "
      "array_to_string(warn_weeks, '/'), ',' ORDER BY permit_kind) "
      "FROM cases.residence_permit_rules");
  ASSERT_EQ(rules,
            "PERMIT_KIND_ASYLUM_FIXED_TERM:6:8/4/1,PERMIT_KIND_ASYLUM_INDEFINITE:6:8/4/1,"
            "PERMIT_KIND_EU_FAMILY_MEMBER:6:8/4/1,PERMIT_KIND_EU_LONG_TERM_RESIDENT:12:8/4/1,"
            "PERMIT_KIND_REGULAR_FIXED_TERM:6:8/4/1,PERMIT_KIND_REGULAR_INDEFINITE:6:8/4/1");
  struct Rule {
    consular::v1::PermitKind kind;
    int months;
  };
  const std::vector<Rule> kinds = {{consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM, 6},
                                   {consular::v1::PERMIT_KIND_REGULAR_INDEFINITE, 6},
                                   {consular::v1::PERMIT_KIND_EU_LONG_TERM_RESIDENT, 12},
                                   {consular::v1::PERMIT_KIND_ASYLUM_FIXED_TERM, 6},
                                   {consular::v1::PERMIT_KIND_ASYLUM_INDEFINITE, 6},
                                   {consular::v1::PERMIT_KIND_EU_FAMILY_MEMBER, 6}};
  // days left -> the warning expected (-1: not listed within the default eight weeks).
  const std::vector<std::pair<int, int>> days = {{60, -1}, {56, 8}, {28, 4}, {7, 1}, {-3, 0}};
  std::map<std::string, std::pair<int, int>> expected;  // reference -> (days left, warning)
  int n = 0;
  for (const Rule& rule : kinds) {
    for (const auto& [left_days, warning] : days) {
      consular::v1::CreateCaseRequest create = NewCaseRequest("dl-" + std::to_string(n++));
      consular::v1::AbandonmentDetails* a = create.mutable_case_()->mutable_abandonment();
      a->set_residence_permit_kind(rule.kind);
      *a->mutable_left_netherlands_on() =
          DateFromCivilDay(AddMonths(today + left_days, -rule.months));
      Case c;
      const absl::Status status = manager_->Create(kRabatOfficer, create, Deadline(), &c);
      ASSERT_TRUE(status.ok()) << status;
      if (warning >= 0) expected[c.reference()] = {left_days, warning};
    }
  }
  // A case of another post, and one whose person is back, are not on RABAT's list.
  consular::v1::CreateCaseRequest elsewhere = NewCaseRequest("dl-tunis");
  elsewhere.mutable_case_()->mutable_abandonment()->set_residence_permit_kind(
      consular::v1::PERMIT_KIND_REGULAR_FIXED_TERM);
  consular::v1::Date* left = elsewhere.mutable_case_()->mutable_abandonment()
                                 ->mutable_left_netherlands_on();
  *left = DateFromCivilDay(today - 200);
  Case tunis_case;
  ASSERT_TRUE(manager_->Create(kTunisOfficer, elsewhere, Deadline(), &tunis_case).ok());
  consular::v1::CreateCaseRequest back = elsewhere;
  back.set_request_id("dl-back");
  *back.mutable_case_()->mutable_abandonment()->mutable_returned_on() = *left;
  Case returned;
  ASSERT_TRUE(manager_->Create(kRabatOfficer, back, Deadline(), &returned).ok());

  consular::v1::ListDeadlinesResponse listed;
  ASSERT_TRUE(
      manager_->ListDeadlines(kRabatManager, consular::v1::ListDeadlinesRequest(), Deadline(),
                              &listed)
          .ok());
  ASSERT_EQ(listed.deadlines_size(), static_cast<int>(expected.size()));
  int previous = -1000;
  for (const consular::v1::Deadline& d : listed.deadlines()) {
    ASSERT_EQ(expected.count(d.reference()), 1u) << d.reference();
    const auto [left_days, warning] = expected[d.reference()];
    EXPECT_EQ(d.kind(), consular::v1::DEADLINE_KIND_PERMIT_ABSENCE);
    EXPECT_EQ(d.days_left(), left_days) << d.reference();
    EXPECT_EQ(d.warning_weeks(), warning) << d.reference() << " " << d.detail();
    EXPECT_EQ(d.passed(), left_days < 0);
    EXPECT_GE(d.days_left(), previous);  // most urgent first
    previous = d.days_left();
  }
  int eu_rules = 0;
  for (const consular::v1::Deadline& d : listed.deadlines()) {
    if (d.detail().find("12 consecutive months outside the EU") != std::string::npos) ++eu_rules;
  }
  EXPECT_EQ(eu_rules, 4);  // the EU long-term resident's four listed days name its rule

  // A share about to end is on the list of the unit that granted it and of the unit it went to.
  consular::v1::ShareCaseRequest share;
  share.set_request_id("dl-share");
  share.set_case_id(tunis_case.id());
  share.set_grantee("RABAT");
  share.set_access(consular::v1::SHARE_ACCESS_READ);
  share.set_legal_basis("Art. 6(1)(e) GDPR");
  *share.mutable_expires_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(clock_.Now() + absl::Hours(24 * 3)));
  consular::v1::CaseShare granted;
  ASSERT_TRUE(manager_->Share(kTunisOfficer, share, Deadline(), &granted).ok());
  ASSERT_TRUE(manager_->ListDeadlines(kTunisOfficer, consular::v1::ListDeadlinesRequest(),
                                      Deadline(), &listed)
                  .ok());
  ASSERT_EQ(listed.deadlines_size(), 2);  // TUNIS's own (passed) permit clock, then the share
  EXPECT_EQ(listed.deadlines(0).kind(), consular::v1::DEADLINE_KIND_PERMIT_ABSENCE);
  EXPECT_TRUE(listed.deadlines(0).passed());
  EXPECT_EQ(listed.deadlines(1).kind(), consular::v1::DEADLINE_KIND_SHARE_EXPIRY);
  EXPECT_EQ(listed.deadlines(1).share_id(), granted.id());
  EXPECT_EQ(listed.deadlines(1).warning_weeks(), 1);

  consular::v1::ListDeadlinesRequest bad;
  bad.set_within_days(-1);
  const absl::Status status = manager_->ListDeadlines(kRabatOfficer, bad, Deadline(), &listed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()).rfind("within_days: ", 0), 0u) << status;
  EXPECT_EQ(manager_->ListDeadlines(kPolicy, consular::v1::ListDeadlinesRequest(), Deadline(),
                                    &listed)
                .code(),
            absl::StatusCode::kPermissionDenied);
}

// The children and the husband are on the case, encrypted with it; the code word that proves it
// is her on the line is never shown unless asked for, and asking is audited.
TEST_F(CaseManagerTest, PersonsAreKeptWithTheCaseAndTheCodeWordOnlyOnRequest) {
  consular::v1::CreateCaseRequest create = NewCaseRequest("p-1");
  consular::v1::Person* child = create.mutable_case_()->add_persons();
  child->set_role(consular::v1::PERSON_ROLE_CHILD);
  child->set_full_name("Yasmine Example");
  child->mutable_date_of_birth()->set_year(2019);
  child->mutable_date_of_birth()->set_month(5);
  child->mutable_date_of_birth()->set_day(4);
  child->set_with_subject(true);
  consular::v1::Person* husband = create.mutable_case_()->add_persons();
  husband->set_role(consular::v1::PERSON_ROLE_PERPETRATOR);
  husband->set_full_name("Karim Example");
  husband->set_do_not_contact(true);
  husband->set_note("Holds her passport");
  create.mutable_case_()->mutable_safety()->set_code_word("jasmine");
  Case created;
  ASSERT_TRUE(manager_->Create(kRabatOfficer, create, Deadline(), &created).ok());
  ASSERT_EQ(created.persons_size(), 2);
  EXPECT_EQ(created.persons(0).id().size(), 36u);
  EXPECT_NE(created.persons(0).id(), created.persons(1).id());
  EXPECT_TRUE(created.persons(1).do_not_contact());
  EXPECT_EQ(created.safety().code_word(), "");
  EXPECT_TRUE(created.safety().has_code_word());
  // Neither the persons nor the code word are stored in plaintext.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases WHERE personal::text LIKE "
                             "'%' || encode('Karim', 'hex') || '%' OR personal::text LIKE "
                             "'%' || encode('jasmine', 'hex') || '%'"),
            "0");

  consular::v1::GetCaseRequest get;
  get.set_case_id(created.reference());
  Case read;
  ASSERT_TRUE(manager_->Get(kRabatOfficer2, get, Deadline(), &read).ok());
  EXPECT_EQ(read.safety().code_word(), "");
  EXPECT_EQ(read.persons(1).full_name(), "Karim Example");
  const std::string plain_read = LastAuditPurpose();
  get.set_reveal_code_word(true);
  ASSERT_TRUE(manager_->Get(kRabatOfficer2, get, Deadline(), &read).ok());
  EXPECT_EQ(read.safety().code_word(), "jasmine");
  EXPECT_EQ(LastAuditPurpose(), "casework; code word revealed");
  EXPECT_EQ(plain_read, "casework");  // an officer's read states no purpose: her role's usual one

  // Replacing all of safety keeps the code word nobody read back; persons keep their ids.
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("p-update");
  update.mutable_case_()->set_id(created.id());
  *update.mutable_case_()->mutable_safety() = created.safety();
  update.mutable_case_()->mutable_safety()->set_safe_contact_times("weekday mornings");
  *update.mutable_case_()->mutable_persons() = created.persons();
  consular::v1::Person* sister = update.mutable_case_()->add_persons();
  sister->set_role(consular::v1::PERSON_ROLE_TRUSTED_CONTACT);
  sister->set_full_name("Salma Example");
  update.mutable_update_mask()->add_paths("safety");
  update.mutable_update_mask()->add_paths("persons");
  update.set_reason("Her sister can be called");
  update.set_expected_version(created.version());
  Case updated;
  ASSERT_TRUE(manager_->Update(kRabatOfficer, update, Deadline(), &updated).ok());
  ASSERT_EQ(updated.persons_size(), 3);
  EXPECT_EQ(updated.persons(0).id(), created.persons(0).id());
  EXPECT_EQ(updated.persons(2).id().size(), 36u);
  EXPECT_TRUE(updated.safety().has_code_word());
  ASSERT_TRUE(manager_->Get(kRabatOfficer, get, Deadline(), &read).ok());
  EXPECT_EQ(read.safety().code_word(), "jasmine");

  // A new code word: the history says it changed, never what it was or became.
  update.Clear();
  update.set_request_id("p-code");
  update.mutable_case_()->set_id(created.id());
  update.mutable_case_()->mutable_safety()->set_code_word("olive");
  update.mutable_update_mask()->add_paths("safety.code_word");
  update.set_reason("She chose another word");
  update.set_expected_version(updated.version());
  ASSERT_TRUE(manager_->Update(kRabatOfficer, update, Deadline(), &updated).ok());
  consular::v1::ListCaseHistoryRequest history_request;
  history_request.set_case_id(created.id());
  history_request.set_field("safety.code_word");
  consular::v1::ListCaseHistoryResponse history;
  ASSERT_TRUE(manager_->ListHistory(kRabatOfficer, history_request, Deadline(), &history).ok());
  ASSERT_EQ(history.entries_size(), 1);
  EXPECT_TRUE(history.entries(0).changes(0).withheld());
  EXPECT_EQ(history.entries(0).changes(0).new_value(), "");

  // Bad persons name their field and change nothing.
  update.Clear();
  update.set_request_id("p-bad");
  update.mutable_case_()->set_id(created.id());
  update.mutable_case_()->add_persons()->set_role(consular::v1::PERSON_ROLE_CHILD);
  update.mutable_update_mask()->add_paths("persons");
  update.set_expected_version(updated.version());
  const std::string before = Footprint();
  const absl::Status nameless = manager_->Update(kRabatOfficer, update, Deadline(), &read);
  EXPECT_EQ(nameless.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(nameless.message()).rfind("case.persons[0].full_name: ", 0), 0u)
      << nameless;
  update.mutable_case_()->mutable_persons(0)->set_full_name("Twice");
  update.mutable_case_()->mutable_persons(0)->set_id(created.persons(0).id());
  *update.mutable_case_()->add_persons() = update.case_().persons(0);
  const absl::Status twice = manager_->Update(kRabatOfficer, update, Deadline(), &read);
  EXPECT_EQ(std::string(twice.message()).rfind("case.persons[1].id: ", 0), 0u) << twice;
  EXPECT_EQ(Footprint(), before);
}

// Her passport is with her husband, the child's emergency travel document is issued, and the way
// home is planned with a consular loan; bad documents and loans name their field.
TEST_F(CaseManagerTest, DocumentsAndTheWayHomeAreRecordedAndChecked) {
  consular::v1::CreateCaseRequest create = NewCaseRequest("doc-1");
  consular::v1::Person* child = create.mutable_case_()->add_persons();
  child->set_role(consular::v1::PERSON_ROLE_CHILD);
  child->set_full_name("Yasmine Example");
  Case created;
  ASSERT_TRUE(manager_->Create(kRabatOfficer, create, Deadline(), &created).ok());

  consular::v1::UpdateCaseRequest update;
  update.set_request_id("doc-2");
  update.mutable_case_()->set_id(created.id());
  consular::v1::TravelDocument* passport = update.mutable_case_()->add_documents();
  passport->set_type(consular::v1::TRAVEL_DOCUMENT_TYPE_PASSPORT);
  passport->set_number("NX1234567");
  passport->set_status(consular::v1::DOCUMENT_STATUS_WITHHELD);
  passport->set_withheld_by("her husband");
  consular::v1::TravelDocument* etd = update.mutable_case_()->add_documents();
  etd->set_type(consular::v1::TRAVEL_DOCUMENT_TYPE_EMERGENCY_TRAVEL_DOCUMENT);
  etd->set_holder_person_id(created.persons(0).id());
  etd->set_status(consular::v1::DOCUMENT_STATUS_HELD_BY_PERSON);
  etd->mutable_expires_on()->set_year(2026);
  etd->mutable_expires_on()->set_month(8);
  etd->mutable_expires_on()->set_day(1);
  consular::v1::ReturnPlan* plan = update.mutable_case_()->mutable_abandonment()->mutable_return_plan();
  plan->set_route("Nador - Amsterdam, KL 1234");
  plan->set_funding(consular::v1::RETURN_FUNDING_CONSULAR_LOAN);
  plan->set_loan_amount_cents(45000);
  plan->set_reception_arranged(true);
  update.mutable_update_mask()->add_paths("documents");
  update.mutable_update_mask()->add_paths("abandonment.return_plan");
  update.set_expected_version(created.version());
  Case updated;
  const absl::Status ok = manager_->Update(kRabatOfficer, update, Deadline(), &updated);
  ASSERT_TRUE(ok.ok()) << ok;
  ASSERT_EQ(updated.documents_size(), 2);
  EXPECT_EQ(updated.documents(0).id().size(), 36u);
  EXPECT_EQ(updated.abandonment().return_plan().loan_amount_cents(), 45000);

  // One field of the plan changes; the history has its old and new value.
  consular::v1::UpdateCaseRequest route;
  route.set_request_id("doc-3");
  route.mutable_case_()->set_id(created.id());
  route.mutable_case_()->mutable_abandonment()->mutable_return_plan()->set_route(
      "Nador - Brussels - Amsterdam");
  route.mutable_update_mask()->add_paths("abandonment.return_plan.route");
  route.set_expected_version(updated.version());
  ASSERT_TRUE(manager_->Update(kRabatOfficer, route, Deadline(), &updated).ok());
  EXPECT_EQ(updated.abandonment().return_plan().loan_amount_cents(), 45000);
  consular::v1::ListCaseHistoryRequest history_request;
  history_request.set_case_id(created.id());
  history_request.set_field("abandonment.return_plan.route");
  consular::v1::ListCaseHistoryResponse history;
  ASSERT_TRUE(manager_->ListHistory(kRabatOfficer, history_request, Deadline(), &history).ok());
  ASSERT_EQ(history.entries_size(), 2);
  EXPECT_EQ(history.entries(1).changes(0).old_value(), "Nador - Amsterdam, KL 1234");
  EXPECT_EQ(history.entries(1).changes(0).new_value(), "Nador - Brussels - Amsterdam");

  const std::string before = Footprint();
  const auto refused = [&](const std::string& field,
                           const std::function<void(consular::v1::UpdateCaseRequest*)>& spoil) {
    consular::v1::UpdateCaseRequest bad = update;
    bad.set_request_id("bad-" + field);
    bad.set_expected_version(updated.version());
    spoil(&bad);
    Case out;
    const absl::Status status = manager_->Update(kRabatOfficer, bad, Deadline(), &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_EQ(std::string(status.message()).rfind(field + ": ", 0), 0u) << status;
  };
  refused("case.documents[1].holder_person_id", [](consular::v1::UpdateCaseRequest* r) {
    r->mutable_case_()->mutable_documents(1)->set_holder_person_id(
        "00000000-0000-4000-8000-000000000000");
  });
  refused("case.documents[0].withheld_by", [](consular::v1::UpdateCaseRequest* r) {
    r->mutable_case_()->mutable_documents(0)->clear_withheld_by();
  });
  refused("case.abandonment.return_plan.loan_amount_cents", [](consular::v1::UpdateCaseRequest* r) {
    r->mutable_case_()->mutable_abandonment()->mutable_return_plan()->set_loan_amount_cents(0);
  });
  refused("case.abandonment.return_plan.loan_amount_cents", [](consular::v1::UpdateCaseRequest* r) {
    r->mutable_case_()->mutable_abandonment()->mutable_return_plan()->set_funding(
        consular::v1::RETURN_FUNDING_FAMILY);
  });
  EXPECT_EQ(Footprint(), before);
}

TEST_F(CaseManagerTest, ListFiltersAndPagesStably) {
  std::set<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    ids.insert(MustCreate(kRabatOfficer, "m" + std::to_string(i), i % 2 == 0 ? "MA" : "TR").id());
    clock_.Advance(absl::Hours(24));
  }
  consular::v1::ListCasesRequest list;
  list.set_country("MA");
  list.set_page_size(2);
  std::vector<Case> seen;
  for (int pages = 0; pages < 10; ++pages) {
    consular::v1::ListCasesResponse page;
    ASSERT_TRUE(manager_->List(kRabatOfficer, list, Deadline(), &page).ok());
    for (const Case& c : page.cases()) seen.push_back(c);
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  ASSERT_EQ(seen.size(), 4u);
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GT(seen[i - 1].opened_at().seconds(), seen[i].opened_at().seconds());
    EXPECT_EQ(seen[i].country(), "MA");
  }

  // A token is bound to its filters.
  list.set_country("TR");
  consular::v1::ListCasesResponse page;
  EXPECT_EQ(manager_->List(kRabatOfficer, list, Deadline(), &page).code(),
            absl::StatusCode::kInvalidArgument);

  consular::v1::ListCasesRequest by_date;
  by_date.mutable_opened_from()->set_year(2026);
  by_date.mutable_opened_from()->set_month(6);
  by_date.mutable_opened_from()->set_day(16);
  by_date.mutable_opened_to()->set_year(2026);
  by_date.mutable_opened_to()->set_month(6);
  by_date.mutable_opened_to()->set_day(17);
  ASSERT_TRUE(manager_->List(kRabatOfficer, by_date, Deadline(), &page).ok());
  EXPECT_EQ(page.cases_size(), 2);

  consular::v1::ListCasesRequest by_flag;
  by_flag.set_risk_flag(consular::v1::RISK_FLAG_PASSPORT_WITHHELD);
  by_flag.set_status(consular::v1::CASE_STATUS_INTAKE);
  by_flag.set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  ASSERT_TRUE(manager_->List(kRabatOfficer, by_flag, Deadline(), &page).ok());
  EXPECT_EQ(page.cases_size(), 7);
  by_flag.set_risk_flag(consular::v1::RISK_FLAG_FGM_RISK);
  ASSERT_TRUE(manager_->List(kRabatOfficer, by_flag, Deadline(), &page).ok());
  EXPECT_EQ(page.cases_size(), 0);
}

}  // namespace
}  // namespace consular::cases

namespace consular::cases {
namespace {

// The audit row written for the newest call: "action|case_id|outcome|actor|role|post".
std::string LastAudit(consular::testing::TestDatabase& db) {
  return db.QueryScalar(
      "SELECT concat_ws('|', action, COALESCE(case_id::text, ''), outcome, actor, actor_role, "
      "actor_post) FROM audit.events ORDER BY id DESC LIMIT 1");
}

TEST_F(CaseManagerTest, EveryCallLeavesOneAuditRowAllowedOrNot) {
  const Case created = MustCreate(kRabatOfficer, "r1");
  EXPECT_EQ(LastAudit(*db_),
            "CaseService.CreateCase|" + created.id() + "|OK|officer-rabat|CONSULAR_OFFICER|RABAT");
  const std::string rows_before = Count("audit.events");

  consular::v1::GetCaseRequest get;
  get.set_case_id(created.reference());
  Case read;
  ASSERT_TRUE(manager_->Get(kRabatOfficer2, get, Deadline(), &read).ok());
  EXPECT_EQ(LastAudit(*db_),
            "CaseService.GetCase|" + created.id() + "|OK|officer2-rabat|CONSULAR_OFFICER|RABAT");

  // Denied attempts are recorded too: another post's officer, by UUID and by reference.
  get.set_case_id(created.id());
  EXPECT_EQ(manager_->Get(kTunisOfficer, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(LastAudit(*db_), "CaseService.GetCase|" + created.id() +
                                 "|NOT_FOUND|officer-tunis|CONSULAR_OFFICER|TUNIS");
  get.set_case_id(created.reference());
  EXPECT_EQ(manager_->Get(kTunisOfficer, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(LastAudit(*db_), "CaseService.GetCase||NOT_FOUND|officer-tunis|CONSULAR_OFFICER|TUNIS");

  consular::v1::ListCasesResponse listed;
  EXPECT_EQ(manager_->List(kPolicy, {}, Deadline(), &listed).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(LastAudit(*db_), "CaseService.ListCases||PERMISSION_DENIED|policy-1|POLICY_STAFF|");

  // A rejected change and a note: still exactly one row per call.
  consular::v1::AddCaseNoteRequest note;
  note.set_request_id("n1");
  note.set_case_id(created.id());
  note.set_text("Spoke with the lawyer about Amina's passport");
  consular::v1::CaseNote added;
  ASSERT_TRUE(manager_->AddNote(kRabatOfficer, note, Deadline(), &added).ok());
  Case out;
  EXPECT_EQ(Transition(kRabatOfficer, created, consular::v1::CASE_STATUS_CLOSED, &out).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(LastAudit(*db_), "CaseService.TransitionCase|" + created.id() +
                                 "|FAILED_PRECONDITION|officer-rabat|CONSULAR_OFFICER|RABAT");
  EXPECT_EQ(std::stoi(Count("audit.events")), std::stoi(rows_before) + 6);

  // Never a name or a note text in the trail.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events e WHERE e::text ILIKE '%amina%' "
                             "OR e::text ILIKE '%lawyer%'"),
            "0");
}

// Sharing, referral and emergency access. Whether a share or grant is live is judged by the
// database clock, so these tests run on real time.

TEST_F(CaseManagerTest, LkhaOpensACaseAndRefersItToAPostKeepingReadAccess) {
  clock_.Set(absl::Now());
  const Case opened = MustCreate(kLkha, "l1");
  EXPECT_EQ(opened.handling_post(), "LKHA");
  EXPECT_EQ(opened.caller_access(), consular::v1::CASE_ACCESS_HANDLING);
  EXPECT_EQ(opened.assigned_to(), kLkha.subject);  // the one who opens it works it
  consular::v1::GetCaseRequest get;
  get.set_case_id(opened.reference());
  Case read;
  ASSERT_TRUE(manager_->Get(kLkha2, get, Deadline(), &read).ok());  // LKHA is one unit
  EXPECT_EQ(manager_->Get(kRabatOfficer, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);

  consular::v1::ReferCaseRequest refer;
  refer.set_request_id("refer-1");
  refer.set_case_id(opened.reference());
  refer.set_to_post("RABAT");
  refer.set_legal_basis("Referral to the post abroad");
  refer.set_expected_version(1);
  Case referred;
  ASSERT_TRUE(manager_->Refer(kLkha, refer, Deadline(), &referred).ok());
  // Until RABAT accepts, LKHA handles the case; the referral waits.
  EXPECT_EQ(referred.handling_post(), "LKHA");
  EXPECT_EQ(referred.version(), 2);
  EXPECT_EQ(referred.caller_access(), consular::v1::CASE_ACCESS_HANDLING);
  EXPECT_EQ(referred.pending_referral().to_unit(), "RABAT");
  EXPECT_EQ(referred.pending_referral().answer(), consular::v1::ANSWER_UNSPECIFIED);
  const std::string referral_id = referred.pending_referral().id();
  // A replay returns the same case and writes nothing more.
  Case replayed;
  const std::string shares_before = Count("cases.case_shares");
  ASSERT_TRUE(manager_->Refer(kLkha, refer, Deadline(), &replayed).ok());
  EXPECT_EQ(replayed.SerializeAsString(), referred.SerializeAsString());
  EXPECT_EQ(Count("cases.case_shares"), shares_before);
  // One referral at a time.
  refer.set_request_id("refer-again");
  refer.set_to_post("TUNIS");
  refer.set_expected_version(2);
  EXPECT_EQ(manager_->Refer(kLkha, refer, Deadline(), &referred).code(),
            absl::StatusCode::kFailedPrecondition);

  // RABAT reads the case to judge it and finds the referral in its inbox.
  ASSERT_TRUE(manager_->Get(kRabatOfficer, get, Deadline(), &read).ok());
  EXPECT_EQ(read.caller_access(), consular::v1::CASE_ACCESS_SHARED_READ);
  EXPECT_EQ(read.pending_referral().id(), referral_id);
  consular::v1::ListInboxResponse inbox;
  ASSERT_TRUE(manager_->ListInbox(kRabatManager, {}, Deadline(), &inbox).ok());
  ASSERT_EQ(inbox.items_size(), 1);
  EXPECT_EQ(inbox.items(0).kind(), consular::v1::INBOX_ITEM_KIND_REFERRAL_RECEIVED);
  EXPECT_EQ(inbox.items(0).item_id(), referral_id);
  EXPECT_EQ(inbox.items(0).case_reference(), opened.reference());
  EXPECT_EQ(inbox.items(0).from_unit(), "LKHA");
  EXPECT_TRUE(inbox.items(0).needs_answer());

  // Only a manager of RABAT answers it.
  consular::v1::AnswerReferralRequest answer;
  answer.set_request_id("accept-1");
  answer.set_referral_id(referral_id);
  answer.set_answer(consular::v1::ANSWER_ACCEPTED);
  consular::v1::Referral answered;
  EXPECT_EQ(manager_->AnswerReferral(kRabatOfficer, answer, Deadline(), &answered).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(manager_->AnswerReferral(kTunisManager, answer, Deadline(), &answered).code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(manager_->AnswerReferral(kRabatManager, answer, Deadline(), &answered).ok());
  EXPECT_EQ(answered.answer(), consular::v1::ANSWER_ACCEPTED);
  EXPECT_EQ(answered.answered_by(), kRabatManager.subject);
  answer.set_request_id("accept-2");
  EXPECT_EQ(manager_->AnswerReferral(kRabatManager, answer, Deadline(), &answered).code(),
            absl::StatusCode::kFailedPrecondition);

  // RABAT handles it now, nobody there works it yet; LKHA keeps reading it, and may no longer
  // change or refer it; LKHA's inbox has the answer.
  ASSERT_TRUE(manager_->Get(kRabatOfficer, get, Deadline(), &read).ok());
  EXPECT_EQ(read.caller_access(), consular::v1::CASE_ACCESS_HANDLING);
  EXPECT_EQ(read.handling_post(), "RABAT");
  EXPECT_EQ(read.assigned_to(), "");
  EXPECT_FALSE(read.has_pending_referral());
  ASSERT_TRUE(manager_->Get(kLkha2, get, Deadline(), &read).ok());
  EXPECT_EQ(read.caller_access(), consular::v1::CASE_ACCESS_SHARED_READ);
  ASSERT_TRUE(manager_->ListInbox(kLkha2, {}, Deadline(), &inbox).ok());
  ASSERT_EQ(inbox.items_size(), 1);
  EXPECT_EQ(inbox.items(0).kind(), consular::v1::INBOX_ITEM_KIND_REFERRAL_ANSWERED);
  EXPECT_EQ(inbox.items(0).answer(), consular::v1::ANSWER_ACCEPTED);
  EXPECT_FALSE(inbox.items(0).needs_answer());
  consular::v1::AddCaseNoteRequest note;
  note.set_request_id("n-lkha");
  note.set_case_id(opened.id());
  note.set_text("LKHA tries to write");
  consular::v1::CaseNote added;
  EXPECT_EQ(manager_->AddNote(kLkha, note, Deadline(), &added).code(),
            absl::StatusCode::kPermissionDenied);
  note.set_request_id("n-rabat");
  EXPECT_TRUE(manager_->AddNote(kRabatOfficer, note, Deadline(), &added).ok());
  refer.set_request_id("refer-2");
  refer.set_to_post("TUNIS");
  refer.set_expected_version(3);
  EXPECT_EQ(manager_->Refer(kLkha, refer, Deadline(), &referred).code(),
            absl::StatusCode::kPermissionDenied);
  // Officers do not refer, even their own post's cases.
  refer.set_request_id("refer-3");
  EXPECT_EQ(manager_->Refer(kRabatOfficer, refer, Deadline(), &referred).code(),
            absl::StatusCode::kPermissionDenied);

  // The kept share (RABAT's view while it judged the case is spent) and the timeline.
  consular::v1::ListSharesRequest list;
  list.set_case_id(opened.id());
  consular::v1::ListSharesResponse shares;
  ASSERT_TRUE(manager_->ListShares(kRabatOfficer, list, Deadline(), &shares).ok());
  ASSERT_EQ(shares.shares_size(), 1);
  EXPECT_EQ(shares.shares(0).grantee(), "LKHA");
  EXPECT_EQ(shares.shares(0).access(), consular::v1::SHARE_ACCESS_READ);
  EXPECT_EQ(shares.shares(0).legal_basis(), "Referral to the post abroad");
  EXPECT_EQ(shares.shares(0).granted_by(), kRabatManager.subject);
  EXPECT_TRUE(shares.shares(0).active());
  EXPECT_FALSE(shares.shares(0).has_expires_at());
  consular::v1::ListCaseEventsRequest events_request;
  events_request.set_case_id(opened.id());
  consular::v1::ListCaseEventsResponse events;
  ASSERT_TRUE(manager_->ListEvents(kLkha, events_request, Deadline(), &events).ok());
  ASSERT_EQ(events.events_size(), 4);
  EXPECT_EQ(events.events(1).type(), consular::v1::CASE_EVENT_TYPE_REFERRAL_PROPOSED);
  EXPECT_EQ(events.events(1).referral_id(), referral_id);
  EXPECT_EQ(events.events(2).type(), consular::v1::CASE_EVENT_TYPE_REFERRED);
  EXPECT_EQ(events.events(2).from_unit(), "LKHA");
  EXPECT_EQ(events.events(2).to_unit(), "RABAT");
  EXPECT_EQ(events.events(2).share_id(), shares.shares(0).id());
  EXPECT_EQ(events.events(2).case_version(), 3);
}

// A post may decline a referral, with a reason: the referring unit keeps the case, the post's
// view of it ends, and the answer reaches the referring unit's inbox.
TEST_F(CaseManagerTest, ADeclinedReferralLeavesTheCaseWhereItWas) {
  clock_.Set(absl::Now());
  const Case opened = MustCreate(kLkha, "d1");
  consular::v1::ReferCaseRequest refer;
  refer.set_request_id("d-refer");
  refer.set_case_id(opened.id());
  refer.set_to_post("TUNIS");
  refer.set_legal_basis("Referral to the post abroad");
  refer.set_expected_version(1);
  Case referred;
  ASSERT_TRUE(manager_->Refer(kLkha, refer, Deadline(), &referred).ok());
  consular::v1::AnswerReferralRequest answer;
  answer.set_request_id("d-answer");
  answer.set_referral_id(referred.pending_referral().id());
  answer.set_answer(consular::v1::ANSWER_DECLINED);
  consular::v1::Referral answered;
  const std::string before = Footprint();
  const absl::Status no_reason =
      manager_->AnswerReferral(kTunisManager, answer, Deadline(), &answered);
  EXPECT_EQ(no_reason.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(no_reason.message()).rfind("reason: ", 0), 0u) << no_reason;
  EXPECT_EQ(Footprint(), before);
  answer.set_reason("She lives in our colleagues' district: Casablanca");
  const absl::Status declined = manager_->AnswerReferral(kTunisManager, answer, Deadline(), &answered);
  ASSERT_TRUE(declined.ok()) << declined;
  EXPECT_EQ(answered.answer(), consular::v1::ANSWER_DECLINED);

  consular::v1::GetCaseRequest get;
  get.set_case_id(opened.id());
  Case read;
  EXPECT_EQ(manager_->Get(kTunisOfficer, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(manager_->Get(kLkha2, get, Deadline(), &read).ok());
  EXPECT_EQ(read.handling_post(), "LKHA");
  EXPECT_EQ(read.caller_access(), consular::v1::CASE_ACCESS_HANDLING);
  EXPECT_FALSE(read.has_pending_referral());
  consular::v1::ListInboxResponse inbox;
  ASSERT_TRUE(manager_->ListInbox(kLkha2, {}, Deadline(), &inbox).ok());
  ASSERT_EQ(inbox.items_size(), 1);
  EXPECT_EQ(inbox.items(0).kind(), consular::v1::INBOX_ITEM_KIND_REFERRAL_ANSWERED);
  EXPECT_EQ(inbox.items(0).answer(), consular::v1::ANSWER_DECLINED);
  EXPECT_EQ(inbox.items(0).answer_reason(), "She lives in our colleagues' district: Casablanca");
  EXPECT_EQ(inbox.items(0).to_unit(), "TUNIS");
  // Referred anew, to the right post.
  refer.set_request_id("d-refer-2");
  refer.set_to_post("CASABLANCA");
  refer.set_expected_version(read.version());
  ASSERT_TRUE(manager_->Refer(kLkha, refer, Deadline(), &referred).ok());
  EXPECT_EQ(referred.pending_referral().to_unit(), "CASABLANCA");
}

// A share arrives in the grantee's inbox to be accepted or declined; the answer, and a later
// revocation by the handling unit, reach the other unit's inbox.
TEST_F(CaseManagerTest, SharesAreAnsweredAndRevocationsAreNotSilent) {
  clock_.Set(absl::Now());
  const Case opened = MustCreate(kRabatOfficer, "s1");
  consular::v1::ShareCaseRequest share;
  share.set_request_id("s-share");
  share.set_case_id(opened.id());
  share.set_grantee("TUNIS");
  share.set_access(consular::v1::SHARE_ACCESS_READ);
  share.set_legal_basis("Art. 6(1)(e) GDPR");
  consular::v1::CaseShare granted;
  ASSERT_TRUE(manager_->Share(kRabatOfficer, share, Deadline(), &granted).ok());
  EXPECT_EQ(granted.answer(), consular::v1::ANSWER_UNSPECIFIED);
  consular::v1::ListInboxResponse inbox;
  ASSERT_TRUE(manager_->ListInbox(kTunisOfficer, {}, Deadline(), &inbox).ok());
  ASSERT_EQ(inbox.items_size(), 1);
  EXPECT_EQ(inbox.items(0).kind(), consular::v1::INBOX_ITEM_KIND_SHARE_RECEIVED);
  EXPECT_TRUE(inbox.items(0).needs_answer());
  EXPECT_EQ(inbox.items(0).case_reference(), opened.reference());

  consular::v1::AnswerShareRequest answer;
  answer.set_request_id("s-answer");
  answer.set_share_id(granted.id());
  answer.set_answer(consular::v1::ANSWER_ACCEPTED);
  consular::v1::CaseShare answered;
  EXPECT_EQ(manager_->AnswerShare(kRabatOfficer, answer, Deadline(), &answered).code(),
            absl::StatusCode::kPermissionDenied);  // the granter does not answer for TUNIS
  ASSERT_TRUE(manager_->AnswerShare(kTunisOfficer, answer, Deadline(), &answered).ok());
  EXPECT_EQ(answered.answer(), consular::v1::ANSWER_ACCEPTED);
  EXPECT_TRUE(answered.active());
  ASSERT_TRUE(manager_->ListInbox(kRabatManager, {}, Deadline(), &inbox).ok());
  ASSERT_EQ(inbox.items_size(), 1);
  EXPECT_EQ(inbox.items(0).kind(), consular::v1::INBOX_ITEM_KIND_SHARE_ANSWERED);
  EXPECT_EQ(inbox.items(0).answer(), consular::v1::ANSWER_ACCEPTED);

  // RABAT ends the share: TUNIS, who can no longer see the case, is told which one.
  consular::v1::RevokeShareRequest revoke;
  revoke.set_request_id("s-revoke");
  revoke.set_share_id(granted.id());
  ASSERT_TRUE(manager_->RevokeShare(kRabatOfficer, revoke, Deadline(), &answered).ok());
  ASSERT_TRUE(manager_->ListInbox(kTunisOfficer, {}, Deadline(), &inbox).ok());
  bool told = false;
  for (const consular::v1::InboxItem& item : inbox.items()) {
    if (item.kind() != consular::v1::INBOX_ITEM_KIND_SHARE_REVOKED) continue;
    told = true;
    EXPECT_EQ(item.case_reference(), opened.reference());
    EXPECT_EQ(item.from_unit(), "RABAT");
    EXPECT_EQ(item.actor(), kRabatOfficer.subject);
  }
  EXPECT_TRUE(told);

  // A share declined (with a reason) ends at once; RABAT's inbox has the reason.
  share.set_request_id("s-share-2");
  ASSERT_TRUE(manager_->Share(kRabatOfficer, share, Deadline(), &granted).ok());
  answer.set_request_id("s-decline");
  answer.set_share_id(granted.id());
  answer.set_answer(consular::v1::ANSWER_DECLINED);
  answer.set_reason("Not our district");
  ASSERT_TRUE(manager_->AnswerShare(kTunisOfficer, answer, Deadline(), &answered).ok());
  EXPECT_FALSE(answered.active());
  EXPECT_EQ(answered.revoked_by_unit(), "TUNIS");
  consular::v1::GetCaseRequest get;
  get.set_case_id(opened.id());
  Case read;
  EXPECT_EQ(manager_->Get(kTunisOfficer, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(manager_->ListInbox(kRabatManager, {}, Deadline(), &inbox).ok());
  bool declined = false;
  for (const consular::v1::InboxItem& item : inbox.items()) {
    declined = declined || (item.kind() == consular::v1::INBOX_ITEM_KIND_SHARE_ANSWERED &&
                            item.answer() == consular::v1::ANSWER_DECLINED &&
                            item.answer_reason() == "Not our district");
  }
  EXPECT_TRUE(declined);
}

// The officer who opens a case works it; managers assign and reassign; an officer may take an
// unassigned case, not give one away; "my cases" are those assigned to the caller.
TEST_F(CaseManagerTest, CasesAreAssignedByManagersAndListedAsMine) {
  const Case mine = MustCreate(kRabatOfficer, "a1");
  const Case other = MustCreate(kRabatOfficer2, "a2");
  EXPECT_EQ(mine.assigned_to(), kRabatOfficer.subject);
  consular::v1::ListCasesRequest list;
  list.set_assigned_to_me(true);
  consular::v1::ListCasesResponse listed;
  ASSERT_TRUE(manager_->List(kRabatOfficer, list, Deadline(), &listed).ok());
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_EQ(listed.cases(0).id(), mine.id());

  consular::v1::AssignCaseRequest assign;
  assign.set_request_id("as-1");
  assign.set_case_id(other.reference());
  assign.set_assignee(kRabatOfficer.subject);
  assign.set_expected_version(other.version());
  Case assigned;
  const std::string before = Footprint();
  EXPECT_EQ(manager_->AssignCase(kRabatOfficer, assign, Deadline(), &assigned).code(),
            absl::StatusCode::kPermissionDenied);  // taken by a colleague
  EXPECT_EQ(manager_->AssignCase(kTunisManager, assign, Deadline(), &assigned).code(),
            absl::StatusCode::kNotFound);
  assign.set_assignee("officer rabat");
  EXPECT_EQ(manager_->AssignCase(kRabatManager, assign, Deadline(), &assigned).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Footprint(), before);
  assign.set_assignee(kRabatOfficer.subject);
  ASSERT_TRUE(manager_->AssignCase(kRabatManager, assign, Deadline(), &assigned).ok());
  EXPECT_EQ(assigned.assigned_to(), kRabatOfficer.subject);
  EXPECT_EQ(assigned.version(), other.version() + 1);
  ASSERT_TRUE(manager_->List(kRabatOfficer, list, Deadline(), &listed).ok());
  EXPECT_EQ(listed.cases_size(), 2);
  ASSERT_TRUE(manager_->List(kRabatOfficer2, list, Deadline(), &listed).ok());
  EXPECT_EQ(listed.cases_size(), 0);

  // Unassigned, then taken by an officer.
  assign.set_request_id("as-2");
  assign.set_assignee("");
  assign.set_expected_version(assigned.version());
  ASSERT_TRUE(manager_->AssignCase(kRabatManager, assign, Deadline(), &assigned).ok());
  consular::v1::ListCasesRequest nobody;
  nobody.set_unassigned(true);
  ASSERT_TRUE(manager_->List(kRabatManager, nobody, Deadline(), &listed).ok());
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_EQ(listed.cases(0).id(), other.id());
  assign.set_request_id("as-3");
  assign.set_assignee(kRabatOfficer2.subject);
  assign.set_expected_version(assigned.version());
  ASSERT_TRUE(manager_->AssignCase(kRabatOfficer2, assign, Deadline(), &assigned).ok());
  EXPECT_EQ(assigned.assigned_to(), kRabatOfficer2.subject);
  consular::v1::ListCaseEventsRequest events_request;
  events_request.set_case_id(other.id());
  consular::v1::ListCaseEventsResponse events;
  ASSERT_TRUE(manager_->ListEvents(kRabatOfficer, events_request, Deadline(), &events).ok());
  ASSERT_EQ(events.events_size(), 4);
  EXPECT_EQ(events.events(3).type(), consular::v1::CASE_EVENT_TYPE_ASSIGNED);
  EXPECT_EQ(events.events(3).assigned_to(), kRabatOfficer2.subject);
  list.set_unassigned(true);
  EXPECT_EQ(manager_->List(kRabatOfficer, list, Deadline(), &listed).code(),
            absl::StatusCode::kInvalidArgument);
}

// A case referred to a unit that does not exist could never be reached again: a referral names
// an active unit of the register, or is refused by field and changes nothing; the database
// refuses it a second time.
TEST_F(CaseManagerTest, AReferralToAUnitNotInTheRegisterIsRefusedAndChangesNothing) {
  clock_.Set(absl::Now());
  const Case opened = MustCreate(kLkha, "l-unit");
  consular::v1::ReferCaseRequest refer;
  refer.set_case_id(opened.reference());
  refer.set_legal_basis("Referral to the post abroad");
  refer.set_expected_version(1);
  const std::string before = Footprint() + "/" + Count("cases.case_shares");
  int i = 0;
  for (const std::string unit : {"RABATT", "KABUL"}) {
    refer.set_request_id(absl::StrCat("refer-bad-", i++));
    refer.set_to_post(unit);
    Case referred;
    const absl::Status status = manager_->Refer(kLkha, refer, Deadline(), &referred);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << unit << ": " << status;
    EXPECT_EQ(std::string(status.message()),
              absl::StrCat("to_post: ", unit, " is not an active unit of the register of units"));
  }
  EXPECT_EQ(Footprint() + "/" + Count("cases.case_shares"), before);
  consular::v1::GetCaseRequest get;
  get.set_case_id(opened.reference());
  Case read;
  ASSERT_TRUE(manager_->Get(kLkha2, get, Deadline(), &read).ok());
  EXPECT_EQ(read.handling_post(), "LKHA");
  EXPECT_EQ(read.version(), 1);

  // The database's own wall, whatever the application does: no case moves to, and no share goes
  // to, a unit outside the register.
  EXPECT_THROW(db_->QueryScalar(absl::StrCat("UPDATE cases.cases SET handling_post = 'RABATT' "
                                             "WHERE id = '",
                                             opened.id(), "' RETURNING 1")),
               std::exception);
  EXPECT_THROW(
      db_->QueryScalar(absl::StrCat(
          "INSERT INTO cases.case_shares (id, case_id, grantee_unit, access, legal_basis, "
          "granted_by, granted_by_unit, granted_at) VALUES (gen_random_uuid(), '",
          opened.id(), "', 'KABUL', 'READ', 'x', 'lkha-1', 'LKHA', now()) RETURNING 1")),
      std::exception);
  EXPECT_EQ(Count("cases.case_shares"), "0");

  // To a unit of the register, it goes.
  refer.set_request_id("refer-good");
  refer.set_to_post("CASABLANCA");
  Case referred;
  ASSERT_TRUE(manager_->Refer(kLkha, refer, Deadline(), &referred).ok());
  EXPECT_EQ(referred.pending_referral().to_unit(), "CASABLANCA");
}

// A token is only as good as its post: one for a post that is not in the register (a typo in the
// identity provider) or that was closed opens, reads and writes nothing.
TEST_F(CaseManagerTest, ATokenForAPostOutsideTheRegisterIsUnauthenticated) {
  clock_.Set(absl::Now());
  const Case rabat = MustCreate(kRabatOfficer, "r-unit");
  const std::string before = Footprint();
  for (const std::string post : {"RABATT", "KABUL"}) {
    SCOPED_TRACE(post);
    const Identity who{"officer-x", consular::v1::ROLE_CONSULAR_OFFICER, post};
    Case out;
    absl::Status status = manager_->Create(who, NewCaseRequest("x-create-" + post, "MA"),
                                           Deadline(), &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
    EXPECT_EQ(std::string(status.message()),
              absl::StrCat("the token's post ", post,
                           " is not an active unit of the register of units"));
    consular::v1::ListCasesRequest list;
    consular::v1::ListCasesResponse listed;
    EXPECT_EQ(manager_->List(who, list, Deadline(), &listed).code(),
              absl::StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(Footprint(), before);
  // The filter by post: a unit of the register (closed ones too), else refused by field.
  consular::v1::ListCasesRequest list;
  consular::v1::ListCasesResponse listed;
  list.set_post("RABATT");
  const absl::Status status = manager_->List(kRabatOfficer, list, Deadline(), &listed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(std::string(status.message()),
            "post: RABATT is not a unit of the register of units");
  list.set_post("KABUL");
  ASSERT_TRUE(manager_->List(kRabatOfficer, list, Deadline(), &listed).ok());
  EXPECT_EQ(listed.cases_size(), 0);
  list.set_post("RABAT");
  ASSERT_TRUE(manager_->List(kRabatOfficer, list, Deadline(), &listed).ok());
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_EQ(listed.cases(0).id(), rabat.id());
}

TEST_F(CaseManagerTest, BadShareRequestsNameTheFieldAndWriteNothing) {
  clock_.Set(absl::Now());
  const Case c = MustCreate(kRabatOfficer, "r1");
  auto share = [&](const std::string& request_id) {
    consular::v1::ShareCaseRequest request;
    request.set_request_id(request_id);
    request.set_case_id(c.reference());
    request.set_grantee("LKHA");
    request.set_access(consular::v1::SHARE_ACCESS_READ_WRITE);
    request.set_legal_basis("Art. 6(1)(e) GDPR");
    *request.mutable_expires_at() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(clock_.Now()) +
                                                             86400);
    return request;
  };
  const std::string before = Footprint() + "/" + Count("cases.case_shares");
  struct Bad {
    std::string field;
    std::function<void(consular::v1::ShareCaseRequest*)> spoil;
  };
  const std::vector<Bad> bad = {
      {"grantee", [](auto* r) { r->set_grantee("lkha"); }},
      {"grantee", [](auto* r) { r->clear_grantee(); }},
      {"grantee", [](auto* r) { r->set_grantee("RABAT"); }},  // the handling unit itself
      {"grantee", [](auto* r) { r->set_grantee("TUNISS"); }},  // not in the register of units
      {"grantee", [](auto* r) { r->set_grantee("KABUL"); }},   // in it, but closed
      {"access", [](auto* r) { r->clear_access(); }},
      {"access", [](auto* r) { r->set_access(static_cast<consular::v1::ShareAccess>(9)); }},
      {"legal_basis", [](auto* r) { r->clear_legal_basis(); }},
      {"legal_basis", [](auto* r) { r->set_legal_basis(std::string(301, 'x')); }},
      {"expires_at",
       [&](auto* r) {
         *r->mutable_expires_at() =
             google::protobuf::util::TimeUtil::SecondsToTimestamp(
                 absl::ToUnixSeconds(clock_.Now()) - 60);
       }},
      {"case_id", [](auto* r) { r->set_case_id("not a case"); }},
  };
  int i = 0;
  for (const Bad& b : bad) {
    consular::v1::ShareCaseRequest request = share("bad-" + std::to_string(i++));
    b.spoil(&request);
    consular::v1::CaseShare out;
    const absl::Status status = manager_->Share(kRabatOfficer, request, Deadline(), &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << b.field << ": " << status;
    EXPECT_EQ(std::string(status.message()).rfind(b.field + ": ", 0), 0u) << status.message();
  }
  EXPECT_EQ(Footprint() + "/" + Count("cases.case_shares"), before);

  // A good share, its replay, and a second live share to the same grantee.
  consular::v1::CaseShare first;
  ASSERT_TRUE(manager_->Share(kRabatOfficer, share("good"), Deadline(), &first).ok());
  EXPECT_EQ(first.grantee(), "LKHA");
  EXPECT_EQ(first.case_reference(), c.reference());
  EXPECT_TRUE(first.active());
  consular::v1::CaseShare again;
  ASSERT_TRUE(manager_->Share(kRabatOfficer, share("good"), Deadline(), &again).ok());
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(Count("cases.case_shares"), "1");
  const absl::Status twice = manager_->Share(kRabatOfficer, share("other"), Deadline(), &again);
  EXPECT_EQ(twice.code(), absl::StatusCode::kAlreadyExists) << twice;
  EXPECT_NE(std::string(twice.message()).find(first.id()), std::string::npos);
  EXPECT_EQ(Count("cases.case_shares"), "1");

  // Revoked: gone for LKHA on the next call, and a second revocation is refused.
  consular::v1::RevokeShareRequest revoke;
  revoke.set_request_id("revoke");
  revoke.set_share_id(first.id());
  consular::v1::CaseShare revoked;
  ASSERT_TRUE(manager_->RevokeShare(kRabatOfficer, revoke, Deadline(), &revoked).ok());
  EXPECT_FALSE(revoked.active());
  EXPECT_EQ(revoked.revoked_by(), kRabatOfficer.subject);
  revoke.set_request_id("revoke-again");
  EXPECT_EQ(manager_->RevokeShare(kRabatOfficer, revoke, Deadline(), &revoked).code(),
            absl::StatusCode::kFailedPrecondition);
  consular::v1::GetCaseRequest get;
  get.set_case_id(c.id());
  Case read;
  EXPECT_EQ(manager_->Get(kLkha, get, Deadline(), &read).code(), absl::StatusCode::kNotFound);
  // Now LKHA may be granted again.
  EXPECT_TRUE(manager_->Share(kRabatOfficer, share("third"), Deadline(), &again).ok());
}

TEST_F(CaseManagerTest, EmergencyAccessNeedsAReasonAndABoundedTime) {
  clock_.Set(absl::Now());
  const Case c = MustCreate(kRabatOfficer, "r1");
  consular::v1::OpenEmergencyAccessRequest open;
  open.set_request_id("e1");
  open.set_case_id(c.reference());
  open.set_reason("too short");
  consular::v1::EmergencyAccess grant;
  absl::Status status = manager_->OpenEmergencyAccess(kTunisManager, open, Deadline(), &grant);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()).rfind("reason: ", 0), 0u) << status;
  open.set_reason("The person called the embassy in Tunis and is in danger");
  open.set_minutes(481);
  status = manager_->OpenEmergencyAccess(kTunisManager, open, Deadline(), &grant);
  EXPECT_EQ(std::string(status.message()).rfind("minutes: ", 0), 0u) << status;
  EXPECT_EQ(Count("cases.emergency_access"), "0");

  open.set_minutes(0);
  ASSERT_TRUE(manager_->OpenEmergencyAccess(kTunisManager, open, Deadline(), &grant).ok());
  EXPECT_EQ(grant.case_id(), c.id());
  EXPECT_EQ(grant.handling_post(), "RABAT");
  EXPECT_EQ(grant.actor_unit(), "TUNIS");
  const int64_t lasts = grant.expires_at().seconds() - grant.opened_at().seconds();
  EXPECT_EQ(lasts, 60 * 60);
  // The reason is stored encrypted.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.emergency_access "
                             "WHERE position(convert_to('embassy', 'UTF8') in reason) > 0"),
            "0");
  // A second opening while the first lasts is refused, naming when it ends.
  open.set_request_id("e2");
  status = manager_->OpenEmergencyAccess(kTunisManager, open, Deadline(), &grant);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(std::string(status.message()).find("until"), std::string::npos) << status;
  // Calls through it are flagged in the audit trail.
  consular::v1::GetCaseRequest get;
  get.set_case_id(c.id());
  Case read;
  ASSERT_TRUE(manager_->Get(kTunisManager, get, Deadline(), &read).ok());
  EXPECT_EQ(read.caller_access(), consular::v1::CASE_ACCESS_EMERGENCY);
  EXPECT_EQ(db_->QueryScalar("SELECT string_agg(action || ':' || emergency::text || ':' || "
                             "COALESCE(purpose, ''), ',' ORDER BY id) FROM audit.events "
                             "WHERE actor = 'manager-tunis'"),
            "CaseService.OpenEmergencyAccess:true:emergency access,"
            "CaseService.OpenEmergencyAccess:true:emergency access,"
            "CaseService.OpenEmergencyAccess:true:emergency access,"
            "CaseService.OpenEmergencyAccess:true:emergency access,"
            "CaseService.GetCase:true:emergency access");
}

TEST_F(CaseManagerTest, ListFiltersAreValidatedLikeFields) {
  MustCreate(kRabatOfficer, "r1");
  consular::v1::ListCasesRequest request;
  consular::v1::ListCasesResponse out;
  for (const std::string& post : {std::string("RABATT'; DROP TABLE cases.cases; --"),
                                  std::string(40, 'A'), std::string("rabat"), std::string("-X")}) {
    request.set_post(post);
    const absl::Status status = manager_->List(kRabatOfficer, request, Deadline(), &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << post;
    EXPECT_EQ(std::string(status.message()).rfind("post:", 0), 0u) << status;
  }
  request.set_post("RABAT");
  ASSERT_TRUE(manager_->List(kRabatOfficer, request, Deadline(), &out).ok());
  EXPECT_EQ(out.cases_size(), 1);
  request.set_post("LKHA");
  ASSERT_TRUE(manager_->List(kRabatOfficer, request, Deadline(), &out).ok());
  EXPECT_EQ(out.cases_size(), 0);
}

// Replays obey today's access: a replay is a read of the stored response, so it is served only
// while the caller may still see the case, and its audit row names the case.

class ReplayTest : public CaseManagerTest {
 protected:
  // A RABAT case shared with LKHA (read and write) until `expires`; LKHA adds a note with request
  // id "lkha-note". Returns the case.
  Case SharedCaseWithLkhaNote(const google::protobuf::Timestamp* expires,
                              consular::v1::CaseNote* note, consular::v1::CaseShare* share) {
    clock_.Set(absl::Now());
    const Case c = MustCreate(kRabatOfficer, "c-1");
    consular::v1::ShareCaseRequest request;
    request.set_request_id("share-1");
    request.set_case_id(c.id());
    request.set_grantee("LKHA");
    request.set_access(consular::v1::SHARE_ACCESS_READ_WRITE);
    request.set_legal_basis("Art. 6(1)(e) GDPR");
    if (expires != nullptr) *request.mutable_expires_at() = *expires;
    EXPECT_TRUE(manager_->Share(kRabatOfficer, request, Deadline(), share).ok());
    EXPECT_TRUE(manager_->AddNote(kLkha, LkhaNote(c), Deadline(), note).ok());
    return c;
  }

  static consular::v1::AddCaseNoteRequest LkhaNote(const Case& c) {
    consular::v1::AddCaseNoteRequest request;
    request.set_request_id("lkha-note");
    request.set_case_id(c.id());
    request.set_text("Called the family in Nador; the passport is with the husband");
    return request;
  }

  // The last audit row's method, case id and status.
  std::string LastAuditRow() {
    return db_->QueryScalar(
        "SELECT concat_ws('|', action, COALESCE(case_id::text, ''), outcome) FROM audit.events "
        "ORDER BY id DESC LIMIT 1");
  }
};

TEST_F(ReplayTest, AReplayWhileStillSharedReturnsTheNoteAndNamesTheCase) {
  consular::v1::CaseNote note;
  consular::v1::CaseShare share;
  const Case c = SharedCaseWithLkhaNote(nullptr, &note, &share);
  const std::string footprint = Footprint();
  consular::v1::CaseNote replayed;
  ASSERT_TRUE(manager_->AddNote(kLkha, LkhaNote(c), Deadline(), &replayed).ok());
  EXPECT_EQ(replayed.SerializeAsString(), note.SerializeAsString());
  EXPECT_EQ(Footprint(), footprint);
  EXPECT_EQ(LastAuditRow(), "CaseService.AddCaseNote|" + c.id() + "|OK");
}

TEST_F(ReplayTest, AReplayAfterTheShareWasRevokedReturnsNoCase) {
  consular::v1::CaseNote note;
  consular::v1::CaseShare share;
  const Case c = SharedCaseWithLkhaNote(nullptr, &note, &share);
  consular::v1::RevokeShareRequest revoke;
  revoke.set_request_id("revoke-1");
  revoke.set_share_id(share.id());
  consular::v1::CaseShare revoked;
  ASSERT_TRUE(manager_->RevokeShare(kRabatOfficer, revoke, Deadline(), &revoked).ok());

  // Exactly what a fresh note would get: NOT_FOUND, and nothing of the note.
  consular::v1::AddCaseNoteRequest fresh = LkhaNote(c);
  fresh.set_request_id("lkha-note-2");
  consular::v1::CaseNote out;
  const absl::Status fresh_status = manager_->AddNote(kLkha, fresh, Deadline(), &out);
  EXPECT_EQ(fresh_status.code(), absl::StatusCode::kNotFound);
  const std::string footprint = Footprint();
  const absl::Status replay_status = manager_->AddNote(kLkha, LkhaNote(c), Deadline(), &out);
  EXPECT_EQ(replay_status, fresh_status);
  EXPECT_EQ(out.ByteSizeLong(), 0u);
  EXPECT_EQ(Footprint(), footprint);
  EXPECT_EQ(LastAuditRow(), "CaseService.AddCaseNote|" + c.id() + "|NOT_FOUND");
}

TEST_F(ReplayTest, AReplayAfterTheShareExpiredReturnsNoCase) {
  const google::protobuf::Timestamp expires =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
          absl::ToUnixMillis(absl::Now() + absl::Seconds(2)));
  consular::v1::CaseNote note;
  consular::v1::CaseShare share;
  const Case c = SharedCaseWithLkhaNote(&expires, &note, &share);
  ASSERT_FALSE(note.id().empty());
  // The database clock judges expiry: wait until it has passed there.
  for (int i = 0;
       i < 100 &&
       db_->QueryScalar("SELECT count(*) FROM cases.case_shares WHERE expires_at > now()") != "0";
       ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  consular::v1::CaseNote out;
  EXPECT_EQ(manager_->AddNote(kLkha, LkhaNote(c), Deadline(), &out).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(out.ByteSizeLong(), 0u);
  EXPECT_EQ(LastAuditRow(), "CaseService.AddCaseNote|" + c.id() + "|NOT_FOUND");
}

TEST_F(ReplayTest, TheSameSubjectUnderAnotherPostOrRoleGetsNoCase) {
  clock_.Set(absl::Now());
  const Case c = MustCreate(kRabatOfficer, "c-1");
  consular::v1::AddCaseNoteRequest request;
  request.set_request_id("note-1");
  request.set_case_id(c.id());
  request.set_text("First contact made");
  consular::v1::CaseNote note;
  ASSERT_TRUE(manager_->AddNote(kRabatOfficer, request, Deadline(), &note).ok());

  // The officer moved to TUNIS: the replay gets what a fresh call from TUNIS gets.
  const Identity moved{kRabatOfficer.subject, consular::v1::ROLE_CONSULAR_OFFICER, "TUNIS"};
  consular::v1::CaseNote out;
  EXPECT_EQ(manager_->AddNote(moved, request, Deadline(), &out).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(out.ByteSizeLong(), 0u);

  // The same subject as manager of RABAT still sees the case, but the record was made under
  // another role: it is not served.
  const Identity promoted{kRabatOfficer.subject, consular::v1::ROLE_POST_MANAGER, "RABAT"};
  const absl::Status status = manager_->AddNote(promoted, request, Deadline(), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(std::string(status.message()).rfind("request_id:", 0), 0u) << status;
  EXPECT_EQ(out.ByteSizeLong(), 0u);
  EXPECT_EQ(Count("cases.case_notes"), "1");

  // A create replayed from another post is refused without the case.
  Case created;
  const Identity moved_creator{kRabatOfficer.subject, consular::v1::ROLE_CONSULAR_OFFICER, "TUNIS"};
  const absl::Status create_status =
      manager_->Create(moved_creator, NewCaseRequest("c-1"), Deadline(), &created);
  EXPECT_EQ(create_status.code(), absl::StatusCode::kFailedPrecondition) << create_status;
  EXPECT_EQ(created.ByteSizeLong(), 0u);
  EXPECT_EQ(Count("cases.cases"), "1");
}

TEST_F(ReplayTest, ACreateReplayWritesItsAuditRowWithTheCase) {
  const Case c = MustCreate(kRabatOfficer, "c-1");
  const Case again = MustCreate(kRabatOfficer, "c-1");
  EXPECT_EQ(again.id(), c.id());
  EXPECT_EQ(LastAuditRow(), "CaseService.CreateCase|" + c.id() + "|OK");
}

}  // namespace
}  // namespace consular::cases

// The case service over real gRPC (in-process server on port 0) with a real PostgreSQL behind it:
// authentication, role checks, status mapping and back-pressure as a client sees them.
#include "services/cases/cases_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/common/test_crypto.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseService;

class CasesServiceTest : public ::testing::Test {
 protected:
  void StartServer(int workers, int queue_limit) {
    db_ = consular::testing::TestDatabase::Create();
    ASSERT_NE(db_, nullptr);
    keys_ = consular::testing::GenerateEcKeyPair();
    VerifierOptions options;
    options.public_key_pems = {keys_.public_pem};
    auto verifier = MakeJwtTokenVerifier(options);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = std::move(*verifier);
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 4});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    manager_ = std::make_unique<CaseManager>(runner_.get(), SystemClock(),
                                             field_keys_.crypto());
    workers_ = std::make_unique<WorkerPool>(workers, queue_limit);
    service_ = std::make_unique<CasesService>(manager_.get(),
                                              CallEnvironment{workers_.get(), verifier_.get()});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = CaseService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (workers_) workers_->Shutdown();
  }

  std::string Token(consular::v1::Role role, const std::string& post,
                    absl::Time issued_at = absl::Now()) {
    TokenClaims claims;
    claims.subject = "user-" + post;
    claims.role = role;
    claims.post = post;
    claims.ttl = absl::Hours(1);
    claims.now = issued_at;
    auto token = MintToken(keys_.private_pem, claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  static consular::v1::CreateCaseRequest NewCase(const std::string& request_id) {
    consular::v1::CreateCaseRequest request;
    request.set_request_id(request_id);
    Case* c = request.mutable_case_();
    c->set_type(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
    c->set_country("MA");
    c->mutable_subject()->set_full_name("Fatima Example");
    c->mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
    c->mutable_subject()->set_nationality_status(consular::v1::NATIONALITY_STATUS_DUTCH_ONLY);
    c->set_referral_source(consular::v1::REFERRAL_SOURCE_SELF);
    return request;
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  consular::testing::KeyPair keys_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto field_keys_;
  std::unique_ptr<CaseManager> manager_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<CasesService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<CaseService::Stub> stub_;
};

TEST_F(CasesServiceTest, EveryCallNeedsAValidToken) {
  StartServer(2, 16);
  Case out;
  consular::v1::GetCaseRequest get;
  get.set_case_id("ABN-2026-00001");
  EXPECT_EQ(stub_->GetCase(Context("").get(), get, &out).error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(stub_->GetCase(Context("not.a.token").get(), get, &out).error_code(),
            grpc::UNAUTHENTICATED);
  const std::string expired =
      Token(consular::v1::ROLE_CONSULAR_OFFICER, "RABAT", absl::Now() - absl::Hours(2));
  EXPECT_EQ(stub_->CreateCase(Context(expired).get(), NewCase("r1"), &out).error_code(),
            grpc::UNAUTHENTICATED);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases"), "0");
}

TEST_F(CasesServiceTest, PolicyStaffGetPermissionDeniedOnEveryCall) {
  StartServer(2, 16);
  const std::string officer = Token(consular::v1::ROLE_CONSULAR_OFFICER, "RABAT");
  Case created;
  ASSERT_TRUE(stub_->CreateCase(Context(officer).get(), NewCase("r1"), &created).ok());

  const std::string policy = Token(consular::v1::ROLE_POLICY_STAFF, "");
  Case c;
  consular::v1::GetCaseRequest get;
  get.set_case_id(created.id());
  consular::v1::ListCasesResponse listed;
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("u");
  update.mutable_case_()->set_id(created.id());
  update.mutable_update_mask()->add_paths("country");
  update.set_expected_version(1);
  consular::v1::TransitionCaseRequest transition;
  transition.set_request_id("t");
  transition.set_case_id(created.id());
  transition.set_target_status(consular::v1::CASE_STATUS_ACTIVE);
  transition.set_reason("r");
  transition.set_expected_version(1);
  consular::v1::AddCaseNoteRequest note;
  note.set_request_id("n");
  note.set_case_id(created.id());
  note.set_text("x");
  consular::v1::CaseNote added;
  consular::v1::ListCaseNotesRequest notes;
  notes.set_case_id(created.id());
  consular::v1::ListCaseNotesResponse note_list;
  consular::v1::ListCaseEventsRequest events;
  events.set_case_id(created.id());
  consular::v1::ListCaseEventsResponse event_list;

  const std::vector<grpc::Status> statuses = {
      stub_->CreateCase(Context(policy).get(), NewCase("p1"), &c),
      stub_->GetCase(Context(policy).get(), get, &c),
      stub_->ListCases(Context(policy).get(), {}, &listed),
      stub_->UpdateCase(Context(policy).get(), update, &c),
      stub_->TransitionCase(Context(policy).get(), transition, &c),
      stub_->AddCaseNote(Context(policy).get(), note, &added),
      stub_->ListCaseNotes(Context(policy).get(), notes, &note_list),
      stub_->ListCaseEvents(Context(policy).get(), events, &event_list),
  };
  for (size_t i = 0; i < statuses.size(); ++i) {
    EXPECT_EQ(statuses[i].error_code(), grpc::PERMISSION_DENIED) << "call " << i;
  }
}

TEST_F(CasesServiceTest, StatusCodesReachTheClientWithTheFieldName) {
  StartServer(2, 16);
  const std::string rabat = Token(consular::v1::ROLE_CONSULAR_OFFICER, "RABAT");
  const std::string tunis = Token(consular::v1::ROLE_CONSULAR_OFFICER, "TUNIS");
  Case created;
  ASSERT_TRUE(stub_->CreateCase(Context(rabat).get(), NewCase("r1"), &created).ok());
  EXPECT_EQ(created.reference().substr(0, 4), "DIV-");

  consular::v1::GetCaseRequest get;
  get.set_case_id(created.reference());
  Case read;
  ASSERT_TRUE(stub_->GetCase(Context(rabat).get(), get, &read).ok());
  EXPECT_EQ(read.subject().full_name(), "Fatima Example");
  EXPECT_EQ(stub_->GetCase(Context(tunis).get(), get, &read).error_code(), grpc::NOT_FOUND);

  auto bad = NewCase("r2");
  bad.mutable_case_()->mutable_subject()->mutable_date_of_birth()->set_year(2026);
  bad.mutable_case_()->mutable_subject()->mutable_date_of_birth()->set_month(2);
  bad.mutable_case_()->mutable_subject()->mutable_date_of_birth()->set_day(30);
  const grpc::Status status = stub_->CreateCase(Context(rabat).get(), bad, &read);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("case.subject.date_of_birth:", 0), 0u)
      << status.error_message();
}

// Every read carries a purpose: the one the call states in its metadata, else the role's usual
// one; an unknown purpose is refused before anything is read.
TEST_F(CasesServiceTest, TheStatedPurposeOfAReadIsInItsAuditRow) {
  StartServer(2, 16);
  const std::string rabat = Token(consular::v1::ROLE_POST_MANAGER, "RABAT");
  Case created;
  ASSERT_TRUE(stub_->CreateCase(Context(rabat).get(), NewCase("p1"), &created).ok());
  consular::v1::GetCaseRequest get;
  get.set_case_id(created.reference());
  Case read;
  auto supervision = Context(rabat);
  supervision->AddMetadata("x-access-purpose", "Supervision");
  ASSERT_TRUE(stub_->GetCase(supervision.get(), get, &read).ok());
  ASSERT_TRUE(stub_->GetCase(Context(rabat).get(), get, &read).ok());
  auto unknown = Context(rabat);
  unknown->AddMetadata("x-access-purpose", "curiosity");
  const grpc::Status refused = stub_->GetCase(unknown.get(), get, &read);
  EXPECT_EQ(refused.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message().rfind("x-access-purpose: ", 0), 0u) << refused.error_message();
  EXPECT_EQ(db_->QueryScalar("SELECT string_agg(action || '=' || COALESCE(purpose, ''), ',' "
                             "ORDER BY id) FROM audit.events"),
            "CaseService.CreateCase=casework,CaseService.GetCase=supervision,"
            "CaseService.GetCase=casework");
}

TEST_F(CasesServiceTest, AFullQueueAnswersResourceExhausted) {
  StartServer(/*workers=*/1, /*queue_limit=*/1);
  const std::string rabat = Token(consular::v1::ROLE_CONSULAR_OFFICER, "RABAT");
  Case created;
  ASSERT_TRUE(stub_->CreateCase(Context(rabat).get(), NewCase("r1"), &created).ok());

  // Hold the case row so the one worker blocks on it.
  pqxx::connection blocker(db_->dsn());
  pqxx::work lock_tx(blocker);
  lock_tx.exec("SELECT 1 FROM cases.cases FOR UPDATE");

  consular::v1::UpdateCaseRequest update;
  update.mutable_case_()->set_id(created.id());
  update.mutable_case_()->set_country("DZ");
  update.mutable_update_mask()->add_paths("country");
  update.set_expected_version(1);

  struct Call {
    std::unique_ptr<grpc::ClientContext> ctx;
    Case response;
    grpc::Status status;
    absl::Notification done;
  };
  auto start = [&](Call& call, const std::string& request_id) {
    call.ctx = Context(rabat);
    consular::v1::UpdateCaseRequest request = update;
    request.set_request_id(request_id);
    stub_->async()->UpdateCase(call.ctx.get(), &request, &call.response,
                               [&call](grpc::Status s) {
                                 call.status = std::move(s);
                                 call.done.Notify();
                               });
  };
  // The first call occupies the worker: wait until PostgreSQL shows it waiting for the lock.
  Call first;
  start(first, "first");
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {
    pqxx::connection probe(db_->dsn());
    pqxx::work tx(probe);
    waiting = tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND datname = current_database()")[0]
                  .as<int>() > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(waiting);

  // One more call fits the queue; the rest are turned away at once.
  constexpr int kExtra = 5;
  std::vector<Call> extra(kExtra);
  for (int i = 0; i < kExtra; ++i) start(extra[i], "extra-" + std::to_string(i));
  int exhausted = 0;
  for (Call& call : extra) {
    if (call.done.WaitForNotificationWithTimeout(absl::Seconds(2))) {
      EXPECT_EQ(call.status.error_code(), grpc::RESOURCE_EXHAUSTED) << call.status.error_message();
      ++exhausted;
    }
  }
  EXPECT_EQ(exhausted, kExtra - 1);

  lock_tx.abort();
  ASSERT_TRUE(first.done.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(first.status.ok()) << first.status.error_message();
  for (Call& call : extra) {
    ASSERT_TRUE(call.done.WaitForNotificationWithTimeout(absl::Seconds(20)));
  }
}

}  // namespace
}  // namespace consular::cases

#pragma once

// consular-stats over real gRPC (an in-process server on port 0) with PostgreSQL behind it and the
// case and contact services alongside, for the statistics service and talks-register tests:
// tokens of every role, cases and contacts written through the public API, and releases made the
// way an administrator makes them.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/cases.grpc.pb.h"
#include "consular/v1/contacts.grpc.pb.h"
#include "consular/v1/statistics.grpc.pb.h"
#include "services/cases/case_manager.h"
#include "services/cases/cases_service.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "services/contacts/contacts_manager.h"
#include "services/contacts/contacts_service.h"
#include "services/stats/rollups.h"
#include "services/stats/statistics_manager.h"
#include "services/stats/stats_service.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/common/test_crypto.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::stats::testing {

namespace v1 = consular::v1;

class StatsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    keys_ = consular::testing::GenerateEcKeyPair();
    VerifierOptions options;
    options.public_key_pems = {keys_.public_pem};
    auto verifier = MakeJwtTokenVerifier(options);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = std::move(*verifier);
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 4});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    const Clock& now = SystemClock();
    case_manager_ =
        std::make_unique<cases::CaseManager>(runner_.get(), SystemClock(), field_keys_.crypto());
    contacts_manager_ =
        std::make_unique<contacts::ContactsManager>(runner_.get(), now, field_keys_.crypto());
    stats_manager_ = std::make_unique<StatisticsManager>(runner_.get(), now, field_keys_.crypto(),
                                                         StatisticsSettings{});
    updater_ = std::make_unique<RollupUpdater>(runner_.get());
    workers_ = std::make_unique<WorkerPool>(2, 32);
    const CallEnvironment env{workers_.get(), verifier_.get()};
    cases_ = std::make_unique<cases::CasesService>(case_manager_.get(), env);
    contacts_ = std::make_unique<contacts::ContactServiceImpl>(contacts_manager_.get(), env);
    statistics_ = std::make_unique<StatisticsServiceImpl>(stats_manager_.get(), env);
    bilateral_ = std::make_unique<BilateralServiceImpl>(stats_manager_.get(), env);
    reports_ = std::make_unique<ReportServiceImpl>(stats_manager_.get(), env);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(cases_.get());
    builder.RegisterService(contacts_.get());
    builder.RegisterService(statistics_.get());
    builder.RegisterService(bilateral_.get());
    builder.RegisterService(reports_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                       grpc::InsecureChannelCredentials());
    case_stub_ = v1::CaseService::NewStub(channel);
    contact_stub_ = v1::ContactService::NewStub(channel);
    stats_stub_ = v1::StatisticsService::NewStub(channel);
    talk_stub_ = v1::BilateralService::NewStub(channel);
    report_stub_ = v1::ReportService::NewStub(channel);
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (workers_) workers_->Shutdown();
  }

  std::string Token(v1::Role role, const std::string& post) {
    TokenClaims claims;
    claims.subject = "user-" + v1::Role_Name(role) + "-" + post;
    claims.role = role;
    claims.post = post;
    claims.ttl = absl::Hours(1);
    claims.now = absl::Now();
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

  // Opens `n` abandonment cases in `country` through CaseService, as a Rabat officer.
  void OpenCases(int n, const std::string& country, std::vector<std::string>* ids = nullptr) {
    const std::string officer = Token(v1::ROLE_CONSULAR_OFFICER, "RABAT");
    for (int i = 0; i < n; ++i) {
      v1::CreateCaseRequest request;
      request.set_request_id("case-" + std::to_string(++created_));
      v1::Case* c = request.mutable_case_();
      c->set_type(v1::CASE_TYPE_ABANDONMENT);
      c->set_country(country);
      c->mutable_subject()->set_full_name("Person " + std::to_string(created_));
      c->mutable_subject()->set_sex(v1::SEX_FEMALE);
      c->mutable_subject()->set_nationality_status(v1::NATIONALITY_STATUS_DUAL);
      c->set_referral_source(v1::REFERRAL_SOURCE_SELF);
      v1::Case out;
      const grpc::Status status = case_stub_->CreateCase(Context(officer).get(), request, &out);
      ASSERT_TRUE(status.ok()) << status.error_message();
      if (ids != nullptr) ids->push_back(out.id());
    }
  }

  // Logs an ad-hoc contact (partner kind OTHER) on a case, as a Rabat officer.
  void LogContact(const std::string& case_id, const std::string& request_id) {
    v1::LogContactRequest r;
    r.set_request_id(request_id);
    r.mutable_contact()->set_case_id(case_id);
    r.mutable_contact()->mutable_ad_hoc()->set_name("Local lawyer");
    *r.mutable_contact()->mutable_occurred_at() =
        google::protobuf::util::TimeUtil::GetCurrentTime();
    r.mutable_contact()->set_channel(v1::CONTACT_CHANNEL_PHONE);
    r.mutable_contact()->set_direction(v1::CONTACT_DIRECTION_OUTGOING);
    r.mutable_contact()->set_purpose(v1::CONTACT_PURPOSE_LEGAL_ADVICE);
    r.mutable_contact()->set_outcome(v1::CONTACT_OUTCOME_HELP_AGREED);
    v1::Contact out;
    const grpc::Status status = contact_stub_->LogContact(
        Context(Token(v1::ROLE_CONSULAR_OFFICER, "RABAT")).get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Until nothing is pending (the horizon is cluster-wide: another test's transaction may hold
  // it back for a moment); then an administrator makes a release of the figures.
  void CatchUp() {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (true) {
      const absl::StatusOr<int64_t> applied = updater_->CatchUp();
      ASSERT_TRUE(applied.ok()) << applied.status();
      const absl::StatusOr<Freshness> fresh = updater_->CurrentFreshness();
      ASSERT_TRUE(fresh.ok()) << fresh.status();
      if (fresh->pending == 0 || absl::Now() > give_up) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    v1::CreateReleaseRequest request;
    request.set_request_id("release-" + std::to_string(++releases_));
    v1::Release made;
    const grpc::Status status = stats_stub_->CreateRelease(
        Context(Token(v1::ROLE_ADMINISTRATOR, "")).get(), request, &made);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(made.number(), releases_);
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  consular::testing::KeyPair keys_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto field_keys_;
  std::unique_ptr<cases::CaseManager> case_manager_;
  std::unique_ptr<contacts::ContactsManager> contacts_manager_;
  std::unique_ptr<StatisticsManager> stats_manager_;
  std::unique_ptr<RollupUpdater> updater_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<cases::CasesService> cases_;
  std::unique_ptr<contacts::ContactServiceImpl> contacts_;
  std::unique_ptr<StatisticsServiceImpl> statistics_;
  std::unique_ptr<BilateralServiceImpl> bilateral_;
  std::unique_ptr<ReportServiceImpl> reports_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::CaseService::Stub> case_stub_;
  std::unique_ptr<v1::ContactService::Stub> contact_stub_;
  std::unique_ptr<v1::StatisticsService::Stub> stats_stub_;
  std::unique_ptr<v1::BilateralService::Stub> talk_stub_;
  std::unique_ptr<v1::ReportService::Stub> report_stub_;
  int created_ = 0;
  int releases_ = 0;
};

}  // namespace consular::stats::testing

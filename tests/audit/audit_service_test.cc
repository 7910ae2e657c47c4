// The audit service over real gRPC (in-process server on port 0) with a real PostgreSQL behind it:
// who may call it, what it returns, and that every call is itself audited.
#include "services/audit/audit_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/audit_chain.h"
#include "storage/audit_verification.h"
#include "storage/audit_store.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/common/test_crypto.h"
#include "tests/support/test_database.h"

namespace consular::audit {
namespace {

using consular::v1::ListAuditEventsRequest;
using consular::v1::ListAuditEventsResponse;
using consular::v1::VerifyChainRequest;
using consular::v1::VerifyChainResponse;

constexpr char kCase[] = "0b7c1f3e-1d2a-4c5b-9e8f-1234567890ab";

class AuditServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    keys_ = consular::testing::GenerateEcKeyPair();
    VerifierOptions options;
    options.public_key_pems = {keys_.public_pem};
    auto verifier = MakeJwtTokenVerifier(options);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = std::move(*verifier);
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->dsn(), 4});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    manager_ = std::make_unique<AuditManager>(runner_.get(), SystemClock());
    workers_ = std::make_unique<WorkerPool>(2, 16);
    service_ = std::make_unique<AuditService>(manager_.get(),
                                              CallEnvironment{workers_.get(), verifier_.get()});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = consular::v1::AuditService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (workers_) workers_->Shutdown();
  }

  std::string Token(consular::v1::Role role, const std::string& post, const std::string& subject) {
    TokenClaims claims;
    claims.subject = subject;
    claims.role = role;
    claims.post = post;
    claims.ttl = absl::Hours(1);
    auto token = MintToken(keys_.private_pem, claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::string Auditor() { return Token(consular::v1::ROLE_AUDITOR, "", "auditor-1"); }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  // Records a case call as the case service will.
  void RecordCaseCall(const std::string& actor, const std::string& action,
                      const std::string& outcome, absl::Time when) {
    storage::AuditRecord record;
    record.actor = actor;
    record.actor_role = "CONSULAR_OFFICER";
    record.actor_post = "RABAT";
    record.action = action;
    record.case_id = kCase;
    record.purpose = "follow-up";
    record.outcome = outcome;
    record.occurred_at = when;
    const absl::Status status =
        runner_->Run(absl::Now() + absl::Seconds(10), [&](pqxx::transaction_base& tx) {
          storage::InsertAuditRecord(tx, record);
          return absl::OkStatus();
        });
    ASSERT_TRUE(status.ok()) << status;
  }

  void ChainAll() {
    storage::AuditSequencer sequencer(runner_.get());
    while (true) {
      absl::StatusOr<int> chained = sequencer.RunOnce();
      ASSERT_TRUE(chained.ok()) << chained.status();
      if (*chained == 0) return;
    }
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  consular::testing::KeyPair keys_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  std::unique_ptr<AuditManager> manager_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<AuditService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<consular::v1::AuditService::Stub> stub_;
};

TEST_F(AuditServiceTest, OnlyAuditorsMayCallAndEveryCallIsAudited) {
  const struct {
    consular::v1::Role role;
    const char* post;
  } kOthers[] = {
      {consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"}, {consular::v1::ROLE_POST_MANAGER, "RABAT"},
      {consular::v1::ROLE_LKHA_CASEWORKER, ""},       {consular::v1::ROLE_POLICY_STAFF, ""},
      {consular::v1::ROLE_ADMINISTRATOR, ""},
  };
  for (const auto& other : kOthers) {
    const std::string token = Token(other.role, other.post, "someone");
    ListAuditEventsResponse list;
    EXPECT_EQ(
        stub_->ListAuditEvents(Context(token).get(), ListAuditEventsRequest(), &list).error_code(),
        grpc::PERMISSION_DENIED)
        << RoleName(other.role);
    VerifyChainResponse verify;
    EXPECT_EQ(stub_->VerifyChain(Context(token).get(), VerifyChainRequest(), &verify).error_code(),
              grpc::PERMISSION_DENIED)
        << RoleName(other.role);
  }
  ListAuditEventsResponse list;
  EXPECT_EQ(stub_->ListAuditEvents(Context("").get(), ListAuditEventsRequest(), &list).error_code(),
            grpc::UNAUTHENTICATED);

  EXPECT_EQ(
      db_->QueryScalar("SELECT count(*) FROM audit.events WHERE outcome = 'PERMISSION_DENIED' "
                       "AND actor = 'someone'"),
      "10");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE action = "
                             "'AuditService.VerifyChain' AND actor_role = 'POLICY_STAFF'"),
            "1");

  // The auditor sees them all, including the denied attempts, and the own call is recorded too.
  ListAuditEventsRequest request;
  request.set_page_size(100);
  grpc::Status status = stub_->ListAuditEvents(Context(Auditor()).get(), request, &list);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(list.events_size(), 10);
  EXPECT_EQ(db_->QueryScalar("SELECT outcome FROM audit.events WHERE actor = 'auditor-1' AND "
                             "action = 'AuditService.ListAuditEvents'"),
            "OK");
  VerifyChainResponse verify;
  status = stub_->VerifyChain(Context(Auditor()).get(), VerifyChainRequest(), &verify);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(verify.ok());
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE actor = 'auditor-1'"), "2");
}

TEST_F(AuditServiceTest, ListsWithFiltersAndPages) {
  const absl::Time t0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01
  for (int i = 0; i < 7; ++i) {
    RecordCaseCall(i % 2 == 0 ? "officer-a" : "officer-b",
                   i % 3 == 0 ? "CaseService.UpdateCase" : "CaseService.GetCase",
                   i == 6 ? "NOT_FOUND" : "OK", t0 + absl::Hours(i));
  }
  ChainAll();

  ListAuditEventsRequest request;
  request.set_actor("officer-a");
  request.set_page_size(3);
  std::vector<consular::v1::AuditEvent> seen;
  for (int page = 0; page < 5; ++page) {
    ListAuditEventsResponse response;
    const grpc::Status status =
        stub_->ListAuditEvents(Context(Auditor()).get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& event : response.events()) seen.push_back(event);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  ASSERT_EQ(seen.size(), 4u);  // i = 6, 4, 2, 0
  EXPECT_EQ(seen[0].outcome(), "NOT_FOUND");
  EXPECT_EQ(seen[0].actor_role(), consular::v1::ROLE_CONSULAR_OFFICER);
  EXPECT_EQ(seen[0].actor_post(), "RABAT");
  EXPECT_EQ(seen[0].case_id(), kCase);
  EXPECT_EQ(seen[0].purpose(), "follow-up");
  EXPECT_GT(seen[0].chain_seq(), 0);
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToSeconds(seen[0].occurred_at()),
            absl::ToUnixSeconds(t0 + absl::Hours(6)));
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_LT(google::protobuf::util::TimeUtil::TimestampToSeconds(seen[i].occurred_at()),
              google::protobuf::util::TimeUtil::TimestampToSeconds(seen[i - 1].occurred_at()));
  }

  // A page token is bound to its filters.
  ListAuditEventsRequest other = request;
  other.set_actor("officer-b");
  ListAuditEventsResponse response;
  EXPECT_EQ(stub_->ListAuditEvents(Context(Auditor()).get(), other, &response).error_code(),
            grpc::INVALID_ARGUMENT);

  // Action and time range.
  ListAuditEventsRequest ranged;
  ranged.set_action("CaseService.UpdateCase");
  *ranged.mutable_since() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(t0 + absl::Hours(1)));
  *ranged.mutable_until() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(t0 + absl::Hours(6)));
  ASSERT_TRUE(stub_->ListAuditEvents(Context(Auditor()).get(), ranged, &response).ok());
  ASSERT_EQ(response.events_size(), 1);  // i = 3
  EXPECT_EQ(response.events(0).actor(), "officer-b");

  // Bad filters name the field, and are audited like any call.
  ListAuditEventsRequest bad;
  bad.set_case_id("case 1");
  const grpc::Status refused = stub_->ListAuditEvents(Context(Auditor()).get(), bad, &response);
  EXPECT_EQ(refused.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("case_id"), std::string::npos);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE actor = 'auditor-1' AND "
                             "outcome = 'INVALID_ARGUMENT'"),
            "2");

  // Filtering by case records whose trail the auditor read.
  ListAuditEventsRequest by_case;
  by_case.set_case_id(kCase);
  ASSERT_TRUE(stub_->ListAuditEvents(Context(Auditor()).get(), by_case, &response).ok());
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE actor = 'auditor-1' AND "
                             "outcome = 'OK' AND case_id IS NOT NULL"),
            "1");
}

// An auditor asked about a case by its reference finds its trail without reading the case.
TEST_F(AuditServiceTest, ACasesTrailIsFoundByItsReference) {
  // A case row as the constraints want it (its content is never read here).
  db_->QueryScalar(absl::StrCat(
      "INSERT INTO cases.cases (id, reference, case_type, status, handling_post, country, "
      "referral_source, subject_sex, subject_nationality_status, personal, subject_name_bidx, "
      "opened_at, updated_at, version) VALUES ('",
      kCase,
      "', 'ABN-2026-00042', 'CASE_TYPE_ABANDONMENT', 'CASE_STATUS_ACTIVE', 'RABAT', 'MA', "
      "'REFERRAL_SOURCE_SELF', 'SEX_FEMALE', 'NATIONALITY_STATUS_DUAL', "
      "'\\x01' || decode(repeat('00', 42), 'hex'), decode(repeat('00', 32), 'hex'), now(), "
      "now(), 1) RETURNING 1"));
  const absl::Time t0 = absl::FromUnixSeconds(1767225600);
  for (int i = 0; i < 3; ++i) {
    RecordCaseCall("officer-a", "CaseService.GetCase", "OK", t0 + absl::Hours(i));
  }
  ChainAll();
  for (const std::string reference : {"ABN-2026-00042", "abn-2026-00042"}) {
    SCOPED_TRACE(reference);
    ListAuditEventsRequest request;
    request.set_case_id(reference);
    request.set_action("CaseService.GetCase");  // not the look-ups, recorded against the case too
    ListAuditEventsResponse response;
    const grpc::Status status =
        stub_->ListAuditEvents(Context(Auditor()).get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.events_size(), 3);
    for (const auto& event : response.events()) EXPECT_EQ(event.case_id(), kCase);
  }
  // A name search that showed the case among its results is found by the case too, its returned
  // cases are in the chained row, and the chain verifies.
  storage::AuditRecord search;
  search.actor = "manager-b";
  search.actor_role = "POST_MANAGER";
  search.actor_post = "RABAT";
  search.action = "CaseService.SearchCases";
  search.purpose = "supervision";
  search.outcome = "OK";
  search.occurred_at = t0 + absl::Hours(5);
  search.returned_case_ids = {"11111111-2222-4333-8444-555555555555", kCase};
  ASSERT_TRUE(runner_
                  ->Run(absl::Now() + absl::Seconds(10),
                        [&](pqxx::transaction_base& tx) {
                          storage::InsertAuditRecord(tx, search);
                          return absl::OkStatus();
                        })
                  .ok());
  ChainAll();
  ListAuditEventsRequest searches;
  searches.set_case_id("ABN-2026-00042");
  searches.set_action("CaseService.SearchCases");
  ListAuditEventsResponse found;
  ASSERT_TRUE(stub_->ListAuditEvents(Context(Auditor()).get(), searches, &found).ok());
  ASSERT_EQ(found.events_size(), 1);
  EXPECT_EQ(found.events(0).actor(), "manager-b");
  EXPECT_EQ(found.events(0).purpose(), "supervision");
  EXPECT_EQ(found.events(0).case_id(), "");
  ASSERT_EQ(found.events(0).returned_case_ids_size(), 2);
  EXPECT_EQ(found.events(0).returned_case_ids(1), kCase);
  VerifyChainResponse verified;
  ASSERT_TRUE(
      stub_->VerifyChain(Context(Auditor()).get(), VerifyChainRequest(), &verified).ok());
  EXPECT_TRUE(verified.ok()) << verified.reason();
  // The auditor's look-ups are recorded against the case.
  EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT count(*) FROM audit.events WHERE actor = "
                                          "'auditor-1' AND outcome = 'OK' AND case_id = '",
                                          kCase, "'")),
            "3");
  ListAuditEventsRequest unknown;
  unknown.set_case_id("DIV-2026-00042");
  ListAuditEventsResponse response;
  const grpc::Status none = stub_->ListAuditEvents(Context(Auditor()).get(), unknown, &response);
  EXPECT_EQ(none.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(none.error_message(), "no case has reference DIV-2026-00042");
  // Others may not ask at all.
  EXPECT_EQ(stub_
                ->ListAuditEvents(
                    Context(Token(consular::v1::ROLE_POST_MANAGER, "RABAT", "manager-1")).get(),
                    unknown, &response)
                .error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(AuditServiceTest, VerifyReportsTheFirstBrokenRow) {
  const absl::Time t0 = absl::FromUnixSeconds(1767225600);
  for (int i = 0; i < 5; ++i) {
    RecordCaseCall("officer-a", "CaseService.GetCase", "OK", t0 + absl::Minutes(i));
  }
  ChainAll();
  VerifyChainResponse verify;
  ASSERT_TRUE(stub_->VerifyChain(Context(Auditor()).get(), VerifyChainRequest(), &verify).ok());
  EXPECT_TRUE(verify.ok()) << verify.reason();
  EXPECT_EQ(verify.watermark(), 5);
  EXPECT_EQ(verify.events_checked(), 5);
  EXPECT_EQ(verify.pending(), 0);
  EXPECT_EQ(verify.head_hash().size(), 64u);
  EXPECT_FALSE(verify.full());
  EXPECT_EQ(verify.verified_from_seq(), 1);
  EXPECT_EQ(verify.verified_watermark(), 5);
  EXPECT_FALSE(verify.has_last_full_verification());

  const std::string edited = db_->QueryScalar("SELECT event_id FROM audit.chain WHERE seq = 2");
  {
    pqxx::connection connection(db_->dsn());
    pqxx::nontransaction tx(connection);
    tx.exec("SET session_replication_role = replica");
    tx.exec(
        absl::StrCat("UPDATE audit.events SET outcome = 'PERMISSION_DENIED' WHERE id = ", edited));
  }
  // Row 2 lies before the verified watermark: the incremental verification does not recompute
  // it (it checks the anchor, row 5, and the rows after it: none).
  ASSERT_TRUE(stub_->VerifyChain(Context(Auditor()).get(), VerifyChainRequest(), &verify).ok());
  EXPECT_TRUE(verify.ok()) << verify.reason();
  EXPECT_EQ(verify.verified_from_seq(), 6);
  EXPECT_EQ(verify.events_checked(), 0);

  // The full verification does, names it, and leaves the watermark.
  VerifyChainRequest full;
  full.set_full(true);
  ASSERT_TRUE(stub_->VerifyChain(Context(Auditor()).get(), full, &verify).ok());
  EXPECT_FALSE(verify.ok());
  EXPECT_TRUE(verify.full());
  EXPECT_EQ(verify.verified_from_seq(), 1);
  EXPECT_EQ(verify.first_broken_seq(), 2);
  EXPECT_EQ(std::to_string(verify.first_broken_event_id()), edited);
  EXPECT_FALSE(verify.reason().empty());
  EXPECT_EQ(verify.verified_watermark(), 5);
  EXPECT_FALSE(verify.has_last_full_verification());
  // The two verification calls before this one are pending now (nothing chains in this test).
  EXPECT_EQ(verify.pending(), 2);
  EXPECT_EQ(db_->QueryScalar("SELECT seq FROM audit.verified_watermark"), "5");
}

// Incremental by default, from the verified watermark; `full` from seq 1, resetting it and
// recording when. Both are the auditors' only, and both are audited.
TEST_F(AuditServiceTest, VerifyIsIncrementalUnlessFullIsAsked) {
  const absl::Time t0 = absl::FromUnixSeconds(1767225600);
  for (int i = 0; i < 4; ++i) {
    RecordCaseCall("officer-a", "CaseService.GetCase", "OK", t0 + absl::Minutes(i));
  }
  ChainAll();
  VerifyChainRequest full;
  full.set_full(true);
  VerifyChainResponse verify;
  ASSERT_TRUE(stub_->VerifyChain(Context(Auditor()).get(), full, &verify).ok());
  ASSERT_TRUE(verify.ok()) << verify.reason();
  EXPECT_TRUE(verify.full());
  EXPECT_EQ(verify.events_checked(), 4);
  EXPECT_EQ(verify.verified_watermark(), 4);
  ASSERT_TRUE(verify.has_last_full_verification());
  EXPECT_GT(google::protobuf::util::TimeUtil::TimestampToSeconds(verify.last_full_verification()),
            absl::ToUnixSeconds(absl::Now() - absl::Minutes(5)));

  // Three more calls recorded (the full verification's own row among them), chained.
  for (int i = 4; i < 6; ++i) {
    RecordCaseCall("officer-a", "CaseService.GetCase", "OK", t0 + absl::Minutes(i));
  }
  ChainAll();
  ASSERT_TRUE(stub_->VerifyChain(Context(Auditor()).get(), VerifyChainRequest(), &verify).ok());
  ASSERT_TRUE(verify.ok()) << verify.reason();
  EXPECT_FALSE(verify.full());
  EXPECT_EQ(verify.verified_from_seq(), 5);
  EXPECT_EQ(verify.events_checked(), 3);
  EXPECT_EQ(verify.watermark(), 7);
  EXPECT_EQ(verify.verified_watermark(), 7);
  EXPECT_TRUE(verify.has_last_full_verification());

  // Others may not ask for either; the refusals are recorded, and the watermark stays.
  const std::string admin = Token(consular::v1::ROLE_ADMINISTRATOR, "", "admin-1");
  EXPECT_EQ(stub_->VerifyChain(Context(admin).get(), full, &verify).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE actor = 'admin-1' AND "
                             "action = 'AuditService.VerifyChain' AND outcome = "
                             "'PERMISSION_DENIED'"),
            "1");
  EXPECT_EQ(db_->QueryScalar("SELECT seq FROM audit.verified_watermark"), "7");
}

}  // namespace
}  // namespace consular::audit

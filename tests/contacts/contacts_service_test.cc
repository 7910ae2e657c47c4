// consular-contacts' gRPC face over real gRPC (in-process server on port 0) with PostgreSQL
// behind it: PartnerService and ContactService authenticate every call, reach their managers and
// map statuses, the case service alongside for the cases contacts are logged on.
#include "services/contacts/contacts_service.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/clock.h"
#include "consular/v1/cases.grpc.pb.h"
#include "services/cases/case_manager.h"
#include "services/cases/cases_service.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/common/test_crypto.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::contacts {
namespace {

namespace v1 = consular::v1;

class ContactsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
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
    const Clock& now = SystemClock();
    case_manager_ =
        std::make_unique<cases::CaseManager>(runner_.get(), SystemClock(), field_keys_.crypto());
    contacts_manager_ = std::make_unique<ContactsManager>(runner_.get(), now, field_keys_.crypto());
    workers_ = std::make_unique<WorkerPool>(2, 32);
    const CallEnvironment env{workers_.get(), verifier_.get()};
    cases_ = std::make_unique<cases::CasesService>(case_manager_.get(), env);
    partners_ = std::make_unique<PartnerServiceImpl>(contacts_manager_.get(), env);
    contacts_ = std::make_unique<ContactServiceImpl>(contacts_manager_.get(), env);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(cases_.get());
    builder.RegisterService(partners_.get());
    builder.RegisterService(contacts_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                       grpc::InsecureChannelCredentials());
    case_stub_ = v1::CaseService::NewStub(channel);
    partner_stub_ = v1::PartnerService::NewStub(channel);
    contact_stub_ = v1::ContactService::NewStub(channel);
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

  std::unique_ptr<consular::testing::TestDatabase> db_;
  consular::testing::KeyPair keys_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto field_keys_;
  std::unique_ptr<cases::CaseManager> case_manager_;
  std::unique_ptr<ContactsManager> contacts_manager_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<cases::CasesService> cases_;
  std::unique_ptr<PartnerServiceImpl> partners_;
  std::unique_ptr<ContactServiceImpl> contacts_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::CaseService::Stub> case_stub_;
  std::unique_ptr<v1::PartnerService::Stub> partner_stub_;
  std::unique_ptr<v1::ContactService::Stub> contact_stub_;
};

TEST_F(ContactsServiceTest, ADirectoryPartnerAndAContactThroughBothServices) {
  const std::string admin = Token(v1::ROLE_ADMINISTRATOR, "");
  const std::string manager = Token(v1::ROLE_POST_MANAGER, "RABAT");
  const std::string officer = Token(v1::ROLE_CONSULAR_OFFICER, "RABAT");

  // Without a token: nothing.
  v1::GetPartnerRequest get;
  get.set_partner_id("00000000-0000-4000-8000-000000000001");
  v1::Partner partner;
  EXPECT_EQ(partner_stub_->GetPartner(Context("").get(), get, &partner).error_code(),
            grpc::UNAUTHENTICATED);

  v1::SetAccreditationRequest accredit;
  accredit.set_request_id("a1");
  accredit.set_post("RABAT");
  accredit.add_countries("MA");
  v1::Accreditation accreditation;
  EXPECT_EQ(partner_stub_->SetAccreditation(Context(manager).get(), accredit, &accreditation)
                .error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(partner_stub_->SetAccreditation(Context(admin).get(), accredit, &accreditation).ok());

  v1::CreatePartnerRequest create;
  create.set_request_id("p1");
  v1::Partner* p = create.mutable_partner();
  p->set_kind(v1::PARTNER_KIND_LAWYER);
  p->set_name("Cabinet Benali");
  p->set_country("MA");
  p->set_city("Rabat");
  p->add_specialisms(v1::SPECIALISM_FAMILY_LAW);
  p->add_languages("ar");
  p->mutable_contact_details()->set_phone("+212 537 000000");
  grpc::Status status = partner_stub_->CreatePartner(Context(officer).get(), create, &partner);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED) << status.error_message();
  p->set_country("XX");
  status = partner_stub_->CreatePartner(Context(manager).get(), create, &partner);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("partner.country: ", 0), 0u) << status.error_message();
  p->set_country("MA");
  ASSERT_TRUE(partner_stub_->CreatePartner(Context(manager).get(), create, &partner).ok());
  get.set_partner_id(partner.id());
  ASSERT_TRUE(partner_stub_->GetPartner(Context(officer).get(), get, &partner).ok());
  EXPECT_EQ(partner.contact_details().phone(), "+212 537 000000");

  v1::CreateCaseRequest new_case;
  new_case.set_request_id("c1");
  v1::Case* c = new_case.mutable_case_();
  c->set_type(v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  c->set_country("MA");
  c->mutable_subject()->set_full_name("Nadia Example");
  c->mutable_subject()->set_sex(v1::SEX_FEMALE);
  c->mutable_subject()->set_nationality_status(v1::NATIONALITY_STATUS_DUAL);
  c->set_referral_source(v1::REFERRAL_SOURCE_SELF);
  v1::Case created;
  ASSERT_TRUE(case_stub_->CreateCase(Context(officer).get(), new_case, &created).ok());

  v1::LogContactRequest log;
  log.set_request_id("l1");
  v1::Contact* contact = log.mutable_contact();
  contact->set_case_id(created.reference());
  contact->set_partner_id(partner.id());
  *contact->mutable_occurred_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  contact->set_channel(v1::CONTACT_CHANNEL_PHONE);
  contact->set_direction(v1::CONTACT_DIRECTION_OUTGOING);
  contact->set_purpose(v1::CONTACT_PURPOSE_LEGAL_ADVICE);
  contact->set_outcome(v1::CONTACT_OUTCOME_HELP_AGREED);
  v1::Contact logged;
  EXPECT_EQ(contact_stub_->LogContact(Context(Token(v1::ROLE_POLICY_STAFF, "")).get(), log, &logged)
                .error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(contact_stub_
                ->LogContact(Context(Token(v1::ROLE_CONSULAR_OFFICER, "TUNIS")).get(), log, &logged)
                .error_code(),
            grpc::NOT_FOUND);
  ASSERT_TRUE(contact_stub_->LogContact(Context(officer).get(), log, &logged).ok());
  EXPECT_EQ(logged.partner_name(), "Cabinet Benali");
  v1::ListContactsRequest list;
  list.set_case_id(created.id());
  v1::ListContactsResponse listed;
  ASSERT_TRUE(contact_stub_->ListContacts(Context(manager).get(), list, &listed).ok());
  ASSERT_EQ(listed.contacts_size(), 1);
  EXPECT_EQ(listed.contacts(0).id(), logged.id());
}

}  // namespace
}  // namespace consular::contacts

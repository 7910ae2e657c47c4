// Who may do what, as a client sees it: CaseService and AuditService on one in-process gRPC server
// (127.0.0.1, port 0) over one real PostgreSQL test database, called through real stubs with real
// ES256 tokens. The main test checks the status code of every cell of
//
//   role (officer of post U, post manager of post U, LKHA caseworker, policy staff, auditor,
//         administrator)
//   x RPC (every CaseService and AuditService method)
//   x situation of the case the call names (own unit, other unit, shared read, shared read-write,
//         share revoked, share expired)
//
// against the expectation table of authorization_table.h, written out from the access model of
// docs/security.md (roles, units, shares, referral, emergency access): never from the server's own
// rule code. authorization_matrix_unit_test.cc checks the same table without PostgreSQL.
//
// Every mutating cell works on a fresh case (and fresh shares); all scenarios are built first,
// then the test waits once for the expiring shares to lapse, then every cell runs. A mismatching
// cell names itself (role x RPC x situation), the expected and the actual code and message.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/audit.grpc.pb.h"
#include "consular/v1/cases.grpc.pb.h"
#include "services/audit/audit_manager.h"
#include "services/audit/audit_service.h"
#include "services/cases/case_manager.h"
#include "services/cases/cases_service.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/cases/authorization_table.h"
#include "tests/common/test_crypto.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::matrix {
namespace {

using v1::Case;

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  ts.set_seconds(nanos / 1000000000);
  ts.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return ts;
}

std::string Describe(const grpc::Status& status) {
  return absl::StrCat(CodeName(status.error_code()), " \"", status.error_message(), "\"");
}

// ------------------------------------------------------------------------------------------------
// The fixture: both services on one server, one database.

class AuthorizationMatrixTest : public ::testing::Test {
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
    // Both services log in as the application role, as in production: row-level security applies.
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 6});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    case_manager_ =
        std::make_unique<cases::CaseManager>(runner_.get(), SystemClock(), field_keys_.crypto());
    audit_manager_ = std::make_unique<audit::AuditManager>(runner_.get(), SystemClock());
    case_workers_ = std::make_unique<WorkerPool>(4, 64);
    audit_workers_ = std::make_unique<WorkerPool>(2, 64);
    case_service_ = std::make_unique<cases::CasesService>(
        case_manager_.get(), CallEnvironment{case_workers_.get(), verifier_.get()});
    audit_service_ = std::make_unique<audit::AuditService>(
        audit_manager_.get(), CallEnvironment{audit_workers_.get(), verifier_.get()});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(case_service_.get());
    builder.RegisterService(audit_service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                       grpc::InsecureChannelCredentials());
    cases_ = v1::CaseService::NewStub(channel);
    audit_ = v1::AuditService::NewStub(channel);
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (case_workers_) case_workers_->Shutdown();
    if (audit_workers_) audit_workers_->Shutdown();
  }

  std::string Token(v1::Role role, const std::string& post, const std::string& subject) {
    TokenClaims claims;
    claims.subject = subject;
    claims.role = role;
    claims.post = post;
    claims.ttl = absl::Hours(1);
    auto token = MintToken(keys_.private_pem, claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  // The caller of each row of the matrix.
  std::string CallerToken(Who who) {
    switch (who) {
      case Who::kOfficer:
        return Token(v1::ROLE_CONSULAR_OFFICER, "RABAT", "officer-rabat");
      case Who::kManager:
        return Token(v1::ROLE_POST_MANAGER, "RABAT", "manager-rabat");
      case Who::kLkha:
        return Token(v1::ROLE_LKHA_CASEWORKER, "", "lkha-caseworker");
      case Who::kPolicy:
        return Token(v1::ROLE_POLICY_STAFF, "", "policy-1");
      case Who::kAuditor:
        return Token(v1::ROLE_AUDITOR, "", "auditor-1");
      case Who::kAdmin:
        return Token(v1::ROLE_ADMINISTRATOR, "", "admin-1");
    }
    return "";
  }

  // Someone of the handling unit who builds the scenarios (never a caller of the matrix).
  std::string BuilderToken(const std::string& unit) {
    if (unit == "LKHA") return Token(v1::ROLE_LKHA_CASEWORKER, "", "builder-lkha");
    return Token(v1::ROLE_CONSULAR_OFFICER, unit, "builder-" + unit);
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  std::string NextRequestId(const std::string& what) {
    return absl::StrCat(what, "-", ++request_counter_);
  }

  v1::CreateCaseRequest NewCase(const std::string& name) {
    v1::CreateCaseRequest request;
    request.set_request_id(NextRequestId("create"));
    Case* c = request.mutable_case_();
    c->set_type(v1::CASE_TYPE_ABANDONMENT);
    c->set_country("MA");
    c->mutable_subject()->set_full_name(name);
    c->mutable_subject()->set_sex(v1::SEX_FEMALE);
    c->mutable_subject()->set_nationality_status(v1::NATIONALITY_STATUS_DUTCH_ONLY);
    c->set_referral_source(v1::REFERRAL_SOURCE_SELF);
    return request;
  }

  // A case handled by `unit`, created and moved to ACTIVE by one of its staff.
  grpc::Status CreateActiveCase(const std::string& unit, const std::string& name, Case* out) {
    const std::string token = BuilderToken(unit);
    Case created;
    grpc::Status status = cases_->CreateCase(Context(token).get(), NewCase(name), &created);
    if (!status.ok()) return status;
    v1::TransitionCaseRequest activate;
    activate.set_request_id(NextRequestId("activate"));
    activate.set_case_id(created.id());
    activate.set_target_status(v1::CASE_STATUS_ACTIVE);
    activate.set_reason("intake complete");
    activate.set_expected_version(created.version());
    return cases_->TransitionCase(Context(token).get(), activate, out);
  }

  grpc::Status Share(const std::string& unit, const std::string& case_id,
                     const std::string& grantee, ShareAccess access,
                     std::optional<absl::Time> expires_at, v1::CaseShare* out) {
    v1::ShareCaseRequest request;
    request.set_request_id(NextRequestId("share"));
    request.set_case_id(case_id);
    request.set_grantee(grantee);
    request.set_access(access);
    request.set_legal_basis("Consular Act art. 5 (test)");
    if (expires_at) *request.mutable_expires_at() = ToTimestamp(*expires_at);
    return cases_->ShareCase(Context(BuilderToken(unit)).get(), request, out);
  }

  grpc::Status Revoke(const std::string& unit, const std::string& share_id, v1::CaseShare* out) {
    v1::RevokeShareRequest request;
    request.set_request_id(NextRequestId("revoke"));
    request.set_share_id(share_id);
    return cases_->RevokeShare(Context(BuilderToken(unit)).get(), request, out);
  }

  Scenario Build(const Plan& plan) {
    Scenario s;
    s.name = "Matrix Person " + LetterTag(scenario_counter_++);
    auto fail = [&s](const std::string& step, const grpc::Status& status) {
      s.failure = absl::StrCat(step, ": ", Describe(status));
      return s;
    };
    Case active;
    grpc::Status status = CreateActiveCase(plan.handling, s.name, &active);
    if (!status.ok()) return fail("create/activate case at " + plan.handling, status);
    s.id = active.id();
    s.reference = active.reference();
    s.version = active.version();
    for (const std::string& grantee : plan.extra) {
      v1::CaseShare share;
      status = Share(plan.handling, s.id, grantee, v1::SHARE_ACCESS_READ, std::nullopt, &share);
      if (!status.ok()) return fail("share to " + grantee, status);
      s.extra_shares[grantee] = share.id();
    }
    if (plan.emergency_grant) {
      v1::OpenEmergencyAccessRequest request;
      request.set_request_id(NextRequestId("emergency"));
      request.set_case_id(s.id);
      request.set_reason("Caller reports immediate danger to the person");
      v1::EmergencyAccess grant;
      status = cases_->OpenEmergencyAccess(
          Context(Token(v1::ROLE_POST_MANAGER, kEmergencyOpenerPost, "manager-algiers")).get(),
          request, &grant);
      if (!status.ok()) return fail("open emergency access (ALGIERS manager)", status);
      s.grant_id = grant.id();
    }
    if (!plan.grantee.empty()) {
      std::optional<absl::Time> expires_at;
      if (plan.expire) expires_at = absl::Now() + absl::Seconds(3);
      v1::CaseShare share;
      status = Share(plan.handling, s.id, plan.grantee, plan.access, expires_at, &share);
      if (!status.ok()) return fail("share to " + plan.grantee, status);
      s.caller_share_id = share.id();
      s.expires_at = expires_at;
      if (plan.revoke) {
        v1::CaseShare revoked;
        status = Revoke(plan.handling, share.id(), &revoked);
        if (!status.ok()) return fail("revoke share to " + plan.grantee, status);
      }
    }
    if (!plan.referral_to.empty()) {
      v1::ReferCaseRequest request;
      request.set_request_id(NextRequestId("refer"));
      request.set_case_id(s.id);
      request.set_to_post(plan.referral_to);
      request.set_legal_basis("Consular Act art. 7 (test)");
      request.set_expected_version(s.version);
      const std::string referrer =
          plan.handling == "LKHA"
              ? BuilderToken("LKHA")
              : Token(v1::ROLE_POST_MANAGER, plan.handling, "builder-manager-" + plan.handling);
      Case referred;
      status = cases_->ReferCase(Context(referrer).get(), request, &referred);
      if (!status.ok()) return fail("refer to " + plan.referral_to, status);
      s.version = referred.version();
      s.referral_id = referred.pending_referral().id();
    }
    s.ok = true;
    return s;
  }

  // Pages through ListCases; finds the case `id`.
  grpc::Status ListAll(const std::string& token, const std::string& id, bool* found,
                       CaseAccess* access) {
    *found = false;
    v1::ListCasesRequest request;
    request.set_page_size(500);
    for (int page = 0; page < 100; ++page) {
      v1::ListCasesResponse response;
      grpc::Status status = cases_->ListCases(Context(token).get(), request, &response);
      if (!status.ok()) return status;
      for (const Case& c : response.cases()) {
        if (c.id() == id) {
          *found = true;
          *access = c.caller_access();
        }
      }
      if (response.next_page_token().empty()) return status;
      request.set_page_token(response.next_page_token());
    }
    return grpc::Status(grpc::INTERNAL, "test: more than 100 pages of cases");
  }

  // Runs one cell; returns its status, and in *problems what else disagrees with the expectation.
  grpc::Status RunCell(Who who, Rpc rpc, Situation situation, const Scenario* s,
                       const Expectation& e, std::vector<std::string>* problems) {
    const std::string token = CallerToken(who);
    const std::string case_id = s ? s->id : "";
    switch (rpc) {
      case Rpc::kCreateCase: {
        Case out;
        return cases_->CreateCase(Context(token).get(),
                                  NewCase("Matrix Creation " + LetterTag(scenario_counter_++)),
                                  &out);
      }
      case Rpc::kGetCase: {
        v1::GetCaseRequest request;
        request.set_case_id(case_id);
        Case out;
        grpc::Status status = cases_->GetCase(Context(token).get(), request, &out);
        if (status.ok() && out.caller_access() != e.access) {
          problems->push_back(absl::StrCat("caller_access ",
                                           v1::CaseAccess_Name(out.caller_access()), ", expected ",
                                           v1::CaseAccess_Name(e.access)));
        }
        return status;
      }
      case Rpc::kListCases: {
        bool found = false;
        CaseAccess access = v1::CASE_ACCESS_UNSPECIFIED;
        grpc::Status status = ListAll(token, case_id, &found, &access);
        if (status.ok()) CheckListed(found, access, e, problems);
        return status;
      }
      case Rpc::kSearchCases: {
        v1::SearchCasesRequest request;
        request.set_name(s->name);
        v1::SearchCasesResponse out;
        grpc::Status status = cases_->SearchCases(Context(token).get(), request, &out);
        if (status.ok()) {
          bool found = false;
          CaseAccess access = v1::CASE_ACCESS_UNSPECIFIED;
          for (const Case& c : out.cases()) {
            if (c.id() == case_id) {
              found = true;
              access = c.caller_access();
            } else {
              problems->push_back("unexpected case " + c.reference() + " found by the name");
            }
          }
          CheckListed(found, access, e, problems);
        }
        return status;
      }
      case Rpc::kUpdateCase: {
        v1::UpdateCaseRequest request;
        request.set_request_id(NextRequestId("cell-update"));
        request.mutable_case_()->set_id(case_id);
        request.mutable_case_()->set_country("DZ");
        request.mutable_update_mask()->add_paths("country");
        request.set_expected_version(s->version);
        Case out;
        return cases_->UpdateCase(Context(token).get(), request, &out);
      }
      case Rpc::kTransitionCase: {
        v1::TransitionCaseRequest request;
        request.set_request_id(NextRequestId("cell-transition"));
        request.set_case_id(case_id);
        request.set_target_status(v1::CASE_STATUS_ON_HOLD);
        request.set_reason("waiting for documents");
        request.set_expected_version(s->version);
        Case out;
        return cases_->TransitionCase(Context(token).get(), request, &out);
      }
      case Rpc::kAddCaseNote: {
        v1::AddCaseNoteRequest request;
        request.set_request_id(NextRequestId("cell-note"));
        request.set_case_id(case_id);
        request.set_text("Spoke to the person on the safe channel.");
        v1::CaseNote out;
        return cases_->AddCaseNote(Context(token).get(), request, &out);
      }
      case Rpc::kListCaseNotes: {
        v1::ListCaseNotesRequest request;
        request.set_case_id(case_id);
        v1::ListCaseNotesResponse out;
        return cases_->ListCaseNotes(Context(token).get(), request, &out);
      }
      case Rpc::kListCaseEvents: {
        v1::ListCaseEventsRequest request;
        request.set_case_id(case_id);
        v1::ListCaseEventsResponse out;
        return cases_->ListCaseEvents(Context(token).get(), request, &out);
      }
      case Rpc::kListCaseHistory: {
        v1::ListCaseHistoryRequest request;
        request.set_case_id(case_id);
        v1::ListCaseHistoryResponse out;
        return cases_->ListCaseHistory(Context(token).get(), request, &out);
      }
      case Rpc::kFindPossibleDuplicates: {
        v1::FindPossibleDuplicatesRequest request;
        request.set_case_id(case_id);
        v1::FindPossibleDuplicatesResponse out;
        return cases_->FindPossibleDuplicates(Context(token).get(), request, &out);
      }
      case Rpc::kEmergencySearch: {
        v1::EmergencySearchRequest request;
        request.set_full_name("Amina Example");
        request.mutable_date_of_birth()->set_year(1990);
        request.mutable_date_of_birth()->set_month(1);
        request.mutable_date_of_birth()->set_day(2);
        request.set_reason("She called the embassy and is in danger");
        v1::EmergencySearchResponse out;
        return cases_->EmergencySearch(Context(token).get(), request, &out);
      }
      case Rpc::kListDeadlines: {
        v1::ListDeadlinesRequest request;
        v1::ListDeadlinesResponse out;
        return cases_->ListDeadlines(Context(token).get(), request, &out);
      }
      case Rpc::kShareCase: {
        v1::ShareCaseRequest request;
        request.set_request_id(NextRequestId("cell-share"));
        request.set_case_id(case_id);
        request.set_grantee(kThirdUnit);
        request.set_access(v1::SHARE_ACCESS_READ);
        request.set_legal_basis("Consular Act art. 5 (test)");
        v1::CaseShare out;
        return cases_->ShareCase(Context(token).get(), request, &out);
      }
      case Rpc::kRevokeShare: {
        v1::RevokeShareRequest request;
        request.set_request_id(NextRequestId("cell-revoke"));
        request.set_share_id(s->extra_shares.at(kThirdUnit));
        v1::CaseShare out;
        return cases_->RevokeShare(Context(token).get(), request, &out);
      }
      case Rpc::kListShares: {
        v1::ListSharesRequest request;
        request.set_case_id(case_id);
        v1::ListSharesResponse out;
        grpc::Status status = cases_->ListShares(Context(token).get(), request, &out);
        if (status.ok()) CheckShares(out, *s, e, problems);
        return status;
      }
      case Rpc::kReferCase: {
        v1::ReferCaseRequest request;
        request.set_request_id(NextRequestId("cell-refer"));
        request.set_case_id(case_id);
        request.set_to_post(kThirdUnit);
        request.set_legal_basis("Consular Act art. 7 (test)");
        request.set_expected_version(s->version);
        Case out;
        return cases_->ReferCase(Context(token).get(), request, &out);
      }
      case Rpc::kOpenEmergencyAccess: {
        v1::OpenEmergencyAccessRequest request;
        request.set_request_id(NextRequestId("cell-emergency"));
        request.set_case_id(case_id);
        request.set_reason("Caller reports immediate danger to the person");
        v1::EmergencyAccess out;
        return cases_->OpenEmergencyAccess(Context(token).get(), request, &out);
      }
      case Rpc::kListEmergencyAccess: {
        v1::ListEmergencyAccessResponse out;
        return cases_->ListEmergencyAccess(Context(token).get(), v1::ListEmergencyAccessRequest(),
                                           &out);
      }
      case Rpc::kReviewEmergencyAccess: {
        v1::ReviewEmergencyAccessRequest request;
        request.set_request_id(NextRequestId("cell-review"));
        request.set_emergency_access_id(s->grant_id);
        request.set_review(v1::EMERGENCY_REVIEW_JUSTIFIED);
        v1::EmergencyAccess out;
        return cases_->ReviewEmergencyAccess(Context(token).get(), request, &out);
      }
      case Rpc::kListInbox: {
        v1::ListInboxResponse out;
        return cases_->ListInbox(Context(token).get(), v1::ListInboxRequest(), &out);
      }
      case Rpc::kAssignCase: {
        v1::AssignCaseRequest request;
        request.set_request_id(NextRequestId("cell-assign"));
        request.set_case_id(case_id);
        request.set_assignee("matrix-colleague");
        request.set_expected_version(s->version);
        Case out;
        return cases_->AssignCase(Context(token).get(), request, &out);
      }
      case Rpc::kAnswerShare: {
        v1::AnswerShareRequest request;
        request.set_request_id(NextRequestId("cell-answer-share"));
        request.set_share_id(s->caller_share_id.empty() ? s->extra_shares.at(kThirdUnit)
                                                        : s->caller_share_id);
        request.set_answer(v1::ANSWER_ACCEPTED);
        v1::CaseShare out;
        return cases_->AnswerShare(Context(token).get(), request, &out);
      }
      case Rpc::kAnswerReferral: {
        v1::AnswerReferralRequest request;
        request.set_request_id(NextRequestId("cell-answer-referral"));
        request.set_referral_id(s->referral_id);
        request.set_answer(v1::ANSWER_ACCEPTED);
        v1::Referral out;
        return cases_->AnswerReferral(Context(token).get(), request, &out);
      }
      case Rpc::kListAuditEvents: {
        v1::ListAuditEventsRequest request;
        request.set_page_size(10);
        v1::ListAuditEventsResponse out;
        return audit_->ListAuditEvents(Context(token).get(), request, &out);
      }
      case Rpc::kVerifyChain: {
        v1::VerifyChainResponse out;
        return audit_->VerifyChain(Context(token).get(), v1::VerifyChainRequest(), &out);
      }
    }
    (void)situation;
    return grpc::Status(grpc::INTERNAL, "test: unknown rpc");
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  consular::testing::KeyPair keys_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto field_keys_;
  std::unique_ptr<cases::CaseManager> case_manager_;
  std::unique_ptr<audit::AuditManager> audit_manager_;
  std::unique_ptr<WorkerPool> case_workers_;
  std::unique_ptr<WorkerPool> audit_workers_;
  std::unique_ptr<cases::CasesService> case_service_;
  std::unique_ptr<audit::AuditService> audit_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  int request_counter_ = 0;
  int scenario_counter_ = 0;
};

TEST_F(AuthorizationMatrixTest, EveryRoleTimesEveryRpcTimesEverySituation) {
  // 1. Plan every cell and build its scenario.
  const Matrix m =
      PlanMatrix([](Rpc) { return true; }, [&](const Plan& plan) { return Build(plan); });
  EXPECT_EQ(m.build_failures, 0) << "scenarios that could not be built (see the cells)";

  // 2. One wait until every expiring share has lapsed (judged by the database clock, same host).
  absl::Time latest = absl::Now();
  for (const auto& s : m.scenarios) {
    if (s->expires_at) latest = std::max(latest, *s->expires_at);
  }
  const absl::Duration wait = latest + absl::Seconds(1.5) - absl::Now();
  if (wait > absl::ZeroDuration()) absl::SleepFor(wait);

  // 3. Every cell.
  const std::vector<std::string> disagreements =
      RunMatrix(m, [&](const Cell& cell, std::vector<std::string>* problems) {
        const grpc::Status status =
            RunCell(cell.who, cell.rpc, cell.situation, cell.scenario, cell.expected, problems);
        return Outcome{status.error_code(), Describe(status)};
      });
  EXPECT_EQ(static_cast<int>(m.cells.size()), 6 * 26 * 6);
  RecordProperty("cells_checked", static_cast<int>(m.cells.size()));
  RecordProperty("disagreements", static_cast<int>(disagreements.size()));
}

TEST_F(AuthorizationMatrixTest, EmergencyAccessIsReadOnlyAuditedListedAndReviewedOnce) {
  const std::string tunis_officer = Token(v1::ROLE_CONSULAR_OFFICER, "TUNIS", "officer-tunis");
  const std::string tunis_manager = Token(v1::ROLE_POST_MANAGER, "TUNIS", "manager-tunis");
  const std::string rabat_manager = Token(v1::ROLE_POST_MANAGER, "RABAT", "manager-rabat");
  const std::string cairo_manager = Token(v1::ROLE_POST_MANAGER, "CAIRO", "manager-cairo");
  const std::string auditor = Token(v1::ROLE_AUDITOR, "", "auditor-1");

  Case active;
  {
    Case created;
    ASSERT_TRUE(
        cases_->CreateCase(Context(tunis_officer).get(), NewCase("Emergency Person"), &created)
            .ok());
    v1::TransitionCaseRequest activate;
    activate.set_request_id("activate");
    activate.set_case_id(created.id());
    activate.set_target_status(v1::CASE_STATUS_ACTIVE);
    activate.set_reason("intake complete");
    activate.set_expected_version(created.version());
    const grpc::Status status =
        cases_->TransitionCase(Context(tunis_officer).get(), activate, &active);
    ASSERT_TRUE(status.ok()) << Describe(status);
  }

  // Invisible to RABAT before.
  v1::GetCaseRequest get;
  get.set_case_id(active.id());
  Case read;
  EXPECT_EQ(cases_->GetCase(Context(rabat_manager).get(), get, &read).error_code(),
            grpc::NOT_FOUND);

  v1::OpenEmergencyAccessRequest open;
  open.set_request_id("open-1");
  open.set_case_id(active.reference());
  open.set_reason("Person called the duty phone: in immediate danger");
  open.set_minutes(30);
  v1::EmergencyAccess grant;
  grpc::Status status = cases_->OpenEmergencyAccess(Context(rabat_manager).get(), open, &grant);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_FALSE(grant.id().empty());
  EXPECT_EQ(grant.case_id(), active.id());
  EXPECT_EQ(grant.handling_post(), "TUNIS");
  EXPECT_EQ(grant.actor(), "manager-rabat");
  EXPECT_EQ(grant.actor_role(), v1::ROLE_POST_MANAGER);
  EXPECT_EQ(grant.actor_unit(), "RABAT");
  EXPECT_TRUE(grant.active());
  EXPECT_EQ(grant.review(), v1::EMERGENCY_REVIEW_UNSPECIFIED);
  // Open for the 30 minutes asked, from when it was opened.
  EXPECT_EQ(
      google::protobuf::util::TimeUtil::DurationToSeconds(grant.expires_at() - grant.opened_at()),
      30 * 60);

  // Read-only, through emergency access.
  status = cases_->GetCase(Context(rabat_manager).get(), get, &read);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(read.caller_access(), v1::CASE_ACCESS_EMERGENCY);
  EXPECT_EQ(read.subject().full_name(), "Emergency Person");

  v1::UpdateCaseRequest update;
  update.set_request_id("update-1");
  update.mutable_case_()->set_id(active.id());
  update.mutable_case_()->set_country("DZ");
  update.mutable_update_mask()->add_paths("country");
  update.set_expected_version(read.version());
  Case updated;
  status = cases_->UpdateCase(Context(rabat_manager).get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED)
      << "UpdateCase through emergency access: " << Describe(status);

  v1::AddCaseNoteRequest note;
  note.set_request_id("note-1");
  note.set_case_id(active.id());
  note.set_text("Should not be written.");
  v1::CaseNote added;
  status = cases_->AddCaseNote(Context(rabat_manager).get(), note, &added);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED)
      << "AddCaseNote through emergency access: " << Describe(status);

  // Not in the caller's listings (they show handling and shared cases only).
  v1::SearchCasesRequest search;
  search.set_name("Emergency Person");
  v1::SearchCasesResponse found;
  status = cases_->SearchCases(Context(rabat_manager).get(), search, &found);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(found.cases_size(), 0);

  // The audit trail flags the read made through emergency access.
  v1::ListAuditEventsRequest trail;
  trail.set_case_id(active.id());
  trail.set_page_size(1000);
  v1::ListAuditEventsResponse events;
  status = audit_->ListAuditEvents(Context(auditor).get(), trail, &events);
  ASSERT_TRUE(status.ok()) << Describe(status);
  int emergency_gets = 0;
  for (const v1::AuditEvent& event : events.events()) {
    if (event.actor() == "manager-rabat" && event.action() == "CaseService.GetCase" &&
        event.outcome() == "OK") {
      EXPECT_TRUE(event.emergency()) << "GetCase through emergency access, event " << event.id();
      ++emergency_gets;
    }
    if (event.actor() == "officer-tunis") {
      EXPECT_FALSE(event.emergency()) << event.action() << " by the handling post, " << event.id();
    }
  }
  EXPECT_EQ(emergency_gets, 1);

  // The review lists: the auditor, the manager of the case's post, and the opener see it; a
  // manager of another post does not.
  auto lists_grant = [&](const std::string& token, const std::string& who) {
    v1::ListEmergencyAccessResponse list;
    const grpc::Status s =
        cases_->ListEmergencyAccess(Context(token).get(), v1::ListEmergencyAccessRequest(), &list);
    EXPECT_TRUE(s.ok()) << who << ": " << Describe(s);
    for (const v1::EmergencyAccess& g : list.grants()) {
      if (g.id() == grant.id()) return true;
    }
    return false;
  };
  EXPECT_TRUE(lists_grant(auditor, "auditor"));
  EXPECT_TRUE(lists_grant(tunis_manager, "TUNIS manager"));
  EXPECT_TRUE(lists_grant(rabat_manager, "RABAT manager (the opener)"));
  EXPECT_FALSE(lists_grant(cairo_manager, "CAIRO manager"));

  // Review: never one's own, not by another post's manager; once by the case's post manager.
  v1::ReviewEmergencyAccessRequest review;
  review.set_emergency_access_id(grant.id());
  review.set_review(v1::EMERGENCY_REVIEW_JUSTIFIED);
  v1::EmergencyAccess reviewed;
  review.set_request_id("review-own");
  status = cases_->ReviewEmergencyAccess(Context(rabat_manager).get(), review, &reviewed);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED)
      << "ReviewEmergencyAccess of one's own access: " << Describe(status);
  review.set_request_id("review-cairo");
  status = cases_->ReviewEmergencyAccess(Context(cairo_manager).get(), review, &reviewed);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND) << Describe(status);

  review.set_request_id("review-tunis");
  status = cases_->ReviewEmergencyAccess(Context(tunis_manager).get(), review, &reviewed);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(reviewed.id(), grant.id());
  EXPECT_EQ(reviewed.review(), v1::EMERGENCY_REVIEW_JUSTIFIED);
  EXPECT_EQ(reviewed.reviewed_by(), "manager-tunis");
  EXPECT_TRUE(reviewed.has_reviewed_at());

  review.set_request_id("review-tunis-again");
  review.set_review(v1::EMERGENCY_REVIEW_NOT_JUSTIFIED);
  status = cases_->ReviewEmergencyAccess(Context(tunis_manager).get(), review, &reviewed);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION) << Describe(status);
  review.set_request_id("review-auditor-after");
  status = cases_->ReviewEmergencyAccess(Context(auditor).get(), review, &reviewed);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION) << Describe(status);
}

TEST_F(AuthorizationMatrixTest, ARevokedShareGivesNothingFromTheVeryNextCall) {
  const std::string tunis = Token(v1::ROLE_CONSULAR_OFFICER, "TUNIS", "officer-tunis");
  const std::string rabat = Token(v1::ROLE_CONSULAR_OFFICER, "RABAT", "officer-rabat");

  Case active;
  ASSERT_TRUE(CreateActiveCase("TUNIS", "Revocation Person", &active).ok());
  v1::CaseShare share;
  grpc::Status status =
      Share("TUNIS", active.id(), "RABAT", v1::SHARE_ACCESS_READ_WRITE, std::nullopt, &share);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_TRUE(share.active());
  EXPECT_EQ(share.grantee(), "RABAT");
  EXPECT_EQ(share.access(), v1::SHARE_ACCESS_READ_WRITE);

  v1::GetCaseRequest get;
  get.set_case_id(active.id());
  Case before;
  status = cases_->GetCase(Context(rabat).get(), get, &before);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(before.caller_access(), v1::CASE_ACCESS_SHARED_READ_WRITE);

  v1::RevokeShareRequest revoke;
  revoke.set_request_id("revoke-1");
  revoke.set_share_id(share.id());
  v1::CaseShare revoked;
  status = cases_->RevokeShare(Context(tunis).get(), revoke, &revoked);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_TRUE(revoked.has_revoked_at());
  EXPECT_EQ(revoked.revoked_by(), "officer-tunis");
  EXPECT_FALSE(revoked.active());

  Case after;
  status = cases_->GetCase(Context(rabat).get(), get, &after);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND) << Describe(status);

  v1::UpdateCaseRequest update;
  update.set_request_id("update-after-revoke");
  update.mutable_case_()->set_id(active.id());
  update.mutable_case_()->set_country("DZ");
  update.mutable_update_mask()->add_paths("country");
  update.set_expected_version(before.version());
  Case updated;
  status = cases_->UpdateCase(Context(rabat).get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND) << Describe(status);

  v1::AddCaseNoteRequest note;
  note.set_request_id("note-after-revoke");
  note.set_case_id(active.id());
  note.set_text("Should not be written.");
  v1::CaseNote added;
  status = cases_->AddCaseNote(Context(rabat).get(), note, &added);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND) << Describe(status);

  v1::SearchCasesRequest search;
  search.set_name("Revocation Person");
  v1::SearchCasesResponse found;
  status = cases_->SearchCases(Context(rabat).get(), search, &found);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(found.cases_size(), 0);

  // Nothing changed; revoking again is refused.
  Case unchanged;
  ASSERT_TRUE(cases_->GetCase(Context(tunis).get(), get, &unchanged).ok());
  EXPECT_EQ(unchanged.version(), before.version());
  EXPECT_EQ(unchanged.country(), "MA");
  revoke.set_request_id("revoke-2");
  status = cases_->RevokeShare(Context(tunis).get(), revoke, &revoked);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION) << Describe(status);
}

}  // namespace
}  // namespace consular::matrix

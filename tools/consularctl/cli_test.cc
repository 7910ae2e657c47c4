// Runs the consularctl binary against an in-process fake CaseService on a free
// port (plaintext), checking what a user sees (stdout, stderr, exit code) and
// what the server receives.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "consular/v1/cases.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/common/token.h"

#ifndef CONSULARCTL_PATH
#error "CONSULARCTL_PATH must name the consularctl binary"
#endif

namespace consular::ctl {
namespace {

using ::consular::v1::Case;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kToken[] = "test-token-0123456789";

Case SampleCase(const std::string& reference) {
  Case c;
  c.set_id("0b7c2a8e-1111-4222-8333-444455556666");
  c.set_reference(reference);
  c.set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  c.set_status(consular::v1::CASE_STATUS_ACTIVE);
  c.set_handling_post("RABAT");
  c.set_country("MA");
  c.set_version(7);
  c.mutable_opened_at()->set_seconds(1772357400);  // 2026-03-01T09:30:00Z
  c.mutable_subject()->set_full_name("Amina Example");
  c.mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
  c.mutable_subject()->set_nationality_status(
      consular::v1::NATIONALITY_STATUS_DUAL);
  c.set_referral_source(consular::v1::REFERRAL_SOURCE_FAMILY);
  return c;
}

// A case the fake shows as reached through a read-only share, with share and referral events.
constexpr char kSharedCase[] = "ABN-2026-00055";
constexpr char kShareId[] = "5a1e0000-1111-4222-8333-444455556666";
constexpr char kGrantId[] = "e0000000-1111-4222-8333-444455556666";

consular::v1::CaseShare SampleShare(const std::string& reference) {
  consular::v1::CaseShare share;
  share.set_id(kShareId);
  share.set_case_id("0b7c2a8e-1111-4222-8333-444455556666");
  share.set_case_reference(reference);
  share.set_grantee("LKHA");
  share.set_access(consular::v1::SHARE_ACCESS_READ);
  share.set_legal_basis("Art. 5 consular act");
  share.set_granted_by("dev-officer-rabat");
  share.set_granted_by_unit("RABAT");
  share.mutable_granted_at()->set_seconds(1772357400);  // 2026-03-01T09:30:00Z
  share.set_active(true);
  return share;
}

consular::v1::EmergencyAccess SampleGrant(const std::string& id) {
  consular::v1::EmergencyAccess grant;
  grant.set_id(id);
  grant.set_case_id("0b7c2a8e-1111-4222-8333-444455556666");
  grant.set_case_reference("ABN-2026-00042");
  grant.set_handling_post("RABAT");
  grant.set_actor("dev-manager-tunis");
  grant.set_actor_role(consular::v1::ROLE_POST_MANAGER);
  grant.set_actor_unit("TUNIS");
  grant.set_reason("The person is at the TUNIS desk now");
  grant.mutable_opened_at()->set_seconds(1772357400);
  grant.mutable_expires_at()->set_seconds(1772361000);  // 10:30
  grant.set_active(true);
  return grant;
}

// Answers with canned data and records what it was sent.
class FakeCaseService final : public consular::v1::CaseService::Service {
 public:
  struct Call {
    std::string method;
    std::string authorization;  // "" if absent
    std::chrono::system_clock::duration time_left;
  };

  std::vector<Call> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  consular::v1::CreateCaseRequest last_create() {
    absl::MutexLock lock(&mu_);
    return last_create_;
  }
  consular::v1::UpdateCaseRequest last_update() {
    absl::MutexLock lock(&mu_);
    return last_update_;
  }
  consular::v1::TransitionCaseRequest last_transition() {
    absl::MutexLock lock(&mu_);
    return last_transition_;
  }
  std::vector<consular::v1::ListCasesRequest> list_requests() {
    absl::MutexLock lock(&mu_);
    return list_requests_;
  }

  grpc::Status CreateCase(grpc::ServerContext* context,
                          const consular::v1::CreateCaseRequest* request,
                          Case* response) override {
    grpc::Status status = Record(context, "CreateCase");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      last_create_ = *request;
    }
    if (request->case_().country() == "XX") {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "case.country: unknown country code \"XX\"");
    }
    *response = request->case_();
    response->set_reference("ABN-2026-00001");
    response->set_id("0b7c2a8e-1111-4222-8333-444455556666");
    response->set_status(consular::v1::CASE_STATUS_INTAKE);
    response->set_version(1);
    return grpc::Status::OK;
  }

  grpc::Status GetCase(grpc::ServerContext* context,
                       const consular::v1::GetCaseRequest* request,
                       Case* response) override {
    grpc::Status status = Record(context, "GetCase");
    if (!status.ok()) return status;
    if (request->case_id() == "ABN-2026-09999") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "case not found");
    }
    *response = SampleCase(request->case_id());
    if (request->case_id() == kSharedCase) {
      response->set_caller_access(consular::v1::CASE_ACCESS_SHARED_READ);
    }
    return grpc::Status::OK;
  }

  grpc::Status ListCases(grpc::ServerContext* context,
                         const consular::v1::ListCasesRequest* request,
                         consular::v1::ListCasesResponse* response) override {
    grpc::Status status = Record(context, "ListCases");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      list_requests_.push_back(*request);
    }
    // Three cases in two pages.
    if (request->page_token().empty()) {
      *response->add_cases() = SampleCase("ABN-2026-00003");
      *response->add_cases() = SampleCase("ABN-2026-00002");
      response->set_next_page_token("page-2");
    } else if (request->page_token() == "page-2") {
      *response->add_cases() = SampleCase("ABN-2026-00001");
    } else {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "page_token: not valid");
    }
    return grpc::Status::OK;
  }

  grpc::Status SearchCases(grpc::ServerContext* context,
                           const consular::v1::SearchCasesRequest* request,
                           consular::v1::SearchCasesResponse* response) override {
    grpc::Status status = Record(context, "SearchCases");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      search_requests_.push_back(*request);
    }
    *response->add_cases() = SampleCase("ABN-2026-00007");
    return grpc::Status::OK;
  }
  std::vector<consular::v1::SearchCasesRequest> search_requests() {
    absl::MutexLock lock(&mu_);
    return search_requests_;
  }

  grpc::Status UpdateCase(grpc::ServerContext* context,
                          const consular::v1::UpdateCaseRequest* request,
                          Case* response) override {
    grpc::Status status = Record(context, "UpdateCase");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      last_update_ = *request;
    }
    if (request->expected_version() != 7) {
      return grpc::Status(grpc::StatusCode::ABORTED,
                          "the case changed: version is 7");
    }
    *response = SampleCase(request->case_().id());
    response->set_version(8);
    return grpc::Status::OK;
  }

  grpc::Status TransitionCase(
      grpc::ServerContext* context,
      const consular::v1::TransitionCaseRequest* request,
      Case* response) override {
    grpc::Status status = Record(context, "TransitionCase");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      last_transition_ = *request;
    }
    *response = SampleCase(request->case_id());
    response->set_status(request->target_status());
    response->set_outcome(request->outcome());
    response->set_version(request->expected_version() + 1);
    return grpc::Status::OK;
  }

  grpc::Status AddCaseNote(grpc::ServerContext* context,
                           const consular::v1::AddCaseNoteRequest* request,
                           consular::v1::CaseNote* response) override {
    grpc::Status status = Record(context, "AddCaseNote");
    if (!status.ok()) return status;
    response->set_id("note-1");
    response->set_case_id(request->case_id());
    response->set_author("dev-officer-rabat");
    response->set_author_post("RABAT");
    response->set_text(request->text());
    response->mutable_created_at()->set_seconds(1772357400);
    return grpc::Status::OK;
  }

  grpc::Status ListCaseNotes(
      grpc::ServerContext* context,
      const consular::v1::ListCaseNotesRequest* request,
      consular::v1::ListCaseNotesResponse* response) override {
    grpc::Status status = Record(context, "ListCaseNotes");
    if (!status.ok()) return status;
    consular::v1::CaseNote* note = response->add_notes();
    note->set_id("note-1");
    note->set_case_id(request->case_id());
    note->set_author("dev-officer-rabat");
    note->set_author_post("RABAT");
    note->set_text("Spoke with the local lawyer");
    note->mutable_created_at()->set_seconds(1772357400);
    return grpc::Status::OK;
  }

  grpc::Status ListCaseEvents(
      grpc::ServerContext* context,
      const consular::v1::ListCaseEventsRequest* request,
      consular::v1::ListCaseEventsResponse* response) override {
    grpc::Status status = Record(context, "ListCaseEvents");
    if (!status.ok()) return status;
    consular::v1::CaseEvent* created = response->add_events();
    created->set_sequence(1);
    created->set_type(consular::v1::CASE_EVENT_TYPE_CREATED);
    created->set_actor("dev-officer-rabat");
    created->set_actor_role(consular::v1::ROLE_CONSULAR_OFFICER);
    created->set_to_status(consular::v1::CASE_STATUS_INTAKE);
    created->set_case_version(1);
    created->mutable_occurred_at()->set_seconds(1772357400);
    consular::v1::CaseEvent* moved = response->add_events();
    moved->set_sequence(2);
    moved->set_type(consular::v1::CASE_EVENT_TYPE_TRANSITIONED);
    moved->set_actor("dev-officer-rabat");
    moved->set_actor_role(consular::v1::ROLE_CONSULAR_OFFICER);
    moved->set_from_status(consular::v1::CASE_STATUS_INTAKE);
    moved->set_to_status(consular::v1::CASE_STATUS_ACTIVE);
    moved->set_reason("Contact made");
    moved->set_case_version(2);
    moved->mutable_occurred_at()->set_seconds(1772357460);
    if (request->case_id() == kSharedCase) {
      consular::v1::CaseEvent* shared = response->add_events();
      shared->set_sequence(3);
      shared->set_type(consular::v1::CASE_EVENT_TYPE_SHARED);
      shared->set_actor("dev-officer-rabat");
      shared->set_actor_role(consular::v1::ROLE_CONSULAR_OFFICER);
      shared->set_share_id(kShareId);
      shared->set_grantee("LKHA");
      shared->set_share_access(consular::v1::SHARE_ACCESS_READ);
      shared->set_case_version(2);
      consular::v1::CaseEvent* revoked = response->add_events();
      revoked->set_sequence(4);
      revoked->set_type(consular::v1::CASE_EVENT_TYPE_SHARE_REVOKED);
      revoked->set_actor("dev-officer-rabat");
      revoked->set_actor_role(consular::v1::ROLE_CONSULAR_OFFICER);
      revoked->set_share_id(kShareId);
      revoked->set_grantee("LKHA");
      revoked->set_case_version(2);
      consular::v1::CaseEvent* referred = response->add_events();
      referred->set_sequence(5);
      referred->set_type(consular::v1::CASE_EVENT_TYPE_REFERRED);
      referred->set_actor("dev-manager-rabat");
      referred->set_actor_role(consular::v1::ROLE_POST_MANAGER);
      referred->set_from_unit("RABAT");
      referred->set_to_unit("TUNIS");
      referred->set_case_version(3);
    }
    if (request->page_size() == 1) response->set_next_page_token("more");
    return grpc::Status::OK;
  }

  grpc::Status ShareCase(grpc::ServerContext* context,
                         const consular::v1::ShareCaseRequest* request,
                         consular::v1::CaseShare* response) override {
    grpc::Status status = Record(context, "ShareCase");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      last_share_ = *request;
    }
    if (request->grantee() == "TUNIS") {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          "TUNIS already holds a live share of this case; revoke it first");
    }
    *response = SampleShare(request->case_id());
    response->set_grantee(request->grantee());
    response->set_access(request->access());
    response->set_legal_basis(request->legal_basis());
    *response->mutable_expires_at() = request->expires_at();
    return grpc::Status::OK;
  }

  grpc::Status RevokeShare(grpc::ServerContext* context,
                           const consular::v1::RevokeShareRequest* request,
                           consular::v1::CaseShare* response) override {
    grpc::Status status = Record(context, "RevokeShare");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      last_revoke_ = *request;
    }
    *response = SampleShare("ABN-2026-00042");
    response->set_id(request->share_id());
    response->mutable_revoked_at()->set_seconds(1772361000);  // 10:30
    response->set_revoked_by("dev-officer-rabat");
    response->set_active(false);
    return grpc::Status::OK;
  }

  grpc::Status ListShares(grpc::ServerContext* context,
                          const consular::v1::ListSharesRequest* request,
                          consular::v1::ListSharesResponse* response) override {
    grpc::Status status = Record(context, "ListShares");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      shares_requests_.push_back(*request);
    }
    if (request->include_inactive()) {
      consular::v1::CaseShare* revoked = response->add_shares();
      *revoked = SampleShare(request->case_id());
      revoked->set_id("5a1e0000-0000-4222-8333-444455556666");
      revoked->set_grantee("TUNIS");
      revoked->mutable_revoked_at()->set_seconds(1772361000);
      revoked->set_active(false);
    }
    *response->add_shares() = SampleShare(request->case_id());
    return grpc::Status::OK;
  }

  grpc::Status ReferCase(grpc::ServerContext* context,
                         const consular::v1::ReferCaseRequest* request, Case* response) override {
    grpc::Status status = Record(context, "ReferCase");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      last_refer_ = *request;
    }
    if (request->expected_version() != 7) {
      return grpc::Status(grpc::StatusCode::ABORTED, "the case changed: version is 7");
    }
    *response = SampleCase(request->case_id());
    response->set_handling_post(request->to_post());
    response->set_caller_access(consular::v1::CASE_ACCESS_SHARED_READ);
    response->set_version(8);
    return grpc::Status::OK;
  }

  grpc::Status OpenEmergencyAccess(grpc::ServerContext* context,
                                   const consular::v1::OpenEmergencyAccessRequest* request,
                                   consular::v1::EmergencyAccess* response) override {
    grpc::Status status = Record(context, "OpenEmergencyAccess");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      last_open_ = *request;
    }
    *response = SampleGrant(kGrantId);
    response->set_reason(request->reason());
    return grpc::Status::OK;
  }

  grpc::Status ListEmergencyAccess(grpc::ServerContext* context,
                                   const consular::v1::ListEmergencyAccessRequest* request,
                                   consular::v1::ListEmergencyAccessResponse* response) override {
    grpc::Status status = Record(context, "ListEmergencyAccess");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      emergency_list_requests_.push_back(*request);
    }
    // Two grants in two pages.
    if (request->page_token().empty()) {
      *response->add_grants() = SampleGrant(kGrantId);
      response->set_next_page_token("page-2");
    } else if (request->page_token() == "page-2") {
      *response->add_grants() = SampleGrant("e0000000-9999-4222-8333-444455556666");
    } else {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_token: not valid");
    }
    return grpc::Status::OK;
  }

  grpc::Status ReviewEmergencyAccess(grpc::ServerContext* context,
                                     const consular::v1::ReviewEmergencyAccessRequest* request,
                                     consular::v1::EmergencyAccess* response) override {
    grpc::Status status = Record(context, "ReviewEmergencyAccess");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      last_review_ = *request;
    }
    *response = SampleGrant(request->emergency_access_id());
    response->set_review(request->review());
    response->set_reviewed_by("dev-manager-rabat");
    response->mutable_reviewed_at()->set_seconds(1772361000);
    return grpc::Status::OK;
  }

  consular::v1::ShareCaseRequest last_share() {
    absl::MutexLock lock(&mu_);
    return last_share_;
  }
  consular::v1::RevokeShareRequest last_revoke() {
    absl::MutexLock lock(&mu_);
    return last_revoke_;
  }
  std::vector<consular::v1::ListSharesRequest> shares_requests() {
    absl::MutexLock lock(&mu_);
    return shares_requests_;
  }
  consular::v1::ReferCaseRequest last_refer() {
    absl::MutexLock lock(&mu_);
    return last_refer_;
  }
  consular::v1::OpenEmergencyAccessRequest last_open() {
    absl::MutexLock lock(&mu_);
    return last_open_;
  }
  std::vector<consular::v1::ListEmergencyAccessRequest> emergency_list_requests() {
    absl::MutexLock lock(&mu_);
    return emergency_list_requests_;
  }
  consular::v1::ReviewEmergencyAccessRequest last_review() {
    absl::MutexLock lock(&mu_);
    return last_review_;
  }

 private:
  // Records the call; UNAUTHENTICATED without an authorization header, as the
  // real server.
  grpc::Status Record(grpc::ServerContext* context, const std::string& method) {
    Call call;
    call.method = method;
    auto it = context->client_metadata().find("authorization");
    if (it != context->client_metadata().end()) {
      call.authorization = std::string(it->second.data(), it->second.size());
    }
    call.time_left = context->deadline() - std::chrono::system_clock::now();
    absl::MutexLock lock(&mu_);
    calls_.push_back(call);
    if (call.authorization.empty()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "missing bearer token");
    }
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
  consular::v1::CreateCaseRequest last_create_ ABSL_GUARDED_BY(mu_);
  consular::v1::UpdateCaseRequest last_update_ ABSL_GUARDED_BY(mu_);
  consular::v1::TransitionCaseRequest last_transition_ ABSL_GUARDED_BY(mu_);
  std::vector<consular::v1::ListCasesRequest> list_requests_
      ABSL_GUARDED_BY(mu_);
  std::vector<consular::v1::SearchCasesRequest> search_requests_
      ABSL_GUARDED_BY(mu_);
  consular::v1::ShareCaseRequest last_share_ ABSL_GUARDED_BY(mu_);
  consular::v1::RevokeShareRequest last_revoke_ ABSL_GUARDED_BY(mu_);
  std::vector<consular::v1::ListSharesRequest> shares_requests_ ABSL_GUARDED_BY(mu_);
  consular::v1::ReferCaseRequest last_refer_ ABSL_GUARDED_BY(mu_);
  consular::v1::OpenEmergencyAccessRequest last_open_ ABSL_GUARDED_BY(mu_);
  std::vector<consular::v1::ListEmergencyAccessRequest> emergency_list_requests_
      ABSL_GUARDED_BY(mu_);
  consular::v1::ReviewEmergencyAccessRequest last_review_ ABSL_GUARDED_BY(mu_);
};

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ShellQuote(const std::string& arg) {
  return absl::StrCat("'", absl::StrReplaceAll(arg, {{"'", "'\\''"}}), "'");
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// A path in the test's temporary folder, unique to this process (ctest runs
// tests in parallel).
std::string TempPath(absl::string_view name) {
  return absl::StrCat(::testing::TempDir(), "/consularctl_", getpid(), "_",
                      name);
}

// Runs consularctl with `args` and an environment without CONSULAR_* variables.
Result RunCtl(const std::vector<std::string>& args) {
  static int run = 0;
  ++run;
  const std::string out = TempPath(absl::StrCat("out_", run));
  const std::string err = TempPath(absl::StrCat("err_", run));
  std::vector<std::string> words = {"env",
                                    "-u",
                                    "CONSULAR_ADDR",
                                    "-u",
                                    "CONSULAR_TOKEN",
                                    "-u",
                                    "CONSULAR_CA_CERT",
                                    "-u",
                                    "CONSULAR_DEV_SIGNING_KEY",
                                    CONSULARCTL_PATH};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<std::string> quoted;
  for (const std::string& word : words) quoted.push_back(ShellQuote(word));
  const std::string command =
      absl::StrCat(absl::StrJoin(quoted, " "), " >", ShellQuote(out), " 2>",
                   ShellQuote(err), " </dev/null");
  const int status = std::system(command.c_str());
  Result result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  return result;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  }

  // consularctl with the fake server's address, plaintext, and the test token.
  Result Ctl(std::vector<std::string> args) {
    std::vector<std::string> all = {"--addr", absl::StrCat("127.0.0.1:", port_),
                                    "--insecure", "--token", kToken};
    all.insert(all.end(), args.begin(), args.end());
    return RunCtl(all);
  }

  FakeCaseService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(CliTest, GetSendsBearerTokenWithDeadlineAndPrintsTheCase) {
  Result r = Ctl({"--timeout", "5", "case", "get", "ABN-2026-00042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Reference:      ABN-2026-00042\n"));
  EXPECT_THAT(r.out, HasSubstr("Status:         ACTIVE\n"));
  EXPECT_THAT(r.out, HasSubstr("Opened:         2026-03-01T09:30:00Z\n"));
  EXPECT_EQ(r.err, "");
  std::vector<FakeCaseService::Call> calls = service_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].authorization, absl::StrCat("Bearer ", kToken));
  EXPECT_GT(calls[0].time_left, std::chrono::seconds(0));
  EXPECT_LE(calls[0].time_left, std::chrono::seconds(5));
}

TEST_F(CliTest, GlobalOptionsMayFollowTheSubcommand) {
  Result r = RunCtl({"case", "get", "ABN-2026-00042", "--addr",
                     absl::StrCat("127.0.0.1:", port_), "--insecure", "--token",
                     kToken, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Case c;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &c).ok())
      << r.out;
  EXPECT_EQ(c.reference(), "ABN-2026-00042");
}

TEST_F(CliTest, JsonIsTheResponseMessageWithEnumNames) {
  Result r = Ctl({"--json", "case", "get", "ABN-2026-00042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"CASE_STATUS_ACTIVE\""));
  Case c;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &c).ok())
      << r.out;
  EXPECT_EQ(c.version(), 7);
  EXPECT_EQ(c.subject().full_name(), "Amina Example");
}

TEST_F(CliTest, ServerErrorIsCodeNameAndMessageWithExitOne) {
  Result r = Ctl({"case", "get", "ABN-2026-09999"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: NOT_FOUND: case not found\n");
}

TEST_F(CliTest, NoTokenSendsNoHeaderAndTheServerSaysUnauthenticated) {
  Result r = RunCtl({"--addr", absl::StrCat("127.0.0.1:", port_), "--insecure",
                     "case", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              StartsWith("error: UNAUTHENTICATED: missing bearer token\n"));
  EXPECT_THAT(r.err, HasSubstr("CONSULAR_TOKEN"));
  ASSERT_EQ(service_.calls().size(), 1u);
  EXPECT_EQ(service_.calls()[0].authorization, "");
}

TEST_F(CliTest, CreateSendsTheFieldsAndAFreshRequestId) {
  Result r = Ctl({"case",
                  "create",
                  "--type",
                  "abandonment",
                  "--country",
                  "ma",
                  "--name",
                  "Amina Example",
                  "--sex",
                  "female",
                  "--nationality",
                  "dual",
                  "--referral",
                  "family",
                  "--flag",
                  "passport-withheld,FORCED_MARRIAGE",
                  "--left-nl",
                  "2025-11-02",
                  "--withheld",
                  "passport",
                  "--no-family-contact"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Reference:             ABN-2026-00001\n"));
  EXPECT_THAT(
      r.out,
      HasSubstr("Risk flags:            PASSPORT_WITHHELD, FORCED_MARRIAGE\n"));
  EXPECT_THAT(r.out, HasSubstr("Left NL:               2025-11-02\n"));
  consular::v1::CreateCaseRequest request = service_.last_create();
  EXPECT_EQ(request.request_id().size(), 36u);
  EXPECT_EQ(request.request_id()[14], '4');
  const Case& c = request.case_();
  EXPECT_EQ(c.type(), consular::v1::CASE_TYPE_ABANDONMENT);
  EXPECT_EQ(c.country(), "MA");
  EXPECT_EQ(c.subject().nationality_status(),
            consular::v1::NATIONALITY_STATUS_DUAL);
  EXPECT_EQ(c.abandonment().left_netherlands_on().day(), 2);
  EXPECT_TRUE(c.safety().do_not_contact_family());

  // Two creates without --request-id get different ids; a given id is sent as
  // is.
  ASSERT_EQ(Ctl({"case", "create", "--type", "divorce", "--country", "TR",
                 "--name", "B", "--sex", "x", "--nationality", "dutch-only",
                 "--referral", "self", "--request-id", "retry-me-1", "--court",
                 "Rechtbank Den Haag"})
                .exit_code,
            0);
  EXPECT_EQ(service_.last_create().request_id(), "retry-me-1");
  EXPECT_EQ(service_.last_create().case_().type(),
            consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  EXPECT_EQ(service_.last_create().case_().divorce_recognition().dutch_court(),
            "Rechtbank Den Haag");
}

TEST_F(CliTest, CreateInvalidArgumentFromServer) {
  Result r = Ctl({"case", "create", "--type", "abandonment", "--country", "XX",
                  "--name", "A", "--sex", "female", "--nationality", "dual",
                  "--referral", "family"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(
      r.err,
      "error: INVALID_ARGUMENT: case.country: unknown country code \"XX\"\n");
}

TEST_F(CliTest, UpdateWithoutVersionReadsTheCaseFirst) {
  Result r = Ctl({"case", "update", "ABN-2026-00042", "--name", "New Name",
                  "--flag", "fgm-risk", "--family-contact-ok"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<FakeCaseService::Call> calls = service_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].method, "GetCase");
  EXPECT_EQ(calls[1].method, "UpdateCase");
  consular::v1::UpdateCaseRequest request = service_.last_update();
  EXPECT_EQ(request.expected_version(), 7);
  EXPECT_EQ(request.case_().id(), "ABN-2026-00042");
  EXPECT_THAT(request.update_mask().paths(),
              ElementsAre("subject.full_name", "risk_flags",
                          "safety.do_not_contact_family"));
  EXPECT_FALSE(request.case_().safety().do_not_contact_family());
  EXPECT_THAT(r.out, HasSubstr("Version:        8\n"));
}

TEST_F(CliTest, UpdateWithVersionSkipsTheReadAndStaleIsAborted) {
  Result r = Ctl(
      {"case", "update", "ABN-2026-00042", "--version", "6", "--clear-flags"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: ABORTED: the case changed"));
  ASSERT_EQ(service_.calls().size(), 1u);
  EXPECT_EQ(service_.calls()[0].method, "UpdateCase");
  EXPECT_THAT(service_.last_update().update_mask().paths(),
              ElementsAre("risk_flags"));
  EXPECT_EQ(service_.last_update().case_().risk_flags_size(), 0);
}

TEST_F(CliTest, UpdateWithoutFieldsIsAUsageErrorAndCallsNothing) {
  Result r = Ctl({"case", "update", "ABN-2026-00042", "--version", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nothing to update"));
  EXPECT_TRUE(service_.calls().empty());
}

TEST_F(CliTest, TextThatIsNotUtf8IsAUsageErrorNamingTheFlag) {
  Result r = Ctl({"case", "note", "ABN-2026-00042", "--text", "caf\xe9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--text: not valid UTF-8"));
  EXPECT_TRUE(service_.calls().empty());
}

TEST_F(CliTest, UpdateWithDetailsOfTheOtherTypeIsAUsageError) {
  // The fake's case is an abandonment case.
  Result r = Ctl(
      {"case", "update", "ABN-2026-00042", "--court", "Rechtbank Den Haag"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--court"));
  ASSERT_EQ(service_.calls().size(), 1u);  // only the read
}

TEST_F(CliTest, TransitionParsesStatusAndOutcome) {
  Result r = Ctl({"case", "transition", "ABN-2026-00042", "resolved",
                  "--outcome", "returned-to-nl", "--reason",
                  "Back in the Netherlands", "--version", "9"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::TransitionCaseRequest request = service_.last_transition();
  EXPECT_EQ(request.target_status(), consular::v1::CASE_STATUS_RESOLVED);
  EXPECT_EQ(request.outcome(), consular::v1::OUTCOME_RETURNED_TO_NL);
  EXPECT_EQ(request.reason(), "Back in the Netherlands");
  EXPECT_EQ(request.expected_version(), 9);
  EXPECT_FALSE(request.request_id().empty());
  EXPECT_THAT(r.out, HasSubstr("Outcome:        RETURNED_TO_NL\n"));
  EXPECT_EQ(service_.calls().size(), 1u);
}

TEST_F(CliTest, ListPrintsOnePageAndTheNextPageToken) {
  Result r = Ctl({"case", "list", "--country", "ma", "--status", "active",
                  "--type", "divorce"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.out,
      StartsWith(
          "REFERENCE       TYPE         STATUS  POST   COUNTRY  OPENED"));
  EXPECT_THAT(r.out, HasSubstr("ABN-2026-00002"));
  EXPECT_THAT(r.out, Not(HasSubstr("ABN-2026-00001")));
  EXPECT_THAT(r.out, HasSubstr("\n2 case(s)\n"));
  EXPECT_EQ(r.err, "next page: --page-token page-2\n");
  std::vector<consular::v1::ListCasesRequest> requests =
      service_.list_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].country(), "MA");
  EXPECT_EQ(requests[0].status(), consular::v1::CASE_STATUS_ACTIVE);
  EXPECT_EQ(requests[0].type(),
            consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
}

TEST_F(CliTest, ListAllFollowsPageTokens) {
  Result r = Ctl({"case", "list", "--all", "--page-size", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ABN-2026-00001"));
  EXPECT_THAT(r.out, HasSubstr("\n3 case(s)\n"));
  EXPECT_EQ(r.err, "");
  std::vector<consular::v1::ListCasesRequest> requests =
      service_.list_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].page_token(), "page-2");
  EXPECT_EQ(requests[1].page_size(), 2);

  r = Ctl({"--json", "case", "list", "--all"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::ListCasesResponse response;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(r.out, &response).ok())
      << r.out;
  EXPECT_EQ(response.cases_size(), 3);
  EXPECT_EQ(response.next_page_token(), "");
}

TEST_F(CliTest, FindSendsTheNameAndPrintsTheCaseTable) {
  Result r = Ctl({"case", "find", "--name", "Jos\u00e9  MAR\u00cdA"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.out,
      StartsWith(
          "REFERENCE       TYPE         STATUS  POST   COUNTRY  OPENED"));
  EXPECT_THAT(r.out, HasSubstr("ABN-2026-00007"));
  EXPECT_THAT(r.out, HasSubstr("\n1 case(s)\n"));
  std::vector<consular::v1::SearchCasesRequest> requests =
      service_.search_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].name(), "Jos\u00e9  MAR\u00cdA");

  r = Ctl({"case", "find"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--name"));
}

TEST_F(CliTest, EventsAndNotesTables) {
  Result r = Ctl({"case", "events", "ABN-2026-00042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              StartsWith("SEQ  WHEN                  TYPE          ACTOR"));
  EXPECT_THAT(r.out, HasSubstr("created as INTAKE\n"));
  EXPECT_THAT(r.out, HasSubstr("INTAKE\u2192ACTIVE: Contact made\n"));
  EXPECT_THAT(r.out, HasSubstr("\n2 event(s)\n"));

  r = Ctl({"case", "notes", "ABN-2026-00042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "WHEN                  AUTHOR             POST\n"
            "2026-03-01T09:30:00Z  dev-officer-rabat  RABAT\n"
            "    Spoke with the local lawyer\n"
            "1 note(s)\n");

  r = Ctl({"case", "note", "ABN-2026-00042", "--text", "Called the shelter"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Text:    Called the shelter\n"));
}

TEST_F(CliTest, UsageErrorsExitTwoWithoutCalling) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"case"},
           {"case", "get"},
           {"case", "list", "--status", "open"},
           {"case", "list", "--opened-from", "01-02-2026"},
           {"case", "create", "--type", "abandonment"},
           {"case", "create", "--type", "marriage", "--country", "MA", "--name",
            "A", "--sex", "female", "--nationality", "dual", "--referral",
            "self"},
           {"case", "create", "--type", "divorce", "--country", "MA", "--name",
            "A", "--sex", "female", "--nationality", "dual", "--referral",
            "self", "--left-nl", "2025-01-01"},
           {"case", "transition", "ABN-2026-00042", "RESOLVED", "--reason",
            "r"},
           {"case", "transition", "ABN-2026-00042", "ACTIVE"},
           {"case", "note", "ABN-2026-00042"},
           {"--timeout", "0", "case", "get", "ABN-2026-00042"},
       }) {
    Result r = Ctl(args);
    EXPECT_EQ(r.exit_code, 2) << absl::StrJoin(args, " ") << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << absl::StrJoin(args, " ");
    EXPECT_EQ(r.out, "") << absl::StrJoin(args, " ");
  }
  EXPECT_TRUE(service_.calls().empty());
}

TEST_F(CliTest, ShareSendsTheGrantAndPrintsTheShare) {
  Result r = Ctl({"case", "share", "ABN-2026-00042", "--with", "lkha", "--access", "read",
                  "--basis", "Art. 5 consular act", "--until", "2099-12-31"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::ShareCaseRequest request = service_.last_share();
  EXPECT_EQ(request.case_id(), "ABN-2026-00042");
  EXPECT_EQ(request.grantee(), "LKHA");
  EXPECT_EQ(request.access(), consular::v1::SHARE_ACCESS_READ);
  EXPECT_EQ(request.legal_basis(), "Art. 5 consular act");
  // A day means "to the end of that day" (UTC): the first moment of the next day.
  EXPECT_EQ(request.expires_at().seconds(), 4102444800);  // 2100-01-01T00:00:00Z
  EXPECT_EQ(request.request_id().size(), 36u);
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("Share:       ", kShareId, "\n")));
  EXPECT_THAT(r.out, HasSubstr("Grantee:     LKHA\n"));
  EXPECT_THAT(r.out, HasSubstr("Access:      READ\n"));
  EXPECT_THAT(r.out, HasSubstr("Legal basis: Art. 5 consular act\n"));
  EXPECT_THAT(r.out, HasSubstr("Expires:     2100-01-01T00:00:00Z\n"));
  EXPECT_EQ(r.err, "");

  // Read-write, an RFC 3339 expiry, no expiry, a given request id.
  r = Ctl({"case", "share", "ABN-2026-00042", "--with", "Rabat", "--access", "read-write",
           "--basis", "b", "--until", "2099-06-01T12:00:00+02:00", "--request-id", "share-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  request = service_.last_share();
  EXPECT_EQ(request.grantee(), "RABAT");
  EXPECT_EQ(request.access(), consular::v1::SHARE_ACCESS_READ_WRITE);
  EXPECT_EQ(request.expires_at().seconds(), 4083991200);  // 2099-06-01T10:00:00Z
  EXPECT_EQ(request.request_id(), "share-1");
  r = Ctl(
      {"case", "share", "ABN-2026-00042", "--with", "LKHA", "--access", "read", "--basis", "b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(service_.last_share().has_expires_at());
  EXPECT_THAT(r.out, HasSubstr("Expires:     never (until revoked)\n"));
}

TEST_F(CliTest, ShareErrorFromTheServerIsCodeAndMessage) {
  Result r = Ctl(
      {"case", "share", "ABN-2026-00042", "--with", "TUNIS", "--access", "read", "--basis", "b"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: ALREADY_EXISTS: TUNIS already holds a live share of this case; revoke it "
            "first\n");
}

TEST_F(CliTest, UnshareSendsTheShareIdAndPrintsTheRevokedShare) {
  Result r = Ctl({"case", "unshare", "5A1E0000-1111-4222-8333-444455556666"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_revoke().share_id(), kShareId);
  EXPECT_EQ(service_.last_revoke().request_id().size(), 36u);
  EXPECT_THAT(r.out, HasSubstr("Revoked:     2026-03-01T10:30:00Z by dev-officer-rabat\n"));
  EXPECT_THAT(r.out, HasSubstr("State:       REVOKED\n"));

  r = Ctl({"case", "unshare", kShareId, "--request-id", "unshare-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_revoke().request_id(), "unshare-1");
}

TEST_F(CliTest, SharesListsLiveSharesAndWithAllTheOthersToo) {
  Result r = Ctl({"case", "shares", "ABN-2026-00042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("ID                                    GRANTEE  ACCESS  STATE   "));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(kShareId, "  LKHA     READ    ACTIVE  ")));
  EXPECT_THAT(r.out, HasSubstr("\n1 share(s)\n"));
  EXPECT_EQ(r.err, "");

  r = Ctl({"case", "shares", "ABN-2026-00042", "--all"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  TUNIS    READ    REVOKED  "));
  EXPECT_THAT(r.out, HasSubstr("\n2 share(s)\n"));
  std::vector<consular::v1::ListSharesRequest> requests = service_.shares_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].case_id(), "ABN-2026-00042");
  EXPECT_FALSE(requests[0].include_inactive());
  EXPECT_TRUE(requests[1].include_inactive());

  r = Ctl({"--json", "case", "shares", "ABN-2026-00042", "--all"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::ListSharesResponse response;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &response).ok()) << r.out;
  EXPECT_EQ(response.shares_size(), 2);
}

TEST_F(CliTest, ReferSendsTheVersionWithoutReadingAndShowsTheAccessKept) {
  Result r = Ctl({"case", "refer", "ABN-2026-00042", "--to", "tunis", "--basis",
                  "The person moved to Tunisia", "--version", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<FakeCaseService::Call> calls = service_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "ReferCase");
  consular::v1::ReferCaseRequest request = service_.last_refer();
  EXPECT_EQ(request.case_id(), "ABN-2026-00042");
  EXPECT_EQ(request.to_post(), "TUNIS");
  EXPECT_EQ(request.legal_basis(), "The person moved to Tunisia");
  EXPECT_EQ(request.expected_version(), 7);
  EXPECT_EQ(request.request_id().size(), 36u);
  EXPECT_THAT(r.out, HasSubstr("Post:           TUNIS\n"
                               "Access:         shared read-only\n"));

  r = Ctl({"case", "refer", "ABN-2026-00042", "--to", "TUNIS", "--basis", "b", "--version", "6"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: ABORTED: the case changed"));
}

TEST_F(CliTest, GetShowsHowTheCallerReachesASharedCase) {
  Result r = Ctl({"case", "get", kSharedCase});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Access:         shared read-only\n"));
  r = Ctl({"case", "get", "ABN-2026-00042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("Access:")));
}

TEST_F(CliTest, EventsShowSharesRevocationsAndReferrals) {
  Result r = Ctl({"case", "events", kSharedCase});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  SHARED  "));
  EXPECT_THAT(r.out, HasSubstr("shared with LKHA (READ)\n"));
  EXPECT_THAT(r.out, HasSubstr("  SHARE_REVOKED  "));
  EXPECT_THAT(r.out, HasSubstr("share with LKHA revoked\n"));
  EXPECT_THAT(r.out, HasSubstr("  REFERRED  "));
  EXPECT_THAT(r.out, HasSubstr("referred RABAT\u2192TUNIS\n"));
  EXPECT_THAT(r.out, HasSubstr("\n5 event(s)\n"));
}

TEST_F(CliTest, EmergencyOpenPrintsTheGrantAndWarnsThatItIsLoggedAndReviewed) {
  Result r = Ctl({"emergency", "open", "ABN-2026-00042", "--reason",
                  "The person is at the TUNIS desk now", "--minutes", "30"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::OpenEmergencyAccessRequest request = service_.last_open();
  EXPECT_EQ(request.case_id(), "ABN-2026-00042");
  EXPECT_EQ(request.reason(), "The person is at the TUNIS desk now");
  EXPECT_EQ(request.minutes(), 30);
  EXPECT_EQ(request.request_id().size(), 36u);
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("Emergency access: ", kGrantId, "\n")));
  EXPECT_THAT(r.out, HasSubstr("Expires:          2026-03-01T10:30:00Z\n"));
  EXPECT_THAT(r.out, HasSubstr("Review:           UNREVIEWED\n"));
  EXPECT_THAT(r.err, StartsWith("warning: emergency access is logged and reviewed"));
  EXPECT_THAT(r.err, HasSubstr("RABAT"));
  EXPECT_THAT(r.err, HasSubstr("2026-03-01T10:30:00Z"));

  // Without --minutes the server's default applies; with --json stdout stays JSON.
  r = Ctl({"--json", "emergency", "open", "ABN-2026-00042", "--reason", "Police asked for it",
           "--request-id", "open-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_open().minutes(), 0);
  EXPECT_EQ(service_.last_open().request_id(), "open-1");
  consular::v1::EmergencyAccess grant;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &grant).ok()) << r.out;
  EXPECT_EQ(grant.id(), kGrantId);
  EXPECT_THAT(r.err, StartsWith("warning: "));
}

TEST_F(CliTest, EmergencyListIsPagedAndCanAskForUnreviewedOnly) {
  Result r = Ctl({"emergency", "list", "--unreviewed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("ID                                    CASE            POST   "));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(kGrantId, "  ABN-2026-00042  RABAT  ")));
  EXPECT_THAT(r.out, HasSubstr("  ACTIVE  UNREVIEWED\n"
                               "    The person is at the TUNIS desk now\n"));
  EXPECT_THAT(r.out, HasSubstr("\n1 emergency access(es)\n"));
  EXPECT_EQ(r.err, "next page: --page-token page-2\n");

  r = Ctl({"emergency", "list", "--all", "--page-size", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("e0000000-9999-4222-8333-444455556666"));
  EXPECT_THAT(r.out, HasSubstr("\n2 emergency access(es)\n"));
  EXPECT_EQ(r.err, "");
  std::vector<consular::v1::ListEmergencyAccessRequest> requests =
      service_.emergency_list_requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[0].unreviewed_only());
  EXPECT_FALSE(requests[1].unreviewed_only());
  EXPECT_EQ(requests[1].page_size(), 1);
  EXPECT_EQ(requests[2].page_token(), "page-2");
}

TEST_F(CliTest, EmergencyReviewSendsTheVerdict) {
  Result r = Ctl({"emergency", "review", kGrantId, "--justified"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_review().emergency_access_id(), kGrantId);
  EXPECT_EQ(service_.last_review().review(), consular::v1::EMERGENCY_REVIEW_JUSTIFIED);
  EXPECT_EQ(service_.last_review().request_id().size(), 36u);
  EXPECT_THAT(r.out, HasSubstr("Review:           JUSTIFIED\n"
                               "Reviewed by:      dev-manager-rabat\n"));

  r = Ctl({"emergency", "review", kGrantId, "--not-justified", "--request-id", "review-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_review().review(), consular::v1::EMERGENCY_REVIEW_NOT_JUSTIFIED);
  EXPECT_EQ(service_.last_review().request_id(), "review-1");
}

TEST_F(CliTest, SharingAndEmergencyUsageErrorsNameTheFlagAndCallNothing) {
  struct Usage {
    std::vector<std::string> args;
    std::string named;  // what stderr must mention
  };
  for (const Usage& c : std::vector<Usage>{
           {{"case", "share", "ABN-2026-00042", "--with", "LKHA", "--access", "read"}, "--basis"},
           {{"case", "share", "ABN-2026-00042", "--access", "read", "--basis", "b"}, "--with"},
           {{"case", "share", "ABN-2026-00042", "--with", "LKHA", "--basis", "b"}, "--access"},
           {{"case", "share", "ABN-2026-00042", "--with", "LKHA", "--access", "write", "--basis",
             "b"},
            "--access"},
           {{"case", "share", "ABN-2026-00042", "--with", "la kha", "--access", "read", "--basis",
             "b"},
            "--with"},
           {{"case", "share", "ABN-2026-00042", "--with", "LKHA", "--access", "read", "--basis",
             "b", "--until", "tomorrow"},
            "--until"},
           {{"case", "share", "--with", "LKHA", "--access", "read", "--basis", "b"}, "CASE"},
           {{"case", "unshare"}, "SHARE_ID"},
           {{"case", "unshare", "ABN-2026-00042"}, "SHARE_ID"},
           {{"case", "shares"}, "CASE"},
           {{"case", "refer", "ABN-2026-00042", "--to", "TUNIS", "--basis", "b"}, "--version"},
           {{"case", "refer", "ABN-2026-00042", "--to", "TUNIS", "--version", "3"}, "--basis"},
           {{"case", "refer", "ABN-2026-00042", "--basis", "b", "--version", "3"}, "--to"},
           {{"case", "refer", "ABN-2026-00042", "--to", "Tunis!", "--basis", "b", "--version", "3"},
            "--to"},
           {{"case", "refer", "ABN-2026-00042", "--to", "TUNIS", "--basis", "b", "--version", "0"},
            "--version"},
           {{"emergency"}, "subcommand"},
           {{"emergency", "open", "ABN-2026-00042"}, "--reason"},
           {{"emergency", "open", "ABN-2026-00042", "--reason", "r", "--minutes", "481"},
            "--minutes"},
           {{"emergency", "open", "ABN-2026-00042", "--reason", "r", "--minutes", "0"},
            "--minutes"},
           {{"emergency", "list", "--page-size", "0"}, "--page-size"},
           {{"emergency", "review", kGrantId}, "--justified"},
           {{"emergency", "review", kGrantId, "--justified", "--not-justified"}, "--justified"},
           {{"emergency", "review", "not-a-uuid", "--justified"}, "ID"},
           {{"emergency", "review", "--justified"}, "ID"},
       }) {
    Result r = Ctl(c.args);
    EXPECT_EQ(r.exit_code, 2) << absl::StrJoin(c.args, " ") << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.named)) << absl::StrJoin(c.args, " ");
    EXPECT_EQ(r.out, "") << absl::StrJoin(c.args, " ");
  }
  EXPECT_TRUE(service_.calls().empty());
}

TEST_F(CliTest, BasisAndReasonThatAreNotUtf8AreUsageErrorsNamingTheFlag) {
  Result r = Ctl({"case", "share", "ABN-2026-00042", "--with", "LKHA", "--access", "read",
                  "--basis", "art\xe9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--basis: not valid UTF-8"));
  r = Ctl({"emergency", "open", "ABN-2026-00042", "--reason", "caf\xe9 on fire"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--reason: not valid UTF-8"));
  EXPECT_TRUE(service_.calls().empty());
}

TEST_F(CliTest, TheTokenIsNeverPrinted) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"case", "get", "ABN-2026-09999"},
           {"case", "get", "ABN-2026-00042"},
           {"case", "list", "--page-token", "bogus"},
           {"case", "bogus"},
           {"--help"},
       }) {
    Result r = Ctl(args);
    EXPECT_THAT(r.out, Not(HasSubstr(kToken))) << absl::StrJoin(args, " ");
    EXPECT_THAT(r.err, Not(HasSubstr(kToken))) << absl::StrJoin(args, " ");
  }
}

TEST(CliNoServerTest, ClosedPortIsUnavailable) {
  // Bind a port, then close it: nothing listens there.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);
  close(fd);
  Result r = RunCtl({"--addr", absl::StrCat("127.0.0.1:", port), "--insecure",
                     "--token", "t", "case", "get", "ABN-2026-00001"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: UNAVAILABLE: "));
}

TEST(CliNoServerTest, UnreadableCaCertIsAUsageError) {
  Result r = RunCtl(
      {"--ca-cert", "/nonexistent/ca.pem", "--token", "t", "case", "get", "X"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/ca.pem"));
}

// Makes an EC P-256 key pair with the openssl command; returns false if that is
// not possible.
bool MakeKeyPair(const std::string& private_pem,
                 const std::string& public_pem) {
  const std::string command = absl::StrCat(
      "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ",
      ShellQuote(private_pem), " 2>/dev/null && openssl pkey -in ",
      ShellQuote(private_pem), " -pubout -out ", ShellQuote(public_pem),
      " 2>/dev/null");
  return std::system(command.c_str()) == 0;
}

TEST(DevTokenTest, MintsAVerifiableTokenAloneOnStdout) {
  const std::string private_pem = TempPath("signing.pem");
  const std::string public_pem = TempPath("public.pem");
  ASSERT_TRUE(MakeKeyPair(private_pem, public_pem))
      << "openssl is needed for this test";

  Result r = RunCtl({"dev", "token", "--role", "officer", "--post", "rabat",
                     "--key", private_pem});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n');
  const std::string token = r.out.substr(0, r.out.size() - 1);
  EXPECT_EQ(token.find('\n'), std::string::npos);

  VerifierOptions options;
  options.public_key_pems = {ReadFile(public_pem)};
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
      MakeJwtTokenVerifier(options);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<Identity> identity = (*verifier)->Verify(token);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->role, consular::v1::ROLE_CONSULAR_OFFICER);
  EXPECT_EQ(identity->post, "RABAT");
  EXPECT_EQ(identity->subject, "dev-officer-rabat");

  // Full role name, explicit subject, and a wrong audience makes it fail
  // verification.
  r = RunCtl({"dev", "token", "--role", "POLICY_STAFF", "--subject", "jan",
              "--key", private_pem, "--audience", "elsewhere"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE((*verifier)->Verify(r.out.substr(0, r.out.size() - 1)).ok());
}

TEST(DevTokenTest, UsageErrors) {
  EXPECT_EQ(RunCtl({"dev", "token", "--role", "boss", "--key", "/dev/null"})
                .exit_code,
            2);
  EXPECT_EQ(
      RunCtl({"dev", "token", "--role", "officer", "--key", "/nonexistent.pem"})
          .exit_code,
      2);
  EXPECT_EQ(RunCtl({"dev", "token", "--role", "auditor"}).exit_code,
            2);  // no key
  Result r =
      RunCtl({"dev", "token", "--role", "officer", "--key", "/dev/null"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--post"));
}

}  // namespace
}  // namespace consular::ctl

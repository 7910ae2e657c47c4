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
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/cases.grpc.pb.h"
#include "consular/v1/contacts.grpc.pb.h"
#include "consular/v1/statistics.grpc.pb.h"
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

// The contacts fixtures.
constexpr char kContactCase[] = "FDR-2026-00009";
constexpr char kPartnerId[] = "9a000000-1111-4222-8333-444455556666";
constexpr char kContactId[] = "c0000000-1111-4222-8333-444455556666";
constexpr char kSuspendedPartnerId[] = "9a000000-9999-4222-8333-444455556666";

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

  grpc::Status ListCaseHistory(grpc::ServerContext* context,
                               const consular::v1::ListCaseHistoryRequest* request,
                               consular::v1::ListCaseHistoryResponse* response) override {
    grpc::Status status = Record(context, "ListCaseHistory");
    if (!status.ok()) return status;
    {
      absl::MutexLock lock(&mu_);
      last_history_ = *request;
    }
    consular::v1::CaseHistoryEntry* entry = response->add_entries();
    entry->set_sequence(3);
    entry->set_event_type(consular::v1::CASE_EVENT_TYPE_UPDATED);
    entry->set_actor("dev-officer-rabat");
    entry->set_actor_post("RABAT");
    entry->set_case_version(3);
    entry->mutable_changed_at()->set_seconds(1772357400);
    entry->set_reason("Her husband found the old number");
    consular::v1::FieldChange* channel = entry->add_changes();
    channel->set_field("safety.safe_contact_channel");
    channel->set_old_value("+212 600 000000");
    channel->set_new_value("+212 611 111111");
    consular::v1::FieldChange* notes = entry->add_changes();
    notes->set_field("safety.covert_notes");
    notes->set_withheld(true);
    return grpc::Status::OK;
  }
  consular::v1::ListCaseHistoryRequest last_history() {
    absl::MutexLock lock(&mu_);
    return last_history_;
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
    if (request->case_id() == kContactCase) {
      consular::v1::CaseEvent* logged = response->add_events();
      logged->set_sequence(3);
      logged->set_type(consular::v1::CASE_EVENT_TYPE_CONTACT_LOGGED);
      logged->set_actor("dev-officer-rabat");
      logged->set_actor_role(consular::v1::ROLE_CONSULAR_OFFICER);
      logged->set_contact_id(kContactId);
      logged->set_partner_kind(consular::v1::PARTNER_KIND_LAWYER);
      logged->set_contact_purpose(consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE);
      logged->set_case_version(3);
      consular::v1::CaseEvent* done = response->add_events();
      *done = *logged;
      done->set_sequence(4);
      done->set_type(consular::v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED);
      done->set_case_version(4);
      consular::v1::CaseEvent* changed = response->add_events();
      *changed = *logged;
      changed->set_sequence(5);
      changed->set_type(consular::v1::CASE_EVENT_TYPE_CONTACT_UPDATED);
      changed->set_partner_kind(consular::v1::PARTNER_KIND_OTHER);
      changed->set_contact_purpose(consular::v1::CONTACT_PURPOSE_SHELTER);
      changed->set_case_version(5);
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
  consular::v1::ListCaseHistoryRequest last_history_ ABSL_GUARDED_BY(mu_);
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

// Records calls like FakeCaseService::Record; UNAUTHENTICATED without an authorization header.
class CallRecorder {
 public:
  std::vector<std::string> methods() {
    absl::MutexLock lock(&mu_);
    return methods_;
  }

 protected:
  grpc::Status Record(grpc::ServerContext* context, const std::string& method) {
    absl::MutexLock lock(&mu_);
    methods_.push_back(method);
    auto it = context->client_metadata().find("authorization");
    if (it == context->client_metadata().end()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing bearer token");
    }
    return grpc::Status::OK;
  }

  absl::Mutex mu_;

 private:
  std::vector<std::string> methods_ ABSL_GUARDED_BY(mu_);
};

consular::v1::Partner SamplePartner(const std::string& id) {
  consular::v1::Partner p;
  p.set_id(id);
  p.set_kind(consular::v1::PARTNER_KIND_LAWYER);
  p.set_name("Cabinet Benali");
  p.set_country("MA");
  p.set_city("Rabat");
  p.add_specialisms(consular::v1::SPECIALISM_FAMILY_LAW);
  p.add_languages("ar");
  p.set_vetting_status(consular::v1::VETTING_STATUS_UNVETTED);
  p.set_active(true);
  p.set_version(1);
  return p;
}

class FakePartnerService final : public consular::v1::PartnerService::Service, public CallRecorder {
 public:
  grpc::Status CreatePartner(grpc::ServerContext* context,
                             const consular::v1::CreatePartnerRequest* request,
                             consular::v1::Partner* response) override {
    grpc::Status status = Record(context, "CreatePartner");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_create_ = *request;
    *response = request->partner();
    response->set_id(kPartnerId);
    response->set_vetting_status(consular::v1::VETTING_STATUS_UNVETTED);
    response->set_active(true);
    response->set_version(1);
    return grpc::Status::OK;
  }
  grpc::Status UpdatePartner(grpc::ServerContext* context,
                             const consular::v1::UpdatePartnerRequest* request,
                             consular::v1::Partner* response) override {
    grpc::Status status = Record(context, "UpdatePartner");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_update_ = *request;
    if (request->expected_version() != 3) {
      return grpc::Status(grpc::StatusCode::ABORTED, "partner is at version 3, not 2");
    }
    *response = SamplePartner(request->partner().id());
    response->set_version(4);
    return grpc::Status::OK;
  }
  grpc::Status GetPartner(grpc::ServerContext* context,
                          const consular::v1::GetPartnerRequest* request,
                          consular::v1::Partner* response) override {
    grpc::Status status = Record(context, "GetPartner");
    if (!status.ok()) return status;
    *response = SamplePartner(request->partner_id());
    return grpc::Status::OK;
  }
  grpc::Status ListPartners(grpc::ServerContext* context,
                            const consular::v1::ListPartnersRequest* request,
                            consular::v1::ListPartnersResponse* response) override {
    grpc::Status status = Record(context, "ListPartners");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    list_requests_.push_back(*request);
    // Two partners in two pages.
    if (request->page_token().empty()) {
      *response->add_partners() = SamplePartner(kPartnerId);
      response->set_next_page_token("page-2");
    } else {
      *response->add_partners() = SamplePartner(kSuspendedPartnerId);
    }
    return grpc::Status::OK;
  }
  grpc::Status SetVetting(grpc::ServerContext* context,
                          const consular::v1::SetVettingRequest* request,
                          consular::v1::Partner* response) override {
    grpc::Status status = Record(context, "SetVetting");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_vetting_ = *request;
    *response = SamplePartner(request->partner_id());
    response->set_vetting_status(request->status());
    response->set_vetting_note(request->note());
    response->set_version(request->expected_version() + 1);
    return grpc::Status::OK;
  }
  grpc::Status DeactivatePartner(grpc::ServerContext* context,
                                 const consular::v1::DeactivatePartnerRequest* request,
                                 consular::v1::Partner* response) override {
    grpc::Status status = Record(context, "DeactivatePartner");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_deactivate_ = *request;
    *response = SamplePartner(request->partner_id());
    response->set_active(false);
    response->set_version(request->expected_version() + 1);
    return grpc::Status::OK;
  }

  consular::v1::CreatePartnerRequest last_create() {
    absl::MutexLock lock(&mu_);
    return last_create_;
  }
  consular::v1::UpdatePartnerRequest last_update() {
    absl::MutexLock lock(&mu_);
    return last_update_;
  }
  std::vector<consular::v1::ListPartnersRequest> list_requests() {
    absl::MutexLock lock(&mu_);
    return list_requests_;
  }
  consular::v1::SetVettingRequest last_vetting() {
    absl::MutexLock lock(&mu_);
    return last_vetting_;
  }
  consular::v1::DeactivatePartnerRequest last_deactivate() {
    absl::MutexLock lock(&mu_);
    return last_deactivate_;
  }

 private:
  consular::v1::CreatePartnerRequest last_create_ ABSL_GUARDED_BY(mu_);
  consular::v1::UpdatePartnerRequest last_update_ ABSL_GUARDED_BY(mu_);
  std::vector<consular::v1::ListPartnersRequest> list_requests_ ABSL_GUARDED_BY(mu_);
  consular::v1::SetVettingRequest last_vetting_ ABSL_GUARDED_BY(mu_);
  consular::v1::DeactivatePartnerRequest last_deactivate_ ABSL_GUARDED_BY(mu_);
};

// UnitService: RABAT at version 6, accredited to MA; records the changes it is sent.
class FakeUnitService final : public consular::v1::UnitService::Service, public CallRecorder {
 public:
  static consular::v1::Unit Rabat() {
    consular::v1::Unit u;
    u.set_code("RABAT");
    u.set_kind(consular::v1::UNIT_KIND_POST);
    u.set_name("Embassy of the Netherlands in Rabat");
    u.set_city("Rabat");
    u.set_country("MA");
    u.add_accredited_countries("MA");
    u.set_active(true);
    u.set_version(6);
    return u;
  }
  grpc::Status CreateUnit(grpc::ServerContext* context,
                          const consular::v1::CreateUnitRequest* request,
                          consular::v1::Unit* response) override {
    grpc::Status status = Record(context, "CreateUnit");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_create_ = *request;
    *response = request->unit();
    response->set_active(true);
    response->set_version(1);
    return grpc::Status::OK;
  }
  grpc::Status GetUnit(grpc::ServerContext* context, const consular::v1::GetUnitRequest* request,
                       consular::v1::Unit* response) override {
    grpc::Status status = Record(context, "GetUnit");
    if (!status.ok()) return status;
    if (request->code() != "RABAT") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, request->code() + " is not in the register");
    }
    *response = Rabat();
    return grpc::Status::OK;
  }
  grpc::Status ListUnits(grpc::ServerContext* context, const consular::v1::ListUnitsRequest* request,
                         consular::v1::ListUnitsResponse* response) override {
    grpc::Status status = Record(context, "ListUnits");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_list_ = *request;
    *response->add_units() = Rabat();
    return grpc::Status::OK;
  }
  grpc::Status AccreditUnit(grpc::ServerContext* context,
                            const consular::v1::AccreditUnitRequest* request,
                            consular::v1::Unit* response) override {
    grpc::Status status = Record(context, "AccreditUnit");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_accredit_ = *request;
    *response = Rabat();
    for (const std::string& c : request->countries()) response->add_accredited_countries(c);
    response->set_version(request->expected_version() + 1);
    return grpc::Status::OK;
  }
  grpc::Status UnaccreditUnit(grpc::ServerContext* context,
                              const consular::v1::UnaccreditUnitRequest* request,
                              consular::v1::Unit* response) override {
    grpc::Status status = Record(context, "UnaccreditUnit");
    if (!status.ok()) return status;
    *response = Rabat();
    response->clear_accredited_countries();
    response->set_version(request->expected_version() + 1);
    return grpc::Status::OK;
  }
  grpc::Status SetUnitActive(grpc::ServerContext* context,
                             const consular::v1::SetUnitActiveRequest* request,
                             consular::v1::Unit* response) override {
    grpc::Status status = Record(context, "SetUnitActive");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_active_ = *request;
    *response = Rabat();
    response->set_active(request->active());
    response->set_inactive_reason(request->reason());
    response->set_version(request->expected_version() + 1);
    return grpc::Status::OK;
  }
  grpc::Status UpdateUnit(grpc::ServerContext* context,
                          const consular::v1::UpdateUnitRequest* request,
                          consular::v1::Unit* response) override {
    grpc::Status status = Record(context, "UpdateUnit");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_update_ = *request;
    *response = Rabat();
    if (!request->name().empty()) response->set_name(request->name());
    if (!request->city().empty()) response->set_city(request->city());
    response->set_version(request->expected_version() + 1);
    return grpc::Status::OK;
  }
  consular::v1::UpdateUnitRequest last_update() {
    absl::MutexLock lock(&mu_);
    return last_update_;
  }
  consular::v1::CreateUnitRequest last_create() {
    absl::MutexLock lock(&mu_);
    return last_create_;
  }
  consular::v1::ListUnitsRequest last_list() {
    absl::MutexLock lock(&mu_);
    return last_list_;
  }
  consular::v1::AccreditUnitRequest last_accredit() {
    absl::MutexLock lock(&mu_);
    return last_accredit_;
  }
  consular::v1::SetUnitActiveRequest last_active() {
    absl::MutexLock lock(&mu_);
    return last_active_;
  }

 private:
  consular::v1::CreateUnitRequest last_create_ ABSL_GUARDED_BY(mu_);
  consular::v1::ListUnitsRequest last_list_ ABSL_GUARDED_BY(mu_);
  consular::v1::AccreditUnitRequest last_accredit_ ABSL_GUARDED_BY(mu_);
  consular::v1::SetUnitActiveRequest last_active_ ABSL_GUARDED_BY(mu_);
  consular::v1::UpdateUnitRequest last_update_ ABSL_GUARDED_BY(mu_);
};

consular::v1::Contact SampleContact(const std::string& id) {
  consular::v1::Contact c;
  c.set_id(id);
  c.set_case_id("0b7c2a8e-1111-4222-8333-444455556666");
  c.set_case_reference(kContactCase);
  c.set_partner_id(kPartnerId);
  c.set_partner_name("Cabinet Benali");
  c.set_partner_kind(consular::v1::PARTNER_KIND_LAWYER);
  c.mutable_occurred_at()->set_seconds(1772357400);  // 2026-03-01T09:30:00Z
  c.set_channel(consular::v1::CONTACT_CHANNEL_PHONE);
  c.set_direction(consular::v1::CONTACT_DIRECTION_OUTGOING);
  c.set_purpose(consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE);
  c.set_outcome(consular::v1::CONTACT_OUTCOME_HELP_AGREED);
  c.set_logged_by("dev-officer-rabat");
  c.set_logged_by_unit("RABAT");
  c.set_version(1);
  return c;
}

class FakeContactService final : public consular::v1::ContactService::Service, public CallRecorder {
 public:
  grpc::Status LogContact(grpc::ServerContext* context,
                          const consular::v1::LogContactRequest* request,
                          consular::v1::Contact* response) override {
    grpc::Status status = Record(context, "LogContact");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_log_ = *request;
    if (request->contact().partner_id() == kSuspendedPartnerId) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "partner Cabinet Benali is suspended (vetting) and cannot be used for a "
                          "new contact");
    }
    *response = request->contact();
    response->set_id(kContactId);
    response->set_case_reference(kContactCase);
    response->set_version(1);
    return grpc::Status::OK;
  }
  grpc::Status ListContacts(grpc::ServerContext* context,
                            const consular::v1::ListContactsRequest* request,
                            consular::v1::ListContactsResponse* response) override {
    grpc::Status status = Record(context, "ListContacts");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    list_requests_.push_back(*request);
    consular::v1::Contact* c = response->add_contacts();
    *c = SampleContact(kContactId);
    c->set_note("Will file on Monday");
    if (request->page_token().empty()) response->set_next_page_token("page-2");
    return grpc::Status::OK;
  }
  grpc::Status ListFollowUpsDue(grpc::ServerContext* context,
                                const consular::v1::ListFollowUpsDueRequest* request,
                                consular::v1::ListFollowUpsDueResponse* response) override {
    grpc::Status status = Record(context, "ListFollowUpsDue");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    due_requests_.push_back(*request);
    consular::v1::FollowUpDue* late = response->add_follow_ups();
    *late->mutable_contact() = SampleContact(kContactId);
    late->mutable_contact()->mutable_follow_up_due()->set_year(2026);
    late->mutable_contact()->mutable_follow_up_due()->set_month(2);
    late->mutable_contact()->mutable_follow_up_due()->set_day(20);
    late->set_overdue(true);
    late->set_days_overdue(9);
    consular::v1::FollowUpDue* soon = response->add_follow_ups();
    *soon->mutable_contact() = SampleContact("c0000000-2222-4222-8333-444455556666");
    soon->mutable_contact()->mutable_follow_up_due()->set_year(2026);
    soon->mutable_contact()->mutable_follow_up_due()->set_month(3);
    soon->mutable_contact()->mutable_follow_up_due()->set_day(12);
    return grpc::Status::OK;
  }
  grpc::Status CompleteFollowUp(grpc::ServerContext* context,
                                const consular::v1::CompleteFollowUpRequest* request,
                                consular::v1::Contact* response) override {
    grpc::Status status = Record(context, "CompleteFollowUp");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    last_done_ = *request;
    *response = SampleContact(request->contact_id());
    response->mutable_follow_up_done_at()->set_seconds(1772361000);  // 10:30
    response->set_follow_up_done_by("dev-officer-rabat");
    response->set_version(request->expected_version() + 1);
    return grpc::Status::OK;
  }

  consular::v1::LogContactRequest last_log() {
    absl::MutexLock lock(&mu_);
    return last_log_;
  }
  std::vector<consular::v1::ListContactsRequest> list_requests() {
    absl::MutexLock lock(&mu_);
    return list_requests_;
  }
  std::vector<consular::v1::ListFollowUpsDueRequest> due_requests() {
    absl::MutexLock lock(&mu_);
    return due_requests_;
  }
  consular::v1::CompleteFollowUpRequest last_done() {
    absl::MutexLock lock(&mu_);
    return last_done_;
  }

 private:
  consular::v1::LogContactRequest last_log_ ABSL_GUARDED_BY(mu_);
  std::vector<consular::v1::ListContactsRequest> list_requests_ ABSL_GUARDED_BY(mu_);
  std::vector<consular::v1::ListFollowUpsDueRequest> due_requests_ ABSL_GUARDED_BY(mu_);
  consular::v1::CompleteFollowUpRequest last_done_ ABSL_GUARDED_BY(mu_);
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

// Runs consularctl with `args` and an environment without CONSULAR_* variables (but for the
// NAME=VALUE pairs in `env`).
Result RunCtl(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
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
                                    "-u",
                                    "CONSULAR_AUDIT_ADDR",
                                    "-u",
                                    "CONSULAR_CONTACTS_ADDR"};
  words.insert(words.end(), env.begin(), env.end());
  words.push_back(CONSULARCTL_PATH);
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

std::string FormatTestDate(const consular::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

// consular-stats' release call: records how long the client gave it.
class FakeStatisticsService final : public consular::v1::StatisticsService::Service {
 public:
  grpc::Status CreateRelease(grpc::ServerContext* context,
                             const consular::v1::CreateReleaseRequest*,
                             consular::v1::Release* out) override {
    {
      absl::MutexLock lock(&mu_);
      time_left_.push_back(context->deadline() - std::chrono::system_clock::now());
    }
    out->set_number(7);
    out->set_definition_version("2");
    return grpc::Status::OK;
  }
  // A year of the overlap year: contacts under both definitions.
  grpc::Status GetCountryStatistics(grpc::ServerContext*,
                                    const consular::v1::GetCountryStatisticsRequest* request,
                                    consular::v1::CountryStatistics* out) override {
    out->set_country(request->country());
    *out->mutable_period() = request->period();
    out->set_release(7);
    out->set_definition_version("2");
    out->set_threshold(5);
    out->mutable_contacts()->set_value(21);
    consular::v1::PreviousDefinitionFigures* previous = out->mutable_previous_definition();
    previous->set_definition_version("1");
    previous->mutable_contacts()->set_value(60);
    consular::v1::Breakdown* b = previous->add_breakdowns();
    b->set_measure(consular::v1::MEASURE_CONTACTS);
    b->set_dimension(consular::v1::DIMENSION_PARTNER_KIND);
    consular::v1::Cell* cell = b->add_cells();
    cell->set_category("PARTNER_KIND_LAWYER");
    cell->mutable_figure()->set_suppressed(true);
    b->mutable_total()->set_value(60);
    return grpc::Status::OK;
  }
  // A series of contacts over the overlap year: its points there carry definitions 1's figures.
  grpc::Status GetTimeSeries(grpc::ServerContext*, const consular::v1::GetTimeSeriesRequest* request,
                             consular::v1::TimeSeries* out) override {
    out->set_country(request->country());
    out->set_measure(request->measure());
    out->set_interval(request->interval());
    out->set_release(7);
    out->set_definition_version("2");
    out->set_previous_definition_version("1");
    out->set_threshold(5);
    for (int y = request->from_year(); y <= request->to_year(); ++y) {
      consular::v1::TimePoint* p = out->add_points();
      p->set_period(absl::StrCat(y));
      p->mutable_figure()->set_value(10 + y % 10);
      if (y == 2026) p->mutable_previous_definition()->set_value(44);
    }
    return grpc::Status::OK;
  }
  std::vector<std::chrono::system_clock::duration> time_left() {
    absl::MutexLock lock(&mu_);
    return time_left_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::chrono::system_clock::duration> time_left_ ABSL_GUARDED_BY(mu_);
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    builder.RegisterService(&statistics_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
    // consular-contacts on a port of its own: the commands must use --contacts-addr.
    grpc::ServerBuilder contacts_builder;
    contacts_builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                                      &contacts_port_);
    contacts_builder.RegisterService(&partners_);
    contacts_builder.RegisterService(&contacts_);
    contacts_builder.RegisterService(&units_);
    contacts_server_ = contacts_builder.BuildAndStart();
    ASSERT_NE(contacts_server_, nullptr);
    ASSERT_GT(contacts_port_, 0);
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
    if (contacts_server_ != nullptr) {
      contacts_server_->Shutdown(std::chrono::system_clock::now());
    }
  }

  // consularctl with the fake servers' addresses, plaintext, and the test token.
  Result Ctl(std::vector<std::string> args) {
    std::vector<std::string> all = {"--addr",
                                    absl::StrCat("127.0.0.1:", port_),
                                    "--contacts-addr",
                                    absl::StrCat("127.0.0.1:", contacts_port_),
                                    "--insecure",
                                    "--token",
                                    kToken};
    all.insert(all.end(), args.begin(), args.end());
    return RunCtl(all);
  }

  FakeCaseService service_;
  FakeStatisticsService statistics_;  // on the case service's port (--stats-addr names it)
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  FakePartnerService partners_;
  FakeContactService contacts_;
  FakeUnitService units_;
  std::unique_ptr<grpc::Server> contacts_server_;
  int contacts_port_ = 0;
};

TEST_F(CliTest, GetSendsBearerTokenWithDeadlineAndPrintsTheCase) {
  Result r = Ctl({"--timeout", "5", "case", "get", "ABN-2026-00042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Reference:      ABN-2026-00042\n"));
  EXPECT_THAT(r.out, HasSubstr("Status:         active\n"));
  EXPECT_THAT(r.out, HasSubstr("Opened:         2026-03-01T09:30:00Z\n"));
  EXPECT_EQ(r.err, "");
  std::vector<FakeCaseService::Call> calls = service_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].authorization, absl::StrCat("Bearer ", kToken));
  EXPECT_GT(calls[0].time_left, std::chrono::seconds(0));
  EXPECT_LE(calls[0].time_left, std::chrono::seconds(5));
}

TEST_F(CliTest, FiguresOfTheOverlapYearShowBothDefinitions) {
  Result r = Ctl({"--stats-addr", absl::StrCat("127.0.0.1:", port_), "stats", "country", "MA",
                  "--year", "2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("release 7, definitions 2"));
  EXPECT_THAT(r.out, HasSubstr("Under definitions 1 (counted until this overlap year: every "
                               "contact, not the cases)"));
  EXPECT_THAT(r.out, HasSubstr("contacts (definitions 1) by partner kind"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("contacts with partners +60"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("cases with contacts +21"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("lawyer +x"));
}

TEST_F(CliTest, ASeriesOverTheOverlapYearShowsBothDefinitions) {
  Result r = Ctl({"--stats-addr", absl::StrCat("127.0.0.1:", port_), "stats", "series", "MA",
                  "--measure", "contacts", "--interval", "year", "--from-year", "2025",
                  "--to-year", "2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("PERIOD +VALUE +DEFINITIONS 1"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("2025 +15 +-"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("2026 +16 +44"));
}

TEST_F(CliTest, MakingAReleaseWaitsHalfAnHourUnlessTimeoutSaysOtherwise) {
  const std::string stats = absl::StrCat("127.0.0.1:", port_);
  Result r = Ctl({"--stats-addr", stats, "stats", "release", "create"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("release"));
  r = Ctl({"--stats-addr", stats, "--timeout", "5", "stats", "release", "create"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::chrono::system_clock::duration> time_left = statistics_.time_left();
  ASSERT_EQ(time_left.size(), 2u);
  // gRPC sends the timeout in the grpc-timeout header rounded up to few significant digits
  // (29:59.99 has arrived as 30:10, 4.993 s as 5.008 s), so the server may see up to about 1%
  // more than was asked for; never half an hour for 5 seconds, nor the reverse.
  EXPECT_GT(time_left[0], std::chrono::minutes(29));
  EXPECT_LE(time_left[0], std::chrono::seconds(30 * 60 * 101 / 100));
  EXPECT_GT(time_left[1], std::chrono::seconds(0));
  EXPECT_LE(time_left[1], std::chrono::milliseconds(5 * 1010));
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
                  "--permit-kind",
                  "eu-long-term-resident",
                  "--no-family-contact"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Reference:             ABN-2026-00001\n"));
  EXPECT_EQ(service_.last_create().case_().abandonment().residence_permit_kind(),
            consular::v1::PERMIT_KIND_EU_LONG_TERM_RESIDENT);
  EXPECT_THAT(r.out, HasSubstr("Permit kind:           EU long term resident\n"));
  EXPECT_THAT(
      r.out,
      HasSubstr("Risk flags:            passport withheld, forced marriage\n"));
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
      "error: INVALID_ARGUMENT: --country: unknown country code \"XX\" (case.country)\n");
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

TEST_F(CliTest, ASafetyUpdateCarriesItsReasonAndTheHistoryShowsOldAndNewValues) {
  Result r = Ctl({"case", "update", "ABN-2026-00042", "--safe-channel", "+212 611 111111",
                  "--covert-notes-shared", "--reason", "Her husband found the old number"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::UpdateCaseRequest request = service_.last_update();
  EXPECT_EQ(request.reason(), "Her husband found the old number");
  EXPECT_THAT(request.update_mask().paths(),
              ElementsAre("safety.safe_contact_channel", "safety.covert_notes_shareable"));
  EXPECT_TRUE(request.case_().safety().covert_notes_shareable());

  r = Ctl({"case", "history", "ABN-2026-00042", "--field", "safety"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_history().case_id(), "ABN-2026-00042");
  EXPECT_EQ(service_.last_history().field(), "safety");
  EXPECT_EQ(r.out,
            "SEQ  WHEN                  ACTOR              POST   VERSION\n"
            "3    2026-03-01T09:30:00Z  dev-officer-rabat  RABAT  3\n"
            "    safety.safe_contact_channel: +212 600 000000 \u2192 +212 611 111111\n"
            "    safety.covert_notes: changed (withheld from you)\n"
            "    why: Her husband found the old number\n"
            "1 change(s)\n");
}

TEST_F(CliTest, DuplicatesAndEmergencySearchCheckTheirFlagsBeforeCalling) {
  Result r = Ctl({"case", "duplicates"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give either a CASE or --name"));
  r = Ctl({"case", "duplicates", "ABN-2026-00042", "--name", "Amina Example"});
  EXPECT_EQ(r.exit_code, 2);
  r = Ctl({"case", "duplicates", "ABN-2026-00042", "--dob", "1990-01-02"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--dob"));
  r = Ctl({"emergency", "search", "--name", "Amina Example", "--reason", "She is in danger now"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--dob"));
  r = Ctl({"emergency", "search", "--name", "Amina Example", "--dob", "1990-13-02", "--reason",
           "She is in danger now"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(service_.calls().empty());
}

TEST_F(CliTest, PersonAddReadsTheCaseAndWritesItsPersonsFromThatVersion) {
  Result r = Ctl({"case", "person", "add", "ABN-2026-00042", "--role", "perpetrator", "--name",
                  "Karim Example", "--do-not-contact", "--note", "Holds her passport"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<FakeCaseService::Call> calls = service_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].method, "GetCase");
  EXPECT_EQ(calls[1].method, "UpdateCase");
  const consular::v1::UpdateCaseRequest request = service_.last_update();
  EXPECT_EQ(request.expected_version(), 7);
  EXPECT_THAT(request.update_mask().paths(), ElementsAre("persons"));
  ASSERT_EQ(request.case_().persons_size(), 1);
  EXPECT_EQ(request.case_().persons(0).role(), consular::v1::PERSON_ROLE_PERPETRATOR);
  EXPECT_EQ(request.case_().persons(0).full_name(), "Karim Example");
  EXPECT_TRUE(request.case_().persons(0).do_not_contact());

  r = Ctl({"case", "person", "add", "ABN-2026-00042", "--name", "No Role"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--role"));
  r = Ctl({"case", "person", "remove", "ABN-2026-00042", "9f1c2d3e-0000-4000-8000-000000000000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no person"));
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
  EXPECT_THAT(r.out, HasSubstr("Outcome:        returned to NL\n"));
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
  EXPECT_THAT(r.out, HasSubstr("created as intake\n"));
  EXPECT_THAT(r.out, HasSubstr("intake\u2192active: Contact made\n"));
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
  EXPECT_THAT(r.out, HasSubstr("Access:      read\n"));
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
  EXPECT_THAT(r.out, HasSubstr("State:       revoked\n"));

  r = Ctl({"case", "unshare", kShareId, "--request-id", "unshare-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_revoke().request_id(), "unshare-1");
}

TEST_F(CliTest, UnshareFindsTheShareOfTheCaseByTheFirstCharactersOfItsId) {
  Result r = Ctl({"case", "unshare", "5a1e0000-11", "--case", "ABN-2026-00001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_revoke().share_id(), kShareId);
  EXPECT_EQ(service_.shares_requests().back().case_id(), "ABN-2026-00001");

  // Without the case, the first characters are not enough.
  r = Ctl({"case", "unshare", "5a1e0000-22"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("SHARE_ID: give the share's id, or its first 8 or more characters "
                               "with --case CASE"));
  r = Ctl({"case", "unshare", "5a1e0000-22", "--case", "ABN-2026-00001"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("SHARE_ID: nothing has the id 5a1e0000-22"));
}

TEST_F(CliTest, SharesListsLiveSharesAndWithAllTheOthersToo) {
  Result r = Ctl({"case", "shares", "ABN-2026-00042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("ID                                    GRANTEE  ACCESS  STATE   "));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(kShareId, "  LKHA     read    active  ")));
  EXPECT_THAT(r.out, HasSubstr("\n1 share(s)\n"));
  EXPECT_EQ(r.err, "");

  r = Ctl({"case", "shares", "ABN-2026-00042", "--all"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  TUNIS    read    revoked  "));
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

TEST_F(CliTest, ReferWithoutVersionReadsTheCaseFirst) {
  Result r = Ctl({"case", "refer", "ABN-2026-00042", "--to", "tunis", "--basis",
                  "The person moved to Tunisia"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<FakeCaseService::Call> calls = service_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].method, "GetCase");
  EXPECT_EQ(calls[1].method, "ReferCase");
  EXPECT_EQ(service_.last_refer().expected_version(), 7);  // the version GetCase answered
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
  EXPECT_THAT(r.out, HasSubstr("  shared  "));
  EXPECT_THAT(r.out, HasSubstr("shared with LKHA (read)\n"));
  EXPECT_THAT(r.out, HasSubstr("  share revoked  "));
  EXPECT_THAT(r.out, HasSubstr("share with LKHA revoked\n"));
  EXPECT_THAT(r.out, HasSubstr("  referred  "));
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
  EXPECT_THAT(r.out, HasSubstr("Review:           unreviewed\n"));
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
  EXPECT_THAT(r.out, HasSubstr("  active  unreviewed\n"
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
  EXPECT_THAT(r.out, HasSubstr("Review:           justified\n"
                               "Reviewed by:      dev-manager-rabat\n"));

  r = Ctl({"emergency", "review", kGrantId, "--not-justified", "--request-id", "review-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_review().review(), consular::v1::EMERGENCY_REVIEW_NOT_JUSTIFIED);
  EXPECT_EQ(service_.last_review().request_id(), "review-1");
}

TEST_F(CliTest, EmergencyReviewFindsTheAccessByTheFirstCharactersOfItsId) {
  Result r = Ctl({"emergency", "review", "E0000000-9", "--not-justified"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.last_review().emergency_access_id(), "e0000000-9999-4222-8333-444455556666");
  r = Ctl({"emergency", "review", "e0000000", "--justified"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("starts 2 ids"));
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

TEST_F(CliTest, PartnerAddSendsThePartnerToTheContactsServerAndPrintsIt) {
  Result r = Ctl({"partner",      "add",
                  "--kind",       "lawyer",
                  "--name",       "Cabinet Benali",
                  "--country",    "ma",
                  "--city",       "Rabat",
                  "--specialism", "family-law",
                  "--specialism", "recognition-of-foreign-judgments",
                  "--language",   "AR,fr",
                  "--phone",      "+212 5 37 00 00 00",
                  "--website",    "benali.example"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::CreatePartnerRequest request = partners_.last_create();
  EXPECT_EQ(request.request_id().size(), 36u);
  const consular::v1::Partner& p = request.partner();
  EXPECT_EQ(p.kind(), consular::v1::PARTNER_KIND_LAWYER);
  EXPECT_EQ(p.name(), "Cabinet Benali");
  EXPECT_EQ(p.country(), "MA");
  EXPECT_EQ(p.city(), "Rabat");
  EXPECT_THAT(p.specialisms(),
              ElementsAre(consular::v1::SPECIALISM_FAMILY_LAW,
                          consular::v1::SPECIALISM_RECOGNITION_OF_FOREIGN_JUDGMENTS));
  EXPECT_THAT(p.languages(), ElementsAre("ar", "fr"));
  EXPECT_EQ(p.contact_details().phone(), "+212 5 37 00 00 00");
  EXPECT_EQ(p.contact_details().website(), "benali.example");
  EXPECT_EQ(p.contact_details().email(), "");
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("Partner:     ", kPartnerId, "\n")));
  EXPECT_THAT(r.out, HasSubstr("Kind:        lawyer\n"));
  EXPECT_THAT(r.out, HasSubstr("Specialisms: family law, recognition of foreign judgments\n"));
  EXPECT_THAT(r.out, HasSubstr("Vetting:     unvetted\n"));
  EXPECT_THAT(r.out, HasSubstr("Active:      yes\n"));
  EXPECT_THAT(r.out, HasSubstr("Version:     1\n"));
  EXPECT_TRUE(service_.calls().empty());  // not the case service

  // A given request id is sent as is.
  r = Ctl({"partner", "add", "--kind", "aid-organisation", "--name", "N", "--country", "MA",
           "--city", "Rabat", "--request-id", "add-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(partners_.last_create().request_id(), "add-1");
  EXPECT_EQ(partners_.last_create().partner().kind(), consular::v1::PARTNER_KIND_AID_ORGANISATION);
}

TEST_F(CliTest, PartnerListSendsTheFiltersAndIsPaged) {
  Result r = Ctl({"partner", "list", "--country", "ma", "--city", "Rabat", "--kind", "lawyer",
                  "--specialism", "family-law", "--language", "AR", "--vetting", "vetted"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<consular::v1::ListPartnersRequest> requests = partners_.list_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].country(), "MA");
  EXPECT_EQ(requests[0].city(), "Rabat");
  EXPECT_EQ(requests[0].kind(), consular::v1::PARTNER_KIND_LAWYER);
  EXPECT_EQ(requests[0].specialism(), consular::v1::SPECIALISM_FAMILY_LAW);
  EXPECT_EQ(requests[0].language(), "ar");
  EXPECT_EQ(requests[0].vetting_status(), consular::v1::VETTING_STATUS_VETTED);
  EXPECT_FALSE(requests[0].include_inactive());
  EXPECT_THAT(r.out, StartsWith("ID                                    KIND    NAME"));
  EXPECT_THAT(r.out, HasSubstr(kPartnerId));
  EXPECT_THAT(r.out, HasSubstr("\n1 partner(s)\n"));
  EXPECT_EQ(r.err, "next page: --page-token page-2\n");

  // --all: also deactivated partners; --all-pages: every page.
  r = Ctl({"partner", "list", "--all", "--all-pages", "--page-size", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  requests = partners_.list_requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[1].include_inactive());
  EXPECT_EQ(requests[1].page_size(), 1);
  EXPECT_EQ(requests[2].page_token(), "page-2");
  EXPECT_THAT(r.out, HasSubstr(kSuspendedPartnerId));
  EXPECT_THAT(r.out, HasSubstr("\n2 partner(s)\n"));
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, APartnerIsNamedByTheFirstCharactersOfItsId) {
  Result r = Ctl({"partner", "show", "9A000000-9999"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(kSuspendedPartnerId));
  r = Ctl({"partner", "show", "9a000000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("starts 2 ids"));
}

TEST_F(CliTest, PartnerShowUpdateVetAndDeactivate) {
  Result r = Ctl({"partner", "show", kPartnerId});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Name:        Cabinet Benali\n"));

  r = Ctl({"partner", "update", kPartnerId, "--version", "3", "--city", "Casablanca", "--phone", "",
           "--specialism", "family-law,mediation", "--language", "fr"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::UpdatePartnerRequest update = partners_.last_update();
  EXPECT_EQ(update.partner().id(), kPartnerId);
  EXPECT_EQ(update.expected_version(), 3);
  EXPECT_THAT(update.update_mask().paths(),
              ElementsAre("city", "specialisms", "languages", "contact_details.phone"));
  EXPECT_EQ(update.partner().city(), "Casablanca");
  EXPECT_THAT(update.partner().specialisms(),
              ElementsAre(consular::v1::SPECIALISM_FAMILY_LAW, consular::v1::SPECIALISM_MEDIATION));
  EXPECT_THAT(update.partner().languages(), ElementsAre("fr"));
  EXPECT_EQ(update.request_id().size(), 36u);
  EXPECT_THAT(r.out, HasSubstr("Version:     4\n"));

  r = Ctl({"partner", "update", kPartnerId, "--version", "2", "--name", "Cabinet B."});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: ABORTED: partner is at version 3, not 2"));

  r = Ctl({"partner", "vet", kPartnerId, "--status", "suspended", "--note", "Complaint received",
           "--version", "4", "--request-id", "vet-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::SetVettingRequest vetting = partners_.last_vetting();
  EXPECT_EQ(vetting.request_id(), "vet-1");
  EXPECT_EQ(vetting.partner_id(), kPartnerId);
  EXPECT_EQ(vetting.status(), consular::v1::VETTING_STATUS_SUSPENDED);
  EXPECT_EQ(vetting.note(), "Complaint received");
  EXPECT_EQ(vetting.expected_version(), 4);
  EXPECT_THAT(r.out, HasSubstr("Vetting:      suspended\n"));

  r = Ctl({"partner", "deactivate", "9A000000-1111-4222-8333-444455556666", "--reason",
           "Office closed", "--version", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::DeactivatePartnerRequest deactivate = partners_.last_deactivate();
  EXPECT_EQ(deactivate.partner_id(), kPartnerId);  // lower case
  EXPECT_EQ(deactivate.reason(), "Office closed");
  EXPECT_EQ(deactivate.expected_version(), 5);

  // Without --version, the partner's version now is read first.
  r = Ctl({"partner", "deactivate", kPartnerId, "--reason", "Office closed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(partners_.last_deactivate().expected_version(),
            SamplePartner(kPartnerId).version());
  EXPECT_EQ(deactivate.expected_version(), 5);
  EXPECT_THAT(r.out, HasSubstr("Active:      no\n"));
  EXPECT_TRUE(service_.calls().empty());
}

TEST_F(CliTest, PostAccreditAddsCountriesReadingTheVersionItself) {
  Result r = Ctl({"post", "accredit", "rabat", "--country", "MR", "--country", "eh"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::AccreditUnitRequest request = units_.last_accredit();
  EXPECT_EQ(request.code(), "RABAT");
  EXPECT_THAT(request.countries(), ElementsAre("MR", "EH"));
  EXPECT_EQ(request.expected_version(), 6);  // read first (GetUnit)
  EXPECT_EQ(request.request_id().size(), 36u);
  EXPECT_THAT(r.out, HasSubstr("Accredited to: MA, MR, EH\n"));
  EXPECT_THAT(r.out, HasSubstr("Version:       7\n"));
  // With --version, that version, and no read.
  r = Ctl({"post", "accredit", "RABAT", "--country", "DZ", "--version", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(units_.last_accredit().expected_version(), 4);

  r = Ctl({"post", "accredit", "RABATT", "--country", "DZ"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
  r = Ctl({"post", "accredit", "rabat!", "--country", "DZ"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("CODE: not a unit code"));
}

TEST_F(CliTest, PostAddListShowCloseAndReopen) {
  Result r = Ctl({"post", "add", "istanbul", "--name", "Consulate-General in Istanbul", "--city",
                  "Istanbul", "--country", "tr", "--accredit", "TR,GE"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::CreateUnitRequest create = units_.last_create();
  EXPECT_EQ(create.unit().code(), "ISTANBUL");
  EXPECT_EQ(create.unit().kind(), consular::v1::UNIT_KIND_POST);
  EXPECT_EQ(create.unit().country(), "TR");
  EXPECT_THAT(create.unit().accredited_countries(), ElementsAre("TR", "GE"));
  EXPECT_THAT(r.out, HasSubstr("Unit:          ISTANBUL\n"));

  r = Ctl({"post", "list", "--accredited-to", "ma", "--all"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(units_.last_list().accredited_to(), "MA");
  EXPECT_TRUE(units_.last_list().include_inactive());
  EXPECT_THAT(r.out, ::testing::ContainsRegex("RABAT +Embassy of the Netherlands in Rabat +Rabat "
                                              "+MA +MA +yes +6"));
  EXPECT_THAT(r.out, HasSubstr("1 unit(s)\n"));

  r = Ctl({"--json", "post", "show", "RABAT"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::Unit unit;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &unit).ok()) << r.out;
  EXPECT_EQ(unit.version(), 6);

  r = Ctl({"post", "close", "RABAT", "--reason", "Moved to Casablanca"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(units_.last_active().active());
  EXPECT_EQ(units_.last_active().reason(), "Moved to Casablanca");
  EXPECT_EQ(units_.last_active().expected_version(), 6);
  EXPECT_THAT(r.out, HasSubstr("Active:        no: Moved to Casablanca\n"));
  r = Ctl({"post", "close", "RABAT"});
  EXPECT_EQ(r.exit_code, 2);  // --reason is required
  r = Ctl({"post", "reopen", "RABAT", "--version", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(units_.last_active().active());
  EXPECT_EQ(units_.last_active().reason(), "");
  EXPECT_EQ(units_.last_active().expected_version(), 7);
}

TEST_F(CliTest, PostUpdateRenamesReadingTheVersionItself) {
  Result r = Ctl({"post", "update", "rabat", "--city", "Sale"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(units_.last_update().code(), "RABAT");
  EXPECT_EQ(units_.last_update().city(), "Sale");
  EXPECT_EQ(units_.last_update().name(), "");
  EXPECT_EQ(units_.last_update().expected_version(), FakeUnitService::Rabat().version());
  EXPECT_EQ(units_.last_update().request_id().size(), 36u);
  EXPECT_THAT(r.out, HasSubstr("City:          Sale\n"));
  r = Ctl({"post", "update", "RABAT", "--name", "Embassy in Rabat", "--version", "9"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(units_.last_update().name(), "Embassy in Rabat");
  EXPECT_EQ(units_.last_update().expected_version(), 9);
  // Nothing to change is a usage error, and nothing is sent.
  r = Ctl({"post", "update", "RABAT"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give --name, --city or both"));
  EXPECT_EQ(units_.last_update().name(), "Embassy in Rabat");
}

TEST_F(CliTest, ContactLogWithAPartnerSendsTheContact) {
  const int64_t before = absl::ToUnixSeconds(absl::Now());
  Result r = Ctl({"contact", "log", kContactCase, "--partner", kPartnerId, "--channel", "phone",
                  "--direction", "outgoing", "--purpose", "legal-advice", "--outcome",
                  "help-agreed", "--follow-up", "2026-03-08", "--note", "Will file on Monday"});
  const int64_t after = absl::ToUnixSeconds(absl::Now());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::LogContactRequest request = contacts_.last_log();
  EXPECT_EQ(request.request_id().size(), 36u);
  const consular::v1::Contact& c = request.contact();
  EXPECT_EQ(c.case_id(), kContactCase);
  EXPECT_EQ(c.partner_id(), kPartnerId);
  EXPECT_FALSE(c.has_ad_hoc());
  EXPECT_EQ(c.channel(), consular::v1::CONTACT_CHANNEL_PHONE);
  EXPECT_EQ(c.direction(), consular::v1::CONTACT_DIRECTION_OUTGOING);
  EXPECT_EQ(c.purpose(), consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE);
  EXPECT_EQ(c.outcome(), consular::v1::CONTACT_OUTCOME_HELP_AGREED);
  EXPECT_GE(c.occurred_at().seconds(), before);  // --when defaults to now
  EXPECT_LE(c.occurred_at().seconds(), after);
  EXPECT_EQ(c.follow_up_due().year(), 2026);
  EXPECT_EQ(c.follow_up_due().month(), 3);
  EXPECT_EQ(c.follow_up_due().day(), 8);
  EXPECT_EQ(c.note(), "Will file on Monday");
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("Contact:    ", kContactId, "\n")));
  EXPECT_THAT(r.out, HasSubstr("Follow-up:  2026-03-08\n"));
  EXPECT_TRUE(service_.calls().empty());
}

TEST_F(CliTest, ContactLogFindsThePartnerByTheFirstCharactersOfItsId) {
  Result r = Ctl({"contact", "log", kContactCase, "--partner", "9A000000-1111", "--channel",
                  "phone", "--direction", "outgoing", "--purpose", "legal-advice", "--outcome",
                  "help-agreed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(contacts_.last_log().contact().partner_id(), kPartnerId);

  // A prefix of both partners, or of none, names the flag and sends nothing.
  const std::string logged = contacts_.last_log().request_id();
  r = Ctl({"contact", "log", kContactCase, "--partner", "9a000000", "--channel", "phone",
           "--direction", "outgoing", "--purpose", "legal-advice", "--outcome", "help-agreed"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--partner: 9a000000 starts 2 ids"));
  r = Ctl({"contact", "log", kContactCase, "--partner", "9a000001", "--channel", "phone",
           "--direction", "outgoing", "--purpose", "legal-advice", "--outcome", "help-agreed"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--partner: nothing has the id 9a000001 (see: partner list)"));
  r = Ctl({"contact", "log", kContactCase, "--partner", "9a00", "--channel", "phone",
           "--direction", "outgoing", "--purpose", "legal-advice", "--outcome", "help-agreed"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--partner: not a UUID or the first 8 or more characters"));
  EXPECT_EQ(contacts_.last_log().request_id(), logged);
}

TEST_F(CliTest, ContactLogWithAnAdHocContactAndATime) {
  Result r = Ctl({"contact", "log", kContactCase, "--adhoc-name", "Fatima Z.", "--adhoc-org",
                  "Red Crescent", "--adhoc-phone", "+212 600", "--channel", "in-person",
                  "--direction", "incoming", "--purpose", "shelter", "--outcome", "referred-on",
                  "--when", "2026-03-01T09:30:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const consular::v1::Contact c = contacts_.last_log().contact();
  ASSERT_TRUE(c.has_ad_hoc());
  EXPECT_EQ(c.ad_hoc().name(), "Fatima Z.");
  EXPECT_EQ(c.ad_hoc().organisation(), "Red Crescent");
  EXPECT_EQ(c.ad_hoc().phone(), "+212 600");
  EXPECT_EQ(c.ad_hoc().email(), "");
  EXPECT_EQ(c.channel(), consular::v1::CONTACT_CHANNEL_IN_PERSON);
  EXPECT_EQ(c.occurred_at().seconds(), 1772357400);
  EXPECT_FALSE(c.has_follow_up_due());
  EXPECT_THAT(r.out, HasSubstr("With:      Fatima Z., Red Crescent (ad hoc)\n"));

  // A date stands for the start of that day (UTC).
  r = Ctl({"contact", "log", kContactCase, "--adhoc-name", "F", "--channel", "email", "--direction",
           "outgoing", "--purpose", "documents", "--outcome", "pending", "--when", "2026-03-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(contacts_.last_log().contact().occurred_at().seconds(), 1772323200);
}

TEST_F(CliTest, ContactLogWithASuspendedPartnerIsTheServersError) {
  Result r =
      Ctl({"contact", "log", kContactCase, "--partner", kSuspendedPartnerId, "--channel", "phone",
           "--direction", "outgoing", "--purpose", "legal-advice", "--outcome", "help-agreed"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: FAILED_PRECONDITION: partner Cabinet Benali is suspended"));
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, ContactListByCaseOrPartnerWithNotes) {
  Result r = Ctl({"contact", "list", "--case", kContactCase});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<consular::v1::ListContactsRequest> requests = contacts_.list_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].case_id(), kContactCase);
  EXPECT_THAT(r.out, StartsWith("WHEN                  CASE            WITH"));
  EXPECT_THAT(r.out, HasSubstr("\n    Will file on Monday\n"));
  EXPECT_THAT(r.out, HasSubstr("\n1 contact(s)\n"));
  EXPECT_EQ(r.err, "next page: --page-token page-2\n");

  r = Ctl({"contact", "list", "--partner", kPartnerId, "--all"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  requests = contacts_.list_requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].partner_id(), kPartnerId);
  EXPECT_EQ(requests[2].page_token(), "page-2");
  EXPECT_THAT(r.out, HasSubstr("\n2 contact(s)\n"));
}

TEST_F(CliTest, ContactDueShowsOverdueFirstAndDoneCompletesIt) {
  Result r = Ctl({"contact", "due", "--from", "2026-01-01", "--to", "2026-03-31"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<consular::v1::ListFollowUpsDueRequest> requests = contacts_.due_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(FormatTestDate(requests[0].due_from()), "2026-01-01");
  EXPECT_EQ(FormatTestDate(requests[0].due_to()), "2026-03-31");
  EXPECT_EQ(
      r.out,
      "DUE         OVERDUE         CASE            WITH            PURPOSE       CONTACT      "
      "                         VERSION\n"
      "2026-02-20  OVERDUE 9 days  FDR-2026-00009  Cabinet Benali  legal advice  "
      "c0000000-1111-4222-8333-444455556666  1\n"
      "2026-03-12  -               FDR-2026-00009  Cabinet Benali  legal advice  "
      "c0000000-2222-4222-8333-444455556666  1\n"
      "2 follow-up(s), 1 overdue\n");

  // Without dates the server's defaults apply (no lower bound, up to today).
  r = Ctl({"contact", "due"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  requests = contacts_.due_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[1].has_due_from());
  EXPECT_FALSE(requests[1].has_due_to());

  r = Ctl({"contact", "done", kContactId, "--version", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  consular::v1::CompleteFollowUpRequest done = contacts_.last_done();
  EXPECT_EQ(done.contact_id(), kContactId);
  EXPECT_EQ(done.expected_version(), 1);
  EXPECT_EQ(done.request_id().size(), 36u);
  EXPECT_THAT(r.out, HasSubstr("Follow-up done: 2026-03-01T10:30:00Z by dev-officer-rabat\n"));
  EXPECT_THAT(r.out, HasSubstr("Version:        2\n"));

  // By the first characters of its id, without --version: found among the open follow-ups, with
  // the version listed; a prefix of two ids is a usage error.
  r = Ctl({"contact", "done", "c0000000-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  done = contacts_.last_done();
  EXPECT_EQ(done.contact_id(), kContactId);
  EXPECT_EQ(done.expected_version(), SampleContact(kContactId).version());
  r = Ctl({"contact", "cancel", "c0000000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("starts 2 ids"));
}

TEST_F(CliTest, EventsShowContactsAndFollowUps) {
  Result r = Ctl({"case", "events", kContactCase});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  contact logged  "));
  EXPECT_THAT(r.out,
              HasSubstr(absl::StrCat("contact ", kContactId, " logged: lawyer, legal advice\n")));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("follow-up of contact ", kContactId,
                                            " done: lawyer, legal advice\n")));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("contact ", kContactId, " changed: other, shelter\n")));
  EXPECT_THAT(r.out, HasSubstr("\n5 event(s)\n"));
}

TEST_F(CliTest, ContactsAddressComesFromTheEnvironment) {
  Result r = RunCtl({"--insecure", "--token", kToken, "post", "show", "RABAT"},
                    {absl::StrCat("CONSULAR_CONTACTS_ADDR=127.0.0.1:", contacts_port_)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Unit:          RABAT\n"));
  EXPECT_THAT(units_.methods(), ElementsAre("GetUnit"));

  r = RunCtl({"--help"});
  EXPECT_THAT(r.out, HasSubstr("--contacts-addr"));
  EXPECT_THAT(r.out, HasSubstr("localhost:50053"));
  EXPECT_THAT(r.out, HasSubstr("CONSULAR_CONTACTS_ADDR"));
}

TEST_F(CliTest, PartnerAndContactUsageErrorsNameTheFlagAndCallNothing) {
  const std::vector<std::string> log = {"contact",      "log",         kContactCase, "--channel",
                                        "phone",        "--direction", "outgoing",   "--purpose",
                                        "legal-advice", "--outcome",   "help-agreed"};
  auto log_with = [&log](std::vector<std::string> extra) {
    std::vector<std::string> args = log;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  struct Usage {
    std::vector<std::string> args;
    std::vector<std::string> named;  // what stderr must mention
  };
  for (const Usage& c : std::vector<Usage>{
           {{"partner"}, {"subcommand"}},
           {{"partner", "add", "--kind", "notary", "--name", "N", "--country", "MA", "--city",
             "Rabat"},
            {"--kind", "aid-organisation"}},
           {{"partner", "add", "--name", "N", "--country", "MA", "--city", "Rabat"}, {"--kind"}},
           {{"partner", "add", "--kind", "lawyer", "--country", "MA", "--city", "Rabat"},
            {"--name"}},
           {{"partner", "add", "--kind", "lawyer", "--name", "N", "--country", "MA", "--city",
             "Rabat", "--specialism", "divorce"},
            {"--specialism"}},
           {{"partner", "list", "--vetting", "pending"}, {"--vetting"}},
           {{"partner", "list", "--page-size", "0"}, {"--page-size"}},
           {{"partner", "show", "not-a-uuid"}, {"ID", "not a UUID"}},
           {{"partner", "update", kPartnerId, "--version", "0", "--city", "Fes"}, {"--version"}},
           {{"partner", "update", kPartnerId, "--version", "3"}, {"nothing to update"}},
           {{"partner", "vet", kPartnerId, "--status", "approved", "--note", "ok", "--version",
             "1"},
            {"--status"}},
           {{"partner", "vet", kPartnerId, "--status", "vetted", "--version", "1"}, {"--note"}},
           {{"partner", "deactivate", kPartnerId, "--version", "1"}, {"--reason"}},
           {{"post", "accredit", "RABAT"}, {"--country"}},
           {{"post", "accredit", "rabat!", "--country", "MA"}, {"CODE", "not a unit code"}},
           {{"post", "show"}, {"CODE"}},
           {{"post", "accredit", "RABAT"}, {"--country"}},
           {{"post", "add", "IZMIR", "--country", "TR"}, {"--name"}},
           {{"post", "close", "IZMIR"}, {"--reason"}},
           {{"post", "reopen", "IZMIR", "--version", "0"}, {"--version"}},
           {log_with({"--partner", kPartnerId, "--adhoc-name", "F"}),
            {"--partner", "--adhoc-name"}},
           {log, {"--partner", "--adhoc-name"}},
           {log_with({"--partner", "benali"}), {"--partner", "not a UUID"}},
           {log_with({"--partner", kPartnerId, "--adhoc-org", "Red Crescent"}),
            {"--adhoc-org", "--adhoc-name"}},
           {log_with({"--adhoc-name", "F", "--when", "yesterday"}), {"--when"}},
           {log_with({"--adhoc-name", "F", "--follow-up", "08-03-2026"}), {"--follow-up"}},
           {{"contact", "log", kContactCase, "--adhoc-name", "F", "--channel", "fax", "--direction",
             "outgoing", "--purpose", "legal-advice", "--outcome", "pending"},
            {"--channel", "in-person"}},
           {{"contact", "log", kContactCase, "--adhoc-name", "F", "--channel", "phone",
             "--direction", "outgoing", "--purpose", "legal-advice", "--outcome", "returned-to-nl"},
            {"--outcome"}},
           {{"contact", "log", kContactCase, "--adhoc-name", "F", "--channel", "phone", "--purpose",
             "legal-advice", "--outcome", "pending"},
            {"--direction"}},
           {{"contact", "log", "--adhoc-name", "F", "--channel", "phone", "--direction", "outgoing",
             "--purpose", "legal-advice", "--outcome", "pending"},
            {"CASE"}},
           {{"contact", "list"}, {"--case", "--partner"}},
           {{"contact", "list", "--case", kContactCase, "--partner", kPartnerId},
            {"--case", "--partner"}},
           {{"contact", "due", "--to", "31-03-2026"}, {"--to"}},
           {{"contact", "done", "c-1", "--version", "1"}, {"CONTACT_ID", "first 8 or more"}},
       }) {
    Result r = Ctl(c.args);
    EXPECT_EQ(r.exit_code, 2) << absl::StrJoin(c.args, " ") << "\n" << r.err;
    for (const std::string& named : c.named) {
      EXPECT_THAT(r.err, HasSubstr(named)) << absl::StrJoin(c.args, " ");
    }
    EXPECT_EQ(r.out, "") << absl::StrJoin(c.args, " ");
  }
  EXPECT_TRUE(partners_.methods().empty());
  EXPECT_TRUE(contacts_.methods().empty());
  EXPECT_TRUE(units_.methods().empty());
  EXPECT_TRUE(service_.calls().empty());
}

TEST_F(CliTest, ContactTextThatIsNotUtf8IsAUsageErrorNamingTheFlag) {
  Result r = Ctl({"contact", "log", kContactCase, "--adhoc-name", "Fatima", "--channel", "phone",
                  "--direction", "outgoing", "--purpose", "legal-advice", "--outcome", "pending",
                  "--note", "caf\xe9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--note: not valid UTF-8"));
  EXPECT_TRUE(contacts_.methods().empty());
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

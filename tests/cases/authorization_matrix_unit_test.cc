// Who may do what, checked in milliseconds: the expectation table of authorization_table.h for
// every role x every CaseService method x every situation, through CaseManager over the in-memory
// case tables (FakeCaseTransactions, which apply the scope rule of the SQL and the row-level
// security policies) with a manual clock. No PostgreSQL, no gRPC: authorization_matrix_test.cc
// checks the same table through real stubs and a real database (and the AuditService rows too).
//
// Every mutating cell works on a fresh case (and fresh shares); all scenarios are built first,
// then the clock moves past the expiring shares, then every cell runs.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/cases/case_manager.h"
#include "services/common/call_support.h"
#include "services/common/identity.h"
#include "tests/cases/authorization_table.h"
#include "tests/cases/fake_case_repository.h"
#include "tests/crypto/test_field_crypto.h"

namespace consular::matrix {
namespace {

using v1::Case;

const absl::Time kStart =
    absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 0, 0), absl::UTCTimeZone());

grpc::StatusCode CodeOf(const absl::Status& status) {
  // absl::StatusCode and grpc::StatusCode share their numbers.
  return static_cast<grpc::StatusCode>(status.code());
}

std::string Describe(const absl::Status& status) {
  return absl::StrCat(CodeName(CodeOf(status)), " \"", std::string(status.message()), "\"");
}

Identity Person(v1::Role role, const std::string& post, const std::string& subject) {
  Identity who;
  who.subject = subject;
  who.role = role;
  who.post = post;
  return who;
}

class AuthorizationMatrixUnitTest : public ::testing::Test {
 protected:
  static absl::Time Deadline() { return absl::InfiniteFuture(); }

  // The caller of each row of the matrix (as the gRPC tier's tokens say).
  static Identity Caller(Who who) {
    switch (who) {
      case Who::kOfficer:
        return Person(v1::ROLE_CONSULAR_OFFICER, "RABAT", "officer-rabat");
      case Who::kManager:
        return Person(v1::ROLE_POST_MANAGER, "RABAT", "manager-rabat");
      case Who::kLkha:
        return Person(v1::ROLE_LKHA_CASEWORKER, "", "lkha-caseworker");
      case Who::kPolicy:
        return Person(v1::ROLE_POLICY_STAFF, "", "policy-1");
      case Who::kAuditor:
        return Person(v1::ROLE_AUDITOR, "", "auditor-1");
      case Who::kAdmin:
        return Person(v1::ROLE_ADMINISTRATOR, "", "admin-1");
    }
    return Identity();
  }

  // Someone of the handling unit who builds the scenarios (never a caller of the matrix).
  static Identity Builder(const std::string& unit) {
    if (unit == "LKHA") return Person(v1::ROLE_LKHA_CASEWORKER, "", "builder-lkha");
    return Person(v1::ROLE_CONSULAR_OFFICER, unit, "builder-" + unit);
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
  absl::Status CreateActiveCase(const std::string& unit, const std::string& name, Case* out) {
    const Identity builder = Builder(unit);
    Case created;
    absl::Status status = manager_.Create(builder, NewCase(name), Deadline(), &created);
    if (!status.ok()) return status;
    v1::TransitionCaseRequest activate;
    activate.set_request_id(NextRequestId("activate"));
    activate.set_case_id(created.id());
    activate.set_target_status(v1::CASE_STATUS_ACTIVE);
    activate.set_reason("intake complete");
    activate.set_expected_version(created.version());
    return manager_.Transition(builder, activate, Deadline(), out);
  }

  absl::Status Share(const std::string& unit, const std::string& case_id,
                     const std::string& grantee, ShareAccess access,
                     std::optional<absl::Time> expires_at, v1::CaseShare* out) {
    v1::ShareCaseRequest request;
    request.set_request_id(NextRequestId("share"));
    request.set_case_id(case_id);
    request.set_grantee(grantee);
    request.set_access(access);
    request.set_legal_basis("Consular Act art. 5 (test)");
    if (expires_at) *request.mutable_expires_at() = ToTimestamp(*expires_at);
    return manager_.Share(Builder(unit), request, Deadline(), out);
  }

  Scenario Build(const Plan& plan) {
    Scenario s;
    s.name = "Matrix Person " + LetterTag(scenario_counter_++);
    auto fail = [&s](const std::string& step, const absl::Status& status) {
      s.failure = absl::StrCat(step, ": ", Describe(status));
      return s;
    };
    Case active;
    absl::Status status = CreateActiveCase(plan.handling, s.name, &active);
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
      status = manager_.OpenEmergencyAccess(
          Person(v1::ROLE_POST_MANAGER, kEmergencyOpenerPost, "manager-algiers"), request,
          Deadline(), &grant);
      if (!status.ok()) return fail("open emergency access (ALGIERS manager)", status);
      s.grant_id = grant.id();
    }
    if (!plan.grantee.empty()) {
      std::optional<absl::Time> expires_at;
      if (plan.expire) expires_at = clock_.Now() + absl::Seconds(3);
      v1::CaseShare share;
      status = Share(plan.handling, s.id, plan.grantee, plan.access, expires_at, &share);
      if (!status.ok()) return fail("share to " + plan.grantee, status);
      s.caller_share_id = share.id();
      s.expires_at = expires_at;
      if (plan.revoke) {
        v1::RevokeShareRequest revoke;
        revoke.set_request_id(NextRequestId("revoke"));
        revoke.set_share_id(share.id());
        v1::CaseShare revoked;
        status = manager_.RevokeShare(Builder(plan.handling), revoke, Deadline(), &revoked);
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
      const Identity referrer =
          plan.handling == "LKHA"
              ? Builder("LKHA")
              : Person(v1::ROLE_POST_MANAGER, plan.handling, "builder-manager-" + plan.handling);
      Case referred;
      status = manager_.Refer(referrer, request, Deadline(), &referred);
      if (!status.ok()) return fail("refer to " + plan.referral_to, status);
      s.version = referred.version();
      s.referral_id = referred.pending_referral().id();
    }
    s.ok = true;
    return s;
  }

  // Pages through ListCases; finds the case `id`.
  absl::Status ListAll(const Identity& who, const std::string& id, bool* found,
                       CaseAccess* access) {
    *found = false;
    v1::ListCasesRequest request;
    request.set_page_size(500);
    for (int page = 0; page < 100; ++page) {
      v1::ListCasesResponse response;
      absl::Status status = manager_.List(who, request, Deadline(), &response);
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
    return absl::InternalError("test: more than 100 pages of cases");
  }

  // Runs one cell; returns its status, and in *problems what else disagrees with the expectation.
  absl::Status RunCell(Who who, Rpc rpc, const Scenario* s, const Expectation& e,
                       std::vector<std::string>* problems) {
    const Identity caller = Caller(who);
    const std::string case_id = s ? s->id : "";
    switch (rpc) {
      case Rpc::kCreateCase: {
        Case out;
        return manager_.Create(caller, NewCase("Matrix Creation " + LetterTag(scenario_counter_++)),
                               Deadline(), &out);
      }
      case Rpc::kGetCase: {
        v1::GetCaseRequest request;
        request.set_case_id(case_id);
        Case out;
        absl::Status status = manager_.Get(caller, request, Deadline(), &out);
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
        absl::Status status = ListAll(caller, case_id, &found, &access);
        if (status.ok()) CheckListed(found, access, e, problems);
        return status;
      }
      case Rpc::kSearchCases: {
        v1::SearchCasesRequest request;
        request.set_name(s->name);
        v1::SearchCasesResponse out;
        absl::Status status = manager_.Search(caller, request, Deadline(), &out);
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
        return manager_.Update(caller, request, Deadline(), &out);
      }
      case Rpc::kTransitionCase: {
        v1::TransitionCaseRequest request;
        request.set_request_id(NextRequestId("cell-transition"));
        request.set_case_id(case_id);
        request.set_target_status(v1::CASE_STATUS_ON_HOLD);
        request.set_reason("waiting for documents");
        request.set_expected_version(s->version);
        Case out;
        return manager_.Transition(caller, request, Deadline(), &out);
      }
      case Rpc::kAddCaseNote: {
        v1::AddCaseNoteRequest request;
        request.set_request_id(NextRequestId("cell-note"));
        request.set_case_id(case_id);
        request.set_text("Spoke to the person on the safe channel.");
        v1::CaseNote out;
        return manager_.AddNote(caller, request, Deadline(), &out);
      }
      case Rpc::kListCaseNotes: {
        v1::ListCaseNotesRequest request;
        request.set_case_id(case_id);
        v1::ListCaseNotesResponse out;
        return manager_.ListNotes(caller, request, Deadline(), &out);
      }
      case Rpc::kListCaseEvents: {
        v1::ListCaseEventsRequest request;
        request.set_case_id(case_id);
        v1::ListCaseEventsResponse out;
        return manager_.ListEvents(caller, request, Deadline(), &out);
      }
      case Rpc::kListCaseHistory: {
        v1::ListCaseHistoryRequest request;
        request.set_case_id(case_id);
        v1::ListCaseHistoryResponse out;
        return manager_.ListHistory(caller, request, Deadline(), &out);
      }
      case Rpc::kFindPossibleDuplicates: {
        v1::FindPossibleDuplicatesRequest request;
        request.set_case_id(case_id);
        v1::FindPossibleDuplicatesResponse out;
        return manager_.FindPossibleDuplicates(caller, request, Deadline(), &out);
      }
      case Rpc::kEmergencySearch: {
        v1::EmergencySearchRequest request;
        request.set_full_name("Amina Example");
        request.mutable_date_of_birth()->set_year(1990);
        request.mutable_date_of_birth()->set_month(1);
        request.mutable_date_of_birth()->set_day(2);
        request.set_reason("She called the embassy and is in danger");
        v1::EmergencySearchResponse out;
        return manager_.EmergencySearch(caller, request, Deadline(), &out);
      }
      case Rpc::kListInbox: {
        v1::ListInboxResponse out;
        return manager_.ListInbox(caller, v1::ListInboxRequest(), Deadline(), &out);
      }
      case Rpc::kAssignCase: {
        v1::AssignCaseRequest request;
        request.set_request_id(NextRequestId("cell-assign"));
        request.set_case_id(case_id);
        request.set_assignee("matrix-colleague");
        request.set_expected_version(s->version);
        Case out;
        return manager_.AssignCase(caller, request, Deadline(), &out);
      }
      case Rpc::kAnswerShare: {
        v1::AnswerShareRequest request;
        request.set_request_id(NextRequestId("cell-answer-share"));
        request.set_share_id(s->caller_share_id.empty() ? s->extra_shares.at(kThirdUnit)
                                                        : s->caller_share_id);
        request.set_answer(v1::ANSWER_ACCEPTED);
        v1::CaseShare out;
        return manager_.AnswerShare(caller, request, Deadline(), &out);
      }
      case Rpc::kAnswerReferral: {
        v1::AnswerReferralRequest request;
        request.set_request_id(NextRequestId("cell-answer-referral"));
        request.set_referral_id(s->referral_id);
        request.set_answer(v1::ANSWER_ACCEPTED);
        v1::Referral out;
        return manager_.AnswerReferral(caller, request, Deadline(), &out);
      }
      case Rpc::kListDeadlines: {
        v1::ListDeadlinesRequest request;
        v1::ListDeadlinesResponse out;
        return manager_.ListDeadlines(caller, request, Deadline(), &out);
      }
      case Rpc::kShareCase: {
        v1::ShareCaseRequest request;
        request.set_request_id(NextRequestId("cell-share"));
        request.set_case_id(case_id);
        request.set_grantee(kThirdUnit);
        request.set_access(v1::SHARE_ACCESS_READ);
        request.set_legal_basis("Consular Act art. 5 (test)");
        v1::CaseShare out;
        return manager_.Share(caller, request, Deadline(), &out);
      }
      case Rpc::kRevokeShare: {
        v1::RevokeShareRequest request;
        request.set_request_id(NextRequestId("cell-revoke"));
        request.set_share_id(s->extra_shares.at(kThirdUnit));
        v1::CaseShare out;
        return manager_.RevokeShare(caller, request, Deadline(), &out);
      }
      case Rpc::kListShares: {
        v1::ListSharesRequest request;
        request.set_case_id(case_id);
        v1::ListSharesResponse out;
        absl::Status status = manager_.ListShares(caller, request, Deadline(), &out);
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
        return manager_.Refer(caller, request, Deadline(), &out);
      }
      case Rpc::kOpenEmergencyAccess: {
        v1::OpenEmergencyAccessRequest request;
        request.set_request_id(NextRequestId("cell-emergency"));
        request.set_case_id(case_id);
        request.set_reason("Caller reports immediate danger to the person");
        v1::EmergencyAccess out;
        return manager_.OpenEmergencyAccess(caller, request, Deadline(), &out);
      }
      case Rpc::kListEmergencyAccess: {
        v1::ListEmergencyAccessResponse out;
        return manager_.ListEmergencyAccess(caller, v1::ListEmergencyAccessRequest(), Deadline(),
                                            &out);
      }
      case Rpc::kReviewEmergencyAccess: {
        v1::ReviewEmergencyAccessRequest request;
        request.set_request_id(NextRequestId("cell-review"));
        request.set_emergency_access_id(s->grant_id);
        request.set_review(v1::EMERGENCY_REVIEW_JUSTIFIED);
        v1::EmergencyAccess out;
        return manager_.ReviewEmergencyAccess(caller, request, Deadline(), &out);
      }
      case Rpc::kListAuditEvents:
      case Rpc::kVerifyChain:
        break;  // AuditService: only in the gRPC tier
    }
    return absl::InternalError("test: not a CaseService method");
  }

  ManualClock clock_{kStart};
  consular::testing::TestFieldCrypto keys_;
  cases::testing::FakeCaseTransactions storage_{clock_, &keys_.blind_index};
  cases::CaseManager manager_{&storage_, clock_, &keys_.blind_index};
  int request_counter_ = 0;
  int scenario_counter_ = 0;
};

bool IsCaseServiceMethod(Rpc rpc) {
  return rpc != Rpc::kListAuditEvents && rpc != Rpc::kVerifyChain;
}

TEST_F(AuthorizationMatrixUnitTest, EveryRoleTimesEveryCaseServiceMethodTimesEverySituation) {
  // 1. Plan every cell and build its scenario.
  const Matrix m = PlanMatrix(IsCaseServiceMethod, [&](const Plan& plan) { return Build(plan); });
  EXPECT_EQ(m.build_failures, 0) << "scenarios that could not be built (see the cells)";

  // 2. The expiring shares lapse: the clock moves, nobody waits.
  clock_.Advance(absl::Seconds(5));

  // 3. Every cell.
  const std::vector<std::string> disagreements =
      RunMatrix(m, [&](const Cell& cell, std::vector<std::string>* problems) {
        const absl::Status status =
            RunCell(cell.who, cell.rpc, cell.scenario, cell.expected, problems);
        return Outcome{CodeOf(status), Describe(status)};
      });
  EXPECT_EQ(static_cast<int>(m.cells.size()), 6 * 24 * 6);
  RecordProperty("cells_checked", static_cast<int>(m.cells.size()));
  RecordProperty("disagreements", static_cast<int>(disagreements.size()));
}

// Every call leaves one audit row, allowed or not; reads through emergency access are flagged.
TEST_F(AuthorizationMatrixUnitTest, EmergencyAccessIsReadOnlyFlaggedAndEndsWithItsTime) {
  Case active;
  ASSERT_TRUE(CreateActiveCase("TUNIS", "Emergency Person", &active).ok());
  const Identity rabat_manager = Person(v1::ROLE_POST_MANAGER, "RABAT", "manager-rabat");

  v1::GetCaseRequest get;
  get.set_case_id(active.id());
  Case read;
  EXPECT_EQ(manager_.Get(rabat_manager, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);

  v1::OpenEmergencyAccessRequest open;
  open.set_request_id("open-1");
  open.set_case_id(active.reference());
  open.set_reason("Person called the duty phone: in immediate danger");
  open.set_minutes(30);
  v1::EmergencyAccess grant;
  absl::Status status = manager_.OpenEmergencyAccess(rabat_manager, open, Deadline(), &grant);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(grant.expires_at().seconds() - grant.opened_at().seconds(), 30 * 60);

  status = manager_.Get(rabat_manager, get, Deadline(), &read);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(read.caller_access(), v1::CASE_ACCESS_EMERGENCY);
  const storage::AuditRecord last = storage_.AuditRows().back();
  EXPECT_EQ(last.action, "CaseService.GetCase");
  EXPECT_EQ(last.outcome, "OK");
  EXPECT_TRUE(last.emergency);
  EXPECT_EQ(last.case_id, active.id());

  v1::AddCaseNoteRequest note;
  note.set_request_id("note-1");
  note.set_case_id(active.id());
  note.set_text("Should not be written.");
  v1::CaseNote added;
  EXPECT_EQ(manager_.AddNote(rabat_manager, note, Deadline(), &added).code(),
            absl::StatusCode::kPermissionDenied);

  // Thirty minutes later the case is out of sight again.
  clock_.Advance(absl::Minutes(30));
  EXPECT_EQ(manager_.Get(rabat_manager, get, Deadline(), &read).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace consular::matrix

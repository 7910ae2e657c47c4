// The bilateral-talks register as evidence, over real gRPC (in-process server on port 0) with
// PostgreSQL behind it: the talk lifecycle and its refusals, the append-only tables, commitments,
// the decision log, the countries never raised, briefings, roles and retries.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "tests/stats/stats_server_fixture.h"

namespace consular::stats {
namespace {

namespace v1 = consular::v1;
using Bilateral = v1::BilateralService::Stub;

const char kPolicySubject[] = "user-ROLE_POLICY_STAFF-";

v1::Date DateOfDay(absl::CivilDay day) {
  v1::Date d;
  d.set_year(static_cast<int>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

// Today (UTC) plus `days`.
v1::Date Day(int days) {
  return DateOfDay(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + days);
}

int ThisYear() { return Day(0).year(); }

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

std::string Sha256OfBytes(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return Hex(std::string(reinterpret_cast<const char*>(digest), sizeof digest));
}

class TalksRegisterTest : public testing::StatsServerTest {
 protected:
  void SetUp() override {
    StatsServerTest::SetUp();
    policy_ = Token(v1::ROLE_POLICY_STAFF, "");
  }

  // Calls `method` of BilateralService as policy staff (or with `token`).
  template <typename Request, typename Reply>
  grpc::Status Call(grpc::Status (Bilateral::*method)(grpc::ClientContext*, const Request&, Reply*),
                    const Request& request, Reply* reply, const std::string& token = "") {
    return (talk_stub_.get()->*method)(Context(token.empty() ? policy_ : token).get(), request,
                                       reply);
  }

  v1::Talk TalkOf(const std::string& country) {
    v1::Talk t;
    t.set_country(country);
    t.set_level(v1::TALK_LEVEL_AMBASSADOR);
    t.add_topics(v1::TALK_TOPIC_ABANDONMENT);
    t.set_summary("Abandonment of dual nationals, raised with the ministry of justice.");
    return t;
  }

  // A talk held on `held_on`, recorded as held.
  v1::Talk RecordHeld(const std::string& country, const v1::Date& held_on) {
    v1::RecordTalkRequest request;
    request.set_request_id(absl::StrCat("record-", ++requests_));
    *request.mutable_talk() = TalkOf(country);
    *request.mutable_talk()->mutable_held_on() = held_on;
    v1::Talk out;
    const grpc::Status status = Call(&Bilateral::RecordTalk, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::PlanTalkRequest PlanRequest(const std::string& country, const v1::Date& planned_on) {
    v1::PlanTalkRequest request;
    request.set_request_id(absl::StrCat("plan-", ++requests_));
    *request.mutable_talk() = TalkOf(country);
    *request.mutable_talk()->mutable_planned_on() = planned_on;
    return request;
  }

  v1::Talk Plan(const std::string& country, const v1::Date& planned_on) {
    v1::Talk out;
    const grpc::Status status = Call(&Bilateral::PlanTalk, PlanRequest(country, planned_on), &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::MarkTalkHeldRequest HeldRequest(const std::string& id, const v1::Date& held_on) {
    v1::MarkTalkHeldRequest request;
    request.set_request_id(absl::StrCat("held-", ++requests_));
    request.set_talk_id(id);
    *request.mutable_held_on() = held_on;
    request.set_outcome("A working group on consular access was agreed.");
    return request;
  }

  v1::PostponeTalkRequest PostponeRequest(const std::string& id, const v1::Date& to) {
    v1::PostponeTalkRequest request;
    request.set_request_id(absl::StrCat("postpone-", ++requests_));
    request.set_talk_id(id);
    *request.mutable_planned_on() = to;
    request.set_reason("Elections.");
    return request;
  }

  v1::ReplanTalkRequest ReplanRequest(const std::string& id, const v1::Date& on) {
    v1::ReplanTalkRequest request;
    request.set_request_id(absl::StrCat("replan-", ++requests_));
    request.set_talk_id(id);
    *request.mutable_planned_on() = on;
    return request;
  }

  v1::CancelTalkRequest CancelRequest(const std::string& id) {
    v1::CancelTalkRequest request;
    request.set_request_id(absl::StrCat("cancel-", ++requests_));
    request.set_talk_id(id);
    request.set_reason("The ministry withdrew.");
    return request;
  }

  v1::AddCommitmentRequest CommitmentRequest(const std::string& talk_id, const v1::Date& due) {
    v1::AddCommitmentRequest request;
    request.set_request_id(absl::StrCat("commit-", ++requests_));
    request.set_talk_id(talk_id);
    request.set_text("Send the list of family-law lawyers.");
    request.set_owner("Embassy Rabat, consular section");
    *request.mutable_due_on() = due;
    return request;
  }

  v1::Commitment Commit(const std::string& talk_id, const v1::Date& due) {
    v1::Commitment out;
    const grpc::Status status =
        Call(&Bilateral::AddCommitment, CommitmentRequest(talk_id, due), &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::RecordDecisionRequest DecisionRequest(const std::string& country, const v1::Date& on,
                                            v1::RaiseDecision decision) {
    v1::RecordDecisionRequest request;
    request.set_request_id(absl::StrCat("decide-", ++requests_));
    v1::CountryDecision* d = request.mutable_decision();
    d->set_country(country);
    d->set_topic(v1::TALK_TOPIC_DIVORCE_RECOGNITION);
    d->set_decision(decision);
    d->set_level(v1::TALK_LEVEL_MINISTERIAL);
    d->set_reasons("Recognition refusals keep rising; the new family code is due.");
    *d->mutable_decided_on() = on;
    return request;
  }

  v1::Talk Get(const std::string& id) {
    v1::GetTalkRequest request;
    request.set_id(id);
    v1::Talk out;
    const grpc::Status status = Call(&Bilateral::GetTalk, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::string Count(const std::string& table) {
    return db_->QueryScalar("SELECT count(*) FROM " + table);
  }

  std::string policy_;
  int requests_ = 0;
};

TEST_F(TalksRegisterTest, APlannedTalkMovesThroughItsLifecycleAndHeldIsFinal) {
  OpenCases(7, "MA");
  CatchUp();
  const v1::Talk planned = Plan("MA", Day(30));
  EXPECT_EQ(planned.status(), v1::TALK_STATUS_PLANNED);
  EXPECT_EQ(planned.planned_on().SerializeAsString(), Day(30).SerializeAsString());
  EXPECT_FALSE(planned.has_held_on());
  EXPECT_FALSE(planned.has_statistics());
  EXPECT_EQ(planned.statistics_period().year(), Day(30).year());
  EXPECT_EQ(planned.recorded_by(), kPolicySubject);
  ASSERT_EQ(planned.changes_size(), 1);
  EXPECT_EQ(planned.changes(0).from_status(), v1::TALK_STATUS_UNSPECIFIED);
  EXPECT_EQ(planned.changes(0).to_status(), v1::TALK_STATUS_PLANNED);

  v1::Talk talk;
  ASSERT_TRUE(Call(&Bilateral::PostponeTalk, PostponeRequest(planned.id(), Day(60)), &talk).ok());
  EXPECT_EQ(talk.status(), v1::TALK_STATUS_POSTPONED);
  EXPECT_EQ(talk.planned_on().SerializeAsString(), Day(60).SerializeAsString());
  // A postponed talk is planned again before it can be postponed again.
  EXPECT_EQ(
      Call(&Bilateral::PostponeTalk, PostponeRequest(planned.id(), Day(90)), &talk).error_code(),
      grpc::FAILED_PRECONDITION);
  ASSERT_TRUE(Call(&Bilateral::ReplanTalk, ReplanRequest(planned.id(), Day(40)), &talk).ok());
  EXPECT_EQ(talk.status(), v1::TALK_STATUS_PLANNED);
  EXPECT_EQ(Call(&Bilateral::ReplanTalk, ReplanRequest(planned.id(), Day(41)), &talk).error_code(),
            grpc::FAILED_PRECONDITION);

  // Held: not on a future day.
  grpc::Status status = Call(&Bilateral::MarkTalkHeld, HeldRequest(planned.id(), Day(1)), &talk);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "held_on:")) << status.error_message();
  ASSERT_TRUE(Call(&Bilateral::MarkTalkHeld, HeldRequest(planned.id(), Day(0)), &talk).ok());
  EXPECT_EQ(talk.status(), v1::TALK_STATUS_HELD);
  EXPECT_EQ(talk.held_on().SerializeAsString(), Day(0).SerializeAsString());
  EXPECT_EQ(talk.planned_on().SerializeAsString(), Day(40).SerializeAsString());
  EXPECT_EQ(talk.outcome(), "A working group on consular access was agreed.");
  // The figures of the moment it was marked held, frozen with it.
  ASSERT_TRUE(talk.has_statistics());
  EXPECT_EQ(talk.statistics().cases_opened().value(), 7);
  EXPECT_EQ(talk.statistics_period().year(), ThisYear());
  ASSERT_EQ(talk.changes_size(), 4);
  const v1::TalkStatusChange& held = talk.changes(3);
  EXPECT_EQ(held.from_status(), v1::TALK_STATUS_PLANNED);
  EXPECT_EQ(held.to_status(), v1::TALK_STATUS_HELD);
  EXPECT_EQ(held.changed_by(), kPolicySubject);
  EXPECT_TRUE(held.has_changed_at());
  EXPECT_EQ(talk.changes(1).reason(), "Elections.");

  // HELD is final: never planned, postponed or cancelled again.
  EXPECT_EQ(Call(&Bilateral::ReplanTalk, ReplanRequest(planned.id(), Day(50)), &talk).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(
      Call(&Bilateral::PostponeTalk, PostponeRequest(planned.id(), Day(50)), &talk).error_code(),
      grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Call(&Bilateral::CancelTalk, CancelRequest(planned.id()), &talk).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Call(&Bilateral::MarkTalkHeld, HeldRequest(planned.id(), Day(0)), &talk).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Count("stats.talk_status_changes"), "4");

  // Later cases do not move the figures a held talk shows.
  OpenCases(5, "MA");
  CatchUp();
  const v1::Talk read = Get(planned.id());
  EXPECT_EQ(read.statistics().cases_opened().value(), 7);
  EXPECT_EQ(read.status(), v1::TALK_STATUS_HELD);
  EXPECT_EQ(read.changes_size(), 4);

  // The list shows each talk's status and day, newest day first.
  const v1::Talk later = Plan("MA", Day(20));
  v1::ListTalksRequest list;
  list.set_country("MA");
  v1::ListTalksResponse listed;
  ASSERT_TRUE(Call(&Bilateral::ListTalks, list, &listed).ok());
  ASSERT_EQ(listed.talks_size(), 2);
  EXPECT_EQ(listed.talks(0).id(), later.id());
  EXPECT_EQ(listed.talks(0).status(), v1::TALK_STATUS_PLANNED);
  EXPECT_EQ(listed.talks(1).id(), planned.id());
  EXPECT_EQ(listed.talks(1).status(), v1::TALK_STATUS_HELD);
  EXPECT_FALSE(listed.talks(1).has_statistics());
  EXPECT_EQ(listed.talks(1).changes_size(), 0);

  v1::GetTalkRequest unknown;
  unknown.set_id("00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(Call(&Bilateral::GetTalk, unknown, &talk).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(Call(&Bilateral::MarkTalkHeld,
                 HeldRequest("00000000-0000-4000-8000-000000000001", Day(0)), &talk)
                .error_code(),
            grpc::NOT_FOUND);
}

TEST_F(TalksRegisterTest, ACancelledTalkIsFinal) {
  const v1::Talk planned = Plan("TN", Day(10));
  v1::CancelTalkRequest without_reason = CancelRequest(planned.id());
  without_reason.clear_reason();
  v1::Talk talk;
  grpc::Status status = Call(&Bilateral::CancelTalk, without_reason, &talk);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "reason:")) << status.error_message();

  ASSERT_TRUE(Call(&Bilateral::CancelTalk, CancelRequest(planned.id()), &talk).ok());
  EXPECT_EQ(talk.status(), v1::TALK_STATUS_CANCELLED);
  EXPECT_EQ(talk.changes(1).reason(), "The ministry withdrew.");
  EXPECT_FALSE(talk.changes(1).has_on_date());
  EXPECT_EQ(talk.planned_on().SerializeAsString(), Day(10).SerializeAsString());
  EXPECT_EQ(Call(&Bilateral::MarkTalkHeld, HeldRequest(planned.id(), Day(0)), &talk).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Call(&Bilateral::ReplanTalk, ReplanRequest(planned.id(), Day(10)), &talk).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(
      Call(&Bilateral::PostponeTalk, PostponeRequest(planned.id(), Day(10)), &talk).error_code(),
      grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Call(&Bilateral::CancelTalk, CancelRequest(planned.id()), &talk).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Get(planned.id()).status(), v1::TALK_STATUS_CANCELLED);

  // A postponed talk may be held, on another day than planned, a past one too.
  const v1::Talk other = Plan("TN", Day(5));
  ASSERT_TRUE(Call(&Bilateral::PostponeTalk, PostponeRequest(other.id(), Day(15)), &talk).ok());
  ASSERT_TRUE(Call(&Bilateral::MarkTalkHeld, HeldRequest(other.id(), Day(-3)), &talk).ok());
  EXPECT_EQ(talk.changes(2).from_status(), v1::TALK_STATUS_POSTPONED);
  EXPECT_EQ(talk.held_on().SerializeAsString(), Day(-3).SerializeAsString());
  EXPECT_EQ(talk.statistics_period().year(), Day(-3).year());
  EXPECT_TRUE(talk.has_statistics());
}

TEST_F(TalksRegisterTest, TheDatabaseRefusesToChangeTheRegister) {
  CatchUp();  // a release, for the briefing's dossier
  const v1::Talk held = RecordHeld("MA", Day(-1));
  const v1::Talk planned = Plan("MA", Day(3));
  const v1::Commitment commitment = Commit(held.id(), Day(30));
  v1::CloseCommitmentRequest close;
  close.set_request_id("close-1");
  close.set_commitment_id(commitment.id());
  close.set_closing_note("Done.");
  v1::Commitment closed;
  ASSERT_TRUE(Call(&Bilateral::CloseCommitment, close, &closed).ok());
  v1::CountryDecision decision;
  ASSERT_TRUE(Call(&Bilateral::RecordDecision,
                   DecisionRequest("MA", Day(0), v1::RAISE_DECISION_RAISE), &decision)
                  .ok());
  v1::StoreBriefingRequest brief;
  brief.set_request_id("brief-1");
  brief.set_talk_id(held.id());
  brief.set_format(v1::DOSSIER_FORMAT_CSV);
  v1::Briefing briefing;
  ASSERT_TRUE(Call(&Bilateral::StoreBriefing, brief, &briefing).ok());

  // Not even the owner of the tables changes or removes a row.
  for (const std::string& sql : std::vector<std::string>{
           "UPDATE stats.talk_status_changes SET reason = 'x'",
           "DELETE FROM stats.talk_status_changes",
           "TRUNCATE stats.talk_status_changes CASCADE",
           "UPDATE stats.commitments SET due_on = due_on + 365",
           "DELETE FROM stats.commitments",
           "UPDATE stats.commitment_closures SET note = 'x'",
           "DELETE FROM stats.commitment_closures",
           "UPDATE stats.decisions SET decision = 'RAISE_DECISION_DEFER'",
           "DELETE FROM stats.decisions",
           "TRUNCATE stats.decisions",
           "UPDATE stats.briefings SET sha256 = repeat('0', 64)",
           "DELETE FROM stats.briefings",
           "UPDATE stats.talks SET summary = 'x'",
           "DELETE FROM stats.talks",
           "TRUNCATE stats.talks CASCADE",
       }) {
    EXPECT_THROW(db_->QueryScalar(sql), std::exception) << sql;
  }
  // Nor appends a change the lifecycle does not allow: HELD is final.
  EXPECT_THROW(
      db_->QueryScalar(absl::StrCat(
          "INSERT INTO stats.talk_status_changes (talk_id, seq, from_status, to_status, on_date, "
          "changed_by, changed_at) VALUES ('",
          held.id(),
          "', 2, 'TALK_STATUS_HELD', 'TALK_STATUS_PLANNED', current_date + 3, 'x', "
          "now())")),
      std::exception);
  // Nor skips the newest change.
  EXPECT_THROW(
      db_->QueryScalar(absl::StrCat(
          "INSERT INTO stats.talk_status_changes (talk_id, seq, from_status, to_status, on_date, "
          "changed_by, changed_at) VALUES ('",
          planned.id(),
          "', 2, 'TALK_STATUS_POSTPONED', 'TALK_STATUS_PLANNED', "
          "current_date + 3, 'x', now())")),
      std::exception);
  EXPECT_EQ(Count("stats.talk_status_changes"), "2");
  EXPECT_EQ(Count("stats.commitments"), "1");
  EXPECT_EQ(Count("stats.commitment_closures"), "1");
  EXPECT_EQ(Count("stats.decisions"), "1");
  EXPECT_EQ(Count("stats.briefings"), "1");
}

TEST_F(TalksRegisterTest, CommitmentsStayOnTheFollowUpListUntilClosed) {
  const v1::Talk rabat = RecordHeld("MA", Day(-30));
  const v1::Talk tunis = RecordHeld("TN", Day(-5));
  const v1::Talk planned = Plan("MA", Day(10));

  v1::Commitment out;
  EXPECT_EQ(
      Call(&Bilateral::AddCommitment, CommitmentRequest(planned.id(), Day(20)), &out).error_code(),
      grpc::FAILED_PRECONDITION);
  grpc::Status status =
      Call(&Bilateral::AddCommitment, CommitmentRequest(rabat.id(), Day(-31)), &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "due_on:")) << status.error_message();
  EXPECT_EQ(Call(&Bilateral::AddCommitment,
                 CommitmentRequest("00000000-0000-4000-8000-000000000001", Day(1)), &out)
                .error_code(),
            grpc::NOT_FOUND);

  const v1::Commitment overdue = Commit(rabat.id(), Day(-10));
  const v1::Commitment later = Commit(rabat.id(), Day(20));
  const v1::Commitment soon = Commit(rabat.id(), Day(5));
  const v1::Commitment tomorrow = Commit(tunis.id(), Day(1));
  EXPECT_TRUE(overdue.overdue());
  EXPECT_FALSE(soon.overdue());
  EXPECT_EQ(overdue.country(), "MA");
  EXPECT_EQ(overdue.owner(), "Embassy Rabat, consular section");
  EXPECT_EQ(overdue.added_by(), kPolicySubject);

  const auto list = [&](const std::string& country, bool open_only) {
    v1::ListCommitmentsRequest request;
    request.set_country(country);
    request.set_open_only(open_only);
    v1::ListCommitmentsResponse response;
    const grpc::Status s = Call(&Bilateral::ListCommitments, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const v1::Commitment& c : response.commitments()) ids.push_back(c.id());
    return std::make_pair(ids, response);
  };
  auto [open, open_response] = list("", true);
  EXPECT_EQ(open, (std::vector<std::string>{overdue.id(), tomorrow.id(), soon.id(), later.id()}));
  EXPECT_TRUE(open_response.commitments(0).overdue());
  EXPECT_FALSE(open_response.commitments(1).overdue());
  EXPECT_EQ(list("MA", true).first,
            (std::vector<std::string>{overdue.id(), soon.id(), later.id()}));

  v1::CloseCommitmentRequest close;
  close.set_request_id("close-overdue");
  close.set_commitment_id(overdue.id());
  close.set_closing_note("The list was sent late, on request.");
  v1::Commitment closed;
  ASSERT_TRUE(Call(&Bilateral::CloseCommitment, close, &closed).ok());
  EXPECT_TRUE(closed.closed());
  EXPECT_FALSE(closed.overdue());
  EXPECT_EQ(closed.closing_note(), "The list was sent late, on request.");
  EXPECT_EQ(closed.closed_by(), kPolicySubject);
  EXPECT_TRUE(closed.has_closed_at());
  close.set_request_id("close-overdue-again");
  EXPECT_EQ(Call(&Bilateral::CloseCommitment, close, &closed).error_code(),
            grpc::FAILED_PRECONDITION);
  close.set_commitment_id("00000000-0000-4000-8000-000000000002");
  EXPECT_EQ(Call(&Bilateral::CloseCommitment, close, &closed).error_code(), grpc::NOT_FOUND);

  // Off the follow-up list; still in the register, after the open ones.
  EXPECT_EQ(list("", true).first, (std::vector<std::string>{tomorrow.id(), soon.id(), later.id()}));
  const std::vector<std::string> all = {tomorrow.id(), soon.id(), later.id(), overdue.id()};
  EXPECT_EQ(list("", false).first, all);

  // Page by page, the same order.
  std::vector<std::string> paged;
  v1::ListCommitmentsRequest request;
  request.set_page_size(1);
  for (int page = 0; page < 10; ++page) {
    v1::ListCommitmentsResponse response;
    ASSERT_TRUE(Call(&Bilateral::ListCommitments, request, &response).ok());
    for (const v1::Commitment& c : response.commitments()) paged.push_back(c.id());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(paged, all);
}

TEST_F(TalksRegisterTest, TheDecisionLogListsWhatWasDecidedNewestFirst) {
  v1::CountryDecision first, second, third;
  ASSERT_TRUE(Call(&Bilateral::RecordDecision,
                   DecisionRequest("MA", Day(-100), v1::RAISE_DECISION_DEFER), &first)
                  .ok());
  ASSERT_TRUE(Call(&Bilateral::RecordDecision,
                   DecisionRequest("MA", Day(-3), v1::RAISE_DECISION_RAISE), &second)
                  .ok());
  ASSERT_TRUE(Call(&Bilateral::RecordDecision,
                   DecisionRequest("EG", Day(-50), v1::RAISE_DECISION_DO_NOT_RAISE), &third)
                  .ok());
  EXPECT_EQ(first.decided_by(), kPolicySubject);
  EXPECT_TRUE(first.has_recorded_at());

  v1::ListDecisionsRequest request;
  v1::ListDecisionsResponse response;
  ASSERT_TRUE(Call(&Bilateral::ListDecisions, request, &response).ok());
  ASSERT_EQ(response.decisions_size(), 3);
  EXPECT_EQ(response.decisions(0).id(), second.id());
  EXPECT_EQ(response.decisions(1).id(), third.id());
  EXPECT_EQ(response.decisions(2).id(), first.id());
  EXPECT_EQ(response.decisions(0).SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(response.decisions(2).decision(), v1::RAISE_DECISION_DEFER);
  EXPECT_EQ(response.decisions(2).reasons(),
            "Recognition refusals keep rising; the new family code is due.");

  request.set_country("MA");
  request.set_page_size(1);
  std::vector<std::string> paged;
  for (int page = 0; page < 5; ++page) {
    ASSERT_TRUE(Call(&Bilateral::ListDecisions, request, &response).ok());
    for (const v1::CountryDecision& d : response.decisions()) paged.push_back(d.id());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(paged, (std::vector<std::string>{second.id(), first.id()}));

  v1::CountryDecision bad;
  grpc::Status status = Call(&Bilateral::RecordDecision,
                             DecisionRequest("MA", Day(1), v1::RAISE_DECISION_RAISE), &bad);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "decision.decided_on:"));
  v1::RecordDecisionRequest other_topic = DecisionRequest("MA", Day(0), v1::RAISE_DECISION_RAISE);
  other_topic.mutable_decision()->set_topic(v1::TALK_TOPIC_CONSULAR_ACCESS);
  status = Call(&Bilateral::RecordDecision, other_topic, &bad);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "decision.topic:"));
  EXPECT_EQ(Count("stats.decisions"), "3");
}

TEST_F(TalksRegisterTest, UnraisedCountriesAreRankedByTheirPublishedFigure) {
  OpenCases(8, "DZ");
  OpenCases(9, "MA");
  OpenCases(6, "TN");
  OpenCases(2, "TR");
  OpenCases(7, "EG");
  CatchUp();
  RecordHeld("TN", Day(0));  // raised this year
  const v1::Date long_ago = DateOfDay(absl::CivilDay(ThisYear() - 7, 3, 15));
  RecordHeld("MA", long_ago);  // raised, but long ago
  Plan("DZ", Day(30));         // only planned
  v1::Talk cancelled = Plan("EG", Day(3));
  v1::Talk ignored;
  ASSERT_TRUE(Call(&Bilateral::CancelTalk, CancelRequest(cancelled.id()), &ignored).ok());

  const auto unraised = [&](int years) {
    v1::ListUnraisedCountriesRequest request;
    request.set_years(years);
    request.set_round_to_base5(true);
    v1::ListUnraisedCountriesResponse response;
    const grpc::Status s = Call(&Bilateral::ListUnraisedCountries, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  };
  v1::ListUnraisedCountriesResponse response = unraised(0);  // 5 years
  std::vector<std::string> countries;
  for (const v1::UnraisedCountry& c : response.countries()) countries.push_back(c.country());
  // Rounded, DZ (8) and MA (9) both publish 10: the published tie goes by country code, where a
  // raw count would have put MA first. EG publishes 5; TR's 2 is suppressed and comes last.
  EXPECT_EQ(countries, (std::vector<std::string>{"DZ", "MA", "EG", "TR"}));
  EXPECT_EQ(response.countries(0).cases_opened().value(), 10);
  EXPECT_EQ(response.countries(1).cases_opened().value(), 10);
  EXPECT_EQ(response.countries(2).cases_opened().value(), 5);
  EXPECT_TRUE(response.countries(3).cases_opened().suppressed());
  EXPECT_EQ(response.countries(1).last_talk_held_on().SerializeAsString(),
            long_ago.SerializeAsString());
  EXPECT_FALSE(response.countries(0).has_last_talk_held_on());  // DZ: planned only
  EXPECT_FALSE(response.countries(2).has_last_decided_on());
  EXPECT_EQ(response.period().range().from().year(), ThisYear() - 4);
  EXPECT_EQ(response.period().range().to().year(), ThisYear());
  EXPECT_TRUE(response.rounded_to_base5());
  EXPECT_EQ(response.threshold(), 5);

  // The very figures ListCountries publishes for that period.
  v1::ListCountriesRequest list;
  *list.mutable_period() = response.period();
  list.set_round_to_base5(true);
  v1::ListCountriesResponse published;
  ASSERT_TRUE(stats_stub_->ListCountries(Context(policy_).get(), list, &published).ok());
  for (const v1::UnraisedCountry& c : response.countries()) {
    bool found = false;
    for (const v1::CountryRow& row : published.countries()) {
      if (row.country() != c.country()) continue;
      found = true;
      EXPECT_EQ(row.cases_opened().SerializeAsString(), c.cases_opened().SerializeAsString())
          << c.country();
    }
    EXPECT_TRUE(found) << c.country();
  }

  // A decision on EG within the years takes it off the list.
  v1::CountryDecision decision;
  ASSERT_TRUE(Call(&Bilateral::RecordDecision,
                   DecisionRequest("EG", Day(0), v1::RAISE_DECISION_DEFER), &decision)
                  .ok());
  const auto codes = [](const v1::ListUnraisedCountriesResponse& r) {
    std::vector<std::string> out;
    for (const v1::UnraisedCountry& c : r.countries()) out.push_back(c.country());
    return out;
  };
  EXPECT_EQ(codes(unraised(5)), (std::vector<std::string>{"DZ", "MA", "TR"}));
  // Over ten years MA's old talk counts.
  EXPECT_EQ(codes(unraised(10)), (std::vector<std::string>{"DZ", "TR"}));

  v1::ListUnraisedCountriesRequest bad;
  bad.set_years(26);
  grpc::Status status = Call(&Bilateral::ListUnraisedCountries, bad, &response);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "years:")) << status.error_message();
}

TEST_F(TalksRegisterTest, ABriefingIsStoredByteForByteAndCheckedOnRead) {
  OpenCases(6, "MA");
  CatchUp();
  const v1::Talk planned = Plan("MA", Day(14));
  v1::StoreBriefingRequest store;
  store.set_request_id("brief-nl");
  store.set_talk_id(planned.id());
  store.set_language("nl");
  store.set_format(v1::DOSSIER_FORMAT_HTML);
  v1::Briefing stored;
  ASSERT_TRUE(Call(&Bilateral::StoreBriefing, store, &stored).ok());
  EXPECT_EQ(stored.language(), "nl");
  EXPECT_EQ(stored.format(), v1::DOSSIER_FORMAT_HTML);
  EXPECT_EQ(stored.content_type(), "text/html; charset=utf-8");
  EXPECT_EQ(stored.sha256().size(), 64u);
  EXPECT_TRUE(stored.content().empty());
  EXPECT_EQ(stored.stored_by(), kPolicySubject);
  EXPECT_EQ(stored.statistics_period().year(), Day(14).year());

  v1::GetBriefingRequest get;
  get.set_talk_id(planned.id());
  v1::Briefing read;
  ASSERT_TRUE(Call(&Bilateral::GetBriefing, get, &read).ok());
  EXPECT_EQ(read.id(), stored.id());
  EXPECT_EQ(read.sha256(), stored.sha256());
  EXPECT_EQ(Sha256OfBytes(read.content()), stored.sha256());
  EXPECT_EQ(read.size(), static_cast<int64_t>(read.content().size()));
  // Exactly the bytes stored, and the digest PostgreSQL computes over them.
  EXPECT_EQ(Hex(read.content()),
            db_->QueryScalar("SELECT encode(content, 'hex') FROM stats.briefings"));
  EXPECT_EQ(db_->QueryScalar("SELECT encode(sha256(content), 'hex') FROM stats.briefings"),
            stored.sha256());
  EXPECT_TRUE(absl::StrContains(read.content(), "<html lang=\"nl\">"));
  EXPECT_TRUE(absl::StrContains(read.content(), "Landendossier"));

  // A second briefing, in English as CSV: the newest unless asked for another.
  store.set_request_id("brief-en");
  store.set_language("");
  store.set_format(v1::DOSSIER_FORMAT_CSV);
  v1::Briefing csv;
  ASSERT_TRUE(Call(&Bilateral::StoreBriefing, store, &csv).ok());
  EXPECT_EQ(csv.language(), "en");
  ASSERT_TRUE(Call(&Bilateral::GetBriefing, get, &read).ok());
  EXPECT_EQ(read.id(), csv.id());
  EXPECT_TRUE(absl::StartsWith(read.content(), "section,measure,dimension,category,value"));
  get.set_language("nl");
  ASSERT_TRUE(Call(&Bilateral::GetBriefing, get, &read).ok());
  EXPECT_EQ(read.id(), stored.id());
  get.set_language("");
  get.set_format(v1::DOSSIER_FORMAT_JSON);
  EXPECT_EQ(Call(&Bilateral::GetBriefing, get, &read).error_code(), grpc::NOT_FOUND);

  // Bytes changed behind the service's back are not served.
  db_->QueryScalar("ALTER TABLE stats.briefings DISABLE TRIGGER briefings_frozen");
  db_->QueryScalar(
      "UPDATE stats.briefings SET content = content || '\\x20'::bytea WHERE language = 'nl'");
  db_->QueryScalar("ALTER TABLE stats.briefings ENABLE TRIGGER briefings_frozen");
  get.set_format(v1::DOSSIER_FORMAT_HTML);
  const grpc::Status status = Call(&Bilateral::GetBriefing, get, &read);
  EXPECT_EQ(status.error_code(), grpc::DATA_LOSS) << status.error_message();
  get.set_format(v1::DOSSIER_FORMAT_CSV);
  EXPECT_TRUE(Call(&Bilateral::GetBriefing, get, &read).ok());

  // No briefing for a cancelled talk; a language the dossier does not speak is refused.
  v1::Talk cancelled;
  ASSERT_TRUE(Call(&Bilateral::CancelTalk, CancelRequest(planned.id()), &cancelled).ok());
  store.set_request_id("brief-cancelled");
  EXPECT_EQ(Call(&Bilateral::StoreBriefing, store, &csv).error_code(), grpc::FAILED_PRECONDITION);
  store.set_request_id("brief-fr");
  store.set_language("fr");
  const grpc::Status french = Call(&Bilateral::StoreBriefing, store, &csv);
  EXPECT_EQ(french.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(french.error_message(), "language:")) << french.error_message();
  store.set_talk_id("00000000-0000-4000-8000-000000000003");
  store.set_language("en");
  store.set_request_id("brief-none");
  EXPECT_EQ(Call(&Bilateral::StoreBriefing, store, &csv).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(Count("stats.briefings"), "2");
}

TEST_F(TalksRegisterTest, OnlyPolicyStaffAndAdministratorsUseTheRegister) {
  const v1::Talk held = RecordHeld("MA", Day(-1));
  const v1::Talk planned = Plan("MA", Day(5));
  const v1::Commitment commitment = Commit(held.id(), Day(10));
  const std::string some_id = "00000000-0000-4000-8000-000000000001";
  std::vector<std::pair<std::string, std::function<grpc::Status(const std::string&)>>> calls;
  const auto add = [&](const std::string& name, auto call) { calls.emplace_back(name, call); };
  add("PlanTalk", [&](const std::string& token) {
    v1::Talk out;
    return Call(&Bilateral::PlanTalk, PlanRequest("MA", Day(3)), &out, token);
  });
  add("MarkTalkHeld", [&](const std::string& token) {
    v1::Talk out;
    return Call(&Bilateral::MarkTalkHeld, HeldRequest(planned.id(), Day(0)), &out, token);
  });
  add("PostponeTalk", [&](const std::string& token) {
    v1::Talk out;
    return Call(&Bilateral::PostponeTalk, PostponeRequest(planned.id(), Day(9)), &out, token);
  });
  add("ReplanTalk", [&](const std::string& token) {
    v1::Talk out;
    return Call(&Bilateral::ReplanTalk, ReplanRequest(planned.id(), Day(9)), &out, token);
  });
  add("CancelTalk", [&](const std::string& token) {
    v1::Talk out;
    return Call(&Bilateral::CancelTalk, CancelRequest(planned.id()), &out, token);
  });
  add("AddCommitment", [&](const std::string& token) {
    v1::Commitment out;
    return Call(&Bilateral::AddCommitment, CommitmentRequest(held.id(), Day(3)), &out, token);
  });
  add("CloseCommitment", [&](const std::string& token) {
    v1::CloseCommitmentRequest r;
    r.set_request_id("close-x");
    r.set_commitment_id(commitment.id());
    r.set_closing_note("x");
    v1::Commitment out;
    return Call(&Bilateral::CloseCommitment, r, &out, token);
  });
  add("ListCommitments", [&](const std::string& token) {
    v1::ListCommitmentsResponse out;
    return Call(&Bilateral::ListCommitments, v1::ListCommitmentsRequest(), &out, token);
  });
  add("RecordDecision", [&](const std::string& token) {
    v1::CountryDecision out;
    return Call(&Bilateral::RecordDecision, DecisionRequest("MA", Day(0), v1::RAISE_DECISION_RAISE),
                &out, token);
  });
  add("ListDecisions", [&](const std::string& token) {
    v1::ListDecisionsResponse out;
    return Call(&Bilateral::ListDecisions, v1::ListDecisionsRequest(), &out, token);
  });
  add("ListUnraisedCountries", [&](const std::string& token) {
    v1::ListUnraisedCountriesResponse out;
    return Call(&Bilateral::ListUnraisedCountries, v1::ListUnraisedCountriesRequest(), &out, token);
  });
  add("StoreBriefing", [&](const std::string& token) {
    v1::StoreBriefingRequest r;
    r.set_request_id("brief-x");
    r.set_talk_id(held.id());
    r.set_format(v1::DOSSIER_FORMAT_JSON);
    v1::Briefing out;
    return Call(&Bilateral::StoreBriefing, r, &out, token);
  });
  add("GetBriefing", [&](const std::string& token) {
    v1::GetBriefingRequest r;
    r.set_talk_id(some_id);
    v1::Briefing out;
    return Call(&Bilateral::GetBriefing, r, &out, token);
  });
  ASSERT_EQ(calls.size(), 13u);
  const std::string talks_before = Count("stats.talks");
  for (const auto& [role, post] :
       std::vector<std::pair<v1::Role, std::string>>{{v1::ROLE_CONSULAR_OFFICER, "RABAT"},
                                                     {v1::ROLE_POST_MANAGER, "RABAT"},
                                                     {v1::ROLE_LKHA_CASEWORKER, ""},
                                                     {v1::ROLE_AUDITOR, ""}}) {
    const std::string token = Token(role, post);
    for (const auto& [name, call] : calls) {
      EXPECT_EQ(call(token).error_code(), grpc::PERMISSION_DENIED)
          << name << " as " << v1::Role_Name(role);
    }
  }
  EXPECT_EQ(Count("stats.talks"), talks_before);
  EXPECT_EQ(Count("stats.talk_status_changes"), "2");
  // Every refusal is audited like any call.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE action = "
                             "'BilateralService.PlanTalk' AND outcome = 'PERMISSION_DENIED'"),
            "4");
  // Administrators may, like policy staff.
  const std::string admin = Token(v1::ROLE_ADMINISTRATOR, "");
  for (const auto& [name, call] : calls) {
    const grpc::Status status = call(admin);
    EXPECT_NE(status.error_code(), grpc::PERMISSION_DENIED) << name;
  }
}

TEST_F(TalksRegisterTest, RetriesReturnTheFirstReplyAndWriteNothing) {
  OpenCases(5, "MA");
  CatchUp();
  const v1::PlanTalkRequest plan = PlanRequest("MA", Day(7));
  v1::Talk first, again;
  ASSERT_TRUE(Call(&Bilateral::PlanTalk, plan, &first).ok());
  ASSERT_TRUE(Call(&Bilateral::PlanTalk, plan, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count("stats.talks"), "1");

  // A retried change is answered as the first time, not refused as a change of a held talk.
  const v1::MarkTalkHeldRequest held = HeldRequest(first.id(), Day(0));
  ASSERT_TRUE(Call(&Bilateral::MarkTalkHeld, held, &first).ok());
  ASSERT_TRUE(Call(&Bilateral::MarkTalkHeld, held, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count("stats.talk_status_changes"), "2");

  const v1::AddCommitmentRequest commit = CommitmentRequest(first.id(), Day(9));
  v1::Commitment c1, c2;
  ASSERT_TRUE(Call(&Bilateral::AddCommitment, commit, &c1).ok());
  ASSERT_TRUE(Call(&Bilateral::AddCommitment, commit, &c2).ok());
  EXPECT_EQ(c1.id(), c2.id());
  v1::CloseCommitmentRequest close;
  close.set_request_id("close-once");
  close.set_commitment_id(c1.id());
  close.set_closing_note("Done.");
  ASSERT_TRUE(Call(&Bilateral::CloseCommitment, close, &c1).ok());
  ASSERT_TRUE(Call(&Bilateral::CloseCommitment, close, &c2).ok());
  EXPECT_EQ(c1.SerializeAsString(), c2.SerializeAsString());
  EXPECT_EQ(Count("stats.commitments"), "1");
  EXPECT_EQ(Count("stats.commitment_closures"), "1");

  const v1::RecordDecisionRequest decide = DecisionRequest("MA", Day(0), v1::RAISE_DECISION_RAISE);
  v1::CountryDecision d1, d2;
  ASSERT_TRUE(Call(&Bilateral::RecordDecision, decide, &d1).ok());
  ASSERT_TRUE(Call(&Bilateral::RecordDecision, decide, &d2).ok());
  EXPECT_EQ(d1.id(), d2.id());
  EXPECT_EQ(Count("stats.decisions"), "1");

  v1::StoreBriefingRequest brief;
  brief.set_request_id("brief-once");
  brief.set_talk_id(first.id());
  brief.set_format(v1::DOSSIER_FORMAT_JSON);
  v1::Briefing b1, b2;
  ASSERT_TRUE(Call(&Bilateral::StoreBriefing, brief, &b1).ok());
  ASSERT_TRUE(Call(&Bilateral::StoreBriefing, brief, &b2).ok());
  EXPECT_EQ(b1.SerializeAsString(), b2.SerializeAsString());
  EXPECT_EQ(Count("stats.briefings"), "1");

  // The same request id for another request is refused, naming it.
  v1::PlanTalkRequest reused = PlanRequest("TN", Day(7));
  reused.set_request_id(plan.request_id());
  const grpc::Status status = Call(&Bilateral::PlanTalk, reused, &again);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "request_id:")) << status.error_message();
  EXPECT_EQ(Count("stats.talks"), "1");
}

TEST_F(TalksRegisterTest, BadRequestsAreRefusedByField) {
  const auto field = [](const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT) << status.error_message();
    return status.error_message().substr(0, status.error_message().find(':'));
  };
  v1::Talk talk;
  EXPECT_EQ(field(Call(&Bilateral::PlanTalk, PlanRequest("MA", Day(-1)), &talk)),
            "talk.planned_on");
  v1::PlanTalkRequest plan = PlanRequest("MA", Day(3));
  *plan.mutable_talk()->mutable_held_on() = Day(0);
  EXPECT_EQ(field(Call(&Bilateral::PlanTalk, plan, &talk)), "talk.held_on");
  plan = PlanRequest("MA", Day(3));
  plan.mutable_talk()->set_outcome("Agreed.");
  EXPECT_EQ(field(Call(&Bilateral::PlanTalk, plan, &talk)), "talk.outcome");
  plan = PlanRequest("XX", Day(3));
  EXPECT_EQ(field(Call(&Bilateral::PlanTalk, plan, &talk)), "talk.country");
  plan = PlanRequest("MA", Day(3));
  plan.set_request_id("");
  EXPECT_EQ(field(Call(&Bilateral::PlanTalk, plan, &talk)), "request_id");
  v1::RecordTalkRequest record;
  record.set_request_id("record-with-plan");
  *record.mutable_talk() = TalkOf("MA");
  *record.mutable_talk()->mutable_held_on() = Day(0);
  *record.mutable_talk()->mutable_planned_on() = Day(3);
  EXPECT_EQ(field(Call(&Bilateral::RecordTalk, record, &talk)), "talk.planned_on");
  v1::MarkTalkHeldRequest held = HeldRequest("not-a-uuid", Day(0));
  EXPECT_EQ(field(Call(&Bilateral::MarkTalkHeld, held, &talk)), "talk_id");
  v1::PostponeTalkRequest postpone =
      PostponeRequest("00000000-0000-4000-8000-000000000001", Day(-1));
  EXPECT_EQ(field(Call(&Bilateral::PostponeTalk, postpone, &talk)), "planned_on");
  v1::AddCommitmentRequest commit =
      CommitmentRequest("00000000-0000-4000-8000-000000000001", Day(3));
  commit.set_owner(std::string(201, 'o'));
  v1::Commitment commitment;
  EXPECT_EQ(field(Call(&Bilateral::AddCommitment, commit, &commitment)), "owner");
  v1::ListCommitmentsRequest list;
  list.set_country("Morocco");
  v1::ListCommitmentsResponse listed;
  EXPECT_EQ(field(Call(&Bilateral::ListCommitments, list, &listed)), "country");
  list.set_country("");
  list.set_page_token("forged");
  EXPECT_EQ(field(Call(&Bilateral::ListCommitments, list, &listed)), "page_token");
  v1::GetBriefingRequest get;
  get.set_talk_id("00000000-0000-4000-8000-000000000001");
  get.set_language("xx");
  v1::Briefing briefing;
  EXPECT_EQ(field(Call(&Bilateral::GetBriefing, get, &briefing)), "language");

  // The use case itself refuses invalid UTF-8, not only the gRPC face in front of it.
  v1::PlanTalkRequest bad_text = PlanRequest("MA", Day(3));
  bad_text.mutable_talk()->set_summary("bad \xff text");
  const Identity policy{kPolicySubject, v1::ROLE_POLICY_STAFF, ""};
  const absl::Status direct =
      stats_manager_->PlanTalk(policy, bad_text, absl::Now() + absl::Seconds(20), &talk);
  EXPECT_EQ(direct.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(direct.message(), "talk.summary:")) << direct;
  EXPECT_EQ(Count("stats.talks"), "0");
}

}  // namespace
}  // namespace consular::stats

// The bilateral-talks register's rules without a database: the lifecycle and the field checks.
#include "services/stats/talk_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "services/stats/statistics_rules.h"

namespace consular::stats {
namespace {

namespace v1 = consular::v1;

v1::Date Day(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

const v1::Date kToday = Day(2026, 5, 14);

// The field an INVALID_ARGUMENT names ("talk.planned_on: ..." -> "talk.planned_on").
std::string FieldOf(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  const std::string message(status.message());
  return message.substr(0, message.find(':'));
}

TEST(TalkLifecycleTest, OnlyTheDocumentedChangesAreAllowed) {
  const std::vector<v1::TalkStatus> all = {v1::TALK_STATUS_UNSPECIFIED, v1::TALK_STATUS_PLANNED,
                                           v1::TALK_STATUS_HELD, v1::TALK_STATUS_POSTPONED,
                                           v1::TALK_STATUS_CANCELLED};
  const std::vector<std::pair<v1::TalkStatus, v1::TalkStatus>> allowed = {
      {v1::TALK_STATUS_PLANNED, v1::TALK_STATUS_HELD},
      {v1::TALK_STATUS_PLANNED, v1::TALK_STATUS_POSTPONED},
      {v1::TALK_STATUS_PLANNED, v1::TALK_STATUS_CANCELLED},
      {v1::TALK_STATUS_POSTPONED, v1::TALK_STATUS_PLANNED},
      {v1::TALK_STATUS_POSTPONED, v1::TALK_STATUS_HELD},
      {v1::TALK_STATUS_POSTPONED, v1::TALK_STATUS_CANCELLED}};
  for (const v1::TalkStatus from : all) {
    for (const v1::TalkStatus to : all) {
      const bool expected =
          std::find(allowed.begin(), allowed.end(), std::make_pair(from, to)) != allowed.end();
      const absl::Status status = CheckTalkStatusChange(from, to);
      EXPECT_EQ(status.ok(), expected)
          << v1::TalkStatus_Name(from) << " -> " << v1::TalkStatus_Name(to);
      if (!expected) {
        EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
      }
    }
  }
  EXPECT_NE(
      std::string(CheckTalkStatusChange(v1::TALK_STATUS_HELD, v1::TALK_STATUS_PLANNED).message())
          .find("final"),
      std::string::npos);
}

v1::Talk PlannedTalk() {
  v1::Talk t;
  t.set_country("MA");
  *t.mutable_planned_on() = Day(2026, 6, 1);
  t.set_level(v1::TALK_LEVEL_MINISTERIAL);
  t.add_topics(v1::TALK_TOPIC_ABANDONMENT);
  t.set_summary("Raise abandonment of dual nationals.");
  return t;
}

TEST(TalkRulesTest, APlannedTalkIsPlannedFromTodayOn) {
  EXPECT_TRUE(ValidatePlannedTalk(PlannedTalk(), kToday).ok());
  v1::Talk today = PlannedTalk();
  *today.mutable_planned_on() = kToday;
  EXPECT_TRUE(ValidatePlannedTalk(today, kToday).ok());

  const auto field = [](void (*spoil)(v1::Talk*)) {
    v1::Talk t = PlannedTalk();
    spoil(&t);
    return FieldOf(ValidatePlannedTalk(t, kToday));
  };
  EXPECT_EQ(field([](v1::Talk* t) { t->clear_planned_on(); }), "talk.planned_on");
  EXPECT_EQ(field([](v1::Talk* t) { *t->mutable_planned_on() = Day(2026, 5, 13); }),
            "talk.planned_on");
  EXPECT_EQ(field([](v1::Talk* t) { *t->mutable_planned_on() = Day(2026, 2, 30); }),
            "talk.planned_on");
  EXPECT_EQ(field([](v1::Talk* t) { *t->mutable_held_on() = Day(2026, 5, 1); }), "talk.held_on");
  EXPECT_EQ(field([](v1::Talk* t) { t->set_outcome("agreed"); }), "talk.outcome");
  EXPECT_EQ(field([](v1::Talk* t) { t->set_follow_up("write"); }), "talk.follow_up");
  EXPECT_EQ(field([](v1::Talk* t) { *t->mutable_follow_up_due() = Day(2026, 7, 1); }),
            "talk.follow_up_due");
  EXPECT_EQ(field([](v1::Talk* t) { t->set_country("NL"); }), "talk.country");
  EXPECT_EQ(field([](v1::Talk* t) { t->clear_topics(); }), "talk.topics");
  EXPECT_EQ(field([](v1::Talk* t) { t->set_summary("bad \xff"); }), "talk.summary");
}

TEST(TalkRulesTest, ATalkRecordedAsHeldHasNoPlannedDay) {
  v1::Talk t = PlannedTalk();
  t.clear_planned_on();
  *t.mutable_held_on() = kToday;
  EXPECT_TRUE(ValidateTalk(t, kToday).ok());
  *t.mutable_planned_on() = Day(2026, 6, 1);
  EXPECT_EQ(FieldOf(ValidateTalk(t, kToday)), "talk.planned_on");
}

TEST(TalkRulesTest, StatusChangesCheckTheirDaysAndTexts) {
  v1::MarkTalkHeldRequest held;
  held.set_talk_id("7f1c6d3e-0000-4000-8000-000000000001");
  *held.mutable_held_on() = kToday;
  EXPECT_TRUE(ValidateMarkTalkHeld(held, kToday).ok());
  *held.mutable_held_on() = Day(2026, 5, 15);
  EXPECT_EQ(FieldOf(ValidateMarkTalkHeld(held, kToday)), "held_on");
  held.clear_held_on();
  EXPECT_EQ(FieldOf(ValidateMarkTalkHeld(held, kToday)), "held_on");
  *held.mutable_held_on() = Day(2025, 1, 1);  // another past day is fine
  held.set_outcome(std::string(2001, 'a'));
  EXPECT_EQ(FieldOf(ValidateMarkTalkHeld(held, kToday)), "outcome");
  held.set_talk_id("not-a-uuid");
  EXPECT_EQ(FieldOf(ValidateMarkTalkHeld(held, kToday)), "talk_id");

  v1::PostponeTalkRequest postpone;
  postpone.set_talk_id("7f1c6d3e-0000-4000-8000-000000000001");
  EXPECT_EQ(FieldOf(ValidatePostponeTalk(postpone, kToday)), "planned_on");
  *postpone.mutable_planned_on() = Day(2026, 5, 1);
  EXPECT_EQ(FieldOf(ValidatePostponeTalk(postpone, kToday)), "planned_on");
  *postpone.mutable_planned_on() = Day(2026, 9, 1);
  EXPECT_TRUE(ValidatePostponeTalk(postpone, kToday).ok());

  v1::ReplanTalkRequest replan;
  replan.set_talk_id("7f1c6d3e-0000-4000-8000-000000000001");
  *replan.mutable_planned_on() = Day(2026, 9, 1);
  replan.set_reason("bad\x01");
  EXPECT_EQ(FieldOf(ValidateReplanTalk(replan, kToday)), "reason");

  v1::CancelTalkRequest cancel;
  cancel.set_talk_id("7f1c6d3e-0000-4000-8000-000000000001");
  EXPECT_EQ(FieldOf(ValidateCancelTalk(cancel)), "reason");
  cancel.set_reason("The minister fell ill.");
  EXPECT_TRUE(ValidateCancelTalk(cancel).ok());
}

TEST(TalkRulesTest, CommitmentsAndTheirClosing) {
  v1::AddCommitmentRequest add;
  add.set_talk_id("7f1c6d3e-0000-4000-8000-000000000001");
  add.set_text("Share the list of contact points.");
  add.set_owner("Consular Affairs, DCV/CB");
  *add.mutable_due_on() = Day(2026, 7, 1);
  EXPECT_TRUE(ValidateAddCommitment(add).ok());
  add.set_owner(std::string(201, 'o'));
  EXPECT_EQ(FieldOf(ValidateAddCommitment(add)), "owner");
  add.set_owner(std::string(200, 'o'));
  EXPECT_TRUE(ValidateAddCommitment(add).ok());
  add.set_text("");
  EXPECT_EQ(FieldOf(ValidateAddCommitment(add)), "text");
  add.set_text("x");
  add.clear_due_on();
  EXPECT_EQ(FieldOf(ValidateAddCommitment(add)), "due_on");

  v1::CloseCommitmentRequest close;
  close.set_commitment_id("7f1c6d3e-0000-4000-8000-000000000002");
  EXPECT_EQ(FieldOf(ValidateCloseCommitment(close)), "closing_note");
  close.set_closing_note("Sent on 3 June.");
  EXPECT_TRUE(ValidateCloseCommitment(close).ok());
}

TEST(TalkRulesTest, Decisions) {
  v1::CountryDecision d;
  d.set_country("MA");
  d.set_topic(v1::TALK_TOPIC_DIVORCE_RECOGNITION);
  d.set_decision(v1::RAISE_DECISION_DEFER);
  d.set_level(v1::TALK_LEVEL_AMBASSADOR);
  d.set_reasons("Await the new family code.");
  *d.mutable_decided_on() = kToday;
  EXPECT_TRUE(ValidateDecision(d, kToday).ok());
  const auto field = [&](void (*spoil)(v1::CountryDecision*)) {
    v1::CountryDecision spoiled = d;
    spoil(&spoiled);
    return FieldOf(ValidateDecision(spoiled, kToday));
  };
  EXPECT_EQ(field([](v1::CountryDecision* x) { x->set_country("NL"); }), "decision.country");
  EXPECT_EQ(field([](v1::CountryDecision* x) { x->set_topic(v1::TALK_TOPIC_FORCED_MARRIAGE); }),
            "decision.topic");
  EXPECT_EQ(field([](v1::CountryDecision* x) { x->clear_decision(); }), "decision.decision");
  EXPECT_EQ(
      field([](v1::CountryDecision* x) { x->set_decision(static_cast<v1::RaiseDecision>(9)); }),
      "decision.decision");
  EXPECT_EQ(field([](v1::CountryDecision* x) { x->clear_level(); }), "decision.level");
  EXPECT_EQ(field([](v1::CountryDecision* x) { x->set_reasons(" "); }), "decision.reasons");
  EXPECT_EQ(field([](v1::CountryDecision* x) { x->set_reasons(std::string(4001, 'r')); }),
            "decision.reasons");
  EXPECT_EQ(field([](v1::CountryDecision* x) { *x->mutable_decided_on() = Day(2026, 5, 15); }),
            "decision.decided_on");
}

TEST(TalkRulesTest, UnraisedYearsAndTheirPeriod) {
  EXPECT_EQ(*UnraisedYears(0), 5);
  EXPECT_EQ(*UnraisedYears(1), 1);
  EXPECT_EQ(*UnraisedYears(25), 25);
  EXPECT_EQ(FieldOf(UnraisedYears(26).status()), "years");
  EXPECT_EQ(FieldOf(UnraisedYears(-1).status()), "years");
  const v1::Period p = LastCalendarYears(5, 2026);
  EXPECT_EQ(p.range().from().year(), 2022);
  EXPECT_EQ(p.range().from().month(), 1);
  EXPECT_EQ(p.range().from().day(), 1);
  EXPECT_EQ(p.range().to().year(), 2026);
  EXPECT_EQ(p.range().to().month(), 12);
  EXPECT_EQ(p.range().to().day(), 31);
}

TEST(DossierRequestRulesTest, LanguagesAndFormats) {
  EXPECT_EQ(*DossierLanguage("language", ""), "en");
  EXPECT_EQ(*DossierLanguage("language", "nl"), "nl");
  EXPECT_EQ(FieldOf(DossierLanguage("language", "NL").status()), "language");
  EXPECT_EQ(FieldOf(DossierLanguage("language", "de").status()), "language");
  EXPECT_TRUE(CheckDossierFormat("format", v1::DOSSIER_FORMAT_CSV).ok());
  EXPECT_EQ(FieldOf(CheckDossierFormat("format", v1::DOSSIER_FORMAT_UNSPECIFIED)), "format");
  EXPECT_EQ(FieldOf(CheckDossierFormat("format", 17)), "format");
}

}  // namespace
}  // namespace consular::stats

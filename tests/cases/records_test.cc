// Records management against a real PostgreSQL database (one fresh database per test): retention
// schedules and archive action dates, legal holds, destruction lists reviewed in two slots, and
// who sees them. Anonymisation itself: records_anonymisation_test.cc.
#include "tests/cases/records_fixture.h"

namespace consular::cases::testing {
namespace {

TEST_F(RecordsTest, ArchiveActionDateFollowsTheScheduleAtClosingAndReopeningClearsIt) {
  // The seeded default is ten years; an outcome of its own overrides the type's default.
  ASSERT_TRUE(
      SetSchedule(consular::v1::CASE_TYPE_ABANDONMENT, consular::v1::OUTCOME_RETURNED_TO_NL, 2)
          .ok());
  Case lost = Create(kRabatOfficer, "a-");
  Close(&lost, Day(2026, 2, 10), "a-");
  Case c = Get(kRabatOfficer, lost.id());
  ASSERT_TRUE(c.has_archive_action_date());
  EXPECT_EQ(c.archive_action_date().SerializeAsString(), MakeDate(2036, 2, 10).SerializeAsString());

  Case withdrawn = Create(kRabatOfficer, "b-");
  ASSERT_TRUE(
      SetSchedule(consular::v1::CASE_TYPE_ABANDONMENT, consular::v1::OUTCOME_UNSPECIFIED, 4).ok());
  Close(&withdrawn, Day(2026, 3, 1), "b-", consular::v1::OUTCOME_WITHDRAWN);
  EXPECT_EQ(Get(kRabatOfficer, withdrawn.id()).archive_action_date().SerializeAsString(),
            MakeDate(2030, 3, 1).SerializeAsString());
  // The change applies to cases closed afterwards only.
  EXPECT_EQ(Get(kRabatOfficer, lost.id()).archive_action_date().SerializeAsString(),
            MakeDate(2036, 2, 10).SerializeAsString());

  // Reopening clears it; closing again sets it anew.
  clock_.Set(Day(2026, 4, 1));
  ASSERT_TRUE(
      Transition(kRabatManager, &lost, consular::v1::CASE_STATUS_ACTIVE, "a-", "She called again")
          .ok());
  EXPECT_FALSE(Get(kRabatOfficer, lost.id()).has_archive_action_date());
  EXPECT_EQ(Scalar("SELECT count(*) FROM cases.cases WHERE archive_action_date IS NOT NULL"), "1");
  ASSERT_TRUE(Transition(kRabatOfficer, &lost, consular::v1::CASE_STATUS_RESOLVED, "a-",
                         "She is home", consular::v1::OUTCOME_RETURNED_TO_NL)
                  .code() == absl::StatusCode::kFailedPrecondition);  // needs the return date
  ASSERT_TRUE(Transition(kRabatOfficer, &lost, consular::v1::CASE_STATUS_RESOLVED, "a-",
                         "Lost again", consular::v1::OUTCOME_CONTACT_LOST)
                  .ok());
  ASSERT_TRUE(
      Transition(kRabatManager, &lost, consular::v1::CASE_STATUS_CLOSED, "a-", "Done").ok());
  EXPECT_EQ(Get(kRabatOfficer, lost.id()).archive_action_date().SerializeAsString(),
            MakeDate(2030, 4, 1).SerializeAsString());

  // Versioned and audited; only administrators change schedules, with a reason.
  consular::v1::ListRetentionSchedulesRequest list;
  list.set_include_history(true);
  consular::v1::ListRetentionSchedulesResponse schedules;
  ASSERT_TRUE(records_->ListRetentionSchedules(kRabatOfficer, list, Deadline(), &schedules).ok());
  EXPECT_EQ(schedules.schedules_size(), 4);  // two seeded, two set here
  EXPECT_EQ(Scalar("SELECT count(*) FROM audit.events "
                   "WHERE action = 'RecordsService.SetRetentionSchedule' AND outcome = 'OK'"),
            "2");
  consular::v1::SetRetentionScheduleRequest denied;
  denied.set_request_id("x");
  denied.set_case_type(consular::v1::CASE_TYPE_ABANDONMENT);
  denied.set_retention_years(0);
  denied.set_reason("Because I want to");
  consular::v1::RetentionSchedule out;
  EXPECT_EQ(records_->SetRetentionSchedule(kRabatManager, denied, Deadline(), &out).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(RecordsTest, AnExclusionAlwaysWinsAndOneApprovalIsNotEnough) {
  ASSERT_TRUE(
      SetSchedule(consular::v1::CASE_TYPE_ABANDONMENT, consular::v1::OUTCOME_UNSPECIFIED, 0).ok());
  std::vector<Case> c;
  for (int i = 0; i < 5; ++i) {
    c.push_back(Create(kRabatOfficer, absl::StrCat("c", i, "-"), absl::StrCat("Person ", i)));
    Close(&c.back(), Day(2026, 1, 10), absl::StrCat("c", i, "-"));
  }
  clock_.Set(Day(2026, 2, 1));
  absl::StatusOr<DestructionList> list = Propose();
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->number(), "VL-2026-1");
  ASSERT_EQ(list->items_size(), 5);

  using D = consular::v1::ReviewDecision;
  const D approve = consular::v1::REVIEW_DECISION_APPROVE;
  const D exclude = consular::v1::REVIEW_DECISION_EXCLUDE;
  // c0: the unit excludes, the auditor approves. c1: the unit approves, the auditor excludes.
  // c2: both approve. c3: only the auditor approves. c4: nobody reviews it.
  ASSERT_TRUE(Review(kRabatManager, *list,
                     {{c[0].id(), exclude}, {c[1].id(), approve}, {c[2].reference(), approve}})
                  .ok());
  ASSERT_TRUE(
      Review(
          kAuditor, *list,
          {{c[0].id(), approve}, {c[1].id(), exclude}, {c[2].id(), approve}, {c[3].id(), approve}})
          .ok());
  // A decision is given once and never changed.
  EXPECT_EQ(Review(kAuditor, *list, {{c[1].id(), approve}}).code(),
            absl::StatusCode::kFailedPrecondition);

  absl::StatusOr<DestructionList> done = Process(*list);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), consular::v1::DESTRUCTION_LIST_STATE_PROCESSED);
  EXPECT_EQ(ResultOf(*done, c[0].id()), consular::v1::DESTRUCTION_RESULT_SKIPPED_EXCLUDED);
  EXPECT_EQ(ResultOf(*done, c[1].id()), consular::v1::DESTRUCTION_RESULT_SKIPPED_EXCLUDED);
  EXPECT_EQ(ResultOf(*done, c[2].id()), consular::v1::DESTRUCTION_RESULT_ANONYMISED);
  EXPECT_EQ(ResultOf(*done, c[3].id()), consular::v1::DESTRUCTION_RESULT_SKIPPED_NOT_APPROVED);
  EXPECT_EQ(ResultOf(*done, c[4].id()), consular::v1::DESTRUCTION_RESULT_SKIPPED_NOT_APPROVED);
  for (int i : {0, 1, 3, 4}) {
    const Case kept = Get(kRabatOfficer, c[i].id());
    EXPECT_FALSE(kept.has_anonymised_at()) << i;
    EXPECT_EQ(kept.subject().full_name(), absl::StrCat("Person ", i));
  }
  const Case gone = Get(kRabatOfficer, c[2].id());
  EXPECT_TRUE(gone.has_anonymised_at());
  EXPECT_EQ(gone.anonymised_under(), "VL-2026-1");
  EXPECT_TRUE(gone.subject().full_name().empty());
  EXPECT_EQ(gone.reference(), c[2].reference());

  // Processed once; reviews of a processed list are refused; the skipped cases come back on the
  // next list.
  EXPECT_EQ(Process(*list).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Review(kAuditor, *list, {{c[4].id(), approve}}).code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<DestructionList> next = Propose();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->number(), "VL-2026-2");
  EXPECT_EQ(next->items_size(), 4);
  EXPECT_FALSE(OnList(*next, c[2].id()));
}

TEST_F(RecordsTest, AHeldCaseIsNeverProposedAndAHoldAfterProposalMakesProcessingSkipIt) {
  ASSERT_TRUE(
      SetSchedule(consular::v1::CASE_TYPE_ABANDONMENT, consular::v1::OUTCOME_UNSPECIFIED, 0).ok());
  Case held = Create(kRabatOfficer, "h-", "Held Person");
  Case late = Create(kRabatOfficer, "l-", "Late Hold");
  Close(&held, Day(2026, 1, 10), "h-");
  Close(&late, Day(2026, 1, 10), "l-");

  // An administrator holds a case it cannot read: it learns the reference and unit only.
  absl::StatusOr<consular::v1::LegalHold> hold = Hold(kAdmin, held.reference());
  ASSERT_TRUE(hold.ok()) << hold.status();
  EXPECT_EQ(hold->case_reference(), held.reference());
  EXPECT_EQ(hold->handling_unit(), "RABAT");
  EXPECT_TRUE(Get(kRabatOfficer, held.id()).on_legal_hold());

  clock_.Set(Day(2026, 2, 1));
  absl::StatusOr<DestructionList> list = Propose();
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_FALSE(OnList(*list, held.id()));
  ASSERT_TRUE(OnList(*list, late.id()));

  ASSERT_TRUE(
      Review(kRabatManager, *list, {{late.id(), consular::v1::REVIEW_DECISION_APPROVE}}).ok());
  ASSERT_TRUE(Review(kAuditor, *list, {{late.id(), consular::v1::REVIEW_DECISION_APPROVE}}).ok());
  // A post manager holds their own post's case after it was proposed and approved.
  ASSERT_TRUE(Hold(kRabatManager, late.id()).ok());
  EXPECT_EQ(Hold(kTunisManager, late.id()).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<DestructionList> done = Process(*list);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(ResultOf(*done, late.id()), consular::v1::DESTRUCTION_RESULT_SKIPPED_HELD);
  EXPECT_EQ(Get(kRabatOfficer, late.id()).subject().full_name(), "Late Hold");

  // Lifting needs a reason and is audited; then the case is proposed again.
  consular::v1::LiftLegalHoldRequest lift;
  lift.set_request_id(NextId());
  lift.set_hold_id(hold->id());
  lift.set_reason("short");
  consular::v1::LegalHold lifted;
  absl::Status status = records_->LiftLegalHold(kAdmin, lift, Deadline(), &lifted);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(status.message(), "reason:")) << status;
  lift.set_reason("Proceedings ended in March");
  ASSERT_TRUE(records_->LiftLegalHold(kAdmin, lift, Deadline(), &lifted).ok());
  EXPECT_FALSE(lifted.active());
  EXPECT_EQ(Scalar(absl::StrCat("SELECT count(*) FROM audit.events WHERE action = "
                                "'RecordsService.LiftLegalHold' AND case_id = '",
                                held.id(), "'")),
            "1");
  absl::StatusOr<DestructionList> again = Propose();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(OnList(*again, held.id()));
  EXPECT_FALSE(OnList(*again, late.id()));  // still held
}

TEST_F(RecordsTest, ListsShowEachReviewerTheirOwnUnitAndNobodyElse) {
  ASSERT_TRUE(
      SetSchedule(consular::v1::CASE_TYPE_ABANDONMENT, consular::v1::OUTCOME_UNSPECIFIED, 0).ok());
  Case rabat = Create(kRabatOfficer, "r-");
  Close(&rabat, Day(2026, 1, 10), "r-");
  Case tunis = Create(kTunisOfficer, "t-");
  clock_.Set(Day(2026, 1, 10));
  ASSERT_TRUE(
      Transition(kTunisOfficer, &tunis, consular::v1::CASE_STATUS_ACTIVE, "t-", "Called").ok());
  ASSERT_TRUE(Transition(kTunisOfficer, &tunis, consular::v1::CASE_STATUS_RESOLVED, "t-",
                         "Withdrawn", consular::v1::OUTCOME_WITHDRAWN)
                  .ok());
  ASSERT_TRUE(
      Transition(kTunisManager, &tunis, consular::v1::CASE_STATUS_CLOSED, "t-", "Done").ok());
  clock_.Set(Day(2026, 2, 1));
  absl::StatusOr<DestructionList> list = Propose();
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->items_size(), 2);

  consular::v1::GetDestructionListRequest get;
  get.set_list(list->number());
  DestructionList seen;
  for (const Identity& who : {kAdmin, kAuditor}) {
    ASSERT_TRUE(records_->GetDestructionList(who, get, Deadline(), &seen).ok());
    EXPECT_EQ(seen.items_size(), 2) << who.subject;
  }
  ASSERT_TRUE(records_->GetDestructionList(kRabatManager, get, Deadline(), &seen).ok());
  ASSERT_EQ(seen.items_size(), 1);
  EXPECT_EQ(seen.items(0).case_id(), rabat.id());
  EXPECT_EQ(seen.item_count(), 1);
  for (const Identity& who : {kRabatOfficer, kPolicy}) {
    EXPECT_EQ(records_->GetDestructionList(who, get, Deadline(), &seen).code(),
              absl::StatusCode::kPermissionDenied)
        << who.subject;
  }
  // Another post's item cannot be reviewed from Rabat (it is not there for Rabat).
  EXPECT_EQ(
      Review(kRabatManager, *list, {{tunis.id(), consular::v1::REVIEW_DECISION_APPROVE}}).code(),
      absl::StatusCode::kNotFound);
  // Officers and policy staff do not review; post managers do not propose or process.
  EXPECT_EQ(
      Review(kRabatOfficer, *list, {{rabat.id(), consular::v1::REVIEW_DECISION_APPROVE}}).code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Propose(kRabatManager).status().code(), absl::StatusCode::kPermissionDenied);

  // The database's own wall: as the service role, with an officer's or policy scope and no
  // application filter, no list, item or review is there; a manager's scope shows its unit only.
  const auto count_as = [&](const Identity& who, const std::string& table) {
    std::string n;
    const absl::Status status =
        runner_->RunReadOnly(Deadline(), [&](pqxx::transaction_base& tx) -> absl::Status {
          storage::SetSessionScope(tx, {who.subject, consular::v1::Role_Name(who.role), who.post});
          n = tx.exec1("SELECT count(*) FROM " + table)[0].as<std::string>();
          return absl::OkStatus();
        });
    EXPECT_TRUE(status.ok()) << status;
    return n;
  };
  EXPECT_EQ(count_as(kRabatOfficer, "cases.destruction_items"), "0");
  EXPECT_EQ(count_as(kRabatOfficer, "cases.destruction_lists"), "0");
  EXPECT_EQ(count_as(kPolicy, "cases.destruction_items"), "0");
  EXPECT_EQ(count_as(kRabatManager, "cases.destruction_items"), "1");
  EXPECT_EQ(count_as(kAuditor, "cases.destruction_items"), "2");
  // ... and the service role may not delete anything of it.
  EXPECT_EQ(Scalar("SELECT has_table_privilege('consular_service', 'cases.destruction_items', "
                   "'DELETE') OR has_table_privilege('consular_service', 'cases.legal_holds', "
                   "'DELETE') OR has_table_privilege('consular_service', "
                   "'cases.destruction_reviews', 'UPDATE')"),
            "f");
}

TEST_F(RecordsTest, TheMonthlyListIsProposedOncePerMonthAndOnlyWhenSomethingIsDue) {
  // Nothing due: no list, and no trace in the audit trail either.
  absl::StatusOr<std::optional<std::string>> proposed = records_->ProposeMonthlyListIfDue();
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  EXPECT_FALSE(proposed->has_value());
  EXPECT_EQ(Scalar("SELECT count(*) FROM audit.events WHERE action LIKE 'RecordsService.%'"), "0");

  ASSERT_TRUE(
      SetSchedule(consular::v1::CASE_TYPE_ABANDONMENT, consular::v1::OUTCOME_UNSPECIFIED, 0).ok());
  Case c = Create(kRabatOfficer, "m-");
  Close(&c, Day(2026, 1, 10), "m-");
  clock_.Set(Day(2026, 2, 1));
  // Two replicas asking at once propose one list.
  std::optional<std::string> first;
  std::optional<std::string> second;
  std::thread other([&] {
    absl::StatusOr<std::optional<std::string>> n = records_->ProposeMonthlyListIfDue();
    EXPECT_TRUE(n.ok()) << n.status();
    if (n.ok()) second = *n;
  });
  proposed = records_->ProposeMonthlyListIfDue();
  other.join();
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  first = *proposed;
  EXPECT_NE(first.has_value(), second.has_value());
  EXPECT_EQ(first.value_or(second.value_or("")), "VL-2026-1");
  EXPECT_EQ(Scalar("SELECT scheduled_month FROM cases.destruction_lists"), "2026-02");
  EXPECT_EQ(Scalar("SELECT proposed_by FROM cases.destruction_lists"),
            RecordsManager::MonthlyJobIdentity().subject);
  // Later the same month, with another case due: still that one list.
  Case d = Create(kRabatOfficer, "n-");
  Close(&d, Day(2026, 2, 10), "n-");
  clock_.Set(Day(2026, 2, 20));
  proposed = records_->ProposeMonthlyListIfDue();
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  EXPECT_FALSE(proposed->has_value());
  EXPECT_EQ(Scalar("SELECT count(*) FROM cases.destruction_lists"), "1");
}

TEST_F(RecordsTest, BadInputIsInvalidArgumentNamingTheField) {
  const auto field_of = [](const absl::Status& status) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    return std::string(status.message().substr(0, status.message().find(':')));
  };
  consular::v1::RetentionSchedule schedule;
  consular::v1::SetRetentionScheduleRequest set;
  set.set_request_id("s1");
  set.set_case_type(consular::v1::CASE_TYPE_ABANDONMENT);
  set.set_retention_years(101);
  set.set_reason("Longer than allowed");
  EXPECT_EQ(field_of(records_->SetRetentionSchedule(kAdmin, set, Deadline(), &schedule)),
            "retention_years");
  set.set_retention_years(5);
  set.set_outcome(consular::v1::OUTCOME_RECOGNISED);  // a divorce-recognition outcome
  EXPECT_EQ(field_of(records_->SetRetentionSchedule(kAdmin, set, Deadline(), &schedule)),
            "outcome");
  set.set_outcome(consular::v1::OUTCOME_UNSPECIFIED);
  set.set_reason("too short");
  EXPECT_EQ(field_of(records_->SetRetentionSchedule(kAdmin, set, Deadline(), &schedule)), "reason");
  set.clear_case_type();
  EXPECT_EQ(field_of(records_->SetRetentionSchedule(kAdmin, set, Deadline(), &schedule)),
            "case_type");

  consular::v1::LegalHold hold;
  consular::v1::PlaceLegalHoldRequest place;
  place.set_request_id("h1");
  place.set_reason("Pending court proceedings");
  EXPECT_EQ(field_of(records_->PlaceLegalHold(kAdmin, place, Deadline(), &hold)), "case_id");
  consular::v1::LiftLegalHoldRequest lift;
  lift.set_request_id("h2");
  lift.set_hold_id("not-a-uuid");
  lift.set_reason("Proceedings ended");
  EXPECT_EQ(field_of(records_->LiftLegalHold(kAdmin, lift, Deadline(), &hold)), "hold_id");

  DestructionList list;
  consular::v1::ProposeDestructionListRequest propose;
  propose.set_request_id("p1");
  *propose.mutable_cut_off() = MakeDate(2030, 1, 1);  // the clock says 2026
  EXPECT_EQ(field_of(records_->ProposeDestructionList(kAdmin, propose, Deadline(), &list)),
            "cut_off");
  consular::v1::ReviewDestructionItemsRequest review;
  review.set_request_id("v1");
  review.set_list("VL-2026-1");
  EXPECT_EQ(field_of(records_->ReviewDestructionItems(kAuditor, review, Deadline(), &list)),
            "decisions");
  review.add_decisions()->set_case_id("ABN-2026-00001");
  EXPECT_EQ(field_of(records_->ReviewDestructionItems(kAuditor, review, Deadline(), &list)),
            "decisions[0].decision");
  consular::v1::ProcessDestructionListRequest process;
  process.set_request_id("x1");
  EXPECT_EQ(field_of(records_->ProcessDestructionList(kAdmin, process, Deadline(), &list)), "list");
  // Nothing is due: proposing is refused, and nothing was written.
  propose.clear_cut_off();
  EXPECT_EQ(records_->ProposeDestructionList(kAdmin, propose, Deadline(), &list).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Scalar("SELECT count(*) FROM cases.destruction_lists"), "0");
}

}  // namespace
}  // namespace consular::cases::testing

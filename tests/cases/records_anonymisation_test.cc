// Anonymisation through a processed destruction list, against a real PostgreSQL database: the
// person is gone from every table (checked in a dump of the whole database), searches no longer
// find her, every published statistic and the recount stay exactly as they were, the audit chain
// still verifies, and the tombstone refuses every change.
#include <cstdio>
#include <set>

#include "absl/strings/str_split.h"
#include "services/common/call_support.h"
#include "tests/cases/records_fixture.h"

namespace consular::cases::testing {
namespace {

// The database as plain SQL data (pg_dump --data-only), bytea as hex.
std::string DumpData(const consular::testing::TestDatabase& db) {
  const std::string command =
      absl::StrCat("pg_dump --data-only --no-owner -d '", db.dsn(), "' 2>&1");
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << out.substr(0, 500);
  return out;
}

class AnonymisationTest : public RecordsTest {
 protected:
  // Every value of `sql`'s first column (hex of bytea, or text), non-empty ones only.
  std::vector<std::string> Values(const std::string& sql) {
    std::vector<std::string> values;
    const std::string joined = Scalar("SELECT string_agg(v, ',') FROM (" + sql + ") AS t (v)");
    for (absl::string_view v : absl::StrSplit(joined, ',', absl::SkipEmpty())) {
      values.emplace_back(v);
    }
    return values;
  }

  // The statistics as everyone downstream sees them: the rollups, the recount over the base
  // tables, the cases with contacts, and the published figures of a fresh release.
  std::string Statistics(int release_number) {
    stats::RollupUpdater updater(runner_.get());
    for (int i = 0; i < 50; ++i) {
      absl::StatusOr<int64_t> n = updater.CatchUp();
      EXPECT_TRUE(n.ok()) << n.status();
      absl::StatusOr<stats::Freshness> fresh = updater.CurrentFreshness();
      if (!fresh.ok() || fresh->pending == 0) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    absl::StatusOr<std::vector<stats::RollupDifference>> differences = updater.Verify();
    EXPECT_TRUE(differences.ok()) << differences.status();
    if (differences.ok()) {
      EXPECT_TRUE(differences->empty()) << differences->size();
    }

    // Each row as one line, the lines in order (an aggregate's ORDER BY 1 would order by the
    // constant, leaving the order to the scan).
    std::string out = Scalar(
        "SELECT string_agg(line, E'\\n' ORDER BY line) FROM (SELECT concat_ws(' ', country, "
        "year, month, measure, dimension, category, n) AS line FROM stats.rollup) r");
    out += "\n--\n" + Scalar(
                          "SELECT string_agg(line, E'\\n' ORDER BY line) FROM (SELECT "
                          "concat_ws(' ', country, year, month, measure, dimension, category, n) "
                          "AS line FROM cases.statistical_recount(NULL)) r");
    out += "\n--\n" + Scalar(
                          "SELECT string_agg(line, E'\\n' ORDER BY line) FROM (SELECT "
                          "concat_ws(' ', country, year, slot, dimension, category, cases) AS "
                          "line FROM cases.statistical_contact_cases_recount(NULL)) r");

    stats::StatisticsManager manager(runner_.get(), clock_, keys_.crypto(), {});
    v1::CreateReleaseRequest make;
    make.set_request_id(NextId("release-"));
    v1::Release release;
    const absl::Status made = manager.CreateRelease(kAdmin, make, Deadline(), &release);
    EXPECT_TRUE(made.ok()) << made;
    EXPECT_EQ(release.number(), release_number);
    v1::GetCountryStatisticsRequest get;
    get.set_country("MA");
    get.mutable_period()->set_year(2026);
    v1::CountryStatistics figures;
    const absl::Status got = manager.GetCountryStatistics(kPolicy, get, Deadline(), &figures);
    EXPECT_TRUE(got.ok()) << got;
    figures.clear_as_of();
    figures.clear_lag();
    figures.clear_release();
    v1::GetTimeSeriesRequest series_request;
    series_request.set_country("MA");
    series_request.set_measure(v1::MEASURE_CASES_OPENED);
    series_request.set_interval(v1::INTERVAL_QUARTER);
    series_request.set_from_year(2025);
    series_request.set_to_year(2026);
    v1::TimeSeries series;
    const absl::Status listed = manager.GetTimeSeries(kPolicy, series_request, Deadline(), &series);
    EXPECT_TRUE(listed.ok()) << listed;
    series.clear_as_of();
    series.clear_lag();
    series.clear_release();
    return absl::StrCat(out, "\n--\n", figures.DebugString(), "\n--\n", series.DebugString());
  }

  bool ChainVerifies() {
    storage::AuditSequencer sequencer(runner_.get());
    while (true) {
      absl::StatusOr<int> chained = sequencer.RunOnce();
      EXPECT_TRUE(chained.ok()) << chained.status();
      if (!chained.ok() || *chained == 0) break;
    }
    storage::ChainVerification v;
    const absl::Status status = runner_->RunReadOnly(
        Deadline(),
        [&](pqxx::transaction_base& tx) {
          v = storage::VerifyAuditChain(tx);
          return absl::OkStatus();
        },
        storage::Isolation::kRepeatableRead);
    EXPECT_TRUE(status.ok()) << status;
    return v.ok && v.events_checked > 0;
  }
};

TEST_F(AnonymisationTest, DestroysThePersonKeepsTheStatisticsAndTheAuditChain) {
  ASSERT_TRUE(
      SetSchedule(consular::v1::CASE_TYPE_ABANDONMENT, consular::v1::OUTCOME_UNSPECIFIED, 0).ok());
  // The case to destroy, with everything that can be written about her ...
  clock_.Set(Day(2026, 1, 5));
  Case z = Create(kRabatOfficer, "z-");
  {
    consular::v1::UpdateCaseRequest update;
    update.set_request_id(NextId("z-"));
    update.mutable_case_()->set_id(z.id());
    update.mutable_case_()->mutable_safety()->set_safe_contact_times("Tuesday mornings, Fatna");
    update.mutable_update_mask()->add_paths("safety.safe_contact_times");
    update.set_reason("She asked for Tuesday mornings via Fatna");
    update.set_expected_version(z.version());
    ASSERT_TRUE(cases_->Update(kRabatOfficer, update, Deadline(), &z).ok());
    consular::v1::AddCaseNoteRequest note;
    note.set_request_id(NextId("z-"));
    note.set_case_id(z.id());
    note.set_text("Her brother Youssef threatened her on 3 January");
    consular::v1::CaseNote added;
    ASSERT_TRUE(cases_->AddNote(kRabatOfficer, note, Deadline(), &added).ok());
    consular::v1::LogContactRequest contact;
    contact.set_request_id(NextId("z-"));
    contact.mutable_contact()->set_case_id(z.id());
    contact.mutable_contact()->mutable_ad_hoc()->set_name("Aunt Khadija Bennani");
    contact.mutable_contact()->mutable_ad_hoc()->set_phone("+212 611 222333");
    *contact.mutable_contact()->mutable_occurred_at() = ToTimestamp(clock_.Now());
    contact.mutable_contact()->set_channel(consular::v1::CONTACT_CHANNEL_PHONE);
    contact.mutable_contact()->set_direction(consular::v1::CONTACT_DIRECTION_INCOMING);
    contact.mutable_contact()->set_purpose(consular::v1::CONTACT_PURPOSE_SHELTER);
    contact.mutable_contact()->set_outcome(consular::v1::CONTACT_OUTCOME_INFORMATION_RECEIVED);
    contact.mutable_contact()->set_note("Khadija can hide her in Fes");
    consular::v1::Contact logged;
    const absl::Status status = contacts_->LogContact(kRabatOfficer, contact, Deadline(), &logged);
    ASSERT_TRUE(status.ok()) << status;
    consular::v1::EmergencySearchRequest search;
    search.set_full_name(kName);
    *search.mutable_date_of_birth() = MakeDate(1994, 3, 7);
    search.set_reason("Zainab called Tunis in tears");
    consular::v1::EmergencySearchResponse found;
    ASSERT_TRUE(cases_->EmergencySearch(kTunisManager, search, Deadline(), &found).ok());
    consular::v1::OpenEmergencyAccessRequest open;
    open.set_request_id(NextId("z-"));
    open.set_case_id(z.id());
    open.set_reason("Zainab called Tunis in tears");
    consular::v1::EmergencyAccess access;
    ASSERT_TRUE(cases_->OpenEmergencyAccess(kTunisManager, open, Deadline(), &access).ok());
    consular::v1::RequestSubjectAccessRequest sar;
    sar.set_request_id(NextId("z-"));
    sar.set_case_id(z.id());
    sar.set_language("nl");
    sar.set_note("Letter of Zainab Benali of 2 January, delivered by her aunt");
    consular::v1::SubjectAccessRequest asked;
    const absl::Status sar_status = exports_->RequestSubjectAccess(kRabatOfficer, sar, Deadline(), &asked);
    ASSERT_TRUE(sar_status.ok()) << sar_status;
  }
  Close(&z, Day(2026, 1, 10), "z-");
  // ... and a case that stays, of the same post, type and country.
  Case k = Create(kRabatOfficer, "k-", "Kept Otherperson");
  Close(&k, Day(2026, 1, 10), "k-");

  clock_.Set(Day(2026, 2, 1));
  const std::string before = Statistics(1);
  absl::StatusOr<DestructionList> list = Propose();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_TRUE(Review(kRabatManager, *list,
                     {{z.id(), consular::v1::REVIEW_DECISION_APPROVE},
                      {k.id(), consular::v1::REVIEW_DECISION_EXCLUDE}})
                  .ok());
  ASSERT_TRUE(Review(kAuditor, *list,
                     {{z.id(), consular::v1::REVIEW_DECISION_APPROVE},
                      {k.id(), consular::v1::REVIEW_DECISION_APPROVE}})
                  .ok());

  // The stored responses name their case as the services recorded them (migration 0022).
  const std::string zq = absl::StrCat("'", z.id(), "'");

  // What must be gone afterwards: the exact bytes, as hex, and the name in clear.
  std::vector<std::string> secrets;
  for (const std::string& sql : std::vector<std::string>{
           "SELECT encode(personal, 'hex') FROM cases.cases WHERE id = " + zq,
           "SELECT encode(subject_name_bidx, 'hex') FROM cases.cases WHERE id = " + zq,
           "SELECT encode(subject_name_birth_bidx, 'hex') FROM cases.cases WHERE id = " + zq,
           "SELECT encode(subject_sound_bidx, 'hex') FROM cases.cases WHERE id = " + zq,
           "SELECT encode(subject_sound_birth_bidx, 'hex') FROM cases.cases WHERE id = " + zq,
           "SELECT encode(body, 'hex') FROM cases.case_notes WHERE case_id = " + zq,
           "SELECT encode(reason, 'hex') FROM cases.case_events WHERE case_id = " + zq,
           "SELECT encode(changes, 'hex') FROM cases.case_events WHERE case_id = " + zq,
           "SELECT encode(ad_hoc, 'hex') FROM contacts.contacts WHERE case_id = " + zq,
           "SELECT encode(note, 'hex') FROM contacts.contacts WHERE case_id = " + zq,
           "SELECT encode(response, 'hex') FROM cases.idempotency WHERE case_id = " + zq,
           "SELECT encode(response, 'hex') FROM contacts.idempotency WHERE case_id = " + zq,
           "SELECT encode(reason, 'hex') FROM cases.emergency_access WHERE case_id = " + zq,
           "SELECT encode(reason, 'hex') FROM cases.emergency_searches WHERE " + zq +
               " = ANY (found_case_ids)",
           "SELECT encode(request_note, 'hex') FROM cases.subject_access_requests WHERE case_id = " +
               zq,
       }) {
    const std::vector<std::string> values = Values(sql);
    EXPECT_FALSE(values.empty()) << "nothing to destroy in: " << sql;
    secrets.insert(secrets.end(), values.begin(), values.end());
  }
  const std::string kept_personal =
      Scalar("SELECT encode(personal, 'hex') FROM cases.cases WHERE id = '" + k.id() + "'");
  {
    const std::string dump = DumpData(*db_);
    for (const std::string& secret : secrets) EXPECT_TRUE(absl::StrContains(dump, secret));
  }

  absl::StatusOr<DestructionList> done = Process(*list);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(ResultOf(*done, z.id()), consular::v1::DESTRUCTION_RESULT_ANONYMISED);
  EXPECT_EQ(ResultOf(*done, k.id()), consular::v1::DESTRUCTION_RESULT_SKIPPED_EXCLUDED);

  // Nothing of her is left in the database; the case that stays is untouched.
  const std::string dump = DumpData(*db_);
  ASSERT_GT(dump.size(), 1000u);
  for (const std::string& secret : secrets) {
    EXPECT_FALSE(absl::StrContains(dump, secret)) << secret.substr(0, 80);
  }
  EXPECT_FALSE(absl::StrContains(dump, kName));
  EXPECT_FALSE(absl::StrContains(dump, "Khadija"));
  EXPECT_TRUE(absl::StrContains(dump, kept_personal));

  // The tombstone: reference, type, status, outcome, dates, categories; no person.
  const Case tomb = Get(kRabatManager, z.id());
  EXPECT_EQ(tomb.reference(), z.reference());
  EXPECT_EQ(tomb.status(), consular::v1::CASE_STATUS_CLOSED);
  EXPECT_EQ(tomb.outcome(), consular::v1::OUTCOME_CONTACT_LOST);
  EXPECT_EQ(tomb.country(), "MA");
  EXPECT_EQ(tomb.anonymised_under(), done->number());
  EXPECT_TRUE(tomb.has_closed_at());
  EXPECT_FALSE(tomb.has_subject());
  EXPECT_FALSE(tomb.has_safety());
  EXPECT_EQ(tomb.persons_size() + tomb.documents_size(), 0);
  EXPECT_FALSE(tomb.has_abandonment());
  consular::v1::ListCaseEventsRequest events_request;
  events_request.set_case_id(z.id());
  consular::v1::ListCaseEventsResponse events;
  ASSERT_TRUE(cases_->ListEvents(kRabatOfficer, events_request, Deadline(), &events).ok());
  ASSERT_GT(events.events_size(), 3);
  const consular::v1::CaseEvent& last = events.events(events.events_size() - 1);
  EXPECT_EQ(last.type(), consular::v1::CASE_EVENT_TYPE_ANONYMISED);
  EXPECT_EQ(last.destruction_list(), done->number());
  for (const consular::v1::CaseEvent& e : events.events()) EXPECT_TRUE(e.reason().empty());
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM cases.case_events WHERE case_id = " + zq + " AND facts IS NULL"),
      "0");
  consular::v1::ListContactsRequest contacts_request;
  contacts_request.set_case_id(z.id());
  consular::v1::ListContactsResponse contact_list;
  ASSERT_TRUE(
      contacts_->ListContacts(kRabatOfficer, contacts_request, Deadline(), &contact_list).ok());
  ASSERT_EQ(contact_list.contacts_size(), 1);
  EXPECT_EQ(contact_list.contacts(0).purpose(), consular::v1::CONTACT_PURPOSE_SHELTER);
  EXPECT_TRUE(contact_list.contacts(0).note().empty());
  consular::v1::ListEmergencyAccessRequest grants_request;
  consular::v1::ListEmergencyAccessResponse grants;
  ASSERT_TRUE(cases_->ListEmergencyAccess(kAuditor, grants_request, Deadline(), &grants).ok());
  ASSERT_EQ(grants.grants_size(), 1);
  EXPECT_TRUE(grants.grants(0).reason().empty());
  EXPECT_EQ(grants.grants(0).actor(), kTunisManager.subject);

  // Her name finds nothing any more, in any unit.
  consular::v1::SearchCasesRequest search;
  search.set_name(kName);
  consular::v1::SearchCasesResponse hits;
  ASSERT_TRUE(cases_->Search(kRabatOfficer, search, Deadline(), &hits).ok());
  EXPECT_EQ(hits.cases_size(), 0);
  consular::v1::FindPossibleDuplicatesRequest duplicates;
  duplicates.set_full_name(kName);
  *duplicates.mutable_date_of_birth() = MakeDate(1994, 3, 7);
  consular::v1::FindPossibleDuplicatesResponse possible;
  ASSERT_TRUE(cases_->FindPossibleDuplicates(kLkha, duplicates, Deadline(), &possible).ok());
  EXPECT_EQ(possible.duplicates_size(), 0);

  // Every statistic is as it was; the audit trail still verifies.
  EXPECT_EQ(Statistics(2), before);
  EXPECT_TRUE(ChainVerifies());
  EXPECT_EQ(Scalar("SELECT count(*) FROM audit.events WHERE action = "
                   "'RecordsService.ProcessDestructionList' AND case_id = " +
                   zq),
            "1");

  // The tombstone refuses every change, reopening first of all.
  const auto refused = [&](const absl::Status& status) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), "anonymised")) << status;
  };
  Case reopened = tomb;
  refused(Transition(kRabatManager, &reopened, consular::v1::CASE_STATUS_ACTIVE, "y-",
                     "She called again"));
  consular::v1::UpdateCaseRequest update;
  update.set_request_id(NextId());
  update.mutable_case_()->set_id(z.id());
  update.mutable_case_()->set_country("TN");
  update.mutable_update_mask()->add_paths("country");
  update.set_expected_version(tomb.version());
  Case ignored;
  refused(cases_->Update(kRabatOfficer, update, Deadline(), &ignored));
  consular::v1::AddCaseNoteRequest note;
  note.set_request_id(NextId());
  note.set_case_id(z.id());
  note.set_text("Anything");
  consular::v1::CaseNote no_note;
  refused(cases_->AddNote(kRabatManager, note, Deadline(), &no_note));
  consular::v1::ShareCaseRequest share;
  share.set_request_id(NextId());
  share.set_case_id(z.id());
  share.set_grantee("LKHA");
  share.set_access(consular::v1::SHARE_ACCESS_READ);
  share.set_legal_basis("Follow-up");
  consular::v1::CaseShare no_share;
  refused(cases_->Share(kRabatManager, share, Deadline(), &no_share));
  consular::v1::AssignCaseRequest assign;
  assign.set_request_id(NextId());
  assign.set_case_id(z.id());
  assign.set_assignee("officer-rabat");
  assign.set_expected_version(tomb.version());
  refused(cases_->AssignCase(kRabatManager, assign, Deadline(), &ignored));
  consular::v1::LogContactRequest contact;
  contact.set_request_id(NextId());
  contact.mutable_contact()->set_case_id(z.id());
  contact.mutable_contact()->mutable_ad_hoc()->set_name("Someone");
  *contact.mutable_contact()->mutable_occurred_at() = ToTimestamp(clock_.Now());
  contact.mutable_contact()->set_channel(consular::v1::CONTACT_CHANNEL_PHONE);
  contact.mutable_contact()->set_direction(consular::v1::CONTACT_DIRECTION_INCOMING);
  contact.mutable_contact()->set_purpose(consular::v1::CONTACT_PURPOSE_OTHER);
  contact.mutable_contact()->set_outcome(consular::v1::CONTACT_OUTCOME_INFORMATION_RECEIVED);
  consular::v1::Contact no_contact;
  refused(contacts_->LogContact(kRabatOfficer, contact, Deadline(), &no_contact));
  // A hold on it would hold nothing.
  EXPECT_EQ(Hold(kAdmin, z.id()).status().code(), absl::StatusCode::kFailedPrecondition);
  // Nothing of her is left to give her: a new subject-access request is refused, and the one
  // made before (its note destroyed), even approved, yields no export.
  consular::v1::RequestSubjectAccessRequest sar;
  sar.set_request_id(NextId());
  sar.set_case_id(z.id());
  sar.set_language("en");
  sar.set_note("Second letter");
  consular::v1::SubjectAccessRequest no_request;
  refused(exports_->RequestSubjectAccess(kRabatOfficer, sar, Deadline(), &no_request));
  consular::v1::ListSubjectAccessRequestsRequest list_sar;
  list_sar.set_case_id(z.id());
  consular::v1::ListSubjectAccessRequestsResponse earlier;
  ASSERT_TRUE(exports_->ListSubjectAccessRequests(kRabatManager, list_sar, Deadline(), &earlier).ok());
  ASSERT_EQ(earlier.requests_size(), 1);
  EXPECT_EQ(earlier.requests(0).note(), "");
  consular::v1::AnswerSubjectAccessRequest approve;
  approve.set_request_id(NextId());
  approve.set_subject_access_id(earlier.requests(0).id());
  approve.set_decision(consular::v1::EXPORT_DECISION_APPROVE);
  consular::v1::SubjectAccessRequest approved;
  const absl::Status answered = exports_->AnswerSubjectAccess(kRabatManager, approve, Deadline(), &approved);
  ASSERT_TRUE(answered.ok()) << answered;
  consular::v1::GetSubjectAccessExportRequest get;
  get.set_subject_access_id(earlier.requests(0).id());
  consular::v1::SubjectAccessFiles files;
  refused(exports_->GetSubjectAccessExport(kRabatOfficer, get, Deadline(), &files));
  // The database refuses it too, whatever the service does.
  EXPECT_THROW(Scalar("UPDATE cases.cases SET status = 'CASE_STATUS_ACTIVE' WHERE id = " + zq),
               std::exception);
}

}  // namespace
}  // namespace consular::cases::testing

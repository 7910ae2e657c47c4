// consular-stats' gRPC face over real gRPC (in-process server on port 0) with PostgreSQL behind
// it, the case and contact services alongside: who reaches what, the talk register's frozen
// figures, dossiers, and requests refused by field.
#include "services/stats/stats_service.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "tests/stats/stats_server_fixture.h"

namespace consular::stats {
namespace {

namespace v1 = consular::v1;

class StatsServiceTest : public testing::StatsServerTest {
 protected:
  v1::Period ThisYear() {
    v1::Period p;
    p.set_year(static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year()));
    return p;
  }

  v1::CountryStatistics Figures(const std::string& country, int release) {
    v1::GetCountryStatisticsRequest get;
    get.set_country(country);
    *get.mutable_period() = ThisYear();
    get.set_release(release);
    v1::CountryStatistics out;
    const grpc::Status status = stats_stub_->GetCountryStatistics(
        Context(Token(v1::ROLE_POLICY_STAFF, "")).get(), get, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::RecordTalkRequest TalkRequest(const std::string& request_id) {
    v1::RecordTalkRequest request;
    request.set_request_id(request_id);
    v1::Talk* t = request.mutable_talk();
    t->set_country("MA");
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
    t->mutable_held_on()->set_year(static_cast<int>(today.year()));
    t->mutable_held_on()->set_month(today.month());
    t->mutable_held_on()->set_day(today.day());
    t->set_level(v1::TALK_LEVEL_AMBASSADOR);
    t->add_topics(v1::TALK_TOPIC_ABANDONMENT);
    t->add_topics(v1::TALK_TOPIC_DIVORCE_RECOGNITION);
    t->set_summary("Raised abandonment of dual nationals with the ministry of justice.");
    t->set_outcome("Agreed to a working group.");
    return request;
  }

};

TEST_F(StatsServiceTest, PolicyStaffReachStatisticsOnly) {
  OpenCases(1, "MA");
  const std::string policy = Token(v1::ROLE_POLICY_STAFF, "");
  const std::string some_id = "00000000-0000-4000-8000-000000000001";
  std::vector<std::pair<std::string, std::function<grpc::Status(grpc::ClientContext*)>>> calls;
  const auto add = [&](const std::string& name, auto call) { calls.emplace_back(name, call); };
  // Every CaseService RPC, with requests that would be valid for a caller who may make them.
  add("CreateCase", [&](grpc::ClientContext* ctx) {
    v1::CreateCaseRequest r;
    r.set_request_id("p1");
    r.mutable_case_()->set_type(v1::CASE_TYPE_ABANDONMENT);
    r.mutable_case_()->set_country("MA");
    r.mutable_case_()->mutable_subject()->set_full_name("X");
    r.mutable_case_()->mutable_subject()->set_sex(v1::SEX_FEMALE);
    r.mutable_case_()->mutable_subject()->set_nationality_status(v1::NATIONALITY_STATUS_DUAL);
    r.mutable_case_()->set_referral_source(v1::REFERRAL_SOURCE_SELF);
    v1::Case out;
    return case_stub_->CreateCase(ctx, r, &out);
  });
  add("GetCase", [&](grpc::ClientContext* ctx) {
    v1::GetCaseRequest r;
    r.set_case_id(some_id);
    v1::Case out;
    return case_stub_->GetCase(ctx, r, &out);
  });
  add("ListCases", [&](grpc::ClientContext* ctx) {
    v1::ListCasesResponse out;
    return case_stub_->ListCases(ctx, v1::ListCasesRequest(), &out);
  });
  add("UpdateCase", [&](grpc::ClientContext* ctx) {
    v1::UpdateCaseRequest r;
    r.set_request_id("p2");
    r.mutable_case_()->set_id(some_id);
    r.mutable_case_()->set_country("TN");
    r.mutable_update_mask()->add_paths("country");
    r.set_expected_version(1);
    v1::Case out;
    return case_stub_->UpdateCase(ctx, r, &out);
  });
  add("TransitionCase", [&](grpc::ClientContext* ctx) {
    v1::TransitionCaseRequest r;
    r.set_request_id("p3");
    r.set_case_id(some_id);
    r.set_target_status(v1::CASE_STATUS_ACTIVE);
    r.set_reason("x");
    r.set_expected_version(1);
    v1::Case out;
    return case_stub_->TransitionCase(ctx, r, &out);
  });
  add("AddCaseNote", [&](grpc::ClientContext* ctx) {
    v1::AddCaseNoteRequest r;
    r.set_request_id("p4");
    r.set_case_id(some_id);
    r.set_text("x");
    v1::CaseNote out;
    return case_stub_->AddCaseNote(ctx, r, &out);
  });
  add("ListCaseNotes", [&](grpc::ClientContext* ctx) {
    v1::ListCaseNotesRequest r;
    r.set_case_id(some_id);
    v1::ListCaseNotesResponse out;
    return case_stub_->ListCaseNotes(ctx, r, &out);
  });
  add("ListCaseEvents", [&](grpc::ClientContext* ctx) {
    v1::ListCaseEventsRequest r;
    r.set_case_id(some_id);
    v1::ListCaseEventsResponse out;
    return case_stub_->ListCaseEvents(ctx, r, &out);
  });
  add("SearchCases", [&](grpc::ClientContext* ctx) {
    v1::SearchCasesRequest r;
    r.set_name("Person 1");
    v1::SearchCasesResponse out;
    return case_stub_->SearchCases(ctx, r, &out);
  });
  add("ShareCase", [&](grpc::ClientContext* ctx) {
    v1::ShareCaseRequest r;
    r.set_request_id("p5");
    r.set_case_id(some_id);
    r.set_grantee("LKHA");
    r.set_access(v1::SHARE_ACCESS_READ);
    r.set_legal_basis("x");
    v1::CaseShare out;
    return case_stub_->ShareCase(ctx, r, &out);
  });
  add("RevokeShare", [&](grpc::ClientContext* ctx) {
    v1::RevokeShareRequest r;
    r.set_request_id("p6");
    r.set_share_id(some_id);
    v1::CaseShare out;
    return case_stub_->RevokeShare(ctx, r, &out);
  });
  add("ListShares", [&](grpc::ClientContext* ctx) {
    v1::ListSharesRequest r;
    r.set_case_id(some_id);
    v1::ListSharesResponse out;
    return case_stub_->ListShares(ctx, r, &out);
  });
  add("ReferCase", [&](grpc::ClientContext* ctx) {
    v1::ReferCaseRequest r;
    r.set_request_id("p7");
    r.set_case_id(some_id);
    r.set_to_post("TUNIS");
    r.set_legal_basis("x");
    r.set_expected_version(1);
    v1::Case out;
    return case_stub_->ReferCase(ctx, r, &out);
  });
  add("OpenEmergencyAccess", [&](grpc::ClientContext* ctx) {
    v1::OpenEmergencyAccessRequest r;
    r.set_request_id("p8");
    r.set_case_id(some_id);
    r.set_reason("an emergency of some kind");
    v1::EmergencyAccess out;
    return case_stub_->OpenEmergencyAccess(ctx, r, &out);
  });
  add("ListEmergencyAccess", [&](grpc::ClientContext* ctx) {
    v1::ListEmergencyAccessResponse out;
    return case_stub_->ListEmergencyAccess(ctx, v1::ListEmergencyAccessRequest(), &out);
  });
  add("ReviewEmergencyAccess", [&](grpc::ClientContext* ctx) {
    v1::ReviewEmergencyAccessRequest r;
    r.set_request_id("p9");
    r.set_emergency_access_id(some_id);
    r.set_review(v1::EMERGENCY_REVIEW_JUSTIFIED);
    v1::EmergencyAccess out;
    return case_stub_->ReviewEmergencyAccess(ctx, r, &out);
  });
  // Every ContactService RPC.
  add("LogContact", [&](grpc::ClientContext* ctx) {
    v1::LogContactRequest r;
    r.set_request_id("p10");
    r.mutable_contact()->set_case_id(some_id);
    r.mutable_contact()->mutable_ad_hoc()->set_name("x");
    *r.mutable_contact()->mutable_occurred_at() =
        google::protobuf::util::TimeUtil::GetCurrentTime();
    r.mutable_contact()->set_channel(v1::CONTACT_CHANNEL_PHONE);
    r.mutable_contact()->set_direction(v1::CONTACT_DIRECTION_OUTGOING);
    r.mutable_contact()->set_purpose(v1::CONTACT_PURPOSE_SHELTER);
    r.mutable_contact()->set_outcome(v1::CONTACT_OUTCOME_HELP_AGREED);
    v1::Contact out;
    return contact_stub_->LogContact(ctx, r, &out);
  });
  add("UpdateContact", [&](grpc::ClientContext* ctx) {
    v1::UpdateContactRequest r;
    r.set_request_id("p11");
    r.mutable_contact()->set_id(some_id);
    r.mutable_contact()->set_purpose(v1::CONTACT_PURPOSE_SHELTER);
    r.mutable_update_mask()->add_paths("purpose");
    r.set_expected_version(1);
    v1::Contact out;
    return contact_stub_->UpdateContact(ctx, r, &out);
  });
  add("ListContacts", [&](grpc::ClientContext* ctx) {
    v1::ListContactsRequest r;
    r.set_case_id(some_id);
    v1::ListContactsResponse out;
    return contact_stub_->ListContacts(ctx, r, &out);
  });
  add("ListFollowUpsDue", [&](grpc::ClientContext* ctx) {
    v1::ListFollowUpsDueResponse out;
    return contact_stub_->ListFollowUpsDue(ctx, v1::ListFollowUpsDueRequest(), &out);
  });
  add("CompleteFollowUp", [&](grpc::ClientContext* ctx) {
    v1::CompleteFollowUpRequest r;
    r.set_request_id("p12");
    r.set_contact_id(some_id);
    r.set_expected_version(1);
    v1::Contact out;
    return contact_stub_->CompleteFollowUp(ctx, r, &out);
  });
  ASSERT_EQ(calls.size(), 21u);  // 16 CaseService + 5 ContactService RPCs
  for (const auto& [name, call] : calls) {
    EXPECT_EQ(call(Context(policy).get()).error_code(), grpc::PERMISSION_DENIED) << name;
  }

  // Statistics: policy staff and administrators; every other role is refused.
  CatchUp();
  v1::GetCountryStatisticsRequest get;
  get.set_country("MA");
  *get.mutable_period() = ThisYear();
  v1::CountryStatistics stats;
  EXPECT_TRUE(stats_stub_->GetCountryStatistics(Context(policy).get(), get, &stats).ok());
  EXPECT_TRUE(stats.cases_opened().suppressed());  // one case: never shown
  EXPECT_TRUE(
      stats_stub_
          ->GetCountryStatistics(Context(Token(v1::ROLE_ADMINISTRATOR, "")).get(), get, &stats)
          .ok());
  for (const auto& [role, post] :
       std::vector<std::pair<v1::Role, std::string>>{{v1::ROLE_CONSULAR_OFFICER, "RABAT"},
                                                     {v1::ROLE_POST_MANAGER, "RABAT"},
                                                     {v1::ROLE_LKHA_CASEWORKER, ""},
                                                     {v1::ROLE_AUDITOR, ""}}) {
    const std::string token = Token(role, post);
    EXPECT_EQ(stats_stub_->GetCountryStatistics(Context(token).get(), get, &stats).error_code(),
              grpc::PERMISSION_DENIED)
        << v1::Role_Name(role);
    v1::Talk talk;
    EXPECT_EQ(
        talk_stub_->RecordTalk(Context(token).get(), TalkRequest("t-" + post), &talk).error_code(),
        grpc::PERMISSION_DENIED)
        << v1::Role_Name(role);
    v1::RenderCountryDossierRequest render;
    render.set_country("MA");
    *render.mutable_period() = ThisYear();
    render.set_format(v1::DOSSIER_FORMAT_HTML);
    v1::Dossier dossier;
    EXPECT_EQ(
        report_stub_->RenderCountryDossier(Context(token).get(), render, &dossier).error_code(),
        grpc::PERMISSION_DENIED)
        << v1::Role_Name(role);
  }
  EXPECT_EQ(stats_stub_->GetCountryStatistics(Context("").get(), get, &stats).error_code(),
            grpc::UNAUTHENTICATED);
}

TEST_F(StatsServiceTest, ATalkKeepsTheFiguresOfItsDay) {
  OpenCases(7, "MA");
  CatchUp();
  const std::string policy = Token(v1::ROLE_POLICY_STAFF, "");
  v1::Talk recorded;
  const grpc::Status status =
      talk_stub_->RecordTalk(Context(policy).get(), TalkRequest("talk-1"), &recorded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(recorded.statistics().cases_opened().value(), 7);
  EXPECT_FALSE(recorded.statistics().cases_opened().suppressed());
  EXPECT_EQ(recorded.statistics_period().year(), ThisYear().year());
  EXPECT_EQ(recorded.recorded_by(), "user-ROLE_POLICY_STAFF-");

  // A retry returns the same talk and records nothing new.
  v1::Talk again;
  ASSERT_TRUE(talk_stub_->RecordTalk(Context(policy).get(), TalkRequest("talk-1"), &again).ok());
  EXPECT_EQ(again.id(), recorded.id());

  // More cases later: the figures move on, the talk's stay as they were shown.
  OpenCases(5, "MA");
  CatchUp();
  v1::GetCountryStatisticsRequest get;
  get.set_country("MA");
  *get.mutable_period() = ThisYear();
  v1::CountryStatistics now;
  ASSERT_TRUE(stats_stub_->GetCountryStatistics(Context(policy).get(), get, &now).ok());
  EXPECT_EQ(now.cases_opened().value(), 12);
  v1::GetTalkRequest get_talk;
  get_talk.set_id(recorded.id());
  v1::Talk read;
  ASSERT_TRUE(talk_stub_->GetTalk(Context(policy).get(), get_talk, &read).ok());
  EXPECT_EQ(read.statistics().cases_opened().value(), 7);
  EXPECT_EQ(read.statistics().SerializeAsString(), recorded.statistics().SerializeAsString());

  v1::ListTalksRequest list;
  list.set_country("MA");
  v1::ListTalksResponse listed;
  ASSERT_TRUE(talk_stub_->ListTalks(Context(policy).get(), list, &listed).ok());
  ASSERT_EQ(listed.talks_size(), 1);
  EXPECT_EQ(listed.talks(0).id(), recorded.id());
  EXPECT_FALSE(listed.talks(0).has_statistics());
  // The database refuses to change a talk.
  EXPECT_THROW(db_->QueryScalar("UPDATE stats.talks SET summary = 'x'"), std::exception);
}

TEST_F(StatsServiceTest, BadRequestsAreRefusedByField) {
  const std::string policy = Token(v1::ROLE_POLICY_STAFF, "");
  const auto talk_error = [&](const std::function<void(v1::Talk*)>& spoil) {
    v1::RecordTalkRequest request = TalkRequest("bad");
    spoil(request.mutable_talk());
    v1::Talk out;
    const grpc::Status status = talk_stub_->RecordTalk(Context(policy).get(), request, &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
    return status.error_message();
  };
  EXPECT_EQ(talk_error([](v1::Talk* t) { t->set_country("XX"); }).rfind("talk.country", 0), 0u);
  EXPECT_EQ(talk_error([](v1::Talk* t) {
              t->mutable_held_on()->set_year(2999);
            }).rfind("talk.held_on", 0),
            0u);
  EXPECT_EQ(talk_error([](v1::Talk* t) { t->clear_level(); }).rfind("talk.level", 0), 0u);
  EXPECT_EQ(talk_error([](v1::Talk* t) {
              t->add_topics(v1::TALK_TOPIC_ABANDONMENT);
            }).rfind("talk.topics[2]", 0),
            0u);
  EXPECT_EQ(talk_error([](v1::Talk* t) { t->set_summary(" "); }).rfind("talk.summary", 0), 0u);
  EXPECT_EQ(talk_error([](v1::Talk* t) {
              t->mutable_statistics_period()->set_year(1990);
            }).rfind("talk.statistics_period", 0),
            0u);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM stats.talks"), "0");

  v1::GetCountryStatisticsRequest get;
  get.set_country("MA");
  get.mutable_period()->mutable_range()->mutable_from()->set_year(2025);
  get.mutable_period()->mutable_range()->mutable_from()->set_month(2);
  get.mutable_period()->mutable_range()->mutable_from()->set_day(1);
  v1::CountryStatistics stats;
  grpc::Status status = stats_stub_->GetCountryStatistics(Context(policy).get(), get, &stats);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("period.range.from", 0), 0u) << status.error_message();
  get.set_country("Morocco");
  status = stats_stub_->GetCountryStatistics(Context(policy).get(), get, &stats);
  EXPECT_EQ(status.error_message().rfind("country", 0), 0u) << status.error_message();
}

TEST_F(StatsServiceTest, CountriesSeriesAndDossiers) {
  OpenCases(8, "MA");
  OpenCases(6, "TN");
  OpenCases(2, "TR");
  CatchUp();
  const std::string policy = Token(v1::ROLE_POLICY_STAFF, "");
  v1::ListCountriesRequest list;
  *list.mutable_period() = ThisYear();
  v1::ListCountriesResponse countries;
  ASSERT_TRUE(stats_stub_->ListCountries(Context(policy).get(), list, &countries).ok());
  ASSERT_EQ(countries.countries_size(), 3);
  EXPECT_EQ(countries.countries(0).country(), "MA");
  EXPECT_EQ(countries.countries(0).cases_opened().value(), 8);
  EXPECT_EQ(countries.countries(1).country(), "TN");
  EXPECT_EQ(countries.countries(2).country(), "TR");
  EXPECT_TRUE(countries.countries(2).cases_opened().suppressed());
  EXPECT_EQ(countries.threshold(), 5);
  EXPECT_TRUE(countries.has_as_of());

  v1::GetTimeSeriesRequest series_request;
  series_request.set_country("MA");
  series_request.set_measure(v1::MEASURE_CASES_OPENED);
  series_request.set_interval(v1::INTERVAL_YEAR);
  series_request.set_from_year(ThisYear().year() - 1);
  series_request.set_to_year(ThisYear().year());
  v1::TimeSeries series;
  ASSERT_TRUE(stats_stub_->GetTimeSeries(Context(policy).get(), series_request, &series).ok());
  ASSERT_EQ(series.points_size(), 2);
  EXPECT_EQ(series.points(0).figure().value(), 0);
  EXPECT_EQ(series.points(1).figure().value(), 8);

  for (const auto& [format, type] : std::vector<std::pair<v1::DossierFormat, std::string>>{
           {v1::DOSSIER_FORMAT_HTML, "text/html; charset=utf-8"},
           {v1::DOSSIER_FORMAT_CSV, "text/csv; charset=utf-8"},
           {v1::DOSSIER_FORMAT_JSON, "application/json"}}) {
    v1::RenderCountryDossierRequest render;
    render.set_country("MA");
    *render.mutable_period() = ThisYear();
    render.set_format(format);
    v1::Dossier dossier;
    ASSERT_TRUE(report_stub_->RenderCountryDossier(Context(policy).get(), render, &dossier).ok());
    EXPECT_EQ(dossier.content_type(), type);
    EXPECT_EQ(dossier.filename().rfind("dossier-MA-", 0), 0u);
    EXPECT_GT(dossier.content().size(), 200u);
    if (format == v1::DOSSIER_FORMAT_JSON) {
      v1::CountryDossier parsed;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(dossier.content(), &parsed).ok());
      EXPECT_EQ(parsed.statistics().cases_opened().value(), 8);
      EXPECT_EQ(parsed.history_size(), 10);
      EXPECT_EQ(parsed.history(9).abandonment().value(), 8);
    }
  }
}

TEST_F(StatsServiceTest, ReadersSeeNumberedReleasesNeverTheLiveFigures) {
  // Before any release: nothing to read, and the error says how to get one.
  v1::GetCountryStatisticsRequest get;
  get.set_country("MA");
  *get.mutable_period() = ThisYear();
  v1::CountryStatistics none;
  const std::string policy = Token(v1::ROLE_POLICY_STAFF, "");
  grpc::Status status = stats_stub_->GetCountryStatistics(Context(policy).get(), get, &none);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  OpenCases(7, "MA");
  CatchUp();  // release 1
  const v1::CountryStatistics first = Figures("MA", 0);
  EXPECT_EQ(first.release(), 1);
  EXPECT_EQ(first.definition_version(), "2");
  EXPECT_EQ(first.cases_opened().value(), 7);

  // New cases reach readers only with the next release.
  OpenCases(5, "MA");
  for (int i = 0; i < 100 && updater_->CatchUp().value_or(0) >= 0; ++i) {
    const absl::StatusOr<Freshness> fresh = updater_->CurrentFreshness();
    if (fresh.ok() && fresh->pending == 0) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(Figures("MA", 0).cases_opened().value(), 7);
  CatchUp();  // release 2
  const v1::CountryStatistics second = Figures("MA", 0);
  EXPECT_EQ(second.release(), 2);
  EXPECT_EQ(second.cases_opened().value(), 12);
  // An earlier release stays as it was.
  EXPECT_EQ(Figures("MA", 1).cases_opened().value(), 7);
  // Byte for byte, but for how long ago its cut-off was.
  v1::CountryStatistics again = Figures("MA", 1), before = first;
  again.clear_lag();
  before.clear_lag();
  EXPECT_EQ(again.SerializeAsString(), before.SerializeAsString());

  get.set_release(99);
  status = stats_stub_->GetCountryStatistics(Context(policy).get(), get, &none);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_release(-1);
  status = stats_stub_->GetCountryStatistics(Context(policy).get(), get, &none);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("release:", 0), 0u) << status.error_message();

  // Listed newest first with their definitions; only administrators make them.
  v1::ListReleasesResponse releases;
  ASSERT_TRUE(
      stats_stub_->ListReleases(Context(policy).get(), v1::ListReleasesRequest(), &releases).ok());
  ASSERT_EQ(releases.releases_size(), 2);
  EXPECT_EQ(releases.releases(0).number(), 2);
  EXPECT_EQ(releases.releases(0).kind(), v1::RELEASE_KIND_ON_DEMAND);
  EXPECT_EQ(releases.releases(0).definition_version(), "2");
  EXPECT_EQ(releases.releases(0).made_by(), "user-ROLE_ADMINISTRATOR-");
  v1::CreateReleaseRequest create;
  create.set_request_id("by-policy");
  v1::Release made;
  status = stats_stub_->CreateRelease(Context(policy).get(), create, &made);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The database refuses to change a release.
  EXPECT_THROW(db_->QueryScalar("UPDATE stats.release_years SET figures = '{}'"), std::exception);
  EXPECT_THROW(db_->QueryScalar("DELETE FROM stats.releases"), std::exception);
}

TEST_F(StatsServiceTest, FiveContactsOfOneCaseCountOnePerson) {
  std::vector<std::string> ids;
  OpenCases(6, "MA", &ids);
  for (int i = 0; i < 5; ++i) LogContact(ids[0], "contact-" + std::to_string(i));
  CatchUp();
  const v1::CountryStatistics s = Figures("MA", 0);
  // Five contacts, one person: never published as 5 (or at all).
  EXPECT_TRUE(s.contacts().suppressed());
  for (const v1::Breakdown& b : s.breakdowns()) {
    if (b.measure() != v1::MEASURE_CONTACTS) continue;
    for (const v1::Cell& c : b.cells()) {
      EXPECT_TRUE(c.figure().suppressed() || c.figure().value() == 0)
          << v1::Dimension_Name(b.dimension()) << " " << c.category() << " "
          << c.figure().value();
    }
  }
  // Five more cases with one contact each: six people, published.
  for (int i = 1; i < 6; ++i) LogContact(ids[i], "more-" + std::to_string(i));
  CatchUp();
  EXPECT_EQ(Figures("MA", 0).contacts().value(), 6);
}

TEST_F(StatsServiceTest, ATalkShowsTheReleaseInForceOnTheDayItWasHeld) {
  OpenCases(7, "MA");
  CatchUp();  // release 1: 7 cases
  OpenCases(5, "MA");
  CatchUp();  // release 2: 12 cases
  // The same figures released earlier: release 3 three days ago (as 1), release 4 yesterday (as
  // 2).
  for (const auto& [number, from, days] : {std::tuple<int, int, int>{3, 1, 3}, {4, 2, 1}}) {
    const std::string n = std::to_string(number), f = std::to_string(from);
    db_->QueryScalar("INSERT INTO stats.releases SELECT " + n +
                     ", kind, month, cut_off, definition_version, threshold, now() - interval '" +
                     std::to_string(days) +
                     " days', made_by, countries, cells, cells_suppressed, people, "
                     "people_suppressed, build_millis FROM stats.releases WHERE number = " + f);
    db_->QueryScalar("INSERT INTO stats.release_countries SELECT " + n +
                     ", country, first_year, last_year, from_the_start, fully_protected FROM "
                     "stats.release_countries WHERE release = " + f);
    db_->QueryScalar("INSERT INTO stats.release_years SELECT " + n +
                     ", country, year, figures FROM stats.release_years WHERE release = " + f);
  }
  const auto record = [&](int days_ago, const std::string& request_id) {
    v1::RecordTalkRequest request = TalkRequest(request_id);
    const absl::CivilDay day =
        absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) - days_ago;
    request.mutable_talk()->mutable_held_on()->set_year(static_cast<int>(day.year()));
    request.mutable_talk()->mutable_held_on()->set_month(day.month());
    request.mutable_talk()->mutable_held_on()->set_day(day.day());
    request.mutable_talk()->mutable_statistics_period()->set_year(ThisYear().year());
    v1::Talk talk;
    const grpc::Status status = talk_stub_->RecordTalk(
        Context(Token(v1::ROLE_POLICY_STAFF, "")).get(), request, &talk);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return talk;
  };
  // Held two days ago, entered today: the release in force then was 3, not 4 or 2.
  const v1::Talk two_days_ago = record(2, "held-2");
  EXPECT_EQ(two_days_ago.statistics().release(), 3);
  EXPECT_EQ(two_days_ago.statistics().cases_opened().value(), 7);
  EXPECT_EQ(two_days_ago.statistics().definition_version(), "2");
  const v1::Talk yesterday = record(1, "held-1");
  EXPECT_EQ(yesterday.statistics().release(), 4);
  EXPECT_EQ(yesterday.statistics().cases_opened().value(), 12);
  // Before any release: the talk says so, with no figures.
  const v1::Talk long_ago = record(30, "held-30");
  EXPECT_EQ(long_ago.statistics().release(), 0);
  EXPECT_FALSE(long_ago.statistics().has_cases_opened());
  v1::GetTalkRequest get;
  get.set_id(two_days_ago.id());
  v1::Talk read;
  ASSERT_TRUE(talk_stub_->GetTalk(Context(Token(v1::ROLE_POLICY_STAFF, "")).get(), get, &read).ok());
  EXPECT_EQ(read.statistics().release(), 3);
  EXPECT_EQ(read.statistics().cases_opened().value(), 7);
}

TEST_F(StatsServiceTest, ADossierSpeaksTheLanguageAskedFor) {
  OpenCases(5, "MA");
  CatchUp();
  const std::string policy = Token(v1::ROLE_POLICY_STAFF, "");
  v1::RenderCountryDossierRequest render;
  render.set_country("MA");
  *render.mutable_period() = ThisYear();
  render.set_format(v1::DOSSIER_FORMAT_HTML);
  v1::Dossier english, dutch;
  ASSERT_TRUE(report_stub_->RenderCountryDossier(Context(policy).get(), render, &english).ok());
  EXPECT_NE(english.content().find("<html lang=\"en\">"), std::string::npos);
  render.set_language("nl");
  ASSERT_TRUE(report_stub_->RenderCountryDossier(Context(policy).get(), render, &dutch).ok());
  EXPECT_NE(dutch.content().find("<html lang=\"nl\">"), std::string::npos);
  EXPECT_NE(dutch.content().find("Kerncijfers"), std::string::npos);
  EXPECT_EQ(dutch.filename(), "dossier-MA-" + std::to_string(ThisYear().year()) + "-nl.html");
  render.set_language("de");
  const grpc::Status status =
      report_stub_->RenderCountryDossier(Context(policy).get(), render, &dutch);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("language:", 0), 0u) << status.error_message();
}

}  // namespace
}  // namespace consular::stats

// The rollups of consular-stats against a real PostgreSQL database: cases and contacts written
// through the real use cases, the rollups kept up to date from the event stream as the service's
// role, compared with hand-computed counts and with the recount over the base tables.
#include "services/stats/rollups.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/stats/country_counts.h"
#include "storage/migrations.h"
#include "tests/stats/stats_fixture.h"

namespace consular::stats {
namespace {

using consular::v1::Case;
using testing::At;
using testing::CaseSpec;
using testing::CaseWriter;
using testing::MakeDate;
using testing::Step;

// The contact-presence table as it stands, one line per row.
std::string PresenceTableOf(const consular::testing::TestDatabase& db) {
  return db.QueryScalar(
      "SELECT COALESCE(string_agg(concat_ws(' ', case_id, country, year, month, dimension, "
      "category, n), E'\\n' ORDER BY case_id, country, year, month, dimension, category), '') "
      "FROM stats.contact_presence");
}

class RollupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    writer_ = std::make_unique<CaseWriter>(*db_);
    updater_ = std::make_unique<RollupUpdater>(writer_->runner(), /*batch_size=*/7);
  }

  // Every rollup row with a count, as "country year-month measure dimension category = n".
  std::vector<std::string> Rollups() {
    std::vector<std::string> rows;
    const absl::Status status = writer_->runner()->RunReadOnly(
        absl::Now() + absl::Seconds(30), [&](pqxx::transaction_base& tx) {
          for (const storage::RollupRow& r : storage::StatsStore(tx).AllRollups()) {
            rows.push_back(Line(r));
          }
          return absl::OkStatus();
        });
    EXPECT_TRUE(status.ok()) << status;
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  static std::string Line(const storage::RollupRow& r) {
    return absl::StrCat(r.country, " ", r.year, "-", r.month < 10 ? "0" : "", r.month, " ",
                        r.measure, " ", r.dimension, " ", r.category, " = ", r.n);
  }

  // Catches up until nothing is pending. The horizon is cluster-wide: a transaction of another
  // test's database may hold it back for a moment, so one catch-up may not yet reach our events.
  int64_t CatchUpFully() {
    int64_t applied = 0;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (true) {
      absl::StatusOr<int64_t> n = updater_->CatchUp();
      EXPECT_TRUE(n.ok()) << n.status();
      if (!n.ok()) return applied;
      applied += *n;
      absl::StatusOr<Freshness> fresh = updater_->CurrentFreshness();
      EXPECT_TRUE(fresh.ok()) << fresh.status();
      if (!fresh.ok() || fresh->pending == 0 || absl::Now() > give_up) return applied;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  // The distinct cases with contacts of `country` in years from..to, as "year slot dimension
  // category = n" (slot: M1..M12, Q1..Q4, Y), as the service reads them.
  std::vector<std::string> ContactCases(const std::string& country, int from, int to) {
    std::vector<std::string> rows;
    const absl::Status status = writer_->runner()->RunReadOnly(
        absl::Now() + absl::Seconds(30), [&](pqxx::transaction_base& tx) {
          for (const storage::ContactCasesRow& r :
               storage::StatsStore(tx).ContactCases(country, from, to)) {
            EXPECT_EQ(r.country, country);
            rows.push_back(CasesLine(r));
          }
          return absl::OkStatus();
        });
    EXPECT_TRUE(status.ok()) << status;
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // The same for every country, with the country first.
  std::vector<std::string> AllContactCases() {
    std::vector<std::string> rows;
    const absl::Status status = writer_->runner()->RunReadOnly(
        absl::Now() + absl::Seconds(30), [&](pqxx::transaction_base& tx) {
          for (const storage::ContactCasesRow& r : storage::StatsStore(tx).AllContactCases()) {
            rows.push_back(absl::StrCat(r.country, " ", CasesLine(r)));
          }
          return absl::OkStatus();
        });
    EXPECT_TRUE(status.ok()) << status;
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  static std::string CasesLine(const storage::ContactCasesRow& r) {
    const std::string slot = r.slot == storage::kYearSlot ? "Y"
                             : r.slot >= storage::kFirstQuarterSlot
                                 ? absl::StrCat("Q", r.slot - storage::kFirstQuarterSlot + 1)
                                 : absl::StrCat("M", r.slot + 1);
    return absl::StrCat(r.year, " ", slot, " ", r.dimension, " ", r.category, " = ", r.cases);
  }

  // A country's counts as the service loads them: rollups and cases with contacts.
  CountryCounts LoadCounts(const std::string& country, int from, int to) {
    CountryCounts counts;
    const absl::Status status = writer_->runner()->RunReadOnly(
        absl::Now() + absl::Seconds(30), [&](pqxx::transaction_base& tx) {
          storage::StatsStore store(tx);
          for (const storage::RollupRow& r : store.Rollups(country, from, to)) counts.Add(r);
          LoadContactCases(store, country, from, to, &counts);
          return absl::OkStatus();
        });
    EXPECT_TRUE(status.ok()) << status;
    return counts;
  }

  std::string PresenceTable() { return PresenceTableOf(*db_); }

  void ExpectVerified() {
    absl::StatusOr<std::vector<RollupDifference>> differences = updater_->Verify();
    ASSERT_TRUE(differences.ok()) << differences.status();
    for (const RollupDifference& d : *differences) {
      ADD_FAILURE() << "rollup " << Line(d.key) << ": " << d.rollup << ", recount " << d.recount;
    }
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  std::unique_ptr<CaseWriter> writer_;
  std::unique_ptr<RollupUpdater> updater_;
};

TEST_F(RollupsTest, EveryBreakdownMatchesTheHandComputedFixture) {
  CaseSpec a;  // a minor abandoned in Morocco with two children, returned after 41 days
  a.born = MakeDate(2010, 5, 1);
  a.flags = {consular::v1::RISK_FLAG_FORCED_MARRIAGE, consular::v1::RISK_FLAG_MINOR_INVOLVED};
  a.children = 2;
  a.funding = consular::v1::RETURN_FUNDING_FAMILY;  // her family paid for the return
  Case ca = writer_->Create(a, At(2025, 3, 10));
  ca = writer_->Transition(ca, consular::v1::CASE_STATUS_ACTIVE, At(2025, 3, 12));
  ca = writer_->Transition(ca, consular::v1::CASE_STATUS_RESOLVED, At(2025, 4, 20),
                           consular::v1::OUTCOME_RETURNED_TO_NL);

  CaseSpec b;  // a mother whose Dutch divorce Morocco refused to recognise
  b.type = consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION;
  b.born = MakeDate(1990, 1, 1);
  b.minor_children = true;
  b.nationality = consular::v1::NATIONALITY_STATUS_DUTCH_ONLY;
  b.referral = consular::v1::REFERRAL_SOURCE_FAMILY;
  b.flags = {consular::v1::RISK_FLAG_MARITAL_CAPTIVITY};
  b.decision = consular::v1::RECOGNITION_DECISION_REFUSED;
  b.obstacles = {consular::v1::RECOGNITION_OBSTACLE_COST,
                 consular::v1::RECOGNITION_OBSTACLE_SPOUSE_CONSENT_DEMANDED};
  // Filed in March, the hearing set for 20 April: still ahead when the case is opened.
  b.stages = {Step(consular::v1::PROCEEDINGS_STAGE_DOCUMENTS_GATHERED, 2025, 2, 1),
              Step(consular::v1::PROCEEDINGS_STAGE_FILED, 2025, 3, 1),
              Step(consular::v1::PROCEEDINGS_STAGE_HEARING, 2025, 4, 20)};
  Case cb = writer_->Create(b, At(2025, 3, 15));

  CaseSpec c;  // a young man in Tunisia whose divorce was recognised after 30 days
  c.type = consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION;
  c.country = "TN";
  c.sex = consular::v1::SEX_MALE;
  c.born = MakeDate(2005, 6, 1);
  c.minor_children = true;  // not a mother
  c.nationality = consular::v1::NATIONALITY_STATUS_RESIDENCE_PERMIT;
  c.referral = consular::v1::REFERRAL_SOURCE_LKHA;
  c.decision = consular::v1::RECOGNITION_DECISION_GRANTED;
  Case cc = writer_->Create(c, At(2025, 7, 1));
  cc = writer_->Transition(cc, consular::v1::CASE_STATUS_ACTIVE, At(2025, 7, 2));
  cc = writer_->Transition(cc, consular::v1::CASE_STATUS_RESOLVED, At(2025, 7, 31),
                           consular::v1::OUTCOME_RECOGNISED);

  writer_->LogContact(ca, consular::v1::CONTACT_PURPOSE_SHELTER, At(2025, 3, 11), At(2025, 3, 11));
  const std::string lawyer = CaseWriter::AddPartner(*db_, consular::v1::PARTNER_KIND_LAWYER, "MA");
  writer_->LogContact(cb, consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE, At(2025, 3, 20),
                      At(2025, 3, 21), lawyer);
  // 3 created, 1 update (the date of return), 4 transitions, 2 contacts.
  EXPECT_EQ(CatchUpFully(), 10);
  // Until the case changes after the hearing's day, it stands at FILED.
  EXPECT_EQ(db_->QueryScalar(
                "SELECT n FROM stats.rollup WHERE dimension = 'DIMENSION_RECOGNITION_STAGE' AND "
                "category = 'PROCEEDINGS_STAGE_FILED' AND country = 'MA'"),
            "1");
  Case court;
  court.mutable_divorce_recognition()->set_dutch_court("Rechtbank Den Haag");
  cb = writer_->Update(cb, court, {"divorce_recognition.dutch_court"}, At(2025, 5, 2));

  EXPECT_EQ(CatchUpFully(), 1);

  const std::string o = "MEASURE_CASES_OPENED";
  const std::string r = "MEASURE_CASES_RESOLVED";
  const std::string k = "MEASURE_CONTACTS";
  std::vector<std::string> expected = {
      "MA 2025-03 " + o + " TOTAL * = 2",
      "MA 2025-03 " + o + " DIMENSION_CASE_TYPE CASE_TYPE_ABANDONMENT = 1",
      "MA 2025-03 " + o + " DIMENSION_CASE_TYPE CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION = 1",
      "MA 2025-03 " + o + " DIMENSION_STATUS CASE_STATUS_RESOLVED = 1",
      "MA 2025-03 " + o + " DIMENSION_STATUS CASE_STATUS_INTAKE = 1",
      "MA 2025-03 " + o + " DIMENSION_AGE_GROUP AGE_GROUP_MINOR = 1",
      "MA 2025-03 " + o + " DIMENSION_AGE_GROUP AGE_GROUP_ADULT = 1",
      "MA 2025-03 " + o + " DIMENSION_MOTHER_WITH_MINOR_CHILDREN YES = 1",
      "MA 2025-03 " + o + " DIMENSION_MOTHER_WITH_MINOR_CHILDREN NO = 1",
      "MA 2025-03 " + o + " DIMENSION_SEX SEX_FEMALE = 2",
      "MA 2025-03 " + o + " DIMENSION_NATIONALITY_STATUS NATIONALITY_STATUS_DUAL = 1",
      "MA 2025-03 " + o + " DIMENSION_NATIONALITY_STATUS NATIONALITY_STATUS_DUTCH_ONLY = 1",
      "MA 2025-03 " + o + " DIMENSION_REFERRAL_SOURCE REFERRAL_SOURCE_SELF = 1",
      "MA 2025-03 " + o + " DIMENSION_REFERRAL_SOURCE REFERRAL_SOURCE_FAMILY = 1",
      "MA 2025-03 " + o + " DIMENSION_RISK_FLAG RISK_FLAG_FORCED_MARRIAGE = 1",
      "MA 2025-03 " + o + " DIMENSION_RISK_FLAG RISK_FLAG_MINOR_INVOLVED = 1",
      "MA 2025-03 " + o + " DIMENSION_RISK_FLAG RISK_FLAG_MARITAL_CAPTIVITY = 1",
      "MA 2025-03 " + o + " DIMENSION_RECOGNITION_DECISION RECOGNITION_DECISION_REFUSED = 1",
      "MA 2025-03 " + o + " DIMENSION_RECOGNITION_OBSTACLE RECOGNITION_OBSTACLE_COST = 1",
      "MA 2025-03 " + o +
          " DIMENSION_RECOGNITION_OBSTACLE RECOGNITION_OBSTACLE_SPOUSE_CONSENT_DEMANDED = 1",
      "MA 2025-03 " + o + " DIMENSION_RECOGNITION_STAGE PROCEEDINGS_STAGE_HEARING = 1",
      "MA 2025-03 " + o + " DIMENSION_CHILDREN CHILDREN_TWO = 1",
      "MA 2025-04 " + r + " DIMENSION_RETURN_FUNDING RETURN_FUNDING_FAMILY = 1",
      "MA 2025-04 " + r + " TOTAL * = 1",
      "MA 2025-04 " + r + " DIMENSION_CASE_TYPE CASE_TYPE_ABANDONMENT = 1",
      "MA 2025-04 " + r + " DIMENSION_OUTCOME OUTCOME_RETURNED_TO_NL = 1",
      "MA 2025-04 " + r + " DAYS 41 = 1",
      "MA 2025-03 " + k + " TOTAL * = 2",
      "MA 2025-03 " + k + " DIMENSION_PARTNER_KIND PARTNER_KIND_OTHER = 1",
      "MA 2025-03 " + k + " DIMENSION_PARTNER_KIND PARTNER_KIND_LAWYER = 1",
      "MA 2025-03 " + k + " DIMENSION_CONTACT_PURPOSE CONTACT_PURPOSE_SHELTER = 1",
      "MA 2025-03 " + k + " DIMENSION_CONTACT_PURPOSE CONTACT_PURPOSE_LEGAL_ADVICE = 1",
      "TN 2025-07 " + o + " TOTAL * = 1",
      "TN 2025-07 " + o + " DIMENSION_CASE_TYPE CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION = 1",
      "TN 2025-07 " + o + " DIMENSION_STATUS CASE_STATUS_RESOLVED = 1",
      "TN 2025-07 " + o + " DIMENSION_AGE_GROUP AGE_GROUP_YOUNG_ADULT = 1",
      "TN 2025-07 " + o + " DIMENSION_MOTHER_WITH_MINOR_CHILDREN NO = 1",
      "TN 2025-07 " + o + " DIMENSION_SEX SEX_MALE = 1",
      "TN 2025-07 " + o + " DIMENSION_NATIONALITY_STATUS NATIONALITY_STATUS_RESIDENCE_PERMIT = 1",
      "TN 2025-07 " + o + " DIMENSION_REFERRAL_SOURCE REFERRAL_SOURCE_LKHA = 1",
      "TN 2025-07 " + o + " DIMENSION_RECOGNITION_DECISION RECOGNITION_DECISION_GRANTED = 1",
      "TN 2025-07 " + o + " DIMENSION_RECOGNITION_STAGE PROCEEDINGS_STAGE_UNSPECIFIED = 1",
      "TN 2025-07 " + r + " TOTAL * = 1",
      "TN 2025-07 " + r + " DIMENSION_CASE_TYPE CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION = 1",
      "TN 2025-07 " + r + " DIMENSION_OUTCOME OUTCOME_RECOGNISED = 1",
      "TN 2025-07 " + r + " DAYS 30 = 1",
  };
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Rollups(), expected);
  ExpectVerified();
}

// Five contacts with lawyers in one case and one in another are six contacts but two persons;
// a case with contacts in January and February is one person in the quarter and in the year.
TEST_F(RollupsTest, ContactFiguresCountPersonsBesideEvents) {
  const std::string lawyer = CaseWriter::AddPartner(*db_, consular::v1::PARTNER_KIND_LAWYER, "MA");
  const Case ca = writer_->Create(CaseSpec{}, At(2025, 1, 5));
  for (const absl::Time day :
       {At(2025, 1, 10), At(2025, 1, 20), At(2025, 2, 5), At(2025, 2, 15), At(2025, 3, 1)}) {
    writer_->LogContact(ca, consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE, day, day, lawyer);
  }
  const Case cb = writer_->Create(CaseSpec{}, At(2025, 2, 1));
  writer_->LogContact(cb, consular::v1::CONTACT_PURPOSE_DOCUMENTS, At(2025, 3, 10), At(2025, 3, 10),
                      lawyer);
  // An ad-hoc contact in the year before, of a third case: outside the years read below.
  const Case cc = writer_->Create(CaseSpec{}, At(2024, 12, 1));
  writer_->LogContact(cc, consular::v1::CONTACT_PURPOSE_SHELTER, At(2024, 12, 5), At(2024, 12, 5));
  // 3 created, 7 contacts.
  EXPECT_EQ(CatchUpFully(), 10);

  const std::string kind = "DIMENSION_PARTNER_KIND PARTNER_KIND_LAWYER";
  const std::string advice = "DIMENSION_CONTACT_PURPOSE CONTACT_PURPOSE_LEGAL_ADVICE";
  const std::string documents = "DIMENSION_CONTACT_PURPOSE CONTACT_PURPOSE_DOCUMENTS";
  std::vector<std::string> expected;
  for (const std::string slot : {"M1", "M2"}) {  // case a only, twice a month
    for (const std::string& what : {std::string("TOTAL *"), kind, advice}) {
      expected.push_back(absl::StrCat("2025 ", slot, " ", what, " = 1"));
    }
  }
  for (const std::string slot : {"M3", "Q1", "Y"}) {  // a and b; a once in Q1 and the year
    expected.push_back(absl::StrCat("2025 ", slot, " TOTAL * = 2"));
    expected.push_back(absl::StrCat("2025 ", slot, " ", kind, " = 2"));
    expected.push_back(absl::StrCat("2025 ", slot, " ", advice, " = 1"));
    expected.push_back(absl::StrCat("2025 ", slot, " ", documents, " = 1"));
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ContactCases("MA", 2025, 2025), expected);
  EXPECT_EQ(ContactCases("MA", 2024, 2024),
            (std::vector<std::string>{
                "2024 M12 DIMENSION_CONTACT_PURPOSE CONTACT_PURPOSE_SHELTER = 1",
                "2024 M12 DIMENSION_PARTNER_KIND PARTNER_KIND_OTHER = 1",
                "2024 M12 TOTAL * = 1",
                "2024 Q4 DIMENSION_CONTACT_PURPOSE CONTACT_PURPOSE_SHELTER = 1",
                "2024 Q4 DIMENSION_PARTNER_KIND PARTNER_KIND_OTHER = 1",
                "2024 Q4 TOTAL * = 1",
                "2024 Y DIMENSION_CONTACT_PURPOSE CONTACT_PURPOSE_SHELTER = 1",
                "2024 Y DIMENSION_PARTNER_KIND PARTNER_KIND_OTHER = 1",
                "2024 Y TOTAL * = 1",
            }));
  EXPECT_TRUE(ContactCases("TN", 2024, 2025).empty());

  // As the service loads them: persons and, unchanged beside them, events.
  const CountryCounts counts = LoadCounts("MA", 2025, 2025);
  constexpr int kQ1 = storage::kFirstQuarterSlot;
  EXPECT_EQ(counts.ContactCases(2025, kQ1, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER"), 2);
  EXPECT_EQ(counts.ContactCases(2025, storage::kYearSlot, kTotal, kAll), 2);
  EXPECT_EQ(counts.ContactCases(2025, 0, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER"), 1);
  EXPECT_EQ(counts.ContactCases(2025, kQ1 + 1, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER"), 0);
  EXPECT_EQ(counts.ContactCases(2024, kQ1 + 3, kTotal, kAll), 0);  // not loaded
  int64_t events = 0;
  for (int month = 1; month <= 3; ++month) {
    events += counts.Month(2025, month, kContacts, "DIMENSION_PARTNER_KIND", "PARTNER_KIND_LAWYER");
  }
  EXPECT_EQ(events, 6);
  EXPECT_EQ(counts.Month(2025, 1, kContacts, kTotal, kAll), 2);

  // Two contacts of case a in January share one presence row.
  EXPECT_EQ(db_->QueryScalar(
                absl::StrCat("SELECT n FROM stats.contact_presence WHERE case_id = '", ca.id(),
                             "' AND year = 2025 AND month = 1 AND dimension = 'TOTAL'")),
            "2");
  ExpectVerified();

  // A rebuild from the stream ends with the same presence.
  const std::string incremental = PresenceTable();
  ASSERT_TRUE(updater_->Rebuild().ok());
  EXPECT_EQ(PresenceTable(), incremental);
  EXPECT_EQ(ContactCases("MA", 2025, 2025), expected);
}

// A contact moved to another month or purpose moves its person; the last contact leaving a
// month takes the person out of it.
TEST_F(RollupsTest, ContactChangesMoveTheirPerson) {
  const Case ca = writer_->Create(CaseSpec{}, At(2025, 1, 5));
  consular::v1::Contact first = writer_->LogContact(ca, consular::v1::CONTACT_PURPOSE_SHELTER,
                                                    At(2025, 1, 10), At(2025, 1, 10));
  writer_->LogContact(ca, consular::v1::CONTACT_PURPOSE_SHELTER, At(2025, 1, 12), At(2025, 1, 12));
  CatchUpFully();
  // The first contact moves to April: January keeps the person through the second one.
  first = writer_->UpdateContactTime(first, At(2025, 4, 2), At(2025, 4, 3));
  CatchUpFully();
  std::vector<std::string> expected = {
      "2025 M1 TOTAL * = 1", "2025 M4 TOTAL * = 1", "2025 Q1 TOTAL * = 1",
      "2025 Q2 TOTAL * = 1", "2025 Y TOTAL * = 1",
  };
  std::vector<std::string> totals;
  for (const std::string& line : ContactCases("MA", 2025, 2025)) {
    if (line.find(" TOTAL * ") != std::string::npos) totals.push_back(line);
  }
  EXPECT_EQ(totals, expected);
  // Its purpose changes: April's person is now counted under the new purpose only.
  writer_->UpdateContactPurpose(first, consular::v1::CONTACT_PURPOSE_MEDIATION, At(2025, 4, 4));
  CatchUpFully();
  const CountryCounts counts = LoadCounts("MA", 2025, 2025);
  EXPECT_EQ(counts.ContactCases(2025, 3, "DIMENSION_CONTACT_PURPOSE", "CONTACT_PURPOSE_MEDIATION"),
            1);
  EXPECT_EQ(counts.ContactCases(2025, 3, "DIMENSION_CONTACT_PURPOSE", "CONTACT_PURPOSE_SHELTER"),
            0);
  EXPECT_EQ(counts.ContactCases(2025, storage::kYearSlot, "DIMENSION_CONTACT_PURPOSE",
                                "CONTACT_PURPOSE_SHELTER"),
            1);
  EXPECT_EQ(counts.ContactCases(2025, storage::kYearSlot, kTotal, kAll), 1);
  // No row is left at a count of 0.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM stats.contact_presence WHERE month = 4 AND "
                             "category = 'CONTACT_PURPOSE_SHELTER'"),
            "0");
  ExpectVerified();
}

// A case moved to another country takes its persons along, like its contacts.
TEST_F(RollupsTest, PersonsMoveWithTheirCaseToAnotherCountry) {
  const Case ca = writer_->Create(CaseSpec{}, At(2025, 1, 5));
  const Case cb = writer_->Create(CaseSpec{}, At(2025, 1, 6));
  for (const Case& c : {ca, cb}) {
    writer_->LogContact(c, consular::v1::CONTACT_PURPOSE_SHELTER, At(2025, 2, 1), At(2025, 2, 1));
    writer_->LogContact(c, consular::v1::CONTACT_PURPOSE_SHELTER, At(2025, 5, 1), At(2025, 5, 1));
  }
  CatchUpFully();
  EXPECT_EQ(LoadCounts("MA", 2025, 2025).ContactCases(2025, storage::kYearSlot, kTotal, kAll), 2);

  Case changes;
  changes.set_country("TN");
  writer_->Update(ca, changes, {"country"}, At(2025, 6, 1));
  CatchUpFully();
  const CountryCounts ma = LoadCounts("MA", 2025, 2025);
  const CountryCounts tn = LoadCounts("TN", 2025, 2025);
  for (const int slot :
       {1, 4, storage::kFirstQuarterSlot, storage::kFirstQuarterSlot + 1, storage::kYearSlot}) {
    EXPECT_EQ(ma.ContactCases(2025, slot, kTotal, kAll), 1) << slot;
    EXPECT_EQ(tn.ContactCases(2025, slot, kTotal, kAll), 1) << slot;
    EXPECT_EQ(tn.ContactCases(2025, slot, "DIMENSION_CONTACT_PURPOSE", "CONTACT_PURPOSE_SHELTER"),
              1)
        << slot;
  }
  // The events moved with it (two contacts each country), and nothing of case a stayed in MA.
  EXPECT_EQ(tn.Month(2025, 2, kContacts, kTotal, kAll) + tn.Month(2025, 5, kContacts, kTotal, kAll),
            2);
  EXPECT_EQ(ma.Month(2025, 2, kContacts, kTotal, kAll) + ma.Month(2025, 5, kContacts, kTotal, kAll),
            2);
  EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT count(*) FROM stats.contact_presence WHERE "
                                          "case_id = '",
                                          ca.id(), "' AND country <> 'TN'")),
            "0");
  ExpectVerified();
}

// Verify checks the persons: a presence row lost or a reference miscounted is reported.
TEST_F(RollupsTest, VerifyReportsWrongPersonCounts) {
  const Case ca = writer_->Create(CaseSpec{}, At(2025, 1, 5));
  writer_->LogContact(ca, consular::v1::CONTACT_PURPOSE_SHELTER, At(2025, 1, 10), At(2025, 1, 10));
  writer_->LogContact(ca, consular::v1::CONTACT_PURPOSE_SHELTER, At(2025, 1, 11), At(2025, 1, 11));
  CatchUpFully();
  ExpectVerified();

  // One reference too many: the persons agree, the references do not.
  db_->QueryScalar(
      "WITH u AS (UPDATE stats.contact_presence SET n = n + 1 WHERE dimension = 'TOTAL' "
      "RETURNING 1) SELECT count(*) FROM u");
  absl::StatusOr<std::vector<RollupDifference>> differences = updater_->Verify();
  ASSERT_TRUE(differences.ok()) << differences.status();
  ASSERT_EQ(differences->size(), 1u);
  EXPECT_EQ(DescribeDifference((*differences)[0]),
            "MA 2025-1 CONTACT_PRESENCE TOTAL *: rollup 3, recount 2");

  // The presence row of the purpose lost: the person is missing in the month, quarter and year.
  db_->QueryScalar(
      "WITH d AS (DELETE FROM stats.contact_presence WHERE dimension = "
      "'DIMENSION_CONTACT_PURPOSE' RETURNING 1) SELECT count(*) FROM d");
  differences = updater_->Verify();
  ASSERT_TRUE(differences.ok()) << differences.status();
  std::vector<std::string> lines;
  for (const RollupDifference& d : *differences) lines.push_back(DescribeDifference(d));
  std::sort(lines.begin(), lines.end());
  const std::string purpose = "DIMENSION_CONTACT_PURPOSE CONTACT_PURPOSE_SHELTER";
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "MA 2025 CONTACT_CASES " + purpose + ": rollup 0, recount 1",
                       "MA 2025-1 CONTACT_CASES " + purpose + ": rollup 0, recount 1",
                       "MA 2025-1 CONTACT_PRESENCE " + purpose + ": rollup 0, recount 2",
                       "MA 2025-1 CONTACT_PRESENCE TOTAL *: rollup 3, recount 2",
                       "MA 2025-Q1 CONTACT_CASES " + purpose + ": rollup 0, recount 1",
                   }));
}

// Rollups kept before migration 0012 already count contacts: the migration fills the presence
// from the state they stand on, so that the next catch-up can take those contacts back.
TEST(ContactPresenceMigrationTest, FillsThePresenceFromTheStateOfTheRollups) {
  auto db = consular::testing::TestDatabase::CreateUnmigrated();
  std::vector<storage::Migration> earlier;
  for (const storage::Migration& m : storage::EmbeddedMigrations()) {
    if (m.version < "0012") earlier.push_back(m);
  }
  absl::StatusOr<int> applied = storage::ApplyMigrations(db->dsn(), earlier, nullptr);
  ASSERT_TRUE(applied.ok()) << applied.status();

  // Case a (now in TN) had two contacts with lawyers in January and one ad hoc in March; case b
  // (MA) one in February. Only the country of a case's facts matters here.
  const std::string a = "00000000-0000-4000-8000-00000000000a";
  const std::string b = "00000000-0000-4000-8000-00000000000b";
  db->QueryScalar(
      absl::StrCat("WITH i AS (INSERT INTO stats.case_state (case_id, sequence, facts) VALUES ('",
                   a, "', 7, '{\"country\": \"TN\"}'), ('", b,
                   "', 2, '{\"country\": \"MA\"}') RETURNING 1) SELECT count(*) FROM i"));
  const auto contact = [](const std::string& id, absl::CivilDay day, const std::string& kind,
                          const std::string& purpose) {
    return ContactFactsJson(ContactFacts{id, day, kind, purpose});
  };
  const std::vector<std::pair<std::string, std::string>> contacts = {
      {a, contact("00000000-0000-4000-8000-0000000000c1", absl::CivilDay(2025, 1, 3),
                  "PARTNER_KIND_LAWYER", "CONTACT_PURPOSE_LEGAL_ADVICE")},
      {a, contact("00000000-0000-4000-8000-0000000000c2", absl::CivilDay(2025, 1, 30),
                  "PARTNER_KIND_LAWYER", "CONTACT_PURPOSE_DOCUMENTS")},
      {a, contact("00000000-0000-4000-8000-0000000000c3", absl::CivilDay(2025, 3, 1),
                  "PARTNER_KIND_OTHER", "CONTACT_PURPOSE_SHELTER")},
      {b, contact("00000000-0000-4000-8000-0000000000c4", absl::CivilDay(2025, 2, 14),
                  "PARTNER_KIND_LAWYER", "CONTACT_PURPOSE_LEGAL_ADVICE")},
  };
  for (const auto& [case_id, facts] : contacts) {
    db->QueryScalar(absl::StrCat(
        "WITH i AS (INSERT INTO stats.contact_state (contact_id, case_id, sequence, facts) "
        "VALUES ((",
        "'", facts, "'::jsonb ->> 'id')::uuid, '", case_id, "', 1, '", facts,
        "') RETURNING 1) SELECT count(*) FROM i"));
  }

  applied = storage::ApplyMigrations(db->dsn());
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(PresenceTableOf(*db), absl::StrJoin(
                                      {
                                          a + " TN 2025 1 DIMENSION_CONTACT_PURPOSE "
                                              "CONTACT_PURPOSE_DOCUMENTS 1",
                                          a + " TN 2025 1 DIMENSION_CONTACT_PURPOSE "
                                              "CONTACT_PURPOSE_LEGAL_ADVICE 1",
                                          a + " TN 2025 1 DIMENSION_PARTNER_KIND "
                                              "PARTNER_KIND_LAWYER 2",
                                          a + " TN 2025 1 TOTAL * 2",
                                          a + " TN 2025 3 DIMENSION_CONTACT_PURPOSE "
                                              "CONTACT_PURPOSE_SHELTER 1",
                                          a + " TN 2025 3 DIMENSION_PARTNER_KIND "
                                              "PARTNER_KIND_OTHER 1",
                                          a + " TN 2025 3 TOTAL * 1",
                                          b + " MA 2025 2 DIMENSION_CONTACT_PURPOSE "
                                              "CONTACT_PURPOSE_LEGAL_ADVICE 1",
                                          b + " MA 2025 2 DIMENSION_PARTNER_KIND "
                                              "PARTNER_KIND_LAWYER 1",
                                          b + " MA 2025 2 TOTAL * 1",
                                      },
                                      "\n"));
}

// Cases written before migration 0019 have the columns' defaults, and events whose facts lack the
// new keys: the rollups count them as not counted / not recorded, as the recount does, until the
// case changes again.
TEST_F(RollupsTest, FactsFromBeforeTheNewFactsCountAsNotRecordedUntilTheCaseChanges) {
  CaseSpec a;
  a.children = 1;
  a.funding = consular::v1::RETURN_FUNDING_OWN_MEANS;
  Case ca = writer_->Create(a, At(2025, 2, 3));
  ca = writer_->Transition(ca, consular::v1::CASE_STATUS_ACTIVE, At(2025, 2, 4));
  ca = writer_->Transition(ca, consular::v1::CASE_STATUS_RESOLVED, At(2025, 2, 20),
                           consular::v1::OUTCOME_RETURNED_TO_NL);
  CaseSpec b;
  b.type = consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION;
  b.stages = {Step(consular::v1::PROCEEDINGS_STAGE_FILED, 2025, 1, 10)};
  writer_->Create(b, At(2025, 2, 5));
  CatchUpFully();
  const std::vector<std::string> counted = Rollups();
  const std::string o = "MEASURE_CASES_OPENED";
  const std::string r = "MEASURE_CASES_RESOLVED";
  const auto has = [](const std::vector<std::string>& rows, const std::string& row) {
    return std::find(rows.begin(), rows.end(), row) != rows.end();
  };
  EXPECT_TRUE(has(counted, "MA 2025-02 " + o + " DIMENSION_CHILDREN CHILDREN_ONE = 1"));
  EXPECT_TRUE(
      has(counted, "MA 2025-02 " + r + " DIMENSION_RETURN_FUNDING RETURN_FUNDING_OWN_MEANS = 1"));
  EXPECT_TRUE(
      has(counted, "MA 2025-02 " + o + " DIMENSION_RECOGNITION_STAGE PROCEEDINGS_STAGE_FILED = 1"));

  // As if written before the migration: the columns' defaults, facts without the new keys.
  db_->QueryScalar(
      "WITH u AS (UPDATE cases.cases SET stat_children = DEFAULT, stat_return_funding = DEFAULT, "
      "stat_recognition_stage = DEFAULT RETURNING 1) SELECT count(*) FROM u");
  db_->QueryScalar(
      "WITH u AS (UPDATE cases.case_events SET facts = facts - 'children' - 'return_funding' - "
      "'recognition_stage' RETURNING 1) SELECT count(*) FROM u");
  ASSERT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.case_events WHERE facts ? 'children'"),
            "0");
  ASSERT_TRUE(updater_->Rebuild().ok());
  const std::vector<std::string> before = Rollups();
  EXPECT_TRUE(has(before, "MA 2025-02 " + o + " DIMENSION_CHILDREN CHILDREN_UNKNOWN = 1"));
  EXPECT_TRUE(
      has(before, "MA 2025-02 " + r + " DIMENSION_RETURN_FUNDING RETURN_FUNDING_UNSPECIFIED = 1"));
  EXPECT_TRUE(has(before, "MA 2025-02 " + o +
                              " DIMENSION_RECOGNITION_STAGE PROCEEDINGS_STAGE_UNSPECIFIED = 1"));
  EXPECT_FALSE(has(before, "MA 2025-02 " + o + " DIMENSION_CHILDREN CHILDREN_ONE = 1"));
  ExpectVerified();

  // The next change of the abandonment case writes its facts: counted from then on, incrementally.
  Case note;
  note.mutable_abandonment()->set_person_wishes("To stay near her sister.");
  writer_->Update(ca, note, {"abandonment.person_wishes"}, At(2025, 3, 1));
  EXPECT_EQ(CatchUpFully(), 1);
  const std::vector<std::string> after = Rollups();
  EXPECT_TRUE(has(after, "MA 2025-02 " + o + " DIMENSION_CHILDREN CHILDREN_ONE = 1"));
  EXPECT_TRUE(
      has(after, "MA 2025-02 " + r + " DIMENSION_RETURN_FUNDING RETURN_FUNDING_OWN_MEANS = 1"));
  EXPECT_FALSE(has(after, "MA 2025-02 " + o + " DIMENSION_CHILDREN CHILDREN_UNKNOWN = 1"));
  // The divorce-recognition case is still as it was before the migration.
  EXPECT_TRUE(has(
      after, "MA 2025-02 " + o + " DIMENSION_RECOGNITION_STAGE PROCEEDINGS_STAGE_UNSPECIFIED = 1"));
  ExpectVerified();
}

TEST_F(RollupsTest, RollupsEqualTheRecountAfterARandomWorkload) {
  std::mt19937 random(20261129);
  const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  const std::vector<std::string> countries = {"MA", "TN", "TR"};
  std::vector<std::string> partners;
  for (const std::string& country : countries) {
    partners.push_back(CaseWriter::AddPartner(*db_, consular::v1::PARTNER_KIND_LAWYER, country));
  }
  std::vector<Case> open;
  std::vector<Case> resolved;
  std::vector<consular::v1::Contact> contacts;
  absl::Time now = At(2024, 11, 1);
  for (int step = 0; step < 160; ++step) {
    now += absl::Hours(20 + pick(100));
    const int action = pick(10);
    if (action <= 2 || open.empty()) {
      CaseSpec spec;
      spec.type = pick(2) == 0 ? consular::v1::CASE_TYPE_ABANDONMENT
                               : consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION;
      spec.country = countries[pick(3)];
      spec.sex = static_cast<consular::v1::Sex>(1 + pick(4));
      if (pick(4) != 0) spec.born = MakeDate(1970 + pick(45), 1 + pick(12), 1 + pick(28));
      spec.minor_children = pick(2) == 0;
      spec.nationality = static_cast<consular::v1::NationalityStatus>(1 + pick(3));
      spec.referral = static_cast<consular::v1::ReferralSource>(1 + pick(8));
      for (int f = 1; f <= 9; ++f) {
        if (pick(4) == 0) spec.flags.push_back(static_cast<consular::v1::RiskFlag>(f));
      }
      if (spec.type == consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) {
        spec.decision = static_cast<consular::v1::RecognitionDecision>(pick(3));
        for (int o = 1; o <= 6; ++o) {
          if (pick(3) == 0)
            spec.obstacles.push_back(static_cast<consular::v1::RecognitionObstacle>(o));
        }
        // Steps a month apart; a hearing may lie ahead.
        const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
        const int steps = pick(4);
        for (int i = 0; i < steps; ++i) {
          const auto stage = static_cast<consular::v1::ProceedingsStage>(1 + pick(6));
          const bool ahead = stage == consular::v1::PROCEEDINGS_STAGE_HEARING && pick(2) == 0;
          const absl::CivilDay on = today - 30 * (steps - 1 - i) + (ahead ? 20 : -5);
          spec.stages.push_back(Step(stage, static_cast<int>(on.year()), on.month(), on.day()));
        }
      } else {
        spec.children = pick(5);
        spec.funding = static_cast<consular::v1::ReturnFunding>(pick(5));
      }
      open.push_back(writer_->Create(spec, now));
    } else if (action == 3) {  // move a case to another country, or change its subject's sex,
                               // the children on it or who pays for the return
      Case& c = open[pick(static_cast<int>(open.size()))];
      Case changes;
      const int what = pick(3);
      if (what == 2 && c.type() == consular::v1::CASE_TYPE_ABANDONMENT) {
        const int children = pick(4);
        for (int i = 0; i < children; ++i) {
          consular::v1::Person* child = changes.add_persons();
          child->set_role(consular::v1::PERSON_ROLE_CHILD);
          child->set_full_name(absl::StrCat("Child ", i + 1));
        }
        changes.mutable_abandonment()->mutable_return_plan()->set_funding(
            pick(2) == 0 ? consular::v1::RETURN_FUNDING_OWN_MEANS
                         : consular::v1::RETURN_FUNDING_OTHER);
        c = writer_->Update(c, changes,
                            {"persons", "abandonment.return_plan.funding",
                             "abandonment.return_plan.loan_amount_cents"},
                            now);
      } else if (what == 0) {
        changes.set_country(countries[pick(3)]);
        c = writer_->Update(c, changes, {"country"}, now);
      } else {
        changes.mutable_subject()->set_sex(static_cast<consular::v1::Sex>(1 + pick(4)));
        c = writer_->Update(c, changes, {"subject.sex"}, now);
      }
    } else if (action == 4) {  // work it, then resolve it
      const int i = pick(static_cast<int>(open.size()));
      Case c = open[i];
      if (c.status() == consular::v1::CASE_STATUS_INTAKE) {
        open[i] = writer_->Transition(c, consular::v1::CASE_STATUS_ACTIVE, now);
      } else {
        const consular::v1::Outcome outcome = c.type() == consular::v1::CASE_TYPE_ABANDONMENT
                                                  ? static_cast<consular::v1::Outcome>(1 + pick(6))
                                                  : static_cast<consular::v1::Outcome>(6 + pick(5));
        resolved.push_back(
            writer_->Transition(c, consular::v1::CASE_STATUS_RESOLVED, now, outcome));
        open.erase(open.begin() + i);
      }
    } else if (action == 5 && !resolved.empty()) {  // close, and sometimes reopen
      const int i = pick(static_cast<int>(resolved.size()));
      Case c = writer_->Transition(resolved[i], consular::v1::CASE_STATUS_CLOSED, now);
      resolved.erase(resolved.begin() + i);
      if (pick(2) == 0) {
        open.push_back(writer_->Transition(c, consular::v1::CASE_STATUS_ACTIVE, now));
      }
    } else if (action <= 7) {  // a contact, with a partner or ad hoc
      const Case& c = open[pick(static_cast<int>(open.size()))];
      const std::string partner =
          pick(2) == 0 ? ""
                       : partners[std::find(countries.begin(), countries.end(), c.country()) -
                                  countries.begin()];
      contacts.push_back(writer_->LogContact(c,
                                             static_cast<consular::v1::ContactPurpose>(1 + pick(8)),
                                             now - absl::Hours(pick(24 * 40)), now, partner));
    } else if (action == 8 && !contacts.empty()) {  // a contact's purpose or time corrected
      consular::v1::Contact& k = contacts[pick(static_cast<int>(contacts.size()))];
      const bool case_open = std::any_of(open.begin(), open.end(),
                                         [&](const Case& c) { return c.id() == k.case_id(); });
      if (case_open && pick(2) == 0) {
        k = writer_->UpdateContactPurpose(k, static_cast<consular::v1::ContactPurpose>(1 + pick(8)),
                                          now);
      } else if (case_open) {
        k = writer_->UpdateContactTime(k, now - absl::Hours(pick(24 * 100)), now);
      }
    } else {  // the rollups catch up in the middle of the work (maybe not to the end)
      ASSERT_TRUE(updater_->CatchUp().ok());
    }
    if (HasFailure()) return;
  }
  CatchUpFully();
  ExpectVerified();
  const std::vector<std::string> incremental = Rollups();
  EXPECT_GT(incremental.size(), 100u);
  const std::string presence = PresenceTable();
  const std::vector<std::string> persons = AllContactCases();
  EXPECT_GT(persons.size(), 50u);
  // The workload gives cases several contacts in one month and category (shared references).
  EXPECT_GT(std::stoll(db_->QueryScalar("SELECT max(n) FROM stats.contact_presence")), 1);

  // A rebuild from the whole event stream gives the same rollups and contact presence.
  absl::StatusOr<int64_t> replayed = updater_->Rebuild();
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(*replayed, std::stoll(db_->QueryScalar("SELECT count(*) FROM cases.case_events")));
  EXPECT_EQ(Rollups(), incremental);
  EXPECT_EQ(PresenceTable(), presence);
  EXPECT_EQ(AllContactCases(), persons);
  ExpectVerified();

  // The state a rebuild leaves behind carries on: more changes, caught up incrementally.
  ASSERT_FALSE(open.empty());
  Case moved = open.front();
  Case changes;
  changes.set_country(moved.country() == "TR" ? "MA" : "TR");
  now += absl::Hours(30);
  moved = writer_->Update(moved, changes, {"country"}, now);
  writer_->LogContact(moved, consular::v1::CONTACT_PURPOSE_DOCUMENTS, now, now);
  writer_->Create(CaseSpec{}, now);
  CatchUpFully();
  ExpectVerified();
}

TEST_F(RollupsTest, EventsWaitForOlderTransactionsAndTheLagIsReported) {
  CatchUpFully();
  absl::StatusOr<Freshness> fresh = updater_->CurrentFreshness();
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->pending, 0);
  EXPECT_EQ(fresh->lag, absl::ZeroDuration());

  // A transaction that started earlier and is still running holds the horizon back: a case
  // committed after it is not counted yet (its events could otherwise be overtaken by the older
  // transaction's), and the figures say they lag.
  pqxx::connection other(db_->dsn());
  pqxx::work older(other);
  older.exec("SELECT pg_current_xact_id()");
  writer_->Create(CaseSpec{}, absl::Now());
  absl::StatusOr<int64_t> applied = updater_->CatchUp();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 0);
  fresh = updater_->CurrentFreshness();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->pending, 1);
  absl::SleepFor(absl::Milliseconds(20));
  fresh = updater_->CurrentFreshness();
  EXPECT_GE(fresh->lag, absl::Milliseconds(20));
  // Verify sees every committed event, so it agrees even now.
  ExpectVerified();

  older.commit();
  EXPECT_EQ(CatchUpFully(), 1);
  fresh = updater_->CurrentFreshness();
  EXPECT_EQ(fresh->pending, 0);
  EXPECT_EQ(fresh->lag, absl::ZeroDuration());
}

TEST_F(RollupsTest, BadFactsAreRefusedByName) {
  EXPECT_EQ(ParseCaseFacts("not json").status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<CaseFacts> missing = ParseCaseFacts(R"({"country":"MA"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("type"), std::string::npos);
  // The facts of migration 0019 may be absent (older events), not malformed.
  const std::string older =
      R"({"country":"MA","type":"CASE_TYPE_ABANDONMENT","status":"CASE_STATUS_INTAKE",)"
      R"("outcome":"","opened":"2025-01-02","resolved":"","age_group":"AGE_GROUP_ADULT",)"
      R"("mother_with_minor_children":false,"sex":"SEX_FEMALE",)"
      R"("nationality_status":"NATIONALITY_STATUS_DUAL","referral_source":"REFERRAL_SOURCE_SELF",)"
      R"("risk_flags":[],"recognition_decision":"RECOGNITION_DECISION_UNSPECIFIED",)"
      R"("recognition_obstacles":[]})";
  absl::StatusOr<CaseFacts> defaults = ParseCaseFacts(older);
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->children, "CHILDREN_UNKNOWN");
  EXPECT_EQ(defaults->return_funding, "RETURN_FUNDING_UNSPECIFIED");
  EXPECT_EQ(defaults->recognition_stage, "PROCEEDINGS_STAGE_UNSPECIFIED");
  std::string newer = older;
  newer.insert(newer.size() - 1,
               R"(,"children":"CHILDREN_TWO","return_funding":"RETURN_FUNDING_FAMILY")");
  absl::StatusOr<CaseFacts> parsed = ParseCaseFacts(newer);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->children, "CHILDREN_TWO");
  EXPECT_EQ(parsed->return_funding, "RETURN_FUNDING_FAMILY");
  std::string bad = older;
  bad.insert(bad.size() - 1, R"(,"children":2)");
  absl::StatusOr<CaseFacts> refused = ParseCaseFacts(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("children"), std::string::npos);
}

}  // namespace
}  // namespace consular::stats

// consular-datagen's bulk mode against a real PostgreSQL: what it writes, the services can read.
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/contacts.pb.h"
#include "gtest/gtest.h"
#include "services/cases/case_manager.h"
#include "services/stats/rollups.h"
#include "storage/case_facts.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"
#include "tools/datagen/bulk_load.h"

namespace consular::datagen {
namespace {

namespace v1 = consular::v1;

constexpr int64_t kCases = 2000;
constexpr uint64_t kSeed = 424242;

// A digest of the columns the seed decides (ciphertexts aside: their nonces are random).
std::string Digest(const consular::testing::TestDatabase& db) {
  return db.QueryScalar(
             "SELECT md5(string_agg(concat_ws('|', id, reference, status, outcome, handling_post, "
             "country, risk_flags, opened_at, closed_at, version, encode(subject_name_bidx, "
             "'hex'), "
             "stat_age_group, stat_mother_with_minor_children, stat_recognition_decision, "
             "stat_children, stat_return_funding, stat_recognition_stage), ',' "
             "ORDER BY id)) FROM cases.cases") +
         db.QueryScalar(
             "SELECT md5(string_agg(concat_ws('|', id, case_id, sequence, event_type, actor, "
             "occurred_at, payload::text, facts::text), ',' ORDER BY id)) FROM cases.case_events");
}

BulkLoadOptions Options(const consular::testing::TestFieldCrypto& keys, uint64_t seed) {
  BulkLoadOptions options;
  options.cases = kCases;
  options.seed = seed;
  options.cipher = &keys.cipher;
  options.blind_index = &keys.blind_index;
  return options;
}

class DatagenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = new consular::testing::TestFieldCrypto();
    db_ = consular::testing::TestDatabase::Create().release();
    const absl::StatusOr<BulkLoadReport> report = BulkLoad(db_->dsn(), Options(*keys_, kSeed));
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_EQ(report->rows.cases, kCases);
    ASSERT_GT(report->rows.events, 5 * kCases);
  }
  static void TearDownTestSuite() {
    delete db_;
    delete keys_;
    db_ = nullptr;
    keys_ = nullptr;
  }

  void SetUp() override {
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 4});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    manager_ = std::make_unique<cases::CaseManager>(
        runner_.get(), SystemClock(), keys_->crypto());
  }

  static absl::Time Deadline() { return absl::Now() + absl::Seconds(30); }

  static consular::testing::TestFieldCrypto* keys_;
  static consular::testing::TestDatabase* db_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  std::unique_ptr<cases::CaseManager> manager_;
};

consular::testing::TestFieldCrypto* DatagenTest::keys_ = nullptr;
consular::testing::TestDatabase* DatagenTest::db_ = nullptr;

// A sample of the generated cases of RABAT (the largest post): id and the stored clear columns.
struct Stored {
  std::string id;
  std::string reference;
  std::string sex;
  std::string nationality;
  std::string age_group;
  bool mother = false;
  std::string children;
  std::string return_funding;
  std::string recognition_stage;
  std::string personal;  // ciphertext
};

std::vector<Stored> Sample(const consular::testing::TestDatabase& db, const std::string& post,
                           int n) {
  pqxx::connection connection(db.dsn());
  pqxx::nontransaction tx(connection);
  std::vector<Stored> out;
  for (const pqxx::row& row : tx.exec_params(
           "SELECT id::text, reference, subject_sex, subject_nationality_status, stat_age_group, "
           "stat_mother_with_minor_children, stat_children, stat_return_funding, "
           "stat_recognition_stage, personal FROM cases.cases WHERE handling_post = $1 "
           "ORDER BY id LIMIT $2",
           post, n)) {
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                   row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<bool>(),
                   row[6].as<std::string>(), row[7].as<std::string>(), row[8].as<std::string>(),
                   pqxx::binarystring(row[9]).str()});
  }
  return out;
}

const Identity kRabatOfficer{"officer-rabat-test", v1::ROLE_CONSULAR_OFFICER, "RABAT"};

TEST_F(DatagenTest, GetCaseDecryptsGeneratedCasesWithTheirSubject) {
  const std::vector<Stored> sample = Sample(*db_, "RABAT", 40);
  ASSERT_EQ(sample.size(), 40u);
  std::set<std::string> names;
  for (const Stored& s : sample) {
    v1::GetCaseRequest request;
    request.set_case_id(s.id);
    v1::Case c;
    const absl::Status status = manager_->Get(kRabatOfficer, request, Deadline(), &c);
    ASSERT_TRUE(status.ok()) << s.id << ": " << status;
    // The subject is the one that was sealed for this row.
    absl::StatusOr<std::string> plain =
        keys_->cipher.Decrypt(s.personal, AssociatedData{"cases.cases", "personal", s.id});
    ASSERT_TRUE(plain.ok()) << plain.status();
    v1::Case sealed;
    ASSERT_TRUE(sealed.ParseFromString(*plain));
    EXPECT_EQ(c.subject().full_name(), sealed.subject().full_name());
    EXPECT_FALSE(c.subject().full_name().empty());
    EXPECT_EQ(c.reference(), s.reference);
    EXPECT_EQ(v1::Sex_Name(c.subject().sex()), s.sex);
    EXPECT_EQ(v1::NationalityStatus_Name(c.subject().nationality_status()), s.nationality);
    // The clear statistical columns are those of the case as the service reads it.
    const storage::StatisticalFacts facts = storage::StatisticalFactsOf(c);
    EXPECT_EQ(facts.age_group, s.age_group) << s.id;
    EXPECT_EQ(facts.mother_with_minor_children, s.mother) << s.id;
    EXPECT_EQ(facts.children, s.children) << s.id;
    EXPECT_EQ(facts.return_funding, s.return_funding) << s.id;
    EXPECT_EQ(facts.recognition_stage, s.recognition_stage) << s.id;
    EXPECT_EQ(c.type() == v1::CASE_TYPE_ABANDONMENT, c.has_abandonment());
    names.insert(c.subject().full_name());
  }
  EXPECT_GT(names.size(), 20u);  // varied, fictional names
}

// The children on abandonment cases, who paid for the returns and the stages of the foreign
// proceedings come in plausible shares, each category with cases in it.
TEST_F(DatagenTest, ChildrenReturnFundingAndStagesAreSpreadPlausibly) {
  // The share of the cases of `population` that meet `condition`.
  const auto share = [&](const std::string& population, const std::string& condition) {
    return std::stod(db_->QueryScalar(absl::StrCat("SELECT (count(*) FILTER (WHERE ", condition,
                                                   "))::float8 / count(*) FROM cases.cases WHERE ",
                                                   population)));
  };
  const std::string abandonment = "case_type = 'CASE_TYPE_ABANDONMENT'";
  const double none = share(abandonment, "stat_children = 'CHILDREN_NONE'");
  EXPECT_GT(none, 0.5);
  EXPECT_LT(none, 0.9);
  EXPECT_GT(share(abandonment, "stat_children = 'CHILDREN_THREE_OR_MORE'"), 0.005);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases WHERE case_type <> "
                             "'CASE_TYPE_ABANDONMENT' AND stat_children <> 'CHILDREN_UNKNOWN'"),
            "0");
  const std::string returned = "outcome = 'OUTCOME_RETURNED_TO_NL'";
  for (const char* funding : {"RETURN_FUNDING_OWN_MEANS", "RETURN_FUNDING_FAMILY",
                              "RETURN_FUNDING_CONSULAR_LOAN", "RETURN_FUNDING_OTHER"}) {
    EXPECT_GT(share(returned, absl::StrCat("stat_return_funding = '", funding, "'")), 0.02)
        << funding;
  }
  EXPECT_LT(share(returned, "stat_return_funding = 'RETURN_FUNDING_UNSPECIFIED'"), 0.3);
  const std::string divorce = "case_type = 'CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION'";
  for (const char* stage : {"PROCEEDINGS_STAGE_DOCUMENTS_GATHERED", "PROCEEDINGS_STAGE_FILED",
                            "PROCEEDINGS_STAGE_HEARING", "PROCEEDINGS_STAGE_DECISION",
                            "PROCEEDINGS_STAGE_APPEAL", "PROCEEDINGS_STAGE_UNSPECIFIED"}) {
    EXPECT_GT(share(divorce, absl::StrCat("stat_recognition_stage = '", stage, "'")), 0.005)
        << stage;
  }
  // A decision recorded is a stage reached.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases WHERE stat_recognition_decision <> "
                             "'RECOGNITION_DECISION_UNSPECIFIED' AND stat_recognition_stage NOT IN "
                             "('PROCEEDINGS_STAGE_DECISION', 'PROCEEDINGS_STAGE_APPEAL')"),
            "0");
}

// Notes are about their case's type: no divorce judgment on an abandonment case.
TEST_F(DatagenTest, NotesFitTheirCasesType) {
  pqxx::connection connection(db_->dsn());
  pqxx::nontransaction tx(connection);
  int abandonment = 0;
  int divorce = 0;
  for (const pqxx::row& row : tx.exec(
           "SELECT n.id::text, c.case_type, n.body FROM cases.case_notes n JOIN cases.cases c ON "
           "c.id = n.case_id ORDER BY n.id LIMIT 400")) {
    const std::string id = row[0].as<std::string>();
    absl::StatusOr<std::string> body = keys_->cipher.Decrypt(
        pqxx::binarystring(row[2]).str(), AssociatedData{"cases.case_notes", "body", id});
    ASSERT_TRUE(body.ok()) << id << ": " << body.status();
    if (row[1].as<std::string>() == "CASE_TYPE_ABANDONMENT") {
      ++abandonment;
      EXPECT_EQ(body->find("divorce"), std::string::npos) << *body;
    } else {
      ++divorce;
      EXPECT_EQ(body->find("Shelter"), std::string::npos) << *body;
    }
  }
  EXPECT_GT(abandonment, 50);
  EXPECT_GT(divorce, 50);
}

// Directory partners carry a name fitting their kind and the city of the country's post; their
// sealed contact details give an office in that city.
TEST_F(DatagenTest, PartnersHaveNamesAndTheCityOfTheirPost) {
  pqxx::connection connection(db_->dsn());
  pqxx::nontransaction tx(connection);
  std::set<std::string> names;
  int rows = 0;
  for (const pqxx::row& row :
       tx.exec("SELECT id::text, kind, name, country, city, contact_details FROM "
               "contacts.partners ORDER BY id")) {
    ++rows;
    const std::string id = row[0].as<std::string>();
    const std::string kind = row[1].as<std::string>();
    const std::string name = row[2].as<std::string>();
    const std::string city = row[4].as<std::string>();
    names.insert(name);
    EXPECT_EQ(name.find("Partner "), std::string::npos) << name;
    if (row[3].as<std::string>() == "MA") {
      EXPECT_EQ(city, "Rabat");
    }
    if (row[3].as<std::string>() == "ET") {
      EXPECT_EQ(city, "Addis Ababa");
    }
    if (kind == "PARTNER_KIND_SHELTER" || kind == "PARTNER_KIND_LOCAL_AUTHORITY") {
      EXPECT_NE(name.find(city), std::string::npos) << name << " / " << city;
    }
    absl::StatusOr<std::string> plain =
        keys_->cipher.Decrypt(pqxx::binarystring(row[5]).str(),
                              AssociatedData{"contacts.partners", "contact_details", id});
    ASSERT_TRUE(plain.ok()) << id << ": " << plain.status();
    v1::PartnerContactDetails details;
    ASSERT_TRUE(details.ParseFromString(*plain));
    EXPECT_TRUE(absl::EndsWith(details.address(), ", " + city)) << details.address();
  }
  EXPECT_GT(rows, 200);
  EXPECT_GT(names.size(), static_cast<size_t>(rows) * 9 / 10);  // hardly any name twice
}

TEST_F(DatagenTest, SearchCasesFindsAGeneratedCaseByName) {
  const std::vector<Stored> sample = Sample(*db_, "RABAT", 5);
  ASSERT_FALSE(sample.empty());
  for (const Stored& s : sample) {
    v1::GetCaseRequest get;
    get.set_case_id(s.id);
    v1::Case c;
    ASSERT_TRUE(manager_->Get(kRabatOfficer, get, Deadline(), &c).ok());
    v1::SearchCasesRequest search;
    // Another spelling of the same name: case and spacing are folded.
    std::string name = c.subject().full_name();
    for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    search.set_name("  " + name + " ");
    search.set_page_size(500);
    v1::SearchCasesResponse found;
    const absl::Status status = manager_->Search(kRabatOfficer, search, Deadline(), &found);
    ASSERT_TRUE(status.ok()) << status;
    bool hit = false;
    for (const v1::Case& f : found.cases()) {
      hit = hit || f.id() == s.id;
      EXPECT_EQ(f.subject().full_name(), c.subject().full_name());
    }
    EXPECT_TRUE(hit) << "no " << s.id << " among " << found.cases_size() << " results";
  }
}

TEST_F(DatagenTest, ListCasesShowsThePostsCases) {
  const int64_t rabat = std::stoll(
      db_->QueryScalar("SELECT count(*) FROM cases.cases WHERE handling_post = 'RABAT'"));
  ASSERT_GT(rabat, 100);  // the largest country's share
  v1::ListCasesRequest request;
  request.set_page_size(500);
  int64_t seen = 0;
  while (true) {
    v1::ListCasesResponse page;
    const absl::Status status = manager_->List(kRabatOfficer, request, Deadline(), &page);
    ASSERT_TRUE(status.ok()) << status;
    for (const v1::Case& c : page.cases()) {
      EXPECT_EQ(c.handling_post(), "RABAT");
      EXPECT_FALSE(c.subject().full_name().empty());
    }
    seen += page.cases_size();
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, rabat);
}

TEST_F(DatagenTest, RebuiltRollupsAgreeWithTheRecount) {
  stats::RollupUpdater updater(runner_.get());
  const absl::StatusOr<int64_t> rebuilt = updater.Rebuild();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  // The horizon of ended transactions is cluster-wide: a transaction of another test's database
  // may hold it back for a moment, so the rebuild may not reach the loaded events yet. Catching up
  // until nothing is pending adds what it missed.
  int64_t events = *rebuilt;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (true) {
    const absl::StatusOr<stats::Freshness> fresh = updater.CurrentFreshness();
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    if (fresh->pending == 0 || absl::Now() > give_up) break;
    absl::SleepFor(absl::Milliseconds(50));
    const absl::StatusOr<int64_t> caught_up = updater.CatchUp();
    ASSERT_TRUE(caught_up.ok()) << caught_up.status();
    events += *caught_up;
  }
  EXPECT_GT(events, 5 * kCases);
  const absl::StatusOr<std::vector<stats::RollupDifference>> differences = updater.Verify();
  ASSERT_TRUE(differences.ok()) << differences.status();
  EXPECT_EQ(differences->size(), 0u);
  const absl::StatusOr<int64_t> mismatches = CheckLoadedFacts(db_->dsn());
  ASSERT_TRUE(mismatches.ok()) << mismatches.status();
  EXPECT_EQ(*mismatches, 0);
}

TEST_F(DatagenTest, TheSameSeedGivesTheSameRows) {
  auto again = consular::testing::TestDatabase::Create();
  ASSERT_TRUE(BulkLoad(again->dsn(), Options(*keys_, kSeed)).ok());
  EXPECT_EQ(Digest(*again), Digest(*db_));
  auto other = consular::testing::TestDatabase::Create();
  ASSERT_TRUE(BulkLoad(other->dsn(), Options(*keys_, kSeed + 1)).ok());
  EXPECT_NE(Digest(*other), Digest(*db_));
}

TEST_F(DatagenTest, RejectsHalfTheKeys) {
  BulkLoadOptions options = Options(*keys_, kSeed);
  options.blind_index = nullptr;
  EXPECT_EQ(BulkLoad(db_->dsn(), options).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace consular::datagen

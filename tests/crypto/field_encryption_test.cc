// Field encryption, the blind index, SearchCases and key rotation against a real PostgreSQL: what
// the database holds, what a dump and the statement log show, and what happens when ciphertexts
// are moved or keys rotated while the service works.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "services/cases/case_manager.h"
#include "services/cases/export_manager.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "crypto/key_ring.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/support/test_database.h"
#include "tools/keys/rotate.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const Identity kRabat{"officer-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kRabatManager{"manager-rabat", consular::v1::ROLE_POST_MANAGER, "RABAT"};
const Identity kTunis{"officer-tunis", consular::v1::ROLE_CONSULAR_OFFICER, "TUNIS"};
const Identity kTunisManager{"manager-tunis", consular::v1::ROLE_POST_MANAGER, "TUNIS"};
const Identity kPolicy{"policy-1", consular::v1::ROLE_POLICY_STAFF, ""};

// Fixture plaintexts: none may appear in the database, a dump or the statement log.
const char kName1[] = "Fatima Zahra Alaoui";
const char kName2[] = "Yasmina Bennani";
const char kRenamed[] = "Yasmina Bennani-Tazi";
const char kSafeChannel[] = "+212 600 123456 after 20:00";
const char kCovert[] = "Brother monitors her phone";
const char kWishes[] = "Wants to return before the wedding";
const char kNote[] = "Spoke with lawyer Haddad about the passport";
const char kReason[] = "Contact made through cousin Karim";
const char kEmergencyReason[] = "Sister Yasmina called from Oujda, she is locked in";

consular::v1::Date Dob() {
  consular::v1::Date date;
  date.set_year(1998);
  date.set_month(3);
  date.set_day(14);
  return date;
}

consular::v1::CreateCaseRequest NewCase(const std::string& request_id, const std::string& name,
                                        const std::string& country = "MA") {
  consular::v1::CreateCaseRequest request;
  request.set_request_id(request_id);
  Case* c = request.mutable_case_();
  c->set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  c->set_country(country);
  c->mutable_subject()->set_full_name(name);
  *c->mutable_subject()->mutable_date_of_birth() = Dob();
  c->mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
  c->mutable_subject()->set_nationality_status(consular::v1::NATIONALITY_STATUS_DUAL);
  c->set_referral_source(consular::v1::REFERRAL_SOURCE_FAMILY);
  c->mutable_abandonment()->set_person_wishes(kWishes);
  c->mutable_safety()->set_safe_contact_channel(kSafeChannel);
  c->mutable_safety()->set_covert_notes(kCovert);
  return request;
}

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

// The fixture's personal data as it would look in plaintext: as text, and hex-encoded (the form
// bytea takes in a dump or a log), including the date of birth as serialized in a Case.
std::vector<std::string> FixtureNeedles() {
  std::vector<std::string> needles;
  for (const char* text : {kName1, kName2, kRenamed, kSafeChannel, kCovert, kWishes, kNote, kReason,
                           kEmergencyReason}) {
    needles.push_back(text);
    needles.push_back(Hex(text));
  }
  needles.push_back("1998-03-14");
  needles.push_back(Hex(Dob().SerializeAsString()));
  return needles;
}

// Runs a shell command and returns what it printed on stdout.
std::string CommandOutput(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

std::string ReadFileFrom(const std::string& path, std::streamoff offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(offset);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class FieldEncryptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    ASSERT_NE(db_, nullptr);
    old_key_ = SecretKey::Random();
    cipher_ = std::make_unique<FieldCipher>(KeyRing::Single("k1", old_key_));
    blind_index_ = std::make_unique<BlindIndex>(SecretKey::Random());
  }

  // Opens the pool lazily, so settings made on the database before it apply to every session.
  CaseManager* Manager() {
    if (manager_ == nullptr) {
      pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->dsn(), 12});
      runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
      manager_ = std::make_unique<CaseManager>(
          runner_.get(), SystemClock(),
          storage::FieldCrypto{cipher_.get(), blind_index_.get()});
    }
    return manager_.get();
  }

  absl::Time Deadline() { return absl::Now() + absl::Seconds(30); }

  Case MustCreate(const Identity& who, const std::string& name, const std::string& country = "MA") {
    Case c;
    const absl::Status status = Manager()->Create(
        who, NewCase("c-" + std::to_string(counter_++), name, country), Deadline(), &c);
    EXPECT_TRUE(status.ok()) << status;
    return c;
  }

  consular::v1::CaseNote MustNote(const Identity& who, const Case& c, const std::string& text) {
    consular::v1::AddCaseNoteRequest request;
    request.set_request_id("n-" + std::to_string(counter_++));
    request.set_case_id(c.id());
    request.set_text(text);
    consular::v1::CaseNote note;
    const absl::Status status = Manager()->AddNote(who, request, Deadline(), &note);
    EXPECT_TRUE(status.ok()) << status;
    return note;
  }

  Case MustTransition(const Identity& who, const Case& c, consular::v1::CaseStatus to,
                      const std::string& reason) {
    consular::v1::TransitionCaseRequest request;
    request.set_request_id("t-" + std::to_string(counter_++));
    request.set_case_id(c.id());
    request.set_target_status(to);
    request.set_reason(reason);
    request.set_expected_version(c.version());
    Case out;
    const absl::Status status = Manager()->Transition(who, request, Deadline(), &out);
    EXPECT_TRUE(status.ok()) << status;
    return out;
  }

  absl::Status Get(const Identity& who, const std::string& id, Case* out) {
    consular::v1::GetCaseRequest request;
    request.set_case_id(id);
    return Manager()->Get(who, request, Deadline(), out);
  }

  absl::StatusOr<consular::v1::SearchCasesResponse> Search(const Identity& who,
                                                           const std::string& name,
                                                           int page_size = 0,
                                                           const std::string& token = "") {
    consular::v1::SearchCasesRequest request;
    request.set_name(name);
    request.set_page_size(page_size);
    request.set_page_token(token);
    consular::v1::SearchCasesResponse response;
    const absl::Status status = Manager()->Search(who, request, Deadline(), &response);
    if (!status.ok()) return status;
    return response;
  }

  // Creates, updates, notes, transitions, searches and reads: every path personal data takes.
  void FullWorkload() {
    Case a = MustCreate(kRabat, kName1);
    Case b = MustCreate(kRabat, kName2);
    MustCreate(kTunis, kName1, "TN");
    consular::v1::UpdateCaseRequest update;
    update.set_request_id("u-1");
    update.mutable_case_()->set_id(b.id());
    update.mutable_case_()->mutable_subject()->set_full_name(kRenamed);
    update.mutable_update_mask()->add_paths("subject.full_name");
    update.set_expected_version(b.version());
    ASSERT_TRUE(Manager()->Update(kRabat, update, Deadline(), &b).ok());
    MustNote(kRabat, a, kNote);
    a = MustTransition(kRabat, a, consular::v1::CASE_STATUS_ACTIVE, kReason);
    // Emergency access from another post, with a reason that names people, read through it.
    consular::v1::OpenEmergencyAccessRequest open;
    open.set_request_id("emergency-1");
    open.set_case_id(a.id());
    open.set_reason(kEmergencyReason);
    consular::v1::EmergencyAccess grant;
    ASSERT_TRUE(Manager()->OpenEmergencyAccess(kTunisManager, open, Deadline(), &grant).ok());
    Case seen;
    ASSERT_TRUE(Get(kTunisManager, a.id(), &seen).ok());
    consular::v1::ListEmergencyAccessRequest review_list;
    consular::v1::ListEmergencyAccessResponse grants;
    ASSERT_TRUE(
        Manager()->ListEmergencyAccess(kRabatManager, review_list, Deadline(), &grants).ok());
    ASSERT_EQ(grants.grants_size(), 1);
    ASSERT_EQ(grants.grants(0).reason(), kEmergencyReason);
    ASSERT_EQ(Search(kRabat, kName1)->cases_size(), 1);
    ASSERT_EQ(Search(kRabat, kRenamed)->cases_size(), 1);
    Case read;
    ASSERT_TRUE(Get(kRabat, a.id(), &read).ok());
    consular::v1::ListCaseEventsRequest events;
    events.set_case_id(a.id());
    consular::v1::ListCaseEventsResponse listed;
    ASSERT_TRUE(Manager()->ListEvents(kRabat, events, Deadline(), &listed).ok());
    consular::v1::ListCaseNotesRequest notes;
    notes.set_case_id(a.id());
    consular::v1::ListCaseNotesResponse noted;
    ASSERT_TRUE(Manager()->ListNotes(kRabat, notes, Deadline(), &noted).ok());
    // A replayed mutation reads its stored (encrypted) response.
    Case replayed;
    ASSERT_TRUE(Manager()->Update(kRabat, update, Deadline(), &replayed).ok());
    EXPECT_EQ(replayed.subject().full_name(), kRenamed);
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  SecretKey old_key_;
  std::unique_ptr<FieldCipher> cipher_;
  std::unique_ptr<BlindIndex> blind_index_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  std::unique_ptr<CaseManager> manager_;
  int counter_ = 0;
};

TEST_F(FieldEncryptionTest, EverythingPersonalRoundTripsAndIsStoredEncrypted) {
  Case a = MustCreate(kRabat, kName1);
  const consular::v1::CaseNote note = MustNote(kRabat, a, kNote);
  a = MustTransition(kRabat, a, consular::v1::CASE_STATUS_ACTIVE, kReason);

  Case read;
  ASSERT_TRUE(Get(kRabat, a.reference(), &read).ok());
  EXPECT_EQ(read.subject().full_name(), kName1);
  EXPECT_EQ(read.subject().date_of_birth().SerializeAsString(), Dob().SerializeAsString());
  EXPECT_EQ(read.safety().covert_notes(), kCovert);
  EXPECT_EQ(read.abandonment().person_wishes(), kWishes);

  consular::v1::ListCaseNotesRequest notes;
  notes.set_case_id(a.id());
  consular::v1::ListCaseNotesResponse noted;
  ASSERT_TRUE(Manager()->ListNotes(kRabat, notes, Deadline(), &noted).ok());
  ASSERT_EQ(noted.notes_size(), 1);
  EXPECT_EQ(noted.notes(0).text(), kNote);

  consular::v1::ListCaseEventsRequest events;
  events.set_case_id(a.id());
  consular::v1::ListCaseEventsResponse listed;
  ASSERT_TRUE(Manager()->ListEvents(kRabat, events, Deadline(), &listed).ok());
  ASSERT_EQ(listed.events_size(), 3);
  EXPECT_EQ(listed.events(2).reason(), kReason);

  // In the database: ciphertexts under k1, the reason out of the JSON payload.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases WHERE "
                             "substring(personal from 3 for get_byte(personal, 1)) = 'k1'"),
            "1");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.case_events WHERE payload ? 'reason'"),
            "0");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.case_events WHERE reason IS NOT NULL"),
            "1");
  EXPECT_EQ(db_->QueryScalar("SELECT octet_length(subject_name_bidx) FROM cases.cases"), "32");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.idempotency WHERE response IS NOT NULL"),
            "3");
  // The database refuses plaintext where a ciphertext belongs.
  EXPECT_THROW(db_->QueryScalar(absl::StrCat("UPDATE cases.case_notes SET body = '", kNote,
                                             "'::bytea WHERE id = '", note.id(), "'")),
               std::runtime_error);
}

TEST_F(FieldEncryptionTest, MovedCiphertextFailsWithAGenericInternalError) {
  const Case a = MustCreate(kRabat, kName1);
  const Case b = MustCreate(kRabat, kName2);
  const Case c = MustCreate(kRabat, "Third Person");
  const Case d = MustCreate(kRabat, "Fourth Person");
  const consular::v1::CaseNote note_c = MustNote(kRabat, c, "Note on the third case");
  MustTransition(kRabat, a, consular::v1::CASE_STATUS_ACTIVE, kReason);
  MustTransition(kRabat, d, consular::v1::CASE_STATUS_ACTIVE, "Fourth reason");

  // Copy a's personal bytes onto b's row: b must not read as a's person.
  db_->QueryScalar(absl::StrCat(
      "UPDATE cases.cases SET personal = (SELECT personal FROM cases.cases WHERE id = '", a.id(),
      "') WHERE id = '", b.id(), "'"));
  Case read;
  absl::Status status = Get(kRabat, b.id(), &read);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), StartsWith("internal error"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("Fatima")));
  EXPECT_EQ(read.subject().full_name(), "");
  consular::v1::ListCasesRequest list;
  consular::v1::ListCasesResponse listed;
  EXPECT_EQ(Manager()->List(kRabat, list, Deadline(), &listed).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(listed.cases_size(), 0);
  ASSERT_TRUE(Get(kRabat, a.id(), &read).ok());  // the original still reads
  EXPECT_EQ(read.subject().full_name(), kName1);

  // Copy a's personal bytes into c's note: the note does not read as anything.
  db_->QueryScalar(absl::StrCat(
      "UPDATE cases.case_notes SET body = (SELECT personal FROM cases.cases WHERE id = '", a.id(),
      "') WHERE id = '", note_c.id(), "'"));
  ASSERT_TRUE(Get(kRabat, c.id(), &read).ok());  // the case itself still reads
  consular::v1::ListCaseNotesRequest notes;
  notes.set_case_id(c.id());
  consular::v1::ListCaseNotesResponse noted;
  status = Manager()->ListNotes(kRabat, notes, Deadline(), &noted);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(noted.notes_size(), 0);

  // Copy a's transition reason onto d's transition.
  db_->QueryScalar(absl::StrCat(
      "UPDATE cases.case_events SET reason = (SELECT reason FROM cases.case_events WHERE case_id = "
      "'",
      a.id(), "' AND reason IS NOT NULL) WHERE case_id = '", d.id(), "' AND reason IS NOT NULL"));
  ASSERT_TRUE(Get(kRabat, d.id(), &read).ok());
  consular::v1::ListCaseEventsRequest events;
  events.set_case_id(d.id());
  consular::v1::ListCaseEventsResponse listed_events;
  status = Manager()->ListEvents(kRabat, events, Deadline(), &listed_events);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("Karim")));

  // A stored response moved to another request: the replay fails instead of answering it.
  consular::v1::CreateCaseRequest first = NewCase("replay-1", kName1);
  consular::v1::CreateCaseRequest second = NewCase("replay-2", kName2);
  Case created;
  ASSERT_TRUE(Manager()->Create(kRabat, first, Deadline(), &created).ok());
  ASSERT_TRUE(Manager()->Create(kRabat, second, Deadline(), &created).ok());
  db_->QueryScalar(
      "UPDATE cases.idempotency SET response = (SELECT response FROM cases.idempotency "
      "WHERE request_id = 'replay-1') WHERE request_id = 'replay-2'");
  Case replayed;
  EXPECT_EQ(Manager()->Create(kRabat, second, Deadline(), &replayed).code(),
            absl::StatusCode::kInternal);
  EXPECT_NE(replayed.subject().full_name(), kName1);
}

TEST_F(FieldEncryptionTest, AlteredOrUnknownKeyIdFails) {
  const Case a = MustCreate(kRabat, kName1);
  // The key id in the ciphertext relabelled from k1 to k2 ...
  db_->QueryScalar(absl::StrCat(
      "UPDATE cases.cases SET personal = overlay(personal placing convert_to('2', 'UTF8') "
      "from 4 for 1) WHERE id = '",
      a.id(), "'"));
  EXPECT_EQ(db_->QueryScalar("SELECT convert_from(substring(personal from 3 for 2), 'UTF8') "
                             "FROM cases.cases"),
            "k2");
  Case read;
  EXPECT_EQ(Get(kRabat, a.id(), &read).code(), absl::StatusCode::kInternal);

  // ... fails also for a ring where k2 exists and holds the very same bytes as k1: the key id is
  // bound by the associated data.
  absl::StatusOr<KeyRing> ring = KeyRing::Single("k1", old_key_).WithNewActiveKey("k2", old_key_);
  ASSERT_TRUE(ring.ok());
  const FieldCipher same_bytes(*ring);
  CaseManager relabelled(
      runner_.get(), SystemClock(),
      storage::FieldCrypto{&same_bytes, blind_index_.get()});
  consular::v1::GetCaseRequest get;
  get.set_case_id(a.id());
  EXPECT_EQ(relabelled.Get(kRabat, get, Deadline(), &read).code(), absl::StatusCode::kInternal);

  // A ring without the key a value was made with cannot read it.
  const Case b = MustCreate(kRabat, kName2);
  const FieldCipher stranger(KeyRing::Single("k9", SecretKey::Random()));
  CaseManager without_key(
      runner_.get(), SystemClock(),
      storage::FieldCrypto{&stranger, blind_index_.get()});
  get.set_case_id(b.id());
  const absl::Status status = without_key.Get(kRabat, get, Deadline(), &read);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), StartsWith("internal error"));
}

TEST_F(FieldEncryptionTest, SearchFoldsAccentsCaseAndSpacingAndStaysInScope) {
  const Case r1 = MustCreate(kRabat, "José María García");
  const Case r2 = MustCreate(kRabat, "Jose Maria Garcia");
  MustCreate(kRabat, "Jose Maria Garcias");
  const Case t1 = MustCreate(kTunis, "JOSÉ  MARÍA  GARCÍA", "TN");

  for (const char* query : {"jose maria garcia", "  JOSÉ   maría garcía ", "Jose Maria Garcia"}) {
    absl::StatusOr<consular::v1::SearchCasesResponse> found = Search(kRabat, query);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_EQ(found->cases_size(), 2) << query;
    for (const Case& c : found->cases()) {
      EXPECT_EQ(c.handling_post(), "RABAT");
      EXPECT_NE(c.id(), t1.id());
    }
    // Newest first, like ListCases.
    EXPECT_EQ(found->cases(0).id(), r2.id());
    EXPECT_EQ(found->cases(1).id(), r1.id());
  }
  absl::StatusOr<consular::v1::SearchCasesResponse> tunis = Search(kTunis, "jose maria garcia");
  ASSERT_TRUE(tunis.ok());
  ASSERT_EQ(tunis->cases_size(), 1);
  EXPECT_EQ(tunis->cases(0).id(), t1.id());
  EXPECT_EQ(Search(kRabat, "Maria Garcia")->cases_size(), 0);  // exact match only

  // Pages, with a token bound to the name.
  absl::StatusOr<consular::v1::SearchCasesResponse> page1 = Search(kRabat, "jose maria garcia", 1);
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->cases_size(), 1);
  ASSERT_FALSE(page1->next_page_token().empty());
  absl::StatusOr<consular::v1::SearchCasesResponse> page2 =
      Search(kRabat, "JOSE MARIA GARCIA", 1, page1->next_page_token());
  ASSERT_TRUE(page2.ok()) << page2.status();
  ASSERT_EQ(page2->cases_size(), 1);
  EXPECT_EQ(page2->cases(0).id(), r1.id());
  EXPECT_TRUE(page2->next_page_token().empty());
  EXPECT_EQ(Search(kRabat, "someone else", 1, page1->next_page_token()).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Validation and roles.
  EXPECT_EQ(Search(kRabat, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(Search(kRabat, "   ").status().message()), StartsWith("name:"));
  EXPECT_EQ(Search(kRabat, std::string(201, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Search(kPolicy, "jose maria garcia").status().code(),
            absl::StatusCode::kPermissionDenied);

  // Renaming moves the case to its new name.
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("rename");
  update.mutable_case_()->set_id(r1.id());
  update.mutable_case_()->mutable_subject()->set_full_name("Josefina Garcia");
  update.mutable_update_mask()->add_paths("subject.full_name");
  update.set_expected_version(r1.version());
  Case renamed;
  ASSERT_TRUE(Manager()->Update(kRabatManager, update, Deadline(), &renamed).ok());
  EXPECT_EQ(Search(kRabat, "jose maria garcia")->cases_size(), 1);
  ASSERT_EQ(Search(kRabat, "JOSEFINA GARCÍA")->cases_size(), 1);
}

TEST_F(FieldEncryptionTest, DumpOfTheDatabaseHoldsNoPersonalData) {
  FullWorkload();
  const std::string dump = CommandOutput(absl::StrCat(
      "/usr/lib/postgresql/15/bin/pg_dump --no-owner '--dbname=", db_->dsn(), "' 2>&1"));
  // The dump is real: it has the case rows.
  ASSERT_THAT(dump, HasSubstr("COPY cases.cases"));
  ASSERT_THAT(dump, HasSubstr("ABN-"));
  ASSERT_THAT(dump, HasSubstr("COPY cases.case_notes"));
  ASSERT_THAT(dump, HasSubstr("COPY cases.emergency_access"));
  for (const std::string& needle : FixtureNeedles()) {
    EXPECT_THAT(dump, Not(HasSubstr(needle))) << "the dump holds " << needle;
  }
}

// The server's log file: pg_current_logfile() when the logging collector runs, else the file
// ops/pg.sh (DIR/postgres.log beside DIR/data) or a plain `pg_ctl -l DIR/log` writes.
std::string ServerLogFile(const consular::testing::TestDatabase& db) {
  const std::string data = db.AdminQueryScalar("SELECT current_setting('data_directory')");
  std::vector<std::string> candidates;
  const std::string current = db.AdminQueryScalar("SELECT pg_current_logfile()");
  if (!current.empty()) {
    candidates.push_back(current[0] == '/' ? current : absl::StrCat(data, "/", current));
  }
  if (const char* env = std::getenv("CONSULAR_TEST_PG_LOG"); env != nullptr && *env != '\0') {
    candidates.push_back(env);
  }
  candidates.push_back(absl::StrCat(data, "/../postgres.log"));
  candidates.push_back(absl::StrCat(data, "/../log"));
  for (const std::string& path : candidates) {
    if (std::ifstream(path).good()) return path;
  }
  return "";
}

TEST_F(FieldEncryptionTest, StatementLogHoldsNoPersonalData) {
  db_->AdminQueryScalar(absl::StrCat("ALTER DATABASE ", db_->name(), " SET log_statement = 'all'"));
  const std::string log_path = ServerLogFile(*db_);
  ASSERT_FALSE(log_path.empty())
      << "cannot find the PostgreSQL server log; set CONSULAR_TEST_PG_LOG to its path";
  std::streamoff start = 0;
  {
    std::ifstream in(log_path, std::ios::binary | std::ios::ate);
    start = in.tellg();
  }
  const std::string marker = absl::StrCat("log-marker-", db_->name());
  db_->QueryScalar(absl::StrCat("SELECT '", marker, "'"));

  FullWorkload();

  // Statements are logged asynchronously to the file; wait (bounded) for the last ones.
  std::string log;
  const std::string last = "SELECT 'log-end-" + db_->name() + "'";
  db_->QueryScalar(last);
  for (int i = 0; i < 100; ++i) {
    log = ReadFileFrom(log_path, start);
    if (log.find(last) != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  // The log is real: it has this test's statements, with parameters.
  ASSERT_THAT(log, HasSubstr(marker));
  ASSERT_THAT(log, HasSubstr("INSERT INTO cases.cases"));
  ASSERT_THAT(log, HasSubstr("INSERT INTO cases.case_notes"));
  ASSERT_THAT(log, HasSubstr("parameters: $1 = "));
  for (const std::string& needle : FixtureNeedles()) {
    EXPECT_THAT(log, Not(HasSubstr(needle))) << "the statement log holds " << needle;
  }
}

TEST_F(FieldEncryptionTest, RotationUnderLoadMovesEverythingToTheNewKey) {
  // Fixture written under k1.
  constexpr int kCases = 24;
  std::vector<Case> cases;
  for (int i = 0; i < kCases; ++i) {
    Case c = MustCreate(kRabat, absl::StrCat("Person ", i));
    MustNote(kRabat, c, absl::StrCat("note ", i));
    Case active =
        MustTransition(kRabat, c, consular::v1::CASE_STATUS_ACTIVE, absl::StrCat("reason ", i));
    if (i < 4) {
      // The history of a safety change (old and new values) is encrypted too.
      consular::v1::UpdateCaseRequest update;
      update.set_request_id(absl::StrCat("safety-", i));
      update.mutable_case_()->set_id(active.id());
      update.mutable_case_()->mutable_safety()->set_safe_contact_times("weekday mornings");
      update.mutable_update_mask()->add_paths("safety.safe_contact_times");
      update.set_expected_version(active.version());
      update.set_reason(absl::StrCat("reason ", i, ": the person asked"));
      const absl::Status status = Manager()->Update(kRabat, update, Deadline(), &active);
      ASSERT_TRUE(status.ok()) << status;
    }
    cases.push_back(active);
  }
  // Emergency access reasons are encrypted too.
  for (int i = 0; i < 3; ++i) {
    consular::v1::OpenEmergencyAccessRequest open;
    open.set_request_id(absl::StrCat("emergency-", i));
    open.set_case_id(cases[i].id());
    open.set_reason(absl::StrCat("emergency reason ", i));
    consular::v1::EmergencyAccess grant;
    const absl::Status status =
        Manager()->OpenEmergencyAccess(kTunisManager, open, Deadline(), &grant);
    ASSERT_TRUE(status.ok()) << status;
  }
  // So are the reasons of emergency searches.
  {
    consular::v1::EmergencySearchRequest search;
    search.set_full_name("Person 0");
    search.mutable_date_of_birth()->set_year(1990);
    search.mutable_date_of_birth()->set_month(1);
    search.mutable_date_of_birth()->set_day(1);
    search.set_reason("emergency search reason");
    consular::v1::EmergencySearchResponse found;
    const absl::Status status =
        Manager()->EmergencySearch(kTunisManager, search, Deadline(), &found);
    ASSERT_TRUE(status.ok()) << status;
  }
  // And the note of a subject-access request and the file of an approved export.
  cases::ExportManager exports(runner_.get(), SystemClock(),
                               storage::FieldCrypto{cipher_.get(), blind_index_.get()});
  consular::v1::Export export_request;
  {
    consular::v1::RequestSubjectAccessRequest sar;
    sar.set_request_id("sar-1");
    sar.set_case_id(cases[0].id());
    sar.set_language("en");
    sar.set_note("subject access note");
    consular::v1::SubjectAccessRequest made;
    absl::Status status = exports.RequestSubjectAccess(kRabat, sar, Deadline(), &made);
    ASSERT_TRUE(status.ok()) << status;
    consular::v1::RequestExportRequest request;
    request.set_request_id("export-1");
    request.set_legal_basis("Court order 2026/1, art. 6(1)(c) GDPR");
    request.set_recipient("Court");
    request.set_purpose("Proceedings");
    status = exports.RequestExport(kRabat, request, Deadline(), &export_request);
    ASSERT_TRUE(status.ok()) << status;
    consular::v1::AnswerExportRequest answer;
    answer.set_request_id("export-answer-1");
    answer.set_export_id(export_request.id());
    answer.set_decision(consular::v1::EXPORT_DECISION_APPROVE);
    answer.set_password("a password of some length");
    answer.set_expiry_days(2);
    answer.set_downloads_allowed(2);
    consular::v1::Export approved;
    status = exports.AnswerExport(kRabatManager, answer, Deadline(), &approved);
    ASSERT_TRUE(status.ok()) << status;
  }
  const std::string versions_before = db_->QueryScalar(
      "SELECT string_agg(id::text || ':' || version || ':' || updated_at, ',' "
      "ORDER BY id) FROM cases.cases");
  const std::string events_before = db_->QueryScalar("SELECT count(*) FROM cases.case_events");

  // The service now runs with k2 active (k1 kept for reading); rotation runs beside it.
  const SecretKey new_key = SecretKey::Random();
  absl::StatusOr<KeyRing> ring = KeyRing::Single("k1", old_key_).WithNewActiveKey("k2", new_key);
  ASSERT_TRUE(ring.ok());
  const FieldCipher rotated_cipher(*ring);
  CaseManager service(
      runner_.get(), SystemClock(),
      storage::FieldCrypto{&rotated_cipher, blind_index_.get()});

  std::atomic<bool> rotation_done{false};
  std::atomic<int> reads{0};
  std::atomic<int> read_failures{0};
  std::atomic<int> writes{0};
  std::atomic<int> write_failures{0};
  std::vector<std::string> written_cases[2];
  std::vector<std::thread> threads;
  // Two writers: new cases with notes and transitions. Two readers: every fixture case, its notes
  // and its timeline, again and again. Bounded in count; they stop when rotation is done.
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 200 && !rotation_done.load(); ++i) {
        Case c;
        absl::Status s = service.Create(
            kRabat, NewCase(absl::StrCat("w", w, "-", i), absl::StrCat("Writer ", w, " ", i)),
            Deadline(), &c);
        if (s.ok()) {
          consular::v1::AddCaseNoteRequest note;
          note.set_request_id(absl::StrCat("wn", w, "-", i));
          note.set_case_id(c.id());
          note.set_text(absl::StrCat("writer note ", w, " ", i));
          consular::v1::CaseNote added;
          s = service.AddNote(kRabat, note, Deadline(), &added);
        }
        if (s.ok()) written_cases[w].push_back(c.id());
        (s.ok() ? writes : write_failures)++;
        if (!s.ok()) ADD_FAILURE() << "write failed during rotation: " << s;
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      for (int round = 0; round < 200 && !rotation_done.load(); ++round) {
        for (const Case& c : cases) {
          consular::v1::GetCaseRequest get;
          get.set_case_id(c.id());
          Case read;
          absl::Status s = service.Get(kRabat, get, Deadline(), &read);
          if (s.ok() && read.subject().full_name() != c.subject().full_name()) {
            s = absl::DataLossError("wrong name");
          }
          consular::v1::ListCaseEventsRequest events;
          events.set_case_id(c.id());
          consular::v1::ListCaseEventsResponse listed;
          if (s.ok()) s = service.ListEvents(kRabat, events, Deadline(), &listed);
          if (s.ok() && listed.events(listed.events_size() - 1).reason().rfind("reason ", 0) != 0) {
            s = absl::DataLossError("wrong reason");
          }
          (s.ok() ? reads : read_failures)++;
          if (!s.ok()) ADD_FAILURE() << "read failed during rotation: " << s;
        }
      }
    });
  }

  keys::RotationOptions options;
  options.batch_size = 5;
  absl::StatusOr<std::vector<keys::ColumnRotation>> report =
      keys::RotateFieldKeys(runner_.get(), rotated_cipher, options);
  rotation_done = true;
  for (std::thread& t : threads) t.join();

  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->size(), keys::AllSealedColumns().size());
  // Every store's columns, in the order consular-keys has always printed them.
  std::vector<std::string> names;
  for (const keys::ColumnRotation& column : *report) names.push_back(column.column);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "cases.cases.personal", "cases.case_notes.body", "cases.case_events.reason",
                       "cases.case_events.changes", "cases.idempotency.response",
                       "cases.emergency_access.reason", "cases.emergency_searches.reason",
                       "contacts.partners.contact_details", "contacts.partners.vetting_note",
                       "contacts.partners.deactivation_reason", "contacts.idempotency.response",
                       "contacts.contacts.ad_hoc", "contacts.contacts.note",
                       "stats.idempotency.response", "cases.subject_access_requests.request_note",
                       "cases.exports.file"}));
  int64_t rotated = 0;
  for (const keys::ColumnRotation& column : *report) {
    EXPECT_EQ(column.remaining, 0) << column.column;
    EXPECT_TRUE(column.failed.empty()) << column.column;
    rotated += column.rotated;
  }
  // At least the fixture: per case its row, note, reason and three responses.
  EXPECT_GE(rotated, 6 * kCases);
  EXPECT_EQ(read_failures.load(), 0);
  EXPECT_EQ(write_failures.load(), 0);
  EXPECT_GT(reads.load(), 0);

  // Every stored value is now under k2.
  for (const auto& [table, column] :
       std::vector<std::pair<std::string, std::string>>{{"cases.cases", "personal"},
                                                        {"cases.case_notes", "body"},
                                                        {"cases.case_events", "reason"},
                                                        {"cases.case_events", "changes"},
                                                        {"cases.idempotency", "response"},
                                                        {"cases.emergency_access", "reason"},
                                                        {"cases.emergency_searches", "reason"},
                                                        {"cases.subject_access_requests",
                                                         "request_note"},
                                                        {"cases.exports", "file"}}) {
    EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT count(*) FROM ", table, " WHERE ", column,
                                            " IS NOT NULL AND substring(", column,
                                            " from 3 for get_byte(", column, ", 1)) <> 'k2'")),
              "0")
        << table;
  }
  // The export's file, re-sealed under k2, still downloads for a service with the new ring.
  {
    cases::ExportManager rotated_exports(runner_.get(), SystemClock(),
                                         storage::FieldCrypto{&rotated_cipher, blind_index_.get()});
    consular::v1::DownloadExportRequest download;
    download.set_request_id("download-1");
    download.set_export_id(export_request.id());
    consular::v1::ExportFile file;
    const absl::Status status = rotated_exports.DownloadExport(kRabat, download, Deadline(), &file);
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_EQ(file.content().substr(0, 2), "PK");
  }
  // Rotation bumped no version, changed no time and wrote no event.
  std::string fixture_ids;
  for (const Case& c : cases)
    absl::StrAppend(&fixture_ids, fixture_ids.empty() ? "" : ",", "'", c.id(), "'");
  EXPECT_EQ(
      db_->QueryScalar(absl::StrCat(
          "SELECT string_agg(id::text || ':' || version || ':' || updated_at, ',' ORDER BY id) "
          "FROM cases.cases WHERE id IN (",
          fixture_ids, ")")),
      versions_before);
  EXPECT_EQ(std::stoll(db_->QueryScalar("SELECT count(*) FROM cases.case_events")),
            std::stoll(events_before) + 2 * writes.load());

  // Nothing lost: a ring with only the new key reads every case, note and reason.
  const FieldCipher new_only(KeyRing::Single("k2", new_key));
  CaseManager after(
      runner_.get(), SystemClock(),
      storage::FieldCrypto{&new_only, blind_index_.get()});
  for (const Case& c : cases) {
    consular::v1::GetCaseRequest get;
    get.set_case_id(c.id());
    Case read;
    ASSERT_TRUE(after.Get(kRabat, get, Deadline(), &read).ok());
    EXPECT_EQ(read.subject().full_name(), c.subject().full_name());
    consular::v1::ListCaseNotesRequest notes;
    notes.set_case_id(c.id());
    consular::v1::ListCaseNotesResponse noted;
    ASSERT_TRUE(after.ListNotes(kRabat, notes, Deadline(), &noted).ok());
    ASSERT_EQ(noted.notes_size(), 1);
    consular::v1::ListCaseEventsRequest events;
    events.set_case_id(c.id());
    consular::v1::ListCaseEventsResponse listed;
    ASSERT_TRUE(after.ListEvents(kRabat, events, Deadline(), &listed).ok());
    EXPECT_EQ(listed.events(2).reason().rfind("reason ", 0), 0u);
  }
  for (const auto& ids : written_cases) {
    for (const std::string& id : ids) {
      consular::v1::GetCaseRequest get;
      get.set_case_id(id);
      Case read;
      EXPECT_TRUE(after.Get(kRabat, get, Deadline(), &read).ok());
    }
  }
  // A second run finds nothing to do.
  absl::StatusOr<std::vector<keys::ColumnRotation>> again =
      keys::RotateFieldKeys(runner_.get(), rotated_cipher, options);
  ASSERT_TRUE(again.ok());
  for (const keys::ColumnRotation& column : *again) EXPECT_EQ(column.rotated, 0) << column.column;
}

struct ToolRun {
  int exit_code = -1;
  std::string output;
};

ToolRun RunKeysTool(const std::string& args) {
  ToolRun run;
  const std::string command = absl::StrCat(CONSULAR_KEYS_BIN, " ", args, " 2>&1");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST_F(FieldEncryptionTest, KeysToolMakesKeyFilesAndRotatesADatabase) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/keys_tool_", db_->name());
  ASSERT_EQ(std::system(absl::StrCat("rm -rf '", dir, "' && mkdir -p '", dir, "'").c_str()), 0);
  const std::string ring_path = dir + "/field-keys";
  const std::string index_path = dir + "/blind-index.key";

  ToolRun run = RunKeysTool(absl::StrCat("generate --out ", ring_path, " --id first"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  struct stat info {};
  ASSERT_EQ(::stat(ring_path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::vector<std::string> warnings;
  absl::StatusOr<KeyRing> ring = LoadKeyRingFile(ring_path, &warnings);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->active_id(), "first");
  EXPECT_TRUE(warnings.empty());

  // Data written under "first" ...
  cipher_ = std::make_unique<FieldCipher>(*ring);
  const Case a = MustCreate(kRabat, kName1);
  MustNote(kRabat, a, kNote);

  // ... then a second key, active, the first kept.
  run = RunKeysTool(absl::StrCat("generate --out ", ring_path, " --id second"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("consular-keys rotate"));
  ring = LoadKeyRingFile(ring_path, nullptr);
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(ring->ids(), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(ring->active_id(), "second");
  EXPECT_EQ(RunKeysTool(absl::StrCat("generate --out ", ring_path, " --id second")).exit_code, 2);

  run = RunKeysTool(absl::StrCat("rotate --dsn '", db_->dsn(), "' --field-keys ", ring_path));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("cases.cases.personal"));
  EXPECT_THAT(run.output, HasSubstr("rotated 1, left on old keys 0"));
  EXPECT_EQ(db_->QueryScalar("SELECT convert_from(substring(personal from 3 for 6), 'UTF8') "
                             "FROM cases.cases"),
            "second");
  run = RunKeysTool(absl::StrCat("rotate --dsn '", db_->dsn(), "' --field-keys ", ring_path));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, Not(HasSubstr("rotated 1")));

  // A value that does not decrypt is reported, left alone, and the run does not claim success.
  // (Relabelled from "second" to "first": an old key, but the associated data no longer fits.)
  db_->QueryScalar(
      "UPDATE cases.cases SET personal = overlay(personal placing "
      "'\\x05'::bytea || convert_to('first', 'UTF8') from 2 for 7)");
  run = RunKeysTool(
      absl::StrCat("rotate --dsn '", db_->dsn(), "' --field-keys ", ring_path, " --max-wait 0"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("do not decrypt"));
  EXPECT_THAT(run.output, HasSubstr(a.id()));
  EXPECT_THAT(run.output, Not(HasSubstr("Fatima")));

  run = RunKeysTool(absl::StrCat("blind-index-key --out ", index_path));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(LoadBlindIndexKeyFile(index_path, *ring, nullptr).ok());
  EXPECT_EQ(RunKeysTool(absl::StrCat("blind-index-key --out ", index_path)).exit_code, 2);
  EXPECT_EQ(
      RunKeysTool(absl::StrCat("rotate --dsn '", db_->dsn(), "' --field-keys ", dir, "/missing"))
          .exit_code,
      2);
  std::system(absl::StrCat("rm -rf '", dir, "'").c_str());
}

}  // namespace
}  // namespace consular::cases

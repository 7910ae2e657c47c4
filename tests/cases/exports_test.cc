// Exports under two keys (ExportManager) against a real PostgreSQL database, as the service's own
// database role so that row-level security applies: subject access (GDPR art. 15) and bulk
// exports protected by a password (AES-256 ZIP) or an OpenPGP key. One fresh database per test.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <zip.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/clock.h"
#include "services/cases/case_manager.h"
#include "services/cases/export_manager.h"
#include "services/contacts/contacts_manager.h"
#include "storage/connection_pool.h"
#include "storage/row_security.h"
#include "storage/transaction_runner.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::Export;
using consular::v1::ExportFile;
using consular::v1::SubjectAccessRequest;
using google::protobuf::util::TimeUtil;

const Identity kRabatOfficer{"officer-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kRabatOfficer2{"officer2-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kRabatManager{"manager-rabat", consular::v1::ROLE_POST_MANAGER, "RABAT"};
const Identity kRabatManager2{"manager2-rabat", consular::v1::ROLE_POST_MANAGER, "RABAT"};
const Identity kTunisManager{"manager-tunis", consular::v1::ROLE_POST_MANAGER, "TUNIS"};
const Identity kTunisOfficer{"officer-tunis", consular::v1::ROLE_CONSULAR_OFFICER, "TUNIS"};
const Identity kLkha1{"lkha-1", consular::v1::ROLE_LKHA_CASEWORKER, ""};
const Identity kLkha2{"lkha-2", consular::v1::ROLE_LKHA_CASEWORKER, ""};
const Identity kPolicy{"policy-1", consular::v1::ROLE_POLICY_STAFF, ""};

constexpr char kPassword[] = "correct horse battery staple";
constexpr char kCovert[] = "Husband reads her text messages at night";
constexpr char kCodeWord[] = "tulipfield";
constexpr char kChildName[] = "Yasmin Childname";
constexpr char kChildPassport[] = "CHILD99887";
constexpr char kOwnPassport[] = "NX1234567";
constexpr char kNoteText[] = "She asked for help with a new passport";
constexpr char kContactName[] = "Advocate Haddad";
constexpr char kLegalBasis[] = "Art. 6(1)(c) GDPR: court order 2026/113 of the district court";

std::string ZipEntry(const std::string& archive, const std::string& password,
                     const std::string& name, bool* opened) {
  *opened = false;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(archive.data(), archive.size(), 0, &error);
  zip_t* zip = source == nullptr ? nullptr : zip_open_from_source(source, ZIP_RDONLY, &error);
  zip_error_fini(&error);
  if (zip == nullptr) {
    if (source != nullptr) zip_source_free(source);
    return "";
  }
  std::string out;
  zip_file_t* file = zip_fopen_encrypted(zip, name.c_str(), 0, password.c_str());
  if (file != nullptr) {
    char buffer[8192];
    zip_int64_t n = 0;
    bool failed = false;
    while ((n = zip_fread(file, buffer, sizeof buffer)) > 0) out.append(buffer, n);
    if (n < 0) failed = true;
    // AES entries carry a MAC: a wrong password fails at open or at close.
    if (zip_fclose(file) != 0) failed = true;
    *opened = !failed;
  }
  zip_discard(zip);
  return *opened ? out : "";
}

// Runs `command` with /bin/sh; returns its exit status and fills `output` with its stdout.
int RunCommand(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  if (output != nullptr) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class ExportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    ASSERT_NE(db_, nullptr);
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 8});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    cases_ = std::make_unique<CaseManager>(runner_.get(), clock_, keys_.crypto());
    contacts_ = std::make_unique<contacts::ContactsManager>(runner_.get(), clock_, keys_.crypto());
    exports_ = std::make_unique<ExportManager>(runner_.get(), clock_, keys_.crypto());
  }

  absl::Time Deadline() { return absl::Now() + absl::Seconds(30); }

  // A case with everything a subject-access export must keep or leave out.
  Case NewCase(const Identity& who, const std::string& request_id, const std::string& name,
               consular::v1::CaseType type = consular::v1::CASE_TYPE_ABANDONMENT,
               const std::string& country = "MA") {
    consular::v1::CreateCaseRequest request;
    request.set_request_id(request_id);
    Case* c = request.mutable_case_();
    c->set_type(type);
    c->set_country(country);
    c->mutable_subject()->set_full_name(name);
    c->mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
    c->mutable_subject()->set_nationality_status(consular::v1::NATIONALITY_STATUS_DUAL);
    c->set_referral_source(consular::v1::REFERRAL_SOURCE_SELF);
    c->mutable_safety()->set_safe_contact_channel("+212 600 000 111 (her aunt's phone)");
    c->mutable_safety()->set_safe_contact_times("weekdays 10-12");
    c->mutable_safety()->set_covert_notes(kCovert);
    c->mutable_safety()->set_code_word(kCodeWord);
    consular::v1::Person* child = c->add_persons();
    child->set_id("6f1c1c52-5f0e-4b7a-9a53-0c4a4c2b1f00");
    child->set_role(consular::v1::PERSON_ROLE_CHILD);
    child->set_full_name(kChildName);
    consular::v1::TravelDocument* own = c->add_documents();
    own->set_type(consular::v1::TRAVEL_DOCUMENT_TYPE_PASSPORT);
    own->set_number(kOwnPassport);
    own->set_status(consular::v1::DOCUMENT_STATUS_WITHHELD);
    own->set_withheld_by("her husband");
    consular::v1::TravelDocument* childs = c->add_documents();
    childs->set_holder_person_id(child->id());
    childs->set_type(consular::v1::TRAVEL_DOCUMENT_TYPE_PASSPORT);
    childs->set_number(kChildPassport);
    childs->set_status(consular::v1::DOCUMENT_STATUS_HELD_BY_PERSON);
    Case created;
    const absl::Status status = cases_->Create(who, request, Deadline(), &created);
    EXPECT_TRUE(status.ok()) << status;
    return created;
  }

  void AddNote(const Identity& who, const Case& c, const std::string& request_id) {
    consular::v1::AddCaseNoteRequest request;
    request.set_request_id(request_id);
    request.set_case_id(c.id());
    request.set_text(kNoteText);
    consular::v1::CaseNote note;
    ASSERT_TRUE(cases_->AddNote(who, request, Deadline(), &note).ok());
  }

  void LogContact(const Identity& who, const Case& c, const std::string& request_id) {
    consular::v1::LogContactRequest request;
    request.set_request_id(request_id);
    consular::v1::Contact* contact = request.mutable_contact();
    contact->set_case_id(c.id());
    contact->mutable_ad_hoc()->set_name(kContactName);
    contact->mutable_ad_hoc()->set_phone("+212 522 000 000");
    *contact->mutable_occurred_at() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_.Now() - absl::Hours(1)));
    contact->set_channel(consular::v1::CONTACT_CHANNEL_PHONE);
    contact->set_direction(consular::v1::CONTACT_DIRECTION_OUTGOING);
    contact->set_purpose(consular::v1::CONTACT_PURPOSE_LEGAL_ADVICE);
    contact->set_outcome(consular::v1::CONTACT_OUTCOME_HELP_AGREED);
    contact->set_note("Haddad charges 300 euro");
    consular::v1::Contact logged;
    const absl::Status status = contacts_->LogContact(who, request, Deadline(), &logged);
    ASSERT_TRUE(status.ok()) << status;
  }

  absl::Status RequestExport(const Identity& who, const std::string& request_id, Export* out,
                             consular::v1::CaseType type = consular::v1::CASE_TYPE_UNSPECIFIED) {
    consular::v1::RequestExportRequest request;
    request.set_request_id(request_id);
    request.mutable_filter()->set_type(type);
    request.set_legal_basis(kLegalBasis);
    request.set_recipient("District court of The Hague");
    request.set_purpose("Proceedings on the recognition of a divorce");
    return exports_->RequestExport(who, request, Deadline(), out);
  }

  absl::Status ApproveWithPassword(const Identity& who, const std::string& request_id,
                                   const std::string& export_id, Export* out, int days = 7,
                                   int downloads = 3) {
    consular::v1::AnswerExportRequest request;
    request.set_request_id(request_id);
    request.set_export_id(export_id);
    request.set_decision(consular::v1::EXPORT_DECISION_APPROVE);
    request.set_password(kPassword);
    request.set_expiry_days(days);
    request.set_downloads_allowed(downloads);
    return exports_->AnswerExport(who, request, Deadline(), out);
  }

  absl::Status Refuse(const Identity& who, const std::string& request_id,
                      const std::string& export_id, Export* out) {
    consular::v1::AnswerExportRequest request;
    request.set_request_id(request_id);
    request.set_export_id(export_id);
    request.set_decision(consular::v1::EXPORT_DECISION_REFUSE);
    request.set_reason("No legal ground for handing this over");
    return exports_->AnswerExport(who, request, Deadline(), out);
  }

  absl::Status Download(const Identity& who, const std::string& request_id,
                        const std::string& export_id, ExportFile* out) {
    consular::v1::DownloadExportRequest request;
    request.set_request_id(request_id);
    request.set_export_id(export_id);
    return exports_->DownloadExport(who, request, Deadline(), out);
  }

  absl::Status RequestSar(const Identity& who, const std::string& request_id, const Case& c,
                          SubjectAccessRequest* out, const std::string& language = "en") {
    consular::v1::RequestSubjectAccessRequest request;
    request.set_request_id(request_id);
    request.set_case_id(c.reference());
    request.set_language(language);
    request.set_note("Her letter of 3 March, received by e-mail");
    return exports_->RequestSubjectAccess(who, request, Deadline(), out);
  }

  absl::Status AnswerSar(const Identity& who, const std::string& request_id, const std::string& id,
                         consular::v1::ExportDecision decision, SubjectAccessRequest* out) {
    consular::v1::AnswerSubjectAccessRequest request;
    request.set_request_id(request_id);
    request.set_subject_access_id(id);
    request.set_decision(decision);
    if (decision == consular::v1::EXPORT_DECISION_REFUSE) request.set_reason("Identity unproven");
    return exports_->AnswerSubjectAccess(who, request, Deadline(), out);
  }

  absl::Status GetSar(const Identity& who, const std::string& id,
                      consular::v1::SubjectAccessFiles* out) {
    consular::v1::GetSubjectAccessExportRequest request;
    request.set_subject_access_id(id);
    return exports_->GetSubjectAccessExport(who, request, Deadline(), out);
  }

  std::string Audit(const std::string& action) {
    return db_->QueryScalar(absl::StrCat(
        "SELECT string_agg(outcome || ':' || COALESCE(case_id::text, '-'), ',' ORDER BY id) "
        "FROM audit.events WHERE action = 'ExportService.",
        action, "'"));
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto keys_;
  ManualClock clock_{absl::Now()};
  std::unique_ptr<CaseManager> cases_;
  std::unique_ptr<contacts::ContactsManager> contacts_;
  std::unique_ptr<ExportManager> exports_;
};

TEST_F(ExportsTest, NothingLeavesWithoutASecondPersonsApproval) {
  NewCase(kRabatOfficer, "c1", "Amina Example");
  Export requested;
  ASSERT_TRUE(RequestExport(kRabatOfficer, "e1", &requested).ok());
  EXPECT_EQ(requested.state(), consular::v1::EXPORT_STATE_PENDING);
  Export answered;
  ExportFile file;
  // Not before approval.
  EXPECT_EQ(Download(kRabatOfficer, "d1", requested.id(), &file).code(),
            absl::StatusCode::kFailedPrecondition);
  // Not by the requester, not by an officer, not by another unit, not by policy staff.
  EXPECT_EQ(ApproveWithPassword(kRabatOfficer, "a1", requested.id(), &answered).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ApproveWithPassword(kRabatOfficer2, "a2", requested.id(), &answered).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ApproveWithPassword(kTunisManager, "a3", requested.id(), &answered).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ApproveWithPassword(kPolicy, "a4", requested.id(), &answered).code(),
            absl::StatusCode::kPermissionDenied);
  // A manager asking for an export cannot approve it either.
  Export own;
  ASSERT_TRUE(RequestExport(kRabatManager, "e2", &own).ok());
  EXPECT_EQ(ApproveWithPassword(kRabatManager, "a5", own.id(), &answered).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.exports WHERE state <> 'PENDING'"), "0");

  // Refused: never downloadable, and answered once only.
  ASSERT_TRUE(Refuse(kRabatManager, "r1", requested.id(), &answered).ok());
  EXPECT_EQ(answered.state(), consular::v1::EXPORT_STATE_REFUSED);
  EXPECT_EQ(answered.answered_by(), kRabatManager.subject);
  EXPECT_EQ(Download(kRabatOfficer, "d2", requested.id(), &file).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ApproveWithPassword(kRabatManager2, "a6", requested.id(), &answered).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.exports WHERE file IS NOT NULL"), "0");

  // Every call left one audit row with its outcome.
  EXPECT_EQ(Audit("RequestExport"), "OK:-,OK:-");
  EXPECT_EQ(Audit("AnswerExport"),
            "PERMISSION_DENIED:-,PERMISSION_DENIED:-,NOT_FOUND:-,PERMISSION_DENIED:-,"
            "PERMISSION_DENIED:-,OK:-,FAILED_PRECONDITION:-");
  EXPECT_EQ(Audit("DownloadExport"), "FAILED_PRECONDITION:-,FAILED_PRECONDITION:-");
}

TEST_F(ExportsTest, PasswordZipHoldsTheMatchingCasesAndOpensWithThePasswordOnly) {
  const Case abandonment = NewCase(kRabatOfficer, "c1", "Amina Example");
  const Case divorce = NewCase(kRabatOfficer, "c2", "Fatima Other",
                               consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  const Case tunis =
      NewCase(kTunisOfficer, "c3", "Leila Tunis", consular::v1::CASE_TYPE_ABANDONMENT, "TN");
  Export requested;
  ASSERT_TRUE(
      RequestExport(kRabatOfficer, "e1", &requested, consular::v1::CASE_TYPE_ABANDONMENT).ok());
  Export approved;
  const absl::Status status = ApproveWithPassword(kRabatManager, "a1", requested.id(), &approved);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(approved.state(), consular::v1::EXPORT_STATE_APPROVED);
  EXPECT_EQ(approved.case_count(), 1);
  EXPECT_EQ(approved.protection(), consular::v1::EXPORT_PROTECTION_PASSWORD);
  EXPECT_EQ(approved.downloads_left(), 3);

  ExportFile file;
  ASSERT_TRUE(Download(kRabatOfficer, "d1", requested.id(), &file).ok());
  EXPECT_EQ(file.export_().downloads_left(), 2);
  EXPECT_EQ(file.media_type(), "application/zip");
  ASSERT_EQ(file.content().substr(0, 4), std::string("PK\x03\x04", 4));

  bool opened = false;
  const std::string json = ZipEntry(file.content(), kPassword, "cases.json", &opened);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(absl::StrContains(json, abandonment.reference()));
  EXPECT_TRUE(absl::StrContains(json, "Amina Example"));
  EXPECT_TRUE(absl::StrContains(json, kLegalBasis));
  EXPECT_FALSE(absl::StrContains(json, divorce.reference()));
  EXPECT_FALSE(absl::StrContains(json, tunis.reference()));
  EXPECT_FALSE(absl::StrContains(json, "Leila Tunis"));
  EXPECT_FALSE(absl::StrContains(json, kCovert));
  EXPECT_FALSE(absl::StrContains(json, kCodeWord));
  ZipEntry(file.content(), "the wrong password entirely", "cases.json", &opened);
  EXPECT_FALSE(opened);

  // The database holds neither the password nor the file as downloaded: only its sealed form.
  // Neither as text nor as bytes (a bytea column reads as hex in the row's text).
  std::string hex_password;
  for (unsigned char c : std::string(kPassword)) {
    absl::StrAppend(&hex_password, absl::Hex(c, absl::kZeroPad2));
  }
  for (const char* table :
       {"cases.exports", "cases.idempotency", "audit.events", "cases.subject_access_requests"}) {
    EXPECT_EQ(
        db_->QueryScalar(absl::StrCat("SELECT count(*) FROM ", table, " t WHERE t::text LIKE '%",
                                      kPassword, "%' OR t::text LIKE '%", hex_password, "%'")),
        "0")
        << table;
  }
  const std::string stored =
      db_->QueryScalar("SELECT encode(file, 'hex') FROM cases.exports WHERE file IS NOT NULL");
  ASSERT_FALSE(stored.empty());
  EXPECT_NE(stored.substr(0, 8), "504b0304");  // not a ZIP: sealed
  EXPECT_EQ(db_->QueryScalar("SELECT encode(file_sha256, 'hex') FROM cases.exports"),
            file.export_().file_sha256());

  EXPECT_EQ(Audit("AnswerExport"), "OK:-");
  EXPECT_EQ(db_->QueryScalar("SELECT returned_case_ids::text FROM audit.events "
                             "WHERE action = 'ExportService.AnswerExport'"),
            absl::StrCat("{", abandonment.id(), "}"));
  EXPECT_EQ(Audit("DownloadExport"), "OK:-");
}

TEST_F(ExportsTest, OpenPgpExportDecryptsWithTheRecipientsKey) {
  const Case c = NewCase(kLkha1, "c1", "Amina Lkha");
  char home_template[] = "/tmp/exports-test-gnupg-XXXXXX";
  ASSERT_NE(mkdtemp(home_template), nullptr);
  const std::string home = home_template;
  const std::string gpg = absl::StrCat("gpg --homedir ", home, " --batch --pinentry-mode loopback ",
                                       "--passphrase '' ");
  ASSERT_EQ(
      RunCommand(gpg + "--quick-gen-key 'Court Registry <registry@example.org>' default default "
                       "never 2>/dev/null"),
      0);
  std::string public_key;
  ASSERT_EQ(RunCommand(gpg + "--armor --export registry@example.org", &public_key), 0);
  ASSERT_TRUE(absl::StrContains(public_key, "BEGIN PGP PUBLIC KEY BLOCK"));

  Export requested;
  ASSERT_TRUE(RequestExport(kLkha1, "e1", &requested).ok());
  consular::v1::AnswerExportRequest answer;
  answer.set_request_id("a1");
  answer.set_export_id(requested.id());
  answer.set_decision(consular::v1::EXPORT_DECISION_APPROVE);
  answer.set_openpgp_public_key(public_key);
  answer.set_expiry_days(1);
  answer.set_downloads_allowed(1);
  Export approved;
  // LKHA's exports are approved by another LKHA caseworker.
  EXPECT_EQ(exports_->AnswerExport(kLkha1, answer, Deadline(), &approved).code(),
            absl::StatusCode::kPermissionDenied);
  answer.set_request_id("a2");
  const absl::Status status = exports_->AnswerExport(kLkha2, answer, Deadline(), &approved);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(approved.protection(), consular::v1::EXPORT_PROTECTION_OPENPGP);
  EXPECT_EQ(approved.recipient_key_fingerprint().size(), 40u);

  ExportFile file;
  ASSERT_TRUE(Download(kLkha1, "d1", requested.id(), &file).ok());
  EXPECT_EQ(file.media_type(), "application/pgp-encrypted");
  const std::string path = home + "/export.gpg";
  std::ofstream(path, std::ios::binary) << file.content();
  std::string json;
  ASSERT_EQ(RunCommand(gpg + "--decrypt " + path + " 2>/dev/null", &json), 0);
  EXPECT_TRUE(absl::StrContains(json, c.reference()));
  EXPECT_TRUE(absl::StrContains(json, "Amina Lkha"));
  EXPECT_FALSE(absl::StrContains(json, kCovert));
  EXPECT_FALSE(absl::StrContains(json, kCodeWord));

  // One download allowed: the stored file went with it.
  EXPECT_EQ(Download(kLkha1, "d2", requested.id(), &file).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(db_->QueryScalar("SELECT file IS NULL AND file_destroyed_at IS NOT NULL "
                             "FROM cases.exports"),
            "t");
  RunCommand(absl::StrCat("gpgconf --homedir ", home, " --kill all 2>/dev/null"));
  std::filesystem::remove_all(home);
}

TEST_F(ExportsTest, DownloadsAreCountedAndEndAtExpiry) {
  NewCase(kRabatOfficer, "c1", "Amina Example");
  Export first;
  ASSERT_TRUE(RequestExport(kRabatOfficer, "e1", &first).ok());
  Export approved;
  ASSERT_TRUE(ApproveWithPassword(kRabatManager, "a1", first.id(), &approved, 7, 2).ok());
  ExportFile file;
  ASSERT_TRUE(Download(kRabatOfficer, "d1", first.id(), &file).ok());
  // The same request id again: no second copy, and nothing counted.
  ExportFile again;
  EXPECT_EQ(Download(kRabatOfficer, "d1", first.id(), &again).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(again.content().empty());
  EXPECT_EQ(db_->QueryScalar("SELECT downloads_left FROM cases.exports"), "1");
  // Only the requester downloads.
  EXPECT_EQ(Download(kRabatManager, "d2", first.id(), &file).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Download(kRabatOfficer, "d3", first.id(), &file).ok());
  EXPECT_EQ(file.export_().downloads_left(), 0);
  EXPECT_EQ(file.export_().state(), consular::v1::EXPORT_STATE_EXPIRED);
  EXPECT_EQ(Download(kRabatOfficer, "d4", first.id(), &file).code(),
            absl::StatusCode::kFailedPrecondition);

  // Past its expiry by the service's clock.
  Export second;
  ASSERT_TRUE(RequestExport(kRabatOfficer, "e2", &second).ok());
  ASSERT_TRUE(ApproveWithPassword(kRabatManager, "a2", second.id(), &approved, 1, 5).ok());
  clock_.Advance(absl::Hours(25));
  EXPECT_EQ(Download(kRabatOfficer, "d5", second.id(), &file).code(),
            absl::StatusCode::kFailedPrecondition);
  consular::v1::ListExportsResponse listed;
  ASSERT_TRUE(exports_->ListExports(kRabatOfficer, {}, Deadline(), &listed).ok());
  ASSERT_EQ(listed.exports_size(), 2);
  for (const Export& e : listed.exports()) {
    EXPECT_EQ(e.state(), consular::v1::EXPORT_STATE_EXPIRED);  // used up, and past its day
    EXPECT_EQ(e.downloads_left(), e.id() == second.id() ? 5 : 0);
  }
  EXPECT_EQ(Audit("DownloadExport"),
            "OK:-,ALREADY_EXISTS:-,PERMISSION_DENIED:-,OK:-,FAILED_PRECONDITION:-,"
            "FAILED_PRECONDITION:-");
}

TEST_F(ExportsTest, ExpiredFilesAreDestroyedByTheDatabaseClock) {
  NewCase(kRabatOfficer, "c1", "Amina Example");
  // Approved 40 days ago for 1 day: expired by the database's clock too.
  clock_.Set(absl::Now() - absl::Hours(24 * 40));
  Export old;
  ASSERT_TRUE(RequestExport(kRabatOfficer, "e1", &old).ok());
  Export approved;
  ASSERT_TRUE(ApproveWithPassword(kRabatManager, "a1", old.id(), &approved, 1, 3).ok());
  clock_.Set(absl::Now());
  Export fresh;
  ASSERT_TRUE(RequestExport(kRabatOfficer, "e2", &fresh).ok());
  ASSERT_TRUE(ApproveWithPassword(kRabatManager, "a2", fresh.id(), &approved, 5, 3).ok());
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.exports WHERE file IS NOT NULL"), "2");

  // A refused download still destroys what has expired (the purge is not rolled back with it).
  ExportFile file;
  EXPECT_EQ(Download(kRabatOfficer, "d1", old.id(), &file).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(db_->QueryScalar("SELECT id::text FROM cases.exports WHERE file IS NULL AND "
                             "file_destroyed_at IS NOT NULL"),
            old.id());
  EXPECT_TRUE(Download(kRabatOfficer, "d2", fresh.id(), &file).ok());

  // The services cannot destroy a file early, nor give downloads back, nor answer in SQL.
  const storage::SessionScope officer{kRabatOfficer.subject, "ROLE_CONSULAR_OFFICER", "RABAT"};
  for (const char* sql :
       {"UPDATE cases.exports SET file = NULL, file_destroyed_at = now() WHERE file IS NOT NULL",
        "UPDATE cases.exports SET downloads_left = downloads_allowed",
        "DELETE FROM cases.exports"}) {
    const absl::Status refused =
        runner_->Run(Deadline(), [&](pqxx::transaction_base& tx) -> absl::Status {
          storage::SetSessionScope(tx, officer);
          tx.exec0(sql);
          return absl::OkStatus();
        });
    EXPECT_FALSE(refused.ok()) << sql;
  }
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.exports WHERE file IS NOT NULL"), "1");
}

TEST_F(ExportsTest, AnotherUnitNeitherSeesNorAnswers) {
  const Case c = NewCase(kRabatOfficer, "c1", "Amina Example");
  Export requested;
  ASSERT_TRUE(RequestExport(kRabatOfficer, "e1", &requested).ok());
  SubjectAccessRequest sar;
  ASSERT_TRUE(RequestSar(kRabatOfficer, "s1", c, &sar).ok());

  consular::v1::ListExportsResponse exports;
  ASSERT_TRUE(exports_->ListExports(kTunisManager, {}, Deadline(), &exports).ok());
  EXPECT_EQ(exports.exports_size(), 0);
  consular::v1::ListSubjectAccessRequestsResponse sars;
  ASSERT_TRUE(exports_->ListSubjectAccessRequests(kTunisManager, {}, Deadline(), &sars).ok());
  EXPECT_EQ(sars.requests_size(), 0);
  SubjectAccessRequest answered;
  EXPECT_EQ(
      AnswerSar(kTunisManager, "x1", sar.id(), consular::v1::EXPORT_DECISION_APPROVE, &answered)
          .code(),
      absl::StatusCode::kNotFound);
  consular::v1::SubjectAccessFiles files;
  EXPECT_EQ(GetSar(kTunisManager, sar.id(), &files).code(), absl::StatusCode::kNotFound);
  // Another unit cannot ask for the person's data of a case it does not handle.
  EXPECT_EQ(RequestSar(kTunisOfficer, "s2", c, &answered).code(), absl::StatusCode::kNotFound);

  // The database's own wall: the rows are not there for TUNIS, whatever the query.
  const storage::SessionScope tunis{kTunisManager.subject, "ROLE_POST_MANAGER", "TUNIS"};
  std::string seen;
  ASSERT_TRUE(runner_
                  ->Run(Deadline(),
                        [&](pqxx::transaction_base& tx) -> absl::Status {
                          storage::SetSessionScope(tx, tunis);
                          seen = tx.exec1(
                                       "SELECT (SELECT count(*) FROM cases.exports) || '/' || "
                                       "(SELECT count(*) FROM cases.subject_access_requests)")[0]
                                     .as<std::string>();
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_EQ(seen, "0/0");
}

TEST_F(ExportsTest, BadInputNamesTheField) {
  const Case c = NewCase(kRabatOfficer, "c1", "Amina Example");
  auto message_of = [](const absl::Status& s) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    return std::string(s.message());
  };
  consular::v1::RequestExportRequest request;
  request.set_request_id("e1");
  request.set_legal_basis("too short");
  request.set_recipient("Court");
  request.set_purpose("Proceedings");
  Export out;
  EXPECT_TRUE(absl::StartsWith(
      message_of(exports_->RequestExport(kRabatOfficer, request, Deadline(), &out)),
      "legal_basis:"));
  request.set_legal_basis(kLegalBasis);
  request.mutable_filter()->set_country("XX");
  EXPECT_TRUE(absl::StartsWith(
      message_of(exports_->RequestExport(kRabatOfficer, request, Deadline(), &out)),
      "filter.country:"));
  request.mutable_filter()->clear_country();
  request.set_recipient("");
  EXPECT_TRUE(absl::StartsWith(
      message_of(exports_->RequestExport(kRabatOfficer, request, Deadline(), &out)), "recipient:"));
  request.set_recipient("Court");
  ASSERT_TRUE(exports_->RequestExport(kRabatOfficer, request, Deadline(), &out).ok());

  consular::v1::AnswerExportRequest answer;
  answer.set_request_id("a1");
  answer.set_export_id(out.id());
  answer.set_decision(consular::v1::EXPORT_DECISION_APPROVE);
  answer.set_password("short");
  answer.set_expiry_days(3);
  answer.set_downloads_allowed(1);
  Export answered;
  const std::string short_password =
      message_of(exports_->AnswerExport(kRabatManager, answer, Deadline(), &answered));
  EXPECT_TRUE(absl::StartsWith(short_password, "password:"));
  EXPECT_FALSE(absl::StrContains(short_password, "short"));
  answer.set_password(kPassword);
  answer.set_expiry_days(31);
  EXPECT_TRUE(absl::StartsWith(
      message_of(exports_->AnswerExport(kRabatManager, answer, Deadline(), &answered)),
      "expiry_days:"));
  answer.set_expiry_days(3);
  answer.set_downloads_allowed(11);
  EXPECT_TRUE(absl::StartsWith(
      message_of(exports_->AnswerExport(kRabatManager, answer, Deadline(), &answered)),
      "downloads_allowed:"));
  answer.set_downloads_allowed(1);
  answer.set_openpgp_public_key("not a key");
  EXPECT_TRUE(absl::StartsWith(
      message_of(exports_->AnswerExport(kRabatManager, answer, Deadline(), &answered)),
      "openpgp_public_key:"));
  answer.clear_openpgp_public_key();
  EXPECT_TRUE(absl::StartsWith(
      message_of(exports_->AnswerExport(kRabatManager, answer, Deadline(), &answered)),
      "password:"));

  SubjectAccessRequest sar;
  EXPECT_TRUE(
      absl::StartsWith(message_of(RequestSar(kRabatOfficer, "s1", c, &sar, "de")), "language:"));
  consular::v1::AnswerSubjectAccessRequest sar_answer;
  sar_answer.set_request_id("x1");
  sar_answer.set_subject_access_id("not-a-uuid");
  sar_answer.set_decision(consular::v1::EXPORT_DECISION_APPROVE);
  EXPECT_TRUE(absl::StartsWith(
      message_of(exports_->AnswerSubjectAccess(kRabatManager, sar_answer, Deadline(), &sar)),
      "subject_access_id:"));
  // Nothing was written by any of them.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.exports WHERE state <> 'PENDING'"), "0");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.subject_access_requests"), "0");
}

TEST_F(ExportsTest, SubjectAccessGivesHerOwnDataAndNamesWhatIsWithheld) {
  const Case c = NewCase(kRabatOfficer, "c1", "Amina Example");
  AddNote(kRabatOfficer, c, "n1");
  LogContact(kRabatOfficer, c, "l1");

  SubjectAccessRequest sar;
  ASSERT_TRUE(RequestSar(kRabatOfficer, "s1", c, &sar).ok());
  EXPECT_EQ(sar.state(), consular::v1::EXPORT_STATE_PENDING);
  EXPECT_EQ(sar.case_id(), c.id());
  consular::v1::SubjectAccessFiles files;
  EXPECT_EQ(GetSar(kRabatOfficer, sar.id(), &files).code(), absl::StatusCode::kFailedPrecondition);

  // A post manager other than the requester approves; an officer may not.
  SubjectAccessRequest answered;
  EXPECT_EQ(
      AnswerSar(kRabatOfficer, "x1", sar.id(), consular::v1::EXPORT_DECISION_APPROVE, &answered)
          .code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(
      AnswerSar(kRabatOfficer2, "x2", sar.id(), consular::v1::EXPORT_DECISION_APPROVE, &answered)
          .code(),
      absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(
      AnswerSar(kRabatManager, "x3", sar.id(), consular::v1::EXPORT_DECISION_APPROVE, &answered)
          .ok());
  EXPECT_EQ(answered.state(), consular::v1::EXPORT_STATE_APPROVED);

  // Obtained by the requester, and by the approver; nobody else.
  EXPECT_EQ(GetSar(kRabatOfficer2, sar.id(), &files).code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(GetSar(kRabatManager, sar.id(), &files).ok());
  const absl::Status got = GetSar(kRabatOfficer, sar.id(), &files);
  ASSERT_TRUE(got.ok()) << got;
  for (const std::string* text : {&files.html(), &files.json()}) {
    EXPECT_TRUE(absl::StrContains(*text, "Amina Example"));
    EXPECT_TRUE(absl::StrContains(*text, kOwnPassport));
    EXPECT_TRUE(absl::StrContains(*text, kNoteText));
    EXPECT_TRUE(absl::StrContains(*text, "weekdays 10-12"));
    EXPECT_TRUE(absl::StrContains(*text, c.reference()));
    EXPECT_FALSE(absl::StrContains(*text, kCovert));
    EXPECT_FALSE(absl::StrContains(*text, kCodeWord));
    EXPECT_FALSE(absl::StrContains(*text, kChildName));
    EXPECT_FALSE(absl::StrContains(*text, kChildPassport));
    EXPECT_FALSE(absl::StrContains(*text, "her husband"));
    EXPECT_FALSE(absl::StrContains(*text, kContactName));
    EXPECT_FALSE(absl::StrContains(*text, "300 euro"));
    EXPECT_FALSE(absl::StrContains(*text, kRabatOfficer.subject));
    EXPECT_TRUE(absl::StrContains(*text, "GDPR art. 15(4)"));
  }
  EXPECT_TRUE(absl::StrContains(files.json(), "\"what\": \"other persons on the case"));
  EXPECT_TRUE(absl::StrContains(files.json(), "CONTACT_PURPOSE_LEGAL_ADVICE"));
  EXPECT_TRUE(absl::StrContains(files.html(), "<html lang=\"en\">"));
  EXPECT_FALSE(absl::StrContains(files.html(), "src="));
  EXPECT_FALSE(absl::StrContains(files.html(), "href="));
  EXPECT_TRUE(absl::StrContains(files.html(), "confidential notes about your safety"));

  // In Dutch, refused, and past its day.
  SubjectAccessRequest dutch;
  ASSERT_TRUE(RequestSar(kRabatManager, "s2", c, &dutch, "nl").ok());
  ASSERT_TRUE(
      AnswerSar(kRabatManager2, "x4", dutch.id(), consular::v1::EXPORT_DECISION_APPROVE, &answered)
          .ok());
  ASSERT_TRUE(GetSar(kRabatManager, dutch.id(), &files).ok());
  EXPECT_TRUE(absl::StrContains(files.html(), "<html lang=\"nl\">"));
  EXPECT_TRUE(absl::StrContains(files.html(), "Uw reisdocumenten"));
  EXPECT_TRUE(absl::StrContains(files.html(), "art. 15 lid 4 AVG"));
  SubjectAccessRequest refused;
  ASSERT_TRUE(RequestSar(kRabatOfficer, "s3", c, &refused).ok());
  ASSERT_TRUE(
      AnswerSar(kRabatManager, "x5", refused.id(), consular::v1::EXPORT_DECISION_REFUSE, &answered)
          .ok());
  EXPECT_EQ(GetSar(kRabatOfficer, refused.id(), &files).code(),
            absl::StatusCode::kFailedPrecondition);
  clock_.Advance(absl::Hours(24 * 15));  // the default is 14 days
  EXPECT_EQ(GetSar(kRabatOfficer, sar.id(), &files).code(), absl::StatusCode::kFailedPrecondition);

  // Every step in the trail, naming the case.
  const std::string id = c.id();
  EXPECT_EQ(Audit("RequestSubjectAccess"), absl::StrCat("OK:", id, ",OK:", id, ",OK:", id));
  EXPECT_EQ(Audit("AnswerSubjectAccess"),
            absl::StrCat("PERMISSION_DENIED:", id, ",PERMISSION_DENIED:", id, ",OK:", id,
                         ",OK:", id, ",OK:", id));
  EXPECT_EQ(Audit("GetSubjectAccessExport"),
            absl::StrCat("FAILED_PRECONDITION:", id, ",PERMISSION_DENIED:", id, ",OK:", id, ",OK:",
                         id, ",OK:", id, ",FAILED_PRECONDITION:", id, ",FAILED_PRECONDITION:", id));
  // The note of the request is sealed.
  EXPECT_EQ(
      db_->QueryScalar("SELECT count(*) FROM cases.subject_access_requests "
                       "WHERE position('\\x486572206c6574746572'::bytea IN request_note) > 0"),
      "0");
}

TEST_F(ExportsTest, SubjectAccessOnlyForTheHandlingUnitAndAnsweredOnce) {
  const Case c = NewCase(kRabatOfficer, "c1", "Amina Example");
  // A read share does not let LKHA ask for her data.
  consular::v1::ShareCaseRequest share;
  share.set_request_id("sh1");
  share.set_case_id(c.id());
  share.set_grantee("LKHA");
  share.set_access(consular::v1::SHARE_ACCESS_READ);
  share.set_legal_basis("Art. 6(1)(e) GDPR, cooperation with LKHA");
  consular::v1::CaseShare shared;
  const absl::Status shared_status = cases_->Share(kRabatOfficer, share, Deadline(), &shared);
  ASSERT_TRUE(shared_status.ok()) << shared_status;
  SubjectAccessRequest sar;
  EXPECT_EQ(RequestSar(kLkha1, "s1", c, &sar).code(), absl::StatusCode::kPermissionDenied);

  ASSERT_TRUE(RequestSar(kRabatOfficer, "s2", c, &sar).ok());
  SubjectAccessRequest answered;
  ASSERT_TRUE(
      AnswerSar(kRabatManager, "x1", sar.id(), consular::v1::EXPORT_DECISION_REFUSE, &answered)
          .ok());
  EXPECT_EQ(answered.refusal_reason(), "Identity unproven");
  // Replayed: the same answer, nothing written.
  SubjectAccessRequest replayed;
  ASSERT_TRUE(
      AnswerSar(kRabatManager, "x1", sar.id(), consular::v1::EXPORT_DECISION_REFUSE, &replayed)
          .ok());
  EXPECT_EQ(replayed.answered_at(), answered.answered_at());
  EXPECT_EQ(
      AnswerSar(kRabatManager2, "x2", sar.id(), consular::v1::EXPORT_DECISION_APPROVE, &answered)
          .code(),
      absl::StatusCode::kFailedPrecondition);
  // Nor in SQL: the guard refuses a second answer and an answer by the requester.
  const storage::SessionScope officer{kRabatOfficer.subject, "ROLE_CONSULAR_OFFICER", "RABAT"};
  const absl::Status sql =
      runner_->Run(Deadline(), [&](pqxx::transaction_base& tx) -> absl::Status {
        storage::SetSessionScope(tx, officer);
        tx.exec0(
            "UPDATE cases.subject_access_requests SET state = 'APPROVED', answered_by = "
            "'manager2-rabat', available_until = answered_at + interval '1 day', "
            "refusal_reason = NULL");
        return absl::OkStatus();
      });
  EXPECT_FALSE(sql.ok());
  EXPECT_EQ(db_->QueryScalar("SELECT state FROM cases.subject_access_requests"), "REFUSED");
}

}  // namespace
}  // namespace consular::cases

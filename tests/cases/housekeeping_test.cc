// Housekeeping against a real PostgreSQL database (migration 0025, services/common/housekeeper.h):
// it deletes exactly the rows whose retention has passed, as the services' role, and a replay
// after its record expired is a new request. Rows are made old by writing their times as the
// table owner.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/clock.h"
#include "services/cases/case_manager.h"
#include "services/common/housekeeper.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular {
namespace {

using consular::v1::Case;
using storage::ExpiringKind;

const Identity kRabatOfficer{"officer-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};

// A field ciphertext as the check constraints want it (version byte 1, long enough).
constexpr char kSealed[] = "decode('01' || repeat('ab', 60), 'hex')";

consular::v1::CreateCaseRequest NewCaseRequest(const std::string& request_id) {
  consular::v1::CreateCaseRequest request;
  request.set_request_id(request_id);
  Case* c = request.mutable_case_();
  c->set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  c->set_country("MA");
  c->mutable_subject()->set_full_name("Amina Example");
  c->mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
  c->mutable_subject()->set_nationality_status(consular::v1::NATIONALITY_STATUS_DUAL);
  c->set_referral_source(consular::v1::REFERRAL_SOURCE_FAMILY);
  c->mutable_abandonment()->set_region("Nador");
  return request;
}

class HousekeepingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 4});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    manager_ = std::make_unique<cases::CaseManager>(runner_.get(), SystemClock(), keys_.crypto());
  }

  static absl::Time Deadline() { return absl::Now() + absl::Seconds(20); }

  Case MustCreate(const std::string& request_id) {
    Case c;
    const absl::Status status =
        manager_->Create(kRabatOfficer, NewCaseRequest(request_id), Deadline(), &c);
    EXPECT_TRUE(status.ok()) << status;
    return c;
  }

  // Every kind with the default retention, run by the services' role, two rows per batch (so
  // that a round takes several batches).
  HousekeepingSettings Settings() {
    const std::vector<ExpiringKind> kinds = {
        ExpiringKind::kCasesIdempotency,        ExpiringKind::kContactsIdempotency,
        ExpiringKind::kStatsIdempotency,        ExpiringKind::kEndedShares,
        ExpiringKind::kReviewedEmergencyAccess, ExpiringKind::kEmergencySearches,
        ExpiringKind::kExpiredExportFiles};
    HousekeepingFlags flags;
    flags.batch = 2;
    return HousekeepingSettingsOf(flags, kinds);
  }

  std::string Ids(const std::string& table, const std::string& column) {
    return db_->QueryScalar("SELECT string_agg(" + column + "::text, ',' ORDER BY " + column +
                            "::text) FROM " + table);
  }

  void Exec(const std::string& sql) { db_->QueryScalar(sql); }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto keys_;
  std::unique_ptr<cases::CaseManager> manager_;
};

TEST_F(HousekeepingTest, DeletesExactlyTheRowsWhoseRetentionHasPassed) {
  const Case c = MustCreate("young-request");
  MustCreate("old-request");
  Exec(
      "UPDATE cases.idempotency SET created_at = now() - interval '31 days' "
      "WHERE request_id = 'old-request'");
  for (const std::string schema : {"contacts", "stats"}) {
    Exec("INSERT INTO " + schema +
         ".idempotency (actor, request_id, method, request_hash, created_at) VALUES "
         "('a', 'old-1', 'M', '\\x00', now() - interval '31 days'), "
         "('a', 'old-2', 'M', '\\x00', now() - interval '40 days'), "
         "('a', 'old-3', 'M', '\\x00', now() - interval '400 days'), "
         "('a', 'young', 'M', '\\x00', now() - interval '29 days')");
  }
  const std::string share =
      "INSERT INTO cases.case_shares (id, case_id, grantee_unit, access, legal_basis, granted_by, "
      "granted_by_unit, granted_at, expires_at, revoked_at, revoked_by) VALUES ";
  const std::string case_id = "'" + c.id() + "'";
  Exec(share + "('00000000-0000-4000-8000-000000000001', " + case_id +
       ", 'TUNIS', 'READ', 'law', 'x', 'RABAT', now() - interval '900 days', NULL, NULL, NULL), "
       // Revoked 401 days ago: gone.
       "('00000000-0000-4000-8000-000000000002', " +
       case_id +
       ", 'TUNIS', 'READ', 'law', 'x', 'RABAT', now() - interval '900 days', NULL, "
       "now() - interval '401 days', 'x'), "
       // Revoked 10 days ago: kept.
       "('00000000-0000-4000-8000-000000000003', " +
       case_id +
       ", 'TUNIS', 'READ', 'law', 'x', 'RABAT', now() - interval '900 days', NULL, "
       "now() - interval '10 days', 'x'), "
       // Expired 500 days ago, never revoked: gone.
       "('00000000-0000-4000-8000-000000000004', " +
       case_id +
       ", 'CAIRO', 'READ', 'law', 'x', 'RABAT', now() - interval '900 days', "
       "now() - interval '500 days', NULL, NULL), "
       // Revoked long ago but a referral names it: kept.
       "('00000000-0000-4000-8000-000000000005', " +
       case_id +
       ", 'ANKARA', 'READ', 'law', 'x', 'RABAT', now() - interval '900 days', NULL, "
       "now() - interval '800 days', 'x'), "
       // Granted long ago, expires next year: live, kept.
       "('00000000-0000-4000-8000-000000000006', " +
       case_id +
       ", 'CAIRO', 'READ', 'law', 'x', 'RABAT', now() - interval '900 days', "
       "now() + interval '300 days', NULL, NULL), "
       // Expired 399 days ago: kept.
       "('00000000-0000-4000-8000-000000000007', " +
       case_id +
       ", 'TUNIS', 'READ', 'law', 'x', 'RABAT', now() - interval '900 days', "
       "now() - interval '399 days', NULL, NULL)");
  Exec(
      "INSERT INTO cases.referrals (id, case_id, case_reference, from_unit, to_unit, legal_basis, "
      "referred_by, referred_at, share_id, state, answered_by, answered_at, answer_reason) VALUES "
      "('00000000-0000-4000-9000-000000000001', " +
      case_id + ", '" + c.reference() +
      "', 'RABAT', 'ANKARA', 'law', 'x', now() - interval '900 days', "
      "'00000000-0000-4000-8000-000000000005', 'DECLINED', 'y', now() - interval '800 days', "
      "'not ours')");
  const std::string grant =
      "INSERT INTO cases.emergency_access (id, case_id, case_reference, handling_post, actor, "
      "actor_role, actor_unit, reason, opened_at, expires_at, review, reviewed_by, reviewed_at) "
      "VALUES ";
  const std::string grant_case = case_id + ", '" + c.reference() + "', 'RABAT', 'mgr', " +
                                 "'ROLE_POST_MANAGER', 'TUNIS', " + kSealed;
  Exec(grant +
       // Unreviewed, three years old: never deleted.
       "('00000000-0000-4000-a000-000000000001', " + grant_case +
       ", now() - interval '1100 days', now() - interval '1100 days' + interval '4 hours', NULL, "
       "NULL, NULL), "
       // Reviewed three years ago: gone.
       "('00000000-0000-4000-a000-000000000002', " +
       grant_case +
       ", now() - interval '1100 days', now() - interval '1100 days' + interval '4 hours', "
       "'JUSTIFIED', 'rev', now() - interval '1090 days'), "
       // Opened three years ago, reviewed last year: kept.
       "('00000000-0000-4000-a000-000000000003', " +
       grant_case +
       ", now() - interval '1100 days', now() - interval '1100 days' + interval '4 hours', "
       "'NOT_JUSTIFIED', 'rev', now() - interval '365 days')");
  Exec(std::string("INSERT INTO cases.emergency_searches (id, actor, actor_role, actor_unit, "
                   "reason, found_case_ids, searched_at) VALUES "
                   "('00000000-0000-4000-b000-000000000001', 'mgr', 'ROLE_POST_MANAGER', "
                   "'TUNIS', ") +
       kSealed +
       ", '{}', now() - interval '731 days'), "
       "('00000000-0000-4000-b000-000000000002', 'mgr', 'ROLE_POST_MANAGER', 'TUNIS', " +
       kSealed + ", '{}', now() - interval '729 days')");
  // Two approved exports: one past its expiry (its file destroyed, the record kept), one not.
  const std::string export_row =
      "INSERT INTO cases.exports (id, unit, requested_by, requested_by_role, requested_at, "
      "legal_basis, recipient, purpose, state, answered_by, answered_at, protection, expires_at, "
      "downloads_allowed, downloads_left, case_count, file_name, file_sha256, file) VALUES ";
  const std::string approved = "'RABAT', 'officer', 'ROLE_CONSULAR_OFFICER', now() - interval "
                               "'20 days', 'Court order 2026/17', 'Court', 'Hearing', 'APPROVED', "
                               "'manager', now() - interval '10 days', 'PASSWORD', ";
  const std::string file = ", 3, 3, 1, 'export.zip', '\\x" + std::string(64, 'a') + "', " + kSealed + ")";
  Exec(export_row + "('00000000-0000-4000-c000-000000000001', " + approved +
       "now() - interval '1 day'" + file + ", ('00000000-0000-4000-c000-000000000002', " +
       approved + "now() + interval '1 day'" + file);
  const std::string audit_rows = db_->QueryScalar("SELECT count(*) FROM audit.events");

  Housekeeper keeper(runner_.get(), Settings(), SystemClock());
  EXPECT_EQ(keeper.LastSuccess(), absl::InfinitePast());
  const absl::Status round = keeper.RunRound();
  ASSERT_TRUE(round.ok()) << round;

  EXPECT_EQ(Ids("cases.idempotency", "request_id"), "young-request");
  EXPECT_EQ(Ids("contacts.idempotency", "request_id"), "young");
  EXPECT_EQ(Ids("stats.idempotency", "request_id"), "young");
  EXPECT_EQ(Ids("cases.case_shares", "id"),
            "00000000-0000-4000-8000-000000000001,00000000-0000-4000-8000-000000000003,"
            "00000000-0000-4000-8000-000000000005,00000000-0000-4000-8000-000000000006,"
            "00000000-0000-4000-8000-000000000007");
  EXPECT_EQ(Ids("cases.emergency_access", "id"),
            "00000000-0000-4000-a000-000000000001,00000000-0000-4000-a000-000000000003");
  EXPECT_EQ(Ids("cases.emergency_searches", "id"), "00000000-0000-4000-b000-000000000002");
  EXPECT_EQ(db_->QueryScalar("SELECT string_agg(id::text || ':' || (file IS NULL)::text || ':' || "
                             "(file_destroyed_at IS NULL)::text, ',' ORDER BY id) FROM cases.exports"),
            "00000000-0000-4000-c000-000000000001:true:false,"
            "00000000-0000-4000-c000-000000000002:false:true");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events"), audit_rows)
      << "the audit trail is never pruned";
  const std::map<std::string, int64_t> expired = keeper.Expired();
  EXPECT_EQ(expired, (std::map<std::string, int64_t>{{"cases_idempotency", 1},
                                                     {"contacts_idempotency", 3},
                                                     {"stats_idempotency", 3},
                                                     {"ended_shares", 2},
                                                     {"reviewed_emergency_access", 1},
                                                     {"emergency_searches", 1},
                                                     {"expired_export_files", 1}}));
  EXPECT_GT(keeper.LastSuccess(), absl::Now() - absl::Minutes(1));

  // Nothing more is due: a second round deletes nothing.
  ASSERT_TRUE(keeper.RunRound().ok());
  EXPECT_EQ(keeper.Expired(), expired);
}

TEST_F(HousekeepingTest, TheServicesRoleMayRunTheFunctionsButNotDelete) {
  const Case c = MustCreate("r1");
  Exec("UPDATE cases.idempotency SET created_at = now() - interval '31 days'");
  const absl::Status refused = runner_->Run(Deadline(), [](pqxx::transaction_base& tx) {
    tx.exec0("DELETE FROM cases.idempotency");
    return absl::OkStatus();
  });
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.idempotency"), "1");
  int64_t deleted = -1;
  ASSERT_TRUE(runner_
                  ->Run(Deadline(),
                        [&](pqxx::transaction_base& tx) {
                          deleted = storage::ExpireBatch(tx, ExpiringKind::kCasesIdempotency,
                                                         absl::Hours(24 * 30), 10);
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_EQ(deleted, 1);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.idempotency"), "0");
}

TEST_F(HousekeepingTest, AReplayAfterItsRecordExpiredIsANewRequest) {
  const Case first = MustCreate("same-id");
  EXPECT_EQ(MustCreate("same-id").id(), first.id()) << "a replay within the retention";
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases"), "1");

  Exec("UPDATE cases.idempotency SET created_at = now() - interval '31 days'");
  Housekeeper keeper(runner_.get(), Settings(), SystemClock());
  ASSERT_TRUE(keeper.RunRound().ok());

  const Case second = MustCreate("same-id");
  EXPECT_NE(second.id(), first.id());
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM cases.cases"), "2");
}

TEST_F(HousekeepingTest, StoredResponsesNameTheirCase) {
  const Case created = MustCreate("c-1");
  consular::v1::UpdateCaseRequest update;
  update.set_request_id("u-1");
  update.mutable_case_()->set_id(created.id());
  update.mutable_case_()->set_country("DZ");
  update.mutable_update_mask()->add_paths("country");
  update.set_expected_version(created.version());
  Case updated;
  ASSERT_TRUE(manager_->Update(kRabatOfficer, update, Deadline(), &updated).ok());
  consular::v1::AddCaseNoteRequest note;
  note.set_request_id("n-1");
  note.set_case_id(created.reference());
  note.set_text("called the family");
  consular::v1::CaseNote added;
  ASSERT_TRUE(manager_->AddNote(kRabatOfficer, note, Deadline(), &added).ok());
  for (const std::string request_id : {"c-1", "u-1", "n-1"}) {
    EXPECT_EQ(db_->QueryScalar("SELECT case_id FROM cases.idempotency WHERE request_id = '" +
                               request_id + "'"),
              created.id())
        << request_id;
  }
}

}  // namespace
}  // namespace consular

#pragma once
// The fixture of the audit trail's tests against a real PostgreSQL (audit_chain_test.cc,
// audit_watermark_test.cc): a migrated database of its own, a pool and runner on it, records to
// write, a sequencer to chain them, and the superuser's way around the triggers.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/audit_chain.h"
#include "storage/audit_store.h"
#include "storage/audit_verification.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/support/test_database.h"

namespace consular::storage {

using ::consular::testing::TestDatabase;

inline constexpr char kCaseA[] = "0b7c1f3e-1d2a-4c5b-9e8f-1234567890ab";
inline constexpr char kCaseB[] = "7d0e2b4a-5c6f-4a8b-8c9d-abcdef012345";

inline absl::Time In(absl::Duration duration) { return absl::Now() + duration; }

class AuditChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create();
    pool_ = std::make_unique<ConnectionPool>(PoolOptions{db_->dsn(), 12});
    runner_ = std::make_unique<TransactionRunner>(pool_.get());
  }

  static AuditRecord Record(int n) {
    AuditRecord record;
    record.actor = absl::StrCat("officer-", n % 3);
    record.actor_role = "CONSULAR_OFFICER";
    record.actor_post = "RABAT";
    record.action = n % 2 == 0 ? "CaseService.GetCase" : "CaseService.UpdateCase";
    record.case_id = n % 4 == 3 ? "" : (n % 2 == 0 ? kCaseA : kCaseB);
    record.purpose = n % 5 == 0 ? "" : "follow-up";
    record.outcome = n % 7 == 6 ? "NOT_FOUND" : "OK";
    record.emergency = n % 6 == 5;
    record.correlation_id = n % 7 == 6 ? "00ff00ff00ff00ff" : "";
    record.occurred_at = absl::FromUnixMicros(1767225600000000 + int64_t{n} * 1000001);
    return record;
  }

  void Insert(const AuditRecord& record) {
    const absl::Status status =
        runner_->Run(In(absl::Seconds(10)), [&](pqxx::transaction_base& tx) {
          InsertAuditRecord(tx, record);
          return absl::OkStatus();
        });
    ASSERT_TRUE(status.ok()) << status;
  }

  void InsertMany(int count) {
    for (int n = 0; n < count; ++n) Insert(Record(n));
  }

  // Runs sequencer rounds until nothing is left; returns how many were chained.
  int ChainAll() {
    AuditSequencer sequencer(runner_.get(), {/*batch_size=*/7});
    int total = 0;
    while (true) {
      absl::StatusOr<int> chained = sequencer.RunOnce();
      EXPECT_TRUE(chained.ok()) << chained.status();
      if (!chained.ok() || *chained == 0) return total;
      total += *chained;
    }
  }

  ChainVerification Verify() {
    ChainVerification v;
    const absl::Status status = runner_->RunReadOnly(
        In(absl::Seconds(30)),
        [&](pqxx::transaction_base& tx) {
          v = VerifyAuditChain(tx);
          return absl::OkStatus();
        },
        Isolation::kRepeatableRead);
    EXPECT_TRUE(status.ok()) << status;
    return v;
  }

  // AuditService.VerifyChain's work in a transaction of its own (which commits).
  ChainVerification VerifyAndRecord(ChainVerifyMode mode) {
    ChainVerification v;
    const absl::Status status =
        runner_->Run(In(absl::Seconds(30)), [&](pqxx::transaction_base& tx) {
          v = VerifyAndRecordAuditChain(tx, mode);
          return absl::OkStatus();
        });
    EXPECT_TRUE(status.ok()) << status;
    return v;
  }
  ChainVerification VerifyIncrementally() { return VerifyAndRecord(ChainVerifyMode::kIncremental); }
  ChainVerification VerifyInFull() { return VerifyAndRecord(ChainVerifyMode::kFull); }

  // The seq of the stored verified watermark.
  int64_t StoredWatermark() {
    return std::stoll(db_->QueryScalar("SELECT seq FROM audit.verified_watermark"));
  }

  // Runs `sql` as the superuser with triggers off: what someone with full control of the database
  // server could do.
  void Tamper(const std::string& sql) {
    pqxx::connection connection(db_->dsn());
    pqxx::nontransaction tx(connection);
    tx.exec("SET session_replication_role = replica");
    tx.exec(sql);
  }

  // Runs `sql` in an ordinary session (triggers on); returns the error message, "" if it worked.
  std::string TryAsNormalSession(const std::string& sql) {
    pqxx::connection connection(db_->dsn());
    try {
      pqxx::work tx(connection);
      tx.exec(sql);
      tx.commit();
      return "";
    } catch (const pqxx::sql_error& e) {
      return e.what();
    }
  }

  int64_t EventIdAt(int64_t seq) {
    return std::stoll(
        db_->QueryScalar(absl::StrCat("SELECT event_id FROM audit.chain WHERE seq = ", seq)));
  }

  int64_t Count(const std::string& table) {
    return std::stoll(db_->QueryScalar(absl::StrCat("SELECT count(*) FROM ", table)));
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<TransactionRunner> runner_;
};

}  // namespace consular::storage

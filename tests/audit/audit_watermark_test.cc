// Verification from the stored verified watermark (migration 0027) against a real PostgreSQL:
// an incremental verification recomputes only the rows chained since the last one, checks the
// anchor row against its stored hash, and moves the watermark only when everything verified; a
// full one recomputes everything and resets it; concurrent verifications stay consistent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/audit_verification.h"
#include "tests/audit/audit_chain_fixture.h"

namespace consular::storage {
namespace {

using ::testing::HasSubstr;

// Adds `count` events after those written so far and chains them.
class AuditWatermarkTest : public AuditChainTest {
 protected:
  void Append(int count) {
    for (int i = 0; i < count; ++i) Insert(Record(written_++));
    ChainAll();
  }

  int written_ = 0;
};

TEST_F(AuditWatermarkTest, IncrementalVerificationRecomputesOnlyTheRowsAfterTheWatermark) {
  EXPECT_EQ(StoredWatermark(), 0);
  Append(10);
  ChainVerification v = VerifyIncrementally();
  ASSERT_TRUE(v.ok) << v.reason;
  EXPECT_FALSE(v.full);
  EXPECT_EQ(v.anchor_seq, 0);  // nothing verified before: from the start
  EXPECT_EQ(v.events_checked, 10);
  EXPECT_EQ(v.watermark, 10);
  EXPECT_EQ(v.verified_watermark, 10);
  EXPECT_FALSE(v.last_full_micros.has_value());
  EXPECT_EQ(StoredWatermark(), 10);
  EXPECT_EQ(db_->QueryScalar("SELECT encode(hash, 'hex') FROM audit.verified_watermark"),
            v.head_hash_hex);

  Append(3);
  v = VerifyIncrementally();
  ASSERT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.anchor_seq, 10);
  EXPECT_EQ(v.events_checked, 3);  // 11, 12, 13 only
  EXPECT_EQ(v.watermark, 13);
  EXPECT_EQ(StoredWatermark(), 13);

  // Nothing new: only the anchor is checked.
  v = VerifyIncrementally();
  ASSERT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.anchor_seq, 13);
  EXPECT_EQ(v.events_checked, 0);
  EXPECT_EQ(StoredWatermark(), 13);

  // Events written but not chained yet are pending, beyond the head: not verified, watermark kept.
  Insert(Record(written_++));
  v = VerifyIncrementally();
  ASSERT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.pending, 1);
  EXPECT_EQ(v.watermark, 13);
  EXPECT_EQ(StoredWatermark(), 13);
}

TEST_F(AuditWatermarkTest, ARowChangedBeforeTheWatermarkIsFoundOnlyByTheFullVerification) {
  Append(10);
  ASSERT_TRUE(VerifyIncrementally().ok);
  const int64_t edited = EventIdAt(5);
  Tamper(absl::StrCat("UPDATE audit.events SET actor = 'someone-else' WHERE id = ", edited));
  Append(2);

  // The incremental verification trusts rows 1-9 (it re-checks only the anchor, row 10).
  ChainVerification v = VerifyIncrementally();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.anchor_seq, 10);
  EXPECT_EQ(v.events_checked, 2);
  EXPECT_EQ(StoredWatermark(), 12);

  // The full one recomputes everything and names the row; the watermark does not move.
  v = VerifyInFull();
  EXPECT_FALSE(v.ok);
  EXPECT_TRUE(v.full);
  EXPECT_EQ(v.anchor_seq, 0);
  EXPECT_EQ(v.first_broken_seq, 5);
  EXPECT_EQ(v.first_broken_event_id, edited);
  EXPECT_EQ(v.events_checked, 4);
  EXPECT_THAT(v.reason, HasSubstr("does not match its hash"));
  EXPECT_EQ(v.verified_watermark, 12);
  EXPECT_EQ(StoredWatermark(), 12);
  EXPECT_EQ(db_->QueryScalar("SELECT full_verified_at IS NULL FROM audit.verified_watermark"), "t");
}

TEST_F(AuditWatermarkTest, ARowChangedAfterTheWatermarkIsFoundAndTheWatermarkStays) {
  Append(5);
  ASSERT_TRUE(VerifyIncrementally().ok);
  const std::string stored_hash =
      db_->QueryScalar("SELECT encode(hash, 'hex') FROM audit.verified_watermark");
  Append(5);
  const int64_t edited = EventIdAt(8);
  Tamper(
      absl::StrCat("UPDATE audit.events SET outcome = 'OK', purpose = NULL WHERE id = ", edited));

  ChainVerification v = VerifyIncrementally();
  EXPECT_FALSE(v.ok);
  EXPECT_FALSE(v.full);
  EXPECT_EQ(v.anchor_seq, 5);
  EXPECT_EQ(v.first_broken_seq, 8);
  EXPECT_EQ(v.first_broken_event_id, edited);
  EXPECT_EQ(v.events_checked, 2);  // 6 and 7
  EXPECT_EQ(v.verified_watermark, 5);
  EXPECT_EQ(StoredWatermark(), 5);

  // More events after the break: the watermark still stays, and the break is named again.
  Append(3);
  v = VerifyIncrementally();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 8);
  EXPECT_EQ(StoredWatermark(), 5);
  EXPECT_EQ(db_->QueryScalar("SELECT encode(hash, 'hex') FROM audit.verified_watermark"),
            stored_hash);
  v = VerifyInFull();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 8);
  EXPECT_EQ(StoredWatermark(), 5);
}

TEST_F(AuditWatermarkTest, AChangedAnchorIsFound) {
  Append(6);
  ASSERT_TRUE(VerifyIncrementally().ok);
  Append(2);
  const int64_t anchor_event = EventIdAt(6);

  // The anchor's event edited: its hash no longer follows.
  const std::string actor =
      db_->QueryScalar(absl::StrCat("SELECT actor FROM audit.events WHERE id = ", anchor_event));
  Tamper(absl::StrCat("UPDATE audit.events SET actor = 'someone-else' WHERE id = ", anchor_event));
  ChainVerification v = VerifyIncrementally();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 6);
  EXPECT_EQ(v.first_broken_event_id, anchor_event);
  EXPECT_THAT(v.reason, HasSubstr("verified watermark"));
  EXPECT_THAT(v.reason, HasSubstr("does not match its hash"));
  EXPECT_EQ(v.events_checked, 0);
  EXPECT_EQ(StoredWatermark(), 6);
  Tamper(absl::StrCat("UPDATE audit.events SET actor = '", actor, "' WHERE id = ", anchor_event));
  ASSERT_TRUE(VerifyIncrementally().ok);  // put back exactly: whole again
  ASSERT_EQ(StoredWatermark(), 8);

  // The anchor's chain row rewritten with another hash, and the rows after it re-hashed to
  // follow it: the stored hash no longer matches.
  Append(1);
  Tamper("UPDATE audit.chain SET hash = decode(repeat('ab', 32), 'hex') WHERE seq = 8");
  Tamper("UPDATE audit.chain SET prev_hash = decode(repeat('ab', 32), 'hex') WHERE seq = 9");
  v = VerifyIncrementally();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 8);
  EXPECT_THAT(v.reason, HasSubstr("no longer has the hash it was verified with"));
  EXPECT_EQ(StoredWatermark(), 8);
}

TEST_F(AuditWatermarkTest, AChainCutBackBelowTheWatermarkIsFound) {
  Append(6);
  ASSERT_TRUE(VerifyIncrementally().ok);
  const int64_t fifth = EventIdAt(5);
  const int64_t sixth = EventIdAt(6);
  // The last two events and their chain rows removed: a shorter chain, valid by itself.
  Tamper("DELETE FROM audit.chain WHERE seq >= 5");
  Tamper(absl::StrCat("DELETE FROM audit.events WHERE id IN (", fifth, ", ", sixth, ")"));
  ChainVerification v = VerifyIncrementally();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 5);
  EXPECT_THAT(v.reason, HasSubstr("cut back"));
  EXPECT_EQ(StoredWatermark(), 6);
}

TEST_F(AuditWatermarkTest, AMissingAnchorRowIsFound) {
  Append(6);
  ASSERT_TRUE(VerifyIncrementally().ok);
  Append(2);
  Tamper("DELETE FROM audit.chain WHERE seq = 6");
  const ChainVerification v = VerifyIncrementally();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 6);
  EXPECT_THAT(v.reason, HasSubstr("missing"));
  EXPECT_EQ(StoredWatermark(), 6);
}

TEST_F(AuditWatermarkTest, AnEventDroppedFromTheQueueAfterTheWatermarkIsFound) {
  Append(4);
  ASSERT_TRUE(VerifyIncrementally().ok);
  Insert(Record(written_++));
  const int64_t unqueued = std::stoll(db_->QueryScalar("SELECT max(event_id) FROM audit.pending"));
  Tamper(absl::StrCat("DELETE FROM audit.pending WHERE event_id = ", unqueued));
  const ChainVerification v = VerifyIncrementally();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_event_id, unqueued);
  EXPECT_THAT(v.reason, HasSubstr("neither chained nor waiting"));
  EXPECT_EQ(StoredWatermark(), 4);
}

TEST_F(AuditWatermarkTest, TheFullVerificationResetsTheWatermark) {
  Append(5);
  ASSERT_TRUE(VerifyIncrementally().ok);
  // A watermark that is not the chain's (written by someone with full control of the database):
  // the incremental verification says so and keeps failing; the full one, finding the chain
  // intact, resets it.
  Tamper("UPDATE audit.verified_watermark SET hash = decode(repeat('cd', 32), 'hex')");
  ChainVerification v = VerifyIncrementally();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 5);
  Append(2);
  v = VerifyInFull();
  ASSERT_TRUE(v.ok) << v.reason;
  EXPECT_TRUE(v.full);
  EXPECT_EQ(v.anchor_seq, 0);
  EXPECT_EQ(v.events_checked, 7);
  EXPECT_EQ(v.verified_watermark, 7);
  EXPECT_TRUE(v.last_full_micros.has_value());
  EXPECT_EQ(StoredWatermark(), 7);
  EXPECT_EQ(db_->QueryScalar("SELECT full_verified_at IS NOT NULL FROM audit.verified_watermark"),
            "t");

  Append(1);
  v = VerifyIncrementally();
  ASSERT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.anchor_seq, 7);
  EXPECT_EQ(v.events_checked, 1);
  EXPECT_TRUE(v.last_full_micros.has_value());  // kept by the incremental one
}

TEST_F(AuditWatermarkTest, AnEmptyChainVerifiesAndLeavesTheWatermarkAtZero) {
  ChainVerification v = VerifyIncrementally();
  ASSERT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.watermark, 0);
  EXPECT_EQ(v.verified_watermark, 0);
  v = VerifyInFull();
  ASSERT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.verified_watermark, 0);
}

// The services' role reads the watermark and moves it only through audit.record_verification,
// which takes nothing but a row of the chain; nobody removes it.
TEST_F(AuditWatermarkTest, TheWatermarkChangesOnlyThroughAVerification) {
  Append(3);
  ConnectionPool app_pool(PoolOptions{db_->app_dsn(), 2});
  TransactionRunner app_runner(&app_pool);
  ChainVerification v;
  ASSERT_TRUE(app_runner
                  .Run(In(absl::Seconds(10)),
                       [&](pqxx::transaction_base& tx) {
                         v = VerifyAndRecordAuditChain(tx, ChainVerifyMode::kIncremental);
                         return absl::OkStatus();
                       })
                  .ok());
  ASSERT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(StoredWatermark(), 3);

  pqxx::connection app(db_->app_dsn());
  for (const std::string& sql : {
           std::string("UPDATE audit.verified_watermark SET seq = 0"),
           std::string("DELETE FROM audit.verified_watermark"),
           std::string("INSERT INTO audit.verified_watermark (seq, hash, max_event_id) "
                       "VALUES (0, decode(repeat('00', 32), 'hex'), 0)"),
       }) {
    try {
      pqxx::work tx(app);
      tx.exec(sql);
      tx.commit();
      ADD_FAILURE() << "the services' role could run: " << sql;
    } catch (const pqxx::sql_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("permission denied")) << sql;
    }
  }
  // A seq and hash that are not the chain's, or nonsense, are refused.
  const std::string zeros = "decode(repeat('00', 32), 'hex')";
  for (const auto& [sql, says] : std::vector<std::pair<std::string, std::string>>{
           {absl::StrCat("SELECT audit.record_verification(2, ", zeros, ", 0, false)"),
            "not a row of the audit chain"},
           {absl::StrCat("SELECT audit.record_verification(9, ", zeros, ", 0, true)"),
            "not a row of the audit chain"},
           {absl::StrCat("SELECT audit.record_verification(-1, ", zeros, ", 0, false)"),
            "are required"},
           {"SELECT audit.record_verification(0, decode(repeat('01', 32), 'hex'), 0, true)",
            "32 zero bytes"},
       }) {
    try {
      pqxx::work tx(app);
      tx.exec(sql);
      tx.commit();
      ADD_FAILURE() << "accepted: " << sql;
    } catch (const pqxx::sql_error& e) {
      EXPECT_THAT(e.what(), HasSubstr(says)) << sql;
    }
  }
  // An incremental record only moves it forward.
  {
    pqxx::work tx(app);
    const std::string hash1 =
        tx.exec1("SELECT encode(hash, 'hex') FROM audit.chain WHERE seq = 1")[0].as<std::string>();
    EXPECT_FALSE(tx.exec1(absl::StrCat("SELECT audit.record_verification(1, decode('", hash1,
                                       "', 'hex'), 0, false)"))[0]
                     .as<bool>());
    tx.commit();
  }
  EXPECT_EQ(StoredWatermark(), 3);
  // Nobody removes it, the owner included.
  EXPECT_THAT(TryAsNormalSession("DELETE FROM audit.verified_watermark"), HasSubstr("append-only"));
  EXPECT_THAT(TryAsNormalSession("TRUNCATE audit.verified_watermark"), HasSubstr("append-only"));
}

// Six verifiers in a loop while a writer appends and a sequencer chains: every verification is
// intact, and the incremental ones, serialised, cover the chain exactly once between them (each
// starts where another ended); the watermark never goes back.
TEST_F(AuditWatermarkTest, ConcurrentVerificationsAreConsistent) {
  constexpr int kVerifiers = 6;
  constexpr int kRounds = 25;
  Append(20);
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  absl::Mutex mu;
  std::vector<std::pair<int64_t, int64_t>> covered;  // (anchor, head) of each incremental one
  int64_t checked_total = 0;

  std::thread writer([&] {
    AuditSequencer sequencer(runner_.get(), {/*batch_size=*/5});
    for (int n = 0; !done.load(); ++n) {
      Insert(Record(1000 + n));
      if (!sequencer.RunOnce().ok()) ++failures;
    }
  });
  std::thread watcher([&] {
    pqxx::connection connection(db_->dsn());
    int64_t last = 0;
    while (!done.load()) {
      pqxx::nontransaction tx(connection);
      const int64_t now = tx.exec1("SELECT seq FROM audit.verified_watermark")[0].as<int64_t>();
      if (now < last) ++failures;
      last = now;
      absl::SleepFor(absl::Milliseconds(2));
    }
  });
  std::vector<std::thread> verifiers;
  for (int t = 0; t < kVerifiers; ++t) {
    verifiers.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) {
        ChainVerification v;
        const absl::Status status =
            runner_->Run(In(absl::Seconds(30)), [&](pqxx::transaction_base& tx) {
              v = VerifyAndRecordAuditChain(tx, ChainVerifyMode::kIncremental);
              return absl::OkStatus();
            });
        if (!status.ok() || !v.ok || v.verified_watermark != v.watermark ||
            v.events_checked != v.watermark - v.anchor_seq) {
          ++failures;
          continue;
        }
        absl::MutexLock lock(&mu);
        covered.emplace_back(v.anchor_seq, v.watermark);
        checked_total += v.events_checked;
      }
    });
  }
  for (std::thread& verifier : verifiers) verifier.join();
  done = true;
  writer.join();
  watcher.join();
  EXPECT_EQ(failures.load(), 0);

  ASSERT_EQ(covered.size(), static_cast<size_t>(kVerifiers * kRounds));
  std::sort(covered.begin(), covered.end());
  EXPECT_EQ(covered.front().first, 0);
  for (size_t i = 1; i < covered.size(); ++i) {
    EXPECT_EQ(covered[i].first, covered[i - 1].second) << "verification " << i;
  }
  EXPECT_EQ(checked_total, covered.back().second);
  EXPECT_EQ(StoredWatermark(), covered.back().second);

  // A full verification alongside incremental ones: all intact, and the watermark is a row of the
  // chain with its hash.
  std::vector<std::thread> mixed;
  std::atomic<int> mixed_failures{0};
  Append(10);
  for (int t = 0; t < 4; ++t) {
    mixed.emplace_back([&, t] {
      const ChainVerification v = t == 0 ? VerifyInFull() : VerifyIncrementally();
      if (!v.ok) ++mixed_failures;
    });
  }
  for (std::thread& thread : mixed) thread.join();
  EXPECT_EQ(mixed_failures.load(), 0);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.verified_watermark w JOIN audit.chain c "
                             "ON c.seq = w.seq AND c.hash = w.hash"),
            "1");
  EXPECT_TRUE(VerifyIncrementally().ok);
}

}  // namespace
}  // namespace consular::storage

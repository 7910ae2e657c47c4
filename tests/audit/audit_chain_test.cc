// The audit trail against a real PostgreSQL: writing, chaining, verification, tamper detection,
// the append-only triggers and concurrent writers and sequencers.
#include "storage/audit_chain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/audit_store.h"
#include "storage/audit_verification.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/audit/audit_chain_fixture.h"
#include "tests/support/test_database.h"

namespace consular::storage {
namespace {

using ::testing::HasSubstr;

TEST_F(AuditChainTest, InsertedEventsAreChainedAndVerify) {
  InsertMany(20);
  ChainVerification before = Verify();
  EXPECT_TRUE(before.ok) << before.reason;
  EXPECT_EQ(before.watermark, 0);
  EXPECT_EQ(before.pending, 20);

  EXPECT_EQ(ChainAll(), 20);
  const ChainVerification v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.watermark, 20);
  EXPECT_EQ(v.events_checked, 20);
  EXPECT_EQ(v.pending, 0);
  EXPECT_EQ(v.head_hash_hex.size(), 64u);
  EXPECT_EQ(db_->QueryScalar("SELECT encode(prev_hash, 'hex') FROM audit.chain WHERE seq = 1"),
            std::string(64, '0'));
  EXPECT_EQ(Count("audit.pending"), 0);

  // More events continue the same chain.
  InsertMany(3);
  EXPECT_EQ(ChainAll(), 3);
  const ChainVerification after = Verify();
  EXPECT_TRUE(after.ok) << after.reason;
  EXPECT_EQ(after.watermark, 23);
}

TEST_F(AuditChainTest, RecordsAreStoredAsWrittenAndListedNewestFirst) {
  InsertMany(10);
  ChainAll();
  std::vector<StoredAuditEvent> all;
  ASSERT_TRUE(runner_
                  ->RunReadOnly(In(absl::Seconds(10)),
                                [&](pqxx::transaction_base& tx) {
                                  all = ListAuditEvents(tx, {}, std::nullopt, 100);
                                  return absl::OkStatus();
                                })
                  .ok());
  ASSERT_EQ(all.size(), 10u);
  // Newest first: Record(9) was written last and happened last.
  const AuditRecord expected = Record(9);
  EXPECT_EQ(all[0].actor, expected.actor);
  EXPECT_EQ(all[0].actor_role, expected.actor_role);
  EXPECT_EQ(all[0].actor_post, expected.actor_post);
  EXPECT_EQ(all[0].action, expected.action);
  EXPECT_EQ(all[0].case_id, expected.case_id);
  EXPECT_EQ(all[0].purpose, expected.purpose);
  EXPECT_EQ(all[0].outcome, expected.outcome);
  EXPECT_EQ(all[0].emergency, expected.emergency);
  EXPECT_EQ(all[0].occurred_at_micros, absl::ToUnixMicros(expected.occurred_at));
  EXPECT_GT(all[0].chain_seq, 0);
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i].occurred_at_micros, all[i - 1].occurred_at_micros);
  }
  // Empty optional fields are NULL in the table.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE case_id IS NULL"), "2");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE purpose IS NULL"), "2");

  // Filters and keyset paging.
  AuditFilter by_case;
  by_case.case_id = kCaseA;
  AuditFilter by_actor_and_action;
  by_actor_and_action.actor = "officer-1";
  by_actor_and_action.action = "CaseService.UpdateCase";
  AuditFilter by_time;
  by_time.since_micros = absl::ToUnixMicros(Record(3).occurred_at);
  by_time.until_micros = absl::ToUnixMicros(Record(6).occurred_at);
  std::vector<StoredAuditEvent> page1, page2, page3, case_a, actor_action, time_range;
  ASSERT_TRUE(
      runner_
          ->RunReadOnly(
              In(absl::Seconds(10)),
              [&](pqxx::transaction_base& tx) {
                case_a = ListAuditEvents(tx, by_case, std::nullopt, 100);
                actor_action = ListAuditEvents(tx, by_actor_and_action, std::nullopt, 100);
                time_range = ListAuditEvents(tx, by_time, std::nullopt, 100);
                page1 = ListAuditEvents(tx, {}, std::nullopt, 4);
                page2 = ListAuditEvents(
                    tx, {}, AuditCursor{page1.back().occurred_at_micros, page1.back().id}, 4);
                page3 = ListAuditEvents(
                    tx, {}, AuditCursor{page2.back().occurred_at_micros, page2.back().id}, 4);
                return absl::OkStatus();
              })
          .ok());
  ASSERT_EQ(case_a.size(), 5u);  // n = 0, 2, 4, 6, 8
  for (const auto& e : case_a) EXPECT_EQ(e.case_id, kCaseA);
  ASSERT_EQ(actor_action.size(), 2u);  // n = 1, 7
  for (const auto& e : actor_action) {
    EXPECT_EQ(e.actor, "officer-1");
    EXPECT_EQ(e.action, "CaseService.UpdateCase");
  }
  ASSERT_EQ(time_range.size(), 3u);  // n = 3, 4, 5: since inclusive, until exclusive
  EXPECT_EQ(page1.size(), 4u);
  EXPECT_EQ(page2.size(), 4u);
  EXPECT_EQ(page3.size(), 2u);
  EXPECT_LT(page2.front().occurred_at_micros, page1.back().occurred_at_micros);
}

TEST_F(AuditChainTest, EditedEventIsNamed) {
  InsertMany(10);
  ChainAll();
  const int64_t edited = EventIdAt(4);
  Tamper(absl::StrCat("UPDATE audit.events SET outcome = 'OK' , actor = 'someone-else' WHERE id = ",
                      edited));
  const ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 4);
  EXPECT_EQ(v.first_broken_event_id, edited);
  EXPECT_EQ(v.events_checked, 3);
  EXPECT_THAT(v.reason, HasSubstr("does not match its hash"));
}

TEST_F(AuditChainTest, EditedTimestampOfOneMicrosecondIsNamed) {
  InsertMany(5);
  ChainAll();
  const int64_t edited = EventIdAt(2);
  Tamper(absl::StrCat(
      "UPDATE audit.events SET occurred_at = occurred_at + interval '1 microsecond' WHERE id = ",
      edited));
  const ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_event_id, edited);
}

TEST_F(AuditChainTest, DeletedEventIsNamed) {
  InsertMany(10);
  ChainAll();
  const int64_t deleted = EventIdAt(6);
  Tamper(absl::StrCat("DELETE FROM audit.events WHERE id = ", deleted));
  const ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 6);
  EXPECT_EQ(v.first_broken_event_id, deleted);
  EXPECT_THAT(v.reason, HasSubstr("deleted"));
}

TEST_F(AuditChainTest, SwappedEventContentsAreDetectedAtTheFirstOfThem) {
  InsertMany(10);
  ChainAll();
  const int64_t a = EventIdAt(3);
  const int64_t b = EventIdAt(7);
  // Swap every column but the id between the two rows.
  Tamper(absl::StrCat(
      "UPDATE audit.events AS e SET occurred_at = o.occurred_at, actor = o.actor, "
      "actor_role = o.actor_role, actor_post = o.actor_post, action = o.action, "
      "case_id = o.case_id, purpose = o.purpose, outcome = o.outcome, emergency = o.emergency, "
      "correlation_id = o.correlation_id FROM audit.events AS o "
      "WHERE (e.id, o.id) IN ((",
      a, ", ", b, "), (", b, ", ", a, "))"));
  ASSERT_NE(db_->QueryScalar(absl::StrCat("SELECT actor FROM audit.events WHERE id = ", a)),
            db_->QueryScalar(absl::StrCat("SELECT actor FROM audit.events WHERE id = ", b)))
      << "the fixture must make the two rows differ";
  const ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 3);
  EXPECT_EQ(v.first_broken_event_id, a);
}

TEST_F(AuditChainTest, ReorderedChainRowsAreDetected) {
  InsertMany(10);
  ChainAll();
  // Swap chain rows 2 and 5 (one at a time: seq is the primary key).
  Tamper("UPDATE audit.chain SET seq = 1000 WHERE seq = 2");
  Tamper("UPDATE audit.chain SET seq = 2 WHERE seq = 5");
  Tamper("UPDATE audit.chain SET seq = 5 WHERE seq = 1000");
  const ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 2);
  EXPECT_THAT(v.reason, HasSubstr("does not follow"));
}

TEST_F(AuditChainTest, ReorderedEventsOfTheChainAreDetected) {
  InsertMany(10);
  ChainAll();
  const int64_t a = EventIdAt(2);
  const int64_t b = EventIdAt(3);
  // Point the chain rows at each other's events.
  Tamper("ALTER TABLE audit.chain DROP CONSTRAINT chain_event_id_key");
  Tamper(absl::StrCat("UPDATE audit.chain SET event_id = CASE event_id WHEN ", a, " THEN ", b,
                      " ELSE ", a, " END WHERE seq IN (2, 3)"));
  const ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 2);
  EXPECT_EQ(v.first_broken_event_id, b);
}

TEST_F(AuditChainTest, MissingChainRowIsNamed) {
  InsertMany(10);
  ChainAll();
  Tamper("DELETE FROM audit.chain WHERE seq = 3");
  const ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 3);
  EXPECT_THAT(v.reason, HasSubstr("missing"));
}

TEST_F(AuditChainTest, RemovingTheLastChainRowLeavesItsEventUnaccounted) {
  InsertMany(5);
  ChainAll();
  const int64_t last = EventIdAt(5);
  Tamper("DELETE FROM audit.chain WHERE seq = 5");
  const ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_event_id, last);
  EXPECT_THAT(v.reason, HasSubstr("neither chained nor waiting"));
}

TEST_F(AuditChainTest, EventChainedTwiceIsNamed) {
  InsertMany(5);
  ChainAll();
  // A forger who knows the format appends a well-formed chain row for an event already chained.
  Tamper("ALTER TABLE audit.chain DROP CONSTRAINT chain_event_id_key");
  const int64_t again = EventIdAt(2);
  AuditEventRow row;
  {
    pqxx::connection connection(db_->dsn());
    pqxx::work tx(connection);
    const pqxx::row r = tx.exec1(absl::StrCat(
        "SELECT id, (extract(epoch from occurred_at) * 1000000)::bigint, actor, actor_role, "
        "actor_post, action, case_id::text, purpose, outcome, emergency, correlation_id "
        "FROM audit.events WHERE id = ",
        again));
    row.id = r[0].as<int64_t>();
    row.occurred_at_micros = r[1].as<int64_t>();
    row.actor = r[2].as<std::string>();
    row.actor_role = r[3].as<std::string>();
    row.actor_post = r[4].as<std::string>();
    row.action = r[5].as<std::string>();
    if (!r[6].is_null()) row.case_id = r[6].as<std::string>();
    if (!r[7].is_null()) row.purpose = r[7].as<std::string>();
    row.outcome = r[8].as<std::string>();
    row.emergency = r[9].as<bool>();
    if (!r[10].is_null()) row.correlation_id = r[10].as<std::string>();
  }
  const std::string head =
      db_->QueryScalar("SELECT encode(hash, 'hex') FROM audit.chain WHERE seq = 5");
  const std::string hash_hex = absl::BytesToHexString(
      AuditChainHash(absl::HexStringToBytes(head), 6, CanonicalAuditRow(row)));
  Tamper(absl::StrCat("INSERT INTO audit.chain VALUES (6, ", again, ", decode('", head,
                      "', 'hex'), decode('", hash_hex, "', 'hex'))"));
  const ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 6);
  EXPECT_EQ(v.first_broken_event_id, again);
  EXPECT_THAT(v.reason, HasSubstr("chained twice"));
}

TEST_F(AuditChainTest, EventsRemovedBeforeChainingAreDetected) {
  InsertMany(3);
  ChainAll();
  Insert(Record(3));
  Insert(Record(4));
  const int64_t unqueued = std::stoll(db_->QueryScalar("SELECT max(event_id) FROM audit.pending"));
  Tamper(absl::StrCat("DELETE FROM audit.pending WHERE event_id = ", unqueued));
  ChainVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_event_id, unqueued);
  EXPECT_THAT(v.reason, HasSubstr("neither chained nor waiting"));

  Tamper(absl::StrCat("INSERT INTO audit.pending VALUES (", unqueued, ")"));
  const int64_t vanished = std::stoll(db_->QueryScalar("SELECT min(event_id) FROM audit.pending"));
  Tamper(absl::StrCat("DELETE FROM audit.events WHERE id = ", vanished));
  v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_event_id, vanished);
  EXPECT_THAT(v.reason, HasSubstr("deleted before it was chained"));
}

TEST_F(AuditChainTest, TriggersRejectUpdateDeleteAndTruncate) {
  InsertMany(3);
  ChainAll();
  Insert(Record(3));  // one pending
  for (const std::string& sql : {
           std::string("UPDATE audit.events SET actor = 'x'"),
           std::string("DELETE FROM audit.events"),
           std::string("TRUNCATE audit.events CASCADE"),
           std::string("UPDATE audit.chain SET seq = seq + 100"),
           std::string("DELETE FROM audit.chain"),
           std::string("TRUNCATE audit.chain"),
           std::string("UPDATE audit.pending SET event_id = 0"),
           std::string("TRUNCATE audit.pending"),
       }) {
    EXPECT_THAT(TryAsNormalSession(sql), HasSubstr("append-only")) << sql;
  }
  // A pending event cannot be dropped from the queue before it is chained.
  EXPECT_THAT(TryAsNormalSession("DELETE FROM audit.pending"), HasSubstr("not chained yet"));
  EXPECT_EQ(Count("audit.events"), 4);
  EXPECT_EQ(Count("audit.chain"), 3);
  EXPECT_EQ(Count("audit.pending"), 1);
  const ChainVerification v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.pending, 1);
}

TEST_F(AuditChainTest, RolledBackEventsNeverAppear) {
  Insert(Record(0));
  const absl::Status status = runner_->Run(In(absl::Seconds(10)), [&](pqxx::transaction_base& tx) {
    AuditRecord record = Record(1);
    record.actor = "rolled-back";
    InsertAuditRecord(tx, record);
    return absl::FailedPreconditionError("the work failed");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  Insert(Record(2));
  EXPECT_EQ(ChainAll(), 2);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE actor = 'rolled-back'"), "0");
  EXPECT_EQ(Count("audit.pending"), 0);
  const ChainVerification v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.watermark, 2);
}

TEST_F(AuditChainTest, LateCommittedEventIsChainedInALaterRound) {
  pqxx::connection late_connection(db_->dsn());
  pqxx::work late(late_connection);
  AuditRecord early = Record(0);
  early.actor = "slow-writer";
  InsertAuditRecord(late, early);  // takes the smaller id, commits last
  Insert(Record(1));
  EXPECT_EQ(ChainAll(), 1);
  late.commit();
  EXPECT_EQ(ChainAll(), 1);
  EXPECT_LT(std::stoll(db_->QueryScalar("SELECT event_id FROM audit.chain WHERE seq = 2")),
            std::stoll(db_->QueryScalar("SELECT event_id FROM audit.chain WHERE seq = 1")));
  const ChainVerification v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.watermark, 2);
}

TEST_F(AuditChainTest, SequencerSkipsTheRoundWhileAnotherHoldsTheLock) {
  InsertMany(3);
  pqxx::connection other(db_->dsn());
  pqxx::work holder(other);
  holder.exec("SELECT pg_advisory_xact_lock(1635083380, 1)");
  AuditSequencer sequencer(runner_.get());
  absl::StatusOr<int> chained = sequencer.RunOnce();
  ASSERT_TRUE(chained.ok()) << chained.status();
  EXPECT_EQ(*chained, 0);
  holder.commit();
  chained = sequencer.RunOnce();
  ASSERT_TRUE(chained.ok()) << chained.status();
  EXPECT_EQ(*chained, 3);
}

TEST_F(AuditChainTest, SequencerReportsWhatIsLeftUnchainedAndHowOld) {
  InsertMany(3);  // occurred on 2026-01-01: months old
  AuditSequencer sequencer(runner_.get());
  EXPECT_EQ(sequencer.Lag().measured_at, absl::InfinitePast());  // no round yet
  {
    pqxx::connection other(db_->dsn());
    pqxx::work holder(other);
    holder.exec("SELECT pg_advisory_xact_lock(1635083380, 1)");
    ASSERT_TRUE(sequencer.RunOnce().ok());
    const SequencerLag lag = sequencer.Lag();
    EXPECT_EQ(lag.pending, 3);
    EXPECT_GT(lag.oldest_age_seconds, 30 * 24 * 3600.0);
    EXPECT_GT(lag.measured_at, absl::Now() - absl::Minutes(1));
    holder.commit();
  }
  ASSERT_TRUE(sequencer.RunOnce().ok());
  const SequencerLag lag = sequencer.Lag();
  EXPECT_EQ(lag.pending, 0);
  EXPECT_EQ(lag.oldest_age_seconds, 0.0);
}

TEST_F(AuditChainTest, BackgroundSequencerChainsSoonAfterCommit) {
  AuditSequencer sequencer(runner_.get());
  sequencer.Start(absl::Milliseconds(5));
  InsertMany(4);
  // Wait for it (bounded); the assertion is that it happens, not how fast.
  const absl::Time give_up = In(absl::Seconds(30));
  while (Count("audit.chain") < 4 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(10));
  sequencer.Stop();
  EXPECT_EQ(Count("audit.chain"), 4);
  sequencer.Stop();  // harmless twice
}

// 8 writers, each in its own transactions, while 2 sequencers (separate pools, as in separate
// processes) chain concurrently: one valid, gap-free chain holding every committed event once.
TEST_F(AuditChainTest, ConcurrentWritersAndSequencersMakeOneValidChain) {
  constexpr int kWriters = 8;
  constexpr int kTransactionsPerWriter = 60;
  std::atomic<bool> writers_done{false};
  std::atomic<int64_t> committed{0};
  std::atomic<int> sequencer_errors{0};

  std::vector<std::unique_ptr<ConnectionPool>> sequencer_pools;
  std::vector<std::unique_ptr<TransactionRunner>> sequencer_runners;
  std::vector<std::thread> sequencers;
  for (int i = 0; i < 2; ++i) {
    sequencer_pools.push_back(std::make_unique<ConnectionPool>(PoolOptions{db_->dsn(), 1}));
    sequencer_runners.push_back(std::make_unique<TransactionRunner>(sequencer_pools.back().get()));
    sequencers.emplace_back([&, runner = sequencer_runners.back().get()] {
      AuditSequencer sequencer(runner, {/*batch_size=*/16});
      while (!writers_done.load()) {
        absl::StatusOr<int> chained = sequencer.RunOnce();
        if (!chained.ok()) ++sequencer_errors;
        if (chained.ok() && *chained == 0) absl::SleepFor(absl::Milliseconds(1));
      }
    });
  }

  std::vector<std::thread> writers;
  std::atomic<int> writer_errors{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int t = 0; t < kTransactionsPerWriter; ++t) {
        const int rows = 1 + (t % 3);
        const bool roll_back = t % 10 == 9;
        const absl::Status status =
            runner_->Run(In(absl::Seconds(30)), [&](pqxx::transaction_base& tx) -> absl::Status {
              for (int r = 0; r < rows; ++r) {
                AuditRecord record = Record(w * 1000 + t * 3 + r);
                record.actor = roll_back ? "rolled-back" : absl::StrCat("writer-", w);
                InsertAuditRecord(tx, record);
              }
              // Hold some transactions open a little, so that later ids commit first.
              if (t % 7 == 3) tx.exec("SELECT pg_sleep(0.005)");
              if (roll_back) return absl::AbortedError("rolled back on purpose");
              return absl::OkStatus();
            });
        if (roll_back) {
          if (status.code() != absl::StatusCode::kAborted) ++writer_errors;
        } else if (status.ok()) {
          committed += rows;
        } else {
          ++writer_errors;
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  writers_done = true;
  for (std::thread& sequencer : sequencers) sequencer.join();
  EXPECT_EQ(writer_errors.load(), 0);
  EXPECT_EQ(sequencer_errors.load(), 0);

  ChainAll();  // whatever committed after the sequencers' last round
  const int64_t expected = committed.load();
  ASSERT_GT(expected, 0);
  EXPECT_EQ(Count("audit.events"), expected);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE actor = 'rolled-back'"), "0");
  EXPECT_EQ(Count("audit.chain"), expected);
  EXPECT_EQ(std::stoll(db_->QueryScalar("SELECT count(DISTINCT event_id) FROM audit.chain")),
            expected);
  EXPECT_EQ(std::stoll(db_->QueryScalar("SELECT max(seq) FROM audit.chain")), expected);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events e WHERE NOT EXISTS "
                             "(SELECT FROM audit.chain c WHERE c.event_id = e.id)"),
            "0");
  const ChainVerification v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.watermark, expected);
  EXPECT_EQ(v.events_checked, expected);
  EXPECT_EQ(v.pending, 0);
}

// The services log in as a role that is neither owner nor superuser (migration 0004): it can
// write, chain and verify the trail, and cannot change it.
TEST_F(AuditChainTest, TheServicesRoleWritesChainsAndVerifiesButCannotChange) {
  ConnectionPool app_pool(PoolOptions{db_->app_dsn(), 2});
  TransactionRunner app_runner(&app_pool);
  for (int n = 0; n < 5; ++n) {
    const absl::Status status =
        app_runner.Run(In(absl::Seconds(10)), [&](pqxx::transaction_base& tx) {
          InsertAuditRecord(tx, Record(n));
          return absl::OkStatus();
        });
    ASSERT_TRUE(status.ok()) << status;
  }
  AuditSequencer sequencer(&app_runner);
  absl::StatusOr<int> chained = sequencer.RunOnce();
  ASSERT_TRUE(chained.ok()) << chained.status();
  EXPECT_EQ(*chained, 5);
  ChainVerification v;
  ASSERT_TRUE(app_runner
                  .Run(
                      In(absl::Seconds(10)),
                      [&](pqxx::transaction_base& tx) {
                        v = VerifyAuditChain(tx);
                        return absl::OkStatus();
                      },
                      Isolation::kRepeatableRead)
                  .ok());
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.watermark, 5);

  pqxx::connection connection(db_->app_dsn());
  for (const std::string& sql : {
           std::string("UPDATE audit.events SET actor = 'x'"),
           std::string("DELETE FROM audit.events"),
           std::string("DELETE FROM audit.chain"),
           std::string("DELETE FROM audit.pending"),
           std::string("TRUNCATE audit.events"),
       }) {
    try {
      pqxx::work tx(connection);
      tx.exec(sql);
      tx.commit();
      ADD_FAILURE() << "the services' role could run: " << sql;
    } catch (const pqxx::sql_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("permission denied")) << sql;
    }
  }
  EXPECT_EQ(Count("audit.events"), 5);
}

TEST_F(AuditChainTest, RunAuditedRecordsSuccessInTheSameTransaction) {
  db_->QueryScalar("CREATE TABLE work_items (id integer PRIMARY KEY)");
  AuditRecord record = Record(0);
  const absl::Status status = RunAudited(runner_.get(), In(absl::Seconds(10)), record,
                                         [&](pqxx::transaction_base& tx, AuditRecord* r) {
                                           tx.exec("INSERT INTO work_items VALUES (1)");
                                           r->case_id = kCaseB;
                                           return absl::OkStatus();
                                         });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM work_items"), "1");
  EXPECT_EQ(db_->QueryScalar("SELECT outcome || ' ' || case_id::text FROM audit.events"),
            absl::StrCat("OK ", kCaseB));
}

TEST_F(AuditChainTest, RunAuditedRecordsAFailedCallOnItsOwn) {
  db_->QueryScalar("CREATE TABLE work_items (id integer PRIMARY KEY)");
  const absl::Status status = RunAudited(runner_.get(), In(absl::Seconds(10)), Record(0),
                                         [&](pqxx::transaction_base& tx, AuditRecord* r) {
                                           tx.exec("INSERT INTO work_items VALUES (1)");
                                           r->case_id = kCaseA;
                                           return absl::PermissionDeniedError("not yours");
                                         });
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM work_items"), "0");
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events"), "1");
  EXPECT_EQ(db_->QueryScalar("SELECT outcome || ' ' || case_id::text FROM audit.events"),
            absl::StrCat("PERMISSION_DENIED ", kCaseA));

  // A call whose deadline has passed is still recorded.
  const absl::Status late =
      RunAudited(runner_.get(), absl::Now() - absl::Seconds(1), Record(1),
                 [&](pqxx::transaction_base&, AuditRecord*) { return absl::OkStatus(); });
  EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(
      db_->QueryScalar("SELECT count(*) FROM audit.events WHERE outcome = 'DEADLINE_EXCEEDED'"),
      "1");
}

TEST_F(AuditChainTest, AuditWriteFailureFailsTheCall) {
  db_->QueryScalar("CREATE TABLE work_items (id integer PRIMARY KEY)");
  AuditRecord bad = Record(0);
  bad.case_id = "not-a-uuid";
  const absl::Status status = RunAudited(runner_.get(), In(absl::Seconds(10)), bad,
                                         [&](pqxx::transaction_base& tx, AuditRecord*) {
                                           tx.exec("INSERT INTO work_items VALUES (1)");
                                           return absl::OkStatus();
                                         });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM work_items"), "0");
}

}  // namespace
}  // namespace consular::storage

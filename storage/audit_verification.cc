#include "storage/audit_verification.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/audit_chain.h"
#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

// The verifiers' lock (the two-integer key space: 'audt', 2; the sequencer's is 'audt', 1).
constexpr char kVerifyLock[] = "SELECT pg_advisory_xact_lock(1635083380, 2)";

// The statements below take bounds ($1, $2) that decide between an index range scan of a few rows
// and a scan of the whole trail; a generic plan, which guesses a third of the table for "id > $1",
// may choose the scan. Plan each with its values.
constexpr char kCustomPlans[] = "SET LOCAL plan_cache_mode = force_custom_plan";

constexpr char kChainHead[] =
    "SELECT seq, encode(hash, 'hex') FROM audit.chain ORDER BY seq DESC LIMIT 1";

constexpr char kReadWatermark[] = "SELECT seq, encode(hash, 'hex'), max_event_id, " MICROS(
    "verified_at") ", " MICROS("full_verified_at") " FROM audit.verified_watermark";

// The chain row at seq $1 with the event it covers (NULL columns if it is gone).
constexpr char kAnchorRow[] =
    "SELECT c.event_id, encode(c.prev_hash, 'hex'), encode(c.hash, "
    "'hex'), " CONSULAR_AUDIT_EVENT_COLUMNS
    " FROM audit.chain c LEFT JOIN audit.events e ON e.id = c.event_id WHERE c.seq = $1";

// Chain rows after seq $1 up to seq $2 with the event each covers (NULL columns if it is gone).
// $3 limit.
constexpr char kChainBatch[] =
    "SELECT c.seq, c.event_id, encode(c.prev_hash, 'hex'), encode(c.hash, "
    "'hex'), " CONSULAR_AUDIT_EVENT_COLUMNS
    " FROM audit.chain c LEFT JOIN audit.events e ON e.id = c.event_id "
    "WHERE c.seq > $1 AND c.seq <= $2 ORDER BY c.seq LIMIT $3";

// Events chained more than once (impossible without dropping the UNIQUE constraint), each with
// the first seq it is chained at: all of them, or those with a chain row after seq $1 up to $2.
constexpr char kChainedTwice[] =
    "SELECT event_id, min(seq) FROM audit.chain GROUP BY event_id HAVING count(*) > 1";
constexpr char kChainedTwiceAfter[] =
    "SELECT c.event_id, min(d.seq) FROM audit.chain c "
    "JOIN audit.chain d ON d.event_id = c.event_id "
    "WHERE c.seq > $1 AND c.seq <= $2 GROUP BY c.event_id HAVING count(*) > 1";

constexpr char kPendingCount[] =
    "SELECT count(*) FROM audit.pending p "
    "WHERE NOT EXISTS (SELECT FROM audit.chain c WHERE c.event_id = p.event_id)";

// The first event with an id above $1 that is neither chained nor queued.
constexpr char kUnqueuedEvent[] =
    "SELECT e.id FROM audit.events e WHERE e.id > $1 "
    "AND NOT EXISTS (SELECT FROM audit.chain c WHERE c.event_id = e.id) "
    "AND NOT EXISTS (SELECT FROM audit.pending p WHERE p.event_id = e.id) ORDER BY e.id LIMIT 1";

constexpr char kQueuedButMissing[] =
    "SELECT p.event_id FROM audit.pending p "
    "WHERE NOT EXISTS (SELECT FROM audit.events e WHERE e.id = p.event_id) "
    "ORDER BY p.event_id LIMIT 1";

// $1 seq, $2 hash (hex), $3 max event id, $4 full.
constexpr char kRecordVerification[] =
    "SELECT audit.record_verification($1, decode($2, 'hex'), $3, $4)";

constexpr int kVerifyBatch = 5000;

const std::string& ZeroHashHex() {
  static const std::string* const kZero = new std::string(64, '0');
  return *kZero;
}

std::optional<int64_t> OptionalInt(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<int64_t>();
}

// Marks `v` broken at the given row and returns false.
bool Broken(ChainVerification* v, int64_t seq, int64_t event_id, std::string reason) {
  v->ok = false;
  v->first_broken_seq = seq;
  v->first_broken_event_id = event_id;
  v->reason = std::move(reason);
  return false;
}

// Reads the head and the pending count into `v`.
void ReadHead(pqxx::transaction_base& tx, ChainVerification* v) {
  const pqxx::result head = ExecPrepared(tx, "audit_verify_head", kChainHead);
  if (!head.empty()) {
    v->watermark = head[0][0].as<int64_t>();
    v->head_hash_hex = head[0][1].as<std::string>();
  }
  v->pending = ExecPrepared1(tx, "audit_verify_pending", kPendingCount)[0].as<int64_t>();
}

// Checks that chain row `anchor.seq` still holds the stored hash and that its event still gives
// it. False (and `v` broken) if not.
bool CheckAnchor(pqxx::transaction_base& tx, const VerifiedWatermark& anchor,
                 ChainVerification* v) {
  if (anchor.seq == 0) return true;
  if (anchor.seq > v->watermark) {
    return Broken(v, v->watermark + 1, 0,
                  absl::StrCat("chain rows ", v->watermark + 1, " to ", anchor.seq,
                               ", verified before, are missing: the chain was cut back to seq ",
                               v->watermark));
  }
  const pqxx::result rows = ExecPrepared(tx, "audit_verify_anchor", kAnchorRow, anchor.seq);
  if (rows.empty()) {
    return Broken(v, anchor.seq, 0,
                  absl::StrCat("chain row ", anchor.seq,
                               " (the verified watermark) is missing: it was removed"));
  }
  const pqxx::row& row = rows[0];
  const int64_t event_id = row[0].as<int64_t>();
  if (row[3].is_null()) {
    return Broken(v, anchor.seq, event_id,
                  absl::StrCat("event ", event_id, " (seq ", anchor.seq,
                               ", the verified watermark) is missing: the row was deleted"));
  }
  if (row[2].as<std::string>() != anchor.hash_hex) {
    return Broken(v, anchor.seq, event_id,
                  absl::StrCat("chain row ", anchor.seq,
                               " (the verified watermark) no longer has the hash it was verified "
                               "with: the chain row was replaced"));
  }
  const std::string recomputed = absl::BytesToHexString(
      AuditChainHash(absl::HexStringToBytes(row[1].as<std::string>()), anchor.seq,
                     CanonicalAuditRow(AuditEventFromRow(row, 3))));
  if (recomputed != anchor.hash_hex) {
    return Broken(v, anchor.seq, event_id,
                  absl::StrCat("event ", event_id, " (seq ", anchor.seq,
                               ", the verified watermark) does not match its hash: the row was "
                               "changed after it was verified"));
  }
  return true;
}

// Recomputes chain rows anchor_seq + 1 .. v->watermark from `prev_hex` (the hash of anchor_seq),
// counting them in v->events_checked and raising *max_event_id to the largest event id they cover.
// False (and `v` broken) at the first broken row.
bool Walk(pqxx::transaction_base& tx, int64_t anchor_seq, std::string prev_hex,
          ChainVerification* v, int64_t* max_event_id) {
  const int64_t head = v->watermark;
  std::unordered_map<int64_t, int64_t> chained_twice;  // event id → the first seq it is chained at
  const pqxx::result twice = anchor_seq == 0
                                 ? ExecPrepared(tx, "audit_verify_chained_twice", kChainedTwice)
                                 : ExecPrepared(tx, "audit_verify_chained_twice_after",
                                                kChainedTwiceAfter, anchor_seq, head);
  for (const pqxx::row& row : twice) chained_twice[row[0].as<int64_t>()] = row[1].as<int64_t>();

  int64_t expected = anchor_seq + 1;
  while (expected <= head) {
    const pqxx::result rows =
        ExecPrepared(tx, "audit_verify_batch", kChainBatch, expected - 1, head, kVerifyBatch);
    for (const pqxx::row& row : rows) {
      const int64_t seq = row[0].as<int64_t>();
      const int64_t event_id = row[1].as<int64_t>();
      if (seq > expected) {
        return Broken(v, expected, 0,
                      absl::StrCat("chain row ", expected, " is missing (the chain goes from ",
                                   expected - 1, " to ", seq, ")"));
      }
      if (seq < expected) {
        return Broken(v, seq, event_id, absl::StrCat("chain row ", seq, " appears twice"));
      }
      const auto first = chained_twice.find(event_id);
      if (first != chained_twice.end() && first->second < seq) {
        return Broken(v, seq, event_id,
                      absl::StrCat("event ", event_id, " is chained twice (seq ", first->second,
                                   " and ", seq, ")"));
      }
      if (row[4].is_null()) {
        return Broken(
            v, seq, event_id,
            absl::StrCat("event ", event_id, " (seq ", seq, ") is missing: the row was deleted"));
      }
      if (row[2].as<std::string>() != prev_hex) {
        return Broken(v, seq, event_id,
                      absl::StrCat("seq ", seq, " does not follow seq ", seq - 1,
                                   ": chain rows were reordered, replaced or removed"));
      }
      const std::string hash_hex = absl::BytesToHexString(AuditChainHash(
          absl::HexStringToBytes(prev_hex), seq, CanonicalAuditRow(AuditEventFromRow(row, 4))));
      std::string stored_hex = row[3].as<std::string>();
      if (hash_hex != stored_hex) {
        return Broken(v, seq, event_id,
                      absl::StrCat("event ", event_id, " (seq ", seq,
                                   ") does not match its hash: the row was changed or rows were "
                                   "swapped after chaining"));
      }
      prev_hex = std::move(stored_hex);
      *max_event_id = std::max(*max_event_id, event_id);
      ++v->events_checked;
      ++expected;
    }
    if (rows.empty()) break;
  }
  if (expected <= head) {
    return Broken(v, expected, 0,
                  absl::StrCat("chain row ", expected, " is missing (the chain ends at ",
                               expected - 1, " before its head ", head, ")"));
  }
  return true;
}

// Every event with an id above `above` is chained or queued, and every queued event exists.
bool CheckQueue(pqxx::transaction_base& tx, int64_t above, ChainVerification* v) {
  const pqxx::result unqueued = ExecPrepared(tx, "audit_verify_unqueued", kUnqueuedEvent, above);
  if (!unqueued.empty()) {
    const int64_t event_id = unqueued[0][0].as<int64_t>();
    return Broken(v, 0, event_id,
                  absl::StrCat("event ", event_id,
                               " is neither chained nor waiting to be chained: its chain row or "
                               "queue entry was removed"));
  }
  const pqxx::result vanished = ExecPrepared(tx, "audit_verify_queued_missing", kQueuedButMissing);
  if (!vanished.empty()) {
    const int64_t event_id = vanished[0][0].as<int64_t>();
    return Broken(v, 0, event_id,
                  absl::StrCat("event ", event_id, " was deleted before it was chained"));
  }
  return true;
}

// Verifies from `anchor` (seq 0: from the start) up to the head. Returns the largest event id
// the chain covers up to the head (at least anchor.max_event_id) in *max_event_id.
ChainVerification Verify(pqxx::transaction_base& tx, const VerifiedWatermark& anchor, bool full,
                         int64_t* max_event_id) {
  ChainVerification v;
  v.full = full;
  v.anchor_seq = anchor.seq;
  ReadHead(tx, &v);
  *max_event_id = anchor.max_event_id;
  if (!CheckAnchor(tx, anchor, &v)) return v;
  if (!Walk(tx, anchor.seq, anchor.hash_hex, &v, max_event_id)) return v;
  if (!CheckQueue(tx, anchor.max_event_id, &v)) return v;
  v.ok = true;
  return v;
}

VerifiedWatermark ChainStart() {
  VerifiedWatermark start;
  start.hash_hex = ZeroHashHex();
  return start;
}

}  // namespace

ChainVerification VerifyAuditChain(pqxx::transaction_base& tx) {
  int64_t max_event_id = 0;
  return Verify(tx, ChainStart(), /*full=*/true, &max_event_id);
}

ChainVerification VerifyAndRecordAuditChain(pqxx::transaction_base& tx, ChainVerifyMode mode) {
  tx.exec0(kCustomPlans);
  std::optional<VerifiedWatermark> stored;
  if (mode == ChainVerifyMode::kIncremental) {
    ExecPrepared1(tx, "audit_verify_lock", kVerifyLock);
    stored = ReadVerifiedWatermark(tx);
  }
  const bool full = !stored.has_value();
  int64_t max_event_id = 0;
  ChainVerification v = Verify(tx, full ? ChainStart() : *stored, full, &max_event_id);
  if (v.ok) {
    if (mode == ChainVerifyMode::kFull) ExecPrepared1(tx, "audit_verify_lock", kVerifyLock);
    ExecPrepared1(tx, "audit_verify_record", kRecordVerification, v.watermark,
                  v.watermark == 0 ? ZeroHashHex() : v.head_hash_hex, max_event_id, full);
  }
  const std::optional<VerifiedWatermark> now = ReadVerifiedWatermark(tx);
  if (now.has_value()) {
    v.verified_watermark = now->seq;
    v.last_full_micros = now->full_verified_at_micros;
  }
  return v;
}

std::optional<VerifiedWatermark> ReadVerifiedWatermark(pqxx::transaction_base& tx) {
  const pqxx::result rows = ExecPrepared(tx, "audit_verified_watermark", kReadWatermark);
  if (rows.empty()) return std::nullopt;
  VerifiedWatermark w;
  w.seq = rows[0][0].as<int64_t>();
  w.hash_hex = rows[0][1].as<std::string>();
  w.max_event_id = rows[0][2].as<int64_t>();
  w.verified_at_micros = OptionalInt(rows[0][3]);
  w.full_verified_at_micros = OptionalInt(rows[0][4]);
  return w;
}

}  // namespace consular::storage

#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

// Verification of the audit trail's hash chain (audit_chain.h): in full, from seq 1, or from the
// verified watermark stored in audit.verified_watermark (migration 0027), the last seq a
// verification found intact and that row's hash. See docs/audit.md.
namespace consular::storage {

// What a verification found.
struct ChainVerification {
  bool ok = false;
  int64_t watermark = 0;       // the last chained seq (the chain head); 0 for an empty chain
  std::string head_hash_hex;   // hash of the watermark row, lower-case hex; "" if empty
  int64_t events_checked = 0;  // chain rows recomputed and found intact, from verified_from_seq on
  int64_t pending = 0;         // events committed but not chained yet: beyond the watermark
  // The first broken row, when !ok: its seq (0 if the break is not in the chain, e.g. an event
  // that is neither chained nor pending) and event id (0 if unknown, e.g. a missing chain row).
  int64_t first_broken_seq = 0;
  int64_t first_broken_event_id = 0;
  std::string reason;  // why, for people; "" when ok

  // What was verified. A full verification recomputes every row from seq 1 (anchor_seq 0); an
  // incremental one checks the anchor row, the chain row at the stored verified watermark,
  // against the hash stored with it, then recomputes the rows after it.
  bool full = true;
  int64_t anchor_seq = 0;
  // The stored verified watermark when the verification ended: moved to `watermark` when ok,
  // unchanged otherwise. Only VerifyAndRecordAuditChain reads and sets it.
  int64_t verified_watermark = 0;
  // When a full verification last found the chain intact (this one included), in microseconds
  // since the epoch; nullopt: never. Only VerifyAndRecordAuditChain reads it.
  std::optional<int64_t> last_full_micros;
};

// Recomputes every chain row in seq order from the events they cover, from seq 1 up to the head
// it read first, and reports the FIRST broken row: a seq missing (gap), a covered event missing
// (deleted), a prev_hash that is not the previous row's hash (rows reordered or replaced), an
// event chained twice, a hash that does not match the event (edited, or contents swapped). If the
// chain is intact, also checks that every event not in it is queued for chaining and every queued
// event exists. Events beyond the head are not verified (counted in `pending`). Reads only; the
// stored verified watermark is neither used nor changed. Chain rows and events are append-only,
// so READ COMMITTED is enough; REPEATABLE READ sees one snapshot. Throws libpqxx exceptions on
// database errors.
ChainVerification VerifyAuditChain(pqxx::transaction_base& tx);

enum class ChainVerifyMode {
  // From the stored verified watermark: the anchor row, then the rows after it.
  kIncremental,
  // From seq 1, whatever the watermark; it is reset to where the verification ended.
  kFull,
};

// The work of AuditService.VerifyChain, in the caller's READ COMMITTED read-write transaction
// (which it does not commit). Verifications are serialised by a transaction-level advisory lock,
// taken before the watermark is read (an incremental one) or before it is written (a full one,
// whose walk does not hold it).
//
// kIncremental: reads the stored verified watermark W (seq and hash); checks that chain row W
// still holds that hash and that its event still gives it; recomputes the rows after W up to the
// head as VerifyAuditChain does; looks for events neither chained nor queued among the events
// above those covered up to W, and for queued events that are gone. A row at or before W that was
// changed is NOT found (only the anchor is re-checked): that takes kFull. A chain cut back below
// W is found. Without a stored watermark it verifies in full.
// kFull: VerifyAuditChain.
//
// When the chain is intact, the watermark moves to the head in this transaction
// (audit.record_verification: an incremental verification only moves it forward; a full one sets
// it and the time of the last full verification). When it is broken the watermark stays where it
// was. Throws libpqxx exceptions on database errors.
ChainVerification VerifyAndRecordAuditChain(pqxx::transaction_base& tx, ChainVerifyMode mode);

// The stored verified watermark (audit.verified_watermark).
struct VerifiedWatermark {
  int64_t seq = 0;       // 0: nothing verified yet
  std::string hash_hex;  // of chain row seq, lower-case hex; 64 zeros for seq 0
  int64_t max_event_id = 0;
  std::optional<int64_t> verified_at_micros;
  std::optional<int64_t> full_verified_at_micros;
};

// The stored verified watermark; nullopt if its row is missing. Throws libpqxx exceptions.
std::optional<VerifiedWatermark> ReadVerifiedWatermark(pqxx::transaction_base& tx);

}  // namespace consular::storage

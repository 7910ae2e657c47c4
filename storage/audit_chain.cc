#include "storage/audit_chain.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "storage/prepared.h"

namespace consular::storage {
namespace {

// The advisory lock key of the sequencer (the two-integer key space: 'audt', 1).
constexpr char kTryLock[] = "SELECT pg_try_advisory_xact_lock(1635083380, 1)";

constexpr char kChainHead[] =
    "SELECT seq, encode(hash, 'hex') FROM audit.chain ORDER BY seq DESC LIMIT 1";

// Queued events not chained yet, oldest id first. $1 limit.
constexpr char kQueuedEvents[] =
    "SELECT " CONSULAR_AUDIT_EVENT_COLUMNS
    " FROM audit.pending p JOIN audit.events e ON e.id = p.event_id "
    "WHERE NOT EXISTS (SELECT FROM audit.chain c WHERE c.event_id = p.event_id) "
    "ORDER BY p.event_id LIMIT $1";

// $1 seqs, $2 event ids, $3 prev hashes (hex), $4 hashes (hex), as array literals.
constexpr char kAppendChain[] =
    "INSERT INTO audit.chain (seq, event_id, prev_hash, hash) "
    "SELECT s, e, decode(p, 'hex'), decode(h, 'hex') "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS t(s, e, p, h)";

constexpr char kDequeue[] = "SELECT audit.dequeue_chained($1::bigint[])";

// Committed events not chained yet and the age of the oldest (by id), in seconds.
constexpr char kLag[] =
    "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(e.occurred_at)), 0)"
    "::float8 FROM audit.pending p JOIN audit.events e ON e.id = p.event_id "
    "WHERE NOT EXISTS (SELECT FROM audit.chain c WHERE c.event_id = p.event_id)";

constexpr char kFormatVersion[] = "consular.audit.v1";

void AppendInt64(int64_t value, std::string* out) {
  const uint64_t bits = static_cast<uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((bits >> shift) & 0xff));
  }
}

void AppendText(const std::optional<std::string>& text, std::string* out) {
  if (!text.has_value()) {
    out->push_back('\0');
    return;
  }
  out->push_back('\1');
  const uint32_t size = static_cast<uint32_t>(text->size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((size >> shift) & 0xff));
  }
  out->append(*text);
}

std::optional<std::string> OptionalText(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

// "{a,b,c}": a PostgreSQL array literal of values that need no quoting (numbers, hex).
std::string ArrayLiteral(const std::vector<std::string>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

void LogLine(const std::string& text) {
  const std::string line = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ", text, "\n");
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

std::string CanonicalAuditRow(const AuditEventRow& row) {
  std::string out;
  AppendText(std::string(kFormatVersion), &out);
  AppendInt64(row.id, &out);
  AppendInt64(row.occurred_at_micros, &out);
  AppendText(row.actor, &out);
  AppendText(row.actor_role, &out);
  AppendText(row.actor_post, &out);
  AppendText(row.action, &out);
  AppendText(row.case_id, &out);
  AppendText(row.purpose, &out);
  AppendText(row.outcome, &out);
  out.push_back(row.emergency ? '\1' : '\0');
  AppendText(row.correlation_id, &out);
  if (row.returned_case_ids.has_value()) AppendText(row.returned_case_ids, &out);
  return out;
}

std::string AuditChainHash(const std::string& prev_hash, int64_t seq,
                           const std::string& canonical_row) {
  std::string input = prev_hash;
  AppendInt64(seq, &input);
  input.append(canonical_row);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

AuditEventRow AuditEventFromRow(const pqxx::row& row, int first) {
  AuditEventRow event;
  event.id = row[first].as<int64_t>();
  event.occurred_at_micros = row[first + 1].as<int64_t>();
  event.actor = row[first + 2].as<std::string>();
  event.actor_role = row[first + 3].as<std::string>();
  event.actor_post = row[first + 4].as<std::string>();
  event.action = row[first + 5].as<std::string>();
  event.case_id = OptionalText(row[first + 6]);
  event.purpose = OptionalText(row[first + 7]);
  event.outcome = row[first + 8].as<std::string>();
  event.emergency = row[first + 9].as<bool>();
  event.correlation_id = OptionalText(row[first + 10]);
  event.returned_case_ids = OptionalText(row[first + 11]);
  return event;
}

AuditSequencer::AuditSequencer(TransactionRunner* runner, SequencerOptions options)
    : runner_(runner), options_(options) {}

AuditSequencer::~AuditSequencer() { Stop(); }

absl::StatusOr<int> AuditSequencer::RunOnce() {
  const int batch_size = std::max(1, options_.batch_size);
  int chained = 0;
  SequencerLag lag;
  // What is left unchained once this round's work is done (in the round's transaction). An idle
  // round (nothing queued) leaves it at zero without asking.
  const auto measure = [&lag](pqxx::transaction_base& tx) {
    const pqxx::row row = ExecPrepared1(tx, "audit_chain_lag", kLag);
    lag.pending = row[0].as<int64_t>();
    lag.oldest_age_seconds = std::max(0.0, row[1].as<double>());
    return absl::OkStatus();
  };
  const absl::Status status =
      runner_->Run(runner_->clock().Now() + options_.round_timeout, [&](pqxx::transaction_base& tx) {
        chained = 0;
        if (!tx.exec1(kTryLock)[0].as<bool>()) return measure(tx);  // another one chains

        int64_t seq = 0;
        std::string prev_hash(32, '\0');
        const pqxx::result head = tx.exec(kChainHead);
        if (!head.empty()) {
          seq = head[0][0].as<int64_t>();
          prev_hash = absl::HexStringToBytes(head[0][1].as<std::string>());
        }
        const pqxx::result queued =
            ExecPrepared(tx, "audit_chain_queued_events", kQueuedEvents, batch_size);
        if (queued.empty()) return absl::OkStatus();  // nothing unchained: lag stays zero

        std::vector<std::string> seqs, event_ids, prev_hashes, hashes;
        for (const pqxx::row& row : queued) {
          const AuditEventRow event = AuditEventFromRow(row, 0);
          ++seq;
          const std::string hash = AuditChainHash(prev_hash, seq, CanonicalAuditRow(event));
          seqs.push_back(std::to_string(seq));
          event_ids.push_back(std::to_string(event.id));
          prev_hashes.push_back(absl::BytesToHexString(prev_hash));
          hashes.push_back(absl::BytesToHexString(hash));
          prev_hash = hash;
        }
        const std::string ids = ArrayLiteral(event_ids);
        ExecPrepared0(tx, "audit_chain_append", kAppendChain, ArrayLiteral(seqs), ids,
                      ArrayLiteral(prev_hashes), ArrayLiteral(hashes));
        ExecPrepared1(tx, "audit_chain_dequeue", kDequeue, ids);
        chained = static_cast<int>(queued.size());
        return measure(tx);
      });
  if (!status.ok()) return status;
  lag.measured_at = runner_->clock().Now();
  {
    absl::MutexLock lock(&lag_mu_);
    lag_ = lag;
  }
  return chained;
}

SequencerLag AuditSequencer::Lag() const {
  absl::MutexLock lock(&lag_mu_);
  return lag_;
}

void AuditSequencer::Start(absl::Duration interval) {
  {
    absl::MutexLock lock(&mu_);
    if (thread_.joinable()) return;
    stopping_ = false;
  }
  thread_ = std::thread([this, interval] { Loop(interval); });
}

void AuditSequencer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void AuditSequencer::Loop(absl::Duration interval) {
  const int batch_size = std::max(1, options_.batch_size);
  std::string last_error;
  while (true) {
    const absl::StatusOr<int> chained = RunOnce();
    if (!chained.ok()) {
      const std::string error = chained.status().ToString();
      if (error != last_error) LogLine(absl::StrCat("audit sequencer: round failed: ", error));
      last_error = error;
    } else if (!last_error.empty()) {
      LogLine("audit sequencer: rounds succeed again");
      last_error.clear();
    }
    const bool more = chained.ok() && *chained >= batch_size;
    absl::MutexLock lock(&mu_);
    if (!more) mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval);
    if (stopping_) return;
  }
}

}  // namespace consular::storage

// The audit chain verification benchmark: how long AuditService.VerifyChain takes on a long trail
// when it verifies from the verified watermark, against the full verification. Not a test: run it
// with ops/bench-chain.sh, which starts the cluster and a consular-audit server and calls
//
//   chain_bench load --dsn SUPERUSER_DSN --rows N
//       writes N audit events and their N chain rows with COPY, hashed with the chain's own code
//       (storage/audit_chain.h), as the sequencer would have left them (chained, nothing queued);
//   chain_bench run --audit-addr HOST:PORT --ca-cert PEM --token JWT --dsn SERVICE_DSN ...
//       one full verification over gRPC, then --repeat times: --new-rows audit rows written as a
//       service writes them (storage::RunAudited, one transaction each, as the services' role),
//       waits until the server's sequencer has chained them, and times VerifyChain over gRPC.
//       Prints "verify-chain: rows=N new=M repeat=K p50_ms=x max_ms=y full_ms=z".
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/audit.grpc.pb.h"
#include "storage/audit_chain.h"
#include "storage/audit_store.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"

namespace consular::bench {
namespace {

namespace v1 = consular::v1;
using storage::AuditEventRow;

// 2025-01-01T00:00:00Z; event i happened i * 2.5 s (and a few microseconds) later.
constexpr int64_t kFirstMicros = 1735689600LL * 1000000;
constexpr int64_t kStepMicros = 2500003;

constexpr const char* kRoles[] = {"CONSULAR_OFFICER", "POST_MANAGER", "LKHA_CASEWORKER"};
constexpr const char* kPosts[] = {"RABAT", "ISLAMABAD", "BAGHDAD", "PARAMARIBO", "ACCRA"};
constexpr const char* kActions[] = {"CaseService.GetCase",     "CaseService.UpdateCase",
                                    "CaseService.ListCases",   "CaseService.AddNote",
                                    "CaseService.SearchCases", "ContactService.LogContact"};

std::string CaseUuid(int64_t n) {
  const uint64_t x = static_cast<uint64_t>(n) * 0x9e3779b97f4a7c15ULL;
  return absl::StrFormat("%08x-%04x-4%03x-8%03x-%012x", static_cast<uint32_t>(x >> 32),
                         static_cast<uint32_t>((x >> 16) & 0xffff),
                         static_cast<uint32_t>(x & 0xfff), static_cast<uint32_t>(n & 0xfff),
                         static_cast<uint64_t>(n) & 0xffffffffffffULL);
}

// The event with id `id`, as a mix of what the services record.
AuditEventRow BenchEvent(int64_t id) {
  AuditEventRow e;
  e.id = id;
  e.occurred_at_micros = kFirstMicros + id * kStepMicros;
  const int role = static_cast<int>(id % 3);
  e.actor = absl::StrCat(role == 2 ? "lkha-" : "officer-", id % 50);
  e.actor_role = kRoles[role];
  e.actor_post = role == 2 ? "" : kPosts[id % 5];
  const int action = static_cast<int>(id % 6);
  e.action = kActions[action];
  if (action == 4) {
    e.returned_case_ids = absl::StrCat(CaseUuid(id / 7), ",", CaseUuid(id / 7 + 1));
  } else if (action != 2) {
    e.case_id = CaseUuid(id / 7);
  }
  if (id % 5 != 0) e.purpose = role == 1 ? "supervision" : "casework";
  const bool failed = id % 11 == 10;
  e.outcome = failed ? "NOT_FOUND" : "OK";
  e.emergency = id % 97 == 5;
  if (failed)
    e.correlation_id = absl::StrFormat("%016x", static_cast<uint64_t>(id) * 2654435761ULL);
  return e;
}

std::string TimestampText(int64_t micros) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", absl::FromUnixMicros(micros),
                          absl::UTCTimeZone());
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// -- load

int Load(const std::string& dsn, int64_t rows) {
  const auto start = std::chrono::steady_clock::now();
  pqxx::connection connection(dsn);
  {
    pqxx::work tx(connection);
    // The rows arrive chained: the queueing trigger must not queue them (superuser only).
    tx.exec0("SET LOCAL session_replication_role = replica");
    if (tx.exec1("SELECT count(*) FROM audit.events")[0].as<int64_t>() != 0) {
      std::cerr << "chain_bench load: audit.events is not empty\n";
      return 1;
    }
    pqxx::stream_to events(
        tx, "audit.events",
        std::vector<std::string>{"id", "occurred_at", "actor", "actor_role", "actor_post", "action",
                                 "case_id", "purpose", "outcome", "emergency", "correlation_id",
                                 "returned_case_ids"});
    std::array<std::string, 12> text;
    std::array<const char*, 12> fields{};
    for (int64_t id = 1; id <= rows; ++id) {
      const AuditEventRow e = BenchEvent(id);
      text[0] = std::to_string(e.id);
      text[1] = TimestampText(e.occurred_at_micros);
      text[2] = e.actor;
      text[3] = e.actor_role;
      text[4] = e.actor_post;
      text[5] = e.action;
      text[6] = e.case_id.value_or("");
      text[7] = e.purpose.value_or("");
      text[8] = e.outcome;
      text[9] = e.emergency ? "t" : "f";
      text[10] = e.correlation_id.value_or("");
      text[11] = e.returned_case_ids.has_value() ? absl::StrCat("{", *e.returned_case_ids, "}")
                                                 : std::string();
      for (size_t i = 0; i < text.size(); ++i) fields[i] = text[i].c_str();
      if (!e.case_id.has_value()) fields[6] = nullptr;
      if (!e.purpose.has_value()) fields[7] = nullptr;
      if (!e.correlation_id.has_value()) fields[10] = nullptr;
      if (!e.returned_case_ids.has_value()) fields[11] = nullptr;
      events << fields;
    }
    events.complete();
    std::printf("chain_bench load: %lld events copied in %.1f s\n", static_cast<long long>(rows),
                Seconds(start));
    std::fflush(stdout);

    // The chain over them, computed as the sequencer computes it.
    pqxx::stream_to chain(tx, "audit.chain",
                          std::vector<std::string>{"seq", "event_id", "prev_hash", "hash"});
    std::string prev(32, '\0');
    std::array<std::string, 4> chain_text;
    std::array<const char*, 4> chain_fields{};
    for (int64_t seq = 1; seq <= rows; ++seq) {
      const AuditEventRow e = BenchEvent(seq);
      const std::string hash = storage::AuditChainHash(prev, seq, storage::CanonicalAuditRow(e));
      chain_text[0] = std::to_string(seq);
      chain_text[1] = std::to_string(e.id);
      chain_text[2] = absl::StrCat("\\x", absl::BytesToHexString(prev));
      chain_text[3] = absl::StrCat("\\x", absl::BytesToHexString(hash));
      for (size_t i = 0; i < chain_text.size(); ++i) chain_fields[i] = chain_text[i].c_str();
      chain << chain_fields;
      prev = hash;
    }
    chain.complete();
    tx.exec1(absl::StrCat("SELECT setval('audit.events_id_seq', ", std::max<int64_t>(rows, 1), ", ",
                          rows > 0 ? "true" : "false", ")"));
    tx.commit();
    std::printf("chain_bench load: %lld chain rows, head hash %s, committed after %.1f s\n",
                static_cast<long long>(rows), absl::BytesToHexString(prev).c_str(), Seconds(start));
    std::fflush(stdout);
  }
  const auto vacuum = std::chrono::steady_clock::now();
  pqxx::nontransaction maintenance(connection);
  maintenance.exec0("VACUUM (ANALYZE) audit.events, audit.chain");
  std::printf("chain_bench load: VACUUM ANALYZE in %.1f s\n", Seconds(vacuum));
  return 0;
}

// -- run

struct RunFlags {
  std::string audit_addr;
  std::string ca_cert;
  std::string token;
  std::string dsn;
  int64_t rows = 0;
  int new_rows = 1000;
  int repeat = 10;
  int writers = 4;
};

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// One VerifyChain call; returns its wall time in milliseconds, or nullopt after printing why.
std::optional<double> TimedVerify(v1::AuditService::Stub* stub, const std::string& token, bool full,
                                  absl::Duration timeout, v1::VerifyChainResponse* out) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  context.AddMetadata("authorization", "Bearer " + token);
  v1::VerifyChainRequest request;
  request.set_full(full);
  const auto start = std::chrono::steady_clock::now();
  const grpc::Status status = stub->VerifyChain(&context, request, out);
  const double ms = Seconds(start) * 1000;
  if (!status.ok()) {
    std::cerr << "chain_bench: VerifyChain failed: " << status.error_code() << " "
              << status.error_message() << "\n";
    return std::nullopt;
  }
  if (!out->ok()) {
    std::cerr << "chain_bench: the chain does not verify: seq " << out->first_broken_seq() << ": "
              << out->reason() << "\n";
    return std::nullopt;
  }
  return ms;
}

// Writes `count` audit rows as the services write them: one audited call per transaction.
bool WriteRows(storage::TransactionRunner* runner, int count, int writers, int64_t round) {
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        const int64_t n = round * 1000003 + i;
        storage::AuditRecord record;
        record.actor = absl::StrCat("officer-", n % 50);
        record.actor_role = "CONSULAR_OFFICER";
        record.actor_post = kPosts[n % 5];
        record.action = kActions[n % 4];
        record.case_id = CaseUuid(n / 7);
        record.purpose = "casework";
        record.occurred_at = absl::Now();
        const absl::Status status = storage::RunAudited(
            runner, absl::Now() + absl::Seconds(30), record,
            [](pqxx::transaction_base&, storage::AuditRecord*) { return absl::OkStatus(); });
        if (!status.ok()) {
          if (failed++ == 0) std::cerr << "chain_bench: writing failed: " << status << "\n";
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return failed.load() == 0;
}

// Waits until every committed audit event is chained (by the server's sequencer).
bool WaitChained(pqxx::connection& connection, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    pqxx::nontransaction tx(connection);
    const int64_t pending = tx.exec1(
                                  "SELECT count(*) FROM audit.pending p WHERE NOT EXISTS "
                                  "(SELECT FROM audit.chain c WHERE c.event_id = p.event_id)")[0]
                                .as<int64_t>();
    if (pending == 0) return true;
    if (absl::Now() > give_up) {
      std::cerr << "chain_bench: " << pending << " events still not chained after "
                << absl::FormatDuration(timeout) << "\n";
      return false;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

int Run(const RunFlags& flags) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFile(flags.ca_cert);
  if (tls.pem_root_certs.empty()) {
    std::cerr << "chain_bench run: --ca-cert: cannot read " << flags.ca_cert << "\n";
    return 2;
  }
  const auto channel = grpc::CreateChannel(flags.audit_addr, grpc::SslCredentials(tls));
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    std::cerr << "chain_bench run: cannot connect to " << flags.audit_addr << "\n";
    return 1;
  }
  const auto stub = v1::AuditService::NewStub(channel);

  v1::VerifyChainResponse full;
  const std::optional<double> full_ms =
      TimedVerify(stub.get(), flags.token, /*full=*/true, absl::Minutes(30), &full);
  if (!full_ms) return 1;
  std::printf("full verification: seq 1 to %lld (%lld rows) in %.1f ms\n",
              static_cast<long long>(full.watermark()),
              static_cast<long long>(full.events_checked()), *full_ms);
  std::fflush(stdout);
  if (full.watermark() < flags.rows) {
    std::cerr << "chain_bench run: the chain ends at seq " << full.watermark() << ", below --rows "
              << flags.rows << "\n";
    return 1;
  }

  storage::ConnectionPool pool(storage::PoolOptions{flags.dsn, flags.writers});
  storage::TransactionRunner runner(&pool);
  pqxx::connection watch(flags.dsn);
  std::vector<double> times;
  for (int round = 1; round <= flags.repeat; ++round) {
    const auto write_start = std::chrono::steady_clock::now();
    if (!WriteRows(&runner, flags.new_rows, flags.writers, round)) return 1;
    const double write_s = Seconds(write_start);
    if (!WaitChained(watch, absl::Minutes(5))) return 1;
    v1::VerifyChainResponse v;
    const std::optional<double> ms =
        TimedVerify(stub.get(), flags.token, /*full=*/false, absl::Seconds(30), &v);
    if (!ms) return 1;
    if (v.full() || v.events_checked() < flags.new_rows) {
      std::cerr << "chain_bench run: round " << round << " verified " << v.events_checked()
                << " rows (full: " << v.full() << "), expected at least " << flags.new_rows
                << " new ones\n";
      return 1;
    }
    std::printf(
        "round %d: %d rows written in %.1f s; verified seq %lld to %lld (%lld rows) in "
        "%.1f ms\n",
        round, flags.new_rows, write_s, static_cast<long long>(v.verified_from_seq()),
        static_cast<long long>(v.watermark()), static_cast<long long>(v.events_checked()), *ms);
    std::fflush(stdout);
    times.push_back(*ms);
  }
  std::sort(times.begin(), times.end());
  const double p50 = times[(times.size() + 1) / 2 - 1];  // nearest rank
  std::printf("verify-chain: rows=%lld new=%d repeat=%d p50_ms=%.1f max_ms=%.1f full_ms=%.1f\n",
              static_cast<long long>(flags.rows), flags.new_rows, flags.repeat, p50, times.back(),
              *full_ms);
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"Audit chain verification benchmark (see ops/bench-chain.sh)"};
  app.require_subcommand(1);
  std::string load_dsn;
  int64_t load_rows = 0;
  CLI::App* load = app.add_subcommand("load", "Write N chained audit events with COPY");
  load->add_option("--dsn", load_dsn, "A superuser's conninfo on the migrated, empty database")
      ->required();
  load->add_option("--rows", load_rows, "Events to write")
      ->required()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000000}));

  RunFlags run_flags;
  CLI::App* run = app.add_subcommand("run", "Time VerifyChain over gRPC");
  run->add_option("--audit-addr", run_flags.audit_addr, "consular-audit, HOST:PORT")->required();
  run->add_option("--ca-cert", run_flags.ca_cert, "The CA of its TLS certificate")->required();
  run->add_option("--token", run_flags.token, "An auditor's bearer token")->required();
  run->add_option("--dsn", run_flags.dsn, "The services' role's conninfo, for writing rows")
      ->required();
  run->add_option("--rows", run_flags.rows, "Rows loaded before (for the report)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--new-rows", run_flags.new_rows, "Rows written before each verification")
      ->check(CLI::Range(1, 10000000));
  run->add_option("--repeat", run_flags.repeat, "Verifications timed")
      ->check(CLI::Range(1, 100000));
  run->add_option("--writers", run_flags.writers, "Writing threads")->check(CLI::Range(1, 64));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (load->parsed()) return Load(load_dsn, load_rows);
    return Run(run_flags);
  } catch (const std::exception& e) {
    std::cerr << "chain_bench: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace
}  // namespace consular::bench

int main(int argc, char** argv) { return consular::bench::Main(argc, argv); }

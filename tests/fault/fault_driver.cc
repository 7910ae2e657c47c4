// consular-fault-driver: drives concurrent creates, updates and notes from several clients against
// consular-cases, runs a fault command mid-load (tests/fault/fault_e2e.sh kills PostgreSQL or the
// service with SIGKILL and starts it again), waits for the service to acknowledge writes again,
// stops the load and proves that nothing acknowledged was lost or duplicated (fault_verify.h).
// One round per fault; the verdict depends only on what was acknowledged, never on timing.

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "tests/fault/fault_client.h"
#include "tests/fault/fault_ledger.h"
#include "tests/fault/fault_verify.h"

namespace consular::fault {
namespace {

struct Flags {
  std::string cases_addr;
  std::string audit_addr;
  std::string ca_cert;
  std::string officer_token_file;
  std::string auditor_token_file;
  std::string dsn;
  std::string fault_command;
  std::string fault_name = "fault";
  int rounds = 3;
  int clients = 6;
  int writes_before = 150;
  int writes_after = 150;
  double recover_timeout_s = 90;
  double drain_timeout_s = 60;
  std::string run_id;
  uint64_t seed = 1;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "fault driver: cannot read " << path << "\n";
    std::exit(2);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string RandomRunId() {
  std::random_device device;
  return absl::StrFormat("%08x%08x", device(), device());
}

// Waits until `done` or `timeout`; returns whether `done` held.
bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

std::string Seconds(absl::Duration d) {
  return absl::StrFormat("%.1f s", absl::ToDoubleSeconds(d));
}

std::string RetrySummary(const RoundCounts& counts) {
  if (counts.retried.empty()) return "none";
  std::string out;
  for (const auto& [code, n] : counts.retried) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", code, " ", n);
  }
  return out;
}

int Main(const Flags& flags) {
  const std::string ca = ReadFile(flags.ca_cert);
  const std::string officer =
      std::string(absl::StripAsciiWhitespace(ReadFile(flags.officer_token_file)));
  const std::string auditor =
      std::string(absl::StripAsciiWhitespace(ReadFile(flags.auditor_token_file)));
  const std::string run_id = flags.run_id.empty() ? RandomRunId() : flags.run_id;

  Ledger ledger;
  VerifyOptions verify;
  verify.cases = OpenChannel(flags.cases_addr, ca, -1);
  verify.audit = OpenChannel(flags.audit_addr, ca, -2);
  verify.officer_token = officer;
  verify.auditor_token = auditor;
  verify.dsn = flags.dsn;
  verify.run_id = run_id;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < flags.clients; ++i) channels.push_back(OpenChannel(flags.cases_addr, ca, i));

  std::cout << "fault test " << flags.fault_name << ": run " << run_id << ", " << flags.rounds
            << " round(s), " << flags.clients << " clients" << std::endl;
  std::vector<std::string> failures;
  const absl::Duration recover_timeout = absl::Seconds(flags.recover_timeout_s);
  const absl::Time started = absl::Now();
  for (int round = 1; round <= flags.rounds && failures.empty(); ++round) {
    const absl::Time round_started = absl::Now();
    ledger.BeginRound(round);
    RoundControl control;
    std::vector<std::unique_ptr<FaultClient>> clients;
    std::vector<std::thread> threads;
    for (int i = 0; i < flags.clients; ++i) {
      ClientOptions options;
      options.run_id = run_id;
      options.index = i;
      options.round = round;
      options.seed = flags.seed;
      options.token = officer;
      clients.push_back(std::make_unique<FaultClient>(options, channels[static_cast<size_t>(i)],
                                                      &ledger, &control));
    }
    for (auto& client : clients) threads.emplace_back([&client] { client->Run(); });

    const std::string prefix = absl::StrCat("round ", round, "/", flags.rounds, ": ");
    // Mid-load: the fault comes once the clients have had `writes_before` writes acknowledged.
    const int64_t base = ledger.Acknowledged();
    const bool loaded = WaitFor([&] { return ledger.Acknowledged() >= base + flags.writes_before; },
                                recover_timeout);
    absl::Duration fault_took, first_ack_after;
    int64_t during_fault = 0;
    bool recovered = false;
    if (!loaded) {
      failures.push_back(
          absl::StrCat(prefix, "only ", ledger.Acknowledged() - base, " writes acknowledged in ",
                       Seconds(recover_timeout),
                       " before the fault; retried after: ", RetrySummary(ledger.Round())));
    } else {
      const int64_t before_fault = ledger.Acknowledged();
      const absl::Time fault_started = absl::Now();
      std::cout << prefix << before_fault - base << " writes acknowledged; " << flags.fault_name
                << std::endl;
      const int rc = std::system(flags.fault_command.c_str());
      fault_took = absl::Now() - fault_started;
      const int64_t after_fault = ledger.Acknowledged();
      during_fault = after_fault - before_fault;
      if (rc != 0) {
        failures.push_back(absl::StrCat(prefix, "the fault command failed (status ",
                                        WIFEXITED(rc) ? WEXITSTATUS(rc) : rc,
                                        "): ", flags.fault_command));
      } else {
        // Recovery: writes are acknowledged again, without anything restarted but what died.
        const absl::Time back = absl::Now();
        recovered = WaitFor([&] { return ledger.Acknowledged() > after_fault; }, recover_timeout);
        first_ack_after = absl::Now() - back;
        recovered =
            recovered &&
            WaitFor([&] { return ledger.Acknowledged() >= after_fault + flags.writes_after; },
                    recover_timeout);
        if (!recovered) {
          const RoundCounts counts = ledger.Round();
          std::string examples;
          for (const auto& [code, message] : counts.example) {
            absl::StrAppend(&examples, "\n    ", code, ": ", message);
          }
          failures.push_back(
              absl::StrCat(prefix, "no recovery: ", ledger.Acknowledged() - after_fault,
                           " writes acknowledged in ", Seconds(recover_timeout), " after ",
                           flags.fault_name, " (wanted ", flags.writes_after,
                           "); retried after: ", RetrySummary(counts), examples));
        }
      }
    }
    // End of the round: nothing new; what was sent is retried until acknowledged (unless the
    // round failed already: then the clients give up at once).
    control.give_up_unix_nanos = absl::ToUnixNanos(
        absl::Now() + (recovered ? absl::Seconds(flags.drain_timeout_s) : absl::ZeroDuration()));
    control.stop = true;
    for (std::thread& t : threads) t.join();
    const RoundCounts counts = ledger.Round();
    const std::vector<Write> writes = ledger.Writes();
    int64_t pending = 0;
    for (const Write& w : writes) pending += w.round == round && !w.acknowledged && !w.rejected;
    if (pending > 0 && recovered) {
      failures.push_back(absl::StrCat(prefix, pending, " writes still unacknowledged ",
                                      flags.drain_timeout_s, " s after the load stopped"));
    }
    std::cout << prefix << counts.Acknowledged() << " writes acknowledged ("
              << counts.acknowledged[0] << " creates, " << counts.acknowledged[1] << " updates, "
              << counts.acknowledged[2] << " notes) in " << counts.attempts << " calls, "
              << counts.acknowledged_on_retry << " of them on a retry with the same request id; "
              << counts.version_conflicts
              << " updates redone after ABORTED; retried after: " << RetrySummary(counts)
              << std::endl;
    for (const auto& [code, message] : counts.example) {
      std::cout << "  e.g. " << code << ": " << message << std::endl;
    }
    if (loaded) {
      std::cout << "  " << flags.fault_name << " took " << Seconds(fault_took) << "; "
                << during_fault << " writes acknowledged meanwhile; first write acknowledged "
                << Seconds(first_ack_after) << " after it" << std::endl;
    }

    const absl::Time verify_started = absl::Now();
    const VerifyReport report = Verify(verify, writes);
    std::cout << "  verified in " << Seconds(absl::Now() - verify_started) << ": " << report.cases
              << " cases, " << report.events << " events, " << report.notes << " notes; "
              << report.rejected << " updates answered ABORTED (redone); " << report.unacknowledged
              << " other writes never acknowledged, " << report.unacknowledged_present
              << " of them committed; audit chain "
              << (report.violations.empty() ? "valid" : "checked") << " up to seq "
              << report.chain_watermark << " (" << report.audit_events << " events); round took "
              << Seconds(absl::Now() - round_started) << std::endl;
    for (const std::string& v : ledger.Violations()) failures.push_back(prefix + v);
    for (const std::string& v : report.violations) failures.push_back(prefix + v);
  }

  int64_t acknowledged = 0, on_retry = 0, by_kind[3] = {0, 0, 0};
  for (const Write& w : ledger.Writes()) {
    if (!w.acknowledged) continue;
    ++acknowledged;
    on_retry += w.retried;
    ++by_kind[static_cast<int>(w.kind)];
  }
  if (!failures.empty()) {
    std::cout << "FAIL fault test " << flags.fault_name << ": " << failures.size() << " problem(s)"
              << std::endl;
    const size_t shown = std::min<size_t>(failures.size(), 40);
    for (size_t i = 0; i < shown; ++i) std::cout << "  " << failures[i] << std::endl;
    return 1;
  }
  std::cout << "PASS fault test " << flags.fault_name << ": " << flags.rounds << " round(s), "
            << acknowledged << " acknowledged writes (" << by_kind[0] << " creates, " << by_kind[1]
            << " updates, " << by_kind[2] << " notes; " << on_retry
            << " acknowledged on a retry), none lost, none duplicated, audit chain valid; "
            << Seconds(absl::Now() - started) << std::endl;
  return 0;
}

}  // namespace
}  // namespace consular::fault

int main(int argc, char** argv) {
  consular::fault::Flags flags;
  CLI::App app{
      "Drives concurrent writes against consular-cases, runs a fault command mid-load each round "
      "and proves that no acknowledged write was lost or duplicated."};
  app.add_option("--cases-addr", flags.cases_addr, "consular-cases, e.g. 127.0.0.1:50051")
      ->required();
  app.add_option("--audit-addr", flags.audit_addr, "consular-audit")->required();
  app.add_option("--ca-cert", flags.ca_cert, "CA of the servers' certificate (PEM)")->required();
  app.add_option("--officer-token-file", flags.officer_token_file,
                 "bearer token of an officer: the clients' identity")
      ->required();
  app.add_option("--auditor-token-file", flags.auditor_token_file,
                 "bearer token of an auditor: for AuditService.VerifyChain")
      ->required();
  app.add_option("--dsn", flags.dsn, "libpq conninfo of a superuser on the service's database")
      ->required();
  app.add_option("--fault-command", flags.fault_command,
                 "shell command run mid-load each round; returns once the service is back")
      ->required();
  app.add_option("--fault-name", flags.fault_name, "what the command does, for the report");
  app.add_option("--rounds", flags.rounds, "rounds, one fault each")->capture_default_str();
  app.add_option("--clients", flags.clients, "concurrent clients")->capture_default_str();
  app.add_option("--writes-before", flags.writes_before,
                 "acknowledged writes per round before the fault")
      ->capture_default_str();
  app.add_option("--writes-after", flags.writes_after,
                 "acknowledged writes per round after the fault")
      ->capture_default_str();
  app.add_option("--recover-timeout", flags.recover_timeout_s,
                 "seconds to wait for those writes (then: failed)")
      ->capture_default_str();
  app.add_option("--drain-timeout", flags.drain_timeout_s,
                 "seconds a write sent before the round ended is retried")
      ->capture_default_str();
  app.add_option("--run-id", flags.run_id, "part of every request id (default: random)");
  app.add_option("--seed", flags.seed, "the clients' choices")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (flags.rounds < 1 || flags.clients < 1) {
    std::cerr << "fault driver: --rounds and --clients must be at least 1\n";
    return 2;
  }
  return consular::fault::Main(flags);
}

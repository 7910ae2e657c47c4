// consular-loadgen: applies load to consular-cases or consular-stats and reports throughput,
// latency percentiles and errors by gRPC status code. See tools/loadgen/scenarios.h for the
// scenarios and tools/loadgen/engine.h for how load is applied and measured.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "services/common/tls.h"
#include "tools/loadgen/client_flags.h"
#include "tools/loadgen/engine.h"
#include "tools/loadgen/flags.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/scenarios.h"

namespace consular::loadgen {
namespace {

constexpr int kMaxConcurrency = 2000;
constexpr absl::Duration kTokenTtl = absl::Hours(8);

std::atomic<bool> g_cancel{false};

extern "C" void OnInterrupt(int) {
  g_cancel.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the program at once
}

struct Args {
  std::string addr = "localhost:50051";
  std::string stats_addr = "localhost:50054";
  std::string ca_cert;
  bool insecure = false;
  std::string token_key;
  std::string issuer = "consular-dev";
  std::string audience = "consular";
  std::string scenario;
  int concurrency = 4;
  std::string duration = "30s";
  int64_t count = 0;
  double rate = 0;
  std::string warmup = "0s";
  bool json = false;
  uint64_t seed = 0;
  std::string country_weights;
  int setup_cases = 20;
  std::string timeout = "10s";
  int connections = 1;
};

// `count` channels to `addr` with their own connections (a local subchannel pool each), connected
// before the clock starts so that the TLS handshake is not measured.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> Connect(
    const std::string& addr, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    int count, absl::Duration timeout) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments channel_args;
    channel_args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(addr, credentials, channel_args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       absl::ToChronoNanoseconds(timeout)))) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", addr, " within ", absl::FormatDuration(timeout)));
    }
    channels.push_back(std::move(channel));
  }
  return channels;
}

int Run(const Args& args, const CLI::App& app) {
  // Flags that need more than CLI11 checks.
  absl::StatusOr<absl::Duration> duration = ParseDurationFlag("--duration", args.duration);
  if (!duration.ok()) return UsageError(std::string(duration.status().message()));
  absl::StatusOr<absl::Duration> warmup = ParseDurationFlag("--warmup", args.warmup);
  if (!warmup.ok()) return UsageError(std::string(warmup.status().message()));
  absl::StatusOr<absl::Duration> timeout = ParseDurationFlag("--timeout", args.timeout);
  if (!timeout.ok()) return UsageError(std::string(timeout.status().message()));
  if (*timeout <= absl::ZeroDuration()) return UsageError("--timeout: must be positive");

  ScenarioOptions options;
  options.scenario = args.scenario;
  options.users = args.concurrency;
  options.seed = app.count("--seed") > 0 ? args.seed : std::random_device()();
  options.setup_cases = args.setup_cases;
  options.call_timeout = *timeout;
  options.run_id = NewRunId();
  if (!args.country_weights.empty()) {
    absl::StatusOr<std::vector<CountryWeight>> weights = ParseCountryWeights(args.country_weights);
    if (!weights.ok()) return UsageError(std::string(weights.status().message()));
    options.countries = *std::move(weights);
  }

  RunPlan plan;
  plan.concurrency = args.concurrency;
  plan.duration = *duration;
  plan.count = args.count;
  plan.rate = args.rate;
  plan.warmup = *warmup;
  plan.cancel = &g_cancel;
  if (absl::Status valid = ValidatePlan(plan); !valid.ok()) {
    return UsageError(absl::StrCat("--", valid.message()));
  }

  if (args.token_key.empty()) {
    return UsageError("--token-key: required (or set CONSULAR_DEV_SIGNING_KEY)");
  }
  absl::StatusOr<std::unique_ptr<DevTokenSource>> tokens =
      DevTokenSource::FromKeyFile(args.token_key, args.issuer, args.audience, kTokenTtl);
  if (!tokens.ok()) return UsageError(std::string(tokens.status().message()));

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      consular::MakeToolChannelCredentials(args.insecure, args.ca_cert);
  if (!credentials.ok()) {
    return UsageError(absl::StrCat("--ca-cert: ", credentials.status().message()));
  }

  Connections connections;
  connections.tokens = tokens->get();
  const bool stats = args.scenario == "stats";
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      Connect(stats ? args.stats_addr : args.addr, *credentials, args.connections, *timeout);
  if (!channels.ok()) return Failure(channels.status());
  (stats ? connections.stats : connections.cases) = *std::move(channels);

  absl::StatusOr<std::unique_ptr<Workload>> workload = MakeWorkload(options, connections);
  if (!workload.ok()) return UsageError(std::string(workload.status().message()));

  if (!args.json) {
    std::cerr << "consular-loadgen: " << args.scenario << " against "
              << (stats ? args.stats_addr : args.addr) << " with " << args.concurrency << " users, "
              << (args.count > 0 ? absl::StrCat(args.count, " operations")
                                 : absl::StrCat("for ", absl::FormatDuration(*duration)))
              << (args.rate > 0 ? absl::StrCat(" at ", args.rate, " op/s") : "") << " ..."
              << std::endl;
  }
  std::signal(SIGINT, OnInterrupt);
  absl::StatusOr<RunResult> result = RunLoad(**workload, plan);
  if (!result.ok()) return Failure(result.status());

  RunInfo info{args.scenario, args.concurrency, args.rate, *warmup, options.seed};
  const LoadReport report = BuildReport(*result, info);
  std::cout << (args.json ? FormatJson(report) : FormatText(report)) << std::flush;
  if (report.requests > 0 && report.ok == 0) {
    std::cerr << "error: every call failed" << std::endl;
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace
}  // namespace consular::loadgen

// What --help says about the tool.
constexpr char kAbout[] =
    R"(consular-loadgen: load for consular-cases and consular-stats. Prints total requests,
throughput, latency p50/p95/p99/max (every call, exact) and errors by gRPC status code.
Scenarios: create, get, list (CaseService as officers of a few posts), mix (an officer's
working mix: 50% GetCase, 15% ListCases, 10% UpdateCase, 10% AddCaseNote,
10% TransitionCase, 5% CreateCase), stats (GetCountryStatistics as policy staff).
With --rate, latency counts from each operation's scheduled send time (no coordinated
omission).)";

int main(int argc, char** argv) {
  using consular::loadgen::Args;
  Args args;
  CLI::App app{kAbout};
  app.option_defaults()->always_capture_default();
  app.add_option("--addr", args.addr, "CaseService address HOST:PORT")->envname("CONSULAR_ADDR");
  app.add_option("--stats-addr", args.stats_addr, "StatisticsService address (scenario stats)")
      ->envname("CONSULAR_STATS_ADDR");
  consular::loadgen::AddClientFlags(
      app, {&args.ca_cert, &args.insecure, &args.token_key, &args.issuer, &args.audience});
  app.add_option("--scenario", args.scenario, "create, get, list, mix or stats")
      ->required()
      ->check(CLI::IsMember(consular::loadgen::ScenarioNames()));
  app.add_option("--concurrency", args.concurrency, "Virtual users (calls in flight at most)")
      ->check(CLI::Range(1, consular::loadgen::kMaxConcurrency));
  CLI::Option* duration = app.add_option("--duration", args.duration,
                                         "How long to measure, e.g. 30s, 2m (unless --count)");
  CLI::Option* count =
      app.add_option("--count", args.count, "Measure this many operations instead of a duration")
          ->check(CLI::PositiveNumber)
          ->default_str("");
  duration->excludes(count);
  app.add_option("--rate", args.rate,
                 "Operations per second across all users (open loop); 0 = closed loop")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--warmup", args.warmup, "Run this long before measuring, e.g. 5s");
  app.add_flag("--json", args.json, "Print the result as one JSON object");
  app.add_option("--seed", args.seed, "Random seed (printed with the result)")
      ->default_str("random");
  app.add_option("--country-weights", args.country_weights,
                 "Countries of focus and their weights, e.g. MA=3,TR=2,EG=1 "
                 "(default: MA, TR, EG, PK, IQ, SR, GH, NG, IN, DZ, TN, SA)");
  app.add_option("--setup-cases", args.setup_cases,
                 "get, mix: cases each post should have before the run (listed, else created)")
      ->check(CLI::Range(1, 10000));
  app.add_option("--timeout", args.timeout, "Deadline of every call");
  app.add_option("--connections", args.connections, "Connections to the server")
      ->check(CLI::Range(1, 64));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return consular::loadgen::Run(args, app);
}

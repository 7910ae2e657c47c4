#include "tools/loadgen/report.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace consular::loadgen {
namespace {

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

using Json = nlohmann::ordered_json;

// A figure as JSON: finite, rounded to 3 decimals, a whole number as an integer.
Json Figure(double value) {
  if (!std::isfinite(value)) return 0;
  const double rounded = std::round(value * 1000) / 1000;
  if (rounded == std::trunc(rounded) && std::abs(rounded) < 1e15) {
    return static_cast<int64_t>(rounded);
  }
  return rounded;
}

Json LatencyJson(const LatencySummary& latency) {
  return Json{{"p50", Figure(Ms(latency.p50_ns))},
              {"p95", Figure(Ms(latency.p95_ns))},
              {"p99", Figure(Ms(latency.p99_ns))},
              {"max", Figure(Ms(latency.max_ns))}};
}

Json CountsJson(const std::map<std::string, int64_t>& counts) {
  Json out = Json::object();
  for (const auto& [name, n] : counts) out[name] = n;
  return out;
}

std::string Counts(const std::map<std::string, int64_t>& counts) {
  std::vector<std::string> items;
  for (const auto& [name, n] : counts) items.push_back(absl::StrCat(name, " ", n));
  return absl::StrJoin(items, ", ");
}

}  // namespace

std::string StatusCodeName(grpc::StatusCode code) {
  const int number = static_cast<int>(code);
  if (number < 0 || number > 16) return absl::StrCat("CODE_", number);
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(number));
}

LoadReport BuildReport(const RunResult& result, const RunInfo& info) {
  LoadReport report;
  report.info = info;
  report.operations = result.operations;
  report.requests = result.TotalCalls();
  report.failed = result.FailedCalls();
  report.ok = report.requests - report.failed;
  report.elapsed_seconds = absl::ToDoubleSeconds(result.elapsed);
  report.throughput_rps = report.elapsed_seconds > 0
                              ? static_cast<double>(report.requests) / report.elapsed_seconds
                              : 0;
  std::vector<int64_t> all;
  all.reserve(report.requests);
  for (const auto& [name, method] : result.methods) {
    all.insert(all.end(), method.latencies_ns.begin(), method.latencies_ns.end());
    MethodReport m;
    m.method = name;
    m.requests = static_cast<int64_t>(method.latencies_ns.size());
    for (const auto& [code, n] : method.failures) {
      m.failed += n;
      report.errors[StatusCodeName(code)] += n;
    }
    m.latency = Summarize(method.latencies_ns);
    report.methods.push_back(std::move(m));
  }
  report.latency = Summarize(std::move(all));
  report.events = result.events;
  report.missed = result.missed;
  report.cancelled = result.cancelled;
  return report;
}

std::string FormatText(const LoadReport& report) {
  const RunInfo& info = report.info;
  std::string out;
  absl::StrAppendFormat(
      &out, "scenario      %s, %d users, %s, seed %d\n", info.scenario, info.concurrency,
      info.rate > 0 ? absl::StrFormat("open loop at %g op/s", info.rate) : "closed loop",
      info.seed);
  absl::StrAppendFormat(&out, "measured      %.2f s", report.elapsed_seconds);
  if (info.warmup > absl::ZeroDuration()) {
    absl::StrAppend(&out, " after ", absl::FormatDuration(info.warmup), " warm-up");
  }
  absl::StrAppendFormat(&out, ", %d operations%s\n", report.operations,
                        report.cancelled ? " (stopped early)" : "");
  absl::StrAppendFormat(&out, "requests      %d (ok %d, failed %d)\n", report.requests, report.ok,
                        report.failed);
  absl::StrAppendFormat(&out, "throughput    %.1f req/s\n", report.throughput_rps);
  absl::StrAppendFormat(
      &out, "latency (ms)  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  (every call, %s)\n",
      Ms(report.latency.p50_ns), Ms(report.latency.p95_ns), Ms(report.latency.p99_ns),
      Ms(report.latency.max_ns),
      info.rate > 0 ? "from its scheduled send time" : "from issue to completion");
  absl::StrAppend(&out, "errors        ", report.errors.empty() ? "none" : Counts(report.errors),
                  "\n");
  if (!report.events.empty()) absl::StrAppend(&out, "events        ", Counts(report.events), "\n");
  if (report.missed > 0) {
    absl::StrAppendFormat(&out,
                          "missed        %d scheduled operations never sent: the server could not "
                          "keep up with the rate\n",
                          report.missed);
  }
  if (report.methods.size() > 1) {
    absl::StrAppendFormat(&out, "%-22s %9s %7s %9s %9s %9s %9s\n", "method", "requests", "failed",
                          "p50 ms", "p95 ms", "p99 ms", "max ms");
    for (const MethodReport& m : report.methods) {
      absl::StrAppendFormat(&out, "%-22s %9d %7d %9.2f %9.2f %9.2f %9.2f\n", m.method, m.requests,
                            m.failed, Ms(m.latency.p50_ns), Ms(m.latency.p95_ns),
                            Ms(m.latency.p99_ns), Ms(m.latency.max_ns));
    }
  }
  return out;
}

std::string FormatJson(const LoadReport& report) {
  const RunInfo& info = report.info;
  Json methods = Json::object();
  for (const MethodReport& m : report.methods) {
    methods[m.method] = Json{
        {"requests", m.requests}, {"failed", m.failed}, {"latency_ms", LatencyJson(m.latency)}};
  }
  Json out;
  out["scenario"] = info.scenario;
  out["concurrency"] = info.concurrency;
  out["rate"] = Figure(info.rate);
  out["warmup_s"] = Figure(absl::ToDoubleSeconds(info.warmup));
  out["seed"] = info.seed;
  out["elapsed_s"] = Figure(report.elapsed_seconds);
  out["operations"] = report.operations;
  out["requests"] = report.requests;
  out["ok"] = report.ok;
  out["failed"] = report.failed;
  out["throughput_rps"] = Figure(report.throughput_rps);
  out["latency_ms"] = LatencyJson(report.latency);
  out["errors"] = CountsJson(report.errors);
  out["methods"] = std::move(methods);
  out["events"] = CountsJson(report.events);
  out["missed"] = report.missed;
  out["cancelled"] = report.cancelled;
  return out.dump() + "\n";
}

}  // namespace consular::loadgen

#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tools/loadgen/engine.h"
#include "tools/loadgen/latency.h"

// What consular-loadgen prints: a summary of a RunResult, as text or as one JSON object.
namespace consular::loadgen {

// The run's settings, printed with its figures.
struct RunInfo {
  std::string scenario;
  int concurrency = 0;
  double rate = 0;  // 0: closed loop
  absl::Duration warmup = absl::ZeroDuration();
  uint64_t seed = 0;
};

struct MethodReport {
  std::string method;  // "GetCase"
  int64_t requests = 0;
  int64_t failed = 0;
  LatencySummary latency;
};

struct LoadReport {
  RunInfo info;
  int64_t operations = 0;
  int64_t requests = 0;  // calls, each ABORTED retry and re-read included
  int64_t ok = 0;
  int64_t failed = 0;
  double elapsed_seconds = 0;
  double throughput_rps = 0;              // requests per second of elapsed time
  LatencySummary latency;                 // over every call, ok or failed
  std::map<std::string, int64_t> errors;  // by gRPC status code name, e.g. "UNAVAILABLE"
  std::vector<MethodReport> methods;      // by method name
  std::map<std::string, int64_t> events;
  int64_t missed = 0;
  bool cancelled = false;
};

// The name of a gRPC status code: "UNAVAILABLE", "DEADLINE_EXCEEDED".
std::string StatusCodeName(grpc::StatusCode code);

// Summarises `result` (its latency samples are copied, not consumed).
LoadReport BuildReport(const RunResult& result, const RunInfo& info);

// Human-readable, several lines, latencies in milliseconds.
std::string FormatText(const LoadReport& report);

// One JSON object on one line (with a trailing newline), latencies in milliseconds:
// {"scenario", "concurrency", "rate", "warmup_s", "seed", "elapsed_s", "operations", "requests",
//  "ok", "failed", "throughput_rps", "latency_ms": {"p50", "p95", "p99", "max"},
//  "errors": {"<CODE>": n}, "methods": {"<Method>": {"requests", "failed", "latency_ms"}},
//  "events": {"<event>": n}, "missed", "cancelled"}.
std::string FormatJson(const LoadReport& report);

}  // namespace consular::loadgen

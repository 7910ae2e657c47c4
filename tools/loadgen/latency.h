#pragma once

#include <cstdint>
#include <vector>

// Exact latency percentiles over a full sample (every call's latency is kept: 8 bytes a call, so
// a few million calls cost tens of megabytes, which is fine for a load generator run).
namespace consular::loadgen {

// The nearest-rank percentile `p` (0 < p <= 100) of `sorted` (ascending): the smallest sample such
// that at least p percent of the samples are less than or equal to it, i.e. the sample at 1-based
// rank ceil(p / 100 * n). p <= 0 gives the minimum, p >= 100 the maximum; 0 for an empty sample.
int64_t Percentile(const std::vector<int64_t>& sorted, double p);

// What a run reports about a set of latencies (nanoseconds).
struct LatencySummary {
  int64_t count = 0;
  int64_t p50_ns = 0;
  int64_t p95_ns = 0;
  int64_t p99_ns = 0;
  int64_t max_ns = 0;
};

// Sorts `samples_ns` and summarises them; all zero for an empty sample.
LatencySummary Summarize(std::vector<int64_t> samples_ns);

}  // namespace consular::loadgen

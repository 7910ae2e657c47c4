#include "tools/loadgen/latency.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace consular::loadgen {

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double n = static_cast<double>(sorted.size());
  // Rank 1..n. The small epsilon keeps p * n / 100 from rounding up past an exact integer
  // (0.95 * 100 is 95.00000000000001 in binary floating point).
  double rank = std::ceil(p / 100.0 * n - 1e-9);
  rank = std::clamp(rank, 1.0, n);
  return sorted[static_cast<size_t>(rank) - 1];
}

LatencySummary Summarize(std::vector<int64_t> samples_ns) {
  std::sort(samples_ns.begin(), samples_ns.end());
  LatencySummary summary;
  summary.count = static_cast<int64_t>(samples_ns.size());
  if (samples_ns.empty()) return summary;
  summary.p50_ns = Percentile(samples_ns, 50);
  summary.p95_ns = Percentile(samples_ns, 95);
  summary.p99_ns = Percentile(samples_ns, 99);
  summary.max_ns = samples_ns.back();
  return summary;
}

}  // namespace consular::loadgen

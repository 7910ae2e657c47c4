#pragma once

#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

// A server's Prometheus metrics, served in the text format at http://<listen>/metrics on a port of
// their own (--metrics-listen): per method the calls by status code and a latency histogram, and
// gauges read at each scrape (worker queue, database pool, database readiness, …), with the
// build's version. Thread-safe.
namespace consular {

// A moment as a gauge of Unix seconds (Prometheus's `..._timestamp_seconds`); 0 for
// absl::InfinitePast(), which stands for "never" (e.g. no round has run yet).
inline double UnixSecondsOrZero(absl::Time t) {
  return t == absl::InfinitePast() ? 0.0 : absl::ToDoubleSeconds(t - absl::UnixEpoch());
}

class ServerMetrics {
 public:
  // Serves the metrics on `listen` ("127.0.0.1:9151"; port 0 picks a free one). `service` names
  // the server ("consular-cases"). UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<ServerMetrics>> Start(const std::string& listen,
                                                              const std::string& service);
  ~ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // The port it listens on.
  int port() const;

  // One finished call: consular_calls_total{method,code} and consular_call_duration_seconds{method}.
  void RecordCall(const std::string& method, grpc::StatusCode code, absl::Duration latency);

  // A gauge whose value `read` gives at each scrape (it must stay valid while the metrics are
  // served; it runs on the metrics thread). `name` must be a Prometheus metric name.
  void AddGauge(const std::string& name, const std::string& help, std::function<double()> read);

  // A counter with one label, its values per label value given by `read` at each scrape (they
  // must only grow while the process runs; same rules as AddGauge). `name` ends in "_total".
  void AddCounters(const std::string& name, const std::string& help, const std::string& label,
                   std::function<std::vector<std::pair<std::string, double>>()> read);

 private:
  struct State;
  explicit ServerMetrics(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace consular

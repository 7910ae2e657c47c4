#include "services/common/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <exception>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/common/call_log.h"

#ifndef CONSULAR_VERSION
#define CONSULAR_VERSION "dev"
#endif

namespace consular {
namespace {

// Gauges and counters read when Prometheus scrapes, not kept up to date by the code they
// describe.
class ReadGauges final : public prometheus::Collectable {
 public:
  void Add(std::string name, std::string help, std::function<double()> read) {
    absl::MutexLock lock(&mu_);
    gauges_.push_back({std::move(name), std::move(help), std::move(read)});
  }

  void AddCounters(std::string name, std::string help, std::string label,
                   std::function<std::vector<std::pair<std::string, double>>()> read) {
    absl::MutexLock lock(&mu_);
    counters_.push_back({std::move(name), std::move(help), std::move(label), std::move(read)});
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::MutexLock lock(&mu_);
    std::vector<prometheus::MetricFamily> families;
    for (const Gauge& gauge : gauges_) {
      prometheus::MetricFamily family;
      family.name = gauge.name;
      family.help = gauge.help;
      family.type = prometheus::MetricType::Gauge;
      prometheus::ClientMetric metric;
      metric.gauge.value = gauge.read();
      family.metric.push_back(std::move(metric));
      families.push_back(std::move(family));
    }
    for (const Counters& counters : counters_) {
      prometheus::MetricFamily family;
      family.name = counters.name;
      family.help = counters.help;
      family.type = prometheus::MetricType::Counter;
      for (const auto& [value, count] : counters.read()) {
        prometheus::ClientMetric metric;
        metric.label.push_back({counters.label, value});
        metric.counter.value = count;
        family.metric.push_back(std::move(metric));
      }
      families.push_back(std::move(family));
    }
    return families;
  }

 private:
  struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
  };
  struct Counters {
    std::string name;
    std::string help;
    std::string label;
    std::function<std::vector<std::pair<std::string, double>>()> read;
  };
  mutable absl::Mutex mu_;
  std::vector<Gauge> gauges_ ABSL_GUARDED_BY(mu_);
  std::vector<Counters> counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

struct ServerMetrics::State {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::shared_ptr<ReadGauges> gauges = std::make_shared<ReadGauges>();
  prometheus::Family<prometheus::Counter>* calls = nullptr;
  prometheus::Family<prometheus::Histogram>* latency = nullptr;
  std::unique_ptr<prometheus::Exposer> exposer;
};

absl::StatusOr<std::unique_ptr<ServerMetrics>> ServerMetrics::Start(const std::string& listen,
                                                                    const std::string& service) {
  auto state = std::make_unique<State>();
  state->calls = &prometheus::BuildCounter()
                      .Name("consular_calls_total")
                      .Help("Calls served, by method and status code")
                      .Register(*state->registry);
  state->latency = &prometheus::BuildHistogram()
                        .Name("consular_call_duration_seconds")
                        .Help("Time from a call's headers to its status, by method")
                        .Register(*state->registry);
  prometheus::BuildGauge()
      .Name("consular_build_info")
      .Help("The server and its version (always 1)")
      .Register(*state->registry)
      .Add({{"service", service}, {"version", CONSULAR_VERSION}})
      .Set(1);
  try {
    state->exposer = std::make_unique<prometheus::Exposer>(listen, 2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("--metrics-listen: cannot listen on ", listen, ": ",
                                               e.what()));
  }
  state->exposer->RegisterCollectable(state->registry);
  state->exposer->RegisterCollectable(state->gauges);
  return std::unique_ptr<ServerMetrics>(new ServerMetrics(std::move(state)));
}

ServerMetrics::ServerMetrics(std::unique_ptr<State> state) : state_(std::move(state)) {}

ServerMetrics::~ServerMetrics() = default;

int ServerMetrics::port() const {
  const std::vector<int> ports = state_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void ServerMetrics::RecordCall(const std::string& method, grpc::StatusCode code,
                               absl::Duration latency) {
  state_->calls->Add({{"method", method}, {"code", StatusCodeName(code)}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  state_->latency->Add({{"method", method}}, kBuckets).Observe(absl::ToDoubleSeconds(latency));
}

void ServerMetrics::AddGauge(const std::string& name, const std::string& help,
                             std::function<double()> read) {
  state_->gauges->Add(name, help, std::move(read));
}

void ServerMetrics::AddCounters(
    const std::string& name, const std::string& help, const std::string& label,
    std::function<std::vector<std::pair<std::string, double>>()> read) {
  state_->gauges->AddCounters(name, help, label, std::move(read));
}

}  // namespace consular

// ServerMetrics served on a real port and read as Prometheus reads it (the text format over HTTP).
#include "services/common/metrics.h"

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consular {
namespace {

using ::testing::HasSubstr;

std::string Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  httplib::Result r = client.Get("/metrics");
  return r && r->status == 200 ? r->body : "";
}

TEST(ServerMetricsTest, CallsGaugesAndBuildInfoAreScrapedInTheTextFormat) {
  absl::StatusOr<std::unique_ptr<ServerMetrics>> metrics =
      ServerMetrics::Start("127.0.0.1:0", "consular-test");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  const int port = (*metrics)->port();
  ASSERT_GT(port, 0);
  std::atomic<int> queued{3};
  (*metrics)->AddGauge("consular_test_queue", "Things queued", [&queued] { return queued.load(); });
  (*metrics)->RecordCall("/consular.v1.CaseService/GetCase", grpc::StatusCode::OK,
                         absl::Milliseconds(4));
  (*metrics)->RecordCall("/consular.v1.CaseService/GetCase", grpc::StatusCode::OK,
                         absl::Milliseconds(40));
  (*metrics)->RecordCall("/consular.v1.CaseService/GetCase", grpc::StatusCode::NOT_FOUND,
                         absl::Milliseconds(2));

  std::string text = Scrape(port);
  EXPECT_THAT(text, HasSubstr("# TYPE consular_calls_total counter"));
  EXPECT_THAT(text, HasSubstr(
                        R"(consular_calls_total{code="OK",method="/consular.v1.CaseService/GetCase"} 2)"));
  EXPECT_THAT(text, HasSubstr(
                        R"(consular_calls_total{code="NOT_FOUND",method="/consular.v1.CaseService/GetCase"} 1)"));
  EXPECT_THAT(text, HasSubstr(
                        R"(consular_call_duration_seconds_bucket{method="/consular.v1.CaseService/GetCase",le="0.005"} 2)"));
  EXPECT_THAT(text, HasSubstr(
                        R"(consular_call_duration_seconds_count{method="/consular.v1.CaseService/GetCase"} 3)"));
  EXPECT_THAT(text, HasSubstr(R"(consular_build_info{service="consular-test",version=")"));
  EXPECT_THAT(text, HasSubstr("consular_test_queue 3"));
  queued = 0;
  EXPECT_THAT(Scrape(port), HasSubstr("consular_test_queue 0")) << "read at each scrape";
}

TEST(ServerMetricsTest, ReadCountersAreScrapedPerLabelAsCounters) {
  absl::StatusOr<std::unique_ptr<ServerMetrics>> metrics =
      ServerMetrics::Start("127.0.0.1:0", "consular-test");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  std::atomic<int> old_rows{7};
  (*metrics)->AddCounters("consular_test_expired_total", "Rows expired", "kind", [&old_rows] {
    return std::vector<std::pair<std::string, double>>{{"a", old_rows.load()}, {"b", 0}};
  });
  std::string text = Scrape((*metrics)->port());
  EXPECT_THAT(text, HasSubstr("# TYPE consular_test_expired_total counter"));
  EXPECT_THAT(text, HasSubstr(R"(consular_test_expired_total{kind="a"} 7)"));
  EXPECT_THAT(text, HasSubstr(R"(consular_test_expired_total{kind="b"} 0)"));
  old_rows = 9;
  EXPECT_THAT(Scrape((*metrics)->port()), HasSubstr(R"(consular_test_expired_total{kind="a"} 9)"));
}

TEST(ServerMetricsTest, AnAddressInUseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<ServerMetrics>> first =
      ServerMetrics::Start("127.0.0.1:0", "consular-test");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<ServerMetrics>> second = ServerMetrics::Start(
      "127.0.0.1:" + std::to_string((*first)->port()), "consular-test");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("--metrics-listen"));
}

}  // namespace
}  // namespace consular

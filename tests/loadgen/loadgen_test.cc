// consular-loadgen's library: that it measures right (against in-process servers with a known
// delay), paces an open loop, counts errors by code, sends valid requests, and retries ABORTED
// once by re-reading.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/cases.grpc.pb.h"
#include "consular/v1/statistics.grpc.pb.h"
#include "services/cases/case_rules.h"
#include "services/common/token.h"
#include "services/common/validation.h"
#include "tests/common/test_crypto.h"
#include "tools/loadgen/case_content.h"
#include "tools/loadgen/engine.h"
#include "tools/loadgen/flags.h"
#include "tools/loadgen/latency.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/scenarios.h"

namespace consular::loadgen {
namespace {

namespace v1 = consular::v1;
using ::testing::Test;

// The timing tests assert what must hold however slow the machine is (a sanitizer build, a loaded
// CI machine): a call takes at least the server's delay, the engine's figures agree with each
// other and with what the server saw, a run stops when it should. None bounds how long a call may
// take: that depends on the machine, not on the load generator.

// Fake tokens: "ROLE|POST|SUBJECT", read back by the fake services.
class FakeTokens final : public TokenSource {
 public:
  absl::StatusOr<std::string> TokenFor(const Caller& caller) override {
    return absl::StrCat(v1::Role_Name(caller.role), "|", caller.post, "|", caller.subject);
  }
};

// The caller named by a FakeTokens token in the call's metadata.
bool CallerOf(const grpc::ServerContext* context, Caller* caller) {
  const auto& md = context->client_metadata();
  const auto it = md.find("authorization");
  if (it == md.end()) return false;
  const std::string value(it->second.data(), it->second.size());
  if (value.rfind("Bearer ", 0) != 0) return false;
  const std::vector<std::string> parts = absl::StrSplit(value.substr(7), '|');
  if (parts.size() != 3) return false;
  v1::Role role;
  if (!v1::Role_Parse(parts[0], &role)) return false;
  *caller = {role, parts[1], parts[2]};
  return true;
}

grpc::Status Invalid(const absl::Status& status) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(status.message()));
}

// A CaseService whose GetCase takes a known time: it sleeps `delay`, then answers (every
// `fail_every`th call with UNAVAILABLE, if set). ListCases offers ten cases of the asked post.
class DelayCaseService final : public v1::CaseService::Service {
 public:
  DelayCaseService(absl::Duration delay, int fail_every) : delay_(delay), fail_every_(fail_every) {}

  grpc::Status GetCase(grpc::ServerContext*, const v1::GetCaseRequest* request,
                       v1::Case* response) override {
    const int64_t n = ++get_calls_;
    const absl::Time arrived = absl::Now();
    absl::SleepFor(delay_);
    {
      absl::MutexLock lock(&mu_);
      arrivals_.push_back(arrived);
      handling_ns_.push_back(absl::ToInt64Nanoseconds(absl::Now() - arrived));
    }
    if (fail_every_ > 0 && n % fail_every_ == 0) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "every tenth call fails");
    }
    response->set_id(request->case_id());
    response->set_version(1);
    return grpc::Status::OK;
  }

  grpc::Status ListCases(grpc::ServerContext*, const v1::ListCasesRequest* request,
                         v1::ListCasesResponse* response) override {
    for (int i = 0; i < 10; ++i) {
      v1::Case* c = response->add_cases();
      c->set_id(absl::StrCat(request->post(), "-case-", i));
      c->set_handling_post(request->post());
      c->set_version(1);
    }
    return grpc::Status::OK;
  }

  int64_t get_calls() const { return get_calls_.load(); }
  std::vector<absl::Time> arrivals() const {
    absl::MutexLock lock(&mu_);
    return arrivals_;
  }
  // How long GetCase took on average, as the server saw it: the delay and however much longer
  // the operating system let the sleep run.
  absl::Duration mean_handling_time() const {
    absl::MutexLock lock(&mu_);
    if (handling_ns_.empty()) return absl::ZeroDuration();
    return absl::Nanoseconds(std::accumulate(handling_ns_.begin(), handling_ns_.end(), 0.0) /
                             handling_ns_.size());
  }
  // GetCase's handling times as the server saw them.
  LatencySummary handling() const {
    absl::MutexLock lock(&mu_);
    return Summarize(handling_ns_);
  }

 private:
  const absl::Duration delay_;
  const int fail_every_;
  std::atomic<int64_t> get_calls_{0};
  mutable absl::Mutex mu_;
  std::vector<absl::Time> arrivals_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> handling_ns_ ABSL_GUARDED_BY(mu_);
};

// A CaseService keeping cases in memory with the real service's rules for what the load
// generator sends: content and masks validated with services/cases/case_rules, request ids
// required and never reused, versions checked (ABORTED when stale), officers' transitions only,
// no change to closed cases, a post's officers see only its cases. To make conflicts happen, every
// `conflict_every`th update or transition finds the case changed by someone else just before.
class MemoryCaseService final : public v1::CaseService::Service {
 public:
  explicit MemoryCaseService(int conflict_every) : conflict_every_(conflict_every) {}

  grpc::Status CreateCase(grpc::ServerContext* context, const v1::CreateCaseRequest* request,
                          v1::Case* response) override {
    Caller who;
    absl::MutexLock lock(&mu_);
    if (grpc::Status s = Check(context, true, request->request_id(), &who); !s.ok()) return s;
    if (absl::Status valid =
            cases::ValidateCaseContent(request->case_(), consular::DateOf(absl::Now()));
        !valid.ok()) {
      return Invalid(valid);
    }
    v1::Case c = request->case_();
    c.set_id(absl::StrFormat("00000000-0000-4000-8000-%012d", cases_.size() + 1));
    c.set_status(v1::CASE_STATUS_INTAKE);
    c.set_handling_post(who.post);
    c.set_version(1);
    c.set_caller_access(v1::CASE_ACCESS_HANDLING);
    cases_[c.id()] = c;
    *response = c;
    return grpc::Status::OK;
  }

  grpc::Status GetCase(grpc::ServerContext* context, const v1::GetCaseRequest* request,
                       v1::Case* response) override {
    Caller who;
    absl::MutexLock lock(&mu_);
    if (grpc::Status s = Check(context, false, "", &who); !s.ok()) return s;
    v1::Case* c = Find(who, request->case_id());
    if (c == nullptr) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such case");
    *response = *c;
    return grpc::Status::OK;
  }

  grpc::Status ListCases(grpc::ServerContext* context, const v1::ListCasesRequest* request,
                         v1::ListCasesResponse* response) override {
    Caller who;
    absl::MutexLock lock(&mu_);
    if (grpc::Status s = Check(context, false, "", &who); !s.ok()) return s;
    if (request->post() != who.post || request->page_size() != 50) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "post or page_size");
    }
    for (auto it = cases_.rbegin(); it != cases_.rend() && response->cases_size() < 50; ++it) {
      if (it->second.handling_post() == who.post) *response->add_cases() = it->second;
    }
    return grpc::Status::OK;
  }

  grpc::Status UpdateCase(grpc::ServerContext* context, const v1::UpdateCaseRequest* request,
                          v1::Case* response) override {
    Caller who;
    absl::MutexLock lock(&mu_);
    if (grpc::Status s = Check(context, true, request->request_id(), &who); !s.ok()) return s;
    v1::Case* c = Find(who, request->case_().id());
    if (c == nullptr) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such case");
    if (absl::Status mask = cases::ValidateUpdateMask(request->update_mask(), c->type());
        !mask.ok()) {
      return Invalid(mask);
    }
    if (grpc::Status s = CheckVersion(c, request->expected_version()); !s.ok()) return s;
    if (c->status() == v1::CASE_STATUS_CLOSED) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "closed");
    }
    c->set_version(c->version() + 1);
    ++updates_;
    *response = *c;
    return grpc::Status::OK;
  }

  grpc::Status TransitionCase(grpc::ServerContext* context,
                              const v1::TransitionCaseRequest* request,
                              v1::Case* response) override {
    Caller who;
    absl::MutexLock lock(&mu_);
    if (grpc::Status s = Check(context, true, request->request_id(), &who); !s.ok()) return s;
    v1::Case* c = Find(who, request->case_id());
    if (c == nullptr) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such case");
    if (request->reason().empty()) return Invalid(absl::InvalidArgumentError("reason: required"));
    if (grpc::Status s = CheckVersion(c, request->expected_version()); !s.ok()) return s;
    const v1::CaseStatus target = request->target_status();
    if (!cases::IsAllowedTransition(c->status(), target) || target == v1::CASE_STATUS_CLOSED) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "not a transition for officers");
    }
    const bool resolving = target == v1::CASE_STATUS_RESOLVED;
    if (resolving != (request->outcome() != v1::OUTCOME_UNSPECIFIED) ||
        (resolving && !cases::IsOutcomeValidFor(c->type(), request->outcome()))) {
      return Invalid(absl::InvalidArgumentError("outcome"));
    }
    c->set_status(target);
    c->set_outcome(request->outcome());
    c->set_version(c->version() + 1);
    ++transitions_;
    *response = *c;
    return grpc::Status::OK;
  }

  grpc::Status AddCaseNote(grpc::ServerContext* context, const v1::AddCaseNoteRequest* request,
                           v1::CaseNote* response) override {
    Caller who;
    absl::MutexLock lock(&mu_);
    if (grpc::Status s = Check(context, true, request->request_id(), &who); !s.ok()) return s;
    v1::Case* c = Find(who, request->case_id());
    if (c == nullptr) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such case");
    if (absl::Status text = consular::CheckText("text", request->text(), 10000, true); !text.ok()) {
      return Invalid(text);
    }
    if (c->status() == v1::CASE_STATUS_CLOSED) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "closed");
    }
    response->set_case_id(c->id());
    response->set_text(request->text());
    ++notes_;
    return grpc::Status::OK;
  }

  int64_t updates() const {
    absl::MutexLock lock(&mu_);
    return updates_;
  }
  int64_t transitions() const {
    absl::MutexLock lock(&mu_);
    return transitions_;
  }
  int64_t notes() const {
    absl::MutexLock lock(&mu_);
    return notes_;
  }

 private:
  // The caller must be a consular officer; a mutation needs a valid request id never seen before.
  grpc::Status Check(grpc::ServerContext* context, bool mutation, const std::string& request_id,
                     Caller* who) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!CallerOf(context, who)) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "token");
    if (who->role != v1::ROLE_CONSULAR_OFFICER || who->post.empty()) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "officers only");
    }
    if (mutation) {
      if (absl::Status valid = ValidateRequestId(request_id); !valid.ok()) {
        return Invalid(valid);
      }
      if (!request_ids_.insert(request_id).second) {
        return Invalid(absl::InvalidArgumentError("request_id: reused"));
      }
    }
    return grpc::Status::OK;
  }

  v1::Case* Find(const Caller& who, const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const auto it = cases_.find(id);
    if (it == cases_.end() || it->second.handling_post() != who.post) return nullptr;
    return &it->second;
  }

  grpc::Status CheckVersion(v1::Case* c, int64_t expected) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (++mutations_ % conflict_every_ == 0) c->set_version(c->version() + 1);  // a colleague
    if (expected != c->version()) {
      return grpc::Status(grpc::StatusCode::ABORTED, "stale version; read again and retry");
    }
    return grpc::Status::OK;
  }

  const int conflict_every_;
  mutable absl::Mutex mu_;
  std::map<std::string, v1::Case> cases_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> request_ids_ ABSL_GUARDED_BY(mu_);
  int64_t mutations_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t updates_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t transitions_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t notes_ ABSL_GUARDED_BY(mu_) = 0;
};

// A StatisticsService accepting what the policy user of the stats scenario should send.
class FakeStatisticsService final : public v1::StatisticsService::Service {
 public:
  grpc::Status GetCountryStatistics(grpc::ServerContext* context,
                                    const v1::GetCountryStatisticsRequest* request,
                                    v1::CountryStatistics* response) override {
    Caller who;
    if (!CallerOf(context, &who)) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "token");
    if (who.role != v1::ROLE_POLICY_STAFF) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "policy staff only");
    }
    if (!consular::IsKnownCountryCode(request->country())) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "country");
    }
    const int this_year = consular::DateOf(absl::Now()).year();
    const v1::Period& p = request->period();
    const int year = p.has_quarter() ? p.quarter().year() : p.year();
    if (year < this_year - 4 || year > this_year ||
        (p.has_quarter() && (p.quarter().quarter() < 1 || p.quarter().quarter() > 4))) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "period");
    }
    for (int d : request->dimensions()) {
      if (d == 0 || !v1::Dimension_IsValid(d)) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "dimensions");
      }
    }
    absl::MutexLock lock(&mu_);
    countries_.insert(request->country());
    years_.insert(year);
    response->set_country(request->country());
    return grpc::Status::OK;
  }

  std::set<std::string> countries() const {
    absl::MutexLock lock(&mu_);
    return countries_;
  }
  std::set<int> years() const {
    absl::MutexLock lock(&mu_);
    return years_;
  }

 private:
  mutable absl::Mutex mu_;
  std::set<std::string> countries_ ABSL_GUARDED_BY(mu_);
  std::set<int> years_ ABSL_GUARDED_BY(mu_);
};

// An in-process server on a free port, plaintext.
class TestServer {
 public:
  explicit TestServer(grpc::Service* service) {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service);
    server_ = builder.BuildAndStart();
    EXPECT_NE(server_, nullptr);
    channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
    EXPECT_TRUE(
        channel_->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)));
  }
  ~TestServer() { server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5)); }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

ScenarioOptions Options(const std::string& scenario, int users) {
  ScenarioOptions options;
  options.scenario = scenario;
  options.users = users;
  options.seed = 42;
  options.setup_cases = 5;
  options.run_id = "test";
  return options;
}

// Runs `scenario` on the case service behind `server` as planned, and summarises it.
LoadReport RunCases(const TestServer& server, const std::string& scenario, const RunPlan& plan,
                    RunResult* raw = nullptr) {
  FakeTokens tokens;
  Connections connections;
  connections.cases = {server.channel()};
  connections.tokens = &tokens;
  absl::StatusOr<std::unique_ptr<Workload>> workload =
      MakeWorkload(Options(scenario, plan.concurrency), connections);
  EXPECT_TRUE(workload.ok()) << workload.status();
  if (!workload.ok()) return {};
  absl::StatusOr<RunResult> result = RunLoad(**workload, plan);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return {};
  LoadReport report =
      BuildReport(*result, {scenario, plan.concurrency, plan.rate, plan.warmup, 42});
  if (raw != nullptr) *raw = *std::move(result);
  return report;
}

int64_t Ns(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

// ---------------------------------------------------------------------------------------------
// Percentiles.

TEST(PercentileTest, IsExactOnKnownSamples) {
  std::vector<int64_t> hundred(100);
  std::iota(hundred.begin(), hundred.end(), 1);  // 1..100
  EXPECT_EQ(Percentile(hundred, 50), 50);
  EXPECT_EQ(Percentile(hundred, 95), 95);
  EXPECT_EQ(Percentile(hundred, 99), 99);
  EXPECT_EQ(Percentile(hundred, 99.5), 100);
  EXPECT_EQ(Percentile(hundred, 100), 100);
  EXPECT_EQ(Percentile(hundred, 1), 1);
  EXPECT_EQ(Percentile(hundred, 0), 1);

  const std::vector<int64_t> four = {10, 20, 30, 40};
  EXPECT_EQ(Percentile(four, 25), 10);
  EXPECT_EQ(Percentile(four, 50), 20);
  EXPECT_EQ(Percentile(four, 51), 30);
  EXPECT_EQ(Percentile(four, 75), 30);
  EXPECT_EQ(Percentile(four, 76), 40);

  std::vector<int64_t> thousand(1000);
  std::iota(thousand.begin(), thousand.end(), 1);
  EXPECT_EQ(Percentile(thousand, 99), 990);
  EXPECT_EQ(Percentile(thousand, 99.9), 999);

  EXPECT_EQ(Percentile({7}, 50), 7);
  EXPECT_EQ(Percentile({7}, 99), 7);
  EXPECT_EQ(Percentile({}, 50), 0);
}

TEST(PercentileTest, SummarizeSortsFirst) {
  std::vector<int64_t> samples(200);
  std::iota(samples.begin(), samples.end(), 1);  // 1..200
  std::shuffle(samples.begin(), samples.end(), std::mt19937(7));
  const LatencySummary s = Summarize(samples);
  EXPECT_EQ(s.count, 200);
  EXPECT_EQ(s.p50_ns, 100);
  EXPECT_EQ(s.p95_ns, 190);
  EXPECT_EQ(s.p99_ns, 198);
  EXPECT_EQ(s.max_ns, 200);

  const LatencySummary empty = Summarize({});
  EXPECT_EQ(empty.count, 0);
  EXPECT_EQ(empty.max_ns, 0);
}

// ---------------------------------------------------------------------------------------------
// The engine against a server with a known delay: it measures right.

void ExpectMeasuresDelay(absl::Duration delay) {
  constexpr int kConcurrency = 4;
  constexpr int kCalls = 400;
  DelayCaseService service(delay, /*fail_every=*/0);
  TestServer server(&service);
  RunPlan plan;
  plan.concurrency = kConcurrency;
  plan.count = kCalls;
  RunResult raw;
  const LoadReport report = RunCases(server, "get", plan, &raw);

  EXPECT_EQ(report.operations, kCalls);
  EXPECT_EQ(report.requests, kCalls);
  EXPECT_EQ(report.failed, 0);
  EXPECT_EQ(service.get_calls(), kCalls);
  ASSERT_EQ(report.methods.size(), 1u);
  EXPECT_EQ(report.methods[0].method, "GetCase");

  // No call can take less than the delay, nor less than the server took to answer it.
  const std::vector<int64_t>& samples = raw.methods["GetCase"].latencies_ns;
  ASSERT_EQ(samples.size(), static_cast<size_t>(kCalls));
  EXPECT_GE(*std::min_element(samples.begin(), samples.end()), Ns(delay));
  EXPECT_GE(report.latency.p50_ns, service.handling().p50_ns);
  EXPECT_GE(report.latency.p99_ns, Ns(delay));
  EXPECT_GE(report.latency.max_ns, report.latency.p99_ns);
  // Nor can the latencies add up to more than the users' time: each user makes one call at a
  // time, so (closed loop) its calls fit in the elapsed time. Latencies timed from too early
  // (the run's start, the previous call) would not.
  const double total_latency_s = std::accumulate(samples.begin(), samples.end(), 0.0) / 1e9;
  EXPECT_LE(total_latency_s, kConcurrency * report.elapsed_seconds) << FormatText(report);

  // Closed loop: each user completes at most one call per delay, and per handling time the server
  // saw: throughput cannot be more than concurrency / that. How much less depends on the machine
  // (the round trip, the woken threads waiting for a core), so it has no lower bound here.
  const double nominal_rps = kConcurrency / absl::ToDoubleSeconds(delay);
  EXPECT_LE(report.throughput_rps, nominal_rps) << FormatText(report);
  const double served_rps = kConcurrency / absl::ToDoubleSeconds(service.mean_handling_time());
  EXPECT_LE(report.throughput_rps, served_rps)
      << FormatText(report) << "server's mean handling time "
      << absl::FormatDuration(service.mean_handling_time());
  // And throughput agrees with the latencies measured (Little's law: users / mean latency).
  const double mean_latency_s = total_latency_s / samples.size();
  EXPECT_NEAR(report.throughput_rps, kConcurrency / mean_latency_s,
              0.1 * kConcurrency / mean_latency_s);
}

TEST(LoadEngineTest, MeasuresKnownDelayOf20Ms) { ExpectMeasuresDelay(absl::Milliseconds(20)); }

TEST(LoadEngineTest, MeasuresKnownDelayOf5Ms) { ExpectMeasuresDelay(absl::Milliseconds(5)); }

TEST(LoadEngineTest, CountsErrorsByCode) {
  DelayCaseService service(absl::Milliseconds(1), /*fail_every=*/10);
  TestServer server(&service);
  RunPlan plan;
  plan.concurrency = 4;
  plan.count = 400;
  const LoadReport report = RunCases(server, "get", plan);

  EXPECT_EQ(report.requests, 400);
  EXPECT_EQ(report.failed, 40);
  EXPECT_EQ(report.ok, 360);
  EXPECT_EQ(report.errors, (std::map<std::string, int64_t>{{"UNAVAILABLE", 40}}));
  ASSERT_EQ(report.methods.size(), 1u);
  EXPECT_EQ(report.methods[0].failed, 40);
  EXPECT_NE(FormatText(report).find("UNAVAILABLE 40"), std::string::npos) << FormatText(report);
  EXPECT_NE(FormatJson(report).find("\"errors\":{\"UNAVAILABLE\":40}"), std::string::npos)
      << FormatJson(report);
}

TEST(LoadEngineTest, WarmupCallsAreNotRecorded) {
  DelayCaseService service(absl::Milliseconds(2), /*fail_every=*/0);
  TestServer server(&service);
  RunPlan plan;
  plan.concurrency = 2;
  plan.count = 50;
  plan.warmup = absl::Milliseconds(200);
  const LoadReport report = RunCases(server, "get", plan);

  EXPECT_EQ(report.requests, 50);
  EXPECT_GT(service.get_calls(), 50 + 40);  // ~2 users x 200 ms / 2 ms of warm-up calls on top
}

TEST(LoadEngineTest, DurationBoundsAClosedLoopRun) {
  DelayCaseService service(absl::Milliseconds(10), /*fail_every=*/0);
  TestServer server(&service);
  RunPlan plan;
  plan.concurrency = 2;
  plan.duration = absl::Milliseconds(500);
  const LoadReport report = RunCases(server, "get", plan);

  EXPECT_GE(report.elapsed_seconds, 0.5);
  // It stops starting calls at the end: a call takes at least 10 ms, so in 500 ms each of the 2
  // users starts at most 51 (and completes those it started).
  EXPECT_GT(report.requests, 0);
  EXPECT_LE(report.requests, 2 * 51);
  EXPECT_EQ(report.requests, service.get_calls());
}

// ---------------------------------------------------------------------------------------------
// Open loop.

TEST(OpenLoopTest, PacesCallsAtTheRate) {
  DelayCaseService service(absl::Milliseconds(2), /*fail_every=*/0);
  TestServer server(&service);
  RunPlan plan;
  plan.concurrency = 4;
  plan.rate = 100;
  plan.duration = absl::Seconds(1);
  const absl::Time before = absl::Now();
  const LoadReport report = RunCases(server, "get", plan);

  // 100 operations scheduled 10 ms apart, every one sent (4 users are never all busy for 2 ms).
  EXPECT_EQ(report.requests, 100);
  EXPECT_EQ(report.missed, 0);
  EXPECT_EQ(service.get_calls(), 100);
  // None is sent before its time: the last is due 990 ms after the first, so the run lasts at
  // least that long, and throughput is at most the rate (100 in 0.99 s).
  EXPECT_GE(report.elapsed_seconds, 0.99);
  EXPECT_LE(report.throughput_rps, 100 / 0.99);
  // Spread over the second as the server saw them, not sent in a burst: the last arrived at least
  // 990 ms after the run began.
  const std::vector<absl::Time> arrivals = service.arrivals();
  ASSERT_EQ(arrivals.size(), 100u);
  EXPECT_GE(*std::max_element(arrivals.begin(), arrivals.end()) - before, absl::Milliseconds(990));
}

TEST(OpenLoopTest, CountsQueueingFromTheScheduledTime) {
  // One user, 20 ms a call, 100 calls/s asked: call k is due at 10k ms but can only start at
  // 20k ms. Timed from its scheduled send time it took about 20 + 10k ms; timed from when it was
  // actually sent it would seem to take 20 ms (coordinated omission).
  DelayCaseService service(absl::Milliseconds(20), /*fail_every=*/0);
  TestServer server(&service);
  RunPlan plan;
  plan.concurrency = 1;
  plan.rate = 100;
  plan.count = 20;
  RunResult raw;
  const LoadReport report = RunCases(server, "get", plan, &raw);

  EXPECT_EQ(report.requests, 20);
  EXPECT_GE(report.latency.p50_ns, Ns(absl::Milliseconds(20 + 10 * 9)));
  EXPECT_GE(report.latency.max_ns, Ns(absl::Milliseconds(20 + 10 * 19)));
  // Timed from the scheduled time, not from before it: the last call, due 190 ms after the first,
  // took at most from then until the run's last completion.
  EXPECT_LE(report.latency.max_ns, Ns(raw.elapsed - absl::Milliseconds(190)));
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

TEST(MixScenarioTest, SendsValidRequestsAndRetriesAbortedOnceByRereading) {
  MemoryCaseService service(/*conflict_every=*/4);
  TestServer server(&service);
  RunPlan plan;
  plan.concurrency = 4;
  plan.count = 1000;
  RunResult raw;
  const LoadReport report = RunCases(server, "mix", plan, &raw);

  // Only conflicts fail: every request is valid and allowed.
  for (const auto& [code, n] : report.errors) EXPECT_EQ(code, "ABORTED") << n;
  const int64_t aborted = report.errors.count("ABORTED") ? report.errors.at("ABORTED") : 0;
  const int64_t retried = raw.events["aborted_retried"];
  const int64_t retry_ok = raw.events["aborted_retry_ok"];
  // A change is given up after the re-read when it no longer applies: here, a transition of a
  // case that another user of its post resolved meanwhile (this service never closes cases).
  const int64_t not_retried = raw.events["aborted_not_retried"];
  EXPECT_GT(retried, 10);
  EXPECT_GT(retry_ok, 0);
  // Each first ABORTED gets exactly one re-read, then one retry or none; an ABORTED retry gets
  // neither.
  const int64_t first_aborted = retried + not_retried;
  EXPECT_EQ(aborted, first_aborted + (retried - retry_ok));

  std::map<std::string, int64_t> calls;
  for (const MethodReport& m : report.methods) calls[m.method] = m.requests;
  const double ops = static_cast<double>(report.operations);
  EXPECT_EQ(report.operations, 1000);
  EXPECT_NEAR((calls["GetCase"] - first_aborted) / ops, 0.50, 0.06);
  EXPECT_NEAR(calls["ListCases"] / ops, 0.15, 0.05);
  EXPECT_NEAR((calls["UpdateCase"] + calls["TransitionCase"] - retried) / ops, 0.20, 0.05);
  EXPECT_NEAR(calls["AddCaseNote"] / ops, 0.10, 0.04);
  EXPECT_NEAR(calls["CreateCase"] / ops, 0.05, 0.04);
  EXPECT_EQ(service.notes(), calls["AddCaseNote"]);
  EXPECT_GT(service.updates(), 0);
  EXPECT_GT(service.transitions(), 0);
}

TEST(CreateScenarioTest, CreatesValidCasesOfBothTypes) {
  MemoryCaseService service(/*conflict_every=*/1000000);
  TestServer server(&service);
  RunPlan plan;
  plan.concurrency = 2;
  plan.count = 100;
  const LoadReport report = RunCases(server, "create", plan);
  EXPECT_EQ(report.requests, 100);
  EXPECT_EQ(report.failed, 0) << FormatText(report);
}

TEST(ListScenarioTest, ListsTheCallersPost) {
  MemoryCaseService service(/*conflict_every=*/1000000);
  TestServer server(&service);
  RunPlan plan;
  plan.concurrency = 2;
  plan.count = 50;
  const LoadReport report = RunCases(server, "list", plan);
  EXPECT_EQ(report.requests, 50);
  EXPECT_EQ(report.failed, 0) << FormatText(report);  // the fake insists on post and page size
}

TEST(StatsScenarioTest, AsksValidQuestionsAsPolicyStaff) {
  FakeStatisticsService service;
  TestServer server(&service);
  FakeTokens tokens;
  Connections connections;
  connections.stats = {server.channel()};
  connections.tokens = &tokens;
  absl::StatusOr<std::unique_ptr<Workload>> workload =
      MakeWorkload(Options("stats", 2), connections);
  ASSERT_TRUE(workload.ok()) << workload.status();
  RunPlan plan;
  plan.concurrency = 2;
  plan.count = 200;
  absl::StatusOr<RunResult> result = RunLoad(**workload, plan);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->TotalCalls(), 200);
  EXPECT_EQ(result->FailedCalls(), 0);
  EXPECT_GE(service.countries().size(), 4u);
  EXPECT_GE(service.years().size(), 3u);
}

TEST(ScenarioTest, SetupFailureAbortsTheRunWithTheCallsStatus) {
  DelayCaseService service(absl::ZeroDuration(), 0);
  TestServer server(&service);
  Connections connections;
  connections.cases = {server.channel()};
  class NoTokens final : public TokenSource {
   public:
    absl::StatusOr<std::string> TokenFor(const Caller&) override {
      return absl::InvalidArgumentError("no key");
    }
  } tokens;
  connections.tokens = &tokens;
  absl::StatusOr<std::unique_ptr<Workload>> workload = MakeWorkload(Options("get", 1), connections);
  ASSERT_TRUE(workload.ok());
  RunPlan plan;
  plan.count = 1;
  EXPECT_EQ(RunLoad(**workload, plan).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(service.get_calls(), 0);
}

TEST(ScenarioTest, RejectsUnknownScenarioAndMissingChannels) {
  FakeTokens tokens;
  Connections none;
  none.tokens = &tokens;
  EXPECT_EQ(MakeWorkload(Options("delete", 1), none).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeWorkload(Options("get", 1), none).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeWorkload(Options("stats", 1), none).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ScenarioTest, DevTokensCarryTheUsersIdentity) {
  const consular::testing::KeyPair keys = consular::testing::GenerateEcKeyPair();
  const std::string key_file =
      consular::testing::WriteTempFile("loadgen-key.pem", keys.private_pem);
  absl::StatusOr<std::unique_ptr<DevTokenSource>> source =
      DevTokenSource::FromKeyFile(key_file, "consular-dev", "consular", absl::Hours(1));
  ASSERT_TRUE(source.ok()) << source.status();
  absl::StatusOr<std::string> token =
      (*source)->TokenFor({v1::ROLE_CONSULAR_OFFICER, "RABAT", "loadgen-officer-rabat-0"});
  ASSERT_TRUE(token.ok()) << token.status();

  VerifierOptions options;
  options.public_key_pems = {keys.public_pem};
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = MakeJwtTokenVerifier(options);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<Identity> identity = (*verifier)->Verify(*token);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->role, v1::ROLE_CONSULAR_OFFICER);
  EXPECT_EQ(identity->post, "RABAT");
  EXPECT_EQ(identity->subject, "loadgen-officer-rabat-0");

  EXPECT_EQ(
      DevTokenSource::FromKeyFile("/nonexistent/key.pem", "i", "a", absl::Hours(1)).status().code(),
      absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Content, flags and the report.

TEST(CaseContentTest, RandomCasesPassTheServicesValidation) {
  Rng rng(1);
  const v1::Date today = consular::DateOf(absl::Now());
  std::map<v1::CaseType, int> types;
  for (int i = 0; i < 500; ++i) {
    const v1::Case c = RandomCase(rng, i % 2 == 0 ? "MA" : "TR", today);
    ASSERT_TRUE(cases::ValidateCaseContent(c, today).ok())
        << cases::ValidateCaseContent(c, today) << "\n"
        << c.DebugString();
    ++types[c.type()];
    v1::Case patch;
    google::protobuf::FieldMask mask;
    std::string reason;
    RandomUpdate(rng, c.type(), &patch, &mask, &reason);
    ASSERT_TRUE(cases::ValidateUpdateMask(mask, c.type()).ok()) << mask.DebugString();
    // A safety change always says why (CaseService refuses it otherwise).
    if (mask.paths(0).rfind("safety", 0) == 0) {
      EXPECT_FALSE(reason.empty());
    }
  }
  EXPECT_GT(types[v1::CASE_TYPE_ABANDONMENT], 200);
  EXPECT_GT(types[v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION], 100);
}

TEST(CaseContentTest, NotesFitTheCaseType) {
  Rng rng(3);
  std::set<std::string> seen[2];
  for (int i = 0; i < 400; ++i) {
    const bool divorce = i % 2 == 1;
    const std::string text = RandomNoteText(
        rng, divorce ? v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION : v1::CASE_TYPE_ABANDONMENT);
    seen[divorce].insert(text);
    EXPECT_FALSE(text.empty());
    EXPECT_LE(text.size(), 400u) << text;
    if (divorce) {
      EXPECT_EQ(text.find("shelter"), std::string::npos) << text;
      EXPECT_EQ(text.find("Shelter"), std::string::npos) << text;
      EXPECT_EQ(text.find("travel"), std::string::npos) << text;
    } else {
      EXPECT_EQ(text.find("divorce"), std::string::npos) << text;
      EXPECT_EQ(text.find("judgment"), std::string::npos) << text;
      EXPECT_EQ(text.find("hearing"), std::string::npos) << text;
    }
    // No sentence twice in one note.
    const std::vector<std::string> sentences = absl::StrSplit(text, ". ");
    const std::set<std::string> distinct(sentences.begin(), sentences.end());
    EXPECT_EQ(distinct.size(), sentences.size()) << text;
  }
  EXPECT_GT(seen[0].size(), 30u);
  EXPECT_GT(seen[1].size(), 30u);
}

TEST(CaseContentTest, OfficerTransitionsAreAllowedAndOutcomesFit) {
  Rng rng(2);
  for (int s = v1::CASE_STATUS_INTAKE; s <= v1::CASE_STATUS_CLOSED; ++s) {
    const auto from = static_cast<v1::CaseStatus>(s);
    for (int i = 0; i < 20; ++i) {
      const v1::CaseStatus to = OfficerTransitionTarget(rng, from);
      if (from == v1::CASE_STATUS_RESOLVED || from == v1::CASE_STATUS_CLOSED) {
        EXPECT_EQ(to, v1::CASE_STATUS_UNSPECIFIED);
      } else {
        EXPECT_TRUE(cases::IsAllowedTransition(from, to)) << from << " -> " << to;
        EXPECT_NE(to, v1::CASE_STATUS_CLOSED);
      }
    }
  }
  // RETURNED_TO_NL only for a case known to have a return date.
  std::set<v1::Outcome> abandonment_outcomes;
  for (int i = 0; i < 200; ++i) {
    for (const bool returned : {false, true}) {
      v1::Case c;
      c.set_type(v1::CASE_TYPE_ABANDONMENT);
      if (returned) {
        v1::Date* on = c.mutable_abandonment()->mutable_returned_on();
        on->set_year(2026);
        on->set_month(3);
        on->set_day(1);
      }
      const v1::Outcome outcome = RandomOutcome(rng, v1::CASE_TYPE_ABANDONMENT,
                                                v1::RECOGNITION_DECISION_UNSPECIFIED, true, returned);
      EXPECT_TRUE(cases::IsOutcomeValidFor(v1::CASE_TYPE_ABANDONMENT, outcome));
      EXPECT_TRUE(cases::CheckOutcomeAgreesWithCase(c, outcome).ok()) << outcome;
      if (returned) abandonment_outcomes.insert(outcome);
      EXPECT_NE(RandomOutcome(rng, v1::CASE_TYPE_ABANDONMENT, v1::RECOGNITION_DECISION_UNSPECIFIED,
                              false, true),
                v1::OUTCOME_RETURNED_TO_NL);
    }
  }
  EXPECT_EQ(abandonment_outcomes.count(v1::OUTCOME_RETURNED_TO_NL), 1u);
  // A divorce case's outcome agrees with its foreign decision, and is neither RECOGNISED nor
  // REFUSED while the decision is not known.
  for (const auto decision : {v1::RECOGNITION_DECISION_UNSPECIFIED, v1::RECOGNITION_DECISION_GRANTED,
                              v1::RECOGNITION_DECISION_REFUSED}) {
    v1::Case c;
    c.set_type(v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
    c.mutable_divorce_recognition()->set_decision(decision);
    std::set<v1::Outcome> seen;
    for (int i = 0; i < 200; ++i) {
      const v1::Outcome known = RandomOutcome(rng, c.type(), decision, true, false);
      EXPECT_TRUE(cases::IsOutcomeValidFor(c.type(), known));
      EXPECT_TRUE(cases::CheckOutcomeAgreesWithCase(c, known).ok()) << known;
      seen.insert(known);
      const v1::Outcome unknown = RandomOutcome(rng, c.type(), decision, false, false);
      EXPECT_NE(unknown, v1::OUTCOME_RECOGNISED);
      EXPECT_NE(unknown, v1::OUTCOME_REFUSED);
    }
    EXPECT_EQ(seen.count(v1::OUTCOME_RECOGNISED), decision == v1::RECOGNITION_DECISION_REFUSED ? 0u : 1u);
    EXPECT_EQ(seen.count(v1::OUTCOME_REFUSED), decision == v1::RECOGNITION_DECISION_GRANTED ? 0u : 1u);
  }
}

TEST(FlagsTest, RunIdsAreSixteenHexDigitsAndDiffer) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewRunId();
    EXPECT_EQ(id.size(), 16u) << id;
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST(FlagsTest, ParsesDurations) {
  EXPECT_EQ(*ParseDurationFlag("--duration", "30s"), absl::Seconds(30));
  EXPECT_EQ(*ParseDurationFlag("--duration", "500ms"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseDurationFlag("--duration", "2m"), absl::Minutes(2));
  EXPECT_EQ(*ParseDurationFlag("--duration", "1.5"), absl::Milliseconds(1500));
  EXPECT_EQ(*ParseDurationFlag("--warmup", "0s"), absl::ZeroDuration());
  const absl::Status bad = ParseDurationFlag("--duration", "soon").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("--duration"), absl::string_view::npos);
  EXPECT_FALSE(ParseDurationFlag("--duration", "-5s").ok());
  EXPECT_FALSE(ParseDurationFlag("--duration", "").ok());
  EXPECT_FALSE(ParseDurationFlag("--duration", "inf").ok());
}

TEST(FlagsTest, ParsesCountryWeights) {
  absl::StatusOr<std::vector<CountryWeight>> weights = ParseCountryWeights("MA=3, tr=1.5,EG");
  ASSERT_TRUE(weights.ok()) << weights.status();
  ASSERT_EQ(weights->size(), 3u);
  EXPECT_EQ((*weights)[0].country, "MA");
  EXPECT_EQ((*weights)[0].weight, 3);
  EXPECT_EQ((*weights)[1].country, "TR");
  EXPECT_EQ((*weights)[1].weight, 1.5);
  EXPECT_EQ((*weights)[2].weight, 1);
  EXPECT_FALSE(ParseCountryWeights("XX=1").ok());
  EXPECT_FALSE(ParseCountryWeights("NL=1").ok());
  EXPECT_FALSE(ParseCountryWeights("MA=1,MA=2").ok());
  EXPECT_FALSE(ParseCountryWeights("MA=0").ok());
  EXPECT_FALSE(ParseCountryWeights("MA=lots").ok());
  EXPECT_FALSE(ParseCountryWeights("").ok());
  EXPECT_EQ(PostFor("MA"), "RABAT");
  EXPECT_EQ(PostFor("BR"), "POST-BR");
  EXPECT_TRUE(consular::IsValidPostCode(PostFor("BR")));
}

TEST(ReportTest, PrintsOneJsonObjectWithEveryFigure) {
  RunResult result;
  result.methods["GetCase"].latencies_ns = {1'000'000, 2'000'000, 3'000'000, 4'000'000};
  result.methods["GetCase"].failures[grpc::StatusCode::DEADLINE_EXCEEDED] = 1;
  result.methods["ListCases"].latencies_ns = {10'000'000};
  result.events["aborted_retried"] = 2;
  result.operations = 5;
  result.elapsed = absl::Milliseconds(500);
  const LoadReport report = BuildReport(result, {"mix", 8, 0, absl::Seconds(5), 7});

  EXPECT_EQ(report.requests, 5);
  EXPECT_EQ(report.failed, 1);
  EXPECT_DOUBLE_EQ(report.throughput_rps, 10);
  EXPECT_EQ(report.latency.p50_ns, 3'000'000);
  EXPECT_EQ(report.latency.max_ns, 10'000'000);
  EXPECT_EQ(FormatJson(report),
            "{\"scenario\":\"mix\",\"concurrency\":8,\"rate\":0,\"warmup_s\":5,\"seed\":7,"
            "\"elapsed_s\":0.5,\"operations\":5,\"requests\":5,\"ok\":4,\"failed\":1,"
            "\"throughput_rps\":10,\"latency_ms\":{\"p50\":3,\"p95\":10,\"p99\":10,\"max\":10},"
            "\"errors\":{\"DEADLINE_EXCEEDED\":1},\"methods\":{\"GetCase\":{\"requests\":4,"
            "\"failed\":1,\"latency_ms\":{\"p50\":2,\"p95\":4,\"p99\":4,\"max\":4}},"
            "\"ListCases\":{\"requests\":1,\"failed\":0,\"latency_ms\":{\"p50\":10,\"p95\":10,"
            "\"p99\":10,\"max\":10}}},\"events\":{\"aborted_retried\":2},\"missed\":0,"
            "\"cancelled\":false}\n");
  const std::string text = FormatText(report);
  EXPECT_NE(text.find("throughput    10.0 req/s"), std::string::npos) << text;
  EXPECT_NE(text.find("p50 3.00  p95 10.00  p99 10.00  max 10.00"), std::string::npos) << text;
  EXPECT_NE(text.find("DEADLINE_EXCEEDED 1"), std::string::npos) << text;
}

TEST(PlanTest, RejectsImpossiblePlans) {
  RunPlan plan;
  plan.concurrency = 0;
  EXPECT_FALSE(ValidatePlan(plan).ok());
  plan = RunPlan();
  plan.duration = absl::ZeroDuration();
  EXPECT_FALSE(ValidatePlan(plan).ok());
  plan.count = 10;
  EXPECT_TRUE(ValidatePlan(plan).ok());
  plan.rate = -1;
  EXPECT_FALSE(ValidatePlan(plan).ok());
}

}  // namespace
}  // namespace consular::loadgen

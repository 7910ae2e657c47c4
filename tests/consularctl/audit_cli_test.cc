// consularctl audit verify against an in-process fake AuditService on a free port (plaintext):
// whether it asks for a full verification, and what a user sees of what was verified.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "consular/v1/audit.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

#ifndef CONSULARCTL_PATH
#error "CONSULARCTL_PATH must name the consularctl binary"
#endif

namespace consular::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kToken[] = "test-token-0123456789";

// Records the last request; answers with the response set by the test.
class FakeAuditService final : public consular::v1::AuditService::Service {
 public:
  grpc::Status VerifyChain(grpc::ServerContext*, const consular::v1::VerifyChainRequest* request,
                           consular::v1::VerifyChainResponse* out) override {
    absl::MutexLock lock(&mu_);
    request_ = *request;
    ++calls_;
    *out = response_;
    return grpc::Status::OK;
  }

  void Answer(const consular::v1::VerifyChainResponse& response) {
    absl::MutexLock lock(&mu_);
    response_ = response;
  }
  consular::v1::VerifyChainRequest request() {
    absl::MutexLock lock(&mu_);
    return request_;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  consular::v1::VerifyChainRequest request_ ABSL_GUARDED_BY(mu_);
  consular::v1::VerifyChainResponse response_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Runs consularctl with `args`, without CONSULAR_* variables from the environment.
Result RunCtl(const std::vector<std::string>& args) {
  static int run = 0;
  const std::string base =
      absl::StrCat(::testing::TempDir(), "/consularctl_audit_", getpid(), "_", ++run);
  std::vector<std::string> words = {"env",
                                    "-u",
                                    "CONSULAR_AUDIT_ADDR",
                                    "-u",
                                    "CONSULAR_TOKEN",
                                    "-u",
                                    "CONSULAR_ACCESS_PURPOSE",
                                    CONSULARCTL_PATH};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<std::string> quoted;
  for (const std::string& word : words) {
    quoted.push_back(absl::StrCat("'", absl::StrReplaceAll(word, {{"'", "'\\''"}}), "'"));
  }
  const std::string command =
      absl::StrCat(absl::StrJoin(quoted, " "), " >'", base, ".out' 2>'", base, ".err' </dev/null");
  const int status = std::system(command.c_str());
  Result result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(base + ".out");
  result.err = ReadFile(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return result;
}

consular::v1::VerifyChainResponse Intact(bool full, int64_t from, int64_t head) {
  consular::v1::VerifyChainResponse v;
  v.set_ok(true);
  v.set_full(full);
  v.set_verified_from_seq(from);
  v.set_watermark(head);
  v.set_events_checked(head - from + 1);
  v.set_pending(2);
  v.set_verified_watermark(head);
  v.set_head_hash(std::string(64, 'a'));
  return v;
}

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { server_->Shutdown(); }

  Result Run(std::vector<std::string> args) {
    args.insert(args.end(), {"--audit-addr", absl::StrCat("127.0.0.1:", port_), "--insecure",
                             "--token", kToken});
    return RunCtl(args);
  }

  FakeAuditService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(AuditCliTest, VerifyIsIncrementalAndSaysFromWhere) {
  service_.Answer(Intact(/*full=*/false, 1001, 1042));
  const Result r = Run({"audit", "verify"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(service_.request().full());
  EXPECT_THAT(r.out, StartsWith("chain valid up to seq 1042 (42 events checked, 2 pending)\n"));
  EXPECT_THAT(r.out, HasSubstr("verified seq 1001 to 1042 after the verified watermark at seq "
                               "1000 (checked against its stored hash); verified watermark now "
                               "at seq 1042\n"));
  EXPECT_THAT(r.out, HasSubstr("last full verification: never (audit verify --full)"));

  // Nothing chained since the last verification.
  consular::v1::VerifyChainResponse idle = Intact(false, 1043, 1042);
  idle.set_events_checked(0);
  service_.Answer(idle);
  const Result again = Run({"audit", "verify"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("nothing new after the verified watermark at seq 1042"));
}

TEST_F(AuditCliTest, VerifyFullAsksForTheWholeChain) {
  consular::v1::VerifyChainResponse full = Intact(/*full=*/true, 1, 1042);
  full.mutable_last_full_verification()->set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  service_.Answer(full);
  const Result r = Run({"audit", "verify", "--full"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(service_.request().full());
  EXPECT_THAT(r.out, StartsWith("chain valid up to seq 1042 (1042 events checked, 2 pending)\n"));
  EXPECT_THAT(r.out, HasSubstr("verified seq 1 to 1042 in full; verified watermark now at seq "
                               "1042\n"));
  EXPECT_THAT(r.out, HasSubstr("last full verification: 2026-01-01"));

  const Result json = Run({"audit", "verify", "--full", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"full\": true"));
  EXPECT_THAT(json.out, HasSubstr("\"verifiedFromSeq\": \"1\""));
}

TEST_F(AuditCliTest, ABrokenChainExitsOneAndSaysTheWatermarkStays) {
  consular::v1::VerifyChainResponse broken;
  broken.set_ok(false);
  broken.set_verified_from_seq(11);
  broken.set_watermark(20);
  broken.set_events_checked(3);
  broken.set_first_broken_seq(14);
  broken.set_first_broken_event_id(17);
  broken.set_reason("event 17 (seq 14) does not match its hash");
  broken.set_verified_watermark(10);
  service_.Answer(broken);
  const Result r = Run({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("chain BROKEN at seq 14 (event id 17): event 17 (seq 14) does "
                                "not match its hash\n"));
  EXPECT_THAT(r.out, HasSubstr("verification from the verified watermark at seq 10; the "
                               "verified watermark stays at seq 10"));
}

TEST_F(AuditCliTest, FullTakesNoValue) {
  const Result r = Run({"audit", "verify", "--full=maybe"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--full"));
  EXPECT_EQ(service_.calls(), 0);
}

}  // namespace
}  // namespace consular::ctl

// consularctl retention ... and hold ... against an in-process fake RecordsService on a free port
// (plaintext): what the command line turns into requests, what a user sees, and the usage errors
// caught before any call.
#include <sys/wait.h>
#include <unistd.h>

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
#include "consular/v1/records.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

#ifndef CONSULARCTL_PATH
#error "CONSULARCTL_PATH must name the consularctl binary"
#endif

namespace consular::ctl {
namespace {

using ::testing::HasSubstr;

constexpr char kToken[] = "test-token-0123456789";

// Records the last request of each kind; answers with a list VL-2026-1 holding one item.
class FakeRecordsService final : public consular::v1::RecordsService::Service {
 public:
  grpc::Status SetRetentionSchedule(grpc::ServerContext*,
                                    const consular::v1::SetRetentionScheduleRequest* request,
                                    consular::v1::RetentionSchedule* out) override {
    absl::MutexLock lock(&mu_);
    set_ = *request;
    out->set_case_type(request->case_type());
    out->set_outcome(request->outcome());
    out->set_retention_years(request->retention_years());
    out->set_version(2);
    return grpc::Status::OK;
  }
  grpc::Status ReviewDestructionItems(grpc::ServerContext*,
                                      const consular::v1::ReviewDestructionItemsRequest* request,
                                      consular::v1::DestructionList* out) override {
    absl::MutexLock lock(&mu_);
    review_ = *request;
    *out = List();
    return grpc::Status::OK;
  }
  grpc::Status ProcessDestructionList(grpc::ServerContext*,
                                      const consular::v1::ProcessDestructionListRequest* request,
                                      consular::v1::DestructionList* out) override {
    absl::MutexLock lock(&mu_);
    process_ = *request;
    *out = List();
    out->set_state(consular::v1::DESTRUCTION_LIST_STATE_PROCESSED);
    out->mutable_items(0)->set_result(consular::v1::DESTRUCTION_RESULT_ANONYMISED);
    return grpc::Status::OK;
  }
  grpc::Status PlaceLegalHold(grpc::ServerContext*,
                              const consular::v1::PlaceLegalHoldRequest* request,
                              consular::v1::LegalHold* out) override {
    absl::MutexLock lock(&mu_);
    place_ = *request;
    out->set_case_reference("ABN-2026-00001");
    out->set_handling_unit("RABAT");
    out->set_reason(request->reason());
    out->set_active(true);
    return grpc::Status::OK;
  }

  consular::v1::SetRetentionScheduleRequest set() {
    absl::MutexLock lock(&mu_);
    return set_;
  }
  consular::v1::ReviewDestructionItemsRequest review() {
    absl::MutexLock lock(&mu_);
    return review_;
  }
  consular::v1::ProcessDestructionListRequest process() {
    absl::MutexLock lock(&mu_);
    return process_;
  }
  consular::v1::PlaceLegalHoldRequest place() {
    absl::MutexLock lock(&mu_);
    return place_;
  }

 private:
  static consular::v1::DestructionList List() {
    consular::v1::DestructionList l;
    l.set_number("VL-2026-1");
    l.set_state(consular::v1::DESTRUCTION_LIST_STATE_OPEN);
    l.set_item_count(1);
    consular::v1::DestructionItem* item = l.add_items();
    item->set_case_reference("ABN-2026-00001");
    item->set_case_type(consular::v1::CASE_TYPE_ABANDONMENT);
    item->set_handling_unit("RABAT");
    return l;
  }

  absl::Mutex mu_;
  consular::v1::SetRetentionScheduleRequest set_ ABSL_GUARDED_BY(mu_);
  consular::v1::ReviewDestructionItemsRequest review_ ABSL_GUARDED_BY(mu_);
  consular::v1::ProcessDestructionListRequest process_ ABSL_GUARDED_BY(mu_);
  consular::v1::PlaceLegalHoldRequest place_ ABSL_GUARDED_BY(mu_);
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
      absl::StrCat(::testing::TempDir(), "/consularctl_records_", getpid(), "_", ++run);
  std::vector<std::string> words = {"env",           "-u", "CONSULAR_ADDR", "-u", "CONSULAR_TOKEN",
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

class RecordsCliTest : public ::testing::Test {
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
    args.insert(args.end(),
                {"--addr", absl::StrCat("127.0.0.1:", port_), "--insecure", "--token", kToken});
    return RunCtl(args);
  }

  FakeRecordsService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(RecordsCliTest, SetScheduleSendsTypeOutcomeYearsAndReason) {
  const Result r = Run({"retention", "set-schedule", "--type", "abandonment", "--outcome",
                        "returned-to-nl", "--years", "0", "--reason", "Selection list 2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const consular::v1::SetRetentionScheduleRequest sent = service_.set();
  EXPECT_EQ(sent.case_type(), consular::v1::CASE_TYPE_ABANDONMENT);
  EXPECT_EQ(sent.outcome(), consular::v1::OUTCOME_RETURNED_TO_NL);
  EXPECT_EQ(sent.retention_years(), 0);
  EXPECT_EQ(sent.reason(), "Selection list 2026");
  EXPECT_FALSE(sent.request_id().empty());
  EXPECT_THAT(r.out, HasSubstr("0 year(s) after closing (version 2)"));
}

TEST_F(RecordsCliTest, ReviewSendsOneDecisionPerCaseWithTheReason) {
  const Result r = Run({"retention", "review", "VL-2026-1", "--approve", "ABN-2026-00001",
                        "--approve", "ABN-2026-00002", "--exclude", "DIV-2026-00003", "--reason",
                        "Checked by the post", "--request-id", "rv-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const consular::v1::ReviewDestructionItemsRequest sent = service_.review();
  EXPECT_EQ(sent.list(), "VL-2026-1");
  EXPECT_EQ(sent.request_id(), "rv-1");
  ASSERT_EQ(sent.decisions_size(), 3);
  EXPECT_EQ(sent.decisions(0).case_id(), "ABN-2026-00001");
  EXPECT_EQ(sent.decisions(0).decision(), consular::v1::REVIEW_DECISION_APPROVE);
  EXPECT_EQ(sent.decisions(2).case_id(), "DIV-2026-00003");
  EXPECT_EQ(sent.decisions(2).decision(), consular::v1::REVIEW_DECISION_EXCLUDE);
  EXPECT_EQ(sent.decisions(1).reason(), "Checked by the post");
  EXPECT_THAT(r.out, HasSubstr("VL-2026-1"));
}

TEST_F(RecordsCliTest, ProcessAndHoldPrintWhatHappened) {
  Result r = Run({"retention", "process", "VL-2026-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.process().list(), "VL-2026-1");
  EXPECT_THAT(r.out, HasSubstr("PROCESSED"));
  EXPECT_THAT(r.out, HasSubstr("ANONYMISED"));
  r = Run({"hold", "place", "ABN-2026-00001", "--reason", "Court case pending"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.place().case_id(), "ABN-2026-00001");
  EXPECT_EQ(service_.place().reason(), "Court case pending");
  EXPECT_THAT(r.out, HasSubstr("HELD  ABN-2026-00001  RABAT"));
}

TEST_F(RecordsCliTest, UsageErrorsNameTheFlagAndCallNothing) {
  struct Usage {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Usage& u : std::vector<Usage>{
           {{"retention", "set-schedule", "--type", "abandonment", "--years", "101", "--reason",
             "Too long a time"},
            "--years"},
           {{"retention", "set-schedule", "--type", "burglary", "--years", "1", "--reason",
             "Not a case type"},
            "--type"},
           {{"retention", "set-schedule", "--type", "abandonment", "--reason", "No years given"},
            "--years"},
           {{"retention", "propose", "--cut-off", "2026-13-01"}, "--cut-off"},
           {{"retention", "review", "VL-2026-1", "--reason", "Nothing decided"}, "--approve"},
           {{"retention", "review", "VL-2026-1", "--approve", "ABN-2026-00001"}, "--reason"},
           {{"hold", "place", "ABN-2026-00001"}, "--reason"},
           {{"hold", "lift"}, "HOLD"},
       }) {
    const Result r = Run(u.args);
    EXPECT_EQ(r.exit_code, 2) << absl::StrJoin(u.args, " ") << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(u.says)) << absl::StrJoin(u.args, " ");
  }
  EXPECT_EQ(service_.set().request_id(), "");
  EXPECT_EQ(service_.review().request_id(), "");
  EXPECT_EQ(service_.place().request_id(), "");
}

}  // namespace
}  // namespace consular::ctl

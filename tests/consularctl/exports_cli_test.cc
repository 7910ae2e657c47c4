// consularctl sar and export against an in-process fake ExportService on a free port (plaintext):
// what the server receives (the password from a file, never the command line) and what the user
// gets (files written where asked, usage errors).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "consular/v1/exports.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

#ifndef CONSULARCTL_PATH
#error "CONSULARCTL_PATH must name the consularctl binary"
#endif

namespace consular::ctl {
namespace {

constexpr char kExportId[] = "0b7c2a8e-1111-4222-8333-444455556666";
constexpr char kPassword[] = "a long enough password, 31 chars";
const std::string kFileBytes("PK\x03\x04 encrypted bytes \x00\x01\x02", 25);

class FakeExportService final : public consular::v1::ExportService::Service {
 public:
  grpc::Status AnswerExport(grpc::ServerContext*, const consular::v1::AnswerExportRequest* request,
                            consular::v1::Export* response) override {
    absl::MutexLock lock(&mu_);
    answers_.push_back(*request);
    response->set_id(request->export_id());
    response->set_state(consular::v1::EXPORT_STATE_APPROVED);
    response->set_protection(consular::v1::EXPORT_PROTECTION_PASSWORD);
    return grpc::Status::OK;
  }
  grpc::Status DownloadExport(grpc::ServerContext*,
                              const consular::v1::DownloadExportRequest* request,
                              consular::v1::ExportFile* response) override {
    absl::MutexLock lock(&mu_);
    downloads_.push_back(*request);
    response->mutable_export_()->set_id(request->export_id());
    response->mutable_export_()->set_downloads_left(1);
    response->set_file_name("export-0b7c2a8e.zip");
    response->set_media_type("application/zip");
    response->set_content(kFileBytes);
    return grpc::Status::OK;
  }
  grpc::Status GetSubjectAccessExport(grpc::ServerContext*,
                                      const consular::v1::GetSubjectAccessExportRequest* request,
                                      consular::v1::SubjectAccessFiles* response) override {
    response->mutable_request()->set_id(request->subject_access_id());
    response->set_file_stem("subject-access-ABN-2026-00042");
    response->set_html("<!DOCTYPE html><title>x</title>");
    response->set_json("{\"case_reference\": \"ABN-2026-00042\"}");
    return grpc::Status::OK;
  }

  std::vector<consular::v1::AnswerExportRequest> answers() {
    absl::MutexLock lock(&mu_);
    return answers_;
  }
  std::vector<consular::v1::DownloadExportRequest> downloads() {
    absl::MutexLock lock(&mu_);
    return downloads_;
  }

 private:
  absl::Mutex mu_;
  std::vector<consular::v1::AnswerExportRequest> answers_ ABSL_GUARDED_BY(mu_);
  std::vector<consular::v1::DownloadExportRequest> downloads_ ABSL_GUARDED_BY(mu_);
};

std::string ShellQuote(const std::string& arg) {
  return absl::StrCat("'", absl::StrReplaceAll(arg, {{"'", "'\\''"}}), "'");
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class ExportsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    dir_ = absl::StrCat(::testing::TempDir(), "/exports_cli_", getpid(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    server_->Shutdown();
    std::filesystem::remove_all(dir_);
  }

  // Runs consularctl without a controlling terminal (setsid) and with stdin closed, so that
  // nothing can be typed: a password must come from a file.
  Result Ctl(const std::vector<std::string>& args) {
    std::vector<std::string> words = {
        "setsid",     "-w",      CONSULARCTL_PATH, "--addr", absl::StrCat("127.0.0.1:", port_),
        "--insecure", "--token", "test-token"};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<std::string> quoted;
    for (const std::string& word : words) quoted.push_back(ShellQuote(word));
    const std::string out = dir_ + "/stdout";
    const std::string err = dir_ + "/stderr";
    const int status = std::system(absl::StrCat(absl::StrJoin(quoted, " "), " >", ShellQuote(out),
                                                " 2>", ShellQuote(err), " </dev/null")
                                       .c_str());
    Result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  FakeExportService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string dir_;
};

TEST_F(ExportsCliTest, ThePasswordComesFromItsFileAndIsNeverPrinted) {
  const std::string password_file = dir_ + "/password";
  std::ofstream(password_file) << kPassword << "\n";
  const Result r = Ctl({"export", "answer", kExportId, "--approve", "--password-file",
                        password_file, "--days", "3", "--downloads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<consular::v1::AnswerExportRequest> answers = service_.answers();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].password(), kPassword);
  EXPECT_EQ(answers[0].decision(), consular::v1::EXPORT_DECISION_APPROVE);
  EXPECT_EQ(answers[0].expiry_days(), 3);
  EXPECT_EQ(answers[0].downloads_allowed(), 2);
  EXPECT_FALSE(answers[0].request_id().empty());
  EXPECT_EQ(r.out.find(kPassword), std::string::npos);
  EXPECT_EQ(r.err.find(kPassword), std::string::npos);
}

TEST_F(ExportsCliTest, WithoutAPasswordFileOrATerminalNothingIsSent) {
  Result r = Ctl({"export", "answer", kExportId, "--approve", "--days", "3", "--downloads", "2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--password-file"), std::string::npos) << r.err;
  const std::string two_lines = dir_ + "/two-lines";
  std::ofstream(two_lines) << "first line\nsecond line\n";
  r = Ctl({"export", "answer", kExportId, "--approve", "--password-file", two_lines, "--days", "3",
           "--downloads", "2"});
  EXPECT_EQ(r.exit_code, 2);
  // There is no option that takes the password itself.
  r = Ctl({"export", "answer", kExportId, "--approve", "--password", kPassword});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(service_.answers().empty());
}

TEST_F(ExportsCliTest, DownloadWritesTheFileForItsOwnerOnlyAndNeverOverwrites) {
  const std::string out = dir_ + "/export.zip";
  Result r = Ctl({"export", "download", kExportId, "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(out), kFileBytes);
  struct stat st;
  ASSERT_EQ(stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(r.out.find("1 download(s) left"), std::string::npos) << r.out;
  // Each download is a new request id: a repeated command is a new, counted download.
  r = Ctl({"export", "download", kExportId, "--out", dir_ + "/again.zip"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<consular::v1::DownloadExportRequest> downloads = service_.downloads();
  ASSERT_EQ(downloads.size(), 2u);
  EXPECT_NE(downloads[0].request_id(), downloads[1].request_id());
  // An existing file is left alone, and nothing is downloaded for it.
  r = Ctl({"export", "download", kExportId, "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(service_.downloads().size(), 2u);
}

TEST_F(ExportsCliTest, SarGetWritesTheHtmlAndTheJson) {
  const Result r = Ctl({"sar", "get", kExportId, "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(dir_ + "/subject-access-ABN-2026-00042.html"),
            "<!DOCTYPE html><title>x</title>");
  EXPECT_EQ(ReadFile(dir_ + "/subject-access-ABN-2026-00042.json"),
            "{\"case_reference\": \"ABN-2026-00042\"}");
  EXPECT_EQ(Ctl({"sar", "get", kExportId, "--out", dir_ + "/missing"}).exit_code, 2);
}

}  // namespace
}  // namespace consular::ctl

// In-process tests of RunServer, ProtoService and the TLS helpers, on port 0.

#include "services/common/server.h"

#include <arpa/inet.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "echo_test.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "base/log.h"
#include "nlohmann/json.hpp"
#include "services/common/call_log.h"
#include "services/common/proto_service.h"
#include "services/common/tls.h"
#include "services/common/token.h"
#include "services/common/unary_call.h"
#include "services/common/worker_pool.h"
#include "tests/common/test_crypto.h"

namespace consular {
namespace {

using consular::test::EchoRequest;
using consular::test::EchoResponse;
using consular::test::EchoTest;
using consular::testing::Certificate;
using consular::testing::GenerateEcKeyPair;
using consular::testing::KeyPair;
using consular::testing::MakeCa;
using consular::testing::MakeLeaf;
using consular::testing::WriteTempFile;
using ::testing::HasSubstr;
using ::testing::Not;

class EchoService final : public ProtoService {
 public:
  explicit EchoService(CallEnvironment env) : ProtoService(EchoTest::service_full_name(), env) {
    Route(this, &EchoService::Handle);
  }

  // Lets handlers waiting for release go on (idempotent).
  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  std::atomic<int>& waiting() { return waiting_; }
  std::atomic<int>& handled() { return handled_; }

 private:
  absl::Status Handle(const Identity& who, const EchoRequest& req, absl::Time deadline,
                      EchoResponse* resp) {
    ++handled_;
    if (req.wait_for_release()) {
      ++waiting_;
      release_.WaitForNotification();
    }
    if (req.throw_exception()) throw std::runtime_error("secret internal detail");
    if (req.fail()) return absl::FailedPreconditionError("asked to fail");
    resp->set_text(req.text());
    resp->set_subject(who.subject);
    resp->set_role(RoleName(who.role));
    resp->set_post(who.post);
    resp->set_had_deadline(deadline != absl::InfiniteFuture());
    if (resp->had_deadline()) {
      resp->set_deadline_seconds_left(absl::ToDoubleSeconds(deadline - absl::Now()));
    }
    return absl::OkStatus();
  }

  absl::Notification release_;
  std::atomic<int> waiting_{0};
  std::atomic<int> handled_{0};
};

bool WaitUntil(const std::function<bool()>& condition) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!condition()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

// Runs RunServer on a thread, as main() would, and stops it with SIGTERM.
class RunningServer {
 public:
  RunningServer(ServerOptions options, std::vector<grpc::Service*> services) {
    std::promise<int> port;
    std::future<int> port_future = port.get_future();
    thread_ = std::thread([this, options, services, &port] {
      bool called = false;
      status_ = RunServer(options, services, [&port, &called](int bound) {
        called = true;
        port.set_value(bound);
      });
      if (!called) port.set_value(0);
    });
    port_ = port_future.get();
    started_ = port_ != 0;
    if (!started_) thread_.join();
  }

  // Sends SIGTERM to the process and waits for RunServer to return.
  absl::Status Stop() {
    if (thread_.joinable()) {
      ::kill(::getpid(), SIGTERM);
      thread_.join();
    }
    return status_;
  }

  ~RunningServer() { Stop().IgnoreError(); }

  int port() const { return port_; }
  bool started() const { return started_; }
  absl::Status status() const { return status_; }

 private:
  std::thread thread_;
  bool started_ = false;
  int port_ = 0;
  absl::Status status_;
};

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() : pool_(/*threads=*/1, /*queue_limit=*/1) {
    keys_ = GenerateEcKeyPair();
    VerifierOptions options;
    options.public_key_pems = {keys_.public_pem};
    verifier_ = MakeJwtTokenVerifier(options).value();
    service_ = std::make_unique<EchoService>(CallEnvironment{&pool_, verifier_.get()});
  }

  ~ServerTest() override {
    service_->Release();
    server_.reset();
    pool_.Shutdown();
  }

  void StartInsecure() {
    ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.insecure = true;
    options.shutdown_grace = absl::Seconds(5);
    server_ = std::make_unique<RunningServer>(options, std::vector<grpc::Service*>{service_.get()});
    ASSERT_TRUE(server_->started()) << server_->status();
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = EchoTest::NewStub(channel_);
  }

  std::string Token(v1::Role role = v1::ROLE_CONSULAR_OFFICER, const std::string& post = "RABAT") {
    TokenClaims claims;
    claims.subject = "officer-7";
    claims.role = role;
    claims.post = post;
    return MintToken(keys_.private_pem, claims).value();
  }

  grpc::Status Call(const EchoRequest& request, EchoResponse* response, const std::string& token,
                    absl::Duration timeout = absl::Seconds(10)) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    return stub_->Echo(&context, request, response);
  }

  // The status of the server's overall health ("" service) via the generic
  // stub, so that the test needs no generated health stubs. SERVING is encoded
  // as the bytes 08 01.
  std::string HealthBytes(grpc::Status* status) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    grpc::Slice empty("");  // HealthCheckRequest{service: ""} encodes to no bytes
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                   &response, [&done](grpc::Status s) { done.set_value(s); });
    *status = done.get_future().get();
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (status->ok() && response.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    return bytes;
  }

  KeyPair keys_;
  std::unique_ptr<TokenVerifier> verifier_;
  WorkerPool pool_;
  std::unique_ptr<EchoService> service_;
  std::unique_ptr<RunningServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<EchoTest::Stub> stub_;
};

// Handlers of the right shape for the echo service (`Echo`) and of wrong ones: `Reply` answers
// EchoRequest, `Backwards` takes the response as its request.
class ProbeHandlers {
 public:
  absl::Status Echo(const Identity&, const EchoRequest&, absl::Time, EchoResponse*) {
    return absl::OkStatus();
  }
  absl::Status Reply(const Identity&, const EchoRequest&, absl::Time, EchoRequest*) {
    return absl::OkStatus();
  }
  absl::Status Backwards(const Identity&, const EchoResponse&, absl::Time, EchoResponse*) {
    return absl::OkStatus();
  }
};

// The echo service with no routes of its own.
class RoutingProbe final : public ProtoService {
 public:
  RoutingProbe() : ProtoService(EchoTest::service_full_name(), CallEnvironment{}) {}
};

TEST(ProtoServiceRoutingTest, AHandlerIsRoutedToTheMethodTakingItsRequest) {
  ProbeHandlers handlers;
  RoutingProbe probe;
  EXPECT_NO_THROW(probe.Route(&handlers, &ProbeHandlers::Echo));
}

TEST(ProtoServiceRoutingTest, AMismatchedHandlerIsRefusedAtStartUp) {
  ProbeHandlers handler;
  {
    RoutingProbe probe;
    try {
      probe.Route(&handler, &ProbeHandlers::Backwards);
      ADD_FAILURE() << "no exception";
    } catch (const std::logic_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("has no method taking consular.test.EchoResponse"));
    }
  }
  {
    RoutingProbe probe;
    try {
      probe.Route(&handler, &ProbeHandlers::Reply);
      ADD_FAILURE() << "no exception";
    } catch (const std::logic_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("Echo answers consular.test.EchoResponse, not "
                                      "consular.test.EchoRequest"));
    }
  }
}

TEST_F(ServerTest, ServesAuthenticatedCallsWithTheCallersIdentity) {
  StartInsecure();
  EchoRequest request;
  request.set_text("hello");
  EchoResponse response;
  grpc::Status status = Call(request, &response, Token());
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.text(), "hello");
  EXPECT_EQ(response.subject(), "officer-7");
  EXPECT_EQ(response.role(), "CONSULAR_OFFICER");
  EXPECT_EQ(response.post(), "RABAT");
  EXPECT_TRUE(response.had_deadline());
  EXPECT_TRUE(server_->Stop().ok());
}

TEST_F(ServerTest, CallWithoutDeadlineGetsTheMaximumCallDuration) {
  StartInsecure();
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + Token());
  EchoRequest request;
  EchoResponse response;
  ASSERT_TRUE(stub_->Echo(&context, request, &response).ok());
  ASSERT_TRUE(response.had_deadline());
  // CallEnvironment's default maximum is 30 s.
  EXPECT_LE(response.deadline_seconds_left(), 30.0);
  EXPECT_GT(response.deadline_seconds_left(), 0.0);
}

TEST_F(ServerTest, AFarClientDeadlineIsCappedAtTheMaximumCallDuration) {
  StartInsecure();
  EchoRequest request;
  EchoResponse response;
  ASSERT_TRUE(Call(request, &response, Token(), absl::Hours(1)).ok());
  ASSERT_TRUE(response.had_deadline());
  EXPECT_LE(response.deadline_seconds_left(), 30.0);
  // A nearer deadline of the client's own is kept (give or take the clocks' conversion).
  ASSERT_TRUE(Call(request, &response, Token(), absl::Seconds(5)).ok());
  EXPECT_LT(response.deadline_seconds_left(), 6.0);
}

TEST_F(ServerTest, ACallWhoseDeadlinePassesWhileQueuedGivesUpItsSlotAtOnce) {
  StartInsecure();
  // One worker, busy until released; a queue of one.
  EchoRequest blocking;
  blocking.set_wait_for_release(true);
  grpc::ClientContext busy_context;
  busy_context.AddMetadata("authorization", "Bearer " + Token());
  EchoResponse busy_response;
  std::promise<grpc::Status> busy_done;
  stub_->async()->Echo(&busy_context, &blocking, &busy_response,
                       [&busy_done](grpc::Status s) { busy_done.set_value(s); });
  ASSERT_TRUE(WaitUntil([&] { return service_->waiting().load() == 1; }));

  // A call with a short deadline waits in the queue and expires there.
  EchoRequest request;
  EchoResponse response;
  EXPECT_EQ(Call(request, &response, Token(), absl::Milliseconds(300)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // Its slot is free while the worker is still busy: the next call is queued, not refused.
  ASSERT_TRUE(WaitUntil([&] { return pool_.QueuedTasks() == 0; }));
  grpc::ClientContext next_context;
  next_context.AddMetadata("authorization", "Bearer " + Token());
  next_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  EchoResponse next_response;
  std::promise<grpc::Status> next_done;
  stub_->async()->Echo(&next_context, &request, &next_response,
                       [&next_done](grpc::Status s) { next_done.set_value(s); });
  ASSERT_TRUE(WaitUntil([&] { return pool_.QueuedTasks() == 1; }));
  EXPECT_EQ(service_->handled().load(), 1);  // the expired call never ran
  service_->Release();
  EXPECT_TRUE(busy_done.get_future().get().ok());
  EXPECT_TRUE(next_done.get_future().get().ok());
  EXPECT_EQ(service_->handled().load(), 2);
}

TEST_F(ServerTest, MissingOrBadTokenIsUnauthenticatedAndHandlerDoesNotRun) {
  StartInsecure();
  EchoRequest request;
  EchoResponse response;
  EXPECT_EQ(Call(request, &response, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(request, &response, "not.a.token").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  const KeyPair stranger = GenerateEcKeyPair();
  TokenClaims claims;
  claims.subject = "intruder";
  claims.role = v1::ROLE_ADMINISTRATOR;
  const std::string foreign = MintToken(stranger.private_pem, claims).value();
  grpc::Status status = Call(request, &response, foreign);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr(foreign)));
  EXPECT_EQ(service_->handled().load(), 0);
}

TEST_F(ServerTest, HandlerStatusIsPassedThroughAndExceptionsBecomeInternal) {
  StartInsecure();
  EchoRequest request;
  EchoResponse response;
  request.set_fail(true);
  grpc::Status status = Call(request, &response, Token());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "asked to fail");

  request.set_fail(false);
  request.set_throw_exception(true);
  status = Call(request, &response, Token());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr("secret")));
}

TEST_F(ServerTest, ABadTokenEndsTheCallAtItsHeadersBeforeAnyRequest) {
  StartInsecure();
  // A generic stream that sends its headers and never a message.
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  context.AddMetadata("authorization", "Bearer not-a-token");
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, "/consular.test.EchoTest/Echo", &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  ASSERT_TRUE(cq.Next(&tag, &ok));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_EQ(tag, reinterpret_cast<void*>(2));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(service_->handled().load(), 0);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(ServerTest, ACallWithoutItsRequestIsInvalidArgument) {
  StartInsecure();
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  context.AddMetadata("authorization", "Bearer " + Token());
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, "/consular.test.EchoTest/Echo", &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  ASSERT_TRUE(cq.Next(&tag, &ok));
  call->WritesDone(reinterpret_cast<void*>(2));  // half-close without a message
  ASSERT_TRUE(cq.Next(&tag, &ok));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "request: missing");
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(ServerTest, CallsPerConnectionAreLimitedByTheServerItself) {
  // Two calls per connection, whatever HTTP/2 allows the client.
  CallEnvironment env{&pool_, verifier_.get()};
  env.max_calls_per_connection = 2;
  service_ = std::make_unique<EchoService>(env);
  StartInsecure();
  EchoRequest blocking;
  blocking.set_wait_for_release(true);
  EchoResponse first_response;
  EchoResponse second_response;
  // One runs (one worker), one waits in the queue: two calls open on this connection.
  std::thread first([&] { EXPECT_TRUE(Call(blocking, &first_response, Token()).ok()); });
  ASSERT_TRUE(WaitUntil([&] { return service_->waiting().load() == 1; }));
  std::thread second([&] { EXPECT_TRUE(Call(blocking, &second_response, Token()).ok()); });
  ASSERT_TRUE(WaitUntil([&] { return pool_.QueuedTasks() == 1; }));

  EchoRequest request;
  EchoResponse response;
  const grpc::Status status = Call(request, &response, Token());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(), "more than 2 calls at once on one connection");
  // Another connection is not held by this one's calls: it is refused only by the full queue.
  auto other = EchoTest::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials(), [] {
        grpc::ChannelArguments args;
        args.SetInt("grpc.use_local_subchannel_pool", 1);
        return args;
      }()));
  grpc::ClientContext other_context;
  other_context.AddMetadata("authorization", "Bearer " + Token());
  other_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  const grpc::Status other_status = other->Echo(&other_context, request, &response);
  EXPECT_EQ(other_status.error_message(), "server busy, retry later");

  service_->Release();
  first.join();
  second.join();
  // Once the server is done with them (just after their answers), the connection may open new
  // calls.
  EXPECT_TRUE(WaitUntil([&] { return Call(request, &response, Token()).ok(); }));
}

TEST_F(ServerTest, FullQueueIsResourceExhausted) {
  StartInsecure();
  // One worker busy, one call queued (queue_limit 1): the third is refused at
  // once.
  EchoRequest blocking;
  blocking.set_wait_for_release(true);
  EchoResponse first_response;
  EchoResponse second_response;
  std::thread first([&] { EXPECT_TRUE(Call(blocking, &first_response, Token()).ok()); });
  ASSERT_TRUE(WaitUntil([&] { return service_->waiting().load() == 1; }));
  std::thread second([&] { EXPECT_TRUE(Call(blocking, &second_response, Token()).ok()); });
  ASSERT_TRUE(WaitUntil([&] { return pool_.QueuedTasks() == 1; }));

  EchoRequest request;
  EchoResponse response;
  grpc::Status status = Call(request, &response, Token());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(), "server busy, retry later");

  service_->Release();
  first.join();
  second.join();
  EXPECT_EQ(service_->handled().load(), 2);
}

TEST_F(ServerTest, ExpiredDeadlineInQueueDoesNotRunHandler) {
  StartInsecure();
  EchoRequest blocking;
  blocking.set_wait_for_release(true);
  EchoResponse blocked_response;
  std::thread first([&] { EXPECT_TRUE(Call(blocking, &blocked_response, Token()).ok()); });
  ASSERT_TRUE(WaitUntil([&] { return service_->waiting().load() == 1; }));

  // Queued behind the blocked call with a short deadline that passes while it
  // waits.
  EchoRequest request;
  EchoResponse response;
  grpc::Status status = Call(request, &response, Token(), absl::Milliseconds(100));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The server's copy of the deadline can be a little later than the client's
  // (grpc-timeout is relative and rounded up): make sure it has passed before
  // the worker gets to the call.
  absl::SleepFor(absl::Milliseconds(200));
  service_->Release();
  first.join();
  // Let the worker pick the expired task up, then check that only the first
  // call ran.
  ASSERT_TRUE(WaitUntil([&] { return pool_.QueuedTasks() == 0; }));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(service_->handled().load(), 1);
}

TEST_F(ServerTest, HealthServiceReportsServing) {
  StartInsecure();
  grpc::Status status;
  EXPECT_EQ(HealthBytes(&status), std::string("\x08\x01", 2));
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(ServerTest, EveryCallWritesOneJsonLogLineWithoutItsContent) {
  StartInsecure();
  EchoRequest request;
  request.set_text("Amina El Idrissi");  // stands for personal data: never logged
  EchoResponse response;
  ::testing::internal::CaptureStderr();
  grpc::ClientContext traced;
  traced.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  traced.AddMetadata("authorization", "Bearer " + Token());
  traced.AddMetadata("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(stub_->Echo(&traced, request, &response).ok());
  request.set_fail(true);
  EXPECT_FALSE(Call(request, &response, Token()).ok());
  EXPECT_EQ(Call(request, &response, "not-a-token").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  request.set_fail(false);
  request.set_throw_exception(true);
  EXPECT_EQ(Call(request, &response, Token()).error_code(), grpc::StatusCode::INTERNAL);
  const std::string log = ::testing::internal::GetCapturedStderr();

  std::vector<nlohmann::json> calls;
  for (absl::string_view text : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    const nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(line.is_discarded()) << "not JSON: " << text;
    EXPECT_TRUE(line.contains("time") && line.contains("level") && line.contains("service"));
    if (line.value("msg", "") == "call") calls.push_back(line);
  }
  EXPECT_THAT(log, Not(HasSubstr("Amina"))) << log;
  ASSERT_EQ(calls.size(), 4u) << log;
  const std::string method = "/consular.test.EchoTest/Echo";
  EXPECT_EQ(calls[0].value("method", ""), method);
  EXPECT_EQ(calls[0].value("code", ""), "OK");
  EXPECT_EQ(calls[0].value("role", ""), "ROLE_CONSULAR_OFFICER");
  EXPECT_EQ(calls[0].value("unit", ""), "RABAT");
  EXPECT_EQ(calls[0].value("trace_id", ""), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(calls[0].contains("latency_ms") && calls[0]["latency_ms"].is_number());
  EXPECT_FALSE(calls[0].contains("subject")) << "who called is in the audit trail, not the log";
  EXPECT_EQ(calls[1].value("code", ""), "FAILED_PRECONDITION");
  EXPECT_FALSE(calls[1].contains("trace_id"));
  EXPECT_EQ(calls[2].value("code", ""), "UNAUTHENTICATED");
  EXPECT_FALSE(calls[2].contains("role"));
  EXPECT_EQ(calls[3].value("code", ""), "INTERNAL");
  EXPECT_EQ(calls[3].value("level", ""), "error");
  // The error's own line and the call's line share the correlation id.
  const std::string id = calls[3].value("correlation_id", "");
  ASSERT_EQ(id.size(), 16u) << log;
  EXPECT_EQ(absl::StrContains(log, absl::StrCat("\"correlation_id\":\"", id, "\"")), true);
  EXPECT_TRUE(server_->Stop().ok());
}

TEST(CallLogTest, TraceIdsComeOnlyFromWellFormedTraceparents) {
  EXPECT_EQ(TraceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(TraceIdOf("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(TraceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"), "");
  EXPECT_EQ(TraceIdOf("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), "");
  EXPECT_EQ(TraceIdOf("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"), "");
  EXPECT_EQ(TraceIdOf("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "");
  EXPECT_EQ(TraceIdOf("00-4bf92f3577b34da6\"}, {\"x\":1-00f067aa0ba902b7-01"), "");
  EXPECT_EQ(TraceIdOf(""), "");
  EXPECT_EQ(CorrelationIdInMessage("internal error, correlation id 0011223344556677"),
            "0011223344556677");
  EXPECT_EQ(CorrelationIdInMessage("name: correlation id 00112233445566"), "");
  EXPECT_EQ(CorrelationIdInMessage("asked to fail"), "");
}

TEST(LogLineTest, EveryLineIsOneJsonObjectWhateverItsText) {
  const std::string line =
      FormatLogLine(absl::FromUnixSeconds(0), LogLevel::kWarning, "consular-cases",
                    "bad \xff byte, \"quote\"\nand a new line",
                    {{"msg", "shadow"}, {"n", 3}, {"ok", true}, {"ms", 1.5}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << line;
  EXPECT_EQ(parsed.value("time", ""), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(parsed.value("level", ""), "warning");
  EXPECT_EQ(parsed.value("service", ""), "consular-cases");
  EXPECT_THAT(parsed.value("msg", ""), HasSubstr("\"quote\"\nand"));
  EXPECT_EQ(parsed.value("field.msg", ""), "shadow");
  EXPECT_EQ(parsed.value("n", 0), 3);
  EXPECT_EQ(parsed.value("ok", false), true);
}

TEST(RunServerTest, HealthFollowsTheReadinessCheck) {
  std::atomic<bool> database_up{true};
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.insecure = true;
  options.ready_interval = absl::Milliseconds(50);
  options.ready_check = [&database_up] {
    return database_up.load() ? absl::OkStatus() : absl::UnavailableError("the database is gone");
  };
  ::testing::internal::CaptureStderr();
  RunningServer server(options, {});
  ASSERT_TRUE(server.started()) << server.status();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port()),
                                     grpc::InsecureChannelCredentials());
  const auto health = [&channel] {
    grpc::GenericStub stub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                   &response, [&done](grpc::Status s) { done.set_value(s); });
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (done.get_future().get().ok() && response.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    return bytes;
  };
  const auto becomes = [&health](const std::string& want) {
    for (int i = 0; i < 100; ++i) {
      if (health() == want) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  };
  const std::string serving("\x08\x01", 2);
  const std::string not_serving("\x08\x02", 2);
  EXPECT_TRUE(becomes(serving));
  database_up = false;
  EXPECT_TRUE(becomes(not_serving));
  database_up = true;
  EXPECT_TRUE(becomes(serving));
  EXPECT_TRUE(server.Stop().ok());
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(log, HasSubstr("NOT_SERVING: the database is gone"));
  EXPECT_THAT(log, HasSubstr("SERVING again"));
}

TEST_F(ServerTest, SigtermLetsInFlightCallsFinish) {
  StartInsecure();
  EchoRequest blocking;
  blocking.set_wait_for_release(true);
  blocking.set_text("finished");
  EchoResponse response;
  grpc::Status in_flight_status;
  std::thread in_flight([&] { in_flight_status = Call(blocking, &response, Token()); });
  ASSERT_TRUE(WaitUntil([&] { return service_->waiting().load() == 1; }));

  std::thread stopper([&] { EXPECT_TRUE(server_->Stop().ok()); });
  absl::SleepFor(absl::Milliseconds(200));  // shutdown has begun and is waiting for the call
  service_->Release();
  stopper.join();
  in_flight.join();
  EXPECT_TRUE(in_flight_status.ok()) << in_flight_status.error_message();
  EXPECT_EQ(response.text(), "finished");
}

TEST(RunServerTest, RequiresTlsFilesUnlessInsecure) {
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  absl::Status status = RunServer(options, {});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("insecure"));

  options.tls.cert_chain = "/nonexistent/server.pem";
  options.tls.private_key = "/nonexistent/server.key";
  status = RunServer(options, {});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr("/nonexistent/server.pem"));
}

TEST(RunServerTest, UnbindableAddressIsUnavailable) {
  ServerOptions options;
  options.insecure = true;
  options.listen_address = "192.0.2.1:0";  // TEST-NET-1: not an address of this host
  EXPECT_EQ(RunServer(options, {}).code(), absl::StatusCode::kUnavailable);
}

TEST(RunServerTest, PortInUseIsUnavailable) {
  // Hold a listening socket (without SO_REUSEPORT) on a free port.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);

  ServerOptions options;
  options.insecure = true;
  options.listen_address = absl::StrCat("127.0.0.1:", ntohs(address.sin_port));
  EXPECT_EQ(RunServer(options, {}).code(), absl::StatusCode::kUnavailable);
  ::close(fd);
}

TEST(RunServerTest, OnlyOneServerPerProcess) {
  ServerOptions options;
  options.insecure = true;
  options.listen_address = "127.0.0.1:0";
  RunningServer first(options, {});
  ASSERT_TRUE(first.started());
  EXPECT_EQ(RunServer(options, {}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(first.Stop().ok());
}

// ---- TLS ----

struct TlsFiles {
  Certificate ca;
  Certificate server;
  Certificate client;
  std::string ca_file, server_cert_file, server_key_file, client_cert_file, client_key_file;
};

TlsFiles MakeTlsFiles() {
  TlsFiles files;
  files.ca = MakeCa("Test CA");
  files.server = MakeLeaf(files.ca, "localhost");
  files.client = MakeLeaf(files.ca, "client");
  files.ca_file = WriteTempFile("ca.pem", files.ca.cert_pem);
  files.server_cert_file = WriteTempFile("server.pem", files.server.cert_pem);
  files.server_key_file = WriteTempFile("server.key", files.server.key_pem);
  files.client_cert_file = WriteTempFile("client.pem", files.client.cert_pem);
  files.client_key_file = WriteTempFile("client.key", files.client.key_pem);
  return files;
}

TEST(TlsTest, CredentialErrorsNameTheFile) {
  const TlsFiles files = MakeTlsFiles();
  ServerTlsFiles server{files.server_cert_file, files.server_key_file, ""};
  EXPECT_TRUE(MakeServerCredentials(server).ok());

  ServerTlsFiles missing = server;
  missing.private_key = "/nonexistent/key.pem";
  absl::Status status = MakeServerCredentials(missing).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr("/nonexistent/key.pem"));

  ServerTlsFiles swapped{files.server_key_file, files.server_cert_file, ""};
  status = MakeServerCredentials(swapped).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(files.server_key_file));

  ServerTlsFiles mismatched{files.server_cert_file, files.client_key_file, ""};
  status = MakeServerCredentials(mismatched).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("does not match"));

  const std::string garbage = WriteTempFile("garbage.pem", "-----BEGIN CERTIFICATE-----\nxx\n");
  status = MakeChannelCredentials(garbage).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(garbage));
  EXPECT_TRUE(MakeChannelCredentials("").ok());
  EXPECT_TRUE(MakeChannelCredentials(files.ca_file).ok());
  EXPECT_EQ(
      MakeMutualTlsChannelCredentials({files.ca_file, files.client_cert_file, ""}).status().code(),
      absl::StatusCode::kInvalidArgument);
}

// The status of a health check over `channel`, via the generic stub.
grpc::Status HealthCheck(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::Slice empty("");  // HealthCheckRequest{service: ""} encodes to no bytes
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  return done.get_future().get();
}

TEST(TlsTest, ServerWithClientCaRequiresAValidClientCertificate) {
  const TlsFiles files = MakeTlsFiles();
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.tls = {files.server_cert_file, files.server_key_file, files.ca_file};
  RunningServer server(options, {});
  ASSERT_TRUE(server.started()) << server.status();
  // The server certificate names IP:127.0.0.1, so the IP address is checked
  // too.
  const std::string target = absl::StrCat("127.0.0.1:", server.port());

  // Mutual TLS with a certificate from the CA: served.
  auto mutual = MakeMutualTlsChannelCredentials(
      {files.ca_file, files.client_cert_file, files.client_key_file});
  ASSERT_TRUE(mutual.ok()) << mutual.status();
  grpc::Status status = HealthCheck(grpc::CreateChannel(target, *mutual));
  EXPECT_TRUE(status.ok()) << status.error_message();

  // TLS without a client certificate: refused.
  auto plain_tls = MakeChannelCredentials(files.ca_file);
  ASSERT_TRUE(plain_tls.ok());
  EXPECT_FALSE(HealthCheck(grpc::CreateChannel(target, *plain_tls)).ok());

  // A client that does not trust the server's CA: refused.
  const Certificate other_ca = MakeCa("Other CA");
  auto untrusting = MakeChannelCredentials(WriteTempFile("other-ca.pem", other_ca.cert_pem));
  ASSERT_TRUE(untrusting.ok());
  EXPECT_FALSE(HealthCheck(grpc::CreateChannel(target, *untrusting)).ok());

  // Plaintext against a TLS server: refused.
  EXPECT_FALSE(HealthCheck(grpc::CreateChannel(target, grpc::InsecureChannelCredentials())).ok());

  EXPECT_TRUE(server.Stop().ok());
}

// Starts a server with `options` on a free port and expects a health check with `served` to pass
// and one with `refused` to fail.
void ExpectServesOnly(ServerOptions options,
                      const std::shared_ptr<grpc::ChannelCredentials>& served,
                      const std::shared_ptr<grpc::ChannelCredentials>& refused) {
  options.listen_address = "127.0.0.1:0";
  RunningServer server(options, {});
  ASSERT_TRUE(server.started()) << server.status();
  const std::string target = absl::StrCat("127.0.0.1:", server.port());
  const grpc::Status status = HealthCheck(grpc::CreateChannel(target, served));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(HealthCheck(grpc::CreateChannel(target, refused)).ok());
  EXPECT_TRUE(server.Stop().ok());
}

// The command-line tools' credentials: TLS trusting the CA file unless insecure, and a bad CA file
// named in the error. (One server at a time: a process runs one.)
TEST(TlsTest, ToolCredentialsAreTlsUnlessInsecure) {
  const TlsFiles files = MakeTlsFiles();
  auto tls = MakeToolChannelCredentials(false, files.ca_file);
  ASSERT_TRUE(tls.ok()) << tls.status();
  // Insecure: the CA file is not read.
  auto insecure = MakeToolChannelCredentials(true, "/nonexistent/ca.pem");
  ASSERT_TRUE(insecure.ok()) << insecure.status();

  ServerOptions tls_server;
  tls_server.tls = {files.server_cert_file, files.server_key_file, ""};
  ExpectServesOnly(tls_server, *tls, *insecure);
  ServerOptions plain_server;
  plain_server.insecure = true;
  ExpectServesOnly(plain_server, *insecure, *tls);

  const std::string garbage = WriteTempFile("tool-garbage.pem", "not a certificate\n");
  absl::Status bad = MakeToolChannelCredentials(false, garbage).status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.message()), HasSubstr(garbage));
  bad = MakeToolChannelCredentials(false, "/nonexistent/ca.pem").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace consular

#include "services/common/proto_service.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/impl/codegen/server_callback_handlers.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/slice.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/common/call_log.h"
#include "services/common/metrics.h"
#include "services/common/request_bytes.h"
#include "services/common/status.h"

namespace consular {
namespace {

// The calls open on each client connection of this process, by the connection's peer address
// (unique per TCP connection; over a Unix socket every client has the same peer name, so there
// the limit holds for all of them together).
class ConnectionCalls {
 public:
  // Counts a new call on `peer`; false (and counts nothing) if `limit` are open already.
  bool Enter(const std::string& peer, int limit) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    int& open = open_[peer];
    if (open >= limit) {
      if (open == 0) open_.erase(peer);
      return false;
    }
    ++open;
    return true;
  }

  void Leave(const std::string& peer) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = open_.find(peer);
    if (it != open_.end() && --it->second <= 0) open_.erase(it);
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> open_ ABSL_GUARDED_BY(mu_);
};

ConnectionCalls& OpenCalls() {
  static ConnectionCalls* calls = new ConnectionCalls();
  return *calls;
}

std::string BytesOf(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  bytes.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

// One call, registered with gRPC as a bidirectional stream so that it starts at the client's
// headers, not after its request: a call that may not go on ends before the client sends a
// byte of it. It reads exactly one request and answers once, as a unary call does. Deletes
// itself when gRPC is done with it.
class UnaryExchangeCall final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  UnaryExchangeCall(grpc::CallbackServerContext* ctx, const CallEnvironment& env,
                    const std::string& method, const ProtoService::ExchangeFactory& factory)
      : ctx_(ctx), env_(env), peer_(ctx->peer()), method_(method), started_(absl::Now()) {
    const auto& metadata = ctx_->client_metadata();
    if (auto it = metadata.find("traceparent"); it != metadata.end()) {
      trace_id_ = TraceIdOf(absl::string_view(it->second.data(), it->second.size()));
    }
    if (!OpenCalls().Enter(peer_, env_.max_calls_per_connection)) {
      End(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                       absl::StrCat("more than ", env_.max_calls_per_connection,
                                    " calls at once on one connection")));
      return;
    }
    counted_ = true;
    absl::StatusOr<Identity> who = Authenticate(*ctx_, env_);
    if (!who.ok()) {
      End(ToGrpcStatus(who.status()));
      return;
    }
    who_ = *std::move(who);
    authenticated_ = true;
    exchange_ = factory();
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      End(ToGrpcStatus(absl::InvalidArgumentError("request: missing")));
      return;
    }
    const absl::Status read = ParseRequest(BytesOf(request_), exchange_->request());
    request_.Clear();
    if (!read.ok()) {
      End(ToGrpcStatus(read));
      return;
    }
    deadline_ = WorkDeadline(*ctx_, env_, env_.clock->Now());
    // `this` stays valid until Finish, which only the task calls once it is queued (or OnCancel,
    // once it is withdrawn).
    const WorkerPool::TaskId id = env_.workers->Submit([this] { Work(); });
    if (id == 0) {
      End(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "server busy, retry later"));
      return;
    }
    task_.store(id, std::memory_order_release);
  }

  // Called by gRPC at most once: the client cancelled, the deadline passed, or the server stops.
  void OnCancel() override {
    const WorkerPool::TaskId id = task_.load(std::memory_order_acquire);
    if (id != 0 && env_.workers->Withdraw(id)) {
      End(grpc::Status(grpc::StatusCode::CANCELLED,
                       "call cancelled or past its deadline while queued"));
    }
  }

  void OnDone() override {
    if (counted_) OpenCalls().Leave(peer_);
    delete this;
  }

 private:
  void Work() {
    std::string response;
    const grpc::Status status = RunCallWork(*ctx_, *env_.clock, deadline_, who_,
                                            [this, &response](const Identity& who, absl::Time dl) {
                                              return exchange_->Run(who, dl, &response);
                                            });
    if (!status.ok()) {
      End(status);
      return;
    }
    grpc::Slice slice(response);
    response_ = grpc::ByteBuffer(&slice, 1);
    Logged(grpc::Status::OK);
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  }

  // Every call ends through here or through Logged: its one log line, then its status.
  void End(const grpc::Status& status) {
    Logged(status);
    Finish(status);
  }

  void Logged(const grpc::Status& status) {
    CallLogRecord record;
    record.method = method_;
    record.code = status.error_code();
    record.latency = absl::Now() - started_;
    record.who = authenticated_ ? &who_ : nullptr;
    record.correlation_id = CorrelationIdInMessage(status.error_message());
    record.trace_id = trace_id_;
    LogCall(record);
    if (env_.metrics != nullptr) env_.metrics->RecordCall(method_, record.code, record.latency);
  }

  grpc::CallbackServerContext* const ctx_;
  const CallEnvironment env_;
  const std::string peer_;
  const std::string& method_;  // the route's path, owned by the service
  const absl::Time started_;
  std::string trace_id_;
  bool counted_ = false;
  bool authenticated_ = false;
  Identity who_;
  std::unique_ptr<ProtoService::Exchange> exchange_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  absl::Time deadline_;
  std::atomic<WorkerPool::TaskId> task_{0};
};

}  // namespace

std::string ProtoService::MethodTaking(const google::protobuf::Descriptor& request,
                                       const google::protobuf::Descriptor& response) const {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(full_name_);
  if (service == nullptr) throw std::logic_error(absl::StrCat("no service ", full_name_));
  const google::protobuf::MethodDescriptor* found = nullptr;
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* method = service->method(i);
    if (method->input_type() != &request) continue;
    if (found != nullptr) {
      throw std::logic_error(absl::StrCat(full_name_, " has two methods taking ",
                                          request.full_name(), ": ", found->name(), " and ",
                                          method->name()));
    }
    found = method;
  }
  if (found == nullptr) {
    throw std::logic_error(absl::StrCat(full_name_, " has no method taking ", request.full_name()));
  }
  if (found->output_type() != &response) {
    throw std::logic_error(absl::StrCat(full_name_, ".", found->name(), " answers ",
                                        found->output_type()->full_name(), ", not ",
                                        response.full_name()));
  }
  return found->name();
}

void ProtoService::AddRoute(const std::string& method, ExchangeFactory factory) {
  paths_.push_back(absl::StrCat("/", full_name_, "/", method));
  grpc::Service::AddMethod(new grpc::internal::RpcServiceMethod(
      paths_.back().c_str(), grpc::internal::RpcMethod::BIDI_STREAMING, nullptr));
  MarkMethodRawCallback(static_cast<int>(paths_.size() - 1),
                        new grpc::internal::CallbackBidiHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
                            [this, path = &paths_.back(),
                             factory = std::move(factory)](grpc::CallbackServerContext* ctx) {
                              return new UnaryExchangeCall(ctx, env_, *path, factory);
                            }));
}

}  // namespace consular

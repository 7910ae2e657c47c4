#pragma once

#include <grpcpp/impl/service_type.h>
#include <grpcpp/server_context.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "services/common/identity.h"
#include "services/common/unary_call.h"

namespace consular {

// A gRPC service whose unary methods each forward to one method of a plain handler class:
//
//   class CasesService final : public ProtoService {
//    public:
//     CasesService(CaseManager* manager, CallEnvironment env)
//         : ProtoService(consular::v1::CaseService::service_full_name(), env) {
//       Route(manager, &CaseManager::Create, &CaseManager::Get, ...);
//     }
//   };
//
// How a call is served, in order:
// 1. At its headers, before any request bytes arrive: a connection with
//    env.max_calls_per_connection calls open gets RESOURCE_EXHAUSTED (the limit holds even for a
//    client that never acknowledges HTTP/2's SETTINGS); a missing or bad token gets
//    UNAUTHENTICATED. Either way the call ends at once and holds no memory.
// 2. The request is read from its bytes (ParseRequest): what protobuf's parser would refuse
//    (invalid UTF-8 in a string field, a broken encoding) is INVALID_ARGUMENT naming the field,
//    where gRPC's generated handlers would answer UNIMPLEMENTED; no request at all is
//    INVALID_ARGUMENT.
// 3. The handler method runs on the worker pool (RESOURCE_EXHAUSTED "server busy, retry later"
//    when its queue is full) with the caller, the request and WorkDeadline, as RunCallWork
//    describes. A call cancelled or past its deadline while it waits in the queue leaves it at
//    once, freeing its slot.
// A method of the service that is not routed is UNIMPLEMENTED, as for any unknown method.
class ProtoService : public grpc::Service {
 public:
  // `full_name`: the service's full protobuf name, e.g. "consular.v1.CaseService".
  ProtoService(std::string full_name, CallEnvironment env)
      : full_name_(std::move(full_name)), env_(env) {}

  // One call's request and response, and the handler method that fills the response.
  class Exchange {
   public:
    virtual ~Exchange() = default;
    virtual google::protobuf::Message* request() = 0;
    // Runs the handler; on OK, `response` holds the serialized response.
    virtual absl::Status Run(const Identity& who, absl::Time deadline, std::string* response) = 0;
  };
  using ExchangeFactory = std::function<std::unique_ptr<Exchange>()>;

  // Each handler method in `fns` of `handler` serves the method of this service that takes its
  // request type (every method of the API has a request message of its own): it is given the
  // caller, the request, the work deadline and the response to fill. `handler` must outlive the
  // server. Throws std::logic_error, at start-up, when the service has no method taking that
  // request, or its response type is another.
  template <typename Handler, typename... Fns>
  void Route(Handler* handler, Fns... fns) {
    (RouteOne(handler, fns), ...);
  }

 private:
  template <typename Handler, typename Request, typename Response>
  void RouteOne(Handler* handler, absl::Status (Handler::*fn)(const Identity&, const Request&,
                                                              absl::Time, Response*)) {
    AddRoute(MethodTaking(*Request::descriptor(), *Response::descriptor()), [handler, fn] {
      return std::unique_ptr<Exchange>(new TypedExchange<Handler, Request, Response>(handler, fn));
    });
  }

  // The name of this service's method that takes `request` and answers `response`.
  std::string MethodTaking(const google::protobuf::Descriptor& request,
                           const google::protobuf::Descriptor& response) const;

  template <typename Handler, typename Request, typename Response>
  class TypedExchange final : public Exchange {
   public:
    using Fn = absl::Status (Handler::*)(const Identity&, const Request&, absl::Time, Response*);
    TypedExchange(Handler* handler, Fn fn) : handler_(handler), fn_(fn) {}
    google::protobuf::Message* request() override { return &request_; }
    absl::Status Run(const Identity& who, absl::Time deadline, std::string* response) override {
      Response out;
      absl::Status status = (handler_->*fn_)(who, request_, deadline, &out);
      if (!status.ok()) return status;
      if (!out.SerializeToString(response)) {
        return absl::InternalError("response could not be serialized");
      }
      return absl::OkStatus();
    }

   private:
    Handler* handler_;
    Fn fn_;
    Request request_;
  };

  void AddRoute(const std::string& method, ExchangeFactory factory);

  const std::string full_name_;
  const CallEnvironment env_;
  std::deque<std::string> paths_;  // the method paths gRPC keeps pointers to
};

}  // namespace consular

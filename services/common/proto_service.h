#pragma once

#include <grpcpp/impl/codegen/server_callback_handlers.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include <deque>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/identity.h"
#include "services/common/unary_call.h"

namespace consular {

// A gRPC service whose unary methods each forward to one method of a plain handler class:
//
//   class CasesService final : public ProtoService {
//    public:
//     CasesService(CaseManager* manager, CallEnvironment env)
//         : ProtoService("consular.v1.CaseService", env) {
//       Route("GetCase", manager, &CaseManager::Get);
//       ...
//     }
//   };
//
// It reads each request from the raw bytes itself (RAW_CALL_BACK methods), so that a request
// protobuf's parser would refuse (invalid UTF-8 in a string field, a broken encoding) is answered
// INVALID_ARGUMENT naming the field; gRPC's generated parser would answer UNIMPLEMENTED, which
// tells a client the method does not exist. The caller is authenticated before the request is
// read. Then the call is served as ServeAuthenticated describes. A method of the service that is
// not routed is UNIMPLEMENTED, as for any unknown method.
class ProtoService : public grpc::Service {
 public:
  // `full_name`: the service's full protobuf name, e.g. "consular.v1.CaseService".
  ProtoService(std::string full_name, CallEnvironment env)
      : full_name_(std::move(full_name)), env_(env) {}

  // The handler method `fn` of `handler` serves `method`: it is given the caller, the request,
  // the work deadline and the response to fill. `handler` must outlive the server.
  template <typename Handler, typename Request, typename Response>
  void Route(const std::string& method, Handler* handler,
             absl::Status (Handler::*fn)(const Identity&, const Request&, absl::Time, Response*)) {
    AddRawUnary(method, [this, handler, fn](grpc::CallbackServerContext* ctx,
                                            const grpc::ByteBuffer* raw_request,
                                            grpc::ByteBuffer* raw_response) {
      return Serve<Request, Response>(ctx, *raw_request, raw_response,
                                      [handler, fn](const Identity& who, const Request& request,
                                                    absl::Time deadline, Response* response) {
                                        return (handler->*fn)(who, request, deadline, response);
                                      });
    });
  }

 private:
  using RawHandler = std::function<grpc::ServerUnaryReactor*(
      grpc::CallbackServerContext*, const grpc::ByteBuffer*, grpc::ByteBuffer*)>;

  // One typed call: the request and response live as long as the work may use them.
  template <typename Request, typename Response>
  struct Messages {
    Request request;
    Response response;
  };

  template <typename Request, typename Response, typename Fn>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx,
                                  const grpc::ByteBuffer& raw_request,
                                  grpc::ByteBuffer* raw_response, Fn fn) {
    absl::StatusOr<Identity> who = Authenticate(*ctx, env_);
    if (!who.ok()) return RefuseCall(ctx, who.status());
    auto messages = std::make_shared<Messages<Request, Response>>();
    const absl::Status read = ReadRequest(raw_request, &messages->request);
    if (!read.ok()) return RefuseCall(ctx, read);
    return ServeAuthenticated(
        ctx, env_, *std::move(who),
        [messages, raw_response, fn](const Identity& caller, absl::Time deadline) -> absl::Status {
          absl::Status status = fn(caller, messages->request, deadline, &messages->response);
          if (!status.ok()) return status;
          return WriteResponse(messages->response, raw_response);
        });
  }

  // The request in `raw` parsed into `request` (ParseRequest).
  static absl::Status ReadRequest(const grpc::ByteBuffer& raw, google::protobuf::Message* request);
  // `response` serialized into `raw`; INTERNAL if it cannot be.
  static absl::Status WriteResponse(const google::protobuf::Message& response,
                                    grpc::ByteBuffer* raw);

  void AddRawUnary(const std::string& method, RawHandler handler);

  const std::string full_name_;
  const CallEnvironment env_;
  std::deque<std::string> paths_;  // the method paths gRPC keeps pointers to
};

}  // namespace consular

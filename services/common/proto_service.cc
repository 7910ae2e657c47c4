#include "services/common/proto_service.h"

#include <grpcpp/support/slice.h>

#include <vector>

#include "services/common/request_bytes.h"

namespace consular {

absl::Status ProtoService::ReadRequest(const grpc::ByteBuffer& raw,
                                       google::protobuf::Message* request) {
  std::vector<grpc::Slice> slices;
  if (!raw.Dump(&slices).ok()) return absl::InvalidArgumentError("request: unreadable");
  std::string bytes;
  bytes.reserve(raw.Length());
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return ParseRequest(bytes, request);
}

absl::Status ProtoService::WriteResponse(const google::protobuf::Message& response,
                                         grpc::ByteBuffer* raw) {
  std::string bytes;
  if (!response.SerializeToString(&bytes)) {
    return absl::InternalError("response could not be serialized");
  }
  grpc::Slice slice(bytes);
  *raw = grpc::ByteBuffer(&slice, 1);
  return absl::OkStatus();
}

void ProtoService::AddRawUnary(const std::string& method, RawHandler handler) {
  paths_.push_back(absl::StrCat("/", full_name_, "/", method));
  AddMethod(new grpc::internal::RpcServiceMethod(paths_.back().c_str(),
                                                 grpc::internal::RpcMethod::NORMAL_RPC, nullptr));
  MarkMethodRawCallback(
      static_cast<int>(paths_.size() - 1),
      new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
          std::move(handler)));
}

}  // namespace consular

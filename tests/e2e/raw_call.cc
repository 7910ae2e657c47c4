// raw_call: a client that knows no service, for the hostile-input end-to-end test. It sends one
// unary call with exactly the bytes it is given (a request in protobuf text format, optionally
// corrupted afterwards) through grpc::GenericStub, and prints the status: "CODE message", and on
// OK the response's size. Exit 0 when a status came back, 2 on a usage error.
//
//   raw_call --addr 127.0.0.1:50051 --ca ca.pem --token T --method /consular.v1.CaseService/GetCase
//            [--type consular.v1.GetCaseRequest --text 'case_id: "..."'] [--hex 0aff...]
//            [--corrupt MARKER]   replace each MARKER in the encoded request with 0xFF bytes
//            [--show-response]    print the response's bytes in hex
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/notification.h"
#include "consular/v1/audit.pb.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "consular/v1/statistics.pb.h"

namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK:
      return "OK";
    case grpc::CANCELLED:
      return "CANCELLED";
    case grpc::UNKNOWN:
      return "UNKNOWN";
    case grpc::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::ABORTED:
      return "ABORTED";
    case grpc::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::INTERNAL:
      return "INTERNAL";
    case grpc::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "?";
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Link the generated descriptors, so --type can name any consular.v1 message.
  (void)consular::v1::Case::descriptor();
  (void)consular::v1::ListAuditEventsRequest::descriptor();
  (void)consular::v1::Contact::descriptor();
  (void)consular::v1::ListTalksRequest::descriptor();

  CLI::App app{"raw_call: one unary gRPC call with the given bytes"};
  std::string addr, ca, token, method, type, text, hex, corrupt;
  app.add_option("--addr", addr)->required();
  app.add_option("--ca", ca)->required();
  app.add_option("--token", token);
  app.add_option("--method", method)->required();
  app.add_option("--type", type);
  app.add_option("--text", text);
  app.add_option("--hex", hex);
  app.add_option("--corrupt", corrupt);
  bool show_response = false;
  app.add_flag("--show-response", show_response, "Print the response's bytes in hex after its size");
  CLI11_PARSE(app, argc, argv);

  std::string request;
  if (!type.empty()) {
    const google::protobuf::Descriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
    if (descriptor == nullptr) {
      std::cerr << "unknown type " << type << "\n";
      return 2;
    }
    std::unique_ptr<google::protobuf::Message> message(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
    if (!google::protobuf::TextFormat::ParseFromString(text, message.get())) {
      std::cerr << "bad --text\n";
      return 2;
    }
    request = message->SerializeAsString();
  }
  request += absl::HexStringToBytes(hex);
  if (!corrupt.empty()) {
    request = absl::StrReplaceAll(request, {{corrupt, std::string(corrupt.size(), '\xff')}});
  }

  std::ifstream ca_file(ca);
  std::stringstream ca_pem;
  ca_pem << ca_file.rdbuf();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ca_pem.str();
  auto channel = grpc::CreateChannel(addr, grpc::SslCredentials(ssl));
  grpc::GenericStub stub(channel);

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  grpc::Slice slice(request);
  grpc::ByteBuffer send(&slice, 1);
  grpc::ByteBuffer receive;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &send, &receive, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  std::cout << CodeName(status.error_code()) << " " << status.error_message();
  if (status.ok()) {
    std::cout << "response bytes " << receive.Length();
    std::vector<grpc::Slice> slices;
    if (show_response && receive.Dump(&slices).ok()) {
      std::string bytes;
      for (const grpc::Slice& s : slices) {
        bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
      std::cout << " " << absl::BytesToHexString(bytes);
    }
  }
  std::cout << "\n";
  return 0;
}

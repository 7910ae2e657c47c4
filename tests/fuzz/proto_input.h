#pragma once

// Protocol buffers from fuzz input: the bytes are the message's binary wire form, as a client
// sends it (the committed seeds were written with `protoc --encode`, see tests/fuzz/README.md).

#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>

#include <string>

namespace consular::fuzz {

// Parses `bytes` into `message`; false when they are not a valid message (which the service's
// transport would refuse too). Silences protobuf's log of invalid UTF-8 in string fields.
inline bool ParseProto(const std::string& bytes, google::protobuf::Message* message) {
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  return message->ParseFromString(bytes);
}

}  // namespace consular::fuzz

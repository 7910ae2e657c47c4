#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

// Reading a request from the bytes a client sent, before protobuf's own parser sees them, so that
// what the parser would only refuse (invalid UTF-8 in a string field, a broken wire format) is
// answered INVALID_ARGUMENT naming the field, never a status that says the method is missing.
namespace consular {

// OK if `bytes` is a well-formed protobuf encoding of `type` whose string fields (at any depth,
// unknown fields skipped) hold valid UTF-8. Otherwise INVALID_ARGUMENT "<field path>: not valid
// UTF-8" or "<field path>: malformed protobuf encoding" (the path is "request" when no field can
// be named), e.g. "case.subject.full_name: not valid UTF-8". Never reads past `bytes`.
absl::Status CheckRequestBytes(const google::protobuf::Descriptor& type, absl::string_view bytes);

// CheckRequestBytes, then parses `bytes` into `request` (cleared first).
absl::Status ParseRequest(absl::string_view bytes, google::protobuf::Message* request);

}  // namespace consular

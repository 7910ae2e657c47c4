#include "services/common/request_bytes.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "services/common/validation.h"

namespace consular {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// Deeper nesting than protobuf's own default limit is refused as it would be by the parser.
constexpr int kMaxDepth = 100;

std::string PathOf(const std::string& prefix, const FieldDescriptor* field, uint32_t number) {
  if (field != nullptr) return absl::StrCat(prefix, field->name());
  return absl::StrCat(prefix, "<field ", number, ">");
}

absl::Status Malformed(const std::string& path) {
  return InvalidField(path.empty() ? "request" : path, "malformed protobuf encoding");
}

// proto3 string fields must hold UTF-8; proto2 ones are not checked by the parser either.
bool MustBeUtf8(const FieldDescriptor& field) {
  return field.type() == FieldDescriptor::TYPE_STRING &&
         field.file()->syntax() == FileDescriptor::SYNTAX_PROTO3;
}

absl::Status CheckMessage(const Descriptor& type, absl::string_view bytes,
                          const std::string& prefix, int depth) {
  // The path of this message itself: the prefix without its trailing dot.
  const std::string here = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
  if (depth > kMaxDepth) return Malformed(here);
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  while (in.CurrentPosition() < static_cast<int>(bytes.size())) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0) return Malformed(here);  // unreadable, or field number 0
    const uint32_t number = WireFormatLite::GetTagFieldNumber(tag);
    const FieldDescriptor* field = type.FindFieldByNumber(static_cast<int>(number));
    const std::string path = PathOf(prefix, field, number);
    switch (WireFormatLite::GetTagWireType(tag)) {
      case WireFormatLite::WIRETYPE_VARINT: {
        uint64_t ignored;
        if (!in.ReadVarint64(&ignored)) return Malformed(path);
        break;
      }
      case WireFormatLite::WIRETYPE_FIXED64: {
        uint64_t ignored;
        if (!in.ReadLittleEndian64(&ignored)) return Malformed(path);
        break;
      }
      case WireFormatLite::WIRETYPE_FIXED32: {
        uint32_t ignored;
        if (!in.ReadLittleEndian32(&ignored)) return Malformed(path);
        break;
      }
      case WireFormatLite::WIRETYPE_LENGTH_DELIMITED: {
        uint32_t length;
        if (!in.ReadVarint32(&length)) return Malformed(path);
        const int64_t at = in.CurrentPosition();
        if (length > bytes.size() - static_cast<size_t>(at)) return Malformed(path);
        const absl::string_view value = bytes.substr(static_cast<size_t>(at), length);
        if (!in.Skip(static_cast<int>(length))) return Malformed(path);
        if (field == nullptr) break;
        if (MustBeUtf8(*field) && !IsValidUtf8(std::string(value))) {
          return InvalidField(path, "not valid UTF-8");
        }
        if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
          const absl::Status inner =
              CheckMessage(*field->message_type(), value, absl::StrCat(path, "."), depth + 1);
          if (!inner.ok()) return inner;
        }
        break;
      }
      case WireFormatLite::WIRETYPE_START_GROUP:
        if (!WireFormatLite::SkipField(&in, tag)) return Malformed(path);
        break;
      default:  // an END_GROUP without its start, or wire types 6 and 7
        return Malformed(path);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequestBytes(const Descriptor& type, absl::string_view bytes) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return Malformed("");
  return CheckMessage(type, bytes, "", 0);
}

absl::Status ParseRequest(absl::string_view bytes, google::protobuf::Message* request) {
  request->Clear();
  const absl::Status checked = CheckRequestBytes(*request->GetDescriptor(), bytes);
  if (!checked.ok()) return checked;
  if (!request->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    request->Clear();
    return Malformed("");
  }
  return absl::OkStatus();
}

}  // namespace consular

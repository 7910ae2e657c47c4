// Reading requests from raw bytes: what protobuf's parser would refuse is INVALID_ARGUMENT naming
// the field.
#include "services/common/request_bytes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_replace.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"

namespace consular {
namespace {

using ::testing::HasSubstr;

// `request` encoded, with each "@@BAD@@" replaced by as many 0xFF bytes (never UTF-8).
std::string Corrupted(const google::protobuf::Message& request) {
  return absl::StrReplaceAll(request.SerializeAsString(), {{"@@BAD@@", std::string(7, '\xff')}});
}

v1::CreateCaseRequest NewCase() {
  v1::CreateCaseRequest request;
  request.set_request_id("r-1");
  request.mutable_case_()->set_country("MA");
  request.mutable_case_()->mutable_subject()->set_full_name("Amina Example");
  return request;
}

TEST(RequestBytesTest, AWellFormedRequestParses) {
  const v1::CreateCaseRequest sent = NewCase();
  v1::CreateCaseRequest read;
  ASSERT_TRUE(ParseRequest(sent.SerializeAsString(), &read).ok());
  EXPECT_EQ(read.case_().subject().full_name(), "Amina Example");
  EXPECT_TRUE(ParseRequest("", &read).ok());  // all fields at their defaults
  EXPECT_EQ(read.request_id(), "");
}

TEST(RequestBytesTest, InvalidUtf8IsNamedByItsPath) {
  v1::CreateCaseRequest request = NewCase();
  request.mutable_case_()->mutable_subject()->set_full_name("@@BAD@@");
  v1::CreateCaseRequest read;
  absl::Status status = ParseRequest(Corrupted(request), &read);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "case.subject.full_name: not valid UTF-8");

  request = NewCase();
  request.set_request_id("@@BAD@@");
  status = ParseRequest(Corrupted(request), &read);
  EXPECT_EQ(status.message(), "request_id: not valid UTF-8");

  // In a repeated field too.
  v1::UpdateCaseRequest update;
  update.mutable_update_mask()->add_paths("@@BAD@@");
  v1::UpdateCaseRequest read_update;
  status = ParseRequest(Corrupted(update), &read_update);
  EXPECT_EQ(status.message(), "update_mask.paths: not valid UTF-8");
}

TEST(RequestBytesTest, BytesFieldsMayHoldAnything) {
  // Only string fields must be UTF-8: a field the type does not know is skipped unchecked.
  std::string bytes = NewCase().SerializeAsString();
  bytes += std::string("\xfa\x3f\x03\xff\xfe\xfd", 6);  // field 1023, length 3
  v1::CreateCaseRequest read;
  EXPECT_TRUE(ParseRequest(bytes, &read).ok());
}

TEST(RequestBytesTest, BrokenEncodingsAreInvalidArgument) {
  v1::CreateCaseRequest read;
  for (const std::string& bytes : {
           std::string("\x0a\xff\x0f\x12", 4),                               // length past the end
           std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11),  // bad varint tag
           std::string("\x0a", 1),                                           // tag without a value
           std::string("\x08\x80", 2),                                       // truncated varint
           std::string("\x0f", 1),                                           // wire type 7
           std::string("\x0c", 1),                                           // END_GROUP alone
           std::string("\x00\x01", 2),                                       // field number 0
       }) {
    const absl::Status status = ParseRequest(bytes, &read);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr("malformed protobuf encoding"));
  }
  // Inside a nested message, the message is named.
  const std::string nested("\x12\x02\x0a\x05", 4);  // case { subject: length 5 past the end }
  const absl::Status status = ParseRequest(nested, &read);
  EXPECT_EQ(status.message(), "case." + v1::Case::descriptor()->FindFieldByNumber(1)->name() +
                                  ": malformed protobuf encoding");
}

}  // namespace
}  // namespace consular

#pragma once

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "services/common/ids.h"
#include "services/common/validation.h"

// Small pieces every service's use cases share: early return on error (base/status_macros.h),
// time stamps, the usual request fields (UUIDs, expected versions, page sizes).

namespace consular {

inline google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

inline absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(t));
}

// "2026-11-29 14:05 UTC", for messages.
inline std::string FormatTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", FromTimestamp(t), absl::UTCTimeZone());
}

// INVALID_ARGUMENT "<field>: required" / "<field>: must be a UUID".
inline absl::Status CheckUuidField(const std::string& field, const std::string& value) {
  if (value.empty()) return InvalidField(field, "required");
  if (!LooksLikeUuid(value)) return InvalidField(field, "must be a UUID");
  return absl::OkStatus();
}

// A change carries the version the client read: INVALID_ARGUMENT "expected_version: ..." if not.
inline absl::Status CheckExpectedVersion(int64_t expected) {
  if (expected <= 0) return InvalidField("expected_version", "required: the version you read");
  return absl::OkStatus();
}

// The page size to use: `default_size` for 0, at most `max_size`; INVALID_ARGUMENT "page_size:
// ..." when negative.
inline absl::StatusOr<int> PageSizeOf(int requested, int default_size, int max_size = 500) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

}  // namespace consular

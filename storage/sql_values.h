#pragma once

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <cstdint>
#include <stdexcept>
#include <string>

// How values cross between C++ and the stores' SQL.

// Time stamps cross the wire as microseconds since the epoch, exactly: MICROS reads a timestamptz
// column as such a number, FROM_MICROS turns a parameter holding one back into a timestamptz.
#define MICROS(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define FROM_MICROS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 microsecond')"

namespace consular::storage {

// Microseconds since the epoch of `t`; 0 for an unset time stamp (which the SQL stores as NULL
// where the column allows it).
inline int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 && t.nanos() == 0
             ? 0
             : google::protobuf::util::TimeUtil::TimestampToMicroseconds(t);
}

// The enum value whose proto name a column stores ("CASE_STATUS_ACTIVE"); the default value for an
// empty text. Throws std::runtime_error for a name the enum does not know.
template <typename Enum, typename Parse>
Enum ParseStoredEnum(const std::string& name, Parse parse) {
  Enum value{};
  if (!name.empty() && !parse(name, &value)) {
    throw std::runtime_error("stored value not a known enum name: " + name);
  }
  return value;
}

}  // namespace consular::storage

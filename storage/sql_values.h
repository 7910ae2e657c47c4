#pragma once

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "consular/v1/common.pb.h"

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

// A date column's text ("2026-03-01"); "" for an unset Date (stored as NULL where allowed).
inline std::string DateText(const consular::v1::Date& d) {
  if (d.year() == 0) return "";
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", d.year(), d.month(), d.day());
  return text;
}

// The Date of a date column's text; unset for "" (NULL).
inline consular::v1::Date ParseDate(const std::string& text) {
  consular::v1::Date d;
  int y = 0, m = 0, day = 0;
  if (!text.empty() && std::sscanf(text.c_str(), "%d-%d-%d", &y, &m, &day) == 3) {
    d.set_year(y);
    d.set_month(m);
    d.set_day(day);
  }
  return d;
}

}  // namespace consular::storage

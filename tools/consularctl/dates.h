#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "consular/v1/common.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "proto/dates.h"

namespace consular::ctl {

// IsSet and FormatDate of a Date are consular's (proto/dates.h).

// The word that stands for "no date" on the command line (clears a date in
// `case update`).
inline constexpr absl::string_view kNoDate = "none";

// Parses a calendar date written YYYY-MM-DD (exactly; year 1900..9999, a day
// that exists in that month). kNoDate gives the all-zero Date, which means "not
// set". INVALID_ARGUMENT otherwise, with a message saying what is expected.
absl::StatusOr<consular::v1::Date> ParseDate(absl::string_view text);

// A point in time typed by a person: RFC 3339 ("2026-03-01T09:30:00Z", "...+01:00") or a UTC
// calendar day YYYY-MM-DD, which stands for its first moment, or with `end_of_day` for the first
// moment of the next day (so that "--until 2026-03-01" includes that day). INVALID_ARGUMENT
// otherwise, with a message saying what is expected.
absl::StatusOr<absl::Time> ParseWhen(absl::string_view text, bool end_of_day);

// `time` as a protobuf Timestamp (to the microsecond).
google::protobuf::Timestamp ToTimestamp(absl::Time time);

// RFC 3339 in UTC to the second ("2026-03-01T09:30:00Z"), or "" for an unset
// timestamp.
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);

}  // namespace consular::ctl

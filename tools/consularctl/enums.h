#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace consular::ctl {

// Flexible parsing of proto enum values typed by a person on the command line.
//
// A value is accepted case-insensitively, with '-' or '_' as word separator,
// with or without the enum's common prefix: for consular.v1.RiskFlag,
// "forced-marriage", "FORCED_MARRIAGE" and "RISK_FLAG_FORCED_MARRIAGE" all name
// RISK_FLAG_FORCED_MARRIAGE. The prefix is derived from the descriptor (the
// name of the zero value minus "UNSPECIFIED"), not from a hand-written table.
// The zero ("unspecified") value is never accepted. A few short aliases exist
// for names that are long to type (see Aliases below): "divorce" for
// FOREIGN_DIVORCE_RECOGNITION, "officer" for CONSULAR_OFFICER, and so on.

// The prefix shared by all value names of `descriptor`, e.g. "RISK_FLAG_" for
// RiskFlag. Empty if the enum has no common prefix.
std::string EnumPrefix(const google::protobuf::EnumDescriptor* descriptor);

// The value's name without the enum prefix ("FORCED_MARRIAGE"). For a number
// that is not a value of the enum, the number in decimal.
std::string EnumShortName(const google::protobuf::EnumDescriptor* descriptor,
                          int number);

// Parses `text` into a value number of `descriptor`. INVALID_ARGUMENT, with a
// message listing the valid values, if `text` names no value (or names the zero
// value).
absl::StatusOr<int> ParseEnum(
    const google::protobuf::EnumDescriptor* descriptor, absl::string_view text);

// The values a user may type, in the preferred spelling ("forced-marriage"), in
// number order, without the zero value; an alias is shown after its value in
// parentheses.
std::vector<std::string> EnumValidNames(
    const google::protobuf::EnumDescriptor* descriptor);

// "invalid value "x"; valid values: a, b, c" — or empty if `text` parses.
std::string EnumValidationError(
    const google::protobuf::EnumDescriptor* descriptor, absl::string_view text);

// Typed convenience wrapper:
// ParseEnumAs<consular::v1::RiskFlag>(RiskFlag_descriptor(), "fgm-risk").
template <typename E>
absl::StatusOr<E> ParseEnumAs(
    const google::protobuf::EnumDescriptor* descriptor,
    absl::string_view text) {
  absl::StatusOr<int> number = ParseEnum(descriptor, text);
  if (!number.ok()) return number.status();
  return static_cast<E>(*number);
}

// The value in words, for people: "foreign divorce recognition" for
// CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION, "returned to NL" for
// OUTCOME_RETURNED_TO_NL. ParseEnum reads it back. For a number that is not a
// value of the enum, the number in decimal.
std::string EnumWords(const google::protobuf::EnumDescriptor* descriptor, int number);

// A statistics category of a breakdown by `dimension` (a consular.v1.Dimension) in words: the
// full name of an enum value ("PARTNER_KIND_LAWYER") as EnumWords ("lawyer"), one of the
// dimension's own ("AGE_GROUP_MINOR") without its prefix ("minor"), an unspecified value as "not
// recorded", YES and NO in lower case; any other category (a country code, a month) as it is.
std::string CategoryWords(const std::string& category, int dimension);

// The alias a user may type for the value, if any ("officer" for
// ROLE_CONSULAR_OFFICER). Empty if the value has none.
std::string EnumAlias(const google::protobuf::EnumDescriptor* descriptor,
                      int number);

}  // namespace consular::ctl

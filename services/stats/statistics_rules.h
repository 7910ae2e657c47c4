#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "consular/v1/statistics.pb.h"
#include "google/protobuf/repeated_field.h"

// The request checks of consular-stats, free of storage and transport (the period of a request is
// checked by YearsOf, services/stats/publisher.h). Every function is pure.
namespace consular::stats {

// A request's country: required, an officially assigned ISO 3166-1 alpha-2 code in upper case.
// INVALID_ARGUMENT "<field>: ..." otherwise.
absl::Status CheckCountry(const std::string& field, const std::string& country);

// Every requested dimension is a known one (not UNSPECIFIED). INVALID_ARGUMENT
// "dimensions[<i>]: not a dimension" for the first that is not.
absl::Status CheckDimensions(const google::protobuf::RepeatedField<int>& dimensions);

// A talk to record as held: what ValidateTalkContent checks, held on a valid date not after
// `today`, no planned_on, outcome and follow-up within their limits, and a follow-up date not
// before the talk. INVALID_ARGUMENT "talk.<field>: <problem>" for the first bad field.
absl::Status ValidateTalk(const consular::v1::Talk& t, const consular::v1::Date& today);

// What every talk entered holds, held or planned: a country other than NL, a level, at least one
// topic and no topic twice, a summary within its limit, and a valid statistics period if one is
// given. INVALID_ARGUMENT "talk.<field>: <problem>" for the first bad field.
absl::Status ValidateTalkContent(const consular::v1::Talk& t);

// A dossier's language: "en" for an empty one, "en" or "nl" as given; INVALID_ARGUMENT naming
// `field` otherwise.
absl::StatusOr<std::string> DossierLanguage(const std::string& field, const std::string& language);

// A dossier format: HTML, CSV or JSON; INVALID_ARGUMENT naming `field` otherwise.
absl::Status CheckDossierFormat(const std::string& field, int format);

}  // namespace consular::stats

#include "services/stats/statistics_rules.h"

#include <set>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/common/call_support.h"
#include "services/common/validation.h"
#include "services/stats/publisher.h"

namespace consular::stats {

using consular::v1::Talk;

absl::Status CheckCountry(const std::string& field, const std::string& country) {
  if (country.empty()) return InvalidField(field, "required");
  if (!IsKnownCountryCode(country)) {
    return InvalidField(field, "not an ISO 3166-1 alpha-2 country code");
  }
  return absl::OkStatus();
}

absl::Status CheckDimensions(const google::protobuf::RepeatedField<int>& dimensions) {
  for (int i = 0; i < dimensions.size(); ++i) {
    const int d = dimensions.Get(i);
    if (!consular::v1::Dimension_IsValid(d) || d == consular::v1::DIMENSION_UNSPECIFIED) {
      return InvalidField(absl::StrCat("dimensions[", i, "]"), "not a dimension");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTalk(const Talk& t, const consular::v1::Date& today) {
  CONSULAR_RETURN_IF_ERROR(ValidateTalkContent(t));
  if (!IsSet(t.held_on())) return InvalidField("talk.held_on", "required");
  CONSULAR_RETURN_IF_ERROR(CheckDate("talk.held_on", t.held_on(), today, /*allow_future=*/false));
  if (IsSet(t.planned_on())) {
    return InvalidField("talk.planned_on", "only for a talk entered as planned (PlanTalk)");
  }
  CONSULAR_RETURN_IF_ERROR(CheckText("talk.outcome", t.outcome(), 2000, /*required=*/false));
  CONSULAR_RETURN_IF_ERROR(CheckText("talk.follow_up", t.follow_up(), 2000, /*required=*/false));
  CONSULAR_RETURN_IF_ERROR(
      CheckDate("talk.follow_up_due", t.follow_up_due(), today, /*allow_future=*/true));
  if (IsSet(t.follow_up_due()) && CompareDates(t.follow_up_due(), t.held_on()) < 0) {
    return InvalidField("talk.follow_up_due", "before talk.held_on");
  }
  return absl::OkStatus();
}

absl::Status ValidateTalkContent(const Talk& t) {
  CONSULAR_RETURN_IF_ERROR(CheckCountry("talk.country", t.country()));
  if (t.country() == "NL") return InvalidField("talk.country", "must not be NL");
  if (t.level() == consular::v1::TALK_LEVEL_UNSPECIFIED ||
      !consular::v1::TalkLevel_IsValid(t.level())) {
    return InvalidField("talk.level", "required: ministerial, ambassador or official");
  }
  if (t.topics_size() == 0) return InvalidField("talk.topics", "at least one topic is required");
  std::set<int> seen;
  for (int i = 0; i < t.topics_size(); ++i) {
    const int topic = t.topics(i);
    if (topic == consular::v1::TALK_TOPIC_UNSPECIFIED || !consular::v1::TalkTopic_IsValid(topic)) {
      return InvalidField(absl::StrCat("talk.topics[", i, "]"), "not a topic");
    }
    if (!seen.insert(topic).second) {
      return InvalidField(absl::StrCat("talk.topics[", i, "]"), "duplicate");
    }
  }
  CONSULAR_RETURN_IF_ERROR(CheckText("talk.summary", t.summary(), 4000, /*required=*/true));
  if (t.has_statistics_period()) {
    absl::StatusOr<PeriodYears> years = YearsOf(t.statistics_period());
    if (!years.ok()) {
      return InvalidField("talk.statistics_period",
                          std::string(years.status().message()).substr(sizeof("period")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> DossierLanguage(const std::string& field, const std::string& language) {
  if (language.empty()) return std::string("en");
  if (language == "en" || language == "nl") return language;
  return InvalidField(field, "must be \"en\" or \"nl\"");
}

absl::Status CheckDossierFormat(const std::string& field, int format) {
  if (format == consular::v1::DOSSIER_FORMAT_UNSPECIFIED ||
      !consular::v1::DossierFormat_IsValid(format)) {
    return InvalidField(field, "required: HTML, CSV or JSON");
  }
  return absl::OkStatus();
}

}  // namespace consular::stats

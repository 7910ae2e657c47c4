#include "storage/case_facts.h"

#include <algorithm>

#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "proto/dates.h"

namespace consular::storage {

namespace {

absl::CivilDay UtcDayOf(const google::protobuf::Timestamp& t) {
  return absl::ToCivilDay(
      absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(t)),
      absl::UTCTimeZone());
}

// The furthest stage among `steps` whose day is set and not after `today`.
consular::v1::ProceedingsStage FurthestStage(
    const google::protobuf::RepeatedPtrField<consular::v1::ProceedingsStep>& steps,
    absl::CivilDay today) {
  const consular::v1::Date today_date = DateFromCivilDay(today);
  consular::v1::ProceedingsStage furthest = consular::v1::PROCEEDINGS_STAGE_UNSPECIFIED;
  for (const consular::v1::ProceedingsStep& step : steps) {
    if (!consular::v1::ProceedingsStage_IsValid(step.stage()) || !IsSet(step.on()) ||
        CompareDates(step.on(), today_date) > 0) {
      continue;
    }
    furthest = std::max(furthest, step.stage());
  }
  return furthest;
}

std::string ChildrenOf(const consular::v1::Case& c) {
  const auto children = std::count_if(c.persons().begin(), c.persons().end(), [](const auto& p) {
    return p.role() == consular::v1::PERSON_ROLE_CHILD;
  });
  switch (children) {
    case 0:
      return "CHILDREN_NONE";
    case 1:
      return "CHILDREN_ONE";
    case 2:
      return "CHILDREN_TWO";
    default:
      return "CHILDREN_THREE_OR_MORE";
  }
}

}  // namespace

StatisticalFacts StatisticalFactsOf(const consular::v1::Case& c) {
  StatisticalFacts facts;
  const consular::v1::Subject& subject = c.subject();
  if (subject.date_of_birth().year() == 0) {
    facts.age_group = "AGE_GROUP_UNKNOWN";
  } else {
    const int age = YearsBetween(subject.date_of_birth(), UtcDayOf(c.opened_at()));
    facts.age_group = age < 18   ? "AGE_GROUP_MINOR"
                      : age < 24 ? "AGE_GROUP_YOUNG_ADULT"
                                 : "AGE_GROUP_ADULT";
  }
  facts.mother_with_minor_children =
      subject.sex() == consular::v1::SEX_FEMALE && subject.has_minor_children();
  facts.recognition_decision = "RECOGNITION_DECISION_UNSPECIFIED";
  facts.recognition_stage = "PROCEEDINGS_STAGE_UNSPECIFIED";
  facts.children = "CHILDREN_UNKNOWN";
  facts.return_funding = "RETURN_FUNDING_UNSPECIFIED";
  if (c.type() == consular::v1::CASE_TYPE_ABANDONMENT) {
    facts.children = ChildrenOf(c);
    const consular::v1::ReturnFunding funding = c.abandonment().return_plan().funding();
    if (consular::v1::ReturnFunding_IsValid(funding)) {
      facts.return_funding = consular::v1::ReturnFunding_Name(funding);
    }
  }
  if (c.type() == consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) {
    const consular::v1::DivorceRecognitionDetails& d = c.divorce_recognition();
    facts.recognition_decision = consular::v1::RecognitionDecision_Name(d.decision());
    std::vector<int> obstacles;
    for (int o : d.obstacles()) {
      if (o != consular::v1::RECOGNITION_OBSTACLE_UNSPECIFIED) obstacles.push_back(o);
    }
    std::sort(obstacles.begin(), obstacles.end());
    obstacles.erase(std::unique(obstacles.begin(), obstacles.end()), obstacles.end());
    for (int o : obstacles) {
      facts.recognition_obstacles.push_back(consular::v1::RecognitionObstacle_Name(
          static_cast<consular::v1::RecognitionObstacle>(o)));
    }
    facts.recognition_stage =
        consular::v1::ProceedingsStage_Name(FurthestStage(d.stages(), UtcDayOf(c.updated_at())));
  }
  return facts;
}

}  // namespace consular::storage

#include "storage/case_facts.h"

#include <algorithm>

#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "proto/dates.h"

namespace consular::storage {

StatisticalFacts StatisticalFactsOf(const consular::v1::Case& c) {
  StatisticalFacts facts;
  const consular::v1::Subject& subject = c.subject();
  if (subject.date_of_birth().year() == 0) {
    facts.age_group = "AGE_GROUP_UNKNOWN";
  } else {
    const absl::Time opened = absl::FromUnixMicros(
        google::protobuf::util::TimeUtil::TimestampToMicroseconds(c.opened_at()));
    const absl::CivilDay day = absl::ToCivilDay(opened, absl::UTCTimeZone());
    const int age = YearsBetween(subject.date_of_birth(), day);
    facts.age_group = age < 18   ? "AGE_GROUP_MINOR"
                      : age < 24 ? "AGE_GROUP_YOUNG_ADULT"
                                 : "AGE_GROUP_ADULT";
  }
  facts.mother_with_minor_children =
      subject.sex() == consular::v1::SEX_FEMALE && subject.has_minor_children();
  facts.recognition_decision = "RECOGNITION_DECISION_UNSPECIFIED";
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
  }
  return facts;
}

}  // namespace consular::storage

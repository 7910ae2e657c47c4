#pragma once

#include <string>
#include <vector>

#include "consular/v1/cases.pb.h"

// The statistical facts of a case the case service derives from its encrypted personal part and
// stores in clear beside the other categories (migration 0008), for consular-stats: coarse
// categories only, never a date of birth or a name.
namespace consular::storage {

struct StatisticalFacts {
  // AGE_GROUP_MINOR (under 18 when the case was opened), AGE_GROUP_YOUNG_ADULT (18 to 23),
  // AGE_GROUP_ADULT (24 and over), AGE_GROUP_UNKNOWN (no date of birth).
  std::string age_group;
  // A female subject with minor children.
  bool mother_with_minor_children = false;
  // Divorce recognition: the decision (RECOGNITION_DECISION_*) and the obstacles named, in enum
  // order without duplicates; UNSPECIFIED and none for other case types.
  std::string recognition_decision;
  std::vector<std::string> recognition_obstacles;
};

// Requires c.opened_at to be set (the age is taken at opening, in UTC).
StatisticalFacts StatisticalFactsOf(const consular::v1::Case& c);

}  // namespace consular::storage

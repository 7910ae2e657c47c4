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
  // Divorce recognition: the furthest stage of the foreign proceedings (PROCEEDINGS_STAGE_*, the
  // highest among the stages whose day is not after the day the case is written: a hearing
  // scheduled ahead does not count); UNSPECIFIED when there is none, and for other case types.
  std::string recognition_stage;
  // Abandonment: the children on the case (persons with the role CHILD): CHILDREN_NONE,
  // CHILDREN_ONE, CHILDREN_TWO, CHILDREN_THREE_OR_MORE. CHILDREN_UNKNOWN (not counted) for other
  // case types, as for the rows written before migration 0019.
  std::string children;
  // Abandonment: who pays for the return home (the return plan's RETURN_FUNDING_*); UNSPECIFIED
  // when not recorded, and for other case types.
  std::string return_funding;
};

// The facts of `c` as it is written. Requires c.opened_at (the age is taken at opening, in UTC)
// and c.updated_at (the day the case is written, in UTC: the stages reached by then) to be set.
StatisticalFacts StatisticalFactsOf(const consular::v1::Case& c);

}  // namespace consular::storage

#pragma once

#include <array>
#include <cstdint>
#include <vector>

// The bulk loader's data set in memory: compact records, turned into rows only while they are
// written (tools/datagen/copy_tables.h). Status, outcome, flags and the like are stored as their
// consular.v1 enum numbers; sets of risk flags and obstacles as bit masks (bit n for enum number
// n).
namespace consular::datagen::bulk {

using Uuid = std::array<uint8_t, 16>;

constexpr std::array<const char*, 4> kAgeGroups = {"AGE_GROUP_MINOR", "AGE_GROUP_YOUNG_ADULT",
                                                   "AGE_GROUP_ADULT", "AGE_GROUP_UNKNOWN"};
enum AgeGroup : uint8_t { kMinor = 0, kYoungAdult = 1, kAdult = 2, kAgeUnknown = 3 };

// The children on an abandonment case (persons with the role CHILD), by their number (three and
// more share the last), as storage::StatisticalFactsOf names them; other case types: not counted.
constexpr std::array<const char*, 4> kChildren = {"CHILDREN_NONE", "CHILDREN_ONE", "CHILDREN_TWO",
                                                  "CHILDREN_THREE_OR_MORE"};
constexpr char kChildrenNotCounted[] = "CHILDREN_UNKNOWN";

// One step of the foreign proceedings of a divorce-recognition case: its day (days since
// 1970-01-01), its ProceedingsStage, and the change that recorded it (kRecordedAtOpening, or the
// UpdateKind of the UPDATED event: kUpdateProceedings, kUpdateDecision). A step may lie ahead of
// the day it was recorded (a scheduled hearing).
struct StepRec {
  int32_t day = 0;
  uint8_t stage = 0;
  uint8_t recorded_with = 0;
};
constexpr size_t kMaxSteps = 7;
constexpr uint8_t kRecordedAtOpening = 0xff;

// Who acts on a case.
enum Actor : uint8_t { kOfficer = 0, kManager = 1, kLkha = 2 };

// UPDATED events: what changed (for the payload's changed_fields).
enum UpdateKind : uint8_t {
  kUpdateSafety = 0,
  kUpdateFlags = 1,
  kUpdateObstacles = 2,
  kUpdateDecision = 3,
  kUpdateProceedings = 4,
};

struct CaseRec {
  Uuid id;
  uint8_t country = 0;
  bool lkha = false;
  uint8_t type = 0;
  uint8_t sex = 0;
  uint8_t nationality = 0;
  uint8_t referral = 0;
  uint8_t age_group = 0;  // index into kAgeGroups
  bool mother = false;
  // As the case stands at the end.
  uint8_t status = 0;
  uint8_t outcome = 0;
  uint8_t decision = 0;
  uint8_t obstacles = 0;
  uint8_t stage = 0;     // divorce recognition: the furthest ProceedingsStage reached
  uint8_t children = 0;  // abandonment: persons with the role CHILD on the case
  uint8_t funding = 0;   // abandonment: the ReturnFunding of the return plan (known from intake)
  uint8_t steps = 0;     // divorce recognition: the steps recorded (step[0..steps))
  std::array<StepRec, kMaxSteps> step{};
  uint16_t flags = 0;
  int32_t version = 0;
  int32_t reference_number = 0;
  int64_t opened = 0;
  int64_t updated = 0;
  int64_t resolved = 0;  // 0: not resolved
  int64_t closed = 0;    // 0: not closed
  Uuid name_index;
};

struct EventRec {
  int64_t at = 0;
  uint32_t case_index = 0;
  uint32_t ref = 0;     // contact or note index
  int32_t version = 0;  // the case's version after the event
  uint16_t sequence = 0;
  uint16_t flags = 0;  // the case's risk flags after the event
  uint8_t type = 0;
  uint8_t from_status = 0;
  uint8_t status = 0;           // after the event
  uint8_t outcome = 0;          // the case's outcome after the event
  uint8_t decision = 0;         // after the event
  uint8_t obstacles = 0;        // after the event
  uint8_t stage = 0;            // the furthest proceedings stage after the event
  uint8_t contact_purpose = 0;  // contact events: the contact's purpose after the event
  uint8_t update = 0;           // UPDATED: UpdateKind
  uint8_t actor = 0;            // Actor
  uint8_t actor_number = 0;
};

struct ContactRec {
  Uuid id;
  uint32_t case_index = 0;
  int32_t partner = -1;  // index into partners; -1: ad hoc
  uint8_t kind = 0;
  uint8_t purpose = 0;  // at the end
  uint8_t channel = 0;
  uint8_t direction = 0;
  uint8_t outcome = 0;
  bool note = false;
  uint8_t actor = 0;
  uint8_t actor_number = 0;
  uint8_t done_actor_number = 0;
  int32_t version = 1;
  int64_t occurred = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t done = 0;      // follow-up completed at; 0: not
  int64_t due_day = -1;  // follow-up due (days since epoch); -1: none
};

struct NoteRec {
  Uuid id;
  uint32_t case_index = 0;
  int64_t created = 0;
  uint8_t actor = 0;
  uint8_t actor_number = 0;
};

struct PartnerRec {
  Uuid id;
  uint8_t country = 0;
  uint8_t kind = 0;
  int number = 0;
  bool vetted = true;
};

// The number of a case type's references, per year: the last one given.
struct ReferenceCounter {
  int type;
  int year;
  int32_t last;
};

struct Data {
  std::vector<CaseRec> cases;    // in the order they were opened
  std::vector<EventRec> events;  // in commit order
  std::vector<ContactRec> contacts;
  std::vector<NoteRec> notes;
};

}  // namespace consular::datagen::bulk

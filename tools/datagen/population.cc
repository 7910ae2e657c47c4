#include "tools/datagen/population.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "consular/v1/cases.pb.h"
#include "consular/v1/common.pb.h"
#include "consular/v1/contacts.pb.h"
#include "tools/datagen/bulk_dates.h"
#include "tools/datagen/seeded_rng.h"

namespace consular::datagen::bulk {
namespace {

namespace v1 = consular::v1;

// Partner kinds of a country's directory, in the order they are added (every country has the
// first four).
constexpr std::array<v1::PartnerKind, 12> kPartnerKinds = {
    v1::PARTNER_KIND_LAWYER,           v1::PARTNER_KIND_SHELTER,
    v1::PARTNER_KIND_AID_ORGANISATION, v1::PARTNER_KIND_LOCAL_AUTHORITY,
    v1::PARTNER_KIND_MEDICAL,          v1::PARTNER_KIND_LAWYER,
    v1::PARTNER_KIND_AID_ORGANISATION, v1::PARTNER_KIND_SHELTER,
    v1::PARTNER_KIND_LAWYER,           v1::PARTNER_KIND_MEDICAL,
    v1::PARTNER_KIND_LOCAL_AUTHORITY,  v1::PARTNER_KIND_AID_ORGANISATION};

// The kind of partner a contact for `purpose` is usually with.
v1::PartnerKind KindFor(v1::ContactPurpose purpose, Rng& rng) {
  switch (purpose) {
    case v1::CONTACT_PURPOSE_LEGAL_ADVICE:
    case v1::CONTACT_PURPOSE_COURT_REPRESENTATION:
      return v1::PARTNER_KIND_LAWYER;
    case v1::CONTACT_PURPOSE_SHELTER:
      return rng.Chance(0.75) ? v1::PARTNER_KIND_SHELTER : v1::PARTNER_KIND_AID_ORGANISATION;
    case v1::CONTACT_PURPOSE_MEDICAL:
      return v1::PARTNER_KIND_MEDICAL;
    case v1::CONTACT_PURPOSE_DOCUMENTS:
    case v1::CONTACT_PURPOSE_RETURN_TRAVEL:
      return rng.Chance(0.7) ? v1::PARTNER_KIND_LOCAL_AUTHORITY : v1::PARTNER_KIND_AID_ORGANISATION;
    case v1::CONTACT_PURPOSE_MEDIATION:
      return v1::PARTNER_KIND_AID_ORGANISATION;
    default:
      return kPartnerKinds[rng.Between(0, 5)];
  }
}

// One thing that happens to a case, before the timeline is put in order.
struct Action {
  int64_t at = 0;
  int order = 0;  // among actions at the same second: as planned
  uint8_t type = 0;
  uint8_t to_status = 0;
  uint8_t outcome = 0;    // TRANSITIONED to RESOLVED
  uint8_t update = 0;     // UPDATED: UpdateKind
  uint16_t flags = 0;     // UPDATED kUpdateFlags: the new risk flags
  uint8_t obstacles = 0;  // UPDATED kUpdateObstacles: the new obstacles
  uint8_t decision = 0;   // UPDATED kUpdateDecision: the decision
  uint8_t purpose = 0;    // CONTACT_UPDATED: the new purpose
  uint32_t contact = 0;   // contact events: index into the case's planned contacts
};

uint16_t Bit(int n) { return static_cast<uint16_t>(1u << n); }

unsigned RecordedBit(uint8_t recorded_with) {
  return recorded_with == kRecordedAtOpening ? 1u : recorded_with == kUpdateProceedings ? 2u : 4u;
}

// The furthest stage among the steps recorded by the changes in `recorded` (bits: 1 for the
// opening, 2 for kUpdateProceedings, 4 for kUpdateDecision) whose day is not after `today`: what
// storage::StatisticalFactsOf derives from the case written on that day.
uint8_t FurthestStage(const std::vector<StepRec>& steps, unsigned recorded, int64_t today) {
  uint8_t furthest = v1::PROCEEDINGS_STAGE_UNSPECIFIED;
  for (const StepRec& s : steps) {
    if ((recorded & RecordedBit(s.recorded_with)) != 0 && s.day <= today) {
      furthest = std::max(furthest, s.stage);
    }
  }
  return furthest;
}

}  // namespace

Generator::Generator(const BulkLoadOptions& options, const std::vector<CountryShare>& countries)
    : options_(options), countries_(countries) {
  double sum = 0;
  for (const CountryShare& c : countries_) {
    sum += c.share;
    cumulative_share_.push_back(sum);
  }
  MakePartners();
}

void Generator::Calibrate() {
  constexpr int kSample = 4000;
  const int64_t stride = std::max<int64_t>(1, options_.cases / kSample);
  const auto average = [&](double contacts, double notes) {
    lambda_contacts_ = contacts;
    lambda_notes_ = notes;
    Data scratch;
    Rng times(options_.seed ^ 0x7a11ULL);
    int64_t n = 0;
    for (int64_t i = 0; i < options_.cases; i += stride, ++n) {
      GenerateCase(static_cast<uint32_t>(i), OpenedTime(times), &scratch);
    }
    return n == 0 ? 0.0 : static_cast<double>(scratch.events.size()) / static_cast<double>(n);
  };
  const double lifecycle = average(0, 0);
  const double extra = std::max(0.0, options_.events_per_case - lifecycle);
  // About 1.3 events per contact (logging, some updates and completed follow-ups).
  double contacts = 0.65 * extra / 1.3;
  double notes = 0.35 * extra;
  if (extra > 0) {
    const double got = average(contacts, notes) - lifecycle;
    if (got > 0) {
      contacts *= extra / got;
      notes *= extra / got;
    }
  }
  lambda_contacts_ = contacts;
  lambda_notes_ = notes;
}

void Generator::GenerateAll(Data* d) {
  Rng times(options_.seed ^ 0x0be7ULL);
  std::vector<int64_t> opened(static_cast<size_t>(options_.cases));
  for (int64_t& t : opened) t = OpenedTime(times);
  std::sort(opened.begin(), opened.end());
  d->cases.reserve(opened.size());
  d->events.reserve(
      static_cast<size_t>(static_cast<double>(opened.size()) * (options_.events_per_case + 1)));
  for (size_t i = 0; i < opened.size(); ++i) {
    GenerateCase(static_cast<uint32_t>(i), opened[i], d);
  }
  // References: numbered per type and year in the order the cases were opened.
  std::map<std::pair<int, int>, int32_t> counters;
  for (CaseRec& c : d->cases) c.reference_number = ++counters[{c.type, YearOf(c.opened)}];
  for (const auto& [key, last] : counters) {
    reference_counters_.push_back({key.first, key.second, last});
  }
  // Commit order: by time across all cases.
  std::sort(d->events.begin(), d->events.end(), [](const EventRec& a, const EventRec& b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.case_index != b.case_index) return a.case_index < b.case_index;
    return a.sequence < b.sequence;
  });
}

int64_t Generator::OpenedTime(Rng& rng) const {
  const double max_weight = std::pow(1.07, 9) * 1.35;
  while (true) {
    const int64_t day = rng.Between(kFirstDay, kEndDay);
    const absl::CivilDay civil = CivilOfDay(day);
    const int month = civil.month();
    const double season = month >= 6 && month <= 9 ? 1.35 : month == 12 ? 0.8 : 1.0;
    const double weight = std::pow(1.07, static_cast<double>(civil.year() - 2017)) * season;
    if (rng.Uniform() * max_weight < weight) {
      return day * kDay + rng.Between(7 * kHour, 19 * kHour);
    }
  }
}

int Generator::PickCountry(Rng& rng) const {
  const double x = rng.Uniform() * cumulative_share_.back();
  const auto it = std::upper_bound(cumulative_share_.begin(), cumulative_share_.end(), x);
  return static_cast<int>(
      std::min<ptrdiff_t>(it - cumulative_share_.begin(), cumulative_share_.size() - 1));
}

void Generator::MakePartners() {
  Rng rng(options_.seed ^ 0x9a47ULL);
  const double largest = countries_.front().share;
  partners_of_.assign(countries_.size(), {});
  for (size_t c = 0; c < countries_.size(); ++c) {
    const int n = 4 + static_cast<int>(std::lround(8 * countries_[c].share / largest));
    for (int i = 0; i < n && i < static_cast<int>(kPartnerKinds.size()); ++i) {
      PartnerRec p;
      p.id = rng.NewUuid();
      p.country = static_cast<uint8_t>(c);
      p.kind = static_cast<uint8_t>(kPartnerKinds[i]);
      p.number = i + 1;
      p.vetted = i < 4 || rng.Chance(0.8);
      partners_of_[c][p.kind].push_back(static_cast<int32_t>(partners_.size()));
      partners_.push_back(p);
    }
  }
}

int32_t Generator::PartnerFor(int country, int kind, Rng& rng) const {
  const auto& by_kind = partners_of_[country];
  auto it = by_kind.find(static_cast<uint8_t>(kind));
  if (it == by_kind.end()) it = by_kind.begin();
  return it->second[rng.Between(0, static_cast<int64_t>(it->second.size()))];
}

void Generator::GenerateCase(uint32_t index, int64_t opened, Data* d) const {
  Rng rng(options_.seed * 0x2545F4914F6CDD1DULL + index);
  CaseRec c;
  c.id = rng.NewUuid();
  c.name_index = rng.NewUuid();
  c.country = static_cast<uint8_t>(PickCountry(rng));
  c.lkha = rng.Chance(0.03);
  const bool divorce = rng.Chance(0.35);
  c.type = divorce ? v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION : v1::CASE_TYPE_ABANDONMENT;
  c.opened = opened;

  // The person.
  static constexpr std::array<v1::Sex, 4> kSexes = {v1::SEX_FEMALE, v1::SEX_MALE, v1::SEX_X,
                                                    v1::SEX_UNKNOWN};
  c.sex = kSexes[divorce ? rng.Pick(std::array<double, 4>{90, 9, 0.3, 0.7})
                         : rng.Pick(std::array<double, 4>{70, 27, 1, 2})];
  c.age_group = static_cast<uint8_t>(divorce ? rng.Pick(std::array<double, 4>{0, 12, 83, 5})
                                             : rng.Pick(std::array<double, 4>{35, 30, 27, 8}));
  const bool female = c.sex == v1::SEX_FEMALE;
  const double children = c.age_group == kMinor        ? 0.01
                          : c.age_group == kYoungAdult ? 0.15
                          : divorce                    ? 0.55
                                                       : 0.3;
  const bool has_children = rng.Chance(children);
  c.mother = female && has_children;
  static constexpr std::array<v1::NationalityStatus, 3> kNationalities = {
      v1::NATIONALITY_STATUS_DUAL, v1::NATIONALITY_STATUS_DUTCH_ONLY,
      v1::NATIONALITY_STATUS_RESIDENCE_PERMIT};
  c.nationality = kNationalities[rng.Pick(std::array<double, 3>{55, 25, 20})];
  static constexpr std::array<v1::ReferralSource, 8> kReferrals = {
      v1::REFERRAL_SOURCE_SELF,       v1::REFERRAL_SOURCE_FAMILY, v1::REFERRAL_SOURCE_LKHA,
      v1::REFERRAL_SOURCE_SCHOOL,     v1::REFERRAL_SOURCE_POLICE, v1::REFERRAL_SOURCE_NGO,
      v1::REFERRAL_SOURCE_OTHER_POST, v1::REFERRAL_SOURCE_OTHER};
  c.referral = kReferrals[divorce ? rng.Pick(std::array<double, 8>{45, 10, 20, 0, 2, 13, 5, 5})
                          : c.age_group == kMinor
                              ? rng.Pick(std::array<double, 8>{12, 18, 15, 25, 10, 12, 4, 4})
                              : rng.Pick(std::array<double, 8>{30, 22, 15, 2, 8, 13, 5, 5})];

  // Risk flags known at opening.
  uint16_t flags = 0;
  const auto flag = [&](v1::RiskFlag f, double p) {
    if (rng.Chance(p)) flags |= Bit(f);
  };
  if (divorce) {
    flag(v1::RISK_FLAG_MARITAL_CAPTIVITY, 0.85);
    flag(v1::RISK_FLAG_CHILDREN_WITH_PERSON, has_children ? 0.5 : 0);
    flag(v1::RISK_FLAG_HONOUR_VIOLENCE_THREAT, 0.1);
    flag(v1::RISK_FLAG_PASSPORT_WITHHELD, 0.05);
  } else {
    flag(v1::RISK_FLAG_FORCED_MARRIAGE, c.age_group == kAdult ? 0.15 : 0.3);
    flag(v1::RISK_FLAG_MINOR_INVOLVED, c.age_group == kMinor ? 0.9 : has_children ? 0.3 : 0);
    flag(v1::RISK_FLAG_CHILDREN_WITH_PERSON, has_children ? 0.7 : 0);
    flag(v1::RISK_FLAG_PASSPORT_WITHHELD, 0.35);
    flag(v1::RISK_FLAG_RESIDENCE_PERMIT_AT_RISK,
         c.nationality == v1::NATIONALITY_STATUS_RESIDENCE_PERMIT ? 0.6 : 0);
    flag(v1::RISK_FLAG_HONOUR_VIOLENCE_THREAT, 0.15);
    flag(v1::RISK_FLAG_FGM_RISK, female && c.age_group == kMinor ? 0.06 : 0);
    flag(v1::RISK_FLAG_PREGNANCY, female && c.age_group != kMinor ? 0.05 : 0.01);
  }

  // Divorce recognition: the obstacles named, at opening or later.
  uint8_t obstacles = 0;
  uint8_t later_obstacles = 0;
  if (divorce && rng.Chance(0.6)) {
    static constexpr std::array<double, 6> kObstacleWeights = {30, 15, 25, 15, 8, 7};
    const int n = 1 + rng.Pick(std::array<double, 3>{55, 30, 15});
    uint8_t named = 0;
    for (int i = 0; i < n; ++i)
      named |= static_cast<uint8_t>(1u << (1 + rng.Pick(kObstacleWeights)));
    if (rng.Chance(0.5)) {
      obstacles = named;
    } else {
      later_obstacles = named;
    }
  }

  // The lifecycle.
  const int64_t intake =
      std::max<int64_t>(20 * 60, static_cast<int64_t>(rng.Exponential(3 * kDay)));
  const int64_t active_at = opened + intake;
  const double median_days = divorce ? 150 : 40;
  int64_t remaining = std::clamp<int64_t>(
      static_cast<int64_t>(rng.LogNormal(median_days, divorce ? 0.8 : 1.0) * kDay), kDay,
      4 * 365 * kDay);
  std::vector<Action> actions;
  int order = 0;
  const auto add = [&](Action a) {
    a.order = order++;
    actions.push_back(a);
  };
  {
    Action a;
    a.at = opened;
    a.type = v1::CASE_EVENT_TYPE_CREATED;
    add(a);
  }
  if (rng.Chance(0.3)) {  // details completed during intake
    Action a;
    a.at = opened + rng.Between(60, std::max<int64_t>(120, intake));
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateSafety;
    add(a);
  }
  {
    Action a;
    a.at = active_at;
    a.type = v1::CASE_EVENT_TYPE_TRANSITIONED;
    a.to_status = v1::CASE_STATUS_ACTIVE;
    add(a);
  }
  int64_t cursor = active_at;
  const int holds = rng.Chance(0.2) ? (rng.Chance(0.25) ? 2 : 1) : 0;
  for (int h = 0; h < holds; ++h) {
    const int64_t before = static_cast<int64_t>(rng.Uniform(0.2, 0.6) * remaining);
    const int64_t length =
        std::max<int64_t>(kDay, static_cast<int64_t>(rng.Exponential(25 * kDay)));
    Action hold;
    hold.at = cursor + before;
    hold.type = v1::CASE_EVENT_TYPE_TRANSITIONED;
    hold.to_status = v1::CASE_STATUS_ON_HOLD;
    add(hold);
    Action resume = hold;
    resume.at = hold.at + length;
    resume.to_status = v1::CASE_STATUS_ACTIVE;
    add(resume);
    cursor = resume.at;
    remaining -= before;
  }
  const int64_t resolved_at = cursor + remaining;

  // The outcome, valid for the type, and for divorce recognition the decision that goes with it.
  uint8_t outcome;
  uint8_t decision = v1::RECOGNITION_DECISION_UNSPECIFIED;
  if (divorce) {
    static constexpr std::array<v1::Outcome, 5> kOutcomes = {
        v1::OUTCOME_RECOGNISED, v1::OUTCOME_REFUSED, v1::OUTCOME_ALTERNATIVE_SOLUTION,
        v1::OUTCOME_PROCEEDINGS_ABANDONED, v1::OUTCOME_WITHDRAWN};
    outcome = kOutcomes[rng.Pick(std::array<double, 5>{42, 23, 12, 13, 10})];
    if (outcome == v1::OUTCOME_RECOGNISED) decision = v1::RECOGNITION_DECISION_GRANTED;
    if (outcome == v1::OUTCOME_REFUSED) decision = v1::RECOGNITION_DECISION_REFUSED;
    if (outcome == v1::OUTCOME_ALTERNATIVE_SOLUTION && rng.Chance(0.3)) {
      decision = v1::RECOGNITION_DECISION_REFUSED;
    }
  } else {
    static constexpr std::array<v1::Outcome, 6> kOutcomes = {
        v1::OUTCOME_RETURNED_TO_NL,      v1::OUTCOME_STAYED_BY_OWN_CHOICE,
        v1::OUTCOME_RETURN_NOT_POSSIBLE, v1::OUTCOME_CONTACT_LOST,
        v1::OUTCOME_REFERRED_ELSEWHERE,  v1::OUTCOME_WITHDRAWN};
    outcome = kOutcomes[rng.Pick(std::array<double, 6>{45, 15, 10, 12, 8, 10})];
  }
  const int64_t span = resolved_at - active_at;
  int64_t proceedings_at = 0;
  if (divorce && rng.Chance(0.5)) {  // proceedings move on
    Action a;
    a.at = active_at + static_cast<int64_t>(rng.Uniform(0.05, 0.5) * span);
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateProceedings;
    proceedings_at = a.at;
    add(a);
  }
  if (later_obstacles != 0) {
    Action a;
    a.at = active_at + static_cast<int64_t>(rng.Uniform(0.1, 0.6) * span);
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateObstacles;
    a.obstacles = later_obstacles;
    add(a);
  }
  int64_t decision_at = 0;
  if (decision != v1::RECOGNITION_DECISION_UNSPECIFIED) {
    Action a;
    a.at = std::max(active_at + kHour, resolved_at - rng.Between(kDay, 20 * kDay));
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateDecision;
    a.decision = decision;
    decision_at = a.at;
    add(a);
  }

  // Children, the return's funding and the steps of the foreign proceedings, from a generator of
  // their own (the rest of the case is drawn as before them).
  Rng more(options_.seed * 0x2545F4914F6CDD1DULL + index + 0x5eedfac7ULL);
  if (!divorce) {
    c.children = has_children
                     ? static_cast<uint8_t>(1 + more.Pick(std::array<double, 4>{45, 32, 15, 8}))
                     : 0;
    // Who pays for the way home: known for most returns, for a few plans that came to nothing.
    static constexpr std::array<v1::ReturnFunding, 5> kFundings = {
        v1::RETURN_FUNDING_OWN_MEANS, v1::RETURN_FUNDING_FAMILY, v1::RETURN_FUNDING_CONSULAR_LOAN,
        v1::RETURN_FUNDING_OTHER, v1::RETURN_FUNDING_UNSPECIFIED};
    if (outcome == v1::OUTCOME_RETURNED_TO_NL) {
      c.funding = kFundings[more.Pick(std::array<double, 5>{28, 34, 22, 6, 10})];
    } else if (more.Chance(0.2)) {
      c.funding = kFundings[more.Pick(std::array<double, 4>{30, 40, 25, 5})];
    }
  }
  std::vector<StepRec> steps;
  if (divorce) {
    const auto step = [&](v1::ProceedingsStage stage, int64_t day, uint8_t with) {
      steps.push_back(StepRec{static_cast<int32_t>(day), static_cast<uint8_t>(stage), with});
    };
    const int64_t opened_day = FloorDiv(opened, kDay);
    if (more.Chance(0.6)) {  // documents gathered (and legalised) before she came to the post
      const int64_t gathered = opened_day - more.Between(1, 31);
      step(v1::PROCEEDINGS_STAGE_DOCUMENTS_GATHERED, gathered, kRecordedAtOpening);
      if (more.Chance(0.4)) {
        step(v1::PROCEEDINGS_STAGE_DOCUMENTS_LEGALISED, more.Between(gathered + 1, opened_day + 1),
             kRecordedAtOpening);
      }
    }
    bool hearing = false;
    if (proceedings_at != 0) {  // filed, and often a hearing set some weeks ahead
      const int64_t day = FloorDiv(proceedings_at, kDay);
      step(v1::PROCEEDINGS_STAGE_FILED, std::max(opened_day, day - more.Between(0, 6)),
           kUpdateProceedings);
      if (more.Chance(0.6)) {
        step(v1::PROCEEDINGS_STAGE_HEARING, day + more.Between(14, 91), kUpdateProceedings);
        hearing = true;
      }
    }
    if (decision_at != 0) {  // the decision, the hearing before it, an appeal against a refusal
      const int64_t day = FloorDiv(decision_at, kDay);
      const bool appeal = decision == v1::RECOGNITION_DECISION_REFUSED && more.Chance(0.3);
      const int64_t decided =
          std::max(opened_day, day - more.Between(appeal ? 10 : 0, appeal ? 41 : 4));
      // A hearing set ahead that the decision came before: the decision was given at it.
      for (StepRec& s : steps) {
        if (s.stage == v1::PROCEEDINGS_STAGE_HEARING && s.day > decided) {
          s.day = static_cast<int32_t>(decided);
        }
      }
      if (!hearing && more.Chance(0.7)) {
        step(v1::PROCEEDINGS_STAGE_HEARING, std::max(opened_day, decided - more.Between(7, 61)),
             kUpdateDecision);
      }
      step(v1::PROCEEDINGS_STAGE_DECISION, decided, kUpdateDecision);
      if (appeal) {
        step(v1::PROCEEDINGS_STAGE_APPEAL, std::max(decided, day - more.Between(0, 6)),
             kUpdateDecision);
      }
    }
  }
  if (rng.Chance(divorce ? 0.15 : 0.35)) {  // the risk picture changes
    static constexpr std::array<v1::RiskFlag, 4> kLater = {
        v1::RISK_FLAG_PASSPORT_WITHHELD, v1::RISK_FLAG_HONOUR_VIOLENCE_THREAT,
        v1::RISK_FLAG_RESIDENCE_PERMIT_AT_RISK, v1::RISK_FLAG_PREGNANCY};
    Action a;
    a.at = active_at + static_cast<int64_t>(rng.Uniform(0.0, 0.8) * span);
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateFlags;
    a.flags = static_cast<uint16_t>(Bit(kLater[rng.Between(0, 4)]));  // toggled when applied
    add(a);
  }
  {
    Action a;
    a.at = resolved_at;
    a.type = v1::CASE_EVENT_TYPE_TRANSITIONED;
    a.to_status = v1::CASE_STATUS_RESOLVED;
    a.outcome = outcome;
    add(a);
  }
  int64_t closed_at = 0;
  if (rng.Chance(0.8)) {
    closed_at = resolved_at + rng.Between(5 * kDay, 60 * kDay);
    Action a;
    a.at = closed_at;
    a.type = v1::CASE_EVENT_TYPE_TRANSITIONED;
    a.to_status = v1::CASE_STATUS_CLOSED;
    add(a);
  }

  // Contacts with partners (or ad hoc), while the case is worked.
  struct PlannedContact {
    ContactRec rec;
    uint8_t first_purpose = 0;
  };
  std::vector<PlannedContact> planned;
  const int n_contacts = rng.Poisson(lambda_contacts_);
  static constexpr std::array<v1::ContactPurpose, 8> kPurposes = {
      v1::CONTACT_PURPOSE_LEGAL_ADVICE,  v1::CONTACT_PURPOSE_COURT_REPRESENTATION,
      v1::CONTACT_PURPOSE_SHELTER,       v1::CONTACT_PURPOSE_DOCUMENTS,
      v1::CONTACT_PURPOSE_MEDIATION,     v1::CONTACT_PURPOSE_MEDICAL,
      v1::CONTACT_PURPOSE_RETURN_TRAVEL, v1::CONTACT_PURPOSE_OTHER};
  const std::array<double, 8> purpose_weights =
      divorce ? std::array<double, 8>{38, 22, 2, 18, 10, 1, 0, 9}
              : std::array<double, 8>{10, 2, 18, 20, 10, 8, 25, 7};
  static constexpr std::array<v1::ContactChannel, 6> kChannels = {
      v1::CONTACT_CHANNEL_PHONE, v1::CONTACT_CHANNEL_EMAIL,  v1::CONTACT_CHANNEL_IN_PERSON,
      v1::CONTACT_CHANNEL_VIDEO, v1::CONTACT_CHANNEL_LETTER, v1::CONTACT_CHANNEL_MESSAGING};
  static constexpr std::array<v1::ContactOutcome, 6> kContactOutcomes = {
      v1::CONTACT_OUTCOME_HELP_AGREED, v1::CONTACT_OUTCOME_INFORMATION_RECEIVED,
      v1::CONTACT_OUTCOME_REFERRED_ON, v1::CONTACT_OUTCOME_DECLINED,
      v1::CONTACT_OUTCOME_NO_ANSWER,   v1::CONTACT_OUTCOME_PENDING};
  const int64_t workable_until = resolved_at;  // contacts are logged before resolution
  for (int i = 0; i < n_contacts; ++i) {
    PlannedContact p;
    ContactRec& k = p.rec;
    k.id = rng.NewUuid();
    k.case_index = index;
    k.created = rng.Between(opened + 60, std::max(opened + 120, workable_until));
    k.occurred = std::max(opened, k.created - rng.Between(0, 3 * kDay));
    const v1::ContactPurpose purpose = kPurposes[rng.Pick(purpose_weights)];
    p.first_purpose = static_cast<uint8_t>(purpose);
    k.purpose = p.first_purpose;
    if (rng.Chance(0.15)) {
      k.partner = -1;
      k.kind = v1::PARTNER_KIND_OTHER;
    } else {
      k.partner = PartnerFor(c.country, KindFor(purpose, rng), rng);
      k.kind = partners_[k.partner].kind;
    }
    k.channel =
        static_cast<uint8_t>(kChannels[rng.Pick(std::array<double, 6>{40, 20, 15, 5, 5, 15})]);
    k.direction = rng.Chance(0.7) ? v1::CONTACT_DIRECTION_OUTGOING : v1::CONTACT_DIRECTION_INCOMING;
    k.outcome = static_cast<uint8_t>(
        kContactOutcomes[rng.Pick(std::array<double, 6>{35, 25, 10, 8, 12, 10})]);
    k.note = rng.Chance(0.4);
    k.actor = c.lkha ? kLkha : kOfficer;
    k.actor_number = static_cast<uint8_t>(rng.Between(1, 9));
    k.updated = k.created;
    const uint32_t contact_index = static_cast<uint32_t>(planned.size());
    Action logged;
    logged.at = k.created;
    logged.type = v1::CASE_EVENT_TYPE_CONTACT_LOGGED;
    logged.contact = contact_index;
    add(logged);
    if (rng.Chance(0.1)) {
      Action update = logged;
      update.at = k.created + rng.Between(kHour, 10 * kDay);
      update.type = v1::CASE_EVENT_TYPE_CONTACT_UPDATED;
      uint8_t other = static_cast<uint8_t>(kPurposes[rng.Pick(purpose_weights)]);
      if (other == p.first_purpose) other = v1::CONTACT_PURPOSE_OTHER;
      update.purpose = other;
      if (closed_at == 0 || update.at < closed_at) add(update);
    }
    if (rng.Chance(0.35)) {
      k.due_day = FloorDiv(k.created, kDay) + rng.Between(3, 29);
      if (rng.Chance(0.6)) {
        Action done = logged;
        done.at = std::max(k.created + kHour, k.due_day * kDay + rng.Between(-3 * kDay, 5 * kDay));
        done.type = v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED;
        if (closed_at == 0 || done.at < closed_at) add(done);
      }
    }
    planned.push_back(p);
  }

  // Notes, while the case is open.
  const int n_notes = rng.Poisson(lambda_notes_);
  const int64_t notes_until = closed_at != 0 ? closed_at : resolved_at + 30 * kDay;
  for (int i = 0; i < n_notes; ++i) {
    Action a;
    a.at = rng.Between(opened + 60, std::max(opened + 120, notes_until));
    a.type = v1::CASE_EVENT_TYPE_NOTE_ADDED;
    add(a);
  }

  // The timeline as it happened up to the end of the data: replayed in time order.
  std::sort(actions.begin(), actions.end(), [](const Action& a, const Action& b) {
    return a.at != b.at ? a.at < b.at : a.order < b.order;
  });
  c.status = v1::CASE_STATUS_INTAKE;
  c.flags = flags;
  c.obstacles = obstacles;
  unsigned recorded = 0;  // the changes whose steps are recorded (RecordedBit)
  c.decision = v1::RECOGNITION_DECISION_UNSPECIFIED;
  c.outcome = v1::OUTCOME_UNSPECIFIED;
  c.version = 1;
  c.updated = opened;
  const uint32_t case_index = static_cast<uint32_t>(d->cases.size());
  std::vector<int64_t> contact_slot(planned.size(), -1);  // index into d->contacts once logged
  uint16_t sequence = 0;
  const uint8_t officer = static_cast<uint8_t>(rng.Between(1, 9));
  for (const Action& a : actions) {
    if (a.at >= kEnd) break;
    EventRec e;
    e.at = a.at;
    e.case_index = case_index;
    e.sequence = ++sequence;
    e.type = a.type;
    e.actor = c.lkha ? kLkha : kOfficer;
    e.actor_number = officer;
    switch (a.type) {
      case v1::CASE_EVENT_TYPE_CREATED:
        recorded |= RecordedBit(kRecordedAtOpening);
        break;
      case v1::CASE_EVENT_TYPE_TRANSITIONED:
        e.from_status = c.status;
        c.status = a.to_status;
        if (a.to_status == v1::CASE_STATUS_RESOLVED) {
          c.outcome = a.outcome;
          c.resolved = a.at;
        } else if (a.to_status == v1::CASE_STATUS_CLOSED) {
          c.closed = a.at;
          if (!c.lkha) e.actor = kManager;
        }
        ++c.version;
        c.updated = a.at;
        break;
      case v1::CASE_EVENT_TYPE_UPDATED:
        e.update = a.update;
        if (a.update == kUpdateFlags) c.flags ^= a.flags;
        if (a.update == kUpdateObstacles) c.obstacles |= a.obstacles;
        if (a.update == kUpdateDecision) c.decision = a.decision;
        if (a.update == kUpdateProceedings || a.update == kUpdateDecision) {
          recorded |= RecordedBit(a.update);
        }
        ++c.version;
        c.updated = a.at;
        break;
      case v1::CASE_EVENT_TYPE_NOTE_ADDED: {
        NoteRec note;
        note.id = rng.NewUuid();
        note.case_index = case_index;
        note.created = a.at;
        note.actor = e.actor;
        note.actor_number = officer;
        e.ref = static_cast<uint32_t>(d->notes.size());
        d->notes.push_back(note);
        break;
      }
      case v1::CASE_EVENT_TYPE_CONTACT_LOGGED: {
        ContactRec k = planned[a.contact].rec;
        k.case_index = case_index;
        k.purpose = planned[a.contact].first_purpose;
        contact_slot[a.contact] = static_cast<int64_t>(d->contacts.size());
        e.ref = static_cast<uint32_t>(d->contacts.size());
        e.actor_number = k.actor_number;
        e.contact_purpose = k.purpose;
        d->contacts.push_back(k);
        break;
      }
      case v1::CASE_EVENT_TYPE_CONTACT_UPDATED:
      case v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED: {
        ContactRec& k = d->contacts[static_cast<size_t>(contact_slot[a.contact])];
        if (a.type == v1::CASE_EVENT_TYPE_CONTACT_UPDATED) {
          k.purpose = a.purpose;
        } else {
          k.done = a.at;
          k.done_actor_number = officer;
        }
        ++k.version;
        k.updated = a.at;
        e.ref = static_cast<uint32_t>(contact_slot[a.contact]);
        e.contact_purpose = k.purpose;
        break;
      }
    }
    e.status = c.status;
    e.outcome = c.outcome;
    e.flags = c.flags;
    e.decision = c.decision;
    e.obstacles = c.obstacles;
    // The stages reached by the day the case was last written (its facts are those of that write).
    c.stage = FurthestStage(steps, recorded, FloorDiv(c.updated, kDay));
    e.stage = c.stage;
    e.version = c.version;
    d->events.push_back(e);
  }
  // The steps recorded by the end of the data, in the order of their days.
  std::stable_sort(steps.begin(), steps.end(),
                   [](const StepRec& a, const StepRec& b) { return a.day < b.day; });
  for (const StepRec& s : steps) {
    if ((recorded & RecordedBit(s.recorded_with)) != 0 && c.steps < kMaxSteps)
      c.step[c.steps++] = s;
  }
  d->cases.push_back(c);
}

}  // namespace consular::datagen::bulk

#include "tools/datagen/personal_parts.h"

#include <array>
#include <exception>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "absl/time/civil_time.h"
#include "consular/v1/cases.pb.h"
#include "google/protobuf/util/time_util.h"
#include "proto/dates.h"
#include "storage/case_facts.h"
#include "storage/case_sealing.h"
#include "tools/datagen/bulk_dates.h"
#include "tools/datagen/content.h"
#include "tools/datagen/row_encoders.h"
#include "tools/datagen/seeded_rng.h"
#include "tools/loadgen/case_content.h"

namespace consular::datagen::bulk {
namespace {

namespace v1 = consular::v1;

v1::Date DateOf(int64_t seconds) { return DateFromCivilDay(CivilOfDay(FloorDiv(seconds, kDay))); }

uint8_t AgeGroupIndex(const std::string& name) {
  for (size_t i = 0; i < kAgeGroups.size(); ++i) {
    if (name == kAgeGroups[i]) return static_cast<uint8_t>(i);
  }
  return kAgeUnknown;
}

// `n` children of the subject on an abandonment case, under 18 on `opened`.
void AddChildren(ContentRng& rng, int n, const v1::Date& opened, v1::Case* k) {
  Rng ids(rng());
  for (int i = 0; i < n; ++i) {
    v1::Person* child = k->add_persons();
    child->set_id(UuidText(ids.NewUuid()));
    child->set_role(v1::PERSON_ROLE_CHILD);
    child->set_full_name(FictionalName(
        rng, std::uniform_int_distribution<int>(0, 1)(rng) == 0 ? v1::SEX_FEMALE : v1::SEX_MALE));
    const absl::CivilDay born =
        ToCivilDay(opened) - std::uniform_int_distribution<int>(60, 17 * 365)(rng);
    *child->mutable_date_of_birth() = DateFromCivilDay(born);
    child->set_nationality(std::uniform_int_distribution<int>(0, 2)(rng) == 0 ? "Dutch"
                                                                              : "Dutch and other");
    child->set_with_subject(std::uniform_int_distribution<int>(0, 9)(rng) < 7);
  }
}

// The case `c` as its officer entered it (the loader's fictional content, tools/loadgen), agreeing
// with its clear columns: type, sex, nationality status, age group at opening, children, and for
// abandonment the children on the case and the return's funding, for divorce recognition the
// decision, obstacles and steps of the proceedings it ends with. Sets c->age_group and c->mother
// from storage::StatisticalFactsOf of the result (what the case service would store).
v1::Case PersonalCase(uint64_t seed, uint32_t index, const std::string& country, CaseRec* c) {
  ContentRng rng = ItemRng(seed ^ kPersonalSalt, index);
  const v1::Date today = DateOf(c->opened);
  const auto type = static_cast<v1::CaseType>(c->type);
  const auto sex = static_cast<v1::Sex>(c->sex);
  v1::Case k = loadgen::RandomCase(rng, country, today);
  // Prefer content drawn for the same sex (the given name fits); the type must match.
  for (int i = 0; i < 30 && (k.type() != type || k.subject().sex() != sex); ++i) {
    k = loadgen::RandomCase(rng, country, today);
  }
  while (k.type() != type) k = loadgen::RandomCase(rng, country, today);
  *k.mutable_opened_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(c->opened);
  *k.mutable_updated_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(c->updated);
  v1::Subject* subject = k.mutable_subject();
  if (subject->sex() != sex) {
    subject->set_sex(sex);
    subject->set_full_name(FictionalName(rng, sex));
  }
  subject->set_nationality_status(static_cast<v1::NationalityStatus>(c->nationality));
  subject->set_has_minor_children(sex == v1::SEX_FEMALE && c->mother);
  if (c->age_group == kAgeUnknown) {
    subject->clear_date_of_birth();
  } else {
    static constexpr std::array<std::array<int, 2>, 3> kAges = {{{12, 17}, {18, 23}, {24, 60}}};
    const auto& range = kAges[c->age_group];
    const int age = std::uniform_int_distribution<int>(range[0], range[1])(rng);
    const absl::CivilDay born = absl::CivilDay(today.year() - age, today.month(), today.day()) -
                                std::uniform_int_distribution<int>(1, 360)(rng);
    v1::Date* dob = subject->mutable_date_of_birth();
    dob->set_year(static_cast<int>(born.year()));
    dob->set_month(born.month());
    dob->set_day(born.day());
  }
  if (type == v1::CASE_TYPE_ABANDONMENT) {
    // A person resolved as returned came back on the day of resolution; others have no return.
    v1::AbandonmentDetails* a = k.mutable_abandonment();
    if (c->outcome == v1::OUTCOME_RETURNED_TO_NL) {
      *a->mutable_returned_on() = DateOf(c->resolved);
    } else {
      a->clear_returned_on();
    }
    k.clear_persons();
    AddChildren(rng, c->children, today, &k);
    a->clear_return_plan();
    if (c->funding != v1::RETURN_FUNDING_UNSPECIFIED) {
      v1::ReturnPlan* plan = a->mutable_return_plan();
      plan->set_funding(static_cast<v1::ReturnFunding>(c->funding));
      if (c->funding == v1::RETURN_FUNDING_CONSULAR_LOAN) {
        plan->set_loan_amount_cents(100 * std::uniform_int_distribution<int64_t>(250, 1800)(rng));
      }
      if (c->outcome == v1::OUTCOME_RETURNED_TO_NL) *plan->mutable_planned_on() = a->returned_on();
      plan->set_reception_arranged(std::uniform_int_distribution<int>(0, 3)(rng) != 0);
    }
  }
  if (type == v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) {
    v1::DivorceRecognitionDetails* d = k.mutable_divorce_recognition();
    d->clear_obstacles();
    for (int n = 1; n < 8; ++n) {
      if ((c->obstacles & (1u << n)) != 0)
        d->add_obstacles(static_cast<v1::RecognitionObstacle>(n));
    }
    if (c->decision != v1::RECOGNITION_DECISION_UNSPECIFIED) {
      d->set_proceedings_state(v1::PROCEEDINGS_STATE_DECIDED);
      d->set_decision(static_cast<v1::RecognitionDecision>(c->decision));
      *d->mutable_decided_on() = DateOf(c->resolved != 0 ? c->resolved : c->updated);
    } else {
      d->clear_decision();
      d->clear_decided_on();
      if (d->proceedings_state() == v1::PROCEEDINGS_STATE_DECIDED) {
        d->set_proceedings_state(v1::PROCEEDINGS_STATE_HEARING);
      }
    }
    d->clear_stages();
    for (uint8_t i = 0; i < c->steps; ++i) {
      v1::ProceedingsStep* step = d->add_stages();
      step->set_stage(static_cast<v1::ProceedingsStage>(c->step[i].stage));
      *step->mutable_on() = DateFromCivilDay(CivilOfDay(c->step[i].day));
    }
  }
  const storage::StatisticalFacts facts = storage::StatisticalFactsOf(k);
  c->age_group = AgeGroupIndex(facts.age_group);
  c->mother = facts.mother_with_minor_children;
  if (facts.recognition_decision != DecisionName(c->decision) ||
      facts.recognition_obstacles != NamesOf(c->obstacles, ObstacleName) ||
      facts.recognition_stage != StageName(c->stage) || facts.children != ChildrenName(*c) ||
      facts.return_funding != FundingName(c->funding)) {
    throw std::logic_error("generated content disagrees with the case's statistical facts");
  }
  return k;
}

}  // namespace

void SealPersonalParts(Data* d, const std::vector<CountryShare>& countries, int threads,
                       Sealed* sealed) {
  const size_t n = d->cases.size();
  sealed->personal.assign(n, std::string());
  sealed->name_index.assign(n, std::string());
  sealed->subject_indexes.assign(n, storage::SubjectIndexes());
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  const auto work = [&](int part) {
    try {
      for (size_t i = static_cast<size_t>(part); i < n; i += static_cast<size_t>(threads)) {
        CaseRec& c = d->cases[i];
        const v1::Case k =
            PersonalCase(sealed->seed, static_cast<uint32_t>(i), countries[c.country].country, &c);
        const std::string id = UuidText(c.id);
        sealed->personal[i] =
            sealed->cipher->Encrypt(storage::PersonalOf(k), storage::PersonalAd(id));
        sealed->name_index[i] = storage::NameIndexOf(sealed->blind_index, k);
        sealed->subject_indexes[i] = storage::SubjectIndexesOf(
            sealed->blind_index, k.subject().full_name(), k.subject().date_of_birth());
      }
    } catch (...) {
      errors[static_cast<size_t>(part)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace consular::datagen::bulk

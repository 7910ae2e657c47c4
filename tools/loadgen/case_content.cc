#include "tools/loadgen/case_content.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace consular::loadgen {
namespace {

namespace v1 = consular::v1;

struct CountryInfo {
  const char* country;
  const char* post;
  double weight;
  const char* dial_code;
  std::vector<const char*> regions;
};

const std::vector<CountryInfo>& Countries() {
  static const auto* const kCountries = new std::vector<CountryInfo>{
      {"MA", "RABAT", 30, "212", {"Nador", "Al Hoceima", "Tanger", "Casablanca", "Oujda"}},
      {"TR", "ANKARA", 20, "90", {"Konya", "Kayseri", "Yozgat", "Istanbul", "Afyon"}},
      {"EG", "CAIRO", 8, "20", {"Cairo", "Alexandria", "Asyut"}},
      {"PK", "ISLAMABAD", 8, "92", {"Punjab", "Khyber Pakhtunkhwa", "Sindh"}},
      {"IQ", "BAGHDAD", 6, "964", {"Erbil", "Baghdad", "Basra"}},
      {"SR", "PARAMARIBO", 5, "597", {"Paramaribo", "Wanica", "Nickerie"}},
      {"GH", "ACCRA", 4, "233", {"Greater Accra", "Ashanti", "Volta"}},
      {"NG", "ABUJA", 4, "234", {"Lagos", "Kano", "Enugu"}},
      {"IN", "NEW-DELHI", 4, "91", {"Punjab", "Gujarat", "Kerala"}},
      {"DZ", "ALGIERS", 3, "213", {"Oran", "Algiers", "Tizi Ouzou"}},
      {"TN", "TUNIS", 3, "216", {"Tunis", "Sfax", "Sousse"}},
      {"SA", "RIYADH", 2, "966", {"Riyadh", "Jeddah"}},
  };
  return *kCountries;
}

const CountryInfo* FindCountry(const std::string& country) {
  for (const CountryInfo& info : Countries()) {
    if (country == info.country) return &info;
  }
  return nullptr;
}

// Common given names: not identifying on their own.
constexpr const char* kFemaleNames[] = {"Amal",   "Nadia", "Samira", "Yasmina", "Fatima", "Leila",
                                        "Zeynep", "Elif",  "Ayesha", "Mariam",  "Noor",   "Hana",
                                        "Esra",   "Sanaa", "Imane",  "Priya",   "Abena",  "Chioma"};
constexpr const char* kMaleNames[] = {"Youssef", "Omar",  "Emre",  "Bilal", "Karim",
                                      "Hamza",   "Kwame", "Arjun", "Murat", "Tarik"};
// Family names are composed from these, so that no real person is named.
constexpr const char* kNamePrefixes[] = {"", "", "", "El ", "Al-", "Ben ", "Ait ", "Van "};
constexpr const char* kNameRoots[] = {"Kar", "Tal", "Mer", "Saf", "Dun", "Vor", "Zar",
                                      "Hel", "Qas", "Lum", "Bor", "Nes", "Riv", "Tem"};
constexpr const char* kNameEndings[] = {"ani", "ouri", "elik", "ami", "idi", "oz", "un", "essi"};

constexpr const char* kCourts[] = {"Rechtbank Den Haag", "Rechtbank Amsterdam",
                                   "Rechtbank Rotterdam", "Rechtbank Midden-Nederland",
                                   "Rechtbank Oost-Brabant"};

constexpr const char* kWishes[] = {
    "Wants to return to the Netherlands with her children.",
    "Wants to return before the residence permit expires.",
    "Wishes to stay for now but needs her passport back.",
    "Wants help to finish school in the Netherlands.",
    "Undecided; wants information about options first.",
};

constexpr const char* kContactTimes[] = {"Weekdays 10:00-12:00", "Mornings only",
                                         "Tuesday and Thursday after 14:00",
                                         "Only when she calls first", "Evenings after 21:00"};

constexpr const char* kCovertNotes[] = {
    "Use the code word agreed with the sister before discussing anything.",
    "Husband checks her phone; never leave voicemail.",
    "Meet only at the clinic, never at home.",
};

// Sentences of case notes: any case's, then those that fit only one type.
constexpr const char* kNoteSentences[] = {
    "Called the person on the safe channel; the person is well.",
    "No answer at the agreed time; will try again tomorrow.",
    "Family members visited the post asking about the case; nothing disclosed.",
    "Person asked what the post can and cannot do; explained.",
};
constexpr const char* kAbandonmentNoteSentences[] = {
    "Passport still held by the family; discussed an emergency travel document.",
    "Shelter confirmed a place from next week.",
    "Person asked for information about schooling for the children.",
    "Coordinated with LKHA about the travel arrangements.",
    "Person is not allowed to leave the house alone; next call in two days.",
};
constexpr const char* kDivorceNoteSentences[] = {
    "Received copies of the Dutch divorce judgment.",
    "Spoke with the lawyer about the next hearing.",
    "Local authority requested legalised documents.",
    "Civil registry still lists the marriage; lawyer to file for recognition.",
    "Apostille on the Dutch judgment arranged through the family in the Netherlands.",
};

constexpr const char* kUpdateReasons[] = {"New information from the person",
                                           "Corrected after a call with the family",
                                           "Update from the local lawyer", ""};
constexpr const char* kSafetyReasons[] = {"The person asked for other times",
                                          "Her situation at home changed",
                                          "Advice of the shelter"};
constexpr const char* kReasons[] = {
    "Intake complete; working the case.",       "Waiting for documents from the court.",
    "Person asked to pause contact for now.",   "Person can be reached again; resuming.",
    "Goal reached; closing out the case work.", "Person withdrew the request for assistance.",
};

template <typename T, size_t N>
const T& PickFrom(Rng& rng, const T (&items)[N]) {
  return items[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

int Uniform(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

bool Chance(Rng& rng, double p) { return std::bernoulli_distribution(p)(rng); }

absl::CivilDay ToCivil(const v1::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

v1::Date ToDate(absl::CivilDay day) {
  v1::Date date;
  date.set_year(static_cast<int>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

// `n` distinct values from lo..hi (n <= hi - lo + 1), in ascending order.
std::vector<int> DistinctValues(Rng& rng, int n, int lo, int hi) {
  std::set<int> values;
  while (static_cast<int>(values.size()) < n) values.insert(Uniform(rng, lo, hi));
  return {values.begin(), values.end()};
}

std::string RandomFullName(Rng& rng, v1::Sex sex) {
  const std::string given =
      sex == v1::SEX_MALE ? PickFrom(rng, kMaleNames) : PickFrom(rng, kFemaleNames);
  std::string family = absl::StrCat(PickFrom(rng, kNameRoots), PickFrom(rng, kNameEndings));
  return absl::StrCat(given, " ", PickFrom(rng, kNamePrefixes), family);
}

std::string RandomPhone(Rng& rng, const std::string& country) {
  const CountryInfo* info = FindCountry(country);
  std::string phone = absl::StrCat("+", info != nullptr ? info->dial_code : "1", " 6");
  for (int i = 0; i < 8; ++i) absl::StrAppend(&phone, i % 4 == 0 ? " " : "", Uniform(rng, 0, 9));
  return phone;
}

void FillAbandonment(Rng& rng, const std::string& country, absl::CivilDay today,
                     v1::AbandonmentDetails* a) {
  const absl::CivilDay left = today - Uniform(rng, 20, 3 * 365);
  *a->mutable_left_netherlands_on() = ToDate(left);
  *a->mutable_reported_on() = ToDate(left + Uniform(rng, 0, static_cast<int>(today - left)));
  const CountryInfo* info = FindCountry(country);
  if (info != nullptr) {
    a->set_region(info->regions[Uniform(rng, 0, static_cast<int>(info->regions.size()) - 1)]);
  }
  for (int doc : DistinctValues(rng, Uniform(rng, 0, 2), 1, 4)) {
    a->add_documents_withheld(static_cast<v1::WithheldDocument>(doc));
  }
  if (Chance(rng, 0.4)) {
    *a->mutable_residence_permit_expires_on() = ToDate(today + Uniform(rng, -365, 730));
    // A permit holder's kind decides how long she may stay abroad (the deadline list).
    a->set_residence_permit_kind(static_cast<v1::PermitKind>(Uniform(rng, 1, 6)));
  }
  a->set_person_wishes(PickFrom(rng, kWishes));
  a->set_emergency_travel_document_issued(Chance(rng, 0.1));
  if (Chance(rng, 0.3)) {
    // Some people are already back when their case is registered or worked.
    *a->mutable_returned_on() = ToDate(left + Uniform(rng, 0, static_cast<int>(today - left)));
  }
}

void FillDivorceRecognition(Rng& rng, absl::CivilDay today, v1::DivorceRecognitionDetails* d) {
  const absl::CivilDay divorced = today - Uniform(rng, 60, 5 * 365);
  *d->mutable_dutch_divorce_on() = ToDate(divorced);
  d->set_dutch_court(PickFrom(rng, kCourts));
  const auto state = static_cast<v1::ProceedingsState>(Uniform(rng, 1, 4));
  d->set_proceedings_state(state);
  for (int obstacle : DistinctValues(rng, Uniform(rng, 0, 2), 1, 6)) {
    d->add_obstacles(static_cast<v1::RecognitionObstacle>(obstacle));
    if (obstacle == v1::RECOGNITION_OBSTACLE_OTHER) {
      d->set_obstacle_note("the registry asks for a certificate no Dutch authority issues");
    }
  }
  // The steps so far, in order of their days between the divorce and today; a hearing may be
  // scheduled ahead.
  const int span = static_cast<int>(today - divorced);
  v1::ProceedingsStep* gathered = d->add_stages();
  gathered->set_stage(v1::PROCEEDINGS_STAGE_DOCUMENTS_GATHERED);
  *gathered->mutable_on() = ToDate(divorced + Uniform(rng, 0, span / 2));
  if (state != v1::PROCEEDINGS_STATE_NOT_STARTED) {
    v1::ProceedingsStep* filed = d->add_stages();
    filed->set_stage(v1::PROCEEDINGS_STAGE_FILED);
    *filed->mutable_on() = ToDate(divorced + span / 2 + Uniform(rng, 0, span / 2));
    d->set_foreign_court("Tribunal de première instance");
    d->set_foreign_case_number(absl::StrCat(Uniform(rng, 1, 9999), "/", Uniform(rng, 2020, 2026)));
  }
  if (state == v1::PROCEEDINGS_STATE_HEARING) {
    v1::ProceedingsStep* hearing = d->add_stages();
    hearing->set_stage(v1::PROCEEDINGS_STAGE_HEARING);
    *hearing->mutable_on() = ToDate(today + Uniform(rng, 1, 120));
  }
  if (state == v1::PROCEEDINGS_STATE_DECIDED) {
    d->set_decision(Chance(rng, 0.6) ? v1::RECOGNITION_DECISION_GRANTED
                                     : v1::RECOGNITION_DECISION_REFUSED);
    *d->mutable_decided_on() =
        ToDate(divorced + Uniform(rng, 0, static_cast<int>(today - divorced)));
  }
}

}  // namespace

std::vector<CountryWeight> DefaultCountryWeights() {
  std::vector<CountryWeight> weights;
  for (const CountryInfo& info : Countries()) weights.push_back({info.country, info.weight});
  return weights;
}

std::string PostFor(const std::string& country) {
  const CountryInfo* info = FindCountry(country);
  return info != nullptr ? info->post : absl::StrCat("POST-", country);
}

const std::string& PickCountry(Rng& rng, const std::vector<CountryWeight>& countries) {
  std::vector<double> weights;
  weights.reserve(countries.size());
  for (const CountryWeight& c : countries) weights.push_back(c.weight);
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  return countries[pick(rng)].country;
}

v1::Case RandomCase(Rng& rng, const std::string& country, const v1::Date& today_date) {
  const absl::CivilDay today = ToCivil(today_date);
  v1::Case c;
  c.set_type(Chance(rng, 0.6) ? v1::CASE_TYPE_ABANDONMENT
                              : v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  c.set_country(country);

  v1::Subject* subject = c.mutable_subject();
  const int sex_roll = Uniform(rng, 1, 100);
  const v1::Sex sex = sex_roll <= 82   ? v1::SEX_FEMALE
                      : sex_roll <= 96 ? v1::SEX_MALE
                      : sex_roll <= 98 ? v1::SEX_X
                                       : v1::SEX_UNKNOWN;
  subject->set_sex(sex);
  subject->set_full_name(RandomFullName(rng, sex));
  if (Chance(rng, 0.85)) {
    // Ages 14 to 60 (abandonment) or 21 to 60 (divorce); always born before anything else dated.
    const int min_age = c.type() == v1::CASE_TYPE_ABANDONMENT ? 14 : 21;
    const absl::CivilDay born = today - Uniform(rng, min_age * 365 + 1, 60 * 365);
    *subject->mutable_date_of_birth() = ToDate(born);
  }
  subject->set_nationality_status(static_cast<v1::NationalityStatus>(Uniform(rng, 1, 3)));
  subject->set_has_minor_children(sex == v1::SEX_FEMALE && Chance(rng, 0.45));

  for (int flag : DistinctValues(rng, Uniform(rng, 0, 3), 1, 9)) {
    c.add_risk_flags(static_cast<v1::RiskFlag>(flag));
  }
  c.set_referral_source(static_cast<v1::ReferralSource>(Uniform(rng, 1, 8)));

  if (c.type() == v1::CASE_TYPE_ABANDONMENT) {
    FillAbandonment(rng, country, today, c.mutable_abandonment());
  } else {
    FillDivorceRecognition(rng, today, c.mutable_divorce_recognition());
  }

  if (Chance(rng, 0.7)) {
    v1::Safety* safety = c.mutable_safety();
    safety->set_safe_contact_channel(RandomPhone(rng, country));
    safety->set_safe_contact_times(PickFrom(rng, kContactTimes));
    safety->set_do_not_contact_family(Chance(rng, 0.6));
    if (Chance(rng, 0.3)) safety->set_covert_notes(PickFrom(rng, kCovertNotes));
  }
  return c;
}

void RandomUpdate(Rng& rng, v1::CaseType type, v1::Case* patch, google::protobuf::FieldMask* mask,
                  std::string* reason) {
  *reason = PickFrom(rng, kUpdateReasons);
  switch (Uniform(rng, 0, 4)) {
    case 0:
      patch->mutable_safety()->set_safe_contact_times(PickFrom(rng, kContactTimes));
      mask->add_paths("safety.safe_contact_times");
      *reason = PickFrom(rng, kSafetyReasons);
      return;
    case 1:
      for (int flag : DistinctValues(rng, Uniform(rng, 1, 3), 1, 9)) {
        patch->add_risk_flags(static_cast<v1::RiskFlag>(flag));
      }
      mask->add_paths("risk_flags");
      return;
    case 2:
      patch->mutable_subject()->set_has_minor_children(Chance(rng, 0.5));
      mask->add_paths("subject.has_minor_children");
      return;
    case 3:
      patch->set_referral_source(static_cast<v1::ReferralSource>(Uniform(rng, 1, 8)));
      mask->add_paths("referral_source");
      return;
    default:
      if (type == v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) {
        // Not DECIDED: that would need a decision and its date as well.
        patch->mutable_divorce_recognition()->set_proceedings_state(
            static_cast<v1::ProceedingsState>(Uniform(rng, 1, 3)));
        mask->add_paths("divorce_recognition.proceedings_state");
      } else {
        patch->mutable_abandonment()->set_person_wishes(PickFrom(rng, kWishes));
        mask->add_paths("abandonment.person_wishes");
      }
      return;
  }
}

std::string RandomNoteText(Rng& rng, v1::CaseType type) {
  const auto sentence = [&rng, type]() -> std::string {
    if (Chance(rng, 0.3)) return PickFrom(rng, kNoteSentences);
    return type == v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION
               ? PickFrom(rng, kDivorceNoteSentences)
               : PickFrom(rng, kAbandonmentNoteSentences);
  };
  std::string text = sentence();
  const int more = Uniform(rng, 0, 2);
  for (int i = 0; i < more; ++i) {
    const std::string next = sentence();
    if (text.find(next) == std::string::npos) absl::StrAppend(&text, " ", next);
  }
  return text;
}

std::string RandomTransitionReason(Rng& rng) { return PickFrom(rng, kReasons); }

v1::CaseStatus OfficerTransitionTarget(Rng& rng, v1::CaseStatus from) {
  switch (from) {
    case v1::CASE_STATUS_INTAKE:
      return v1::CASE_STATUS_ACTIVE;
    case v1::CASE_STATUS_ACTIVE:
      return Chance(rng, 0.7) ? v1::CASE_STATUS_ON_HOLD : v1::CASE_STATUS_RESOLVED;
    case v1::CASE_STATUS_ON_HOLD:
      return v1::CASE_STATUS_ACTIVE;
    default:
      return v1::CASE_STATUS_UNSPECIFIED;
  }
}

v1::Outcome RandomOutcome(Rng& rng, v1::CaseType type, v1::RecognitionDecision decision,
                          bool details_known, bool returned) {
  static constexpr v1::Outcome kAbandonment[] = {
      v1::OUTCOME_STAYED_BY_OWN_CHOICE, v1::OUTCOME_RETURN_NOT_POSSIBLE, v1::OUTCOME_CONTACT_LOST,
      v1::OUTCOME_REFERRED_ELSEWHERE, v1::OUTCOME_WITHDRAWN};
  static constexpr v1::Outcome kDivorce[] = {
      v1::OUTCOME_RECOGNISED, v1::OUTCOME_REFUSED, v1::OUTCOME_ALTERNATIVE_SOLUTION,
      v1::OUTCOME_PROCEEDINGS_ABANDONED, v1::OUTCOME_WITHDRAWN};
  if (type == v1::CASE_TYPE_ABANDONMENT) {
    // Most people who came back are resolved as returned; only they can be (CaseService needs
    // the return date).
    if (details_known && returned && Chance(rng, 0.9)) return v1::OUTCOME_RETURNED_TO_NL;
    return PickFrom(rng, kAbandonment);
  }
  // The outcome agrees with the foreign decision (CaseService refuses a contradiction).
  for (;;) {
    const v1::Outcome outcome = PickFrom(rng, kDivorce);
    const bool decided =
        outcome == v1::OUTCOME_RECOGNISED || outcome == v1::OUTCOME_REFUSED;
    if (!decided) return outcome;
    if (!details_known) continue;
    if (outcome == v1::OUTCOME_RECOGNISED && decision == v1::RECOGNITION_DECISION_REFUSED) continue;
    if (outcome == v1::OUTCOME_REFUSED && decision == v1::RECOGNITION_DECISION_GRANTED) continue;
    return outcome;
  }
}

v1::GetCountryStatisticsRequest RandomStatisticsRequest(Rng& rng,
                                                        const std::vector<CountryWeight>& countries,
                                                        const v1::Date& today) {
  v1::GetCountryStatisticsRequest request;
  request.set_country(PickCountry(rng, countries));
  const int year = today.year() - Uniform(rng, 0, 4);
  if (Chance(rng, 0.7)) {
    request.mutable_period()->set_year(year);
  } else {
    const int current_quarter = (today.month() - 1) / 3 + 1;
    v1::Quarter* quarter = request.mutable_period()->mutable_quarter();
    quarter->set_year(year);
    quarter->set_quarter(Uniform(rng, 1, year == today.year() ? current_quarter : 4));
  }
  if (Chance(rng, 0.5)) {
    for (int dimension : DistinctValues(rng, Uniform(rng, 1, 3), 1, 14)) {
      request.add_dimensions(static_cast<v1::Dimension>(dimension));
    }
  }
  request.set_round_to_base5(Chance(rng, 0.2));
  return request;
}

}  // namespace consular::loadgen

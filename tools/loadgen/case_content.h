#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "consular/v1/cases.pb.h"
#include "consular/v1/statistics.pb.h"
#include "google/protobuf/field_mask.pb.h"

// Realistic random content for the load generator's requests. Every person is fictional: given
// names are common ones, family names are composed from syllables, phone numbers are random
// digits. Everything generated passes the services' field validation.
namespace consular::loadgen {

using Rng = std::mt19937_64;

// A country of focus, how much of the load it gets, and the post (embassy) handling its cases.
struct CountryWeight {
  std::string country;  // ISO 3166-1 alpha-2, not NL
  double weight = 1;    // > 0, relative
};

// The default countries of focus and their weights, roughly as cases are spread in practice:
// MA, TR, EG, PK, IQ, SR, GH, NG, IN, DZ, TN, SA.
std::vector<CountryWeight> DefaultCountryWeights();

// The post handling cases in `country`: the embassy's post code ("RABAT" for MA), or
// "POST-<country>" for a country without a known post.
std::string PostFor(const std::string& country);

// A country drawn from `countries` in proportion to the weights (which must not be empty).
const std::string& PickCountry(Rng& rng, const std::vector<CountryWeight>& countries);

// The content of a new case in `country`, either type (about 60% abandonment), with a subject,
// risk flags, referral source, type details and, usually, safety information. Dates lie on or
// before `today` (except a residence permit's expiry) and in a valid order.
consular::v1::Case RandomCase(Rng& rng, const std::string& country,
                              const consular::v1::Date& today);

// A change an officer makes to a case of `type`: sets the fields in `patch` (not its id) and
// names them in `mask` (one updatable path: safety.safe_contact_times, risk_flags,
// subject.has_minor_children, referral_source, abandonment.person_wishes or
// divorce_recognition.proceedings_state), and says why in `reason` (a safety change needs one).
void RandomUpdate(Rng& rng, consular::v1::CaseType type, consular::v1::Case* patch,
                  google::protobuf::FieldMask* mask, std::string* reason);

// The text of a case note on a case of `type` (one to three different sentences, each about any
// case or about that type: a divorce judgment is not mentioned on an abandonment case).
std::string RandomNoteText(Rng& rng, consular::v1::CaseType type);

// A reason for a status change.
std::string RandomTransitionReason(Rng& rng);

// Where an officer moves a case in `from`: INTAKE -> ACTIVE; ACTIVE -> ON_HOLD (70%) or RESOLVED;
// ON_HOLD -> ACTIVE. CASE_STATUS_UNSPECIFIED for RESOLVED and CLOSED, which only a post manager
// may move on.
consular::v1::CaseStatus OfficerTransitionTarget(Rng& rng, consular::v1::CaseStatus from);

// An outcome for resolving a case of `type` that agrees with what is known of it
// (`details_known`: its details were read): RETURNED_TO_NL only when it has a return date
// (`returned`), a divorce case's outcome agrees with its foreign decision, and without the details
// neither RETURNED_TO_NL, RECOGNISED nor REFUSED.
consular::v1::Outcome RandomOutcome(Rng& rng, consular::v1::CaseType type,
                                    consular::v1::RecognitionDecision decision, bool details_known,
                                    bool returned);

// A statistics query a policy officer makes: a country from `countries`, a recent year (70%) or
// quarter up to `today`, every dimension (50%) or one to three, sometimes rounded to base 5.
consular::v1::GetCountryStatisticsRequest RandomStatisticsRequest(
    Rng& rng, const std::vector<CountryWeight>& countries, const consular::v1::Date& today);

}  // namespace consular::loadgen

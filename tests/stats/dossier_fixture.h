#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "consular/v1/statistics.pb.h"

namespace consular::stats {

// A realistic, disclosure-protected dossier for Morocco ("MA"), calendar year 2025, threshold 5,
// not rounded. The figures are consistent with each other: every breakdown of a measure adds up
// to its total (except the RISK_FLAG and RECOGNITION_OBSTACLE ones, where a case counts under
// several categories; the RECOGNITION_* ones divide the divorce-recognition cases opened, CHILDREN
// the abandonment cases opened, RETURN_FUNDING the cases resolved as returned), and wherever one
// count from 1 to 4 is suppressed a second figure is suppressed with it so that it cannot be
// recomputed from the total.
//
// What a test can rely on:
//   - every dimension of CASES_OPENED, CASES_RESOLVED (CASE_TYPE, OUTCOME, MONTH, RETURN_FUNDING),
//     CASES_UNRESOLVED (CASE_TYPE) and CONTACTS (PARTNER_KIND, CONTACT_PURPOSE) is present;
//   - AGE_GROUP: MINOR suppressed, YOUNG_ADULT 9, ADULT 21, UNKNOWN suppressed (total 35);
//   - OUTCOME: 6 of the 10 outcomes are non-zero or suppressed (3 suppressed);
//   - RECOGNITION_DECISION: GRANTED and UNSPECIFIED suppressed, REFUSED 6 (total 14);
//   - CHILDREN: NONE 8, ONE 6, TWO and THREE_OR_MORE suppressed (total 21, the abandonment cases);
//   - RECOGNITION_STAGE: FILED 5, DECISION 6, DOCUMENTS_LEGALISED and HEARING suppressed (14);
//   - RETURN_FUNDING: FAMILY 5, OWN_MEANS and CONSULAR_LOAN suppressed (total 9, the returns);
//   - PARTNER_KIND: 6 kinds, LOCAL_AUTHORITY and OTHER suppressed, MEDICAL 0 (total 58);
//   - history: ten years 2016..2025 (20 bars), some suppressed;
//   - three talks, oldest first, with an '&' in a summary; no URL anywhere.
// Suppressed figures carry no value (0), as the service sends them.
inline consular::v1::CountryDossier MakeFixtureDossier() {
  using consular::v1::Breakdown;
  using consular::v1::Figure;

  // A published figure, or a suppressed one for a negative argument.
  auto figure = [](int64_t value) {
    Figure f;
    if (value < 0) {
      f.set_suppressed(true);
    } else {
      f.set_value(value);
    }
    return f;
  };
  constexpr int64_t kSuppressed = -1;

  consular::v1::CountryDossier dossier;
  dossier.set_country("MA");
  dossier.mutable_generated_at()->set_seconds(1770113700);  // 2026-02-03T10:15:00Z

  consular::v1::CountryStatistics* s = dossier.mutable_statistics();
  s->set_country("MA");
  s->mutable_period()->set_year(2025);
  s->set_threshold(5);
  s->set_definition_version("2");
  s->set_rounded_to_base5(false);
  s->mutable_as_of()->set_seconds(1770113688);  // 12 s before generated_at
  s->mutable_lag()->set_seconds(12);
  *s->mutable_cases_opened() = figure(35);
  *s->mutable_cases_resolved() = figure(24);
  *s->mutable_cases_unresolved() = figure(30);
  *s->mutable_contacts() = figure(58);
  *s->mutable_median_days_to_resolution() = figure(74);

  auto add = [&](consular::v1::Measure measure, consular::v1::Dimension dimension,
                 const std::vector<std::pair<std::string, int64_t>>& cells, int64_t total) {
    Breakdown* b = s->add_breakdowns();
    b->set_measure(measure);
    b->set_dimension(dimension);
    for (const auto& [category, value] : cells) {
      consular::v1::Cell* cell = b->add_cells();
      cell->set_category(category);
      *cell->mutable_figure() = figure(value);
    }
    *b->mutable_total() = figure(total);
  };
  const auto kOpened = consular::v1::MEASURE_CASES_OPENED;
  const auto kResolved = consular::v1::MEASURE_CASES_RESOLVED;

  add(kOpened, consular::v1::DIMENSION_CASE_TYPE,
      {{"CASE_TYPE_ABANDONMENT", 21}, {"CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION", 14}}, 35);
  add(kOpened, consular::v1::DIMENSION_STATUS,
      {{"CASE_STATUS_INTAKE", kSuppressed},
       {"CASE_STATUS_ACTIVE", 12},
       {"CASE_STATUS_ON_HOLD", kSuppressed},
       {"CASE_STATUS_RESOLVED", 6},
       {"CASE_STATUS_CLOSED", 12}},
      35);
  add(kOpened, consular::v1::DIMENSION_AGE_GROUP,
      {{"AGE_GROUP_MINOR", kSuppressed},
       {"AGE_GROUP_YOUNG_ADULT", 9},
       {"AGE_GROUP_ADULT", 21},
       {"AGE_GROUP_UNKNOWN", kSuppressed}},
      35);
  add(kOpened, consular::v1::DIMENSION_MOTHER_WITH_MINOR_CHILDREN, {{"YES", 11}, {"NO", 24}}, 35);
  add(kOpened, consular::v1::DIMENSION_SEX,
      {{"SEX_FEMALE", 29}, {"SEX_MALE", 6}, {"SEX_X", 0}, {"SEX_UNKNOWN", 0}}, 35);
  add(kOpened, consular::v1::DIMENSION_NATIONALITY_STATUS,
      {{"NATIONALITY_STATUS_DUTCH_ONLY", kSuppressed},
       {"NATIONALITY_STATUS_DUAL", 24},
       {"NATIONALITY_STATUS_RESIDENCE_PERMIT", kSuppressed}},
      35);
  add(kOpened, consular::v1::DIMENSION_REFERRAL_SOURCE,
      {{"REFERRAL_SOURCE_SELF", 7},
       {"REFERRAL_SOURCE_FAMILY", 10},
       {"REFERRAL_SOURCE_LKHA", 6},
       {"REFERRAL_SOURCE_SCHOOL", 0},
       {"REFERRAL_SOURCE_POLICE", 0},
       {"REFERRAL_SOURCE_NGO", 5},
       {"REFERRAL_SOURCE_OTHER_POST", kSuppressed},
       {"REFERRAL_SOURCE_OTHER", kSuppressed}},
      35);
  add(kOpened, consular::v1::DIMENSION_RISK_FLAG,
      {{"RISK_FLAG_FORCED_MARRIAGE", 9},
       {"RISK_FLAG_MARITAL_CAPTIVITY", 12},
       {"RISK_FLAG_MINOR_INVOLVED", kSuppressed},
       {"RISK_FLAG_CHILDREN_WITH_PERSON", 11},
       {"RISK_FLAG_PASSPORT_WITHHELD", 15},
       {"RISK_FLAG_RESIDENCE_PERMIT_AT_RISK", 6},
       {"RISK_FLAG_HONOUR_VIOLENCE_THREAT", kSuppressed},
       {"RISK_FLAG_FGM_RISK", 0},
       {"RISK_FLAG_PREGNANCY", kSuppressed}},
      35);
  add(kOpened, consular::v1::DIMENSION_MONTH,
      {{"2025-01", kSuppressed},
       {"2025-02", kSuppressed},
       {"2025-03", kSuppressed},
       {"2025-04", kSuppressed},
       {"2025-05", 5},
       {"2025-06", kSuppressed},
       {"2025-07", 6},
       {"2025-08", kSuppressed},
       {"2025-09", kSuppressed},
       {"2025-10", kSuppressed},
       {"2025-11", kSuppressed},
       {"2025-12", kSuppressed}},
      35);
  add(kOpened, consular::v1::DIMENSION_RECOGNITION_DECISION,
      {{"RECOGNITION_DECISION_UNSPECIFIED", kSuppressed},
       {"RECOGNITION_DECISION_GRANTED", kSuppressed},
       {"RECOGNITION_DECISION_REFUSED", 6}},
      14);
  add(kOpened, consular::v1::DIMENSION_RECOGNITION_OBSTACLE,
      {{"RECOGNITION_OBSTACLE_SPOUSE_CONSENT_DEMANDED", 8},
       {"RECOGNITION_OBSTACLE_RELIGIOUS_DIVORCE_DEMANDED", 7},
       {"RECOGNITION_OBSTACLE_DOCUMENT_LEGALISATION", 5},
       {"RECOGNITION_OBSTACLE_COST", kSuppressed},
       {"RECOGNITION_OBSTACLE_NO_LAWYER_AVAILABLE", 0},
       {"RECOGNITION_OBSTACLE_OTHER", kSuppressed}},
      14);
  add(kOpened, consular::v1::DIMENSION_CHILDREN,
      {{"CHILDREN_NONE", 8},
       {"CHILDREN_ONE", 6},
       {"CHILDREN_TWO", kSuppressed},
       {"CHILDREN_THREE_OR_MORE", kSuppressed},
       {"CHILDREN_UNKNOWN", 0}},
      21);
  add(kOpened, consular::v1::DIMENSION_RECOGNITION_STAGE,
      {{"PROCEEDINGS_STAGE_DOCUMENTS_GATHERED", 0},
       {"PROCEEDINGS_STAGE_DOCUMENTS_LEGALISED", kSuppressed},
       {"PROCEEDINGS_STAGE_FILED", 5},
       {"PROCEEDINGS_STAGE_HEARING", kSuppressed},
       {"PROCEEDINGS_STAGE_DECISION", 6},
       {"PROCEEDINGS_STAGE_APPEAL", 0},
       {"PROCEEDINGS_STAGE_UNSPECIFIED", 0}},
      14);

  add(kResolved, consular::v1::DIMENSION_CASE_TYPE,
      {{"CASE_TYPE_ABANDONMENT", 16}, {"CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION", 8}}, 24);
  add(kResolved, consular::v1::DIMENSION_OUTCOME,
      {{"OUTCOME_RETURNED_TO_NL", 9},
       {"OUTCOME_STAYED_BY_OWN_CHOICE", kSuppressed},
       {"OUTCOME_RETURN_NOT_POSSIBLE", 0},
       {"OUTCOME_CONTACT_LOST", kSuppressed},
       {"OUTCOME_REFERRED_ELSEWHERE", 0},
       {"OUTCOME_WITHDRAWN", kSuppressed},
       {"OUTCOME_RECOGNISED", 5},
       {"OUTCOME_REFUSED", kSuppressed},
       {"OUTCOME_ALTERNATIVE_SOLUTION", 0},
       {"OUTCOME_PROCEEDINGS_ABANDONED", 0}},
      24);
  add(kResolved, consular::v1::DIMENSION_MONTH,
      {{"2025-01", kSuppressed},
       {"2025-02", kSuppressed},
       {"2025-03", kSuppressed},
       {"2025-04", kSuppressed},
       {"2025-05", kSuppressed},
       {"2025-06", kSuppressed},
       {"2025-07", kSuppressed},
       {"2025-08", kSuppressed},
       {"2025-09", kSuppressed},
       {"2025-10", kSuppressed},
       {"2025-11", kSuppressed},
       {"2025-12", kSuppressed}},
      24);
  add(kResolved, consular::v1::DIMENSION_RETURN_FUNDING,
      {{"RETURN_FUNDING_OWN_MEANS", kSuppressed},
       {"RETURN_FUNDING_FAMILY", 5},
       {"RETURN_FUNDING_CONSULAR_LOAN", kSuppressed},
       {"RETURN_FUNDING_OTHER", 0},
       {"RETURN_FUNDING_UNSPECIFIED", 0}},
      9);
  add(consular::v1::MEASURE_CASES_UNRESOLVED, consular::v1::DIMENSION_CASE_TYPE,
      {{"CASE_TYPE_ABANDONMENT", 17}, {"CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION", 13}}, 30);
  add(consular::v1::MEASURE_CONTACTS, consular::v1::DIMENSION_PARTNER_KIND,
      {{"PARTNER_KIND_LAWYER", 21},
       {"PARTNER_KIND_AID_ORGANISATION", 14},
       {"PARTNER_KIND_SHELTER", 9},
       {"PARTNER_KIND_LOCAL_AUTHORITY", kSuppressed},
       {"PARTNER_KIND_MEDICAL", 0},
       {"PARTNER_KIND_OTHER", kSuppressed}},
      58);
  add(consular::v1::MEASURE_CONTACTS, consular::v1::DIMENSION_CONTACT_PURPOSE,
      {{"CONTACT_PURPOSE_LEGAL_ADVICE", 18},
       {"CONTACT_PURPOSE_COURT_REPRESENTATION", 7},
       {"CONTACT_PURPOSE_SHELTER", 9},
       {"CONTACT_PURPOSE_DOCUMENTS", 11},
       {"CONTACT_PURPOSE_MEDIATION", kSuppressed},
       {"CONTACT_PURPOSE_MEDICAL", 0},
       {"CONTACT_PURPOSE_RETURN_TRAVEL", 8},
       {"CONTACT_PURPOSE_OTHER", kSuppressed}},
      58);

  // Cases opened per year: {year, abandonment, divorce recognition, total}.
  const int64_t kHistory[][4] = {
      {2016, kSuppressed, kSuppressed, 6},
      {2017, 9, 0, 9},
      {2018, 11, 5, 16},
      {2019, 12, 7, 19},
      {2020, kSuppressed, kSuppressed, 9},
      {2021, 14, 8, 22},
      {2022, 17, 9, 26},
      {2023, 19, 12, 31},
      {2024, 23, 10, 33},
      {2025, 21, 14, 35},
  };
  for (const auto& row : kHistory) {
    consular::v1::YearByType* year = dossier.add_history();
    year->set_year(static_cast<int32_t>(row[0]));
    *year->mutable_abandonment() = figure(row[1]);
    *year->mutable_divorce_recognition() = figure(row[2]);
    *year->mutable_total() = figure(row[3]);
  }

  auto add_talk = [&](const std::string& id, int y, int m, int d, consular::v1::TalkLevel level,
                      std::vector<consular::v1::TalkTopic> topics, const std::string& summary,
                      const std::string& outcome, const std::string& follow_up, int due_y,
                      int due_m, int due_d, int64_t recorded_at) {
    consular::v1::Talk* talk = dossier.add_talks();
    talk->set_id(id);
    talk->set_country("MA");
    talk->mutable_held_on()->set_year(y);
    talk->mutable_held_on()->set_month(m);
    talk->mutable_held_on()->set_day(d);
    talk->set_level(level);
    for (consular::v1::TalkTopic topic : topics) talk->add_topics(topic);
    talk->set_summary(summary);
    talk->set_outcome(outcome);
    talk->set_follow_up(follow_up);
    if (due_y != 0) {
      talk->mutable_follow_up_due()->set_year(due_y);
      talk->mutable_follow_up_due()->set_month(due_m);
      talk->mutable_follow_up_due()->set_day(due_d);
    }
    talk->set_recorded_by("policy-officer-7");
    talk->mutable_recorded_at()->set_seconds(recorded_at);
  };
  add_talk("5f0c2a7e-3b1d-4c8e-9a51-0d2f6b7c8e91", 2024, 5, 14, consular::v1::TALK_LEVEL_AMBASSADOR,
           {consular::v1::TALK_TOPIC_ABANDONMENT, consular::v1::TALK_TOPIC_CONSULAR_ACCESS},
           "Meeting with the Director of Consular Affairs on consular access to Dutch nationals "
           "held back by family. Agreed a contact point & an escalation route for urgent cases.",
           "The ministry named a contact point for urgent cases.",
           "Send the ministry our list of open questions.", 2024, 6, 30, 1715760000);
  add_talk(
      "a3e9d0c4-71f2-4b6a-8d3e-5c1b2a9f0e47", 2025, 2, 3, consular::v1::TALK_LEVEL_OFFICIAL,
      {consular::v1::TALK_TOPIC_DIVORCE_RECOGNITION, consular::v1::TALK_TOPIC_DUAL_NATIONALITY},
      "Working-level talks at the Ministry of Justice on the recognition of Dutch divorce "
      "judgments.\nThe ministry explained the requirement of a religious divorce.",
      "", "", 0, 0, 0, 1738670000);
  add_talk("c81b7f25-0e4a-4d9c-b6f3-29a7e5d1c0b8", 2025, 11, 20,
           consular::v1::TALK_LEVEL_MINISTERIAL,
           {consular::v1::TALK_TOPIC_FORCED_MARRIAGE, consular::v1::TALK_TOPIC_CHILD_PROTECTION,
            consular::v1::TALK_TOPIC_DIVORCE_RECOGNITION},
           "Ministerial meeting: forced marriage, child protection and the recognition of "
           "foreign divorces, with the figures for 2025 so far.",
           "A joint working group will meet every quarter.",
           "Prepare the figures for the working group's first meeting.", 2026, 3, 1, 1763740000);
  return dossier;
}

}  // namespace consular::stats

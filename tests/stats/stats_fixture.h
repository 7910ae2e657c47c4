#pragma once

// Cases and contacts written through the real case and contact use cases (CaseManager,
// ContactsManager) at chosen times, for the statistics tests.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/cases/case_manager.h"
#include "services/contacts/contacts_manager.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::stats::testing {

using consular::v1::Case;
using consular::v1::Contact;

inline const Identity kRabatOfficer{"officer-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
inline const Identity kRabatManager{"manager-rabat", consular::v1::ROLE_POST_MANAGER, "RABAT"};

// What a test case is like.
struct CaseSpec {
  consular::v1::CaseType type = consular::v1::CASE_TYPE_ABANDONMENT;
  std::string country = "MA";
  consular::v1::Sex sex = consular::v1::SEX_FEMALE;
  consular::v1::Date born;  // unset: unknown
  bool minor_children = false;
  consular::v1::NationalityStatus nationality = consular::v1::NATIONALITY_STATUS_DUAL;
  consular::v1::ReferralSource referral = consular::v1::REFERRAL_SOURCE_SELF;
  std::vector<consular::v1::RiskFlag> flags;
  consular::v1::RecognitionDecision decision = consular::v1::RECOGNITION_DECISION_UNSPECIFIED;
  std::vector<consular::v1::RecognitionObstacle> obstacles;
  // Divorce recognition: the steps of the foreign proceedings.
  std::vector<consular::v1::ProceedingsStep> stages;
  // Abandonment: persons with the role CHILD, and who pays for the return.
  int children = 0;
  consular::v1::ReturnFunding funding = consular::v1::RETURN_FUNDING_UNSPECIFIED;
};

inline consular::v1::Date MakeDate(int y, int m, int d) {
  consular::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

inline consular::v1::ProceedingsStep Step(consular::v1::ProceedingsStage stage, int y, int m,
                                          int d) {
  consular::v1::ProceedingsStep step;
  step.set_stage(stage);
  *step.mutable_on() = MakeDate(y, m, d);
  return step;
}

inline absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 12, 0, 0), absl::UTCTimeZone());
}

class CaseWriter {
 public:
  explicit CaseWriter(const consular::testing::TestDatabase& db)
      : pool_(std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db.app_dsn(), 4})),
        runner_(std::make_unique<storage::TransactionRunner>(pool_.get())),
        cases_(std::make_unique<cases::CaseManager>(runner_.get(), clock_, keys_.crypto())),
        contacts_(
            std::make_unique<contacts::ContactsManager>(runner_.get(), clock_, keys_.crypto())) {}

  void SetNow(absl::Time t) { clock_.Set(t); }

  Case Create(const CaseSpec& spec, absl::Time at) {
    clock_.Set(at);
    consular::v1::CreateCaseRequest request;
    request.set_request_id(NextId());
    Case* c = request.mutable_case_();
    c->set_type(spec.type);
    c->set_country(spec.country);
    c->mutable_subject()->set_full_name(absl::StrCat("Person ", counter_));
    c->mutable_subject()->set_sex(spec.sex);
    c->mutable_subject()->set_nationality_status(spec.nationality);
    c->mutable_subject()->set_has_minor_children(spec.minor_children);
    if (spec.born.year() != 0) *c->mutable_subject()->mutable_date_of_birth() = spec.born;
    c->set_referral_source(spec.referral);
    for (const auto flag : spec.flags) c->add_risk_flags(flag);
    if (spec.type == consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) {
      auto* d = c->mutable_divorce_recognition();
      for (const auto o : spec.obstacles) {
        d->add_obstacles(o);
        // The obstacle "other" is always said in words too.
        if (o == consular::v1::RECOGNITION_OBSTACLE_OTHER) {
          d->set_obstacle_note("the registry asks for a paper nobody issues");
        }
      }
      if (spec.decision != consular::v1::RECOGNITION_DECISION_UNSPECIFIED) {
        d->set_decision(spec.decision);
        d->set_proceedings_state(consular::v1::PROCEEDINGS_STATE_DECIDED);
        *d->mutable_decided_on() = MakeDate(2020, 1, 1);
      }
      for (const auto& step : spec.stages) *d->add_stages() = step;
    }
    if (spec.type == consular::v1::CASE_TYPE_ABANDONMENT) {
      for (int i = 0; i < spec.children; ++i) {
        consular::v1::Person* child = c->add_persons();
        child->set_role(consular::v1::PERSON_ROLE_CHILD);
        child->set_full_name(absl::StrCat("Child ", i + 1, " of person ", counter_));
      }
      if (spec.funding != consular::v1::RETURN_FUNDING_UNSPECIFIED) {
        auto* plan = c->mutable_abandonment()->mutable_return_plan();
        plan->set_funding(spec.funding);
        if (spec.funding == consular::v1::RETURN_FUNDING_CONSULAR_LOAN) {
          plan->set_loan_amount_cents(45000);
        }
      }
    }
    Case created;
    const absl::Status status = cases_->Create(kRabatOfficer, request, Deadline(), &created);
    EXPECT_TRUE(status.ok()) << status;
    return created;
  }

  // Resolving as RETURNED_TO_NL records the return on the same day first, as an officer must.
  Case Transition(const Case& from, consular::v1::CaseStatus to, absl::Time at,
                  consular::v1::Outcome outcome = consular::v1::OUTCOME_UNSPECIFIED) {
    Case c = from;
    if (outcome == consular::v1::OUTCOME_RETURNED_TO_NL && !c.abandonment().has_returned_on()) {
      const absl::CivilDay day = absl::ToCivilDay(at, absl::UTCTimeZone());
      Case back;
      *back.mutable_abandonment()->mutable_returned_on() =
          MakeDate(static_cast<int>(day.year()), day.month(), day.day());
      c = Update(c, back, {"abandonment.returned_on"}, at);
    }
    clock_.Set(at);
    consular::v1::TransitionCaseRequest request;
    request.set_request_id(NextId());
    request.set_case_id(c.id());
    request.set_target_status(to);
    request.set_reason("next step");
    request.set_outcome(outcome);
    request.set_expected_version(c.version());
    const bool manager =
        to == consular::v1::CASE_STATUS_CLOSED || c.status() == consular::v1::CASE_STATUS_CLOSED;
    Case changed;
    const absl::Status status =
        cases_->Transition(manager ? kRabatManager : kRabatOfficer, request, Deadline(), &changed);
    EXPECT_TRUE(status.ok()) << status;
    return changed;
  }

  // Replaces the fields named in `paths` with those of `changes`.
  Case Update(const Case& c, const Case& changes, const std::vector<std::string>& paths,
              absl::Time at) {
    clock_.Set(at);
    consular::v1::UpdateCaseRequest request;
    request.set_request_id(NextId());
    *request.mutable_case_() = changes;
    request.mutable_case_()->set_id(c.id());
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    request.set_expected_version(c.version());
    Case changed;
    const absl::Status status = cases_->Update(kRabatOfficer, request, Deadline(), &changed);
    EXPECT_TRUE(status.ok()) << status;
    return changed;
  }

  // With a directory partner (from AddPartner), or ad hoc (kind OTHER) when partner_id is empty.
  Contact LogContact(const Case& c, consular::v1::ContactPurpose purpose, absl::Time occurred,
                     absl::Time at, const std::string& partner_id = "") {
    clock_.Set(at);
    consular::v1::LogContactRequest request;
    request.set_request_id(NextId());
    Contact* contact = request.mutable_contact();
    contact->set_case_id(c.id());
    if (partner_id.empty()) {
      contact->mutable_ad_hoc()->set_name("Local helper");
    } else {
      contact->set_partner_id(partner_id);
    }
    *contact->mutable_occurred_at() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(occurred));
    contact->set_channel(consular::v1::CONTACT_CHANNEL_PHONE);
    contact->set_direction(consular::v1::CONTACT_DIRECTION_OUTGOING);
    contact->set_purpose(purpose);
    contact->set_outcome(consular::v1::CONTACT_OUTCOME_HELP_AGREED);
    Contact logged;
    const absl::Status status = contacts_->LogContact(kRabatOfficer, request, Deadline(), &logged);
    EXPECT_TRUE(status.ok()) << status;
    return logged;
  }

  Contact UpdateContactPurpose(const Contact& c, consular::v1::ContactPurpose purpose,
                               absl::Time at) {
    clock_.Set(at);
    consular::v1::UpdateContactRequest request;
    request.set_request_id(NextId());
    *request.mutable_contact() = c;
    request.mutable_contact()->set_purpose(purpose);
    request.mutable_update_mask()->add_paths("purpose");
    request.set_expected_version(c.version());
    Contact changed;
    const absl::Status status =
        contacts_->UpdateContact(kRabatOfficer, request, Deadline(), &changed);
    EXPECT_TRUE(status.ok()) << status;
    return changed;
  }

  // The contact moved to another time (and so maybe another month or year).
  Contact UpdateContactTime(const Contact& c, absl::Time occurred, absl::Time at) {
    clock_.Set(at);
    consular::v1::UpdateContactRequest request;
    request.set_request_id(NextId());
    *request.mutable_contact() = c;
    *request.mutable_contact()->mutable_occurred_at() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(occurred));
    request.mutable_update_mask()->add_paths("occurred_at");
    request.set_expected_version(c.version());
    Contact changed;
    const absl::Status status =
        contacts_->UpdateContact(kRabatOfficer, request, Deadline(), &changed);
    EXPECT_TRUE(status.ok()) << status;
    return changed;
  }

  // A vetted directory partner of `kind` in `country`, written directly by the owner (the
  // directory has its own tests). Returns its id.
  static std::string AddPartner(const consular::testing::TestDatabase& db,
                                consular::v1::PartnerKind kind, const std::string& country) {
    return db.QueryScalar(absl::StrCat(
        "INSERT INTO contacts.partners (id, kind, name, country, city, contact_details, "
        "vetting_status, active, created_by, created_at, updated_at, version) VALUES "
        "(gen_random_uuid(), '",
        consular::v1::PartnerKind_Name(kind), "', 'Partner', '", country,
        "', 'City', decode('01' || repeat('00', 47), 'hex'), 'VETTING_STATUS_VETTED', true, "
        "'admin', now(), now(), 1) RETURNING id"));
  }

  storage::TransactionRunner* runner() { return runner_.get(); }

 private:
  static absl::Time Deadline() { return absl::Now() + absl::Seconds(30); }
  std::string NextId() { return absl::StrCat("r", ++counter_); }

  consular::testing::TestFieldCrypto keys_;
  ManualClock clock_{absl::Now()};
  int counter_ = 0;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  std::unique_ptr<cases::CaseManager> cases_;
  std::unique_ptr<contacts::ContactsManager> contacts_;
};

}  // namespace consular::stats::testing

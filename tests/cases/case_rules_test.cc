#include "services/cases/case_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "services/common/page_token.h"
#include "services/common/validation.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseStatus;
using consular::v1::Date;

Date MakeDate(int y, int m, int d) {
  Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

const Date kToday = MakeDate(2026, 6, 15);

Case ValidAbandonment() {
  Case c;
  c.set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  c.set_country("MA");
  c.mutable_subject()->set_full_name("Amina Example");
  *c.mutable_subject()->mutable_date_of_birth() = MakeDate(2006, 3, 1);
  c.mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
  c.mutable_subject()->set_nationality_status(consular::v1::NATIONALITY_STATUS_DUAL);
  c.add_risk_flags(consular::v1::RISK_FLAG_PASSPORT_WITHHELD);
  c.set_referral_source(consular::v1::REFERRAL_SOURCE_FAMILY);
  *c.mutable_abandonment()->mutable_left_netherlands_on() = MakeDate(2026, 1, 10);
  *c.mutable_abandonment()->mutable_reported_on() = MakeDate(2026, 2, 1);
  c.mutable_abandonment()->add_documents_withheld(consular::v1::WITHHELD_DOCUMENT_PASSPORT);
  return c;
}

// The field named by an INVALID_ARGUMENT message "<field>: <problem>".
std::string FieldOf(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  const std::string message(status.message());
  return message.substr(0, message.find(':'));
}

TEST(LifecycleTest, AllowsExactlyTheDocumentedTransitions) {
  using consular::v1::CASE_STATUS_ACTIVE;
  using consular::v1::CASE_STATUS_CLOSED;
  using consular::v1::CASE_STATUS_INTAKE;
  using consular::v1::CASE_STATUS_ON_HOLD;
  using consular::v1::CASE_STATUS_RESOLVED;
  const std::set<std::pair<CaseStatus, CaseStatus>> allowed = {
      {CASE_STATUS_INTAKE, CASE_STATUS_ACTIVE},    {CASE_STATUS_ACTIVE, CASE_STATUS_ON_HOLD},
      {CASE_STATUS_ON_HOLD, CASE_STATUS_ACTIVE},   {CASE_STATUS_ACTIVE, CASE_STATUS_RESOLVED},
      {CASE_STATUS_ON_HOLD, CASE_STATUS_RESOLVED}, {CASE_STATUS_RESOLVED, CASE_STATUS_CLOSED},
      {CASE_STATUS_CLOSED, CASE_STATUS_ACTIVE},
  };
  for (int from = 0; from <= 5; ++from) {
    for (int to = 0; to <= 5; ++to) {
      const auto pair = std::make_pair(static_cast<CaseStatus>(from), static_cast<CaseStatus>(to));
      EXPECT_EQ(IsAllowedTransition(pair.first, pair.second), allowed.count(pair) == 1)
          << StatusName(pair.first) << " -> " << StatusName(pair.second);
    }
  }
}

TEST(LifecycleTest, OutcomesBelongToTheirCaseType) {
  const auto abn = consular::v1::CASE_TYPE_ABANDONMENT;
  const auto div = consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION;
  EXPECT_TRUE(IsOutcomeValidFor(abn, consular::v1::OUTCOME_RETURNED_TO_NL));
  EXPECT_FALSE(IsOutcomeValidFor(div, consular::v1::OUTCOME_RETURNED_TO_NL));
  EXPECT_TRUE(IsOutcomeValidFor(div, consular::v1::OUTCOME_REFUSED));
  EXPECT_FALSE(IsOutcomeValidFor(abn, consular::v1::OUTCOME_RECOGNISED));
  EXPECT_TRUE(IsOutcomeValidFor(abn, consular::v1::OUTCOME_WITHDRAWN));
  EXPECT_TRUE(IsOutcomeValidFor(div, consular::v1::OUTCOME_WITHDRAWN));
  EXPECT_FALSE(IsOutcomeValidFor(abn, consular::v1::OUTCOME_UNSPECIFIED));
}

TEST(LifecycleTest, ADivorceOutcomeAgreesWithTheForeignDecision) {
  Case c;
  c.set_type(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  c.set_reference("DIV-2026-00007");
  const auto agrees = [&](consular::v1::RecognitionDecision decision,
                          consular::v1::Outcome outcome) {
    c.mutable_divorce_recognition()->set_decision(decision);
    return CheckOutcomeAgreesWithCase(c, outcome);
  };
  const absl::Status refused_granted =
      agrees(consular::v1::RECOGNITION_DECISION_GRANTED, consular::v1::OUTCOME_REFUSED);
  EXPECT_EQ(refused_granted.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(refused_granted.message()),
            "case DIV-2026-00007: the outcome REFUSED contradicts the foreign decision GRANTED "
            "recorded on it; correct the decision or choose another outcome");
  EXPECT_EQ(agrees(consular::v1::RECOGNITION_DECISION_REFUSED, consular::v1::OUTCOME_RECOGNISED)
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(agrees(consular::v1::RECOGNITION_DECISION_GRANTED, consular::v1::OUTCOME_RECOGNISED)
                  .ok());
  EXPECT_TRUE(
      agrees(consular::v1::RECOGNITION_DECISION_REFUSED, consular::v1::OUTCOME_REFUSED).ok());
  EXPECT_TRUE(agrees(consular::v1::RECOGNITION_DECISION_UNSPECIFIED, consular::v1::OUTCOME_REFUSED)
                  .ok());  // no decision recorded yet
  EXPECT_TRUE(agrees(consular::v1::RECOGNITION_DECISION_GRANTED,
                     consular::v1::OUTCOME_ALTERNATIVE_SOLUTION)
                  .ok());
  EXPECT_TRUE(agrees(consular::v1::RECOGNITION_DECISION_GRANTED, consular::v1::OUTCOME_UNSPECIFIED)
                  .ok());  // not resolved
  c.set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  EXPECT_TRUE(
      agrees(consular::v1::RECOGNITION_DECISION_GRANTED, consular::v1::OUTCOME_REFUSED).ok());
}

TEST(ValidationTest, AcceptsAValidCase) {
  EXPECT_TRUE(ValidateCaseContent(ValidAbandonment(), kToday).ok());
}

TEST(ValidationTest, NamesTheBadField) {
  struct Probe {
    std::string field;
    std::function<void(Case&)> spoil;
  };
  const std::vector<Probe> probes = {
      {"case.type", [](Case& c) { c.set_type(consular::v1::CASE_TYPE_UNSPECIFIED); }},
      {"case.type", [](Case& c) { c.set_type(static_cast<consular::v1::CaseType>(42)); }},
      {"case.country", [](Case& c) { c.set_country("XX"); }},
      {"case.country", [](Case& c) { c.set_country("ma"); }},
      {"case.country", [](Case& c) { c.set_country("NL"); }},
      {"case.country", [](Case& c) { c.clear_country(); }},
      {"case.subject", [](Case& c) { c.clear_subject(); }},
      {"case.subject.full_name", [](Case& c) { c.mutable_subject()->set_full_name("   "); }},
      {"case.subject.full_name",
       [](Case& c) { c.mutable_subject()->set_full_name(std::string(201, 'a')); }},
      {"case.subject.full_name", [](Case& c) { c.mutable_subject()->set_full_name("A\xC3\x28"); }},
      {"case.subject.full_name", [](Case& c) { c.mutable_subject()->set_full_name("A\x01"); }},
      {"case.subject.date_of_birth",
       [](Case& c) { *c.mutable_subject()->mutable_date_of_birth() = MakeDate(2026, 6, 16); }},
      {"case.subject.date_of_birth",
       [](Case& c) { *c.mutable_subject()->mutable_date_of_birth() = MakeDate(2005, 2, 29); }},
      {"case.subject.sex", [](Case& c) { c.mutable_subject()->clear_sex(); }},
      {"case.subject.nationality_status",
       [](Case& c) { c.mutable_subject()->clear_nationality_status(); }},
      {"case.risk_flags[1]",
       [](Case& c) { c.add_risk_flags(consular::v1::RISK_FLAG_PASSPORT_WITHHELD); }},
      {"case.risk_flags[1]",
       [](Case& c) { c.add_risk_flags(consular::v1::RISK_FLAG_UNSPECIFIED); }},
      {"case.referral_source", [](Case& c) { c.clear_referral_source(); }},
      {"case.abandonment.reported_on",
       [](Case& c) { *c.mutable_abandonment()->mutable_reported_on() = MakeDate(2025, 12, 31); }},
      {"case.abandonment.left_netherlands_on",
       [](Case& c) {
         *c.mutable_abandonment()->mutable_left_netherlands_on() = MakeDate(2000, 1, 1);
       }},
      {"case.abandonment.returned_on",
       [](Case& c) { *c.mutable_abandonment()->mutable_returned_on() = MakeDate(2026, 7, 1); }},
      {"case.abandonment.documents_withheld[1]",
       [](Case& c) {
         c.mutable_abandonment()->add_documents_withheld(consular::v1::WITHHELD_DOCUMENT_PASSPORT);
       }},
      {"case.abandonment.person_wishes",
       [](Case& c) { c.mutable_abandonment()->set_person_wishes(std::string(2001, 'x')); }},
      {"case.divorce_recognition",
       [](Case& c) { c.mutable_divorce_recognition()->set_dutch_court("Rechtbank"); }},
      {"case.safety.safe_contact_channel",
       [](Case& c) { c.mutable_safety()->set_safe_contact_channel(std::string(501, 'x')); }},
  };
  for (const Probe& probe : probes) {
    Case c = ValidAbandonment();
    probe.spoil(c);
    EXPECT_EQ(FieldOf(ValidateCaseContent(c, kToday)), probe.field);
  }
}

TEST(ValidationTest, DivorceDecisionNeedsItsDate) {
  Case c = ValidAbandonment();
  c.set_type(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  auto* d = c.mutable_divorce_recognition();
  *d->mutable_dutch_divorce_on() = MakeDate(2024, 5, 1);
  d->set_decision(consular::v1::RECOGNITION_DECISION_REFUSED);
  EXPECT_EQ(FieldOf(ValidateCaseContent(c, kToday)), "case.divorce_recognition.decided_on");
  *d->mutable_decided_on() = MakeDate(2024, 4, 1);
  EXPECT_EQ(FieldOf(ValidateCaseContent(c, kToday)), "case.divorce_recognition.decided_on");
  *d->mutable_decided_on() = MakeDate(2025, 4, 1);
  EXPECT_TRUE(ValidateCaseContent(c, kToday).ok());
  d->set_lawyer_partner_id("not-a-uuid");
  EXPECT_EQ(FieldOf(ValidateCaseContent(c, kToday)), "case.divorce_recognition.lawyer_partner_id");
}

TEST(ValidationTest, RequestAndCaseIds) {
  EXPECT_EQ(FieldOf(ValidateRequestId("")), "request_id");
  EXPECT_EQ(FieldOf(ValidateRequestId(std::string(129, 'a'))), "request_id");
  EXPECT_EQ(FieldOf(ValidateRequestId("has space")), "request_id");
  EXPECT_TRUE(ValidateRequestId("5b0f8f3e-retry-1").ok());
  EXPECT_TRUE(ValidateCaseId("case_id", "ABN-2026-00042").ok());
  EXPECT_TRUE(ValidateCaseId("case_id", "0b8c6a52-5a3e-4d43-9a55-2f0d1b1e7a10").ok());
  EXPECT_EQ(FieldOf(ValidateCaseId("case_id", "x'; DROP TABLE")), "case_id");
  EXPECT_EQ(FieldOf(ValidateCaseId("case_id", "")), "case_id");
}

TEST(ValidationTest, UpdateMaskPaths) {
  google::protobuf::FieldMask mask;
  EXPECT_EQ(FieldOf(ValidateUpdateMask(mask, consular::v1::CASE_TYPE_ABANDONMENT)), "update_mask");
  for (const char* ok : {"country", "subject", "subject.full_name", "risk_flags",
                         "safety.covert_notes", "abandonment.returned_on", "referral_source"}) {
    mask.Clear();
    mask.add_paths(ok);
    EXPECT_TRUE(ValidateUpdateMask(mask, consular::v1::CASE_TYPE_ABANDONMENT).ok()) << ok;
  }
  for (const char* bad : {"status", "version", "handling_post", "id", "type", "subject.nope",
                          "divorce_recognition.decision", "subject.full_name.x"}) {
    mask.Clear();
    mask.add_paths(bad);
    EXPECT_EQ(FieldOf(ValidateUpdateMask(mask, consular::v1::CASE_TYPE_ABANDONMENT)), "update_mask")
        << bad;
  }
}

TEST(ValidationTest, UpdateMaskPathsAreBoundedAndNamedOnce) {
  google::protobuf::FieldMask mask;
  const auto check = [&mask] {
    return ValidateUpdateMask(mask, consular::v1::CASE_TYPE_ABANDONMENT);
  };
  mask.add_paths("country");
  mask.add_paths("country");
  EXPECT_EQ(check().message(), "update_mask: \"country\" is named twice");
  mask.Clear();
  mask.add_paths("subject.full_name");
  mask.add_paths("subject");
  EXPECT_EQ(check().message(), "update_mask: \"subject.full_name\" is inside \"subject\"");
  mask.Clear();
  for (int i = 0; i < 33; ++i) mask.add_paths("country");
  EXPECT_EQ(check().message(), "update_mask: at most 32 paths");
  for (const std::string& bad : {std::string(65, 'a'), std::string(""), std::string("Country"),
                                 std::string("subject..full_name"), std::string("subject."),
                                 std::string("a b"), std::string("x\"y")}) {
    mask.Clear();
    mask.add_paths("country");
    mask.add_paths(bad);
    EXPECT_EQ(FieldOf(check()), "update_mask.paths[1]") << bad;
  }
  // Siblings and distinct paths are fine.
  mask.Clear();
  mask.add_paths("subject.full_name");
  mask.add_paths("subject.sex");
  mask.add_paths("safety");
  EXPECT_TRUE(check().ok()) << check();
}

TEST(AccessTest, RolesAndScope) {
  const Identity officer{"o1", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
  const Identity manager{"m1", consular::v1::ROLE_POST_MANAGER, "RABAT"};
  const Identity lkha{"l1", consular::v1::ROLE_LKHA_CASEWORKER, ""};
  for (const auto role : {consular::v1::ROLE_POLICY_STAFF, consular::v1::ROLE_AUDITOR,
                          consular::v1::ROLE_ADMINISTRATOR, consular::v1::ROLE_UNSPECIFIED}) {
    EXPECT_EQ(CheckCaseServiceAccess(Identity{"x", role, "RABAT"}).code(),
              absl::StatusCode::kPermissionDenied);
  }
  EXPECT_TRUE(CheckCaseServiceAccess(officer).ok());
  EXPECT_TRUE(CheckMayCreate(officer).ok());
  EXPECT_TRUE(CheckMayCreate(lkha).ok());
  EXPECT_EQ(CheckMayCreate(Identity{"p", consular::v1::ROLE_POLICY_STAFF, ""}).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(UnitOf(officer), "RABAT");
  EXPECT_EQ(UnitOf(manager), "RABAT");
  EXPECT_EQ(UnitOf(lkha), "LKHA");
  EXPECT_EQ(UnitOf(Identity{"a", consular::v1::ROLE_AUDITOR, "RABAT"}), "");
  // A post role can never pass as LKHA.
  EXPECT_EQ(UnitOf(Identity{"o", consular::v1::ROLE_CONSULAR_OFFICER, "LKHA"}), "");
  using consular::v1::CASE_ACCESS_HANDLING;
  using consular::v1::CASE_ACCESS_SHARED_READ_WRITE;
  using consular::v1::CASE_STATUS_ACTIVE;
  using consular::v1::CASE_STATUS_CLOSED;
  using consular::v1::CASE_STATUS_ON_HOLD;
  using consular::v1::CASE_STATUS_RESOLVED;
  EXPECT_EQ(
      CheckMayTransition(officer, CASE_ACCESS_HANDLING, CASE_STATUS_RESOLVED, CASE_STATUS_CLOSED)
          .code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(
      CheckMayTransition(officer, CASE_ACCESS_HANDLING, CASE_STATUS_CLOSED, CASE_STATUS_ACTIVE)
          .code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      CheckMayTransition(manager, CASE_ACCESS_HANDLING, CASE_STATUS_RESOLVED, CASE_STATUS_CLOSED)
          .ok());
  EXPECT_TRUE(
      CheckMayTransition(lkha, CASE_ACCESS_HANDLING, CASE_STATUS_RESOLVED, CASE_STATUS_CLOSED)
          .ok());
  // Through a share, not even a manager closes or reopens.
  EXPECT_EQ(CheckMayTransition(manager, CASE_ACCESS_SHARED_READ_WRITE, CASE_STATUS_RESOLVED,
                               CASE_STATUS_CLOSED)
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckMayTransition(officer, CASE_ACCESS_SHARED_READ_WRITE, CASE_STATUS_ACTIVE,
                                 CASE_STATUS_ON_HOLD)
                  .ok());
  EXPECT_TRUE(
      CheckMayTransition(officer, CASE_ACCESS_HANDLING, CASE_STATUS_ACTIVE, CASE_STATUS_RESOLVED)
          .ok());
}

TEST(CaseRulesTest, AccessLevelsAndEmergencyRoles) {
  const Identity officer{"o1", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
  const Identity manager{"m1", consular::v1::ROLE_POST_MANAGER, "RABAT"};
  const Identity lkha{"l1", consular::v1::ROLE_LKHA_CASEWORKER, ""};
  const Identity auditor{"a1", consular::v1::ROLE_AUDITOR, ""};
  consular::v1::Case c;
  c.set_reference("ABN-2026-00001");
  c.set_handling_post("TUNIS");
  const std::vector<std::pair<consular::v1::CaseAccess, bool>> change = {
      {consular::v1::CASE_ACCESS_HANDLING, true},
      {consular::v1::CASE_ACCESS_SHARED_READ_WRITE, true},
      {consular::v1::CASE_ACCESS_SHARED_READ, false},
      {consular::v1::CASE_ACCESS_EMERGENCY, false},
      {consular::v1::CASE_ACCESS_UNSPECIFIED, false}};
  for (const auto& [access, may] : change) {
    c.set_caller_access(access);
    EXPECT_EQ(CheckMayChange(c).ok(), may) << consular::v1::CaseAccess_Name(access);
    EXPECT_EQ(CheckHandles(c, "share it").ok(), access == consular::v1::CASE_ACCESS_HANDLING);
  }
  c.set_caller_access(consular::v1::CASE_ACCESS_SHARED_READ);
  EXPECT_NE(CheckHandles(c, "share it").message().find("TUNIS"), std::string::npos);

  EXPECT_EQ(CheckMayRefer(officer).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckMayRefer(manager).ok());
  EXPECT_TRUE(CheckMayRefer(lkha).ok());
  EXPECT_EQ(CheckMayOpenEmergencyAccess(officer).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckMayOpenEmergencyAccess(manager).ok());
  EXPECT_TRUE(CheckMayOpenEmergencyAccess(lkha).ok());
  EXPECT_EQ(CheckMayOpenEmergencyAccess(auditor).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckMayListEmergencyAccess(auditor).ok());
  EXPECT_EQ(CheckMayListEmergencyAccess(officer).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckMayReviewEmergencyAccess(auditor).ok());
  EXPECT_TRUE(CheckMayReviewEmergencyAccess(manager).ok());
  EXPECT_EQ(CheckMayReviewEmergencyAccess(lkha).code(), absl::StatusCode::kPermissionDenied);

  EXPECT_TRUE(ValidateGrantee("grantee", "LKHA").ok());
  EXPECT_TRUE(ValidateGrantee("grantee", "CAIRO").ok());
  for (const std::string bad : {"", "cairo", "X", "CAIRO!"}) {
    const absl::Status status = ValidateGrantee("grantee", bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(status.message().rfind("grantee: ", 0), 0u) << status.message();
  }
}

TEST(CommonValidationTest, Utf8AndCountries) {
  EXPECT_TRUE(IsValidUtf8("Çağla Şahin – ليلى"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("abc\xE2\x82"));   // truncated
  EXPECT_EQ(CountCodePoints("Çağla"), 5u);
  EXPECT_TRUE(IsKnownCountryCode("MA"));
  EXPECT_TRUE(IsKnownCountryCode("TR"));
  EXPECT_FALSE(IsKnownCountryCode("UK"));
  EXPECT_FALSE(IsKnownCountryCode("M"));
}

TEST(PageTokenTest, RoundTripAndRejections) {
  const std::string token = EncodePageToken("cases", "filters-a", {"123", "abc"});
  auto cursor = DecodePageToken(token, "cases", "filters-a", 2);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_EQ((*cursor)[0], "123");
  EXPECT_EQ((*cursor)[1], "abc");
  EXPECT_EQ(FieldOf(DecodePageToken(token, "cases", "filters-b", 2).status()), "page_token");
  EXPECT_EQ(FieldOf(DecodePageToken(token, "events", "filters-a", 2).status()), "page_token");
  EXPECT_EQ(FieldOf(DecodePageToken("!!!", "cases", "filters-a", 2).status()), "page_token");
}

}  // namespace
}  // namespace consular::cases

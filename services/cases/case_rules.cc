#include "services/cases/case_rules.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "services/common/call_support.h"
#include "services/common/ids.h"
#include "services/common/token.h"
#include "services/common/validation.h"

namespace consular::cases {
namespace {

using consular::v1::Case;
using consular::v1::CaseStatus;
using consular::v1::CaseType;
using consular::v1::Date;
using consular::v1::Outcome;

constexpr size_t kMaxNameChars = 200;
constexpr size_t kMaxShortTextChars = 200;
constexpr size_t kMaxContactChars = 500;
constexpr size_t kMaxWishesChars = 2000;
constexpr size_t kMaxCovertNotesChars = 4000;
constexpr size_t kMaxCodeWordChars = 100;
constexpr size_t kMaxNationalityChars = 100;
constexpr size_t kMaxPersonNoteChars = 2000;
constexpr int kMaxPersons = 50;
constexpr size_t kMaxDocumentNumberChars = 50;
constexpr int64_t kMaxLoanCents = 10000000;
constexpr int kMaxStages = 50;
constexpr size_t kMaxCaseNumberChars = 100;

std::string StripPrefix(const std::string& name, const std::string& prefix) {
  return absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
}

// A repeated enum field: every value known and set, none twice.
template <typename IsValid>
absl::Status CheckEnumList(const std::string& field,
                           const google::protobuf::RepeatedField<int>& values, IsValid is_valid) {
  std::set<int> seen;
  for (int i = 0; i < values.size(); ++i) {
    const int value = values.Get(i);
    if (value == 0 || !is_valid(value)) {
      return InvalidField(absl::StrCat(field, "[", i, "]"), "unknown or unspecified value");
    }
    if (!seen.insert(value).second) {
      return InvalidField(absl::StrCat(field, "[", i, "]"), "listed twice");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRequiredEnum(const std::string& field, int value, bool valid) {
  if (value == 0) return InvalidField(field, "required");
  if (!valid) return InvalidField(field, absl::StrCat("unknown value ", value));
  return absl::OkStatus();
}

absl::Status CheckOptionalEnum(const std::string& field, int value, bool valid) {
  if (!valid) return InvalidField(field, absl::StrCat("unknown value ", value));
  return absl::OkStatus();
}

// `later` must not be before `earlier` when both are set.
absl::Status CheckOrder(const std::string& later_field, const Date& later,
                        const std::string& earlier_field, const Date& earlier) {
  if (IsSet(later) && IsSet(earlier) && CompareDates(later, earlier) < 0) {
    return InvalidField(later_field, absl::StrCat("is before ", earlier_field));
  }
  return absl::OkStatus();
}

absl::Status ValidateSubject(const Case& c, const Date& today) {
  if (!c.has_subject()) return InvalidField("case.subject", "required");
  const auto& s = c.subject();
  CONSULAR_RETURN_IF_ERROR(CheckText("case.subject.full_name", s.full_name(), kMaxNameChars, true));
  CONSULAR_RETURN_IF_ERROR(
      CheckDate("case.subject.date_of_birth", s.date_of_birth(), today, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckRequiredEnum("case.subject.sex", s.sex(), consular::v1::Sex_IsValid(s.sex())));
  CONSULAR_RETURN_IF_ERROR(
      CheckRequiredEnum("case.subject.nationality_status", s.nationality_status(),
                        consular::v1::NationalityStatus_IsValid(s.nationality_status())));
  return absl::OkStatus();
}

absl::Status ValidateReturnPlan(const consular::v1::ReturnPlan& r) {
  const std::string at = "case.abandonment.return_plan";
  CONSULAR_RETURN_IF_ERROR(CheckText(at + ".route", r.route(), kMaxContactChars, false));
  CONSULAR_RETURN_IF_ERROR(CheckText(at + ".escort", r.escort(), kMaxShortTextChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText(at + ".reception_note", r.reception_note(), kMaxContactChars, false));
  CONSULAR_RETURN_IF_ERROR(CheckOptionalEnum(at + ".funding", r.funding(),
                                             consular::v1::ReturnFunding_IsValid(r.funding())));
  const bool loan = r.funding() == consular::v1::RETURN_FUNDING_CONSULAR_LOAN;
  if (loan && (r.loan_amount_cents() <= 0 || r.loan_amount_cents() > kMaxLoanCents)) {
    return InvalidField(at + ".loan_amount_cents",
                        "required with a consular loan: 1..10000000 euro cents");
  }
  if (!loan && r.loan_amount_cents() != 0) {
    return InvalidField(at + ".loan_amount_cents", "only with funding CONSULAR_LOAN");
  }
  // A plan may lie ahead: only the form of the day is checked.
  CONSULAR_RETURN_IF_ERROR(CheckDate(at + ".planned_on", r.planned_on(), r.planned_on(), true));
  return absl::OkStatus();
}

absl::Status ValidateAbandonment(const Case& c, const Date& today) {
  const auto& a = c.abandonment();
  const Date& dob = c.subject().date_of_birth();
  CONSULAR_RETURN_IF_ERROR(
      CheckOptionalEnum("case.abandonment.residence_permit_kind", a.residence_permit_kind(),
                        consular::v1::PermitKind_IsValid(a.residence_permit_kind())));
  CONSULAR_RETURN_IF_ERROR(ValidateReturnPlan(a.return_plan()));
  CONSULAR_RETURN_IF_ERROR(
      CheckDate("case.abandonment.left_netherlands_on", a.left_netherlands_on(), today, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckDate("case.abandonment.reported_on", a.reported_on(), today, false));
  CONSULAR_RETURN_IF_ERROR(CheckDate("case.abandonment.residence_permit_expires_on",
                                     a.residence_permit_expires_on(), today, true));
  CONSULAR_RETURN_IF_ERROR(
      CheckDate("case.abandonment.returned_on", a.returned_on(), today, false));
  CONSULAR_RETURN_IF_ERROR(CheckOrder("case.abandonment.left_netherlands_on",
                                      a.left_netherlands_on(), "case.subject.date_of_birth", dob));
  CONSULAR_RETURN_IF_ERROR(CheckOrder("case.abandonment.reported_on", a.reported_on(),
                                      "case.abandonment.left_netherlands_on",
                                      a.left_netherlands_on()));
  CONSULAR_RETURN_IF_ERROR(CheckOrder("case.abandonment.returned_on", a.returned_on(),
                                      "case.abandonment.left_netherlands_on",
                                      a.left_netherlands_on()));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("case.abandonment.region", a.region(), kMaxShortTextChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("case.abandonment.person_wishes", a.person_wishes(), kMaxWishesChars, false));
  CONSULAR_RETURN_IF_ERROR(CheckEnumList("case.abandonment.documents_withheld",
                                         a.documents_withheld(),
                                         consular::v1::WithheldDocument_IsValid));
  return absl::OkStatus();
}

absl::Status ValidateStages(const consular::v1::DivorceRecognitionDetails& d, const Date& today) {
  if (d.stages_size() > kMaxStages) {
    return InvalidField("case.divorce_recognition.stages",
                        absl::StrCat("at most ", kMaxStages, " steps"));
  }
  std::set<std::string> ids;
  for (int i = 0; i < d.stages_size(); ++i) {
    const consular::v1::ProceedingsStep& step = d.stages(i);
    const std::string at = absl::StrCat("case.divorce_recognition.stages[", i, "]");
    if (!step.id().empty()) {
      if (!LooksLikeUuid(step.id())) return InvalidField(at + ".id", "not a UUID");
      if (!ids.insert(step.id()).second) return InvalidField(at + ".id", "used twice");
    }
    CONSULAR_RETURN_IF_ERROR(
        CheckRequiredEnum(at + ".stage", step.stage(),
                          consular::v1::ProceedingsStage_IsValid(step.stage())));
    if (!IsSet(step.on())) return InvalidField(at + ".on", "required");
    // A hearing may be scheduled ahead; every other step has happened.
    const bool hearing = step.stage() == consular::v1::PROCEEDINGS_STAGE_HEARING;
    CONSULAR_RETURN_IF_ERROR(CheckDate(at + ".on", step.on(), today, hearing));
    CONSULAR_RETURN_IF_ERROR(CheckOrder(at + ".on", step.on(),
                                        "case.divorce_recognition.dutch_divorce_on",
                                        d.dutch_divorce_on()));
    CONSULAR_RETURN_IF_ERROR(CheckText(at + ".note", step.note(), kMaxContactChars, false));
  }
  return absl::OkStatus();
}

absl::Status ValidateDivorceRecognition(const Case& c, const Date& today) {
  const auto& d = c.divorce_recognition();
  CONSULAR_RETURN_IF_ERROR(CheckText("case.divorce_recognition.foreign_court", d.foreign_court(),
                                     kMaxShortTextChars, false));
  CONSULAR_RETURN_IF_ERROR(CheckText("case.divorce_recognition.foreign_case_number",
                                     d.foreign_case_number(), kMaxCaseNumberChars, false));
  CONSULAR_RETURN_IF_ERROR(CheckText("case.divorce_recognition.obstacle_note", d.obstacle_note(),
                                     kMaxWishesChars, false));
  CONSULAR_RETURN_IF_ERROR(ValidateStages(d, today));
  CONSULAR_RETURN_IF_ERROR(
      CheckDate("case.divorce_recognition.dutch_divorce_on", d.dutch_divorce_on(), today, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckDate("case.divorce_recognition.decided_on", d.decided_on(), today, false));
  CONSULAR_RETURN_IF_ERROR(CheckOrder("case.divorce_recognition.dutch_divorce_on",
                                      d.dutch_divorce_on(), "case.subject.date_of_birth",
                                      c.subject().date_of_birth()));
  CONSULAR_RETURN_IF_ERROR(CheckOrder("case.divorce_recognition.decided_on", d.decided_on(),
                                      "case.divorce_recognition.dutch_divorce_on",
                                      d.dutch_divorce_on()));
  CONSULAR_RETURN_IF_ERROR(CheckText("case.divorce_recognition.dutch_court", d.dutch_court(),
                                     kMaxShortTextChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckOptionalEnum("case.divorce_recognition.proceedings_state", d.proceedings_state(),
                        consular::v1::ProceedingsState_IsValid(d.proceedings_state())));
  if (!d.lawyer_partner_id().empty() && !LooksLikeUuid(d.lawyer_partner_id())) {
    return InvalidField("case.divorce_recognition.lawyer_partner_id", "not a UUID");
  }
  CONSULAR_RETURN_IF_ERROR(CheckEnumList("case.divorce_recognition.obstacles", d.obstacles(),
                                         consular::v1::RecognitionObstacle_IsValid));
  const bool other_named =
      std::find(d.obstacles().begin(), d.obstacles().end(),
                consular::v1::RECOGNITION_OBSTACLE_OTHER) != d.obstacles().end();
  if (other_named && absl::StripAsciiWhitespace(d.obstacle_note()).empty()) {
    return InvalidField("case.divorce_recognition.obstacle_note",
                        "required when the obstacles name OTHER");
  }
  CONSULAR_RETURN_IF_ERROR(
      CheckOptionalEnum("case.divorce_recognition.decision", d.decision(),
                        consular::v1::RecognitionDecision_IsValid(d.decision())));
  const bool decided = d.decision() != consular::v1::RECOGNITION_DECISION_UNSPECIFIED;
  if (decided && !IsSet(d.decided_on())) {
    return InvalidField("case.divorce_recognition.decided_on", "required with a decision");
  }
  if (!decided && IsSet(d.decided_on())) {
    return InvalidField("case.divorce_recognition.decision", "required with decided_on");
  }
  return absl::OkStatus();
}

absl::Status ValidateSafety(const Case& c) {
  const auto& s = c.safety();
  CONSULAR_RETURN_IF_ERROR(CheckText("case.safety.safe_contact_channel", s.safe_contact_channel(),
                                     kMaxContactChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("case.safety.safe_contact_times", s.safe_contact_times(), kMaxContactChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("case.safety.covert_notes", s.covert_notes(), kMaxCovertNotesChars, false));
  CONSULAR_RETURN_IF_ERROR(
      CheckText("case.safety.code_word", s.code_word(), kMaxCodeWordChars, false));
  return absl::OkStatus();
}

absl::Status ValidateDocuments(const Case& c, const Date& today) {
  if (c.documents_size() > kMaxPersons) {
    return InvalidField("case.documents", absl::StrCat("at most ", kMaxPersons, " documents"));
  }
  std::set<std::string> persons;
  for (const consular::v1::Person& p : c.persons()) persons.insert(p.id());
  std::set<std::string> ids;
  for (int i = 0; i < c.documents_size(); ++i) {
    const consular::v1::TravelDocument& d = c.documents(i);
    const std::string at = absl::StrCat("case.documents[", i, "]");
    if (!d.id().empty()) {
      if (!LooksLikeUuid(d.id())) return InvalidField(at + ".id", "not a UUID");
      if (!ids.insert(d.id()).second) return InvalidField(at + ".id", "used twice");
    }
    if (!d.holder_person_id().empty() && persons.count(d.holder_person_id()) == 0) {
      return InvalidField(at + ".holder_person_id", "not a person on the case");
    }
    CONSULAR_RETURN_IF_ERROR(CheckRequiredEnum(
        at + ".type", d.type(), consular::v1::TravelDocumentType_IsValid(d.type())));
    CONSULAR_RETURN_IF_ERROR(CheckRequiredEnum(
        at + ".status", d.status(), consular::v1::DocumentStatus_IsValid(d.status())));
    CONSULAR_RETURN_IF_ERROR(CheckText(at + ".number", d.number(), kMaxDocumentNumberChars, false));
    CONSULAR_RETURN_IF_ERROR(
        CheckText(at + ".issuing_authority", d.issuing_authority(), kMaxShortTextChars, false));
    CONSULAR_RETURN_IF_ERROR(CheckDate(at + ".issued_on", d.issued_on(), today, false));
    CONSULAR_RETURN_IF_ERROR(CheckDate(at + ".expires_on", d.expires_on(), today, true));
    CONSULAR_RETURN_IF_ERROR(CheckOrder(at + ".expires_on", d.expires_on(), at + ".issued_on",
                                        d.issued_on()));
    const bool withheld = d.status() == consular::v1::DOCUMENT_STATUS_WITHHELD;
    CONSULAR_RETURN_IF_ERROR(
        CheckText(at + ".withheld_by", d.withheld_by(), kMaxShortTextChars, withheld));
    if (!withheld && !d.withheld_by().empty()) {
      return InvalidField(at + ".withheld_by", "only with status WITHHELD");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePersons(const Case& c, const Date& today) {
  if (c.persons_size() > kMaxPersons) {
    return InvalidField("case.persons", absl::StrCat("at most ", kMaxPersons, " persons"));
  }
  std::set<std::string> ids;
  for (int i = 0; i < c.persons_size(); ++i) {
    const consular::v1::Person& p = c.persons(i);
    const std::string at = absl::StrCat("case.persons[", i, "]");
    if (!p.id().empty()) {
      if (!LooksLikeUuid(p.id())) return InvalidField(at + ".id", "not a UUID");
      if (!ids.insert(p.id()).second) return InvalidField(at + ".id", "used twice");
    }
    CONSULAR_RETURN_IF_ERROR(
        CheckRequiredEnum(at + ".role", p.role(), consular::v1::PersonRole_IsValid(p.role())));
    CONSULAR_RETURN_IF_ERROR(CheckText(at + ".full_name", p.full_name(), kMaxNameChars, true));
    CONSULAR_RETURN_IF_ERROR(CheckDate(at + ".date_of_birth", p.date_of_birth(), today, false));
    CONSULAR_RETURN_IF_ERROR(
        CheckText(at + ".nationality", p.nationality(), kMaxNationalityChars, false));
    CONSULAR_RETURN_IF_ERROR(CheckText(at + ".note", p.note(), kMaxPersonNoteChars, false));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsAllowedTransition(CaseStatus from, CaseStatus to) {
  using consular::v1::CASE_STATUS_ACTIVE;
  using consular::v1::CASE_STATUS_CLOSED;
  using consular::v1::CASE_STATUS_INTAKE;
  using consular::v1::CASE_STATUS_ON_HOLD;
  using consular::v1::CASE_STATUS_RESOLVED;
  switch (from) {
    case CASE_STATUS_INTAKE:
      return to == CASE_STATUS_ACTIVE;
    case CASE_STATUS_ACTIVE:
      return to == CASE_STATUS_ON_HOLD || to == CASE_STATUS_RESOLVED;
    case CASE_STATUS_ON_HOLD:
      return to == CASE_STATUS_ACTIVE || to == CASE_STATUS_RESOLVED;
    case CASE_STATUS_RESOLVED:
      return to == CASE_STATUS_CLOSED;
    case CASE_STATUS_CLOSED:
      return to == CASE_STATUS_ACTIVE;
    default:
      return false;
  }
}

bool IsOutcomeValidFor(CaseType type, Outcome outcome) {
  switch (outcome) {
    case consular::v1::OUTCOME_RETURNED_TO_NL:
    case consular::v1::OUTCOME_STAYED_BY_OWN_CHOICE:
    case consular::v1::OUTCOME_RETURN_NOT_POSSIBLE:
    case consular::v1::OUTCOME_CONTACT_LOST:
    case consular::v1::OUTCOME_REFERRED_ELSEWHERE:
      return type == consular::v1::CASE_TYPE_ABANDONMENT;
    case consular::v1::OUTCOME_RECOGNISED:
    case consular::v1::OUTCOME_REFUSED:
    case consular::v1::OUTCOME_ALTERNATIVE_SOLUTION:
    case consular::v1::OUTCOME_PROCEEDINGS_ABANDONED:
      return type == consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION;
    case consular::v1::OUTCOME_WITHDRAWN:
      return type == consular::v1::CASE_TYPE_ABANDONMENT ||
             type == consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION;
    default:
      return false;
  }
}

absl::Status CheckOutcomeAgreesWithCase(const Case& c, Outcome outcome) {
  if (outcome == consular::v1::OUTCOME_RETURNED_TO_NL && !IsSet(c.abandonment().returned_on())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case ", c.reference(),
        ": the outcome RETURNED_TO_NL needs the actual date of return; record "
        "abandonment.returned_on first"));
  }
  if (c.type() != consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) return absl::OkStatus();
  const consular::v1::RecognitionDecision decision = c.divorce_recognition().decision();
  const bool contradicts =
      (outcome == consular::v1::OUTCOME_RECOGNISED &&
       decision == consular::v1::RECOGNITION_DECISION_REFUSED) ||
      (outcome == consular::v1::OUTCOME_REFUSED &&
       decision == consular::v1::RECOGNITION_DECISION_GRANTED);
  if (!contradicts) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "case ", c.reference(), ": the outcome ", OutcomeName(outcome),
      " contradicts the foreign decision ",
      StripPrefix(consular::v1::RecognitionDecision_Name(decision), "RECOGNITION_DECISION_"),
      " recorded on it; correct the decision or choose another outcome"));
}

std::string ReferencePrefix(CaseType type) {
  return type == consular::v1::CASE_TYPE_ABANDONMENT ? "ABN" : "DIV";
}

std::string StatusName(CaseStatus status) {
  return StripPrefix(consular::v1::CaseStatus_Name(status), "CASE_STATUS_");
}

std::string TypeName(CaseType type) {
  return StripPrefix(consular::v1::CaseType_Name(type), "CASE_TYPE_");
}

std::string OutcomeName(Outcome outcome) {
  return StripPrefix(consular::v1::Outcome_Name(outcome), "OUTCOME_");
}

absl::Status ValidateCaseContent(const Case& c, const Date& today) {
  CONSULAR_RETURN_IF_ERROR(
      CheckRequiredEnum("case.type", c.type(), consular::v1::CaseType_IsValid(c.type())));
  if (c.country().empty()) return InvalidField("case.country", "required");
  if (!IsKnownCountryCode(c.country())) {
    return InvalidField("case.country",
                        "not an ISO 3166-1 alpha-2 country code (upper case, e.g. MA)");
  }
  if (c.country() == "NL") {
    return InvalidField("case.country", "the country of focus must be outside the Netherlands");
  }
  CONSULAR_RETURN_IF_ERROR(ValidateSubject(c, today));
  CONSULAR_RETURN_IF_ERROR(ValidatePersons(c, today));
  CONSULAR_RETURN_IF_ERROR(ValidateDocuments(c, today));
  CONSULAR_RETURN_IF_ERROR(
      CheckEnumList("case.risk_flags", c.risk_flags(), consular::v1::RiskFlag_IsValid));
  CONSULAR_RETURN_IF_ERROR(
      CheckRequiredEnum("case.referral_source", c.referral_source(),
                        consular::v1::ReferralSource_IsValid(c.referral_source())));
  switch (c.details_case()) {
    case Case::kAbandonment:
      if (c.type() != consular::v1::CASE_TYPE_ABANDONMENT) {
        return InvalidField("case.abandonment", "only for ABANDONMENT cases");
      }
      CONSULAR_RETURN_IF_ERROR(ValidateAbandonment(c, today));
      break;
    case Case::kDivorceRecognition:
      if (c.type() != consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) {
        return InvalidField("case.divorce_recognition",
                            "only for FOREIGN_DIVORCE_RECOGNITION cases");
      }
      CONSULAR_RETURN_IF_ERROR(ValidateDivorceRecognition(c, today));
      break;
    case Case::DETAILS_NOT_SET:
      break;
  }
  return ValidateSafety(c);
}

absl::Status ValidateUpdateMask(const google::protobuf::FieldMask& mask, CaseType type) {
  const absl::Status shape = CheckUpdateMaskShape(mask);
  if (!shape.ok()) return shape;
  static const std::set<std::string> kTopLevel = {"country", "risk_flags", "referral_source",
                                                  "persons", "documents"};
  static const std::set<std::string> kMessages = {"subject", "safety", "abandonment",
                                                  "divorce_recognition"};
  const auto* descriptor = Case::descriptor();
  for (const std::string& path : mask.paths()) {
    const std::vector<std::string> parts = absl::StrSplit(path, '.');
    const std::string& head = parts[0];
    const bool top_ok = parts.size() == 1 && kTopLevel.count(head) > 0;
    bool message_ok = false;
    if (kMessages.count(head) > 0 && parts.size() <= 2) {
      message_ok = true;
      if (parts.size() == 2) {
        const auto* field = descriptor->FindFieldByName(head);
        message_ok =
            field != nullptr && field->message_type()->FindFieldByName(parts[1]) != nullptr;
      }
    }
    // The return plan's fields one by one: abandonment.return_plan.<field>.
    if (parts.size() == 3 && head == "abandonment" && parts[1] == "return_plan") {
      message_ok =
          consular::v1::ReturnPlan::descriptor()->FindFieldByName(parts[2]) != nullptr;
    }
    if (!top_ok && !message_ok) {
      return InvalidField("update_mask", absl::StrCat("\"", path, "\" cannot be updated"));
    }
    if (head == "abandonment" && type != consular::v1::CASE_TYPE_ABANDONMENT) {
      return InvalidField("update_mask",
                          absl::StrCat("\"", path, "\" applies only to ABANDONMENT cases"));
    }
    if (head == "divorce_recognition" &&
        type != consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) {
      return InvalidField(
          "update_mask",
          absl::StrCat("\"", path, "\" applies only to FOREIGN_DIVORCE_RECOGNITION cases"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCaseServiceAccess(const Identity& who) {
  switch (who.role) {
    case consular::v1::ROLE_CONSULAR_OFFICER:
    case consular::v1::ROLE_POST_MANAGER:
    case consular::v1::ROLE_LKHA_CASEWORKER:
      return absl::OkStatus();
    default:
      return absl::PermissionDeniedError("this role has no access to case records");
  }
}

absl::Status CheckMayCreate(const Identity& who) {
  if (!UnitOf(who).empty()) return absl::OkStatus();
  return absl::PermissionDeniedError("only staff of a post or LKHA may open a case");
}

absl::Status CheckMayTransition(const Identity& who, consular::v1::CaseAccess access,
                                CaseStatus from, CaseStatus to) {
  const bool closing = to == consular::v1::CASE_STATUS_CLOSED;
  const bool reopening = from == consular::v1::CASE_STATUS_CLOSED;
  if (!closing && !reopening) return absl::OkStatus();
  const bool handles = access == consular::v1::CASE_ACCESS_HANDLING;
  if (handles && (who.role == consular::v1::ROLE_POST_MANAGER ||
                  who.role == consular::v1::ROLE_LKHA_CASEWORKER)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      closing ? "closing a case needs a manager of the post that handles it"
              : "reopening a case needs a manager of the post that handles it");
}

absl::Status CheckMayChange(const consular::v1::Case& c) {
  switch (c.caller_access()) {
    case consular::v1::CASE_ACCESS_HANDLING:
    case consular::v1::CASE_ACCESS_SHARED_READ_WRITE:
      return absl::OkStatus();
    case consular::v1::CASE_ACCESS_EMERGENCY:
      return absl::PermissionDeniedError(
          absl::StrCat("case ", c.reference(), ": emergency access is read-only"));
    default:
      return absl::PermissionDeniedError(
          absl::StrCat("case ", c.reference(), " is shared with you read-only"));
  }
}

absl::Status CheckHandles(const consular::v1::Case& c, const std::string& what) {
  if (c.caller_access() == consular::v1::CASE_ACCESS_HANDLING) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("only the unit handling case ", c.reference(),
                                                  " (", c.handling_post(), ") may ", what));
}

absl::Status CheckMayRefer(const Identity& who) {
  if (who.role == consular::v1::ROLE_POST_MANAGER ||
      who.role == consular::v1::ROLE_LKHA_CASEWORKER) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError("referring a case needs a post manager or LKHA caseworker");
}

absl::Status CheckMayOpenEmergencyAccess(const Identity& who) {
  if ((who.role == consular::v1::ROLE_POST_MANAGER ||
       who.role == consular::v1::ROLE_LKHA_CASEWORKER) &&
      !UnitOf(who).empty()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      "emergency access is for post managers and LKHA caseworkers only");
}

absl::Status CheckMayListEmergencyAccess(const Identity& who) {
  if (who.role == consular::v1::ROLE_AUDITOR) return absl::OkStatus();
  return CheckMayOpenEmergencyAccess(who);
}

absl::Status CheckMayReviewEmergencyAccess(const Identity& who) {
  if (who.role == consular::v1::ROLE_AUDITOR ||
      (who.role == consular::v1::ROLE_POST_MANAGER && !UnitOf(who).empty())) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      "emergency access is reviewed by auditors and the managers of the post concerned");
}

absl::Status ValidateGrantee(const std::string& field, const std::string& grantee) {
  if (grantee.empty()) return InvalidField(field, "required: LKHA or a post code");
  if (grantee != kLkhaUnit && !IsValidPostCode(grantee)) {
    return InvalidField(field, "must be LKHA or a post code (^[A-Z][A-Z0-9-]{1,31}$)");
  }
  return absl::OkStatus();
}

}  // namespace consular::cases

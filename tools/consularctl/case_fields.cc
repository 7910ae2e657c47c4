#include "tools/consularctl/case_fields.h"

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"

namespace consular::ctl {
namespace {

using ::consular::v1::AbandonmentDetails;
using ::consular::v1::Case;
using ::consular::v1::CaseType;
using ::consular::v1::DivorceRecognitionDetails;

constexpr char kGroupCase[] = "Case";
constexpr char kGroupSubject[] = "Subject";
constexpr char kGroupAbandonment[] = "Abandonment details (--type abandonment)";
constexpr char kGroupDivorce[] = "Divorce recognition details (--type divorce)";
constexpr char kGroupSafety[] = "Safety";

// Adds the case field flags of one group of the help ("Case", "Subject", ...) to
// `case create` or `case update`, writing what the user typed into the inputs.
class FieldFlags {
 public:
  FieldFlags(CLI::App* command, CaseFieldMode mode, std::string group)
      : command_(command), create_(mode == CaseFieldMode::kCreate), group_(std::move(group)) {}

  // A text value; with `required`, `case create` requires it.
  CLI::Option* Text(const std::string& name, std::optional<std::string>* target,
                    const std::string& description, bool required = false) {
    CLI::Option* option = command_->add_option_function<std::string>(
        name, [target](const std::string& value) { *target = value; }, description);
    option->type_name("TEXT")->group(group_);
    if (required && create_) option->required();
    return option;
  }

  // A date; `case update` also takes 'none', which clears it.
  CLI::Option* Date(const std::string& name, std::optional<std::string>* target,
                    const std::string& description) {
    const char* format = create_ ? " (YYYY-MM-DD)" : " (YYYY-MM-DD, or 'none' to clear)";
    return Text(name, target, description + format)->type_name("DATE")->check(DateValidator());
  }

  // A value of the enum `descriptor` describes; with `required`, `case create`
  // requires it.
  CLI::Option* Enum(const std::string& name, const google::protobuf::EnumDescriptor* descriptor,
                    std::optional<std::string>* target, const std::string& description,
                    bool required = false) {
    return Text(name, target, description, required)
        ->type_name("VALUE")
        ->check(EnumValidator(descriptor));
  }

  // Enum values, repeatable, each occurrence one value or a comma-separated
  // list. `case update` also gets `clear_name`, which gives an empty list.
  void EnumList(const std::string& name, const google::protobuf::EnumDescriptor* descriptor,
                std::optional<std::vector<std::string>>* target, const std::string& description,
                const std::string& clear_name, const std::string& clear_description) {
    auto append = [target](const std::vector<std::string>& values) {
      if (!target->has_value()) target->emplace();
      for (const std::string& value : values) {
        if (!value.empty()) (*target)->push_back(value);
      }
    };
    CLI::Option* list =
        command_->add_option_function<std::vector<std::string>>(name, append, description);
    list->type_name("VALUE")
        ->expected(1)
        ->allow_extra_args(false)  // "--flag x CASE": CASE is not a second flag
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->delimiter(',')
        ->check(EnumValidator(descriptor))
        ->group(group_);
    if (create_) return;
    command_
        ->add_flag_callback(
            clear_name, [target] { target->emplace(); }, clear_description)
        ->group(group_)
        ->excludes(list);
  }

  // `on_name` writes true into `target`; `case update` also gets `off_name`,
  // which writes false.
  void BoolPair(const std::string& on_name, const std::string& off_name,
                std::optional<bool>* target, const std::string& on_description,
                const std::string& off_description) {
    CLI::Option* on = command_->add_flag_callback(
        on_name, [target] { *target = true; }, on_description);
    on->group(group_);
    if (create_) return;
    CLI::Option* off = command_->add_flag_callback(
        off_name, [target] { *target = false; }, off_description);
    off->group(group_)->excludes(on);
  }

 private:
  CLI::App* command_;
  bool create_;
  std::string group_;
};

// Collects the given case fields into a CaseEdit. Each method does nothing for
// a flag that was not given; otherwise it sets the field and adds the
// update_mask path naming it. Values are parsed here though their validators
// checked them already (checked again for direct callers): a bad one is an
// INVALID_ARGUMENT naming the flag, after which the rest is skipped.
class CaseEditBuilder {
 public:
  explicit CaseEditBuilder(CaseEdit* edit) : edit_(edit) {}

  // The first bad value, if any.
  const absl::Status& status() const { return status_; }

  // Records `error` unless an earlier value was bad already.
  void Fail(absl::Status error) {
    if (status_.ok()) status_ = std::move(error);
  }

  // A value taken as typed (text, or the true/false of a flag pair).
  template <typename T, typename Set>
  void Value(const std::optional<T>& input, const char* path, Set set) {
    if (!Given(input)) return;
    set(*input);
    edit_->paths.push_back(path);
  }

  // A date (YYYY-MM-DD, or kNoDate to clear), written to *field(); `field`
  // (which may create the message) is called only for a flag given.
  template <typename Field>
  void Date(const std::optional<std::string>& input, absl::string_view flag, const char* path,
            Field field) {
    if (!Given(input)) return;
    absl::StatusOr<consular::v1::Date> parsed = ParseDate(*input);
    if (!parsed.ok()) {
      Fail(FlagError(flag, parsed.status()));
      return;
    }
    *field() = *parsed;
    edit_->paths.push_back(path);
  }

  // One value of the enum `descriptor` describes.
  template <typename E>
  void Enum(const std::optional<std::string>& input, absl::string_view flag,
            const google::protobuf::EnumDescriptor* descriptor, const char* path,
            const std::function<void(E)>& set) {
    if (!Given(input)) return;
    absl::StatusOr<E> value = ParseEnumAs<E>(descriptor, *input);
    if (!value.ok()) {
      Fail(FlagError(flag, value.status()));
      return;
    }
    set(*value);
    edit_->paths.push_back(path);
  }

  // A list of enum values, repeats dropped (the API rejects duplicates).
  template <typename E>
  void EnumList(const std::optional<std::vector<std::string>>& input, absl::string_view flag,
                const google::protobuf::EnumDescriptor* descriptor, const char* path,
                const std::function<void(E)>& add) {
    if (!Given(input)) return;
    std::vector<E> seen;
    for (const std::string& text : *input) {
      absl::StatusOr<E> value = ParseEnumAs<E>(descriptor, text);
      if (!value.ok()) {
        Fail(FlagError(flag, value.status()));
        return;
      }
      if (std::find(seen.begin(), seen.end(), *value) != seen.end()) continue;
      seen.push_back(*value);
      add(*value);
    }
    edit_->paths.push_back(path);
  }

 private:
  template <typename T>
  bool Given(const std::optional<T>& input) const {
    return status_.ok() && input.has_value();
  }

  static absl::Status FlagError(absl::string_view flag, const absl::Status& parse_error) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", parse_error.message()));
  }

  CaseEdit* edit_;
  absl::Status status_;
};

// The flags given from one details group, for error messages.
std::vector<std::string> AbandonmentFlagsGiven(const CaseFieldInputs& in) {
  std::vector<std::string> given;
  if (in.left_nl) given.push_back("--left-nl");
  if (in.reported) given.push_back("--reported");
  if (in.region) given.push_back("--region");
  if (in.withheld) given.push_back("--withheld");
  if (in.permit_expires) given.push_back("--permit-expires");
  if (in.permit_kind) given.push_back("--permit-kind");
  if (in.return_planned) given.push_back("--return-planned");
  if (in.return_route) given.push_back("--return-route");
  if (in.return_escort) given.push_back("--return-escort");
  if (in.return_funding) given.push_back("--return-funding");
  if (in.loan_cents) given.push_back("--loan-cents");
  if (in.reception_arranged) given.push_back("--reception-arranged");
  if (in.wishes) given.push_back("--wishes");
  if (in.etd_issued)
    given.push_back(*in.etd_issued ? "--etd-issued" : "--etd-not-issued");
  if (in.returned) given.push_back("--returned");
  return given;
}

std::vector<std::string> DivorceFlagsGiven(const CaseFieldInputs& in) {
  std::vector<std::string> given;
  if (in.divorce_date) given.push_back("--divorce-date");
  if (in.court) given.push_back("--court");
  if (in.proceedings) given.push_back("--proceedings");
  if (in.lawyer) given.push_back("--lawyer");
  if (in.obstacles) given.push_back("--obstacle");
  if (in.decision) given.push_back("--decision");
  if (in.decided) given.push_back("--decided");
  if (in.foreign_court) given.push_back("--foreign-court");
  if (in.foreign_case_number) given.push_back("--foreign-case-number");
  if (in.obstacle_note) given.push_back("--obstacle-note");
  return given;
}

absl::Status CheckDetailsMatchType(const CaseFieldInputs& in, CaseType type) {
  const std::vector<std::string> abandonment = AbandonmentFlagsGiven(in);
  const std::vector<std::string> divorce = DivorceFlagsGiven(in);
  if (!abandonment.empty() && !divorce.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "abandonment flags (", absl::StrJoin(abandonment, ", "),
        ") and divorce recognition flags (", absl::StrJoin(divorce, ", "),
        ") cannot be used together: a case has one type"));
  }
  if (type == consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION &&
      !abandonment.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        absl::StrJoin(abandonment, ", "),
        ": only for abandonment cases, not FOREIGN_DIVORCE_RECOGNITION"));
  }
  if (type == consular::v1::CASE_TYPE_ABANDONMENT && !divorce.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::StrJoin(divorce, ", "),
                     ": only for divorce recognition cases, not ABANDONMENT"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position) {
      if (text[i] != '-') return false;
    } else if (!absl::ascii_isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

CLI::Validator EnumValidator(
    const google::protobuf::EnumDescriptor* descriptor) {
  return CLI::Validator(
      [descriptor](std::string& value) {
        return EnumValidationError(descriptor, value);
      },
      absl::StrCat("{", absl::StrJoin(EnumValidNames(descriptor), ", "), "}"));
}

CLI::Validator DateValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        absl::StatusOr<consular::v1::Date> date = ParseDate(value);
        return date.ok() ? "" : std::string(date.status().message());
      },
      "");
}

void AddCaseFieldOptions(CLI::App* command, CaseFieldMode mode,
                         CaseFieldInputs* in) {
  const bool create = mode == CaseFieldMode::kCreate;
  FieldFlags fields(command, mode, kGroupCase);
  fields
      .Text("--country", &in->country, "Country of focus, ISO 3166-1 alpha-2 (e.g. MA)",
            /*required=*/true)
      ->type_name("CC");
  fields.EnumList("--flag", consular::v1::RiskFlag_descriptor(), &in->flags,
                  create ? "Risk flag; repeat or give a comma list"
                         : "Risk flag; repeat or give a comma list; replaces the case's flags",
                  "--clear-flags", "Remove all risk flags");
  fields.Enum("--referral", consular::v1::ReferralSource_descriptor(), &in->referral,
              "Who reported the case", /*required=*/true);

  FieldFlags subject(command, mode, kGroupSubject);
  subject.Text("--name", &in->name, "Full name of the person", /*required=*/true);
  subject.Date("--dob", &in->dob, "Date of birth");
  subject.Enum("--sex", consular::v1::Sex_descriptor(), &in->sex, "Sex", /*required=*/true);
  subject.Enum("--nationality", consular::v1::NationalityStatus_descriptor(), &in->nationality,
               "Nationality status", /*required=*/true);
  subject.BoolPair("--minor-children", "--no-minor-children", &in->minor_children,
                   "The person has minor children", "The person has no minor children");

  FieldFlags abandonment(command, mode, kGroupAbandonment);
  abandonment.Date("--left-nl", &in->left_nl, "Date the person left the Netherlands");
  abandonment.Date("--reported", &in->reported, "Date the case was reported");
  abandonment.Text("--region", &in->region, "Where in the country the person is");
  abandonment.EnumList("--withheld", consular::v1::WithheldDocument_descriptor(), &in->withheld,
                       "Document withheld; repeat or give a comma list", "--clear-withheld",
                       "Remove all withheld documents");
  abandonment.Date("--permit-expires", &in->permit_expires,
                   "Date the Dutch residence permit expires");
  abandonment.Enum("--permit-kind", consular::v1::PermitKind_descriptor(), &in->permit_kind,
                   "Kind of Dutch residence permit (how long she may stay abroad)");
  abandonment.Date("--return-planned", &in->return_planned, "Planned day of return");
  abandonment.Text("--return-route", &in->return_route, "Route home (e.g. flights)");
  abandonment.Text("--return-escort", &in->return_escort, "Who travels with her");
  abandonment.Enum("--return-funding", consular::v1::ReturnFunding_descriptor(),
                   &in->return_funding, "Who pays the return (own-means, family, consular-loan, "
                   "other)");
  abandonment.Text("--loan-cents", &in->loan_cents, "Consular loan in euro cents")
      ->type_name("N");
  abandonment.BoolPair("--reception-arranged", "--reception-not-arranged",
                       &in->reception_arranged, "Reception in the Netherlands is arranged",
                       "Reception in the Netherlands is not arranged");
  abandonment.Text("--wishes", &in->wishes, "What the person wants");
  abandonment.BoolPair("--etd-issued", "--etd-not-issued", &in->etd_issued,
                       "An emergency travel document was issued",
                       "No emergency travel document was issued");
  abandonment.Date("--returned", &in->returned, "Date of return to the Netherlands");

  FieldFlags divorce(command, mode, kGroupDivorce);
  divorce.Date("--divorce-date", &in->divorce_date, "Date of the Dutch divorce");
  divorce.Text("--court", &in->court, "Dutch court that pronounced the divorce");
  divorce.Enum("--proceedings", consular::v1::ProceedingsState_descriptor(), &in->proceedings,
               "State of the foreign recognition proceedings");
  divorce.Text("--lawyer", &in->lawyer, "Lawyer: partner id from the directory")
      ->type_name("UUID")
      ->check(CLI::Validator(
          [create](std::string& value) -> std::string {
            if (IsUuid(value) || (!create && value.empty())) return "";
            return "not a UUID: \"" + value + "\"";
          },
          ""));
  divorce.EnumList("--obstacle", consular::v1::RecognitionObstacle_descriptor(), &in->obstacles,
                   "Obstacle met; repeat or give a comma list", "--clear-obstacles",
                   "Remove all obstacles");
  divorce.Text("--obstacle-note", &in->obstacle_note,
               "What stands in the way, in words (required with the obstacle other)");
  divorce.Text("--foreign-court", &in->foreign_court, "Court abroad that hears the recognition");
  divorce.Text("--foreign-case-number", &in->foreign_case_number, "Its case number");
  divorce.Enum("--decision", consular::v1::RecognitionDecision_descriptor(), &in->decision,
               "Decision on recognition");
  divorce.Date("--decided", &in->decided, "Date of the decision");

  FieldFlags safety(command, mode, kGroupSafety);
  safety.Text("--safe-channel", &in->safe_channel, "How the person can be reached safely");
  safety.Text("--safe-times", &in->safe_times, "When contact is safe");
  safety.BoolPair("--no-family-contact", "--family-contact-ok", &in->do_not_contact_family,
                  "Do not contact the family", "Contacting the family is allowed");
  safety.Text("--covert-notes", &in->covert_notes, "Covert notes");
  safety.Text("--code-word", &in->code_word,
              "A word the person gives to prove it is her (never shown back unless asked for)");
  safety.BoolPair("--covert-notes-shared", "--covert-notes-private", &in->covert_notes_shareable,
                  "Read-only grantees and emergency readers may see the covert notes",
                  "Only the handling unit and read-write grantees see the covert notes");
}

absl::StatusOr<CaseEdit> BuildCaseEdit(const CaseFieldInputs& in, CaseType type) {
  absl::Status status = CheckDetailsMatchType(in, type);
  if (!status.ok()) return status;

  CaseEdit edit;
  Case& c = edit.fields;
  CaseEditBuilder builder(&edit);
  builder.Value(in.country, "country",
                [&c](const std::string& v) { c.set_country(absl::AsciiStrToUpper(v)); });

  // Subject.
  builder.Value(in.name, "subject.full_name",
                [&c](const std::string& v) { c.mutable_subject()->set_full_name(v); });
  builder.Date(in.dob, "--dob", "subject.date_of_birth",
               [&c] { return c.mutable_subject()->mutable_date_of_birth(); });
  builder.Enum<consular::v1::Sex>(in.sex, "--sex", consular::v1::Sex_descriptor(), "subject.sex",
                                  [&c](consular::v1::Sex v) { c.mutable_subject()->set_sex(v); });
  builder.Enum<consular::v1::NationalityStatus>(
      in.nationality, "--nationality", consular::v1::NationalityStatus_descriptor(),
      "subject.nationality_status",
      [&c](consular::v1::NationalityStatus v) { c.mutable_subject()->set_nationality_status(v); });
  builder.Value(in.minor_children, "subject.has_minor_children",
                [&c](bool v) { c.mutable_subject()->set_has_minor_children(v); });

  builder.EnumList<consular::v1::RiskFlag>(in.flags, "--flag", consular::v1::RiskFlag_descriptor(),
                                           "risk_flags",
                                           [&c](consular::v1::RiskFlag v) { c.add_risk_flags(v); });
  builder.Enum<consular::v1::ReferralSource>(
      in.referral, "--referral", consular::v1::ReferralSource_descriptor(), "referral_source",
      [&c](consular::v1::ReferralSource v) { c.set_referral_source(v); });

  // Abandonment details; the oneof is set only when one of its flags is given.
  if (!AbandonmentFlagsGiven(in).empty()) {
    AbandonmentDetails* a = c.mutable_abandonment();
    builder.Date(in.left_nl, "--left-nl", "abandonment.left_netherlands_on",
                 [a] { return a->mutable_left_netherlands_on(); });
    builder.Date(in.reported, "--reported", "abandonment.reported_on",
                 [a] { return a->mutable_reported_on(); });
    builder.Value(in.region, "abandonment.region", [a](const std::string& v) { a->set_region(v); });
    builder.EnumList<consular::v1::WithheldDocument>(
        in.withheld, "--withheld", consular::v1::WithheldDocument_descriptor(),
        "abandonment.documents_withheld",
        [a](consular::v1::WithheldDocument v) { a->add_documents_withheld(v); });
    builder.Date(in.permit_expires, "--permit-expires", "abandonment.residence_permit_expires_on",
                 [a] { return a->mutable_residence_permit_expires_on(); });
    builder.Enum<consular::v1::PermitKind>(
        in.permit_kind, "--permit-kind", consular::v1::PermitKind_descriptor(),
        "abandonment.residence_permit_kind",
        [a](consular::v1::PermitKind v) { a->set_residence_permit_kind(v); });
    consular::v1::ReturnPlan* plan = a->mutable_return_plan();
    builder.Date(in.return_planned, "--return-planned", "abandonment.return_plan.planned_on",
                 [plan] { return plan->mutable_planned_on(); });
    builder.Value(in.return_route, "abandonment.return_plan.route",
                  [plan](const std::string& v) { plan->set_route(v); });
    builder.Value(in.return_escort, "abandonment.return_plan.escort",
                  [plan](const std::string& v) { plan->set_escort(v); });
    builder.Enum<consular::v1::ReturnFunding>(
        in.return_funding, "--return-funding", consular::v1::ReturnFunding_descriptor(),
        "abandonment.return_plan.funding",
        [plan](consular::v1::ReturnFunding v) { plan->set_funding(v); });
    if (in.loan_cents) {
      int64_t cents = 0;
      if (!absl::SimpleAtoi(*in.loan_cents, &cents) || cents < 0) {
        return absl::InvalidArgumentError("--loan-cents: a whole number of euro cents");
      }
      builder.Value(std::optional<int64_t>(cents), "abandonment.return_plan.loan_amount_cents",
                    [plan](int64_t v) { plan->set_loan_amount_cents(v); });
    }
    builder.Value(in.reception_arranged, "abandonment.return_plan.reception_arranged",
                  [plan](bool v) { plan->set_reception_arranged(v); });
    builder.Value(in.wishes, "abandonment.person_wishes",
                  [a](const std::string& v) { a->set_person_wishes(v); });
    builder.Value(in.etd_issued, "abandonment.emergency_travel_document_issued",
                  [a](bool v) { a->set_emergency_travel_document_issued(v); });
    builder.Date(in.returned, "--returned", "abandonment.returned_on",
                 [a] { return a->mutable_returned_on(); });
  }

  // Divorce recognition details.
  if (!DivorceFlagsGiven(in).empty()) {
    DivorceRecognitionDetails* d = c.mutable_divorce_recognition();
    builder.Date(in.divorce_date, "--divorce-date", "divorce_recognition.dutch_divorce_on",
                 [d] { return d->mutable_dutch_divorce_on(); });
    builder.Value(in.court, "divorce_recognition.dutch_court",
                  [d](const std::string& v) { d->set_dutch_court(v); });
    builder.Enum<consular::v1::ProceedingsState>(
        in.proceedings, "--proceedings", consular::v1::ProceedingsState_descriptor(),
        "divorce_recognition.proceedings_state",
        [d](consular::v1::ProceedingsState v) { d->set_proceedings_state(v); });
    if (in.lawyer && !in.lawyer->empty() && !IsUuid(*in.lawyer)) {
      builder.Fail(
          absl::InvalidArgumentError(absl::StrCat("--lawyer: not a UUID: \"", *in.lawyer, "\"")));
    }
    builder.Value(in.lawyer, "divorce_recognition.lawyer_partner_id", [d](const std::string& v) {
      d->set_lawyer_partner_id(absl::AsciiStrToLower(v));
    });
    builder.EnumList<consular::v1::RecognitionObstacle>(
        in.obstacles, "--obstacle", consular::v1::RecognitionObstacle_descriptor(),
        "divorce_recognition.obstacles",
        [d](consular::v1::RecognitionObstacle v) { d->add_obstacles(v); });
    builder.Value(in.obstacle_note, "divorce_recognition.obstacle_note",
                  [d](const std::string& v) { d->set_obstacle_note(v); });
    builder.Value(in.foreign_court, "divorce_recognition.foreign_court",
                  [d](const std::string& v) { d->set_foreign_court(v); });
    builder.Value(in.foreign_case_number, "divorce_recognition.foreign_case_number",
                  [d](const std::string& v) { d->set_foreign_case_number(v); });
    builder.Enum<consular::v1::RecognitionDecision>(
        in.decision, "--decision", consular::v1::RecognitionDecision_descriptor(),
        "divorce_recognition.decision",
        [d](consular::v1::RecognitionDecision v) { d->set_decision(v); });
    builder.Date(in.decided, "--decided", "divorce_recognition.decided_on",
                 [d] { return d->mutable_decided_on(); });
  }

  // Safety.
  builder.Value(in.safe_channel, "safety.safe_contact_channel",
                [&c](const std::string& v) { c.mutable_safety()->set_safe_contact_channel(v); });
  builder.Value(in.safe_times, "safety.safe_contact_times",
                [&c](const std::string& v) { c.mutable_safety()->set_safe_contact_times(v); });
  builder.Value(in.do_not_contact_family, "safety.do_not_contact_family",
                [&c](bool v) { c.mutable_safety()->set_do_not_contact_family(v); });
  builder.Value(in.covert_notes, "safety.covert_notes",
                [&c](const std::string& v) { c.mutable_safety()->set_covert_notes(v); });
  builder.Value(in.code_word, "safety.code_word",
                [&c](const std::string& v) { c.mutable_safety()->set_code_word(v); });
  builder.Value(in.covert_notes_shareable, "safety.covert_notes_shareable",
                [&c](bool v) { c.mutable_safety()->set_covert_notes_shareable(v); });
  if (!builder.status().ok()) return builder.status();
  return edit;
}

}  // namespace consular::ctl

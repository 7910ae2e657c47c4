#include "tools/consularctl/case_fields.h"

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
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

CLI::Option* AddText(CLI::App* command, const std::string& name,
                     std::optional<std::string>* target,
                     const std::string& description) {
  return command
      ->add_option_function<std::string>(
          name, [target](const std::string& value) { *target = value; },
          description)
      ->type_name("TEXT");
}

CLI::Option* AddEnum(CLI::App* command, const std::string& name,
                     const google::protobuf::EnumDescriptor* descriptor,
                     std::optional<std::string>* target,
                     const std::string& description) {
  return AddText(command, name, target, description)
      ->type_name("VALUE")
      ->check(EnumValidator(descriptor));
}

CLI::Option* AddDate(CLI::App* command, const std::string& name,
                     std::optional<std::string>* target,
                     const std::string& description) {
  return AddText(command, name, target, description)
      ->type_name("DATE")
      ->check(DateValidator());
}

// Repeatable, each occurrence one value or a comma-separated list.
CLI::Option* AddEnumList(CLI::App* command, const std::string& name,
                         const google::protobuf::EnumDescriptor* descriptor,
                         std::optional<std::vector<std::string>>* target,
                         const std::string& description) {
  return command
      ->add_option_function<std::vector<std::string>>(
          name,
          [target](const std::vector<std::string>& values) {
            if (!target->has_value()) target->emplace();
            for (const std::string& value : values) {
              if (!value.empty()) (*target)->push_back(value);
            }
          },
          description)
      ->type_name("VALUE")
      ->expected(1)
      ->allow_extra_args(false)  // "--flag x CASE": CASE is not a second flag
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->delimiter(',')
      ->check(EnumValidator(descriptor));
}

// --set-flag / --unset-flag pair writing true / false into `target`.
void AddBoolPair(CLI::App* command, const std::string& on_name,
                 const std::string& off_name, std::optional<bool>* target,
                 const std::string& on_description,
                 const std::string& off_description, const std::string& group) {
  CLI::Option* on = command->add_flag_callback(
      on_name, [target] { *target = true; }, on_description);
  on->group(group);
  if (!off_name.empty()) {
    CLI::Option* off = command->add_flag_callback(
        off_name, [target] { *target = false; }, off_description);
    off->group(group)->excludes(on);
  }
}

void AddClear(CLI::App* command, const std::string& name,
              CLI::Option* list_option,
              std::optional<std::vector<std::string>>* target,
              const std::string& description, const std::string& group) {
  command
      ->add_flag_callback(
          name, [target] { target->emplace(); }, description)
      ->group(group)
      ->excludes(list_option);
}

// Parses one enum value already checked by its validator (checked again for
// direct callers).
template <typename E>
absl::Status SetEnum(const std::optional<std::string>& input,
                     absl::string_view flag,
                     const google::protobuf::EnumDescriptor* descriptor,
                     const std::function<void(E)>& set) {
  if (!input.has_value()) return absl::OkStatus();
  absl::StatusOr<E> value = ParseEnumAs<E>(descriptor, *input);
  if (!value.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", value.status().message()));
  }
  set(*value);
  return absl::OkStatus();
}

// Parses a list of enum values, dropping repeats (the API rejects duplicates).
template <typename E>
absl::Status SetEnumList(const std::optional<std::vector<std::string>>& input,
                         absl::string_view flag,
                         const google::protobuf::EnumDescriptor* descriptor,
                         const std::function<void(E)>& add) {
  if (!input.has_value()) return absl::OkStatus();
  std::vector<E> seen;
  for (const std::string& text : *input) {
    absl::StatusOr<E> value = ParseEnumAs<E>(descriptor, text);
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": ", value.status().message()));
    }
    if (std::find(seen.begin(), seen.end(), *value) != seen.end()) continue;
    seen.push_back(*value);
    add(*value);
  }
  return absl::OkStatus();
}

absl::Status SetDate(const std::optional<std::string>& input,
                     absl::string_view flag, consular::v1::Date* date) {
  if (!input.has_value()) return absl::OkStatus();
  absl::StatusOr<consular::v1::Date> parsed = ParseDate(*input);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", parsed.status().message()));
  }
  *date = *parsed;
  return absl::OkStatus();
}

// The flags given from one details group, for error messages.
std::vector<std::string> AbandonmentFlagsGiven(const CaseFieldInputs& in) {
  std::vector<std::string> given;
  if (in.left_nl) given.push_back("--left-nl");
  if (in.reported) given.push_back("--reported");
  if (in.region) given.push_back("--region");
  if (in.withheld) given.push_back("--withheld");
  if (in.permit_expires) given.push_back("--permit-expires");
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
  const std::string date_note =
      create ? " (YYYY-MM-DD)" : " (YYYY-MM-DD, or 'none' to clear)";
  auto required = [create](CLI::Option* option) {
    if (create) option->required();
    return option;
  };

  required(AddText(command, "--country", &in->country,
                   "Country of focus, ISO 3166-1 alpha-2 (e.g. MA)"))
      ->type_name("CC")
      ->group(kGroupCase);
  CLI::Option* flag = AddEnumList(
      command, "--flag", consular::v1::RiskFlag_descriptor(), &in->flags,
      create ? "Risk flag; repeat or give a comma list"
             : "Risk flag; repeat or give a comma list; "
               "replaces the case's flags");
  flag->group(kGroupCase);
  if (!create) {
    AddClear(command, "--clear-flags", flag, &in->flags,
             "Remove all risk flags", kGroupCase);
  }
  required(AddEnum(command, "--referral",
                   consular::v1::ReferralSource_descriptor(), &in->referral,
                   "Who reported the case"))
      ->group(kGroupCase);

  required(AddText(command, "--name", &in->name, "Full name of the person"))
      ->group(kGroupSubject);
  AddDate(command, "--dob", &in->dob, "Date of birth" + date_note)
      ->group(kGroupSubject);
  required(AddEnum(command, "--sex", consular::v1::Sex_descriptor(), &in->sex,
                   "Sex"))
      ->group(kGroupSubject);
  required(AddEnum(command, "--nationality",
                   consular::v1::NationalityStatus_descriptor(),
                   &in->nationality, "Nationality status"))
      ->group(kGroupSubject);
  AddBoolPair(command, "--minor-children", create ? "" : "--no-minor-children",
              &in->minor_children, "The person has minor children",
              "The person has no minor children", kGroupSubject);

  AddDate(command, "--left-nl", &in->left_nl,
          "Date the person left the Netherlands" + date_note)
      ->group(kGroupAbandonment);
  AddDate(command, "--reported", &in->reported,
          "Date the case was reported" + date_note)
      ->group(kGroupAbandonment);
  AddText(command, "--region", &in->region,
          "Where in the country the person is")
      ->group(kGroupAbandonment);
  CLI::Option* withheld = AddEnumList(
      command, "--withheld", consular::v1::WithheldDocument_descriptor(),
      &in->withheld, "Document withheld; repeat or give a comma list");
  withheld->group(kGroupAbandonment);
  if (!create) {
    AddClear(command, "--clear-withheld", withheld, &in->withheld,
             "Remove all withheld documents", kGroupAbandonment);
  }
  AddDate(command, "--permit-expires", &in->permit_expires,
          "Date the Dutch residence permit expires" + date_note)
      ->group(kGroupAbandonment);
  AddText(command, "--wishes", &in->wishes, "What the person wants")
      ->group(kGroupAbandonment);
  AddBoolPair(command, "--etd-issued", create ? "" : "--etd-not-issued",
              &in->etd_issued, "An emergency travel document was issued",
              "No emergency travel document was issued", kGroupAbandonment);
  AddDate(command, "--returned", &in->returned,
          "Date of return to the Netherlands" + date_note)
      ->group(kGroupAbandonment);

  AddDate(command, "--divorce-date", &in->divorce_date,
          "Date of the Dutch divorce" + date_note)
      ->group(kGroupDivorce);
  AddText(command, "--court", &in->court,
          "Dutch court that pronounced the divorce")
      ->group(kGroupDivorce);
  AddEnum(command, "--proceedings", consular::v1::ProceedingsState_descriptor(),
          &in->proceedings, "State of the foreign recognition proceedings")
      ->group(kGroupDivorce);
  AddText(command, "--lawyer", &in->lawyer,
          "Lawyer: partner id from the directory")
      ->type_name("UUID")
      ->check(CLI::Validator(
          [create](std::string& value) -> std::string {
            if (IsUuid(value) || (!create && value.empty())) return "";
            return "not a UUID: \"" + value + "\"";
          },
          ""))
      ->group(kGroupDivorce);
  CLI::Option* obstacle = AddEnumList(
      command, "--obstacle", consular::v1::RecognitionObstacle_descriptor(),
      &in->obstacles, "Obstacle met; repeat or give a comma list");
  obstacle->group(kGroupDivorce);
  if (!create) {
    AddClear(command, "--clear-obstacles", obstacle, &in->obstacles,
             "Remove all obstacles", kGroupDivorce);
  }
  AddEnum(command, "--decision", consular::v1::RecognitionDecision_descriptor(),
          &in->decision, "Decision on recognition")
      ->group(kGroupDivorce);
  AddDate(command, "--decided", &in->decided,
          "Date of the decision" + date_note)
      ->group(kGroupDivorce);

  AddText(command, "--safe-channel", &in->safe_channel,
          "How the person can be reached safely")
      ->group(kGroupSafety);
  AddText(command, "--safe-times", &in->safe_times, "When contact is safe")
      ->group(kGroupSafety);
  AddBoolPair(command, "--no-family-contact",
              create ? "" : "--family-contact-ok", &in->do_not_contact_family,
              "Do not contact the family", "Contacting the family is allowed",
              kGroupSafety);
  AddText(command, "--covert-notes", &in->covert_notes, "Covert notes")
      ->group(kGroupSafety);
}

absl::StatusOr<CaseEdit> BuildCaseEdit(const CaseFieldInputs& in,
                                       CaseType type) {
  absl::Status status = CheckDetailsMatchType(in, type);
  if (!status.ok()) return status;

  CaseEdit edit;
  Case& c = edit.fields;
  std::vector<std::string>& paths = edit.paths;

  if (in.country) {
    c.set_country(absl::AsciiStrToUpper(*in.country));
    paths.push_back("country");
  }

  // Subject.
  if (in.name) {
    c.mutable_subject()->set_full_name(*in.name);
    paths.push_back("subject.full_name");
  }
  if (in.dob) {
    status =
        SetDate(in.dob, "--dob", c.mutable_subject()->mutable_date_of_birth());
    if (!status.ok()) return status;
    paths.push_back("subject.date_of_birth");
  }
  if (in.sex) {
    status = SetEnum<consular::v1::Sex>(
        in.sex, "--sex", consular::v1::Sex_descriptor(),
        [&c](consular::v1::Sex v) { c.mutable_subject()->set_sex(v); });
    if (!status.ok()) return status;
    paths.push_back("subject.sex");
  }
  if (in.nationality) {
    status = SetEnum<consular::v1::NationalityStatus>(
        in.nationality, "--nationality",
        consular::v1::NationalityStatus_descriptor(),
        [&c](consular::v1::NationalityStatus v) {
          c.mutable_subject()->set_nationality_status(v);
        });
    if (!status.ok()) return status;
    paths.push_back("subject.nationality_status");
  }
  if (in.minor_children) {
    c.mutable_subject()->set_has_minor_children(*in.minor_children);
    paths.push_back("subject.has_minor_children");
  }

  if (in.flags) {
    status = SetEnumList<consular::v1::RiskFlag>(
        in.flags, "--flag", consular::v1::RiskFlag_descriptor(),
        [&c](consular::v1::RiskFlag v) { c.add_risk_flags(v); });
    if (!status.ok()) return status;
    paths.push_back("risk_flags");
  }
  if (in.referral) {
    status = SetEnum<consular::v1::ReferralSource>(
        in.referral, "--referral", consular::v1::ReferralSource_descriptor(),
        [&c](consular::v1::ReferralSource v) { c.set_referral_source(v); });
    if (!status.ok()) return status;
    paths.push_back("referral_source");
  }

  // Abandonment details; the oneof is set only when one of its flags is given.
  if (!AbandonmentFlagsGiven(in).empty()) {
    AbandonmentDetails* a = c.mutable_abandonment();
    if (in.left_nl) {
      status =
          SetDate(in.left_nl, "--left-nl", a->mutable_left_netherlands_on());
      if (!status.ok()) return status;
      paths.push_back("abandonment.left_netherlands_on");
    }
    if (in.reported) {
      status = SetDate(in.reported, "--reported", a->mutable_reported_on());
      if (!status.ok()) return status;
      paths.push_back("abandonment.reported_on");
    }
    if (in.region) {
      a->set_region(*in.region);
      paths.push_back("abandonment.region");
    }
    if (in.withheld) {
      status = SetEnumList<consular::v1::WithheldDocument>(
          in.withheld, "--withheld",
          consular::v1::WithheldDocument_descriptor(),
          [a](consular::v1::WithheldDocument v) {
            a->add_documents_withheld(v);
          });
      if (!status.ok()) return status;
      paths.push_back("abandonment.documents_withheld");
    }
    if (in.permit_expires) {
      status = SetDate(in.permit_expires, "--permit-expires",
                       a->mutable_residence_permit_expires_on());
      if (!status.ok()) return status;
      paths.push_back("abandonment.residence_permit_expires_on");
    }
    if (in.wishes) {
      a->set_person_wishes(*in.wishes);
      paths.push_back("abandonment.person_wishes");
    }
    if (in.etd_issued) {
      a->set_emergency_travel_document_issued(*in.etd_issued);
      paths.push_back("abandonment.emergency_travel_document_issued");
    }
    if (in.returned) {
      status = SetDate(in.returned, "--returned", a->mutable_returned_on());
      if (!status.ok()) return status;
      paths.push_back("abandonment.returned_on");
    }
  }

  // Divorce recognition details.
  if (!DivorceFlagsGiven(in).empty()) {
    DivorceRecognitionDetails* d = c.mutable_divorce_recognition();
    if (in.divorce_date) {
      status = SetDate(in.divorce_date, "--divorce-date",
                       d->mutable_dutch_divorce_on());
      if (!status.ok()) return status;
      paths.push_back("divorce_recognition.dutch_divorce_on");
    }
    if (in.court) {
      d->set_dutch_court(*in.court);
      paths.push_back("divorce_recognition.dutch_court");
    }
    if (in.proceedings) {
      status = SetEnum<consular::v1::ProceedingsState>(
          in.proceedings, "--proceedings",
          consular::v1::ProceedingsState_descriptor(),
          [d](consular::v1::ProceedingsState v) {
            d->set_proceedings_state(v);
          });
      if (!status.ok()) return status;
      paths.push_back("divorce_recognition.proceedings_state");
    }
    if (in.lawyer) {
      if (!in.lawyer->empty() && !IsUuid(*in.lawyer)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--lawyer: not a UUID: \"", *in.lawyer, "\""));
      }
      d->set_lawyer_partner_id(absl::AsciiStrToLower(*in.lawyer));
      paths.push_back("divorce_recognition.lawyer_partner_id");
    }
    if (in.obstacles) {
      status = SetEnumList<consular::v1::RecognitionObstacle>(
          in.obstacles, "--obstacle",
          consular::v1::RecognitionObstacle_descriptor(),
          [d](consular::v1::RecognitionObstacle v) { d->add_obstacles(v); });
      if (!status.ok()) return status;
      paths.push_back("divorce_recognition.obstacles");
    }
    if (in.decision) {
      status = SetEnum<consular::v1::RecognitionDecision>(
          in.decision, "--decision",
          consular::v1::RecognitionDecision_descriptor(),
          [d](consular::v1::RecognitionDecision v) { d->set_decision(v); });
      if (!status.ok()) return status;
      paths.push_back("divorce_recognition.decision");
    }
    if (in.decided) {
      status = SetDate(in.decided, "--decided", d->mutable_decided_on());
      if (!status.ok()) return status;
      paths.push_back("divorce_recognition.decided_on");
    }
  }

  // Safety.
  if (in.safe_channel) {
    c.mutable_safety()->set_safe_contact_channel(*in.safe_channel);
    paths.push_back("safety.safe_contact_channel");
  }
  if (in.safe_times) {
    c.mutable_safety()->set_safe_contact_times(*in.safe_times);
    paths.push_back("safety.safe_contact_times");
  }
  if (in.do_not_contact_family) {
    c.mutable_safety()->set_do_not_contact_family(*in.do_not_contact_family);
    paths.push_back("safety.do_not_contact_family");
  }
  if (in.covert_notes) {
    c.mutable_safety()->set_covert_notes(*in.covert_notes);
    paths.push_back("safety.covert_notes");
  }
  return edit;
}

}  // namespace consular::ctl

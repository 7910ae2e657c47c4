#pragma once

#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/common.pb.h"

namespace consular::ctl {

// The case field flags shared by `case create` and `case update`, as typed (not
// yet parsed). An unset optional means the flag was not given: only given flags
// go into an update mask.
struct CaseFieldInputs {
  std::optional<std::string> country;
  // Subject.
  std::optional<std::string> name;
  std::optional<std::string> dob;
  std::optional<std::string> sex;
  std::optional<std::string> nationality;
  std::optional<bool> minor_children;
  // Risk flags: --flag (repeatable, comma lists), --clear-flags gives an empty
  // list.
  std::optional<std::vector<std::string>> flags;
  std::optional<std::string> referral;
  // Abandonment details.
  std::optional<std::string> left_nl;
  std::optional<std::string> reported;
  std::optional<std::string> region;
  std::optional<std::vector<std::string>> withheld;
  std::optional<std::string> permit_expires;
  std::optional<std::string> permit_kind;
  std::optional<std::string> return_planned;
  std::optional<std::string> return_route;
  std::optional<std::string> return_escort;
  std::optional<std::string> return_funding;
  std::optional<std::string> loan_cents;
  std::optional<bool> reception_arranged;
  std::optional<std::string> wishes;
  std::optional<bool> etd_issued;
  std::optional<std::string> returned;
  // Divorce recognition details.
  std::optional<std::string> divorce_date;
  std::optional<std::string> court;
  std::optional<std::string> proceedings;
  std::optional<std::string> lawyer;
  std::optional<std::vector<std::string>> obstacles;
  std::optional<std::string> decision;
  std::optional<std::string> decided;
  std::optional<std::string> foreign_court;
  std::optional<std::string> foreign_case_number;
  std::optional<std::string> obstacle_note;
  // Safety.
  std::optional<std::string> safe_channel;
  std::optional<std::string> safe_times;
  std::optional<bool> do_not_contact_family;
  std::optional<std::string> covert_notes;
  std::optional<bool> covert_notes_shareable;
  std::optional<std::string> code_word;
};

enum class CaseFieldMode {
  kCreate,  // --name, --sex, --nationality, --referral and --country are
            // required
  kUpdate,  // all optional; adds --clear-flags, --clear-withheld,
            // --clear-obstacles and the "set to false" flags
            // --no-minor-children, --etd-not-issued, --family-contact-ok
};

// Registers the case field flags on `command`, writing what the user typed into
// `inputs` (which must outlive parsing). Enum and date values are checked while
// parsing, so a bad value is a CLI11 usage error naming the flag.
void AddCaseFieldOptions(CLI::App* command, CaseFieldMode mode,
                         CaseFieldInputs* inputs);

// A case message holding the given fields, and the update_mask paths naming
// them in proto field order ("subject.full_name", "risk_flags",
// "abandonment.left_netherlands_on", ...).
struct CaseEdit {
  consular::v1::Case fields;
  std::vector<std::string> paths;
};

// Builds the edit from the typed flags. `type` is the case's type if known
// (create, or an update after reading the case), CASE_TYPE_UNSPECIFIED if not.
// INVALID_ARGUMENT (a usage error) for a bad enum/date/UUID value, for details
// flags of the other case type, or for abandonment and divorce flags mixed.
absl::StatusOr<CaseEdit> BuildCaseEdit(const CaseFieldInputs& inputs,
                                       consular::v1::CaseType type);

// A CLI11 validator accepting the values ParseEnum accepts; its description
// lists them.
CLI::Validator EnumValidator(
    const google::protobuf::EnumDescriptor* descriptor);

// A CLI11 validator accepting YYYY-MM-DD (and kNoDate).
CLI::Validator DateValidator();

// True for a UUID written 8-4-4-4-12 hexadecimal digits.
bool IsUuid(absl::string_view text);

}  // namespace consular::ctl

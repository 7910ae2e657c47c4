// consularctl case person|document|stage add|update|remove: the children and other persons on a
// case, the travel documents and the steps of foreign proceedings. Each reads the case, changes
// its list and writes it back with UpdateCase (update_mask "persons", "documents" or
// "divorce_recognition.stages") from the version it read, so a concurrent change is ABORTED
// rather than overwritten.
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "consular/v1/cases.pb.h"
#include "tools/consularctl/case_fields.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"

namespace consular::ctl {
namespace {

using ::consular::v1::Case;
using ::consular::v1::Person;

// The options of add and update; unset ones leave the person's field as it is.
enum class ItemChange { kAdd, kUpdate, kRemove };

struct PersonArgs {
  ItemChange change = ItemChange::kAdd;
  std::string case_id;
  std::string item_id;  // update, remove
  std::optional<std::string> role;
  std::optional<std::string> name;
  std::optional<std::string> dob;
  std::optional<std::string> nationality;
  std::optional<bool> with_subject;
  std::optional<bool> do_not_contact;
  std::optional<std::string> note;
  std::string reason;
  std::string request_id;
};

// Applies the options given in `args` to `person`.
absl::Status ApplyPersonOptions(const PersonArgs& args, Person* person) {
  if (args.role) {
    absl::StatusOr<consular::v1::PersonRole> role =
        ParseEnumAs<consular::v1::PersonRole>(consular::v1::PersonRole_descriptor(), *args.role);
    if (!role.ok()) return absl::InvalidArgumentError(absl::StrCat("--role: ", role.status().message()));
    person->set_role(*role);
  }
  if (args.name) person->set_full_name(*args.name);
  if (args.dob) {
    if (args.dob->empty()) {
      person->clear_date_of_birth();
    } else {
      absl::StatusOr<consular::v1::Date> born = ParseDate(*args.dob);
      if (!born.ok()) return absl::InvalidArgumentError(absl::StrCat("--dob: ", born.status().message()));
      *person->mutable_date_of_birth() = *born;
    }
  }
  if (args.nationality) person->set_nationality(*args.nationality);
  if (args.with_subject) person->set_with_subject(*args.with_subject);
  if (args.do_not_contact) person->set_do_not_contact(*args.do_not_contact);
  if (args.note) person->set_note(*args.note);
  return absl::OkStatus();
}

// The options of document add and update; unset ones leave the document's field as it is.
struct DocumentArgs {
  ItemChange change = ItemChange::kAdd;
  std::string case_id;
  std::string item_id;  // update, remove
  std::optional<std::string> type;
  std::optional<std::string> holder;
  std::optional<std::string> number;
  std::optional<std::string> authority;
  std::optional<std::string> issued;
  std::optional<std::string> expires;
  std::optional<std::string> status;
  std::optional<std::string> withheld_by;
  std::string reason;
  std::string request_id;
};

absl::Status SetDate(const std::optional<std::string>& text, const char* flag,
                     consular::v1::Date* date) {
  if (!text) return absl::OkStatus();
  if (text->empty()) {
    date->Clear();
    return absl::OkStatus();
  }
  absl::StatusOr<consular::v1::Date> parsed = ParseDate(*text);
  if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat(flag, ": ", parsed.status().message()));
  *date = *parsed;
  return absl::OkStatus();
}

absl::Status ApplyDocumentOptions(const DocumentArgs& args, consular::v1::TravelDocument* d) {
  if (args.type) {
    absl::StatusOr<consular::v1::TravelDocumentType> type =
        ParseEnumAs<consular::v1::TravelDocumentType>(
            consular::v1::TravelDocumentType_descriptor(), *args.type);
    if (!type.ok()) return absl::InvalidArgumentError(absl::StrCat("--type: ", type.status().message()));
    d->set_type(*type);
  }
  if (args.status) {
    absl::StatusOr<consular::v1::DocumentStatus> status = ParseEnumAs<consular::v1::DocumentStatus>(
        consular::v1::DocumentStatus_descriptor(), *args.status);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--status: ", status.status().message()));
    }
    d->set_status(*status);
    if (*status != consular::v1::DOCUMENT_STATUS_WITHHELD && !args.withheld_by) {
      d->clear_withheld_by();
    }
  }
  if (args.holder) d->set_holder_person_id(absl::AsciiStrToLower(*args.holder));
  if (args.number) d->set_number(*args.number);
  if (args.authority) d->set_issuing_authority(*args.authority);
  if (args.withheld_by) d->set_withheld_by(*args.withheld_by);
  absl::Status dated = SetDate(args.issued, "--issued", d->mutable_issued_on());
  if (dated.ok()) dated = SetDate(args.expires, "--expires", d->mutable_expires_on());
  return dated;
}

void AddDocumentOptions(CLI::App* command, DocumentArgs* args) {
  command->add_option("--type", args->type, "passport, emergency-travel-document, laissez-passer, "
                                            "id-card or residence-card")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::TravelDocumentType_descriptor()));
  command->add_option("--status", args->status, "held-by-person, withheld, lost or cancelled")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::DocumentStatus_descriptor()));
  command->add_option("--withheld-by", args->withheld_by, "With withheld: who keeps it")
      ->type_name("TEXT");
  command->add_option("--holder", args->holder,
                      "A person on the case (id, see: case get); without it, the subject")
      ->type_name("ID");
  command->add_option("--number", args->number, "Document number")->type_name("TEXT");
  command->add_option("--authority", args->authority, "Issuing authority")->type_name("TEXT");
  command->add_option("--issued", args->issued, "Issued on (YYYY-MM-DD)")->type_name("DATE");
  command->add_option("--expires", args->expires, "Expires on (YYYY-MM-DD)")->type_name("DATE");
  command->add_option("--reason", args->reason, "Why (kept in the history)")->type_name("TEXT");
  AddRequestId(command, &args->request_id);
}

// The options of stage add and update; unset ones leave the step's field as it is.
struct StageArgs {
  ItemChange change = ItemChange::kAdd;
  std::string case_id;
  std::string item_id;  // update, remove
  std::optional<std::string> stage;
  std::optional<std::string> on;
  std::optional<std::string> note;
  std::string reason;
  std::string request_id;
};

absl::Status ApplyStageOptions(const StageArgs& args, consular::v1::ProceedingsStep* step) {
  if (args.stage) {
    absl::StatusOr<consular::v1::ProceedingsStage> stage =
        ParseEnumAs<consular::v1::ProceedingsStage>(consular::v1::ProceedingsStage_descriptor(),
                                                    *args.stage);
    if (!stage.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--stage: ", stage.status().message()));
    }
    step->set_stage(*stage);
  }
  if (args.note) step->set_note(*args.note);
  return SetDate(args.on, "--on", step->mutable_on());
}

void AddStageOptions(CLI::App* command, StageArgs* args) {
  command->add_option("--stage", args->stage, "documents-gathered, documents-legalised, filed, "
                                              "hearing, decision or appeal")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::ProceedingsStage_descriptor()));
  command->add_option("--on", args->on, "Day of the step (YYYY-MM-DD; a hearing may lie ahead)")
      ->type_name("DATE");
  command->add_option("--note", args->note, "What happened or what the court asked for")
      ->type_name("TEXT");
  command->add_option("--reason", args->reason, "Why (kept in the history)")->type_name("TEXT");
  AddRequestId(command, &args->request_id);
}

void AddPersonOptions(CLI::App* command, PersonArgs* args) {
  command->add_option("--role", args->role, "child, spouse, family-member, perpetrator, "
                                            "trusted-contact or interpreter")
      ->type_name("VALUE")
      ->check(EnumValidator(consular::v1::PersonRole_descriptor()));
  command->add_option("--name", args->name, "Full name")->type_name("TEXT");
  command->add_option("--dob", args->dob, "Date of birth (YYYY-MM-DD; empty to clear)")
      ->type_name("DATE");
  command->add_option("--nationality", args->nationality, "Nationality (text)")->type_name("TEXT");
  CLI::Option* with = command->add_flag_callback(
      "--with-her", [args] { args->with_subject = true; }, "A child: is with the person");
  CLI::Option* without = command->add_flag_callback(
      "--not-with-her", [args] { args->with_subject = false; }, "A child: is not with her");
  with->excludes(without);
  CLI::Option* never = command->add_flag_callback(
      "--do-not-contact", [args] { args->do_not_contact = true; },
      "Never contact this person (outgoing contacts with them are refused)");
  CLI::Option* may = command->add_flag_callback(
      "--may-contact", [args] { args->do_not_contact = false; }, "Contacting them is allowed");
  never->excludes(may);
  command->add_option("--note", args->note, "A note on the person")->type_name("TEXT");
  command->add_option("--reason", args->reason, "Why (kept in the history)")->type_name("TEXT");
  AddRequestId(command, &args->request_id);
}

// What differs between the lists a case keeps: persons and travel documents.
struct PersonList {
  using Args = PersonArgs;
  using Item = Person;
  static constexpr const char* kPath = "persons";
  static constexpr const char* kNoun = "person";
  static constexpr const char* kRequired = "--role and --name are required";
  static google::protobuf::RepeatedPtrField<Item>* Of(Case* c) { return c->mutable_persons(); }
  static const google::protobuf::RepeatedPtrField<Item>& Of(const Case& c) { return c.persons(); }
  static bool Complete(const Args& a) { return a.role && a.name; }
  static absl::Status Apply(const Args& a, Item* item) { return ApplyPersonOptions(a, item); }
  static void AddOptions(CLI::App* command, Args* a) { AddPersonOptions(command, a); }
};

struct DocumentList {
  using Args = DocumentArgs;
  using Item = consular::v1::TravelDocument;
  static constexpr const char* kPath = "documents";
  static constexpr const char* kNoun = "document";
  static constexpr const char* kRequired = "--type and --status are required";
  static google::protobuf::RepeatedPtrField<Item>* Of(Case* c) { return c->mutable_documents(); }
  static const google::protobuf::RepeatedPtrField<Item>& Of(const Case& c) {
    return c.documents();
  }
  static bool Complete(const Args& a) { return a.type && a.status; }
  static absl::Status Apply(const Args& a, Item* item) { return ApplyDocumentOptions(a, item); }
  static void AddOptions(CLI::App* command, Args* a) { AddDocumentOptions(command, a); }
};

struct StageList {
  using Args = StageArgs;
  using Item = consular::v1::ProceedingsStep;
  static constexpr const char* kPath = "divorce_recognition.stages";
  static constexpr const char* kNoun = "step";
  static constexpr const char* kRequired = "--stage and --on are required";
  static google::protobuf::RepeatedPtrField<Item>* Of(Case* c) {
    return c->mutable_divorce_recognition()->mutable_stages();
  }
  static const google::protobuf::RepeatedPtrField<Item>& Of(const Case& c) {
    return c.divorce_recognition().stages();
  }
  static bool Complete(const Args& a) { return a.stage && a.on; }
  static absl::Status Apply(const Args& a, Item* item) { return ApplyStageOptions(a, item); }
  static void AddOptions(CLI::App* command, Args* a) { AddStageOptions(command, a); }
};

// Reads the case, changes the list as args.change says, and writes the list back with UpdateCase
// from the version read.
template <typename List>
int RunItemChange(const CaseContext& context, const typename List::Args& args) {
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  consular::v1::GetCaseRequest get;
  get.set_case_id(args.case_id);
  absl::StatusOr<Case> current = client->Call(&CaseStub::GetCase, get);
  if (!current.ok()) return ReportCallError(current.status(), *context.global);

  Case edited;
  google::protobuf::RepeatedPtrField<typename List::Item>* items = List::Of(&edited);
  *items = List::Of(*current);
  if (args.change == ItemChange::kAdd) {
    if (!List::Complete(args)) return ReportUsageError(List::kRequired);
    absl::Status applied = List::Apply(args, items->Add());
    if (!applied.ok()) return ReportUsageError(applied.message());
  } else {
    // The id, or a prefix of 8 or more characters that starts exactly one id.
    const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(args.item_id));
    int found = -1;
    int matches = 0;
    for (int i = 0; i < items->size(); ++i) {
      const std::string& id = items->Get(i).id();
      if (id == wanted || (wanted.size() >= 8 && absl::StartsWith(id, wanted))) {
        found = i;
        ++matches;
      }
    }
    if (matches > 1) {
      return ReportUsageError(absl::StrCat(args.item_id, " starts ", matches, " ", List::kNoun,
                                           " ids on case ", current->reference(),
                                           "; give more of it"));
    }
    if (found < 0) {
      return ReportUsageError(absl::StrCat("no ", List::kNoun, " ", args.item_id, " on case ",
                                           current->reference(), " (see: case get)"));
    }
    if (args.change == ItemChange::kRemove) {
      items->DeleteSubrange(found, 1);
    } else {
      absl::Status applied = List::Apply(args, items->Mutable(found));
      if (!applied.ok()) return ReportUsageError(applied.message());
    }
  }
  consular::v1::UpdateCaseRequest request;
  *request.mutable_case_() = std::move(edited);
  request.mutable_case_()->set_id(args.case_id);
  request.mutable_update_mask()->add_paths(List::kPath);
  request.set_expected_version(current->version());
  request.set_reason(args.reason);
  return ChangeAndPrint(client.get(), *context.global, &CaseStub::UpdateCase, request,
                        args.request_id, &FormatCase);
}

// `case <name> add|update|remove` for the list `List`.
template <typename List>
void AddItemCommands(CLI::App* cases, const GlobalOptions* global, Action* action,
                     const std::string& name, const std::string& help,
                     const std::string& id_name) {
  const CaseContext context{global, &global->addr};
  CLI::App* group = cases->add_subcommand(name, help);
  group->require_subcommand(1);
  const std::string noun = List::kNoun;
  for (const auto& [change, verb, description] :
       std::vector<std::tuple<ItemChange, const char*, std::string>>{
           {ItemChange::kAdd, "add", "Add a " + noun + " to a case"},
           {ItemChange::kUpdate, "update", "Change what is recorded of a " + noun},
           {ItemChange::kRemove, "remove", "Take a " + noun + " off a case"}}) {
    CLI::App* command = group->add_subcommand(verb, description);
    auto args = std::make_shared<typename List::Args>();
    args->change = change;
    AddCaseId(command, &args->case_id);
    if (change != ItemChange::kAdd) {
      command->add_option(id_name, args->item_id,
                          "The " + noun + "'s id, or its first 8 or more characters (see: case get)")
          ->required();
    }
    if (change == ItemChange::kRemove) {
      command->add_option("--reason", args->reason, "Why (kept in the history)")
          ->type_name("TEXT");
      AddRequestId(command, &args->request_id);
    } else {
      List::AddOptions(command, args.get());
    }
    OnParse(command, context, args, &RunItemChange<List>, action);
  }
}

}  // namespace

void AddDocumentCommands(CLI::App* cases, const GlobalOptions* global, Action* action) {
  AddItemCommands<DocumentList>(
      cases, global, action, "document",
      "Travel documents of the person and of others on a case (shown by case get)", "DOCUMENT");
}

void AddStageCommands(CLI::App* cases, const GlobalOptions* global, Action* action) {
  AddItemCommands<StageList>(
      cases, global, action, "stage",
      "The steps of foreign divorce-recognition proceedings (shown by case get)", "STEP");
}

void AddPersonCommands(CLI::App* cases, const GlobalOptions* global, Action* action) {
  AddItemCommands<PersonList>(cases, global, action, "person",
                              "The children and other persons on a case (shown by case get)",
                              "PERSON");
}

}  // namespace consular::ctl

#include "tools/consularctl/command_support.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "tools/consularctl/case_fields.h"

namespace consular::ctl {
namespace {

constexpr int kMaxPageSize = 500;

}  // namespace

CLI::Option* AddRequestId(CLI::App* command, std::string* request_id) {
  return command
      ->add_option("--request-id", *request_id,
                   "Idempotency key (default: a new random UUID); repeat a command with the "
                   "same id to retry it safely")
      ->type_name("ID");
}

void AddPaging(CLI::App* command, int* page_size, std::string* page_token, bool* all,
               const std::string& all_flag) {
  command->add_option("--page-size", *page_size, "Results per page (1..500)")
      ->type_name("N")
      ->check(CLI::Range(1, kMaxPageSize));
  command->add_option("--page-token", *page_token, "Continue from this page token")->type_name("T");
  command->add_flag(all_flag, *all, "Follow next_page_token to the last page");
}

std::unique_ptr<CaseClient> ConnectOrReport(const GlobalOptions& global, int* exit_code) {
  absl::StatusOr<std::unique_ptr<CaseClient>> client = CaseClient::Connect(global, global.addr);
  if (!client.ok()) {
    *exit_code = ReportUsageError(client.status().message(), /*help_hint=*/false);
    return nullptr;
  }
  return *std::move(client);
}

CLI::Option* AddCaseId(CLI::App* command, std::string* case_id) {
  return command->add_option("CASE", *case_id, "Case UUID or reference (e.g. ABN-2026-00001)")
      ->required();
}

std::unique_ptr<ContactsClient> ConnectOrReport(const ContactsContext& context, int* exit_code) {
  absl::StatusOr<std::unique_ptr<ContactsClient>> client =
      ContactsClient::Connect(*context.global, *context.contacts_addr);
  if (!client.ok()) {
    *exit_code = ReportUsageError(client.status().message(), /*help_hint=*/false);
    return nullptr;
  }
  return *std::move(client);
}

absl::StatusOr<std::string> ParseId(const std::string& text, absl::string_view name,
                                    absl::string_view see) {
  if (!IsUuid(text)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": not a UUID: \"", text, "\" (see: ", see, ")"));
  }
  return absl::AsciiStrToLower(text);
}

CLI::Option* AddVersion(CLI::App* command, int64_t* version, const std::string& what) {
  return command
      ->add_option("--version", *version,
                   absl::StrCat("The ", what, " version the change is based on (required)"))
      ->required()
      ->type_name("N")
      ->check(CLI::PositiveNumber);
}

CLI::Option* AddEnumOption(CLI::App* command, const std::string& name, std::string* target,
                           const google::protobuf::EnumDescriptor* descriptor,
                           const std::string& description) {
  return command->add_option(name, *target, description)
      ->type_name("VALUE")
      ->check(EnumValidator(descriptor));
}

}  // namespace consular::ctl

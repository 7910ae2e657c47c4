#include "tools/consularctl/command_support.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "tools/consularctl/case_fields.h"

namespace consular::ctl {

absl::StatusOr<int64_t> CaseVersion(CaseClient* client, const std::string& case_id,
                                    int64_t given) {
  if (given != 0) return given;
  consular::v1::GetCaseRequest get;
  get.set_case_id(case_id);
  absl::StatusOr<consular::v1::Case> current = client->Call(&CaseStub::GetCase, get);
  if (!current.ok()) return current.status();
  return current->version();
}

void AddPaging(CLI::App* command, PagingArgs* paging, const std::string& all_flag,
               int max_page_size) {
  command
      ->add_option("--page-size", paging->page_size,
                   absl::StrCat("Results per page (1..", max_page_size, ")"))
      ->type_name("N")
      ->check(CLI::Range(1, max_page_size));
  command->add_option("--page-token", paging->page_token, "Continue from this page token")
      ->type_name("T");
  command->add_flag(all_flag, paging->all, "Follow next_page_token to the last page");
}

CLI::Option* AddRequestId(CLI::App* command, std::string* request_id) {
  return command
      ->add_option("--request-id", *request_id,
                   "Idempotency key (default: a new random UUID); repeat a command with the "
                   "same id to retry it safely")
      ->type_name("ID");
}

CLI::Option* AddVersion(CLI::App* command, int64_t* version, const std::string& what) {
  return command
      ->add_option("--version", *version,
                   absl::StrCat("The ", what,
                                " version the change is based on (default: the version now, read "
                                "first)"))
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

CLI::Option* AddCaseId(CLI::App* command, std::string* case_id) {
  return command->add_option("CASE", *case_id, "Case UUID or reference (e.g. ABN-2026-00001)")
      ->required();
}

bool IsIdPrefix(absl::string_view text) {
  if (text.size() < 8 || text.size() > 36) return false;
  return text.find_first_not_of("0123456789abcdef-") == absl::string_view::npos;
}

absl::StatusOr<std::string> OneIdStartingWith(const std::string& text,
                                              const std::vector<std::string>& ids,
                                              absl::string_view name, absl::string_view see) {
  const std::string wanted = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  std::vector<std::string> found;
  for (const std::string& id : ids) {
    if (absl::StartsWith(id, wanted)) found.push_back(id);
  }
  if (found.size() == 1) return found.front();
  return absl::InvalidArgumentError(
      found.empty() ? absl::StrCat(name, ": nothing has the id ", text, " (see: ", see, ")")
                    : absl::StrCat(name, ": ", text, " starts ", found.size(),
                                   " ids; give more of it"));
}

std::string CountryCode(const std::string& text) {
  return absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
}

}  // namespace consular::ctl

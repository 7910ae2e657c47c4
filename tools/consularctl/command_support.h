#pragma once

// Helpers shared by the command files of consularctl: option builders, the hand-over from
// parsing to running, connecting, and listing.

#include <cstdint>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/listing.h"

namespace consular::ctl {

// --- Every command ---

// --request-id ID: the idempotency key of a change.
CLI::Option* AddRequestId(CLI::App* command, std::string* request_id);

// --page-size N (1..500), --page-token T, and `all_flag` (following next_page_token to the last
// page).
void AddPaging(CLI::App* command, int* page_size, std::string* page_token, bool* all,
               const std::string& all_flag = "--all");

// --- case and emergency (CaseService at --addr) ---

// Connects, or prints why not (a bad CA file) and returns nullptr with *exit_code set.
std::unique_ptr<CaseClient> ConnectOrReport(const GlobalOptions& global, int* exit_code);

// CASE: a case's UUID or reference, required.
CLI::Option* AddCaseId(CLI::App* command, std::string* case_id);

// Connects, reads one page (or every page with `all`) through `method`, prints the result as JSON
// or as `format` makes it, and hints at the next page.
template <typename Request, typename Response, typename Format>
int RunListing(const GlobalOptions& global, const Request& request, bool all,
               UnaryMethod<CaseStub, Request, Response> method, Format format) {
  int exit_code = kExitOk;
  std::unique_ptr<CaseClient> client = ConnectOrReport(global, &exit_code);
  if (client == nullptr) return exit_code;
  return RunListingOn(client.get(), global, request, all, method, format);
}

// On parse of `command`, stores an action running `run` with the global options and args.
template <typename Args>
void OnParse(CLI::App* command, const GlobalOptions* global, std::shared_ptr<Args> args,
             int (*run)(const GlobalOptions&, const Args&), Action* action) {
  command->callback([global, args, run, action] {
    *action = [global, args, run] { return run(*global, *args); };
  });
}

// --- partner, post and contact (PartnerService, ContactService at --contacts-addr) ---

struct ContactsContext {
  const GlobalOptions* global;
  const std::string* contacts_addr;
};

// Connects, or prints why not (a bad CA file) and returns nullptr with *exit_code set.
std::unique_ptr<ContactsClient> ConnectOrReport(const ContactsContext& context, int* exit_code);

// Connects and lists, as RunListing for CaseService.
template <typename Stub, typename Request, typename Response, typename Format>
int RunListing(const ContactsContext& context, const Request& request, bool all,
               UnaryMethod<Stub, Request, Response> method, Format format) {
  int exit_code = kExitOk;
  std::unique_ptr<ContactsClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  return RunListingOn(client.get(), *context.global, request, all, method, format);
}

// On parse of `command`, stores an action running `run` with the context and args.
template <typename Args>
void OnParse(CLI::App* command, ContactsContext context, std::shared_ptr<Args> args,
             int (*run)(const ContactsContext&, const Args&), Action* action) {
  command->callback([context, args, run, action] {
    *action = [context, args, run] { return run(context, *args); };
  });
}

// A UUID argument, lower-cased; INVALID_ARGUMENT naming `name` and where to find one otherwise.
absl::StatusOr<std::string> ParseId(const std::string& text, absl::string_view name,
                                    absl::string_view see);

// Parses a required enum value (already checked by its validator; checked again here).
// INVALID_ARGUMENT naming `flag`.
template <typename E>
absl::StatusOr<E> ParseFlagEnum(const std::string& text, absl::string_view flag,
                                const google::protobuf::EnumDescriptor* descriptor) {
  absl::StatusOr<E> parsed = ParseEnumAs<E>(descriptor, text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", parsed.status().message()));
  }
  return *parsed;
}

// --version N, required: the version of the `what` ("partner", "contact") a change is based on.
CLI::Option* AddVersion(CLI::App* command, int64_t* version, const std::string& what);

// An option `name` taking one of the values of `descriptor` (checked by EnumValidator).
CLI::Option* AddEnumOption(CLI::App* command, const std::string& name, std::string* target,
                           const google::protobuf::EnumDescriptor* descriptor,
                           const std::string& description);

}  // namespace consular::ctl

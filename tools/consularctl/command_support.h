#pragma once

// Helpers shared by the command files of consularctl: option builders, the hand-over from
// parsing to running, connecting, calling and listing.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

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

// The server the commands of one file call: the global options and the server's address (the
// global --addr, --contacts-addr, --stats-addr or --audit-addr), read when the command runs.
template <typename Client>
struct ServerContext {
  const GlobalOptions* global;
  const std::string* addr;
};

// case and emergency: CaseService at --addr.
using CaseContext = ServerContext<CaseClient>;
// retention and hold: RecordsService at --addr.
using RecordsContext = ServerContext<RecordsClient>;
// partner, post and contact: PartnerService and ContactService at --contacts-addr.
using ContactsContext = ServerContext<ContactsClient>;
// stats, talk and report: consular-stats at --stats-addr.
using StatsContext = ServerContext<StatsClient>;

// On parse of `command`, stores an action running `run` with the context and args.
template <typename Client, typename Args>
void OnParse(CLI::App* command, ServerContext<Client> context, std::shared_ptr<Args> args,
             int (*run)(const ServerContext<Client>&, const Args&), Action* action) {
  command->callback([context, args, run, action] {
    *action = [context, args, run] { return run(context, *args); };
  });
}

// Connects, or prints why not (a bad CA file) and returns nullptr with *exit_code set.
template <typename Client>
std::unique_ptr<Client> ConnectOrReport(const ServerContext<Client>& context, int* exit_code) {
  absl::StatusOr<std::unique_ptr<Client>> client = Client::Connect(*context.global, *context.addr);
  if (!client.ok()) {
    *exit_code = ReportUsageError(client.status().message(), /*help_hint=*/false);
    return nullptr;
  }
  return *std::move(client);
}

// Calls `method` through `client` and prints the response as JSON or as `format` makes it; a
// failed call is reported (ReportCallError).
template <typename Client, typename Stub, typename Request, typename Response, typename Format>
int CallAndPrint(Client* client, const GlobalOptions& global,
                 UnaryMethod<Stub, Request, Response> method, const Request& request,
                 Format format) {
  absl::StatusOr<Response> response = client->Call(method, request);
  if (!response.ok()) return ReportCallError(response.status(), global);
  return PrintResult(global.json, *response, format(*response));
}

// CallAndPrint for a change: `request` goes out with the request id `request_id` (a new one if
// empty), which a failure of unknown outcome names for a safe retry (ReportMutationError).
template <typename Client, typename Stub, typename Request, typename Response, typename Format>
int ChangeAndPrint(Client* client, const GlobalOptions& global,
                   UnaryMethod<Stub, Request, Response> method, Request request,
                   const std::string& request_id, Format format) {
  request.set_request_id(RequestIdOrNew(request_id));
  absl::StatusOr<Response> response = client->Call(method, request);
  if (!response.ok()) return ReportMutationError(response.status(), global, request.request_id());
  return PrintResult(global.json, *response, format(*response));
}

// Connects, then CallAndPrint.
template <typename Client, typename Stub, typename Request, typename Response, typename Format>
int RunCall(const ServerContext<Client>& context, UnaryMethod<Stub, Request, Response> method,
            const Request& request, Format format) {
  int exit_code = kExitOk;
  std::unique_ptr<Client> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  return CallAndPrint(client.get(), *context.global, method, request, format);
}

// Connects, then ChangeAndPrint.
template <typename Client, typename Stub, typename Request, typename Response, typename Format>
int RunChange(const ServerContext<Client>& context, UnaryMethod<Stub, Request, Response> method,
              const Request& request, const std::string& request_id, Format format) {
  int exit_code = kExitOk;
  std::unique_ptr<Client> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  return ChangeAndPrint(client.get(), *context.global, method, request, request_id, format);
}

// The paging flags of a listing.
struct PagingArgs {
  int page_size = 0;
  std::string page_token;
  bool all = false;  // follow next_page_token to the last page
};

// The largest --page-size of a listing, unless it says otherwise.
inline constexpr int kMaxPageSize = 500;

// --page-size N (1..max_page_size), --page-token T, and `all_flag` (following next_page_token to
// the last page).
void AddPaging(CLI::App* command, PagingArgs* paging, const std::string& all_flag = "--all",
               int max_page_size = kMaxPageSize);

// Connects, reads the page `paging` names (or from there every page, with paging.all) through
// `method`, prints the result as JSON or as `format` makes it, and hints at the next page.
template <typename Client, typename Stub, typename Request, typename Response, typename Format>
int RunListing(const ServerContext<Client>& context, UnaryMethod<Stub, Request, Response> method,
               Request request, const PagingArgs& paging, Format format) {
  request.set_page_size(paging.page_size);
  request.set_page_token(paging.page_token);
  int exit_code = kExitOk;
  std::unique_ptr<Client> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  return RunListingOn(client.get(), *context.global, request, paging.all, method, format);
}

// The version a change of the case is based on: `given` (--version) unless it is 0, else the
// case's current version, read with GetCase.
absl::StatusOr<int64_t> CaseVersion(CaseClient* client, const std::string& case_id,
                                    int64_t given);

// --request-id ID: the idempotency key of a change.
CLI::Option* AddRequestId(CLI::App* command, std::string* request_id);

// --version N, optional: the version of the `what` ("partner") a change is based on; 0 (not given)
// means the command reads the version now first.
CLI::Option* AddVersion(CLI::App* command, int64_t* version, const std::string& what);

// An option `name` taking one of the values of `descriptor` (checked by EnumValidator).
CLI::Option* AddEnumOption(CLI::App* command, const std::string& name, std::string* target,
                           const google::protobuf::EnumDescriptor* descriptor,
                           const std::string& description);

// CASE: a case's UUID or reference, required.
CLI::Option* AddCaseId(CLI::App* command, std::string* case_id);

// Whether `text` (lower case) may begin a UUID: 8 to 36 of its characters (hex digits and
// hyphens).
bool IsIdPrefix(absl::string_view text);

// The one id among `ids` that begins with `text` (its first 8 or more characters, or all of it),
// lower-cased; INVALID_ARGUMENT naming `name` when none or several do, and where to look (`see`).
absl::StatusOr<std::string> OneIdStartingWith(const std::string& text,
                                              const std::vector<std::string>& ids,
                                              absl::string_view name, absl::string_view see);

// Connects to the server of `context`, finds the id `text` names with `resolve` (a full id, or its
// first characters looked up on the server), and runs `run` with it. A failed look-up is reported
// (ReportLookupError).
template <typename Client>
int WithResolvedId(
    const ServerContext<Client>& context, const std::string& text,
    const std::function<absl::StatusOr<std::string>(Client*, const std::string&)>& resolve,
    const std::function<int(Client*, const std::string&)>& run) {
  int exit_code = kExitOk;
  std::unique_ptr<Client> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  absl::StatusOr<std::string> id = resolve(client.get(), text);
  if (!id.ok()) return ReportLookupError(id.status(), *context.global);
  return run(client.get(), *id);
}

// A country code as typed (" ma"): upper case, surrounding blanks removed.
std::string CountryCode(const std::string& text);

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

}  // namespace consular::ctl

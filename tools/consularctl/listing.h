#pragma once

#include <iostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/consularctl/client.h"

namespace consular::ctl {

// Reads pages until the last one (all) or after the first one; concatenates
// their repeated fields. The result's next_page_token is the last page's.
template <typename Request, typename Response, typename Fetch>
absl::StatusOr<Response> FetchPages(Request request, bool all, Fetch fetch) {
  Response merged;
  while (true) {
    absl::StatusOr<Response> page = fetch(request);
    if (!page.ok()) return page.status();
    std::string token = page->next_page_token();
    merged.MergeFrom(*page);
    merged.set_next_page_token(token);
    if (!all || token.empty()) break;
    if (token == request.page_token()) {
      return absl::InternalError("the server returned the same page token twice");
    }
    request.set_page_token(std::move(token));
  }
  return merged;
}

inline void PrintNextPageHint(const std::string& token) {
  if (!token.empty()) std::cerr << "next page: --page-token " << token << std::endl;
}

// Reads one page (or every page with `all`) through `client`'s `method`, prints the result as JSON
// or as `format` makes it, and hints at the next page.
template <typename Client, typename Stub, typename Request, typename Response, typename Format>
int RunListingOn(Client* client, const GlobalOptions& global, const Request& request, bool all,
                 UnaryMethod<Stub, Request, Response> method, Format format) {
  absl::StatusOr<Response> response = FetchPages<Request, Response>(
      request, all,
      [client, method](const Request& page_request) { return client->Call(method, page_request); });
  if (!response.ok()) return ReportCallError(response.status(), global);
  const int exit_code = PrintResult(global.json, *response, format(*response));
  PrintNextPageHint(response->next_page_token());
  return exit_code;
}

}  // namespace consular::ctl

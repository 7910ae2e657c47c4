#include "storage/conninfo.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"

namespace consular::storage {
namespace {

struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ParsedConninfo = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

absl::StatusOr<ParsedConninfo> Parse(const std::string& dsn) {
  char* error = nullptr;
  ParsedConninfo options(PQconninfoParse(dsn.c_str(), &error));
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    return absl::InvalidArgumentError(absl::StrCat("invalid connection string: ", message));
  }
  return options;
}

// Quotes a conninfo value: single quotes, with backslash and quote escaped by a
// backslash.
std::string Quote(absl::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('\'');
  return quoted;
}

}  // namespace

absl::StatusOr<std::string> OverrideConninfo(
    const std::string& dsn, const std::vector<std::pair<std::string, std::string>>& overrides) {
  absl::StatusOr<ParsedConninfo> options = Parse(dsn);
  if (!options.ok()) return options.status();

  std::vector<bool> used(overrides.size(), false);
  std::string result;
  for (PQconninfoOption* option = options->get(); option->keyword != nullptr; ++option) {
    const char* value = option->val;
    for (size_t i = 0; i < overrides.size(); ++i) {
      if (overrides[i].first == option->keyword) {
        value = overrides[i].second.c_str();
        used[i] = true;
      }
    }
    if (value == nullptr) continue;
    if (!result.empty()) result.push_back(' ');
    absl::StrAppend(&result, option->keyword, "=", Quote(value));
  }
  for (size_t i = 0; i < overrides.size(); ++i) {
    if (!used[i]) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown connection parameter '", overrides[i].first, "'"));
    }
  }
  return result;
}

absl::StatusOr<std::string> WithDefaultConnectTimeout(const std::string& dsn,
                                                      absl::Duration timeout) {
  CONSULAR_ASSIGN_OR_RETURN(std::string current, ConninfoValue(dsn, "connect_timeout"));
  if (!current.empty()) return OverrideConninfo(dsn, {});
  const int64_t seconds =
      std::max<int64_t>(2, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(timeout))));
  return OverrideConninfo(dsn, {{"connect_timeout", std::to_string(seconds)}});
}

absl::StatusOr<std::string> ConninfoValue(const std::string& dsn, const std::string& key) {
  absl::StatusOr<ParsedConninfo> options = Parse(dsn);
  if (!options.ok()) return options.status();
  for (PQconninfoOption* option = options->get(); option->keyword != nullptr; ++option) {
    if (key == option->keyword) return std::string(option->val != nullptr ? option->val : "");
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown connection parameter '", key, "'"));
}

void DisableReactivation(pqxx::connection& connection) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  connection.inhibit_reactivation(true);
#pragma GCC diagnostic pop
}

}  // namespace consular::storage

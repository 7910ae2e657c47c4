#include "storage/database_probe.h"

#include <exception>
#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/conninfo.h"

namespace consular::storage {

DatabaseProbe::DatabaseProbe(std::string dsn, absl::Duration timeout)
    : dsn_(std::move(dsn)), timeout_(timeout) {}

DatabaseProbe::~DatabaseProbe() = default;

absl::Status DatabaseProbe::Check() {
  try {
    if (connection_ == nullptr || !connection_->is_open()) {
      connection_.reset();
      absl::StatusOr<std::string> conninfo = WithDefaultConnectTimeout(dsn_, timeout_);
      if (!conninfo.ok()) return conninfo.status();
      connection_ = std::make_unique<pqxx::connection>(*conninfo);
      DisableReactivation(*connection_);
      pqxx::nontransaction setup(*connection_);
      setup.exec0(absl::StrCat("SET statement_timeout = ", absl::ToInt64Milliseconds(timeout_)));
    }
    pqxx::nontransaction tx(*connection_);
    tx.exec1("SELECT 1");
    return absl::OkStatus();
  } catch (const std::exception& e) {
    connection_.reset();
    std::string why = e.what();
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return absl::UnavailableError(absl::StrCat("the database does not answer: ", why));
  }
}

}  // namespace consular::storage

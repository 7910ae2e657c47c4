// consular-migrate: applies the schema migrations compiled into this binary to
// a database.
//
//   consular-migrate --dsn 'host=... dbname=consular'    apply what is pending
//   consular-migrate --dsn ... --list                     show each migration
//   and whether applied
//
// The dsn may also come from the environment variable CONSULAR_DSN. Exit
// status: 0 on success, 1 if the database refused or could not be reached, 2 on
// a usage error.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "storage/migrations.h"

namespace consular::migrate {
namespace {

using ::consular::storage::AppliedMigration;
using ::consular::storage::Migration;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void PrintError(const absl::Status& status) {
  std::fprintf(stderr, "consular-migrate: %s: %s\n",
               absl::StatusCodeToString(status.code()).c_str(),
               std::string(status.message()).c_str());
}

std::string FormatAppliedAt(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", time, absl::UTCTimeZone());
}

int List(const std::string& dsn) {
  const std::vector<Migration>& embedded = storage::EmbeddedMigrations();
  std::map<std::string, AppliedMigration> applied;
  if (!dsn.empty()) {
    absl::StatusOr<std::vector<AppliedMigration>> recorded =
        storage::ListAppliedMigrations(dsn);
    if (!recorded.ok()) {
      PrintError(recorded.status());
      return kExitFailure;
    }
    for (AppliedMigration& record : *recorded) applied[record.version] = record;
  }
  std::printf("%-8s %-32s %s\n", "VERSION", "NAME", "STATE");
  for (const Migration& migration : embedded) {
    std::string state = "unknown (no --dsn given)";
    if (!dsn.empty()) {
      auto it = applied.find(migration.version);
      if (it == applied.end()) {
        state = "pending";
      } else {
        state =
            absl::StrCat("applied ", FormatAppliedAt(it->second.applied_at));
        if (it->second.checksum != storage::MigrationChecksum(migration)) {
          absl::StrAppend(
              &state,
              ", CHECKSUM MISMATCH: the file changed after it was applied");
        }
        applied.erase(it);
      }
    }
    std::printf("%-8s %-32s %s\n", migration.version.c_str(),
                migration.name.c_str(), state.c_str());
  }
  for (const auto& [version, record] : applied) {
    std::printf("%-8s %-32s applied %s, not in this binary\n", version.c_str(),
                record.name.c_str(),
                FormatAppliedAt(record.applied_at).c_str());
  }
  return 0;
}

int Apply(const std::string& dsn) {
  absl::StatusOr<int> applied = storage::ApplyMigrations(
      dsn, storage::EmbeddedMigrations(), [](const Migration& migration) {
        std::printf("applied %s_%s\n", migration.version.c_str(),
                    migration.name.c_str());
        std::fflush(stdout);
      });
  if (!applied.ok()) {
    PrintError(applied.status());
    return kExitFailure;
  }
  if (*applied == 0) {
    std::printf(
        "nothing to apply: the database is up to date (%zu migrations)\n",
        storage::EmbeddedMigrations().size());
  } else {
    std::printf("%d migration(s) applied: the database is up to date\n",
                *applied);
  }
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "Applies the consular database schema migrations compiled into this "
      "binary."};
  std::string dsn;
  bool list = false;
  app.add_option(
         "--dsn", dsn,
         "libpq connection string of the database (or env CONSULAR_DSN)")
      ->envname("CONSULAR_DSN");
  app.add_flag("--list", list,
               "List the embedded migrations and whether each is applied; "
               "changes nothing");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (list) return List(dsn);
  if (dsn.empty()) {
    std::fprintf(stderr,
                 "consular-migrate: no database given: pass --dsn DSN or set "
                 "CONSULAR_DSN "
                 "(see --help)\n");
    return kExitUsage;
  }
  return Apply(dsn);
}

}  // namespace
}  // namespace consular::migrate

int main(int argc, char** argv) { return consular::migrate::Main(argc, argv); }

// consular-migrate: applies the schema migrations compiled into this binary to
// a database.
//
//   consular-migrate --dsn 'host=... dbname=consular'    apply what is pending
//   consular-migrate --dsn ... --list                     show each migration
//   and whether applied
//   consular-migrate --dsn ... --check                    exit 0 only if the
//   database's schema is exactly that of this binary's migrations
//
// The dsn may also come from the environment variable CONSULAR_DSN. Exit
// status: 0 on success, 1 if the database refused or could not be reached (or,
// with --check, its schema differs), 2 on a usage error.

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

// Changes nothing: compares what the database records with the embedded
// migrations, prints each difference and a verdict.
int Check(const std::string& dsn) {
  absl::StatusOr<std::vector<AppliedMigration>> recorded =
      storage::ListAppliedMigrations(dsn);
  if (!recorded.ok()) {
    PrintError(recorded.status());
    return kExitFailure;
  }
  const std::vector<Migration>& embedded = storage::EmbeddedMigrations();
  const std::vector<storage::MigrationDifference> differences =
      storage::CompareMigrations(embedded, *recorded);
  for (const storage::MigrationDifference& difference : differences) {
    std::string what;
    switch (difference.kind) {
      case storage::MigrationDifferenceKind::kNotApplied:
        what = "MISSING: not applied";
        break;
      case storage::MigrationDifferenceKind::kChecksumDiffers:
        what = absl::StrCat("CHECKSUM DIFFERS: applied with ",
                            difference.recorded_checksum,
                            ", this binary's copy has ",
                            difference.binary_checksum);
        break;
      case storage::MigrationDifferenceKind::kNotInBinary:
        what = "UNKNOWN: applied, but not a migration of this binary";
        break;
    }
    std::printf("%-8s %-32s %s\n", difference.version.c_str(),
                difference.name.c_str(), what.c_str());
  }
  const std::string range =
      embedded.empty() ? "none"
                       : absl::StrCat(embedded.front().version, " to ",
                                      embedded.back().version);
  if (!differences.empty()) {
    std::printf(
        "schema does NOT match the %zu migrations of this binary (%s): %zu "
        "difference(s)\n",
        embedded.size(), range.c_str(), differences.size());
    return kExitFailure;
  }
  std::printf("schema matches the %zu migrations of this binary (%s)\n",
              embedded.size(), range.c_str());
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
  bool check = false;
  app.add_option(
         "--dsn", dsn,
         "libpq connection string of the database (or env CONSULAR_DSN)")
      ->envname("CONSULAR_DSN");
  CLI::Option* list_flag =
      app.add_flag("--list", list,
                   "List the embedded migrations and whether each is applied; "
                   "changes nothing");
  app.add_flag("--check", check,
               "Exit 0 only if every embedded migration is applied with its "
               "checksum and no other is recorded (e.g. after a restore); "
               "prints each difference; changes nothing")
      ->excludes(list_flag);
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
  if (check) return Check(dsn);
  return Apply(dsn);
}

}  // namespace
}  // namespace consular::migrate

int main(int argc, char** argv) { return consular::migrate::Main(argc, argv); }

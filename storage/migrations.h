#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace consular::storage {

// One schema migration: storage/migrations/<version>_<name>.sql.
struct Migration {
  std::string version;  // "0001"
  std::string name;     // "cases"
  std::string sql;  // the file's contents, run as one script in one transaction
};

// A migration recorded in public.schema_migrations.
struct AppliedMigration {
  std::string version;
  std::string name;
  std::string checksum;
  absl::Time applied_at;
};

// Returns the migrations compiled into this binary, in version order.
const std::vector<Migration>& EmbeddedMigrations();

// Returns the checksum recorded for `migration`: the SHA-256 of its sql, as 64
// lower-case hex digits.
std::string MigrationChecksum(const Migration& migration);

// Applies every embedded migration not yet recorded in table
// public.schema_migrations (version, name, checksum, applied_at), in order,
// each in its own transaction, holding a PostgreSQL advisory lock so two
// processes running at once apply each migration exactly once. Running twice is
// a no-op. Returns the number applied. FAILED_PRECONDITION if a recorded
// migration's checksum differs from the embedded one, or a recorded version
// older than the newest embedded one is not embedded (versions newer than all
// embedded ones are left alone: a newer binary applied them). UNAVAILABLE if
// the database cannot be reached or the connection breaks; INVALID_ARGUMENT if
// `dsn` is malformed; INTERNAL if a migration's SQL fails (that migration is
// rolled back, earlier ones stay applied). Messages name the migration and
// carry the database's error: this is for operators.
absl::StatusOr<int> ApplyMigrations(const std::string& dsn);

// Same, for the given `migrations` (in version order, versions unique) instead
// of the embedded ones, calling `on_applied` (if set) after each migration
// commits. INVALID_ARGUMENT if `migrations` is not in strictly increasing
// version order.
absl::StatusOr<int> ApplyMigrations(
    const std::string& dsn, const std::vector<Migration>& migrations,
    const std::function<void(const Migration&)>& on_applied);

// How a recorded migration differs from the migrations of a binary.
enum class MigrationDifferenceKind {
  kNotApplied,       // in the binary, not recorded as applied
  kChecksumDiffers,  // recorded with another checksum than the binary's copy
  kNotInBinary,      // recorded as applied, not in the binary
};

struct MigrationDifference {
  MigrationDifferenceKind kind;
  std::string version;
  std::string name;
  std::string recorded_checksum;  // empty for kNotApplied
  std::string binary_checksum;    // empty for kNotInBinary
};

// Returns every difference between `migrations` (a binary's, in version order)
// and `applied` (what a database records), in version order: empty when the
// database's schema is exactly that of `migrations`. Unlike ApplyMigrations,
// a migration recorded by a newer binary counts as a difference too.
std::vector<MigrationDifference> CompareMigrations(
    const std::vector<Migration>& migrations,
    const std::vector<AppliedMigration>& applied);

// Returns the migrations recorded in public.schema_migrations in version order;
// empty if the table does not exist yet. UNAVAILABLE if the database cannot be
// reached, INTERNAL on other database errors.
absl::StatusOr<std::vector<AppliedMigration>> ListAppliedMigrations(
    const std::string& dsn);

}  // namespace consular::storage

#include "storage/migrations.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "storage/conninfo.h"
#include "storage/embedded_migration_files.h"

namespace consular::storage {
namespace {

// Session-level advisory lock serialising migration runs on one database:
// "consular" as a big-endian 64-bit integer. Released explicitly, or by the
// server when the session ends.
constexpr char kLockKey[] = "7165066974340079986";

constexpr char kMigrationsTableExists[] =
    "SELECT to_regclass('public.schema_migrations') IS NOT NULL";
constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE public.schema_migrations ("
    "  version    text        PRIMARY KEY,"
    "  name       text        NOT NULL,"
    "  checksum   text        NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now())";
constexpr char kSelectApplied[] =
    "SELECT version, name, checksum,"
    "       floor(extract(epoch FROM applied_at) * 1000000)::bigint"
    "  FROM public.schema_migrations ORDER BY version";
constexpr char kRecordApplied[] =
    "INSERT INTO public.schema_migrations (version, name, checksum) VALUES "
    "($1, $2, $3)";

constexpr absl::Duration kConnectTimeout = absl::Seconds(5);

// Parses "NNNN_name.sql". The build (storage/embed_migrations.cmake) only
// embeds such names.
Migration FromFile(const internal::EmbeddedMigrationFile& file) {
  const std::string& file_name = file.file_name;
  const size_t underscore = file_name.find('_');
  const size_t dot = file_name.rfind(".sql");
  Migration migration;
  migration.version = file_name.substr(0, underscore);
  migration.name = underscore == std::string::npos || dot == std::string::npos || dot < underscore
                       ? file_name
                       : file_name.substr(underscore + 1, dot - underscore - 1);
  migration.sql = file.contents;
  return migration;
}

std::string Label(const Migration& migration) {
  return absl::StrCat(migration.version, "_", migration.name);
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> Connect(const std::string& dsn) {
  CONSULAR_ASSIGN_OR_RETURN(std::string conninfo, WithDefaultConnectTimeout(dsn, kConnectTimeout));
  try {
    auto connection = std::make_unique<pqxx::connection>(conninfo);
    DisableReactivation(*connection);
    return connection;
  } catch (const std::exception& e) {
    std::string message = e.what();
    absl::StripTrailingAsciiWhitespace(&message);
    return absl::UnavailableError(absl::StrCat("cannot connect to the database: ", message));
  }
}

// The status for an exception while migrating; `context` says what was being
// done.
absl::Status StatusFor(const std::exception& e, const std::string& context) {
  std::string message = e.what();
  absl::StripTrailingAsciiWhitespace(&message);
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat(
        context, ": the connection broke during COMMIT, outcome unknown; run again: ", message));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat(context, ": database connection lost: ", message));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    return absl::InternalError(
        absl::StrCat(context, ": SQL state ", sql->sqlstate(), ": ", message));
  }
  return absl::InternalError(absl::StrCat(context, ": ", message));
}

absl::StatusOr<std::vector<AppliedMigration>> ReadApplied(pqxx::connection& connection) {
  std::vector<AppliedMigration> applied;
  pqxx::read_transaction transaction(connection);
  if (!transaction.exec1(kMigrationsTableExists)[0].as<bool>()) return applied;
  for (const pqxx::row& row : transaction.exec(kSelectApplied)) {
    AppliedMigration migration;
    migration.version = row[0].as<std::string>();
    migration.name = row[1].as<std::string>();
    migration.checksum = row[2].as<std::string>();
    migration.applied_at = absl::FromUnixMicros(row[3].as<int64_t>());
    applied.push_back(std::move(migration));
  }
  transaction.commit();
  return applied;
}

// OK if every recorded migration matches `migrations` (see ApplyMigrations),
// else why not.
absl::Status Verify(const std::vector<Migration>& migrations,
                    const std::vector<AppliedMigration>& recorded) {
  std::map<std::string, const Migration*> by_version;
  for (const Migration& migration : migrations) by_version[migration.version] = &migration;
  const std::string newest = migrations.empty() ? "" : migrations.back().version;
  for (const AppliedMigration& applied : recorded) {
    auto it = by_version.find(applied.version);
    if (it == by_version.end()) {
      if (applied.version > newest) continue;  // applied by a newer binary
      return absl::FailedPreconditionError(
          absl::StrCat("migration ", applied.version, "_", applied.name,
                       " is recorded as applied but is not part of this binary"));
    }
    const std::string expected = MigrationChecksum(*it->second);
    if (applied.checksum != expected) {
      return absl::FailedPreconditionError(
          absl::StrCat("migration ", Label(*it->second), " was applied with checksum ",
                       applied.checksum, " but this binary's copy has checksum ", expected,
                       ": an applied migration must never change; add a new one instead"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ApplyLocked(pqxx::connection& connection,
                                const std::vector<Migration>& migrations,
                                const std::function<void(const Migration&)>& on_applied) {
  {
    pqxx::work transaction(connection);
    if (!transaction.exec1(kMigrationsTableExists)[0].as<bool>()) {
      transaction.exec0(kCreateMigrationsTable);
    }
    transaction.commit();
  }
  CONSULAR_ASSIGN_OR_RETURN(std::vector<AppliedMigration> recorded, ReadApplied(connection));
  if (absl::Status status = Verify(migrations, recorded); !status.ok()) return status;

  int applied = 0;
  for (const Migration& migration : migrations) {
    const bool done = std::any_of(
        recorded.begin(), recorded.end(),
        [&](const AppliedMigration& record) { return record.version == migration.version; });
    if (done) continue;
    try {
      pqxx::work transaction(connection);
      transaction.exec(migration.sql);
      transaction.exec_params0(kRecordApplied, migration.version, migration.name,
                               MigrationChecksum(migration));
      transaction.commit();
    } catch (const std::exception& e) {
      return StatusFor(e, absl::StrCat("migration ", Label(migration), " failed"));
    }
    ++applied;
    if (on_applied) on_applied(migration);
  }
  return applied;
}

}  // namespace

const std::vector<Migration>& EmbeddedMigrations() {
  static const auto* const kMigrations = [] {
    auto* migrations = new std::vector<Migration>;
    for (const internal::EmbeddedMigrationFile& file : internal::EmbeddedMigrationFiles()) {
      migrations->push_back(FromFile(file));
    }
    std::sort(migrations->begin(), migrations->end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return migrations;
  }();
  return *kMigrations;
}

std::string MigrationChecksum(const Migration& migration) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(migration.sql.data(), migration.sql.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1) {
    // Only on allocation failure; an empty checksum never matches a recorded
    // one.
    return "";
  }
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) absl::StrAppendFormat(&hex, "%02x", digest[i]);
  return hex;
}

absl::StatusOr<int> ApplyMigrations(const std::string& dsn) {
  return ApplyMigrations(dsn, EmbeddedMigrations(), nullptr);
}

absl::StatusOr<int> ApplyMigrations(const std::string& dsn,
                                    const std::vector<Migration>& migrations,
                                    const std::function<void(const Migration&)>& on_applied) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (!(migrations[i - 1].version < migrations[i].version)) {
      return absl::InvalidArgumentError(
          absl::StrCat("migrations: not in increasing version order at ", Label(migrations[i])));
    }
  }
  absl::StatusOr<std::unique_ptr<pqxx::connection>> connection = Connect(dsn);
  if (!connection.ok()) return connection.status();
  try {
    {
      pqxx::nontransaction session(**connection);
      session.exec(absl::StrCat("SELECT pg_advisory_lock(", kLockKey, ")"));
    }
    absl::StatusOr<int> applied = ApplyLocked(**connection, migrations, on_applied);
    if ((*connection)->is_open()) {
      pqxx::nontransaction session(**connection);
      session.exec(absl::StrCat("SELECT pg_advisory_unlock(", kLockKey, ")"));
    }
    return applied;
  } catch (const std::exception& e) {
    // Closing the connection releases the advisory lock.
    return StatusFor(e, "applying migrations");
  }
}

std::vector<MigrationDifference> CompareMigrations(const std::vector<Migration>& migrations,
                                                   const std::vector<AppliedMigration>& applied) {
  std::map<std::string, const AppliedMigration*> recorded;
  for (const AppliedMigration& migration : applied) recorded[migration.version] = &migration;
  std::map<std::string, MigrationDifference> differences;  // by version
  for (const Migration& migration : migrations) {
    const std::string checksum = MigrationChecksum(migration);
    auto it = recorded.find(migration.version);
    if (it == recorded.end()) {
      differences[migration.version] = {MigrationDifferenceKind::kNotApplied, migration.version,
                                        migration.name, "", checksum};
      continue;
    }
    if (it->second->checksum != checksum) {
      differences[migration.version] = {MigrationDifferenceKind::kChecksumDiffers,
                                        migration.version, migration.name, it->second->checksum,
                                        checksum};
    }
    recorded.erase(it);
  }
  for (const auto& [version, migration] : recorded) {
    differences[version] = {MigrationDifferenceKind::kNotInBinary, version, migration->name,
                            migration->checksum, ""};
  }
  std::vector<MigrationDifference> result;
  result.reserve(differences.size());
  for (auto& [version, difference] : differences) result.push_back(std::move(difference));
  return result;
}

absl::StatusOr<std::vector<AppliedMigration>> ListAppliedMigrations(const std::string& dsn) {
  absl::StatusOr<std::unique_ptr<pqxx::connection>> connection = Connect(dsn);
  if (!connection.ok()) return connection.status();
  try {
    return ReadApplied(**connection);
  } catch (const std::exception& e) {
    return StatusFor(e, "reading public.schema_migrations");
  }
}

}  // namespace consular::storage

// consular-keys: makes and rotates the keys of field encryption and of the blind index.
//
//   consular-keys generate --out FILE [--id ID]   new key ring, or a new active key in FILE
//   consular-keys blind-index-key --out FILE      a new blind-index key (FILE must not exist)
//   consular-keys rotate --dsn DSN --field-keys FILE
//                                                 re-encrypt every row to the active key
//
// Exit status: 0 on success (for rotate: nothing is left under an old key), 1 if the work failed
// or rows were left, 2 on a usage or key file error. See docs/keys.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "crypto/field_cipher.h"
#include "crypto/key_ring.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tools/keys/rotate.h"

namespace consular::keys {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "consular-keys: %s\n", message.c_str());
  return code;
}

bool Exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

// Writes `contents` to `path` with mode 600, atomically (a temporary file beside it, renamed).
absl::Status WriteSecretFile(const std::string& path, const std::string& contents) {
  const std::string temporary = absl::StrCat(path, ".tmp.", getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create ", temporary, ": ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      return absl::InvalidArgumentError(
          absl::StrCat("cannot write ", temporary, ": ", std::strerror(error)));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

int RunGenerate(const std::string& out, std::string id) {
  if (id.empty()) {
    id = absl::StrCat("k", absl::FormatTime("%Y%m%d%H%M%S", absl::Now(), absl::UTCTimeZone()));
  }
  if (!IsValidKeyId(id)) {
    return Fail(kExitUsage, "--id: 1..64 characters of A-Z a-z 0-9 . _ - (not \"active\")");
  }
  const SecretKey key = SecretKey::Random();
  KeyRing ring = KeyRing::Single(id, key);
  if (Exists(out)) {
    std::vector<std::string> warnings;
    absl::StatusOr<KeyRing> existing = LoadKeyRingFile(out, &warnings);
    if (!existing.ok()) return Fail(kExitUsage, std::string(existing.status().message()));
    absl::StatusOr<KeyRing> extended = existing->WithNewActiveKey(id, key);
    if (!extended.ok()) return Fail(kExitUsage, std::string(extended.status().message()));
    ring = *std::move(extended);
  }
  if (const absl::Status written = WriteSecretFile(out, ring.Serialize()); !written.ok()) {
    return Fail(kExitFailure, std::string(written.message()));
  }
  std::printf("key ring %s: key %s added and active; keys: %s\n", out.c_str(), id.c_str(),
              absl::StrJoin(ring.ids(), ", ").c_str());
  if (ring.ids().size() > 1) {
    std::printf(
        "next: give the new ring to every service and restart them, then run\n"
        "  consular-keys rotate --dsn DSN --field-keys %s\n",
        out.c_str());
  }
  return kExitOk;
}

int RunBlindIndexKey(const std::string& out) {
  if (Exists(out)) {
    return Fail(kExitUsage, absl::StrCat(out,
                                         " exists; a new blind-index key makes every stored name "
                                         "index unusable, so it is never overwritten"));
  }
  const SecretKey key = SecretKey::Random();
  if (const absl::Status written = WriteSecretFile(
          out,
          absl::StrCat("# consular blind-index key (secret, mode 600)\n", key.ToBase64(), "\n"));
      !written.ok()) {
    return Fail(kExitFailure, std::string(written.message()));
  }
  std::printf("blind-index key written to %s\n", out.c_str());
  return kExitOk;
}

int RunRotate(const std::string& dsn, const std::string& keys_file, int batch_size,
              int max_wait_seconds) {
  std::vector<std::string> warnings;
  absl::StatusOr<KeyRing> ring = LoadKeyRingFile(keys_file, &warnings);
  if (!ring.ok()) return Fail(kExitUsage, std::string(ring.status().message()));
  for (const std::string& warning : warnings) {
    std::fprintf(stderr, "consular-keys: warning: %s\n", warning.c_str());
  }
  const FieldCipher cipher(*std::move(ring));
  storage::ConnectionPool pool({dsn, 2});
  storage::TransactionRunner runner(&pool);
  RotationOptions options;
  options.batch_size = batch_size;
  options.max_wait_for_locked = absl::Seconds(max_wait_seconds);
  std::printf("rotating to key %s\n", cipher.active_key_id().c_str());
  absl::StatusOr<std::vector<ColumnRotation>> report = RotateFieldKeys(&runner, cipher, options);
  if (!report.ok()) {
    return Fail(kExitFailure, absl::StrCat("rotation stopped: ", report.status().ToString()));
  }
  bool complete = true;
  for (const ColumnRotation& column : *report) {
    std::printf("%-28s rotated %lld, left on old keys %lld\n", column.column.c_str(),
                static_cast<long long>(column.rotated), static_cast<long long>(column.remaining));
    if (!column.failed.empty()) {
      std::printf("  %zu value(s) do not decrypt (rows: %s)\n", column.failed.size(),
                  absl::StrJoin(column.failed, ", ").c_str());
    }
    if (column.remaining != 0) complete = false;
  }
  if (!complete) {
    std::printf("rotation incomplete: keep the old keys in the ring and run it again\n");
    return kExitFailure;
  }
  std::printf("every value is under key %s; older keys may leave the ring\n",
              cipher.active_key_id().c_str());
  return kExitOk;
}

}  // namespace
}  // namespace consular::keys

int main(int argc, char** argv) {
  using namespace consular::keys;  // NOLINT(build/namespaces)
  CLI::App app{"consular-keys: field-encryption and blind-index keys (docs/keys.md)"};
  app.require_subcommand(1);

  std::string generate_out;
  std::string generate_id;
  CLI::App* generate = app.add_subcommand(
      "generate",
      "Make a key ring with one new key, or add a new key to an existing ring and make it active "
      "(the old keys stay, for decryption)");
  generate->add_option("--out", generate_out, "Key ring file")->required();
  generate->add_option("--id", generate_id, "Id of the new key (default k<UTC time>)");

  std::string index_out;
  CLI::App* index_key =
      app.add_subcommand("blind-index-key", "Make a new blind-index key file (never overwritten)");
  index_key->add_option("--out", index_out, "Blind-index key file")->required();

  std::string dsn;
  std::string keys_file;
  int batch_size = 100;
  int max_wait_seconds = 120;
  CLI::App* rotate = app.add_subcommand(
      "rotate", "Re-encrypt every stored value under the key ring's active key, in small batches");
  rotate->add_option("--dsn", dsn, "PostgreSQL connection string (libpq conninfo)")
      ->envname("CONSULAR_DSN")
      ->required();
  rotate->add_option("--field-keys", keys_file, "Key ring file")
      ->envname("CONSULAR_FIELD_KEYS")
      ->required();
  rotate->add_option("--batch-size", batch_size, "Values per transaction")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  rotate
      ->add_option("--max-wait", max_wait_seconds,
                   "Seconds to keep retrying rows locked by the services")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (generate->parsed()) return RunGenerate(generate_out, generate_id);
  if (index_key->parsed()) return RunBlindIndexKey(index_out);
  return RunRotate(dsn, keys_file, batch_size, max_wait_seconds);
}

#include "crypto/export_envelope.h"

#include <gpgme.h>
#include <stdlib.h>
#include <zip.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace consular {
namespace {

// libzip's error as text, for INTERNAL messages (never content).
std::string ZipErrorText(zip_error_t* error) { return zip_error_strerror(error); }

absl::Status InvalidKey(const std::string& field, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

std::string GpgError(gpgme_error_t err) {
  return absl::StrCat(gpgme_strsource(err), ": ", gpgme_strerror(err));
}

// A GnuPG home of its own for one operation: a fresh directory (mode 0700) under $TMPDIR, removed
// with everything in it when the object goes.
class TemporaryGnupgHome {
 public:
  TemporaryGnupgHome() {
    const char* tmp = getenv("TMPDIR");
    std::string pattern =
        absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/consular-gnupg-XXXXXX");
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TemporaryGnupgHome() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryGnupgHome(const TemporaryGnupgHome&) = delete;
  TemporaryGnupgHome& operator=(const TemporaryGnupgHome&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct GpgContextDeleter {
  void operator()(gpgme_ctx_t ctx) const { gpgme_release(ctx); }
};
struct GpgDataDeleter {
  void operator()(gpgme_data_t data) const { gpgme_data_release(data); }
};
struct GpgKeyDeleter {
  void operator()(gpgme_key_t key) const { gpgme_key_unref(key); }
};
using GpgContext = std::unique_ptr<gpgme_context, GpgContextDeleter>;
using GpgData = std::unique_ptr<gpgme_data, GpgDataDeleter>;
using GpgKey = std::unique_ptr<_gpgme_key, GpgKeyDeleter>;

// A context on `home` with `armored_key` imported and checked: exactly one public key that can
// encrypt.
struct ImportedKey {
  GpgContext ctx;
  GpgKey key;
  std::string fingerprint;
};

absl::StatusOr<ImportedKey> ImportKey(const std::string& field, const std::string& armored_key,
                                      const TemporaryGnupgHome& home) {
  static std::once_flag initialised;
  std::call_once(initialised, [] { gpgme_check_version(nullptr); });
  if (home.path().empty()) return absl::InternalError("no temporary GnuPG home");
  if (armored_key.find("-----BEGIN PGP PUBLIC KEY BLOCK-----") == std::string::npos) {
    return InvalidKey(field, "must be an ASCII-armored OpenPGP public key block");
  }
  gpgme_ctx_t raw_ctx = nullptr;
  gpgme_error_t err = gpgme_new(&raw_ctx);
  if (err != 0) return absl::InternalError(absl::StrCat("gpgme_new: ", GpgError(err)));
  ImportedKey out;
  out.ctx.reset(raw_ctx);
  err = gpgme_ctx_set_engine_info(out.ctx.get(), GPGME_PROTOCOL_OpenPGP, nullptr,
                                  home.path().c_str());
  if (err != 0) return absl::InternalError(absl::StrCat("GnuPG engine: ", GpgError(err)));
  gpgme_set_armor(out.ctx.get(), 0);
  gpgme_data_t raw_key = nullptr;
  err = gpgme_data_new_from_mem(&raw_key, armored_key.data(), armored_key.size(), 1);
  if (err != 0) return absl::InternalError(absl::StrCat("gpgme_data_new: ", GpgError(err)));
  GpgData key_data(raw_key);
  err = gpgme_op_import(out.ctx.get(), key_data.get());
  if (err != 0) return InvalidKey(field, "GnuPG could not read it as a key");
  gpgme_import_result_t imported = gpgme_op_import_result(out.ctx.get());
  if (imported == nullptr || imported->considered == 0 || imported->imports == nullptr) {
    return InvalidKey(field, "holds no usable OpenPGP key");
  }
  if (imported->secret_read > 0) {
    return InvalidKey(field, "holds a secret key: give the recipient's public key only");
  }
  if (imported->considered != 1 || imported->imports->next != nullptr) {
    return InvalidKey(field, "must hold exactly one key");
  }
  if (imported->imports->result != 0 || imported->imports->fpr == nullptr) {
    return InvalidKey(field, "GnuPG refused the key");
  }
  out.fingerprint = imported->imports->fpr;
  gpgme_key_t raw = nullptr;
  err = gpgme_get_key(out.ctx.get(), out.fingerprint.c_str(), &raw, 0);
  if (err != 0 || raw == nullptr) return InvalidKey(field, "GnuPG refused the key");
  out.key.reset(raw);
  if (out.key->revoked || out.key->expired || out.key->disabled || out.key->invalid) {
    return InvalidKey(field, "the key is revoked, expired or disabled");
  }
  if (!out.key->can_encrypt) return InvalidKey(field, "the key has no subkey that can encrypt");
  return out;
}

}  // namespace

absl::StatusOr<std::string> SealZipWithPassword(const std::vector<EnvelopeEntry>& entries,
                                                const std::string& password) {
  if (password.empty()) return absl::InternalError("a ZIP needs a password");
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* archive = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (archive == nullptr) {
    const std::string message = ZipErrorText(&error);
    zip_error_fini(&error);
    return absl::InternalError(absl::StrCat("zip buffer: ", message));
  }
  zip_t* zip = zip_open_from_source(archive, ZIP_TRUNCATE, &error);
  if (zip == nullptr) {
    const std::string message = ZipErrorText(&error);
    zip_error_fini(&error);
    zip_source_free(archive);
    return absl::InternalError(absl::StrCat("zip open: ", message));
  }
  zip_error_fini(&error);
  zip_source_keep(archive);  // read back after zip_close
  auto fail = [&](const std::string& what) {
    const std::string message = absl::StrCat(what, ": ", zip_strerror(zip));
    zip_discard(zip);
    zip_source_free(archive);
    return absl::InternalError(message);
  };
  for (const EnvelopeEntry& entry : entries) {
    zip_source_t* data = zip_source_buffer(zip, entry.content.data(), entry.content.size(), 0);
    if (data == nullptr) return fail("zip entry");
    const zip_int64_t index =
        zip_file_add(zip, entry.name.c_str(), data, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(data);
      return fail("zip add");
    }
    if (zip_file_set_encryption(zip, static_cast<zip_uint64_t>(index), ZIP_EM_AES_256,
                                password.c_str()) != 0) {
      return fail("zip encryption");
    }
  }
  if (zip_close(zip) != 0) return fail("zip close");

  std::string out;
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_source_stat(archive, &stat) != 0 || (stat.valid & ZIP_STAT_SIZE) == 0 ||
      zip_source_open(archive) != 0) {
    zip_source_free(archive);
    return absl::InternalError("zip: the archive cannot be read back");
  }
  out.resize(stat.size);
  const zip_int64_t read = zip_source_read(archive, out.data(), stat.size);
  zip_source_close(archive);
  zip_source_free(archive);
  if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size) {
    return absl::InternalError("zip: the archive was read back short");
  }
  return out;
}

absl::StatusOr<OpenPgpRecipient> InspectOpenPgpKey(const std::string& field,
                                                   const std::string& armored_key) {
  TemporaryGnupgHome home;
  absl::StatusOr<ImportedKey> key = ImportKey(field, armored_key, home);
  if (!key.ok()) return key.status();
  return OpenPgpRecipient{key->fingerprint};
}

absl::StatusOr<OpenPgpMessage> EncryptToOpenPgpKey(const std::string& field,
                                                   const std::string& armored_key,
                                                   const std::string& file_name,
                                                   const std::string& content) {
  TemporaryGnupgHome home;
  absl::StatusOr<ImportedKey> key = ImportKey(field, armored_key, home);
  if (!key.ok()) return key.status();
  gpgme_data_t raw_plain = nullptr;
  gpgme_error_t err = gpgme_data_new_from_mem(&raw_plain, content.data(), content.size(), 0);
  if (err != 0) return absl::InternalError(absl::StrCat("gpgme_data_new: ", GpgError(err)));
  GpgData plain(raw_plain);
  gpgme_data_set_file_name(plain.get(), file_name.c_str());
  gpgme_data_t raw_cipher = nullptr;
  err = gpgme_data_new(&raw_cipher);
  if (err != 0) return absl::InternalError(absl::StrCat("gpgme_data_new: ", GpgError(err)));
  GpgData cipher(raw_cipher);
  gpgme_key_t recipients[] = {key->key.get(), nullptr};
  // The key is trusted because the approver gave it for this export: there is no web of trust
  // in a temporary home.
  err = gpgme_op_encrypt(key->ctx.get(), recipients, GPGME_ENCRYPT_ALWAYS_TRUST, plain.get(),
                         cipher.get());
  if (err != 0) return absl::InternalError(absl::StrCat("OpenPGP encryption: ", GpgError(err)));
  gpgme_encrypt_result_t result = gpgme_op_encrypt_result(key->ctx.get());
  if (result != nullptr && result->invalid_recipients != nullptr) {
    return InvalidKey(field, "GnuPG cannot encrypt to this key");
  }
  size_t length = 0;
  char* bytes = gpgme_data_release_and_get_mem(cipher.release(), &length);
  if (bytes == nullptr) return absl::InternalError("OpenPGP encryption produced nothing");
  OpenPgpMessage out{key->fingerprint, std::string(bytes, length)};
  gpgme_free(bytes);
  return out;
}

}  // namespace consular

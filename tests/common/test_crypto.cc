#include "tests/common/test_crypto.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace consular {
namespace testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "test_crypto: %s failed\n", what);
  std::abort();
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

KeyPair ToPem(EVP_PKEY* key) {
  KeyPair pair;
  BioPtr private_bio(BIO_new(BIO_s_mem()));
  if (!private_bio ||
      PEM_write_bio_PrivateKey(private_bio.get(), key, nullptr, nullptr, 0,
                               nullptr, nullptr) != 1) {
    Die("PEM_write_bio_PrivateKey");
  }
  pair.private_pem = BioContents(private_bio.get());
  BioPtr public_bio(BIO_new(BIO_s_mem()));
  if (!public_bio || PEM_write_bio_PUBKEY(public_bio.get(), key) != 1)
    Die("PEM_write_bio_PUBKEY");
  pair.public_pem = BioContents(public_bio.get());
  return pair;
}

PkeyPtr ReadPrivateKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) Die("PEM_read_bio_PrivateKey");
  return key;
}

X509Ptr ReadCertificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) Die("PEM_read_bio_X509");
  return cert;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (extension == nullptr) Die("X509V3_EXT_conf_nid");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// Signs a certificate for `subject_key`; self-signed when `issuer` is null.
Certificate MakeCertificate(const std::string& common_name, bool is_ca,
                            const Certificate* issuer) {
  const KeyPair subject = GenerateEcKeyPair("P-256");
  PkeyPtr subject_key = ReadPrivateKey(subject.private_pem);
  X509Ptr cert(X509_new());
  if (!cert) Die("X509_new");
  static long serial = 1;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), subject_key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);

  X509Ptr issuer_cert;
  PkeyPtr issuer_key;
  if (issuer != nullptr) {
    issuer_cert = ReadCertificate(issuer->cert_pem);
    issuer_key = ReadPrivateKey(issuer->key_pem);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert.get()));
  } else {
    X509_set_issuer_name(cert.get(), name);
  }
  X509* signer_cert = issuer != nullptr ? issuer_cert.get() : cert.get();
  EVP_PKEY* signer_key =
      issuer != nullptr ? issuer_key.get() : subject_key.get();

  if (is_ca) {
    AddExtension(cert.get(), signer_cert, NID_basic_constraints,
                 "critical,CA:TRUE");
    AddExtension(cert.get(), signer_cert, NID_key_usage,
                 "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer_cert, NID_basic_constraints,
                 "critical,CA:FALSE");
    AddExtension(cert.get(), signer_cert, NID_subject_alt_name,
                 "DNS:localhost,IP:127.0.0.1");
  }
  if (X509_sign(cert.get(), signer_key, EVP_sha256()) == 0) Die("X509_sign");

  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(bio.get(), cert.get()) != 1) Die("PEM_write_bio_X509");
  return Certificate{BioContents(bio.get()), subject.private_pem};
}

}  // namespace

KeyPair GenerateEcKeyPair(const std::string& curve) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve.c_str()));
  if (!key) Die("EVP_PKEY_Q_keygen(EC)");
  return ToPem(key.get());
}

KeyPair GenerateRsaKeyPair() {
  PkeyPtr key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  if (!key) Die("EVP_PKEY_Q_keygen(RSA)");
  return ToPem(key.get());
}

Certificate MakeCa(const std::string& common_name) {
  return MakeCertificate(common_name, /*is_ca=*/true, nullptr);
}

Certificate MakeLeaf(const Certificate& ca, const std::string& common_name) {
  return MakeCertificate(common_name, /*is_ca=*/false, &ca);
}

namespace {

std::vector<std::string>& TempFiles() {
  static auto* files = new std::vector<std::string>();
  return *files;
}

void RemoveTempFiles() {
  for (const std::string& path : TempFiles()) std::remove(path.c_str());
}

}  // namespace

std::string WriteTempFile(const std::string& name,
                          const std::string& contents) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  static const bool registered = std::atexit(RemoveTempFiles) == 0;
  (void)registered;
  const char* dir = std::getenv("TMPDIR");
  std::string base = dir != nullptr ? dir : "/tmp";
  static int counter = 0;
  const std::string path = base + "/consular_common_" +
                           std::to_string(::getpid()) + "_" +
                           std::to_string(counter++) + "_" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) Die("WriteTempFile");
  TempFiles().push_back(path);
  return path;
}

}  // namespace testing
}  // namespace consular

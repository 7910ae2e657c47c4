#include "services/common/tls.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/common/files.h"

namespace consular {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

BioPtr MemoryBio(const std::string& data) {
  if (data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// The first certificate in `pem`, or null.
X509Ptr FirstCertificate(const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  if (!bio) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// Reads a PEM file that must start with (or contain) at least one certificate.
absl::StatusOr<std::string> ReadCertificates(const std::string& path) {
  CONSULAR_ASSIGN_OR_RETURN(std::string pem, ReadPemFile(path));
  if (!FirstCertificate(pem)) {
    return absl::InvalidArgumentError(absl::StrCat("no PEM certificate in ", path));
  }
  return pem;
}

// Reads an unencrypted PEM private key file.
absl::StatusOr<std::string> ReadPrivateKey(const std::string& path, PkeyPtr* key) {
  CONSULAR_ASSIGN_OR_RETURN(std::string pem, ReadPemFile(path));
  BioPtr bio = MemoryBio(pem);
  // An empty passphrase: an encrypted key fails here instead of prompting on
  // the terminal.
  char empty_passphrase[] = "";
  if (bio) key->reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, empty_passphrase));
  if (!*key) {
    return absl::InvalidArgumentError(absl::StrCat("no unencrypted PEM private key in ", path));
  }
  return pem;
}

// Reads a certificate chain and its key, and checks that they belong together.
absl::StatusOr<grpc::SslServerCredentialsOptions::PemKeyCertPair> ReadKeyCertPair(
    const std::string& cert_path, const std::string& key_path) {
  CONSULAR_ASSIGN_OR_RETURN(std::string chain, ReadCertificates(cert_path));
  PkeyPtr key;
  absl::StatusOr<std::string> key_pem = ReadPrivateKey(key_path, &key);
  if (!key_pem.ok()) return key_pem.status();
  X509Ptr leaf = FirstCertificate(chain);
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("private key ", key_path, " does not match the certificate in ", cert_path));
  }
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  pair.private_key = *std::move(key_pem);
  pair.cert_chain = std::move(chain);
  return pair;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files) {
  if (files.cert_chain.empty()) {
    return absl::InvalidArgumentError("TLS: no server certificate chain file given");
  }
  if (files.private_key.empty()) {
    return absl::InvalidArgumentError("TLS: no server private key file given");
  }
  absl::StatusOr<grpc::SslServerCredentialsOptions::PemKeyCertPair> pair =
      ReadKeyCertPair(files.cert_chain, files.private_key);
  if (!pair.ok()) return pair.status();

  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!files.client_ca.empty()) {
    CONSULAR_ASSIGN_OR_RETURN(std::string client_ca, ReadCertificates(files.client_ca));
    options.pem_root_certs = std::move(client_ca);
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  options.pem_key_cert_pairs.push_back(*std::move(pair));
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::SslServerCredentials(options);
  if (!credentials) return absl::InvalidArgumentError("TLS: cannot build server credentials");
  return credentials;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const std::string& ca_file) {
  ClientTlsFiles files;
  files.ca = ca_file;
  return MakeMutualTlsChannelCredentials(files);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeToolChannelCredentials(
    bool insecure, const std::string& ca_file) {
  if (insecure) return grpc::InsecureChannelCredentials();
  return MakeChannelCredentials(ca_file);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeMutualTlsChannelCredentials(
    const ClientTlsFiles& files) {
  if (files.cert_chain.empty() != files.private_key.empty()) {
    return absl::InvalidArgumentError(
        "TLS: a client certificate chain and private key must be given "
        "together");
  }
  grpc::SslCredentialsOptions options;
  if (!files.ca.empty()) {
    CONSULAR_ASSIGN_OR_RETURN(std::string ca, ReadCertificates(files.ca));
    options.pem_root_certs = std::move(ca);
  }
  if (!files.cert_chain.empty()) {
    absl::StatusOr<grpc::SslServerCredentialsOptions::PemKeyCertPair> pair =
        ReadKeyCertPair(files.cert_chain, files.private_key);
    if (!pair.ok()) return pair.status();
    options.pem_cert_chain = std::move(pair->cert_chain);
    options.pem_private_key = std::move(pair->private_key);
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::SslCredentials(options);
  if (!credentials) return absl::InvalidArgumentError("TLS: cannot build channel credentials");
  return credentials;
}

}  // namespace consular

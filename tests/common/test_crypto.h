#pragma once

// Keys and certificates for tests, made with the OpenSSL C API (no files, no
// `openssl` binary).

#include <string>

namespace consular {
namespace testing {

struct KeyPair {
  std::string private_pem;  // PKCS#8 "-----BEGIN PRIVATE KEY-----"
  std::string public_pem;   // SubjectPublicKeyInfo "-----BEGIN PUBLIC KEY-----"
};

// A fresh EC key pair on the named curve ("P-256", "P-384"). Aborts the test
// binary on failure.
KeyPair GenerateEcKeyPair(const std::string& curve = "P-256");

// A fresh RSA-2048 key pair.
KeyPair GenerateRsaKeyPair();

struct Certificate {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed CA certificate.
Certificate MakeCa(const std::string& common_name);

// A certificate for `common_name` signed by `ca`, valid for DNS:localhost and
// IP:127.0.0.1.
Certificate MakeLeaf(const Certificate& ca, const std::string& common_name);

// Writes `contents` to a fresh file under $TMPDIR (or /tmp), removed when the
// process exits; returns its path.
std::string WriteTempFile(const std::string& name, const std::string& contents);

}  // namespace testing
}  // namespace consular

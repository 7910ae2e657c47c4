#pragma once

// JSON Web Key Sets (RFC 7517): the public keys an OpenID Connect provider publishes to verify the
// tokens it signs, by key id ("kid").
//
// Keys are turned into OpenSSL EVP_PKEYs with OpenSSL 3's EVP_PKEY_fromdata (no cpp-jwt, no
// deprecated low-level key APIs), and tokens are verified with jws.h.

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace consular {

// The signature algorithms accepted from a provider. Nothing else (never "none", never HS*).
enum class JwsAlgorithm { kEs256, kRs256 };

// "ES256" or "RS256".
absl::string_view JwsAlgorithmName(JwsAlgorithm algorithm);

// A public key from a JWKS, with the one algorithm it verifies: ES256 for an EC P-256 key, RS256
// for an RSA key.
struct JwkPublicKey {
  JwsAlgorithm algorithm = JwsAlgorithm::kEs256;
  std::shared_ptr<EVP_PKEY> key;  // never null
};

// The usable keys of a JWKS by "kid".
using JwksKeys = absl::flat_hash_map<std::string, JwkPublicKey>;

// The largest JWKS document read, and the most keys it may list.
inline constexpr size_t kMaxJwksBytes = 256 * 1024;
inline constexpr size_t kMaxJwksKeys = 64;

// The usable signing keys of a JWKS document ({"keys": [...]}), by kid. Usable: a non-empty "kid"
// (the first of a repeated kid wins); "use" absent or "sig"; "key_ops" absent or holding "verify";
// no private part ("d"); and either kty "EC" with crv "P-256" and 32-byte x and y of a point on
// the curve (alg absent or "ES256"), or kty "RSA" with n of 2048 to 8192 bits and an odd e (alg
// absent or "RS256"). Other keys are skipped, which is not an error. INVALID_ARGUMENT if the
// document is not such a JSON object, is larger than kMaxJwksBytes, lists more than kMaxJwksKeys
// keys, or has no usable key.
absl::StatusOr<JwksKeys> ParseJwks(absl::string_view document);

}  // namespace consular

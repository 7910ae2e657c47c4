#pragma once

// Verifying the tokens of an OpenID Connect provider against the keys it publishes as a JWKS, with
// key rotation.
//
// Signatures are checked with OpenSSL's EVP API and tokens read with nlohmann-json (jws.h), not
// with cpp-jwt: only token.cc may include cpp-jwt (see token.h).

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/common/token.h"

namespace consular {

struct JwksVerifierOptions {
  // Where the provider publishes its keys: https://host[:port]/path (the "jwks_uri" of its
  // discovery document). Only HTTPS; no user name or password in the URL.
  std::string jwks_url;
  // PEM CA certificates that the JWKS host's certificate must chain to; empty: the system's roots.
  // The host name (or IP address) of the URL must match the certificate either way.
  std::string ca_file;
  // The provider's "iss", exactly; and the audience this service must be among.
  std::string issuer;
  std::string audience = "consular";
  // Clock skew allowed on exp, iat and nbf.
  absl::Duration leeway = absl::Seconds(30);
  // What token times and refetch intervals are measured with; null means SystemClock(). Must
  // outlive the verifier.
  const Clock* clock = nullptr;
  // A token whose kid is not among the keys makes the verifier fetch the JWKS again, at most this
  // often (a refetch that finds no such key does not repeat before then).
  absl::Duration min_refetch_interval = absl::Seconds(30);
  // Keys this old are fetched again at the next verification, so that a key the provider has
  // withdrawn stops verifying. A failed refresh keeps the keys it had and is retried after
  // min_refetch_interval.
  absl::Duration refresh_interval = absl::Minutes(10);
  // The most connecting, each read or write, and reading the whole document of one fetch may take.
  absl::Duration fetch_timeout = absl::Seconds(5);
};

// A verifier of tokens signed by the provider's keys, fetched from `options.jwks_url` now and as
// described in the options. A token's header must name its key ("kid") and algorithm: ES256 for
// an EC P-256 key, RS256 for an RSA key, nothing else; "typ" may be absent, "JWT" or "at+jwt".
// Claims are checked as for MakeJwtTokenVerifier (jws.h IdentityFromClaims), except that the role
// may also carry the Role enum's "ROLE_" prefix.
// Fetches: one at a time, made by the verification that finds the keys due for a refresh or the
// kid unknown, which waits for it; other verifications meanwhile use the keys held, except those
// of an unknown kid, which wait for that fetch's keys instead of starting another.
// INVALID_ARGUMENT for bad options (the URL not https://host[:port]/path, empty issuer or
// audience, negative leeway, non-positive intervals) or a JWKS without a usable key (jwks.h
// ParseJwks); NOT_FOUND / INVALID_ARGUMENT naming the CA file if it cannot be read; UNAVAILABLE
// naming the URL if the JWKS cannot be fetched (connection, TLS, an untrusted certificate, an
// HTTP status other than 200).
absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeJwksTokenVerifier(JwksVerifierOptions options);

// The document at `url` (https://host[:port]/path), fetched with the server's certificate checked
// against `ca_file` (empty: the system's roots) and its name, TLS 1.2 at least, no redirect
// followed, within `timeout`. UNAVAILABLE naming the URL for connection and TLS failures and any
// HTTP status but 200; INVALID_ARGUMENT for a malformed URL or a document larger than
// kMaxJwksBytes (jwks.h).
absl::StatusOr<std::string> FetchJwksDocument(const std::string& url, const std::string& ca_file,
                                              absl::Duration timeout);

}  // namespace consular

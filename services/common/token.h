#pragma once

// Bearer tokens: ES256-signed JWTs carrying the caller's identity.
//
// Claims: iss, aud, sub, iat, exp, optional nbf, "role" (the Role enum name
// without its prefix: "CONSULAR_OFFICER", "POST_MANAGER", "LKHA_CASEWORKER",
// "POLICY_STAFF", "AUDITOR", "ADMINISTRATOR") and "post" (a post code matching
// ^[A-Z][A-Z0-9-]{1,31}$; required for CONSULAR_OFFICER and POST_MANAGER,
// optional otherwise).
//
// Note for other code in this repository: <jwt/jwt.hpp> (cpp-jwt 1.4) defines a
// non-inline function, so it may be included by only one translation unit per
// program. token.cc is that unit: mint and verify tokens through this header,
// do not include cpp-jwt elsewhere.

#include <grpcpp/support/string_ref.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/common.pb.h"
#include "services/common/identity.h"

namespace consular {

// Checks bearer tokens. Implementations are safe to call from many threads at
// once.
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;

  // The identity in a valid token. UNAUTHENTICATED for a missing, malformed,
  // wrongly signed, expired, not-yet-valid token, wrong issuer or audience,
  // unknown role, or missing/invalid post. The message says which check failed
  // but never echoes the token or any of its claims.
  virtual absl::StatusOr<Identity> Verify(const std::string& token) const = 0;
};

struct VerifierOptions {
  // Any of these may have signed (key rotation).
  std::vector<std::string> public_key_pems;
  std::string issuer = "consular-dev";
  std::string audience = "consular";
  // Clock skew allowed on exp, iat and nbf.
  absl::Duration leeway = absl::Seconds(30);
  // What token times are checked against; null means SystemClock(). Must outlive the verifier.
  const Clock* clock = nullptr;
};

// A verifier accepting ES256 tokens signed by any of `options.public_key_pems`.
// It remembers up to 4096 accepted tokens (by their exact text, with their
// identity and validity) so that a client's later calls with the same token
// skip the signature check; a remembered token is accepted only while the clock
// is within its validity, so every answer equals a full check's.
// INVALID_ARGUMENT if there is no key, a key is not a single EC P-256 public
// key PEM ("-----BEGIN PUBLIC KEY-----"), the issuer or audience is empty, or
// the leeway is negative.
absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeJwtTokenVerifier(
    VerifierOptions options);

// The contents of each PEM file, in order. NOT_FOUND / INVALID_ARGUMENT naming
// the file when one is missing, unreadable, empty or not PEM.
absl::StatusOr<std::vector<std::string>> ReadPemFiles(
    const std::vector<std::string>& paths);

struct TokenClaims {
  std::string subject;
  consular::v1::Role role = consular::v1::ROLE_UNSPECIFIED;
  // Required for CONSULAR_OFFICER and POST_MANAGER; left out of the token if
  // empty.
  std::string post;
  std::string issuer = "consular-dev";
  std::string audience = "consular";
  absl::Duration ttl = absl::Hours(8);
  absl::Time now = absl::Now();
};

// A signed ES256 JWT with these claims (iat = now, exp = now + ttl).
// INVALID_ARGUMENT if the key is not an EC P-256 private key PEM, or for bad
// claims (empty subject, issuer or audience, unspecified or unknown role,
// missing or malformed post, non-positive ttl).
absl::StatusOr<std::string> MintToken(const std::string& private_key_pem,
                                      const TokenClaims& claims);

// "CONSULAR_OFFICER" etc. for a role; "UNSPECIFIED" for ROLE_UNSPECIFIED; ""
// for a value outside the enum.
std::string RoleName(consular::v1::Role role);

// The role named `name` (exactly as RoleName spells it). INVALID_ARGUMENT for
// anything else, including "UNSPECIFIED".
absl::StatusOr<consular::v1::Role> ParseRoleName(const std::string& name);

// True if `role` may only act at a post, so that its tokens must carry a "post"
// claim.
bool RoleRequiresPost(consular::v1::Role role);

// The subject a development token gets when none is chosen: "dev-officer-rabat", "dev-auditor"
// (the role's short word, then the post in lower case when there is one).
std::string DevSubject(consular::v1::Role role, const std::string& post);

// True if `post` is a well-formed post code: ^[A-Z][A-Z0-9-]{1,31}$, and not "LKHA" (the
// expertise centre's unit, kLkhaUnit).
bool IsValidPostCode(absl::string_view post);

// The token in the single "authorization" metadata entry "Bearer <token>"
// (scheme matched case-insensitively). UNAUTHENTICATED if the entry is absent,
// repeated, uses another scheme, or holds an empty or malformed token.
absl::StatusOr<std::string> BearerFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& md);

}  // namespace consular

#pragma once

// The pieces of a compact JWS / JWT (RFC 7515, RFC 7519) that the token verifiers share: splitting
// and decoding a token, checking ES256 and RS256 signatures, and turning verified claims into an
// Identity.
//
// No cpp-jwt here (see token.h: only token.cc may include it): signatures are checked with
// OpenSSL's EVP API directly and JSON is read with nlohmann-json, so any file may use this header.

#include <openssl/evp.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "services/common/identity.h"

namespace consular {

// Tokens are a few hundred bytes (an identity provider's at most a few KiB); anything larger is
// not one.
inline constexpr size_t kMaxTokenBytes = 8192;

// UNAUTHENTICATED "invalid bearer token: <why>". `why` names the check, never a claim's value.
absl::Status InvalidToken(absl::string_view why);

// A compact JWS split into its parts. The payload is not decoded: nothing in it may be looked at
// before the signature is checked.
struct CompactJws {
  nlohmann::json header;        // a JSON object
  std::string payload_segment;  // base64url, as in the token
  std::string signing_input;    // "<header>.<payload>": what the signature covers
  std::string signature;        // the decoded signature bytes
};

// The parts of `token`: header.payload.signature, each non-empty unpadded base64url, the header a
// JSON object. UNAUTHENTICATED (malformed token or header) for anything else, including an empty
// token or one longer than kMaxTokenBytes. The JSON library may throw on exhaustion: callers catch.
absl::StatusOr<CompactJws> SplitCompactJws(const std::string& token);

// The JSON object a base64url segment encodes; nullopt if it is not strict base64url or not a JSON
// object.
absl::optional<nlohmann::json> DecodeJsonObject(absl::string_view segment);

// Strict unpadded base64url (RFC 7515 section 2); nullopt for any other character or an impossible
// length.
absl::optional<std::string> Base64UrlDecode(absl::string_view in);

// The header field `name` if it is a string, else null.
const std::string* StringField(const nlohmann::json& object, const char* name);

// OK if the header's "typ" is absent or one of `accepted_types` (compared ignoring case), and it
// has no "crit" (no extension is understood). UNAUTHENTICATED otherwise.
absl::Status CheckHeaderType(const nlohmann::json& header,
                             const std::vector<absl::string_view>& accepted_types);

// True if `signature` is a JWS ES256 signature (r and s, 32 bytes each, big-endian; RFC 7518
// section 3.4) of `signing_input` under `key`, an EC P-256 public key.
bool VerifyEs256(EVP_PKEY* key, absl::string_view signing_input, absl::string_view signature);

// True if `signature` is an RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256; RFC 7518 section 3.3)
// of `signing_input` under `key`, an RSA public key.
bool VerifyRs256(EVP_PKEY* key, absl::string_view signing_input, absl::string_view signature);

// What the claims of a token with a verified signature must say.
struct ClaimRules {
  absl::string_view issuer;
  absl::string_view audience;
  // Clock skew allowed on exp, iat and nbf.
  absl::Duration leeway;
  // Also accept the role claim as the Role enum's own name ("ROLE_AUDITOR" as well as "AUDITOR"),
  // as identity providers often spell it.
  bool accept_role_prefix = false;
};

// The times between which a token stays valid (leeway included).
struct TokenValidity {
  absl::Time from = absl::InfinitePast();
  absl::Time until = absl::InfinitePast();
};

// The identity in the decoded payload of a token whose signature was checked, at `now`: iss equals
// the issuer; aud is the audience or an array holding it; exp (required) has not passed, iat
// (required) and nbf (optional) are not in the future, each give or take the leeway; sub is 1 to
// 256 bytes; role names a Role (token.h); post is a valid post code, required for the post-bound
// roles. Sets `validity` when it returns an identity. UNAUTHENTICATED naming the failed check,
// never a claim's value.
absl::StatusOr<Identity> IdentityFromClaims(const nlohmann::json& payload, const ClaimRules& rules,
                                            absl::Time now, TokenValidity* validity);

}  // namespace consular

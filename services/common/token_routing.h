#pragma once

// Accepting tokens from more than one issuer: the identity provider's (jwks_verifier.h) and the
// development keys' (token.h), each checked by its own verifier.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/token.h"

namespace consular {

// The verifier of the tokens of one issuer.
struct IssuerVerifier {
  std::string issuer;
  std::unique_ptr<TokenVerifier> verifier;
};

// A verifier handing each token to the verifier of the issuer its "iss" claim names, read before
// anything is verified; that verifier then checks everything, the signature and the issuer
// included, so a token cannot borrow another issuer's keys by naming it. UNAUTHENTICATED (wrong
// issuer) for a token naming no listed issuer, or none. INVALID_ARGUMENT if `routes` is empty, or
// an issuer is empty or listed twice, or a verifier is null.
absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeIssuerRoutingVerifier(
    std::vector<IssuerVerifier> routes);

}  // namespace consular

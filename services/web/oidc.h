#pragma once

// The web gateway as an OpenID Connect client of the ministry's identity provider: the
// authorization code flow with PKCE (RFC 7636, S256), state and nonce. The browser is sent to the
// provider to sign in and comes back with a code; the gateway exchanges the code for tokens over a
// verified TLS connection, checks the ID token (signature through the provider's JWKS, issuer,
// audience = client id, expiry, nonce) and takes the user's subject, role and post from its claims.
// The access token (a JWT for the audience of the services, which verify it through the same JWKS)
// is what the gateway forwards to the services; none of it reaches the browser. When the provider
// gives a refresh token, the gateway renews the access token with it before it expires.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/common.pb.h"
#include "nlohmann/json.hpp"
#include "services/common/token.h"
#include "services/web/sessions.h"

namespace consular::web {

struct OidcOptions {
  std::string issuer;         // https://idp.example/realms/ministry (discovery at its /.well-known)
  std::string client_id;
  std::string client_secret;  // the gateway is a confidential client (client_secret_basic)
  std::string redirect_uri;   // https://<gateway>/auth/callback, as registered at the provider
  std::string ca_file;        // CA certificates of the provider's TLS certificate; empty: system
  std::string scopes = "openid consular";
  // Verifies ID tokens: the provider's JWKS, its issuer, audience = client_id. Null: Discover
  // makes one from the discovered jwks_uri.
  std::shared_ptr<const TokenVerifier> id_token_verifier;
  absl::Duration login_timeout = absl::Minutes(10);  // from the redirect to the callback
  const Clock* clock = nullptr;
};

// The provider's endpoints, from its discovery document.
struct OidcEndpoints {
  std::string authorization;
  std::string token;
  std::string jwks;
  std::string end_session;  // may be empty
};

// Who signed in, and the token to forward (with its refresh token, when the provider gave one).
struct OidcSignIn {
  std::string subject;
  consular::v1::Role role = consular::v1::ROLE_UNSPECIFIED;
  std::string post;
  SessionToken token;
};

// "https://host:port/path?query" in parts; nullopt unless https with a host.
struct HttpsUrl {
  std::string host;
  int port = 443;
  std::string path_and_query = "/";
};
std::optional<HttpsUrl> ParseHttpsUrl(const std::string& url);

// A PKCE verifier's S256 challenge: base64url(SHA-256(verifier)) without padding.
std::string PkceChallenge(const std::string& verifier);

// The JSON payload of a JWT (not verified: only after the verifier accepted it); nullopt if
// malformed.
std::optional<std::string> JwtPayloadJson(const std::string& jwt);

class OidcClient {
 public:
  // Reads the provider's discovery document ({issuer}/.well-known/openid-configuration).
  // INVALID_ARGUMENT for bad options; UNAVAILABLE naming the URL when it cannot be read; its
  // issuer must equal options.issuer.
  static absl::StatusOr<std::unique_ptr<OidcClient>> Discover(OidcOptions options);

  OidcClient(OidcOptions options, OidcEndpoints endpoints);

  // Where to send the browser: the authorization endpoint with a fresh state, nonce and PKCE
  // challenge, remembered until the callback (at most login_timeout).
  std::string BeginSignIn();

  // The callback's state and code: the code exchanged (once: a state is used up by its first
  // callback), the ID token checked. UNAUTHENTICATED saying what failed; UNAVAILABLE when the
  // provider cannot be reached.
  absl::StatusOr<OidcSignIn> FinishSignIn(const std::string& state, const std::string& code);

  // A new access token for `subject` from a refresh token (the refresh token grant). Its expiry
  // comes from the answer's expires_in, else from the token's exp claim. UNAUTHENTICATED when
  // the provider refuses (the grant is over: the user must sign in again) or when the new token
  // names another subject; UNAVAILABLE when the provider cannot be reached.
  absl::StatusOr<SessionToken> Renew(const std::string& refresh_token, const std::string& subject);

  const OidcEndpoints& endpoints() const { return endpoints_; }

 private:
  struct Pending {
    std::string verifier;
    std::string nonce;
    absl::Time started;
  };

  // POSTs `form` to the token endpoint (client_secret_basic); the answer's JSON when 200.
  // (`form` is an httplib::Params.)
  absl::StatusOr<nlohmann::json> TokenRequest(const std::multimap<std::string, std::string>& form,
                                              absl::string_view what);
  // The tokens of a 200 answer of the token endpoint, received now.
  SessionToken TokensOf(const nlohmann::json& answer) const;

  OidcOptions options_;
  OidcEndpoints endpoints_;
  const Clock& clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Pending> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace consular::web

#include "services/web/oidc.h"

#include <httplib.h>
#include <openssl/sha.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "services/common/jwks_verifier.h"
#include "services/web/sessions.h"

namespace consular::web {
namespace {

// RFC 3986 unreserved characters stay; everything else is %XX.
std::string UrlEncode(absl::string_view text) {
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", byte);
    }
  }
  return out;
}

std::string Base64Url(absl::string_view bytes) {
  std::string out;
  absl::WebSafeBase64Escape(bytes, &out);  // no padding
  return out;
}

std::unique_ptr<httplib::SSLClient> ClientFor(const HttpsUrl& url, const std::string& ca_file) {
  auto client = std::make_unique<httplib::SSLClient>(url.host, url.port);
  if (!ca_file.empty()) client->set_ca_cert_path(ca_file.c_str());
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(10, 0);
  client->set_write_timeout(10, 0);
  return client;
}

std::string JsonString(const nlohmann::json& doc, const char* key) {
  if (!doc.is_object() || !doc.contains(key) || !doc[key].is_string()) return "";
  return doc[key].get<std::string>();
}

}  // namespace

std::optional<HttpsUrl> ParseHttpsUrl(const std::string& url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "https://")) return std::nullopt;
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  HttpsUrl out;
  out.path_and_query = slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &out.port) || out.port <= 0 ||
        out.port > 65535) {
      return std::nullopt;
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty() || authority.find('@') != absl::string_view::npos) return std::nullopt;
  out.host = std::string(authority);
  return out;
}

std::string PkceChallenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return Base64Url(absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::optional<std::string> JwtPayloadJson(const std::string& jwt) {
  const std::vector<absl::string_view> parts = absl::StrSplit(jwt, '.');
  if (parts.size() != 3) return std::nullopt;
  std::string payload;
  if (!absl::WebSafeBase64Unescape(parts[1], &payload)) return std::nullopt;
  return payload;
}

absl::StatusOr<std::unique_ptr<OidcClient>> OidcClient::Discover(OidcOptions options) {
  if (!ParseHttpsUrl(options.issuer)) {
    return absl::InvalidArgumentError("oidc issuer: an https:// URL is required");
  }
  if (options.client_id.empty()) return absl::InvalidArgumentError("oidc client id: required");
  if (!ParseHttpsUrl(options.redirect_uri)) {
    return absl::InvalidArgumentError("oidc redirect uri: an https:// URL is required");
  }
  const std::string discovery =
      absl::StrCat(absl::StripSuffix(options.issuer, "/"), "/.well-known/openid-configuration");
  const std::optional<HttpsUrl> url = ParseHttpsUrl(discovery);
  httplib::Result r = ClientFor(*url, options.ca_file)->Get(url->path_and_query);
  if (!r || r->status != 200) {
    return absl::UnavailableError(absl::StrCat(
        "cannot read ", discovery, ": ",
        r ? absl::StrCat("HTTP ", r->status) : httplib::to_string(r.error())));
  }
  const nlohmann::json doc = nlohmann::json::parse(r->body, nullptr, false);
  if (JsonString(doc, "issuer") != options.issuer) {
    return absl::UnavailableError(
        absl::StrCat(discovery, ": its issuer is not ", options.issuer));
  }
  OidcEndpoints endpoints;
  endpoints.authorization = JsonString(doc, "authorization_endpoint");
  endpoints.token = JsonString(doc, "token_endpoint");
  endpoints.jwks = JsonString(doc, "jwks_uri");
  endpoints.end_session = JsonString(doc, "end_session_endpoint");
  if (!ParseHttpsUrl(endpoints.authorization) || !ParseHttpsUrl(endpoints.token)) {
    return absl::UnavailableError(
        absl::StrCat(discovery, ": no https authorization and token endpoints"));
  }
  if (options.id_token_verifier == nullptr) {
    JwksVerifierOptions verifier;
    verifier.jwks_url = endpoints.jwks;
    verifier.ca_file = options.ca_file;
    verifier.issuer = options.issuer;
    verifier.audience = options.client_id;
    verifier.clock = options.clock;
    absl::StatusOr<std::unique_ptr<TokenVerifier>> made = MakeJwksTokenVerifier(verifier);
    if (!made.ok()) return made.status();
    options.id_token_verifier = *std::move(made);
  }
  return std::make_unique<OidcClient>(std::move(options), std::move(endpoints));
}

OidcClient::OidcClient(OidcOptions options, OidcEndpoints endpoints)
    : options_(std::move(options)),
      endpoints_(std::move(endpoints)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock()) {}

std::string OidcClient::BeginSignIn() {
  const std::string state = RandomHex(32);
  Pending pending{RandomHex(32), RandomHex(16), clock_.Now()};
  const std::string challenge = PkceChallenge(pending.verifier);
  const std::string nonce = pending.nonce;
  {
    absl::MutexLock lock(&mu_);
    // Forget sign-ins never finished.
    std::vector<std::string> stale;
    for (const auto& [s, p] : pending_) {
      if (clock_.Now() - p.started > options_.login_timeout) stale.push_back(s);
    }
    for (const std::string& s : stale) pending_.erase(s);
    pending_[state] = std::move(pending);
  }
  const char* separator = absl::StrContains(endpoints_.authorization, '?') ? "&" : "?";
  return absl::StrCat(endpoints_.authorization, separator, "response_type=code",
                      "&client_id=", UrlEncode(options_.client_id),
                      "&redirect_uri=", UrlEncode(options_.redirect_uri),
                      "&scope=", UrlEncode(options_.scopes), "&state=", state,
                      "&nonce=", nonce, "&code_challenge=", challenge,
                      "&code_challenge_method=S256");
}

absl::StatusOr<OidcSignIn> OidcClient::FinishSignIn(const std::string& state,
                                                    const std::string& code) {
  Pending pending;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(state);
    if (it == pending_.end()) {
      return absl::UnauthenticatedError("sign-in: unknown or used state");
    }
    pending = it->second;
    pending_.erase(it);
  }
  if (clock_.Now() - pending.started > options_.login_timeout) {
    return absl::UnauthenticatedError("sign-in: took too long; start again");
  }
  if (code.empty()) return absl::UnauthenticatedError("sign-in: no code");

  absl::StatusOr<nlohmann::json> tokens = TokenRequest({{"grant_type", "authorization_code"},
                                                        {"code", code},
                                                        {"redirect_uri", options_.redirect_uri},
                                                        {"code_verifier", pending.verifier},
                                                        {"client_id", options_.client_id}},
                                                       "sign-in");
  if (!tokens.ok()) return tokens.status();
  const std::string id_token = JsonString(*tokens, "id_token");
  if (id_token.empty() || JsonString(*tokens, "access_token").empty()) {
    return absl::UnauthenticatedError("sign-in: the provider's answer has no ID or access token");
  }
  absl::StatusOr<Identity> who = options_.id_token_verifier->Verify(id_token);
  if (!who.ok()) {
    return absl::UnauthenticatedError(absl::StrCat("sign-in: ID token: ", who.status().message()));
  }
  const std::optional<std::string> payload = JwtPayloadJson(id_token);
  const nlohmann::json claims =
      payload ? nlohmann::json::parse(*payload, nullptr, false) : nlohmann::json();
  if (JsonString(claims, "nonce") != pending.nonce) {
    return absl::UnauthenticatedError("sign-in: ID token: not this sign-in's nonce");
  }
  OidcSignIn out;
  out.subject = who->subject;
  out.role = who->role;
  out.post = who->post;
  out.token = TokensOf(*tokens);
  return out;
}

absl::StatusOr<SessionToken> OidcClient::Renew(const std::string& refresh_token,
                                               const std::string& subject) {
  absl::StatusOr<nlohmann::json> tokens = TokenRequest({{"grant_type", "refresh_token"},
                                                        {"refresh_token", refresh_token},
                                                        {"client_id", options_.client_id}},
                                                       "renewal");
  if (!tokens.ok()) return tokens.status();
  SessionToken token = TokensOf(*tokens);
  if (token.access.empty()) {
    return absl::UnauthenticatedError("renewal: the provider's answer has no access token");
  }
  // The services check the token's signature; this only makes sure the session keeps its user.
  const std::optional<std::string> payload = JwtPayloadJson(token.access);
  const nlohmann::json claims =
      payload ? nlohmann::json::parse(*payload, nullptr, false) : nlohmann::json();
  if (payload && JsonString(claims, "sub") != subject) {
    return absl::UnauthenticatedError("renewal: the new access token is for another subject");
  }
  return token;
}

absl::StatusOr<nlohmann::json> OidcClient::TokenRequest(
    const std::multimap<std::string, std::string>& form, absl::string_view what) {
  const std::optional<HttpsUrl> token_url = ParseHttpsUrl(endpoints_.token);
  std::unique_ptr<httplib::SSLClient> client = ClientFor(*token_url, options_.ca_file);
  if (!options_.client_secret.empty()) {
    client->set_basic_auth(UrlEncode(options_.client_id).c_str(),
                           UrlEncode(options_.client_secret).c_str());
  }
  httplib::Result r = client->Post(token_url->path_and_query, form);
  if (!r) {
    return absl::UnavailableError(absl::StrCat(what, ": the token endpoint cannot be reached: ",
                                               httplib::to_string(r.error())));
  }
  nlohmann::json answer = nlohmann::json::parse(r->body, nullptr, false);
  if (r->status != 200) {
    return absl::UnauthenticatedError(absl::StrCat(what, ": the provider refused (HTTP ",
                                                   r->status, " ", JsonString(answer, "error"),
                                                   ")"));
  }
  return answer;
}

SessionToken OidcClient::TokensOf(const nlohmann::json& answer) const {
  SessionToken token;
  token.access = JsonString(answer, "access_token");
  token.refresh = JsonString(answer, "refresh_token");
  token.issued = clock_.Now();
  if (answer.is_object() && answer.contains("expires_in") && answer["expires_in"].is_number() &&
      answer["expires_in"].get<double>() > 0) {
    token.expires = token.issued + absl::Seconds(answer["expires_in"].get<double>());
  } else if (const std::optional<std::string> payload = JwtPayloadJson(token.access)) {
    const nlohmann::json claims = nlohmann::json::parse(*payload, nullptr, false);
    if (claims.is_object() && claims.contains("exp") && claims["exp"].is_number()) {
      token.expires = absl::FromUnixSeconds(claims["exp"].get<int64_t>());
    }
  }
  return token;
}

}  // namespace consular::web

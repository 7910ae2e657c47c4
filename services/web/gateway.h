#pragma once

// consular-web, the gateway between browsers and the gRPC services (docs/web.md):
// - serves the web client's static files;
// - keeps sessions: the browser holds an HttpOnly, Secure, SameSite=Strict cookie, the gateway the
//   bearer token (SessionStore);
// - forwards gRPC-Web calls ("POST /consular.v1.<Service>/<Method>") to the service that serves
//   them, generically: the request's bytes go through grpc::GenericStub unparsed, so every method
//   of the API is reachable without a line of code per method, and nothing else is;
// - refuses a state-changing request without the session's CSRF token or from another origin, and
//   answers with security headers (CSP, HSTS, nosniff, frame-ancestors 'none', no-store for
//   everything but the static files).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "grpcpp/channel.h"
#include "services/web/oidc.h"
#include "services/web/sessions.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace consular::web {

struct GatewayOptions {
  // Where the built web client is (index.html and its assets); empty: no static files.
  std::string static_dir;
  // The channel to the server of each service, by full service name
  // ("consular.v1.CaseService"). A service not here is UNIMPLEMENTED.
  std::map<std::string, std::shared_ptr<grpc::Channel>> backends;
  // The development sign-in (pick a role and a post), only when a signing key is given: the
  // gateway mints the development token itself. Never in a deployment.
  std::string dev_signing_key_pem;
  std::string dev_token_issuer = "consular-dev";
  std::string dev_token_audience = "consular";
  // Sign-in through the ministry's identity provider (OpenID Connect), when set:
  // GET /auth/login sends the browser there, GET /auth/callback comes back.
  std::shared_ptr<OidcClient> oidc;
  absl::Duration idle_timeout = absl::Minutes(15);
  absl::Duration absolute_timeout = absl::Hours(8);
  // The longest a forwarded call may take (a shorter grpc-timeout from the page wins).
  absl::Duration max_call = absl::Seconds(30);
  size_t max_request_bytes = 4u << 20;
  const Clock* clock = nullptr;  // the system clock when null
};

// The full service names the gateway forwards, and the address flag each comes from.
struct ServiceRoute {
  const char* service;  // "consular.v1.CaseService"
  const char* server;   // "cases", "audit", "contacts", "stats"
};
extern const ServiceRoute kServiceRoutes[10];

// The services of kServiceRoutes whose descriptors this binary lacks (a proto file not linked in):
// every call to them would be UNIMPLEMENTED. Empty in a correct build; the gateway refuses to
// start otherwise.
std::vector<std::string> UnservableRoutes();

class Gateway {
 public:
  explicit Gateway(GatewayOptions options);

  // Installs the gateway's handlers on `server` (an httplib::SSLServer in production, which the
  // caller listens with).
  void Register(httplib::Server& server);

  SessionStore& sessions() { return sessions_; }

 private:
  void HandleSession(const httplib::Request& req, httplib::Response& res);
  void HandleDevSignIn(const httplib::Request& req, httplib::Response& res);
  void HandleSignOut(const httplib::Request& req, httplib::Response& res);
  void HandleLogin(const httplib::Request& req, httplib::Response& res);
  void HandleCallback(const httplib::Request& req, httplib::Response& res);
  // Opens a session and sets its cookie.
  Session StartSession(httplib::Response& res, SessionToken token, std::string subject,
                       consular::v1::Role role, std::string unit);
  // The token to forward for `session`, renewed at the provider first when it is about to
  // expire. UNAUTHENTICATED (and the session ended) when it expired and cannot be renewed;
  // UNAVAILABLE when the provider cannot be reached and the token has run out.
  absl::StatusOr<std::string> CurrentToken(const Session& session);
  void HandleCall(const httplib::Request& req, httplib::Response& res);

  // The live session of the request's cookie, or nullopt.
  std::optional<Session> SessionOf(const httplib::Request& req);
  // OK when a state-changing request comes from this origin with the session's CSRF token;
  // PERMISSION_DENIED saying which is missing otherwise.
  absl::Status CheckStateChange(const httplib::Request& req, const Session& session) const;

  GatewayOptions options_;
  const Clock& clock_;
  SessionStore sessions_;
  // One renewal at a time: a refresh token is used once, so two calls of a session must not both
  // renew it.
  absl::Mutex renew_mu_;
};

}  // namespace consular::web

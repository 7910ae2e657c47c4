#include "services/web/gateway.h"

#include <httplib.h>

#include <future>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "consular/v1/audit.pb.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "consular/v1/exports.pb.h"
#include "consular/v1/records.pb.h"
#include "consular/v1/statistics.pb.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "nlohmann/json.hpp"
#include "services/common/call_log.h"
#include "services/common/identity.h"
#include "services/common/token.h"
#include "services/web/grpc_web.h"

namespace consular::web {

const ServiceRoute kServiceRoutes[10] = {
    {"consular.v1.CaseService", "cases"},       {"consular.v1.AuditService", "audit"},
    {"consular.v1.PartnerService", "contacts"}, {"consular.v1.UnitService", "contacts"},
    {"consular.v1.ContactService", "contacts"}, {"consular.v1.StatisticsService", "stats"},
    {"consular.v1.BilateralService", "stats"},  {"consular.v1.ReportService", "stats"},
    {"consular.v1.RecordsService", "cases"},
    {"consular.v1.ExportService", "cases"},
};

namespace {

// "__Host-": the browser keeps it only when Secure, with Path=/ and no Domain.
constexpr char kSessionCookie[] = "__Host-consular-session";
constexpr char kCsrfHeader[] = "X-CSRF-Token";
constexpr char kGrpcWebType[] = "application/grpc-web+proto";

constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

const Clock& ClockOf(const GatewayOptions& options) {
  return options.clock != nullptr ? *options.clock : SystemClock();
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// The value of cookie `name` in the request's Cookie header(s), or "".
std::string CookieValue(const httplib::Request& req, absl::string_view name) {
  const size_t n = req.get_header_value_count("Cookie");
  for (size_t i = 0; i < n; ++i) {
    for (absl::string_view part : absl::StrSplit(req.get_header_value("Cookie", i), ';')) {
      part = absl::StripAsciiWhitespace(part);
      if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
        return std::string(part);
      }
    }
  }
  return "";
}

void Json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

nlohmann::json SessionJson(const Session& s, bool dev_sign_in, bool oidc) {
  return {{"subject", s.subject},
          {"role", consular::v1::Role_Name(s.role)},
          {"unit", s.unit},
          {"csrf", s.csrf},
          {"idleExpiresAt", Rfc3339(s.idle_expires)},
          {"absoluteExpiresAt", Rfc3339(s.absolute_expires)},
          {"devSignIn", dev_sign_in},
          {"oidc", oidc}};
}

// A browser sends Origin with every POST; another site's page cannot make it ours. A request
// without one (not from a browser page) passes.
bool FromThisOrigin(const httplib::Request& req) {
  return !req.has_header("Origin") ||
         req.get_header_value("Origin") == absl::StrCat("https://", req.get_header_value("Host"));
}

// The generated descriptors of the API, built once, so that a method can be looked up by name.
const google::protobuf::DescriptorPool& ApiPool() {
  static const bool built = [] {
    return consular::v1::Case::descriptor() != nullptr &&
           consular::v1::AuditEvent::descriptor() != nullptr &&
           consular::v1::Contact::descriptor() != nullptr &&
           consular::v1::Measure_descriptor() != nullptr &&
           consular::v1::LegalHold::descriptor() != nullptr &&
           consular::v1::Export::descriptor() != nullptr;
  }();
  (void)built;
  return *google::protobuf::DescriptorPool::generated_pool();
}

void GrpcWebAnswer(httplib::Response& res, const grpc::Status& status, const std::string* message) {
  res.status = 200;
  std::string body;
  if (status.ok() && message != nullptr) body = DataFrame(*message);
  body += TrailerFrame(static_cast<int>(status.error_code()), status.error_message());
  res.set_content(body, kGrpcWebType);
}

grpc::Status GrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace

std::vector<std::string> UnservableRoutes() {
  std::vector<std::string> missing;
  for (const ServiceRoute& route : kServiceRoutes) {
    if (ApiPool().FindServiceByName(route.service) == nullptr) missing.push_back(route.service);
  }
  return missing;
}

Gateway::Gateway(GatewayOptions options)
    : options_(std::move(options)),
      clock_(ClockOf(options_)),
      sessions_(clock_, options_.idle_timeout, options_.absolute_timeout) {}

void Gateway::Register(httplib::Server& server) {
  server.set_payload_max_length(options_.max_request_bytes);
  server.Get("/auth/session", [this](const httplib::Request& req, httplib::Response& res) {
    HandleSession(req, res);
  });
  server.Post("/auth/dev-sign-in", [this](const httplib::Request& req, httplib::Response& res) {
    HandleDevSignIn(req, res);
  });
  server.Post("/auth/sign-out", [this](const httplib::Request& req, httplib::Response& res) {
    HandleSignOut(req, res);
  });
  server.Get("/auth/login",
             [this](const httplib::Request& req, httplib::Response& res) { HandleLogin(req, res); });
  server.Get("/auth/callback", [this](const httplib::Request& req, httplib::Response& res) {
    HandleCallback(req, res);
  });
  server.Post(
      R"(/[A-Za-z0-9_.]+/[A-Za-z0-9_]+)",
      [this](const httplib::Request& req, httplib::Response& res) { HandleCall(req, res); });
  if (!options_.static_dir.empty()) server.set_mount_point("/", options_.static_dir);

  server.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("Strict-Transport-Security", "max-age=31536000");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cross-Origin-Opener-Policy", "same-origin");
    res.set_header("Cross-Origin-Resource-Policy", "same-origin");
    res.set_header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    // Answers of the API and of the sessions are never stored; the client's own files are
    // revalidated (they hold no personal data).
    const bool static_file = req.method == "GET" && !absl::StartsWith(req.path, "/auth/");
    if (!res.has_header("Cache-Control")) {
      res.set_header("Cache-Control", static_file ? "no-cache" : "no-store");
    }
  });
}

std::optional<Session> Gateway::SessionOf(const httplib::Request& req) {
  const std::string id = CookieValue(req, kSessionCookie);
  if (id.empty()) return std::nullopt;
  return sessions_.Touch(id);
}

absl::Status Gateway::CheckStateChange(const httplib::Request& req, const Session& session) const {
  if (!FromThisOrigin(req)) return absl::PermissionDeniedError("request from another origin");
  const std::string csrf = req.get_header_value(kCsrfHeader);
  if (csrf.empty()) return absl::PermissionDeniedError("X-CSRF-Token: missing");
  if (!ConstantTimeEquals(csrf, session.csrf)) {
    return absl::PermissionDeniedError("X-CSRF-Token: not this session's");
  }
  return absl::OkStatus();
}

void Gateway::HandleSession(const httplib::Request& req, httplib::Response& res) {
  const bool dev = !options_.dev_signing_key_pem.empty();
  std::optional<Session> session = SessionOf(req);
  // A session whose token ran out and cannot be renewed is over (CurrentToken ended it).
  if (session && absl::IsUnauthenticated(CurrentToken(*session).status())) session.reset();
  if (!session) {
    Json(res, 401, {{"error", "not signed in"}, {"devSignIn", dev}, {"oidc", options_.oidc != nullptr}});
    return;
  }
  Json(res, 200, SessionJson(*session, dev, options_.oidc != nullptr));
}

absl::StatusOr<std::string> Gateway::CurrentToken(const Session& session) {
  if (!TokenDueForRenewal(session.token, clock_.Now())) return session.token.access;
  if (options_.oidc == nullptr || session.token.refresh.empty()) {
    if (clock_.Now() < session.token.expires) return session.token.access;
    sessions_.End(session.id);
    return absl::UnauthenticatedError("the session's token has expired; sign in again");
  }
  absl::MutexLock lock(&renew_mu_);
  // Another call of this session may have renewed it while this one waited.
  std::optional<Session> held = sessions_.Get(session.id);
  if (!held) return absl::UnauthenticatedError("sign in first");
  if (!TokenDueForRenewal(held->token, clock_.Now())) return held->token.access;
  absl::StatusOr<SessionToken> renewed = options_.oidc->Renew(held->token.refresh, held->subject);
  if (renewed.ok()) {
    std::string access = renewed->access;
    sessions_.RenewToken(held->id, *std::move(renewed));
    return access;
  }
  if (absl::IsUnauthenticated(renewed.status())) {
    LogWarning(absl::StrCat("a session ended: its token could not be renewed: ",
                            renewed.status().message()));
    sessions_.End(held->id);
    return absl::UnauthenticatedError("the session could not be renewed; sign in again");
  }
  // The provider cannot be reached: the token serves while it lasts.
  if (clock_.Now() < held->token.expires) return held->token.access;
  return absl::UnavailableError("the identity provider cannot be reached to renew the session");
}

void Gateway::HandleDevSignIn(const httplib::Request& req, httplib::Response& res) {
  if (options_.dev_signing_key_pem.empty()) {
    Json(res, 404, {{"error", "development sign-in is off"}});
    return;
  }
  if (!FromThisOrigin(req)) {
    Json(res, 403, {{"error", "request from another origin"}});
    return;
  }
  const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("role") || !body["role"].is_string()) {
    Json(res, 400, {{"error", "role: required, e.g. ROLE_CONSULAR_OFFICER"}});
    return;
  }
  std::string role_text = body["role"].get<std::string>();
  absl::string_view role_name = role_text;
  absl::ConsumePrefix(&role_name, "ROLE_");
  absl::StatusOr<consular::v1::Role> role = ParseRoleName(std::string(role_name));
  if (!role.ok()) {
    Json(res, 400, {{"error", absl::StrCat("role: unknown role \"", role_text, "\"")}});
    return;
  }
  std::string unit;
  if (body.contains("unit") && body["unit"].is_string()) {
    unit = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(body["unit"].get<std::string>()));
  }
  if (!RoleRequiresPost(*role)) unit.clear();
  if (RoleRequiresPost(*role) && !IsValidPostCode(unit)) {
    Json(res, 400, {{"error", "unit: a post code such as RABAT is required for this role"}});
    return;
  }
  TokenClaims claims;
  claims.subject = DevSubject(*role, unit);
  claims.role = *role;
  claims.post = unit;
  claims.issuer = options_.dev_token_issuer;
  claims.audience = options_.dev_token_audience;
  claims.ttl = options_.absolute_timeout;
  claims.now = clock_.Now();
  absl::StatusOr<std::string> token = MintToken(options_.dev_signing_key_pem, claims);
  if (!token.ok()) {
    Json(res, 500, {{"error", "the development token could not be made"}});
    return;
  }
  SessionToken session_token;
  session_token.access = *std::move(token);
  session_token.issued = claims.now;
  session_token.expires = claims.now + claims.ttl;
  Session session = StartSession(res, std::move(session_token), claims.subject, *role, unit);
  Json(res, 200, SessionJson(session, true, options_.oidc != nullptr));
}

Session Gateway::StartSession(httplib::Response& res, SessionToken token, std::string subject,
                              consular::v1::Role role, std::string unit) {
  Session session = sessions_.Create(std::move(token), std::move(subject), role, std::move(unit));
  res.set_header("Set-Cookie", absl::StrCat(kSessionCookie, "=", session.id,
                                            "; Path=/; Secure; HttpOnly; SameSite=Strict"));
  return session;
}

void Gateway::HandleLogin(const httplib::Request& /*req*/, httplib::Response& res) {
  if (options_.oidc == nullptr) {
    Json(res, 404, {{"error", "no identity provider is configured"}});
    return;
  }
  res.set_redirect(options_.oidc->BeginSignIn(), 302);
}

void Gateway::HandleCallback(const httplib::Request& req, httplib::Response& res) {
  if (options_.oidc == nullptr) {
    Json(res, 404, {{"error", "no identity provider is configured"}});
    return;
  }
  // The provider's own refusal (the user cancelled, no consent): back to the sign-in screen.
  if (req.has_param("error") || !req.has_param("state")) {
    res.set_redirect("/#/?signin=failed", 303);
    return;
  }
  absl::StatusOr<OidcSignIn> who =
      options_.oidc->FinishSignIn(req.get_param_value("state"), req.get_param_value("code"));
  if (!who.ok()) {
    LogWarning(absl::StrCat("a sign-in failed: ", who.status().message()));
    res.set_redirect("/#/?signin=failed", 303);
    return;
  }
  StartSession(res, who->token, who->subject, who->role,
               RoleRequiresPost(who->role) ? who->post : "");
  res.set_redirect("/", 303);
}

void Gateway::HandleSignOut(const httplib::Request& req, httplib::Response& res) {
  std::optional<Session> session = SessionOf(req);
  if (session) {
    if (absl::Status allowed = CheckStateChange(req, *session); !allowed.ok()) {
      Json(res, 403, {{"error", std::string(allowed.message())}});
      return;
    }
    if (req.get_param_value("everywhere") == "true") {
      sessions_.EndAllOf(session->subject);
    } else {
      sessions_.End(session->id);
    }
  }
  res.set_header("Set-Cookie", absl::StrCat(kSessionCookie,
                                            "=; Path=/; Secure; HttpOnly; SameSite=Strict; "
                                            "Max-Age=0"));
  res.status = 204;
}

void Gateway::HandleCall(const httplib::Request& req, httplib::Response& res) {
  if (!IsGrpcWebBinary(req.get_header_value("Content-Type"))) {
    res.status = 415;
    res.set_content("expected application/grpc-web+proto\n", "text/plain");
    return;
  }
  // "/consular.v1.CaseService/GetCase"
  const std::vector<std::string> parts = absl::StrSplit(req.path.substr(1), '/');
  // Every forwarded call ends here, with one log line (call_log.h; never its content).
  const absl::Time started = absl::Now();
  Identity caller;
  bool known_caller = false;
  const std::string trace_id = TraceIdOf(req.get_header_value("traceparent"));
  const auto answer = [&](const grpc::Status& status, const std::string* bytes) {
    CallLogRecord record;
    record.method = req.path;
    record.code = status.error_code();
    record.latency = absl::Now() - started;
    record.who = known_caller ? &caller : nullptr;
    record.correlation_id = CorrelationIdInMessage(status.error_message());
    record.trace_id = trace_id;
    LogCall(record);
    GrpcWebAnswer(res, status, bytes);
  };
  const std::string& service_name = parts[0];
  const std::string& method_name = parts[1];
  const google::protobuf::ServiceDescriptor* service = ApiPool().FindServiceByName(service_name);
  const google::protobuf::MethodDescriptor* method =
      service == nullptr ? nullptr : service->FindMethodByName(method_name);
  auto backend = options_.backends.find(service_name);
  if (method == nullptr || backend == options_.backends.end() || method->client_streaming() ||
      method->server_streaming()) {
    answer(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                               absl::StrCat("no method ", service_name, "/", method_name)),
                  nullptr);
    return;
  }
  std::optional<Session> session = SessionOf(req);
  if (!session) {
    answer(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "sign in first"), nullptr);
    return;
  }
  caller.role = session->role;
  caller.post = session->unit;
  known_caller = true;
  if (absl::Status allowed = CheckStateChange(req, *session); !allowed.ok()) {
    answer(GrpcStatus(allowed), nullptr);
    return;
  }
  absl::StatusOr<std::string> message = UnaryRequestMessage(req.body);
  if (!message.ok()) {
    answer(GrpcStatus(message.status()), nullptr);
    return;
  }
  absl::StatusOr<std::string> token = CurrentToken(*session);
  if (!token.ok()) {
    answer(GrpcStatus(token.status()), nullptr);
    return;
  }

  absl::Duration timeout = options_.max_call;
  if (std::optional<absl::Duration> asked = ParseGrpcTimeout(req.get_header_value("grpc-timeout"));
      asked && *asked < timeout) {
    timeout = *asked;
  }
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  if (req.has_header("x-access-purpose")) {
    context.AddMetadata("x-access-purpose", req.get_header_value("x-access-purpose"));
  }

  grpc::Slice slice(message->data(), message->size());
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  grpc::GenericStub stub(backend->second);
  stub.UnaryCall(&context, absl::StrCat("/", service_name, "/", method_name), grpc::StubOptions(),
                 &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) {
    answer(status, nullptr);
    return;
  }
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!response.Dump(&slices).ok()) {
    answer(grpc::Status(grpc::StatusCode::INTERNAL, "unreadable answer"), nullptr);
    return;
  }
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  answer(status, &bytes);
}

}  // namespace consular::web

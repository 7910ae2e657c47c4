// consular-web over real sockets: an HTTPS gateway in front of a gRPC CaseService served over TLS,
// called by an HTTPS client verifying the gateway's certificate.
#include "services/web/gateway.h"

#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "consular/v1/cases.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/server_credentials.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/common/tls.h"
#include "services/common/token.h"
#include "services/web/grpc_web.h"
#include "tests/common/test_crypto.h"

namespace consular::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCookieName[] = "__Host-consular-session";

// CaseService.GetCase answers a case whose reference is the case_id asked for ("MISSING": NOT_FOUND
// with a message that needs percent-encoding); it records the metadata it was called with.
class FakeCases final : public consular::v1::CaseService::Service {
 public:
  grpc::Status GetCase(grpc::ServerContext* context, const consular::v1::GetCaseRequest* request,
                       consular::v1::Case* response) override {
    {
      absl::MutexLock lock(&mu_);
      ++calls_;
      const auto& md = context->client_metadata();
      auto auth = md.find("authorization");
      authorization_ =
          auth == md.end() ? "" : std::string(auth->second.data(), auth->second.size());
      auto purpose = md.find("x-access-purpose");
      purpose_ =
          purpose == md.end() ? "" : std::string(purpose->second.data(), purpose->second.size());
    }
    if (request->case_id() == "MISSING") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "case MISSING: not found (ü 100%)");
    }
    response->set_reference(request->case_id());
    response->set_version(3);
    return grpc::Status::OK;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::string authorization() {
    absl::MutexLock lock(&mu_);
    return authorization_;
  }
  std::string purpose() {
    absl::MutexLock lock(&mu_);
    return purpose_;
  }

 private:
  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::string authorization_ ABSL_GUARDED_BY(mu_);
  std::string purpose_ ABSL_GUARDED_BY(mu_);
};

struct Reply {
  int http = 0;
  int grpc_status = -1;
  std::string grpc_message;
  std::string message;  // the data frame's bytes
};

// Splits a gRPC-Web answer into its data frame and trailers.
Reply ParseGrpcWeb(const httplib::Result& result) {
  Reply reply;
  if (!result) return reply;
  reply.http = result->status;
  const std::string& body = result->body;
  size_t at = 0;
  while (at + 5 <= body.size()) {
    const auto flag = static_cast<unsigned char>(body[at]);
    const size_t n = (static_cast<size_t>(static_cast<unsigned char>(body[at + 1])) << 24) |
                     (static_cast<size_t>(static_cast<unsigned char>(body[at + 2])) << 16) |
                     (static_cast<size_t>(static_cast<unsigned char>(body[at + 3])) << 8) |
                     static_cast<size_t>(static_cast<unsigned char>(body[at + 4]));
    const std::string payload = body.substr(at + 5, n);
    at += 5 + n;
    if (flag == 0x80) {
      for (const std::string& line :
           std::vector<std::string>(absl::StrSplit(payload, "\r\n", absl::SkipEmpty()))) {
        if (absl::StartsWith(line, "grpc-status:")) {
          reply.grpc_status = std::stoi(line.substr(12));
        } else if (absl::StartsWith(line, "grpc-message:")) {
          reply.grpc_message = line.substr(13);
        }
      }
    } else {
      reply.message = payload;
    }
  }
  return reply;
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = testing::MakeCa("test CA");
    const testing::Certificate leaf = testing::MakeLeaf(ca_, "localhost");
    ca_file_ = testing::WriteTempFile("ca.pem", ca_.cert_pem);
    cert_file_ = testing::WriteTempFile("server.pem", leaf.cert_pem);
    key_file_ = testing::WriteTempFile("server.key", leaf.key_pem);
    signing_ = testing::GenerateEcKeyPair();

    // The backend: a real gRPC server over TLS on a free port.
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server_credentials =
        MakeServerCredentials({cert_file_, key_file_, ""});
    ASSERT_TRUE(server_credentials.ok()) << server_credentials.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *server_credentials, &backend_port_);
    builder.RegisterService(&cases_);
    backend_ = builder.BuildAndStart();
    ASSERT_NE(backend_, nullptr);

    static_dir_ = std::filesystem::path(testing::WriteTempFile("index.html", "x")).parent_path() /
                  absl::StrCat("web-static-", ::getpid());
    std::filesystem::create_directories(static_dir_);
    std::ofstream(static_dir_ / "index.html") << "<!doctype html><title>consular</title>";
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->stop();
      serving_.join();
    }
    if (backend_ != nullptr) backend_->Shutdown();
    std::filesystem::remove_all(static_dir_);
  }

  // Starts the gateway; the development sign-in only when `dev`.
  void StartGateway(bool dev) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        MakeChannelCredentials(ca_file_);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    GatewayOptions options;
    options.static_dir = static_dir_.string();
    options.backends["consular.v1.CaseService"] =
        grpc::CreateChannel(absl::StrCat("localhost:", backend_port_), *credentials);
    if (dev) options.dev_signing_key_pem = signing_.private_pem;
    options.clock = &clock_;
    gateway_ = std::make_unique<Gateway>(std::move(options));
    server_ = std::make_unique<httplib::SSLServer>(cert_file_.c_str(), key_file_.c_str());
    ASSERT_TRUE(server_->is_valid());
    gateway_->Register(*server_);
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    serving_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  std::unique_ptr<httplib::SSLClient> Client() {
    auto client = std::make_unique<httplib::SSLClient>("localhost", port_);
    client->set_ca_cert_path(ca_file_.c_str());
    client->enable_server_certificate_verification(true);
    return client;
  }

  struct SignedIn {
    std::string cookie;  // "name=value" for a Cookie header
    std::string csrf;
    nlohmann::json session;
    std::string set_cookie;
  };

  SignedIn SignIn(const std::string& role, const std::string& unit) {
    SignedIn out;
    httplib::Result r =
        Client()->Post("/auth/dev-sign-in", nlohmann::json{{"role", role}, {"unit", unit}}.dump(),
                       "application/json");
    EXPECT_TRUE(r) << httplib::to_string(r.error());
    if (!r) return out;
    EXPECT_EQ(r->status, 200) << r->body;
    out.set_cookie = r->get_header_value("Set-Cookie");
    out.cookie = out.set_cookie.substr(0, out.set_cookie.find(';'));
    out.session = nlohmann::json::parse(r->body, nullptr, false);
    if (out.session.is_object() && out.session.contains("csrf")) {
      out.csrf = out.session["csrf"].get<std::string>();
    }
    return out;
  }

  Reply Call(const std::string& path, const google::protobuf::Message& request,
             httplib::Headers headers,
             const std::string& content_type = "application/grpc-web+proto") {
    return ParseGrpcWeb(
        Client()->Post(path, headers, DataFrame(request.SerializeAsString()), content_type));
  }

  static consular::v1::GetCaseRequest Get(const std::string& id) {
    consular::v1::GetCaseRequest request;
    request.set_case_id(id);
    return request;
  }

  testing::Certificate ca_;
  std::string ca_file_, cert_file_, key_file_;
  testing::KeyPair signing_;
  FakeCases cases_;
  std::unique_ptr<grpc::Server> backend_;
  int backend_port_ = 0;
  std::filesystem::path static_dir_;
  ManualClock clock_{absl::Now()};
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread serving_;
  int port_ = 0;
};

TEST_F(GatewayTest, ServesTheClientWithSecurityHeaders) {
  StartGateway(true);
  httplib::Result r = Client()->Get("/");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("<title>consular</title>"));
  EXPECT_THAT(r->get_header_value("Content-Security-Policy"),
              HasSubstr("script-src 'self'; style-src 'self'"));
  EXPECT_THAT(r->get_header_value("Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(r->get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_THAT(r->get_header_value("Strict-Transport-Security"), HasSubstr("max-age="));
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
  // Nothing outside the client's folder.
  r = Client()->Get("/../../etc/passwd");
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 200);
  EXPECT_THAT(r->body, Not(HasSubstr("root:")));
}

TEST_F(GatewayTest, TheDevelopmentSignInSetsAHardenedCookieAndKeepsTheTokenOnTheServer) {
  StartGateway(true);
  httplib::Result anonymous = Client()->Get("/auth/session");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(nlohmann::json::parse(anonymous->body)["devSignIn"], true);

  SignedIn officer = SignIn("ROLE_CONSULAR_OFFICER", "rabat");
  EXPECT_THAT(officer.set_cookie, HasSubstr(absl::StrCat(kCookieName, "=")));
  for (const char* attribute : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"}) {
    EXPECT_THAT(officer.set_cookie, HasSubstr(attribute));
  }
  EXPECT_EQ(officer.session["role"], "ROLE_CONSULAR_OFFICER");
  EXPECT_EQ(officer.session["unit"], "RABAT");
  EXPECT_EQ(officer.session["subject"], "dev-officer-rabat");
  EXPECT_EQ(officer.csrf.size(), 64u);
  EXPECT_THAT(officer.session.dump(), Not(HasSubstr("eyJ")));  // no token

  httplib::Result session =
      Client()->Get("/auth/session", httplib::Headers{{"Cookie", officer.cookie}});
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, 200);
  EXPECT_EQ(session->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(nlohmann::json::parse(session->body)["csrf"], officer.csrf);

  // A role without a post gets none; bad input is named.
  EXPECT_EQ(SignIn("ROLE_AUDITOR", "RABAT").session["unit"], "");
  for (const auto& [body, field] : std::vector<std::pair<nlohmann::json, std::string>>{
           {{{"role", "ROLE_KING"}}, "role"},
           {{{"unit", "RABAT"}}, "role"},
           {{{"role", "ROLE_POST_MANAGER"}, {"unit", ""}}, "unit"},
           {{{"role", "ROLE_POST_MANAGER"}, {"unit", "no such post!"}}, "unit"}}) {
    httplib::Result r = Client()->Post("/auth/dev-sign-in", body.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body.dump();
    EXPECT_THAT(r->body, HasSubstr(field + ":")) << body.dump();
    EXPECT_FALSE(r->has_header("Set-Cookie"));
  }
  httplib::Result garbage = Client()->Post("/auth/dev-sign-in", "{not json", "application/json");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
}

TEST_F(GatewayTest, WithoutTheDevelopmentFlagThereIsNoDevelopmentSignIn) {
  StartGateway(false);
  httplib::Result r =
      Client()->Post("/auth/dev-sign-in", nlohmann::json{{"role", "ROLE_ADMINISTRATOR"}}.dump(),
                     "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_FALSE(r->has_header("Set-Cookie"));
  httplib::Result session = Client()->Get("/auth/session");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, 401);
  EXPECT_EQ(nlohmann::json::parse(session->body)["devSignIn"], false);
}

TEST_F(GatewayTest, CallsGoThroughWithTheSessionsTokenOnlyWithItsCsrfToken) {
  StartGateway(true);
  SignedIn officer = SignIn("ROLE_CONSULAR_OFFICER", "RABAT");
  const httplib::Headers good = {
      {"Cookie", officer.cookie}, {"X-CSRF-Token", officer.csrf}, {"x-access-purpose", "casework"}};

  Reply ok = Call("/consular.v1.CaseService/GetCase", Get("ABN-2026-00001"), good);
  EXPECT_EQ(ok.http, 200);
  EXPECT_EQ(ok.grpc_status, 0) << ok.grpc_message;
  consular::v1::Case got;
  ASSERT_TRUE(got.ParseFromString(ok.message));
  EXPECT_EQ(got.reference(), "ABN-2026-00001");
  EXPECT_EQ(got.version(), 3);
  // The service got the session's token, which names the signed-in officer, and the purpose.
  ASSERT_TRUE(absl::StartsWith(cases_.authorization(), "Bearer "));
  VerifierOptions verifier_options;
  verifier_options.public_key_pems = {signing_.public_pem};
  verifier_options.clock = &clock_;
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = MakeJwtTokenVerifier(verifier_options);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<Identity> who = (*verifier)->Verify(cases_.authorization().substr(7));
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->subject, "dev-officer-rabat");
  EXPECT_EQ(who->role, consular::v1::ROLE_CONSULAR_OFFICER);
  EXPECT_EQ(who->post, "RABAT");
  EXPECT_EQ(cases_.purpose(), "casework");
  const int forwarded = cases_.calls();

  // Refused before the service is called: no session, no or a wrong CSRF token, another origin.
  EXPECT_EQ(Call("/consular.v1.CaseService/GetCase", Get("A"), {}).grpc_status, 16);
  EXPECT_EQ(
      Call("/consular.v1.CaseService/GetCase", Get("A"), {{"Cookie", officer.cookie}}).grpc_status,
      7);
  EXPECT_EQ(Call("/consular.v1.CaseService/GetCase", Get("A"),
                 {{"Cookie", officer.cookie}, {"X-CSRF-Token", std::string(64, '0')}})
                .grpc_status,
            7);
  httplib::Headers elsewhere = good;
  elsewhere.emplace("Origin", "https://evil.example");
  EXPECT_EQ(Call("/consular.v1.CaseService/GetCase", Get("A"), elsewhere).grpc_status, 7);
  // Only methods of the API, as gRPC-Web frames.
  EXPECT_EQ(Call("/consular.v1.CaseService/DropDatabase", Get("A"), good).grpc_status, 12);
  EXPECT_EQ(Call("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Get("A"), good)
                .grpc_status,
            12);
  EXPECT_EQ(Call("/consular.v1.AuditService/VerifyChain", Get("A"), good).grpc_status, 12)
      << "a service without a backend";
  EXPECT_EQ(Call("/consular.v1.CaseService/GetCase", Get("A"), good, "application/json").http, 415);
  httplib::Result torn = Client()->Post("/consular.v1.CaseService/GetCase", good,
                                        std::string("\0\0\0\0\x09"
                                                    "abc",
                                                    8),
                                        "application/grpc-web+proto");
  EXPECT_EQ(ParseGrpcWeb(torn).grpc_status, 3);
  EXPECT_EQ(cases_.calls(), forwarded);

  // The service's errors reach the page, the message percent-encoded.
  Reply missing = Call("/consular.v1.CaseService/GetCase", Get("MISSING"), good);
  EXPECT_EQ(missing.grpc_status, 5);
  EXPECT_EQ(missing.grpc_message, "case MISSING: not found (%C3%BC 100%25)");
  EXPECT_TRUE(missing.message.empty());
}

TEST_F(GatewayTest, SessionsEndWhenIdleAfterEightHoursAndOnSignOutEverywhere) {
  StartGateway(true);
  const auto live = [this](const SignedIn& s) {
    httplib::Result r = Client()->Get("/auth/session", httplib::Headers{{"Cookie", s.cookie}});
    return r && r->status == 200;
  };
  SignedIn a = SignIn("ROLE_POST_MANAGER", "RABAT");
  clock_.Advance(absl::Minutes(14));
  EXPECT_TRUE(live(a));
  clock_.Advance(absl::Minutes(14));  // 14 minutes after the last use
  EXPECT_TRUE(live(a));
  clock_.Advance(absl::Minutes(16));
  EXPECT_FALSE(live(a)) << "idle for 16 minutes";
  EXPECT_EQ(Call("/consular.v1.CaseService/GetCase", Get("A"),
                 {{"Cookie", a.cookie}, {"X-CSRF-Token", a.csrf}})
                .grpc_status,
            16);

  SignedIn b = SignIn("ROLE_POST_MANAGER", "RABAT");
  for (int i = 0; i < 34; ++i) {  // used every 14 minutes: 7 h 56 min
    clock_.Advance(absl::Minutes(14));
    ASSERT_TRUE(live(b)) << i;
  }
  clock_.Advance(absl::Minutes(5));
  EXPECT_FALSE(live(b)) << "past eight hours";

  // Signing out needs the CSRF token; everywhere ends every session of the subject.
  SignedIn desk = SignIn("ROLE_POST_MANAGER", "RABAT");
  SignedIn laptop = SignIn("ROLE_POST_MANAGER", "RABAT");
  SignedIn other = SignIn("ROLE_POST_MANAGER", "TUNIS");
  httplib::Result refused =
      Client()->Post("/auth/sign-out?everywhere=true", httplib::Headers{{"Cookie", desk.cookie}},
                     "", "text/plain");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_TRUE(live(desk));
  httplib::Result out = Client()->Post(
      "/auth/sign-out?everywhere=true",
      httplib::Headers{{"Cookie", desk.cookie}, {"X-CSRF-Token", desk.csrf}}, "", "text/plain");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  EXPECT_THAT(out->get_header_value("Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_FALSE(live(desk));
  EXPECT_FALSE(live(laptop));
  EXPECT_TRUE(live(other));
}

TEST(SessionTokenTest, RenewedInTheLastQuarterOfItsLifeAndAtMostAMinuteBeforeItExpires) {
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  SessionToken hour{"a", "r", t0, t0 + absl::Hours(1)};
  EXPECT_FALSE(TokenDueForRenewal(hour, t0 + absl::Minutes(58)));
  EXPECT_TRUE(TokenDueForRenewal(hour, t0 + absl::Minutes(59)));
  EXPECT_TRUE(TokenDueForRenewal(hour, t0 + absl::Hours(2)));
  SessionToken short_lived{"a", "r", t0, t0 + absl::Seconds(8)};
  EXPECT_FALSE(TokenDueForRenewal(short_lived, t0 + absl::Seconds(5)));
  EXPECT_TRUE(TokenDueForRenewal(short_lived, t0 + absl::Seconds(6)));
  SessionToken forever{"a", "", t0, absl::InfiniteFuture()};
  EXPECT_FALSE(TokenDueForRenewal(forever, t0 + absl::Hours(100)));
}

TEST(SessionTokenTest, ARenewedTokenReplacesTheOldOneAndKeepsTheRefreshTokenWhenNoneIsNew) {
  ManualClock clock(absl::FromUnixSeconds(1'800'000'000));
  SessionStore store(clock, absl::Minutes(15), absl::Hours(8));
  const absl::Time t0 = clock.Now();
  Session s = store.Create({"access-1", "refresh-1", t0, t0 + absl::Minutes(5)}, "sub",
                           consular::v1::ROLE_CONSULAR_OFFICER, "RABAT");
  clock.Advance(absl::Minutes(10));
  // Get does not count as use: the session still ends 15 minutes after its last request.
  ASSERT_TRUE(store.Get(s.id).has_value());
  ASSERT_TRUE(store.RenewToken(s.id, {"access-2", "", clock.Now(), clock.Now() + absl::Minutes(5)}));
  std::optional<Session> renewed = store.Get(s.id);
  ASSERT_TRUE(renewed.has_value());
  EXPECT_EQ(renewed->token.access, "access-2");
  EXPECT_EQ(renewed->token.refresh, "refresh-1");
  EXPECT_EQ(renewed->token.expires, clock.Now() + absl::Minutes(5));
  ASSERT_TRUE(store.RenewToken(s.id, {"access-3", "refresh-2", clock.Now(), clock.Now()}));
  EXPECT_EQ(store.Get(s.id)->token.refresh, "refresh-2");
  clock.Advance(absl::Minutes(6));
  EXPECT_FALSE(store.Get(s.id).has_value()) << "idle for 16 minutes";
  EXPECT_FALSE(store.RenewToken("no-such-session", {"x", "", clock.Now(), clock.Now()}));
}

TEST(OidcTest, UrlsPkceAndJwtPayloads) {
  // RFC 7636, appendix B.
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  std::optional<HttpsUrl> url = ParseHttpsUrl("https://idp.example:8444/realms/x?a=b");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "idp.example");
  EXPECT_EQ(url->port, 8444);
  EXPECT_EQ(url->path_and_query, "/realms/x?a=b");
  url = ParseHttpsUrl("https://idp.example");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->path_and_query, "/");
  EXPECT_FALSE(ParseHttpsUrl("http://idp.example/").has_value());
  EXPECT_FALSE(ParseHttpsUrl("https://user@idp.example/").has_value());
  EXPECT_FALSE(ParseHttpsUrl("https://idp.example:99999/").has_value());
  EXPECT_FALSE(ParseHttpsUrl("https:///x").has_value());
  // {"sub":"a","nonce":"n"}
  EXPECT_EQ(JwtPayloadJson("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwibm9uY2UiOiJuIn0.c2ln"),
            R"({"sub":"a","nonce":"n"})");
  EXPECT_FALSE(JwtPayloadJson("only.two").has_value());
}

// Every service the gateway routes is known to it: a proto file left out of the binary would make
// each of its calls UNIMPLEMENTED (the gateway refuses to start then).
TEST(GatewayRoutesTest, EveryRoutedServiceIsServable) {
  EXPECT_EQ(UnservableRoutes(), std::vector<std::string>{});
  std::set<std::string> routed;
  for (const ServiceRoute& route : kServiceRoutes) routed.insert(route.service);
  EXPECT_TRUE(routed.count("consular.v1.RecordsService"));
  EXPECT_TRUE(routed.count("consular.v1.ExportService"));
}

TEST(GrpcWebTest, FramesTimeoutsAndContentTypes) {
  const std::string frame = DataFrame("abc");
  EXPECT_EQ(frame, std::string("\0\0\0\0\x03"
                               "abc",
                               8));
  EXPECT_EQ(*UnaryRequestMessage(frame), "abc");
  EXPECT_EQ(*UnaryRequestMessage(DataFrame("")), "");
  EXPECT_FALSE(UnaryRequestMessage("").ok());
  EXPECT_FALSE(UnaryRequestMessage(frame + "x").ok());
  EXPECT_FALSE(UnaryRequestMessage(frame.substr(0, 6)).ok());
  EXPECT_FALSE(UnaryRequestMessage(std::string("\x01\0\0\0\0", 5)).ok());
  EXPECT_FALSE(UnaryRequestMessage(TrailerFrame(0, "")).ok());
  EXPECT_EQ(TrailerFrame(5, "a b"),
            std::string("\x80\0\0\0\x21", 5) + "grpc-status:5\r\ngrpc-message:a b\r\n");
  EXPECT_EQ(PercentEncodeGrpcMessage("50% \n\xc3\xa9"), "50%25 %0A%C3%A9");
  EXPECT_EQ(ParseGrpcTimeout("250m"), absl::Milliseconds(250));
  EXPECT_EQ(ParseGrpcTimeout("30S"), absl::Seconds(30));
  EXPECT_EQ(ParseGrpcTimeout("1H"), absl::Hours(1));
  EXPECT_EQ(ParseGrpcTimeout(""), std::nullopt);
  EXPECT_EQ(ParseGrpcTimeout("-1S"), std::nullopt);
  EXPECT_EQ(ParseGrpcTimeout("10x"), std::nullopt);
  EXPECT_EQ(ParseGrpcTimeout("123456789S"), std::nullopt);
  EXPECT_TRUE(IsGrpcWebBinary("application/grpc-web+proto"));
  EXPECT_TRUE(IsGrpcWebBinary("application/grpc-web; charset=utf-8"));
  EXPECT_FALSE(IsGrpcWebBinary("application/grpc-web-text"));
  EXPECT_FALSE(IsGrpcWebBinary("application/json"));
}

}  // namespace
}  // namespace consular::web

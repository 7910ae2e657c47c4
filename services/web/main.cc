// consular-web: the HTTPS gateway of the web client (docs/web.md). Serves the client's files,
// keeps the sessions and forwards gRPC-Web calls to the services over TLS.
#include <httplib.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/log.h"
#include "absl/strings/str_split.h"
#include "grpcpp/create_channel.h"
#include "services/common/config_file.h"
#include "services/common/files.h"
#include "services/common/service_manager.h"
#include "services/common/tls.h"
#include "services/web/gateway.h"

namespace {

struct Flags {
  std::string listen = "127.0.0.1:8443";
  std::string tls_cert;
  std::string tls_key;
  std::string ca_cert;  // to verify the services' certificates
  std::map<std::string, std::string> addr = {{"cases", "localhost:50051"},
                                             {"audit", "localhost:50052"},
                                             {"contacts", "localhost:50053"},
                                             {"stats", "localhost:50054"}};
  std::string static_dir;
  std::string dev_sign_in_key;
  int idle_minutes = 15;
  int absolute_hours = 8;
  int max_call_seconds = 30;
  // Each open connection holds a thread while it is kept alive (a browser opens several), and
  // each forwarded call holds one while it waits for its service.
  int threads = 64;
  std::string oidc_issuer;
  std::string oidc_client_id;
  std::string oidc_client_secret_file;
  std::string oidc_redirect_uri;
  std::string oidc_ca_cert;
  std::string oidc_scopes = "openid consular";
};

int Fail(const std::string& message) {
  consular::LogError(message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  consular::SetLogService("consular-web");
  Flags flags;
  CLI::App app{"consular-web: the HTTPS gateway of the web client"};
  app.add_option("--listen", flags.listen, "host:port to listen on (HTTPS)")
      ->envname("CONSULAR_WEB_LISTEN")
      ->capture_default_str();
  app.add_option("--tls-cert", flags.tls_cert, "PEM certificate chain of this server")
      ->envname("CONSULAR_WEB_TLS_CERT")
      ->required();
  app.add_option("--tls-key", flags.tls_key, "PEM private key of this server")
      ->envname("CONSULAR_WEB_TLS_KEY")
      ->required();
  app.add_option("--ca-cert", flags.ca_cert, "CA certificates the services' certificates chain to")
      ->envname("CONSULAR_CA_CERT");
  for (auto& [server, addr] : flags.addr) {
    app.add_option(absl::StrCat("--", server, "-addr"), addr,
                   absl::StrCat("consular-", server, " at host:port"))
        ->envname(absl::StrCat("CONSULAR_WEB_", absl::AsciiStrToUpper(server), "_ADDR"))
        ->capture_default_str();
  }
  app.add_option("--static-dir", flags.static_dir, "The built web client (index.html and assets)")
      ->envname("CONSULAR_WEB_STATIC_DIR");
  app.add_option("--dev-sign-in-key", flags.dev_sign_in_key,
                 "Development only: the token signing key (PEM) with which the sign-in page "
                 "offers any role and post")
      ->envname("CONSULAR_WEB_DEV_SIGN_IN_KEY");
  app.add_option("--idle-minutes", flags.idle_minutes, "A session ends after this long unused")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--absolute-hours", flags.absolute_hours, "A session ends after this long")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--max-call-seconds", flags.max_call_seconds, "The longest a forwarded call runs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--threads", flags.threads,
                 "Connections and calls served at once (a kept-alive connection holds one)")
      ->check(CLI::Range(4, 1024))
      ->capture_default_str();
  app.add_option("--oidc-issuer", flags.oidc_issuer,
                 "The identity provider (OpenID Connect issuer URL); staff sign in there")
      ->envname("CONSULAR_WEB_OIDC_ISSUER");
  app.add_option("--oidc-client-id", flags.oidc_client_id, "This gateway's client id there")
      ->envname("CONSULAR_WEB_OIDC_CLIENT_ID");
  app.add_option("--oidc-client-secret-file", flags.oidc_client_secret_file,
                 "File holding this gateway's client secret")
      ->envname("CONSULAR_WEB_OIDC_CLIENT_SECRET_FILE");
  app.add_option("--oidc-redirect-uri", flags.oidc_redirect_uri,
                 "https://<this gateway>/auth/callback, as registered at the provider")
      ->envname("CONSULAR_WEB_OIDC_REDIRECT_URI");
  app.add_option("--oidc-ca-cert", flags.oidc_ca_cert,
                 "CA certificates of the provider's TLS certificate (default: the system's)")
      ->envname("CONSULAR_WEB_OIDC_CA_CERT");
  app.add_option("--oidc-scopes", flags.oidc_scopes, "Scopes asked for")
      ->envname("CONSULAR_WEB_OIDC_SCOPES")
      ->capture_default_str();
  consular::AddConfigFileFlag(app);
  CLI11_PARSE(app, argc, argv);

  const std::vector<std::string> host_port = absl::StrSplit(flags.listen, absl::MaxSplits(':', 1));
  int port = 0;
  if (host_port.size() != 2 || !absl::SimpleAtoi(host_port[1], &port) || port <= 0 ||
      port > 65535) {
    return Fail(absl::StrCat("--listen: not host:port: \"", flags.listen, "\""));
  }

  consular::web::GatewayOptions options;
  options.static_dir = flags.static_dir;
  options.idle_timeout = absl::Minutes(flags.idle_minutes);
  options.absolute_timeout = absl::Hours(flags.absolute_hours);
  options.max_call = absl::Seconds(flags.max_call_seconds);
  if (!flags.dev_sign_in_key.empty()) {
    absl::StatusOr<std::string> pem = consular::ReadPemFile(flags.dev_sign_in_key);
    if (!pem.ok()) return Fail(absl::StrCat("--dev-sign-in-key: ", pem.status().message()));
    options.dev_signing_key_pem = *pem;
  }
  if (!flags.oidc_issuer.empty()) {
    consular::web::OidcOptions oidc;
    oidc.issuer = flags.oidc_issuer;
    oidc.client_id = flags.oidc_client_id;
    oidc.redirect_uri = flags.oidc_redirect_uri;
    oidc.ca_file = flags.oidc_ca_cert;
    oidc.scopes = flags.oidc_scopes;
    if (!flags.oidc_client_secret_file.empty()) {
      absl::StatusOr<std::string> secret =
          consular::ReadFileToString(flags.oidc_client_secret_file, 4096);
      if (!secret.ok()) {
        return Fail(absl::StrCat("--oidc-client-secret-file: ", secret.status().message()));
      }
      oidc.client_secret = std::string(absl::StripTrailingAsciiWhitespace(*secret));
    }
    absl::StatusOr<std::unique_ptr<consular::web::OidcClient>> client =
        consular::web::OidcClient::Discover(std::move(oidc));
    if (!client.ok()) return Fail(absl::StrCat("--oidc-issuer: ", client.status().message()));
    options.oidc = *std::move(client);
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      consular::MakeChannelCredentials(flags.ca_cert);
  if (!credentials.ok()) return Fail(absl::StrCat("--ca-cert: ", credentials.status().message()));
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (const auto& [server, addr] : flags.addr) {
    channels[server] = grpc::CreateChannel(addr, *credentials);
  }
  if (const std::vector<std::string> missing = consular::web::UnservableRoutes(); !missing.empty()) {
    return Fail(absl::StrCat("built without the API of ", absl::StrJoin(missing, ", ")));
  }
  for (const consular::web::ServiceRoute& route : consular::web::kServiceRoutes) {
    options.backends[route.service] = channels.at(route.server);
  }

  // SIGTERM and SIGINT are taken by sigwait below, in no other thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  httplib::SSLServer server(flags.tls_cert.c_str(), flags.tls_key.c_str());
  if (!server.is_valid()) {
    return Fail("--tls-cert/--tls-key: the certificate or key cannot be used");
  }
  const int threads = flags.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // An idle kept-alive connection gives its thread back after a few seconds.
  server.set_keep_alive_timeout(5);
  consular::web::Gateway gateway(std::move(options));
  gateway.Register(server);
  if (!server.bind_to_port(host_port[0], port)) {
    return Fail(absl::StrCat("cannot listen on ", flags.listen));
  }
  std::thread serving([&server] { server.listen_after_bind(); });
  // The socket listens since bind_to_port (connections wait in its backlog until the thread
  // accepts them): the service manager (systemd) may count the gateway as started.
  const std::string listening =
      absl::StrCat("consular-web listening on https://", flags.listen,
                   flags.dev_sign_in_key.empty() ? "" : " (development sign-in on)",
                   flags.oidc_issuer.empty() ? "" : " (sign-in at " + flags.oidc_issuer + ")");
  consular::LogInfo(listening,
                    {{"address", flags.listen}, {"dev_sign_in", !flags.dev_sign_in_key.empty()}});
  consular::NotifyReady(listening);
  // Under a systemd watchdog (WatchdogSec=), tells it twice per period that the gateway is alive.
  const absl::Duration watchdog = consular::WatchdogPingInterval();
  int signal_number = 0;
  if (watchdog > absl::ZeroDuration()) {
    const timespec tick = absl::ToTimespec(watchdog);
    consular::NotifyWatchdog();
    while ((signal_number = sigtimedwait(&stop_signals, nullptr, &tick)) < 0) {
      consular::NotifyWatchdog();
    }
  } else {
    sigwait(&stop_signals, &signal_number);
  }
  consular::NotifyStopping(
      absl::StrCat(signal_number == SIGINT ? "SIGINT" : "SIGTERM", " received, stopping"));
  consular::LogInfo("consular-web stopping");
  server.stop();
  serving.join();
  return 0;
}

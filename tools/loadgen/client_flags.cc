#include "tools/loadgen/client_flags.h"

#include "absl/strings/str_cat.h"

namespace consular::loadgen {

void AddClientFlags(CLI::App& app, const ClientFlags& flags, const std::string& help_prefix) {
  const auto help = [&](const char* text) { return absl::StrCat(help_prefix, text); };
  app.add_option("--ca-cert", *flags.ca_cert,
                 help("PEM file of the CA that signed the servers' certificates"))
      ->envname("CONSULAR_CA_CERT");
  app.add_flag("--insecure", *flags.insecure,
               help("Plaintext instead of TLS (tests only; ignores --ca-cert)"));
  app.add_option("--token-key", *flags.token_key,
                 help("ES256 private key (PEM) to mint dev tokens with"))
      ->envname("CONSULAR_DEV_SIGNING_KEY");
  app.add_option("--issuer", *flags.issuer, help("Token issuer"));
  app.add_option("--audience", *flags.audience, help("Token audience"));
}

}  // namespace consular::loadgen

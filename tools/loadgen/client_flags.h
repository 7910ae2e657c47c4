#pragma once

#include <string>

#include "CLI/CLI.hpp"

namespace consular::loadgen {

// Where the flags that reach the servers go: the CA of their certificates (or plaintext) and the
// key, issuer and audience of the dev tokens minted for the calls.
struct ClientFlags {
  std::string* ca_cert;
  bool* insecure;
  std::string* token_key;
  std::string* issuer;
  std::string* audience;
};

// Adds --ca-cert, --insecure, --token-key, --issuer and --audience (the first and third also
// read from CONSULAR_CA_CERT and CONSULAR_DEV_SIGNING_KEY) to `app`, the same in consular-loadgen
// and consular-datagen; `help_prefix` starts each help text (e.g. "api: ").
void AddClientFlags(CLI::App& app, const ClientFlags& flags, const std::string& help_prefix = "");

}  // namespace consular::loadgen

// services/common/server_flags and token: a server's configuration. The first byte picks what is
// read; the rest is
//   even  the command line: arguments separated by NUL bytes, parsed with every server's flags
//         (environment variables are not read from the input); what parses must lie in the
//         flags' stated ranges;
//   odd   the contents of a token public key file (--token-public-keys), read from disk as the
//         server does and turned into a token verifier.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/common/server_flags.h"
#include "services/common/token.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

// A file of this process for the key file's contents.
const std::string& KeyFilePath() {
  static const std::string* const path = [] {
    const char* dir = std::getenv("TMPDIR");
    return new std::string(std::string(dir != nullptr ? dir : "/tmp") + "/consular-fuzz-key-" +
                           std::to_string(getpid()) + ".pem");
  }();
  return *path;
}

}  // namespace

CONSULAR_FUZZ_TARGET(server_config) {
  consular::fuzz::FuzzInput in(data, size);
  const uint8_t mode = in.Byte();
  const std::string rest = in.Rest();
  if (mode % 2 == 0) {
    std::vector<std::string> args = absl::StrSplit(rest, '\0');
    if (args.size() > 64) return;
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
    CLI::App app("fuzz");
    consular::ServerFlags flags;
    consular::FieldKeyFlags keys;
    consular::AddServerFlags(app, "CONSULAR_FUZZ_", &flags);
    consular::AddFieldKeyFlags(app, &keys);
    try {
      app.parse(reversed);
    } catch (const CLI::ParseError&) {
      return;  // refused, as the server refuses to start
    }
    FUZZ_CHECK(flags.pool_size >= 1 && flags.pool_size <= 512);
    FUZZ_CHECK(flags.workers >= 1 && flags.workers <= 512);
    FUZZ_CHECK(flags.queue_limit >= 1 && flags.queue_limit <= 100000);
    FUZZ_CHECK(flags.max_message_kib >= 1 && flags.max_message_kib <= 65536);
    FUZZ_CHECK(flags.keepalive_seconds >= 10 && flags.keepalive_seconds <= 86400);
    return;
  }

  {
    std::ofstream out(KeyFilePath(), std::ios::binary | std::ios::trunc);
    out << rest;
  }
  const absl::StatusOr<std::vector<std::string>> pems = consular::ReadPemFiles({KeyFilePath()});
  std::remove(KeyFilePath().c_str());
  if (!pems.ok()) {
    FUZZ_CHECK(pems.status().code() == absl::StatusCode::kInvalidArgument ||
               pems.status().code() == absl::StatusCode::kNotFound);
    return;
  }
  FUZZ_CHECK(pems->size() == 1 && (*pems)[0] == rest);
  consular::VerifierOptions options;
  options.public_key_pems = *pems;
  const absl::StatusOr<std::unique_ptr<consular::TokenVerifier>> verifier =
      consular::MakeJwtTokenVerifier(options);
  if (!verifier.ok()) {
    FUZZ_CHECK(verifier.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  // A verifier from any accepted key still refuses what is not a token.
  FUZZ_CHECK(!(*verifier)->Verify("a.b.c").ok());
}

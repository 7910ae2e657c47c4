// --config FILE: the servers' flags from a TOML file, what wins over what, and the errors.

#include "services/common/config_file.h"

#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/server_flags.h"

namespace consular {
namespace {

using ::testing::HasSubstr;

std::string WriteConfig(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

// The shared server flags as consular-audit has them, with --config; `args` after the program
// name. Returns CLI11's error message, "" when the command line parsed.
std::string Parse(const std::vector<std::string>& args, ServerFlags* flags) {
  CLI::App app{"test server"};
  AddServerFlags(app, "CONSULAR_AUDIT_", flags);
  AddConfigFileFlag(app);
  std::vector<const char*> argv = {"consular-audit"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& error) {
    return error.what();
  }
  return "";
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("CONSULAR_AUDIT_LISTEN");
    ::unsetenv("CONSULAR_AUDIT_POOL_SIZE");
    ::unsetenv("CONSULAR_DSN");
  }
  void TearDown() override { SetUp(); }
};

TEST_F(ConfigFileTest, TheFileSetsTheFlags) {
  const std::string config = WriteConfig("settings.toml", R"(# consular-audit
listen = "127.0.0.1:6052"
dsn = "host=db.example.org dbname=consular user=consular_app"
tls-cert = "/etc/consular/tls/audit.pem"
token-public-keys = "/etc/consular/a.pem,/etc/consular/b.pem"
pool-size = 3
shutdown-grace-seconds = 7
reflection = true
)");
  ServerFlags flags;
  ASSERT_EQ(Parse({"--config", config}, &flags), "");
  EXPECT_EQ(flags.server.listen_address, "127.0.0.1:6052");
  EXPECT_EQ(flags.dsn, "host=db.example.org dbname=consular user=consular_app");
  EXPECT_EQ(flags.server.tls.cert_chain, "/etc/consular/tls/audit.pem");
  EXPECT_EQ(flags.token_public_keys, "/etc/consular/a.pem,/etc/consular/b.pem");
  EXPECT_EQ(flags.pool_size, 3);
  EXPECT_EQ(flags.shutdown_grace_seconds, 7);
  EXPECT_TRUE(flags.server.reflection);
  EXPECT_FALSE(flags.server.insecure);
}

TEST_F(ConfigFileTest, CommandLineWinsOverTheFileAndTheFileOverTheEnvironment) {
  const std::string config = WriteConfig("precedence.toml", R"(
listen = "127.0.0.1:6052"
pool-size = 3
)");
  ::setenv("CONSULAR_AUDIT_LISTEN", "127.0.0.1:7052", 1);
  ::setenv("CONSULAR_AUDIT_POOL_SIZE", "5", 1);
  ::setenv("CONSULAR_DSN", "dbname=from-environment", 1);
  ServerFlags flags;
  ASSERT_EQ(Parse({"--pool-size", "9", "--config", config}, &flags), "");
  EXPECT_EQ(flags.pool_size, 9);                             // command line
  EXPECT_EQ(flags.server.listen_address, "127.0.0.1:6052");  // file
  EXPECT_EQ(flags.dsn, "dbname=from-environment");           // environment
  EXPECT_EQ(flags.workers, ServerFlags().workers);           // default
}

TEST_F(ConfigFileTest, AnUnknownKeyIsAnErrorNamingIt) {
  const std::string config = WriteConfig("typo.toml", R"(
dsn = "dbname=consular"
pool-sise = 3
)");
  ServerFlags flags;
  const std::string error = Parse({"--config", config}, &flags);
  EXPECT_THAT(error, HasSubstr("unknown setting \"pool-sise\""));
}

TEST_F(ConfigFileTest, ASectionIsAnErrorNamingIt) {
  const std::string config = WriteConfig("section.toml", R"(
[server]
listen = "127.0.0.1:6052"
)");
  ServerFlags flags;
  EXPECT_THAT(Parse({"--config", config}, &flags), HasSubstr("unknown section [server]"));
}

TEST_F(ConfigFileTest, ABadValueIsAnErrorNamingItsFlag) {
  const std::string config = WriteConfig("bad-value.toml", "dsn = \"x\"\npool-size = 0\n");
  ServerFlags flags;
  EXPECT_THAT(Parse({"--config", config}, &flags), HasSubstr("--pool-size"));
}

TEST_F(ConfigFileTest, TheFileCannotNameAnotherFileOrAskForHelp) {
  ServerFlags flags;
  EXPECT_THAT(Parse({"--config", WriteConfig("nested.toml", "config = \"other.toml\"\n")}, &flags),
              HasSubstr("config"));
  EXPECT_THAT(Parse({"--config", WriteConfig("help.toml", "help = true\n")}, &flags),
              HasSubstr("help"));
}

TEST_F(ConfigFileTest, AMissingFileIsAnErrorNamingIt) {
  ServerFlags flags;
  EXPECT_THAT(Parse({"--config", "/nonexistent/consular-audit.toml"}, &flags),
              HasSubstr("/nonexistent/consular-audit.toml"));
}

}  // namespace
}  // namespace consular

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "consular/v1/common.pb.h"
#include "services/common/token.h"
#include "tools/consularctl/case_fields.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/enums.h"

namespace consular::ctl {
namespace {

constexpr int kDefaultTtlMinutes = 480;

struct TokenArgs {
  std::string role;
  std::string post;
  std::string subject;
  std::string key_file;
  std::string issuer = "consular-dev";
  std::string audience = "consular";
  int ttl_minutes = kDefaultTtlMinutes;
};

int RunToken(const TokenArgs& args) {
  // Normalise the many accepted spellings to the canonical name ParseRoleName
  // takes.
  absl::StatusOr<int> number =
      ParseEnum(consular::v1::Role_descriptor(), args.role);
  if (!number.ok())
    return ReportUsageError(
        absl::StrCat("--role: ", number.status().message()));
  absl::StatusOr<consular::v1::Role> role = consular::ParseRoleName(
      EnumShortName(consular::v1::Role_descriptor(), *number));
  if (!role.ok())
    return ReportUsageError(absl::StrCat("--role: ", role.status().message()));

  const std::string post = absl::AsciiStrToUpper(args.post);
  if (!post.empty() && !consular::IsValidPostCode(post)) {
    return ReportUsageError(
        absl::StrCat("--post: not a post code: \"", args.post, "\""));
  }
  if (post.empty() && consular::RoleRequiresPost(*role)) {
    return ReportUsageError(absl::StrCat("--post is required for role ",
                                         consular::RoleName(*role)));
  }
  if (args.key_file.empty()) {
    return ReportUsageError(
        "no signing key: pass --key or set CONSULAR_DEV_SIGNING_KEY");
  }
  std::ifstream file(args.key_file);
  std::stringstream pem;
  if (!file.is_open() || !(pem << file.rdbuf())) {
    return ReportUsageError(
        absl::StrCat("cannot read signing key \"", args.key_file, "\""),
        /*help_hint=*/false);
  }

  consular::TokenClaims claims;
  claims.role = *role;
  claims.post = post;
  claims.subject =
      args.subject.empty() ? consular::DevSubject(*role, post) : args.subject;
  claims.issuer = args.issuer;
  claims.audience = args.audience;
  claims.ttl = absl::Minutes(args.ttl_minutes);
  claims.now = absl::Now();
  absl::StatusOr<std::string> token = consular::MintToken(pem.str(), claims);
  if (!token.ok()) return ReportError(token.status());
  std::cout << *token << std::endl;
  return kExitOk;
}

}  // namespace

void AddDevCommands(CLI::App* app, Action* action) {
  CLI::App* dev =
      app->add_subcommand("dev", "Development helpers (no server needed)");
  dev->require_subcommand(1);

  CLI::App* token = dev->add_subcommand(
      "token",
      "Mint a development bearer token and print it alone on stdout, e.g.\n"
      "  export CONSULAR_TOKEN=$(consularctl dev token --role officer --post "
      "RABAT)");
  auto args = std::make_shared<TokenArgs>();
  token
      ->add_option("--role", args->role,
                   "Role: officer, manager, lkha, policy, auditor, admin (or "
                   "the full names, "
                   "e.g. CONSULAR_OFFICER)")
      ->required()
      ->type_name("ROLE")
      ->check(EnumValidator(consular::v1::Role_descriptor()));
  token
      ->add_option("--post", args->post, "Post code of the caller (e.g. RABAT)")
      ->type_name("POST");
  token
      ->add_option("--subject", args->subject,
                   "Token subject (default: dev-<role>-<post>)")
      ->type_name("NAME");
  token
      ->add_option("--key", args->key_file,
                   "ES256 private key (PEM) to sign with")
      ->envname("CONSULAR_DEV_SIGNING_KEY")
      ->type_name("FILE");
  token->add_option("--issuer", args->issuer, "Token issuer")
      ->capture_default_str();
  token->add_option("--audience", args->audience, "Token audience")
      ->capture_default_str();
  token->add_option("--ttl-minutes", args->ttl_minutes, "Lifetime in minutes")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  token->callback(
      [args, action] { *action = [args] { return RunToken(*args); }; });
}

}  // namespace consular::ctl

// consularctl: the command-line client of the consular case service.
//
// Exit codes: 0 success, 1 a call failed ("error: <CODE_NAME>: <message>" on
// stderr), 2 a usage error (bad flags, an unreadable CA or key file).

#include <stdlib.h>

#include <iostream>

#include "CLI/CLI.hpp"
#include "services/common/validation.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/commands.h"

namespace consular::ctl {
namespace {

// Subcommand help lists only the subcommand's own options; say where the global
// ones are.
void AddGlobalOptionsFooter(CLI::App* app) {
  for (CLI::App* command : app->get_subcommands({})) {
    if (command->get_name() == "dev") continue;  // needs no server
    command->footer(
        "Global options (before or after the command): --addr, --audit-addr, "
        "--contacts-addr, --ca-cert, --token, --access-purpose, "
        "--insecure, --timeout, --json; see consularctl --help.");
    AddGlobalOptionsFooter(command);
  }
}

int Main(int argc, char** argv) {
  // gRPC's own log lines (e.g. a failed TLS handshake) would repeat, less
  // readably, what the error line already says. GRPC_VERBOSITY=ERROR in the
  // environment brings them back.
  setenv("GRPC_VERBOSITY", "NONE", /*overwrite=*/0);

  CLI::App app(
      "consularctl: open, read and work consular cases of abandonment and "
      "foreign "
      "divorce recognition",
      "consularctl");
  // Global options may also follow the subcommand.
  app.fallthrough();
  app.require_subcommand(1);

  GlobalOptions global;
  app.add_option("--addr", global.addr, "Server address HOST:PORT")
      ->envname("CONSULAR_ADDR")
      ->capture_default_str()
      ->group("Global");
  app.add_option("--ca-cert", global.ca_cert,
                 "CA certificate (PEM) to verify the server")
      ->envname("CONSULAR_CA_CERT")
      ->type_name("FILE")
      ->group("Global");
  app.add_option("--token", global.token,
                 "Bearer token (see: consularctl dev token)")
      ->envname("CONSULAR_TOKEN")
      ->type_name("TOKEN")
      ->group("Global");
  app.add_option("--access-purpose", global.purpose,
                 "Why you reach case data, recorded in the audit trail: casework, supervision, "
                 "emergency, audit or statistics-correction (set it once per session in "
                 "CONSULAR_ACCESS_PURPOSE)")
      ->envname("CONSULAR_ACCESS_PURPOSE")
      ->type_name("PURPOSE")
      ->check(CLI::IsMember({"casework", "supervision", "emergency", "audit",
                             "statistics-correction"}))
      ->group("Global");
  app.add_flag("--insecure", global.insecure, "Plaintext instead of TLS")
      ->group("Global");
  app.add_option("--timeout", global.timeout_seconds,
                 "Deadline of each call, in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS")
      ->group("Global");
  app.add_flag("--json", global.json, "Print the response as proto JSON")
      ->group("Global");
  std::string audit_addr = "127.0.0.1:50052";
  app.add_option("--audit-addr", audit_addr,
                 "Audit service address HOST:PORT (audit commands)")
      ->envname("CONSULAR_AUDIT_ADDR")
      ->capture_default_str()
      ->group("Global");
  std::string contacts_addr = "localhost:50053";
  app.add_option("--contacts-addr", contacts_addr,
                 "consular-contacts address HOST:PORT (partner, post and contact commands)")
      ->envname("CONSULAR_CONTACTS_ADDR")
      ->capture_default_str()
      ->group("Global");

  std::string stats_addr = "localhost:50054";
  app.add_option("--stats-addr", stats_addr,
                 "consular-stats address HOST:PORT (stats, talk, decision, briefing and report "
                 "commands)")
      ->envname("CONSULAR_STATS_ADDR")
      ->capture_default_str()
      ->group("Global");

  Action action;
  AddCaseCommands(&app, &global, &action);
  AddEmergencyCommands(&app, &global, &action);
  AddRecordsCommands(&app, &global, &action);
  AddExportCommands(&app, &global, &action);
  AddDevCommands(&app, &action);
  AddAuditCommands(&app, &global, &audit_addr, &action);
  AddPartnerCommands(&app, &global, &contacts_addr, &action);
  AddUnitCommands(&app, &global, &contacts_addr, &action);
  AddContactCommands(&app, &global, &contacts_addr, &action);
  AddCaseShow(&app, &global, &contacts_addr, &action);
  AddStatsCommands(&app, &global, &stats_addr, &action);
  AddTalkCommands(&app, &global, &stats_addr, &action);
  AddBriefingCommands(&app, &global, &stats_addr, &action);
  AddGlobalOptionsFooter(&app);

  // Text fields travel as protobuf strings, which must be UTF-8: name the bad
  // argument here rather than have the request refused unread by the server.
  for (int i = 1; i < argc; ++i) {
    if (!IsValidUtf8(argv[i])) {
      const bool after_flag = i > 1 && argv[i - 1][0] == '-';
      return ReportUsageError(
          (after_flag ? std::string(argv[i - 1]) : "argument " + std::to_string(i)) +
          ": not valid UTF-8 text");
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version exit 0; every other parse error is a usage error.
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (!action) return ReportUsageError("no command given");
  global.timeout_given = app.get_option("--timeout")->count() > 0;
  return action();
}

}  // namespace
}  // namespace consular::ctl

int main(int argc, char** argv) { return consular::ctl::Main(argc, argv); }

// consular-datagen: realistic, fictional data for consular-cases and consular-stats.
//
//   consular-datagen --mode bulk --dsn OWNER_DSN --field-keys FILE --blind-index-key FILE
//                    [--cases 1000000] [--events-per-case 10] [--seed S] [--threads 2]
//   consular-datagen --mode api --addr HOST:PORT --ca-cert FILE --token-key FILE
//                    [--contacts-addr HOST:PORT] [--cases 200] [--seed S]

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "services/common/server_flags.h"
#include "tools/datagen/api_load.h"
#include "tools/datagen/bulk_load.h"
#include "tools/loadgen/client_flags.h"
#include "tools/loadgen/flags.h"

namespace consular::datagen {
namespace {

using loadgen::Failure;
using loadgen::kExitFailure;
using loadgen::kExitOk;
using loadgen::UsageError;

struct Args {
  std::string mode;
  // bulk
  std::string dsn;
  FieldKeyFlags keys;
  double events_per_case = 10;
  int threads = 2;
  // api
  ApiLoadOptions api;
  // both
  int64_t cases = -1;  // default depends on the mode
  uint64_t seed = 20170101;
};

int RunBulk(const Args& args) {
  if (args.dsn.empty()) return UsageError("--dsn: required with --mode bulk");
  if (args.keys.field_keys.empty() || args.keys.blind_index_key.empty()) {
    return UsageError("--field-keys and --blind-index-key: required with --mode bulk");
  }
  std::vector<std::string> warnings;
  absl::StatusOr<FieldKeys> keys = LoadFieldKeys(args.keys, &warnings);
  for (const std::string& w : warnings) std::cerr << "warning: " << w << std::endl;
  if (!keys.ok()) return UsageError(std::string(keys.status().message()));

  BulkLoadOptions options;
  options.cases = args.cases < 0 ? 1000000 : args.cases;
  options.events_per_case = args.events_per_case;
  options.seed = args.seed;
  options.threads = args.threads;
  options.cipher = keys->cipher.get();
  options.blind_index = keys->blind_index.get();
  options.progress = [](const std::string& line) { std::cerr << line << std::endl; };
  std::cerr << "consular-datagen: loading " << options.cases << " cases (seed " << options.seed
            << ") ..." << std::endl;
  absl::StatusOr<BulkLoadReport> report = BulkLoad(args.dsn, options);
  if (!report.ok()) return Failure(report.status());
  std::cout << absl::StrFormat(
      "loaded %d cases, %d events, %d notes, %d contacts, %d partners\n"
      "generate %.1f s, seal %.1f s, copy %.1f s, vacuum %.1f s, total %.1f s\n",
      report->rows.cases, report->rows.events, report->rows.notes, report->rows.contacts,
      report->rows.partners, absl::ToDoubleSeconds(report->generate),
      absl::ToDoubleSeconds(report->seal), absl::ToDoubleSeconds(report->copy),
      absl::ToDoubleSeconds(report->vacuum),
      absl::ToDoubleSeconds(report->generate + report->seal + report->copy + report->vacuum));
  return kExitOk;
}

int RunApi(Args args) {
  if (args.api.token_key.empty()) return UsageError("--token-key: required with --mode api");
  if (args.api.ca_cert.empty() && !args.api.insecure) {
    return UsageError("--ca-cert: required with --mode api (or --insecure)");
  }
  args.api.cases = args.cases < 0 ? 200 : args.cases;
  args.api.seed = args.seed;
  args.api.progress = [](const std::string& line) { std::cerr << line << std::endl; };
  absl::StatusOr<ApiLoadReport> report = ApiLoad(args.api);
  if (!report.ok()) return Failure(report.status());
  std::cout << absl::StrFormat(
      "created %d cases, %d transitions, %d notes, %d contacts (%d calls failed) in %.1f s\n",
      report->cases, report->transitions, report->notes, report->contacts, report->failed,
      absl::ToDoubleSeconds(report->elapsed));
  return report->failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace
}  // namespace consular::datagen

// What --help says about the tool.
constexpr char kAbout[] =
    R"(consular-datagen: realistic, fictional cases for consular-cases and consular-stats.
--mode bulk writes a whole data set (default 1,000,000 cases, ~10 events each) with COPY
as the database owner, sealed with the services' field keys and blind-index key, so the
services can read and search every case. --mode api creates a small data set (default 200
cases) through the public API. The same --seed gives the same content;
each api run creates new cases (its request ids are its own).)";

int main(int argc, char** argv) {
  using consular::datagen::Args;
  Args args;
  CLI::App app{kAbout};
  app.option_defaults()->always_capture_default();
  app.add_option("--mode", args.mode, "bulk or api")
      ->required()
      ->check(CLI::IsMember({"bulk", "api"}));
  app.add_option("--cases", args.cases, "cases to generate (bulk: 1000000, api: 200)")
      ->check(CLI::Range(int64_t{1}, int64_t{50000000}));
  app.add_option("--seed", args.seed, "seed of the content");
  app.add_option("--dsn", args.dsn, "bulk: libpq conninfo of the database owner (a superuser)")
      ->envname("CONSULAR_DATAGEN_DSN");
  app.add_option("--field-keys", args.keys.field_keys, "bulk: field-encryption key ring file")
      ->envname("CONSULAR_FIELD_KEYS");
  app.add_option("--blind-index-key", args.keys.blind_index_key, "bulk: blind-index key file")
      ->envname("CONSULAR_BLIND_INDEX_KEY");
  app.add_option("--events-per-case", args.events_per_case, "bulk: average events per case")
      ->check(CLI::Range(1.0, 100.0));
  app.add_option("--threads", args.threads, "bulk: threads sealing the personal parts")
      ->check(CLI::Range(1, 16));
  app.add_option("--addr", args.api.addr, "api: CaseService address HOST:PORT")
      ->envname("CONSULAR_ADDR");
  app.add_option("--contacts-addr", args.api.contacts_addr,
                 "api: ContactLogService address HOST:PORT (no contacts when empty)")
      ->envname("CONSULAR_CONTACTS_ADDR");
  consular::loadgen::AddClientFlags(app,
                                    {&args.api.ca_cert, &args.api.insecure, &args.api.token_key,
                                     &args.api.issuer, &args.api.audience},
                                    "api: ");
  CLI11_PARSE(app, argc, argv);
  return args.mode == "bulk" ? consular::datagen::RunBulk(args) : consular::datagen::RunApi(args);
}

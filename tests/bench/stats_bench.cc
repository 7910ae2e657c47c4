// The statistics benchmark (BENCHMARKS.md): bulk-loads a realistic data set (1,000,000 cases and
// about 10,000,000 events by default) into a fresh database, builds the rollups with the real
// RollupUpdater, and measures GetCountryStatistics for random countries (weighted like the data)
// and years: through the real gRPC server in-process, through StatisticsManager directly, and the
// plain GROUP BY over the base tables for comparison; and ListCountries (every country) over gRPC
// for varied periods. Not a test: run it with ops/bench-stats.sh.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <climits>
#include <cstdint>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/statistics.grpc.pb.h"
#include "base/clock.h"
#include "services/common/token.h"
#include "services/common/worker_pool.h"
#include "services/stats/country_counts.h"
#include "services/stats/linked_tables.h"
#include "services/stats/modular_protection.h"
#include "services/stats/releases.h"
#include "services/stats/rollups.h"
#include "services/stats/statistics_manager.h"
#include "services/stats/stats_service.h"
#include "storage/connection_pool.h"
#include "storage/release_store.h"
#include "storage/stats_store.h"
#include "storage/conninfo.h"
#include "storage/transaction_runner.h"
#include "tests/bench/stats_bulk_load.h"
#include "tests/common/test_crypto.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::bench {
namespace {

namespace v1 = consular::v1;
using stats::RollupDifference;
using stats::RollupUpdater;
using stats::StatisticsManager;
using stats::StatisticsServiceImpl;
using stats::StatisticsSettings;

constexpr int kFirstYear = 2017;
constexpr int kLastYear = 2026;

struct Flags {
  int64_t cases = 1000000;
  double events_per_case = 10;
  uint64_t seed = 20170101;
  int iterations = 500;
  int list_iterations = 200;    // ListCountries requests measured
  int recount_iterations = -1;  // -1: as iterations
  int warmup = 20;
  bool verify = false;
  bool check_load = false;
  std::string dsn;
  bool skip_load = false;
  bool skip_rebuild = false;
  bool keep_database = false;
  // Load with real keys (fresh random ones): names, free text and personal parts sealed as the
  // services seal them, with blind indexes, as consular-datagen --mode bulk writes them.
  bool sealed = false;
  int threads = 2;  // with --sealed: threads sealing the personal parts
  bool skip_release = false;
  std::string loss_csv;  // the information loss of every country-year, as CSV
};

void Say(const std::string& line) { std::cout << line << std::endl; }

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "stats_bench: " << what << std::endl;
  std::exit(1);
}

template <typename T>
T OrFail(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) Fail(absl::StrCat(what, ": ", value.status().ToString()));
  return *std::move(value);
}

void OrFail(const absl::Status& status, const std::string& what) {
  if (!status.ok()) Fail(absl::StrCat(what, ": ", status.ToString()));
}

// ---------------------------------------------------------------------------------------------
// The machine.

std::string FirstValue(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return "unknown";
}

std::string Machine() {
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  std::string ram = FirstValue("/proc/meminfo", "MemTotal");
  long kb = 0;
  if (std::sscanf(ram.c_str(), "%ld", &kb) == 1) {
    ram = absl::StrFormat("%.1f GiB", static_cast<double>(kb) / (1024.0 * 1024.0));
  }
  return absl::StrFormat("nproc %d, CPU %s, RAM %s", cpus,
                         FirstValue("/proc/cpuinfo", "model name"), ram);
}

// ---------------------------------------------------------------------------------------------
// Timing.

struct Summary {
  int n = 0;
  double p50 = 0, p95 = 0, p99 = 0, max = 0, mean = 0;
};

// Nearest-rank percentiles of `ms`.
Summary Summarise(std::vector<double> ms) {
  Summary s;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  const auto rank = [&](double q) {
    const size_t k = static_cast<size_t>(std::ceil(q * static_cast<double>(ms.size())));
    return ms[std::min(ms.size(), std::max<size_t>(1, k)) - 1];
  };
  s.n = static_cast<int>(ms.size());
  s.p50 = rank(0.50);
  s.p95 = rank(0.95);
  s.p99 = rank(0.99);
  s.max = ms.back();
  double total = 0;
  for (double v : ms) total += v;
  s.mean = total / static_cast<double>(ms.size());
  return s;
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

struct Request {
  std::string country;
  int year = 0;
};

// `n` requests for countries drawn with the weight of their cases, and years drawn uniformly.
std::vector<Request> Requests(const std::vector<std::pair<std::string, int64_t>>& countries, int n,
                              uint64_t seed) {
  std::vector<double> weights;
  for (const auto& [country, cases] : countries) weights.push_back(static_cast<double>(cases));
  std::mt19937_64 rng(seed);
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  std::uniform_int_distribution<int> year(kFirstYear, kLastYear);
  std::vector<Request> requests;
  for (int i = 0; i < n; ++i) requests.push_back({countries[pick(rng)].first, year(rng)});
  return requests;
}

v1::GetCountryStatisticsRequest ToProto(const Request& r) {
  v1::GetCountryStatisticsRequest request;
  request.set_country(r.country);
  request.mutable_period()->set_year(r.year);  // no dimensions: every dimension
  return request;
}

// `n` ListCountries requests as a client asks them: a year (2 in 5), a quarter (3 in 10), the
// last two to five whole years (1 in 5) or a run of two to four quarters (1 in 10), in each of the
// orders, rounded one time in five.
std::vector<v1::ListCountriesRequest> ListRequests(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<int> year(kFirstYear, kLastYear);
  std::uniform_int_distribution<int> quarter(1, 4);
  std::uniform_int_distribution<int> years_back(1, 4);
  std::uniform_int_distribution<int> quarters_more(1, 3);
  std::uniform_int_distribution<int> order(v1::COUNTRY_ORDER_VOLUME, v1::COUNTRY_ORDER_COUNTRY);
  std::uniform_int_distribution<int> fifth(0, 4);
  const auto date = [](v1::Date* d, int y, int m, int day) {
    d->set_year(y);
    d->set_month(m);
    d->set_day(day);
  };
  std::vector<v1::ListCountriesRequest> requests;
  for (int i = 0; i < n; ++i) {
    v1::ListCountriesRequest r;
    const int k = kind(rng);
    if (k < 4) {
      r.mutable_period()->set_year(year(rng));
    } else if (k < 7) {
      r.mutable_period()->mutable_quarter()->set_year(year(rng));
      r.mutable_period()->mutable_quarter()->set_quarter(quarter(rng));
    } else if (k < 9) {
      const int last = year(rng);
      date(r.mutable_period()->mutable_range()->mutable_from(), last - years_back(rng), 1, 1);
      date(r.mutable_period()->mutable_range()->mutable_to(), last, 12, 31);
    } else {
      // Quarters q0 .. q0 + more, counted from the first quarter of the first year.
      const int q0 = (year(rng) - kFirstYear) * 4 + quarter(rng) - 1;
      const int q1 = std::min(q0 + quarters_more(rng), (kLastYear - kFirstYear + 1) * 4 - 1);
      const int to_month = (q1 % 4) * 3 + 3;
      date(r.mutable_period()->mutable_range()->mutable_from(), kFirstYear + q0 / 4,
           (q0 % 4) * 3 + 1, 1);
      date(r.mutable_period()->mutable_range()->mutable_to(), kFirstYear + q1 / 4, to_month,
           to_month == 6 || to_month == 9 ? 30 : 31);
    }
    r.set_order_by(static_cast<v1::CountryOrder>(order(rng)));
    r.set_round_to_base5(fifth(rng) == 0);
    requests.push_back(std::move(r));
  }
  return requests;
}

// Runs `call` for the warm-up requests, then times it for each measured one.
template <typename R>
std::vector<double> Measure(const std::vector<R>& warmup, const std::vector<R>& measured,
                            const std::function<void(const R&)>& call) {
  for (const R& r : warmup) call(r);
  std::vector<double> ms;
  ms.reserve(measured.size());
  for (const R& r : measured) {
    const auto start = std::chrono::steady_clock::now();
    call(r);
    ms.push_back(MillisSince(start));
  }
  return ms;
}

std::string Scalar(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction tx(connection);
  const pqxx::result r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

// Information loss of one country-year: its figures of at least 1 (cells) and their sum (people
// in them), and how many of each are suppressed.
struct Loss {
  int64_t cells = 0, cells_hidden = 0, people = 0, people_hidden = 0;
  void Add(const stats::Released& figure) {
    if (figure.value <= 0) return;
    ++cells;
    people += figure.value;
    if (figure.suppressed) {
      ++cells_hidden;
      people_hidden += figure.value;
    }
  }
  double CellShare() const { return cells == 0 ? 0 : static_cast<double>(cells_hidden) / cells; }
  double PeopleShare() const {
    return people == 0 ? 0 : static_cast<double>(people_hidden) / people;
  }
};

struct CountryYearLoss {
  std::string country;
  int year = 0;
  int64_t opened = 0;  // cases opened in the year
  Loss before, after;
};

std::map<int, Loss> LossByYear(const stats::ReleasedCountry& country) {
  std::map<int, Loss> by_year;
  for (const auto& [key, figure] : country.figures) {
    // People only: not the contacts counted under the previous definitions.
    if (key.measure != stats::kContactsPrevious) by_year[key.year].Add(figure);
  }
  return by_year;
}

// 2b. Releases at 1,000,000 cases: the time to make two releases (each protected jointly with every
// release before it; the second of the same data, so it repeats the first), and the information
// loss of every country-year in the release ("after": every table of a country as one linked set)
// against the tables protected one by one ("before": ProtectModular, what a reader was shown
// table by table).
void MeasureReleases(const Flags& flags, storage::TransactionRunner& runner,
                     StatisticsManager& manager) {
  const Identity admin{"bench-administrator", v1::ROLE_ADMINISTRATOR, ""};
  std::vector<v1::Release> made;
  for (int i = 1; i <= 2; ++i) {
    v1::CreateReleaseRequest request;
    request.set_request_id(absl::StrCat("bench-release-", i, "-", flags.seed));
    v1::Release release;
    const auto start = std::chrono::steady_clock::now();
    OrFail(manager.CreateRelease(admin, request, absl::Now() + absl::Hours(4), &release),
           absl::StrCat("release ", i));
    const double seconds = MillisSince(start) / 1000;
    Say(absl::StrFormat(
        "Release %d (%s): %.1f s in all, %.1f s protecting; %d countries, %d figures of at least "
        "1 (%d suppressed, %.2f%%), people in them %d (%d in suppressed figures, %.2f%%)",
        release.number(),
        release.number() == 1 ? "no release before" : "jointly with every release before",
        seconds,
        static_cast<double>(release.build_millis()) / 1000, release.countries(), release.cells(),
        release.cells_suppressed(),
        100.0 * static_cast<double>(release.cells_suppressed()) /
            static_cast<double>(std::max<int64_t>(1, release.cells())),
        release.people(), release.people_suppressed(),
        100.0 * static_cast<double>(release.people_suppressed()) /
            static_cast<double>(std::max<int64_t>(1, release.people()))));
    made.push_back(release);
  }

  std::vector<CountryYearLoss> losses;
  const auto start = std::chrono::steady_clock::now();
  OrFail(runner.Run(absl::Now() + absl::Hours(4), [&](pqxx::transaction_base& tx) -> absl::Status {
    losses.clear();
    storage::StatsStore store(tx);
    storage::ReleaseStore releases(tx);
    for (const std::string& country : store.Countries(0, 9999)) {
      stats::CountryCounts counts;
      for (const storage::RollupRow& row : store.Rollups(country, 0, 9999, true)) counts.Add(row);
      stats::LoadContactCases(store, country, 0, 9999, &counts);
      const auto [first, last] = counts.Years();
      if (first == 0) continue;
      const std::optional<stats::ReleasedCountry> after =
          stats::LoadReleased(releases, made.back().number(), country, 1, 0);
      if (!after) continue;
      const stats::LinkedProtection before = stats::ProtectModular(counts, first, last, 5);
      std::map<int, Loss> before_years = LossByYear(before.country);
      std::map<int, Loss> after_years = LossByYear(*after);
      for (int year = first; year <= last; ++year) {
        CountryYearLoss loss;
        loss.country = country;
        loss.year = year;
        loss.opened = after->Get(stats::FigureKey(year, stats::kSlotYear, stats::kOpened,
                                                  stats::kTotal, stats::kAll))
                          .value;
        loss.before = before_years[year];
        loss.after = after_years[year];
        if (loss.after.cells > 0) losses.push_back(std::move(loss));
      }
    }
    return absl::OkStatus();
  }), "information loss");
  Say(absl::StrFormat("Information loss of %d country-years computed in %.1f s", losses.size(),
                      MillisSince(start) / 1000));

  if (!flags.loss_csv.empty()) {
    std::ofstream csv(flags.loss_csv);
    csv << "country,year,cases_opened,cells,cells_hidden_before,cells_hidden_after,people,"
           "people_hidden_before,people_hidden_after\n";
    for (const CountryYearLoss& l : losses) {
      csv << l.country << ',' << l.year << ',' << l.opened << ',' << l.after.cells << ','
          << l.before.cells_hidden << ',' << l.after.cells_hidden << ',' << l.after.people << ','
          << l.before.people_hidden << ',' << l.after.people_hidden << '\n';
    }
    Say(absl::StrCat("Wrote the loss of every country-year to ", flags.loss_csv));
  }

  // By the size of the country-year (cases opened in it): the mean share per country-year, and
  // the share of all cells and people of the class.
  struct SizeClass {
    const char* name;
    int64_t low, high;
  };
  const SizeClass classes[] = {{"1-9", 1, 9},          {"10-49", 10, 49},
                               {"50-199", 50, 199},    {"200-999", 200, 999},
                               {"1000 and more", 1000, INT64_MAX}, {"all", 0, INT64_MAX}};
  Say("");
  Say("Information loss per country-year, before (tables protected one by one) and after (every "
      "table of a country linked, jointly with every release before)");
  Say("| cases opened in the country-year | country-years | mean share of cells hidden, before | "
      "after | mean share of people hidden, before | after | all cells hidden, before | after | "
      "all people hidden, before | after |");
  Say("|---|---|---|---|---|---|---|---|---|---|");
  for (const SizeClass& c : classes) {
    int n = 0;
    double cells_before = 0, cells_after = 0, people_before = 0, people_after = 0;
    Loss before, after;
    for (const CountryYearLoss& l : losses) {
      if (l.opened < c.low || l.opened > c.high) continue;
      ++n;
      cells_before += l.before.CellShare();
      cells_after += l.after.CellShare();
      people_before += l.before.PeopleShare();
      people_after += l.after.PeopleShare();
      before.cells += l.before.cells;
      before.cells_hidden += l.before.cells_hidden;
      before.people += l.before.people;
      before.people_hidden += l.before.people_hidden;
      after.cells += l.after.cells;
      after.cells_hidden += l.after.cells_hidden;
      after.people += l.after.people;
      after.people_hidden += l.after.people_hidden;
    }
    if (n == 0) continue;
    const auto pct = [](double x) { return absl::StrFormat("%.1f%%", 100 * x); };
    Say(absl::StrCat("| ", c.name, " | ", n, " | ", pct(cells_before / n), " | ",
                     pct(cells_after / n), " | ", pct(people_before / n), " | ",
                     pct(people_after / n), " | ", pct(before.CellShare()), " | ",
                     pct(after.CellShare()), " | ", pct(before.PeopleShare()), " | ",
                     pct(after.PeopleShare()), " |"));
  }
  Say("");
}

int Run(const Flags& flags) {
  Say(absl::StrCat("Machine: ", Machine()));

  // The database: a fresh one (dropped at the end unless kept), or the one named.
  std::unique_ptr<consular::testing::TestDatabase> db;
  std::string owner_dsn = flags.dsn;
  std::string app_dsn;
  if (owner_dsn.empty()) {
    try {
      db = consular::testing::TestDatabase::Create();
    } catch (const std::exception& e) {
      Fail(e.what());
    }
    owner_dsn = db->dsn();
    app_dsn = db->app_dsn();
    Say(absl::StrCat("Database: ", db->name(), " (fresh, migrated)"));
  } else {
    app_dsn = OrFail(
        storage::OverrideConninfo(owner_dsn, {{"user", consular::testing::TestDatabase::kAppRole}}),
        "--dsn");
    Say(absl::StrCat("Database: ", owner_dsn));
  }
  pqxx::connection owner(owner_dsn);
  Say(absl::StrCat("PostgreSQL: ", Scalar(owner, "SHOW server_version"), ", shared_buffers ",
                   Scalar(owner, "SHOW shared_buffers"), ", work_mem ",
                   Scalar(owner, "SHOW work_mem"), ", fsync ", Scalar(owner, "SHOW fsync"),
                   ", synchronous_commit ", Scalar(owner, "SHOW synchronous_commit"),
                   ", full_page_writes ", Scalar(owner, "SHOW full_page_writes")));

  // The services' keys: fresh for this run. The load seals with them when --sealed; the manager
  // below is handed them either way.
  const consular::testing::TestFieldCrypto field_keys;

  // 1. Load.
  if (!flags.skip_load) {
    Say(absl::StrFormat("Loading %d cases, about %.1f events each (seed %d, %s) ...", flags.cases,
                        flags.events_per_case, flags.seed,
                        flags.sealed
                            ? absl::StrFormat("sealed with real keys, %d threads", flags.threads)
                            : "placeholder ciphertexts"));
    BulkLoadOptions options;
    options.cases = flags.cases;
    options.events_per_case = flags.events_per_case;
    options.seed = flags.seed;
    options.progress = Say;
    if (flags.sealed) {
      options.cipher = &field_keys.cipher;
      options.blind_index = &field_keys.blind_index;
      options.threads = flags.threads;
    }
    const BulkLoadReport report = OrFail(BulkLoad(owner_dsn, options), "load");
    Say(absl::StrFormat(
        "Load: %.1f s (generate %.1f s, seal %.1f s, COPY + commit %.1f s), VACUUM ANALYZE %.1f s; "
        "in all %.1f s",
        absl::ToDoubleSeconds(report.generate + report.seal + report.copy),
        absl::ToDoubleSeconds(report.generate), absl::ToDoubleSeconds(report.seal),
        absl::ToDoubleSeconds(report.copy), absl::ToDoubleSeconds(report.vacuum),
        absl::ToDoubleSeconds(report.generate + report.seal + report.copy + report.vacuum)));
  }
  Say(absl::StrCat(
      "Rows: cases ", Scalar(owner, "SELECT count(*) FROM cases.cases"), ", case_events ",
      Scalar(owner, "SELECT count(*) FROM cases.case_events"), " (",
      Scalar(owner,
             "SELECT round(count(*)::numeric / GREATEST(1, (SELECT count(*) FROM cases.cases)), 2) "
             "FROM cases.case_events"),
      " per case), case_notes ", Scalar(owner, "SELECT count(*) FROM cases.case_notes"),
      ", contacts ", Scalar(owner, "SELECT count(*) FROM contacts.contacts"), ", partners ",
      Scalar(owner, "SELECT count(*) FROM contacts.partners"), "; database ",
      Scalar(owner, "SELECT pg_size_pretty(pg_database_size(current_database()))")));
  if (flags.check_load) {
    const auto start = std::chrono::steady_clock::now();
    const int64_t mismatches = OrFail(CheckLoadedFacts(owner_dsn), "checking the load");
    Say(
        absl::StrFormat("Load check: %d mismatches between the last events' facts and "
                        "cases/contacts.statistical_facts_of (%.1f s)",
                        mismatches, MillisSince(start) / 1000));
    if (mismatches != 0) Fail("the loaded facts do not match the database's definitions");
  }

  // The service's side: connections as the service role, field crypto, tokens, the manager.
  storage::ConnectionPool pool(storage::PoolOptions{app_dsn, 4});
  storage::TransactionRunner runner(&pool);
  RollupUpdater updater(&runner);

  // 2. Rebuild.
  if (!flags.skip_rebuild) {
    Say("Rebuilding the rollups (RollupUpdater::Rebuild, as the service role) ...");
    auto start = std::chrono::steady_clock::now();
    const absl::StatusOr<int64_t> rebuilt = updater.Rebuild();
    double seconds = MillisSince(start) / 1000;
    if (rebuilt.ok()) {
      Say(absl::StrFormat("Rebuild: %.1f s, %d events applied (%.0f events/s), %s rollup rows",
                          seconds, *rebuilt,
                          static_cast<double>(*rebuilt) / std::max(seconds, 1e-3),
                          Scalar(owner, "SELECT count(*) FROM stats.rollup")));
    } else {
      // Rebuild is one transaction with a deadline of its own; when it fails, the rollups are
      // built with CatchUp (a transaction per batch) so the measurements can still be taken.
      Say(absl::StrFormat("Rebuild FAILED after %.1f s: %s", seconds, rebuilt.status().ToString()));
      Say("Building the rollups with RollupUpdater::CatchUp instead ...");
      start = std::chrono::steady_clock::now();
      const int64_t applied = OrFail(updater.CatchUp(), "catch up");
      seconds = MillisSince(start) / 1000;
      Say(absl::StrFormat("CatchUp: %.1f s, %d events applied (%.0f events/s), %s rollup rows",
                          seconds, applied, static_cast<double>(applied) / std::max(seconds, 1e-3),
                          Scalar(owner, "SELECT count(*) FROM stats.rollup")));
    }
    // A million rows were just written: autovacuum would vacuum and analyze the table within a
    // minute or so (its insert threshold). Done here at once, so that the measurements see the
    // steady state (planner statistics, and the visibility map that index-only scans rely on).
    start = std::chrono::steady_clock::now();
    pqxx::nontransaction vacuum(owner);
    vacuum.exec0("VACUUM ANALYZE stats.rollup");
    Say(absl::StrFormat("VACUUM ANALYZE stats.rollup: %.1f s", MillisSince(start) / 1000));
  }
  if (flags.verify) {
    Say("Verifying the rollups against cases.statistical_recount (RollupUpdater::Verify) ...");
    const auto start = std::chrono::steady_clock::now();
    const std::vector<RollupDifference> differences = OrFail(updater.Verify(), "verify");
    Say(absl::StrFormat("Verify: %d differences (%.1f s)", differences.size(),
                        MillisSince(start) / 1000));
    for (size_t i = 0; i < differences.size() && i < 10; ++i) {
      const RollupDifference& d = differences[i];
      Say(absl::StrFormat("  %s %d-%02d %s %s %s: rollup %d, recount %d", d.key.country, d.key.year,
                          d.key.month, d.key.measure, d.key.dimension, d.key.category, d.rollup,
                          d.recount));
    }
  }

  // 3. Requests: countries weighted by their cases, years 2017..2026; the same for each path.
  std::vector<std::pair<std::string, int64_t>> countries;
  {
    pqxx::nontransaction tx(owner);
    for (const pqxx::row& row :
         tx.exec("SELECT country, count(*) FROM cases.cases GROUP BY country ORDER BY 2 DESC")) {
      countries.emplace_back(row[0].as<std::string>(), row[1].as<int64_t>());
    }
  }
  if (countries.empty()) Fail("the database holds no cases");
  const std::vector<Request> warmup = Requests(countries, flags.warmup, flags.seed ^ 0x3a3aULL);
  const std::vector<Request> measured = Requests(countries, flags.iterations, flags.seed);
  const int recount_n = flags.recount_iterations < 0 ? flags.iterations : flags.recount_iterations;
  const std::vector<Request> recount_measured(
      measured.begin(), measured.begin() + std::min<size_t>(recount_n, measured.size()));
  const std::vector<Request> recount_warmup(warmup.begin(),
                                            warmup.begin() + std::min<size_t>(warmup.size(), 3));

  StatisticsManager manager(
      &runner, consular::SystemClock(), field_keys.crypto(), StatisticsSettings{});
  const consular::testing::KeyPair keys = consular::testing::GenerateEcKeyPair();
  VerifierOptions verifier_options;
  verifier_options.public_key_pems = {keys.public_pem};
  const std::unique_ptr<TokenVerifier> verifier =
      OrFail(MakeJwtTokenVerifier(verifier_options), "token verifier");
  TokenClaims claims;
  claims.subject = "bench-policy-staff";
  claims.role = v1::ROLE_POLICY_STAFF;
  claims.ttl = absl::Hours(48);
  claims.now = absl::Now();
  const std::string token = OrFail(MintToken(keys.private_pem, claims), "token");
  const Identity policy{claims.subject, v1::ROLE_POLICY_STAFF, ""};

  // a. Through the gRPC server, in-process on 127.0.0.1:0.
  WorkerPool workers(2, 64);
  StatisticsServiceImpl service(&manager, CallEnvironment{&workers, verifier.get()});
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  const std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) Fail("the gRPC server did not start");
  const auto stub = v1::StatisticsService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  // Readers see releases: make them (timed) and report their information loss.
  if (!flags.skip_release) MeasureReleases(flags, runner, manager);
  // The load and the rebuild wrote some 15 GB, which PostgreSQL is still writing out to its files
  // in the background (a checkpoint spread over minutes), slowing every WAL flush meanwhile,
  // including each request's audit commit. A service in its steady state is not in the minutes
  // after a bulk load: finish that checkpoint first.
  {
    const auto start = std::chrono::steady_clock::now();
    try {
      pqxx::nontransaction checkpoint(owner);
      checkpoint.exec0("CHECKPOINT");
      Say(absl::StrFormat("CHECKPOINT: %.1f s", MillisSince(start) / 1000));
    } catch (const std::exception& e) {
      Say(absl::StrCat("CHECKPOINT not possible (", e.what(), "); measuring without it"));
    }
  }
  // Every country-year read once before measuring. A running service keeps this working set
  // (the rollups' indexes) in memory; the load, rebuild and verify above have just pushed it out
  // by reading gigabytes of base tables, and without this pass the first path measured would pay
  // for bringing it back, one cold country-year at a time.
  {
    const auto start = std::chrono::steady_clock::now();
    int n = 0;
    for (const auto& [country, cases] : countries) {
      for (int year = kFirstYear; year <= kLastYear; ++year, ++n) {
        v1::CountryStatistics out;
        OrFail(manager.GetCountryStatistics(policy, ToProto(Request{country, year}),
                                            absl::Now() + absl::Seconds(30), &out),
               absl::StrCat("warm-up ", country, " ", year));
      }
    }
    Say(absl::StrFormat("Warm-up pass: every country-year once (%d requests, %.1f s)", n,
                        MillisSince(start) / 1000));
  }
  int64_t grpc_cells = 0;
  Say(
      absl::StrFormat("Measuring: %d requests per path, sequential, after %d warm-up requests "
                      "(3 for the recount), all dimensions ...",
                      flags.iterations, flags.warmup));
  const std::vector<double> grpc_ms = Measure<Request>(warmup, measured, [&](const Request& r) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::CountryStatistics out;
    const grpc::Status status = stub->GetCountryStatistics(&ctx, ToProto(r), &out);
    if (!status.ok()) {
      Fail(absl::StrCat("GetCountryStatistics ", r.country, " ", r.year, ": ",
                        status.error_message()));
    }
    for (const v1::Breakdown& b : out.breakdowns()) grpc_cells += b.cells_size();
  });
  Say(absl::StrFormat(
      "  a. gRPC done (%.0f cells per response on average)",
      static_cast<double>(grpc_cells) / static_cast<double>(flags.iterations + flags.warmup)));

  // d. ListCountries through the same gRPC server: every country of the release, varied periods
  // and orders.
  const std::vector<v1::ListCountriesRequest> list_warmup =
      ListRequests(flags.warmup, flags.seed ^ 0x5c5cULL);
  const std::vector<v1::ListCountriesRequest> list_measured =
      ListRequests(flags.list_iterations, flags.seed ^ 0x1157ULL);
  int64_t list_rows = 0;
  const std::vector<double> list_ms = Measure<v1::ListCountriesRequest>(
      list_warmup, list_measured, [&](const v1::ListCountriesRequest& r) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        ctx.AddMetadata("authorization", "Bearer " + token);
        v1::ListCountriesResponse out;
        const grpc::Status status = stub->ListCountries(&ctx, r, &out);
        if (!status.ok()) {
          Fail(absl::StrCat("ListCountries ", r.ShortDebugString(), ": ", status.error_message()));
        }
        list_rows += out.countries_size();
      });
  Say(absl::StrFormat(
      "  d. ListCountries over gRPC done (%.0f countries per response on average)",
      static_cast<double>(list_rows) /
          static_cast<double>(std::max<size_t>(1, list_warmup.size() + list_measured.size()))));

  // b. StatisticsManager directly.
  const std::vector<double> manager_ms = Measure<Request>(warmup, measured, [&](const Request& r) {
    v1::CountryStatistics out;
    OrFail(manager.GetCountryStatistics(policy, ToProto(r), absl::Now() + absl::Seconds(30), &out),
           absl::StrCat("StatisticsManager::GetCountryStatistics ", r.country, " ", r.year));
  });
  Say("  b. StatisticsManager done");

  // c. The plain GROUP BY over the base tables, as the owner.
  owner.prepare("recount", "SELECT * FROM cases.statistical_recount($1) WHERE year = $2");
  int64_t recount_rows = 0;
  const std::vector<double> recount_ms =
      Measure<Request>(recount_warmup, recount_measured, [&](const Request& r) {
        pqxx::nontransaction tx(owner);
        recount_rows += static_cast<int64_t>(tx.exec_prepared("recount", r.country, r.year).size());
      });
  Say("  c. recount done");

  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  workers.Shutdown();

  // 4. Results.
  const Summary a = Summarise(grpc_ms);
  const Summary b = Summarise(manager_ms);
  const Summary c = Summarise(recount_ms);
  const Summary d = Summarise(list_ms);
  Say("");
  Say("Results (milliseconds)");
  Say(absl::StrFormat("| %-58s | %5s | %8s | %8s | %8s | %8s | %8s |", "Path", "n", "p50", "p95",
                      "p99", "max", "mean"));
  Say(absl::StrFormat("|%s|%s|%s|%s|%s|%s|%s|", std::string(60, '-'), std::string(7, '-'),
                      std::string(10, '-'), std::string(10, '-'), std::string(10, '-'),
                      std::string(10, '-'), std::string(10, '-')));
  const auto line = [](const std::string& name, const Summary& s) {
    Say(absl::StrFormat("| %-58s | %5d | %8.2f | %8.2f | %8.2f | %8.2f | %8.2f |", name, s.n, s.p50,
                        s.p95, s.p99, s.max, s.mean));
  };
  line("a. GetCountryStatistics over gRPC (token, audit, rollups)", a);
  line("b. StatisticsManager::GetCountryStatistics (no gRPC)", b);
  line("c. statistical_recount(country) WHERE year (GROUP BY)", c);
  line("d. ListCountries over gRPC (token, audit, every country)", d);
  Say(absl::StrFormat("(recount rows returned on average: %.0f)",
                      static_cast<double>(recount_rows) /
                          static_cast<double>(std::max<size_t>(
                              1, recount_measured.size() + recount_warmup.size()))));
  Say("");
  Say(absl::StrFormat("GetCountryStatistics p50 %.2f ms (target ≤ 10 ms): %s", a.p50,
                      a.p50 <= 10.0 ? "met" : "missed"));
  Say(absl::StrFormat("ListCountries p50 %.2f ms (target ≤ 20 ms): %s", d.p50,
                      d.p50 <= 20.0 ? "met" : "missed"));
  Say(absl::StrCat("Machine: ", Machine()));

  if (db != nullptr && flags.keep_database) {
    Say(absl::StrCat("Kept database ", db->name(), ": --dsn \"", owner_dsn, "\""));
    (void)db.release();  // kept on purpose: not dropped
  }
  return 0;
}

}  // namespace
}  // namespace consular::bench

int main(int argc, char** argv) {
  consular::bench::Flags flags;
  CLI::App app{
      "Statistics benchmark: bulk-load cases and events, rebuild the rollups, measure "
      "GetCountryStatistics and ListCountries (see BENCHMARKS.md). Needs CONSULAR_TEST_PG (or "
      "--dsn)."};
  app.add_option("--cases", flags.cases, "cases to load")->check(CLI::Range(1, 50000000));
  app.add_option("--events-per-case", flags.events_per_case, "average events per case to aim at")
      ->check(CLI::Range(1.0, 100.0));
  app.add_option("--seed", flags.seed, "seed of the data and of the requests");
  app.add_option("--iterations", flags.iterations, "measured requests per path")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--list-iterations", flags.list_iterations,
                 "measured ListCountries requests (after --warmup warm-up requests)")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--recount-iterations", flags.recount_iterations,
                 "measured recount queries (default: --iterations)");
  app.add_option("--warmup", flags.warmup, "warm-up requests per path before measuring")
      ->check(CLI::Range(0, 100000));
  app.add_flag("--verify", flags.verify,
               "also run RollupUpdater::Verify and print the differences (must be 0)");
  app.add_flag("--check-load", flags.check_load,
               "check each case's and contact's last event facts against the database's own "
               "statistical_facts_of");
  app.add_option("--dsn", flags.dsn,
                 "use this database (owner conninfo) instead of a fresh one on CONSULAR_TEST_PG");
  app.add_flag("--skip-load", flags.skip_load, "do not load (with --dsn: already loaded)");
  app.add_flag("--skip-rebuild", flags.skip_rebuild, "do not rebuild the rollups");
  app.add_flag("--keep-database", flags.keep_database,
               "keep the fresh database at the end and print its conninfo for --dsn");
  app.add_flag("--sealed", flags.sealed,
               "load with fresh real keys: sealed personal parts, names, free text and blind "
               "indexes, as consular-datagen --mode bulk writes them");
  app.add_flag("--skip-release", flags.skip_release,
               "do not make releases (readers then find none: only for a database that has one)");
  app.add_option("--loss-csv", flags.loss_csv,
                 "write the information loss of every country-year to this CSV file");
  app.add_option("--threads", flags.threads, "with --sealed: threads sealing the personal parts")
      ->check(CLI::Range(1, 16));
  CLI11_PARSE(app, argc, argv);
  return consular::bench::Run(flags);
}

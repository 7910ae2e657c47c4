// consularctl stats|report: statistics and country dossiers, through consular-stats
// (StatisticsService, ReportService) at --stats-addr. The bilateral-talks register's commands are
// in commands_talks.cc.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/statistics.pb.h"
#include "google/protobuf/util/time_util.h"
#include "tools/consularctl/case_fields.h"
#include "tools/consularctl/client.h"
#include "tools/consularctl/command_support.h"
#include "tools/consularctl/commands.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/format.h"
#include "tools/consularctl/stats_format.h"

namespace consular::ctl {
namespace {

using ::consular::v1::CountryStatistics;
using ::consular::v1::Figure;
using ::consular::v1::Period;

// The period flags shared by stats and report commands.
struct PeriodArgs {
  int year = 0;
  std::string quarter;  // 2026-Q2
  std::string from;
  std::string to;
};

struct StatsCountryArgs {
  std::string country;
  PeriodArgs period;
  std::vector<std::string> dimensions;
  bool round = false;
  int release = 0;
};

struct StatsCountriesArgs {
  PeriodArgs period;
  std::string order = "volume";
  bool round = false;
  int release = 0;
};

struct StatsSeriesArgs {
  std::string country;
  std::string measure;
  std::string interval = "year";
  int from_year = 0;
  int to_year = 0;
  std::string dimension;
  std::string category;
  bool round = false;
  int release = 0;
};

struct ReportArgs {
  std::string country;
  PeriodArgs period;
  std::string format = "html";
  std::string language;
  std::string output;
  bool round = false;
  int release = 0;
};

struct ReleaseCreateArgs {
  std::string request_id;
};

struct ReleaseListArgs {
  PagingArgs paging;
};

void AddReleaseOption(CLI::App* command, int* release) {
  command->add_option("--release", *release, "Release number (default: the newest)")
      ->check(CLI::NonNegativeNumber);
}

int CurrentYear() {
  return static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
}

// The period the flags name: --year, --quarter or --from/--to; the current year when none is
// given. INVALID_ARGUMENT naming the flag.
absl::StatusOr<Period> PeriodOf(const PeriodArgs& args) {
  Period period;
  const int kinds =
      (args.year != 0) + !args.quarter.empty() + (!args.from.empty() || !args.to.empty());
  if (kinds > 1) {
    return absl::InvalidArgumentError("give one of --year, --quarter or --from/--to");
  }
  if (!args.quarter.empty()) {
    std::string q = absl::AsciiStrToUpper(args.quarter);
    int year = 0, quarter = 0;
    char rest = 0;
    if (std::sscanf(q.c_str(), "%d-Q%d%c", &year, &quarter, &rest) != 2 &&
        std::sscanf(q.c_str(), "%dQ%d%c", &year, &quarter, &rest) != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("--quarter: \"", args.quarter, "\" is not YYYY-Qn (e.g. 2026-Q2)"));
    }
    period.mutable_quarter()->set_year(year);
    period.mutable_quarter()->set_quarter(quarter);
    return period;
  }
  if (!args.from.empty() || !args.to.empty()) {
    if (args.from.empty() || args.to.empty()) {
      return absl::InvalidArgumentError("--from and --to go together");
    }
    absl::StatusOr<consular::v1::Date> from = ParseDate(args.from);
    if (!from.ok())
      return absl::InvalidArgumentError(absl::StrCat("--from: ", from.status().message()));
    absl::StatusOr<consular::v1::Date> to = ParseDate(args.to);
    if (!to.ok()) return absl::InvalidArgumentError(absl::StrCat("--to: ", to.status().message()));
    *period.mutable_range()->mutable_from() = *from;
    *period.mutable_range()->mutable_to() = *to;
    return period;
  }
  period.set_year(args.year != 0 ? args.year : CurrentYear());
  return period;
}

void AddPeriodOptions(CLI::App* command, PeriodArgs* args) {
  command->add_option("--year", args->year, "Calendar year (default: this year)")
      ->type_name("YYYY");
  command->add_option("--quarter", args->quarter, "Calendar quarter, e.g. 2026-Q2")
      ->type_name("YYYY-Qn");
  command->add_option("--from", args->from, "First day of a quarter (with --to)")
      ->type_name("DATE")
      ->check(DateValidator());
  command->add_option("--to", args->to, "Last day of a quarter (with --from)")
      ->type_name("DATE")
      ->check(DateValidator());
}

}  // namespace

std::string PeriodText(const Period& p) {
  switch (p.kind_case()) {
    case Period::kQuarter:
      return absl::StrFormat("%d-Q%d", p.quarter().year(), p.quarter().quarter());
    case Period::kRange:
      return absl::StrCat(FormatDate(p.range().from()), " to ", FormatDate(p.range().to()));
    default:
      return absl::StrCat(p.year());
  }
}

std::string FigureText(const Figure& f) { return f.suppressed() ? "x" : absl::StrCat(f.value()); }

std::string FreshnessText(int release, const std::string& definition_version,
                          const google::protobuf::Timestamp& as_of) {
  return absl::StrCat("release ", release, ", definitions ", definition_version,
                      ", figures as of ", FormatTimestamp(as_of));
}

std::string Legend(int threshold, bool rounded) {
  return absl::StrCat("x: not published (fewer than ", threshold,
                      ", or would let such a figure be worked out)",
                      rounded ? "; figures rounded to multiples of 5" : "", "\n");
}

std::string FormatStatistics(const CountryStatistics& s) {
  std::string out = absl::StrCat(s.country(), " ", PeriodText(s.period()), " (",
                                 FreshnessText(s), ")\n");
  out += FormatTable({"FIGURE", "VALUE"},
                     {{"cases opened", FigureText(s.cases_opened())},
                      {"cases resolved", FigureText(s.cases_resolved())},
                      {"cases unresolved at the end", FigureText(s.cases_unresolved())},
                      {"cases with contacts", FigureText(s.contacts())},
                      {"median days to resolution", FigureText(s.median_days_to_resolution())}});
  // A breakdown: its title ("contacts by partner kind"), then a row per category and the total.
  const auto breakdown = [&out](const std::string& measure, const consular::v1::Breakdown& b) {
    out += absl::StrCat("\n", measure, " by ",
                        EnumWords(consular::v1::Dimension_descriptor(), b.dimension()), "\n");
    std::vector<std::vector<std::string>> rows;
    for (const consular::v1::Cell& c : b.cells())
      rows.push_back({CategoryWords(c.category(), b.dimension()), FigureText(c.figure())});
    rows.push_back({"total", FigureText(b.total())});
    out += FormatTable({"CATEGORY", "VALUE"}, rows);
  };
  for (const consular::v1::Breakdown& b : s.breakdowns()) {
    breakdown(EnumWords(consular::v1::Measure_descriptor(), b.measure()), b);
  }
  if (s.has_previous_definition()) {
    const consular::v1::PreviousDefinitionFigures& p = s.previous_definition();
    out += absl::StrCat("\nUnder definitions ", p.definition_version(),
                        " (counted until this overlap year: every contact, not the cases)\n");
    out += FormatTable({"FIGURE", "VALUE"}, {{"contacts with partners", FigureText(p.contacts())}});
    for (const consular::v1::Breakdown& b : p.breakdowns()) {
      breakdown(absl::StrCat("contacts (definitions ", p.definition_version(), ")"), b);
    }
  }
  out += "\n" + Legend(s.threshold(), s.rounded_to_base5());
  return out;
}

namespace {

int RunStatsCountry(const StatsContext& context, const StatsCountryArgs& args) {
  consular::v1::GetCountryStatisticsRequest request;
  request.set_country(CountryCode(args.country));
  absl::StatusOr<Period> period = PeriodOf(args.period);
  if (!period.ok()) return ReportUsageError(period.status().message());
  *request.mutable_period() = *period;
  for (const std::string& d : args.dimensions) {
    absl::StatusOr<consular::v1::Dimension> dimension =
        ParseEnumAs<consular::v1::Dimension>(consular::v1::Dimension_descriptor(), d);
    if (!dimension.ok()) {
      return ReportUsageError(absl::StrCat("--dimension: ", dimension.status().message()));
    }
    request.add_dimensions(*dimension);
  }
  request.set_round_to_base5(args.round);
  request.set_release(args.release);
  return RunCall(context, &StatisticsStub::GetCountryStatistics, request, &FormatStatistics);
}

// CONTACTS: the cases with contacts; in the overlap year of a change of definitions, the
// contacts as the previous ones counted them beside ("CONTACTS (DEF. 1)").
std::string FormatCountries(const Period& period,
                            const consular::v1::ListCountriesResponse& response) {
  const std::string& previous = response.previous_definition_version();
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::CountryRow& r : response.countries()) {
    rows.push_back({r.country(), FigureText(r.cases_opened()), FigureText(r.cases_resolved()),
                    FigureText(r.cases_unresolved()), FigureText(r.recognition_granted()),
                    FigureText(r.recognition_refused()), FigureText(r.returned_to_nl()),
                    FigureText(r.contacts())});
    if (!previous.empty()) {
      rows.back().push_back(r.has_previous_definition_contacts()
                                ? FigureText(r.previous_definition_contacts())
                                : "-");
    }
  }
  std::vector<std::string> header = {"COUNTRY", "OPENED",   "RESOLVED", "UNRESOLVED",
                                     "RECOGNISED", "REFUSED", "RETURNED", "CONTACTS"};
  if (!previous.empty()) header.push_back(absl::StrCat("CONTACTS (DEF. ", previous, ")"));
  return absl::StrCat(PeriodText(period), " (", FreshnessText(response), ")\n",
                      FormatTable(header, rows), "\n",
                      Legend(response.threshold(), response.rounded_to_base5()));
}

int RunStatsCountries(const StatsContext& context, const StatsCountriesArgs& args) {
  consular::v1::ListCountriesRequest request;
  absl::StatusOr<Period> period = PeriodOf(args.period);
  if (!period.ok()) return ReportUsageError(period.status().message());
  *request.mutable_period() = *period;
  absl::StatusOr<consular::v1::CountryOrder> order =
      ParseEnumAs<consular::v1::CountryOrder>(consular::v1::CountryOrder_descriptor(), args.order);
  if (!order.ok()) return ReportUsageError(absl::StrCat("--order: ", order.status().message()));
  request.set_order_by(*order);
  request.set_round_to_base5(args.round);
  request.set_release(args.release);
  return RunCall(context, &StatisticsStub::ListCountries, request,
                 [&period](const consular::v1::ListCountriesResponse& response) {
                   return FormatCountries(*period, response);
                 });
}

// Points of the overlap year of a change of definitions show the previous definitions' figure
// in a column of its own ("-" for the other years).
std::string FormatSeries(const consular::v1::TimeSeries& series) {
  const std::string& previous = series.previous_definition_version();
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::TimePoint& p : series.points()) {
    rows.push_back({p.period(), FigureText(p.figure())});
    if (!previous.empty()) {
      rows.back().push_back(p.has_previous_definition() ? FigureText(p.previous_definition())
                                                        : "-");
    }
  }
  std::vector<std::string> header = {"PERIOD", "VALUE"};
  if (!previous.empty()) header.push_back(absl::StrCat("DEFINITIONS ", previous));
  return absl::StrCat(
      series.country(), " ", EnumWords(consular::v1::Measure_descriptor(), series.measure()),
      series.category().empty() ? "" : " " + CategoryWords(series.category(), series.dimension()),
      " (", FreshnessText(series),
      ")\n", FormatTable(header, rows), "\n", Legend(series.threshold(), series.rounded_to_base5()));
}

int RunStatsSeries(const StatsContext& context, const StatsSeriesArgs& args) {
  consular::v1::GetTimeSeriesRequest request;
  request.set_country(CountryCode(args.country));
  absl::StatusOr<consular::v1::Measure> measure =
      ParseEnumAs<consular::v1::Measure>(consular::v1::Measure_descriptor(), args.measure);
  if (!measure.ok())
    return ReportUsageError(absl::StrCat("--measure: ", measure.status().message()));
  request.set_measure(*measure);
  absl::StatusOr<consular::v1::Interval> interval =
      ParseEnumAs<consular::v1::Interval>(consular::v1::Interval_descriptor(), args.interval);
  if (!interval.ok()) {
    return ReportUsageError(absl::StrCat("--interval: ", interval.status().message()));
  }
  request.set_interval(*interval);
  request.set_to_year(args.to_year != 0 ? args.to_year : CurrentYear());
  request.set_from_year(args.from_year != 0 ? args.from_year : request.to_year() - 4);
  if (!args.dimension.empty()) {
    absl::StatusOr<consular::v1::Dimension> dimension =
        ParseEnumAs<consular::v1::Dimension>(consular::v1::Dimension_descriptor(), args.dimension);
    if (!dimension.ok()) {
      return ReportUsageError(absl::StrCat("--dimension: ", dimension.status().message()));
    }
    request.set_dimension(*dimension);
  }
  request.set_category(absl::AsciiStrToUpper(args.category));
  request.set_round_to_base5(args.round);
  request.set_release(args.release);
  return RunCall(context, &StatisticsStub::GetTimeSeries, request, &FormatSeries);
}

int RunReportCountry(const StatsContext& context, const ReportArgs& args) {
  consular::v1::RenderCountryDossierRequest request;
  request.set_country(CountryCode(args.country));
  absl::StatusOr<Period> period = PeriodOf(args.period);
  if (!period.ok()) return ReportUsageError(period.status().message());
  *request.mutable_period() = *period;
  absl::StatusOr<consular::v1::DossierFormat> format = ParseEnumAs<consular::v1::DossierFormat>(
      consular::v1::DossierFormat_descriptor(), args.format);
  if (!format.ok()) return ReportUsageError(absl::StrCat("--format: ", format.status().message()));
  request.set_format(*format);
  request.set_language(args.language);
  request.set_round_to_base5(args.round);
  request.set_release(args.release);
  int exit_code = kExitOk;
  std::unique_ptr<StatsClient> client = ConnectOrReport(context, &exit_code);
  if (client == nullptr) return exit_code;
  absl::StatusOr<consular::v1::Dossier> dossier =
      client->Call(&ReportStub::RenderCountryDossier, request);
  if (!dossier.ok()) return ReportCallError(dossier.status(), *context.global);
  const std::string path = args.output.empty() ? dossier->filename() : args.output;
  if (path == "-") {
    std::cout << dossier->content();
    return kExitOk;
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << dossier->content();
  file.close();
  if (!file) return ReportUsageError(absl::StrCat("-o: cannot write ", path), false);
  std::cout << "wrote " << path << " (" << dossier->content().size() << " bytes, "
            << dossier->content_type() << ")\n";
  return kExitOk;
}

std::string FormatRelease(const consular::v1::Release& r) {
  const auto share = [](int64_t part, int64_t whole) {
    return whole == 0 ? std::string("0%")
                      : absl::StrFormat("%.1f%%", 100.0 * static_cast<double>(part) /
                                                     static_cast<double>(whole));
  };
  return FormatTable(
      {"FIELD", "VALUE"},
      {{"release", absl::StrCat(r.number())},
       {"kind", EnumWords(consular::v1::ReleaseKind_descriptor(), r.kind())},
       {"month", IsSet(r.month()) ? FormatDate(r.month()) : ""},
       {"cut-off", FormatTimestamp(r.cut_off())},
       {"definitions", r.definition_version()},
       {"threshold", absl::StrCat(r.threshold())},
       {"made at", FormatTimestamp(r.made_at())},
       {"made by", r.made_by()},
       {"countries", absl::StrCat(r.countries())},
       {"figures suppressed",
        absl::StrCat(r.cells_suppressed(), " of ", r.cells(), " (",
                     share(r.cells_suppressed(), r.cells()), ")")},
       {"people in them",
        absl::StrCat(r.people_suppressed(), " of ", r.people(), " (",
                     share(r.people_suppressed(), r.people()), ")")},
       {"built in", absl::StrCat(r.build_millis(), " ms")}});
}

// Making a release protects every country's figures: minutes on a large database. Unless --timeout
// says otherwise, the call waits as long as the service gives a monthly release.
constexpr double kReleaseTimeoutSeconds = 30 * 60;

int RunReleaseCreate(const StatsContext& context, const ReleaseCreateArgs& args) {
  consular::v1::CreateReleaseRequest request;
  GlobalOptions options = *context.global;
  if (!options.timeout_given) {
    options.timeout_seconds = std::max(options.timeout_seconds, kReleaseTimeoutSeconds);
  }
  return RunChange(StatsContext{&options, context.addr}, &StatisticsStub::CreateRelease, request,
                   args.request_id, &FormatRelease);
}

int RunReleaseList(const StatsContext& context, const ReleaseListArgs& args) {
  return RunListing(context, &StatisticsStub::ListReleases, consular::v1::ListReleasesRequest(),
                    args.paging, [](const consular::v1::ListReleasesResponse& response) {
                      std::vector<std::vector<std::string>> rows;
                      for (const consular::v1::Release& r : response.releases()) {
                        rows.push_back(
                            {absl::StrCat(r.number()),
                             EnumWords(consular::v1::ReleaseKind_descriptor(), r.kind()),
                             FormatTimestamp(r.cut_off()), r.definition_version(),
                             absl::StrCat(r.countries()), r.made_by()});
                      }
                      return FormatTable(
                          {"RELEASE", "KIND", "CUT-OFF", "DEFINITIONS", "COUNTRIES", "MADE BY"},
                          rows);
                    });
}

}  // namespace

void AddStatsCommands(CLI::App* app, const GlobalOptions* global, const std::string* stats_addr,
                      Action* action) {
  const StatsContext context{global, stats_addr};

  CLI::App* stats = app->add_subcommand(
      "stats", "Per-country statistics with disclosure control (talks to --stats-addr)");
  stats->require_subcommand(1);
  {
    CLI::App* command = stats->add_subcommand("country", "The figures of one country");
    auto args = std::make_shared<StatsCountryArgs>();
    command->add_option("COUNTRY", args->country, "ISO 3166-1 alpha-2 code, e.g. MA")->required();
    AddPeriodOptions(command, &args->period);
    command
        ->add_option("--dimension", args->dimensions,
                     "Only these breakdowns (repeatable), e.g. case-type, age-group")
        ->type_name("VALUE")
        ->check(EnumValidator(consular::v1::Dimension_descriptor()));
    command->add_flag("--round", args->round, "Round figures to multiples of 5");
    AddReleaseOption(command, &args->release);
    OnParse(command, context, args, &RunStatsCountry, action);
  }
  {
    CLI::App* command = stats->add_subcommand("countries", "One row per country");
    auto args = std::make_shared<StatsCountriesArgs>();
    AddPeriodOptions(command, &args->period);
    AddEnumOption(command, "--order", &args->order, consular::v1::CountryOrder_descriptor(),
                  "Sort by: volume (default), recognition-refusals, unresolved, country");
    command->add_flag("--round", args->round, "Round figures to multiples of 5");
    AddReleaseOption(command, &args->release);
    OnParse(command, context, args, &RunStatsCountries, action);
  }
  {
    CLI::App* command = stats->add_subcommand("series", "One figure of a country over time");
    auto args = std::make_shared<StatsSeriesArgs>();
    command->add_option("COUNTRY", args->country, "ISO 3166-1 alpha-2 code")->required();
    AddEnumOption(command, "--measure", &args->measure, consular::v1::Measure_descriptor(),
                  "cases-opened, cases-resolved, cases-unresolved or contacts")
        ->required();
    AddEnumOption(command, "--interval", &args->interval, consular::v1::Interval_descriptor(),
                  "month, quarter or year (default)");
    command->add_option("--from-year", args->from_year, "First year (default: four years back)");
    command->add_option("--to-year", args->to_year, "Last year (default: this year)");
    AddEnumOption(command, "--dimension", &args->dimension, consular::v1::Dimension_descriptor(),
                  "With --category: one category's series");
    command->add_option("--category", args->category, "e.g. CASE_TYPE_ABANDONMENT");
    command->add_flag("--round", args->round, "Round figures to multiples of 5");
    AddReleaseOption(command, &args->release);
    OnParse(command, context, args, &RunStatsSeries, action);
  }
  {
    CLI::App* release = stats->add_subcommand(
        "release", "Numbered, frozen releases of the figures (every reading comes from one)");
    release->require_subcommand(1);
    {
      CLI::App* command = release->add_subcommand(
          "create",
          "Make a release of the figures as they stand now (administrators; waits up to 30 "
          "minutes unless --timeout is given)");
      auto args = std::make_shared<ReleaseCreateArgs>();
      command->add_option("--request-id", args->request_id,
                          "Idempotency key (default: a new random UUID)");
      OnParse(command, context, args, &RunReleaseCreate, action);
    }
    {
      CLI::App* command = release->add_subcommand("list", "Releases, newest first");
      auto args = std::make_shared<ReleaseListArgs>();
      AddPaging(command, &args->paging);
      OnParse(command, context, args, &RunReleaseList, action);
    }
  }

  CLI::App* report = app->add_subcommand("report", "Country dossiers (talks to --stats-addr)");
  report->require_subcommand(1);
  {
    CLI::App* command = report->add_subcommand(
        "country", "A country's dossier: HTML (charts, prints to PDF), CSV or JSON");
    auto args = std::make_shared<ReportArgs>();
    command->add_option("COUNTRY", args->country, "ISO 3166-1 alpha-2 code")->required();
    AddPeriodOptions(command, &args->period);
    AddEnumOption(command, "--format", &args->format, consular::v1::DossierFormat_descriptor(),
                  "html (default), csv or json");
    command
        ->add_option("--language", args->language, "Language of the HTML page: en (default) or nl")
        ->check(CLI::IsMember({"en", "nl"}));
    command->add_option("-o,--output", args->output,
                        "File to write (default: the server's file name; - for stdout)");
    command->add_flag("--round", args->round, "Round figures to multiples of 5");
    AddReleaseOption(command, &args->release);
    OnParse(command, context, args, &RunReportCountry, action);
  }
}

}  // namespace consular::ctl

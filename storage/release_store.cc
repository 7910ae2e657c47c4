#include "storage/release_store.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/prepared.h"
#include "storage/sql_values.h"

namespace consular::storage {
namespace {

using consular::v1::Release;
using google::protobuf::util::TimeUtil;

constexpr char kReleaseColumns[] =
    "number, kind, COALESCE(to_char(month, 'YYYY-MM-DD'), ''), " MICROS("cut_off") ", "
    "definition_version, threshold, " MICROS("made_at") ", made_by, countries, cells, "
    "cells_suppressed, people, people_suppressed, build_millis";

Release ReleaseFrom(const pqxx::row& r) {
  Release release;
  release.set_number(r[0].as<int>());
  release.set_kind(ParseStoredEnum<consular::v1::ReleaseKind>(r[1].as<std::string>(),
                                                              consular::v1::ReleaseKind_Parse));
  const std::string month = r[2].as<std::string>();
  if (!month.empty()) *release.mutable_month() = ParseDate(month);
  *release.mutable_cut_off() = TimeUtil::MicrosecondsToTimestamp(r[3].as<int64_t>());
  release.set_definition_version(r[4].as<std::string>());
  release.set_threshold(r[5].as<int>());
  *release.mutable_made_at() = TimeUtil::MicrosecondsToTimestamp(r[6].as<int64_t>());
  release.set_made_by(r[7].as<std::string>());
  release.set_countries(r[8].as<int>());
  release.set_cells(r[9].as<int64_t>());
  release.set_cells_suppressed(r[10].as<int64_t>());
  release.set_people(r[11].as<int64_t>());
  release.set_people_suppressed(r[12].as<int64_t>());
  release.set_build_millis(r[13].as<int64_t>());
  return release;
}

std::optional<Release> First(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return ReleaseFrom(r[0]);
}

ReleaseCountryRow CountryFrom(const pqxx::row& r) {
  ReleaseCountryRow row;
  row.country = r[0].as<std::string>();
  row.first_year = r[1].as<int>();
  row.last_year = r[2].as<int>();
  row.from_the_start = r[3].as<bool>();
  row.fully_protected = r[4].as<bool>();
  return row;
}

std::string DayText(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

}  // namespace

int ReleaseStore::LockNextNumber() {
  // One release maker at a time (an advisory lock: the service may only insert releases).
  tx_.exec1("SELECT pg_advisory_xact_lock(hashtext('stats.releases'))");
  return tx_.exec1("SELECT COALESCE(max(number), 0) + 1 FROM stats.releases")[0].as<int>();
}

void ReleaseStore::InsertRelease(const Release& r) {
  ExecPrepared0(
      tx_, "release_insert",
      "INSERT INTO stats.releases (number, kind, month, cut_off, definition_version, threshold, "
      "made_at, made_by, countries, cells, cells_suppressed, people, people_suppressed, "
      "build_millis) VALUES ($1, $2, NULLIF($3, '')::date, " FROM_MICROS("$4") ", $5, $6, "
      FROM_MICROS("$7") ", $8, $9, $10, $11, $12, $13, $14)",
      r.number(), consular::v1::ReleaseKind_Name(r.kind()), DateText(r.month()),
      Micros(r.cut_off()), r.definition_version(), r.threshold(), Micros(r.made_at()),
      r.made_by(), r.countries(), r.cells(), r.cells_suppressed(), r.people(),
      r.people_suppressed(), r.build_millis());
}

void ReleaseStore::InsertCountry(int release, const ReleaseCountryRow& row) {
  ExecPrepared0(tx_, "release_country_insert",
                "INSERT INTO stats.release_countries (release, country, first_year, last_year, "
                "from_the_start, fully_protected) VALUES ($1, $2, $3, $4, $5, $6)",
                release, row.country, row.first_year, row.last_year, row.from_the_start,
                row.fully_protected);
}

void ReleaseStore::InsertYear(int release, const std::string& country, int year,
                              const std::string& figures) {
  ExecPrepared0(tx_, "release_year_insert",
                "INSERT INTO stats.release_years (release, country, year, figures) "
                "VALUES ($1, $2, $3, $4)",
                release, country, year, figures);
}

std::optional<Release> ReleaseStore::Find(int number) {
  return First(ExecPrepared(
      tx_, "release_find",
      absl::StrCat("SELECT ", kReleaseColumns, " FROM stats.releases WHERE number = $1"),
      number));
}

std::optional<Release> ReleaseStore::Newest() {
  return First(ExecPrepared(tx_, "release_newest",
                            absl::StrCat("SELECT ", kReleaseColumns,
                                         " FROM stats.releases ORDER BY number DESC LIMIT 1")));
}

std::optional<Release> ReleaseStore::InForceOn(absl::CivilDay day) {
  return First(ExecPrepared(
      tx_, "release_in_force",
      absl::StrCat("SELECT ", kReleaseColumns,
                   " FROM stats.releases WHERE made_at < ($1::date + 1)::timestamp AT TIME ZONE "
                   "'UTC' ORDER BY made_at DESC, number DESC LIMIT 1"),
      DayText(day)));
}

bool ReleaseStore::HasMonthly(absl::CivilDay month) {
  return !ExecPrepared(tx_, "release_has_monthly",
                       "SELECT 1 FROM stats.releases WHERE month = $1::date",
                       DayText(absl::CivilDay(month.year(), month.month(), 1)))
              .empty();
}

std::vector<Release> ReleaseStore::List(int before, int limit) {
  const pqxx::result r = ExecPrepared(
      tx_, "release_list",
      absl::StrCat("SELECT ", kReleaseColumns,
                   " FROM stats.releases WHERE ($1 = 0 OR number < $1) ORDER BY number DESC "
                   "LIMIT $2"),
      before, limit);
  std::vector<Release> releases;
  for (const pqxx::row& row : r) releases.push_back(ReleaseFrom(row));
  return releases;
}

std::optional<ReleaseCountryRow> ReleaseStore::Country(int release, const std::string& country) {
  const pqxx::result r =
      ExecPrepared(tx_, "release_country",
                   "SELECT country, first_year, last_year, from_the_start, fully_protected "
                   "FROM stats.release_countries WHERE release = $1 AND country = $2",
                   release, country);
  if (r.empty()) return std::nullopt;
  return CountryFrom(r[0]);
}

std::vector<std::string> ReleaseStore::Countries(int release, int from_year, int to_year) {
  const pqxx::result r = ExecPrepared(
      tx_, "release_countries",
      "SELECT DISTINCT country FROM stats.release_years WHERE release = $1 AND year BETWEEN $2 "
      "AND $3 ORDER BY country",
      release, from_year, to_year);
  std::vector<std::string> countries;
  for (const pqxx::row& row : r) countries.push_back(row[0].as<std::string>());
  return countries;
}

std::vector<std::pair<int, std::string>> ReleaseStore::Years(int release,
                                                             const std::string& country,
                                                             int from_year, int to_year) {
  const pqxx::result r = ExecPrepared(
      tx_, "release_years",
      "SELECT year, figures FROM stats.release_years WHERE release = $1 AND country = $2 AND "
      "year BETWEEN $3 AND $4 ORDER BY year",
      release, country, from_year, to_year);
  std::vector<std::pair<int, std::string>> years;
  for (const pqxx::row& row : r) years.emplace_back(row[0].as<int>(), row[1].as<std::string>());
  return years;
}

std::vector<ReleaseCountryYears> ReleaseStore::ListFigures(int release, int from_year,
                                                           int to_year) {
  // A country's row once per stored year of the span (once with no year when it has none).
  const pqxx::result r = ExecPrepared(
      tx_, "release_list_figures",
      "SELECT c.country, c.first_year, c.last_year, c.from_the_start, c.fully_protected, y.year, "
      "y.list_figures FROM stats.release_countries c LEFT JOIN stats.release_years y ON y.release "
      "= c.release AND y.country = c.country AND y.year BETWEEN $2 AND $3 WHERE c.release = $1 "
      "ORDER BY c.country, y.year",
      release, from_year, to_year);
  std::vector<ReleaseCountryYears> countries;
  for (const pqxx::row& row : r) {
    if (countries.empty() || countries.back().country.country != row[0].c_str()) {
      countries.push_back(ReleaseCountryYears{CountryFrom(row), {}});
    }
    if (!row[5].is_null()) {
      countries.back().years.emplace_back(row[5].as<int>(), row[6].as<std::string>());
    }
  }
  return countries;
}

}  // namespace consular::storage

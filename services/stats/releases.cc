#include "services/stats/releases.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/call_support.h"
#include "services/stats/country_counts.h"

namespace consular::stats {

consular::v1::Release MakeRelease(pqxx::transaction_base& tx, const ReleaseRequest& request) {
  const absl::Time started = absl::Now();
  storage::ReleaseStore releases(tx);
  storage::StatsStore stats(tx);
  consular::v1::Release release;
  release.set_number(releases.LockNextNumber());
  // The rollups cannot move while the cursor is locked: one consistent cut.
  const storage::StreamCursor cursor = stats.LockCursor();
  const absl::Time cut_off = absl::FromUnixMicros(cursor.caught_up_micros);
  const int cut_off_year = static_cast<int>(absl::ToCivilYear(cut_off, absl::UTCTimeZone()).year());
  // Every earlier release, oldest first: the new one is protected jointly with all of them.
  std::vector<consular::v1::Release> earlier = releases.List(0, std::numeric_limits<int>::max());
  std::reverse(earlier.begin(), earlier.end());

  release.set_kind(request.kind);
  if (request.month) {
    release.mutable_month()->set_year(static_cast<int>(request.month->year()));
    release.mutable_month()->set_month(request.month->month());
    release.mutable_month()->set_day(1);
  }
  *release.mutable_cut_off() = ToTimestamp(cut_off);
  release.set_definition_version(kDefinitionVersion);
  release.set_threshold(request.threshold);
  *release.mutable_made_at() = ToTimestamp(request.now);
  release.set_made_by(request.made_by);

  std::vector<std::pair<storage::ReleaseCountryRow, ReleasedCountry>> made;
  for (const std::string& country : stats.Countries(0, 9999)) {
    CountryCounts counts;
    for (const storage::RollupRow& row : stats.Rollups(country, 0, 9999, /*with_days=*/true)) {
      counts.Add(row);
    }
    LoadContactCases(stats, country, 0, 9999, &counts);
    const auto [first, last_counted] = counts.Years();
    if (first == 0) continue;
    const int last = std::max(last_counted, cut_off_year);
    std::vector<ReleasedCountry> before;
    for (const consular::v1::Release& e : earlier) {
      std::optional<ReleasedCountry> released = LoadReleased(releases, e.number(), country, 1, 0);
      if (released) before.push_back(std::move(*released));
    }
    std::vector<const ReleasedCountry*> joint;
    for (const ReleasedCountry& b : before) joint.push_back(&b);
    LinkedProtection protection = ProtectCounts(counts, first, last, request.threshold, joint);
    storage::ReleaseCountryRow row;
    row.country = country;
    row.first_year = first;
    row.last_year = last;
    row.from_the_start = protection.country.from_the_start;
    row.fully_protected = protection.fully_protected;
    for (const auto& [key, figure] : protection.country.figures) {
      // Counts of people only (the contacts of the previous definitions are not people).
      if (figure.value <= 0 || key.measure == kContactsPrevious) continue;
      release.set_cells(release.cells() + 1);
      release.set_people(release.people() + figure.value);
      if (figure.suppressed) {
        release.set_cells_suppressed(release.cells_suppressed() + 1);
        release.set_people_suppressed(release.people_suppressed() + figure.value);
      }
    }
    made.emplace_back(std::move(row), std::move(protection.country));
  }
  release.set_countries(static_cast<int>(made.size()));
  release.set_build_millis(absl::ToInt64Milliseconds(absl::Now() - started));
  releases.InsertRelease(release);
  for (const auto& [row, country] : made) {
    releases.InsertCountry(release.number(), row);
    for (int y = row.first_year - 1; y <= row.last_year; ++y) {
      releases.InsertYear(release.number(), row.country, y, YearJson(country, y));
    }
  }
  return release;
}

// The release a request names: 0 for the newest.
absl::StatusOr<consular::v1::Release> ReleaseFor(storage::ReleaseStore& store, int number) {
  if (number < 0) return absl::InvalidArgumentError("release: must be a release number, or 0 for the newest");
  const std::optional<consular::v1::Release> release =
      number == 0 ? store.Newest() : store.Find(number);
  if (release) return *release;
  if (number == 0) {
    return absl::FailedPreconditionError(
        "no statistics release yet: one is made at the start of every month, or by an "
        "administrator with CreateRelease");
  }
  return absl::NotFoundError(absl::StrCat("release: ", number, " not found"));
}

namespace {

// A country's stored row and years as figures.
ReleasedCountry ReleasedFrom(int release, const storage::ReleaseCountryRow& row,
                             const std::vector<std::pair<int, std::string>>& years) {
  ReleasedCountry released;
  released.first_year = row.first_year;
  released.last_year = row.last_year;
  released.from_the_start = row.from_the_start;
  for (const auto& [year, json] : years) {
    if (!AddYearJson(json, &released)) {
      throw std::runtime_error(absl::StrCat("release ", release, ": the figures of ", row.country,
                                            " ", year, " do not parse"));
    }
  }
  return released;
}

}  // namespace

std::optional<ReleasedCountry> LoadReleased(storage::ReleaseStore& store, int release,
                                            const std::string& country, int from_year,
                                            int to_year) {
  const std::optional<storage::ReleaseCountryRow> row = store.Country(release, country);
  if (!row) return std::nullopt;
  if (from_year > to_year) {
    from_year = row->first_year - 1;
    to_year = row->last_year;
  }
  return ReleasedFrom(release, *row, store.Years(release, country, from_year, to_year));
}

std::vector<ReleasedInSpan> LoadListedCountries(storage::ReleaseStore& store, int release,
                                                int from_year, int to_year) {
  std::vector<ReleasedInSpan> countries;
  for (const storage::ReleaseCountryYears& c : store.ListFigures(release, from_year, to_year)) {
    countries.push_back(ReleasedInSpan{c.country.country, !c.years.empty(),
                                       ReleasedFrom(release, c.country, c.years)});
  }
  return countries;
}

}  // namespace consular::stats

#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consular/v1/statistics.pb.h"
#include "services/stats/linked_tables.h"
#include "storage/release_store.h"
#include "storage/stats_store.h"

// Statistics releases: every country's figures protected as one linked set each, jointly with
// the release before, frozen under a number (docs/statistics.md, "Releases").
namespace consular::stats {

// The counting definitions figures are counted under. A change of what a figure counts starts a
// new version (docs/statistics.md, "Counting definitions").
inline constexpr char kDefinitionVersion[] = "2";

struct ReleaseRequest {
  consular::v1::ReleaseKind kind = consular::v1::RELEASE_KIND_ON_DEMAND;
  std::optional<absl::CivilDay> month;  // MONTHLY: the month it is for
  std::string made_by;
  int threshold = 5;
  absl::Time now;
};

// Makes and stores the next release from the rollups as they stand (their cursor is locked for
// the time it takes, so the figures are one consistent cut), in the caller's transaction.
consular::v1::Release MakeRelease(pqxx::transaction_base& tx, const ReleaseRequest& request);

// The release a request names: 0 for the newest. INVALID_ARGUMENT naming `release` for a negative
// number, NOT_FOUND for an unknown one, FAILED_PRECONDITION when there is no release yet.
absl::StatusOr<consular::v1::Release> ReleaseFor(storage::ReleaseStore& store, int number);

// A country's figures in a release for the years from..to (every stored year when from > to);
// nullopt when the release holds nothing for the country (every figure then is 0).
std::optional<ReleasedCountry> LoadReleased(storage::ReleaseStore& store, int release,
                                            const std::string& country, int from_year,
                                            int to_year);

// A country of a release with the figures its list row is computed from, for a span of years.
struct ReleasedInSpan {
  std::string country;
  bool any_year = false;  // the release stores a year of the span for the country
  // What LoadReleased returns for the country and years, less what a list row does not read
  // (migration 0028_release_list_figures.sql): the figures of the months and of the breakdowns
  // other than case type, recognition decision and outcome, and the days to resolution.
  ReleasedCountry figures;
};

// Every country of a release with the figures of its list row for the years from..to
// (from <= to), ordered by country code, read in one statement for all of them
// (ReleaseStore::ListFigures). Publish gives a country's row fields from them as from
// LoadReleased's. Throws std::runtime_error when stored figures do not parse.
std::vector<ReleasedInSpan> LoadListedCountries(storage::ReleaseStore& store, int release,
                                                int from_year, int to_year);

}  // namespace consular::stats

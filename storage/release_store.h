#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "consular/v1/statistics.pb.h"

// Statistics releases (migration 0011): numbered, frozen sets of protected figures per country and
// year. Functions run in the caller's transaction and throw what libpqxx throws.
namespace consular::storage {

// What a release holds for one country.
struct ReleaseCountryRow {
  std::string country;
  int first_year = 0;
  int last_year = 0;
  bool from_the_start = true;
  bool fully_protected = true;
};

// A country of a release with the figures a list row is computed from (list_figures, migration
// 0028) of its stored years in a span.
struct ReleaseCountryYears {
  ReleaseCountryRow country;
  std::vector<std::pair<int, std::string>>
      years;  // (year, list figures JSON) ascending; may be none
};

class ReleaseStore {
 public:
  explicit ReleaseStore(pqxx::transaction_base& tx) : tx_(tx) {}

  // Serialises release makers until the transaction ends; returns the next number.
  int LockNextNumber();
  void InsertRelease(const consular::v1::Release& release);
  void InsertCountry(int release, const ReleaseCountryRow& row);
  void InsertYear(int release, const std::string& country, int year, const std::string& figures);

  std::optional<consular::v1::Release> Find(int number);
  std::optional<consular::v1::Release> Newest();
  // The newest release made before the end of `day` (UTC).
  std::optional<consular::v1::Release> InForceOn(absl::CivilDay day);
  bool HasMonthly(absl::CivilDay month);
  // Newest first, numbers below `before` (0: from the newest).
  std::vector<consular::v1::Release> List(int before, int limit);

  std::optional<ReleaseCountryRow> Country(int release, const std::string& country);
  // Countries of the release with a stored year in from..to.
  std::vector<std::string> Countries(int release, int from_year, int to_year);
  // (year, figures JSON) of the years in from..to.
  std::vector<std::pair<int, std::string>> Years(int release, const std::string& country,
                                                 int from_year, int to_year);
  // Every country of the release, ordered by code, each with the list figures of its stored years
  // in from..to (none for a country without a year there), in one statement for all of them.
  std::vector<ReleaseCountryYears> ListFigures(int release, int from_year, int to_year);

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace consular::storage

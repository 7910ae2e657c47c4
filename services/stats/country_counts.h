#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "storage/stats_store.h"

// The rollup counts of a country, held in memory for publishing (services/stats/publisher.h).
namespace consular::stats {

// The rollup counts of one country.
class CountryCounts {
 public:
  // Rows of the years to be published (any measure, dimension, category).
  void Add(const storage::RollupRow& row);
  // Opened and resolved cases (TOTAL and CASE_TYPE rows) of every year before the first year
  // added: for the cases unresolved at a quarter's end.
  void AddBefore(const storage::RollupRow& row);

  int64_t Month(int year, int month, std::string_view measure, std::string_view dimension,
                std::string_view category) const;
  // The twelve monthly counts of a category in a year; nullptr when nothing was counted for it.
  const std::array<int64_t, 12>* Months(int year, std::string_view measure,
                                        std::string_view dimension,
                                        std::string_view category) const;
  // Whether any case was counted before the first year added (AddBefore).
  bool AnythingBefore() const;
  // The first and last year added; {0, 0} when none.
  std::pair<int, int> Years() const;
  // Categories of a contact dimension seen in a year.
  std::vector<std::string> SeenContactCategories(int year, std::string_view dimension) const;
  // Categories seen for a dimension of a measure in a year.
  std::vector<std::string> SeenCategories(int year, std::string_view measure,
                                          std::string_view dimension) const;
  // Cases of `type` ("" for all) opened minus resolved up to the end of month (year, month).
  int64_t UnresolvedAt(int year, int month, const std::string& type) const;
  // Days from opening to resolution (with counts) of the cases resolved in the month.
  std::vector<std::pair<int64_t, int64_t>> ResolutionDays(int year, int month) const;

  // Persons beside events: how many distinct cases had at least one contact (as read by
  // storage::StatsStore::ContactCases), per year, slot (a month 0..11, a quarter
  // storage::kFirstQuarterSlot + q with q = 0..3, the whole year storage::kYearSlot), dimension
  // and category; the total over every category is dimension kTotal, category kAll, as for the
  // contacts of Month(). A quarter's or year's count is distinct over the period, not the sum of
  // its months. Rows with a slot outside 0..16 are ignored.
  void AddContactCases(const storage::ContactCasesRow& row);
  // 0 when nothing was added for the key (or the slot is outside 0..16).
  int64_t ContactCases(int year, int slot, std::string_view dimension,
                       std::string_view category) const;

 private:
  using Key = std::tuple<int, std::string, std::string, std::string>;  // year, m, d, c
  // Looked up without copying the strings (std::less<> compares a Key with a KeyView).
  using KeyView = std::tuple<int, std::string_view, std::string_view, std::string_view>;
  std::map<Key, std::array<int64_t, 12>, std::less<>> months_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t, std::less<>> before_;
  using CasesKey = std::tuple<int, std::string, std::string>;  // year, dimension, category
  using CasesKeyView = std::tuple<int, std::string_view, std::string_view>;
  std::map<CasesKey, std::array<int64_t, storage::kSlots>, std::less<>> contact_cases_;
};

// Adds to `counts` the cases with contacts of `country` in years first_year..last_year
// (storage::StatsStore::ContactCases), in the store's transaction.
void LoadContactCases(storage::StatsStore& store, const std::string& country, int first_year,
                      int last_year, CountryCounts* counts);

}  // namespace consular::stats

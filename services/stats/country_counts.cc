#include "services/stats/country_counts.h"

#include <algorithm>

#include "services/stats/rollups.h"

namespace consular::stats {

void CountryCounts::Add(const storage::RollupRow& row) {
  if (row.month < 1 || row.month > 12) return;
  months_[Key(row.year, row.measure, row.dimension, row.category)][row.month - 1] += row.n;
}

void CountryCounts::AddBefore(const storage::RollupRow& row) {
  before_[std::make_tuple(row.measure, row.dimension, row.category)] += row.n;
}

int64_t CountryCounts::Month(int year, int month, std::string_view measure,
                             std::string_view dimension, std::string_view category) const {
  const std::array<int64_t, 12>* months = Months(year, measure, dimension, category);
  return months == nullptr ? 0 : (*months)[month - 1];
}

const std::array<int64_t, 12>* CountryCounts::Months(int year, std::string_view measure,
                                                     std::string_view dimension,
                                                     std::string_view category) const {
  const auto it = months_.find(KeyView(year, measure, dimension, category));
  return it == months_.end() ? nullptr : &it->second;
}

bool CountryCounts::AnythingBefore() const {
  for (const auto& [key, n] : before_) {
    if (n != 0) return true;
  }
  return false;
}

std::pair<int, int> CountryCounts::Years() const {
  if (months_.empty()) return {0, 0};
  return {std::get<0>(months_.begin()->first), std::get<0>(months_.rbegin()->first)};
}

std::vector<std::string> CountryCounts::SeenContactCategories(int year,
                                                              std::string_view dimension) const {
  std::vector<std::string> seen;
  for (auto it = contact_cases_.lower_bound(CasesKeyView(year, dimension, ""));
       it != contact_cases_.end() && std::get<0>(it->first) == year &&
       std::get<1>(it->first) == dimension;
       ++it) {
    seen.push_back(std::get<2>(it->first));
  }
  return seen;
}

std::vector<std::string> CountryCounts::SeenCategories(int year, std::string_view measure,
                                                       std::string_view dimension) const {
  std::vector<std::string> seen;
  for (auto it = months_.lower_bound(KeyView(year, measure, dimension, ""));
       it != months_.end() && std::get<0>(it->first) == year && std::get<1>(it->first) == measure &&
       std::get<2>(it->first) == dimension;
       ++it) {
    seen.push_back(std::get<3>(it->first));
  }
  return seen;
}

int64_t CountryCounts::UnresolvedAt(int year, int month, const std::string& type) const {
  const std::string_view dimension = type.empty() ? kTotal : "DIMENSION_CASE_TYPE";
  const std::string_view category = type.empty() ? std::string_view(kAll) : type;
  const auto before = [&](std::string_view measure) {
    const auto it = before_.find(std::make_tuple(measure, dimension, category));
    return it == before_.end() ? int64_t{0} : it->second;
  };
  int64_t n = before(kOpened) - before(kResolved);
  const int first_year = months_.empty() ? year + 1 : std::get<0>(months_.begin()->first);
  for (int y = first_year; y <= year; ++y) {
    const int last = y == year ? month : 12;
    const std::array<int64_t, 12>* opened = Months(y, kOpened, dimension, category);
    const std::array<int64_t, 12>* resolved = Months(y, kResolved, dimension, category);
    for (int m = 0; m < last; ++m) {
      if (opened != nullptr) n += (*opened)[m];
      if (resolved != nullptr) n -= (*resolved)[m];
    }
  }
  return std::max<int64_t>(0, n);
}

std::vector<std::pair<int64_t, int64_t>> CountryCounts::ResolutionDays(int year, int month) const {
  std::vector<std::pair<int64_t, int64_t>> days;
  for (auto it = months_.lower_bound(KeyView(year, kResolved, kDays, ""));
       it != months_.end() && std::get<0>(it->first) == year &&
       std::get<1>(it->first) == kResolved && std::get<2>(it->first) == kDays;
       ++it) {
    const int64_t n = it->second[month - 1];
    if (n > 0) days.emplace_back(std::stoll(std::get<3>(it->first)), n);
  }
  return days;
}

void CountryCounts::AddContactCases(const storage::ContactCasesRow& row) {
  if (row.slot < 0 || row.slot >= storage::kSlots) return;
  contact_cases_[CasesKey(row.year, row.dimension, row.category)][row.slot] += row.cases;
}

int64_t CountryCounts::ContactCases(int year, int slot, std::string_view dimension,
                                    std::string_view category) const {
  if (slot < 0 || slot >= storage::kSlots) return 0;
  const auto it = contact_cases_.find(CasesKeyView(year, dimension, category));
  return it == contact_cases_.end() ? 0 : it->second[slot];
}

void LoadContactCases(storage::StatsStore& store, const std::string& country, int first_year,
                      int last_year, CountryCounts* counts) {
  for (const storage::ContactCasesRow& row : store.ContactCases(country, first_year, last_year)) {
    counts->AddContactCases(row);
  }
}

}  // namespace consular::stats

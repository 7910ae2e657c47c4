#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "services/stats/rollups.h"
#include "storage/stats_store.h"

// The contact presence of the rollups (migration 0012, docs/statistics.md): per case, month,
// dimension and category, how many of the case's contacts count there. Kept beside the contact
// counts of stats.rollup by the same updater, so that statistics can count the persons (cases)
// a contact figure is about, not only the contacts.
namespace consular::stats {

// Changes to the presence reference counts, summed per key.
class ContactPresenceDelta {
 public:
  // A contact of case `case_id`, counted in `country` (its case's country), added (sign +1) or
  // taken back (-1): one reference under each of ContactCategories(c) in the contact's month.
  void AddContact(const std::string& case_id, const std::string& country, const ContactFacts& c,
                  int sign);
  // The non-zero changes, in key order.
  std::vector<storage::ContactPresenceRow> Rows() const;
  void Clear() { counts_.clear(); }

 private:
  // case, country, year, month, dimension, category
  using Key = std::tuple<std::string, std::string, int, int, std::string, std::string>;
  std::map<Key, int64_t> counts_;
};

}  // namespace consular::stats

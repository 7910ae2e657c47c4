#include "services/stats/contact_presence.h"

namespace consular::stats {

void ContactPresenceDelta::AddContact(const std::string& case_id, const std::string& country,
                                      const ContactFacts& c, int sign) {
  for (const auto& [dimension, category] : ContactCategories(c)) {
    counts_[Key(case_id, country, static_cast<int>(c.day.year()), c.day.month(), dimension,
                category)] += sign;
  }
}

std::vector<storage::ContactPresenceRow> ContactPresenceDelta::Rows() const {
  std::vector<storage::ContactPresenceRow> rows;
  for (const auto& [key, n] : counts_) {
    if (n == 0) continue;
    const auto& [case_id, country, year, month, dimension, category] = key;
    rows.push_back({case_id, country, year, month, dimension, category, n});
  }
  return rows;
}

}  // namespace consular::stats

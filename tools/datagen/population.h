#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "tools/datagen/bulk_load.h"
#include "tools/datagen/bulk_records.h"

// The plan of the bulk loader's synthetic population (what bulk_load.h describes): the directory
// partners of each country, the cases with their lifecycles, notes and contacts, and the event
// timeline, all decided by the seed.
namespace consular::datagen::bulk {

class Rng;

class Generator {
 public:
  // `options` and `countries` must outlive the generator.
  Generator(const BulkLoadOptions& options, const std::vector<CountryShare>& countries);

  // Every country's directory partners (4 to 12 each).
  const std::vector<PartnerRec>& partners() const { return partners_; }

  // Sets how many notes and contacts a case gets on average so that the whole averages about
  // options.events_per_case events per case (measured on a sample of cases).
  void Calibrate();

  // The whole data set, cases in the order they were opened, events in time order (commit
  // order); also numbers the cases' references.
  void GenerateAll(Data* d);

  // After GenerateAll: the last reference number given, per case type and year.
  const std::vector<ReferenceCounter>& reference_counters() const { return reference_counters_; }

 private:
  // A time a case is opened: more cases each year (7%), more in June to September, fewer in
  // December; office hours.
  int64_t OpenedTime(Rng& rng) const;
  int PickCountry(Rng& rng) const;
  void MakePartners();
  int32_t PartnerFor(int country, int kind, Rng& rng) const;
  // Appends case `index`, opened at `opened`, with its events, notes and contacts.
  void GenerateCase(uint32_t index, int64_t opened, Data* d) const;

  const BulkLoadOptions& options_;
  const std::vector<CountryShare>& countries_;
  std::vector<double> cumulative_share_;
  std::vector<PartnerRec> partners_;
  // Per country: partner kind -> partner indices.
  std::vector<std::map<uint8_t, std::vector<int32_t>>> partners_of_;
  std::vector<ReferenceCounter> reference_counters_;
  double lambda_contacts_ = 0;
  double lambda_notes_ = 0;
};

}  // namespace consular::datagen::bulk

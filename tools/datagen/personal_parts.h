#pragma once

#include <vector>

#include "tools/datagen/bulk_load.h"
#include "tools/datagen/bulk_records.h"
#include "tools/datagen/row_encoders.h"

// With keys: the personal part of every case of the data set, with real (fictional) content that
// agrees with the case's clear columns, sealed as the case service seals it.
namespace consular::datagen::bulk {

// Builds, for every case of `d`, its personal part (storage::PersonalOf: subject, safety and the
// type's details) sealed under storage::PersonalAd of the case, and the blind index of its
// subject's name (storage::NameIndexOf), into sealed->personal and sealed->name_index, on
// `threads` threads. Sets each case's age group and mother_with_minor_children from
// storage::StatisticalFactsOf of its content. Rethrows the first failure.
void SealPersonalParts(Data* d, const std::vector<CountryShare>& countries, int threads,
                       Sealed* sealed);

}  // namespace consular::datagen::bulk

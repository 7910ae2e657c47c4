#pragma once

// The benchmark's bulk loader is consular-datagen's (tools/datagen/bulk_load.h); without keys it
// writes the benchmark's data set (dummy ciphertexts, no names).
#include "tools/datagen/bulk_load.h"

namespace consular::bench {

using datagen::BenchCountries;
using datagen::BulkLoad;
using datagen::BulkLoadCounts;
using datagen::BulkLoadOptions;
using datagen::BulkLoadReport;
using datagen::CheckLoadedFacts;
using datagen::CountryShare;

}  // namespace consular::bench

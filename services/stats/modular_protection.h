#pragma once

#include "services/stats/country_counts.h"
#include "services/stats/linked_tables.h"

// Disclosure control table by table (the modular method): the starting pattern that the linked
// set of every table then completes (linked_tables.h, ProtectCounts; docs/statistics.md,
// "Disclosure control"). Pure.
namespace consular::stats {

// Every figure of a country's years first..last, protected per year as four kinds of tables built
// top-down, so that a cell shared by two tables has one status:
//   1. per measure (cases opened, resolved): months -> quarters -> year of the totals;
//   2. per dimension: quarters x categories with their totals, whose quarter and year totals are
//      the cells of table 1; multi-valued dimensions (risk flags, obstacles) as one table per
//      category: with / without it;
//   3. the breakdowns of a part of the cases (PopulationOf, publisher.h): their totals are a
//      column of another table of the measure, built first;
//   4. cases unresolved at the year's end: by type, with their total;
// and the cases with a contact of each year as one linked set (ProtectLinkedContacts).
LinkedProtection ProtectModular(const CountryCounts& counts, int first_year, int last_year, int k);

}  // namespace consular::stats

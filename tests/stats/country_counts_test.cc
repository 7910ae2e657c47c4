// CountryCounts' cases with contacts (persons), held beside the contact events: pure, no database.
#include "services/stats/country_counts.h"

#include <gtest/gtest.h>

#include "services/stats/rollups.h"

namespace consular::stats {
namespace {

using storage::ContactCasesRow;
using storage::kFirstQuarterSlot;
using storage::kYearSlot;

constexpr char kKind[] = "DIMENSION_PARTNER_KIND";
constexpr char kLawyer[] = "PARTNER_KIND_LAWYER";

TEST(CountryCountsTest, ContactCasesAreReadBackPerYearSlotAndCategory) {
  CountryCounts counts;
  counts.AddContactCases({"MA", 2025, 0, kKind, kLawyer, 1});
  counts.AddContactCases({"MA", 2025, 1, kKind, kLawyer, 1});
  counts.AddContactCases({"MA", 2025, kFirstQuarterSlot, kKind, kLawyer, 1});
  counts.AddContactCases({"MA", 2025, kYearSlot, kKind, kLawyer, 2});
  counts.AddContactCases({"MA", 2025, kYearSlot, kTotal, kAll, 3});
  counts.AddContactCases({"MA", 2024, kYearSlot, kKind, kLawyer, 7});

  EXPECT_EQ(counts.ContactCases(2025, 0, kKind, kLawyer), 1);
  EXPECT_EQ(counts.ContactCases(2025, 1, kKind, kLawyer), 1);
  EXPECT_EQ(counts.ContactCases(2025, 2, kKind, kLawyer), 0);
  // A quarter is what was loaded for it, not the sum of its months.
  EXPECT_EQ(counts.ContactCases(2025, kFirstQuarterSlot, kKind, kLawyer), 1);
  EXPECT_EQ(counts.ContactCases(2025, kYearSlot, kKind, kLawyer), 2);
  EXPECT_EQ(counts.ContactCases(2025, kYearSlot, kTotal, kAll), 3);
  EXPECT_EQ(counts.ContactCases(2024, kYearSlot, kKind, kLawyer), 7);
  // Nothing added: 0.
  EXPECT_EQ(counts.ContactCases(2025, kYearSlot, kKind, "PARTNER_KIND_SHELTER"), 0);
  EXPECT_EQ(counts.ContactCases(2026, kYearSlot, kKind, kLawyer), 0);
  EXPECT_EQ(counts.ContactCases(2025, kYearSlot, "DIMENSION_CONTACT_PURPOSE", kLawyer), 0);
}

TEST(CountryCountsTest, ContactCasesOutsideTheSlotsAreIgnored) {
  CountryCounts counts;
  counts.AddContactCases({"MA", 2025, -1, kTotal, kAll, 4});
  counts.AddContactCases({"MA", 2025, kYearSlot + 1, kTotal, kAll, 4});
  for (int slot = -1; slot <= kYearSlot + 1; ++slot) {
    EXPECT_EQ(counts.ContactCases(2025, slot, kTotal, kAll), 0) << slot;
  }
}

TEST(CountryCountsTest, PersonsAndEventsAreKeptApart) {
  CountryCounts counts;
  storage::RollupRow events{"MA", 2025, 3, kContacts, kKind, kLawyer, 6};
  counts.Add(events);
  counts.AddContactCases({"MA", 2025, 2, kKind, kLawyer, 2});
  EXPECT_EQ(counts.Month(2025, 3, kContacts, kKind, kLawyer), 6);
  EXPECT_EQ(counts.ContactCases(2025, 2, kKind, kLawyer), 2);
  // The same row added twice (as two loads would): the counts add up, like Add's.
  counts.AddContactCases({"MA", 2025, 2, kKind, kLawyer, 2});
  EXPECT_EQ(counts.ContactCases(2025, 2, kKind, kLawyer), 4);
}

}  // namespace
}  // namespace consular::stats

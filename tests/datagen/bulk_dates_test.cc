// The bulk loader's day and time arithmetic: seconds since 1970-01-01 (UTC) written as COPY reads
// them.
#include "tools/datagen/bulk_dates.h"

#include <string>

#include "gtest/gtest.h"

namespace consular::datagen::bulk {
namespace {

TEST(BulkDatesTest, CountsDaysFromTheEpoch) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  static_assert(kEndDay - kFirstDay == 3591, "2017-01-01 .. 2026-11-01");
}

TEST(BulkDatesTest, WritesDatesAndTimestampsAsCopyReadsThem) {
  std::string out;
  AppendDay(&out, DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(out, "2024-02-29");
  out.clear();
  AppendTimestamp(&out, DaysFromCivil(2025, 3, 10) * kDay + 12 * kHour + 5 * 60 + 9);
  EXPECT_EQ(out, "2025-03-10 12:05:09+00");
  out.clear();
  AppendDate(&out, -1);  // one second before the epoch
  EXPECT_EQ(out, "1969-12-31");
  EXPECT_EQ(YearOf(kEnd - 1), 2026);
}

}  // namespace
}  // namespace consular::datagen::bulk

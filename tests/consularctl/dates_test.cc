#include "tools/consularctl/dates.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consular::ctl {
namespace {

using ::testing::HasSubstr;

TEST(ParseDateTest, ParsesIsoDate) {
  absl::StatusOr<consular::v1::Date> date = ParseDate("2026-02-28");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(date->year(), 2026);
  EXPECT_EQ(date->month(), 2);
  EXPECT_EQ(date->day(), 28);
}

TEST(ParseDateTest, AcceptsLeapDayOnlyInLeapYears) {
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
  EXPECT_TRUE(ParseDate("2000-02-29").ok());
  EXPECT_FALSE(ParseDate("2023-02-29").ok());
  EXPECT_FALSE(ParseDate("1900-02-29").ok());
}

TEST(ParseDateTest, RejectsDaysThatDoNotExist) {
  EXPECT_FALSE(ParseDate("2026-04-31").ok());
  EXPECT_FALSE(ParseDate("2026-02-30").ok());
  EXPECT_FALSE(ParseDate("2026-01-00").ok());
  EXPECT_FALSE(ParseDate("2026-13-01").ok());
  EXPECT_FALSE(ParseDate("2026-00-10").ok());
}

TEST(ParseDateTest, RejectsOtherFormats) {
  for (const char* text :
       {"", "2026-1-5", "26-01-05", "05-01-2026", "2026/01/05", "20260105",
        "2026-01-05T00:00:00Z", "2026-01-05 ", "+026-01-05", "2026-0a-05"}) {
    absl::StatusOr<consular::v1::Date> date = ParseDate(text);
    EXPECT_FALSE(date.ok()) << "\"" << text << "\"";
    if (!date.ok()) {
      EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  EXPECT_THAT(std::string(ParseDate("5 May").status().message()),
              HasSubstr("YYYY-MM-DD"));
}

TEST(ParseDateTest, RejectsYearsOutsideTheApiRange) {
  EXPECT_FALSE(ParseDate("1899-12-31").ok());
  EXPECT_TRUE(ParseDate("1900-01-01").ok());
  EXPECT_TRUE(ParseDate("9999-12-31").ok());
}

TEST(ParseDateTest, NoneIsTheUnsetDate) {
  absl::StatusOr<consular::v1::Date> date = ParseDate("none");
  ASSERT_TRUE(date.ok());
  EXPECT_FALSE(IsSet(*date));
  EXPECT_TRUE(ParseDate("NONE").ok());
}

TEST(FormatDateTest, PadsAndLeavesUnsetEmpty) {
  consular::v1::Date date;
  EXPECT_EQ(FormatDate(date), "");
  date.set_year(2026);
  date.set_month(3);
  date.set_day(7);
  EXPECT_EQ(FormatDate(date), "2026-03-07");
  EXPECT_EQ(FormatDate(*ParseDate(FormatDate(date))), "2026-03-07");
}

TEST(FormatTimestampTest, Rfc3339UtcToTheSecond) {
  google::protobuf::Timestamp timestamp;
  EXPECT_EQ(FormatTimestamp(timestamp), "");
  timestamp.set_seconds(1772357400);  // 2026-03-01T09:30:00Z
  timestamp.set_nanos(999999999);
  EXPECT_EQ(FormatTimestamp(timestamp), "2026-03-01T09:30:00Z");
}

TEST(ParseWhenTest, Rfc3339WithOffset) {
  absl::StatusOr<absl::Time> time = ParseWhen("2026-03-01T10:30:00+01:00", false);
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(absl::ToUnixSeconds(*time), 1772357400);  // 09:30 UTC
  time = ParseWhen("2026-03-01T09:30:00Z", true);
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(absl::ToUnixSeconds(*time), 1772357400);  // end_of_day is for days only
}

TEST(ParseWhenTest, ADayIsItsStartOrTheStartOfTheNextDay) {
  constexpr int64_t kMarch1Utc = 1772323200;  // 2026-03-01T00:00:00Z
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWhen("2026-03-01", /*end_of_day=*/false)), kMarch1Utc);
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWhen("2026-03-01", /*end_of_day=*/true)), kMarch1Utc + 86400);
}

TEST(ParseWhenTest, RejectsOtherFormats) {
  for (const char* text : {"", "tomorrow", "2026-3-1", "2026-02-30", "2026-03-01 09:30",
                           "2026-03-01T09:30:00", "01-03-2026"}) {
    absl::StatusOr<absl::Time> time = ParseWhen(text, true);
    EXPECT_FALSE(time.ok()) << "\"" << text << "\"";
    if (!time.ok()) {
      EXPECT_EQ(time.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(time.status().message()), HasSubstr("YYYY-MM-DD"));
    }
  }
}

TEST(ToTimestampTest, SecondsAndNanos) {
  google::protobuf::Timestamp timestamp =
      ToTimestamp(absl::FromUnixSeconds(1772357400) + absl::Milliseconds(250));
  EXPECT_EQ(timestamp.seconds(), 1772357400);
  EXPECT_EQ(timestamp.nanos(), 250000000);
  EXPECT_EQ(FormatTimestamp(timestamp), "2026-03-01T09:30:00Z");
}

}  // namespace
}  // namespace consular::ctl

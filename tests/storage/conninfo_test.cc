#include "storage/conninfo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace consular::storage {
namespace {

using ::testing::HasSubstr;

TEST(ConninfoTest, AddsConnectTimeoutWhenAbsent) {
  absl::StatusOr<std::string> conninfo = WithDefaultConnectTimeout(
      "host=/tmp/x port=5439 dbname=app", absl::Seconds(5));
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  EXPECT_EQ(*ConninfoValue(*conninfo, "connect_timeout"), "5");
  EXPECT_EQ(*ConninfoValue(*conninfo, "host"), "/tmp/x");
  EXPECT_EQ(*ConninfoValue(*conninfo, "port"), "5439");
  EXPECT_EQ(*ConninfoValue(*conninfo, "dbname"), "app");
}

TEST(ConninfoTest, KeepsExplicitConnectTimeout) {
  absl::StatusOr<std::string> conninfo = WithDefaultConnectTimeout(
      "dbname=app connect_timeout=17", absl::Seconds(5));
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  EXPECT_EQ(*ConninfoValue(*conninfo, "connect_timeout"), "17");
}

TEST(ConninfoTest, ConnectTimeoutIsWholeSecondsAtLeastTwo) {
  EXPECT_EQ(*ConninfoValue(
                *WithDefaultConnectTimeout("dbname=a", absl::Milliseconds(10)),
                "connect_timeout"),
            "2");
  EXPECT_EQ(*ConninfoValue(*WithDefaultConnectTimeout("dbname=a",
                                                      absl::Milliseconds(3500)),
                           "connect_timeout"),
            "4");
}

TEST(ConninfoTest, AcceptsUriForm) {
  absl::StatusOr<std::string> conninfo = WithDefaultConnectTimeout(
      "postgresql://alice@db.example:6543/cases", absl::Seconds(5));
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  EXPECT_EQ(*ConninfoValue(*conninfo, "host"), "db.example");
  EXPECT_EQ(*ConninfoValue(*conninfo, "port"), "6543");
  EXPECT_EQ(*ConninfoValue(*conninfo, "user"), "alice");
  EXPECT_EQ(*ConninfoValue(*conninfo, "dbname"), "cases");
  EXPECT_EQ(*ConninfoValue(*conninfo, "connect_timeout"), "5");
}

TEST(ConninfoTest, OverrideReplacesValueAndQuotesSpecialCharacters) {
  absl::StatusOr<std::string> conninfo =
      OverrideConninfo("dbname=old password=x",
                       {{"dbname", "new"}, {"password", "it's a \\ pw"}});
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  EXPECT_EQ(*ConninfoValue(*conninfo, "dbname"), "new");
  EXPECT_EQ(*ConninfoValue(*conninfo, "password"), "it's a \\ pw");
}

TEST(ConninfoTest, MalformedIsInvalidArgument) {
  EXPECT_EQ(
      WithDefaultConnectTimeout("dbname", absl::Seconds(5)).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OverrideConninfo("dbname=a", {{"no_such_parameter", "1"}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> value = ConninfoValue("nonsense_key=1", "dbname");
  EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(value.status().message(), HasSubstr("nonsense_key"));
}

}  // namespace
}  // namespace consular::storage

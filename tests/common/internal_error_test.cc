#include "services/common/internal_error.h"

#include <gtest/gtest.h>

#include <string>

#include "base/error_report.h"

namespace consular {
namespace {

TEST(InternalErrorTest, InternalDetailIsReplacedByACorrelationId) {
  for (const absl::StatusCode code : {absl::StatusCode::kInternal, absl::StatusCode::kUnknown,
                                      absl::StatusCode::kDataLoss}) {
    const absl::Status masked =
        MaskInternalError(absl::Status(code, "relation cases.cases: row for Amina Example"));
    EXPECT_EQ(masked.code(), code);
    const std::string message(masked.message());
    EXPECT_EQ(message.find("Amina"), std::string::npos) << message;
    EXPECT_EQ(message.rfind("internal error, correlation id ", 0), 0u) << message;
    EXPECT_EQ(message.size(), std::string("internal error, correlation id ").size() + 16);
  }
}

TEST(InternalErrorTest, OtherStatusesAndCorrelatedOnesPassUnchanged) {
  const absl::Status not_found = absl::NotFoundError("case ABN-2026-00001 not found");
  EXPECT_EQ(MaskInternalError(not_found), not_found);
  const absl::Status invalid = absl::InvalidArgumentError("case.country: required");
  EXPECT_EQ(MaskInternalError(invalid), invalid);
  const absl::Status correlated = InternalErrorWithCorrelation("reported once");
  EXPECT_EQ(MaskInternalError(correlated), correlated);
  // The id travels as the status's payload, not only in its text.
  EXPECT_EQ(CorrelationIdOf(correlated).size(), 16u);
  EXPECT_NE(std::string(correlated.message()).find(CorrelationIdOf(correlated)), std::string::npos);
  // A message that only looks correlated is still masked.
  const absl::Status look_alike = absl::InternalError("internal error, correlation id 0011223344556677");
  EXPECT_NE(MaskInternalError(look_alike), look_alike);
  EXPECT_TRUE(MaskInternalError(absl::OkStatus()).ok());
}

TEST(InternalErrorTest, EveryReportHasItsOwnId) {
  EXPECT_NE(InternalErrorWithCorrelation("a").message(), InternalErrorWithCorrelation("a").message());
}

}  // namespace
}  // namespace consular

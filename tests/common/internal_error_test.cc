#include "services/common/internal_error.h"

#include <gtest/gtest.h>

#include <string>

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
  const absl::Status correlated = absl::InternalError("internal error, correlation id 0011223344556677");
  EXPECT_EQ(MaskInternalError(correlated), correlated);
  EXPECT_TRUE(MaskInternalError(absl::OkStatus()).ok());
}

TEST(InternalErrorTest, EveryReportHasItsOwnId) {
  EXPECT_NE(InternalErrorWithCorrelation("a").message(), InternalErrorWithCorrelation("a").message());
}

}  // namespace
}  // namespace consular

#include "services/common/status.h"

#include "gtest/gtest.h"

namespace consular {
namespace {

TEST(StatusTest, EveryCodeRoundTripsWithItsMessage) {
  for (int code = 1; code <= 16; ++code) {
    const absl::Status original(static_cast<absl::StatusCode>(code),
                                "what went wrong");
    const grpc::Status converted = ToGrpcStatus(original);
    EXPECT_EQ(static_cast<int>(converted.error_code()), code);
    EXPECT_EQ(converted.error_message(), "what went wrong");
    EXPECT_EQ(FromGrpcStatus(converted), original);
  }
}

TEST(StatusTest, NamedCodesMatch) {
  EXPECT_EQ(ToGrpcStatus(absl::UnauthenticatedError("x")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ToGrpcStatus(absl::ResourceExhaustedError("x")).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ToGrpcStatus(absl::AbortedError("x")).error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone")),
            absl::NotFoundError("gone"));
}

TEST(StatusTest, OkStaysOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(StatusTest, UnknownCodesBecomeUnknown) {
  EXPECT_EQ(ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(42), "odd"))
                .error_code(),
            grpc::StatusCode::UNKNOWN);
  // grpc::StatusCode has no fixed underlying type: only values up to 31 are
  // representable.
  EXPECT_EQ(
      FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(20), "odd"))
          .code(),
      absl::StatusCode::kUnknown);
}

}  // namespace
}  // namespace consular

// services/stats: what the statistics services check of a client's request before anything
// reaches the database (statistics_rules, and the period and series checks of the publisher). The
// first byte picks the request; the rest is the request in binary wire form.
#include <string>

#include "absl/strings/match.h"
#include "services/stats/publisher.h"
#include "services/stats/statistics_rules.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/proto_input.h"

namespace {

namespace v1 = consular::v1;

bool IsInvalidArgumentNaming(const absl::Status& status, const std::string& field) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         absl::StartsWith(status.message(), field);
}

// A period checked by YearsOf: its years, in order and at most 25 of them.
void CheckPeriod(const v1::Period& period) {
  const absl::StatusOr<consular::stats::PeriodYears> years = consular::stats::YearsOf(period);
  if (!years.ok()) {
    FUZZ_CHECK(IsInvalidArgumentNaming(years.status(), "period"));
    return;
  }
  FUZZ_CHECK(years->first >= 2000 && years->first <= years->last && years->last <= 2100);
  FUZZ_CHECK(years->last - years->first <= 24);
  const auto [first_month, last_month] = consular::stats::MonthSpanOf(period);
  FUZZ_CHECK(first_month <= last_month);
  FUZZ_CHECK(first_month / 100 == years->first && last_month / 100 == years->last);
}

}  // namespace

CONSULAR_FUZZ_TARGET(stats_rules) {
  consular::fuzz::FuzzInput in(data, size);
  switch (in.Byte() % 4) {
    case 0: {  // GetCountryStatistics
      v1::GetCountryStatisticsRequest request;
      if (!consular::fuzz::ParseProto(in.Rest(), &request)) return;
      const absl::Status country = consular::stats::CheckCountry("country", request.country());
      FUZZ_CHECK(country.ok() || IsInvalidArgumentNaming(country, "country: "));
      CheckPeriod(request.period());
      const absl::Status dimensions = consular::stats::CheckDimensions(request.dimensions());
      FUZZ_CHECK(dimensions.ok() || IsInvalidArgumentNaming(dimensions, "dimensions["));
      break;
    }
    case 1: {  // RecordTalk
      v1::RecordTalkRequest request;
      if (!consular::fuzz::ParseProto(in.Rest(), &request)) return;
      v1::Date today;
      today.set_year(2026);
      today.set_month(6);
      today.set_day(15);
      const absl::Status status = consular::stats::ValidateTalk(request.talk(), today);
      FUZZ_CHECK(status.ok() || IsInvalidArgumentNaming(status, "talk."));
      if (status.ok() && request.talk().has_statistics_period()) {
        CheckPeriod(request.talk().statistics_period());
      }
      break;
    }
    case 2: {  // RenderCountryDossier's period
      v1::RenderCountryDossierRequest request;
      if (!consular::fuzz::ParseProto(in.Rest(), &request)) return;
      CheckPeriod(request.period());
      break;
    }
    default: {  // GetTimeSeries, over no counts
      v1::GetTimeSeriesRequest request;
      if (!consular::fuzz::ParseProto(in.Rest(), &request)) return;
      const consular::stats::CountryCounts counts;
      consular::stats::PublishOptions options;
      options.round_to_base5 = request.round_to_base5();
      const absl::StatusOr<v1::TimeSeries> series =
          consular::stats::PublishTimeSeries(request, counts, options);
      if (!series.ok()) {
        FUZZ_CHECK(series.status().code() == absl::StatusCode::kInvalidArgument);
        return;
      }
      // Nothing counted: every point is zero or suppressed, never a positive count.
      for (const v1::TimePoint& point : series->points()) {
        FUZZ_CHECK(point.figure().suppressed() || point.figure().value() == 0);
      }
      break;
    }
  }
}

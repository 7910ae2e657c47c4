#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "consular/v1/statistics.pb.h"
#include "services/stats/country_counts.h"
#include "services/stats/disclosure.h"
#include "services/stats/publisher.h"

// The protected tables of a country's years (the four kinds described in
// services/stats/publisher.h), and the figures of the parts of a period read off them: the
// publisher's disclosure control, apart from how a publication is laid out. Pure.
namespace consular::stats {

inline constexpr char kDivorce[] = "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION";
inline constexpr char kAbandonment[] = "CASE_TYPE_ABANDONMENT";

// A figure as the protected tables give it.
struct Pub {
  int64_t value = 0;
  bool suppressed = false;
};

// The sum of two published figures, suppressed when either is.
Pub Sum(const Pub& a, const Pub& b);

struct CalendarPub {
  std::array<Pub, 12> months;
  std::array<Pub, 4> quarters;
  Pub year;
};

// A dimension's cells per category, per quarter and for the year, and its population's totals.
struct DimensionPub {
  std::vector<std::string> categories;
  std::vector<std::array<Pub, 4>> quarters;
  std::vector<Pub> year;
  std::array<Pub, 4> total_quarters;
  Pub total_year;
};

// Cases unresolved at a quarter's end, by type.
struct SnapshotPub {
  Pub abandonment;
  Pub divorce;
  Pub total;
};

// The protected tables of one country and year, built when first asked for.
class YearTables {
 public:
  YearTables(const CountryCounts& counts, int year, const PublishOptions& options)
      : counts_(counts), year_(year), options_(options) {}

  // The months, quarters and year of a measure's totals (table 1).
  const CalendarPub& Calendar(consular::v1::Measure measure);
  // A dimension of a measure per quarter (tables 2 and 3).
  const DimensionPub& Of(consular::v1::Measure measure, consular::v1::Dimension dimension);
  // Unresolved at the end of quarter q (0..3) (table 4).
  const SnapshotPub& Unresolved(int q);

  int year() const { return year_; }

 private:
  std::vector<bool> Suppress(const Table& table) const;
  static Pub At(const Table& table, const std::vector<bool>& suppressed, int cell);
  int64_t Raw(consular::v1::Measure measure, consular::v1::Dimension dimension,
              const std::string& category, int q) const;
  int64_t RawTotal(consular::v1::Measure measure, int q) const;
  static int64_t QuarterOf(const std::array<int64_t, 12>* months, int q);

  const CountryCounts& counts_;
  const int year_;
  const PublishOptions options_;
  std::map<consular::v1::Measure, CalendarPub> calendars_;
  std::map<std::pair<consular::v1::Measure, consular::v1::Dimension>, DimensionPub> dimensions_;
  std::map<int, SnapshotPub> snapshots_;
};

// A part of a period: a whole year (quarter -1) or one quarter (0..3).
struct Part {
  int year;
  int quarter;
};

// The whole years and single quarters a valid period consists of, in order.
std::vector<Part> PartsOf(const consular::v1::Period& period);
// The months (year, 1..12) of a part.
std::vector<std::pair<int, int>> MonthsOf(const Part& part);

// The figures of a period's parts, each the sum of the parts' published figures.
class Publication {
 public:
  Publication(const CountryCounts& counts, const PublishOptions& options)
      : counts_(counts), options_(options) {}

  YearTables& Year(int year);

  Pub CalendarFigure(const std::vector<Part>& parts, consular::v1::Measure measure);
  Pub CategoryFigure(const std::vector<Part>& parts, consular::v1::Measure measure,
                     consular::v1::Dimension dimension, const std::string& category);
  Pub PopulationFigure(const std::vector<Part>& parts, consular::v1::Measure measure,
                       consular::v1::Dimension dimension);
  // Cases unresolved at the end of the last part.
  const SnapshotPub& SnapshotAtEnd(const std::vector<Part>& parts);

 private:
  const CountryCounts& counts_;
  const PublishOptions options_;
  std::map<int, std::unique_ptr<YearTables>> years_;
};

}  // namespace consular::stats

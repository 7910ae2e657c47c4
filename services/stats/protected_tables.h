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
#include "services/stats/linked_tables.h"
#include "services/stats/publisher.h"

// The figures of a country's years and of the parts of a period, read off a release's protected
// figures (services/stats/linked_tables.h), apart from how a publication is laid out. Pure.
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

// The published figures of one country and year, read off a release (linked_tables.h).
class YearTables {
 public:
  YearTables(const ReleasedCountry& released, int year) : released_(released), year_(year) {}

  // The months, quarters and year of a measure's totals.
  CalendarPub Calendar(consular::v1::Measure measure) const;
  // A measure's total of quarter q (0..3), or of the year (q < 0): that figure of Calendar.
  Pub CalendarPart(consular::v1::Measure measure, int q) const;
  // A dimension of a measure per quarter.
  DimensionPub Of(consular::v1::Measure measure, consular::v1::Dimension dimension) const;
  // Unresolved at the end of quarter q (0..3).
  SnapshotPub Unresolved(int q) const;

  int year() const { return year_; }

 private:
  Pub At(int slot, const std::string& measure, const std::string& dimension,
         const std::string& category) const;

  const ReleasedCountry& released_;
  const int year_;
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
  explicit Publication(const ReleasedCountry& released) : released_(released) {}

  YearTables Year(int year) const { return YearTables(released_, year); }

  Pub CalendarFigure(const std::vector<Part>& parts, consular::v1::Measure measure) const;
  Pub CategoryFigure(const std::vector<Part>& parts, consular::v1::Measure measure,
                     consular::v1::Dimension dimension, const std::string& category) const;
  Pub PopulationFigure(const std::vector<Part>& parts, consular::v1::Measure measure,
                       consular::v1::Dimension dimension) const;
  // The table of a dimension of a measure of each part's year (YearTables::Of), and the figures
  // of a category and of the population over the parts read off them: what CategoryFigure and
  // PopulationFigure give, for every category of a breakdown without building the tables again.
  std::vector<DimensionPub> Tables(const std::vector<Part>& parts, consular::v1::Measure measure,
                                   consular::v1::Dimension dimension) const;
  static Pub CategoryFigure(const std::vector<Part>& parts, consular::v1::Measure measure,
                            const std::vector<DimensionPub>& tables, const std::string& category);
  static Pub PopulationFigure(const std::vector<Part>& parts, consular::v1::Measure measure,
                              const std::vector<DimensionPub>& tables);
  // Cases unresolved at the end of the last part.
  SnapshotPub SnapshotAtEnd(const std::vector<Part>& parts) const;

 private:
  const ReleasedCountry& released_;
};

}  // namespace consular::stats

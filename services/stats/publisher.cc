#include "services/stats/publisher.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "consular/v1/cases.pb.h"
#include "services/stats/disclosure.h"
#include "services/stats/rollups.h"

namespace consular::stats {
namespace {

using consular::v1::Breakdown;
using consular::v1::CountryStatistics;
using consular::v1::Dimension;
using consular::v1::Figure;
using consular::v1::Measure;
using consular::v1::Period;

constexpr char kDivorce[] = "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION";
constexpr char kAbandonment[] = "CASE_TYPE_ABANDONMENT";

// A figure as the protected tables give it.
struct Pub {
  int64_t value = 0;
  bool suppressed = false;
};

Pub Sum(const Pub& a, const Pub& b) { return {a.value + b.value, a.suppressed || b.suppressed}; }

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

bool IsMultiValued(Dimension d) {
  return d == consular::v1::DIMENSION_RISK_FLAG ||
         d == consular::v1::DIMENSION_RECOGNITION_OBSTACLE;
}
bool OverDivorceCases(Dimension d) {
  return d == consular::v1::DIMENSION_RECOGNITION_DECISION ||
         d == consular::v1::DIMENSION_RECOGNITION_OBSTACLE;
}

template <typename EnumDescriptor>
std::vector<std::string> NamesOf(const EnumDescriptor* descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    if (descriptor->value(i)->number() != 0) names.push_back(descriptor->value(i)->name());
  }
  return names;
}

// The protected tables of one country and year, built when first asked for.
class YearTables {
 public:
  YearTables(const CountryCounts& counts, int year, const PublishOptions& options)
      : counts_(counts), year_(year), options_(options) {}

  const CalendarPub& Calendar(Measure measure) {
    auto it = calendars_.find(measure);
    if (it != calendars_.end()) return it->second;
    std::array<int64_t, 12> months{};
    if (const auto* counted = counts_.Months(year_, Measure_Name(measure), kTotal, kAll)) {
      months = *counted;
    }
    const Table table = CalendarTable(months);
    const std::vector<bool> suppressed = Suppress(table);
    CalendarPub pub;
    for (int m = 0; m < 12; ++m) pub.months[m] = At(table, suppressed, CalendarMonth(m));
    for (int q = 0; q < 4; ++q) pub.quarters[q] = At(table, suppressed, CalendarQuarter(q));
    pub.year = At(table, suppressed, kCalendarYear);
    return calendars_.emplace(measure, pub).first->second;
  }

  const DimensionPub& Of(Measure measure, Dimension dimension) {
    const auto key = std::make_pair(measure, dimension);
    auto it = dimensions_.find(key);
    if (it != dimensions_.end()) return it->second;

    // The population the dimension divides, and its published quarter and year totals.
    std::array<Pub, 4> population_quarters;
    Pub population_year;
    std::array<int64_t, 4> population_values{};
    if (OverDivorceCases(dimension)) {
      const DimensionPub& types = Of(measure, consular::v1::DIMENSION_CASE_TYPE);
      const size_t divorce = static_cast<size_t>(
          std::find(types.categories.begin(), types.categories.end(), kDivorce) -
          types.categories.begin());
      for (int q = 0; q < 4; ++q) {
        population_quarters[q] = types.quarters[divorce][q];
        population_values[q] = Raw(measure, consular::v1::DIMENSION_CASE_TYPE, kDivorce, q);
      }
      population_year = types.year[divorce];
    } else {
      const CalendarPub& calendar = Calendar(measure);
      population_quarters = calendar.quarters;
      population_year = calendar.year;
      for (int q = 0; q < 4; ++q) population_values[q] = RawTotal(measure, q);
    }

    DimensionPub pub;
    pub.categories = CategoriesOf(dimension);
    for (const std::string& seen :
         counts_.SeenCategories(year_, Measure_Name(measure), Dimension_Name(dimension))) {
      if (std::find(pub.categories.begin(), pub.categories.end(), seen) == pub.categories.end()) {
        pub.categories.push_back(seen);
      }
    }
    pub.total_quarters = population_quarters;
    pub.total_year = population_year;
    const int columns = static_cast<int>(pub.categories.size());
    pub.quarters.resize(columns);
    pub.year.resize(columns);

    const auto forced = [](const Pub& p) {
      return p.suppressed ? CellRule::kSuppressed : CellRule::kPublished;
    };
    if (IsMultiValued(dimension)) {
      // One table per category: the cases with it and those without, per quarter.
      for (int c = 0; c < columns; ++c) {
        std::vector<int64_t> interior;
        for (int q = 0; q < 4; ++q) {
          const int64_t with = Raw(measure, dimension, pub.categories[c], q);
          interior.push_back(with);
          interior.push_back(std::max<int64_t>(0, population_values[q] - with));
        }
        Table table = TwoWayTable(4, 2, interior);
        const TwoWayShape shape{4, 2};
        table.rules.assign(table.values.size(), CellRule::kFree);
        for (int q = 0; q < 4; ++q) table.rules[shape.RowTotal(q)] = forced(population_quarters[q]);
        table.rules[shape.GrandTotal()] = forced(population_year);
        const std::vector<bool> suppressed = Suppress(table);
        for (int q = 0; q < 4; ++q) pub.quarters[c][q] = At(table, suppressed, shape.Cell(q, 0));
        pub.year[c] = At(table, suppressed, shape.ColumnTotal(0));
      }
    } else {
      std::vector<int64_t> interior;
      for (int q = 0; q < 4; ++q) {
        for (int c = 0; c < columns; ++c) {
          interior.push_back(Raw(measure, dimension, pub.categories[c], q));
        }
      }
      Table table = TwoWayTable(4, columns, interior);
      const TwoWayShape shape{4, columns};
      table.rules.assign(table.values.size(), CellRule::kFree);
      for (int q = 0; q < 4; ++q) table.rules[shape.RowTotal(q)] = forced(population_quarters[q]);
      table.rules[shape.GrandTotal()] = forced(population_year);
      const std::vector<bool> suppressed = Suppress(table);
      for (int c = 0; c < columns; ++c) {
        for (int q = 0; q < 4; ++q) pub.quarters[c][q] = At(table, suppressed, shape.Cell(q, c));
        pub.year[c] = At(table, suppressed, shape.ColumnTotal(c));
      }
    }
    return dimensions_.emplace(key, std::move(pub)).first->second;
  }

  // Unresolved at the end of quarter q (0..3).
  const SnapshotPub& Unresolved(int q) {
    auto it = snapshots_.find(q);
    if (it != snapshots_.end()) return it->second;
    const int month = 3 * q + 3;
    Table table;
    table.values = {counts_.UnresolvedAt(year_, month, kAbandonment),
                    counts_.UnresolvedAt(year_, month, kDivorce),
                    counts_.UnresolvedAt(year_, month, "")};
    table.constraints = {AdditiveConstraint{2, {0, 1}}};
    const std::vector<bool> suppressed = Suppress(table);
    SnapshotPub pub{At(table, suppressed, 0), At(table, suppressed, 1), At(table, suppressed, 2)};
    return snapshots_.emplace(q, pub).first->second;
  }

  int year() const { return year_; }

 private:
  std::vector<bool> Suppress(const Table& table) const {
    if (options_.unprotected) return std::vector<bool>(table.values.size(), false);
    ProtectionResult result = Protect(table, options_.threshold);
    if (!result.fully_protected) {
      // Cannot happen with consistent counts; publish nothing of the table rather than too much.
      result.suppressed.assign(table.values.size(), true);
    }
    return result.suppressed;
  }

  static Pub At(const Table& table, const std::vector<bool>& suppressed, int cell) {
    if (suppressed[cell]) return Pub{0, true};
    return Pub{table.values[cell], false};
  }

  int64_t Raw(Measure measure, Dimension dimension, const std::string& category, int q) const {
    return QuarterOf(
        counts_.Months(year_, Measure_Name(measure), Dimension_Name(dimension), category), q);
  }
  int64_t RawTotal(Measure measure, int q) const {
    return QuarterOf(counts_.Months(year_, Measure_Name(measure), kTotal, kAll), q);
  }
  static int64_t QuarterOf(const std::array<int64_t, 12>* months, int q) {
    if (months == nullptr) return 0;
    return (*months)[3 * q] + (*months)[3 * q + 1] + (*months)[3 * q + 2];
  }

  const CountryCounts& counts_;
  const int year_;
  const PublishOptions options_;
  std::map<Measure, CalendarPub> calendars_;
  std::map<std::pair<Measure, Dimension>, DimensionPub> dimensions_;
  std::map<int, SnapshotPub> snapshots_;
};

// A part of a period: a whole year (quarter -1) or one quarter (0..3).
struct Part {
  int year;
  int quarter;
};

std::vector<Part> PartsOf(const Period& period) {
  std::vector<Part> parts;
  switch (period.kind_case()) {
    case Period::kYear:
      parts.push_back({period.year(), -1});
      break;
    case Period::kQuarter:
      parts.push_back({period.quarter().year(), period.quarter().quarter() - 1});
      break;
    case Period::kRange: {
      int y = period.range().from().year();
      int q = (period.range().from().month() - 1) / 3;
      const int last_y = period.range().to().year();
      const int last_q = (period.range().to().month() - 1) / 3;
      while (y < last_y || (y == last_y && q <= last_q)) {
        if (q == 0 && (y < last_y || last_q == 3)) {
          parts.push_back({y, -1});
          ++y;
          continue;
        }
        parts.push_back({y, q});
        if (++q == 4) {
          q = 0;
          ++y;
        }
      }
      break;
    }
    case Period::KIND_NOT_SET:
      break;
  }
  return parts;
}

// The months (year, 1..12) of a part.
std::vector<std::pair<int, int>> MonthsOf(const Part& part) {
  std::vector<std::pair<int, int>> months;
  const int first = part.quarter < 0 ? 0 : 3 * part.quarter;
  const int last = part.quarter < 0 ? 11 : 3 * part.quarter + 2;
  for (int m = first; m <= last; ++m) months.emplace_back(part.year, m + 1);
  return months;
}

void SetFigure(Figure* f, const Pub& p) {
  f->set_suppressed(p.suppressed);
  f->set_value(p.suppressed ? 0 : p.value);
}

class Publication {
 public:
  Publication(const CountryCounts& counts, const PublishOptions& options)
      : counts_(counts), options_(options) {}

  YearTables& Year(int year) {
    auto it = years_.find(year);
    if (it == years_.end()) {
      it = years_.emplace(year, std::make_unique<YearTables>(counts_, year, options_)).first;
    }
    return *it->second;
  }

  Pub CalendarFigure(const std::vector<Part>& parts, Measure measure) {
    Pub sum;
    for (const Part& p : parts) {
      const CalendarPub& c = Year(p.year).Calendar(measure);
      sum = Sum(sum, p.quarter < 0 ? c.year : c.quarters[p.quarter]);
    }
    return sum;
  }

  Pub CategoryFigure(const std::vector<Part>& parts, Measure measure, Dimension dimension,
                     const std::string& category) {
    Pub sum;
    for (const Part& p : parts) {
      const DimensionPub& d = Year(p.year).Of(measure, dimension);
      const auto it = std::find(d.categories.begin(), d.categories.end(), category);
      if (it == d.categories.end()) continue;
      const size_t c = static_cast<size_t>(it - d.categories.begin());
      sum = Sum(sum, p.quarter < 0 ? d.year[c] : d.quarters[c][p.quarter]);
    }
    return sum;
  }

  Pub PopulationFigure(const std::vector<Part>& parts, Measure measure, Dimension dimension) {
    Pub sum;
    for (const Part& p : parts) {
      const DimensionPub& d = Year(p.year).Of(measure, dimension);
      sum = Sum(sum, p.quarter < 0 ? d.total_year : d.total_quarters[p.quarter]);
    }
    return sum;
  }

  const SnapshotPub& SnapshotAtEnd(const std::vector<Part>& parts) {
    const Part& last = parts.back();
    return Year(last.year).Unresolved(last.quarter < 0 ? 3 : last.quarter);
  }

 private:
  const CountryCounts& counts_;
  const PublishOptions options_;
  std::map<int, std::unique_ptr<YearTables>> years_;
};

void RoundFigure(Figure* f) {
  if (!f->suppressed()) f->set_value(RoundToBase5(f->value()));
}

}  // namespace

void CountryCounts::Add(const storage::RollupRow& row) {
  if (row.month < 1 || row.month > 12) return;
  months_[Key(row.year, row.measure, row.dimension, row.category)][row.month - 1] += row.n;
}

void CountryCounts::AddBefore(const storage::RollupRow& row) {
  before_[std::make_tuple(row.measure, row.dimension, row.category)] += row.n;
}

int64_t CountryCounts::Month(int year, int month, std::string_view measure,
                             std::string_view dimension, std::string_view category) const {
  const std::array<int64_t, 12>* months = Months(year, measure, dimension, category);
  return months == nullptr ? 0 : (*months)[month - 1];
}

const std::array<int64_t, 12>* CountryCounts::Months(int year, std::string_view measure,
                                                     std::string_view dimension,
                                                     std::string_view category) const {
  const auto it = months_.find(KeyView(year, measure, dimension, category));
  return it == months_.end() ? nullptr : &it->second;
}

std::vector<std::string> CountryCounts::SeenCategories(int year, std::string_view measure,
                                                       std::string_view dimension) const {
  std::vector<std::string> seen;
  for (auto it = months_.lower_bound(KeyView(year, measure, dimension, ""));
       it != months_.end() && std::get<0>(it->first) == year && std::get<1>(it->first) == measure &&
       std::get<2>(it->first) == dimension;
       ++it) {
    seen.push_back(std::get<3>(it->first));
  }
  return seen;
}

int64_t CountryCounts::UnresolvedAt(int year, int month, const std::string& type) const {
  const std::string_view dimension = type.empty() ? kTotal : "DIMENSION_CASE_TYPE";
  const std::string_view category = type.empty() ? std::string_view(kAll) : type;
  const auto before = [&](std::string_view measure) {
    const auto it = before_.find(std::make_tuple(measure, dimension, category));
    return it == before_.end() ? int64_t{0} : it->second;
  };
  int64_t n = before(kOpened) - before(kResolved);
  const int first_year = months_.empty() ? year + 1 : std::get<0>(months_.begin()->first);
  for (int y = first_year; y <= year; ++y) {
    const int last = y == year ? month : 12;
    const std::array<int64_t, 12>* opened = Months(y, kOpened, dimension, category);
    const std::array<int64_t, 12>* resolved = Months(y, kResolved, dimension, category);
    for (int m = 0; m < last; ++m) {
      if (opened != nullptr) n += (*opened)[m];
      if (resolved != nullptr) n -= (*resolved)[m];
    }
  }
  return std::max<int64_t>(0, n);
}

std::vector<std::pair<int64_t, int64_t>> CountryCounts::ResolutionDays(int year, int month) const {
  std::vector<std::pair<int64_t, int64_t>> days;
  for (auto it = months_.lower_bound(KeyView(year, kResolved, kDays, ""));
       it != months_.end() && std::get<0>(it->first) == year &&
       std::get<1>(it->first) == kResolved && std::get<2>(it->first) == kDays;
       ++it) {
    const int64_t n = it->second[month - 1];
    if (n > 0) days.emplace_back(std::stoll(std::get<3>(it->first)), n);
  }
  return days;
}

void CountryCounts::SetResolutionDaysOf(int first_month, int last_month,
                                        std::vector<std::pair<int64_t, int64_t>> days) {
  days_first_month_ = first_month;
  days_last_month_ = last_month;
  period_days_ = std::move(days);
}

const std::vector<std::pair<int64_t, int64_t>>* CountryCounts::ResolutionDaysOf(
    int first_month, int last_month) const {
  if (days_first_month_ == 0 || first_month != days_first_month_ ||
      last_month != days_last_month_) {
    return nullptr;
  }
  return &period_days_;
}

std::pair<int, int> MonthSpanOf(const Period& period) {
  switch (period.kind_case()) {
    case Period::kQuarter: {
      const int y = period.quarter().year(), q = period.quarter().quarter();
      return {y * 100 + 3 * q - 2, y * 100 + 3 * q};
    }
    case Period::kRange:
      return {period.range().from().year() * 100 + period.range().from().month(),
              period.range().to().year() * 100 + period.range().to().month()};
    default:
      return {period.year() * 100 + 1, period.year() * 100 + 12};
  }
}

std::vector<std::string> CategoriesOf(Dimension dimension) {
  switch (dimension) {
    case consular::v1::DIMENSION_CASE_TYPE:
      return NamesOf(consular::v1::CaseType_descriptor());
    case consular::v1::DIMENSION_STATUS:
      return NamesOf(consular::v1::CaseStatus_descriptor());
    case consular::v1::DIMENSION_OUTCOME:
      return NamesOf(consular::v1::Outcome_descriptor());
    case consular::v1::DIMENSION_AGE_GROUP:
      return {"AGE_GROUP_MINOR", "AGE_GROUP_YOUNG_ADULT", "AGE_GROUP_ADULT", "AGE_GROUP_UNKNOWN"};
    case consular::v1::DIMENSION_MOTHER_WITH_MINOR_CHILDREN:
      return {"YES", "NO"};
    case consular::v1::DIMENSION_SEX:
      return NamesOf(consular::v1::Sex_descriptor());
    case consular::v1::DIMENSION_NATIONALITY_STATUS:
      return NamesOf(consular::v1::NationalityStatus_descriptor());
    case consular::v1::DIMENSION_REFERRAL_SOURCE:
      return NamesOf(consular::v1::ReferralSource_descriptor());
    case consular::v1::DIMENSION_RISK_FLAG:
      return NamesOf(consular::v1::RiskFlag_descriptor());
    case consular::v1::DIMENSION_RECOGNITION_DECISION:
      return {"RECOGNITION_DECISION_GRANTED", "RECOGNITION_DECISION_REFUSED",
              "RECOGNITION_DECISION_UNSPECIFIED"};
    case consular::v1::DIMENSION_RECOGNITION_OBSTACLE:
      return NamesOf(consular::v1::RecognitionObstacle_descriptor());
    case consular::v1::DIMENSION_PARTNER_KIND:
      return NamesOf(consular::v1::PartnerKind_descriptor());
    case consular::v1::DIMENSION_CONTACT_PURPOSE:
      return NamesOf(consular::v1::ContactPurpose_descriptor());
    default:
      return {};
  }
}

std::vector<Dimension> DimensionsOf(Measure measure) {
  using namespace consular::v1;  // NOLINT: the enum values read better unqualified
  switch (measure) {
    case MEASURE_CASES_OPENED:
      return {DIMENSION_CASE_TYPE,
              DIMENSION_STATUS,
              DIMENSION_AGE_GROUP,
              DIMENSION_MOTHER_WITH_MINOR_CHILDREN,
              DIMENSION_SEX,
              DIMENSION_NATIONALITY_STATUS,
              DIMENSION_REFERRAL_SOURCE,
              DIMENSION_RISK_FLAG,
              DIMENSION_MONTH,
              DIMENSION_RECOGNITION_DECISION,
              DIMENSION_RECOGNITION_OBSTACLE};
    case MEASURE_CASES_RESOLVED:
      return {DIMENSION_CASE_TYPE, DIMENSION_OUTCOME, DIMENSION_MONTH};
    case MEASURE_CASES_UNRESOLVED:
      return {DIMENSION_CASE_TYPE};
    case MEASURE_CONTACTS:
      return {DIMENSION_PARTNER_KIND, DIMENSION_CONTACT_PURPOSE, DIMENSION_MONTH};
    default:
      return {};
  }
}

absl::StatusOr<PeriodYears> YearsOf(const Period& period) {
  const auto year_ok = [](int y) { return y >= 2000 && y <= 2100; };
  switch (period.kind_case()) {
    case Period::kYear:
      if (!year_ok(period.year())) {
        return absl::InvalidArgumentError("period.year: must be 2000..2100");
      }
      return PeriodYears{period.year(), period.year()};
    case Period::kQuarter:
      if (!year_ok(period.quarter().year())) {
        return absl::InvalidArgumentError("period.quarter.year: must be 2000..2100");
      }
      if (period.quarter().quarter() < 1 || period.quarter().quarter() > 4) {
        return absl::InvalidArgumentError("period.quarter.quarter: must be 1..4");
      }
      return PeriodYears{period.quarter().year(), period.quarter().year()};
    case Period::kRange: {
      const consular::v1::Date& from = period.range().from();
      const consular::v1::Date& to = period.range().to();
      if (!year_ok(from.year()) || from.day() != 1 || (from.month() - 1) % 3 != 0 ||
          from.month() < 1 || from.month() > 12) {
        return absl::InvalidArgumentError(
            "period.range.from: must be the first day of a quarter (1 Jan, 1 Apr, 1 Jul or 1 Oct) "
            "in 2000..2100: figures are published per quarter");
      }
      if (!year_ok(to.year()) || to.month() < 1 || to.month() > 12 || to.month() % 3 != 0 ||
          to.day() != static_cast<int>(absl::CivilDay(to.year(), to.month() + 1, 1) -
                                       absl::CivilDay(to.year(), to.month(), 1))) {
        return absl::InvalidArgumentError(
            "period.range.to: must be the last day of a quarter (31 Mar, 30 Jun, 30 Sep or 31 "
            "Dec) in 2000..2100: figures are published per quarter");
      }
      if (to.year() < from.year() || (to.year() == from.year() && to.month() < from.month())) {
        return absl::InvalidArgumentError("period.range.to: before period.range.from");
      }
      if (to.year() - from.year() > 24) {
        return absl::InvalidArgumentError("period.range: at most 25 years");
      }
      return PeriodYears{from.year(), to.year()};
    }
    case Period::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("period: required (a year, a quarter or a range)");
}

CountryStatistics Publish(const std::string& country, const Period& period,
                          const CountryCounts& counts, const std::vector<Dimension>& dimensions,
                          const PublishOptions& options) {
  CountryStatistics stats;
  stats.set_country(country);
  *stats.mutable_period() = period;
  stats.set_threshold(options.threshold);
  stats.set_rounded_to_base5(options.round_to_base5);
  const std::vector<Part> parts = PartsOf(period);
  if (parts.empty()) return stats;
  Publication pub(counts, options);

  const Pub opened = pub.CalendarFigure(parts, consular::v1::MEASURE_CASES_OPENED);
  const Pub resolved = pub.CalendarFigure(parts, consular::v1::MEASURE_CASES_RESOLVED);
  const Pub contacts = pub.CalendarFigure(parts, consular::v1::MEASURE_CONTACTS);
  const SnapshotPub& unresolved = pub.SnapshotAtEnd(parts);
  SetFigure(stats.mutable_cases_opened(), opened);
  SetFigure(stats.mutable_cases_resolved(), resolved);
  SetFigure(stats.mutable_cases_unresolved(), unresolved.total);
  SetFigure(stats.mutable_contacts(), contacts);

  const auto wanted = [&](Dimension d) {
    return dimensions.empty() ||
           std::find(dimensions.begin(), dimensions.end(), d) != dimensions.end();
  };
  for (const Measure measure :
       {consular::v1::MEASURE_CASES_OPENED, consular::v1::MEASURE_CASES_RESOLVED,
        consular::v1::MEASURE_CASES_UNRESOLVED, consular::v1::MEASURE_CONTACTS}) {
    for (const Dimension dimension : DimensionsOf(measure)) {
      if (!wanted(dimension)) continue;
      Breakdown* b = stats.add_breakdowns();
      b->set_measure(measure);
      b->set_dimension(dimension);
      if (measure == consular::v1::MEASURE_CASES_UNRESOLVED) {
        auto* cell = b->add_cells();
        cell->set_category(kAbandonment);
        SetFigure(cell->mutable_figure(), unresolved.abandonment);
        cell = b->add_cells();
        cell->set_category(kDivorce);
        SetFigure(cell->mutable_figure(), unresolved.divorce);
        SetFigure(b->mutable_total(), unresolved.total);
        continue;
      }
      if (dimension == consular::v1::DIMENSION_MONTH) {
        for (const Part& part : parts) {
          const CalendarPub& calendar = pub.Year(part.year).Calendar(measure);
          for (const auto& [y, m] : MonthsOf(part)) {
            auto* cell = b->add_cells();
            cell->set_category(absl::StrFormat("%04d-%02d", y, m));
            SetFigure(cell->mutable_figure(), calendar.months[m - 1]);
          }
        }
        SetFigure(b->mutable_total(), pub.CalendarFigure(parts, measure));
        continue;
      }
      for (const std::string& category :
           pub.Year(parts[0].year).Of(measure, dimension).categories) {
        auto* cell = b->add_cells();
        cell->set_category(category);
        SetFigure(cell->mutable_figure(), pub.CategoryFigure(parts, measure, dimension, category));
      }
      SetFigure(b->mutable_total(), pub.PopulationFigure(parts, measure, dimension));
    }
  }

  // The median of the days from opening to resolution, when enough cases were resolved.
  std::map<int64_t, int64_t> days;
  int64_t n = 0;
  const auto [first_month, last_month] = MonthSpanOf(period);
  if (const auto* summed = counts.ResolutionDaysOf(first_month, last_month)) {
    for (const auto& [d, count] : *summed) {
      days[d] += count;
      n += count;
    }
  } else {
    for (const Part& part : parts) {
      for (const auto& [y, m] : MonthsOf(part)) {
        for (const auto& [d, count] : counts.ResolutionDays(y, m)) {
          days[d] += count;
          n += count;
        }
      }
    }
  }
  Figure* median = stats.mutable_median_days_to_resolution();
  if (n == 0 ||
      (!options.unprotected && (resolved.suppressed || resolved.value < options.threshold))) {
    median->set_suppressed(true);  // none resolved (or not known here), or too few to show
  } else {
    // The lower and upper middle values, averaged (rounded down).
    const int64_t lower_rank = (n - 1) / 2;
    const int64_t upper_rank = n / 2;
    int64_t seen = 0, lower = -1, upper = -1;
    for (const auto& [d, count] : days) {
      if (lower < 0 && seen + count > lower_rank) lower = d;
      if (upper < 0 && seen + count > upper_rank) upper = d;
      seen += count;
    }
    median->set_value((lower + upper) / 2);
  }

  if (options.round_to_base5) {
    RoundFigure(stats.mutable_cases_opened());
    RoundFigure(stats.mutable_cases_resolved());
    RoundFigure(stats.mutable_cases_unresolved());
    RoundFigure(stats.mutable_contacts());
    for (Breakdown& b : *stats.mutable_breakdowns()) {
      RoundFigure(b.mutable_total());
      for (auto& cell : *b.mutable_cells()) RoundFigure(cell.mutable_figure());
    }
  }
  return stats;
}

absl::StatusOr<consular::v1::TimeSeries> PublishTimeSeries(
    const consular::v1::GetTimeSeriesRequest& request, const CountryCounts& counts,
    const PublishOptions& options) {
  const Measure measure = request.measure();
  if (measure == consular::v1::MEASURE_UNSPECIFIED || !consular::v1::Measure_IsValid(measure)) {
    return absl::InvalidArgumentError("measure: required");
  }
  if (request.interval() == consular::v1::INTERVAL_UNSPECIFIED ||
      !consular::v1::Interval_IsValid(request.interval())) {
    return absl::InvalidArgumentError("interval: required");
  }
  if (request.from_year() < 2000 || request.from_year() > 2100) {
    return absl::InvalidArgumentError("from_year: must be 2000..2100");
  }
  if (request.to_year() < request.from_year() || request.to_year() > request.from_year() + 24) {
    return absl::InvalidArgumentError("to_year: must be from_year..from_year+24");
  }
  const Dimension dimension = request.dimension();
  const bool by_category = dimension != consular::v1::DIMENSION_UNSPECIFIED;
  if (by_category) {
    const std::vector<Dimension> dims = DimensionsOf(measure);
    if (dimension == consular::v1::DIMENSION_MONTH ||
        std::find(dims.begin(), dims.end(), dimension) == dims.end()) {
      return absl::InvalidArgumentError(absl::StrCat("dimension: ", Dimension_Name(dimension),
                                                     " is not a breakdown of ",
                                                     Measure_Name(measure), " in a time series"));
    }
    const std::vector<std::string> categories = CategoriesOf(dimension);
    if (std::find(categories.begin(), categories.end(), request.category()) == categories.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("category: not a category of ", Dimension_Name(dimension)));
    }
  } else if (!request.category().empty()) {
    return absl::InvalidArgumentError("category: only with a dimension");
  }
  if (request.interval() == consular::v1::INTERVAL_MONTH &&
      (by_category || measure == consular::v1::MEASURE_CASES_UNRESOLVED)) {
    return absl::InvalidArgumentError(
        "interval: months are published for the totals of opened, resolved and contacts only");
  }

  consular::v1::TimeSeries series;
  series.set_country(request.country());
  series.set_measure(measure);
  series.set_interval(request.interval());
  series.set_dimension(dimension);
  series.set_category(request.category());
  series.set_threshold(options.threshold);
  series.set_rounded_to_base5(options.round_to_base5);
  Publication pub(counts, options);
  const auto point = [&](const std::string& label, const Pub& p) {
    consular::v1::TimePoint* t = series.add_points();
    t->set_period(label);
    SetFigure(t->mutable_figure(), p);
    if (options.round_to_base5) RoundFigure(t->mutable_figure());
  };
  for (int y = request.from_year(); y <= request.to_year(); ++y) {
    const auto figure = [&](int quarter) -> Pub {
      const std::vector<Part> parts = {Part{y, quarter}};
      if (measure == consular::v1::MEASURE_CASES_UNRESOLVED) {
        const SnapshotPub& s = pub.SnapshotAtEnd(parts);
        if (!by_category) return s.total;
        return request.category() == kAbandonment ? s.abandonment : s.divorce;
      }
      if (by_category) return pub.CategoryFigure(parts, measure, dimension, request.category());
      return pub.CalendarFigure(parts, measure);
    };
    switch (request.interval()) {
      case consular::v1::INTERVAL_MONTH: {
        const CalendarPub& calendar = pub.Year(y).Calendar(measure);
        for (int m = 0; m < 12; ++m)
          point(absl::StrFormat("%04d-%02d", y, m + 1), calendar.months[m]);
        break;
      }
      case consular::v1::INTERVAL_QUARTER:
        for (int q = 0; q < 4; ++q) point(absl::StrFormat("%04d-Q%d", y, q + 1), figure(q));
        break;
      default:
        point(absl::StrFormat("%04d", y), figure(-1));
        break;
    }
  }
  return series;
}

}  // namespace consular::stats

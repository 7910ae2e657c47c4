#include "services/stats/publisher.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "consular/v1/cases.pb.h"
#include "services/stats/disclosure.h"
#include "services/stats/protected_tables.h"
#include "services/stats/rollups.h"

namespace consular::stats {
namespace {

using consular::v1::Breakdown;
using consular::v1::CountryStatistics;
using consular::v1::Dimension;
using consular::v1::Figure;
using consular::v1::Measure;
using consular::v1::Period;

template <typename EnumDescriptor>
std::vector<std::string> NamesOf(const EnumDescriptor* descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    if (descriptor->value(i)->number() != 0) names.push_back(descriptor->value(i)->name());
  }
  return names;
}

void SetFigure(Figure* f, const Pub& p) {
  f->set_suppressed(p.suppressed);
  f->set_value(p.suppressed ? 0 : p.value);
}

void RoundFigure(Figure* f) {
  if (!f->suppressed()) f->set_value(RoundToBase5(f->value()));
}

}  // namespace

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
    case consular::v1::DIMENSION_CHILDREN:
      return {"CHILDREN_NONE", "CHILDREN_ONE", "CHILDREN_TWO", "CHILDREN_THREE_OR_MORE",
              "CHILDREN_UNKNOWN"};
    case consular::v1::DIMENSION_RETURN_FUNDING: {
      std::vector<std::string> names = NamesOf(consular::v1::ReturnFunding_descriptor());
      names.push_back("RETURN_FUNDING_UNSPECIFIED");  // not recorded
      return names;
    }
    case consular::v1::DIMENSION_RECOGNITION_STAGE: {
      std::vector<std::string> names = NamesOf(consular::v1::ProceedingsStage_descriptor());
      names.push_back("PROCEEDINGS_STAGE_UNSPECIFIED");  // none recorded
      return names;
    }
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
              DIMENSION_RECOGNITION_OBSTACLE,
              DIMENSION_CHILDREN,
              DIMENSION_RECOGNITION_STAGE};
    case MEASURE_CASES_RESOLVED:
      return {DIMENSION_CASE_TYPE, DIMENSION_OUTCOME, DIMENSION_MONTH, DIMENSION_RETURN_FUNDING};
    case MEASURE_CASES_UNRESOLVED:
      return {DIMENSION_CASE_TYPE};
    case MEASURE_CONTACTS:
      return {DIMENSION_PARTNER_KIND, DIMENSION_CONTACT_PURPOSE, DIMENSION_MONTH};
    default:
      return {};
  }
}

std::string Population::DimensionKey() const {
  return dimension == consular::v1::DIMENSION_UNSPECIFIED ? kTotal : Dimension_Name(dimension);
}

std::string Population::CategoryKey() const {
  return dimension == consular::v1::DIMENSION_UNSPECIFIED ? kAll : category;
}

Population PopulationOf(Dimension dimension) {
  switch (dimension) {
    case consular::v1::DIMENSION_RECOGNITION_DECISION:
    case consular::v1::DIMENSION_RECOGNITION_OBSTACLE:
    case consular::v1::DIMENSION_RECOGNITION_STAGE:
      return {consular::v1::DIMENSION_CASE_TYPE, kDivorce};
    case consular::v1::DIMENSION_CHILDREN:
      return {consular::v1::DIMENSION_CASE_TYPE, kAbandonment};
    case consular::v1::DIMENSION_RETURN_FUNDING:
      // Of the cases resolved: RETURNED_TO_NL is an outcome of abandonment cases only.
      return {consular::v1::DIMENSION_OUTCOME, "OUTCOME_RETURNED_TO_NL"};
    default:
      return {};
  }
}

bool IsMultiValued(Dimension dimension) {
  return dimension == consular::v1::DIMENSION_RISK_FLAG ||
         dimension == consular::v1::DIMENSION_RECOGNITION_OBSTACLE;
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

ReleasedCountry ProtectForPeriod(const CountryCounts& counts, int first_year, int last_year,
                                 const PublishOptions& options) {
  const auto [first, last] = counts.Years();
  const int from = first == 0 ? first_year : std::min(first, first_year);
  const int to = std::max(last, last_year);
  return ProtectCounts(counts, from, to, options.threshold, {}, options.unprotected).country;
}

CountryStatistics Publish(const std::string& country, const Period& period,
                          const CountryCounts& counts, const std::vector<Dimension>& dimensions,
                          const PublishOptions& options) {
  const absl::StatusOr<PeriodYears> years = YearsOf(period);
  if (!years.ok()) return Publish(country, period, ReleasedCountry(), dimensions, options);
  return Publish(country, period, ProtectForPeriod(counts, years->first, years->last, options),
                 dimensions, options);
}

CountryStatistics Publish(const std::string& country, const Period& period,
                          const ReleasedCountry& released, const std::vector<Dimension>& dimensions,
                          const PublishOptions& options) {
  CountryStatistics stats;
  stats.set_country(country);
  *stats.mutable_period() = period;
  stats.set_threshold(options.threshold);
  stats.set_rounded_to_base5(options.round_to_base5);
  const std::vector<Part> parts = PartsOf(period);
  if (parts.empty()) return stats;
  const Publication pub(released);

  const Pub opened = pub.CalendarFigure(parts, consular::v1::MEASURE_CASES_OPENED);
  const Pub resolved = pub.CalendarFigure(parts, consular::v1::MEASURE_CASES_RESOLVED);
  const Pub contacts = pub.CalendarFigure(parts, consular::v1::MEASURE_CONTACTS);
  const SnapshotPub unresolved = pub.SnapshotAtEnd(parts);
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
      // A release made before the dimension was counted: no breakdown rather than false zeros.
      if (!HoldsDimension(released, measure, dimension)) continue;
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
          const CalendarPub calendar = pub.Year(part.year).Calendar(measure);
          for (const auto& [y, m] : MonthsOf(part)) {
            auto* cell = b->add_cells();
            cell->set_category(absl::StrFormat("%04d-%02d", y, m));
            SetFigure(cell->mutable_figure(), calendar.months[m - 1]);
          }
        }
        SetFigure(b->mutable_total(), pub.CalendarFigure(parts, measure));
        continue;
      }
      // Each part's table once, for every category (the categories of the first part's).
      const std::vector<DimensionPub> tables = pub.Tables(parts, measure, dimension);
      for (const std::string& category : tables[0].categories) {
        auto* cell = b->add_cells();
        cell->set_category(category);
        SetFigure(cell->mutable_figure(),
                  Publication::CategoryFigure(parts, measure, tables, category));
      }
      SetFigure(b->mutable_total(), Publication::PopulationFigure(parts, measure, tables));
    }
  }

  // In the overlap year of a change of definitions, the contacts as version 1 counted them. A
  // release made before these figures existed holds none where cases had contacts: then none.
  if (parts.size() == 1 && parts[0].year == kDefinitionOverlapYear) {
    const Part& part = parts[0];
    const int y = part.year;
    const int slot = part.quarter < 0 ? kSlotYear : QuarterSlot(part.quarter);
    const std::string now = Measure_Name(consular::v1::MEASURE_CONTACTS);
    const bool held =
        released.figures.count(FigureKey(y, kSlotYear, kContactsPrevious, kTotal, kAll)) != 0 ||
        released.Get(FigureKey(y, kSlotYear, now, kTotal, kAll)).value == 0;
    if (held) {
      const auto at = [&](int s, const std::string& d, const std::string& c) {
        const Released r = released.Get(FigureKey(y, s, kContactsPrevious, d, c));
        return Pub{r.value, r.suppressed};
      };
      consular::v1::PreviousDefinitionFigures* previous = stats.mutable_previous_definition();
      previous->set_definition_version(kPreviousDefinitionVersion);
      SetFigure(previous->mutable_contacts(), at(slot, kTotal, kAll));
      for (const Dimension dimension : DimensionsOf(consular::v1::MEASURE_CONTACTS)) {
        if (!wanted(dimension)) continue;
        Breakdown* b = previous->add_breakdowns();
        b->set_measure(consular::v1::MEASURE_CONTACTS);
        b->set_dimension(dimension);
        if (dimension == consular::v1::DIMENSION_MONTH) {
          for (const auto& [year, m] : MonthsOf(part)) {
            auto* cell = b->add_cells();
            cell->set_category(absl::StrFormat("%04d-%02d", year, m));
            SetFigure(cell->mutable_figure(), at(m - 1, kTotal, kAll));
          }
        } else {
          const std::string d = Dimension_Name(dimension);
          for (const std::string& category :
               pub.Year(y).Of(consular::v1::MEASURE_CONTACTS, dimension).categories) {
            auto* cell = b->add_cells();
            cell->set_category(category);
            SetFigure(cell->mutable_figure(), at(slot, d, category));
          }
        }
        SetFigure(b->mutable_total(), at(slot, kTotal, kAll));
      }
    }
  }

  // The median of the days from opening to resolution, when enough cases were resolved.
  std::map<int64_t, int64_t> days;
  int64_t n = 0;
  for (const Part& part : parts) {
    for (int q = part.quarter < 0 ? 0 : part.quarter; q <= (part.quarter < 0 ? 3 : part.quarter);
         ++q) {
      const auto it = released.days.find({part.year, q});
      if (it == released.days.end()) continue;
      for (const auto& [d, count] : it->second) {
        days[d] += count;
        n += count;
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
    if (stats.has_previous_definition()) {
      consular::v1::PreviousDefinitionFigures* previous = stats.mutable_previous_definition();
      RoundFigure(previous->mutable_contacts());
      for (Breakdown& b : *previous->mutable_breakdowns()) {
        RoundFigure(b.mutable_total());
        for (auto& cell : *b.mutable_cells()) RoundFigure(cell.mutable_figure());
      }
    }
  }
  return stats;
}

absl::StatusOr<consular::v1::TimeSeries> PublishTimeSeries(
    const consular::v1::GetTimeSeriesRequest& request, const CountryCounts& counts,
    const PublishOptions& options) {
  if (request.from_year() < 2000 || request.from_year() > 2100 ||
      request.to_year() < request.from_year() || request.to_year() > request.from_year() + 24) {
    return PublishTimeSeries(request, ReleasedCountry(), options);
  }
  return PublishTimeSeries(
      request, ProtectForPeriod(counts, request.from_year(), request.to_year(), options), options);
}

absl::StatusOr<consular::v1::TimeSeries> PublishTimeSeries(
    const consular::v1::GetTimeSeriesRequest& request, const ReleasedCountry& released,
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
    if (!HoldsDimension(released, measure, dimension)) {
      return absl::FailedPreconditionError(
          absl::StrCat("dimension: ", Dimension_Name(dimension),
                       " is not in this release (made before it was counted)"));
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
  const Publication pub(released);
  // The points of the overlap year of a change of definitions also carry the contacts as the
  // previous definitions counted them (when the release holds them; as GetCountryStatistics).
  const std::string contacts = Measure_Name(consular::v1::MEASURE_CONTACTS);
  const bool with_previous =
      measure == consular::v1::MEASURE_CONTACTS && request.from_year() <= kDefinitionOverlapYear &&
      kDefinitionOverlapYear <= request.to_year() &&
      (released.figures.count(
           FigureKey(kDefinitionOverlapYear, kSlotYear, kContactsPrevious, kTotal, kAll)) != 0 ||
       released.Get(FigureKey(kDefinitionOverlapYear, kSlotYear, contacts, kTotal, kAll)).value ==
           0);
  if (with_previous) series.set_previous_definition_version(kPreviousDefinitionVersion);
  const auto point = [&](const std::string& label, const Pub& p, int year, int slot) {
    consular::v1::TimePoint* t = series.add_points();
    t->set_period(label);
    SetFigure(t->mutable_figure(), p);
    if (options.round_to_base5) RoundFigure(t->mutable_figure());
    if (with_previous && year == kDefinitionOverlapYear) {
      const Released r =
          released.Get(by_category ? FigureKey(year, slot, kContactsPrevious,
                                               Dimension_Name(dimension), request.category())
                                   : FigureKey(year, slot, kContactsPrevious, kTotal, kAll));
      SetFigure(t->mutable_previous_definition(), Pub{r.value, r.suppressed});
      if (options.round_to_base5) RoundFigure(t->mutable_previous_definition());
    }
  };
  for (int y = request.from_year(); y <= request.to_year(); ++y) {
    const auto figure = [&](int quarter) -> Pub {
      const std::vector<Part> parts = {Part{y, quarter}};
      if (measure == consular::v1::MEASURE_CASES_UNRESOLVED) {
        const SnapshotPub s = pub.SnapshotAtEnd(parts);
        if (!by_category) return s.total;
        return request.category() == kAbandonment ? s.abandonment : s.divorce;
      }
      if (by_category) return pub.CategoryFigure(parts, measure, dimension, request.category());
      return pub.CalendarFigure(parts, measure);
    };
    switch (request.interval()) {
      case consular::v1::INTERVAL_MONTH: {
        const CalendarPub calendar = pub.Year(y).Calendar(measure);
        for (int m = 0; m < 12; ++m)
          point(absl::StrFormat("%04d-%02d", y, m + 1), calendar.months[m], y, m);
        break;
      }
      case consular::v1::INTERVAL_QUARTER:
        for (int q = 0; q < 4; ++q) {
          point(absl::StrFormat("%04d-Q%d", y, q + 1), figure(q), y, QuarterSlot(q));
        }
        break;
      default:
        point(absl::StrFormat("%04d", y), figure(-1), y, kSlotYear);
        break;
    }
  }
  return series;
}

}  // namespace consular::stats

// The JSON of one year of a released country (linked_tables.h, YearJson and AddYearJson): how a
// release stores its figures (stats.release_years.figures) and how every read of a release gets
// them back.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "services/stats/linked_tables.h"

namespace consular::stats {
namespace {

using Json = nlohmann::json;

// Reads {"year": Y, "figures": [[slot, measure, dimension, category, value, suppressed], ...],
// "days": [[quarter, days, cases], ...]} (keys in any order, others skipped) as nlohmann's parser
// meets it, without building the document: a list of 60 countries reads some 5,000 figures, and
// the document took most of the time. Any other shape stops the parse.
class YearReader final : public nlohmann::json_sax<Json> {
 public:
  struct Figure {
    int slot = 0;
    std::string measure, dimension, category;
    int64_t value = 0;
    bool suppressed = false;
  };

  // Whether the document had a whole-number year, figures and days.
  bool Complete() const { return has_year_ && has_figures_ && has_days_; }
  int year() const { return static_cast<int>(year_); }
  std::vector<Figure>& figures() { return figures_; }
  const std::vector<std::tuple<int, int64_t, int64_t>>& days() const { return days_; }

  bool null() override { return Scalar(); }
  bool boolean(bool value) override {
    if (skip_ > 0) return true;
    if (depth_ == 3 && section_ == kFigures && field_ == 5) {
      figure_.suppressed = value;
      ++field_;
      return true;
    }
    return Scalar();
  }
  bool number_integer(number_integer_t value) override { return Integer(value); }
  bool number_unsigned(number_unsigned_t value) override {
    return Integer(static_cast<int64_t>(value));
  }
  bool number_float(number_float_t, const string_t&) override { return Scalar(); }
  bool string(string_t& value) override {
    if (skip_ > 0) return true;
    if (depth_ == 3 && section_ == kFigures && field_ >= 1 && field_ <= 3) {
      (field_ == 1   ? figure_.measure
       : field_ == 2 ? figure_.dimension
                     : figure_.category) = std::move(value);
      ++field_;
      return true;
    }
    return Scalar();
  }
  bool binary(binary_t&) override { return false; }

  bool start_object(std::size_t) override {
    if (skip_ > 0 || (depth_ == 1 && section_ == kOther)) return Enter();
    if (depth_ != 0) return false;
    depth_ = 1;
    return true;
  }
  bool end_object() override {
    if (skip_ > 0) return Leave();
    depth_ = 0;
    return true;
  }
  bool key(string_t& name) override {
    if (skip_ > 0) return true;
    section_ = name == "year"      ? kYear
               : name == "figures" ? kFigures
               : name == "days"    ? kDays
                                   : kOther;
    return true;
  }
  bool start_array(std::size_t) override {
    if (skip_ > 0 || (depth_ == 1 && section_ == kOther)) return Enter();
    if (depth_ == 1 && (section_ == kFigures || section_ == kDays)) {
      (section_ == kFigures ? has_figures_ : has_days_) = true;
      depth_ = 2;
      return true;
    }
    if (depth_ == 2) {
      depth_ = 3;
      field_ = 0;
      figure_ = Figure();
      return true;
    }
    return false;
  }
  bool end_array() override {
    if (skip_ > 0) return Leave();
    if (depth_ == 3) {
      depth_ = 2;
      if (section_ == kFigures) {
        if (field_ < 6) return false;
        figures_.push_back(std::move(figure_));
      } else {
        if (field_ < 3) return false;
        days_.emplace_back(static_cast<int>(day_[0]), day_[1], day_[2]);
      }
      return true;
    }
    depth_ = 1;  // the end of the figures or the days
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  enum Section { kOther, kYear, kFigures, kDays };

  // A value that is not a field read here: fine where it is skipped, under another key or past
  // the fields of a figure or a day; anywhere else the document is not a year's figures.
  bool Scalar() {
    if (skip_ > 0 || (depth_ == 1 && section_ == kOther)) return true;
    if (depth_ == 3 && field_ >= (section_ == kFigures ? 6 : 3)) {
      ++field_;
      return true;
    }
    return false;
  }
  bool Integer(int64_t value) {
    if (skip_ > 0) return true;
    if (depth_ == 1 && section_ == kYear) {
      year_ = value;
      has_year_ = true;
      return true;
    }
    if (depth_ == 3 && section_ == kFigures) {
      if (field_ == 0) {
        figure_.slot = static_cast<int>(value);
      } else if (field_ == 4) {
        figure_.value = value;
      } else {
        return Scalar();
      }
      ++field_;
      return true;
    }
    if (depth_ == 3 && section_ == kDays && field_ < 3) {
      day_[field_++] = value;
      return true;
    }
    return Scalar();
  }
  // A nested value of a key not read here, or past the fields of a figure or a day.
  bool Enter() {
    ++skip_;
    return true;
  }
  bool Leave() {
    --skip_;
    return true;
  }

  int depth_ = 0;  // 1: the document, 2: figures or days, 3: one figure or day
  int skip_ = 0;
  Section section_ = kOther;
  int field_ = 0;
  Figure figure_;
  int64_t day_[3] = {0, 0, 0};
  int64_t year_ = 0;
  bool has_year_ = false, has_figures_ = false, has_days_ = false;
  std::vector<Figure> figures_;
  std::vector<std::tuple<int, int64_t, int64_t>> days_;
};

}  // namespace

std::string YearJson(const ReleasedCountry& country, int year) {
  Json figures = Json::array();
  for (auto it = country.figures.lower_bound(FigureKey(year, 0, "", "", ""));
       it != country.figures.end() && it->first.year == year; ++it) {
    figures.push_back({it->first.slot, it->first.measure, it->first.dimension, it->first.category,
                       it->second.value, it->second.suppressed});
  }
  Json days = Json::array();
  for (int q = 0; q < 4; ++q) {
    const auto it = country.days.find({year, q});
    if (it == country.days.end()) continue;
    for (const auto& [d, n] : it->second) days.push_back({q, d, n});
  }
  return Json{{"year", year}, {"figures", figures}, {"days", days}}.dump();
}

bool AddYearJson(const std::string& json, ReleasedCountry* country) {
  YearReader reader;
  if (!Json::sax_parse(json, &reader) || !reader.Complete()) return false;
  const int year = reader.year();
  for (YearReader::Figure& f : reader.figures()) {
    country->figures[FigureKey(year, f.slot, std::move(f.measure), std::move(f.dimension),
                               std::move(f.category))] = Released{f.value, f.suppressed};
  }
  for (const auto& [q, d, n] : reader.days()) country->days[{year, q}].emplace_back(d, n);
  return true;
}

}  // namespace consular::stats

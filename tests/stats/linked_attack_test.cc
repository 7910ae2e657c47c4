// The attack on the published figures that disclosure control must withstand: every table the
// API and the dossier publish for a country, for every year and quarter, from two consecutive
// releases, written down as equations together with every identity a reader knows from the
// documentation (categories add up to totals, months to quarters, quarters to years; cases with
// contacts lie between their parts' largest and sum; unresolved at a year's end = unresolved
// before + opened - resolved, by type; statuses now add up to the unresolved and resolved totals;
// each figure of the later release is the earlier plus a change of the sign it really has). In
// the overlap year of a change of counting definitions, the contacts as the previous definitions
// counted them are attacked with the rest (contacts add up over months, quarters, partner kinds
// and purposes; each is at least the cases with such a contact). By linear programming, no hidden
// figure with people in it may be narrowed to fewer than k values.
//
// The equations are built here from the published CountryStatistics, apart from the code that
// protects them (services/stats/linked_tables.cc).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/stats/disclosure.h"
#include "services/stats/linked_tables.h"
#include "services/stats/protected_tables.h"
#include "services/stats/publisher.h"
#include "services/stats/rollups.h"

namespace consular::stats {
namespace {

using consular::v1::CountryStatistics;
using consular::v1::Figure;
using consular::v1::Period;

constexpr int kFirst = 2024;
constexpr int kLast = 2025;
// Years that hold the overlap of the counting definitions (the contacts of 2026 also as version 1
// counted them).
constexpr int kOverlapFirst = kDefinitionOverlapYear - 1;
constexpr int kOverlapLast = kDefinitionOverlapYear;
constexpr char kU[] = "MEASURE_CASES_UNRESOLVED";
constexpr char kType[] = "DIMENSION_CASE_TYPE";
constexpr char kStatus[] = "DIMENSION_STATUS";

// A country's cases, consistent as the service keeps them: resolved (with a status RESOLVED or
// CLOSED) or not, within the years counted.
struct World {
  int first = kFirst;
  int last = kLast;
  RollupDelta delta;
  std::map<std::tuple<int, int, std::string, std::string>, std::set<int>> persons;
  int next_case = 0;
};

template <typename Random>
void AddCase(World* w, Random& random, bool minor_at_risk = false) {
  const auto pick = [&](const std::vector<std::string>& from) {
    return from[random() % from.size()];
  };
  const int id = w->next_case++;
  CaseFacts f;
  f.country = "MA";
  f.type = minor_at_risk ? "CASE_TYPE_ABANDONMENT"
                         : pick(CategoriesOf(consular::v1::DIMENSION_CASE_TYPE));
  const int month = 1 + static_cast<int>(random() % 3) * static_cast<int>(random() % 5);
  f.opened = absl::CivilDay(w->first + static_cast<int>(random() % (w->last - w->first + 1)), month,
                            1 + static_cast<int>(random() % 28));
  const absl::CivilDay end(w->last, 12, 31);
  if (!minor_at_risk && random() % 3 == 0) {
    f.resolved = std::min(end, f.opened + static_cast<int>(random() % 200));
    f.outcome = pick(CategoriesOf(consular::v1::DIMENSION_OUTCOME));
    f.status = random() % 2 == 0 ? "CASE_STATUS_RESOLVED" : "CASE_STATUS_CLOSED";
  } else {
    f.status = pick({"CASE_STATUS_INTAKE", "CASE_STATUS_ACTIVE", "CASE_STATUS_ON_HOLD"});
  }
  f.age_group =
      minor_at_risk ? "AGE_GROUP_MINOR" : pick(CategoriesOf(consular::v1::DIMENSION_AGE_GROUP));
  f.mother_with_minor_children = random() % 4 == 0;
  f.sex = pick(CategoriesOf(consular::v1::DIMENSION_SEX));
  f.nationality_status = pick(CategoriesOf(consular::v1::DIMENSION_NATIONALITY_STATUS));
  f.referral_source = pick(CategoriesOf(consular::v1::DIMENSION_REFERRAL_SOURCE));
  if (minor_at_risk) f.risk_flags.push_back("RISK_FLAG_FORCED_MARRIAGE");
  for (const std::string& flag : CategoriesOf(consular::v1::DIMENSION_RISK_FLAG)) {
    if (!minor_at_risk && random() % 4 == 0) f.risk_flags.push_back(flag);
  }
  f.recognition_decision = pick(CategoriesOf(consular::v1::DIMENSION_RECOGNITION_DECISION));
  for (const std::string& o : CategoriesOf(consular::v1::DIMENSION_RECOGNITION_OBSTACLE)) {
    if (random() % 3 == 0) f.recognition_obstacles.push_back(o);
  }
  f.recognition_stage = pick(CategoriesOf(consular::v1::DIMENSION_RECOGNITION_STAGE));
  f.children = pick(CategoriesOf(consular::v1::DIMENSION_CHILDREN));
  f.return_funding = pick(CategoriesOf(consular::v1::DIMENSION_RETURN_FUNDING));
  w->delta.AddCase(f, +1);
  for (int n = 0; random() % 2 == 0 && n < 3; ++n) {
    ContactFacts c;
    c.id = absl::StrCat(id, "-", n);
    c.day = std::min(end, f.opened + static_cast<int>(random() % 60));
    c.partner_kind = pick(CategoriesOf(consular::v1::DIMENSION_PARTNER_KIND));
    c.purpose = pick(CategoriesOf(consular::v1::DIMENSION_CONTACT_PURPOSE));
    w->delta.AddContact("MA", c, +1);
    const int year = static_cast<int>(c.day.year());
    const int m = c.day.month() - 1;
    for (const int slot : {m, kSlotQuarter0 + m / 3, kSlotYear}) {
      w->persons[{year, slot, kTotal, kAll}].insert(id);
      w->persons[{year, slot, "DIMENSION_PARTNER_KIND", c.partner_kind}].insert(id);
      w->persons[{year, slot, "DIMENSION_CONTACT_PURPOSE", c.purpose}].insert(id);
    }
  }
}

CountryCounts CountsOf(const World& w) {
  CountryCounts counts;
  for (const storage::RollupRow& row : w.delta.Rows()) counts.Add(row);
  for (const auto& [key, who] : w.persons) {
    const auto& [year, slot, dimension, category] = key;
    counts.AddContactCases(
        {"MA", year, slot, dimension, category, static_cast<int64_t>(who.size())});
  }
  return counts;
}

Period Year(int y) {
  Period p;
  p.set_year(y);
  return p;
}
Period Quarter(int y, int q) {
  Period p;
  p.mutable_quarter()->set_year(y);
  p.mutable_quarter()->set_quarter(q);
  return p;
}

// A quantity a reader can name: (release, year, slot, measure, dimension, category).
using Key = std::tuple<int, int, int, std::string, std::string, std::string>;

// The population a breakdown divides, as the documentation (statistics.proto, Breakdown.total)
// tells a reader: the (dimension, category) of the figure of the same measure that is its total.
std::pair<std::string, std::string> PopulationOf(consular::v1::Dimension d) {
  switch (d) {
    case consular::v1::DIMENSION_RECOGNITION_DECISION:
    case consular::v1::DIMENSION_RECOGNITION_OBSTACLE:
    case consular::v1::DIMENSION_RECOGNITION_STAGE:
      return {kType, kDivorce};
    case consular::v1::DIMENSION_CHILDREN:
      return {kType, kAbandonment};
    case consular::v1::DIMENSION_RETURN_FUNDING:
      return {"DIMENSION_OUTCOME", "OUTCOME_RETURNED_TO_NL"};
    default:
      return {kTotal, kAll};
  }
}

// Every figure the releases publish, as read from their CountryStatistics.
class Published {
 public:
  void Note(const Key& key, const Figure& f) {
    const auto it = figures_.find(key);
    if (it != figures_.end()) {
      // The same quantity in two tables: published the same way in both.
      EXPECT_EQ(it->second.suppressed(), f.suppressed()) << Name(key);
      if (!f.suppressed()) {
        EXPECT_EQ(it->second.value(), f.value()) << Name(key);
      }
      return;
    }
    figures_.emplace(key, f);
  }

  // The figures of one period's statistics.
  void Read(int release, int year, int slot, const CountryStatistics& s) {
    const auto key = [&](int sl, const std::string& m, const std::string& d, const std::string& c) {
      return Key(release, year, sl, m, d, c);
    };
    Note(key(slot, kOpened, kTotal, kAll), s.cases_opened());
    Note(key(slot, kResolved, kTotal, kAll), s.cases_resolved());
    Note(key(slot, kContacts, kTotal, kAll), s.contacts());
    if (slot == kSlotYear) Note(key(QuarterSlot(3), kU, kTotal, kAll), s.cases_unresolved());
    for (const consular::v1::Breakdown& b : s.breakdowns()) {
      const std::string m = Measure_Name(b.measure());
      const std::string d = Dimension_Name(b.dimension());
      if (b.dimension() == consular::v1::DIMENSION_MONTH) {
        for (const auto& c : b.cells()) {
          const int month = std::stoi(c.category().substr(5, 2));
          Note(key(month - 1, m, kTotal, kAll), c.figure());
        }
        Note(key(slot, m, kTotal, kAll), b.total());
        continue;
      }
      if (b.measure() == consular::v1::MEASURE_CASES_UNRESOLVED) {
        if (slot != kSlotYear) continue;  // published at year ends only
        for (const auto& c : b.cells())
          Note(key(QuarterSlot(3), kU, kType, c.category()), c.figure());
        Note(key(QuarterSlot(3), kU, kTotal, kAll), b.total());
        continue;
      }
      for (const auto& c : b.cells()) Note(key(slot, m, d, c.category()), c.figure());
      const auto [population_dimension, population_category] = PopulationOf(b.dimension());
      Note(key(slot, m, population_dimension, population_category), b.total());
    }
    // The contacts of the overlap year as the previous definitions counted them.
    if (s.has_previous_definition()) {
      const consular::v1::PreviousDefinitionFigures& p = s.previous_definition();
      EXPECT_EQ(p.definition_version(), kPreviousDefinitionVersion);
      Note(key(slot, kContactsPrevious, kTotal, kAll), p.contacts());
      for (const consular::v1::Breakdown& b : p.breakdowns()) {
        if (b.dimension() == consular::v1::DIMENSION_MONTH) {
          for (const auto& c : b.cells()) {
            const int month = std::stoi(c.category().substr(5, 2));
            Note(key(month - 1, kContactsPrevious, kTotal, kAll), c.figure());
          }
        } else {
          for (const auto& c : b.cells()) {
            Note(key(slot, kContactsPrevious, Dimension_Name(b.dimension()), c.category()),
                 c.figure());
          }
        }
        Note(key(slot, kContactsPrevious, kTotal, kAll), b.total());
      }
    } else {
      EXPECT_NE(year, kDefinitionOverlapYear) << "the overlap year without version 1's figures";
    }
  }

  void ReadRelease(int release, const World& w, const ReleasedCountry& country,
                   const PublishOptions& options) {
    for (int y = w.first; y <= w.last; ++y) {
      Read(release, y, kSlotYear, Publish("MA", Year(y), country, {}, options));
      for (int q = 1; q <= 4; ++q) {
        Read(release, y, QuarterSlot(q - 1), Publish("MA", Quarter(y, q), country, {}, options));
      }
    }
  }

  const std::map<Key, Figure>& figures() const { return figures_; }

  static std::string Name(const Key& k) {
    return absl::StrCat("release ", std::get<0>(k), " ", std::get<1>(k), " slot ", std::get<2>(k),
                        " ", std::get<3>(k), " ", std::get<4>(k), " ", std::get<5>(k));
  }

 private:
  std::map<Key, Figure> figures_;
};

// The attacker's equations over the published figures (fixed when published) and the hidden ones,
// with the true values of everything (which the test knows).
class Attack {
 public:
  Attack(const Published& published, const Published& truth) {
    for (const auto& [key, figure] : truth.figures()) {
      const int cell = static_cast<int>(table_.values.size());
      table_.values.push_back(figure.value());
      const auto it = published.figures().find(key);
      hidden_.push_back(it == published.figures().end() || it->second.suppressed());
      index_.emplace(key, cell);
    }
    num_figures_ = static_cast<int>(table_.values.size());
  }

  int At(const Key& key) const {
    const auto it = index_.find(key);
    EXPECT_NE(it, index_.end()) << Published::Name(key);
    return it == index_.end() ? 0 : it->second;
  }
  int Aux(int64_t value) {
    table_.values.push_back(value);
    hidden_.push_back(true);
    return static_cast<int>(table_.values.size()) - 1;
  }
  int64_t V(int cell) const { return table_.values[cell]; }
  void Sum(int total, std::vector<int> parts) { table_.constraints.push_back({total, parts}); }
  void AtMost(int a, int b) { Sum(b, {a, Aux(V(b) - V(a))}); }
  int SumAux(const std::vector<int>& parts) {
    int64_t t = 0;
    for (int p : parts) t += V(p);
    const int cell = Aux(t);
    Sum(cell, parts);
    return cell;
  }
  // a - b = change, of the sign it has.
  void Changed(int before, int after) {
    const int64_t d = V(after) - V(before);
    if (d >= 0) {
      Sum(after, {before, Aux(d)});
    } else {
      Sum(before, {after, Aux(-d)});
    }
  }

  // The hidden figures with people in them that the equations narrow below k.
  std::vector<std::string> Narrowed(int k, const std::vector<Key>& keys) const {
    EXPECT_TRUE(ValidateTable(table_).ok()) << ValidateTable(table_);
    std::vector<Key> asked;
    std::vector<int> cells;
    for (const Key& key : keys) {
      const int cell = index_.at(key);
      if (!hidden_[cell] || V(cell) == 0) continue;
      asked.push_back(key);
      cells.push_back(cell);
    }
    const std::vector<Interval> intervals = CellIntervals(table_, hidden_, cells);
    std::vector<std::string> narrow;
    for (size_t i = 0; i < cells.size(); ++i) {
      const Interval& in = intervals[i];
      if (!(in.hi - in.lo >= k)) {
        narrow.push_back(absl::StrFormat("%s = %d: [%g, %g]", Published::Name(asked[i]),
                                         V(cells[i]), in.lo, in.hi));
      }
    }
    return narrow;
  }
  int HiddenWithPeople() const {
    int n = 0;
    for (int c = 0; c < num_figures_; ++c) n += hidden_[c] && V(c) > 0 ? 1 : 0;
    return n;
  }

 private:
  Table table_;
  std::vector<bool> hidden_;
  std::map<Key, int> index_;
  int num_figures_ = 0;
};

void Sum3(Attack& a, int total, int x, int y, int z) { a.Sum(total, {x, y, z}); }

// Every identity between the figures of one release that the documentation tells a reader.
void AddIdentities(Attack& a, const World& w, int r) {
  const int first = w.first;
  const int last = w.last;
  const auto K = [&](int y, int s, const std::string& m, const std::string& d,
                     const std::string& c) { return a.At(Key(r, y, s, m, d, c)); };
  for (int y = first; y <= last; ++y) {
    for (const auto measure :
         {consular::v1::MEASURE_CASES_OPENED, consular::v1::MEASURE_CASES_RESOLVED}) {
      const std::string m = Measure_Name(measure);
      std::vector<int> quarters;
      for (int q = 0; q < 4; ++q) {
        quarters.push_back(K(y, QuarterSlot(q), m, kTotal, kAll));
        Sum3(a, K(y, QuarterSlot(q), m, kTotal, kAll), K(y, 3 * q, m, kTotal, kAll),
             K(y, 3 * q + 1, m, kTotal, kAll), K(y, 3 * q + 2, m, kTotal, kAll));
      }
      a.Sum(K(y, kSlotYear, m, kTotal, kAll), quarters);
      for (const auto dimension : DimensionsOf(measure)) {
        if (dimension == consular::v1::DIMENSION_MONTH) continue;
        const std::string d = Dimension_Name(dimension);
        const bool multi = dimension == consular::v1::DIMENSION_RISK_FLAG ||
                           dimension == consular::v1::DIMENSION_RECOGNITION_OBSTACLE;
        const auto [population_dimension, population_category] = PopulationOf(dimension);
        for (int s = kSlotQuarter0; s <= kSlotYear; ++s) {
          const int population = K(y, s, m, population_dimension, population_category);
          std::vector<int> cells;
          for (const std::string& c : CategoriesOf(dimension)) {
            cells.push_back(K(y, s, m, d, c));
            if (multi) a.AtMost(cells.back(), population);
          }
          if (!multi) a.Sum(population, cells);
        }
        for (const std::string& c : CategoriesOf(dimension)) {
          std::vector<int> qs;
          for (int q = 0; q < 4; ++q) qs.push_back(K(y, QuarterSlot(q), m, d, c));
          a.Sum(K(y, kSlotYear, m, d, c), qs);
        }
      }
    }
    // Cases with contacts.
    const std::string m = kContacts;
    std::vector<std::pair<std::string, std::string>> series = {{kTotal, kAll}};
    for (const auto dimension :
         {consular::v1::DIMENSION_PARTNER_KIND, consular::v1::DIMENSION_CONTACT_PURPOSE}) {
      for (const std::string& c : CategoriesOf(dimension)) {
        series.emplace_back(Dimension_Name(dimension), c);
      }
    }
    for (const auto& [d, c] : series) {
      const auto between = [&](int whole, const std::vector<int>& parts) {
        for (int p : parts) a.AtMost(p, whole);
        a.AtMost(whole, a.SumAux(parts));
      };
      // Months are published for the total only (a month of a partner kind is unknown, and bounds
      // nothing published any further).
      std::vector<int> qs;
      for (int q = 0; q < 4; ++q) {
        qs.push_back(K(y, QuarterSlot(q), m, d, c));
        if (d == kTotal) {
          between(qs.back(),
                  {K(y, 3 * q, m, d, c), K(y, 3 * q + 1, m, d, c), K(y, 3 * q + 2, m, d, c)});
        }
      }
      between(K(y, kSlotYear, m, d, c), qs);
    }
    for (int s = kSlotQuarter0; s <= kSlotYear; ++s) {
      for (const auto dimension :
           {consular::v1::DIMENSION_PARTNER_KIND, consular::v1::DIMENSION_CONTACT_PURPOSE}) {
        std::vector<int> cells;
        for (const std::string& c : CategoriesOf(dimension)) {
          cells.push_back(K(y, s, m, Dimension_Name(dimension), c));
          a.AtMost(cells.back(), K(y, s, m, kTotal, kAll));
        }
        a.AtMost(K(y, s, m, kTotal, kAll), a.SumAux(cells));
      }
    }
    // Contacts as the previous definitions counted them (the overlap year): every contact once,
    // so months add up to quarters and quarters to the year; each contact has one partner kind and
    // one purpose; a figure of contacts is at least the cases with such a contact.
    if (y == kDefinitionOverlapYear) {
      const std::string v1 = kContactsPrevious;
      std::vector<int> qs;
      for (int q = 0; q < 4; ++q) {
        qs.push_back(K(y, QuarterSlot(q), v1, kTotal, kAll));
        Sum3(a, qs.back(), K(y, 3 * q, v1, kTotal, kAll), K(y, 3 * q + 1, v1, kTotal, kAll),
             K(y, 3 * q + 2, v1, kTotal, kAll));
      }
      a.Sum(K(y, kSlotYear, v1, kTotal, kAll), qs);
      for (int s = 0; s <= kSlotYear; ++s)
        a.AtMost(K(y, s, m, kTotal, kAll), K(y, s, v1, kTotal, kAll));
      for (const auto dimension :
           {consular::v1::DIMENSION_PARTNER_KIND, consular::v1::DIMENSION_CONTACT_PURPOSE}) {
        const std::string d = Dimension_Name(dimension);
        for (const std::string& c : CategoriesOf(dimension)) {
          std::vector<int> parts;
          for (int q = 0; q < 4; ++q) parts.push_back(K(y, QuarterSlot(q), v1, d, c));
          a.Sum(K(y, kSlotYear, v1, d, c), parts);
          for (int s = kSlotQuarter0; s <= kSlotYear; ++s)
            a.AtMost(K(y, s, m, d, c), K(y, s, v1, d, c));
        }
        for (int s = kSlotQuarter0; s <= kSlotYear; ++s) {
          std::vector<int> cells;
          for (const std::string& c : CategoriesOf(dimension)) cells.push_back(K(y, s, v1, d, c));
          a.Sum(K(y, s, v1, kTotal, kAll), cells);
        }
      }
    }
    // Unresolved at the year's end, in total and by type; none before the first year.
    a.Sum(K(y, QuarterSlot(3), kU, kTotal, kAll), {K(y, QuarterSlot(3), kU, kType, kAbandonment),
                                                   K(y, QuarterSlot(3), kU, kType, kDivorce)});
    for (const auto& [d, c] : std::vector<std::pair<std::string, std::string>>{
             {kTotal, kAll}, {kType, kAbandonment}, {kType, kDivorce}}) {
      const int now = K(y, QuarterSlot(3), kU, d, c);
      const int out = K(y, kSlotYear, kResolved, d, c);
      const int in = K(y, kSlotYear, kOpened, d, c);
      const int balance = a.Aux(a.V(now) + a.V(out));
      a.Sum(balance, {now, out});
      if (y == first) {
        a.Sum(balance, {in});
      } else {
        a.Sum(balance, {K(y - 1, QuarterSlot(3), kU, d, c), in});
      }
    }
  }
  // Statuses now, over every year.
  std::vector<int> open, closed, resolved;
  for (int y = first; y <= last; ++y) {
    for (const std::string& c : CategoriesOf(consular::v1::DIMENSION_STATUS)) {
      const bool is_open = c != "CASE_STATUS_RESOLVED" && c != "CASE_STATUS_CLOSED";
      (is_open ? open : closed).push_back(K(y, kSlotYear, kOpened, kStatus, c));
    }
    resolved.push_back(K(y, kSlotYear, kResolved, kTotal, kAll));
  }
  a.Sum(K(last, QuarterSlot(3), kU, kTotal, kAll), open);
  a.Sum(a.SumAux(resolved), closed);
}

// `releases` releases of one country, each after the first made after `grow` changed its cases
// (each protected jointly with all before it, as MakeRelease does); all attacked together.
struct Outcome {
  std::vector<std::string> narrowed;  // hidden figures narrowed below k, any release
  int hidden = 0;
  bool fully_protected = true;
  std::vector<ReleasedCountry> made;  // the releases, oldest first
  // Figures of the previous definitions (the overlap year) read from the releases.
  int previous_hidden = 0;
  int previous_published = 0;
};

template <typename Grow>
Outcome AttackReleases(World& world, int k, int releases, Grow grow) {
  PublishOptions options;
  options.threshold = k;
  PublishOptions truth_options = options;
  truth_options.unprotected = true;
  Outcome outcome;
  outcome.made.reserve(releases);
  Published published, truth;
  for (int r = 1; r <= releases; ++r) {
    if (r > 1) grow(world);
    const CountryCounts counts = CountsOf(world);
    std::vector<const ReleasedCountry*> earlier;
    for (const ReleasedCountry& made : outcome.made) earlier.push_back(&made);
    const LinkedProtection release = ProtectCounts(counts, world.first, world.last, k, earlier);
    const LinkedProtection unprotected =
        ProtectCounts(counts, world.first, world.last, k, {}, true);
    outcome.fully_protected = outcome.fully_protected && release.fully_protected;
    outcome.made.push_back(release.country);
    published.ReadRelease(r, world, outcome.made.back(), options);
    truth.ReadRelease(r, world, unprotected.country, truth_options);
  }

  Attack attack(published, truth);
  for (int r = 1; r <= releases; ++r) AddIdentities(attack, world, r);
  std::vector<Key> keys;
  for (const auto& [key, figure] : truth.figures()) {
    keys.push_back(key);
    if (std::get<0>(key) == releases) continue;
    Key later = key;
    std::get<0>(later) = std::get<0>(key) + 1;
    if (truth.figures().count(later) != 0) attack.Changed(attack.At(key), attack.At(later));
  }
  for (const auto& [key, figure] : published.figures()) {
    if (std::get<3>(key) != kContactsPrevious) continue;
    (figure.suppressed() ? outcome.previous_hidden : outcome.previous_published) += 1;
  }
  outcome.narrowed = attack.Narrowed(k, keys);
  outcome.hidden = attack.HiddenWithPeople();
  return outcome;
}

template <typename Grow>
Outcome AttackTwoReleases(World& world, int k, Grow grow) {
  return AttackReleases(world, k, 2, grow);
}

TEST(LinkedAttackTest, ASeededCountryWithstandsTheAttackOverTwoReleases) {
  std::mt19937 random(2024);
  World world;
  for (int i = 0; i < 60; ++i) AddCase(&world, random);
  const Outcome outcome = AttackTwoReleases(world, 5, [&](World& w) {
    for (int i = 0; i < 8; ++i) AddCase(&w, random);
  });
  EXPECT_TRUE(outcome.fully_protected);
  EXPECT_GT(outcome.hidden, 20);  // the attack has something to work on
  EXPECT_TRUE(outcome.narrowed.empty()) << ::testing::PrintToString(outcome.narrowed);
}

// One case added between two releases: a minor at risk of forced marriage, in a country with a
// handful of cases. No hidden figure of the first release is narrowed below k by the second.
TEST(LinkedAttackTest, OneAddedCaseNarrowsNoHiddenFigureOfTheEarlierRelease) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::mt19937 random(seed);
    World world;
    for (int i = 0; i < 12 + static_cast<int>(seed) * 9; ++i) AddCase(&world, random);
    const Outcome outcome =
        AttackTwoReleases(world, 5, [&](World& w) { AddCase(&w, random, /*minor_at_risk=*/true); });
    EXPECT_TRUE(outcome.fully_protected) << "seed " << seed;
    EXPECT_TRUE(outcome.narrowed.empty())
        << "seed " << seed << ": " << ::testing::PrintToString(outcome.narrowed);
  }
}

// Each release is protected jointly with every release before it, not only the last: four
// releases, a case or two added before each of the next three, attacked together.
TEST(LinkedAttackTest, FourReleasesWithstandTheAttackTogether) {
  for (uint32_t seed : {5u}) {
    std::mt19937 random(seed);
    World world;
    for (int i = 0; i < 25 + static_cast<int>(seed) * 5; ++i) AddCase(&world, random);
    const Outcome outcome = AttackReleases(world, 5, 4, [&](World& w) {
      for (int i = 0; i < 1 + static_cast<int>(random() % 2); ++i) AddCase(&w, random);
    });
    EXPECT_TRUE(outcome.fully_protected) << "seed " << seed;
    EXPECT_GT(outcome.hidden, 20) << "seed " << seed;
    EXPECT_TRUE(outcome.narrowed.empty())
        << "seed " << seed << ": " << ::testing::PrintToString(outcome.narrowed);
  }
}

// A release of data that did not change since the release before repeats it: the same figures
// hidden, none more, none fewer (the pattern stays put; a reader comparing them learns nothing).
TEST(LinkedAttackTest, AReleaseOfUnchangedDataRepeatsTheOneBefore) {
  std::mt19937 random(7);
  World world;
  for (int i = 0; i < 40; ++i) AddCase(&world, random);
  const Outcome outcome = AttackReleases(world, 5, 3, [](World&) {});
  ASSERT_EQ(outcome.made.size(), 3u);
  EXPECT_TRUE(outcome.fully_protected);
  EXPECT_TRUE(outcome.narrowed.empty()) << ::testing::PrintToString(outcome.narrowed);
  for (size_t r = 1; r < outcome.made.size(); ++r) {
    const auto& before = outcome.made[r - 1].figures;
    const auto& now = outcome.made[r].figures;
    ASSERT_EQ(before.size(), now.size()) << "release " << r + 1;
    for (const auto& [key, figure] : before) {
      const auto it = now.find(key);
      ASSERT_NE(it, now.end());
      EXPECT_EQ(it->second.suppressed, figure.suppressed)
          << "release " << r + 1 << ": " << key.year << " slot " << key.slot << " " << key.measure
          << " " << key.dimension << " " << key.category;
    }
  }
}

// The overlap year of a change of definitions publishes the contacts under both: the figures of
// version 1 (every contact) are attacked with those of version 2 (cases with a contact) and every
// identity between them.
TEST(LinkedAttackTest, TheOverlapYearWithstandsTheAttackUnderBothDefinitions) {
  for (uint32_t seed : {1u, 3u}) {
    std::mt19937 random(seed);
    World world;
    world.first = kOverlapFirst;
    world.last = kOverlapLast;
    for (int i = 0; i < 50; ++i) AddCase(&world, random);
    const Outcome outcome = AttackTwoReleases(world, 5, [&](World& w) {
      for (int i = 0; i < 3; ++i) AddCase(&w, random);
    });
    EXPECT_TRUE(outcome.fully_protected) << "seed " << seed;
    // Both kinds are there for the attack: version 1 figures published and hidden.
    EXPECT_GT(outcome.previous_published, 5) << "seed " << seed;
    EXPECT_GT(outcome.previous_hidden, 5) << "seed " << seed;
    EXPECT_TRUE(outcome.narrowed.empty())
        << "seed " << seed << ": " << ::testing::PrintToString(outcome.narrowed);
  }
}

TEST(LinkedAttackPropertyTest, RandomCountriesWithstandTheAttackOverTwoReleases) {
  std::mt19937 random(15);
  for (int round = 0; round < 4; ++round) {
    const int k = 5 + static_cast<int>(random() % 2) * 2;
    World world;
    if (round % 2 == 1) {  // every other country over the overlap year
      world.first = kOverlapFirst;
      world.last = kOverlapLast;
    }
    const int cases = 5 + static_cast<int>(random() % 120);
    for (int i = 0; i < cases; ++i) AddCase(&world, random);
    const int added = 1 + static_cast<int>(random() % 10);
    const Outcome outcome = AttackTwoReleases(world, k, [&](World& w) {
      for (int i = 0; i < added; ++i) AddCase(&w, random);
    });
    EXPECT_TRUE(outcome.fully_protected) << "round " << round;
    EXPECT_TRUE(outcome.narrowed.empty())
        << "round " << round << " (" << cases << " cases, " << added << " added, k " << k
        << ", years " << world.first << "-" << world.last
        << "): " << ::testing::PrintToString(outcome.narrowed);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace consular::stats

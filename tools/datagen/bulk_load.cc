#include "tools/datagen/bulk_load.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/common.pb.h"
#include "consular/v1/contacts.pb.h"
#include "google/protobuf/util/time_util.h"
#include "storage/case_facts.h"
#include "tools/datagen/content.h"
#include "tools/loadgen/case_content.h"

namespace consular::datagen {
namespace {

namespace v1 = consular::v1;

constexpr int64_t kDay = 86400;
constexpr int64_t kHour = 3600;

// ---------------------------------------------------------------------------------------------
// Dates, without time zones (everything is UTC).

struct Ymd {
  int year;
  int month;
  int day;
};

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Ymd CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// "YYYY-MM-DD" of the day `seconds` falls on.
void AppendDate(std::string* out, int64_t seconds) {
  const Ymd d = CivilFromDays(FloorDiv(seconds, kDay));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  out->append(buf);
}

void AppendDay(std::string* out, int64_t day) { AppendDate(out, day * kDay); }

// `sep` between date and time, `zone` after it: "2025-03-10 12:00:00+00" for COPY,
// "2025-03-10T12:00:00Z" as protobuf's JSON prints a Timestamp of whole seconds.
void AppendTime(std::string* out, int64_t seconds, char sep, const char* zone) {
  const int64_t day = FloorDiv(seconds, kDay);
  const int64_t rest = seconds - day * kDay;
  const Ymd d = CivilFromDays(day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d%s", d.year, d.month, d.day, sep,
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60), zone);
  out->append(buf);
}

int YearOf(int64_t seconds) { return CivilFromDays(FloorDiv(seconds, kDay)).year; }

// The data set's time frame: cases opened from kFirstDay to the day before kEndDay; nothing
// happens at or after kEnd ("now" for the data).
const int64_t kFirstDay = DaysFromCivil(2017, 1, 1);
const int64_t kEndDay = DaysFromCivil(2026, 11, 1);
const int64_t kEnd = kEndDay * kDay;
// When the directory partners were entered.
const int64_t kPartnersCreated = DaysFromCivil(2016, 6, 1) * kDay + 10 * kHour;
const int64_t kPartnersVetted = DaysFromCivil(2016, 9, 1) * kDay + 10 * kHour;

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64, so that the data depend on the seed only (not on the standard library's
// distributions).

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

using Uuid = std::array<uint8_t, 16>;

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(Mix(seed)) {}

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // [0, 1)
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  bool Chance(double p) { return Uniform() < p; }
  // [lo, hi)
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo));
  }
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }
  double Normal() {
    const double u = 1.0 - Uniform();  // (0, 1]
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * 3.14159265358979323846 * Uniform());
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  int Poisson(double lambda) {
    if (lambda <= 0) return 0;
    const double limit = std::exp(-lambda);
    int k = 0;
    double p = Uniform();
    while (p > limit) {
      ++k;
      p *= Uniform();
    }
    return k;
  }
  // An index of `weights`, with probability proportional to its weight.
  template <size_t N>
  int Pick(const std::array<double, N>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i < N; ++i) {
      if (x < weights[i]) return static_cast<int>(i);
      x -= weights[i];
    }
    return static_cast<int>(N - 1);
  }
  Uuid NewUuid() {
    Uuid u;
    const uint64_t a = Next();
    const uint64_t b = Next();
    for (int i = 0; i < 8; ++i) {
      u[i] = static_cast<uint8_t>(a >> (8 * i));
      u[8 + i] = static_cast<uint8_t>(b >> (8 * i));
    }
    u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x40);  // version 4
    u[8] = static_cast<uint8_t>((u[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return u;
  }

 private:
  uint64_t state_;
};

void AppendUuid(std::string* out, const Uuid& u) {
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out->push_back('-');
    out->push_back(kHex[u[i] >> 4]);
    out->push_back(kHex[u[i] & 15]);
  }
}

// bytea input: a value cases.is_field_ciphertext accepts (as tests/contacts/contact_log_test.cc),
// and any 32 bytes for a blind index.
const std::string& DummyCiphertext() {
  static const std::string* const kValue = new std::string("\\x01" + std::string(94, '0'));
  return *kValue;
}

// `bytes` as bytea input (a backslash, "x", then hex).
std::string Bytea(const std::string& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (const char ch : bytes) {
    const auto b = static_cast<uint8_t>(ch);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string UuidText(const Uuid& u) {
  std::string out;
  AppendUuid(&out, u);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The countries.

const std::vector<CountryShare>* MakeCountries() {
  static const char* const kCountries[][2] = {
      {"MA", "RABAT"},       {"TR", "ANKARA"},   {"SO", "MOGADISHU"}, {"PK", "ISLAMABAD"},
      {"AF", "KABUL"},       {"IQ", "BAGHDAD"},  {"EG", "CAIRO"},     {"SY", "DAMASCUS"},
      {"NG", "ABUJA"},       {"GH", "ACCRA"},    {"IN", "NEW-DELHI"}, {"ER", "ASMARA"},
      {"ET", "ADDIS-ABABA"}, {"SD", "KHARTOUM"}, {"IR", "TEHRAN"},    {"DZ", "ALGIERS"},
      {"TN", "TUNIS"},       {"LB", "BEIRUT"},   {"JO", "AMMAN"},     {"SA", "RIYADH"},
      {"AE", "ABU-DHABI"},   {"YE", "SANAA"},    {"BD", "DHAKA"},     {"CN", "BEIJING"},
      {"KE", "NAIROBI"},     {"UG", "KAMPALA"},  {"SN", "DAKAR"},     {"GM", "BANJUL"},
      {"GN", "CONAKRY"},     {"CM", "YAOUNDE"},  {"CD", "KINSHASA"},  {"AO", "LUANDA"},
      {"ID", "JAKARTA"},     {"PH", "MANILA"},   {"TH", "BANGKOK"},   {"VN", "HANOI"},
      {"SR", "PARAMARIBO"},  {"BR", "BRASILIA"}, {"CO", "BOGOTA"},    {"DO", "SANTO-DOMINGO"},
      {"VE", "CARACAS"},     {"PE", "LIMA"},     {"RU", "MOSCOW"},    {"UA", "KYIV"},
      {"AZ", "BAKU"},        {"AM", "YEREVAN"},  {"GE", "TBILISI"},   {"AL", "TIRANA"},
      {"BA", "SARAJEVO"},    {"RS", "BELGRADE"}, {"MK", "SKOPJE"},    {"BG", "SOFIA"},
      {"RO", "BUCHAREST"},   {"PL", "WARSAW"},   {"LY", "TRIPOLI"},   {"MR", "NOUAKCHOTT"},
      {"ML", "BAMAKO"},      {"NE", "NIAMEY"},   {"KZ", "ASTANA"},    {"UZ", "TASHKENT"},
  };
  auto* countries = new std::vector<CountryShare>();
  double total = 0;
  for (size_t i = 0; i < std::size(kCountries); ++i) total += 1.0 / static_cast<double>(i + 1);
  for (size_t i = 0; i < std::size(kCountries); ++i) {
    countries->push_back(
        {kCountries[i][0], kCountries[i][1], 1.0 / static_cast<double>(i + 1) / total});
  }
  return countries;
}

// ---------------------------------------------------------------------------------------------
// The data set in memory: compact records, turned into rows only while they are written.

// Status, outcome, flags and the like are stored as their consular.v1 enum numbers; sets of
// risk flags and obstacles as bit masks (bit n for enum number n).
struct CaseRec {
  Uuid id;
  uint8_t country = 0;
  bool lkha = false;
  uint8_t type = 0;
  uint8_t sex = 0;
  uint8_t nationality = 0;
  uint8_t referral = 0;
  uint8_t age_group = 0;  // index into kAgeGroups
  bool mother = false;
  // As the case stands at the end.
  uint8_t status = 0;
  uint8_t outcome = 0;
  uint8_t decision = 0;
  uint8_t obstacles = 0;
  uint16_t flags = 0;
  int32_t version = 0;
  int32_t reference_number = 0;
  int64_t opened = 0;
  int64_t updated = 0;
  int64_t resolved = 0;  // 0: not resolved
  int64_t closed = 0;    // 0: not closed
  Uuid name_index;
};

// Who acts on a case.
enum Actor : uint8_t { kOfficer = 0, kManager = 1, kLkha = 2 };

// UPDATED events: what changed (for the payload's changed_fields).
enum UpdateKind : uint8_t {
  kUpdateSafety = 0,
  kUpdateFlags = 1,
  kUpdateObstacles = 2,
  kUpdateDecision = 3,
  kUpdateProceedings = 4,
};

struct EventRec {
  int64_t at = 0;
  uint32_t case_index = 0;
  uint32_t ref = 0;     // contact or note index
  int32_t version = 0;  // the case's version after the event
  uint16_t sequence = 0;
  uint16_t flags = 0;  // the case's risk flags after the event
  uint8_t type = 0;
  uint8_t from_status = 0;
  uint8_t status = 0;           // after the event
  uint8_t outcome = 0;          // the case's outcome after the event
  uint8_t decision = 0;         // after the event
  uint8_t obstacles = 0;        // after the event
  uint8_t contact_purpose = 0;  // contact events: the contact's purpose after the event
  uint8_t update = 0;           // UPDATED: UpdateKind
  uint8_t actor = 0;            // Actor
  uint8_t actor_number = 0;
};

struct ContactRec {
  Uuid id;
  uint32_t case_index = 0;
  int32_t partner = -1;  // index into partners; -1: ad hoc
  uint8_t kind = 0;
  uint8_t purpose = 0;  // at the end
  uint8_t channel = 0;
  uint8_t direction = 0;
  uint8_t outcome = 0;
  bool note = false;
  uint8_t actor = 0;
  uint8_t actor_number = 0;
  uint8_t done_actor_number = 0;
  int32_t version = 1;
  int64_t occurred = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t done = 0;      // follow-up completed at; 0: not
  int64_t due_day = -1;  // follow-up due (days since epoch); -1: none
};

struct NoteRec {
  Uuid id;
  uint32_t case_index = 0;
  int64_t created = 0;
  uint8_t actor = 0;
  uint8_t actor_number = 0;
};

struct PartnerRec {
  Uuid id;
  uint8_t country = 0;
  uint8_t kind = 0;
  int number = 0;
  bool vetted = true;
};

constexpr std::array<const char*, 4> kAgeGroups = {"AGE_GROUP_MINOR", "AGE_GROUP_YOUNG_ADULT",
                                                   "AGE_GROUP_ADULT", "AGE_GROUP_UNKNOWN"};
enum AgeGroup : uint8_t { kMinor = 0, kYoungAdult = 1, kAdult = 2, kAgeUnknown = 3 };

// Partner kinds of a country's directory, in the order they are added (every country has the
// first four).
constexpr std::array<v1::PartnerKind, 12> kPartnerKinds = {
    v1::PARTNER_KIND_LAWYER,           v1::PARTNER_KIND_SHELTER,
    v1::PARTNER_KIND_AID_ORGANISATION, v1::PARTNER_KIND_LOCAL_AUTHORITY,
    v1::PARTNER_KIND_MEDICAL,          v1::PARTNER_KIND_LAWYER,
    v1::PARTNER_KIND_AID_ORGANISATION, v1::PARTNER_KIND_SHELTER,
    v1::PARTNER_KIND_LAWYER,           v1::PARTNER_KIND_MEDICAL,
    v1::PARTNER_KIND_LOCAL_AUTHORITY,  v1::PARTNER_KIND_AID_ORGANISATION};

// The kind of partner a contact for `purpose` is usually with.
v1::PartnerKind KindFor(v1::ContactPurpose purpose, Rng& rng) {
  switch (purpose) {
    case v1::CONTACT_PURPOSE_LEGAL_ADVICE:
    case v1::CONTACT_PURPOSE_COURT_REPRESENTATION:
      return v1::PARTNER_KIND_LAWYER;
    case v1::CONTACT_PURPOSE_SHELTER:
      return rng.Chance(0.75) ? v1::PARTNER_KIND_SHELTER : v1::PARTNER_KIND_AID_ORGANISATION;
    case v1::CONTACT_PURPOSE_MEDICAL:
      return v1::PARTNER_KIND_MEDICAL;
    case v1::CONTACT_PURPOSE_DOCUMENTS:
    case v1::CONTACT_PURPOSE_RETURN_TRAVEL:
      return rng.Chance(0.7) ? v1::PARTNER_KIND_LOCAL_AUTHORITY : v1::PARTNER_KIND_AID_ORGANISATION;
    case v1::CONTACT_PURPOSE_MEDIATION:
      return v1::PARTNER_KIND_AID_ORGANISATION;
    default:
      return kPartnerKinds[rng.Between(0, 5)];
  }
}

struct Data {
  std::vector<CaseRec> cases;
  std::vector<EventRec> events;
  std::vector<ContactRec> contacts;
  std::vector<NoteRec> notes;
};

// One thing that happens to a case, before the timeline is put in order.
struct Action {
  int64_t at = 0;
  int order = 0;  // among actions at the same second: as planned
  uint8_t type = 0;
  uint8_t to_status = 0;
  uint8_t outcome = 0;    // TRANSITIONED to RESOLVED
  uint8_t update = 0;     // UPDATED: UpdateKind
  uint16_t flags = 0;     // UPDATED kUpdateFlags: the new risk flags
  uint8_t obstacles = 0;  // UPDATED kUpdateObstacles: the new obstacles
  uint8_t decision = 0;   // UPDATED kUpdateDecision: the decision
  uint8_t purpose = 0;    // CONTACT_UPDATED: the new purpose
  uint32_t contact = 0;   // contact events: index into the case's planned contacts
};

class Generator {
 public:
  Generator(const BulkLoadOptions& options, const std::vector<CountryShare>& countries)
      : options_(options), countries_(countries) {
    double sum = 0;
    for (const CountryShare& c : countries_) {
      sum += c.share;
      cumulative_share_.push_back(sum);
    }
    MakePartners();
  }

  const std::vector<PartnerRec>& partners() const { return partners_; }

  // Sets how many notes and contacts a case gets on average so that the whole averages about
  // options.events_per_case events per case (measured on a sample of cases).
  void Calibrate() {
    constexpr int kSample = 4000;
    const int64_t stride = std::max<int64_t>(1, options_.cases / kSample);
    const auto average = [&](double contacts, double notes) {
      lambda_contacts_ = contacts;
      lambda_notes_ = notes;
      Data scratch;
      Rng times(options_.seed ^ 0x7a11ULL);
      int64_t n = 0;
      for (int64_t i = 0; i < options_.cases; i += stride, ++n) {
        GenerateCase(static_cast<uint32_t>(i), OpenedTime(times), &scratch);
      }
      return n == 0 ? 0.0 : static_cast<double>(scratch.events.size()) / static_cast<double>(n);
    };
    const double lifecycle = average(0, 0);
    const double extra = std::max(0.0, options_.events_per_case - lifecycle);
    // About 1.3 events per contact (logging, some updates and completed follow-ups).
    double contacts = 0.65 * extra / 1.3;
    double notes = 0.35 * extra;
    if (extra > 0) {
      const double got = average(contacts, notes) - lifecycle;
      if (got > 0) {
        contacts *= extra / got;
        notes *= extra / got;
      }
    }
    lambda_contacts_ = contacts;
    lambda_notes_ = notes;
  }

  // The whole data set, cases in the order they were opened, events in time order.
  void GenerateAll(Data* d) {
    Rng times(options_.seed ^ 0x0be7ULL);
    std::vector<int64_t> opened(static_cast<size_t>(options_.cases));
    for (int64_t& t : opened) t = OpenedTime(times);
    std::sort(opened.begin(), opened.end());
    d->cases.reserve(opened.size());
    d->events.reserve(
        static_cast<size_t>(static_cast<double>(opened.size()) * (options_.events_per_case + 1)));
    for (size_t i = 0; i < opened.size(); ++i) {
      GenerateCase(static_cast<uint32_t>(i), opened[i], d);
    }
    // References: numbered per type and year in the order the cases were opened.
    std::map<std::pair<int, int>, int32_t> counters;
    for (CaseRec& c : d->cases) c.reference_number = ++counters[{c.type, YearOf(c.opened)}];
    for (const auto& [key, last] : counters) {
      reference_counters_.push_back({key.first, key.second, last});
    }
    // Commit order: by time across all cases.
    std::sort(d->events.begin(), d->events.end(), [](const EventRec& a, const EventRec& b) {
      if (a.at != b.at) return a.at < b.at;
      if (a.case_index != b.case_index) return a.case_index < b.case_index;
      return a.sequence < b.sequence;
    });
  }

  struct ReferenceCounter {
    int type;
    int year;
    int32_t last;
  };
  const std::vector<ReferenceCounter>& reference_counters() const { return reference_counters_; }

 private:
  // A time a case is opened: more cases each year (7%), more in June to September, fewer in
  // December; office hours.
  int64_t OpenedTime(Rng& rng) const {
    const double max_weight = std::pow(1.07, 9) * 1.35;
    while (true) {
      const int64_t day = rng.Between(kFirstDay, kEndDay);
      const Ymd ymd = CivilFromDays(day);
      const double season = ymd.month >= 6 && ymd.month <= 9 ? 1.35 : ymd.month == 12 ? 0.8 : 1.0;
      const double weight = std::pow(1.07, ymd.year - 2017) * season;
      if (rng.Uniform() * max_weight < weight) {
        return day * kDay + rng.Between(7 * kHour, 19 * kHour);
      }
    }
  }

  int PickCountry(Rng& rng) const {
    const double x = rng.Uniform() * cumulative_share_.back();
    const auto it = std::upper_bound(cumulative_share_.begin(), cumulative_share_.end(), x);
    return static_cast<int>(
        std::min<ptrdiff_t>(it - cumulative_share_.begin(), cumulative_share_.size() - 1));
  }

  void MakePartners() {
    Rng rng(options_.seed ^ 0x9a47ULL);
    const double largest = countries_.front().share;
    partners_of_.assign(countries_.size(), {});
    for (size_t c = 0; c < countries_.size(); ++c) {
      const int n = 4 + static_cast<int>(std::lround(8 * countries_[c].share / largest));
      for (int i = 0; i < n && i < static_cast<int>(kPartnerKinds.size()); ++i) {
        PartnerRec p;
        p.id = rng.NewUuid();
        p.country = static_cast<uint8_t>(c);
        p.kind = static_cast<uint8_t>(kPartnerKinds[i]);
        p.number = i + 1;
        p.vetted = i < 4 || rng.Chance(0.8);
        partners_of_[c][p.kind].push_back(static_cast<int32_t>(partners_.size()));
        partners_.push_back(p);
      }
    }
  }

  int32_t PartnerFor(int country, v1::PartnerKind kind, Rng& rng) const {
    const auto& by_kind = partners_of_[country];
    auto it = by_kind.find(static_cast<uint8_t>(kind));
    if (it == by_kind.end()) it = by_kind.begin();
    return it->second[rng.Between(0, static_cast<int64_t>(it->second.size()))];
  }

  void GenerateCase(uint32_t index, int64_t opened, Data* d) const;

  const BulkLoadOptions& options_;
  const std::vector<CountryShare>& countries_;
  std::vector<double> cumulative_share_;
  std::vector<PartnerRec> partners_;
  // Per country: partner kind -> partner indices.
  std::vector<std::map<uint8_t, std::vector<int32_t>>> partners_of_;
  std::vector<ReferenceCounter> reference_counters_;
  double lambda_contacts_ = 0;
  double lambda_notes_ = 0;
};

uint16_t Bit(int n) { return static_cast<uint16_t>(1u << n); }

void Generator::GenerateCase(uint32_t index, int64_t opened, Data* d) const {
  Rng rng(options_.seed * 0x2545F4914F6CDD1DULL + index);
  CaseRec c;
  c.id = rng.NewUuid();
  c.name_index = rng.NewUuid();
  c.country = static_cast<uint8_t>(PickCountry(rng));
  c.lkha = rng.Chance(0.03);
  const bool divorce = rng.Chance(0.35);
  c.type = divorce ? v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION : v1::CASE_TYPE_ABANDONMENT;
  c.opened = opened;

  // The person.
  static constexpr std::array<v1::Sex, 4> kSexes = {v1::SEX_FEMALE, v1::SEX_MALE, v1::SEX_X,
                                                    v1::SEX_UNKNOWN};
  c.sex = kSexes[divorce ? rng.Pick(std::array<double, 4>{90, 9, 0.3, 0.7})
                         : rng.Pick(std::array<double, 4>{70, 27, 1, 2})];
  c.age_group = static_cast<uint8_t>(divorce ? rng.Pick(std::array<double, 4>{0, 12, 83, 5})
                                             : rng.Pick(std::array<double, 4>{35, 30, 27, 8}));
  const bool female = c.sex == v1::SEX_FEMALE;
  const double children = c.age_group == kMinor        ? 0.01
                          : c.age_group == kYoungAdult ? 0.15
                          : divorce                    ? 0.55
                                                       : 0.3;
  const bool has_children = rng.Chance(children);
  c.mother = female && has_children;
  static constexpr std::array<v1::NationalityStatus, 3> kNationalities = {
      v1::NATIONALITY_STATUS_DUAL, v1::NATIONALITY_STATUS_DUTCH_ONLY,
      v1::NATIONALITY_STATUS_RESIDENCE_PERMIT};
  c.nationality = kNationalities[rng.Pick(std::array<double, 3>{55, 25, 20})];
  static constexpr std::array<v1::ReferralSource, 8> kReferrals = {
      v1::REFERRAL_SOURCE_SELF,       v1::REFERRAL_SOURCE_FAMILY, v1::REFERRAL_SOURCE_LKHA,
      v1::REFERRAL_SOURCE_SCHOOL,     v1::REFERRAL_SOURCE_POLICE, v1::REFERRAL_SOURCE_NGO,
      v1::REFERRAL_SOURCE_OTHER_POST, v1::REFERRAL_SOURCE_OTHER};
  c.referral = kReferrals[divorce ? rng.Pick(std::array<double, 8>{45, 10, 20, 0, 2, 13, 5, 5})
                          : c.age_group == kMinor
                              ? rng.Pick(std::array<double, 8>{12, 18, 15, 25, 10, 12, 4, 4})
                              : rng.Pick(std::array<double, 8>{30, 22, 15, 2, 8, 13, 5, 5})];

  // Risk flags known at opening.
  uint16_t flags = 0;
  const auto flag = [&](v1::RiskFlag f, double p) {
    if (rng.Chance(p)) flags |= Bit(f);
  };
  if (divorce) {
    flag(v1::RISK_FLAG_MARITAL_CAPTIVITY, 0.85);
    flag(v1::RISK_FLAG_CHILDREN_WITH_PERSON, has_children ? 0.5 : 0);
    flag(v1::RISK_FLAG_HONOUR_VIOLENCE_THREAT, 0.1);
    flag(v1::RISK_FLAG_PASSPORT_WITHHELD, 0.05);
  } else {
    flag(v1::RISK_FLAG_FORCED_MARRIAGE, c.age_group == kAdult ? 0.15 : 0.3);
    flag(v1::RISK_FLAG_MINOR_INVOLVED, c.age_group == kMinor ? 0.9 : has_children ? 0.3 : 0);
    flag(v1::RISK_FLAG_CHILDREN_WITH_PERSON, has_children ? 0.7 : 0);
    flag(v1::RISK_FLAG_PASSPORT_WITHHELD, 0.35);
    flag(v1::RISK_FLAG_RESIDENCE_PERMIT_AT_RISK,
         c.nationality == v1::NATIONALITY_STATUS_RESIDENCE_PERMIT ? 0.6 : 0);
    flag(v1::RISK_FLAG_HONOUR_VIOLENCE_THREAT, 0.15);
    flag(v1::RISK_FLAG_FGM_RISK, female && c.age_group == kMinor ? 0.06 : 0);
    flag(v1::RISK_FLAG_PREGNANCY, female && c.age_group != kMinor ? 0.05 : 0.01);
  }

  // Divorce recognition: the obstacles named, at opening or later.
  uint8_t obstacles = 0;
  uint8_t later_obstacles = 0;
  if (divorce && rng.Chance(0.6)) {
    static constexpr std::array<double, 6> kObstacleWeights = {30, 15, 25, 15, 8, 7};
    const int n = 1 + rng.Pick(std::array<double, 3>{55, 30, 15});
    uint8_t named = 0;
    for (int i = 0; i < n; ++i)
      named |= static_cast<uint8_t>(1u << (1 + rng.Pick(kObstacleWeights)));
    if (rng.Chance(0.5)) {
      obstacles = named;
    } else {
      later_obstacles = named;
    }
  }

  // The lifecycle.
  const int64_t intake =
      std::max<int64_t>(20 * 60, static_cast<int64_t>(rng.Exponential(3 * kDay)));
  const int64_t active_at = opened + intake;
  const double median_days = divorce ? 150 : 40;
  int64_t remaining = std::clamp<int64_t>(
      static_cast<int64_t>(rng.LogNormal(median_days, divorce ? 0.8 : 1.0) * kDay), kDay,
      4 * 365 * kDay);
  std::vector<Action> actions;
  int order = 0;
  const auto add = [&](Action a) {
    a.order = order++;
    actions.push_back(a);
  };
  {
    Action a;
    a.at = opened;
    a.type = v1::CASE_EVENT_TYPE_CREATED;
    add(a);
  }
  if (rng.Chance(0.3)) {  // details completed during intake
    Action a;
    a.at = opened + rng.Between(60, std::max<int64_t>(120, intake));
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateSafety;
    add(a);
  }
  {
    Action a;
    a.at = active_at;
    a.type = v1::CASE_EVENT_TYPE_TRANSITIONED;
    a.to_status = v1::CASE_STATUS_ACTIVE;
    add(a);
  }
  int64_t cursor = active_at;
  const int holds = rng.Chance(0.2) ? (rng.Chance(0.25) ? 2 : 1) : 0;
  for (int h = 0; h < holds; ++h) {
    const int64_t before = static_cast<int64_t>(rng.Uniform(0.2, 0.6) * remaining);
    const int64_t length =
        std::max<int64_t>(kDay, static_cast<int64_t>(rng.Exponential(25 * kDay)));
    Action hold;
    hold.at = cursor + before;
    hold.type = v1::CASE_EVENT_TYPE_TRANSITIONED;
    hold.to_status = v1::CASE_STATUS_ON_HOLD;
    add(hold);
    Action resume = hold;
    resume.at = hold.at + length;
    resume.to_status = v1::CASE_STATUS_ACTIVE;
    add(resume);
    cursor = resume.at;
    remaining -= before;
  }
  const int64_t resolved_at = cursor + remaining;

  // The outcome, valid for the type, and for divorce recognition the decision that goes with it.
  uint8_t outcome;
  uint8_t decision = v1::RECOGNITION_DECISION_UNSPECIFIED;
  if (divorce) {
    static constexpr std::array<v1::Outcome, 5> kOutcomes = {
        v1::OUTCOME_RECOGNISED, v1::OUTCOME_REFUSED, v1::OUTCOME_ALTERNATIVE_SOLUTION,
        v1::OUTCOME_PROCEEDINGS_ABANDONED, v1::OUTCOME_WITHDRAWN};
    outcome = kOutcomes[rng.Pick(std::array<double, 5>{42, 23, 12, 13, 10})];
    if (outcome == v1::OUTCOME_RECOGNISED) decision = v1::RECOGNITION_DECISION_GRANTED;
    if (outcome == v1::OUTCOME_REFUSED) decision = v1::RECOGNITION_DECISION_REFUSED;
    if (outcome == v1::OUTCOME_ALTERNATIVE_SOLUTION && rng.Chance(0.3)) {
      decision = v1::RECOGNITION_DECISION_REFUSED;
    }
  } else {
    static constexpr std::array<v1::Outcome, 6> kOutcomes = {
        v1::OUTCOME_RETURNED_TO_NL,      v1::OUTCOME_STAYED_BY_OWN_CHOICE,
        v1::OUTCOME_RETURN_NOT_POSSIBLE, v1::OUTCOME_CONTACT_LOST,
        v1::OUTCOME_REFERRED_ELSEWHERE,  v1::OUTCOME_WITHDRAWN};
    outcome = kOutcomes[rng.Pick(std::array<double, 6>{45, 15, 10, 12, 8, 10})];
  }
  const int64_t span = resolved_at - active_at;
  if (divorce && rng.Chance(0.5)) {  // proceedings move on
    Action a;
    a.at = active_at + static_cast<int64_t>(rng.Uniform(0.05, 0.5) * span);
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateProceedings;
    add(a);
  }
  if (later_obstacles != 0) {
    Action a;
    a.at = active_at + static_cast<int64_t>(rng.Uniform(0.1, 0.6) * span);
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateObstacles;
    a.obstacles = later_obstacles;
    add(a);
  }
  if (decision != v1::RECOGNITION_DECISION_UNSPECIFIED) {
    Action a;
    a.at = std::max(active_at + kHour, resolved_at - rng.Between(kDay, 20 * kDay));
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateDecision;
    a.decision = decision;
    add(a);
  }
  if (rng.Chance(divorce ? 0.15 : 0.35)) {  // the risk picture changes
    static constexpr std::array<v1::RiskFlag, 4> kLater = {
        v1::RISK_FLAG_PASSPORT_WITHHELD, v1::RISK_FLAG_HONOUR_VIOLENCE_THREAT,
        v1::RISK_FLAG_RESIDENCE_PERMIT_AT_RISK, v1::RISK_FLAG_PREGNANCY};
    Action a;
    a.at = active_at + static_cast<int64_t>(rng.Uniform(0.0, 0.8) * span);
    a.type = v1::CASE_EVENT_TYPE_UPDATED;
    a.update = kUpdateFlags;
    a.flags = static_cast<uint16_t>(Bit(kLater[rng.Between(0, 4)]));  // toggled when applied
    add(a);
  }
  {
    Action a;
    a.at = resolved_at;
    a.type = v1::CASE_EVENT_TYPE_TRANSITIONED;
    a.to_status = v1::CASE_STATUS_RESOLVED;
    a.outcome = outcome;
    add(a);
  }
  int64_t closed_at = 0;
  if (rng.Chance(0.8)) {
    closed_at = resolved_at + rng.Between(5 * kDay, 60 * kDay);
    Action a;
    a.at = closed_at;
    a.type = v1::CASE_EVENT_TYPE_TRANSITIONED;
    a.to_status = v1::CASE_STATUS_CLOSED;
    add(a);
  }

  // Contacts with partners (or ad hoc), while the case is worked.
  struct PlannedContact {
    ContactRec rec;
    uint8_t first_purpose = 0;
  };
  std::vector<PlannedContact> planned;
  const int n_contacts = rng.Poisson(lambda_contacts_);
  static constexpr std::array<v1::ContactPurpose, 8> kPurposes = {
      v1::CONTACT_PURPOSE_LEGAL_ADVICE,  v1::CONTACT_PURPOSE_COURT_REPRESENTATION,
      v1::CONTACT_PURPOSE_SHELTER,       v1::CONTACT_PURPOSE_DOCUMENTS,
      v1::CONTACT_PURPOSE_MEDIATION,     v1::CONTACT_PURPOSE_MEDICAL,
      v1::CONTACT_PURPOSE_RETURN_TRAVEL, v1::CONTACT_PURPOSE_OTHER};
  const std::array<double, 8> purpose_weights =
      divorce ? std::array<double, 8>{38, 22, 2, 18, 10, 1, 0, 9}
              : std::array<double, 8>{10, 2, 18, 20, 10, 8, 25, 7};
  static constexpr std::array<v1::ContactChannel, 6> kChannels = {
      v1::CONTACT_CHANNEL_PHONE, v1::CONTACT_CHANNEL_EMAIL,  v1::CONTACT_CHANNEL_IN_PERSON,
      v1::CONTACT_CHANNEL_VIDEO, v1::CONTACT_CHANNEL_LETTER, v1::CONTACT_CHANNEL_MESSAGING};
  static constexpr std::array<v1::ContactOutcome, 6> kContactOutcomes = {
      v1::CONTACT_OUTCOME_HELP_AGREED, v1::CONTACT_OUTCOME_INFORMATION_RECEIVED,
      v1::CONTACT_OUTCOME_REFERRED_ON, v1::CONTACT_OUTCOME_DECLINED,
      v1::CONTACT_OUTCOME_NO_ANSWER,   v1::CONTACT_OUTCOME_PENDING};
  const int64_t workable_until = resolved_at;  // contacts are logged before resolution
  for (int i = 0; i < n_contacts; ++i) {
    PlannedContact p;
    ContactRec& k = p.rec;
    k.id = rng.NewUuid();
    k.case_index = index;
    k.created = rng.Between(opened + 60, std::max(opened + 120, workable_until));
    k.occurred = std::max(opened, k.created - rng.Between(0, 3 * kDay));
    const v1::ContactPurpose purpose = kPurposes[rng.Pick(purpose_weights)];
    p.first_purpose = static_cast<uint8_t>(purpose);
    k.purpose = p.first_purpose;
    if (rng.Chance(0.15)) {
      k.partner = -1;
      k.kind = v1::PARTNER_KIND_OTHER;
    } else {
      k.partner = PartnerFor(c.country, KindFor(purpose, rng), rng);
      k.kind = partners_[k.partner].kind;
    }
    k.channel =
        static_cast<uint8_t>(kChannels[rng.Pick(std::array<double, 6>{40, 20, 15, 5, 5, 15})]);
    k.direction = rng.Chance(0.7) ? v1::CONTACT_DIRECTION_OUTGOING : v1::CONTACT_DIRECTION_INCOMING;
    k.outcome = static_cast<uint8_t>(
        kContactOutcomes[rng.Pick(std::array<double, 6>{35, 25, 10, 8, 12, 10})]);
    k.note = rng.Chance(0.4);
    k.actor = c.lkha ? kLkha : kOfficer;
    k.actor_number = static_cast<uint8_t>(rng.Between(1, 9));
    k.updated = k.created;
    const uint32_t contact_index = static_cast<uint32_t>(planned.size());
    Action logged;
    logged.at = k.created;
    logged.type = v1::CASE_EVENT_TYPE_CONTACT_LOGGED;
    logged.contact = contact_index;
    add(logged);
    if (rng.Chance(0.1)) {
      Action update = logged;
      update.at = k.created + rng.Between(kHour, 10 * kDay);
      update.type = v1::CASE_EVENT_TYPE_CONTACT_UPDATED;
      uint8_t other = static_cast<uint8_t>(kPurposes[rng.Pick(purpose_weights)]);
      if (other == p.first_purpose) other = v1::CONTACT_PURPOSE_OTHER;
      update.purpose = other;
      if (closed_at == 0 || update.at < closed_at) add(update);
    }
    if (rng.Chance(0.35)) {
      k.due_day = FloorDiv(k.created, kDay) + rng.Between(3, 29);
      if (rng.Chance(0.6)) {
        Action done = logged;
        done.at = std::max(k.created + kHour, k.due_day * kDay + rng.Between(-3 * kDay, 5 * kDay));
        done.type = v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED;
        if (closed_at == 0 || done.at < closed_at) add(done);
      }
    }
    planned.push_back(p);
  }

  // Notes, while the case is open.
  const int n_notes = rng.Poisson(lambda_notes_);
  const int64_t notes_until = closed_at != 0 ? closed_at : resolved_at + 30 * kDay;
  for (int i = 0; i < n_notes; ++i) {
    Action a;
    a.at = rng.Between(opened + 60, std::max(opened + 120, notes_until));
    a.type = v1::CASE_EVENT_TYPE_NOTE_ADDED;
    add(a);
  }

  // The timeline as it happened up to the end of the data: replayed in time order.
  std::sort(actions.begin(), actions.end(), [](const Action& a, const Action& b) {
    return a.at != b.at ? a.at < b.at : a.order < b.order;
  });
  c.status = v1::CASE_STATUS_INTAKE;
  c.flags = flags;
  c.obstacles = obstacles;
  c.decision = v1::RECOGNITION_DECISION_UNSPECIFIED;
  c.outcome = v1::OUTCOME_UNSPECIFIED;
  c.version = 1;
  c.updated = opened;
  const uint32_t case_index = static_cast<uint32_t>(d->cases.size());
  std::vector<int64_t> contact_slot(planned.size(), -1);  // index into d->contacts once logged
  uint16_t sequence = 0;
  const uint8_t officer = static_cast<uint8_t>(rng.Between(1, 9));
  for (const Action& a : actions) {
    if (a.at >= kEnd) break;
    EventRec e;
    e.at = a.at;
    e.case_index = case_index;
    e.sequence = ++sequence;
    e.type = a.type;
    e.actor = c.lkha ? kLkha : kOfficer;
    e.actor_number = officer;
    switch (a.type) {
      case v1::CASE_EVENT_TYPE_CREATED:
        break;
      case v1::CASE_EVENT_TYPE_TRANSITIONED:
        e.from_status = c.status;
        c.status = a.to_status;
        if (a.to_status == v1::CASE_STATUS_RESOLVED) {
          c.outcome = a.outcome;
          c.resolved = a.at;
        } else if (a.to_status == v1::CASE_STATUS_CLOSED) {
          c.closed = a.at;
          if (!c.lkha) e.actor = kManager;
        }
        ++c.version;
        c.updated = a.at;
        break;
      case v1::CASE_EVENT_TYPE_UPDATED:
        e.update = a.update;
        if (a.update == kUpdateFlags) c.flags ^= a.flags;
        if (a.update == kUpdateObstacles) c.obstacles |= a.obstacles;
        if (a.update == kUpdateDecision) c.decision = a.decision;
        ++c.version;
        c.updated = a.at;
        break;
      case v1::CASE_EVENT_TYPE_NOTE_ADDED: {
        NoteRec note;
        note.id = rng.NewUuid();
        note.case_index = case_index;
        note.created = a.at;
        note.actor = e.actor;
        note.actor_number = officer;
        e.ref = static_cast<uint32_t>(d->notes.size());
        d->notes.push_back(note);
        break;
      }
      case v1::CASE_EVENT_TYPE_CONTACT_LOGGED: {
        ContactRec k = planned[a.contact].rec;
        k.case_index = case_index;
        k.purpose = planned[a.contact].first_purpose;
        contact_slot[a.contact] = static_cast<int64_t>(d->contacts.size());
        e.ref = static_cast<uint32_t>(d->contacts.size());
        e.actor_number = k.actor_number;
        e.contact_purpose = k.purpose;
        d->contacts.push_back(k);
        break;
      }
      case v1::CASE_EVENT_TYPE_CONTACT_UPDATED:
      case v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED: {
        ContactRec& k = d->contacts[static_cast<size_t>(contact_slot[a.contact])];
        if (a.type == v1::CASE_EVENT_TYPE_CONTACT_UPDATED) {
          k.purpose = a.purpose;
        } else {
          k.done = a.at;
          k.done_actor_number = officer;
        }
        ++k.version;
        k.updated = a.at;
        e.ref = static_cast<uint32_t>(contact_slot[a.contact]);
        e.contact_purpose = k.purpose;
        break;
      }
    }
    e.status = c.status;
    e.outcome = c.outcome;
    e.flags = c.flags;
    e.decision = c.decision;
    e.obstacles = c.obstacles;
    e.version = c.version;
    d->events.push_back(e);
  }
  d->cases.push_back(c);
}

// ---------------------------------------------------------------------------------------------
// Rows.

const std::string& EnumText(const google::protobuf::EnumDescriptor* type, int number) {
  static const std::string kEmpty;
  const google::protobuf::EnumValueDescriptor* v = type->FindValueByNumber(number);
  return v == nullptr ? kEmpty : v->name();
}

const std::string& CaseTypeName(int n) { return EnumText(v1::CaseType_descriptor(), n); }
const std::string& StatusName(int n) { return EnumText(v1::CaseStatus_descriptor(), n); }
const std::string& OutcomeName(int n) { return EnumText(v1::Outcome_descriptor(), n); }
const std::string& SexName(int n) { return EnumText(v1::Sex_descriptor(), n); }
const std::string& NationalityName(int n) {
  return EnumText(v1::NationalityStatus_descriptor(), n);
}
const std::string& ReferralName(int n) { return EnumText(v1::ReferralSource_descriptor(), n); }
const std::string& FlagName(int n) { return EnumText(v1::RiskFlag_descriptor(), n); }
const std::string& DecisionName(int n) { return EnumText(v1::RecognitionDecision_descriptor(), n); }
const std::string& ObstacleName(int n) { return EnumText(v1::RecognitionObstacle_descriptor(), n); }
const std::string& EventTypeName(int n) { return EnumText(v1::CaseEventType_descriptor(), n); }
const std::string& KindName(int n) { return EnumText(v1::PartnerKind_descriptor(), n); }
const std::string& PurposeName(int n) { return EnumText(v1::ContactPurpose_descriptor(), n); }
const std::string& ChannelName(int n) { return EnumText(v1::ContactChannel_descriptor(), n); }
const std::string& DirectionName(int n) { return EnumText(v1::ContactDirection_descriptor(), n); }
const std::string& ContactOutcomeName(int n) {
  return EnumText(v1::ContactOutcome_descriptor(), n);
}

// Names of the set bits of `mask`, in enum order, as a PostgreSQL array literal or a JSON array.
template <typename NameOf>
void AppendSet(std::string* out, uint32_t mask, NameOf name_of, bool json) {
  out->push_back(json ? '[' : '{');
  bool first = true;
  for (int n = 1; n < 32; ++n) {
    if ((mask & (1u << n)) == 0) continue;
    if (!first) out->push_back(',');
    first = false;
    if (json) out->push_back('"');
    out->append(name_of(n));
    if (json) out->push_back('"');
  }
  out->push_back(json ? ']' : '}');
}

void AppendJsonField(std::string* out, const char* key, const std::string& value) {
  absl::StrAppend(out, "\"", key, "\":\"", value, "\"");
}

struct ActorOf {
  std::string subject;
  const std::string* role;
  std::string post;
};

class Writer {
 public:
  Writer(const Data& d, const std::vector<CountryShare>& countries)
      : d_(d), countries_(countries) {}

  std::string Unit(const CaseRec& c) const { return c.lkha ? "LKHA" : countries_[c.country].post; }

  ActorOf Actor(const CaseRec& c, uint8_t actor, uint8_t number) const {
    static const std::string kOfficerRole = v1::Role_Name(v1::ROLE_CONSULAR_OFFICER);
    static const std::string kManagerRole = v1::Role_Name(v1::ROLE_POST_MANAGER);
    static const std::string kLkhaRole = v1::Role_Name(v1::ROLE_LKHA_CASEWORKER);
    const std::string& post = countries_[c.country].post;
    switch (actor) {
      case kManager:
        return {absl::StrCat("manager-", post), &kManagerRole, post};
      case kLkha:
        return {absl::StrCat("lkha-", number), &kLkhaRole, ""};
      default:
        return {absl::StrCat("officer-", post, "-", number), &kOfficerRole, post};
    }
  }

  // The case's facts after event `e`, as cases.statistical_facts_of gives them (and, for a
  // contact event, the contact's as contacts.statistical_facts_of).
  void AppendFacts(std::string* out, const CaseRec& c, const EventRec& e) const {
    out->push_back('{');
    AppendJsonField(out, "country", countries_[c.country].country);
    out->push_back(',');
    AppendJsonField(out, "type", CaseTypeName(c.type));
    out->push_back(',');
    AppendJsonField(out, "status", StatusName(e.status));
    out->push_back(',');
    AppendJsonField(out, "outcome", e.outcome == 0 ? std::string() : OutcomeName(e.outcome));
    out->append(",\"opened\":\"");
    AppendDate(out, c.opened);
    out->append("\",\"resolved\":\"");
    if (e.status == v1::CASE_STATUS_RESOLVED || e.status == v1::CASE_STATUS_CLOSED) {
      AppendDate(out, c.resolved);
    }
    out->append("\",");
    AppendJsonField(out, "age_group", kAgeGroups[c.age_group]);
    absl::StrAppend(out, ",\"mother_with_minor_children\":", c.mother ? "true" : "false", ",");
    AppendJsonField(out, "sex", SexName(c.sex));
    out->push_back(',');
    AppendJsonField(out, "nationality_status", NationalityName(c.nationality));
    out->push_back(',');
    AppendJsonField(out, "referral_source", ReferralName(c.referral));
    out->append(",\"risk_flags\":");
    AppendSet(out, e.flags, FlagName, true);
    out->push_back(',');
    AppendJsonField(out, "recognition_decision", DecisionName(e.decision));
    out->append(",\"recognition_obstacles\":");
    AppendSet(out, e.obstacles, ObstacleName, true);
    if (IsContactEvent(e.type)) {
      const ContactRec& k = d_.contacts[e.ref];
      out->append(",\"contact\":{\"id\":\"");
      AppendUuid(out, k.id);
      out->append("\",\"day\":\"");
      AppendDate(out, k.occurred);
      out->append("\",");
      AppendJsonField(out, "partner_kind", KindName(k.kind));
      out->push_back(',');
      AppendJsonField(out, "purpose", PurposeName(e.contact_purpose));
      out->push_back('}');
    }
    out->push_back('}');
  }

  // The payload: the consular.v1.CaseEvent as protobuf's JSON (proto field names, defaults left
  // out) without the reason, as CaseStore::AppendEvent and cases.append_contact_event write it.
  void AppendPayload(std::string* out, const EventRec& e, const ActorOf& actor) const {
    out->push_back('{');
    AppendJsonField(out, "type", EventTypeName(e.type));
    out->push_back(',');
    AppendJsonField(out, "actor", actor.subject);
    out->push_back(',');
    AppendJsonField(out, "actor_role", *actor.role);
    if (!actor.post.empty()) {
      out->push_back(',');
      AppendJsonField(out, "actor_post", actor.post);
    }
    out->append(",\"occurred_at\":\"");
    AppendTime(out, e.at, 'T', "Z");
    out->push_back('"');
    if (IsContactEvent(e.type)) {
      const ContactRec& k = d_.contacts[e.ref];
      out->append(",\"contact_id\":\"");
      AppendUuid(out, k.id);
      out->append("\",");
      AppendJsonField(out, "partner_kind", KindName(k.kind));
      out->push_back(',');
      AppendJsonField(out, "contact_purpose", PurposeName(e.contact_purpose));
      absl::StrAppend(out, ",\"case_version\":\"", e.version, "\"}");
      return;
    }
    absl::StrAppend(out, ",\"case_version\":\"", e.version, "\"");
    switch (e.type) {
      case v1::CASE_EVENT_TYPE_CREATED:
        out->append(",\"to_status\":\"CASE_STATUS_INTAKE\"");
        break;
      case v1::CASE_EVENT_TYPE_UPDATED: {
        static const char* const kChanged[] = {
            R"(["safety.safe_contact_channel","safety.safe_contact_times"])", R"(["risk_flags"])",
            R"(["divorce_recognition.obstacles"])",
            (R"(["divorce_recognition.proceedings_state","divorce_recognition.decision",)"
             R"("divorce_recognition.decided_on"])"),
            R"(["divorce_recognition.proceedings_state"])"};
        absl::StrAppend(out, ",\"changed_fields\":", kChanged[e.update]);
        break;
      }
      case v1::CASE_EVENT_TYPE_TRANSITIONED:
        out->push_back(',');
        AppendJsonField(out, "from_status", StatusName(e.from_status));
        out->push_back(',');
        AppendJsonField(out, "to_status", StatusName(e.status));
        if (e.status == v1::CASE_STATUS_RESOLVED) {
          out->push_back(',');
          AppendJsonField(out, "outcome", OutcomeName(e.outcome));
        }
        break;
      case v1::CASE_EVENT_TYPE_NOTE_ADDED:
        out->append(",\"note_id\":\"");
        AppendUuid(out, d_.notes[e.ref].id);
        out->push_back('"');
        break;
      default:
        break;
    }
    out->push_back('}');
  }

  static bool IsContactEvent(int type) {
    return type == v1::CASE_EVENT_TYPE_CONTACT_LOGGED ||
           type == v1::CASE_EVENT_TYPE_CONTACT_UPDATED ||
           type == v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED;
  }

 private:
  const Data& d_;
  const std::vector<CountryShare>& countries_;
};

// ---------------------------------------------------------------------------------------------
// With keys: real content, sealed as the services seal it.

// The keys, and what was sealed ahead of the COPY.
struct Sealed {
  const FieldCipher* cipher = nullptr;
  const BlindIndex* blind_index = nullptr;
  uint64_t seed = 0;
  std::vector<std::string> personal;    // by case index: the personal part's ciphertext
  std::vector<std::string> name_index;  // by case index: the subject's name's blind index

  // `plaintext` sealed under `ad`, as bytea input.
  std::string Seal(const std::string& plaintext, const std::string& table,
                   const std::string& column, const std::string& row_key) const {
    return Bytea(cipher->Encrypt(plaintext, AssociatedData{table, column, row_key}));
  }
};

// Salts of the per-item content rngs.
constexpr uint64_t kPersonalSalt = 0x5e1fULL;
constexpr uint64_t kNoteSalt = 0x40feULL;
constexpr uint64_t kReasonSalt = 0x4ea5ULL;
constexpr uint64_t kContactSalt = 0xc047ULL;
constexpr uint64_t kPartnerSalt = 0x9a47ULL;

v1::Date DateOf(int64_t seconds) {
  const Ymd d = CivilFromDays(FloorDiv(seconds, kDay));
  v1::Date out;
  out.set_year(d.year);
  out.set_month(d.month);
  out.set_day(d.day);
  return out;
}

uint8_t AgeGroupIndex(const std::string& name) {
  for (size_t i = 0; i < kAgeGroups.size(); ++i) {
    if (name == kAgeGroups[i]) return static_cast<uint8_t>(i);
  }
  return kAgeUnknown;
}

// The case `c` as its officer entered it (the loader's fictional content, tools/loadgen), agreeing
// with its clear columns: type, sex, nationality status, age group at opening, children, and for
// divorce recognition the decision and obstacles it ends with. Sets c->age_group and c->mother from
// storage::StatisticalFactsOf of the result (what the case service would store).
v1::Case PersonalCase(uint64_t seed, uint32_t index, const std::string& country, CaseRec* c) {
  ContentRng rng = ItemRng(seed ^ kPersonalSalt, index);
  const v1::Date today = DateOf(c->opened);
  const auto type = static_cast<v1::CaseType>(c->type);
  const auto sex = static_cast<v1::Sex>(c->sex);
  v1::Case k = loadgen::RandomCase(rng, country, today);
  // Prefer content drawn for the same sex (the given name fits); the type must match.
  for (int i = 0; i < 30 && (k.type() != type || k.subject().sex() != sex); ++i) {
    k = loadgen::RandomCase(rng, country, today);
  }
  while (k.type() != type) k = loadgen::RandomCase(rng, country, today);
  *k.mutable_opened_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(c->opened);
  v1::Subject* subject = k.mutable_subject();
  if (subject->sex() != sex) {
    subject->set_sex(sex);
    subject->set_full_name(FictionalName(rng, sex));
  }
  subject->set_nationality_status(static_cast<v1::NationalityStatus>(c->nationality));
  subject->set_has_minor_children(sex == v1::SEX_FEMALE && c->mother);
  if (c->age_group == kAgeUnknown) {
    subject->clear_date_of_birth();
  } else {
    static constexpr std::array<std::array<int, 2>, 3> kAges = {{{12, 17}, {18, 23}, {24, 60}}};
    const auto& range = kAges[c->age_group];
    const int age = std::uniform_int_distribution<int>(range[0], range[1])(rng);
    const absl::CivilDay born = absl::CivilDay(today.year() - age, today.month(), today.day()) -
                                std::uniform_int_distribution<int>(1, 360)(rng);
    v1::Date* dob = subject->mutable_date_of_birth();
    dob->set_year(static_cast<int>(born.year()));
    dob->set_month(born.month());
    dob->set_day(born.day());
  }
  if (type == v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION) {
    v1::DivorceRecognitionDetails* d = k.mutable_divorce_recognition();
    d->clear_obstacles();
    for (int n = 1; n < 8; ++n) {
      if ((c->obstacles & (1u << n)) != 0)
        d->add_obstacles(static_cast<v1::RecognitionObstacle>(n));
    }
    if (c->decision != v1::RECOGNITION_DECISION_UNSPECIFIED) {
      d->set_proceedings_state(v1::PROCEEDINGS_STATE_DECIDED);
      d->set_decision(static_cast<v1::RecognitionDecision>(c->decision));
      *d->mutable_decided_on() = DateOf(c->resolved != 0 ? c->resolved : c->updated);
    } else {
      d->clear_decision();
      d->clear_decided_on();
      if (d->proceedings_state() == v1::PROCEEDINGS_STATE_DECIDED) {
        d->set_proceedings_state(v1::PROCEEDINGS_STATE_HEARING);
      }
    }
  }
  const storage::StatisticalFacts facts = storage::StatisticalFactsOf(k);
  c->age_group = AgeGroupIndex(facts.age_group);
  c->mother = facts.mother_with_minor_children;
  std::string obstacles;
  AppendSet(&obstacles, c->obstacles, ObstacleName, false);
  std::string fact_obstacles = "{";
  for (size_t i = 0; i < facts.recognition_obstacles.size(); ++i) {
    absl::StrAppend(&fact_obstacles, i == 0 ? "" : ",", facts.recognition_obstacles[i]);
  }
  fact_obstacles.push_back('}');
  if (facts.recognition_decision != DecisionName(c->decision) || fact_obstacles != obstacles) {
    throw std::logic_error("generated content disagrees with the case's statistical facts");
  }
  return k;
}

// Builds, for every case, its personal part (as storage's PersonalOf: subject, safety and the
// type's details) sealed under (cases.cases, personal, id) and the blind index of its subject's
// name, on `threads` threads. Rethrows the first failure.
void SealPersonal(Data* d, const std::vector<CountryShare>& countries, int threads,
                  Sealed* sealed) {
  const size_t n = d->cases.size();
  sealed->personal.assign(n, std::string());
  sealed->name_index.assign(n, std::string());
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  const auto work = [&](int part) {
    try {
      for (size_t i = static_cast<size_t>(part); i < n; i += static_cast<size_t>(threads)) {
        CaseRec& c = d->cases[i];
        const v1::Case k =
            PersonalCase(sealed->seed, static_cast<uint32_t>(i), countries[c.country].country, &c);
        v1::Case personal;
        *personal.mutable_subject() = k.subject();
        *personal.mutable_safety() = k.safety();
        if (k.has_abandonment()) *personal.mutable_abandonment() = k.abandonment();
        if (k.has_divorce_recognition()) {
          *personal.mutable_divorce_recognition() = k.divorce_recognition();
        }
        std::string bytes;
        personal.SerializeToString(&bytes);
        sealed->personal[i] = sealed->cipher->Encrypt(
            bytes, AssociatedData{"cases.cases", "personal", UuidText(c.id)});
        absl::StatusOr<std::string> index = sealed->blind_index->NameIndex(k.subject().full_name());
        if (!index.ok()) throw std::runtime_error(std::string(index.status().message()));
        sealed->name_index[i] = *std::move(index);
      }
    } catch (...) {
      errors[static_cast<size_t>(part)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

// Fields of one COPY row: text, or NULL.
template <size_t N>
class Row {
 public:
  std::string& operator[](size_t i) {
    null_[i] = false;
    text_[i].clear();
    return text_[i];
  }
  void Null(size_t i) { null_[i] = true; }
  const std::array<const char*, N>& Fields() {
    for (size_t i = 0; i < N; ++i) fields_[i] = null_[i] ? nullptr : text_[i].c_str();
    return fields_;
  }

 private:
  std::array<std::string, N> text_;
  std::array<bool, N> null_{};
  std::array<const char*, N> fields_{};
};

class Progress {
 public:
  explicit Progress(const std::function<void(const std::string&)>& sink) : sink_(sink) {}
  void Say(const std::string& line) const {
    if (sink_) sink_(line);
  }

 private:
  const std::function<void(const std::string&)>& sink_;
};

void CopyPartners(pqxx::work& tx, const std::vector<PartnerRec>& partners,
                  const std::vector<CountryShare>& countries, const Sealed* sealed) {
  pqxx::stream_to out(
      tx, "contacts.partners",
      std::vector<std::string>{"id", "kind", "name", "country", "city", "specialisms", "languages",
                               "contact_details", "vetting_status", "vetting_note", "vetted_by",
                               "vetted_at", "active", "created_by", "created_at", "updated_at",
                               "version"});
  Row<17> row;
  for (const PartnerRec& p : partners) {
    const std::string& country = countries[p.country].country;
    const std::string city = CityOfPost(countries[p.country].post);
    const auto kind = static_cast<v1::PartnerKind>(p.kind);
    const uint64_t key = static_cast<uint64_t>(p.country) * 100 + static_cast<uint64_t>(p.number);
    // The directory's names and cities are in the clear (and the same for every seed).
    ContentRng name_rng = ItemRng(kPartnerSalt, key);
    AppendUuid(&row[0], p.id);
    row[1] = KindName(p.kind);
    row[2] = PartnerName(name_rng, kind, city);
    row[3] = country;
    row[4] = city;
    row[5] = p.kind == v1::PARTNER_KIND_LAWYER
                 ? "{SPECIALISM_FAMILY_LAW,SPECIALISM_RECOGNITION_OF_FOREIGN_JUDGMENTS}"
                 : "{}";
    row[6] = "{en,fr}";
    const std::string id = UuidText(p.id);
    ContentRng rng = ItemRng(sealed != nullptr ? sealed->seed ^ kPartnerSalt : 0, key);
    row[7] =
        sealed == nullptr
            ? DummyCiphertext()
            : sealed->Seal(PartnerDetails(rng, country, city, kind, p.number).SerializeAsString(),
                           "contacts.partners", "contact_details", id);
    if (p.vetted) {
      row[8] = "VETTING_STATUS_VETTED";
      row[9] = sealed == nullptr
                   ? DummyCiphertext()
                   : sealed->Seal(VettingNote(rng), "contacts.partners", "vetting_note", id);
      row[10] = "admin-bench";
      AppendTime(&row[11], kPartnersVetted, ' ', "+00");
    } else {
      row[8] = "VETTING_STATUS_UNVETTED";
      row.Null(9);
      row.Null(10);
      row.Null(11);
    }
    row[12] = "t";
    row[13] = "admin-bench";
    AppendTime(&row[14], kPartnersCreated, ' ', "+00");
    AppendTime(&row[15], p.vetted ? kPartnersVetted : kPartnersCreated, ' ', "+00");
    row[16] = p.vetted ? "2" : "1";
    out << row.Fields();
  }
  out.complete();
}

void CopyCases(pqxx::work& tx, const Data& d, const Writer& w,
               const std::vector<CountryShare>& countries, const Sealed* sealed) {
  pqxx::stream_to out(tx, "cases.cases",
                      std::vector<std::string>{"id",
                                               "reference",
                                               "case_type",
                                               "status",
                                               "outcome",
                                               "handling_post",
                                               "country",
                                               "risk_flags",
                                               "referral_source",
                                               "subject_sex",
                                               "subject_nationality_status",
                                               "personal",
                                               "opened_at",
                                               "updated_at",
                                               "resolved_at",
                                               "closed_at",
                                               "version",
                                               "subject_name_bidx",
                                               "stat_age_group",
                                               "stat_mother_with_minor_children",
                                               "stat_recognition_decision",
                                               "stat_recognition_obstacles"});
  Row<22> row;
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < d.cases.size(); ++i) {
    const CaseRec& c = d.cases[i];
    AppendUuid(&row[0], c.id);
    row[1] = absl::StrFormat("%s-%04d-%05d", c.type == v1::CASE_TYPE_ABANDONMENT ? "ABN" : "DIV",
                             YearOf(c.opened), c.reference_number);
    row[2] = CaseTypeName(c.type);
    row[3] = StatusName(c.status);
    if (c.outcome == 0) {
      row.Null(4);
    } else {
      row[4] = OutcomeName(c.outcome);
    }
    row[5] = w.Unit(c);
    row[6] = countries[c.country].country;
    AppendSet(&row[7], c.flags, FlagName, false);
    row[8] = ReferralName(c.referral);
    row[9] = SexName(c.sex);
    row[10] = NationalityName(c.nationality);
    row[11] = sealed == nullptr ? DummyCiphertext() : Bytea(sealed->personal[i]);
    AppendTime(&row[12], c.opened, ' ', "+00");
    AppendTime(&row[13], c.updated, ' ', "+00");
    if (c.resolved == 0) {
      row.Null(14);
    } else {
      AppendTime(&row[14], c.resolved, ' ', "+00");
    }
    if (c.closed == 0) {
      row.Null(15);
    } else {
      AppendTime(&row[15], c.closed, ' ', "+00");
    }
    row[16] = std::to_string(c.version);
    std::string& bidx = row[17];
    if (sealed != nullptr) {
      bidx = Bytea(sealed->name_index[i]);
    } else {
      bidx = "\\x";
      for (int j = 0; j < 32; ++j) {
        const uint8_t b = j < 16 ? c.name_index[j] : static_cast<uint8_t>(c.id[j - 16] ^ 0x5a);
        bidx.push_back(kHex[b >> 4]);
        bidx.push_back(kHex[b & 15]);
      }
    }
    row[18] = kAgeGroups[c.age_group];
    row[19] = c.mother ? "t" : "f";
    row[20] = DecisionName(c.decision);
    AppendSet(&row[21], c.obstacles, ObstacleName, false);
    out << row.Fields();
  }
  out.complete();
}

void CopyNotes(pqxx::work& tx, const Data& d, const Writer& w, const Sealed* sealed) {
  pqxx::stream_to out(
      tx, "cases.case_notes",
      std::vector<std::string>{"id", "case_id", "author", "author_post", "created_at", "body"});
  Row<6> row;
  for (size_t i = 0; i < d.notes.size(); ++i) {
    const NoteRec& n = d.notes[i];
    const CaseRec& c = d.cases[n.case_index];
    const ActorOf actor = w.Actor(c, n.actor, n.actor_number);
    AppendUuid(&row[0], n.id);
    AppendUuid(&row[1], c.id);
    row[2] = actor.subject;
    row[3] = actor.post;
    AppendTime(&row[4], n.created, ' ', "+00");
    if (sealed == nullptr) {
      row[5] = DummyCiphertext();
    } else {
      ContentRng rng = ItemRng(sealed->seed ^ kNoteSalt, i);
      row[5] = sealed->Seal(loadgen::RandomNoteText(rng, static_cast<v1::CaseType>(c.type)),
                            "cases.case_notes", "body", UuidText(n.id));
    }
    out << row.Fields();
  }
  out.complete();
}

void CopyContacts(pqxx::work& tx, const Data& d, const Writer& w,
                  const std::vector<PartnerRec>& partners,
                  const std::vector<CountryShare>& countries, const Sealed* sealed) {
  pqxx::stream_to out(tx, "contacts.contacts",
                      std::vector<std::string>{
                          "id", "case_id", "partner_id", "ad_hoc", "partner_kind", "occurred_at",
                          "channel", "direction", "purpose", "outcome", "follow_up_due",
                          "follow_up_done_at", "follow_up_done_by", "note", "logged_by",
                          "logged_by_unit", "created_at", "updated_at", "version"});
  Row<19> row;
  for (size_t i = 0; i < d.contacts.size(); ++i) {
    const ContactRec& k = d.contacts[i];
    const CaseRec& c = d.cases[k.case_index];
    const std::string id = UuidText(k.id);
    ContentRng rng = ItemRng(sealed != nullptr ? sealed->seed ^ kContactSalt : 0, i);
    AppendUuid(&row[0], k.id);
    AppendUuid(&row[1], c.id);
    if (k.partner < 0) {
      row.Null(2);
      row[3] = sealed == nullptr
                   ? DummyCiphertext()
                   : sealed->Seal(
                         AdHocCounterpart(rng, countries[c.country].country).SerializeAsString(),
                         "contacts.contacts", "ad_hoc", id);
    } else {
      AppendUuid(&row[2], partners[k.partner].id);
      row.Null(3);
    }
    row[4] = KindName(k.kind);
    AppendTime(&row[5], k.occurred, ' ', "+00");
    row[6] = ChannelName(k.channel);
    row[7] = DirectionName(k.direction);
    row[8] = PurposeName(k.purpose);
    row[9] = ContactOutcomeName(k.outcome);
    if (k.due_day < 0) {
      row.Null(10);
    } else {
      AppendDay(&row[10], k.due_day);
    }
    if (k.done == 0) {
      row.Null(11);
      row.Null(12);
    } else {
      AppendTime(&row[11], k.done, ' ', "+00");
      row[12] = w.Actor(c, k.actor, k.done_actor_number).subject;
    }
    if (k.note) {
      row[13] = sealed == nullptr
                    ? DummyCiphertext()
                    : sealed->Seal(ContactNoteText(rng, static_cast<v1::ContactPurpose>(k.purpose)),
                                   "contacts.contacts", "note", id);
    } else {
      row.Null(13);
    }
    row[14] = w.Actor(c, k.actor, k.actor_number).subject;
    row[15] = w.Unit(c);
    AppendTime(&row[16], k.created, ' ', "+00");
    AppendTime(&row[17], k.updated, ' ', "+00");
    row[18] = std::to_string(k.version);
    out << row.Fields();
  }
  out.complete();
}

void CopyEvents(pqxx::work& tx, const Data& d, const Writer& w, const Sealed* sealed,
                const Progress& progress) {
  pqxx::stream_to out(tx, "cases.case_events",
                      std::vector<std::string>{"id", "case_id", "sequence", "event_type", "actor",
                                               "actor_role", "actor_post", "occurred_at",
                                               "case_version", "payload", "reason", "facts"});
  Row<12> row;
  const absl::Time start = absl::Now();
  int64_t id = 0;
  for (const EventRec& e : d.events) {
    const CaseRec& c = d.cases[e.case_index];
    const ActorOf actor = w.Actor(c, e.actor, e.actor_number);
    row[0] = std::to_string(++id);
    AppendUuid(&row[1], c.id);
    row[2] = std::to_string(e.sequence);
    row[3] = EventTypeName(e.type);
    row[4] = actor.subject;
    row[5] = *actor.role;
    row[6] = actor.post;
    AppendTime(&row[7], e.at, ' ', "+00");
    row[8] = std::to_string(e.version);
    w.AppendPayload(&row[9], e, actor);
    if (e.type == v1::CASE_EVENT_TYPE_TRANSITIONED) {
      if (sealed == nullptr) {
        row[10] = DummyCiphertext();
      } else {
        ContentRng rng = ItemRng(sealed->seed ^ kReasonSalt, static_cast<uint64_t>(id));
        row[10] = sealed->Seal(TransitionReason(rng, static_cast<v1::CaseStatus>(e.from_status),
                                                static_cast<v1::CaseStatus>(e.status)),
                               "cases.case_events", "reason",
                               absl::StrCat(UuidText(c.id), "/", e.sequence));
      }
    } else {
      row.Null(10);
    }
    w.AppendFacts(&row[11], c, e);
    out << row.Fields();
    if (id % 1000000 == 0) {
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
      progress.Say(absl::StrFormat("  events: %d of %d written (%.0f/s)", id, d.events.size(),
                                   static_cast<double>(id) / std::max(seconds, 1e-3)));
    }
  }
  out.complete();
}

}  // namespace

const std::vector<CountryShare>& BenchCountries() {
  static const std::vector<CountryShare>* const kCountries = MakeCountries();
  return *kCountries;
}

absl::StatusOr<BulkLoadReport> BulkLoad(const std::string& owner_dsn,
                                        const BulkLoadOptions& options) {
  if (options.cases < 1 || options.cases > 50000000) {
    return absl::InvalidArgumentError("cases: from 1 to 50,000,000");
  }
  if (options.events_per_case < 1 || options.events_per_case > 100) {
    return absl::InvalidArgumentError("events_per_case: from 1 to 100");
  }
  if ((options.cipher == nullptr) != (options.blind_index == nullptr)) {
    return absl::InvalidArgumentError("cipher and blind_index: both or neither");
  }
  if (options.threads < 1 || options.threads > 16) {
    return absl::InvalidArgumentError("threads: from 1 to 16");
  }
  const Progress progress(options.progress);
  BulkLoadReport report;
  try {
    auto connection = std::make_unique<pqxx::connection>(owner_dsn);
    {
      pqxx::nontransaction check(*connection);
      if (check.exec("SELECT 1 FROM cases.cases LIMIT 1").size() != 0) {
        return absl::FailedPreconditionError("the database already holds cases");
      }
    }

    const std::vector<CountryShare>& countries = BenchCountries();
    absl::Time start = absl::Now();
    Generator generator(options, countries);
    generator.Calibrate();
    Data d;
    generator.GenerateAll(&d);
    report.generate = absl::Now() - start;
    report.rows = {static_cast<int64_t>(generator.partners().size()),
                   static_cast<int64_t>(d.cases.size()), static_cast<int64_t>(d.events.size()),
                   static_cast<int64_t>(d.notes.size()), static_cast<int64_t>(d.contacts.size())};
    progress.Say(absl::StrFormat(
        "  generated in %.1f s: %d cases, %d events, %d notes, %d contacts, %d partners",
        absl::ToDoubleSeconds(report.generate), report.rows.cases, report.rows.events,
        report.rows.notes, report.rows.contacts, report.rows.partners));

    std::unique_ptr<Sealed> sealed;
    if (options.cipher != nullptr) {
      start = absl::Now();
      sealed = std::make_unique<Sealed>();
      sealed->cipher = options.cipher;
      sealed->blind_index = options.blind_index;
      sealed->seed = options.seed;
      SealPersonal(&d, countries, options.threads, sealed.get());
      report.seal = absl::Now() - start;
      progress.Say(
          absl::StrFormat("  personal parts sealed in %.1f s", absl::ToDoubleSeconds(report.seal)));
    }

    start = absl::Now();
    {
      const Writer writer(d, countries);
      pqxx::work tx(*connection);
      // As the owner, without triggers (the facts are written here, as the trigger would have) and
      // without the foreign-key checks (the rows are consistent by construction).
      tx.exec0("SET LOCAL session_replication_role = replica");
      CopyPartners(tx, generator.partners(), countries, sealed.get());
      progress.Say("  partners written");
      CopyCases(tx, d, writer, countries, sealed.get());
      progress.Say(
          absl::StrFormat("  cases written (%.0f s)", absl::ToDoubleSeconds(absl::Now() - start)));
      CopyNotes(tx, d, writer, sealed.get());
      progress.Say(
          absl::StrFormat("  notes written (%.0f s)", absl::ToDoubleSeconds(absl::Now() - start)));
      CopyContacts(tx, d, writer, generator.partners(), countries, sealed.get());
      progress.Say(absl::StrFormat("  contacts written (%.0f s)",
                                   absl::ToDoubleSeconds(absl::Now() - start)));
      CopyEvents(tx, d, writer, sealed.get(), progress);
      for (const Generator::ReferenceCounter& r : generator.reference_counters()) {
        tx.exec_params0(
            "INSERT INTO cases.reference_counters (prefix, year, last_value) VALUES ($1, $2, $3)",
            r.type == v1::CASE_TYPE_ABANDONMENT ? "ABN" : "DIV", r.year, r.last);
      }
      tx.exec_params("SELECT setval(pg_get_serial_sequence('cases.case_events', 'id'), $1)",
                     static_cast<int64_t>(std::max<size_t>(1, d.events.size())));
      tx.commit();
    }
    report.copy = absl::Now() - start;
    progress.Say(absl::StrFormat("  committed (%.0f s)", absl::ToDoubleSeconds(report.copy)));

    start = absl::Now();
    pqxx::nontransaction vacuum(*connection);
    vacuum.exec0(
        "VACUUM (ANALYZE) contacts.partners, cases.cases, cases.case_notes, contacts.contacts, "
        "cases.case_events, cases.reference_counters");
    report.vacuum = absl::Now() - start;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("bulk load: ", e.what()));
  }
  return report;
}

absl::StatusOr<int64_t> CheckLoadedFacts(const std::string& owner_dsn) {
  try {
    pqxx::connection connection(owner_dsn);
    pqxx::nontransaction tx(connection);
    const int64_t cases =
        tx.exec1(
              "WITH last AS (SELECT DISTINCT ON (case_id) case_id, facts FROM cases.case_events "
              "              ORDER BY case_id, sequence DESC) "
              "SELECT count(*) FROM cases.cases c LEFT JOIN last l ON l.case_id = c.id "
              "WHERE (l.facts - 'contact') IS DISTINCT FROM cases.statistical_facts_of(c)")[0]
            .as<int64_t>();
    const int64_t contacts =
        tx.exec1(
              "WITH last AS (SELECT DISTINCT ON (payload ->> 'contact_id') "
              "                     (payload ->> 'contact_id')::uuid AS contact_id, "
              "                     facts -> 'contact' AS contact "
              "                FROM cases.case_events "
              "               WHERE event_type IN ('CASE_EVENT_TYPE_CONTACT_LOGGED', "
              "                                    'CASE_EVENT_TYPE_CONTACT_UPDATED', "
              "                                    'CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED') "
              "               ORDER BY payload ->> 'contact_id', id DESC) "
              "SELECT count(*) FROM contacts.contacts k LEFT JOIN last l ON l.contact_id = k.id "
              "WHERE l.contact IS DISTINCT FROM contacts.statistical_facts_of(k)")[0]
            .as<int64_t>();
    return cases + contacts;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("checking the loaded facts: ", e.what()));
  }
}

}  // namespace consular::datagen

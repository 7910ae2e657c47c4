#include "tools/datagen/bulk_load.h"

#include <algorithm>
#include <exception>
#include <iterator>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "consular/v1/cases.pb.h"
#include "tools/datagen/bulk_records.h"
#include "tools/datagen/copy_tables.h"
#include "tools/datagen/personal_parts.h"
#include "tools/datagen/population.h"
#include "tools/datagen/row_encoders.h"

// The driver of the bulk load: plan the population (population.h), seal the personal parts
// (personal_parts.h), COPY every table in one transaction (copy_tables.h), then VACUUM ANALYZE.
namespace consular::datagen {
namespace {

namespace v1 = consular::v1;

// The 60 countries of focus with a Zipf-like share of the cases, each with its post.
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
  const bulk::Progress progress(options.progress);
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
    bulk::Generator generator(options, countries);
    generator.Calibrate();
    bulk::Data d;
    generator.GenerateAll(&d);
    report.generate = absl::Now() - start;
    report.rows = {static_cast<int64_t>(generator.partners().size()),
                   static_cast<int64_t>(d.cases.size()), static_cast<int64_t>(d.events.size()),
                   static_cast<int64_t>(d.notes.size()), static_cast<int64_t>(d.contacts.size())};
    progress.Say(absl::StrFormat(
        "  generated in %.1f s: %d cases, %d events, %d notes, %d contacts, %d partners",
        absl::ToDoubleSeconds(report.generate), report.rows.cases, report.rows.events,
        report.rows.notes, report.rows.contacts, report.rows.partners));

    std::unique_ptr<bulk::Sealed> sealed;
    if (options.cipher != nullptr) {
      start = absl::Now();
      sealed = std::make_unique<bulk::Sealed>();
      sealed->cipher = options.cipher;
      sealed->blind_index = options.blind_index;
      sealed->seed = options.seed;
      bulk::SealPersonalParts(&d, countries, options.threads, sealed.get());
      report.seal = absl::Now() - start;
      progress.Say(
          absl::StrFormat("  personal parts sealed in %.1f s", absl::ToDoubleSeconds(report.seal)));
    }

    start = absl::Now();
    {
      const bulk::RowEncoder encoder(d, countries);
      pqxx::work tx(*connection);
      // As the owner, without triggers (the facts are written here, as the trigger would have) and
      // without the foreign-key checks (the rows are consistent by construction).
      tx.exec0("SET LOCAL session_replication_role = replica");
      // Every post a case is handled by is a unit of the register (migration 0014).
      for (const CountryShare& c : countries) {
        tx.exec_params0(
            "INSERT INTO units.units (code, kind, name, country, created_by, created_at) "
            "VALUES ($1, 'UNIT_KIND_POST', $1, $2, 'consular-datagen', now()) "
            "ON CONFLICT (code) DO NOTHING",
            c.post, c.country);
      }
      bulk::CopyPartners(tx, generator.partners(), countries, sealed.get());
      progress.Say("  partners written");
      bulk::CopyCases(tx, d, encoder, countries, sealed.get());
      progress.Say(
          absl::StrFormat("  cases written (%.0f s)", absl::ToDoubleSeconds(absl::Now() - start)));
      bulk::CopyNotes(tx, d, encoder, sealed.get());
      progress.Say(
          absl::StrFormat("  notes written (%.0f s)", absl::ToDoubleSeconds(absl::Now() - start)));
      bulk::CopyContacts(tx, d, encoder, generator.partners(), countries, sealed.get());
      progress.Say(absl::StrFormat("  contacts written (%.0f s)",
                                   absl::ToDoubleSeconds(absl::Now() - start)));
      bulk::CopyEvents(tx, d, encoder, sealed.get(), progress);
      for (const bulk::ReferenceCounter& r : generator.reference_counters()) {
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

}  // namespace consular::datagen

// Micro-benchmarks of the hot pure code (Google Benchmark): validating a CreateCaseRequest, field
// encryption and the blind index, bearer-token minting and verification, disclosure control on
// the table shapes the publisher builds, and publishing one country-year. No database, no network.
// Not a test: run it by hand, e.g.
//
//   build-release/tests/bench/micro_bench --benchmark_min_time=0.2
//
// Every input is built once, before timing, with fixed seeds (the keys are fresh random ones, as in
// the tests); each benchmark checks its input once and reports an error instead of timing a
// failure path. items_per_second counts requests, values, tokens, tables or country-years.
#include <benchmark/benchmark.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/statistics.pb.h"
#include "services/common/validation.h"
#include "services/cases/case_rules.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "services/common/token.h"
#include "services/stats/disclosure.h"
#include "services/stats/linked_tables.h"
#include "services/stats/publisher.h"
#include "services/stats/rollups.h"
#include "tests/common/test_crypto.h"
#include "tests/crypto/test_field_crypto.h"

namespace consular {
namespace {

using consular::v1::Case;
using consular::v1::CreateCaseRequest;
using consular::v1::Date;

// ---------------------------------------------------------------------------------------------
// 1. Validation of a CreateCaseRequest, as CaseManager::CreateCase does it.

Date MakeDate(int y, int m, int d) {
  Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

const Date& Today() {
  static const Date today = MakeDate(2026, 6, 15);
  return today;
}

// A subject and safety details as an officer would enter them.
void FillPerson(Case* c) {
  c->set_country("MA");
  auto* subject = c->mutable_subject();
  subject->set_full_name("Amina Fatima El Idrissi-Bakker");
  *subject->mutable_date_of_birth() = MakeDate(1998, 3, 14);
  subject->set_sex(consular::v1::SEX_FEMALE);
  subject->set_nationality_status(consular::v1::NATIONALITY_STATUS_DUAL);
  subject->set_has_minor_children(true);
  c->add_risk_flags(consular::v1::RISK_FLAG_PASSPORT_WITHHELD);
  c->add_risk_flags(consular::v1::RISK_FLAG_CHILDREN_WITH_PERSON);
  c->add_risk_flags(consular::v1::RISK_FLAG_RESIDENCE_PERMIT_AT_RISK);
  c->set_referral_source(consular::v1::REFERRAL_SOURCE_FAMILY);
  auto* safety = c->mutable_safety();
  safety->set_safe_contact_channel("+212 6 12 34 56 78 (sister's phone, WhatsApp only)");
  safety->set_safe_contact_times("Weekdays 10:00-12:00 local time, when her husband is at work");
  safety->set_do_not_contact_family(true);
  safety->set_covert_notes(
      "Husband's family monitors her phone. Do not leave voicemail. She can reach the consulate "
      "in Casablanca by taxi on Tuesdays when she takes the children to the clinic; use the side "
      "entrance. Sister in Rotterdam is trusted and knows the code word.");
}

Case RealisticAbandonment() {
  Case c;
  c.set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  FillPerson(&c);
  auto* a = c.mutable_abandonment();
  *a->mutable_left_netherlands_on() = MakeDate(2025, 12, 20);
  *a->mutable_reported_on() = MakeDate(2026, 2, 3);
  a->set_region("Tanger-Tetouan-Al Hoceima, a village near Chefchaouen");
  a->add_documents_withheld(consular::v1::WITHHELD_DOCUMENT_PASSPORT);
  a->add_documents_withheld(consular::v1::WITHHELD_DOCUMENT_RESIDENCE_CARD);
  *a->mutable_residence_permit_expires_on() = MakeDate(2026, 11, 30);
  a->set_person_wishes(
      "Wants to return to the Netherlands with her two children (4 and 7) before the school year "
      "starts; needs an emergency travel document and help with the residence permit.");
  return c;
}

Case RealisticDivorceRecognition() {
  Case c;
  c.set_type(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION);
  FillPerson(&c);
  auto* d = c.mutable_divorce_recognition();
  *d->mutable_dutch_divorce_on() = MakeDate(2024, 5, 17);
  d->set_dutch_court("Rechtbank Rotterdam");
  d->set_proceedings_state(consular::v1::PROCEEDINGS_STATE_DECIDED);
  d->set_lawyer_partner_id("0b8c6a52-5a3e-4d43-9a55-2f0d1b1e7a10");
  d->add_obstacles(consular::v1::RECOGNITION_OBSTACLE_SPOUSE_CONSENT_DEMANDED);
  d->add_obstacles(consular::v1::RECOGNITION_OBSTACLE_DOCUMENT_LEGALISATION);
  d->set_decision(consular::v1::RECOGNITION_DECISION_REFUSED);
  *d->mutable_decided_on() = MakeDate(2025, 9, 2);
  return c;
}

CreateCaseRequest RequestFor(const Case& c) {
  CreateCaseRequest request;
  request.set_request_id("5b0f8f3e-6f1c-4d2a-9e57-3c1a2b4d5e6f");
  *request.mutable_case_() = c;
  return request;
}

// What CreateCase checks of the request before it touches the database.
absl::Status ValidateCreateCase(const CreateCaseRequest& request) {
  absl::Status status = ValidateRequestId(request.request_id());
  if (!status.ok()) return status;
  return cases::ValidateCaseContent(request.case_(), Today());
}

void RunValidateCreateCase(benchmark::State& state, const CreateCaseRequest& request) {
  const absl::Status check = ValidateCreateCase(request);
  if (!check.ok()) {
    state.SkipWithError(std::string(check.message()).c_str());
    return;
  }
  for (auto _ : state) {
    absl::Status status = ValidateCreateCase(request);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ValidateCreateCase_Abandonment(benchmark::State& state) {
  RunValidateCreateCase(state, RequestFor(RealisticAbandonment()));
}
BENCHMARK(BM_ValidateCreateCase_Abandonment);

void BM_ValidateCreateCase_DivorceRecognition(benchmark::State& state) {
  RunValidateCreateCase(state, RequestFor(RealisticDivorceRecognition()));
}
BENCHMARK(BM_ValidateCreateCase_DivorceRecognition);

// ---------------------------------------------------------------------------------------------
// 2. Field encryption and the blind index.

// The personal part of a case as CaseStore stores it (storage/case_store.cc PersonalOf): subject,
// safety and details, serialized. About 600 bytes for the realistic abandonment case.
std::string PersonalPart() {
  const Case c = RealisticAbandonment();
  Case personal;
  *personal.mutable_subject() = c.subject();
  *personal.mutable_safety() = c.safety();
  *personal.mutable_abandonment() = c.abandonment();
  std::string bytes;
  personal.SerializeToString(&bytes);
  return bytes;
}

constexpr char kShortNote[] =
    "Called on the safe number; she is at the shelter with the children and wants to fly Friday.";

// Where the values live (storage/case_store.cc PersonalAd and NoteBodyAd).
AssociatedData PersonalAd() {
  return {"cases.cases", "personal", "0b8c6a52-5a3e-4d43-9a55-2f0d1b1e7a10"};
}
AssociatedData NoteAd() {
  return {"cases.case_notes", "body", "7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6"};
}

const testing::TestFieldCrypto& Keys() {
  static const auto* keys = new testing::TestFieldCrypto();
  return *keys;
}

void RunEncrypt(benchmark::State& state, const std::string& plaintext, const AssociatedData& ad) {
  const FieldCipher& cipher = Keys().cipher;
  for (auto _ : state) {
    std::string ciphertext = cipher.Encrypt(plaintext, ad);
    benchmark::DoNotOptimize(ciphertext);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(plaintext.size()));
  state.counters["plaintext_bytes"] = static_cast<double>(plaintext.size());
}

void RunDecrypt(benchmark::State& state, const std::string& plaintext, const AssociatedData& ad) {
  const FieldCipher& cipher = Keys().cipher;
  const std::string ciphertext = cipher.Encrypt(plaintext, ad);
  const absl::StatusOr<std::string> check = cipher.Decrypt(ciphertext, ad);
  if (!check.ok() || *check != plaintext) {
    state.SkipWithError("the ciphertext does not decrypt to its plaintext");
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<std::string> decrypted = cipher.Decrypt(ciphertext, ad);
    benchmark::DoNotOptimize(decrypted);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(plaintext.size()));
  state.counters["plaintext_bytes"] = static_cast<double>(plaintext.size());
}

void BM_FieldEncrypt_PersonalPart(benchmark::State& state) {
  RunEncrypt(state, PersonalPart(), PersonalAd());
}
BENCHMARK(BM_FieldEncrypt_PersonalPart);

void BM_FieldDecrypt_PersonalPart(benchmark::State& state) {
  RunDecrypt(state, PersonalPart(), PersonalAd());
}
BENCHMARK(BM_FieldDecrypt_PersonalPart);

void BM_FieldEncrypt_ShortNote(benchmark::State& state) { RunEncrypt(state, kShortNote, NoteAd()); }
BENCHMARK(BM_FieldEncrypt_ShortNote);

void BM_FieldDecrypt_ShortNote(benchmark::State& state) { RunDecrypt(state, kShortNote, NoteAd()); }
BENCHMARK(BM_FieldDecrypt_ShortNote);

void RunNameIndex(benchmark::State& state, const std::string& name) {
  const BlindIndex& index = Keys().blind_index;
  if (!index.NameIndex(name).ok()) {
    state.SkipWithError("the name does not normalise");
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<std::string> digest = index.NameIndex(name);
    benchmark::DoNotOptimize(digest);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_BlindIndex_NameAscii(benchmark::State& state) {
  RunNameIndex(state, "Amina Fatima El Idrissi-Bakker");
}
BENCHMARK(BM_BlindIndex_NameAscii);

// Accents, capitals and doubled spaces: the normalisation has work to do.
void BM_BlindIndex_NameAccented(benchmark::State& state) {
  RunNameIndex(state, "José  MARÍA Núñez  Çağlar");
}
BENCHMARK(BM_BlindIndex_NameAccented);

// ---------------------------------------------------------------------------------------------
// 3. Bearer tokens (ES256).

struct TokenFixture {
  testing::KeyPair keys = testing::GenerateEcKeyPair("P-256");
  TokenClaims claims;
  std::string token;
  std::unique_ptr<TokenVerifier> verifier;
  std::string error;

  TokenFixture() {
    claims.subject = "officer-0017";
    claims.role = consular::v1::ROLE_CONSULAR_OFFICER;
    claims.post = "MA-RABAT";
    claims.now = absl::Now();
    absl::StatusOr<std::string> minted = MintToken(keys.private_pem, claims);
    if (!minted.ok()) {
      error = absl::StrCat("MintToken: ", minted.status().message());
      return;
    }
    token = *std::move(minted);
    VerifierOptions options;
    options.public_key_pems = {keys.public_pem};
    absl::StatusOr<std::unique_ptr<TokenVerifier>> made = MakeJwtTokenVerifier(options);
    if (!made.ok()) {
      error = absl::StrCat("MakeJwtTokenVerifier: ", made.status().message());
      return;
    }
    verifier = *std::move(made);
    absl::StatusOr<Identity> who = verifier->Verify(token);
    if (!who.ok()) error = absl::StrCat("Verify: ", who.status().message());
  }
};

const TokenFixture& Tokens() {
  static const auto* fixture = new TokenFixture();
  return *fixture;
}

// A token the verifier has not seen: the full check (signature, claims). Each iteration gets a
// fresh verifier (built outside the timing), since a verifier remembers the tokens it accepted.
void BM_TokenVerify(benchmark::State& state) {
  const TokenFixture& f = Tokens();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  VerifierOptions options;
  options.public_key_pems = {f.keys.public_pem};
  for (auto _ : state) {
    state.PauseTiming();
    absl::StatusOr<std::unique_ptr<TokenVerifier>> fresh = MakeJwtTokenVerifier(options);
    state.ResumeTiming();
    absl::StatusOr<Identity> who = (*fresh)->Verify(f.token);
    benchmark::DoNotOptimize(who);
    state.PauseTiming();
    fresh->reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["token_bytes"] = static_cast<double>(f.token.size());
}
BENCHMARK(BM_TokenVerify);

// The same token again, as every later call of a client: the verifier remembers it.
void BM_TokenVerify_Remembered(benchmark::State& state) {
  const TokenFixture& f = Tokens();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<Identity> who = f.verifier->Verify(f.token);
    benchmark::DoNotOptimize(who);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenVerify_Remembered);

void BM_TokenMint(benchmark::State& state) {
  const TokenFixture& f = Tokens();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<std::string> token = MintToken(f.keys.private_pem, f.claims);
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenMint);

// For reference, what a token check costs underneath: decoding a PEM key (cpp-jwt decodes the PEM
// of each configured public key on every Verify; MintToken decodes the private key twice), and an
// ES256 signature check with a key decoded once.

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

PkeyPtr DecodePublicKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PkeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr DecodePrivateKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

void BM_Reference_PemDecodePublicKey(benchmark::State& state) {
  const std::string& pem = Tokens().keys.public_pem;
  for (auto _ : state) {
    PkeyPtr key = DecodePublicKey(pem);
    if (!key) {
      state.SkipWithError("PEM_read_bio_PUBKEY failed");
      break;
    }
    benchmark::DoNotOptimize(key.get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Reference_PemDecodePublicKey);

void BM_Reference_PemDecodePrivateKey(benchmark::State& state) {
  const std::string& pem = Tokens().keys.private_pem;
  for (auto _ : state) {
    PkeyPtr key = DecodePrivateKey(pem);
    if (!key) {
      state.SkipWithError("PEM_read_bio_PrivateKey failed");
      break;
    }
    benchmark::DoNotOptimize(key.get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Reference_PemDecodePrivateKey);

// ECDSA P-256 / SHA-256 over a token-sized message, both keys decoded once.
void BM_Reference_Es256VerifyDecodedKey(benchmark::State& state) {
  const TokenFixture& f = Tokens();
  PkeyPtr private_key = DecodePrivateKey(f.keys.private_pem);
  PkeyPtr public_key = DecodePublicKey(f.keys.public_pem);
  const std::string message = f.token.substr(0, f.token.rfind('.'));
  std::string signature(static_cast<size_t>(EVP_PKEY_get_size(private_key.get())), '\0');
  size_t signature_size = signature.size();
  MdCtxPtr sign(EVP_MD_CTX_new());
  if (!private_key || !public_key ||
      EVP_DigestSignInit(sign.get(), nullptr, EVP_sha256(), nullptr, private_key.get()) != 1 ||
      EVP_DigestSign(sign.get(), reinterpret_cast<unsigned char*>(signature.data()),
                     &signature_size, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    state.SkipWithError("could not sign the reference message");
    return;
  }
  signature.resize(signature_size);
  for (auto _ : state) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok =
        EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, public_key.get()) == 1 &&
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                         message.size()) == 1;
    if (!ok) {
      state.SkipWithError("the reference signature does not verify");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Reference_Es256VerifyDecodedKey);

// ---------------------------------------------------------------------------------------------
// 4. Disclosure control and publishing.

constexpr int kThreshold = 5;  // PublishOptions' default
constexpr int kTablesPerDataSet = 64;

// Mild: counts mostly at or above the threshold, a few zeros and a few small cells.
int64_t MildCount(std::mt19937& rng) {
  const int bucket = std::uniform_int_distribution<int>(0, 99)(rng);
  if (bucket < 10) return 0;
  if (bucket < 20) return std::uniform_int_distribution<int64_t>(1, kThreshold - 1)(rng);
  return std::uniform_int_distribution<int64_t>(kThreshold, 80)(rng);
}

// Skewed (as tests/stats/disclosure_test.cc): many zeros and small cells, a few large ones.
int64_t SkewedCount(std::mt19937& rng) {
  const int bucket = std::uniform_int_distribution<int>(0, 99)(rng);
  if (bucket < 35) return 0;
  if (bucket < 75) return std::uniform_int_distribution<int64_t>(1, 6)(rng);
  if (bucket < 90) return std::uniform_int_distribution<int64_t>(7, 30)(rng);
  return std::uniform_int_distribution<int64_t>(31, 2000)(rng);
}

using CountFn = int64_t (*)(std::mt19937&);

std::vector<stats::Table> CalendarTables(CountFn count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<stats::Table> tables;
  for (int i = 0; i < kTablesPerDataSet; ++i) {
    std::array<int64_t, 12> months;
    for (int64_t& v : months) v = count(rng);
    tables.push_back(stats::CalendarTable(months));
  }
  return tables;
}

// Quarters x the ten outcomes with their margins: 5 x 11 cells, the largest partition table the
// publisher builds (services/stats/publisher.cc).
std::vector<stats::Table> QuarterByOutcomeTables(CountFn count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<stats::Table> tables;
  for (int i = 0; i < kTablesPerDataSet; ++i) {
    std::vector<int64_t> interior(4 * 10);
    for (int64_t& v : interior) v = count(rng);
    tables.push_back(stats::TwoWayTable(4, 10, interior));
  }
  return tables;
}

// Protects each table of the data set in turn; reports the mean suppressed cells per table.
void RunProtect(benchmark::State& state, const std::vector<stats::Table>& tables) {
  int64_t suppressed = 0;
  for (const stats::Table& table : tables) {
    const stats::ProtectionResult result = stats::Protect(table, kThreshold);
    if (!result.fully_protected) {
      state.SkipWithError("a table of the data set is not fully protected");
      return;
    }
    for (const bool s : result.suppressed) suppressed += s ? 1 : 0;
  }
  size_t i = 0;
  for (auto _ : state) {
    stats::ProtectionResult result = stats::Protect(tables[i], kThreshold);
    benchmark::DoNotOptimize(result);
    if (++i == tables.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["cells"] = static_cast<double>(tables.front().values.size());
  state.counters["suppressed_per_table"] =
      static_cast<double>(suppressed) / static_cast<double>(tables.size());
}

void BM_Protect_Calendar_Mild(benchmark::State& state) {
  RunProtect(state, CalendarTables(MildCount, 1));
}
BENCHMARK(BM_Protect_Calendar_Mild);

void BM_Protect_Calendar_Skewed(benchmark::State& state) {
  RunProtect(state, CalendarTables(SkewedCount, 2));
}
BENCHMARK(BM_Protect_Calendar_Skewed);

void BM_Protect_TwoWay5x11_Mild(benchmark::State& state) {
  RunProtect(state, QuarterByOutcomeTables(MildCount, 3));
}
BENCHMARK(BM_Protect_TwoWay5x11_Mild);

void BM_Protect_TwoWay5x11_Skewed(benchmark::State& state) {
  RunProtect(state, QuarterByOutcomeTables(SkewedCount, 4));
}
BENCHMARK(BM_Protect_TwoWay5x11_Skewed);

// The rollup counts of one country: `per_year` cases opened in each of 2023..2025 (with contacts
// for about half), counted by RollupDelta as the updater counts them. 2025 is the year published;
// the earlier years only feed the cases unresolved at its quarters' ends (AddBefore).
stats::CountryCounts RealisticCountry(int per_year, uint32_t seed, int first_year = 2023,
                                      bool every_year = false, bool one_more_case = false) {
  using consular::v1::Dimension;
  std::mt19937 rng(seed);
  const auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  const auto chance = [&](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
  };
  const std::vector<std::string> outcomes = stats::CategoriesOf(consular::v1::DIMENSION_OUTCOME);
  std::vector<std::string> abandonment_outcomes, divorce_outcomes;
  for (const std::string& name : outcomes) {
    consular::v1::Outcome outcome;
    if (!consular::v1::Outcome_Parse(name, &outcome)) continue;
    if (cases::IsOutcomeValidFor(consular::v1::CASE_TYPE_ABANDONMENT, outcome))
      abandonment_outcomes.push_back(name);
    if (cases::IsOutcomeValidFor(consular::v1::CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION, outcome))
      divorce_outcomes.push_back(name);
  }
  // Summer and the school holidays bring more cases.
  std::discrete_distribution<int> month_of({6, 5, 6, 7, 8, 9, 14, 16, 10, 7, 6, 6});

  stats::RollupDelta delta;
  int contact_id = 0;
  for (int year = first_year; year <= 2025; ++year) {
    for (int i = 0; i < per_year; ++i) {
      stats::CaseFacts f;
      f.country = "MA";
      const bool divorce = chance(30);
      f.type = divorce ? "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION" : "CASE_TYPE_ABANDONMENT";
      const int month = 1 + month_of(rng);
      f.opened = absl::CivilDay(year, month, std::uniform_int_distribution<int>(1, 28)(rng));
      // Older cases are more often resolved.
      if (chance(year == 2025 ? 35 : 80)) {
        f.resolved = f.opened + std::uniform_int_distribution<int>(3, 300)(rng);
        f.outcome = pick(divorce ? divorce_outcomes : abandonment_outcomes);
        f.status = chance(60) ? "CASE_STATUS_CLOSED" : "CASE_STATUS_RESOLVED";
      } else {
        f.status = pick({"CASE_STATUS_INTAKE", "CASE_STATUS_ACTIVE", "CASE_STATUS_ACTIVE",
                         "CASE_STATUS_ON_HOLD"});
      }
      f.age_group = pick(stats::CategoriesOf(consular::v1::DIMENSION_AGE_GROUP));
      f.sex = chance(85) ? "SEX_FEMALE" : pick(stats::CategoriesOf(consular::v1::DIMENSION_SEX));
      f.mother_with_minor_children = f.sex == "SEX_FEMALE" && chance(40);
      f.nationality_status = pick(stats::CategoriesOf(consular::v1::DIMENSION_NATIONALITY_STATUS));
      f.referral_source = pick(stats::CategoriesOf(consular::v1::DIMENSION_REFERRAL_SOURCE));
      for (const std::string& flag : stats::CategoriesOf(consular::v1::DIMENSION_RISK_FLAG)) {
        if (chance(20)) f.risk_flags.push_back(flag);
      }
      if (divorce) {
        f.recognition_decision =
            pick(stats::CategoriesOf(consular::v1::DIMENSION_RECOGNITION_DECISION));
        for (const std::string& o :
             stats::CategoriesOf(consular::v1::DIMENSION_RECOGNITION_OBSTACLE)) {
          if (chance(30)) f.recognition_obstacles.push_back(o);
        }
      }
      delta.AddCase(f, +1);
      for (int n = 0; chance(n == 0 ? 50 : 30) && n < 4; ++n) {
        stats::ContactFacts c;
        c.id = absl::StrCat(++contact_id);
        c.day = f.opened + std::uniform_int_distribution<int>(0, 90)(rng);
        c.partner_kind = pick(stats::CategoriesOf(consular::v1::DIMENSION_PARTNER_KIND));
        c.purpose = pick(stats::CategoriesOf(consular::v1::DIMENSION_CONTACT_PURPOSE));
        delta.AddContact("MA", c, +1);
      }
    }
  }
  if (one_more_case) {  // a minor at risk of forced marriage, opened in the last year
    stats::CaseFacts f;
    f.country = "MA";
    f.type = "CASE_TYPE_ABANDONMENT";
    f.opened = absl::CivilDay(2025, 11, 20);
    f.status = "CASE_STATUS_INTAKE";
    f.age_group = "AGE_GROUP_MINOR";
    f.sex = "SEX_FEMALE";
    f.nationality_status = "NATIONALITY_STATUS_DUAL";
    f.referral_source = "REFERRAL_SOURCE_FAMILY";
    f.risk_flags.push_back("RISK_FLAG_FORCED_MARRIAGE");
    delta.AddCase(f, +1);
  }
  stats::CountryCounts counts;
  for (const storage::RollupRow& row : delta.Rows()) {
    if (every_year) {
      counts.Add(row);
    } else if (row.year == 2025) {
      counts.Add(row);
    } else if (row.year < 2025 &&
               (row.measure == stats::kOpened || row.measure == stats::kResolved) &&
               (row.dimension == stats::kTotal || row.dimension == "DIMENSION_CASE_TYPE")) {
      counts.AddBefore(row);
    }
  }
  return counts;
}

// Publish of the year 2025 of one country, all dimensions, threshold 5; the argument is the number
// of cases opened a year.
void BM_PublishCountryYear(benchmark::State& state) {
  const stats::CountryCounts counts = RealisticCountry(static_cast<int>(state.range(0)), 7);
  consular::v1::Period period;
  period.set_year(2025);
  const stats::PublishOptions options;
  const consular::v1::CountryStatistics check = stats::Publish("MA", period, counts, {}, options);
  // The year's breakdown figures (totals and cells), and how many of them are suppressed.
  int figures = 0, suppressed = 0;
  for (const auto& b : check.breakdowns()) {
    figures += 1 + b.cells_size();
    suppressed += b.total().suppressed() ? 1 : 0;
    for (const auto& c : b.cells()) suppressed += c.figure().suppressed() ? 1 : 0;
  }
  if (check.cases_opened().value() != state.range(0)) {
    state.SkipWithError("the published year does not count the cases opened");
    return;
  }
  for (auto _ : state) {
    consular::v1::CountryStatistics statistics = stats::Publish("MA", period, counts, {}, options);
    benchmark::DoNotOptimize(statistics);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["year_figures"] = figures;
  state.counters["year_suppressed"] = suppressed;
}
BENCHMARK(BM_PublishCountryYear)->Arg(30)->Arg(300)->Arg(3000)->Unit(benchmark::kMicrosecond);

// The protection of every figure of one country over all its years, as a release makes it:
// arguments cases opened a year, and years (ending 2025).
void BM_ProtectReleaseCountry(benchmark::State& state) {
  const int per_year = static_cast<int>(state.range(0));
  const int years = static_cast<int>(state.range(1));
  const stats::CountryCounts counts = RealisticCountry(per_year, 7, 2026 - years, true);
  const auto [first, last] = counts.Years();
  stats::LinkedProtection protection;
  for (auto _ : state) {
    protection = stats::ProtectCounts(counts, first, last, 5);
    benchmark::DoNotOptimize(protection);
  }
  int64_t cells = 0, hidden = 0, people = 0, people_hidden = 0;
  for (const auto& [key, figure] : protection.country.figures) {
    if (figure.value <= 0) continue;
    ++cells;
    people += figure.value;
    if (figure.suppressed) {
      ++hidden;
      people_hidden += figure.value;
    }
  }
  state.counters["cells"] = static_cast<double>(cells);
  state.counters["cells_hidden"] = static_cast<double>(hidden);
  state.counters["people_hidden_share"] =
      people == 0 ? 0 : static_cast<double>(people_hidden) / static_cast<double>(people);
  state.counters["secondary"] = protection.secondary;
}
BENCHMARK(BM_ProtectReleaseCountry)
    ->Args({3, 10})
    ->Args({30, 10})
    ->Args({300, 10})
    ->Args({3000, 10})
    ->Unit(benchmark::kMillisecond);

// The next release of the same country, one case later, protected jointly with the one before.
void BM_ProtectReleaseCountryJoint(benchmark::State& state) {
  const int per_year = static_cast<int>(state.range(0));
  const int years = static_cast<int>(state.range(1));
  const stats::CountryCounts before = RealisticCountry(per_year, 7, 2026 - years, true);
  const stats::CountryCounts after = RealisticCountry(per_year, 7, 2026 - years, true, true);
  const auto [first, last] = after.Years();
  const stats::ReleasedCountry previous = stats::ProtectCounts(before, first, last, 5).country;
  stats::LinkedProtection protection;
  for (auto _ : state) {
    protection = stats::ProtectCounts(after, first, last, 5, {&previous});
    benchmark::DoNotOptimize(protection);
  }
  state.counters["secondary"] = protection.secondary;
  state.counters["fully_protected"] = protection.fully_protected ? 1 : 0;
}
BENCHMARK(BM_ProtectReleaseCountryJoint)
    ->Args({3, 10})
    ->Args({30, 10})
    ->Args({300, 10})
    ->Args({3000, 10})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace consular

BENCHMARK_MAIN();

// The register of units (UnitService, ContactsManager) against a real PostgreSQL database, connected
// as the services are (TestDatabase::app_dsn), so row-level security applies to every call. The
// test database's register holds LKHA, posts such as RABAT, TUNIS and CAIRO, and a closed KABUL.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/clock.h"
#include "services/contacts/contacts_manager.h"
#include "storage/connection_pool.h"
#include "storage/transaction_runner.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::contacts {
namespace {

using consular::v1::Unit;
using google::protobuf::util::TimeUtil;

const Identity kAdmin{"admin-1", consular::v1::ROLE_ADMINISTRATOR, ""};
const Identity kRabatManager{"manager-rabat", consular::v1::ROLE_POST_MANAGER, "RABAT"};
const Identity kRabatOfficer{"officer-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kLkha{"lkha-1", consular::v1::ROLE_LKHA_CASEWORKER, ""};
const Identity kPolicy{"policy-1", consular::v1::ROLE_POLICY_STAFF, ""};
const Identity kAuditor{"auditor-1", consular::v1::ROLE_AUDITOR, ""};

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 6, 15, 10, 0, 0), absl::UTCTimeZone());

std::vector<std::string> Codes(const consular::v1::ListUnitsResponse& r) {
  std::vector<std::string> codes;
  for (const Unit& u : r.units()) codes.push_back(u.code());
  return codes;
}

std::vector<std::string> Countries(const Unit& u) {
  return {u.accredited_countries().begin(), u.accredited_countries().end()};
}

class UnitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    ASSERT_NE(db_, nullptr);
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 4});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    manager_ = std::make_unique<ContactsManager>(runner_.get(), clock_, keys_.crypto());
  }

  absl::Time Deadline() { return absl::Now() + absl::Seconds(20); }
  std::string NextId() { return absl::StrCat("req-", counter_++); }

  // Rows of the register and the accreditations, to prove a refused call wrote nothing.
  std::string Footprint() {
    return db_->QueryScalar(
        "SELECT (SELECT count(*) FROM units.units) || '/' || (SELECT COALESCE(sum(version), 0) "
        "FROM units.units) || '/' || (SELECT count(*) FROM contacts.accreditations WHERE "
        "accredited) || '/' || (SELECT count(*) FROM contacts.idempotency)");
  }

  Unit MustGet(const std::string& code, const Identity& who = kAdmin) {
    consular::v1::GetUnitRequest request;
    request.set_code(code);
    Unit out;
    const absl::Status status = manager_->GetUnit(who, request, Deadline(), &out);
    EXPECT_TRUE(status.ok()) << status;
    return out;
  }

  consular::v1::ListUnitsResponse MustList(const std::string& accredited_to, bool inactive,
                                           const Identity& who = kAdmin) {
    consular::v1::ListUnitsRequest request;
    request.set_accredited_to(accredited_to);
    request.set_include_inactive(inactive);
    consular::v1::ListUnitsResponse out;
    const absl::Status status = manager_->ListUnits(who, request, Deadline(), &out);
    EXPECT_TRUE(status.ok()) << status;
    return out;
  }

  consular::v1::CreateUnitRequest CreateRequest(const std::string& code) {
    consular::v1::CreateUnitRequest request;
    request.set_request_id(NextId());
    Unit* u = request.mutable_unit();
    u->set_code(code);
    u->set_name(absl::StrCat("Consulate-General of the Netherlands in ", code));
    u->set_city("Istanbul");
    u->set_country("TR");
    u->add_accredited_countries("TR");
    return request;
  }

  absl::Status Accredit(const Identity& who, const Unit& u, const std::vector<std::string>& add,
                        Unit* out) {
    consular::v1::AccreditUnitRequest request;
    request.set_request_id(NextId());
    request.set_code(u.code());
    for (const std::string& c : add) request.add_countries(c);
    request.set_expected_version(u.version());
    return manager_->AccreditUnit(who, request, Deadline(), out);
  }

  absl::Status Unaccredit(const Identity& who, const Unit& u,
                          const std::vector<std::string>& remove, Unit* out) {
    consular::v1::UnaccreditUnitRequest request;
    request.set_request_id(NextId());
    request.set_code(u.code());
    for (const std::string& c : remove) request.add_countries(c);
    request.set_expected_version(u.version());
    return manager_->UnaccreditUnit(who, request, Deadline(), out);
  }

  absl::Status SetActive(const Identity& who, const Unit& u, bool active,
                         const std::string& reason, Unit* out) {
    consular::v1::SetUnitActiveRequest request;
    request.set_request_id(NextId());
    request.set_code(u.code());
    request.set_active(active);
    request.set_reason(reason);
    request.set_expected_version(u.version());
    return manager_->SetUnitActive(who, request, Deadline(), out);
  }

  absl::Status Update(const Identity& who, const Unit& u, const std::string& name,
                      const std::string& city, Unit* out) {
    consular::v1::UpdateUnitRequest request;
    request.set_request_id(NextId());
    request.set_code(u.code());
    request.set_name(name);
    request.set_city(city);
    request.set_expected_version(u.version());
    return manager_->UpdateUnit(who, request, Deadline(), out);
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto keys_;
  ManualClock clock_{kNow};
  std::unique_ptr<ContactsManager> manager_;
  int counter_ = 0;
};

TEST_F(UnitsTest, EveryRoleReadsTheRegister) {
  // The open units, by code, as the database holds them.
  const std::vector<std::string> open = absl::StrSplit(
      db_->QueryScalar("SELECT string_agg(code, ',' ORDER BY code) FROM units.units WHERE active"),
      ',');
  ASSERT_GE(open.size(), 6u);
  for (const Identity& who : {kAdmin, kRabatManager, kRabatOfficer, kLkha, kPolicy, kAuditor}) {
    SCOPED_TRACE(who.subject);
    const std::vector<std::string> listed = Codes(MustList("", false, who));
    EXPECT_EQ(listed, open);
    EXPECT_NE(std::find(listed.begin(), listed.end(), "LKHA"), listed.end());
    EXPECT_EQ(std::find(listed.begin(), listed.end(), "KABUL"), listed.end());
    const Unit lkha = MustGet("LKHA", who);
    EXPECT_EQ(lkha.kind(), consular::v1::UNIT_KIND_LKHA);
    EXPECT_TRUE(lkha.active());
    EXPECT_EQ(lkha.country(), "NL");
  }
  // Closed posts on request.
  const consular::v1::ListUnitsResponse all = MustList("", true);
  ASSERT_EQ(all.units_size(), static_cast<int>(open.size()) + 1);  // and KABUL
  const Unit kabul = MustGet("KABUL");
  EXPECT_FALSE(kabul.active());
  EXPECT_EQ(kabul.inactive_reason(), "Closed");
  consular::v1::GetUnitRequest get;
  get.set_code("RABATT");
  Unit out;
  EXPECT_EQ(manager_->GetUnit(kRabatOfficer, get, Deadline(), &out).code(),
            absl::StatusCode::kNotFound);
  get.set_code("rabat");
  EXPECT_EQ(manager_->GetUnit(kRabatOfficer, get, Deadline(), &out).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(UnitsTest, AnAdministratorAddsAPostWithItsCountries) {
  consular::v1::CreateUnitRequest request = CreateRequest("ISTANBUL");
  request.mutable_unit()->add_accredited_countries("GE");
  Unit created;
  ASSERT_TRUE(manager_->CreateUnit(kAdmin, request, Deadline(), &created).ok());
  EXPECT_EQ(created.code(), "ISTANBUL");
  EXPECT_EQ(created.kind(), consular::v1::UNIT_KIND_POST);
  EXPECT_TRUE(created.active());
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.created_by(), "admin-1");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(created.created_at()), absl::ToUnixMicros(kNow));
  EXPECT_EQ(Countries(created), (std::vector<std::string>{"GE", "TR"}));
  EXPECT_EQ(MustGet("ISTANBUL", kRabatOfficer).SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(Codes(MustList("GE", false)), (std::vector<std::string>{"ISTANBUL"}));
  // A replay returns the same unit and writes nothing; the same code again is ALREADY_EXISTS.
  const std::string before = Footprint();
  Unit again;
  ASSERT_TRUE(manager_->CreateUnit(kAdmin, request, Deadline(), &again).ok());
  EXPECT_EQ(again.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(Footprint(), before);
  request.set_request_id(NextId());
  EXPECT_EQ(manager_->CreateUnit(kAdmin, request, Deadline(), &again).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Footprint(), before);
}

TEST_F(UnitsTest, BadUnitsAreRefusedByFieldAndWriteNothing) {
  struct Bad {
    std::string field;
    std::function<void(consular::v1::CreateUnitRequest*)> spoil;
  };
  const std::vector<Bad> bad = {
      {"unit.code", [](auto* r) { r->mutable_unit()->set_code("istanbul"); }},
      {"unit.code", [](auto* r) { r->mutable_unit()->set_code("LKHA"); }},
      {"unit.code", [](auto* r) { r->mutable_unit()->clear_code(); }},
      {"unit.kind", [](auto* r) { r->mutable_unit()->set_kind(consular::v1::UNIT_KIND_LKHA); }},
      {"unit.name", [](auto* r) { r->mutable_unit()->clear_name(); }},
      {"unit.name", [](auto* r) { r->mutable_unit()->set_name(std::string(201, 'x')); }},
      {"unit.city", [](auto* r) { r->mutable_unit()->set_city(std::string(101, 'x')); }},
      {"unit.country", [](auto* r) { r->mutable_unit()->set_country("XX"); }},
      {"unit.country", [](auto* r) { r->mutable_unit()->set_country("NL"); }},
      {"unit.accredited_countries[1]",
       [](auto* r) { r->mutable_unit()->add_accredited_countries("TR"); }},
      {"unit.accredited_countries[1]",
       [](auto* r) { r->mutable_unit()->add_accredited_countries("tr"); }},
      {"unit", [](auto* r) { r->clear_unit(); }},
      {"request_id", [](auto* r) { r->clear_request_id(); }},
  };
  const std::string before = Footprint();
  for (const Bad& b : bad) {
    consular::v1::CreateUnitRequest request = CreateRequest("ISTANBUL");
    b.spoil(&request);
    Unit out;
    const absl::Status status = manager_->CreateUnit(kAdmin, request, Deadline(), &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << b.field << ": " << status;
    EXPECT_EQ(std::string(status.message()).rfind(b.field + ": ", 0), 0u) << status.message();
  }
  EXPECT_EQ(Footprint(), before);
}

TEST_F(UnitsTest, AccreditingAddsAndUnaccreditingTakesOff) {
  Unit rabat = MustGet("RABAT");
  EXPECT_TRUE(rabat.accredited_countries().empty());
  Unit out;
  ASSERT_TRUE(Accredit(kAdmin, rabat, {"MA", "MR"}, &out).ok());
  EXPECT_EQ(Countries(out), (std::vector<std::string>{"MA", "MR"}));
  EXPECT_EQ(out.version(), rabat.version() + 1);
  rabat = out;
  // Adds, never replaces.
  ASSERT_TRUE(Accredit(kAdmin, rabat, {"DZ"}, &out).ok());
  EXPECT_EQ(Countries(out), (std::vector<std::string>{"DZ", "MA", "MR"}));
  rabat = out;
  // Nothing new: nothing changes, not even the version.
  ASSERT_TRUE(Accredit(kAdmin, rabat, {"MA"}, &out).ok());
  EXPECT_EQ(out.version(), rabat.version());
  // A stale version is ABORTED and changes nothing.
  Unit stale = rabat;
  stale.set_version(rabat.version() - 1);
  const std::string before = Footprint();
  EXPECT_EQ(Accredit(kAdmin, stale, {"TN"}, &out).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Unaccredit(kAdmin, rabat, {"TN"}, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Accredit(kAdmin, rabat, {"MA", "MA"}, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Accredit(kAdmin, rabat, {}, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Accredit(kAdmin, MustGet("LKHA"), {"MA"}, &out).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Footprint(), before);
  // Takes off only what it names.
  ASSERT_TRUE(Unaccredit(kAdmin, rabat, {"DZ"}, &out).ok());
  EXPECT_EQ(Countries(out), (std::vector<std::string>{"MA", "MR"}));
  EXPECT_EQ(Codes(MustList("DZ", false)), std::vector<std::string>{});
  EXPECT_EQ(Codes(MustList("MA", false)), (std::vector<std::string>{"RABAT"}));
}

TEST_F(UnitsTest, APostIsClosedWithAReasonAndReopened) {
  const Unit cairo = MustGet("CAIRO");
  Unit out;
  // Not while it handles a case that is not closed: nobody could work it any more. (A row as the
  // constraints want it; its content is never read here.)
  db_->QueryScalar(
      "INSERT INTO cases.cases (id, reference, case_type, status, handling_post, country, "
      "referral_source, subject_sex, subject_nationality_status, personal, subject_name_bidx, "
      "opened_at, updated_at, version) VALUES (gen_random_uuid(), 'ABN-2026-09999', "
      "'CASE_TYPE_ABANDONMENT', 'CASE_STATUS_ACTIVE', 'CAIRO', 'EG', 'REFERRAL_SOURCE_SELF', "
      "'SEX_FEMALE', 'NATIONALITY_STATUS_DUTCH_ONLY', '\\x01' || decode(repeat('00', 42), 'hex'), "
      "decode(repeat('00', 32), 'hex'), now(), now(), 1) "
      "RETURNING 1");
  const std::string before = Footprint();
  const absl::Status busy = SetActive(kAdmin, cairo, false, "Closing", &out);
  EXPECT_EQ(busy.code(), absl::StatusCode::kFailedPrecondition) << busy;
  EXPECT_EQ(std::string(busy.message()),
            "CAIRO still handles 1 case(s) that are not closed: refer them to another post first");
  EXPECT_EQ(Footprint(), before);
  db_->QueryScalar(
      "UPDATE cases.cases SET status = 'CASE_STATUS_CLOSED', closed_at = now() RETURNING 1");
  EXPECT_EQ(SetActive(kAdmin, cairo, false, "", &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetActive(kAdmin, cairo, true, "open", &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetActive(kAdmin, cairo, true, "", &out).code(),
            absl::StatusCode::kFailedPrecondition);  // open already
  EXPECT_EQ(SetActive(kAdmin, MustGet("LKHA"), false, "no", &out).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(SetActive(kAdmin, cairo, false, "Merged into the regional hub", &out).ok());
  EXPECT_FALSE(out.active());
  EXPECT_EQ(out.inactive_reason(), "Merged into the regional hub");
  EXPECT_EQ(out.updated_by(), "admin-1");
  // Closed: not listed (unless asked), not an active unit for referrals and shares.
  const std::vector<std::string> listed = Codes(MustList("", false));
  EXPECT_EQ(std::find(listed.begin(), listed.end(), "CAIRO"), listed.end());
  EXPECT_NE(std::find(listed.begin(), listed.end(), "RABAT"), listed.end());
  EXPECT_EQ(db_->QueryScalar("SELECT units.is_active('CAIRO')"), "f");
  Unit again;
  EXPECT_EQ(Accredit(kAdmin, out, {"EG"}, &again).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(SetActive(kAdmin, out, true, "", &again).ok());
  EXPECT_TRUE(again.active());
  EXPECT_EQ(again.inactive_reason(), "");
  EXPECT_EQ(db_->QueryScalar("SELECT units.is_active('CAIRO')"), "t");
}

TEST_F(UnitsTest, APostIsRenamedOrMovesCityKeepingItsCodeAndCountries) {
  Unit rabat = MustGet("RABAT");
  Unit out;
  ASSERT_TRUE(Accredit(kAdmin, rabat, {"MA"}, &rabat).ok());
  const std::string before = Footprint();
  // Bad input names the field and writes nothing; so does a stale version.
  EXPECT_EQ(Update(kAdmin, rabat, "", "", &out).code(), absl::StatusCode::kInvalidArgument);
  const absl::Status too_long = Update(kAdmin, rabat, std::string(201, 'x'), "", &out);
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(too_long.message(), "name:")) << too_long;
  const absl::Status long_city = Update(kAdmin, rabat, "", std::string(101, 'x'), &out);
  EXPECT_TRUE(absl::StartsWith(long_city.message(), "city:")) << long_city;
  Unit stale = rabat;
  stale.set_version(rabat.version() - 1);
  EXPECT_EQ(Update(kAdmin, stale, "Embassy", "", &out).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Update(kAdmin, MustGet("LKHA"), "Centre", "", &out).code(),
            absl::StatusCode::kFailedPrecondition);
  consular::v1::UpdateUnitRequest unknown;
  unknown.set_request_id(NextId());
  unknown.set_code("ATLANTIS");
  unknown.set_name("x");
  unknown.set_expected_version(1);
  EXPECT_EQ(manager_->UpdateUnit(kAdmin, unknown, Deadline(), &out).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Footprint(), before);

  ASSERT_TRUE(Update(kAdmin, rabat, "Embassy of the Kingdom of the Netherlands in Rabat", "", &out)
                  .ok());
  EXPECT_EQ(out.name(), "Embassy of the Kingdom of the Netherlands in Rabat");
  EXPECT_EQ(out.city(), rabat.city());
  EXPECT_EQ(out.code(), "RABAT");
  EXPECT_EQ(Countries(out), std::vector<std::string>{"MA"});
  EXPECT_EQ(out.version(), rabat.version() + 1);
  EXPECT_EQ(out.updated_by(), "admin-1");
  rabat = out;
  ASSERT_TRUE(Update(kAdmin, rabat, "", "Salé", &out).ok());
  EXPECT_EQ(out.city(), "Salé");
  EXPECT_EQ(out.name(), rabat.name());
  EXPECT_EQ(MustGet("RABAT").city(), "Salé");
  // The same name again changes nothing, not even the version.
  rabat = out;
  ASSERT_TRUE(Update(kAdmin, rabat, rabat.name(), "", &out).ok());
  EXPECT_EQ(out.version(), rabat.version());
}

// Only administrators write the register; the database refuses the others too.
TEST_F(UnitsTest, OnlyAdministratorsWriteTheRegister) {
  for (const Identity& who : {kRabatManager, kRabatOfficer, kLkha, kPolicy, kAuditor}) {
    SCOPED_TRACE(who.subject);
    const std::string before = Footprint();
    Unit out;
    EXPECT_EQ(manager_->CreateUnit(who, CreateRequest("ISTANBUL"), Deadline(), &out).code(),
              absl::StatusCode::kPermissionDenied);
    const Unit rabat = MustGet("RABAT");
    EXPECT_EQ(Accredit(who, rabat, {"MA"}, &out).code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(Unaccredit(who, rabat, {"MA"}, &out).code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(SetActive(who, rabat, false, "x", &out).code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(Update(who, rabat, "x", "", &out).code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(Footprint(), before);
  }
  // The second wall: as the service, in a post manager's scope, the row cannot be written.
  pqxx::connection connection(db_->app_dsn());
  pqxx::work tx(connection);
  tx.exec("SELECT set_config('consular.subject', 'manager-rabat', true), "
          "set_config('consular.role', 'ROLE_POST_MANAGER', true), "
          "set_config('consular.post', 'RABAT', true)");
  EXPECT_EQ(tx.exec("UPDATE units.units SET name = 'x', updated_by = 'manager-rabat'")
                .affected_rows(),
            0u);
  EXPECT_THROW(tx.exec("INSERT INTO units.units (code, kind, name, country, created_by, "
                       "created_at) VALUES ('X1', 'UNIT_KIND_POST', 'x', 'MA', 'manager-rabat', "
                       "now())"),
               pqxx::sql_error);
}

}  // namespace
}  // namespace consular::contacts

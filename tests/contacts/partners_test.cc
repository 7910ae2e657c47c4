// ContactsManager against a real PostgreSQL database (one fresh database per test), connected as
// the services are (TestDatabase::app_dsn), so row-level security applies to every call.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "crypto/key_ring.h"
#include "services/common/ids.h"
#include "services/contacts/contacts_manager.h"
#include "storage/case_store.h"
#include "storage/connection_pool.h"
#include "storage/contact_store.h"
#include "storage/key_rotation.h"
#include "storage/partner_store.h"
#include "storage/row_security.h"
#include "storage/stats_store.h"
#include "storage/transaction_runner.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::contacts {
namespace {

using consular::v1::Accreditation;
using consular::v1::Partner;
using google::protobuf::util::TimeUtil;

const Identity kAdmin{"admin-1", consular::v1::ROLE_ADMINISTRATOR, ""};
const Identity kAdmin2{"admin-2", consular::v1::ROLE_ADMINISTRATOR, ""};
const Identity kRabatManager{"manager-rabat", consular::v1::ROLE_POST_MANAGER, "RABAT"};
const Identity kTunisManager{"manager-tunis", consular::v1::ROLE_POST_MANAGER, "TUNIS"};
const Identity kRabatOfficer{"officer-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
const Identity kLkha{"lkha-1", consular::v1::ROLE_LKHA_CASEWORKER, ""};
const Identity kPolicy{"policy-1", consular::v1::ROLE_POLICY_STAFF, ""};
const Identity kAuditor{"auditor-1", consular::v1::ROLE_AUDITOR, ""};

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 6, 15, 10, 0, 0), absl::UTCTimeZone());

constexpr char kPhone[] = "+212 600 123 456";
constexpr char kEmail[] = "office@avocats-nador.example";

Partner NewPartner(const std::string& name, const std::string& country = "MA",
                   const std::string& city = "Nador",
                   consular::v1::PartnerKind kind = consular::v1::PARTNER_KIND_LAWYER) {
  Partner p;
  p.set_kind(kind);
  p.set_name(name);
  p.set_country(country);
  p.set_city(city);
  p.add_specialisms(consular::v1::SPECIALISM_FAMILY_LAW);
  p.add_languages("ar");
  p.add_languages("fr");
  p.mutable_contact_details()->set_phone(kPhone);
  p.mutable_contact_details()->set_email(kEmail);
  p.mutable_contact_details()->set_address("12 Rue Example, Nador");
  return p;
}

std::string StatusText(const absl::Status& status) { return std::string(status.message()); }

class PartnersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    ASSERT_NE(db_, nullptr);
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 8});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    manager_ = std::make_unique<ContactsManager>(runner_.get(), clock_, keys_.crypto());
    MustAccredit("RABAT", {"MA", "DZ"});
    MustAccredit("TUNIS", {"TN"});
  }

  absl::Time Deadline() { return absl::Now() + absl::Seconds(20); }
  std::string NextId() { return absl::StrCat("req-", counter_++); }

  Accreditation MustAccredit(const std::string& post, const std::vector<std::string>& countries) {
    consular::v1::SetAccreditationRequest request;
    request.set_request_id(NextId());
    request.set_post(post);
    for (const std::string& c : countries) request.add_countries(c);
    Accreditation out;
    const absl::Status status = manager_->SetAccreditation(kAdmin, request, Deadline(), &out);
    EXPECT_TRUE(status.ok()) << status;
    return out;
  }

  absl::Status Create(const Identity& who, const Partner& p, Partner* out,
                      const std::string& request_id = "") {
    consular::v1::CreatePartnerRequest request;
    request.set_request_id(request_id.empty() ? NextId() : request_id);
    *request.mutable_partner() = p;
    return manager_->CreatePartner(who, request, Deadline(), out);
  }

  Partner MustCreate(const Identity& who, const Partner& p) {
    Partner out;
    const absl::Status status = Create(who, p, &out);
    EXPECT_TRUE(status.ok()) << status;
    return out;
  }

  absl::Status Rename(const Identity& who, const Partner& p, const std::string& name,
                      Partner* out) {
    consular::v1::UpdatePartnerRequest request;
    request.set_request_id(NextId());
    request.mutable_partner()->set_id(p.id());
    request.mutable_partner()->set_name(name);
    request.mutable_update_mask()->add_paths("name");
    request.set_expected_version(p.version());
    return manager_->UpdatePartner(who, request, Deadline(), out);
  }

  absl::Status Vet(const Identity& who, const Partner& p, consular::v1::VettingStatus status,
                   const std::string& note, Partner* out) {
    consular::v1::SetVettingRequest request;
    request.set_request_id(NextId());
    request.set_partner_id(p.id());
    request.set_status(status);
    request.set_note(note);
    request.set_expected_version(p.version());
    return manager_->SetVetting(who, request, Deadline(), out);
  }

  absl::Status Deactivate(const Identity& who, const Partner& p, const std::string& reason,
                          Partner* out) {
    consular::v1::DeactivatePartnerRequest request;
    request.set_request_id(NextId());
    request.set_partner_id(p.id());
    request.set_reason(reason);
    request.set_expected_version(p.version());
    return manager_->DeactivatePartner(who, request, Deadline(), out);
  }

  Partner MustGet(const Identity& who, const std::string& id) {
    consular::v1::GetPartnerRequest request;
    request.set_partner_id(id);
    Partner out;
    const absl::Status status = manager_->GetPartner(who, request, Deadline(), &out);
    EXPECT_TRUE(status.ok()) << status;
    return out;
  }

  // Every partner of the listing, page by page; the names in order.
  std::vector<std::string> ListAll(const Identity& who, consular::v1::ListPartnersRequest request,
                                   int page_size, int* pages = nullptr) {
    std::vector<std::string> names;
    request.set_page_size(page_size);
    int n = 0;
    while (true) {
      consular::v1::ListPartnersResponse page;
      const absl::Status status = manager_->ListPartners(who, request, Deadline(), &page);
      EXPECT_TRUE(status.ok()) << status;
      if (!status.ok()) break;
      ++n;
      for (const Partner& p : page.partners()) names.push_back(p.name());
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
      if (n > 100) {
        ADD_FAILURE() << "paging does not end";
        break;
      }
    }
    if (pages != nullptr) *pages = n;
    return names;
  }

  std::string Count(const std::string& table) {
    return db_->QueryScalar("SELECT count(*) FROM " + table);
  }

  // Counts of every table a partner mutation writes, to prove a refused call wrote nothing.
  std::string Footprint() {
    return Count("contacts.partners") + "/" + Count("contacts.accreditations") + "/" +
           Count("contacts.idempotency") + "/" +
           db_->QueryScalar("SELECT COALESCE(sum(version), 0) FROM contacts.partners") + "/" +
           db_->QueryScalar(
               "SELECT count(*) FILTER (WHERE accredited) FROM contacts.accreditations");
  }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto keys_;
  std::unique_ptr<ContactsManager> manager_;
  ManualClock clock_{kNow};
  int counter_ = 0;
};

TEST_F(PartnersTest, CreateThenEveryRoleReadsIt) {
  const Partner created = MustCreate(kAdmin, NewPartner("Cabinet Example"));
  EXPECT_TRUE(LooksLikeUuid(created.id()));
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.vetting_status(), consular::v1::VETTING_STATUS_UNVETTED);
  EXPECT_TRUE(created.active());
  EXPECT_EQ(created.created_by(), "admin-1");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(created.created_at()), absl::ToUnixMicros(kNow));
  EXPECT_EQ(created.contact_details().phone(), kPhone);

  for (const Identity& who :
       {kAdmin, kRabatManager, kTunisManager, kRabatOfficer, kLkha, kPolicy, kAuditor}) {
    EXPECT_EQ(MustGet(who, created.id()).SerializeAsString(), created.SerializeAsString())
        << who.subject;
  }
  consular::v1::GetPartnerRequest missing;
  missing.set_partner_id("00000000-0000-4000-8000-000000000001");
  Partner out;
  EXPECT_EQ(manager_->GetPartner(kRabatOfficer, missing, Deadline(), &out).code(),
            absl::StatusCode::kNotFound);
  missing.set_partner_id("not-a-uuid");
  const absl::Status bad = manager_->GetPartner(kRabatOfficer, missing, Deadline(), &out);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(StatusText(bad), "partner_id:")) << bad;

  // Every call is audited under its PartnerService action, without a case.
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM audit.events WHERE action = "
                             "'PartnerService.GetPartner' AND case_id IS NULL"),
            "9");
  EXPECT_EQ(db_->QueryScalar("SELECT string_agg(actor || ':' || outcome, ',') FROM audit.events "
                             "WHERE action = 'PartnerService.CreatePartner'"),
            "admin-1:OK");
}

TEST_F(PartnersTest, ContactDetailsAndNotesAreStoredEncrypted) {
  const Partner created = MustCreate(kAdmin, NewPartner("Cabinet Example"));
  Partner vetted;
  ASSERT_TRUE(
      Vet(kAdmin, created, consular::v1::VETTING_STATUS_VETTED, "Checked bar number 4711", &vetted)
          .ok());
  Partner gone;
  ASSERT_TRUE(Deactivate(kAdmin, vetted, "Office closed in May", &gone).ok());

  const std::string where = absl::StrCat(" FROM contacts.partners WHERE id = '", created.id(), "'");
  EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT cases.is_field_ciphertext(contact_details) AND "
                                          "cases.is_field_ciphertext(vetting_note) AND "
                                          "cases.is_field_ciphertext(deactivation_reason)",
                                          where)),
            "t");
  // No plaintext in the row, in any column, nor in the stored responses. (Each secret has a
  // character outside 0-9a-f: the row's text form spells the ciphertexts in hex, where a digits-
  // only secret such as "4711" turns up by chance about once in a hundred runs.)
  for (const std::string& secret : {std::string(kPhone), std::string(kEmail),
                                    std::string("number 4711"), std::string("in May")}) {
    EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT count(*) FROM contacts.partners p WHERE "
                                            "position(convert_to('",
                                            secret,
                                            "', 'UTF8') in p.contact_details) > 0 OR "
                                            "position(convert_to('",
                                            secret,
                                            "', 'UTF8') in COALESCE(p.vetting_note, '')) > 0 OR "
                                            "position(convert_to('",
                                            secret,
                                            "', 'UTF8') in COALESCE(p.deactivation_reason, '')) > "
                                            "0 OR p::text LIKE '%",
                                            secret, "%'")),
              "0")
        << secret;
    EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT count(*) FROM contacts.idempotency WHERE "
                                            "position(convert_to('",
                                            secret, "', 'UTF8') in COALESCE(response, '')) > 0")),
              "0")
        << secret;
  }
  // The ciphertext is bound to its row: copied onto another partner it does not decrypt.
  const Partner other = MustCreate(kAdmin, NewPartner("Other Office"));
  db_->QueryScalar(
      absl::StrCat("UPDATE contacts.partners SET contact_details = (SELECT "
                   "contact_details",
                   where, ") WHERE id = '", other.id(), "'"));
  consular::v1::GetPartnerRequest get;
  get.set_partner_id(other.id());
  Partner read;
  EXPECT_EQ(manager_->GetPartner(kAdmin, get, Deadline(), &read).code(),
            absl::StatusCode::kInternal);
}

TEST_F(PartnersTest, ListFiltersAndPages) {
  Partner a = NewPartner("Alpha Avocats", "MA", "Nador");
  Partner b = NewPartner("Beta Legal", "MA", "Rabat");
  b.clear_specialisms();
  b.add_specialisms(consular::v1::SPECIALISM_CRIMINAL_LAW);
  b.clear_languages();
  b.add_languages("en");
  Partner c = NewPartner("Gamma Shelter", "MA", "Nador", consular::v1::PARTNER_KIND_SHELTER);
  c.clear_specialisms();
  c.add_specialisms(consular::v1::SPECIALISM_DOMESTIC_VIOLENCE);
  Partner d = NewPartner("Delta Aid", "DZ", "Oran", consular::v1::PARTNER_KIND_AID_ORGANISATION);
  Partner e = NewPartner("Epsilon Avocats", "TN", "Tunis");
  Partner f = NewPartner("Aardvark Avocats", "MA", "Nador");
  const Partner pa = MustCreate(kAdmin, a);
  const Partner pb = MustCreate(kRabatManager, b);
  Partner pc = MustCreate(kAdmin, c);
  MustCreate(kAdmin, d);
  MustCreate(kTunisManager, e);
  const Partner pf = MustCreate(kAdmin, f);
  Partner vetted;
  ASSERT_TRUE(Vet(kAdmin, pa, consular::v1::VETTING_STATUS_VETTED, "ok", &vetted).ok());
  Partner gone;
  ASSERT_TRUE(Deactivate(kAdmin, pf, "closed", &gone).ok());

  using Names = std::vector<std::string>;
  consular::v1::ListPartnersRequest all;
  // By country, city (as stored), name, id; the deactivated one hidden.
  EXPECT_EQ(ListAll(kPolicy, all, 0), (Names{"Delta Aid", "Alpha Avocats", "Gamma Shelter",
                                             "Beta Legal", "Epsilon Avocats"}));
  consular::v1::ListPartnersRequest inactive = all;
  inactive.set_include_inactive(true);
  EXPECT_EQ(ListAll(kAuditor, inactive, 0),
            (Names{"Delta Aid", "Aardvark Avocats", "Alpha Avocats", "Gamma Shelter", "Beta Legal",
                   "Epsilon Avocats"}));
  // Paging gives the same, page by page, for every page size.
  for (int size : {1, 2, 3, 5, 6, 500}) {
    int pages = 0;
    EXPECT_EQ(ListAll(kRabatOfficer, inactive, size, &pages), ListAll(kAuditor, inactive, 0))
        << size;
    EXPECT_EQ(pages, std::max(1, (6 + size - 1) / size)) << size;
  }

  consular::v1::ListPartnersRequest r;
  r.set_country("MA");
  EXPECT_EQ(ListAll(kLkha, r, 0), (Names{"Alpha Avocats", "Gamma Shelter", "Beta Legal"}));
  r.set_city("NADOR");  // exact, case-insensitive
  EXPECT_EQ(ListAll(kLkha, r, 0), (Names{"Alpha Avocats", "Gamma Shelter"}));
  r.set_kind(consular::v1::PARTNER_KIND_SHELTER);
  EXPECT_EQ(ListAll(kLkha, r, 0), (Names{"Gamma Shelter"}));
  r.Clear();
  r.set_city("Nad");  // not a prefix search
  EXPECT_EQ(ListAll(kLkha, r, 0), Names{});
  r.Clear();
  r.set_kind(consular::v1::PARTNER_KIND_LAWYER);
  EXPECT_EQ(ListAll(kLkha, r, 0), (Names{"Alpha Avocats", "Beta Legal", "Epsilon Avocats"}));
  r.Clear();
  r.set_specialism(consular::v1::SPECIALISM_CRIMINAL_LAW);
  EXPECT_EQ(ListAll(kLkha, r, 0), (Names{"Beta Legal"}));
  r.Clear();
  r.set_language("en");
  EXPECT_EQ(ListAll(kLkha, r, 0), (Names{"Beta Legal"}));
  r.Clear();
  r.set_language("fr");
  EXPECT_EQ(ListAll(kLkha, r, 0),
            (Names{"Delta Aid", "Alpha Avocats", "Gamma Shelter", "Epsilon Avocats"}));
  r.Clear();
  r.set_vetting_status(consular::v1::VETTING_STATUS_VETTED);
  EXPECT_EQ(ListAll(kLkha, r, 0), (Names{"Alpha Avocats"}));
  r.set_vetting_status(consular::v1::VETTING_STATUS_UNVETTED);
  r.set_include_inactive(true);
  EXPECT_EQ(ListAll(kLkha, r, 0), (Names{"Delta Aid", "Aardvark Avocats", "Gamma Shelter",
                                         "Beta Legal", "Epsilon Avocats"}));

  // A token belongs to its filters; bad filters name the field.
  consular::v1::ListPartnersRequest first = all;
  first.set_page_size(1);
  consular::v1::ListPartnersResponse page;
  ASSERT_TRUE(manager_->ListPartners(kPolicy, first, Deadline(), &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  consular::v1::ListPartnersRequest other = first;
  other.set_country("MA");
  other.set_page_token(page.next_page_token());
  absl::Status status = manager_->ListPartners(kPolicy, other, Deadline(), &page);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "page_token:")) << status;
  for (const auto& [field, mutate] :
       std::vector<std::pair<std::string, std::function<void(consular::v1::ListPartnersRequest*)>>>{
           {"country", [](auto* q) { q->set_country("XX"); }},
           {"language", [](auto* q) { q->set_language("ARA"); }},
           {"kind", [](auto* q) { q->set_kind(static_cast<consular::v1::PartnerKind>(99)); }},
           {"specialism",
            [](auto* q) { q->set_specialism(static_cast<consular::v1::Specialism>(99)); }},
           {"vetting_status",
            [](auto* q) { q->set_vetting_status(static_cast<consular::v1::VettingStatus>(99)); }},
           {"page_size", [](auto* q) { q->set_page_size(-1); }},
           {"page_token", [](auto* q) { q->set_page_token("garbage"); }}}) {
    consular::v1::ListPartnersRequest bad;
    mutate(&bad);
    status = manager_->ListPartners(kPolicy, bad, Deadline(), &page);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_TRUE(absl::StartsWith(StatusText(status), field + ":")) << status;
  }
  (void)pb;
  (void)pc;
}

TEST_F(PartnersTest, UpdateWithMaskAndVersion) {
  const Partner created = MustCreate(kAdmin, NewPartner("Cabinet Example"));
  clock_.Set(kNow + absl::Minutes(5));
  Partner renamed;
  ASSERT_TRUE(Rename(kRabatManager, created, "Cabinet Example & Associés", &renamed).ok());
  EXPECT_EQ(renamed.name(), "Cabinet Example & Associés");
  EXPECT_EQ(renamed.version(), 2);
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(renamed.updated_at()),
            absl::ToUnixMicros(clock_.Now()));
  EXPECT_EQ(renamed.city(), created.city());
  EXPECT_EQ(MustGet(kPolicy, created.id()).SerializeAsString(), renamed.SerializeAsString());

  // Stale: ABORTED, nothing written.
  const std::string before = Footprint();
  Partner out;
  absl::Status status = Rename(kAdmin, created, "Stale", &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(Footprint(), before);

  // One sub-field of the contact details; the rest stay.
  consular::v1::UpdatePartnerRequest request;
  request.set_request_id(NextId());
  request.mutable_partner()->set_id(created.id());
  request.mutable_partner()->mutable_contact_details()->set_phone("+212 611 000 000");
  request.mutable_partner()->set_name("ignored: not in the mask");
  request.mutable_update_mask()->add_paths("contact_details.phone");
  request.set_expected_version(2);
  ASSERT_TRUE(manager_->UpdatePartner(kAdmin, request, Deadline(), &out).ok());
  EXPECT_EQ(out.contact_details().phone(), "+212 611 000 000");
  EXPECT_EQ(out.contact_details().email(), kEmail);
  EXPECT_EQ(out.name(), renamed.name());
  EXPECT_EQ(out.version(), 3);

  // Lists replace.
  request.set_request_id(NextId());
  request.mutable_partner()->add_languages("en");
  request.mutable_partner()->add_specialisms(consular::v1::SPECIALISM_MEDIATION);
  request.clear_update_mask();
  request.mutable_update_mask()->add_paths("languages");
  request.mutable_update_mask()->add_paths("specialisms");
  request.set_expected_version(3);
  ASSERT_TRUE(manager_->UpdatePartner(kAdmin, request, Deadline(), &out).ok());
  EXPECT_EQ(out.languages_size(), 1);
  EXPECT_EQ(out.languages(0), "en");
  ASSERT_EQ(out.specialisms_size(), 1);
  EXPECT_EQ(out.specialisms(0), consular::v1::SPECIALISM_MEDIATION);
  EXPECT_EQ(out.version(), 4);

  // Nothing changes: no new version.
  request.set_request_id(NextId());
  request.set_expected_version(4);
  ASSERT_TRUE(manager_->UpdatePartner(kAdmin, request, Deadline(), &out).ok());
  EXPECT_EQ(out.version(), 4);

  // Bad masks and values name the field and write nothing.
  const std::string before_bad = Footprint();
  for (const auto& [path, field] :
       std::vector<std::pair<std::string, std::string>>{{"nickname", "update_mask:"},
                                                        {"country", "update_mask:"},
                                                        {"kind", "update_mask:"},
                                                        {"vetting_status", "update_mask:"},
                                                        {"contact_details.fax", "update_mask:"},
                                                        {"", "update_mask:"}}) {
    consular::v1::UpdatePartnerRequest bad;
    bad.set_request_id(NextId());
    bad.mutable_partner()->set_id(created.id());
    bad.mutable_partner()->set_country("DZ");
    if (!path.empty()) bad.mutable_update_mask()->add_paths(path);
    bad.set_expected_version(4);
    status = manager_->UpdatePartner(kAdmin, bad, Deadline(), &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << path;
    EXPECT_TRUE(absl::StartsWith(StatusText(status), field)) << path << ": " << status;
  }
  consular::v1::UpdatePartnerRequest blank;
  blank.set_request_id(NextId());
  blank.mutable_partner()->set_id(created.id());
  blank.mutable_update_mask()->add_paths("name");
  blank.set_expected_version(4);
  status = manager_->UpdatePartner(kAdmin, blank, Deadline(), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "partner.name:")) << status;
  blank.set_request_id(NextId());
  blank.clear_update_mask();
  blank.mutable_update_mask()->add_paths("languages");
  blank.mutable_partner()->add_languages("xx");
  blank.mutable_partner()->add_languages("xx");
  status = manager_->UpdatePartner(kAdmin, blank, Deadline(), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "partner.languages[1]:")) << status;
  blank.set_request_id(NextId());
  blank.set_expected_version(0);
  status = manager_->UpdatePartner(kAdmin, blank, Deadline(), &out);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "expected_version:")) << status;
  EXPECT_EQ(Footprint(), before_bad);

  // An unknown partner.
  consular::v1::UpdatePartnerRequest unknown = blank;
  unknown.set_request_id(NextId());
  unknown.mutable_partner()->set_id("00000000-0000-4000-8000-000000000001");
  unknown.mutable_partner()->clear_languages();
  unknown.set_expected_version(1);
  EXPECT_EQ(manager_->UpdatePartner(kAdmin, unknown, Deadline(), &out).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PartnersTest, VettingAndDeactivationKeepTheirHistory) {
  const Partner created = MustCreate(kRabatManager, NewPartner("Cabinet Example"));
  clock_.Set(kNow + absl::Hours(1));
  Partner vetted;
  ASSERT_TRUE(Vet(kRabatManager, created, consular::v1::VETTING_STATUS_VETTED,
                  "Bar membership checked", &vetted)
                  .ok());
  EXPECT_EQ(vetted.vetting_status(), consular::v1::VETTING_STATUS_VETTED);
  EXPECT_EQ(vetted.vetting_note(), "Bar membership checked");
  EXPECT_EQ(vetted.vetted_by(), "manager-rabat");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(vetted.vetted_at()),
            absl::ToUnixMicros(clock_.Now()));
  EXPECT_EQ(vetted.version(), 2);

  clock_.Set(kNow + absl::Hours(2));
  Partner suspended;
  ASSERT_TRUE(Vet(kAdmin, vetted, consular::v1::VETTING_STATUS_SUSPENDED, "Complaint under review",
                  &suspended)
                  .ok());
  EXPECT_EQ(suspended.vetted_by(), "admin-1");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(suspended.vetted_at()),
            absl::ToUnixMicros(clock_.Now()));
  EXPECT_EQ(suspended.vetting_note(), "Complaint under review");

  clock_.Set(kNow + absl::Hours(3));
  Partner gone;
  ASSERT_TRUE(Deactivate(kRabatManager, suspended, "Office closed", &gone).ok());
  EXPECT_FALSE(gone.active());
  EXPECT_EQ(gone.deactivated_by(), "manager-rabat");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(gone.deactivated_at()),
            absl::ToUnixMicros(clock_.Now()));
  EXPECT_EQ(gone.version(), 4);
  // The vetting decision stays on the record, and the partner stays readable.
  EXPECT_EQ(gone.vetting_status(), consular::v1::VETTING_STATUS_SUSPENDED);
  EXPECT_EQ(gone.vetted_by(), "admin-1");
  EXPECT_EQ(gone.vetting_note(), "Complaint under review");
  EXPECT_EQ(MustGet(kRabatOfficer, created.id()).SerializeAsString(), gone.SerializeAsString());
  {
    // The reason is kept (encrypted); read back through the store.
    pqxx::connection connection(db_->dsn());
    pqxx::work tx(connection);
    EXPECT_EQ(storage::PartnerStore(tx, keys_.crypto()).DeactivationReason(created.id()),
              "Office closed");
  }

  // A deactivated partner changes no more: FAILED_PRECONDITION saying why, nothing written.
  const std::string before = Footprint();
  Partner out;
  absl::Status status = Deactivate(kAdmin, gone, "again", &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_TRUE(absl::StrContains(StatusText(status), "deactivated")) << status;
  EXPECT_EQ(Vet(kAdmin, gone, consular::v1::VETTING_STATUS_VETTED, "ok", &out).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Rename(kAdmin, gone, "New name", &out).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Footprint(), before);
  // Not even the owner can bring it back or delete it (the migration's trigger).
  EXPECT_THROW(db_->QueryScalar(absl::StrCat("UPDATE contacts.partners SET active = true, "
                                             "deactivated_at = NULL, deactivated_by = NULL, "
                                             "deactivation_reason = NULL WHERE id = '",
                                             created.id(), "'")),
               std::exception);
  EXPECT_THROW(db_->QueryScalar(
                   absl::StrCat("DELETE FROM contacts.partners WHERE id = '", created.id(), "'")),
               std::exception);
  EXPECT_THROW(db_->QueryScalar(absl::StrCat("UPDATE contacts.partners SET country = 'DZ' "
                                             "WHERE id = '",
                                             created.id(), "'")),
               std::exception);
  EXPECT_EQ(Count("contacts.partners"), "1");

  // Every decision is in the audit trail: who, what, when.
  EXPECT_EQ(db_->QueryScalar("SELECT string_agg(actor || ':' || action || ':' || outcome, ',' "
                             "ORDER BY id) FROM audit.events WHERE action IN "
                             "('PartnerService.SetVetting', 'PartnerService.DeactivatePartner')"),
            "manager-rabat:PartnerService.SetVetting:OK,admin-1:PartnerService.SetVetting:OK,"
            "manager-rabat:PartnerService.DeactivatePartner:OK,"
            "admin-1:PartnerService.DeactivatePartner:FAILED_PRECONDITION,"
            "admin-1:PartnerService.SetVetting:FAILED_PRECONDITION");

  // Bad vetting and deactivation requests name the field.
  const Partner other = MustCreate(kAdmin, NewPartner("Other Office"));
  status = Vet(kAdmin, other, consular::v1::VETTING_STATUS_UNSPECIFIED, "note", &out);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "status:")) << status;
  status = Vet(kAdmin, other, consular::v1::VETTING_STATUS_VETTED, " ", &out);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "note:")) << status;
  status = Vet(kAdmin, other, consular::v1::VETTING_STATUS_VETTED, std::string(2001, 'x'), &out);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "note:")) << status;
  status = Deactivate(kAdmin, other, "", &out);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "reason:")) << status;
  Partner stale = other;
  stale.set_version(7);
  EXPECT_EQ(Vet(kAdmin, stale, consular::v1::VETTING_STATUS_VETTED, "ok", &out).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(Deactivate(kAdmin, stale, "closed", &out).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(MustGet(kAdmin, other.id()).version(), 1);
}

// Role x mutation on a partner in MA, where RABAT is accredited and TUNIS is not.
TEST_F(PartnersTest, PermissionMatrix) {
  const Partner target = MustCreate(kAdmin, NewPartner("Cabinet Example"));
  struct Row {
    Identity who;
    bool allowed;
  };
  const std::vector<Row> rows = {
      {kAdmin2, true}, {kRabatManager, true}, {kTunisManager, false}, {kRabatOfficer, false},
      {kLkha, false},  {kPolicy, false},      {kAuditor, false}};
  for (const Row& row : rows) {
    SCOPED_TRACE(row.who.subject);
    Partner current = MustGet(kAdmin, target.id());
    const std::string before = Footprint();
    Partner out;
    std::vector<std::pair<std::string, absl::Status>> results;
    results.emplace_back("create", Create(row.who, NewPartner("New " + row.who.subject), &out));
    results.emplace_back("update", Rename(row.who, current, "By " + row.who.subject, &out));
    if (results.back().second.ok()) current = out;
    results.emplace_back("vetting",
                         Vet(row.who, current, consular::v1::VETTING_STATUS_VETTED, "ok", &out));
    if (results.back().second.ok()) current = out;
    Partner spare;
    if (row.allowed) spare = MustCreate(kAdmin, NewPartner("Spare " + row.who.subject));
    results.emplace_back("deactivate",
                         Deactivate(row.who, row.allowed ? spare : current, "closed", &out));
    consular::v1::SetAccreditationRequest accredit;
    accredit.set_request_id(NextId());
    accredit.set_post("RABAT");
    accredit.add_countries("MA");
    Accreditation accreditation;
    const absl::Status set =
        manager_->SetAccreditation(row.who, accredit, Deadline(), &accreditation);
    EXPECT_EQ(set.ok(), row.who.role == consular::v1::ROLE_ADMINISTRATOR) << set;
    if (!set.ok()) {
      EXPECT_EQ(set.code(), absl::StatusCode::kPermissionDenied) << set;
    }
    // Reading is for everyone.
    consular::v1::GetAccreditationRequest get;
    get.set_post("RABAT");
    EXPECT_TRUE(manager_->GetAccreditation(row.who, get, Deadline(), &accreditation).ok());
    if (set.ok()) MustAccredit("RABAT", {"MA", "DZ"});

    for (const auto& [what, status] : results) {
      if (row.allowed) {
        EXPECT_TRUE(status.ok()) << what << ": " << status;
      } else {
        EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << what << ": " << status;
      }
    }
    if (!row.allowed) {
      EXPECT_EQ(Footprint(), before);
    }
    if (row.who.role == consular::v1::ROLE_POST_MANAGER && !row.allowed) {
      for (const auto& [what, status] : results) {
        EXPECT_TRUE(absl::StrContains(StatusText(status), "MA")) << what << ": " << status;
        EXPECT_TRUE(absl::StrContains(StatusText(status), "TUNIS")) << what << ": " << status;
      }
    }
  }
  // The TUNIS manager does change partners in TN.
  const Partner tn = MustCreate(kTunisManager, NewPartner("Tunis Office", "TN", "Tunis"));
  Partner out;
  EXPECT_TRUE(Rename(kTunisManager, tn, "Tunis Office 2", &out).ok());
  EXPECT_EQ(Rename(kRabatManager, out, "Not mine", &out).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(PartnersTest, AccreditationIsForActivePostsOfTheRegisterOnly) {
  for (const std::string post : {"RABATT", "KABUL"}) {
    consular::v1::SetAccreditationRequest set;
    set.set_request_id(NextId());
    set.set_post(post);
    set.add_countries("MA");
    Accreditation out;
    const absl::Status status = manager_->SetAccreditation(kAdmin, set, Deadline(), &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << post << ": " << status;
    EXPECT_EQ(StatusText(status),
              absl::StrCat("post: ", post, " is not an active post of the register of units"));
  }
  EXPECT_EQ(db_->QueryScalar("SELECT count(*) FROM contacts.accreditations "
                             "WHERE post IN ('RABATT', 'KABUL')"),
            "0");
}

TEST_F(PartnersTest, AccreditationIsSetByAdministratorsAndReplacesTheList) {
  consular::v1::GetAccreditationRequest get;
  get.set_post("RABAT");
  Accreditation read;
  ASSERT_TRUE(manager_->GetAccreditation(kRabatOfficer, get, Deadline(), &read).ok());
  EXPECT_EQ(read.post(), "RABAT");
  EXPECT_EQ(std::vector<std::string>(read.countries().begin(), read.countries().end()),
            (std::vector<std::string>{"DZ", "MA"}));
  EXPECT_EQ(read.updated_by(), "admin-1");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(read.updated_at()), absl::ToUnixMicros(kNow));

  const Partner ma = MustCreate(kRabatManager, NewPartner("Cabinet Example"));
  clock_.Set(kNow + absl::Hours(24));
  consular::v1::SetAccreditationRequest set;
  set.set_request_id(NextId());
  set.set_post("RABAT");
  set.add_countries("TN");
  set.add_countries("EG");
  Accreditation written;
  ASSERT_TRUE(manager_->SetAccreditation(kAdmin2, set, Deadline(), &written).ok());
  EXPECT_EQ(std::vector<std::string>(written.countries().begin(), written.countries().end()),
            (std::vector<std::string>{"EG", "TN"}));
  EXPECT_EQ(written.updated_by(), "admin-2");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(written.updated_at()),
            absl::ToUnixMicros(clock_.Now()));
  ASSERT_TRUE(manager_->GetAccreditation(kAuditor, get, Deadline(), &read).ok());
  EXPECT_EQ(read.SerializeAsString(), written.SerializeAsString());
  // Removed countries keep their row (no DELETE), marked not accredited.
  EXPECT_EQ(db_->QueryScalar("SELECT string_agg(country || ':' || accredited || ':' || updated_by, "
                             "',' ORDER BY country) FROM contacts.accreditations "
                             "WHERE post = 'RABAT'"),
            "DZ:false:admin-2,EG:true:admin-2,MA:false:admin-2,TN:true:admin-2");
  // RABAT's manager lost MA and gained TN.
  Partner out;
  const absl::Status denied = Rename(kRabatManager, ma, "Renamed", &out);
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied) << denied;
  EXPECT_TRUE(MustCreate(kRabatManager, NewPartner("Tunis Office", "TN", "Tunis")).active());

  // Empty removes all.
  set.set_request_id(NextId());
  set.clear_countries();
  ASSERT_TRUE(manager_->SetAccreditation(kAdmin, set, Deadline(), &written).ok());
  EXPECT_EQ(written.countries_size(), 0);
  EXPECT_EQ(written.updated_by(), "admin-1");
  // A post without any row.
  get.set_post("CAIRO");
  ASSERT_TRUE(manager_->GetAccreditation(kPolicy, get, Deadline(), &read).ok());
  EXPECT_EQ(read.post(), "CAIRO");
  EXPECT_EQ(read.countries_size(), 0);
  EXPECT_TRUE(read.updated_by().empty());

  // Bad requests name the field and write nothing.
  const std::string before = Footprint();
  for (const auto& [field, mutate] : std::vector<
           std::pair<std::string, std::function<void(consular::v1::SetAccreditationRequest*)>>>{
           {"post", [](auto* q) { q->clear_post(); }},
           {"post", [](auto* q) { q->set_post("LKHA"); }},
           {"post", [](auto* q) { q->set_post("rabat"); }},
           {"countries[1]", [](auto* q) { q->add_countries("NL"); }},
           {"countries[1]", [](auto* q) { q->add_countries("XX"); }},
           {"countries[1]", [](auto* q) { q->add_countries("MA"); }},
           {"request_id", [](auto* q) { q->clear_request_id(); }}}) {
    consular::v1::SetAccreditationRequest bad;
    bad.set_request_id(NextId());
    bad.set_post("RABAT");
    bad.add_countries("MA");
    mutate(&bad);
    const absl::Status status = manager_->SetAccreditation(kAdmin, bad, Deadline(), &written);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_TRUE(absl::StartsWith(StatusText(status), field + ":")) << status;
  }
  get.set_post("");
  EXPECT_EQ(manager_->GetAccreditation(kAdmin, get, Deadline(), &read).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Footprint(), before);
}

TEST_F(PartnersTest, ReplayOfCreateWritesOnce) {
  Partner first;
  ASSERT_TRUE(Create(kRabatManager, NewPartner("Cabinet Example"), &first, "same-id").ok());
  const std::string after_first = Footprint();
  clock_.Set(kNow + absl::Minutes(5));
  Partner second;
  ASSERT_TRUE(Create(kRabatManager, NewPartner("Cabinet Example"), &second, "same-id").ok());
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Footprint(), after_first);
  EXPECT_EQ(Count("contacts.partners"), "1");
  // The same id for another request is refused; another caller's id is their own.
  const absl::Status status =
      Create(kRabatManager, NewPartner("Another Office"), &second, "same-id");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "request_id:")) << status;
  EXPECT_EQ(Footprint(), after_first);
  ASSERT_TRUE(Create(kAdmin, NewPartner("Cabinet Example"), &second, "same-id").ok());
  EXPECT_NE(second.id(), first.id());
  EXPECT_EQ(Count("contacts.partners"), "2");
  // The stored responses are the callers' own, encrypted.
  EXPECT_EQ(db_->QueryScalar("SELECT bool_and(cases.is_field_ciphertext(response)) "
                             "FROM contacts.idempotency"),
            "t");
}

TEST_F(PartnersTest, BadInputNamesTheFieldAndWritesNothing) {
  const std::string before = Footprint();
  const std::vector<std::pair<std::string, std::function<void(Partner*)>>> cases = {
      {"partner.kind", [](Partner* p) { p->clear_kind(); }},
      {"partner.kind", [](Partner* p) { p->set_kind(static_cast<consular::v1::PartnerKind>(42)); }},
      {"partner.name", [](Partner* p) { p->set_name(""); }},
      {"partner.name", [](Partner* p) { p->set_name(std::string(201, 'x')); }},
      {"partner.name", [](Partner* p) { p->set_name("bad\x01name"); }},
      {"partner.name", [](Partner* p) { p->set_name("\xff\xfe"); }},
      {"partner.country", [](Partner* p) { p->clear_country(); }},
      {"partner.country", [](Partner* p) { p->set_country("NL"); }},
      {"partner.country", [](Partner* p) { p->set_country("ma"); }},
      {"partner.country", [](Partner* p) { p->set_country("XX"); }},
      {"partner.city", [](Partner* p) { p->set_city(" "); }},
      {"partner.city", [](Partner* p) { p->set_city(std::string(101, 'c')); }},
      {"partner.specialisms[1]",
       [](Partner* p) { p->add_specialisms(consular::v1::SPECIALISM_FAMILY_LAW); }},
      {"partner.specialisms[1]",
       [](Partner* p) { p->add_specialisms(consular::v1::SPECIALISM_UNSPECIFIED); }},
      {"partner.languages[2]", [](Partner* p) { p->add_languages("ar"); }},
      {"partner.languages[2]", [](Partner* p) { p->add_languages("AR"); }},
      {"partner.languages[2]", [](Partner* p) { p->add_languages("ara"); }},
      {"partner.contact_details.phone",
       [](Partner* p) { p->mutable_contact_details()->set_phone(std::string(101, '1')); }},
      {"partner.contact_details.email",
       [](Partner* p) { p->mutable_contact_details()->set_email(std::string(201, 'e')); }},
      {"partner.contact_details.address",
       [](Partner* p) { p->mutable_contact_details()->set_address(std::string(501, 'a')); }},
      {"partner.contact_details.website",
       [](Partner* p) { p->mutable_contact_details()->set_website(std::string(301, 'w')); }},
  };
  for (const auto& [field, mutate] : cases) {
    Partner p = NewPartner("Cabinet Example");
    mutate(&p);
    Partner out;
    const absl::Status status = Create(kAdmin, p, &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field << ": " << status;
    EXPECT_TRUE(absl::StartsWith(StatusText(status), field + ":")) << field << ": " << status;
  }
  consular::v1::CreatePartnerRequest no_partner;
  no_partner.set_request_id("x");
  Partner out;
  absl::Status status = manager_->CreatePartner(kAdmin, no_partner, Deadline(), &out);
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "partner:")) << status;
  status = Create(kAdmin, NewPartner("Cabinet Example"), &out, std::string(129, 'r'));
  EXPECT_TRUE(absl::StartsWith(StatusText(status), "request_id:")) << status;
  EXPECT_EQ(Footprint(), before);
  // Limits are in characters, not bytes: 200 two-byte characters pass.
  std::string long_name;
  for (int i = 0; i < 200; ++i) long_name += "é";
  EXPECT_TRUE(Create(kAdmin, NewPartner(long_name), &out).ok());
  EXPECT_EQ(Count("contacts.partners"), "1");
}

// consular-keys rotate covers the partner columns and contacts.idempotency: after a rotation every
// value is under the new key and a ring holding only that key reads everything.
TEST_F(PartnersTest, KeyRotationCoversThePartnerColumns) {
  db_->QueryScalar("DELETE FROM contacts.idempotency");  // SetUp's, under another test key
  const SecretKey k1 = SecretKey::Random();
  const FieldCipher old_cipher(KeyRing::Single("k1", k1));
  ContactsManager old_manager(runner_.get(), clock_,
                              storage::FieldCrypto{&old_cipher, &keys_.blind_index});
  consular::v1::CreatePartnerRequest create;
  create.set_request_id("rotate-create");
  *create.mutable_partner() = NewPartner("Cabinet Example");
  Partner created;
  ASSERT_TRUE(old_manager.CreatePartner(kAdmin, create, Deadline(), &created).ok());
  consular::v1::SetVettingRequest vet;
  vet.set_request_id("rotate-vet");
  vet.set_partner_id(created.id());
  vet.set_status(consular::v1::VETTING_STATUS_VETTED);
  vet.set_note("Bar membership checked");
  vet.set_expected_version(1);
  Partner vetted;
  ASSERT_TRUE(old_manager.SetVetting(kAdmin, vet, Deadline(), &vetted).ok());
  consular::v1::DeactivatePartnerRequest deactivate;
  deactivate.set_request_id("rotate-deactivate");
  deactivate.set_partner_id(created.id());
  deactivate.set_reason("Office closed");
  deactivate.set_expected_version(2);
  Partner gone;
  ASSERT_TRUE(old_manager.DeactivatePartner(kAdmin, deactivate, Deadline(), &gone).ok());

  const SecretKey k2 = SecretKey::Random();
  absl::StatusOr<KeyRing> ring = KeyRing::Single("k1", k1).WithNewActiveKey("k2", k2);
  ASSERT_TRUE(ring.ok());
  const FieldCipher rotated(*ring);
  {
    pqxx::connection connection(db_->dsn());
    pqxx::work tx(connection);
    int64_t total = 0;
    for (const auto* columns :
         {&storage::CaseStore::SealedColumns(), &storage::PartnerStore::SealedColumns(),
          &storage::ContactStore::SealedColumns(), &storage::StatsStore::SealedColumns()}) {
      for (const storage::SealedColumn& column : *columns) {
        const storage::RotationBatch batch = storage::RotateBatch(tx, rotated, column, 100, {});
        EXPECT_TRUE(batch.failed.empty()) << column.Name();
        EXPECT_EQ(storage::CountNotOnActiveKey(tx, rotated, column), 0) << column.Name();
        total += batch.rotated;
      }
    }
    // Details, note, reason and three stored responses.
    EXPECT_EQ(total, 6);
    tx.commit();
  }
  for (const std::string column : {"contact_details", "vetting_note", "deactivation_reason"}) {
    EXPECT_EQ(db_->QueryScalar(absl::StrCat("SELECT convert_from(substring(", column,
                                            " from 3 for get_byte(", column,
                                            ", 1)), 'UTF8') FROM contacts.partners")),
              "k2")
        << column;
  }
  // A ring with only the new key reads the partner, its reason and the stored responses.
  const FieldCipher new_only(KeyRing::Single("k2", k2));
  ContactsManager new_manager(runner_.get(), clock_,
                              storage::FieldCrypto{&new_only, &keys_.blind_index});
  consular::v1::GetPartnerRequest get;
  get.set_partner_id(created.id());
  Partner read;
  ASSERT_TRUE(new_manager.GetPartner(kPolicy, get, Deadline(), &read).ok());
  EXPECT_EQ(read.SerializeAsString(), gone.SerializeAsString());
  Partner replayed;
  ASSERT_TRUE(new_manager.SetVetting(kAdmin, vet, Deadline(), &replayed).ok());
  EXPECT_EQ(replayed.SerializeAsString(), vetted.SerializeAsString());
  pqxx::connection connection(db_->dsn());
  pqxx::work tx(connection);
  EXPECT_EQ(storage::PartnerStore(tx, storage::FieldCrypto{&new_only, nullptr})
                .DeactivationReason(created.id()),
            "Office closed");
}

// The database's own wall: as the service role with a post manager's scope, a partner in a country
// the post is not accredited to cannot be changed or created, whatever the application does.
TEST_F(PartnersTest, RowLevelSecurityHoldsPostManagersToTheirCountries) {
  const Partner ma = MustCreate(kAdmin, NewPartner("Cabinet Example"));
  const auto run = [&](const Identity& who, const std::string& sql) -> int64_t {
    pqxx::connection connection(db_->app_dsn());
    pqxx::work tx(connection);
    storage::SetSessionScope(tx, {who.subject, consular::v1::Role_Name(who.role), who.post});
    const pqxx::result r = tx.exec(sql);
    tx.commit();
    return r.affected_rows();
  };
  const std::string update = absl::StrCat(
      "UPDATE contacts.partners SET name = 'Hijacked', version = version + 1 WHERE id = '", ma.id(),
      "'");
  EXPECT_EQ(run(kTunisManager, update), 0);
  EXPECT_EQ(run(kRabatOfficer, update), 0);
  EXPECT_EQ(run(kLkha, update), 0);
  EXPECT_EQ(run(kAuditor, update), 0);
  EXPECT_EQ(db_->QueryScalar(
                absl::StrCat("SELECT name FROM contacts.partners WHERE id = '", ma.id(), "'")),
            "Cabinet Example");
  // Everyone reads; the accredited manager writes.
  EXPECT_EQ(run(kPolicy, "SELECT id FROM contacts.partners"), 1);
  EXPECT_EQ(run(kRabatManager, update), 1);
  // Without a scope nothing is visible.
  {
    pqxx::connection connection(db_->app_dsn());
    pqxx::work tx(connection);
    EXPECT_EQ(tx.exec("SELECT id FROM contacts.partners").size(), 0u);
  }
  // Inserting into a country outside the accreditation, or an accreditation as a manager: refused.
  EXPECT_THROW(run(kTunisManager,
                   "INSERT INTO contacts.partners (id, kind, name, country, city, contact_details, "
                   "vetting_status, created_by, created_at, updated_at, version) VALUES "
                   "(gen_random_uuid(), 'PARTNER_KIND_LAWYER', 'x', 'MA', 'y', "
                   "decode('01' || repeat('00', 47), 'hex'), 'VETTING_STATUS_UNVETTED', "
                   "'manager-tunis', now(), now(), 1)"),
               std::exception);
  EXPECT_THROW(run(kRabatManager,
                   "INSERT INTO contacts.accreditations (post, country, updated_by, updated_at) "
                   "VALUES ('RABAT', 'EG', 'manager-rabat', now())"),
               std::exception);
  EXPECT_EQ(run(kRabatManager, "UPDATE contacts.accreditations SET accredited = true"), 0);
  EXPECT_THROW(
      run(kAdmin, absl::StrCat("DELETE FROM contacts.partners WHERE id = '", ma.id(), "'")),
      std::exception);
  // Idempotency records are their callers' own.
  EXPECT_GT(run(kAdmin, "SELECT actor FROM contacts.idempotency"), 0);
  EXPECT_EQ(run(kRabatManager, "SELECT actor FROM contacts.idempotency"), 0);
}

}  // namespace
}  // namespace consular::contacts

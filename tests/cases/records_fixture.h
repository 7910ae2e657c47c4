#pragma once

// The fixture of the records management tests (records_test.cc, records_anonymisation_test.cc):
// the case, contact and records use cases over one fresh database, and helpers that drive them.
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "services/cases/case_manager.h"
#include "services/cases/export_manager.h"
#include "services/cases/records_manager.h"
#include "services/contacts/contacts_manager.h"
#include "services/stats/rollups.h"
#include "services/stats/statistics_manager.h"
#include "storage/audit_chain.h"
#include "storage/audit_verification.h"
#include "storage/connection_pool.h"
#include "storage/row_security.h"
#include "storage/stats_store.h"
#include "storage/transaction_runner.h"
#include "tests/crypto/test_field_crypto.h"
#include "tests/support/test_database.h"

namespace consular::cases::testing {

using consular::v1::Case;
using consular::v1::DestructionList;

inline const Identity kRabatOfficer{"officer-rabat", consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"};
inline const Identity kRabatManager{"manager-rabat", consular::v1::ROLE_POST_MANAGER, "RABAT"};
inline const Identity kTunisOfficer{"officer-tunis", consular::v1::ROLE_CONSULAR_OFFICER, "TUNIS"};
inline const Identity kTunisManager{"manager-tunis", consular::v1::ROLE_POST_MANAGER, "TUNIS"};
inline const Identity kAdmin{"admin-1", consular::v1::ROLE_ADMINISTRATOR, ""};
inline const Identity kAuditor{"auditor-1", consular::v1::ROLE_AUDITOR, ""};
inline const Identity kPolicy{"policy-1", consular::v1::ROLE_POLICY_STAFF, ""};
inline const Identity kLkha{"lkha-1", consular::v1::ROLE_LKHA_CASEWORKER, ""};

inline constexpr char kName[] = "Zainab Testperson-Qadiri";

inline absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0), absl::UTCTimeZone());
}

inline consular::v1::Date MakeDate(int y, int m, int d) {
  consular::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = consular::testing::TestDatabase::Create();
    pool_ = std::make_unique<storage::ConnectionPool>(storage::PoolOptions{db_->app_dsn(), 8});
    runner_ = std::make_unique<storage::TransactionRunner>(pool_.get());
    cases_ = std::make_unique<CaseManager>(runner_.get(), clock_, keys_.crypto());
    contacts_ = std::make_unique<contacts::ContactsManager>(runner_.get(), clock_, keys_.crypto());
    records_ = std::make_unique<RecordsManager>(runner_.get(), clock_, keys_.crypto());
    exports_ = std::make_unique<ExportManager>(runner_.get(), clock_, keys_.crypto());
  }

  static absl::Time Deadline() { return absl::Now() + absl::Seconds(30); }
  std::string NextId(const std::string& prefix = "r") { return absl::StrCat(prefix, ++counter_); }

  // A case at `who`'s post, its request ids starting with `tag`.
  Case Create(const Identity& who, const std::string& tag, const std::string& name = kName,
              consular::v1::CaseType type = consular::v1::CASE_TYPE_ABANDONMENT) {
    consular::v1::CreateCaseRequest request;
    request.set_request_id(NextId(tag));
    Case* c = request.mutable_case_();
    c->set_type(type);
    c->set_country("MA");
    c->mutable_subject()->set_full_name(name);
    *c->mutable_subject()->mutable_date_of_birth() = MakeDate(1994, 3, 7);
    c->mutable_subject()->set_sex(consular::v1::SEX_FEMALE);
    c->mutable_subject()->set_nationality_status(consular::v1::NATIONALITY_STATUS_DUAL);
    c->set_referral_source(consular::v1::REFERRAL_SOURCE_FAMILY);
    c->add_risk_flags(consular::v1::RISK_FLAG_PASSPORT_WITHHELD);
    c->mutable_safety()->set_safe_contact_channel("+212 600 123456 her cousin Samira");
    c->mutable_safety()->set_covert_notes("Husband Rachid reads her messages");
    Case created;
    const absl::Status status = cases_->Create(who, request, Deadline(), &created);
    EXPECT_TRUE(status.ok()) << status;
    return created;
  }

  absl::Status Transition(const Identity& who, Case* c, consular::v1::CaseStatus to,
                          const std::string& tag, const std::string& reason,
                          consular::v1::Outcome outcome = consular::v1::OUTCOME_UNSPECIFIED) {
    consular::v1::TransitionCaseRequest request;
    request.set_request_id(NextId(tag));
    request.set_case_id(c->id());
    request.set_target_status(to);
    request.set_reason(reason);
    request.set_outcome(outcome);
    request.set_expected_version(c->version());
    Case moved;
    const absl::Status status = cases_->Transition(who, request, Deadline(), &moved);
    if (status.ok()) *c = moved;
    return status;
  }

  // Opens, resolves (with `outcome`) and closes `c` on `closed`.
  void Close(Case* c, absl::Time closed, const std::string& tag,
             consular::v1::Outcome outcome = consular::v1::OUTCOME_CONTACT_LOST) {
    clock_.Set(closed);
    ASSERT_TRUE(
        Transition(kRabatOfficer, c, consular::v1::CASE_STATUS_ACTIVE, tag, "Reached her by phone")
            .ok());
    ASSERT_TRUE(Transition(kRabatOfficer, c, consular::v1::CASE_STATUS_RESOLVED, tag,
                           "No answer for months", outcome)
                    .ok());
    ASSERT_TRUE(
        Transition(kRabatManager, c, consular::v1::CASE_STATUS_CLOSED, tag, "Nothing left to do")
            .ok());
  }

  Case Get(const Identity& who, const std::string& id) {
    consular::v1::GetCaseRequest request;
    request.set_case_id(id);
    Case c;
    const absl::Status status = cases_->Get(who, request, Deadline(), &c);
    EXPECT_TRUE(status.ok()) << status;
    return c;
  }

  absl::Status SetSchedule(consular::v1::CaseType type, consular::v1::Outcome outcome, int years,
                           const std::string& reason = "Archive selection list 2026") {
    consular::v1::SetRetentionScheduleRequest request;
    request.set_request_id(NextId());
    request.set_case_type(type);
    request.set_outcome(outcome);
    request.set_retention_years(years);
    request.set_reason(reason);
    consular::v1::RetentionSchedule out;
    return records_->SetRetentionSchedule(kAdmin, request, Deadline(), &out);
  }

  absl::StatusOr<DestructionList> Propose(const Identity& who = kAdmin) {
    consular::v1::ProposeDestructionListRequest request;
    request.set_request_id(NextId());
    DestructionList list;
    const absl::Status status = records_->ProposeDestructionList(who, request, Deadline(), &list);
    if (!status.ok()) return status;
    return list;
  }

  absl::Status Review(
      const Identity& who, const DestructionList& list,
      const std::vector<std::pair<std::string, consular::v1::ReviewDecision>>& decisions,
      DestructionList* out = nullptr) {
    consular::v1::ReviewDestructionItemsRequest request;
    request.set_request_id(NextId());
    request.set_list(list.number());
    for (const auto& [case_id, decision] : decisions) {
      consular::v1::ItemDecision* d = request.add_decisions();
      d->set_case_id(case_id);
      d->set_decision(decision);
      d->set_reason(decision == consular::v1::REVIEW_DECISION_EXCLUDE ? "Still of archival value"
                                                                      : "Retention period passed");
    }
    DestructionList ignored;
    return records_->ReviewDestructionItems(who, request, Deadline(), out ? out : &ignored);
  }

  absl::StatusOr<DestructionList> Process(const DestructionList& list) {
    consular::v1::ProcessDestructionListRequest request;
    request.set_request_id(NextId());
    request.set_list(list.id());
    DestructionList out;
    const absl::Status status = records_->ProcessDestructionList(kAdmin, request, Deadline(), &out);
    if (!status.ok()) return status;
    return out;
  }

  absl::StatusOr<consular::v1::LegalHold> Hold(const Identity& who, const std::string& case_id) {
    consular::v1::PlaceLegalHoldRequest request;
    request.set_request_id(NextId());
    request.set_case_id(case_id);
    request.set_reason("Pending court proceedings in The Hague");
    consular::v1::LegalHold hold;
    const absl::Status status = records_->PlaceLegalHold(who, request, Deadline(), &hold);
    if (!status.ok()) return status;
    return hold;
  }

  static consular::v1::DestructionResult ResultOf(const DestructionList& list,
                                                  const std::string& case_id) {
    for (const auto& item : list.items()) {
      if (item.case_id() == case_id) return item.result();
    }
    return consular::v1::DESTRUCTION_RESULT_UNSPECIFIED;
  }

  static bool OnList(const DestructionList& list, const std::string& case_id) {
    for (const auto& item : list.items()) {
      if (item.case_id() == case_id) return true;
    }
    return false;
  }

  std::string Scalar(const std::string& sql) { return db_->QueryScalar(sql); }

  std::unique_ptr<consular::testing::TestDatabase> db_;
  std::unique_ptr<storage::ConnectionPool> pool_;
  std::unique_ptr<storage::TransactionRunner> runner_;
  consular::testing::TestFieldCrypto keys_;
  ManualClock clock_{Day(2026, 1, 5)};
  std::unique_ptr<CaseManager> cases_;
  std::unique_ptr<contacts::ContactsManager> contacts_;
  std::unique_ptr<RecordsManager> records_;
  std::unique_ptr<ExportManager> exports_;
  int counter_ = 0;
};

}  // namespace consular::cases::testing

#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "crypto/blind_index.h"
#include "services/cases/case_repository.h"
#include "storage/audit_store.h"

namespace consular::cases::testing {

// The case tables in memory, for testing the case use cases without PostgreSQL.
//
// Every call sees them as its caller would through the application's filter and row-level
// security (docs/security.md, storage/case_store.cc, migrations 0004/0005): the cases its unit
// handles, those shared with it by a live share (neither revoked nor expired by `clock`), and
// those it holds live emergency access to (post managers and LKHA caseworkers); shares to its unit
// and all shares of the cases it handles; the emergency accesses it opened, all of them for
// auditors, those to cases of its post for post managers. A write outside what the policies allow
// throws, as the database refuses it.
//
// Each Run works on a copy of the tables that replaces them only when the work returns OK, so a
// failed call changes nothing; its audit row is kept either way. Calls run one at a time;
// deadlines are not enforced. Thread-safe.
class FakeCaseTransactions final : public CaseTransactions {
 public:
  // `clock` stands for the database clock (share and emergency access expiry, the times of
  // emergency access); `blind_index` indexes the subjects' names for Search. Both must outlive
  // this.
  FakeCaseTransactions(const Clock& clock, const BlindIndex* blind_index);

  absl::Status Run(const Identity& who, const std::string& action, const std::string& case_id_hint,
                   absl::Time now, absl::Time deadline, const Work& work) override;

  // The audit rows of every call so far, oldest first (outcome set).
  std::vector<storage::AuditRecord> AuditRows() const;
  // The number of cases stored, whoever may see them.
  int CaseCount() const;
  // The case the stored response of (actor, request id) is about: "" for none, nullopt when no
  // response is stored.
  std::optional<std::string> RequestCaseId(const std::string& actor,
                                           const std::string& request_id) const;

  // The stored rows. Public for the repository in the .cc; tests read them through the methods
  // above.
  struct Tables {
    std::map<std::string, consular::v1::Case> cases;  // by id, caller_access unset
    std::map<std::string, std::string> name_index;    // case id -> blind index of the name
    std::map<std::pair<std::string, int>, int> reference_counters;
    std::map<std::string, std::vector<consular::v1::CaseEvent>> events;  // by case id
    std::vector<consular::v1::CaseNote> notes;
    std::vector<consular::v1::CaseShare> shares;        // case_reference and active unset
    std::vector<consular::v1::EmergencyAccess> grants;  // active unset
    // Referrals and the share each gives its receiver meanwhile.
    std::vector<std::pair<consular::v1::Referral, std::string>> referrals;
    // Emergency searches: the searcher and the ids found.
    std::vector<std::pair<std::string, std::vector<std::string>>> emergency_searches;
    std::map<std::pair<std::string, std::string>, storage::PriorRequest> requests;
    // The case each saved response is about ("" for none), as the column case_id.
    std::map<std::pair<std::string, std::string>, std::string> request_cases;
    // The register of units: code -> active (as TestDatabase seeds it, and one closed post).
    std::map<std::string, bool> units = {{"LKHA", true},   {"RABAT", true}, {"TUNIS", true},
                                         {"CAIRO", true},  {"ANKARA", true}, {"CASABLANCA", true},
                                         {"KABUL", false}};
  };

 private:
  const Clock& clock_;
  const BlindIndex* blind_index_;
  mutable absl::Mutex mu_;
  Tables tables_ ABSL_GUARDED_BY(mu_);
  std::vector<storage::AuditRecord> audit_ ABSL_GUARDED_BY(mu_);
};

}  // namespace consular::cases::testing

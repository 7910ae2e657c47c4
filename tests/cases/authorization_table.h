#pragma once

// The authorization matrix of the case service: who may do what to a case in which situation,
// written out from the access model of docs/security.md (roles, units, shares, referral,
// emergency access), never from the server's own rule code. Shared by the two tiers that check
// it: authorization_matrix_test.cc (real gRPC and PostgreSQL) and
// authorization_matrix_unit_test.cc (CaseManager over the in-memory case tables).
//
//   role (officer of post U, post manager of post U, LKHA caseworker, policy staff, auditor,
//         administrator)
//   x RPC (every CaseService and AuditService method)
//   x situation of the case the call names (own unit, other unit, shared read, shared read-write,
//         share revoked, share expired)
//
// For the post roles U = RABAT and the other unit V = TUNIS; for the LKHA caseworker U = LKHA and
// V = RABAT. CAIRO is the third unit that ShareCase and ReferCase cells name.
#include <grpcpp/support/status_code_enum.h>

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "gtest/gtest.h"

namespace consular::matrix {

namespace v1 = consular::v1;
using v1::CaseAccess;
using v1::ShareAccess;

// ------------------------------------------------------------------------------------------------
// The dimensions of the matrix.

enum class Who { kOfficer, kManager, kLkha, kPolicy, kAuditor, kAdmin };
inline constexpr Who kAllWho[] = {Who::kOfficer, Who::kManager, Who::kLkha,
                                  Who::kPolicy,  Who::kAuditor, Who::kAdmin};

enum class Situation { kOwn, kOther, kSharedRead, kSharedReadWrite, kRevoked, kExpired };
inline constexpr Situation kAllSituations[] = {Situation::kOwn,        Situation::kOther,
                                               Situation::kSharedRead, Situation::kSharedReadWrite,
                                               Situation::kRevoked,    Situation::kExpired};

enum class Rpc {
  kCreateCase,
  kGetCase,
  kListCases,
  kSearchCases,
  kUpdateCase,
  kTransitionCase,
  kAddCaseNote,
  kListCaseNotes,
  kListCaseEvents,
  kListCaseHistory,
  kFindPossibleDuplicates,
  kEmergencySearch,
  kListDeadlines,
  kShareCase,
  kRevokeShare,
  kListShares,
  kReferCase,
  kOpenEmergencyAccess,
  kListEmergencyAccess,
  kReviewEmergencyAccess,
  kListAuditEvents,
  kVerifyChain,
  kListInbox,
  kAssignCase,
  kAnswerShare,
  kAnswerReferral,
};
inline constexpr Rpc kAllRpcs[] = {
    Rpc::kCreateCase,          Rpc::kGetCase,
    Rpc::kListCases,           Rpc::kSearchCases,
    Rpc::kUpdateCase,          Rpc::kTransitionCase,
    Rpc::kAddCaseNote,         Rpc::kListCaseNotes,
    Rpc::kListCaseEvents,      Rpc::kListCaseHistory,
    Rpc::kFindPossibleDuplicates, Rpc::kEmergencySearch, Rpc::kListDeadlines,
    Rpc::kShareCase,
    Rpc::kRevokeShare,         Rpc::kListShares,
    Rpc::kReferCase,           Rpc::kOpenEmergencyAccess,
    Rpc::kListEmergencyAccess, Rpc::kReviewEmergencyAccess,
    Rpc::kListAuditEvents,     Rpc::kVerifyChain,
    Rpc::kListInbox,           Rpc::kAssignCase,
    Rpc::kAnswerShare,         Rpc::kAnswerReferral,
};

inline constexpr char kThirdUnit[] = "CAIRO";  // target of ShareCase / ReferCase cells
inline constexpr char kEmergencyOpenerPost[] =
    "ALGIERS";  // opens the grants ReviewEmergencyAccess names

inline const char* WhoName(Who who) {
  switch (who) {
    case Who::kOfficer:
      return "CONSULAR_OFFICER(RABAT)";
    case Who::kManager:
      return "POST_MANAGER(RABAT)";
    case Who::kLkha:
      return "LKHA_CASEWORKER";
    case Who::kPolicy:
      return "POLICY_STAFF";
    case Who::kAuditor:
      return "AUDITOR";
    case Who::kAdmin:
      return "ADMINISTRATOR";
  }
  return "?";
}

inline const char* SituationName(Situation s) {
  switch (s) {
    case Situation::kOwn:
      return "own unit";
    case Situation::kOther:
      return "other unit";
    case Situation::kSharedRead:
      return "shared read";
    case Situation::kSharedReadWrite:
      return "shared read-write";
    case Situation::kRevoked:
      return "share revoked";
    case Situation::kExpired:
      return "share expired";
  }
  return "?";
}

inline const char* RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kCreateCase:
      return "CreateCase";
    case Rpc::kGetCase:
      return "GetCase";
    case Rpc::kListCases:
      return "ListCases";
    case Rpc::kSearchCases:
      return "SearchCases";
    case Rpc::kUpdateCase:
      return "UpdateCase";
    case Rpc::kTransitionCase:
      return "TransitionCase";
    case Rpc::kAddCaseNote:
      return "AddCaseNote";
    case Rpc::kListCaseNotes:
      return "ListCaseNotes";
    case Rpc::kListCaseEvents:
      return "ListCaseEvents";
    case Rpc::kListInbox:
      return "ListInbox";
    case Rpc::kAssignCase:
      return "AssignCase";
    case Rpc::kAnswerShare:
      return "AnswerShare";
    case Rpc::kAnswerReferral:
      return "AnswerReferral";
    case Rpc::kListCaseHistory:
      return "ListCaseHistory";
    case Rpc::kFindPossibleDuplicates:
      return "FindPossibleDuplicates";
    case Rpc::kEmergencySearch:
      return "EmergencySearch";
    case Rpc::kListDeadlines:
      return "ListDeadlines";
    case Rpc::kShareCase:
      return "ShareCase";
    case Rpc::kRevokeShare:
      return "RevokeShare";
    case Rpc::kListShares:
      return "ListShares";
    case Rpc::kReferCase:
      return "ReferCase";
    case Rpc::kOpenEmergencyAccess:
      return "OpenEmergencyAccess";
    case Rpc::kListEmergencyAccess:
      return "ListEmergencyAccess";
    case Rpc::kReviewEmergencyAccess:
      return "ReviewEmergencyAccess";
    case Rpc::kListAuditEvents:
      return "ListAuditEvents";
    case Rpc::kVerifyChain:
      return "VerifyChain";
  }
  return "?";
}

inline std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK:
      return "OK";
    case grpc::CANCELLED:
      return "CANCELLED";
    case grpc::UNKNOWN:
      return "UNKNOWN";
    case grpc::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::ABORTED:
      return "ABORTED";
    case grpc::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::INTERNAL:
      return "INTERNAL";
    case grpc::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::DATA_LOSS:
      return "DATA_LOSS";
    default:
      return absl::StrCat("code ", static_cast<int>(code));
  }
}

// ------------------------------------------------------------------------------------------------
// Who is who: the caller's unit U and the "other" unit V of each role.

inline bool HasUnit(Who who) {
  return who == Who::kOfficer || who == Who::kManager || who == Who::kLkha;
}

// U: the caller's unit. Roles without a unit are placed with the post roles' cases (RABAT / TUNIS),
// so their cells name real cases too; their expectations never depend on the situation.
inline std::string UnitU(Who who) { return who == Who::kLkha ? "LKHA" : "RABAT"; }
inline std::string UnitV(Who who) { return who == Who::kLkha ? "RABAT" : "TUNIS"; }

// How the caller reaches the case of a situation, per the visibility rules: HANDLING when its unit
// handles it, SHARED_* through a live share, otherwise (other unit, revoked, expired, and always
// for roles without a unit) not at all.
enum class Reach { kNone, kHandling, kSharedRead, kSharedReadWrite };

inline Reach ReachOf(Who who, Situation s) {
  if (!HasUnit(who)) return Reach::kNone;
  switch (s) {
    case Situation::kOwn:
      return Reach::kHandling;
    case Situation::kSharedRead:
      return Reach::kSharedRead;
    case Situation::kSharedReadWrite:
      return Reach::kSharedReadWrite;
    case Situation::kOther:
    case Situation::kRevoked:
    case Situation::kExpired:
      return Reach::kNone;
  }
  return Reach::kNone;
}

inline CaseAccess CaseAccessOf(Reach reach) {
  switch (reach) {
    case Reach::kHandling:
      return v1::CASE_ACCESS_HANDLING;
    case Reach::kSharedRead:
      return v1::CASE_ACCESS_SHARED_READ;
    case Reach::kSharedReadWrite:
      return v1::CASE_ACCESS_SHARED_READ_WRITE;
    case Reach::kNone:
      return v1::CASE_ACCESS_UNSPECIFIED;
  }
  return v1::CASE_ACCESS_UNSPECIFIED;
}

// ------------------------------------------------------------------------------------------------
// The expectation table, one function per RPC (or group of RPCs with the same rule).

using grpc::StatusCode;
inline constexpr StatusCode OK = grpc::OK;
inline constexpr StatusCode PD = grpc::PERMISSION_DENIED;
inline constexpr StatusCode NF = grpc::NOT_FOUND;
inline constexpr StatusCode FP = grpc::FAILED_PRECONDITION;

// CreateCase: officers, post managers and LKHA caseworkers; others PERMISSION_DENIED.
inline StatusCode ExpectCreateCase(Who who) { return HasUnit(who) ? OK : PD; }

// GetCase, ListCaseNotes, ListCaseEvents, ListShares:
//   HANDLING OK | invisible NOT_FOUND | SHARED_READ OK | SHARED_READ_WRITE OK.
// POLICY, ADMIN, AUDITOR: PERMISSION_DENIED.
inline StatusCode ExpectRead(Who who, Reach reach) {
  if (!HasUnit(who)) return PD;
  return reach == Reach::kNone ? NF : OK;
}

// ListCases, SearchCases: OK always for the unit roles (the case listed exactly when visible);
// POLICY, ADMIN, AUDITOR: PERMISSION_DENIED.
inline StatusCode ExpectListing(Who who) { return HasUnit(who) ? OK : PD; }

// UpdateCase, TransitionCase (ACTIVE -> ON_HOLD), AddCaseNote:
//   HANDLING OK | invisible NOT_FOUND | SHARED_READ PERMISSION_DENIED | SHARED_READ_WRITE OK.
inline StatusCode ExpectWrite(Who who, Reach reach) {
  if (!HasUnit(who)) return PD;
  switch (reach) {
    case Reach::kHandling:
      return OK;
    case Reach::kNone:
      return NF;
    case Reach::kSharedRead:
      return PD;
    case Reach::kSharedReadWrite:
      return OK;
  }
  return OK;
}

// ShareCase (to a third unit):
//   HANDLING OK | invisible NOT_FOUND | SHARED_READ PD | SHARED_READ_WRITE PD.
inline StatusCode ExpectShareAdmin(Who who, Reach reach) {
  if (!HasUnit(who)) return PD;
  switch (reach) {
    case Reach::kHandling:
      return OK;
    case Reach::kNone:
      return NF;
    case Reach::kSharedRead:
    case Reach::kSharedReadWrite:
      return PD;
  }
  return OK;
}

// RevokeShare of a share of X to a third unit: a grantee never sees other grantees' shares, so
//   HANDLING OK | invisible NOT_FOUND | SHARED_READ NOT_FOUND | SHARED_READ_WRITE NOT_FOUND.
inline StatusCode ExpectRevokeThirdPartyShare(Who who, Reach reach) {
  if (!HasUnit(who)) return PD;
  return reach == Reach::kHandling ? OK : NF;
}

// ReferCase (to a third post): MANAGER and LKHA: HANDLING OK | invisible NOT_FOUND | shared PD.
// OFFICER: PERMISSION_DENIED everywhere (role check first). POLICY, ADMIN, AUDITOR: PD.
inline StatusCode ExpectRefer(Who who, Reach reach) {
  if (who != Who::kManager && who != Who::kLkha) return PD;
  switch (reach) {
    case Reach::kHandling:
      return OK;
    case Reach::kNone:
      return NF;
    case Reach::kSharedRead:
    case Reach::kSharedReadWrite:
      return PD;
  }
  return OK;
}

// OpenEmergencyAccess: OFFICER PD always; MANAGER / LKHA: OK on an invisible case,
// FAILED_PRECONDITION on a case they can already see (handling or shared). Others PD.
inline StatusCode ExpectOpenEmergency(Who who, Reach reach) {
  if (who != Who::kManager && who != Who::kLkha) return PD;
  return reach == Reach::kNone ? OK : FP;
}

// EmergencySearch (by name and date of birth, wherever the case is): MANAGER, LKHA OK; others PD.
inline StatusCode ExpectEmergencySearch(Who who) {
  return who == Who::kManager || who == Who::kLkha ? OK : PD;
}

// ListEmergencyAccess: MANAGER, LKHA, AUDITOR OK; OFFICER, POLICY, ADMIN PD.
inline StatusCode ExpectListEmergency(Who who) {
  return who == Who::kManager || who == Who::kLkha || who == Who::kAuditor ? OK : PD;
}

// ReviewEmergencyAccess of a grant opened (by a manager of a fourth post) on the situation's case:
// AUDITOR OK; the MANAGER of the post that handled the case at opening time OK (only in the "own"
// situation is that the caller's post), any other MANAGER NOT_FOUND; OFFICER, LKHA, POLICY,
// ADMIN PD.
inline StatusCode ExpectReviewEmergency(Who who, Situation s) {
  if (who == Who::kAuditor) return OK;
  if (who == Who::kManager) return s == Situation::kOwn ? OK : NF;
  return PD;
}

// AssignCase (to a colleague): the handling unit's MANAGER and LKHA OK, its OFFICER PD (an
// officer only takes an unassigned case; the cell's case is its opener's); invisible NOT_FOUND;
// shared PD. POLICY, ADMIN, AUDITOR: PD.
inline StatusCode ExpectAssign(Who who, Reach reach) {
  if (!HasUnit(who)) return PD;
  switch (reach) {
    case Reach::kHandling:
      return who == Who::kOfficer ? PD : OK;
    case Reach::kNone:
      return NF;
    case Reach::kSharedRead:
    case Reach::kSharedReadWrite:
      return PD;
  }
  return OK;
}

// AnswerShare (accepting) of the share to U in the shared situations, of the case's share to the
// third unit otherwise: the grantee OK; the handling unit PD (it does not answer for the
// grantee); a share nobody of U sees NOT_FOUND; a share to U that ended FAILED_PRECONDITION.
inline StatusCode ExpectAnswerShare(Who who, Situation s) {
  if (!HasUnit(who)) return PD;
  switch (s) {
    case Situation::kOwn:
      return PD;
    case Situation::kOther:
      return NF;
    case Situation::kSharedRead:
    case Situation::kSharedReadWrite:
      return OK;
    case Situation::kRevoked:
    case Situation::kExpired:
      return FP;
  }
  return OK;
}

// AnswerReferral (accepting) of a referral of the situation's case: from U to the third unit in
// "own", else from its handling unit to U when U is a post (to the third unit when U is LKHA,
// which is never referred to). Post MANAGER: PD in "own" (not its post's to answer), OK
// otherwise; every other role PD (managers of the receiving post answer referrals; role first).
inline StatusCode ExpectAnswerReferral(Who who, Situation s) {
  if (who == Who::kManager) return s == Situation::kOwn ? PD : OK;
  return PD;
}

// AuditService ListAuditEvents, VerifyChain: AUDITOR OK; every other role PD.
inline StatusCode ExpectAudit(Who who) { return who == Who::kAuditor ? OK : PD; }

struct Expectation {
  StatusCode code = OK;
  // ListCases / SearchCases: whether the situation's case is in the result.
  std::optional<bool> listed;
  // GetCase / ListCases / SearchCases when the case is visible: Case.caller_access.
  CaseAccess access = v1::CASE_ACCESS_UNSPECIFIED;
  // ListShares: the handling unit sees every share, a grantee only its own.
  enum class Shares { kUnchecked, kAll, kOwnOnly } shares = Shares::kUnchecked;
};

inline Expectation Expected(Who who, Rpc rpc, Situation s) {
  const Reach reach = ReachOf(who, s);
  Expectation e;
  switch (rpc) {
    case Rpc::kCreateCase:
      e.code = ExpectCreateCase(who);
      break;
    case Rpc::kGetCase:
    case Rpc::kListCaseNotes:
    case Rpc::kListCaseEvents:
    case Rpc::kListCaseHistory:
    case Rpc::kFindPossibleDuplicates:  // of the situation's case, named by its id
      e.code = ExpectRead(who, reach);
      if (rpc == Rpc::kGetCase) e.access = CaseAccessOf(reach);
      break;
    case Rpc::kListShares:
      e.code = ExpectRead(who, reach);
      e.shares =
          reach == Reach::kHandling ? Expectation::Shares::kAll : Expectation::Shares::kOwnOnly;
      break;
    case Rpc::kListCases:
    case Rpc::kSearchCases:
      e.code = ExpectListing(who);
      e.listed = reach != Reach::kNone;
      e.access = CaseAccessOf(reach);
      break;
    case Rpc::kUpdateCase:
    case Rpc::kTransitionCase:
    case Rpc::kAddCaseNote:
      e.code = ExpectWrite(who, reach);
      break;
    case Rpc::kShareCase:
      e.code = ExpectShareAdmin(who, reach);
      break;
    case Rpc::kRevokeShare:
      e.code = ExpectRevokeThirdPartyShare(who, reach);
      break;
    case Rpc::kReferCase:
      e.code = ExpectRefer(who, reach);
      break;
    case Rpc::kOpenEmergencyAccess:
      e.code = ExpectOpenEmergency(who, reach);
      break;
    case Rpc::kListEmergencyAccess:
      e.code = ExpectListEmergency(who);
      break;
    case Rpc::kEmergencySearch:
      e.code = ExpectEmergencySearch(who);
      break;
    case Rpc::kListDeadlines:  // the caller's own unit's list
      e.code = ExpectListing(who);
      break;
    case Rpc::kReviewEmergencyAccess:
      e.code = ExpectReviewEmergency(who, s);
      break;
    case Rpc::kListInbox:  // the caller's own unit's inbox
      e.code = ExpectListing(who);
      break;
    case Rpc::kAssignCase:
      e.code = ExpectAssign(who, reach);
      break;
    case Rpc::kAnswerShare:
      e.code = ExpectAnswerShare(who, s);
      break;
    case Rpc::kAnswerReferral:
      e.code = ExpectAnswerReferral(who, s);
      break;
    case Rpc::kListAuditEvents:
    case Rpc::kVerifyChain:
      e.code = ExpectAudit(who);
      break;
  }
  return e;
}

// What a cell needs built before the cells run.
enum class Needs { kNothing, kSharedReadScenario, kFreshScenario };

inline Needs NeedsOf(Rpc rpc) {
  switch (rpc) {
    case Rpc::kCreateCase:
    case Rpc::kListEmergencyAccess:
    case Rpc::kEmergencySearch:
    case Rpc::kListDeadlines:
    case Rpc::kListAuditEvents:
    case Rpc::kVerifyChain:
    case Rpc::kListInbox:
      return Needs::kNothing;
    case Rpc::kGetCase:
    case Rpc::kListCases:
    case Rpc::kSearchCases:
    case Rpc::kListCaseNotes:
    case Rpc::kListCaseEvents:
    case Rpc::kListCaseHistory:
    case Rpc::kFindPossibleDuplicates:
    case Rpc::kListShares:
      return Needs::kSharedReadScenario;
    default:
      return Needs::kFreshScenario;
  }
}

// ------------------------------------------------------------------------------------------------
// Scenarios.

struct Plan {
  std::string handling;  // the unit handling the case
  std::string grantee;   // a share to the caller's unit U; empty: none
  ShareAccess access = v1::SHARE_ACCESS_UNSPECIFIED;
  bool revoke = false;             // that share revoked before the cells run
  bool expire = false;             // that share expiring ~3 s after it is made
  std::vector<std::string> extra;  // live READ shares to other units (e.g. the third unit)
  bool emergency_grant = false;    // emergency access opened by a manager of a fourth post
  std::string referral_to;         // a referral of the case by its handling unit to this post
};

inline Plan PlanFor(Who who, Situation s) {
  Plan plan;
  const std::string u = UnitU(who);
  const std::string v = UnitV(who);
  plan.handling = s == Situation::kOwn ? u : v;
  switch (s) {
    case Situation::kOwn:
    case Situation::kOther:
      break;
    case Situation::kSharedRead:
      plan.grantee = u;
      plan.access = v1::SHARE_ACCESS_READ;
      break;
    case Situation::kSharedReadWrite:
      plan.grantee = u;
      plan.access = v1::SHARE_ACCESS_READ_WRITE;
      break;
    case Situation::kRevoked:
      plan.grantee = u;
      plan.access = v1::SHARE_ACCESS_READ_WRITE;
      plan.revoke = true;
      break;
    case Situation::kExpired:
      plan.grantee = u;
      plan.access = v1::SHARE_ACCESS_READ_WRITE;
      plan.expire = true;
      break;
  }
  return plan;
}

struct Scenario {
  bool ok = false;
  std::string failure;  // why the build failed
  std::string id;
  std::string reference;
  std::string name;  // the subject's unique full name
  int64_t version = 0;
  std::string caller_share_id;                      // the share to U
  std::map<std::string, std::string> extra_shares;  // grantee -> share id
  std::string grant_id;                             // the emergency grant
  std::string referral_id;                          // the referral (Plan::referral_to)
  std::optional<absl::Time> expires_at;
};

// "Aaaa", "Aaab", ...: subject names made of letters only, one per scenario.
inline std::string LetterTag(int n) {
  std::string tag(4, 'a');
  for (int i = 3; i >= 0; --i) {
    tag[i] = static_cast<char>('a' + n % 26);
    n /= 26;
  }
  tag[0] = static_cast<char>(tag[0] - 'a' + 'A');
  return tag;
}

// ------------------------------------------------------------------------------------------------
// Checks of a cell's result beyond its status code.

inline void CheckListed(bool found, CaseAccess access, const Expectation& e,
                        std::vector<std::string>* problems) {
  if (!e.listed) return;
  if (found && !*e.listed) problems->push_back("the case is listed, but the table says invisible");
  if (!found && *e.listed) problems->push_back("the case is missing, but the table says visible");
  if (found && *e.listed && access != e.access) {
    problems->push_back(absl::StrCat("listed with caller_access ", v1::CaseAccess_Name(access),
                                     ", expected ", v1::CaseAccess_Name(e.access)));
  }
}

inline void CheckShares(const v1::ListSharesResponse& out, const Scenario& s, const Expectation& e,
                        std::vector<std::string>* problems) {
  std::set<std::string> got;
  for (const v1::CaseShare& share : out.shares()) got.insert(share.id());
  std::set<std::string> want;
  if (e.shares == Expectation::Shares::kAll) {
    for (const auto& [grantee, id] : s.extra_shares) want.insert(id);
    if (!s.caller_share_id.empty()) want.insert(s.caller_share_id);
  } else if (e.shares == Expectation::Shares::kOwnOnly) {
    want.insert(s.caller_share_id);
  } else {
    return;
  }
  if (got != want) {
    std::ostringstream text;
    text << "ListShares returned " << got.size() << " share(s) [";
    for (const v1::CaseShare& share : out.shares()) text << " " << share.grantee();
    text << " ], expected "
         << (e.shares == Expectation::Shares::kAll ? "every live share" : "only the own share")
         << " (" << want.size() << ")";
    problems->push_back(text.str());
  }
}

// ------------------------------------------------------------------------------------------------
// The driver both tiers share: plan the cells and their scenarios, run every cell, report.

struct Cell {
  Who who;
  Rpc rpc;
  Situation situation;
  Expectation expected;
  const Scenario* scenario = nullptr;
};

struct Matrix {
  std::vector<std::unique_ptr<Scenario>> scenarios;
  std::vector<Cell> cells;
  int build_failures = 0;  // scenarios that could not be built (their cells say why)
};

// Every role x every method `include` accepts x every situation, with the scenarios they run
// against, built by `build(const Plan&) -> Scenario`. Reads share one scenario per (unit group,
// situation), which has live READ shares to the third unit (and, for "own", to V) so ListShares
// can tell "every share" from "own share only"; every mutating cell gets a fresh case of its own.
template <typename Include, typename Build>
Matrix PlanMatrix(const Include& include, const Build& build) {
  Matrix m;
  std::map<std::pair<std::string, Situation>, const Scenario*> read_scenarios;
  const auto add = [&](const Plan& plan) {
    m.scenarios.push_back(std::make_unique<Scenario>(build(plan)));
    if (!m.scenarios.back()->ok) ++m.build_failures;
    return m.scenarios.back().get();
  };
  for (Who who : kAllWho) {
    for (Rpc rpc : kAllRpcs) {
      if (!include(rpc)) continue;
      for (Situation situation : kAllSituations) {
        Cell cell{who, rpc, situation, Expected(who, rpc, situation)};
        switch (NeedsOf(rpc)) {
          case Needs::kNothing:
            break;
          case Needs::kSharedReadScenario: {
            const auto key = std::make_pair(UnitU(who), situation);
            auto it = read_scenarios.find(key);
            if (it == read_scenarios.end()) {
              Plan plan = PlanFor(who, situation);
              plan.extra = {kThirdUnit};
              if (situation == Situation::kOwn) plan.extra.push_back(UnitV(who));
              it = read_scenarios.emplace(key, add(plan)).first;
            }
            cell.scenario = it->second;
            break;
          }
          case Needs::kFreshScenario: {
            Plan plan = PlanFor(who, situation);
            if (rpc == Rpc::kRevokeShare) plan.extra = {kThirdUnit};
            if (rpc == Rpc::kAnswerShare &&
                (situation == Situation::kOwn || situation == Situation::kOther)) {
              plan.extra = {kThirdUnit};
            }
            if (rpc == Rpc::kAnswerReferral) {
              plan.referral_to =
                  situation == Situation::kOwn || who == Who::kLkha ? kThirdUnit : UnitU(who);
            }
            if (rpc == Rpc::kReviewEmergencyAccess) plan.emergency_grant = true;
            cell.scenario = add(plan);
            break;
          }
        }
        m.cells.push_back(cell);
      }
    }
  }
  return m;
}

// What a cell's call returned: its status code and how a failure describes it.
struct Outcome {
  StatusCode code = OK;
  std::string description;
};

// Runs every cell of `m` with `run(const Cell&, std::vector<std::string>* problems) -> Outcome`
// and reports each disagreement with the table (a code other than expected, a problem the run
// found, a scenario not built) as a test failure. Returns the disagreements.
template <typename Run>
std::vector<std::string> RunMatrix(const Matrix& m, const Run& run) {
  std::vector<std::string> disagreements;
  const auto disagree = [&](std::string line) {
    ADD_FAILURE() << line;
    disagreements.push_back(std::move(line));
  };
  for (const Cell& cell : m.cells) {
    const std::string name = absl::StrCat(WhoName(cell.who), " x ", RpcName(cell.rpc), " x ",
                                          SituationName(cell.situation));
    if (cell.scenario != nullptr && !cell.scenario->ok) {
      disagree(absl::StrCat(name, ": expected ", CodeName(cell.expected.code),
                            ", scenario not built: ", cell.scenario->failure));
      continue;
    }
    std::vector<std::string> problems;
    const Outcome outcome = run(cell, &problems);
    if (outcome.code != cell.expected.code) {
      disagree(absl::StrCat(name, ": expected ", CodeName(cell.expected.code), ", got ",
                            outcome.description));
    }
    for (const std::string& problem : problems) disagree(absl::StrCat(name, ": ", problem));
  }
  std::cout << "[ matrix   ] checked " << m.cells.size() << " cells (" << m.scenarios.size()
            << " scenarios); " << disagreements.size() << " disagreement(s) with the table\n";
  for (const std::string& line : disagreements) std::cout << "[ mismatch ] " << line << "\n";
  return disagreements;
}

}  // namespace consular::matrix

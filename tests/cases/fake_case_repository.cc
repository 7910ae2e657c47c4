#include "tests/cases/fake_case_repository.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "crypto/blind_index.h"
#include "proto/dates.h"
#include "services/common/ids.h"
#include "services/common/token.h"

namespace consular::cases::testing {
namespace {

namespace v1 = consular::v1;
using google::protobuf::util::TimeUtil;
using Tables = FakeCaseTransactions::Tables;

int64_t Micros(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMicroseconds(t);
}

google::protobuf::Timestamp TimestampOf(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// "YYYY-MM-DD" of `t` in UTC.
std::string DayOf(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixMicros(Micros(t)), absl::UTCTimeZone());
}

bool MayOpenEmergency(v1::Role role) {
  return role == v1::ROLE_POST_MANAGER || role == v1::ROLE_LKHA_CASEWORKER;
}

bool MayWorkCases(v1::Role role) {
  return role == v1::ROLE_CONSULAR_OFFICER || role == v1::ROLE_POST_MANAGER ||
         role == v1::ROLE_LKHA_CASEWORKER;
}

bool Matches(const v1::Case& c, const std::string& id_or_reference) {
  // As the SQL: a 36-character key is a UUID (any case), anything else a reference.
  if (id_or_reference.size() == 36) return c.id() == absl::AsciiStrToLower(id_or_reference);
  return c.reference() == absl::AsciiStrToUpper(id_or_reference);
}

bool Before(int64_t micros, const std::string& id, const storage::CaseCursor& cursor) {
  return std::tie(micros, id) < std::tie(cursor.opened_at_micros, cursor.id);
}

// The case tables of one transaction as `who` sees them (see FakeCaseTransactions).
class FakeCaseRepository final : public CaseRepository {
 public:
  FakeCaseRepository(Tables* tables, const Identity& who, absl::Time now,
                     const BlindIndex* blind_index)
      : t_(*tables), who_(who), unit_(UnitOf(who)), now_(now), blind_index_(blind_index) {}

  std::optional<storage::PriorRequest> ClaimRequest(const std::string& actor,
                                                    const std::string& request_id,
                                                    const std::string& method,
                                                    const std::string& request_hash) override {
    const auto key = std::make_pair(actor, request_id);
    if (auto it = t_.requests.find(key); it != t_.requests.end()) return it->second;
    t_.requests[key] = storage::PriorRequest{method, request_hash, ""};
    return std::nullopt;
  }

  void SaveResponse(const std::string& actor, const std::string& request_id,
                    const std::string& response, const std::string& case_id) override {
    const auto key = std::make_pair(actor, request_id);
    auto it = t_.requests.find(key);
    if (it == t_.requests.end()) throw std::runtime_error("request to save is not claimed");
    if (!case_id.empty() && !LooksLikeUuid(case_id)) {
      throw std::runtime_error("idempotency case_id is not a uuid");
    }
    it->second.response = response;
    t_.request_cases[key] = case_id;
  }

  int NextReferenceNumber(const std::string& prefix, int year) override {
    return ++t_.reference_counters[std::make_pair(prefix, year)];
  }

  void Insert(const v1::Case& c) override {
    if (unit_.empty() || c.handling_post() != unit_) {
      throw std::runtime_error("row-level security: a case is opened for the caller's unit only");
    }
    if (t_.cases.count(c.id()) != 0) throw std::runtime_error("duplicate case id");
    for (const auto& [id, other] : t_.cases) {
      if (other.reference() == c.reference()) throw std::runtime_error("duplicate reference");
    }
    Store(c);
  }

  void Update(const v1::Case& c) override {
    auto it = t_.cases.find(c.id());
    const bool receiver = ReferredToMe(c.id());
    if (it == t_.cases.end() || (!Writable(it->second) && !receiver)) {
      throw std::runtime_error("case row to update is missing");
    }
    if (c.handling_post() != it->second.handling_post() && it->second.handling_post() != unit_ &&
        !(receiver && c.handling_post() == unit_)) {
      throw std::runtime_error("row-level security: only the handling unit moves a case");
    }
    v1::Case after = c;
    after.set_id(it->second.id());
    after.set_reference(it->second.reference());
    after.set_type(it->second.type());
    *after.mutable_opened_at() = it->second.opened_at();
    if (AccessOf(after) == v1::CASE_ACCESS_UNSPECIFIED) {
      throw std::runtime_error("row-level security: the case would leave the caller's sight");
    }
    Store(after);
  }

  std::optional<v1::Case> Find(const std::string& id_or_reference, bool /*lock*/) override {
    if (unit_.empty()) return std::nullopt;
    for (const auto& [id, c] : t_.cases) {
      if (!Matches(c, id_or_reference)) continue;
      const v1::CaseAccess access = AccessOf(c);
      if (access == v1::CASE_ACCESS_UNSPECIFIED) return std::nullopt;
      v1::Case found = c;
      found.set_caller_access(access);
      return found;
    }
    return std::nullopt;
  }

  std::vector<v1::Case> List(const storage::CaseFilter& filter,
                             const std::optional<storage::CaseCursor>& after, int limit) override {
    return Listed(
        [&](const v1::Case& c) {
          if (!filter.post.empty() && c.handling_post() != filter.post) return false;
          if (!filter.country.empty() && c.country() != filter.country) return false;
          if (!filter.type.empty() && v1::CaseType_Name(c.type()) != filter.type) return false;
          if (!filter.status.empty() && v1::CaseStatus_Name(c.status()) != filter.status) {
            return false;
          }
          if (!filter.risk_flag.empty()) {
            bool any = false;
            for (const int flag : c.risk_flags()) {
              any = any || v1::RiskFlag_Name(static_cast<v1::RiskFlag>(flag)) == filter.risk_flag;
            }
            if (!any) return false;
          }
          const std::string day = DayOf(c.opened_at());
          if (!filter.opened_from.empty() && day < filter.opened_from) return false;
          if (!filter.opened_to.empty() && day > filter.opened_to) return false;
          if (!filter.assigned_to.empty() && c.assigned_to() != filter.assigned_to) return false;
          if (filter.unassigned && !c.assigned_to().empty()) return false;
          return true;
        },
        after, limit);
  }

  std::vector<v1::Case> Search(const std::string& name_index,
                               const std::optional<storage::CaseCursor>& after,
                               int limit) override {
    return Listed([&](const v1::Case& c) { return t_.name_index[c.id()] == name_index; }, after,
                  limit);
  }

  int64_t AppendEvent(const std::string& case_id, const v1::CaseEvent& event) override {
    if (t_.cases.count(case_id) == 0) throw std::runtime_error("event of a missing case");
    std::vector<v1::CaseEvent>& timeline = t_.events[case_id];
    v1::CaseEvent stored = event;
    stored.set_sequence(static_cast<int64_t>(timeline.size()) + 1);
    timeline.push_back(stored);
    return stored.sequence();
  }

  std::vector<v1::CaseEvent> ListEvents(const std::string& case_id, int64_t after_sequence,
                                        int limit) override {
    std::vector<v1::CaseEvent> out;
    if (!SeesCase(case_id)) return out;
    for (const v1::CaseEvent& event : t_.events[case_id]) {
      if (event.sequence() > after_sequence && static_cast<int>(out.size()) < limit) {
        out.push_back(event);
      }
    }
    return out;
  }

  void InsertNote(const v1::CaseNote& note) override {
    auto it = t_.cases.find(note.case_id());
    if (it == t_.cases.end() || !Writable(it->second)) {
      throw std::runtime_error("row-level security: note on a case the caller may not change");
    }
    t_.notes.push_back(note);
  }

  std::vector<v1::CaseNote> ListNotes(const std::string& case_id,
                                      const std::optional<storage::CaseCursor>& after,
                                      int limit) override {
    std::vector<v1::CaseNote> notes;
    if (!SeesCase(case_id)) return notes;
    for (const v1::CaseNote& note : t_.notes) {
      if (note.case_id() != case_id) continue;
      if (after && !(std::make_tuple(after->opened_at_micros, after->id) <
                     std::make_tuple(Micros(note.created_at()), note.id()))) {
        continue;
      }
      notes.push_back(note);
    }
    std::sort(notes.begin(), notes.end(), [](const v1::CaseNote& a, const v1::CaseNote& b) {
      return std::make_tuple(Micros(a.created_at()), a.id()) <
             std::make_tuple(Micros(b.created_at()), b.id());
    });
    if (static_cast<int>(notes.size()) > limit) notes.resize(limit);
    return notes;
  }

  void InsertShare(const v1::CaseShare& share) override {
    auto it = t_.cases.find(share.case_id());
    if (share.granted_by() != who_.subject || share.granted_by_unit() != unit_ ||
        it == t_.cases.end() || it->second.handling_post() != unit_ || unit_.empty()) {
      throw std::runtime_error("row-level security: only the handling unit shares a case");
    }
    v1::CaseShare stored = share;
    stored.clear_case_reference();
    stored.clear_active();
    t_.shares.push_back(stored);
  }

  std::optional<v1::CaseShare> FindShare(const std::string& share_id, bool /*lock*/) override {
    for (const v1::CaseShare& share : t_.shares) {
      if (share.id() == share_id && SeesShare(share)) return Shown(share);
    }
    return std::nullopt;
  }

  bool IsActiveUnit(const std::string& code) override {
    const auto it = t_.units.find(code);
    return it != t_.units.end() && it->second;
  }

  bool IsRegisteredUnit(const std::string& code) override { return t_.units.count(code) != 0; }

  std::optional<v1::CaseShare> LiveShare(const std::string& case_id,
                                         const std::string& grantee) override {
    std::optional<v1::CaseShare> latest;
    for (const v1::CaseShare& share : t_.shares) {
      if (share.case_id() != case_id || share.grantee() != grantee || !SeesShare(share) ||
          !Live(share)) {
        continue;
      }
      if (!latest || Micros(share.granted_at()) >= Micros(latest->granted_at())) {
        latest = Shown(share);
      }
    }
    return latest;
  }

  std::vector<v1::CaseShare> ListShares(const std::string& case_id, const std::string& grantee,
                                        bool include_inactive) override {
    std::vector<v1::CaseShare> shares;
    for (const v1::CaseShare& share : t_.shares) {
      if (share.case_id() != case_id || !SeesShare(share)) continue;
      if (!grantee.empty() && share.grantee() != grantee) continue;
      if (!include_inactive && !Live(share)) continue;
      shares.push_back(Shown(share));
    }
    std::stable_sort(shares.begin(), shares.end(),
                     [](const v1::CaseShare& a, const v1::CaseShare& b) {
                       return std::make_tuple(Micros(a.granted_at()), a.id()) <
                              std::make_tuple(Micros(b.granted_at()), b.id());
                     });
    return shares;
  }

  void RevokeShare(const std::string& share_id, const std::string& revoked_by,
                   const google::protobuf::Timestamp& revoked_at) override {
    for (v1::CaseShare& share : t_.shares) {
      if (share.id() != share_id) continue;
      auto c = t_.cases.find(share.case_id());
      const bool handles = c != t_.cases.end() && c->second.handling_post() == unit_;
      if (c == t_.cases.end() || unit_.empty() || (!handles && share.grantee() != unit_) ||
          share.has_revoked_at() || revoked_by != who_.subject) {
        break;
      }
      *share.mutable_revoked_at() = revoked_at;
      share.set_revoked_by(revoked_by);
      share.set_revoked_by_unit(unit_);
      return;
    }
    throw std::runtime_error("share to revoke is missing");
  }

  bool AnswerShare(const std::string& share_id, v1::Answer answer, const std::string& answered_by,
                   const google::protobuf::Timestamp& answered_at,
                   const std::string& reason) override {
    for (v1::CaseShare& share : t_.shares) {
      if (share.id() != share_id) continue;
      if (unit_.empty() || share.grantee() != unit_ || answered_by != who_.subject) break;
      if (share.answer() != v1::ANSWER_UNSPECIFIED) return false;
      share.set_answer(answer);
      share.set_answered_by(answered_by);
      *share.mutable_answered_at() = answered_at;
      share.set_answer_reason(reason);
      return true;
    }
    throw std::runtime_error("share to answer is missing");
  }

  void SetAssignment(const std::string& case_id, const std::string& assignee,
                     const google::protobuf::Timestamp& at) override {
    auto it = t_.cases.find(case_id);
    if (it == t_.cases.end() || !Writable(it->second)) {
      throw std::runtime_error("case row to assign is missing");
    }
    it->second.set_assigned_to(assignee);
    if (assignee.empty()) {
      it->second.clear_assigned_at();
    } else {
      *it->second.mutable_assigned_at() = at;
    }
  }

  void InsertReferral(const v1::Referral& referral, const std::string& share_id) override {
    auto c = t_.cases.find(referral.case_id());
    if (c == t_.cases.end() || unit_.empty() || c->second.handling_post() != unit_ ||
        referral.from_unit() != unit_ || referral.referred_by() != who_.subject) {
      throw std::runtime_error("row-level security: only the handling unit refers a case");
    }
    for (const auto& [stored, share] : t_.referrals) {
      if (stored.case_id() == referral.case_id() && stored.answer() == v1::ANSWER_UNSPECIFIED) {
        throw std::runtime_error("unique violation: a referral of the case is pending");
      }
    }
    t_.referrals.emplace_back(referral, share_id);
  }

  std::optional<std::pair<v1::Referral, std::string>> FindReferral(const std::string& referral_id,
                                                                   bool /*lock*/) override {
    for (const auto& entry : t_.referrals) {
      if (entry.first.id() == referral_id && SeesReferral(entry.first)) return entry;
    }
    return std::nullopt;
  }

  std::optional<v1::Referral> PendingReferral(const std::string& case_id) override {
    for (const auto& [referral, share] : t_.referrals) {
      if (referral.case_id() == case_id && referral.answer() == v1::ANSWER_UNSPECIFIED &&
          SeesReferral(referral)) {
        return referral;
      }
    }
    return std::nullopt;
  }

  bool AnswerReferral(const std::string& referral_id, v1::Answer answer,
                      const std::string& answered_by,
                      const google::protobuf::Timestamp& answered_at,
                      const std::string& reason) override {
    for (auto& [referral, share] : t_.referrals) {
      if (referral.id() != referral_id) continue;
      if (referral.to_unit() != unit_ || answered_by != who_.subject) break;
      if (referral.answer() != v1::ANSWER_UNSPECIFIED) return false;
      referral.set_answer(answer);
      referral.set_answered_by(answered_by);
      *referral.mutable_answered_at() = answered_at;
      referral.set_answer_reason(reason);
      return true;
    }
    throw std::runtime_error("referral to answer is missing");
  }

  // The pending referrals to the unit and the shares to answer: enough for the use cases' tests
  // (the full inbox is cases.inbox, tested against PostgreSQL).
  std::vector<v1::InboxItem> Inbox(int64_t /*since_micros*/) override {
    std::vector<v1::InboxItem> items;
    if (unit_.empty()) return items;
    for (const auto& [referral, share] : t_.referrals) {
      if (referral.to_unit() != unit_ || referral.answer() != v1::ANSWER_UNSPECIFIED) continue;
      v1::InboxItem item;
      item.set_kind(v1::INBOX_ITEM_KIND_REFERRAL_RECEIVED);
      item.set_item_id(referral.id());
      item.set_case_id(referral.case_id());
      item.set_case_reference(referral.case_reference());
      item.set_needs_answer(true);
      items.push_back(item);
    }
    for (const v1::CaseShare& share : t_.shares) {
      if (share.grantee() != unit_ || share.answer() != v1::ANSWER_UNSPECIFIED || !Live(share)) {
        continue;
      }
      v1::InboxItem item;
      item.set_kind(v1::INBOX_ITEM_KIND_SHARE_RECEIVED);
      item.set_item_id(share.id());
      item.set_case_id(share.case_id());
      item.set_needs_answer(true);
      items.push_back(item);
    }
    return items;
  }

  // Two of the rules migration 0018 writes.
  std::vector<storage::PermitRuleRow> PermitRules() override {
    return {{"PERMIT_KIND_EU_LONG_TERM_RESIDENT", 12, {8, 4, 1}, "EU long-term resident"},
            {"PERMIT_KIND_REGULAR_FIXED_TERM", 6, {8, 4, 1}, "regular, fixed term"}};
  }

  std::vector<v1::Case> OpenCases() override {
    std::vector<v1::Case> open;
    if (unit_.empty()) return open;
    for (const auto& [id, c] : t_.cases) {
      if (c.handling_post() != unit_) continue;
      if (c.status() == v1::CASE_STATUS_RESOLVED || c.status() == v1::CASE_STATUS_CLOSED) continue;
      v1::Case found = c;
      found.set_caller_access(v1::CASE_ACCESS_HANDLING);
      open.push_back(std::move(found));
    }
    return open;
  }

  // The fake keeps no contacts.
  std::vector<storage::DatedItem> FollowUpsDue(const std::string& /*until*/) override { return {}; }
  // The contact log is not kept here (tests/contacts covers it against PostgreSQL).
  std::vector<std::string> OpenFollowUps(const std::string& /*case_id*/) override { return {}; }

  std::vector<storage::DatedItem> SharesEnding(const std::string& until) override {
    std::vector<storage::DatedItem> ending;
    for (const v1::CaseShare& share : t_.shares) {
      const auto c = t_.cases.find(share.case_id());
      if (c == t_.cases.end() || !share.has_expires_at() || share.has_revoked_at()) continue;
      if (c->second.handling_post() != unit_ && share.grantee() != unit_) continue;
      const std::string day = DayOf(share.expires_at());
      if (day > until || share.expires_at().seconds() <= absl::ToUnixSeconds(now_)) continue;
      ending.push_back({share.id(), share.case_id(), c->second.reference(), day, share.grantee()});
    }
    return ending;
  }

  // The same matches as cases.possible_duplicates, on the normalised names and keys themselves
  // rather than their blind indexes.
  std::vector<storage::DuplicateRow> PossibleDuplicates(const std::string& exclude_id,
                                                        const std::string& full_name,
                                                        const v1::Date& born) override {
    std::vector<storage::DuplicateRow> rows;
    if (unit_.empty() || !MayWorkCases(who_.role)) return rows;
    const std::string name = *NormaliseName(full_name);
    const std::string sound = NameSoundKey(name);
    for (const auto& [id, c] : t_.cases) {
      if (id == exclude_id) continue;
      const std::string other = *NormaliseName(c.subject().full_name());
      const bool both_born = IsSet(born) && IsSet(c.subject().date_of_birth());
      const bool same_birth =
          both_born && FormatDate(born) == FormatDate(c.subject().date_of_birth());
      int match = 0;
      if (same_birth && other == name) {
        match = 1;
      } else if (same_birth && NameSoundKey(other) == sound) {
        match = 2;
      } else if (!both_born && NameSoundKey(other) == sound) {
        match = 3;
      }
      if (match == 0) continue;
      rows.push_back({c.id(), c.reference(), c.handling_post(), match,
                      AccessOf(c) != v1::CASE_ACCESS_UNSPECIFIED &&
                          AccessOf(c) != v1::CASE_ACCESS_EMERGENCY});
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.match < b.match; });
    if (rows.size() > 20) rows.resize(20);
    return rows;
  }

  std::vector<storage::EmergencyTarget> EmergencySearch(const std::string& full_name,
                                                        const v1::Date& born) override {
    std::vector<storage::EmergencyTarget> found;
    if (!MayOpenEmergency(who_.role) || unit_.empty() || !IsSet(born)) return found;
    for (const auto& [id, c] : t_.cases) {
      if (*NormaliseName(c.subject().full_name()) == *NormaliseName(full_name) &&
          IsSet(c.subject().date_of_birth()) &&
          FormatDate(c.subject().date_of_birth()) == FormatDate(born)) {
        found.push_back({c.id(), c.reference(), c.handling_post()});
      }
    }
    return found;
  }

  void InsertEmergencySearch(const std::string& /*id*/, const Identity& who,
                             const std::string& /*reason*/,
                             const std::vector<std::string>& found) override {
    if (who.subject != who_.subject || !MayOpenEmergency(who_.role)) {
      throw std::runtime_error("row-level security: emergency search refused");
    }
    t_.emergency_searches.emplace_back(who.subject, found);
  }

  std::optional<storage::EmergencyTarget> FindCaseForEmergency(
      const std::string& id_or_reference) override {
    if (!MayOpenEmergency(who_.role) || unit_.empty()) return std::nullopt;
    for (const auto& [id, c] : t_.cases) {
      if (c.id() == absl::AsciiStrToLower(id_or_reference) ||
          c.reference() == absl::AsciiStrToUpper(id_or_reference)) {
        return storage::EmergencyTarget{c.id(), c.reference(), c.handling_post()};
      }
    }
    return std::nullopt;
  }

  void InsertEmergencyAccess(v1::EmergencyAccess* grant, int minutes) override {
    if (grant->actor() != who_.subject || grant->actor_role() != who_.role ||
        !MayOpenEmergency(who_.role) || grant->actor_unit() != unit_ || unit_.empty() ||
        minutes > 8 * 60) {
      throw std::runtime_error("row-level security: emergency access refused");
    }
    *grant->mutable_opened_at() = TimestampOf(now_);
    *grant->mutable_expires_at() = TimestampOf(now_ + absl::Minutes(minutes));
    v1::EmergencyAccess stored = *grant;
    stored.clear_active();
    t_.grants.push_back(stored);
  }

  std::optional<v1::EmergencyAccess> FindEmergencyAccess(const std::string& id,
                                                         bool /*lock*/) override {
    for (const v1::EmergencyAccess& grant : t_.grants) {
      if (grant.id() == id && SeesGrant(grant)) return Shown(grant);
    }
    return std::nullopt;
  }

  std::optional<v1::EmergencyAccess> LiveEmergencyAccess(const std::string& case_id) override {
    std::optional<v1::EmergencyAccess> latest;
    for (const v1::EmergencyAccess& grant : t_.grants) {
      if (grant.case_id() != case_id || grant.actor() != who_.subject ||
          grant.actor_role() != who_.role || !Live(grant)) {
        continue;
      }
      if (!latest || Micros(grant.expires_at()) > Micros(latest->expires_at())) {
        latest = Shown(grant);
      }
    }
    return latest;
  }

  std::vector<v1::EmergencyAccess> ListEmergencyAccess(
      const storage::EmergencyListScope& scope, bool unreviewed_only,
      const std::optional<storage::CaseCursor>& after, int limit) override {
    std::vector<v1::EmergencyAccess> grants;
    for (const v1::EmergencyAccess& grant : t_.grants) {
      const bool in_scope = scope.all || grant.actor() == scope.actor ||
                            (!scope.post.empty() && grant.handling_post() == scope.post);
      if (!in_scope || !SeesGrant(grant)) continue;
      if (unreviewed_only && grant.review() != v1::EMERGENCY_REVIEW_UNSPECIFIED) continue;
      if (after && !Before(Micros(grant.opened_at()), grant.id(), *after)) continue;
      grants.push_back(Shown(grant));
    }
    std::stable_sort(grants.begin(), grants.end(),
                     [](const v1::EmergencyAccess& a, const v1::EmergencyAccess& b) {
                       return std::make_tuple(Micros(a.opened_at()), a.id()) >
                              std::make_tuple(Micros(b.opened_at()), b.id());
                     });
    if (static_cast<int>(grants.size()) > limit) grants.resize(limit);
    return grants;
  }

  void ReviewEmergencyAccess(const std::string& id, v1::EmergencyReview review,
                             const std::string& reviewed_by,
                             const google::protobuf::Timestamp& reviewed_at) override {
    for (v1::EmergencyAccess& grant : t_.grants) {
      if (grant.id() != id) continue;
      const bool may_review =
          grant.actor() != who_.subject &&
          (who_.role == v1::ROLE_AUDITOR || (who_.role == v1::ROLE_POST_MANAGER && !unit_.empty() &&
                                             grant.handling_post() == unit_));
      if (!may_review || grant.review() != v1::EMERGENCY_REVIEW_UNSPECIFIED ||
          reviewed_by != who_.subject) {
        break;
      }
      grant.set_review(review);
      grant.set_reviewed_by(reviewed_by);
      *grant.mutable_reviewed_at() = reviewed_at;
      return;
    }
    throw std::runtime_error("emergency access to review is missing");
  }

 private:
  void Store(const v1::Case& c) {
    v1::Case stored = c;
    stored.clear_caller_access();
    absl::StatusOr<std::string> name_index = blind_index_->NameIndex(c.subject().full_name());
    if (!name_index.ok()) throw std::runtime_error("subject name has no blind index");
    t_.name_index[c.id()] = *name_index;
    t_.cases[c.id()] = std::move(stored);
  }

  bool Live(const v1::CaseShare& share) const {
    return !share.has_revoked_at() &&
           (!share.has_expires_at() || Micros(share.expires_at()) > absl::ToUnixMicros(now_));
  }
  bool Live(const v1::EmergencyAccess& grant) const {
    return Micros(grant.expires_at()) > absl::ToUnixMicros(now_);
  }

  // How the caller reaches `c`: the CASE_ACCESS rule of case_store.cc and cases.caller_grant.
  v1::CaseAccess AccessOf(const v1::Case& c) const {
    if (unit_.empty()) return v1::CASE_ACCESS_UNSPECIFIED;
    if (c.handling_post() == unit_) return v1::CASE_ACCESS_HANDLING;
    bool read = false;
    for (const v1::CaseShare& share : t_.shares) {
      if (share.case_id() != c.id() || share.grantee() != unit_ || !Live(share)) continue;
      if (share.access() == v1::SHARE_ACCESS_READ_WRITE) return v1::CASE_ACCESS_SHARED_READ_WRITE;
      read = true;
    }
    if (read) return v1::CASE_ACCESS_SHARED_READ;
    if (MayOpenEmergency(who_.role)) {
      for (const v1::EmergencyAccess& grant : t_.grants) {
        if (grant.case_id() == c.id() && grant.actor() == who_.subject &&
            grant.actor_role() == who_.role && Live(grant)) {
          return v1::CASE_ACCESS_EMERGENCY;
        }
      }
    }
    return v1::CASE_ACCESS_UNSPECIFIED;
  }

  bool Writable(const v1::Case& c) const {
    const v1::CaseAccess access = AccessOf(c);
    return access == v1::CASE_ACCESS_HANDLING || access == v1::CASE_ACCESS_SHARED_READ_WRITE;
  }

  bool SeesCase(const std::string& case_id) const {
    auto it = t_.cases.find(case_id);
    return it != t_.cases.end() && AccessOf(it->second) != v1::CASE_ACCESS_UNSPECIFIED;
  }

  // Listings: the cases handled by the unit or shared with it (never emergency access).
  template <typename Predicate>
  std::vector<v1::Case> Listed(const Predicate& wanted,
                               const std::optional<storage::CaseCursor>& after, int limit) const {
    std::vector<v1::Case> cases;
    for (const auto& [id, c] : t_.cases) {
      const v1::CaseAccess access = AccessOf(c);
      if (access == v1::CASE_ACCESS_UNSPECIFIED || access == v1::CASE_ACCESS_EMERGENCY) continue;
      if (after && !Before(Micros(c.opened_at()), c.id(), *after)) continue;
      if (!wanted(c)) continue;
      cases.push_back(c);
      cases.back().set_caller_access(access);
    }
    std::sort(cases.begin(), cases.end(), [](const v1::Case& a, const v1::Case& b) {
      return std::make_tuple(Micros(a.opened_at()), a.id()) >
             std::make_tuple(Micros(b.opened_at()), b.id());
    });
    if (static_cast<int>(cases.size()) > limit) cases.resize(limit);
    return cases;
  }

  // The policy of cases.case_shares: the grantee sees its own, the handling unit all.
  bool SeesReferral(const v1::Referral& referral) const {
    return !unit_.empty() && (referral.from_unit() == unit_ || referral.to_unit() == unit_);
  }

  bool ReferredToMe(const std::string& case_id) const {
    for (const auto& [referral, share] : t_.referrals) {
      if (referral.case_id() == case_id && referral.to_unit() == unit_ && !unit_.empty() &&
          referral.answer() == v1::ANSWER_UNSPECIFIED) {
        return true;
      }
    }
    return false;
  }

  bool SeesShare(const v1::CaseShare& share) const {
    if (unit_.empty()) return false;
    if (share.grantee() == unit_) return true;
    auto it = t_.cases.find(share.case_id());
    return it != t_.cases.end() && it->second.handling_post() == unit_;
  }

  // A share as read: the case's reference only while the caller sees the case, active as of now.
  v1::CaseShare Shown(const v1::CaseShare& share) const {
    v1::CaseShare shown = share;
    auto it = t_.cases.find(share.case_id());
    if (it != t_.cases.end() && AccessOf(it->second) != v1::CASE_ACCESS_UNSPECIFIED) {
      shown.set_case_reference(it->second.reference());
    }
    shown.set_active(Live(share));
    return shown;
  }

  // The policy of cases.emergency_access: the opener, auditors, the managers of the case's post.
  bool SeesGrant(const v1::EmergencyAccess& grant) const {
    return grant.actor() == who_.subject || who_.role == v1::ROLE_AUDITOR ||
           (who_.role == v1::ROLE_POST_MANAGER && !unit_.empty() && grant.handling_post() == unit_);
  }

  v1::EmergencyAccess Shown(const v1::EmergencyAccess& grant) const {
    v1::EmergencyAccess shown = grant;
    shown.set_active(Live(grant));
    return shown;
  }

  Tables& t_;
  const Identity& who_;
  const std::string unit_;
  const absl::Time now_;
  const BlindIndex* blind_index_;
};

}  // namespace

FakeCaseTransactions::FakeCaseTransactions(const Clock& clock, const BlindIndex* blind_index)
    : clock_(clock), blind_index_(blind_index) {}

absl::Status FakeCaseTransactions::Run(const Identity& who, const std::string& action,
                                       const std::string& case_id_hint, absl::Time now,
                                       absl::Time /*deadline*/, const Work& work) {
  storage::AuditRecord audit;
  audit.actor = who.subject;
  audit.actor_role = RoleName(who.role);
  audit.actor_post = who.post;
  audit.action = action;
  if (LooksLikeUuid(case_id_hint)) audit.case_id = absl::AsciiStrToLower(case_id_hint);
  audit.occurred_at = now;

  absl::MutexLock lock(&mu_);
  Tables working = tables_;
  FakeCaseRepository repository(&working, who, clock_.Now(), blind_index_);
  absl::Status status;
  try {
    status = work(repository, &audit);
  } catch (const std::exception& e) {
    status = absl::InternalError(absl::StrCat("internal error (fake case storage): ", e.what()));
  }
  if (status.ok()) tables_ = std::move(working);
  audit.outcome = storage::AuditOutcome(status);
  audit_.push_back(audit);
  return status;
}

std::vector<storage::AuditRecord> FakeCaseTransactions::AuditRows() const {
  absl::MutexLock lock(&mu_);
  return audit_;
}

int FakeCaseTransactions::CaseCount() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(tables_.cases.size());
}

std::optional<std::string> FakeCaseTransactions::RequestCaseId(
    const std::string& actor, const std::string& request_id) const {
  absl::MutexLock lock(&mu_);
  auto it = tables_.request_cases.find(std::make_pair(actor, request_id));
  if (it == tables_.request_cases.end()) return std::nullopt;
  return it->second;
}

}  // namespace consular::cases::testing

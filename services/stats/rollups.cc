#include "services/stats/rollups.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "services/stats/contact_presence.h"
#include "storage/stats_store.h"

namespace consular::stats {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using storage::CaseState;
using storage::ContactCasesRow;
using storage::ContactState;
using storage::RollupRow;
using storage::StatsStore;
using storage::StreamCursor;
using storage::StreamEvent;

absl::Status Invalid(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("statistical facts: ", what));
}

absl::StatusOr<Struct> ParseStruct(const std::string& json) {
  Struct s;
  if (!google::protobuf::util::JsonStringToMessage(json, &s).ok()) return Invalid("not JSON");
  return s;
}

absl::StatusOr<std::string> StringField(const Struct& s, const char* name) {
  const auto it = s.fields().find(name);
  if (it == s.fields().end() || it->second.kind_case() != Value::kStringValue) {
    return Invalid(absl::StrCat("no text ", name));
  }
  return it->second.string_value();
}

absl::StatusOr<std::vector<std::string>> StringList(const Struct& s, const char* name) {
  const auto it = s.fields().find(name);
  if (it == s.fields().end() || it->second.kind_case() != Value::kListValue) {
    return Invalid(absl::StrCat("no list ", name));
  }
  std::vector<std::string> out;
  for (const Value& v : it->second.list_value().values()) {
    if (v.kind_case() != Value::kStringValue) return Invalid(absl::StrCat("bad item in ", name));
    out.push_back(v.string_value());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::StatusOr<absl::CivilDay> DayOf(const std::string& text, const char* name) {
  int y = 0, m = 0, d = 0;
  char rest = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%d%c", &y, &m, &d, &rest) != 3) {
    return Invalid(absl::StrCat("bad date ", name));
  }
  return absl::CivilDay(y, m, d);
}

absl::StatusOr<ContactFacts> ContactFrom(const Struct& s) {
  ContactFacts c;
  absl::StatusOr<std::string> id = StringField(s, "id");
  absl::StatusOr<std::string> day = StringField(s, "day");
  absl::StatusOr<std::string> kind = StringField(s, "partner_kind");
  absl::StatusOr<std::string> purpose = StringField(s, "purpose");
  for (const absl::Status& st : {id.status(), day.status(), kind.status(), purpose.status()}) {
    if (!st.ok()) return st;
  }
  CONSULAR_ASSIGN_OR_RETURN(absl::CivilDay d, DayOf(*day, "day"));
  c.id = *id;
  c.day = d;
  c.partner_kind = *kind;
  c.purpose = *purpose;
  return c;
}

}  // namespace

bool CaseFacts::operator==(const CaseFacts& o) const {
  return country == o.country && type == o.type && status == o.status && outcome == o.outcome &&
         opened == o.opened && resolved == o.resolved && age_group == o.age_group &&
         mother_with_minor_children == o.mother_with_minor_children && sex == o.sex &&
         nationality_status == o.nationality_status && referral_source == o.referral_source &&
         risk_flags == o.risk_flags && recognition_decision == o.recognition_decision &&
         recognition_obstacles == o.recognition_obstacles &&
         recognition_stage == o.recognition_stage && children == o.children &&
         return_funding == o.return_funding;
}

bool ContactFacts::operator==(const ContactFacts& o) const {
  return id == o.id && day == o.day && partner_kind == o.partner_kind && purpose == o.purpose;
}

absl::StatusOr<CaseFacts> ParseCaseFacts(const std::string& json) {
  CONSULAR_ASSIGN_OR_RETURN(Struct s, ParseStruct(json));
  CaseFacts f;
  struct Text {
    const char* name;
    std::string* out;
  };
  for (const Text& t :
       {Text{"country", &f.country}, Text{"type", &f.type}, Text{"status", &f.status},
        Text{"outcome", &f.outcome}, Text{"age_group", &f.age_group}, Text{"sex", &f.sex},
        Text{"nationality_status", &f.nationality_status},
        Text{"referral_source", &f.referral_source},
        Text{"recognition_decision", &f.recognition_decision}}) {
    absl::StatusOr<std::string> v = StringField(s, t.name);
    if (!v.ok()) return v.status();
    *t.out = *v;
  }
  // The facts of migration 0019: absent from events written before it (then the defaults).
  for (const Text& t : {Text{"recognition_stage", &f.recognition_stage},
                        Text{"children", &f.children}, Text{"return_funding", &f.return_funding}}) {
    if (s.fields().count(t.name) == 0) continue;
    absl::StatusOr<std::string> v = StringField(s, t.name);
    if (!v.ok()) return v.status();
    *t.out = *v;
  }
  absl::StatusOr<std::string> opened = StringField(s, "opened");
  if (!opened.ok()) return opened.status();
  absl::StatusOr<absl::CivilDay> opened_day = DayOf(*opened, "opened");
  if (!opened_day.ok()) return opened_day.status();
  f.opened = *opened_day;
  absl::StatusOr<std::string> resolved = StringField(s, "resolved");
  if (!resolved.ok()) return resolved.status();
  if (!resolved->empty()) {
    absl::StatusOr<absl::CivilDay> day = DayOf(*resolved, "resolved");
    if (!day.ok()) return day.status();
    f.resolved = *day;
  }
  const auto mother = s.fields().find("mother_with_minor_children");
  if (mother == s.fields().end() || mother->second.kind_case() != Value::kBoolValue) {
    return Invalid("no mother_with_minor_children");
  }
  f.mother_with_minor_children = mother->second.bool_value();
  absl::StatusOr<std::vector<std::string>> flags = StringList(s, "risk_flags");
  if (!flags.ok()) return flags.status();
  f.risk_flags = std::move(*flags);
  absl::StatusOr<std::vector<std::string>> obstacles = StringList(s, "recognition_obstacles");
  if (!obstacles.ok()) return obstacles.status();
  f.recognition_obstacles = std::move(*obstacles);
  return f;
}

absl::StatusOr<std::optional<ContactFacts>> ParseContactOf(const std::string& json) {
  CONSULAR_ASSIGN_OR_RETURN(Struct s, ParseStruct(json));
  const auto it = s.fields().find("contact");
  if (it == s.fields().end()) return std::optional<ContactFacts>();
  if (it->second.kind_case() != Value::kStructValue) return Invalid("contact is not an object");
  absl::StatusOr<ContactFacts> c = ContactFrom(it->second.struct_value());
  if (!c.ok()) return c.status();
  return std::optional<ContactFacts>(*c);
}

absl::StatusOr<ContactFacts> ParseContactFacts(const std::string& json) {
  CONSULAR_ASSIGN_OR_RETURN(Struct s, ParseStruct(json));
  return ContactFrom(s);
}

std::string ContactFactsJson(const ContactFacts& c) {
  return absl::StrFormat(R"({"id":"%s","day":"%04d-%02d-%02d","partner_kind":"%s","purpose":"%s"})",
                         c.id, c.day.year(), c.day.month(), c.day.day(), c.partner_kind, c.purpose);
}

std::array<std::pair<const char*, std::string>, 3> ContactCategories(const ContactFacts& c) {
  return {{{kTotal, kAll},
           {"DIMENSION_PARTNER_KIND", c.partner_kind},
           {"DIMENSION_CONTACT_PURPOSE", c.purpose}}};
}

void RollupDelta::Add(const std::string& country, absl::CivilDay day, const char* measure,
                      const std::string& dimension, const std::string& category, int sign) {
  counts_[Key(country, static_cast<int>(day.year()), day.month(), measure, dimension, category)] +=
      sign;
}

void RollupDelta::AddCase(const CaseFacts& c, int sign) {
  const auto opened = [&](const std::string& dimension, const std::string& category) {
    Add(c.country, c.opened, kOpened, dimension, category, sign);
  };
  opened(kTotal, kAll);
  opened("DIMENSION_CASE_TYPE", c.type);
  opened("DIMENSION_STATUS", c.status);
  opened("DIMENSION_AGE_GROUP", c.age_group);
  opened("DIMENSION_MOTHER_WITH_MINOR_CHILDREN", c.mother_with_minor_children ? "YES" : "NO");
  opened("DIMENSION_SEX", c.sex);
  opened("DIMENSION_NATIONALITY_STATUS", c.nationality_status);
  opened("DIMENSION_REFERRAL_SOURCE", c.referral_source);
  for (const std::string& flag : c.risk_flags) opened("DIMENSION_RISK_FLAG", flag);
  if (c.type == "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION") {
    opened("DIMENSION_RECOGNITION_DECISION", c.recognition_decision);
    for (const std::string& o : c.recognition_obstacles)
      opened("DIMENSION_RECOGNITION_OBSTACLE", o);
    opened("DIMENSION_RECOGNITION_STAGE", c.recognition_stage);
  }
  if (c.type == "CASE_TYPE_ABANDONMENT") opened("DIMENSION_CHILDREN", c.children);
  if (c.resolved.has_value()) {
    const auto resolved = [&](const std::string& dimension, const std::string& category) {
      Add(c.country, *c.resolved, kResolved, dimension, category, sign);
    };
    resolved(kTotal, kAll);
    resolved("DIMENSION_CASE_TYPE", c.type);
    resolved("DIMENSION_OUTCOME", c.outcome);
    // The returns (only abandonment cases return): who paid for them.
    if (c.outcome == "OUTCOME_RETURNED_TO_NL") {
      resolved("DIMENSION_RETURN_FUNDING", c.return_funding);
    }
    resolved(kDays, std::to_string(*c.resolved - c.opened));
  }
}

void RollupDelta::AddContact(const std::string& country, const ContactFacts& c, int sign) {
  for (const auto& [dimension, category] : ContactCategories(c)) {
    Add(country, c.day, kContacts, dimension, category, sign);
  }
}

std::vector<RollupRow> RollupDelta::Rows() const {
  std::vector<RollupRow> rows;
  for (const auto& [key, n] : counts_) {
    if (n == 0) continue;
    const auto& [country, year, month, measure, dimension, category] = key;
    rows.push_back({country, year, month, measure, dimension, category, n});
  }
  return rows;
}

bool RollupDelta::empty() const {
  return std::all_of(counts_.begin(), counts_.end(), [](const auto& kv) { return kv.second == 0; });
}

absl::Status ApplyEvents(StatsStore& store, const std::vector<StreamEvent>& events) {
  if (events.empty()) return absl::OkStatus();
  std::vector<std::string> case_ids;
  for (const StreamEvent& e : events) case_ids.push_back(e.case_id);
  std::sort(case_ids.begin(), case_ids.end());
  case_ids.erase(std::unique(case_ids.begin(), case_ids.end()), case_ids.end());

  struct CaseEntry {
    int sequence = 0;
    std::optional<CaseFacts> facts;
    std::string json;
    bool dirty = false;
  };
  struct ContactEntry {
    std::string case_id;
    int sequence = 0;
    ContactFacts facts;
    bool dirty = false;
  };
  std::unordered_map<std::string, CaseEntry> cases;
  std::unordered_map<std::string, ContactEntry> contacts;
  std::unordered_map<std::string, std::vector<std::string>> contacts_of_case;
  for (const CaseState& s : store.CaseStates(case_ids)) {
    absl::StatusOr<CaseFacts> f = ParseCaseFacts(s.facts);
    if (!f.ok()) return f.status();
    cases[s.case_id] = CaseEntry{s.sequence, std::move(*f), s.facts, false};
  }
  for (const ContactState& s : store.ContactStatesOfCases(case_ids)) {
    absl::StatusOr<ContactFacts> f = ParseContactFacts(s.facts);
    if (!f.ok()) return f.status();
    contacts[s.contact_id] = ContactEntry{s.case_id, s.sequence, std::move(*f), false};
    contacts_of_case[s.case_id].push_back(s.contact_id);
  }

  RollupDelta delta;
  ContactPresenceDelta presence;
  // A contact counts among its case's country's contacts, and its case among the cases with
  // contacts there.
  const auto count_contact = [&](const std::string& case_id, const std::string& country,
                                 const ContactFacts& c, int sign) {
    delta.AddContact(country, c, sign);
    presence.AddContact(case_id, country, c, sign);
  };
  for (const StreamEvent& e : events) {
    if (e.facts.empty()) continue;  // a case without a row: nothing to count
    CaseEntry& entry = cases[e.case_id];
    // Events of one case count in sequence order: an older one arriving later changes nothing.
    if (entry.facts.has_value() && e.sequence <= entry.sequence) continue;
    absl::StatusOr<CaseFacts> facts = ParseCaseFacts(e.facts);
    if (!facts.ok()) return facts.status();
    absl::StatusOr<std::optional<ContactFacts>> contact = ParseContactOf(e.facts);
    if (!contact.ok()) return contact.status();

    const std::optional<CaseFacts> old = entry.facts;
    if (!old.has_value() || *old != *facts) {
      if (old.has_value()) delta.AddCase(*old, -1);
      delta.AddCase(*facts, +1);
      if (old.has_value() && old->country != facts->country) {
        for (const std::string& contact_id : contacts_of_case[e.case_id]) {
          count_contact(e.case_id, old->country, contacts[contact_id].facts, -1);
          count_contact(e.case_id, facts->country, contacts[contact_id].facts, +1);
        }
      }
    }
    entry.sequence = e.sequence;
    entry.facts = *facts;
    entry.dirty = true;

    if (contact->has_value()) {
      const ContactFacts& c = **contact;
      auto it = contacts.find(c.id);
      if (it == contacts.end()) {
        count_contact(e.case_id, facts->country, c, +1);
        contacts[c.id] = ContactEntry{e.case_id, e.sequence, c, true};
        contacts_of_case[e.case_id].push_back(c.id);
      } else if (it->second.facts != c) {
        count_contact(e.case_id, facts->country, it->second.facts, -1);
        count_contact(e.case_id, facts->country, c, +1);
        it->second.facts = c;
        it->second.sequence = e.sequence;
        it->second.dirty = true;
      }
    }
  }

  // Store the facts as parsed (JSON of the last event applied for the case).
  std::unordered_map<std::string, std::string> last_json;
  for (const StreamEvent& e : events) {
    const CaseEntry& entry = cases[e.case_id];
    if (entry.dirty && entry.sequence == e.sequence) last_json[e.case_id] = e.facts;
  }
  std::vector<CaseState> case_states;
  for (const auto& [id, entry] : cases) {
    if (!entry.dirty) continue;
    case_states.push_back({id, entry.sequence, last_json[id]});
  }
  std::vector<ContactState> contact_states;
  for (const auto& [id, entry] : contacts) {
    if (!entry.dirty) continue;
    contact_states.push_back({id, entry.case_id, entry.sequence, ContactFactsJson(entry.facts)});
  }
  store.SaveCaseStates(case_states);
  store.SaveContactStates(contact_states);
  store.AddToRollups(delta.Rows());
  store.AddToContactPresence(presence.Rows());
  return absl::OkStatus();
}

namespace {

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

// Calls `write` with consecutive pieces of `rows`, each of at most `chunk` rows.
template <typename Row, typename Write>
void WriteInChunks(const std::vector<Row>& rows, size_t chunk, Write write) {
  for (size_t i = 0; i < rows.size(); i += chunk) {
    write(std::vector<Row>(
        rows.begin() + static_cast<std::ptrdiff_t>(i),
        rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), i + chunk))));
  }
}

// Applies the events after the cursor of transactions below `before`, at most `limit`; advances
// the cursor. Returns how many were applied.
absl::StatusOr<int64_t> ApplyBatch(StatsStore& store, StreamCursor& cursor,
                                   const std::string& before, int limit) {
  const std::vector<StreamEvent> events =
      store.EventsAfter(cursor.applied_xid, cursor.applied_id, before, limit);
  absl::Status applied = ApplyEvents(store, events);
  if (!applied.ok()) return applied;
  if (!events.empty()) {
    cursor.applied_xid = events.back().xid;
    cursor.applied_id = events.back().id;
  }
  return static_cast<int64_t>(events.size());
}

}  // namespace

absl::StatusOr<int64_t> RollupUpdater::CatchUp() {
  int64_t total = 0;
  while (true) {
    int64_t applied = 0;
    absl::Status status =
        runner_->Run(absl::InfiniteFuture(), [&](pqxx::transaction_base& tx) -> absl::Status {
          StatsStore store(tx);
          const std::string horizon = store.Horizon();
          StreamCursor cursor = store.LockCursor();
          CONSULAR_ASSIGN_OR_RETURN(int64_t n, ApplyBatch(store, cursor, horizon, batch_size_));
          applied = n;
          // Caught up once a batch comes back short: everything below the horizon is applied.
          if (applied < batch_size_) {
            cursor.horizon = horizon;
            cursor.caught_up_micros = NowMicros();
          }
          store.SaveCursor(cursor);
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    total += applied;
    if (applied < batch_size_) return total;
  }
}

absl::StatusOr<int64_t> RollupUpdater::Rebuild() {
  // Replaying the stream ends with each case counted by the facts of its last event and each
  // contact by those of the last event that carried it: take exactly those, in one pass.
  constexpr int kChunk = 10000;
  int64_t events = 0;
  absl::Status status =
      runner_->Run(absl::Now() + absl::Hours(4), [&](pqxx::transaction_base& tx) -> absl::Status {
        StatsStore store(tx);
        const std::string horizon = store.Horizon();
        store.LockCursor();
        store.Clear();
        store.OpenLastFactsCursors(horizon);
        RollupDelta delta;
        // The presence rows of a chunk of cases are its own (keyed by case): written per chunk.
        ContactPresenceDelta presence;
        // Contacts come in case id order, like cases: merged as both are read.
        std::vector<ContactState> contacts = store.FetchLastContactFacts(kChunk);
        size_t next_contact = 0;
        while (true) {
          const std::vector<CaseState> cases = store.FetchLastCaseFacts(kChunk);
          if (cases.empty()) break;
          std::vector<ContactState> contact_states;
          for (const CaseState& c : cases) {
            absl::StatusOr<CaseFacts> facts = ParseCaseFacts(c.facts);
            if (!facts.ok()) return facts.status();
            delta.AddCase(*facts, +1);
            while (true) {
              if (next_contact == contacts.size()) {
                contacts = store.FetchLastContactFacts(kChunk);
                next_contact = 0;
                if (contacts.empty()) break;
              }
              const ContactState& k = contacts[next_contact];
              if (k.case_id > c.case_id) break;
              ++next_contact;
              if (k.case_id < c.case_id) continue;  // a contact of a case without events
              absl::StatusOr<ContactFacts> contact = ParseContactFacts(k.facts);
              if (!contact.ok()) return contact.status();
              delta.AddContact(facts->country, *contact, +1);
              presence.AddContact(c.case_id, facts->country, *contact, +1);
              contact_states.push_back(k);
            }
          }
          store.SaveCaseStates(cases);
          store.SaveContactStates(contact_states);
          // Each case is in one chunk only, so its rows are new: inserted, not merged.
          WriteInChunks(presence.Rows(), kChunk,
                        [&](const auto& rows) { store.InsertContactPresence(rows); });
          presence.Clear();
        }
        WriteInChunks(delta.Rows(), kChunk, [&](const auto& rows) { store.AddToRollups(rows); });
        StreamCursor cursor;
        if (const std::optional<StatsStore::LastEventOf> last = store.LastEvent(horizon)) {
          cursor.applied_xid = last->xid;
          cursor.applied_id = last->id;
          events = last->events;
        }
        cursor.horizon = horizon;
        cursor.caught_up_micros = NowMicros();
        store.SaveCursor(cursor);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return events;
}

namespace {

// Compares rows kept incrementally with the rows recounted (n > 0 each, in any order); adds to
// `out` every key whose counts differ, a missing row counting 0.
void AddDifferences(std::vector<RollupRow> kept, std::vector<RollupRow> recounted,
                    std::vector<RollupDifference>* out) {
  const auto key = [](const RollupRow& r) {
    return std::tie(r.country, r.year, r.month, r.measure, r.dimension, r.category);
  };
  const auto by_key = [&](const RollupRow& a, const RollupRow& b) { return key(a) < key(b); };
  std::sort(kept.begin(), kept.end(), by_key);
  std::sort(recounted.begin(), recounted.end(), by_key);
  size_t i = 0, j = 0;
  while (i < kept.size() || j < recounted.size()) {
    if (j == recounted.size() || (i < kept.size() && key(kept[i]) < key(recounted[j]))) {
      out->push_back({kept[i], kept[i].n, 0});
      ++i;
    } else if (i == kept.size() || key(recounted[j]) < key(kept[i])) {
      out->push_back({recounted[j], 0, recounted[j].n});
      ++j;
    } else {
      if (kept[i].n != recounted[j].n) out->push_back({kept[i], kept[i].n, recounted[j].n});
      ++i;
      ++j;
    }
  }
}

// Counts of cases with contacts as rows of measure kContactCases, the slot in place of the month.
std::vector<RollupRow> AsRollupRows(const std::vector<ContactCasesRow>& rows) {
  std::vector<RollupRow> out;
  out.reserve(rows.size());
  for (const ContactCasesRow& r : rows) {
    out.push_back({r.country, r.year, r.slot, kContactCases, r.dimension, r.category, r.cases});
  }
  return out;
}

std::vector<RollupRow> Relabelled(std::vector<RollupRow> rows, const char* measure) {
  for (RollupRow& r : rows) r.measure = measure;
  return rows;
}

}  // namespace

std::string DescribeDifference(const RollupDifference& d) {
  const storage::RollupRow& k = d.key;
  std::string period = absl::StrCat(k.year, "-", k.month);
  if (k.measure == kContactCases) {
    period = k.month >= storage::kYearSlot ? absl::StrCat(k.year)
             : k.month >= storage::kFirstQuarterSlot
                 ? absl::StrCat(k.year, "-Q", k.month - storage::kFirstQuarterSlot + 1)
                 : absl::StrCat(k.year, "-", k.month + 1);
  }
  return absl::StrCat(k.country, " ", period, " ", k.measure, " ", k.dimension, " ", k.category,
                      ": rollup ", d.rollup, ", recount ", d.recount);
}

absl::StatusOr<std::vector<RollupDifference>> RollupUpdater::Verify() {
  std::vector<RollupDifference> differences;
  // The comparison writes into the transaction, then rolls it back: the work ends with this.
  const absl::Status kRollBack = absl::CancelledError("verify rolls back");
  absl::Status status = runner_->Run(
      absl::Now() + absl::Hours(1),
      [&](pqxx::transaction_base& tx) -> absl::Status {
        differences.clear();
        StatsStore store(tx);
        StreamCursor cursor = store.LockCursor();
        // Every event visible in this snapshot: no transaction id reaches this bound.
        const std::string everything = "18446744073709551615";
        while (true) {
          CONSULAR_ASSIGN_OR_RETURN(int64_t n, ApplyBatch(store, cursor, everything, batch_size_));
          if (n < batch_size_) break;
        }
        const std::vector<RollupRow> recount = store.Recount("");
        AddDifferences(store.AllRollups(), recount, &differences);
        // The persons: distinct cases with contacts per month, quarter and year.
        AddDifferences(AsRollupRows(store.AllContactCases()),
                       AsRollupRows(store.ContactCasesRecount("")), &differences);
        // The presence references: as many per month and category as there are contacts.
        std::vector<RollupRow> contacts;
        for (const RollupRow& r : recount) {
          if (r.measure == kContacts) contacts.push_back(r);
        }
        AddDifferences(Relabelled(store.ContactPresenceSums(), kContactPresence),
                       Relabelled(std::move(contacts), kContactPresence), &differences);
        return kRollBack;
      },
      storage::Isolation::kRepeatableRead);
  if (status != kRollBack) return status.ok() ? absl::InternalError("verify committed") : status;
  return differences;
}

absl::StatusOr<Freshness> RollupUpdater::CurrentFreshness() {
  Freshness f;
  absl::Status status =
      runner_->RunReadOnly(absl::InfiniteFuture(), [&](pqxx::transaction_base& tx) {
        const StatsStore::Freshness stored = StatsStore(tx).ReadFreshness();
        f.as_of = absl::FromUnixMicros(stored.caught_up_micros);
        f.pending = stored.pending ? 1 : 0;
        f.lag = stored.pending ? std::max(absl::ZeroDuration(), absl::Now() - f.as_of)
                               : absl::ZeroDuration();
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return f;
}

}  // namespace consular::stats

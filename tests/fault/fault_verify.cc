#include "tests/fault/fault_verify.h"

#include <atomic>
#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "consular/v1/audit.grpc.pb.h"
#include "consular/v1/cases.grpc.pb.h"
#include "tests/fault/fault_client.h"

namespace consular::fault {
namespace {

namespace v1 = consular::v1;

// What the API shows of one case.
struct CaseView {
  v1::Case c;
  std::vector<v1::CaseEvent> events;
  std::vector<v1::CaseNote> notes;
  std::string error;  // why it could not be read
};

// Calls `call` until it returns OK or a status that is not worth retrying, for at most `patience`:
// the service has recovered when verification starts, but a read may still meet a last hiccup.
grpc::Status Patiently(absl::Duration patience,
                       const std::function<grpc::Status(grpc::ClientContext*)>& call,
                       absl::Duration timeout, const std::string& token) {
  const absl::Time give_up = absl::Now() + patience;
  while (true) {
    grpc::ClientContext context;
    PrepareContext(&context, token, timeout);
    grpc::Status status = call(&context);
    if (status.ok() || !IsRetryable(status.error_code()) || absl::Now() > give_up) return status;
    absl::SleepFor(absl::Milliseconds(200));
  }
}

std::string Describe(const grpc::Status& status) {
  return absl::StrCat(CodeName(status.error_code()), ": ", status.error_message());
}

class Verifier {
 public:
  Verifier(const VerifyOptions& options, const std::vector<Write>& writes)
      : options_(options),
        cases_(v1::CaseService::NewStub(options.cases)),
        audit_(v1::AuditService::NewStub(options.audit)) {
    for (const Write& w : writes) {
      by_request_[w.request_id] = &w;
      if (w.rejected) {
        ++report_.rejected;
      } else if (!w.acknowledged) {
        ++report_.unacknowledged;
      }
      if (w.kind == WriteKind::kUpdate) updates_by_case_[w.case_id].push_back(&w);
      if (w.kind == WriteKind::kNote) notes_by_case_[w.case_id].push_back(&w);
      if (w.kind == WriteKind::kCreate) creates_.push_back(&w);
    }
  }

  VerifyReport Run() {
    if (ReadCases()) {
      CheckCreates();
      for (const auto& [id, view] : views_) CheckCase(view);
      CheckDatabase();
    }
    CheckAuditChain();
    return std::move(report_);
  }

 private:
  void Violation(std::string what) { report_.violations.push_back(std::move(what)); }

  // Every case the officer sees, with its timeline and notes.
  bool ReadCases() {
    std::string page_token;
    do {
      v1::ListCasesRequest request;
      request.set_page_size(500);
      request.set_page_token(page_token);
      v1::ListCasesResponse response;
      const grpc::Status status = Patiently(
          absl::Seconds(30),
          [&](grpc::ClientContext* context) {
            return cases_->ListCases(context, request, &response);
          },
          options_.call_timeout, options_.officer_token);
      if (!status.ok()) {
        Violation(absl::StrCat("ListCases failed after recovery: ", Describe(status)));
        return false;
      }
      for (const v1::Case& c : response.cases()) views_[c.id()].c = c;
      page_token = response.next_page_token();
    } while (!page_token.empty());

    std::vector<CaseView*> todo;
    for (auto& [id, view] : views_) todo.push_back(&view);
    std::atomic<size_t> next{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < std::max(1, options_.threads); ++t) {
      readers.emplace_back([&] {
        for (size_t i = next++; i < todo.size(); i = next++) ReadCase(todo[i]);
      });
    }
    for (std::thread& reader : readers) reader.join();
    for (const CaseView* view : todo) {
      if (!view->error.empty()) Violation(view->error);
      report_.events += static_cast<int64_t>(view->events.size());
      report_.notes += static_cast<int64_t>(view->notes.size());
    }
    report_.cases = static_cast<int64_t>(views_.size());
    return true;
  }

  void ReadCase(CaseView* view) {
    const std::string& id = view->c.id();
    std::string page_token;
    do {
      v1::ListCaseEventsRequest request;
      request.set_case_id(id);
      request.set_page_size(500);
      request.set_page_token(page_token);
      v1::ListCaseEventsResponse response;
      const grpc::Status status = Patiently(
          absl::Seconds(30),
          [&](grpc::ClientContext* context) {
            return cases_->ListCaseEvents(context, request, &response);
          },
          options_.call_timeout, options_.officer_token);
      if (!status.ok()) {
        view->error = absl::StrCat("ListCaseEvents ", id, ": ", Describe(status));
        return;
      }
      view->events.insert(view->events.end(), response.events().begin(), response.events().end());
      page_token = response.next_page_token();
    } while (!page_token.empty());
    do {
      v1::ListCaseNotesRequest request;
      request.set_case_id(id);
      request.set_page_size(500);
      request.set_page_token(page_token);
      v1::ListCaseNotesResponse response;
      const grpc::Status status = Patiently(
          absl::Seconds(30),
          [&](grpc::ClientContext* context) {
            return cases_->ListCaseNotes(context, request, &response);
          },
          options_.call_timeout, options_.officer_token);
      if (!status.ok()) {
        view->error = absl::StrCat("ListCaseNotes ", id, ": ", Describe(status));
        return;
      }
      view->notes.insert(view->notes.end(), response.notes().begin(), response.notes().end());
      page_token = response.next_page_token();
    } while (!page_token.empty());
  }

  // The request id in `text` after `prefix` (a marker), or "" if it has none.
  static std::string RequestIdIn(const std::string& text, const std::string& prefix) {
    return absl::StartsWith(text, prefix) ? text.substr(prefix.size()) : std::string();
  }

  void CheckCreates() {
    std::map<std::string, std::vector<const v1::Case*>> by_marker;
    for (const auto& [id, view] : views_) {
      const std::string rid = RequestIdIn(view.c.safety().covert_notes(), CreateMarker(""));
      const auto sent = by_request_.find(rid);
      if (sent == by_request_.end() || sent->second->kind != WriteKind::kCreate) {
        Violation(absl::StrCat("case ", view.c.reference(), " (", id,
                               ") carries no marker of a CreateCase that was sent: \"",
                               view.c.safety().covert_notes(), "\""));
        continue;
      }
      by_marker[rid].push_back(&view.c);
    }
    for (const Write* w : creates_) {
      const auto found = by_marker.find(w->request_id);
      const size_t n = found == by_marker.end() ? 0 : found->second.size();
      if (n > 1) {
        std::string refs;
        for (const v1::Case* c : found->second) absl::StrAppend(&refs, " ", c->reference());
        Violation(absl::StrCat("CreateCase ", w->request_id, " created ", n, " cases:", refs));
      }
      if (!w->acknowledged) {
        if (n == 1) ++report_.unacknowledged_present;
        continue;
      }
      if (n == 0) {
        Violation(absl::StrCat("acknowledged CreateCase ", w->request_id, " (", w->reference, ", ",
                               w->case_id, ") is lost"));
      } else if (found->second[0]->id() != w->case_id ||
                 found->second[0]->reference() != w->reference) {
        Violation(absl::StrCat("acknowledged CreateCase ", w->request_id, " returned ",
                               w->reference, " ", w->case_id, " but its case is ",
                               found->second[0]->reference(), " ", found->second[0]->id()));
      }
    }
  }

  void CheckCase(const CaseView& view) {
    const v1::Case& c = view.c;
    const std::string name = absl::StrCat("case ", c.reference(), " (", c.id(), ")");
    // The timeline: one CREATED first, numbered 1..n, versions growing by UPDATED events only.
    int64_t version = 0;
    int created = 0;
    std::map<int64_t, int> updated_at;  // version -> UPDATED events making it
    std::map<std::string, int> note_events;
    for (size_t i = 0; i < view.events.size(); ++i) {
      const v1::CaseEvent& e = view.events[i];
      if (e.sequence() != static_cast<int64_t>(i) + 1) {
        Violation(absl::StrCat(name, ": event ", i + 1, " has sequence ", e.sequence()));
      }
      switch (e.type()) {
        case v1::CASE_EVENT_TYPE_CREATED:
          ++created;
          if (i != 0 || e.case_version() != 1) {
            Violation(absl::StrCat(name, ": CASE_CREATED at sequence ", e.sequence(), ", version ",
                                   e.case_version()));
          }
          version = 1;
          break;
        case v1::CASE_EVENT_TYPE_UPDATED:
          if (e.case_version() != version + 1) {
            Violation(absl::StrCat(name, ": UPDATED event ", e.sequence(), " makes version ",
                                   e.case_version(), " after version ", version));
          }
          version = e.case_version();
          ++updated_at[version];
          break;
        case v1::CASE_EVENT_TYPE_NOTE_ADDED:
          if (e.case_version() != version) {
            Violation(absl::StrCat(name, ": NOTE_ADDED event ", e.sequence(), " at version ",
                                   e.case_version(), ", the case being at ", version));
          }
          ++note_events[e.note_id()];
          break;
        default:
          Violation(absl::StrCat(name, ": unexpected event ", v1::CaseEventType_Name(e.type())));
      }
    }
    if (created != 1) Violation(absl::StrCat(name, ": ", created, " CASE_CREATED events"));
    if (version != c.version()) {
      Violation(
          absl::StrCat(name, ": version ", c.version(), " but its timeline ends at ", version));
    }

    // Updates: one UPDATED event per acknowledged update, at the version it returned; no more
    // UPDATED events than updates sent; the case holds the marker of the update of its version.
    const auto sent_updates = updates_by_case_.find(c.id());
    size_t updates_sent = 0;
    size_t acknowledged_updates = 0;
    const Write* makes_current = nullptr;
    std::set<std::string> markers;
    if (sent_updates != updates_by_case_.end()) {
      for (const Write* w : sent_updates->second) {
        if (w->rejected) continue;
        ++updates_sent;
        markers.insert(UpdateMarker(w->request_id));
        if (!w->acknowledged) continue;
        ++acknowledged_updates;
        const int events = updated_at.count(w->version) ? updated_at[w->version] : 0;
        if (events != 1 || w->version > c.version()) {
          Violation(absl::StrCat(name, ": acknowledged UpdateCase ", w->request_id,
                                 " returned version ", w->version, "; the case is at version ",
                                 c.version(), " with ", events, " UPDATED event(s) making it"));
        }
        if (w->version == c.version()) makes_current = w;
      }
    }
    const size_t updated_events = static_cast<size_t>(version - 1);
    if (updated_events > updates_sent) {
      Violation(absl::StrCat(name, ": ", updated_events, " UPDATED events from ", updates_sent,
                             " updates sent (and not answered ABORTED)"));
    }
    const std::string& field = c.safety().safe_contact_times();
    if (updated_events == 0 ? !field.empty() : markers.count(field) == 0) {
      Violation(absl::StrCat(name, ": safety.safe_contact_times is \"", field,
                             "\", which no update sent to it (and not answered ABORTED) wrote"));
    } else if (makes_current != nullptr && field != UpdateMarker(makes_current->request_id)) {
      Violation(absl::StrCat(name, ": at version ", c.version(), " made by acknowledged ",
                             makes_current->request_id, " it holds \"", field, "\""));
    }
    // Updates committed but not acknowledged (the response lost in the fault): allowed.
    if (updated_events > acknowledged_updates && updated_events <= updates_sent) {
      report_.unacknowledged_present += static_cast<int64_t>(updated_events - acknowledged_updates);
    }

    // Notes: acknowledged ones present once; no text twice; one NOTE_ADDED event each.
    std::map<std::string, int> notes_by_marker;
    std::map<std::string, int> notes_by_id;
    for (const v1::CaseNote& note : view.notes) {
      const std::string rid = RequestIdIn(note.text(), NoteText(""));
      const auto sent = by_request_.find(rid);
      if (sent == by_request_.end() || sent->second->kind != WriteKind::kNote ||
          sent->second->case_id != c.id()) {
        Violation(
            absl::StrCat(name, ": note ", note.id(), " was not sent to it: \"", note.text(), "\""));
        continue;
      }
      ++notes_by_marker[rid];
      ++notes_by_id[note.id()];
      if (note_events[note.id()] != 1) {
        Violation(absl::StrCat(name, ": note ", note.id(), " has ", note_events[note.id()],
                               " NOTE_ADDED events"));
      }
    }
    size_t note_event_count = 0;
    for (const auto& [id, n] : note_events) note_event_count += static_cast<size_t>(n);
    if (note_event_count != view.notes.size()) {
      Violation(absl::StrCat(name, ": ", note_event_count, " NOTE_ADDED events for ",
                             view.notes.size(), " notes"));
    }
    const auto sent_notes = notes_by_case_.find(c.id());
    if (sent_notes != notes_by_case_.end()) {
      for (const Write* w : sent_notes->second) {
        const int n = notes_by_marker.count(w->request_id) ? notes_by_marker[w->request_id] : 0;
        if (n > 1)
          Violation(absl::StrCat(name, ": AddCaseNote ", w->request_id, " added ", n, " notes"));
        if (!w->acknowledged) {
          if (n == 1) ++report_.unacknowledged_present;
          continue;
        }
        if (n == 0 || notes_by_id[w->note_id] != 1) {
          Violation(absl::StrCat(name, ": acknowledged AddCaseNote ", w->request_id, " (note ",
                                 w->note_id, ") is lost"));
        }
      }
    }
  }

  // PostgreSQL itself: the same cases and timelines, the idempotency records, the audit rows.
  void CheckDatabase() {
    try {
      pqxx::connection connection(options_.dsn);
      pqxx::work tx(connection);
      const pqxx::result cases = tx.exec("SELECT id::text, version FROM cases.cases");
      if (cases.size() != views_.size()) {
        Violation(absl::StrCat("PostgreSQL holds ", cases.size(), " cases, the API shows ",
                               views_.size()));
      }
      for (const pqxx::row& row : cases) {
        const auto view = views_.find(row[0].as<std::string>());
        if (view == views_.end() || view->second.c.version() != row[1].as<int64_t>()) {
          Violation(absl::StrCat("case ", row[0].as<std::string>(), " at version ",
                                 row[1].as<int64_t>(), " in PostgreSQL differs from the API"));
        }
      }
      const pqxx::result events = tx.exec(
          "SELECT case_id::text, count(*), "
          "count(*) FILTER (WHERE event_type = 'CASE_EVENT_TYPE_CREATED'), "
          "count(*) FILTER (WHERE event_type = 'CASE_EVENT_TYPE_UPDATED'), "
          "count(*) FILTER (WHERE event_type = 'CASE_EVENT_TYPE_NOTE_ADDED') "
          "FROM cases.case_events GROUP BY case_id");
      std::map<std::string, std::vector<int64_t>> event_counts;
      for (const pqxx::row& row : events) {
        event_counts[row[0].as<std::string>()] = {row[1].as<int64_t>(), row[2].as<int64_t>(),
                                                  row[3].as<int64_t>(), row[4].as<int64_t>()};
      }
      const pqxx::result audit = tx.exec(
          "SELECT case_id::text, "
          "count(*) FILTER (WHERE action = 'CaseService.CreateCase'), "
          "count(*) FILTER (WHERE action = 'CaseService.UpdateCase'), "
          "count(*) FILTER (WHERE action = 'CaseService.AddCaseNote') "
          "FROM audit.events WHERE outcome = 'OK' AND case_id IS NOT NULL GROUP BY case_id");
      std::map<std::string, std::vector<int64_t>> audit_counts;
      for (const pqxx::row& row : audit) {
        audit_counts[row[0].as<std::string>()] = {row[1].as<int64_t>(), row[2].as<int64_t>(),
                                                  row[3].as<int64_t>()};
      }
      for (const auto& [id, view] : views_) {
        std::vector<int64_t> counts = event_counts[id];
        counts.resize(4, 0);
        int64_t updated = 0, noted = 0;
        for (const v1::CaseEvent& e : view.events) {
          updated += e.type() == v1::CASE_EVENT_TYPE_UPDATED;
          noted += e.type() == v1::CASE_EVENT_TYPE_NOTE_ADDED;
        }
        if (counts[0] != static_cast<int64_t>(view.events.size()) || counts[1] != 1 ||
            counts[2] != updated || counts[3] != noted) {
          Violation(absl::StrCat("case ", view.c.reference(), ": PostgreSQL holds ", counts[0],
                                 " events (", counts[1], " CREATED, ", counts[2], " UPDATED, ",
                                 counts[3], " NOTE_ADDED), the API shows ", view.events.size()));
        }
        std::vector<int64_t> rows = audit_counts[id];
        rows.resize(3, 0);
        if (rows[0] < 1 || rows[1] < updated || rows[2] < noted) {
          Violation(absl::StrCat("case ", view.c.reference(),
                                 ": audit rows with outcome OK: ", rows[0], " CreateCase, ",
                                 rows[1], " UpdateCase, ", rows[2], " AddCaseNote for 1 creation, ",
                                 updated, " updates, ", noted, " notes"));
        }
      }
      const pqxx::result stored = tx.exec(absl::StrCat(
          "SELECT request_id, response IS NOT NULL FROM cases.idempotency WHERE request_id LIKE ",
          tx.quote(absl::StrCat("fault-", options_.run_id, "-%"))));
      std::map<std::string, bool> responses;
      for (const pqxx::row& row : stored) {
        responses[row[0].as<std::string>()] = row[1].as<bool>();
      }
      for (const auto& [rid, w] : by_request_) {
        if (!w->acknowledged) continue;
        const auto found = responses.find(rid);
        if (found == responses.end() || !found->second) {
          Violation(
              absl::StrCat("acknowledged ", rid, " has no stored response in cases.idempotency"));
        }
      }
      tx.commit();
    } catch (const std::exception& e) {
      Violation(absl::StrCat("reading PostgreSQL failed: ", e.what()));
    }
  }

  // Waits until the sequencer has chained every audit event written so far, then verifies.
  void CheckAuditChain() {
    int64_t last_event = 0;
    const absl::Time give_up = absl::Now() + options_.chain_timeout;
    try {
      pqxx::connection connection(options_.dsn);
      {
        pqxx::work tx(connection);
        last_event = tx.exec1("SELECT COALESCE(max(id), 0) FROM audit.events")[0].as<int64_t>();
        report_.audit_events = tx.exec1("SELECT count(*) FROM audit.events")[0].as<int64_t>();
      }
      int64_t unchained = -1;
      while (true) {
        pqxx::work tx(connection);
        unchained =
            tx.exec1(absl::StrCat("SELECT count(*) FROM audit.events e WHERE e.id <= ", last_event,
                                  " AND NOT EXISTS (SELECT 1 FROM audit.chain c "
                                  "WHERE c.event_id = e.id)"))[0]
                .as<int64_t>();
        if (unchained == 0 || absl::Now() > give_up) break;
        absl::SleepFor(absl::Milliseconds(200));
      }
      if (unchained != 0) {
        Violation(absl::StrCat(unchained, " audit events up to id ", last_event,
                               " were not chained within ",
                               absl::FormatDuration(options_.chain_timeout),
                               " (is the sequencer of consular-audit running?)"));
        return;
      }
    } catch (const std::exception& e) {
      Violation(absl::StrCat("reading the audit trail in PostgreSQL failed: ", e.what()));
      return;
    }
    // In full: every row, not only those chained since the last round's verification.
    v1::VerifyChainRequest full;
    full.set_full(true);
    v1::VerifyChainResponse response;
    const grpc::Status status = Patiently(
        absl::Seconds(30),
        [&](grpc::ClientContext* context) {
          return audit_->VerifyChain(context, full, &response);
        },
        options_.call_timeout, options_.auditor_token);
    if (!status.ok()) {
      Violation(absl::StrCat("AuditService.VerifyChain failed: ", Describe(status)));
      return;
    }
    report_.chain_watermark = response.watermark();
    if (!response.ok()) {
      Violation(absl::StrCat("the audit chain does not verify: first broken seq ",
                             response.first_broken_seq(), ", event ",
                             response.first_broken_event_id(), ": ", response.reason()));
    } else if (response.events_checked() < report_.audit_events) {
      Violation(absl::StrCat("VerifyChain checked ", response.events_checked(), " events, ",
                             report_.audit_events, " were chained before it was called"));
    }
  }

  const VerifyOptions& options_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::map<std::string, const Write*> by_request_;
  std::map<std::string, std::vector<const Write*>> updates_by_case_;
  std::map<std::string, std::vector<const Write*>> notes_by_case_;
  std::vector<const Write*> creates_;
  std::map<std::string, CaseView> views_;
  VerifyReport report_;
};

}  // namespace

VerifyReport Verify(const VerifyOptions& options, const std::vector<Write>& writes) {
  return Verifier(options, writes).Run();
}

}  // namespace consular::fault

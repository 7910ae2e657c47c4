#include "services/audit/audit_manager.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/common/access_purpose.h"
#include "services/common/call_support.h"
#include "services/common/page_token.h"
#include "services/common/paging.h"
#include "services/common/token.h"
#include "services/common/validation.h"
#include "storage/audit_verification.h"

namespace consular::audit {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kListAction[] = "AuditService.ListAuditEvents";
constexpr char kVerifyAction[] = "AuditService.VerifyChain";
constexpr char kPageKind[] = "audit_events";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
constexpr size_t kMaxFilterChars = 200;
// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, as google.protobuf.Timestamp allows.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

absl::Status CheckAuditor(const Identity& who) {
  if (who.role != consular::v1::ROLE_AUDITOR) {
    return absl::PermissionDeniedError("only auditors may read or verify the audit trail");
  }
  return absl::OkStatus();
}

// ABN-2026-00001, DIV-2025-00417: a prefix, the year, a number of five or more digits.
bool IsCaseReference(const std::string& text) {
  if (text.size() < 14 || (text.compare(0, 4, "ABN-") != 0 && text.compare(0, 4, "DIV-") != 0)) {
    return false;
  }
  if (text[8] != '-') return false;
  for (size_t i = 4; i < text.size(); ++i) {
    if (i != 8 && !absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

bool IsUuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !absl::ascii_isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::optional<int64_t>> TimestampMicros(const std::string& field, bool set,
                                                       const google::protobuf::Timestamp& ts) {
  if (!set) return std::optional<int64_t>();
  if (ts.seconds() < kMinTimestampSeconds || ts.seconds() > kMaxTimestampSeconds ||
      ts.nanos() < 0 || ts.nanos() > 999999999) {
    return InvalidField(field, "not a valid timestamp");
  }
  return std::optional<int64_t>(TimeUtil::TimestampToMicroseconds(ts));
}

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  return TimeUtil::MicrosecondsToTimestamp(micros);
}

// A stable, unambiguous serialization of the filters, for the page token's fingerprint.
std::string FilterKey(const storage::AuditFilter& filter) {
  auto part = [](const std::string& text) { return absl::StrCat(text.size(), ":", text, ";"); };
  auto micros = [](const std::optional<int64_t>& value) {
    return value.has_value() ? absl::StrCat(*value, ";") : std::string("-;");
  };
  return absl::StrCat(part(filter.actor), part(filter.case_id), part(filter.action),
                      micros(filter.since_micros), micros(filter.until_micros));
}

void ToProto(const storage::StoredAuditEvent& stored, consular::v1::AuditEvent* event) {
  event->set_id(stored.id);
  *event->mutable_occurred_at() = ToTimestamp(stored.occurred_at_micros);
  event->set_actor(stored.actor);
  const absl::StatusOr<consular::v1::Role> role = ParseRoleName(stored.actor_role);
  event->set_actor_role(role.ok() ? *role : consular::v1::ROLE_UNSPECIFIED);
  event->set_actor_post(stored.actor_post);
  event->set_action(stored.action);
  event->set_case_id(stored.case_id);
  event->set_purpose(stored.purpose);
  event->set_outcome(stored.outcome);
  event->set_emergency(stored.emergency);
  event->set_correlation_id(stored.correlation_id);
  for (const std::string& id : stored.returned_case_ids) event->add_returned_case_ids(id);
  event->set_chain_seq(stored.chain_seq);
}

}  // namespace

AuditManager::AuditManager(storage::TransactionRunner* runner, const Clock& clock)
    : runner_(runner), clock_(clock) {}

storage::AuditRecord AuditManager::RecordFor(const Identity& who, const char* action) const {
  storage::AuditRecord record;
  record.actor = who.subject;
  record.actor_role = RoleName(who.role);
  record.actor_post = who.post;
  record.action = action;
  record.purpose = RecordedPurpose(who);
  record.occurred_at = clock_.Now();
  return record;
}

absl::Status AuditManager::List(const Identity& who,
                                const consular::v1::ListAuditEventsRequest& request,
                                absl::Time deadline, consular::v1::ListAuditEventsResponse* out) {
  return storage::RunAudited(
      runner_, deadline, RecordFor(who, kListAction),
      [&](pqxx::transaction_base& tx, storage::AuditRecord* record) -> absl::Status {
        out->Clear();
        CONSULAR_RETURN_IF_ERROR(CheckAuditor(who));
        storage::AuditFilter filter;
        CONSULAR_RETURN_IF_ERROR(CheckText("actor", request.actor(), kMaxFilterChars, false));
        CONSULAR_RETURN_IF_ERROR(CheckText("action", request.action(), kMaxFilterChars, false));
        filter.actor = request.actor();
        filter.action = request.action();
        if (!request.case_id().empty()) {
          // A UUID, or a reference the service turns into one (the auditor sees no case).
          if (IsUuid(request.case_id())) {
            filter.case_id = absl::AsciiStrToLower(request.case_id());
          } else if (const std::string reference = absl::AsciiStrToUpper(request.case_id());
                     IsCaseReference(reference)) {
            std::optional<std::string> id = storage::CaseIdOfReference(tx, reference);
            if (!id) return absl::NotFoundError(absl::StrCat("no case has reference ", reference));
            filter.case_id = *id;
          } else {
            return InvalidField("case_id", "not a case UUID or reference (e.g. ABN-2026-00001)");
          }
          record->case_id = filter.case_id;  // whose trail the auditor looked at
        }
        absl::StatusOr<std::optional<int64_t>> since =
            TimestampMicros("since", request.has_since(), request.since());
        if (!since.ok()) return since.status();
        absl::StatusOr<std::optional<int64_t>> until =
            TimestampMicros("until", request.has_until(), request.until());
        if (!until.ok()) return until.status();
        filter.since_micros = *since;
        filter.until_micros = *until;
        if (since->has_value() && until->has_value() && **until <= **since) {
          return InvalidField("until", "must be after since");
        }
        if (request.page_size() < 0) return InvalidField("page_size", "must not be negative");
        const int page_size = request.page_size() == 0
                                  ? kDefaultPageSize
                                  : std::min(request.page_size(), kMaxPageSize);

        const std::string filter_key = FilterKey(filter);
        std::optional<storage::AuditCursor> after;
        if (!request.page_token().empty()) {
          auto fields = DecodePageToken(request.page_token(), kPageKind, filter_key, 2);
          if (!fields.ok()) return fields.status();
          storage::AuditCursor cursor;
          if (!absl::SimpleAtoi((*fields)[0], &cursor.occurred_at_micros) ||
              !absl::SimpleAtoi((*fields)[1], &cursor.id)) {
            return InvalidField("page_token", "malformed");
          }
          after = cursor;
        }

        // One more than a page tells whether there is a next one.
        std::vector<storage::StoredAuditEvent> events =
            storage::ListAuditEvents(tx, filter, after, FetchLimit(page_size));
        const bool more = TakePage(events, page_size);
        for (const storage::StoredAuditEvent& event : events) ToProto(event, out->add_events());
        if (more) {
          const storage::StoredAuditEvent& last = events.back();
          out->set_next_page_token(
              EncodePageToken(kPageKind, filter_key,
                              {std::to_string(last.occurred_at_micros), std::to_string(last.id)}));
        }
        return absl::OkStatus();
      });
}

absl::Status AuditManager::Verify(const Identity& who,
                                  const consular::v1::VerifyChainRequest& request,
                                  absl::Time deadline, consular::v1::VerifyChainResponse* out) {
  // READ COMMITTED (the default): chain rows and events are append-only and the verification
  // reads up to the head it read first; the verified watermark is read under the verifiers' lock,
  // so it is the latest one (storage/audit_verification.h).
  return storage::RunAudited(
      runner_, deadline, RecordFor(who, kVerifyAction),
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        out->Clear();
        CONSULAR_RETURN_IF_ERROR(CheckAuditor(who));
        const storage::ChainVerification v = storage::VerifyAndRecordAuditChain(
            tx, request.full() ? storage::ChainVerifyMode::kFull
                               : storage::ChainVerifyMode::kIncremental);
        out->set_ok(v.ok);
        out->set_watermark(v.watermark);
        out->set_events_checked(v.events_checked);
        out->set_pending(v.pending);
        out->set_first_broken_seq(v.first_broken_seq);
        out->set_first_broken_event_id(v.first_broken_event_id);
        out->set_reason(v.reason);
        out->set_head_hash(v.head_hash_hex);
        out->set_full(v.full);
        out->set_verified_from_seq(v.anchor_seq + 1);
        out->set_verified_watermark(v.verified_watermark);
        if (v.last_full_micros.has_value()) {
          *out->mutable_last_full_verification() = ToTimestamp(*v.last_full_micros);
        }
        return absl::OkStatus();
      });
}

}  // namespace consular::audit

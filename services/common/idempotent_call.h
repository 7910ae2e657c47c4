#pragma once

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "consular/v1/common.pb.h"
#include "google/protobuf/message.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "services/common/identity.h"
#include "services/common/response_case.h"
#include "services/common/validation.h"
#include "storage/idempotency.h"

namespace consular {

// Where RunIdempotentCall keeps its records: claims (actor, request id) and stores the response.
// The PostgreSQL form is one of the services' idempotency tables in the caller's transaction
// (storage/idempotency.h); a test may keep them in memory.
class IdempotencyRecords {
 public:
  virtual ~IdempotencyRecords() = default;
  // Records (actor, request_id). Returns nullopt when the id is new; the earlier record when it
  // was used before.
  virtual std::optional<storage::PriorRequest> ClaimRequest(const std::string& actor,
                                                            const std::string& request_id,
                                                            const std::string& method,
                                                            const std::string& request_hash) = 0;
  // Stores the (serialized) response of a claimed request, returned to replays, and the case it
  // is about (a UUID, CaseIdOfResponse; "" for none).
  virtual void SaveResponse(const std::string& actor, const std::string& request_id,
                            const std::string& response, const std::string& case_id) = 0;
};

// The records of `table` in transaction `tx`, encrypted with `cipher`.
class TableIdempotencyRecords final : public IdempotencyRecords {
 public:
  TableIdempotencyRecords(pqxx::transaction_base& tx, const FieldCipher& cipher,
                          storage::IdempotencyTable table)
      : tx_(tx), cipher_(cipher), table_(table) {}

  std::optional<storage::PriorRequest> ClaimRequest(const std::string& actor,
                                                    const std::string& request_id,
                                                    const std::string& method,
                                                    const std::string& request_hash) override {
    return storage::ClaimRequest(tx_, cipher_, table_, actor, request_id, method, request_hash);
  }
  void SaveResponse(const std::string& actor, const std::string& request_id,
                    const std::string& response, const std::string& case_id) override {
    storage::SaveResponse(tx_, cipher_, table_, actor, request_id, response, case_id);
  }

 private:
  pqxx::transaction_base& tx_;
  const FieldCipher& cipher_;
  storage::IdempotencyTable table_;
};

// Runs a mutation once per (actor, request id), in the caller's transaction: the first call does
// `work` and records its response in `records` with it. A replay is a read of that stored
// response, so it obeys today's access, not yesterday's: `replay` is given the stored response and
// must return OK only if the caller may see what it concerns *now* (the case still in scope, the
// share still live, the emergency access still open), else the status a fresh call would get; then
// the replay returns that status and no content. A replay that passes returns the stored response
// and writes nothing. The record names the case the response is about (CaseIdOfResponse). Records
// expire (housekeeping, docs/records.md): a replay after that is a new request. The
// same id with another request is INVALID_ARGUMENT
// "request_id: already used for a different request".
// The request's fingerprint covers the method, the caller's role and unit and the payload, so a
// replay by the same subject under another role or post is never served from the record. It is a
// keyed digest (`index`): the request holds personal data, which must not be stored under an
// unkeyed (guessable) hash.
template <typename Response>
absl::Status RunIdempotentCall(IdempotencyRecords& records, const BlindIndex& index,
                               const Identity& who, const std::string& method,
                               const google::protobuf::Message& request,
                               const std::string& request_id, Response* out,
                               const std::function<absl::Status(const Response&)>& replay,
                               const std::function<absl::Status(Response*)>& work) {
  const std::string request_hash = index.Digest(
      "consular.request.v2", absl::StrCat(method, "\n", consular::v1::Role_Name(who.role), "\n",
                                          who.post, "\n", request.SerializeAsString()));
  out->Clear();
  const std::optional<storage::PriorRequest> prior =
      records.ClaimRequest(who.subject, request_id, method, request_hash);
  if (prior.has_value()) {
    if (prior->method != method) {
      return InvalidField("request_id", "already used for a different request");
    }
    Response stored;
    if (!stored.ParseFromString(prior->response)) {
      return absl::InternalError("stored response does not parse");
    }
    // Today's access first: whoever may no longer see the case learns nothing more from the
    // record than a fresh call would tell them.
    const absl::Status may_see = replay(stored);
    if (!may_see.ok()) return may_see;
    if (prior->request_hash != request_hash) {
      return InvalidField("request_id",
                          "already used for a different request (method, payload, role or unit)");
    }
    *out = std::move(stored);
    return absl::OkStatus();
  }
  const absl::Status status = work(out);
  if (!status.ok()) return status;
  records.SaveResponse(who.subject, request_id, out->SerializeAsString(), CaseIdOfResponse(*out));
  return absl::OkStatus();
}

// The same, with the records in `table` of transaction `tx`.
template <typename Response>
absl::Status RunIdempotentCall(pqxx::transaction_base& tx, const FieldCipher& cipher,
                               const BlindIndex& index, storage::IdempotencyTable table,
                               const Identity& who, const std::string& method,
                               const google::protobuf::Message& request,
                               const std::string& request_id, Response* out,
                               const std::function<absl::Status(const Response&)>& replay,
                               const std::function<absl::Status(Response*)>& work) {
  TableIdempotencyRecords records(tx, cipher, table);
  return RunIdempotentCall<Response>(records, index, who, method, request, request_id, out, replay,
                                     work);
}

}  // namespace consular

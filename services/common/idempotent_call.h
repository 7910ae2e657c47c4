#pragma once

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "services/common/blind_index.h"
#include "services/common/field_cipher.h"
#include "services/common/identity.h"
#include "services/common/validation.h"
#include "storage/idempotency.h"

namespace consular {

// Runs a mutation once per (actor, request id), in the caller's transaction: the first call does
// `work` and records its response in `table` with it; a replay with the same request returns that
// response and writes nothing; the same id with another request is INVALID_ARGUMENT
// "request_id: already used for a different request".
// The request's fingerprint is a keyed digest (`index`): the request holds personal data, which
// must not be stored under an unkeyed (guessable) hash.
template <typename Response>
absl::Status RunIdempotentCall(pqxx::transaction_base& tx, const FieldCipher& cipher,
                               const BlindIndex& index, storage::IdempotencyTable table,
                               const Identity& who, const std::string& method,
                               const google::protobuf::Message& request,
                               const std::string& request_id, Response* out,
                               const std::function<absl::Status(Response*)>& work) {
  const std::string request_hash =
      index.Digest("consular.request.v1", absl::StrCat(method, "\n", request.SerializeAsString()));
  out->Clear();
  const std::optional<storage::PriorRequest> prior =
      storage::ClaimRequest(tx, cipher, table, who.subject, request_id, method, request_hash);
  if (prior.has_value()) {
    if (prior->method != method || prior->request_hash != request_hash) {
      return InvalidField("request_id", "already used for a different request");
    }
    if (!out->ParseFromString(prior->response)) {
      return absl::InternalError("stored response does not parse");
    }
    return absl::OkStatus();
  }
  const absl::Status status = work(out);
  if (!status.ok()) return status;
  storage::SaveResponse(tx, cipher, table, who.subject, request_id, out->SerializeAsString());
  return absl::OkStatus();
}

}  // namespace consular

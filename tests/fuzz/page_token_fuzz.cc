// services/common/page_token: DecodePageToken reads the page_token a client sends back. Two kinds
// of input (first byte even / odd):
//   even  the token, verbatim, for a listing and filters taken from the input;
//   odd   a listing, filters and cursor fields, encoded by this service, then decoded (the same
//         listing and filters give the cursor back; other filters or another field count do not),
//         so that the checks behind the MAC are reached too.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "services/common/page_token.h"
#include "tests/fuzz/fuzz_target.h"

CONSULAR_FUZZ_TARGET(page_token) {
  consular::fuzz::FuzzInput in(data, size);
  const bool encode_first = in.Byte() % 2 == 1;
  const std::string kind = in.Bytes(16);
  const std::string filters = in.Bytes(64);
  if (!encode_first) {
    const size_t fields = in.Byte() % 6;
    const std::string token = in.Rest();
    const absl::StatusOr<std::vector<std::string>> cursor =
        consular::DecodePageToken(token, kind, filters, fields);
    if (cursor.ok()) {
      FUZZ_CHECK(cursor->size() == fields);
    } else {
      FUZZ_CHECK(cursor.status().code() == absl::StatusCode::kInvalidArgument);
      FUZZ_CHECK(absl::StartsWith(cursor.status().message(), "page_token: "));
    }
    return;
  }

  // Kinds and cursor fields never hold '|' (page_token.h).
  if (absl::StrContains(kind, '|')) return;
  const std::vector<std::string> cursor = absl::StrSplit(in.Rest(), '|');
  const std::string token = consular::EncodePageToken(kind, filters, cursor);
  // The decoder reads at most 1,024 characters (real cursors, a time and an id, are far shorter):
  // a longer token is refused, never misread.
  if (token.size() > 1024) {
    FUZZ_CHECK(!consular::DecodePageToken(token, kind, filters, cursor.size()).ok());
    return;
  }
  const absl::StatusOr<std::vector<std::string>> back =
      consular::DecodePageToken(token, kind, filters, cursor.size());
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(*back == cursor);
  FUZZ_CHECK(!consular::DecodePageToken(token, kind, filters + "x", cursor.size()).ok());
  FUZZ_CHECK(!consular::DecodePageToken(token, kind, filters, cursor.size() + 1).ok());
  FUZZ_CHECK(!consular::DecodePageToken(token, kind + "x", filters, cursor.size()).ok());
}

#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"

// Opaque page tokens for keyset pagination. A token names the listing it
// belongs to (`kind`), a fingerprint of the request's filters, the time it was
// issued and the cursor: the sort key of the last item returned. It is signed
// (HMAC-SHA256 under the server's current page-token key), so only cursors the
// server itself issued reach the database: a forged, altered or truncated token
// is INVALID_ARGUMENT. It expires (by default 24 hours after it was issued):
// a listing is not a bookmark. The cursor only positions a page; scope is
// always applied by the server.
namespace consular {

// The page-token lifetime when none is set.
inline constexpr absl::Duration kDefaultPageTokenLifetime = absl::Hours(24);

// The page-token key of this process, at least 32 bytes; replicas of a service
// must share it for a client's next page to be served by any of them. Until it
// is set, a random key made at start-up is used (tokens then hold only within
// this process). Call before serving. INVALID_ARGUMENT if `key` is too short.
absl::Status SetPageTokenKey(const std::string& key);

// The same with previous keys: tokens are signed with the first of `keys` and
// accepted when signed with any of them, so that a key can be rotated without
// breaking a listing in progress. INVALID_ARGUMENT when there is none or one is
// shorter than 32 bytes.
absl::Status SetPageTokenKeys(const std::vector<std::string>& keys);

// Reads the keys from a file and sets them. A text file (printable ASCII and
// line breaks only) holds one key per line, the current one first: each line
// without its surrounding blanks, at least 32 characters; empty lines and lines
// starting with '#' are skipped. Any other file is one key of raw bytes (at
// least 32, all of it). Errors name the file (and the line).
absl::Status LoadPageTokenKeyFile(const std::string& path);

// How long a token is accepted after it was issued (default
// kDefaultPageTokenLifetime). INVALID_ARGUMENT unless positive.
absl::Status SetPageTokenLifetime(absl::Duration lifetime);

// The clock tokens are issued and checked by (default SystemClock(); tests set
// a ManualClock). `clock` must outlive every later call; nullptr restores the
// system clock.
void SetPageTokenClock(const Clock* clock);

// A token for `kind` (e.g. "cases"), `filters` (any stable serialization of the
// filters) and the cursor fields (none may contain '|').
std::string EncodePageToken(const std::string& kind, const std::string& filters,
                            const std::vector<std::string>& cursor);

// The cursor fields of `token`. INVALID_ARGUMENT "page_token: ..." if it is
// malformed, not signed by any of this server's keys, belongs to another
// listing, was issued for other filters, has not `fields` cursor fields, or
// has expired ("page_token: expired, start the listing again").
absl::StatusOr<std::vector<std::string>> DecodePageToken(const std::string& token,
                                                         const std::string& kind,
                                                         const std::string& filters, size_t fields);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(const std::string& data);

}  // namespace consular

#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Opaque page tokens for keyset pagination. A token names the listing it
// belongs to (`kind`), a fingerprint of the request's filters, and the cursor:
// the sort key of the last item returned. It is signed (HMAC-SHA256 under the
// server's page-token key), so only cursors the server itself issued reach the
// database: a forged, altered or truncated token is INVALID_ARGUMENT. The
// cursor only positions a page; scope is always applied by the server.
namespace consular {

// The page-token key of this process, at least 32 bytes; replicas of a service
// must share it for a client's next page to be served by any of them. Until it
// is set, a random key made at start-up is used (tokens then hold only within
// this process). Call before serving. INVALID_ARGUMENT if `key` is too short.
absl::Status SetPageTokenKey(const std::string& key);

// Reads the key from a file (its bytes, at least 32; surrounding whitespace is
// part of the key) and sets it. Errors name the file.
absl::Status LoadPageTokenKeyFile(const std::string& path);

// A token for `kind` (e.g. "cases"), `filters` (any stable serialization of the
// filters) and the cursor fields (none may contain '|').
std::string EncodePageToken(const std::string& kind, const std::string& filters,
                            const std::vector<std::string>& cursor);

// The cursor fields of `token`. INVALID_ARGUMENT "page_token: ..." if it is
// malformed, not signed by this server's key, belongs to another listing, was
// issued for other filters or has not `fields` cursor fields.
absl::StatusOr<std::vector<std::string>> DecodePageToken(const std::string& token,
                                                         const std::string& kind,
                                                         const std::string& filters, size_t fields);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(const std::string& data);

}  // namespace consular

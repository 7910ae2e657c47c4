#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

// Opaque page tokens for keyset pagination. A token names the listing it
// belongs to (`kind`), a fingerprint of the request's filters, and the cursor:
// the sort key of the last item returned. The cursor only positions a page;
// scope is always applied by the server, so a forged token cannot reveal
// anything the caller may not see.
namespace consular {

// A token for `kind` (e.g. "cases"), `filters` (any stable serialization of the
// filters) and the cursor fields (none may contain '|').
std::string EncodePageToken(const std::string& kind, const std::string& filters,
                            const std::vector<std::string>& cursor);

// The cursor fields of `token`. INVALID_ARGUMENT "page_token: ..." if it is
// malformed, belongs to another listing, was issued for other filters or has
// not `fields` cursor fields.
absl::StatusOr<std::vector<std::string>> DecodePageToken(
    const std::string& token, const std::string& kind,
    const std::string& filters, size_t fields);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(const std::string& data);

}  // namespace consular

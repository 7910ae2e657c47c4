#pragma once

#include <string>

namespace consular {

// A random (version 4) UUID in canonical lower-case form, from a cryptographic
// random source.
std::string NewUuid();

// True if `text` is a canonical lower- or upper-case UUID (8-4-4-4-12 hex digits).
bool LooksLikeUuid(const std::string& text);

}  // namespace consular

#pragma once

#include <string>

namespace consular {

// A random (version 4) UUID in canonical lower-case form, from a cryptographic
// random source.
std::string NewUuid();

}  // namespace consular

#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace consular {

// The whole contents of the file at `path`. NOT_FOUND if it does not exist;
// INVALID_ARGUMENT if it cannot be read (permissions, a directory, ...) or is
// larger than `max_bytes`. Every error message names the file.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             size_t max_bytes = 1 << 20);

// The contents of a PEM file: as ReadFileToString, plus INVALID_ARGUMENT
// (naming the file) when it is empty or has no "-----BEGIN " line. Does not
// check what the PEM blocks contain.
absl::StatusOr<std::string> ReadPemFile(const std::string& path);

}  // namespace consular

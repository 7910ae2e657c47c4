#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// Secrets consularctl reads for a command without putting them on its command line (where `ps`
// and the shell's history would show them): an export's password.
namespace consular::ctl {

// The password held by the text of a password file (or one line typed): the text without one
// trailing newline ("\n" or "\r\n"). INVALID_ARGUMENT naming `source` when it is empty or spans
// more than one line.
absl::StatusOr<std::string> PasswordFromText(const std::string& text, absl::string_view source);

// The password in the file at `path` (PasswordFromText). INVALID_ARGUMENT naming `flag` when the
// file cannot be read.
absl::StatusOr<std::string> ReadPasswordFile(const std::string& path, absl::string_view flag);

// Asks for a password twice on the terminal (/dev/tty) without echo. INVALID_ARGUMENT when there
// is no terminal or the two differ.
absl::StatusOr<std::string> PromptPassword(absl::string_view prompt);

}  // namespace consular::ctl

#include "tools/consularctl/secrets.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace consular::ctl {
namespace {

// One line read from `fd` with echo off (restored afterwards); false on end of input.
bool ReadLineWithoutEcho(int fd, std::string* line) {
  termios saved;
  const bool terminal = tcgetattr(fd, &saved) == 0;
  if (terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  line->clear();
  char c = 0;
  bool got = false;
  while (read(fd, &c, 1) == 1) {
    got = true;
    if (c == '\n') break;
    line->push_back(c);
  }
  if (terminal) tcsetattr(fd, TCSAFLUSH, &saved);
  return got;
}

}  // namespace

absl::StatusOr<std::string> PasswordFromText(const std::string& text, absl::string_view source) {
  std::string password = text;
  if (absl::EndsWith(password, "\r\n")) {
    password.resize(password.size() - 2);
  } else if (absl::EndsWith(password, "\n")) {
    password.resize(password.size() - 1);
  }
  if (password.empty()) return absl::InvalidArgumentError(absl::StrCat(source, ": empty password"));
  if (password.find('\n') != std::string::npos || password.find('\r') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the password must be one line (the file holds several)"));
  }
  return password;
}

absl::StatusOr<std::string> ReadPasswordFile(const std::string& path, absl::string_view flag) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
  std::stringstream text;
  text << file.rdbuf();
  return PasswordFromText(text.str(), flag);
}

absl::StatusOr<std::string> PromptPassword(absl::string_view prompt) {
  const int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) {
    return absl::InvalidArgumentError(
        "--password-file: required when there is no terminal to ask for the password");
  }
  auto ask = [&](absl::string_view what, std::string* answer) {
    const std::string text = absl::StrCat(what, ": ");
    (void)!write(tty, text.data(), text.size());
    const bool ok = ReadLineWithoutEcho(tty, answer);
    (void)!write(tty, "\n", 1);
    return ok;
  };
  std::string first;
  std::string second;
  const bool read_both = ask(prompt, &first) && ask("Again, to be sure", &second);
  close(tty);
  if (!read_both) return absl::InvalidArgumentError("no password was typed");
  if (first != second) return absl::InvalidArgumentError("the two passwords differ");
  return PasswordFromText(first, "password");
}

}  // namespace consular::ctl

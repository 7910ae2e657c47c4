#include "services/common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace consular {
namespace {

absl::Status OpenError(const std::string& path, int err) {
  const std::string reason = std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(absl::StrCat("file not found: ", path));
    default:
      return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": ", reason));
  }
}

// Closes the descriptor on every return path.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() { ::close(fd_); }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path, size_t max_bytes) {
  if (path.empty()) return absl::InvalidArgumentError("empty file name");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(path, errno);
  FdCloser closer(fd);

  struct stat st;
  if (::fstat(fd, &st) != 0) return OpenError(path, errno);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("not a regular file: ", path));
  }
  if (static_cast<unsigned long long>(st.st_size) > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("file too large (over ", max_bytes, " bytes): ", path));
  }

  std::string contents;
  char buffer[8192];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return OpenError(path, errno);
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
    if (contents.size() > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("file too large (over ", max_bytes, " bytes): ", path));
    }
  }
  return contents;
}

absl::StatusOr<std::string> ReadPemFile(const std::string& path) {
  CONSULAR_ASSIGN_OR_RETURN(std::string contents, ReadFileToString(path));
  if (contents.empty()) return absl::InvalidArgumentError(absl::StrCat("empty PEM file: ", path));
  if (!absl::StrContains(contents, "-----BEGIN ")) {
    return absl::InvalidArgumentError(absl::StrCat("not a PEM file: ", path));
  }
  return contents;
}

}  // namespace consular

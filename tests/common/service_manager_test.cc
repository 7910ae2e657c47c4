// What the service manager (systemd) is told: sd_notify datagrams on the socket NOTIFY_SOCKET
// names, here one the test binds itself, from the notification functions and from RunServer.

#include "services/common/service_manager.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <future>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/server.h"

namespace consular {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A datagram socket standing in for systemd's notification socket: NOTIFY_SOCKET names it while
// the object lives.
class NotifySocket {
 public:
  NotifySocket() {
    path_ = absl::StrCat(::testing::TempDir(), "notify-", ::getpid());
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (fd_ < 0 || path_.size() >= sizeof(address.sun_path)) return;
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return;
    ::setenv("NOTIFY_SOCKET", path_.c_str(), /*overwrite=*/1);
    bound_ = true;
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  ~NotifySocket() {
    ::unsetenv("NOTIFY_SOCKET");
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }

  bool bound() const { return bound_; }

  // The next datagram, or "" when none arrives within `timeout`.
  std::string Next(absl::Duration timeout = absl::Seconds(10)) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) != 1) return "";
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

// Whether something accepts TCP connections on 127.0.0.1:port.
bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return connected;
}

TEST(ServiceManagerTest, EachNotificationIsOneDatagramOfAssignments) {
  NotifySocket socket;
  ASSERT_TRUE(socket.bound());
  NotifyReady("serving\nand more");
  EXPECT_EQ(socket.Next(), "READY=1\nSTATUS=serving and more");
  NotifyStatus("the database does not answer");
  EXPECT_EQ(socket.Next(), "STATUS=the database does not answer");
  NotifyStopping("SIGTERM received");
  EXPECT_EQ(socket.Next(), "STOPPING=1\nSTATUS=SIGTERM received");
}

TEST(ServiceManagerTest, WithoutAServiceManagerNothingIsSentAndNothingLogged) {
  ::unsetenv("NOTIFY_SOCKET");
  ::testing::internal::CaptureStderr();
  NotifyReady("serving");
  NotifyStopping("stopping");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(ServiceManagerTest, AGoneServiceManagerIsAWarningOnly) {
  ::setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
  ::testing::internal::CaptureStderr();
  NotifyReady("serving");
  const std::string log = ::testing::internal::GetCapturedStderr();
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_THAT(log, HasSubstr("cannot notify the service manager"));
}

TEST(RunServerNotifyTest, ReadyOnceListeningStatusFollowsHealthStoppingOnSigterm) {
  NotifySocket socket;
  ASSERT_TRUE(socket.bound());
  std::atomic<bool> database_up{true};
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.insecure = true;
  options.ready_interval = absl::Milliseconds(50);
  options.ready_check = [&database_up] {
    return database_up.load() ? absl::OkStatus() : absl::UnavailableError("the database is gone");
  };
  std::promise<int> bound;
  absl::Status served;
  std::thread serving([&] {
    bool started = false;
    served = RunServer(options, {}, [&](int port) {
      started = true;
      bound.set_value(port);
    });
    if (!started) bound.set_value(0);
  });
  const int port = bound.get_future().get();
  if (port == 0) {
    serving.join();
    FAIL() << served;
  }

  const std::string ready = socket.Next();
  EXPECT_THAT(ready, StartsWith("READY=1\n"));
  EXPECT_THAT(ready, HasSubstr(absl::StrCat("STATUS=SERVING, listening on 127.0.0.1:", port)));
  EXPECT_TRUE(Accepts(port)) << "READY=1 came before the server accepted connections";

  database_up = false;
  EXPECT_THAT(socket.Next(), StartsWith("STATUS=NOT_SERVING (the database is gone)"));
  database_up = true;
  EXPECT_THAT(socket.Next(), StartsWith("STATUS=SERVING, listening on"));

  ::kill(::getpid(), SIGTERM);
  EXPECT_EQ(socket.Next(), "STOPPING=1\nSTATUS=SIGTERM received, shutting down (grace 20s)");
  serving.join();
  EXPECT_TRUE(served.ok()) << served;
}

TEST(ServiceManagerTest, TheWatchdogIntervalIsHalfOfWatchdogSecForThisProcessOnly) {
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  EXPECT_EQ(WatchdogPingInterval(), absl::ZeroDuration());
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  EXPECT_EQ(WatchdogPingInterval(), absl::Seconds(15));
  ::setenv("WATCHDOG_PID", absl::StrCat(::getpid() + 1).c_str(), 1);  // meant for another process
  EXPECT_EQ(WatchdogPingInterval(), absl::ZeroDuration());
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
}

TEST(RunServerNotifyTest, UnderAWatchdogTheServerPingsWithinEveryPeriod) {
  NotifySocket socket;
  ASSERT_TRUE(socket.bound());
  ::setenv("WATCHDOG_USEC", "200000", 1);  // WatchdogSec=200ms
  ::setenv("WATCHDOG_PID", absl::StrCat(::getpid()).c_str(), 1);
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.insecure = true;
  std::thread serving([&] { RunServer(options, {}).IgnoreError(); });
  EXPECT_THAT(socket.Next(), StartsWith("READY=1\n"));
  const absl::Time start = absl::Now();
  int pings = 0;
  while (absl::Now() - start < absl::Seconds(1)) {
    if (socket.Next(absl::Milliseconds(300)) == "WATCHDOG=1") ++pings;
  }
  ::kill(::getpid(), SIGTERM);
  serving.join();
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  // Every 100 ms for a second; at least one per 200 ms period on a busy machine.
  EXPECT_GE(pings, 5);
}

TEST(RunServerNotifyTest, ReadyWhileTheDatabaseDoesNotAnswerSaysSo) {
  NotifySocket socket;
  ASSERT_TRUE(socket.bound());
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.insecure = true;
  options.shutdown_grace = absl::Seconds(1);
  options.ready_check = [] { return absl::UnavailableError("no database"); };
  std::thread serving([&] { RunServer(options, {}).IgnoreError(); });
  EXPECT_THAT(socket.Next(), StartsWith("READY=1\nSTATUS=NOT_SERVING (no database), listening on"));
  ::kill(::getpid(), SIGTERM);
  EXPECT_THAT(socket.Next(), StartsWith("STOPPING=1\n"));
  serving.join();
}

}  // namespace
}  // namespace consular

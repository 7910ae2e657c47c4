#include "services/common/server.h"

#include <fcntl.h>
#include <malloc.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "services/common/service_manager.h"

namespace consular {
namespace {

// The write end of the self-pipe, read by the signal handler: an int in a
// lock-free atomic is async-signal-safe to load.
std::atomic<int> g_signal_pipe_write_fd{-1};
static_assert(std::atomic<int>::is_always_lock_free, "signal handler needs a lock-free atomic");

// Only one RunServer at a time owns the signal handlers.
std::atomic<bool> g_server_running{false};

// Async-signal-safe: only write(2) on a non-blocking pipe, and errno preserved.
void OnShutdownSignal(int signal_number) {
  const int saved_errno = errno;
  const int fd = g_signal_pipe_write_fd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const unsigned char byte = static_cast<unsigned char>(signal_number);
    ssize_t ignored = ::write(fd, &byte, 1);  // a full pipe already holds a wake-up
    (void)ignored;
  }
  errno = saved_errno;
}

// Turns SIGTERM and SIGINT into a byte on a pipe (the self-pipe trick), so the
// server thread can wait for them with ordinary blocking I/O. Restores the
// previous handlers and signal mask when destroyed.
class ShutdownSignalWatcher {
 public:
  ShutdownSignalWatcher() = default;
  ShutdownSignalWatcher(const ShutdownSignalWatcher&) = delete;
  ShutdownSignalWatcher& operator=(const ShutdownSignalWatcher&) = delete;

  ~ShutdownSignalWatcher() {
    if (installed_) {
      ::sigaction(SIGTERM, &old_term_, nullptr);
      ::sigaction(SIGINT, &old_int_, nullptr);
      ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    }
    g_signal_pipe_write_fd.store(-1);
    if (read_fd_ >= 0) ::close(read_fd_);
    if (write_fd_ >= 0) ::close(write_fd_);
  }

  absl::Status Install() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      return absl::InternalError(absl::StrCat("cannot create signal pipe: ", std::strerror(errno)));
    }
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    g_signal_pipe_write_fd.store(write_fd_);

    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_handler = &OnShutdownSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (::sigaction(SIGTERM, &action, &old_term_) != 0) {
      return absl::InternalError("cannot install SIGTERM handler");
    }
    if (::sigaction(SIGINT, &action, &old_int_) != 0) {
      ::sigaction(SIGTERM, &old_term_, nullptr);
      return absl::InternalError("cannot install SIGINT handler");
    }
    // Make sure at least this thread can take the signals.
    sigset_t shutdown_signals;
    sigemptyset(&shutdown_signals);
    sigaddset(&shutdown_signals, SIGTERM);
    sigaddset(&shutdown_signals, SIGINT);
    ::pthread_sigmask(SIG_UNBLOCK, &shutdown_signals, &old_mask_);
    installed_ = true;
    return absl::OkStatus();
  }

  // Blocks until SIGTERM or SIGINT arrives; returns the signal number. Calls
  // `every_interval` each `interval` meanwhile.
  int Wait(absl::Duration interval, const std::function<void()>& every_interval) {
    while (true) {
      struct pollfd fd;
      fd.fd = read_fd_;
      fd.events = POLLIN;
      fd.revents = 0;
      const int ready = ::poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(interval)));
      if (ready == 0) {
        every_interval();
        continue;
      }
      if (ready < 0 && errno != EINTR) return SIGTERM;  // cannot wait: behave as if asked to stop
      if (ready <= 0) continue;
      unsigned char byte = 0;
      const ssize_t n = ::read(read_fd_, &byte, 1);
      if (n == 1) return byte;
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      return SIGTERM;
    }
  }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  bool installed_ = false;
  struct sigaction old_term_;
  struct sigaction old_int_;
  sigset_t old_mask_;
};

// "host:0" becomes "host:<bound port>" for the log line.
std::string DisplayAddress(const std::string& address, int bound_port) {
  if (absl::EndsWith(address, ":0")) {
    return absl::StrCat(address.substr(0, address.size() - 1), bound_port);
  }
  return address;
}

const char* SignalName(int signal_number) {
  switch (signal_number) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    default:
      return "signal";
  }
}

absl::Status CheckOptions(const ServerOptions& options,
                          const std::vector<grpc::Service*>& services) {
  if (options.listen_address.empty()) {
    return absl::InvalidArgumentError("listen_address: empty");
  }
  if (options.max_receive_message_bytes <= 0) {
    return absl::InvalidArgumentError("max_receive_message_bytes: must be positive");
  }
  if (options.memory_quota_bytes < (int64_t{16} << 20) || options.max_threads < 2) {
    return absl::InvalidArgumentError(
        "memory_quota_bytes: at least 16 MiB; max_threads: at least 2");
  }
  if (options.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("shutdown_grace: negative");
  }
  for (const grpc::Service* service : services) {
    if (service == nullptr) return absl::InvalidArgumentError("services: null service");
  }
  if (!options.insecure && (options.tls.cert_chain.empty() || options.tls.private_key.empty())) {
    return absl::InvalidArgumentError(
        "TLS certificate chain and private key files are required unless "
        "insecure is set");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunServer(const ServerOptions& options, const std::vector<grpc::Service*>& services,
                       std::function<void(int bound_port)> on_started) {
  absl::Status status = CheckOptions(options, services);
  if (!status.ok()) return status;

  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (options.insecure) {
    credentials = grpc::InsecureServerCredentials();
  } else {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> tls =
        MakeServerCredentials(options.tls);
    if (!tls.ok()) return tls.status();
    credentials = *std::move(tls);
  }

  bool expected = false;
  if (!g_server_running.compare_exchange_strong(expected, true)) {
    return absl::FailedPreconditionError("a server is already running in this process");
  }
  struct RunningFlagReset {
    ~RunningFlagReset() { g_server_running.store(false); }
  } running_flag_reset;

  // Installed before the server starts so that an early SIGTERM is not lost; it
  // is acted on as soon as the server is up.
  ShutdownSignalWatcher signals;
  status = signals.Install();
  if (!status.ok()) return status;

  if (options.malloc_arenas > 0) ::mallopt(M_ARENA_MAX, options.malloc_arenas);
  grpc::EnableDefaultHealthCheckService(true);
  if (options.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  grpc::ResourceQuota quota("consular-server");
  quota.Resize(static_cast<size_t>(options.memory_quota_bytes));
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  int bound_port = 0;
  builder.AddListeningPort(options.listen_address, credentials, &bound_port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(options.max_send_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.min_client_ping_interval)));
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_IDLE_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.max_connection_idle)));
  builder.AddChannelArgument(
      GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.handshake_timeout)));
  // Without this, a second server could silently share a port that is already
  // in use.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address,
                                               " (address unavailable or in use?)"));
  }
  if (bound_port == 0) {
    server->Shutdown();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address));
  }

  const std::string serving_on =
      absl::StrCat("listening on ", DisplayAddress(options.listen_address, bound_port), " (",
                   options.insecure ? "insecure" : "tls", ")");
  LogInfo(serving_on, {{"address", DisplayAddress(options.listen_address, bound_port)},
                       {"tls", !options.insecure}});
  if (on_started) on_started(bound_port);

  // Health follows the readiness check (the database answers) while serving.
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  // The service manager (systemd) learns that start-up is complete, and what health says.
  absl::Notification stop_ready_checks;
  std::thread ready_checker;
  if (options.ready_check && health != nullptr) {
    const absl::Status first = options.ready_check();
    health->SetServingStatus(first.ok());
    if (first.ok()) {
      NotifyReady(absl::StrCat("SERVING, ", serving_on));
    } else {
      LogError(absl::StrCat("NOT_SERVING: ", first.message()), {{"health", "NOT_SERVING"}});
      NotifyReady(absl::StrCat("NOT_SERVING (", first.message(), "), ", serving_on));
    }
    ready_checker = std::thread([&options, &stop_ready_checks, &serving_on, health,
                                 ready = first.ok()]() mutable {
      while (!stop_ready_checks.WaitForNotificationWithTimeout(options.ready_interval)) {
        const absl::Status now = options.ready_check();
        if (now.ok() == ready) continue;
        ready = now.ok();
        health->SetServingStatus(ready);
        if (ready) {
          LogInfo("SERVING again: the database answers", {{"health", "SERVING"}});
          NotifyStatus(absl::StrCat("SERVING, ", serving_on));
        } else {
          LogError(absl::StrCat("NOT_SERVING: ", now.message()), {{"health", "NOT_SERVING"}});
          NotifyStatus(absl::StrCat("NOT_SERVING (", now.message(), "), ", serving_on));
        }
      }
    });
  } else {
    NotifyReady(absl::StrCat("SERVING, ", serving_on));
  }

  // Memory that calls freed goes back to the system: without this glibc keeps
  // what a flood of calls took (freed, but in the middle of its heaps) for good.
  // Under a systemd watchdog (WatchdogSec=) the same loop tells it the process
  // is alive, at least twice per period.
  const absl::Duration watchdog = WatchdogPingInterval();
  const absl::Duration tick =
      watchdog > absl::ZeroDuration() ? std::min(watchdog, absl::Seconds(10)) : absl::Seconds(10);
  if (watchdog > absl::ZeroDuration()) NotifyWatchdog();
  absl::Time last_trim = absl::Now();
  const int signal_number = signals.Wait(tick, [watchdog, &last_trim] {
    if (watchdog > absl::ZeroDuration()) NotifyWatchdog();
    if (absl::Now() - last_trim >= absl::Seconds(10)) {
      ::malloc_trim(0);
      last_trim = absl::Now();
    }
  });
  const std::string shutting_down =
      absl::StrCat(SignalName(signal_number), " received, shutting down (grace ",
                   absl::FormatDuration(options.shutdown_grace), ")");
  NotifyStopping(shutting_down);
  stop_ready_checks.Notify();
  if (ready_checker.joinable()) ready_checker.join();
  LogInfo(shutting_down);

  // Load balancers and orchestrators polling health see NOT_SERVING from now
  // on.
  if (health != nullptr) health->Shutdown();
  // Stops accepting at once; calls still running after the grace period are
  // cancelled. A cancelled call whose work is blocked (a database statement)
  // still holds the shutdown until that work ends: at the end of the grace
  // period cancel_running_calls makes it end.
  const absl::Time grace_end = absl::Now() + options.shutdown_grace;
  absl::Notification calls_done;
  std::thread canceller([&options, &calls_done, grace_end] {
    if (!calls_done.WaitForNotificationWithDeadline(grace_end) && options.cancel_running_calls) {
      LogWarning("grace period over: cancelling the calls still running");
      options.cancel_running_calls();
    }
  });
  server->Shutdown(absl::ToChronoTime(grace_end));
  server->Wait();
  calls_done.Notify();
  canceller.join();
  return absl::OkStatus();
}

}  // namespace consular

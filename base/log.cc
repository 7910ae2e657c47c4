#include "base/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"

namespace consular {
namespace {

absl::Mutex service_mu;
std::string& ServiceName() ABSL_EXCLUSIVE_LOCKS_REQUIRED(service_mu) {
  static std::string* name = new std::string("consular");  // never destroyed: logged at exit too
  return *name;
}

spdlog::logger& Logger() {
  // The line is made here; spdlog writes it whole and at once, flushed.
  static spdlog::logger* logger = [] {  // never destroyed: logged at exit too
    auto* made =
        new spdlog::logger("consular", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    made->set_pattern("%v");
    made->set_level(spdlog::level::info);
    made->flush_on(spdlog::level::info);
    return made;
  }();
  return *logger;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLogService(absl::string_view service) {
  absl::MutexLock lock(&service_mu);
  ServiceName() = std::string(service);
}

std::string FormatLogLine(absl::Time time, LogLevel level, absl::string_view service,
                          absl::string_view msg, absl::Span<const LogField> fields) {
  nlohmann::ordered_json line;
  line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
  line["level"] = LevelName(level);
  line["service"] = std::string(service);
  line["msg"] = std::string(msg);
  for (const LogField& field : fields) {
    std::string key(field.key);
    if (key == "time" || key == "level" || key == "service" || key == "msg") key = "field." + key;
    std::visit([&line, &key](const auto& value) { line[key] = value; }, field.value.value());
  }
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void Log(LogLevel level, absl::string_view msg, absl::Span<const LogField> fields) {
  std::string service;
  {
    absl::MutexLock lock(&service_mu);
    service = ServiceName();
  }
  const std::string line = FormatLogLine(absl::Now(), level, service, msg, fields);
  Logger().log(level == LogLevel::kError     ? spdlog::level::err
               : level == LogLevel::kWarning ? spdlog::level::warn
                                             : spdlog::level::info,
               line);
}

}  // namespace consular

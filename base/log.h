#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "absl/time/time.h"

// The servers' log: one JSON object per line on stderr, written through spdlog, for an operator's
// tools (journald, a log shipper, jq). Every line has "time" (UTC, milliseconds), "level" (info,
// warning, error), "service" (the process, e.g. "consular-cases") and "msg"; a line adds its own
// fields after those. Never log personal data: no names, no notes, no request contents.
namespace consular {

enum class LogLevel { kInfo, kWarning, kError };

// A field's value: text, a whole number, a number or a truth value.
class LogValue {
 public:
  LogValue(absl::string_view text) : value_(std::string(text)) {}  // NOLINT: implicit on purpose
  LogValue(const char* text) : value_(std::string(text)) {}        // NOLINT
  LogValue(const std::string& text) : value_(text) {}              // NOLINT
  LogValue(int number) : value_(int64_t{number}) {}                // NOLINT
  LogValue(int64_t number) : value_(number) {}                     // NOLINT
  LogValue(double number) : value_(number) {}                     // NOLINT
  LogValue(bool truth) : value_(truth) {}                          // NOLINT

  const std::variant<std::string, int64_t, double, bool>& value() const { return value_; }

 private:
  std::variant<std::string, int64_t, double, bool> value_;
};

struct LogField {
  absl::string_view key;
  LogValue value;
};

// Names the process in every line from now on (default "consular").
void SetLogService(absl::string_view service);

// Writes one line. Thread-safe; lines never interleave.
void Log(LogLevel level, absl::string_view msg, absl::Span<const LogField> fields = {});

inline void LogInfo(absl::string_view msg, absl::Span<const LogField> fields = {}) {
  Log(LogLevel::kInfo, msg, fields);
}
inline void LogWarning(absl::string_view msg, absl::Span<const LogField> fields = {}) {
  Log(LogLevel::kWarning, msg, fields);
}
inline void LogError(absl::string_view msg, absl::Span<const LogField> fields = {}) {
  Log(LogLevel::kError, msg, fields);
}

// The line Log writes (without its newline): valid JSON whatever the bytes of msg and the fields
// (text that is not UTF-8 has its bad bytes replaced); a field named like a fixed one is written
// under its name with a "field." prefix.
std::string FormatLogLine(absl::Time time, LogLevel level, absl::string_view service,
                          absl::string_view msg, absl::Span<const LogField> fields);

}  // namespace consular

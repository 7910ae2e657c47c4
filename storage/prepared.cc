#include "storage/prepared.h"

#include <stdexcept>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace consular::storage {
namespace {

bool IsStatementName(const std::string& name) {
  if (name.empty() || name.size() > kMaxStatementName) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Every statement name used in this process and the text it stands for.
class StatementNames {
 public:
  void Check(const std::string& name, const std::string& sql) {
    {
      absl::ReaderMutexLock lock(&mu_);
      const auto it = sql_of_.find(name);
      if (it != sql_of_.end()) {
        if (it->second == sql) return;
        throw Conflict(name, it->second, sql);
      }
    }
    if (!IsStatementName(name)) {
      throw std::logic_error(absl::StrCat("prepared statement name \"", name,
                                          "\" is not 1 to 63 characters of [a-z0-9_]"));
    }
    absl::MutexLock lock(&mu_);
    const auto [it, inserted] = sql_of_.emplace(name, sql);
    if (!inserted && it->second != sql) throw Conflict(name, it->second, sql);
  }

 private:
  static std::logic_error Conflict(const std::string& name, const std::string& first,
                                   const std::string& second) {
    return std::logic_error(absl::StrCat("prepared statement name \"", name,
                                         "\" stands for two texts: \"", first, "\" and \"", second,
                                         "\""));
  }

  absl::Mutex mu_;
  std::unordered_map<std::string, std::string> sql_of_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

void CheckStatementName(const std::string& name, const std::string& sql) {
  static StatementNames* const names = new StatementNames();
  names->Check(name, sql);
}

}  // namespace consular::storage

#include "services/web/sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"

namespace consular::web {

std::string RandomHex(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("no random bytes from the system");
  }
  return absl::BytesToHexString(bytes);
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool TokenDueForRenewal(const SessionToken& token, absl::Time now) {
  if (token.expires == absl::InfiniteFuture()) return false;
  const absl::Duration margin = std::min(absl::Minutes(1), (token.expires - token.issued) / 4);
  return now >= token.expires - margin;
}

SessionStore::SessionStore(const Clock& clock, absl::Duration idle, absl::Duration absolute)
    : clock_(clock), idle_(idle), absolute_(absolute) {}

Session SessionStore::Create(SessionToken token, std::string subject, consular::v1::Role role,
                             std::string unit) {
  Session s;
  s.id = RandomHex(32);
  s.csrf = RandomHex(32);
  s.token = std::move(token);
  s.subject = std::move(subject);
  s.role = role;
  s.unit = std::move(unit);
  s.created = clock_.Now();
  s.last_seen = s.created;
  s.absolute_expires = s.created + absolute_;
  s.idle_expires = std::min(s.created + idle_, s.absolute_expires);
  absl::MutexLock lock(&mu_);
  DropExpiredLocked(s.created);
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> SessionStore::Touch(const std::string& id) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  Session& s = it->second;
  if (now >= s.idle_expires || now >= s.absolute_expires) {
    sessions_.erase(it);
    return std::nullopt;
  }
  s.last_seen = now;
  s.idle_expires = std::min(now + idle_, s.absolute_expires);
  return s;
}

std::optional<Session> SessionStore::Get(const std::string& id) const {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (now >= it->second.idle_expires || now >= it->second.absolute_expires) return std::nullopt;
  return it->second;
}

bool SessionStore::RenewToken(const std::string& id, SessionToken token) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return false;
  Session& s = it->second;
  // A provider that does not rotate refresh tokens answers without one: the old one stays.
  if (token.refresh.empty()) token.refresh = std::move(s.token.refresh);
  s.token = std::move(token);
  return true;
}

bool SessionStore::End(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return sessions_.erase(id) > 0;
}

int SessionStore::EndAllOf(const std::string& subject) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, s] : sessions_) {
    if (s.subject == subject) ids.push_back(id);
  }
  for (const std::string& id : ids) sessions_.erase(id);
  return static_cast<int>(ids.size());
}

size_t SessionStore::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

void SessionStore::DropExpiredLocked(absl::Time now) {
  std::vector<std::string> expired;
  for (const auto& [id, s] : sessions_) {
    if (now >= s.idle_expires || now >= s.absolute_expires) expired.push_back(id);
  }
  for (const std::string& id : expired) sessions_.erase(id);
}

}  // namespace consular::web

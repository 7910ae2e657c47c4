#pragma once

// The web gateway's sessions: the browser holds only an opaque session id (in an HttpOnly cookie);
// the bearer token and who it names stay here, in memory. A session ends after `idle` without a
// request, after `absolute` in any case, when signed out, or when its subject signs out
// everywhere. Restarting the gateway signs everybody out.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "consular/v1/common.pb.h"

namespace consular::web {

// The bearer token the gateway adds to every call of a session, and how it is renewed.
struct SessionToken {
  std::string access;   // for the services; never sent to the browser
  std::string refresh;  // the provider's refresh token; empty when there is none (development)
  absl::Time issued;    // when the gateway received it
  absl::Time expires = absl::InfiniteFuture();
};

// Whether `token` is to be renewed at `now`: within a quarter of its lifetime, and at most a
// minute, of its expiry (a call made with it then still reaches the services in time).
bool TokenDueForRenewal(const SessionToken& token, absl::Time now);

struct Session {
  std::string id;     // 256 random bits, hex: the cookie's value
  std::string csrf;   // 256 random bits, hex: sent back by the page in X-CSRF-Token
  SessionToken token;  // what the gateway adds to every call, and how it is renewed
  std::string subject;
  consular::v1::Role role = consular::v1::ROLE_UNSPECIFIED;
  std::string unit;  // the post, "LKHA", or empty for roles without one
  absl::Time created;
  absl::Time last_seen;
  absl::Time idle_expires;      // last_seen + idle
  absl::Time absolute_expires;  // created + absolute
};

class SessionStore {
 public:
  SessionStore(const Clock& clock, absl::Duration idle, absl::Duration absolute);

  // A new session for the signed-in user, with fresh random id and CSRF token.
  Session Create(SessionToken token, std::string subject, consular::v1::Role role,
                 std::string unit);

  // The live session `id` names, without restarting its idle timer; nullopt when unknown or
  // expired.
  std::optional<Session> Get(const std::string& id) const;

  // Puts a renewed token on the session `id`; false when the session is gone.
  bool RenewToken(const std::string& id, SessionToken token);

  // The live session `id` names, its idle timer restarted; nullopt (and the session forgotten)
  // when unknown or expired.
  std::optional<Session> Touch(const std::string& id);

  // Ends the session `id`; false if there was none.
  bool End(const std::string& id);

  // Ends every session of `subject`; returns how many.
  int EndAllOf(const std::string& subject);

  // Sessions held now (expired ones are dropped as they are met and by Create).
  size_t size() const;

 private:
  void DropExpiredLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const absl::Duration idle_;
  const absl::Duration absolute_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
};

// `n` random bytes from the system's CSPRNG, as lower-case hex.
std::string RandomHex(size_t n);

// Whether a and b are equal, in time independent of where they differ.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace consular::web

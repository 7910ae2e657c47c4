#include "services/common/jwks_verifier.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "services/common/files.h"
#include "services/common/jwks.h"
#include "services/common/jws.h"

namespace consular {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxKidBytes = 256;
constexpr absl::string_view kHttpsScheme = "https://";

// What a token's "typ" may say: an OpenID Connect ID token's "JWT", an OAuth access token's
// "at+jwt" (RFC 9068).
const std::vector<absl::string_view>& AcceptedTypes() {
  static const auto* const types =
      new std::vector<absl::string_view>{"JWT", "at+jwt", "application/at+jwt"};
  return *types;
}

struct HttpsUrl {
  std::string host;
  int port = 443;
  std::string path;
};

// https://host[:port][/path]: a DNS name or IPv4 address, no user information, no fragment.
absl::StatusOr<HttpsUrl> ParseHttpsUrl(const std::string& url) {
  const auto bad = [](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWKS URL: ", why, " (expected https://host[:port]/path)"));
  };
  if (url.size() < kHttpsScheme.size() ||
      !absl::EqualsIgnoreCase(absl::string_view(url).substr(0, kHttpsScheme.size()),
                              kHttpsScheme)) {
    return bad("not https");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return bad("space or control character");
    }
  }
  if (url.find('#') != std::string::npos) return bad("has a fragment");
  const absl::string_view rest = absl::string_view(url).substr(kHttpsScheme.size());
  const size_t path_start = rest.find_first_of("/?");
  const absl::string_view authority = rest.substr(0, path_start);
  HttpsUrl parsed;
  parsed.path = path_start == absl::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (parsed.path[0] == '?') parsed.path.insert(0, "/");
  if (authority.find('@') != absl::string_view::npos) return bad("has user information");
  const size_t colon = authority.find(':');
  const absl::string_view host = authority.substr(0, colon);
  if (colon != absl::string_view::npos) {
    const absl::string_view port = authority.substr(colon + 1);
    if (port.empty() || !absl::SimpleAtoi(port, &parsed.port) || parsed.port < 1 ||
        parsed.port > 65535) {
      return bad("bad port");
    }
  }
  if (host.empty()) return bad("no host");
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') {
      return bad("bad host name");
    }
  }
  parsed.host = std::string(host);
  return parsed;
}

// The fetch a verifier makes: the JWKS document, or why not.
using FetchFunction = std::function<absl::StatusOr<std::string>()>;

class JwksTokenVerifier final : public TokenVerifier {
 public:
  JwksTokenVerifier(JwksVerifierOptions options, FetchFunction fetch, JwksKeys keys,
                    absl::Time fetched_at)
      : options_(std::move(options)),
        fetch_(std::move(fetch)),
        keys_(std::make_shared<const JwksKeys>(std::move(keys))),
        fetched_at_(fetched_at),
        attempted_at_(fetched_at) {}

  absl::StatusOr<Identity> Verify(const std::string& token) const override {
    // The JSON library may throw (allocation); no exception may reach a gRPC thread, and whatever
    // went wrong, the token is not accepted.
    try {
      return VerifyOrThrow(token);
    } catch (const std::exception&) {
      return InvalidToken("malformed token");
    }
  }

 private:
  using Keys = std::shared_ptr<const JwksKeys>;

  absl::StatusOr<Identity> VerifyOrThrow(const std::string& token) const {
    CONSULAR_ASSIGN_OR_RETURN(CompactJws jws, SplitCompactJws(token));
    // The token names its algorithm, but only ES256 and RS256 are accepted, and only with a key of
    // their type: never "none", HS256 with a public key as its secret, or the like.
    const std::string* alg = StringField(jws.header, "alg");
    JwsAlgorithm algorithm;
    if (alg != nullptr && *alg == JwsAlgorithmName(JwsAlgorithm::kEs256)) {
      algorithm = JwsAlgorithm::kEs256;
    } else if (alg != nullptr && *alg == JwsAlgorithmName(JwsAlgorithm::kRs256)) {
      algorithm = JwsAlgorithm::kRs256;
    } else {
      return InvalidToken("unsupported algorithm");
    }
    CONSULAR_RETURN_IF_ERROR(CheckHeaderType(jws.header, AcceptedTypes()));
    const std::string* kid = StringField(jws.header, "kid");
    if (kid == nullptr || kid->empty() || kid->size() > kMaxKidBytes) {
      return InvalidToken("missing or malformed key id");
    }

    const absl::Time now = options_.clock->Now();
    Keys keys = CurrentKeys(now);
    if (!keys->contains(*kid)) keys = KeysAfterUnknownKid(*kid, now);
    const auto key = keys->find(*kid);
    if (key == keys->end()) return InvalidToken("unknown key id");
    if (key->second.algorithm != algorithm) return InvalidToken("algorithm does not match the key");
    const bool signature_ok =
        algorithm == JwsAlgorithm::kEs256
            ? VerifyEs256(key->second.key.get(), jws.signing_input, jws.signature)
            : VerifyRs256(key->second.key.get(), jws.signing_input, jws.signature);
    if (!signature_ok) return InvalidToken("signature does not verify");

    // Claims only once the signature is known to be the provider's.
    absl::optional<Json> payload = DecodeJsonObject(jws.payload_segment);
    if (!payload) return InvalidToken("malformed payload");
    ClaimRules rules;
    rules.issuer = options_.issuer;
    rules.audience = options_.audience;
    rules.leeway = options_.leeway;
    rules.accept_role_prefix = true;
    TokenValidity validity;
    return IdentityFromClaims(*payload, rules, now, &validity);
  }

  // The keys to verify with at `now`: the ones held, unless they are due for a refresh and no
  // fetch is running, in which case this thread refreshes them first. Other threads meanwhile go
  // on with the keys held.
  Keys CurrentKeys(absl::Time now) const ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      if (now - fetched_at_ < options_.refresh_interval || !MayStartFetchLocked(now)) return keys_;
      StartFetchLocked(now);
    }
    return FetchAndInstall(now);
  }

  // The keys once the provider was asked for `kid`: after the fetch in flight if there is one,
  // after a fetch of this thread if the last one is at least min_refetch_interval old, and
  // otherwise the keys held (a miss does not refetch more often than that).
  Keys KeysAfterUnknownKid(const std::string& kid, absl::Time now) const ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      // Another thread may have fetched it since this one looked.
      if (keys_->contains(kid)) return keys_;
      if (fetching_) {
        // Wait for that fetch rather than start another: concurrent misses cost the provider one
        // request. Each step of the fetch is bounded by fetch_timeout.
        while (fetching_) fetch_done_.Wait(&mu_);
        return keys_;
      }
      if (!MayStartFetchLocked(now)) return keys_;
      StartFetchLocked(now);
    }
    return FetchAndInstall(now);
  }

  bool MayStartFetchLocked(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !fetching_ && now - attempted_at_ >= options_.min_refetch_interval;
  }

  void StartFetchLocked(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    fetching_ = true;
    attempted_at_ = now;
  }

  // Fetches the JWKS without holding the lock (this thread is the one fetcher: fetching_ is set),
  // installs its keys if it has usable ones, and wakes the threads waiting for it. A failure
  // keeps the keys held: an unreachable provider does not lock everyone out.
  Keys FetchAndInstall(absl::Time started) const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::StatusOr<JwksKeys> fetched = absl::UnknownError("not fetched");
    try {
      absl::StatusOr<std::string> document = fetch_();
      fetched = document.ok() ? ParseJwks(*document) : document.status();
    } catch (const std::exception&) {
      fetched = absl::UnknownError("fetch failed");
    }
    absl::MutexLock lock(&mu_);
    if (fetched.ok()) {
      keys_ = std::make_shared<const JwksKeys>(*std::move(fetched));
      fetched_at_ = started;
    } else {
      LogWarning(absl::StrCat("token verifier: cannot refresh the JWKS: ", fetched.status().message()),
                 {{"keys_kept", static_cast<int64_t>(keys_->size())}});
    }
    fetching_ = false;
    fetch_done_.SignalAll();
    return keys_;
  }

  const JwksVerifierOptions options_;
  const FetchFunction fetch_;
  mutable absl::Mutex mu_;
  mutable absl::CondVar fetch_done_;
  // Replaced whole by a fetch, never changed in place: a verification holds on to the set it
  // started with, without the lock.
  mutable Keys keys_ ABSL_GUARDED_BY(mu_);
  // When the keys held were fetched; when a fetch last started.
  mutable absl::Time fetched_at_ ABSL_GUARDED_BY(mu_);
  mutable absl::Time attempted_at_ ABSL_GUARDED_BY(mu_);
  mutable bool fetching_ ABSL_GUARDED_BY(mu_) = false;
};

// Seconds and microseconds, as cpp-httplib takes its timeouts.
void SplitDuration(absl::Duration d, time_t* seconds, time_t* microseconds) {
  const int64_t total = absl::ToInt64Microseconds(d);
  *seconds = static_cast<time_t>(total / 1000000);
  *microseconds = static_cast<time_t>(total % 1000000);
}

}  // namespace

absl::StatusOr<std::string> FetchJwksDocument(const std::string& url, const std::string& ca_file,
                                              absl::Duration timeout) {
  CONSULAR_ASSIGN_OR_RETURN(const HttpsUrl parsed, ParseHttpsUrl(url));
  const auto unavailable = [&url](absl::string_view why) {
    return absl::UnavailableError(absl::StrCat("cannot fetch the JWKS from ", url, ": ", why));
  };
  httplib::SSLClient client(parsed.host, parsed.port);
  if (!client.is_valid()) return unavailable("cannot set up TLS");
  client.enable_server_certificate_verification(true);
  if (!ca_file.empty()) client.set_ca_cert_path(ca_file);
  SSL_CTX_set_min_proto_version(client.ssl_context(), TLS1_2_VERSION);
  client.set_follow_location(false);
  client.set_keep_alive(false);
  time_t seconds = 0;
  time_t microseconds = 0;
  SplitDuration(timeout, &seconds, &microseconds);
  client.set_connection_timeout(seconds, microseconds);
  client.set_read_timeout(seconds, microseconds);
  client.set_write_timeout(seconds, microseconds);

  // The timeouts above bound each step; this bounds the whole body, which a slow server could
  // otherwise trickle forever.
  const absl::Time deadline = SystemClock().Now() + timeout;
  int status = 0;
  bool too_large = false;
  bool too_slow = false;
  std::string body;
  const httplib::Result result = client.Get(
      parsed.path, httplib::Headers{{"Accept", "application/json"}},
      [&status](const httplib::Response& response) {
        status = response.status;
        return status == 200;
      },
      [&](const char* data, size_t length) {
        if (body.size() + length > kMaxJwksBytes) {
          too_large = true;
          return false;
        }
        if (SystemClock().Now() > deadline) {
          too_slow = true;
          return false;
        }
        body.append(data, length);
        return true;
      });
  if (too_large) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWKS from ", url, ": larger than ", kMaxJwksBytes, " bytes"));
  }
  if (too_slow) return unavailable("took longer than the timeout");
  if (status != 0 && status != 200) return unavailable(absl::StrCat("HTTP status ", status));
  if (!result) {
    if (result.error() == httplib::Error::SSLServerVerification) {
      const long verify_result = client.get_openssl_verify_result();
      return unavailable(
          absl::StrCat("the server's TLS certificate is not trusted",
                       verify_result != X509_V_OK
                           ? absl::StrCat(" (", X509_verify_cert_error_string(verify_result), ")")
                           : std::string(" (it does not name the host)")));
    }
    return unavailable(httplib::to_string(result.error()));
  }
  return body;
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeJwksTokenVerifier(JwksVerifierOptions options) {
  const auto invalid = [](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("token verifier: ", why));
  };
  if (const absl::StatusOr<HttpsUrl> url = ParseHttpsUrl(options.jwks_url); !url.ok()) {
    return invalid(url.status().message());
  }
  if (options.issuer.empty()) return invalid("empty issuer");
  if (options.audience.empty()) return invalid("empty audience");
  if (options.leeway < absl::ZeroDuration()) return invalid("negative leeway");
  if (options.min_refetch_interval <= absl::ZeroDuration() ||
      options.refresh_interval <= absl::ZeroDuration() ||
      options.fetch_timeout <= absl::ZeroDuration()) {
    return invalid("JWKS intervals and timeout must be positive");
  }
  if (!options.ca_file.empty()) {
    // Checked now, so that a missing file is a start-up error naming it, not a failed fetch.
    CONSULAR_RETURN_IF_ERROR(ReadPemFile(options.ca_file).status());
  }
  if (options.clock == nullptr) options.clock = &SystemClock();

  FetchFunction fetch = [url = options.jwks_url, ca_file = options.ca_file,
                         timeout = options.fetch_timeout] {
    return FetchJwksDocument(url, ca_file, timeout);
  };
  const absl::Time fetched_at = options.clock->Now();
  absl::StatusOr<std::string> document = fetch();
  if (!document.ok()) {
    return absl::Status(document.status().code(),
                        absl::StrCat("token verifier: ", document.status().message()));
  }
  absl::StatusOr<JwksKeys> keys = ParseJwks(*document);
  if (!keys.ok()) {
    return invalid(absl::StrCat("the JWKS from ", options.jwks_url, ": ", keys.status().message()));
  }
  return std::unique_ptr<TokenVerifier>(
      new JwksTokenVerifier(std::move(options), std::move(fetch), *std::move(keys), fetched_at));
}

}  // namespace consular

#include "services/common/token.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iterator>
#include <limits>
#include <utility>

// cpp-jwt defines a non-inline function: this must stay the only file including
// it (see token.h).
#include <jwt/jwt.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "base/status_macros.h"
#include "services/common/files.h"
#include "services/common/jws.h"

namespace consular {
namespace {

using consular::v1::Role;
using Json = nlohmann::json;

constexpr size_t kMaxSubjectBytes = 256;
// Tokens remembered as verified (see JwtTokenVerifier); when full the memory starts afresh.
constexpr size_t kVerifiedTokenCapacity = 4096;
constexpr absl::string_view kRolePrefix = "ROLE_";
constexpr absl::string_view kAlgorithm = "ES256";
// OpenSSL's name for NIST P-256.
constexpr char kP256GroupName[] = "prime256v1";

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

BioPtr MemoryBio(const std::string& data) {
  if (data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

bool IsP256Key(EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &length) != 1) return false;
  return std::strcmp(group, kP256GroupName) == 0;
}

size_t CountPemBlocks(absl::string_view pem) {
  size_t count = 0;
  for (size_t pos = pem.find("-----BEGIN "); pos != absl::string_view::npos;
       pos = pem.find("-----BEGIN ", pos + 1)) {
    ++count;
  }
  return count;
}

// A single EC P-256 public key in PEM form, or an explanation why not.
absl::Status CheckPublicKeyPem(const std::string& pem) {
  if (CountPemBlocks(pem) != 1) return absl::InvalidArgumentError("expected exactly one PEM block");
  BioPtr bio = MemoryBio(pem);
  if (!bio) return absl::InvalidArgumentError("cannot read key");
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return absl::InvalidArgumentError("not a PEM public key");
  if (!IsP256Key(key.get())) return absl::InvalidArgumentError("not an EC P-256 key");
  return absl::OkStatus();
}

absl::Status CheckPrivateKeyPem(const std::string& pem) {
  if (CountPemBlocks(pem) != 1) {
    return absl::InvalidArgumentError("private key: expected exactly one PEM block");
  }
  BioPtr bio = MemoryBio(pem);
  if (!bio) return absl::InvalidArgumentError("private key: cannot read");
  // A null passphrase callback with a null user pointer would prompt on the
  // terminal for an encrypted key; an empty passphrase makes such keys fail
  // instead.
  char empty_passphrase[] = "";
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, empty_passphrase));
  if (!key) return absl::InvalidArgumentError("private key: not an unencrypted PEM private key");
  if (!IsP256Key(key.get())) {
    return absl::InvalidArgumentError("private key: not an EC P-256 key");
  }
  return absl::OkStatus();
}

// The public key of a PEM block already checked by CheckPublicKeyPem.
PkeyPtr DecodePublicKey(const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  if (!bio) return nullptr;
  return PkeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

class JwtTokenVerifier final : public TokenVerifier {
 public:
  // The keys are decoded once: decoding a PEM key costs several times the signature check.
  JwtTokenVerifier(VerifierOptions options, std::vector<PkeyPtr> keys)
      : options_(std::move(options)), keys_(std::move(keys)) {}

  // A client sends the same token with every call until it expires. A token that passed every
  // check is remembered, by its exact text, with its identity and the times it is valid between,
  // so later calls with it cost a lookup instead of an ECDSA verification (about 0.1 ms, the
  // largest cost of a call in the server's profile). Only accepted tokens are remembered; the
  // whole text is the key (never a hash of it), and a remembered token is accepted only while the
  // clock is within its validity, so the answer is always the one a full check would give.
  absl::StatusOr<Identity> Verify(const std::string& token) const override {
    const absl::Time now = options_.clock->Now();
    {
      absl::MutexLock lock(&mu_);
      const auto it = verified_.find(token);
      if (it != verified_.end() && now >= it->second.validity.from &&
          now < it->second.validity.until) {
        return it->second.identity;
      }
    }
    // The JSON library and cpp-jwt may throw (allocation, type errors); no
    // exception may reach a gRPC thread, and whatever went wrong, the token is
    // not accepted.
    TokenValidity validity;
    absl::StatusOr<Identity> identity;
    try {
      identity = VerifyOrThrow(token, &validity);
    } catch (const std::exception&) {
      return InvalidToken("malformed token");
    }
    if (identity.ok()) {
      absl::MutexLock lock(&mu_);
      if (verified_.size() >= kVerifiedTokenCapacity) verified_.clear();
      verified_.insert_or_assign(token, Verified{*identity, validity});
    }
    return identity;
  }

 private:
  struct Verified {
    Identity identity;
    TokenValidity validity;
  };

  absl::StatusOr<Identity> VerifyOrThrow(const std::string& token, TokenValidity* validity) const {
    CONSULAR_ASSIGN_OR_RETURN(CompactJws jws, SplitCompactJws(token));
    // Header: only ES256; never trust the token to pick a weaker algorithm
    // ("none", HS256 with the public key as secret, ...).
    const std::string* alg = StringField(jws.header, "alg");
    if (alg == nullptr || *alg != kAlgorithm) return InvalidToken("unsupported algorithm");
    CONSULAR_RETURN_IF_ERROR(CheckHeaderType(jws.header, {"JWT"}));

    // Signature, before any claim is looked at.
    bool signed_by_known_key = false;
    for (const PkeyPtr& key : keys_) {
      if (VerifyEs256(key.get(), jws.signing_input, jws.signature)) {
        signed_by_known_key = true;
        break;
      }
    }
    if (!signed_by_known_key) return InvalidToken("signature does not verify");

    absl::optional<Json> payload = DecodeJsonObject(jws.payload_segment);
    if (!payload) return InvalidToken("malformed payload");
    ClaimRules rules;
    rules.issuer = options_.issuer;
    rules.audience = options_.audience;
    rules.leeway = options_.leeway;
    return IdentityFromClaims(*payload, rules, options_.clock->Now(), validity);
  }

  const VerifierOptions options_;
  const std::vector<PkeyPtr> keys_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, Verified> verified_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeJwtTokenVerifier(VerifierOptions options) {
  if (options.public_key_pems.empty()) {
    return absl::InvalidArgumentError("token verifier: no public key configured");
  }
  for (size_t i = 0; i < options.public_key_pems.size(); ++i) {
    absl::Status status = CheckPublicKeyPem(options.public_key_pems[i]);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("token verifier: public key #", i + 1, ": ", status.message()));
    }
  }
  if (options.issuer.empty()) return absl::InvalidArgumentError("token verifier: empty issuer");
  if (options.audience.empty()) {
    return absl::InvalidArgumentError("token verifier: empty audience");
  }
  if (options.leeway < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("token verifier: negative leeway");
  }
  if (options.clock == nullptr) options.clock = &SystemClock();
  std::vector<PkeyPtr> keys;
  for (const std::string& pem : options.public_key_pems) {
    keys.push_back(DecodePublicKey(pem));
    if (!keys.back()) return absl::InvalidArgumentError("token verifier: cannot decode a key");
  }
  return std::unique_ptr<TokenVerifier>(new JwtTokenVerifier(std::move(options), std::move(keys)));
}

absl::StatusOr<std::vector<std::string>> ReadPemFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> pems;
  pems.reserve(paths.size());
  for (const std::string& path : paths) {
    CONSULAR_ASSIGN_OR_RETURN(std::string pem, ReadPemFile(path));
    pems.push_back(std::move(pem));
  }
  return pems;
}

absl::StatusOr<std::string> MintToken(const std::string& private_key_pem,
                                      const TokenClaims& claims) {
  if (claims.subject.empty() || claims.subject.size() > kMaxSubjectBytes) {
    return absl::InvalidArgumentError("subject: must be 1 to 256 bytes");
  }
  if (claims.role == consular::v1::ROLE_UNSPECIFIED || !consular::v1::Role_IsValid(claims.role)) {
    return absl::InvalidArgumentError("role: unspecified or unknown");
  }
  if (claims.post.empty()) {
    if (RoleRequiresPost(claims.role)) {
      return absl::InvalidArgumentError(
          absl::StrCat("post: required for role ", RoleName(claims.role)));
    }
  } else if (!IsValidPostCode(claims.post)) {
    return absl::InvalidArgumentError("post: must match ^[A-Z][A-Z0-9-]{1,31}$ and not be LKHA");
  }
  if (claims.issuer.empty()) return absl::InvalidArgumentError("issuer: empty");
  if (claims.audience.empty()) return absl::InvalidArgumentError("audience: empty");
  if (claims.ttl <= absl::ZeroDuration()) return absl::InvalidArgumentError("ttl: not positive");
  absl::Status key_status = CheckPrivateKeyPem(private_key_pem);
  if (!key_status.ok()) return key_status;

  try {
    jwt::jwt_object token{jwt::params::algorithm("ES256"), jwt::params::secret(private_key_pem)};
    jwt::jwt_payload& payload = token.payload();
    payload.add_claim("iss", claims.issuer);
    payload.add_claim("aud", claims.audience);
    payload.add_claim("sub", claims.subject);
    payload.add_claim("iat", absl::ToUnixSeconds(claims.now));
    payload.add_claim("exp", absl::ToUnixSeconds(claims.now + claims.ttl));
    payload.add_claim("role", RoleName(claims.role));
    if (!claims.post.empty()) payload.add_claim("post", claims.post);
    std::error_code error;
    std::string signed_token = token.signature(error);
    if (error) return absl::InvalidArgumentError(absl::StrCat("cannot sign: ", error.message()));
    return signed_token;
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot sign: ", e.what()));
  }
}

std::string RoleName(Role role) {
  if (!consular::v1::Role_IsValid(role)) return "";
  absl::string_view name = consular::v1::Role_Name(role);
  absl::ConsumePrefix(&name, kRolePrefix);
  return std::string(name);
}

absl::StatusOr<Role> ParseRoleName(const std::string& name) {
  Role role = consular::v1::ROLE_UNSPECIFIED;
  // Role_Parse accepts only exact enum value names, so "ROLE_" + name rules out
  // lower case and names that already carry the prefix.
  if (name.empty() || absl::StartsWith(name, kRolePrefix) ||
      !consular::v1::Role_Parse(absl::StrCat(kRolePrefix, name), &role) ||
      role == consular::v1::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError("unknown role name");
  }
  return role;
}

bool RoleRequiresPost(Role role) {
  return role == consular::v1::ROLE_CONSULAR_OFFICER || role == consular::v1::ROLE_POST_MANAGER;
}

std::string DevSubject(Role role, const std::string& post) {
  std::string word;
  switch (role) {
    case consular::v1::ROLE_CONSULAR_OFFICER:
      word = "officer";
      break;
    case consular::v1::ROLE_POST_MANAGER:
      word = "manager";
      break;
    case consular::v1::ROLE_LKHA_CASEWORKER:
      word = "lkha";
      break;
    case consular::v1::ROLE_POLICY_STAFF:
      word = "policy";
      break;
    case consular::v1::ROLE_ADMINISTRATOR:
      word = "admin";
      break;
    default:
      word = absl::AsciiStrToLower(RoleName(role));
  }
  std::string subject = absl::StrCat("dev-", word);
  if (!post.empty()) absl::StrAppend(&subject, "-", absl::AsciiStrToLower(post));
  return subject;
}

bool IsValidPostCode(absl::string_view post) {
  if (post.size() < 2 || post.size() > 32) return false;
  if (post == kLkhaUnit) return false;  // reserved for the expertise centre
  if (post[0] < 'A' || post[0] > 'Z') return false;
  for (char c : post.substr(1)) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

absl::StatusOr<std::string> BearerFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& md) {
  const auto range = md.equal_range(grpc::string_ref("authorization"));
  if (range.first == range.second) {
    return absl::UnauthenticatedError("missing authorization metadata");
  }
  if (std::next(range.first) != range.second) {
    return absl::UnauthenticatedError("more than one authorization metadata entry");
  }
  const grpc::string_ref value = range.first->second;
  absl::string_view header(value.data(), value.size());
  constexpr absl::string_view kScheme = "bearer ";
  if (header.size() < kScheme.size() ||
      !absl::EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) {
    return absl::UnauthenticatedError("authorization metadata is not \"Bearer <token>\"");
  }
  header.remove_prefix(kScheme.size());
  header = absl::StripAsciiWhitespace(header);
  if (header.empty()) return absl::UnauthenticatedError("empty bearer token");
  if (header.size() > kMaxTokenBytes) return absl::UnauthenticatedError("bearer token too long");
  for (char c : header) {
    // RFC 6750 token68 characters.
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
          c == '~' || c == '+' || c == '/' || c == '=')) {
      return absl::UnauthenticatedError("malformed bearer token");
    }
  }
  return std::string(header);
}

}  // namespace consular

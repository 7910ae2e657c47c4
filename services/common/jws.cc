#include "services/common/jws.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/token.h"

namespace consular {
namespace {

using Json = nlohmann::json;
using consular::v1::Role;

constexpr size_t kMaxSubjectBytes = 256;
constexpr absl::string_view kRolePrefix = "ROLE_";

struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

bool IsBase64UrlChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// SHA-256 digest verification of `signature` (in OpenSSL's form for the key type) over `input`.
bool DigestVerifySha256(EVP_PKEY* key, absl::string_view input, absl::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

// An integral NumericDate claim in seconds since the epoch.
absl::optional<int64_t> IntegerClaim(const Json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end()) return absl::nullopt;
  if (it->is_number_unsigned()) {
    const uint64_t value = it->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return absl::nullopt;
    return static_cast<int64_t>(value);
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  return absl::nullopt;
}

bool AudienceMatches(const Json& payload, absl::string_view audience) {
  auto it = payload.find("aud");
  if (it == payload.end()) return false;
  if (it->is_string()) return it->get_ref<const std::string&>() == audience;
  if (!it->is_array()) return false;
  for (const Json& entry : *it) {
    if (entry.is_string() && entry.get_ref<const std::string&>() == audience) return true;
  }
  return false;
}

}  // namespace

absl::Status InvalidToken(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("invalid bearer token: ", why));
}

absl::optional<std::string> Base64UrlDecode(absl::string_view in) {
  if (in.size() % 4 == 1) return absl::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t bits = 0;
  int bit_count = 0;
  for (char c : in) {
    const int value = Base64UrlValue(c);
    if (value < 0) return absl::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
    }
  }
  return out;
}

absl::optional<Json> DecodeJsonObject(absl::string_view segment) {
  absl::optional<std::string> text = Base64UrlDecode(segment);
  if (!text) return absl::nullopt;
  Json json = Json::parse(*text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return absl::nullopt;
  return json;
}

const std::string* StringField(const Json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

absl::StatusOr<CompactJws> SplitCompactJws(const std::string& token) {
  if (token.empty()) return InvalidToken("missing token");
  if (token.size() > kMaxTokenBytes) return InvalidToken("token too long");

  // header.payload.signature, each non-empty base64url.
  const size_t first_dot = token.find('.');
  if (first_dot == std::string::npos) return InvalidToken("malformed token");
  const size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string::npos || token.find('.', second_dot + 1) != std::string::npos) {
    return InvalidToken("malformed token");
  }
  const absl::string_view all(token);
  const absl::string_view header_segment = all.substr(0, first_dot);
  const absl::string_view payload_segment = all.substr(first_dot + 1, second_dot - first_dot - 1);
  const absl::string_view signature_segment = all.substr(second_dot + 1);
  if (header_segment.empty() || payload_segment.empty() || signature_segment.empty()) {
    return InvalidToken("malformed token");
  }
  for (char c : token) {
    if (c != '.' && !IsBase64UrlChar(c)) return InvalidToken("malformed token");
  }
  absl::optional<Json> header = DecodeJsonObject(header_segment);
  if (!header) return InvalidToken("malformed header");
  absl::optional<std::string> signature = Base64UrlDecode(signature_segment);
  if (!signature) return InvalidToken("malformed token");

  CompactJws jws;
  jws.header = *std::move(header);
  jws.payload_segment = std::string(payload_segment);
  jws.signing_input = std::string(all.substr(0, second_dot));
  jws.signature = *std::move(signature);
  return jws;
}

absl::Status CheckHeaderType(const Json& header,
                             const std::vector<absl::string_view>& accepted_types) {
  if (header.contains("typ")) {
    const std::string* typ = StringField(header, "typ");
    const bool accepted =
        typ != nullptr && std::any_of(accepted_types.begin(), accepted_types.end(),
                                      [typ](absl::string_view accepted_type) {
                                        return absl::EqualsIgnoreCase(*typ, accepted_type);
                                      });
    if (!accepted) return InvalidToken("unsupported token type");
  }
  if (header.contains("crit")) return InvalidToken("unsupported critical header");
  return absl::OkStatus();
}

bool VerifyEs256(EVP_PKEY* key, absl::string_view signing_input, absl::string_view signature) {
  if (key == nullptr || EVP_PKEY_id(key) != EVP_PKEY_EC || signature.size() != 64) return false;
  // JWS carries r||s; OpenSSL verifies the DER SEQUENCE of the two.
  const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw, 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  const int der_size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (der_size <= 0) return false;
  std::string der(static_cast<size_t>(der_size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != der_size) return false;
  return DigestVerifySha256(key, signing_input, der);
}

bool VerifyRs256(EVP_PKEY* key, absl::string_view signing_input, absl::string_view signature) {
  if (key == nullptr || EVP_PKEY_id(key) != EVP_PKEY_RSA) return false;
  // The signature is exactly as long as the modulus (RFC 8017 section 8.2.2).
  if (EVP_PKEY_get_size(key) <= 0 ||
      signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key))) {
    return false;
  }
  // PKCS #1 v1.5 is OpenSSL's default padding for RSA signatures.
  return DigestVerifySha256(key, signing_input, signature);
}

absl::StatusOr<Identity> IdentityFromClaims(const Json& payload, const ClaimRules& rules,
                                            absl::Time now, TokenValidity* validity) {
  const std::string* issuer = StringField(payload, "iss");
  if (issuer == nullptr || *issuer != rules.issuer) return InvalidToken("wrong issuer");
  if (!AudienceMatches(payload, rules.audience)) return InvalidToken("wrong audience");

  const absl::optional<int64_t> exp = IntegerClaim(payload, "exp");
  if (!exp) return InvalidToken("missing or malformed exp");
  if (now >= absl::FromUnixSeconds(*exp) + rules.leeway) return InvalidToken("expired");
  const absl::optional<int64_t> iat = IntegerClaim(payload, "iat");
  if (!iat) return InvalidToken("missing or malformed iat");
  if (absl::FromUnixSeconds(*iat) > now + rules.leeway) {
    return InvalidToken("not yet valid (issued in the future)");
  }
  TokenValidity valid;
  valid.until = absl::FromUnixSeconds(*exp) + rules.leeway;
  valid.from = absl::FromUnixSeconds(*iat) - rules.leeway;
  if (payload.contains("nbf")) {
    const absl::optional<int64_t> nbf = IntegerClaim(payload, "nbf");
    if (!nbf) return InvalidToken("malformed nbf");
    if (absl::FromUnixSeconds(*nbf) > now + rules.leeway) return InvalidToken("not yet valid");
    valid.from = std::max(valid.from, absl::FromUnixSeconds(*nbf) - rules.leeway);
  }

  Identity identity;
  const std::string* subject = StringField(payload, "sub");
  if (subject == nullptr || subject->empty() || subject->size() > kMaxSubjectBytes) {
    return InvalidToken("missing or malformed subject");
  }
  identity.subject = *subject;

  const std::string* role_claim = StringField(payload, "role");
  if (role_claim == nullptr) return InvalidToken("missing role");
  absl::string_view role_name = *role_claim;
  // One prefix at most: "ROLE_ROLE_AUDITOR" stays unknown, as ParseRoleName refuses a prefix.
  if (rules.accept_role_prefix) absl::ConsumePrefix(&role_name, kRolePrefix);
  absl::StatusOr<Role> role = ParseRoleName(std::string(role_name));
  if (!role.ok()) return InvalidToken("unknown role");
  identity.role = *role;

  if (payload.contains("post")) {
    const std::string* post = StringField(payload, "post");
    if (post == nullptr || !IsValidPostCode(*post)) return InvalidToken("malformed post");
    identity.post = *post;
  } else if (RoleRequiresPost(identity.role)) {
    return InvalidToken("missing post for a post-bound role");
  }
  *validity = valid;
  return identity;
}

}  // namespace consular

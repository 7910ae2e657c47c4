#include "services/common/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "services/common/jws.h"

namespace consular {
namespace {

using Json = nlohmann::json;

// OpenSSL's name for NIST P-256, and the length of its coordinates.
constexpr char kP256GroupName[] = "prime256v1";
constexpr size_t kP256CoordinateBytes = 32;
constexpr int kMinRsaBits = 2048;
// Larger moduli only make every verification slower.
constexpr int kMaxRsaBits = 8192;
constexpr int kMaxRsaExponentBits = 64;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamDeleter>;
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

// The public key of type `type` ("EC", "RSA") that `params` describe, if OpenSSL accepts it and
// it passes OpenSSL's public-key checks (for EC: the point is on the curve).
PkeyPtr KeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  PkeyPtr key(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

// A base64url member of a JWK, decoded; nullopt if absent or malformed.
absl::optional<std::string> Base64UrlMember(const Json& jwk, const char* name) {
  const std::string* text = StringField(jwk, name);
  if (text == nullptr || text->empty()) return absl::nullopt;
  return Base64UrlDecode(*text);
}

PkeyPtr EcP256Key(const Json& jwk) {
  const std::string* crv = StringField(jwk, "crv");
  if (crv == nullptr || *crv != "P-256") return nullptr;
  const absl::optional<std::string> x = Base64UrlMember(jwk, "x");
  const absl::optional<std::string> y = Base64UrlMember(jwk, "y");
  // RFC 7518 section 6.2.1.2: each coordinate has the full length of the field.
  if (!x || !y || x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
    return nullptr;
  }
  const std::string point = absl::StrCat("\x04", *x, *y);  // uncompressed SEC 1 point
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName, 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  return KeyFromParams("EC", bld.get());
}

BnPtr BigEndianNumber(const std::string& bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

PkeyPtr RsaKey(const Json& jwk) {
  const absl::optional<std::string> n_bytes = Base64UrlMember(jwk, "n");
  const absl::optional<std::string> e_bytes = Base64UrlMember(jwk, "e");
  if (!n_bytes || !e_bytes || n_bytes->size() > static_cast<size_t>(kMaxRsaBits / 8 + 1) ||
      e_bytes->size() > static_cast<size_t>(kMaxRsaExponentBits / 8)) {
    return nullptr;
  }
  BnPtr n = BigEndianNumber(*n_bytes);
  BnPtr e = BigEndianNumber(*e_bytes);
  if (!n || !e || BN_num_bits(n.get()) < kMinRsaBits || BN_num_bits(n.get()) > kMaxRsaBits ||
      !BN_is_odd(n.get()) || !BN_is_odd(e.get()) || BN_num_bits(e.get()) < 2) {
    return nullptr;
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return nullptr;
  }
  return KeyFromParams("RSA", bld.get());
}

// True unless the JWK says it is not for verifying signatures.
bool IsForVerifying(const Json& jwk) {
  if (jwk.contains("use")) {
    const std::string* use = StringField(jwk, "use");
    if (use == nullptr || *use != "sig") return false;
  }
  if (jwk.contains("key_ops")) {
    const auto ops = jwk.find("key_ops");
    if (!ops->is_array()) return false;
    const bool verify = std::any_of(ops->begin(), ops->end(), [](const Json& op) {
      return op.is_string() && op.get_ref<const std::string&>() == "verify";
    });
    if (!verify) return false;
  }
  return true;
}

// The key a JWK describes, if it is one this service accepts (see ParseJwks).
absl::optional<JwkPublicKey> UsableKey(const Json& jwk) {
  if (!jwk.is_object() || !IsForVerifying(jwk)) return absl::nullopt;
  // A published private key signs tokens for anyone: never trust it.
  if (jwk.contains("d")) return absl::nullopt;
  const std::string* kty = StringField(jwk, "kty");
  if (kty == nullptr) return absl::nullopt;
  JwkPublicKey key;
  PkeyPtr pkey;
  if (*kty == "EC") {
    key.algorithm = JwsAlgorithm::kEs256;
    pkey = EcP256Key(jwk);
  } else if (*kty == "RSA") {
    key.algorithm = JwsAlgorithm::kRs256;
    pkey = RsaKey(jwk);
  } else {
    return absl::nullopt;
  }
  if (!pkey) return absl::nullopt;
  if (jwk.contains("alg")) {
    const std::string* alg = StringField(jwk, "alg");
    if (alg == nullptr || *alg != JwsAlgorithmName(key.algorithm)) return absl::nullopt;
  }
  key.key = std::shared_ptr<EVP_PKEY>(pkey.release(), PkeyDeleter());
  return key;
}

absl::StatusOr<JwksKeys> ParseJwksOrThrow(absl::string_view document) {
  const Json jwks = Json::parse(document.begin(), document.end(), /*cb=*/nullptr,
                                /*allow_exceptions=*/false);
  if (jwks.is_discarded() || !jwks.is_object()) {
    return absl::InvalidArgumentError("JWKS: not a JSON object");
  }
  const auto keys = jwks.find("keys");
  if (keys == jwks.end() || !keys->is_array()) {
    return absl::InvalidArgumentError("JWKS: no \"keys\" array");
  }
  if (keys->size() > kMaxJwksKeys) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS: more than ", kMaxJwksKeys, " keys"));
  }
  JwksKeys usable;
  for (const Json& jwk : *keys) {
    const std::string* kid = jwk.is_object() ? StringField(jwk, "kid") : nullptr;
    if (kid == nullptr || kid->empty() || usable.contains(*kid)) continue;
    absl::optional<JwkPublicKey> key = UsableKey(jwk);
    if (key) usable.emplace(*kid, *std::move(key));
  }
  if (usable.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "JWKS: none of its ", keys->size(),
        " keys is usable (a signing key with a kid: EC P-256 for ES256 or RSA of at least ",
        kMinRsaBits, " bits for RS256)"));
  }
  return usable;
}

}  // namespace

absl::string_view JwsAlgorithmName(JwsAlgorithm algorithm) {
  switch (algorithm) {
    case JwsAlgorithm::kEs256:
      return "ES256";
    case JwsAlgorithm::kRs256:
      return "RS256";
  }
  return "";
}

absl::StatusOr<JwksKeys> ParseJwks(absl::string_view document) {
  if (document.size() > kMaxJwksBytes) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS: larger than ", kMaxJwksBytes, " bytes"));
  }
  // The JSON library may still throw (allocation); a document it cannot read is not a JWKS.
  try {
    return ParseJwksOrThrow(document);
  } catch (const std::exception&) {
    return absl::InvalidArgumentError("JWKS: cannot be read");
  }
}

}  // namespace consular

// services/common/token: the bearer-token verifier, which reads whatever a client puts in its
// "authorization" header. Two kinds of input (first byte even / odd):
//   even  the rest is the token, verbatim (the signature check meets random bytes);
//   odd   the rest is a JWS header (a length-prefixed part) and a payload, signed here with the
//         trusted key, so that the header and claim checks behind the signature are reached too.
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <map>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/common/token.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

// A key pair for this fuzz target only: it signs nothing anywhere else.
constexpr char kPrivateKeyPem[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUQd7sKiW2YxyruVS
5MU6gNtei6fEAQ1KaLbpj9S+CT+hRANCAAQecyXgn1rCrdKhn8fB91vPCxPiWPK/
SglniTvJwcBvj9l8NE01hKPezwoUnp9PSEdxCnFqlQMiqHwxFlJCdjxd
-----END PRIVATE KEY-----
)";
constexpr char kPublicKeyPem[] = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHnMl4J9awq3SoZ/HwfdbzwsT4ljy
v0oJZ4k7ycHAb4/ZfDRNNYSj3s8KFJ6fT0hHcQpxapUDIqh8MRZSQnY8XQ==
-----END PUBLIC KEY-----
)";
// The verifier's clock: 2026-01-01T00:00:00Z. The seeds' tokens are valid then.
constexpr int64_t kNow = 1767225600;

std::string Base64Url(const std::string& bytes) {
  std::string out;
  absl::WebSafeBase64Escape(bytes, &out);  // unpadded
  return out;
}

EVP_PKEY* SigningKey() {
  static EVP_PKEY* const key = [] {
    BIO* bio = BIO_new_mem_buf(kPrivateKeyPem, -1);
    EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    FUZZ_CHECK(k != nullptr);
    return k;
  }();
  return key;
}

// The JWS ES256 signature of `input`: r and s, 32 bytes each.
std::string SignEs256(const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  FUZZ_CHECK(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, SigningKey()) == 1);
  size_t der_size = 0;
  FUZZ_CHECK(EVP_DigestSign(ctx, nullptr, &der_size,
                            reinterpret_cast<const unsigned char*>(input.data()),
                            input.size()) == 1);
  std::string der(der_size, '\0');
  FUZZ_CHECK(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &der_size,
                            reinterpret_cast<const unsigned char*>(input.data()),
                            input.size()) == 1);
  EVP_MD_CTX_free(ctx);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_size));
  FUZZ_CHECK(sig != nullptr);
  std::string raw(64, '\0');
  FUZZ_CHECK(BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(&raw[0]), 32) ==
             32);
  FUZZ_CHECK(BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(&raw[32]), 32) ==
             32);
  ECDSA_SIG_free(sig);
  return raw;
}

bool SameAnswer(const absl::StatusOr<consular::Identity>& a,
                const absl::StatusOr<consular::Identity>& b) {
  if (a.ok() != b.ok()) return false;
  if (!a.ok()) return a.status() == b.status();
  return a->subject == b->subject && a->role == b->role && a->post == b->post;
}

}  // namespace

CONSULAR_FUZZ_TARGET(token_verifier) {
  consular::fuzz::FuzzInput in(data, size);
  std::string token;
  if (in.Byte() % 2 == 0) {
    token = in.Rest();
  } else {
    std::string header = in.Bytes(255);
    if (header.empty()) header = R"({"alg":"ES256","typ":"JWT"})";
    const std::string signing_input = absl::StrCat(Base64Url(header), ".", Base64Url(in.Rest()));
    token = absl::StrCat(signing_input, ".", Base64Url(SignEs256(signing_input)));
  }

  consular::VerifierOptions options;
  options.public_key_pems = {kPublicKeyPem};
  static const consular::ManualClock clock(absl::FromUnixSeconds(kNow));
  options.clock = &clock;
  absl::StatusOr<std::unique_ptr<consular::TokenVerifier>> verifier =
      consular::MakeJwtTokenVerifier(options);
  FUZZ_CHECK(verifier.ok());

  const absl::StatusOr<consular::Identity> first = (*verifier)->Verify(token);
  // A second look (an accepted token is remembered) gives the same answer.
  const absl::StatusOr<consular::Identity> second = (*verifier)->Verify(token);
  FUZZ_CHECK(SameAnswer(first, second));
  if (first.ok()) {
    FUZZ_CHECK(!first->subject.empty());
    FUZZ_CHECK(!consular::RoleName(first->role).empty() &&
               first->role != consular::v1::ROLE_UNSPECIFIED);
    if (consular::RoleRequiresPost(first->role) || !first->post.empty()) {
      FUZZ_CHECK(consular::IsValidPostCode(first->post));
    }
  } else {
    FUZZ_CHECK(first.status().code() == absl::StatusCode::kUnauthenticated);
    // The message never echoes the token. Its words are fixed (lower-case letters, spaces and a
    // few signs), so a token made of those alone may be a piece of them ("nvalid bear"): only a
    // token with any other byte, as every real one has, can be told apart from the fixed text.
    if (token.size() >= 8 &&
        token.find_first_not_of("abcdefghijklmnopqrstuvwxyz :()-") != std::string::npos) {
      FUZZ_CHECK(!absl::StrContains(first.status().message(), token));
    }
  }

  // The same token as a client sends it, in the call's metadata.
  const std::string header_value = absl::StrCat("Bearer ", token);
  std::multimap<grpc::string_ref, grpc::string_ref> metadata;
  metadata.emplace("authorization", grpc::string_ref(header_value.data(), header_value.size()));
  const absl::StatusOr<std::string> bearer = consular::BearerFromMetadata(metadata);
  if (bearer.ok()) {
    FUZZ_CHECK(!bearer->empty());
    FUZZ_CHECK(absl::StrContains(header_value, *bearer));
  } else {
    FUZZ_CHECK(bearer.status().code() == absl::StatusCode::kUnauthenticated);
  }
}

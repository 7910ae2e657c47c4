// Tokens of an OpenID Connect provider verified against its JWKS (services/common/jwks.h,
// jwks_verifier.h), alone and beside the development keys (token_routing.h, server_flags.h). The
// JWKS is fetched over real HTTPS from an in-process server on 127.0.0.1; tokens are made here
// with OpenSSL's EVP API (no cpp-jwt: see token.h).
#include "services/common/jwks.h"

#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/jwks_verifier.h"
#include "services/common/jws.h"
#include "services/common/server_flags.h"
#include "services/common/token.h"
#include "services/common/token_routing.h"
#include "tests/common/test_crypto.h"

namespace consular {
namespace {

using consular::testing::Certificate;
using consular::testing::GenerateEcKeyPair;
using consular::testing::GenerateRsaKeyPair;
using consular::testing::KeyPair;
using consular::testing::MakeCa;
using consular::testing::MakeLeaf;
using consular::testing::WriteTempFile;
using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
constexpr char kIssuer[] = "https://idp.example/realms/consular";

// ---- Keys, JWKs and tokens, made with OpenSSL ----

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

std::string Base64Url(const std::string& data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int bit_count = 0;
  for (unsigned char c : data) {
    bits = (bits << 8) | c;
    bit_count += 8;
    while (bit_count >= 6) {
      bit_count -= 6;
      out.push_back(kAlphabet[(bits >> bit_count) & 0x3F]);
    }
  }
  if (bit_count > 0) out.push_back(kAlphabet[(bits << (6 - bit_count)) & 0x3F]);
  return out;
}

PkeyPtr ReadKey(const std::string& pem, bool is_private) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = is_private ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)
                             : PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EXPECT_NE(key, nullptr);
  return PkeyPtr(key);
}

std::string BigEndian(const BIGNUM* bn, int length) {
  std::string out(static_cast<size_t>(length), '\0');
  EXPECT_EQ(BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), length), length);
  return out;
}

// A JWS signature of `input` with SHA-256: raw r||s for an EC key (as JWS wants), PKCS #1 v1.5
// for an RSA key.
std::string Sign(const std::string& private_pem, const std::string& input) {
  PkeyPtr key = ReadKey(private_pem, /*is_private=*/true);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key.get()), 1);
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &length, data, input.size()), 1);
  std::string signature(length, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                           input.size()),
            1);
  signature.resize(length);
  EVP_MD_CTX_free(ctx);
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_EC) return signature;
  const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
  EXPECT_NE(sig, nullptr);
  const std::string raw =
      BigEndian(ECDSA_SIG_get0_r(sig), 32) + BigEndian(ECDSA_SIG_get0_s(sig), 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string HmacSha256(const std::string& secret, const std::string& input) {
  unsigned char mac[32];
  unsigned int length = sizeof(mac);
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string BnParam(EVP_PKEY* key, const char* name, int length = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
  const std::string out = BigEndian(bn, length > 0 ? length : BN_num_bytes(bn));
  BN_free(bn);
  return out;
}

Json EcJwk(const std::string& public_pem, const std::string& kid) {
  PkeyPtr key = ReadKey(public_pem, /*is_private=*/false);
  return Json{{"kty", "EC"},
              {"crv", "P-256"},
              {"kid", kid},
              {"use", "sig"},
              {"alg", "ES256"},
              {"x", Base64Url(BnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
              {"y", Base64Url(BnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

Json RsaJwk(const std::string& public_pem, const std::string& kid) {
  PkeyPtr key = ReadKey(public_pem, /*is_private=*/false);
  return Json{{"kty", "RSA"},
              {"kid", kid},
              {"use", "sig"},
              {"alg", "RS256"},
              {"n", Base64Url(BnParam(key.get(), OSSL_PKEY_PARAM_RSA_N))},
              {"e", Base64Url(BnParam(key.get(), OSSL_PKEY_PARAM_RSA_E))}};
}

Json Jwks(std::vector<Json> keys) { return Json{{"keys", std::move(keys)}}; }

Json Header(const std::string& alg, const std::string& kid) {
  return Json{{"alg", alg}, {"typ", "JWT"}, {"kid", kid}};
}

// The claims of a consular officer at RABAT, issued by the provider at kNow for an hour.
Json OfficerClaims() {
  const int64_t now = absl::ToUnixSeconds(kNow);
  return Json{{"iss", kIssuer},    {"aud", "consular"},          {"sub", "officer-1"}, {"iat", now},
              {"exp", now + 3600}, {"role", "CONSULAR_OFFICER"}, {"post", "RABAT"}};
}

std::string SigningInput(const Json& header, const Json& claims) {
  return absl::StrCat(Base64Url(header.dump()), ".", Base64Url(claims.dump()));
}

std::string Token(const Json& header, const Json& claims, const std::string& private_pem) {
  const std::string input = SigningInput(header, claims);
  return absl::StrCat(input, ".", Base64Url(Sign(private_pem, input)));
}

// ---- The provider's JWKS endpoint: HTTPS on 127.0.0.1, counting its requests ----

class JwksServer {
 public:
  explicit JwksServer(const Certificate& leaf) {
    const std::string cert = WriteTempFile("jwks-cert.pem", leaf.cert_pem);
    const std::string key = WriteTempFile("jwks-key.pem", leaf.key_pem);
    server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    server_->Get("/jwks", [this](const httplib::Request&, httplib::Response& response) {
      hits_.fetch_add(1);
      std::string body;
      int status = 200;
      absl::Duration delay;
      {
        absl::MutexLock lock(&mu_);
        body = document_;
        status = status_;
        delay = delay_;
      }
      absl::SleepFor(delay);
      response.status = status;
      response.set_content(body, "application/json");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    EXPECT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) absl::SleepFor(absl::Milliseconds(1));
  }
  ~JwksServer() {
    server_->stop();
    thread_.join();
  }

  std::string Url() const { return absl::StrCat("https://127.0.0.1:", port_, "/jwks"); }
  void Publish(const Json& jwks) {
    absl::MutexLock lock(&mu_);
    document_ = jwks.dump();
  }
  void Answer(int status) {
    absl::MutexLock lock(&mu_);
    status_ = status;
  }
  void Delay(absl::Duration delay) {
    absl::MutexLock lock(&mu_);
    delay_ = delay;
  }
  int hits() const { return hits_.load(); }

 private:
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> hits_{0};
  absl::Mutex mu_;
  std::string document_ ABSL_GUARDED_BY(mu_) = R"({"keys":[]})";
  int status_ ABSL_GUARDED_BY(mu_) = 200;
  absl::Duration delay_ ABSL_GUARDED_BY(mu_);
};

class JwksVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = MakeCa("JWKS test CA");
    ca_file_ = WriteTempFile("jwks-ca.pem", ca_.cert_pem);
    server_ = std::make_unique<JwksServer>(MakeLeaf(ca_, "localhost"));
    ec_ = GenerateEcKeyPair();
    rsa_ = GenerateRsaKeyPair();
    server_->Publish(Jwks({EcJwk(ec_.public_pem, "ec-1"), RsaJwk(rsa_.public_pem, "rsa-1")}));
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = MakeJwksTokenVerifier(Options());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
    ASSERT_EQ(server_->hits(), 1);
  }

  JwksVerifierOptions Options() {
    JwksVerifierOptions options;
    options.jwks_url = server_->Url();
    options.ca_file = ca_file_;
    options.issuer = kIssuer;
    options.audience = "consular";
    options.clock = &clock_;
    return options;
  }

  std::string EcToken(const Json& claims = OfficerClaims()) {
    return Token(Header("ES256", "ec-1"), claims, ec_.private_pem);
  }
  std::string RsaToken(const Json& claims = OfficerClaims()) {
    return Token(Header("RS256", "rsa-1"), claims, rsa_.private_pem);
  }

  // Expects UNAUTHENTICATED mentioning `why`, echoing no part of the token.
  void ExpectRejected(const std::string& token, const std::string& why) {
    const absl::StatusOr<Identity> identity = verifier_->Verify(token);
    ASSERT_FALSE(identity.ok()) << "accepted a token that should fail: " << why;
    EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated);
    const std::string message(identity.status().message());
    EXPECT_THAT(message, HasSubstr(why));
    for (absl::string_view part : absl::StrSplit(token, '.')) {
      if (part.size() > 8) {
        EXPECT_THAT(message, Not(HasSubstr(std::string(part))));
      }
    }
    EXPECT_THAT(message, Not(HasSubstr("officer-1")));
  }

  ManualClock clock_{kNow};
  Certificate ca_;
  std::string ca_file_;
  std::unique_ptr<JwksServer> server_;
  KeyPair ec_;
  KeyPair rsa_;
  std::unique_ptr<TokenVerifier> verifier_;
};

// ---- Valid tokens ----

TEST_F(JwksVerifierTest, Es256TokenGivesTheIdentity) {
  const absl::StatusOr<Identity> identity = verifier_->Verify(EcToken());
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->subject, "officer-1");
  EXPECT_EQ(identity->role, consular::v1::ROLE_CONSULAR_OFFICER);
  EXPECT_EQ(identity->post, "RABAT");
}

TEST_F(JwksVerifierTest, Rs256TokenGivesTheIdentity) {
  Json claims = OfficerClaims();
  claims["role"] = "AUDITOR";
  claims.erase("post");
  const absl::StatusOr<Identity> identity = verifier_->Verify(RsaToken(claims));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->subject, "officer-1");
  EXPECT_EQ(identity->role, consular::v1::ROLE_AUDITOR);
  EXPECT_EQ(identity->post, "");
}

TEST_F(JwksVerifierTest, RoleMayCarryTheRolePrefix) {
  Json claims = OfficerClaims();
  claims["role"] = "ROLE_POST_MANAGER";
  const absl::StatusOr<Identity> identity = verifier_->Verify(EcToken(claims));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->role, consular::v1::ROLE_POST_MANAGER);
  for (const char* role : {"ROLE_ROLE_POST_MANAGER", "ROLE_UNSPECIFIED", "ROLE_", "role_auditor"}) {
    claims["role"] = role;
    ExpectRejected(EcToken(claims), "unknown role");
  }
}

TEST_F(JwksVerifierTest, AudienceListContainingOursAndAccessTokenTypeAreAccepted) {
  Json claims = OfficerClaims();
  claims["aud"] = Json::array({"account", "consular"});
  Json header = Header("ES256", "ec-1");
  header["typ"] = "at+jwt";
  EXPECT_TRUE(verifier_->Verify(Token(header, claims, ec_.private_pem)).ok());
}

TEST_F(JwksVerifierTest, PostIsRequiredForOfficersAsWithDevelopmentTokens) {
  Json claims = OfficerClaims();
  claims.erase("post");
  ExpectRejected(EcToken(claims), "missing post");
}

// ---- Claims ----

TEST_F(JwksVerifierTest, WrongIssuerOrAudienceIsRejected) {
  Json claims = OfficerClaims();
  claims["iss"] = "consular-dev";
  ExpectRejected(EcToken(claims), "wrong issuer");
  claims = OfficerClaims();
  claims["aud"] = "another-api";
  ExpectRejected(RsaToken(claims), "wrong audience");
  claims["aud"] = Json::array({"account"});
  ExpectRejected(RsaToken(claims), "wrong audience");
}

TEST_F(JwksVerifierTest, ExpiredTokenIsRejectedAfterTheLeeway) {
  const std::string token = EcToken();
  clock_.Set(kNow + absl::Hours(1) + absl::Seconds(29));
  EXPECT_TRUE(verifier_->Verify(token).ok());
  clock_.Set(kNow + absl::Hours(1) + absl::Seconds(30));
  ExpectRejected(token, "expired");
}

TEST_F(JwksVerifierTest, NotYetValidTokenIsRejected) {
  Json claims = OfficerClaims();
  claims["nbf"] = absl::ToUnixSeconds(kNow + absl::Minutes(5));
  ExpectRejected(EcToken(claims), "not yet valid");
  claims = OfficerClaims();
  claims["iat"] = absl::ToUnixSeconds(kNow + absl::Minutes(5));
  ExpectRejected(RsaToken(claims), "issued in the future");
}

// ---- Algorithms and signatures ----

TEST_F(JwksVerifierTest, AlgNoneIsRejected) {
  const std::string unsigned_token =
      absl::StrCat(SigningInput(Json{{"alg", "none"}, {"kid", "ec-1"}}, OfficerClaims()), ".");
  ExpectRejected(unsigned_token, "malformed token");
  ExpectRejected(absl::StrCat(unsigned_token, "AAAA"), "unsupported algorithm");
}

TEST_F(JwksVerifierTest, Hs256IsRejectedWhateverTheSecret) {
  for (const std::string& secret : {ec_.public_pem, rsa_.public_pem, std::string("secret")}) {
    for (const char* kid : {"ec-1", "rsa-1"}) {
      const std::string input = SigningInput(Header("HS256", kid), OfficerClaims());
      ExpectRejected(absl::StrCat(input, ".", Base64Url(HmacSha256(secret, input))),
                     "unsupported algorithm");
    }
  }
}

TEST_F(JwksVerifierTest, AlgorithmMustMatchTheKeyType) {
  // RS256 named with the EC key's kid, and ES256 with the RSA key's: signed with the key of the
  // named algorithm, so that only the type check stands between them and acceptance.
  ExpectRejected(Token(Header("RS256", "ec-1"), OfficerClaims(), rsa_.private_pem),
                 "algorithm does not match the key");
  ExpectRejected(Token(Header("ES256", "rsa-1"), OfficerClaims(), ec_.private_pem),
                 "algorithm does not match the key");
  for (const char* alg : {"ES384", "RS512", "PS256", "EdDSA", "es256"}) {
    ExpectRejected(Token(Header(alg, "ec-1"), OfficerClaims(), ec_.private_pem),
                   "unsupported algorithm");
  }
}

TEST_F(JwksVerifierTest, TamperedTokensAreRejected) {
  const std::string token = EcToken();
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string signature = parts[2];
  signature[5] = signature[5] == 'A' ? 'B' : 'A';
  ExpectRejected(absl::StrCat(parts[0], ".", parts[1], ".", signature),
                 "signature does not verify");

  Json claims = OfficerClaims();
  claims["role"] = "ADMINISTRATOR";
  ExpectRejected(absl::StrCat(parts[0], ".", Base64Url(claims.dump()), ".", parts[2]),
                 "signature does not verify");

  const std::string rsa_token = RsaToken();
  std::vector<std::string> rsa_parts = absl::StrSplit(rsa_token, '.');
  rsa_parts[2][10] = rsa_parts[2][10] == 'A' ? 'B' : 'A';
  ExpectRejected(absl::StrJoin(rsa_parts, "."), "signature does not verify");
}

TEST_F(JwksVerifierTest, TokenSignedByAKeyNotPublishedUnderItsKidIsRejected) {
  const KeyPair other = GenerateEcKeyPair();
  ExpectRejected(Token(Header("ES256", "ec-1"), OfficerClaims(), other.private_pem),
                 "signature does not verify");
}

TEST_F(JwksVerifierTest, TokenWithoutKidIsRejected) {
  ExpectRejected(Token(Json{{"alg", "ES256"}, {"typ", "JWT"}}, OfficerClaims(), ec_.private_pem),
                 "key id");
  ExpectRejected(Token(Header("ES256", ""), OfficerClaims(), ec_.private_pem), "key id");
}

// ---- Key rotation ----

TEST_F(JwksVerifierTest, UnknownKidIsRejectedAfterOneRefetch) {
  clock_.Advance(absl::Seconds(31));
  const KeyPair other = GenerateEcKeyPair();
  const std::string token = Token(Header("ES256", "ec-9"), OfficerClaims(), other.private_pem);
  ExpectRejected(token, "unknown key id");
  EXPECT_EQ(server_->hits(), 2);
  // The provider is not asked again for a while, however often the kid comes back.
  for (int i = 0; i < 5; ++i) ExpectRejected(token, "unknown key id");
  EXPECT_EQ(server_->hits(), 2);
}

TEST_F(JwksVerifierTest, NewKeyVerifiesOnceTheProviderPublishesIt) {
  clock_.Advance(absl::Seconds(31));
  const KeyPair next = GenerateEcKeyPair();
  server_->Publish(Jwks({EcJwk(ec_.public_pem, "ec-1"), RsaJwk(rsa_.public_pem, "rsa-1"),
                         EcJwk(next.public_pem, "ec-2")}));
  const absl::StatusOr<Identity> identity =
      verifier_->Verify(Token(Header("ES256", "ec-2"), OfficerClaims(), next.private_pem));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->subject, "officer-1");
  EXPECT_EQ(server_->hits(), 2);
  EXPECT_TRUE(verifier_->Verify(EcToken()).ok());
  EXPECT_EQ(server_->hits(), 2);
}

TEST_F(JwksVerifierTest, RefetchOnUnknownKidIsRateLimited) {
  const KeyPair next = GenerateEcKeyPair();
  const std::string token = Token(Header("ES256", "ec-2"), OfficerClaims(), next.private_pem);
  // Right after the start-up fetch: no refetch yet.
  ExpectRejected(token, "unknown key id");
  EXPECT_EQ(server_->hits(), 1);
  clock_.Advance(absl::Seconds(30));
  ExpectRejected(token, "unknown key id");
  EXPECT_EQ(server_->hits(), 2);
  // Published now, but the last fetch is too recent to ask again.
  server_->Publish(Jwks({EcJwk(ec_.public_pem, "ec-1"), EcJwk(next.public_pem, "ec-2")}));
  clock_.Advance(absl::Seconds(29));
  ExpectRejected(token, "unknown key id");
  EXPECT_EQ(server_->hits(), 2);
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(verifier_->Verify(token).ok());
  EXPECT_EQ(server_->hits(), 3);
}

TEST_F(JwksVerifierTest, ConcurrentMissesShareOneFetch) {
  clock_.Advance(absl::Seconds(31));
  const KeyPair next = GenerateEcKeyPair();
  server_->Publish(Jwks({EcJwk(ec_.public_pem, "ec-1"), EcJwk(next.public_pem, "ec-2")}));
  server_->Delay(absl::Milliseconds(300));
  const std::string token = Token(Header("ES256", "ec-2"), OfficerClaims(), next.private_pem);
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      if (verifier_->Verify(token).ok()) accepted.fetch_add(1);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 16);
  EXPECT_EQ(server_->hits(), 2);
}

TEST_F(JwksVerifierTest, KnownKeysVerifyWhileAFetchIsSlow) {
  clock_.Advance(absl::Seconds(31));
  const KeyPair next = GenerateEcKeyPair();
  server_->Publish(Jwks({EcJwk(ec_.public_pem, "ec-1"), EcJwk(next.public_pem, "ec-2")}));
  server_->Delay(absl::Seconds(2));
  std::atomic<bool> miss_done{false};
  std::thread miss([&] {
    EXPECT_TRUE(
        verifier_->Verify(Token(Header("ES256", "ec-2"), OfficerClaims(), next.private_pem)).ok());
    miss_done.store(true);
  });
  while (server_->hits() < 2) absl::SleepFor(absl::Milliseconds(1));
  const absl::Time start = absl::Now();
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(verifier_->Verify(EcToken()).ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_FALSE(miss_done.load()) << "the fetch should still be running";
  miss.join();
  EXPECT_EQ(server_->hits(), 2);
}

TEST_F(JwksVerifierTest, WithdrawnKeyStopsVerifyingAtTheNextRefresh) {
  const std::string token = EcToken();
  server_->Publish(Jwks({RsaJwk(rsa_.public_pem, "rsa-1")}));
  clock_.Advance(absl::Minutes(9));
  EXPECT_TRUE(verifier_->Verify(token).ok());
  EXPECT_EQ(server_->hits(), 1);
  clock_.Advance(absl::Minutes(1));
  ExpectRejected(token, "unknown key id");
  EXPECT_EQ(server_->hits(), 2);
  EXPECT_TRUE(verifier_->Verify(RsaToken()).ok());
  EXPECT_EQ(server_->hits(), 2);
}

TEST_F(JwksVerifierTest, FailedRefreshKeepsTheKeysAndRetriesLater) {
  server_->Answer(503);
  clock_.Advance(absl::Minutes(10));
  EXPECT_TRUE(verifier_->Verify(EcToken()).ok());
  EXPECT_EQ(server_->hits(), 2);
  // Not retried at once...
  clock_.Advance(absl::Seconds(10));
  EXPECT_TRUE(verifier_->Verify(EcToken()).ok());
  EXPECT_EQ(server_->hits(), 2);
  // ...but after the refetch interval; a document without usable keys also keeps the old ones.
  server_->Answer(200);
  server_->Publish(Jwks({Json{{"kty", "oct"}, {"kid", "k"}, {"k", "c2VjcmV0"}}}));
  clock_.Advance(absl::Seconds(20));
  EXPECT_TRUE(verifier_->Verify(RsaToken()).ok());
  EXPECT_EQ(server_->hits(), 3);
}

// ---- Start-up ----

TEST_F(JwksVerifierTest, CertificateNotFromTheGivenCaFailsStartUpNamingTheUrl) {
  JwksVerifierOptions options = Options();
  options.ca_file = WriteTempFile("other-ca.pem", MakeCa("Another CA").cert_pem);
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = MakeJwksTokenVerifier(options);
  ASSERT_FALSE(verifier.ok());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr(server_->Url()));
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr("not trusted"));
  // Nor do the system's roots vouch for the test CA.
  options.ca_file.clear();
  verifier = MakeJwksTokenVerifier(options);
  ASSERT_FALSE(verifier.ok());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(JwksVerifierTest, JwksWithOnlyUnusableKeysFailsStartUp) {
  server_->Publish(Jwks({Json{{"kty", "oct"}, {"kid", "k"}, {"k", "c2VjcmV0"}}, [&] {
                           Json jwk = EcJwk(ec_.public_pem, "enc-1");
                           jwk["use"] = "enc";
                           return jwk;
                         }()}));
  const absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = MakeJwksTokenVerifier(Options());
  ASSERT_FALSE(verifier.ok());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr(server_->Url()));
}

TEST_F(JwksVerifierTest, UnreachableOrFailingJwksFailsStartUp) {
  server_->Answer(404);
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = MakeJwksTokenVerifier(Options());
  ASSERT_FALSE(verifier.ok());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr("HTTP status 404"));

  JwksVerifierOptions options = Options();
  server_.reset();  // nothing listens on its port any more
  verifier = MakeJwksTokenVerifier(options);
  ASSERT_FALSE(verifier.ok());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr(options.jwks_url));
}

TEST_F(JwksVerifierTest, BadOptionsAreRejected) {
  const auto code_of = [](const JwksVerifierOptions& options) {
    return MakeJwksTokenVerifier(options).status().code();
  };
  for (const std::string url :
       {"http://127.0.0.1/jwks", "https://", "https://user:secret@idp.example/jwks",
        "https://idp.example:0/jwks", "https://idp.example:99999/jwks", "https://[::1]/jwks",
        "https://idp.example/jwks#x", "https://idp example/jwks"}) {
    JwksVerifierOptions options = Options();
    options.jwks_url = url;
    EXPECT_EQ(code_of(options), absl::StatusCode::kInvalidArgument) << url;
  }
  JwksVerifierOptions options = Options();
  options.issuer.clear();
  EXPECT_EQ(code_of(options), absl::StatusCode::kInvalidArgument);
  options = Options();
  options.audience.clear();
  EXPECT_EQ(code_of(options), absl::StatusCode::kInvalidArgument);
  options = Options();
  options.min_refetch_interval = absl::ZeroDuration();
  EXPECT_EQ(code_of(options), absl::StatusCode::kInvalidArgument);
  options = Options();
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(code_of(options), absl::StatusCode::kNotFound);
  EXPECT_EQ(server_->hits(), 1);
}

// ---- ParseJwks ----

std::vector<std::string> KidsOf(const JwksKeys& keys) {
  std::vector<std::string> kids;
  for (const auto& [kid, key] : keys) kids.push_back(kid);
  return kids;
}

TEST(ParseJwksTest, KeepsUsableKeysAndSkipsTheRest) {
  const KeyPair ec = GenerateEcKeyPair();
  const KeyPair rsa = GenerateRsaKeyPair();
  const KeyPair p384 = GenerateEcKeyPair("P-384");
  PkeyPtr small_rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  ASSERT_NE(small_rsa, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio, small_rsa.get()), 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  const std::string small_rsa_pem(data, static_cast<size_t>(length));
  BIO_free(bio);

  const auto with = [](Json jwk, const char* member, Json value) {
    jwk[member] = std::move(value);
    return jwk;
  };
  const auto without = [](Json jwk, const char* member) {
    jwk.erase(member);
    return jwk;
  };
  Json p384_jwk = EcJwk(ec.public_pem, "p384");
  {
    PkeyPtr key = ReadKey(p384.public_pem, false);
    p384_jwk["crv"] = "P-384";
    p384_jwk["x"] = Base64Url(BnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 48));
    p384_jwk["y"] = Base64Url(BnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 48));
  }
  Json off_curve = EcJwk(ec.public_pem, "off-curve");
  {
    std::string y = *Base64UrlDecode(off_curve["y"].get<std::string>());
    y[31] = static_cast<char>(y[31] ^ 1);
    off_curve["y"] = Base64Url(y);
  }
  const std::vector<Json> unusable = {
      with(EcJwk(ec.public_pem, "enc"), "use", "enc"),
      with(EcJwk(ec.public_pem, "ops"), "key_ops", Json::array({"encrypt"})),
      with(EcJwk(ec.public_pem, "alg"), "alg", "ES384"),
      with(RsaJwk(rsa.public_pem, "ps"), "alg", "PS256"),
      with(EcJwk(ec.public_pem, "private"), "d", Base64Url(std::string(32, '\x01'))),
      without(EcJwk(ec.public_pem, "x"), "x"),
      without(EcJwk(ec.public_pem, ""), "kid"),
      EcJwk(ec.public_pem, ""),
      p384_jwk,
      off_curve,
      RsaJwk(small_rsa_pem, "rsa-1024"),
      with(RsaJwk(rsa.public_pem, "even-e"), "e", Base64Url(std::string("\x01\x00\x00", 3))),
      Json{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}},
      Json{{"kty", "OKP"}, {"kid", "ed"}, {"crv", "Ed25519"}, {"x", "AAAA"}},
      Json("not an object"),
  };
  for (const Json& jwk : unusable) {
    const absl::StatusOr<JwksKeys> keys = ParseJwks(Jwks({jwk}).dump());
    EXPECT_EQ(keys.status().code(), absl::StatusCode::kInvalidArgument) << jwk.dump();
  }

  std::vector<Json> all = unusable;
  all.push_back(EcJwk(ec.public_pem, "ec-1"));
  all.push_back(without(without(RsaJwk(rsa.public_pem, "rsa-1"), "alg"), "use"));
  all.push_back(RsaJwk(rsa.public_pem, "ec-1"));  // a repeated kid: the first one wins
  const absl::StatusOr<JwksKeys> keys = ParseJwks(Jwks(all).dump());
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_THAT(KidsOf(*keys), UnorderedElementsAre("ec-1", "rsa-1"));
  EXPECT_EQ(keys->at("ec-1").algorithm, JwsAlgorithm::kEs256);
  EXPECT_EQ(keys->at("rsa-1").algorithm, JwsAlgorithm::kRs256);
}

TEST(ParseJwksTest, RejectsWhatIsNotAJwks) {
  for (const std::string document :
       {"", "[]", "null", "{}", R"({"keys":{}})", R"({"keys":[]})", "{\"keys\":[", "\x80"}) {
    EXPECT_EQ(ParseJwks(document).status().code(), absl::StatusCode::kInvalidArgument) << document;
  }
  const KeyPair ec = GenerateEcKeyPair();
  EXPECT_EQ(ParseJwks(Jwks(std::vector<Json>(kMaxJwksKeys + 1, EcJwk(ec.public_pem, "k"))).dump())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJwks(std::string(kMaxJwksBytes + 1, ' ')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---- Server flags: provider and development keys side by side ----

class ServerFlagsJwksTest : public JwksVerifierTest {
 protected:
  absl::StatusOr<std::unique_ptr<TokenVerifier>> Finish(const std::string& args) {
    CLI::App app;
    ServerFlags flags;
    AddServerFlags(app, "CONSULAR_JWKS_TEST_", &flags);
    app.parse(absl::StrCat("--dsn unused ", args), /*program_name_included=*/false);
    flags.verifier.clock = &clock_;
    return FinishServerFlags(&flags);
  }

  std::string DevToken() {
    TokenClaims claims;
    claims.subject = "developer-1";
    claims.role = consular::v1::ROLE_AUDITOR;
    claims.now = kNow;
    absl::StatusOr<std::string> token = MintToken(dev_.private_pem, claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::string ProviderFlags() {
    return absl::StrCat("--token-jwks-url ", server_->Url(), " --token-jwks-ca ", ca_file_,
                        " --token-jwks-issuer ", kIssuer);
  }

  const KeyPair dev_ = GenerateEcKeyPair();
  const std::string dev_file_ = WriteTempFile("dev-public.pem", dev_.public_pem);
};

TEST_F(ServerFlagsJwksTest, AcceptsProviderAndDevelopmentTokensEachByItsIssuer) {
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
      Finish(absl::StrCat("--token-public-keys ", dev_file_, " ", ProviderFlags()));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  const absl::StatusOr<Identity> provider = (*verifier)->Verify(RsaToken());
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_EQ(provider->subject, "officer-1");
  const absl::StatusOr<Identity> developer = (*verifier)->Verify(DevToken());
  ASSERT_TRUE(developer.ok()) << developer.status();
  EXPECT_EQ(developer->subject, "developer-1");

  // A token naming one issuer is checked with that issuer's keys only.
  const std::string dev_key_as_provider =
      Token(Json{{"alg", "ES256"}, {"typ", "JWT"}}, OfficerClaims(), dev_.private_pem);
  EXPECT_EQ((*verifier)->Verify(dev_key_as_provider).status().code(),
            absl::StatusCode::kUnauthenticated);
  Json claims = OfficerClaims();
  claims["iss"] = "consular-dev";
  const absl::StatusOr<Identity> provider_key_as_dev = (*verifier)->Verify(EcToken(claims));
  EXPECT_EQ(provider_key_as_dev.status().code(), absl::StatusCode::kUnauthenticated);
  claims["iss"] = "https://elsewhere.example";
  const absl::StatusOr<Identity> unknown_issuer = (*verifier)->Verify(EcToken(claims));
  EXPECT_EQ(unknown_issuer.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(unknown_issuer.status().message()), HasSubstr("wrong issuer"));
}

TEST_F(ServerFlagsJwksTest, ProviderAloneIsEnough) {
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = Finish(ProviderFlags());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_TRUE((*verifier)->Verify(EcToken()).ok());
  EXPECT_FALSE((*verifier)->Verify(DevToken()).ok());
}

TEST_F(ServerFlagsJwksTest, StartUpErrorsNameTheProblem) {
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = Finish("");
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr("--token-jwks-url"));

  verifier = Finish(absl::StrCat("--token-jwks-url ", server_->Url()));
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr("--token-jwks-issuer"));

  // The JWKS host's certificate is not from the CA given (here: none, so the system's roots).
  verifier = Finish(absl::StrCat("--token-public-keys ", dev_file_, " --token-jwks-url ",
                                 server_->Url(), " --token-jwks-issuer ", kIssuer));
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(verifier.status().message()), HasSubstr(server_->Url()));

  // Both kinds of key for one issuer cannot be told apart.
  verifier = Finish(absl::StrCat("--token-public-keys ", dev_file_, " --token-issuer ", kIssuer,
                                 " ", ProviderFlags()));
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace consular

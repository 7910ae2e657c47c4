#include "base/clock.h"
#include "services/common/token.h"

#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_crypto.h"

namespace consular {
namespace {

using consular::testing::GenerateEcKeyPair;
using consular::testing::GenerateRsaKeyPair;
using consular::testing::KeyPair;
using consular::testing::WriteTempFile;
using consular::v1::Role;
using ::testing::HasSubstr;
using ::testing::Not;

// A fixed "now" so that tests do not depend on the wall clock.
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

// ---- Hand-made tokens, to test what MintToken would refuse to produce. ----

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

// A raw R||S ES256 signature of `input` (what JWS wants), made with the OpenSSL
// EVP API.
std::string SignEs256(const std::string& private_pem,
                      const std::string& input) {
  BIO* bio =
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EXPECT_NE(key, nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t der_length = 0;
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key), 1);
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &der_length,
                           reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()),
            1);
  std::string der(der_length, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(&der[0]),
                           &der_length,
                           reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_length));
  EXPECT_NE(sig, nullptr);
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string raw(64, '\0');
  BN_bn2binpad(r, reinterpret_cast<unsigned char*>(&raw[0]), 32);
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(&raw[32]), 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string MakeEs256Token(const std::string& private_pem,
                           const std::string& header_json,
                           const std::string& payload_json) {
  const std::string input =
      Base64Url(header_json) + "." + Base64Url(payload_json);
  return input + "." + Base64Url(SignEs256(private_pem, input));
}

std::string MakeHs256Token(const std::string& secret,
                           const std::string& payload_json) {
  const std::string input = Base64Url(R"({"alg":"HS256","typ":"JWT"})") + "." +
                            Base64Url(payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
       &mac_length);
  return input + "." +
         Base64Url(std::string(reinterpret_cast<char*>(mac), mac_length));
}

// A valid claim set (issued at kNow, valid for an hour) with the given role,
// the given "post" member (empty for none) and `extra` JSON members appended
// verbatim.
std::string OfficerPayload(
    const std::string& role = "CONSULAR_OFFICER",
    const std::string& post_member = R"("post":"RABAT",)",
    const std::string& extra = "") {
  const int64_t now = absl::ToUnixSeconds(kNow);
  return absl::StrCat(
      R"({"iss":"consular-dev","aud":"consular","sub":"officer-1",)",
      R"("iat":)", now, R"(,"exp":)", now + 3600, R"(,"role":")", role, R"(",)",
      post_member, R"("x":0)", extra, "}");
}

constexpr char kEs256Header[] = R"({"alg":"ES256","typ":"JWT"})";

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = GenerateEcKeyPair();
    verifier_ = MakeVerifier({keys_.public_pem});
  }

  std::unique_ptr<TokenVerifier> MakeVerifier(std::vector<std::string> pems) {
    VerifierOptions options;
    options.public_key_pems = std::move(pems);
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
        MakeJwtTokenVerifier(options);
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    return verifier.ok() ? *std::move(verifier) : nullptr;
  }

  std::string Mint(const TokenClaims& claims,
                   const std::string& private_pem = "") {
    absl::StatusOr<std::string> token = MintToken(
        private_pem.empty() ? keys_.private_pem : private_pem, claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  static TokenClaims Officer() {
    TokenClaims claims;
    claims.subject = "officer-1";
    claims.role = consular::v1::ROLE_CONSULAR_OFFICER;
    claims.post = "RABAT";
    claims.now = kNow;
    return claims;
  }

  // Expects UNAUTHENTICATED mentioning `why`, without the token in the message.
  void ExpectRejected(const std::string& token, const std::string& why) {
    absl::StatusOr<Identity> identity = verifier_->Verify(token);
    ASSERT_FALSE(identity.ok()) << "accepted a token that should fail: " << why;
    EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(std::string(identity.status().message()), HasSubstr(why));
    if (token.size() > 8) {
      EXPECT_THAT(std::string(identity.status().message()),
                  Not(HasSubstr(token)));
      for (absl::string_view part : absl::StrSplit(token, '.')) {
        if (part.size() > 8) {
          EXPECT_THAT(std::string(identity.status().message()),
                      Not(HasSubstr(std::string(part))));
        }
      }
    }
  }

  KeyPair keys_;
  ManualClock clock_{kNow};
  std::unique_ptr<TokenVerifier> verifier_;
};

// ---- Round trips ----

struct RoleCase {
  Role role;
  const char* name;
  const char* post;
};

class TokenRoleTest : public TokenTest,
                      public ::testing::WithParamInterface<RoleCase> {};

TEST_P(TokenRoleTest, MintThenVerifyGivesTheSameIdentity) {
  TokenClaims claims;
  claims.subject = "staff-42";
  claims.role = GetParam().role;
  claims.post = GetParam().post;
  claims.now = kNow;
  absl::StatusOr<Identity> identity = verifier_->Verify(Mint(claims));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->subject, "staff-42");
  EXPECT_EQ(identity->role, GetParam().role);
  EXPECT_EQ(identity->post, GetParam().post);
  EXPECT_EQ(RoleName(GetParam().role), GetParam().name);
  EXPECT_EQ(ParseRoleName(GetParam().name).value(), GetParam().role);
}

INSTANTIATE_TEST_SUITE_P(
    AllRoles, TokenRoleTest,
    ::testing::Values(
        RoleCase{consular::v1::ROLE_CONSULAR_OFFICER, "CONSULAR_OFFICER",
                 "RABAT"},
        RoleCase{consular::v1::ROLE_POST_MANAGER, "POST_MANAGER", "ISTANBUL-2"},
        RoleCase{consular::v1::ROLE_LKHA_CASEWORKER, "LKHA_CASEWORKER", ""},
        RoleCase{consular::v1::ROLE_LKHA_CASEWORKER, "LKHA_CASEWORKER",
                 "DEN-HAAG"},
        RoleCase{consular::v1::ROLE_POLICY_STAFF, "POLICY_STAFF", ""},
        RoleCase{consular::v1::ROLE_AUDITOR, "AUDITOR", ""},
        RoleCase{consular::v1::ROLE_ADMINISTRATOR, "ADMINISTRATOR", ""}));

TEST_F(TokenTest, TokenIsEs256JwtWithTheDocumentedClaims) {
  const std::string token = Mint(Officer());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  // Re-encode the known JSON and compare, rather than decoding with the code
  // under test.
  EXPECT_EQ(parts[0], Base64Url(R"({"alg":"ES256","typ":"JWT"})"));
}

TEST_F(TokenTest, RoleNamesRejectAnythingElse) {
  for (const char* bad :
       {"", "UNSPECIFIED", "ROLE_UNSPECIFIED", "ROLE_CONSULAR_OFFICER",
        "consular_officer", "Consular_Officer", "SUPERUSER",
        "CONSULAR_OFFICER "}) {
    EXPECT_EQ(ParseRoleName(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(RoleName(consular::v1::ROLE_UNSPECIFIED), "UNSPECIFIED");
  EXPECT_EQ(RoleName(static_cast<Role>(99)), "");
}

// ---- Time ----

TEST_F(TokenTest, DevelopmentSubjectsNameTheRoleAndThePost) {
  EXPECT_EQ(DevSubject(consular::v1::ROLE_CONSULAR_OFFICER, "RABAT"), "dev-officer-rabat");
  EXPECT_EQ(DevSubject(consular::v1::ROLE_POST_MANAGER, "NEW-DELHI"), "dev-manager-new-delhi");
  EXPECT_EQ(DevSubject(consular::v1::ROLE_LKHA_CASEWORKER, ""), "dev-lkha");
  EXPECT_EQ(DevSubject(consular::v1::ROLE_POLICY_STAFF, ""), "dev-policy");
  EXPECT_EQ(DevSubject(consular::v1::ROLE_AUDITOR, ""), "dev-auditor");
  EXPECT_EQ(DevSubject(consular::v1::ROLE_ADMINISTRATOR, ""), "dev-admin");
}

TEST_F(TokenTest, ExpiredTokenIsRejected) {
  TokenClaims claims = Officer();
  claims.ttl = absl::Hours(1);
  const std::string token = Mint(claims);
  clock_.Set(kNow + absl::Hours(1) + absl::Seconds(31));  // past exp + 30 s leeway
  ExpectRejected(token, "expired");
}

TEST_F(TokenTest, LeewayAllowsSmallClockSkewOnExpiry) {
  TokenClaims claims = Officer();
  claims.ttl = absl::Hours(1);
  const std::string token = Mint(claims);
  clock_.Set(kNow + absl::Hours(1) + absl::Seconds(29));
  EXPECT_TRUE(verifier_->Verify(token).ok());
}

// ---- Accepted tokens are remembered, never beyond their validity ----

TEST_F(TokenTest, RememberedTokenStillExpires) {
  TokenClaims claims = Officer();
  claims.ttl = absl::Hours(1);
  const std::string token = Mint(claims);
  ASSERT_TRUE(verifier_->Verify(token).ok());
  clock_.Set(kNow + absl::Hours(1) + absl::Seconds(29));
  ASSERT_TRUE(verifier_->Verify(token).ok());
  clock_.Set(kNow + absl::Hours(1) + absl::Seconds(30));
  ExpectRejected(token, "expired");
  clock_.Set(kNow);  // and is checked afresh after it was refused
  absl::StatusOr<Identity> again = verifier_->Verify(token);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->subject, "officer-1");
}

TEST_F(TokenTest, RememberedTokenIsNotValidBeforeItWasIssued) {
  TokenClaims claims = Officer();
  claims.now = kNow + absl::Seconds(20);  // issued slightly ahead, within the leeway
  const std::string token = Mint(claims);
  ASSERT_TRUE(verifier_->Verify(token).ok());
  clock_.Set(kNow - absl::Minutes(5));  // the clock set back: issued 5 min 20 s in the future
  ExpectRejected(token, "not yet valid");

  const std::string nbf = absl::StrCat(R"(,"nbf":)", absl::ToUnixSeconds(kNow) + 20);
  const std::string with_nbf =
      MakeEs256Token(keys_.private_pem, kEs256Header,
                     OfficerPayload("CONSULAR_OFFICER", R"("post":"RABAT",)", nbf));
  clock_.Set(kNow);
  ASSERT_TRUE(verifier_->Verify(with_nbf).ok());
  clock_.Set(kNow - absl::Seconds(11));  // nbf 31 s ahead: beyond the leeway
  ExpectRejected(with_nbf, "not yet valid");
}

TEST_F(TokenTest, RememberingATokenDoesNotVouchForAlteredCopies) {
  const std::string token = Mint(Officer());
  ASSERT_TRUE(verifier_->Verify(token).ok());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  parts[1] = Base64Url(OfficerPayload("CONSULAR_OFFICER", R"("post":"ISTANBUL",)"));
  ExpectRejected(absl::StrJoin(parts, "."), "signature");
  std::string flipped = token;
  const size_t pos = flipped.rfind('.') + 10;
  flipped[pos] = flipped[pos] == 'A' ? 'B' : 'A';
  ExpectRejected(flipped, "signature");
  ExpectRejected(token.substr(0, token.size() - 4), "signature");
  EXPECT_EQ(verifier_->Verify(token)->post, "RABAT");
}

TEST_F(TokenTest, ManyDistinctTokensAreAllCheckedCorrectly) {
  // More tokens than the verifier remembers, each used twice: every answer is still right.
  for (int i = 0; i < 5000; i += 7) {
    TokenClaims claims = Officer();
    claims.subject = absl::StrCat("officer-", i);
    const std::string token = Mint(claims);
    for (int use = 0; use < 2; ++use) {
      absl::StatusOr<Identity> identity = verifier_->Verify(token);
      ASSERT_TRUE(identity.ok()) << identity.status();
      EXPECT_EQ(identity->subject, claims.subject);
    }
  }
}

TEST_F(TokenTest, TokenIssuedInTheFutureIsRejected) {
  TokenClaims claims = Officer();
  claims.now = kNow + absl::Minutes(5);
  ExpectRejected(Mint(claims), "not yet valid");
  claims.now = kNow + absl::Seconds(20);  // within leeway
  EXPECT_TRUE(verifier_->Verify(Mint(claims)).ok());
}

TEST_F(TokenTest, NotBeforeInTheFutureIsRejected) {
  const std::string nbf =
      absl::StrCat(R"(,"nbf":)", absl::ToUnixSeconds(kNow) + 600);
  ExpectRejected(MakeEs256Token(keys_.private_pem, kEs256Header,
                                OfficerPayload("CONSULAR_OFFICER",
                                               R"("post":"RABAT",)", nbf)),
                 "not yet valid");
}

TEST_F(TokenTest, MissingExpiryIsRejected) {
  const int64_t now = absl::ToUnixSeconds(kNow);
  const std::string payload =
      absl::StrCat(R"({"iss":"consular-dev","aud":"consular","sub":"a","iat":)",
                   now, R"(,"role":"AUDITOR"})");
  ExpectRejected(MakeEs256Token(keys_.private_pem, kEs256Header, payload),
                 "exp");
  const std::string string_exp =
      absl::StrCat(R"({"iss":"consular-dev","aud":"consular","sub":"a","iat":)",
                   now, R"(,"exp":"never","role":"AUDITOR"})");
  ExpectRejected(MakeEs256Token(keys_.private_pem, kEs256Header, string_exp),
                 "exp");
}

// ---- Issuer and audience ----

TEST_F(TokenTest, WrongIssuerIsRejected) {
  TokenClaims claims = Officer();
  claims.issuer = "someone-else";
  ExpectRejected(Mint(claims), "issuer");
}

TEST_F(TokenTest, WrongAudienceIsRejected) {
  TokenClaims claims = Officer();
  claims.audience = "another-service";
  ExpectRejected(Mint(claims), "audience");
}

TEST_F(TokenTest, AudienceListContainingOursIsAccepted) {
  const int64_t now = absl::ToUnixSeconds(kNow);
  const std::string payload = absl::StrCat(
      R"({"iss":"consular-dev","aud":["other","consular"],"sub":"a","iat":)",
      now, R"(,"exp":)", now + 60, R"(,"role":"AUDITOR"})");
  absl::StatusOr<Identity> identity = verifier_->Verify(
      MakeEs256Token(keys_.private_pem, kEs256Header, payload));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->role, consular::v1::ROLE_AUDITOR);
}

TEST_F(TokenTest, CustomIssuerAndAudienceAreHonoured) {
  VerifierOptions options;
  options.public_key_pems = {keys_.public_pem};
  options.issuer = "consular-prod";
  options.audience = "cases";
  const ManualClock clock(kNow);
  options.clock = &clock;
  std::unique_ptr<TokenVerifier> verifier =
      MakeJwtTokenVerifier(options).value();
  TokenClaims claims = Officer();
  EXPECT_FALSE(verifier->Verify(Mint(claims)).ok());
  claims.issuer = "consular-prod";
  claims.audience = "cases";
  EXPECT_TRUE(verifier->Verify(Mint(claims)).ok());
}

// ---- Signatures ----

TEST_F(TokenTest, TamperedPayloadIsRejected) {
  const std::string token = Mint(Officer());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  // Same claims but a different post: an officer trying to reach another post's
  // cases.
  parts[1] =
      Base64Url(OfficerPayload("CONSULAR_OFFICER", R"("post":"ISTANBUL",)"));
  ExpectRejected(absl::StrJoin(parts, "."), "signature");
}

TEST_F(TokenTest, TamperedSignatureIsRejected) {
  std::string token = Mint(Officer());
  // Flip a character in the middle of the signature (not the last one, whose
  // low bits may be ignored by base64).
  const size_t pos = token.rfind('.') + 10;
  token[pos] = token[pos] == 'A' ? 'B' : 'A';
  ExpectRejected(token, "signature");
  // Truncated signature.
  std::string truncated = Mint(Officer());
  truncated.resize(truncated.size() - 4);
  ExpectRejected(truncated, "signature");
}

TEST_F(TokenTest, TokenSignedByAnotherKeyIsRejected) {
  const KeyPair other = GenerateEcKeyPair();
  ExpectRejected(Mint(Officer(), other.private_pem), "signature");
}

TEST_F(TokenTest, AlgNoneIsRejected) {
  const std::string payload = Base64Url(OfficerPayload());
  ExpectRejected(
      Base64Url(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".",
      "malformed");
  ExpectRejected(
      Base64Url(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".c2ln",
      "algorithm");
  ExpectRejected(Base64Url(R"({"alg":"NONE"})") + "." + payload + ".c2ln",
                 "algorithm");
}

TEST_F(TokenTest, Hs256IsRejectedEvenWithThePublicKeyAsSecret) {
  // The classic algorithm-confusion attack: HMAC keyed with the (public)
  // verification key.
  ExpectRejected(MakeHs256Token(keys_.public_pem, OfficerPayload()),
                 "algorithm");
  ExpectRejected(MakeHs256Token("secret", OfficerPayload()), "algorithm");
}

TEST_F(TokenTest, AlgorithmMustBeExactlyEs256) {
  ExpectRejected(
      MakeEs256Token(keys_.private_pem, R"({"alg":"es256","typ":"JWT"})",
                     OfficerPayload()),
      "algorithm");
  ExpectRejected(
      MakeEs256Token(keys_.private_pem, R"({"typ":"JWT"})", OfficerPayload()),
      "algorithm");
  ExpectRejected(MakeEs256Token(keys_.private_pem, R"({"alg":["ES256"]})",
                                OfficerPayload()),
                 "algorithm");
  // A correctly signed hand-made token is accepted, so the rejections above are
  // about "alg".
  EXPECT_TRUE(verifier_
                  ->Verify(MakeEs256Token(keys_.private_pem, kEs256Header,
                                          OfficerPayload()))
                  .ok());
}

TEST_F(TokenTest, VerifierWithTwoKeysAcceptsTokensOfBoth) {
  const KeyPair next = GenerateEcKeyPair();
  const KeyPair stranger = GenerateEcKeyPair();
  std::unique_ptr<TokenVerifier> verifier =
      MakeVerifier({keys_.public_pem, next.public_pem});
  ASSERT_NE(verifier, nullptr);
  EXPECT_TRUE(verifier->Verify(Mint(Officer(), keys_.private_pem)).ok());
  EXPECT_TRUE(verifier->Verify(Mint(Officer(), next.private_pem)).ok());
  EXPECT_EQ(
      verifier->Verify(Mint(Officer(), stranger.private_pem)).status().code(),
      absl::StatusCode::kUnauthenticated);
}

// ---- Role and post ----

TEST_F(TokenTest, OfficerOrManagerWithoutPostIsRejected) {
  ExpectRejected(MakeEs256Token(keys_.private_pem, kEs256Header,
                                OfficerPayload("CONSULAR_OFFICER", "")),
                 "post");
  ExpectRejected(MakeEs256Token(keys_.private_pem, kEs256Header,
                                OfficerPayload("POST_MANAGER", "")),
                 "post");
}

TEST_F(TokenTest, MalformedPostIsRejected) {
  for (const char* post :
       {R"("post":"rabat",)", R"("post":"",)", R"("post":"R",)",
        R"("post":"1RABAT",)", R"("post":"RA BAT",)", R"("post":7,)",
        R"("post":"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456",)",
        R"("post":"LKHA",)"}) {  // LKHA is the expertise centre's unit, never a post
    ExpectRejected(MakeEs256Token(keys_.private_pem, kEs256Header,
                                  OfficerPayload("CONSULAR_OFFICER", post)),
                   "post");
  }
}

TEST_F(TokenTest, UnknownRoleIsRejected) {
  for (const char* role :
       {"SUPERUSER", "UNSPECIFIED", "consular_officer", "ROLE_AUDITOR"}) {
    ExpectRejected(
        MakeEs256Token(keys_.private_pem, kEs256Header, OfficerPayload(role)),
        "role");
  }
}

// ---- Malformed input ----

TEST_F(TokenTest, MalformedTokensAreRejected) {
  ExpectRejected("", "missing");
  for (const char* token :
       {"abc", "a.b", "a.b.c.d", "..", "a..c", "eyJ hbGc.eyJ.c2ln",
        "e30.e30.c2ln", "bm90IGpzb24.e30.c2ln"}) {
    absl::StatusOr<Identity> identity = verifier_->Verify(token);
    EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated)
        << token;
  }
  ExpectRejected(std::string(10000, 'a'), "too long");
}

TEST_F(TokenTest, DeeplyNestedUnsignedHeaderIsRejectedSafely) {
  // The header is parsed before the signature is checked, so it is
  // attacker-controlled input.
  const std::string token = Base64Url(std::string(6000, '[')) + "." +
                            Base64Url(OfficerPayload()) + ".c2ln";
  ExpectRejected(token, "header");
}

TEST_F(TokenTest, VerifyIsSafeFromManyThreads) {
  const std::string token = Mint(Officer());
  const KeyPair other = GenerateEcKeyPair();
  const std::string foreign = Mint(Officer(), other.private_pem);
  std::atomic<int> accepted{0};
  std::atomic<int> rejected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (verifier_->Verify(token).ok()) ++accepted;
        if (!verifier_->Verify(foreign).ok()) ++rejected;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 400);
  EXPECT_EQ(rejected.load(), 400);
}

// ---- Construction and minting errors ----

TEST(MakeJwtTokenVerifierTest, RejectsMissingOrUnsuitableKeys) {
  VerifierOptions options;
  EXPECT_EQ(MakeJwtTokenVerifier(options).status().code(),
            absl::StatusCode::kInvalidArgument);

  const KeyPair p256 = GenerateEcKeyPair("P-256");
  const KeyPair p384 = GenerateEcKeyPair("P-384");
  const KeyPair rsa = GenerateRsaKeyPair();
  for (const std::string& bad :
       {std::string("not a key"), p384.public_pem, rsa.public_pem,
        p256.private_pem, p256.public_pem + p256.public_pem}) {
    options.public_key_pems = {p256.public_pem, bad};
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
        MakeJwtTokenVerifier(options);
    EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(verifier.status().message()), HasSubstr("#2"));
  }
  options.public_key_pems = {p256.public_pem};
  EXPECT_TRUE(MakeJwtTokenVerifier(options).ok());
  options.leeway = absl::Seconds(-1);
  EXPECT_EQ(MakeJwtTokenVerifier(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MintTokenTest, RejectsBadKeysAndClaims) {
  const KeyPair p256 = GenerateEcKeyPair("P-256");
  TokenClaims good;
  good.subject = "officer-1";
  good.role = consular::v1::ROLE_CONSULAR_OFFICER;
  good.post = "RABAT";
  ASSERT_TRUE(MintToken(p256.private_pem, good).ok());

  for (const std::string& key :
       {std::string(""), std::string("garbage"), p256.public_pem,
        GenerateEcKeyPair("P-384").private_pem,
        GenerateRsaKeyPair().private_pem}) {
    EXPECT_EQ(MintToken(key, good).status().code(),
              absl::StatusCode::kInvalidArgument);
  }

  TokenClaims bad = good;
  bad.post = "";
  EXPECT_EQ(MintToken(p256.private_pem, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = good;
  bad.post = "rabat";
  EXPECT_EQ(MintToken(p256.private_pem, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = good;
  bad.post = "LKHA";
  EXPECT_EQ(MintToken(p256.private_pem, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = good;
  bad.role = consular::v1::ROLE_UNSPECIFIED;
  EXPECT_EQ(MintToken(p256.private_pem, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = good;
  bad.subject = "";
  EXPECT_EQ(MintToken(p256.private_pem, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = good;
  bad.ttl = absl::ZeroDuration();
  EXPECT_EQ(MintToken(p256.private_pem, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---- Files and metadata ----

TEST(ReadPemFilesTest, ReadsFilesAndNamesTheBadOne) {
  const KeyPair keys = GenerateEcKeyPair();
  const std::string good = WriteTempFile("good.pem", keys.public_pem);
  const std::string not_pem = WriteTempFile("not.pem", "hello");
  const std::string missing = good + ".missing";

  absl::StatusOr<std::vector<std::string>> pems = ReadPemFiles({good, good});
  ASSERT_TRUE(pems.ok()) << pems.status();
  EXPECT_EQ(*pems,
            (std::vector<std::string>{keys.public_pem, keys.public_pem}));

  absl::Status status = ReadPemFiles({good, missing}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr(missing));

  status = ReadPemFiles({not_pem}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(not_pem));
}

absl::StatusOr<std::string> BearerFrom(const std::vector<std::string>& values) {
  std::vector<std::string> storage = values;
  std::multimap<grpc::string_ref, grpc::string_ref> md;
  md.emplace("user-agent", "test");
  for (const std::string& value : storage) md.emplace("authorization", value);
  return BearerFromMetadata(md);
}

TEST(BearerFromMetadataTest, ExtractsTheToken) {
  EXPECT_EQ(BearerFrom({"Bearer abc.def.ghi"}).value(), "abc.def.ghi");
  EXPECT_EQ(BearerFrom({"bearer abc.def.ghi"}).value(), "abc.def.ghi");
  EXPECT_EQ(BearerFrom({"BEARER  abc.def.ghi "}).value(), "abc.def.ghi");
}

TEST(BearerFromMetadataTest, RejectsMissingOrMalformedHeaders) {
  for (const std::vector<std::string>& values :
       std::vector<std::vector<std::string>>{
           {},
           {"abc.def.ghi"},
           {"Basic dXNlcjpwdw=="},
           {"Bearer"},
           {"Bearer "},
           {"Bearer a b"},
           {"Bearer a\"b"},
           {"Bearer x.y.z", "Bearer x.y.z"}}) {
    EXPECT_EQ(BearerFrom(values).status().code(),
              absl::StatusCode::kUnauthenticated)
        << (values.empty() ? "<none>" : values[0]);
  }
}

}  // namespace
}  // namespace consular

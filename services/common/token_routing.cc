#include "services/common/token_routing.h"

#include <exception>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/common/jws.h"

namespace consular {
namespace {

class IssuerRoutingVerifier final : public TokenVerifier {
 public:
  explicit IssuerRoutingVerifier(
      absl::flat_hash_map<std::string, std::unique_ptr<TokenVerifier>> by_issuer)
      : by_issuer_(std::move(by_issuer)) {}

  absl::StatusOr<Identity> Verify(const std::string& token) const override {
    const TokenVerifier* verifier = nullptr;
    // The JSON library may throw (allocation); no exception may reach a gRPC thread.
    try {
      CONSULAR_ASSIGN_OR_RETURN(const CompactJws jws, SplitCompactJws(token));
      // Not yet verified: used only to choose the verifier, which checks it again.
      const absl::optional<nlohmann::json> payload = DecodeJsonObject(jws.payload_segment);
      if (!payload) return InvalidToken("malformed payload");
      const std::string* issuer = StringField(*payload, "iss");
      if (issuer == nullptr) return InvalidToken("wrong issuer");
      const auto route = by_issuer_.find(*issuer);
      if (route == by_issuer_.end()) return InvalidToken("wrong issuer");
      verifier = route->second.get();
    } catch (const std::exception&) {
      return InvalidToken("malformed token");
    }
    return verifier->Verify(token);
  }

 private:
  const absl::flat_hash_map<std::string, std::unique_ptr<TokenVerifier>> by_issuer_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeIssuerRoutingVerifier(
    std::vector<IssuerVerifier> routes) {
  if (routes.empty()) return absl::InvalidArgumentError("token verifier: no issuer");
  absl::flat_hash_map<std::string, std::unique_ptr<TokenVerifier>> by_issuer;
  for (IssuerVerifier& route : routes) {
    if (route.issuer.empty()) return absl::InvalidArgumentError("token verifier: empty issuer");
    if (route.verifier == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("token verifier: no verifier for issuer ", route.issuer));
    }
    if (!by_issuer.emplace(route.issuer, std::move(route.verifier)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("token verifier: issuer ", route.issuer,
                       " is given twice (the provider's and the development keys' must differ)"));
    }
  }
  return std::unique_ptr<TokenVerifier>(new IssuerRoutingVerifier(std::move(by_issuer)));
}

}  // namespace consular

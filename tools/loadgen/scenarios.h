#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consular/v1/common.pb.h"
#include "grpcpp/channel.h"
#include "tools/loadgen/case_content.h"
#include "tools/loadgen/engine.h"

// The scenarios of consular-loadgen: what the virtual users do.
//
// Virtual users of the case scenarios are consular officers. Each user is given a country of
// focus, drawn by weight (--country-weights), and works for the post handling that country
// (PostFor): so several users share a post and its cases, as colleagues do.
//
//   create  CreateCase with realistic random content (both types).
//   get     GetCase of a random case of the user's post. The set-up lists each post's cases and
//           creates cases until the post has ScenarioOptions::setup_cases.
//   list    ListCases of the user's post, page size 50.
//   mix     An officer's working day, per operation (set-up as for get):
//             50% GetCase, 15% ListCases (own post, page size 50), 10% UpdateCase,
//             10% AddCaseNote, 10% TransitionCase, 5% CreateCase.
//           Users of one post share what they learn about its cases (id, type, status, version)
//           from every answer. UpdateCase and TransitionCase send the version last seen as
//           expected_version; on ABORTED (someone changed the case since) the user re-reads the
//           case with GetCase and retries once with the new version (and a new request id),
//           unless the re-read fails or finds that the change no longer applies (an update to a
//           case CLOSED meanwhile, a transition of a case RESOLVED or CLOSED meanwhile). Every
//           call is recorded, the ABORTED one included; the events "aborted_retried" and
//           "aborted_retry_ok" count the retries, "aborted_not_retried" the ABORTED changes given
//           up after the re-read. Updates and notes go to cases not CLOSED,
//           transitions to cases not RESOLVED or CLOSED (officers cannot close or reopen); when
//           a post has no such case the user opens one instead (event "no_open_case").
//   stats   GetCountryStatistics as policy staff, for random countries (by weight) and recent
//           years or quarters.
namespace consular::loadgen {

// The share of each kind of operation in the mix scenario, in percent (they add up to 100).
inline constexpr int kMixGetPercent = 50;
inline constexpr int kMixListPercent = 15;
inline constexpr int kMixUpdatePercent = 10;
inline constexpr int kMixNotePercent = 10;
inline constexpr int kMixTransitionPercent = 10;
inline constexpr int kMixCreatePercent = 5;

// Who a virtual user is.
struct Caller {
  consular::v1::Role role = consular::v1::ROLE_UNSPECIFIED;
  std::string post;     // empty for policy staff
  std::string subject;  // e.g. "loadgen-officer-rabat-3"
};

// Bearer tokens for virtual users.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // A token for `caller` (empty: calls go out without one). INVALID_ARGUMENT if none can be made.
  virtual absl::StatusOr<std::string> TokenFor(const Caller& caller) = 0;
};

// Mints development tokens (services/common/token.h MintToken) with a signing key.
class DevTokenSource final : public TokenSource {
 public:
  // Reads the ES256 private key PEM at `key_file`. NOT_FOUND / INVALID_ARGUMENT naming the file
  // if it cannot be read or is empty.
  static absl::StatusOr<std::unique_ptr<DevTokenSource>> FromKeyFile(const std::string& key_file,
                                                                     std::string issuer,
                                                                     std::string audience,
                                                                     absl::Duration ttl);
  // INVALID_ARGUMENT from MintToken (e.g. the key is not an EC P-256 private key).
  absl::StatusOr<std::string> TokenFor(const Caller& caller) override;

 private:
  DevTokenSource(std::string key_pem, std::string issuer, std::string audience, absl::Duration ttl)
      : key_pem_(std::move(key_pem)),
        issuer_(std::move(issuer)),
        audience_(std::move(audience)),
        ttl_(ttl) {}

  std::string key_pem_;
  std::string issuer_;
  std::string audience_;
  absl::Duration ttl_;
};

struct ScenarioOptions {
  std::string scenario;  // create, get, list, mix or stats
  int users = 1;         // the run's concurrency: users are assigned posts up front
  uint64_t seed = 1;     // same seed, same users, same choices (server answers aside)
  std::vector<CountryWeight> countries = DefaultCountryWeights();
  int setup_cases = 20;  // get, mix: cases each post should have before the run
  absl::Duration call_timeout = absl::Seconds(10);  // every call's deadline
  // Part of every request id, so that runs with the same seed do not replay each other's
  // requests (the services return the first result for a repeated request id).
  std::string run_id = "run";
  std::function<absl::Time()> clock = [] { return absl::Now(); };  // for "today"
};

// Where the users' calls go. User i uses channel i % size of its service; a scenario only needs
// the channels of the service it calls (cases: create, get, list, mix; stats: stats).
struct Connections {
  std::vector<std::shared_ptr<grpc::Channel>> cases;
  std::vector<std::shared_ptr<grpc::Channel>> stats;
  TokenSource* tokens = nullptr;  // not owned; outlives the workload
};

// The scenario names, in the order shown in --help.
const std::vector<std::string>& ScenarioNames();

// The workload for `options.scenario`. INVALID_ARGUMENT for an unknown scenario, no countries, a
// user count below 1, setup_cases below 1, no token source, or no channel for the scenario's
// service.
absl::StatusOr<std::unique_ptr<Workload>> MakeWorkload(const ScenarioOptions& options,
                                                       Connections connections);

// Parses --country-weights: "MA=3,TR=2,EG=1" (or "MA,TR": weight 1 each). INVALID_ARGUMENT for an
// unknown country code, NL, a repeated country, or a weight that is not a positive number.
absl::StatusOr<std::vector<CountryWeight>> ParseCountryWeights(const std::string& text);

}  // namespace consular::loadgen

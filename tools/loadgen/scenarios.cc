#include "tools/loadgen/scenarios.h"

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "consular/v1/cases.grpc.pb.h"
#include "consular/v1/statistics.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "services/common/status.h"
#include "services/common/token.h"
#include "services/common/validation.h"

namespace consular::loadgen {
namespace {

namespace v1 = consular::v1;
using CaseStub = v1::CaseService::StubInterface;
using StatsStub = v1::StatisticsService::StubInterface;

constexpr int kListPageSize = 50;

enum class Kind { kCreate, kGet, kList, kMix, kStats };

const std::map<std::string, Kind>& Kinds() {
  static const auto* const kKinds = new std::map<std::string, Kind>{
      {"create", Kind::kCreate}, {"get", Kind::kGet},     {"list", Kind::kList},
      {"mix", Kind::kMix},       {"stats", Kind::kStats},
  };
  return *kKinds;
}

// What users of a post know about one of its cases.
struct KnownCase {
  std::string id;
  v1::CaseType type = v1::CASE_TYPE_UNSPECIFIED;
  v1::CaseStatus status = v1::CASE_STATUS_UNSPECIFIED;
  int64_t version = 0;
  // Once a read showed its details (a list row has none): the foreign decision of a divorce case,
  // and whether the person of an abandonment case has returned.
  v1::RecognitionDecision decision = v1::RECOGNITION_DECISION_UNSPECIFIED;
  bool returned = false;
  bool details_known = false;
};

// The cases of one post as its users last saw them; shared by the post's users.
class CaseBoard {
 public:
  // Adds `c`, or updates what is known of it unless `c` is older than that.
  void Remember(const v1::Case& c) {
    if (c.id().empty()) return;
    absl::MutexLock lock(&mu_);
    auto [it, added] = index_.emplace(c.id(), cases_.size());
    if (added) cases_.push_back({c.id(), c.type(), c.status(), 0});
    KnownCase& known = cases_[it->second];
    if (added || c.version() >= known.version) {
      known.status = c.status();
      known.version = c.version();
      if (c.type() != v1::CASE_TYPE_UNSPECIFIED) known.type = c.type();
      if (c.has_divorce_recognition()) {
        known.decision = c.divorce_recognition().decision();
        known.details_known = true;
      }
      if (c.has_abandonment()) {
        known.returned = c.abandonment().has_returned_on();
        known.details_known = true;
      }
    }
  }

  // A case for which `eligible` holds, found from a random starting point; none if there is none.
  std::optional<KnownCase> Pick(uint64_t random,
                                const std::function<bool(const KnownCase&)>& eligible) const {
    absl::MutexLock lock(&mu_);
    const size_t n = cases_.size();
    for (size_t i = 0; i < n; ++i) {
      const KnownCase& c = cases_[(random + i) % n];
      if (eligible(c)) return c;
    }
    return std::nullopt;
  }

  size_t size() const {
    absl::MutexLock lock(&mu_);
    return cases_.size();
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<KnownCase> cases_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, size_t> index_ ABSL_GUARDED_BY(mu_);
};

bool AnyCase(const KnownCase&) { return true; }
bool NotClosed(const KnownCase& c) { return c.status != v1::CASE_STATUS_CLOSED; }
bool Transitionable(const KnownCase& c) {
  return c.status != v1::CASE_STATUS_RESOLVED && c.status != v1::CASE_STATUS_CLOSED;
}

// The same status with `what` in front of its message.
absl::Status Annotate(const std::string& what, const grpc::Status& status) {
  const absl::Status s = consular::FromGrpcStatus(status);
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

Rng UserRng(uint64_t seed, int index, uint32_t purpose) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(index), purpose};
  return Rng(seq);
}

void PrepareContext(grpc::ClientContext* context, const std::string& token,
                    absl::Duration timeout) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            absl::ToChronoNanoseconds(timeout)));
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

// What every virtual user has: an identity, a token, its own random numbers and request ids.
class UserBase : public VirtualUser {
 protected:
  UserBase(const ScenarioOptions& options, int index, std::string token)
      : token_(std::move(token)),
        timeout_(options.call_timeout),
        clock_(options.clock),
        rng_(UserRng(options.seed, index, 1)),
        request_prefix_(absl::StrCat("lg-", options.run_id, "-", index, "-")) {}

  std::string NextRequestId() { return absl::StrCat(request_prefix_, ++requests_); }
  v1::Date Today() const { return consular::DateOf(clock_()); }
  int Percent() { return std::uniform_int_distribution<int>(0, 99)(rng_); }

  // One timed call of `rpc` on `stub`.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(CallRecorder& recorder, const char* method, Stub* stub,
                    grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    return recorder.Time(method, [&] {
      grpc::ClientContext context;
      PrepareContext(&context, token_, timeout_);
      return (stub->*rpc)(&context, request, response);
    });
  }

  const std::string token_;
  const absl::Duration timeout_;
  const std::function<absl::Time()> clock_;
  Rng rng_;

 private:
  const std::string request_prefix_;
  int64_t requests_ = 0;
};

// An officer of a post: the create, get, list and mix scenarios.
class OfficerUser final : public UserBase {
 public:
  OfficerUser(Kind kind, const ScenarioOptions& options, int index, std::string token,
              std::unique_ptr<CaseStub> stub, std::string country, std::string post,
              CaseBoard* board)
      : UserBase(options, index, std::move(token)),
        kind_(kind),
        stub_(std::move(stub)),
        country_(std::move(country)),
        post_(std::move(post)),
        board_(board) {}

  void Step(CallRecorder& recorder) override {
    switch (kind_) {
      case Kind::kCreate:
        return Create(recorder);
      case Kind::kGet:
        return Get(recorder);
      case Kind::kList:
        return List(recorder);
      default:
        return MixStep(recorder);
    }
  }

 private:
  void MixStep(CallRecorder& recorder) {
    int roll = Percent();
    if ((roll -= kMixGetPercent) < 0) return Get(recorder);
    if ((roll -= kMixListPercent) < 0) return List(recorder);
    if ((roll -= kMixUpdatePercent) < 0) return Update(recorder);
    if ((roll -= kMixNotePercent) < 0) return AddNote(recorder);
    if ((roll -= kMixTransitionPercent) < 0) return Transition(recorder);
    return Create(recorder);
  }

  void Create(CallRecorder& recorder) {
    v1::CreateCaseRequest request;
    request.set_request_id(NextRequestId());
    *request.mutable_case_() = RandomCase(rng_, country_, Today());
    v1::Case created;
    if (Call(recorder, "CreateCase", stub_.get(), &CaseStub::CreateCase, request, &created).ok()) {
      board_->Remember(created);
    }
  }

  void Get(CallRecorder& recorder) {
    const std::optional<KnownCase> known = board_->Pick(rng_(), AnyCase);
    if (!known.has_value()) return Create(recorder);
    Read(recorder, known->id);
  }

  // GetCase of `id`, remembered on the board; nothing if the call failed.
  std::optional<v1::Case> Read(CallRecorder& recorder, const std::string& id) {
    v1::GetCaseRequest request;
    request.set_case_id(id);
    v1::Case c;
    if (!Call(recorder, "GetCase", stub_.get(), &CaseStub::GetCase, request, &c).ok()) {
      return std::nullopt;
    }
    board_->Remember(c);
    return c;
  }

  void List(CallRecorder& recorder) {
    v1::ListCasesRequest request;
    request.set_post(post_);
    request.set_page_size(kListPageSize);
    v1::ListCasesResponse response;
    if (Call(recorder, "ListCases", stub_.get(), &CaseStub::ListCases, request, &response).ok()) {
      for (const v1::Case& c : response.cases()) board_->Remember(c);
    }
  }

  void Update(CallRecorder& recorder) {
    const std::optional<KnownCase> known = board_->Pick(rng_(), NotClosed);
    if (!known.has_value()) {
      recorder.Count("no_open_case");
      return Create(recorder);
    }
    v1::UpdateCaseRequest request;
    request.set_request_id(NextRequestId());
    request.mutable_case_()->set_id(known->id);
    RandomUpdate(rng_, known->type, request.mutable_case_(), request.mutable_update_mask(),
                 request.mutable_reason());
    request.set_expected_version(known->version);
    v1::Case updated;
    grpc::Status status =
        Call(recorder, "UpdateCase", stub_.get(), &CaseStub::UpdateCase, request, &updated);
    if (status.error_code() == grpc::StatusCode::ABORTED) {
      // Someone changed the case since we saw it: read it again and retry once, unless it has
      // been closed meanwhile.
      const std::optional<v1::Case> fresh = Read(recorder, known->id);
      if (!fresh.has_value() || fresh->status() == v1::CASE_STATUS_CLOSED) {
        recorder.Count("aborted_not_retried");
        return;
      }
      recorder.Count("aborted_retried");
      request.set_request_id(NextRequestId());
      request.set_expected_version(fresh->version());
      status = Call(recorder, "UpdateCase", stub_.get(), &CaseStub::UpdateCase, request, &updated);
      if (status.ok()) recorder.Count("aborted_retry_ok");
    }
    if (status.ok()) board_->Remember(updated);
  }

  void AddNote(CallRecorder& recorder) {
    const std::optional<KnownCase> known = board_->Pick(rng_(), NotClosed);
    if (!known.has_value()) {
      recorder.Count("no_open_case");
      return Create(recorder);
    }
    v1::AddCaseNoteRequest request;
    request.set_request_id(NextRequestId());
    request.set_case_id(known->id);
    request.set_text(RandomNoteText(rng_, known->type));
    v1::CaseNote note;
    Call(recorder, "AddCaseNote", stub_.get(), &CaseStub::AddCaseNote, request, &note);
  }

  // The request moving `c` on; false if an officer cannot move it on.
  bool FillTransition(const KnownCase& c, v1::TransitionCaseRequest* request) {
    const v1::CaseStatus target = OfficerTransitionTarget(rng_, c.status);
    if (target == v1::CASE_STATUS_UNSPECIFIED) return false;
    request->set_target_status(target);
    request->set_reason(RandomTransitionReason(rng_));
    if (target == v1::CASE_STATUS_RESOLVED) {
      request->set_outcome(RandomOutcome(rng_, c.type, c.decision, c.details_known, c.returned));
    } else {
      request->clear_outcome();
    }
    return true;
  }

  void Transition(CallRecorder& recorder) {
    const std::optional<KnownCase> known = board_->Pick(rng_(), Transitionable);
    if (!known.has_value()) {
      recorder.Count("no_open_case");
      return Create(recorder);
    }
    v1::TransitionCaseRequest request;
    request.set_request_id(NextRequestId());
    request.set_case_id(known->id);
    request.set_expected_version(known->version);
    FillTransition(*known, &request);
    v1::Case moved;
    grpc::Status status =
        Call(recorder, "TransitionCase", stub_.get(), &CaseStub::TransitionCase, request, &moved);
    if (status.error_code() == grpc::StatusCode::ABORTED) {
      // Read it again and retry once, unless an officer can no longer move it on (resolved or
      // closed meanwhile).
      const std::optional<v1::Case> fresh = Read(recorder, known->id);
      KnownCase reread;
      if (fresh.has_value()) {
        reread = {fresh->id(), fresh->type(), fresh->status(), fresh->version(),
                  fresh->divorce_recognition().decision(), fresh->abandonment().has_returned_on(),
                  true};
      }
      if (!fresh.has_value() || !FillTransition(reread, &request)) {
        recorder.Count("aborted_not_retried");
        return;
      }
      recorder.Count("aborted_retried");
      request.set_request_id(NextRequestId());
      request.set_expected_version(fresh->version());
      status =
          Call(recorder, "TransitionCase", stub_.get(), &CaseStub::TransitionCase, request, &moved);
      if (status.ok()) recorder.Count("aborted_retry_ok");
    }
    if (status.ok()) board_->Remember(moved);
  }

  const Kind kind_;
  const std::unique_ptr<CaseStub> stub_;
  const std::string country_;
  const std::string post_;
  CaseBoard* const board_;
};

// Policy staff reading statistics: the stats scenario.
class PolicyUser final : public UserBase {
 public:
  PolicyUser(const ScenarioOptions& options, int index, std::string token,
             std::unique_ptr<StatsStub> stub)
      : UserBase(options, index, std::move(token)),
        stub_(std::move(stub)),
        countries_(options.countries) {}

  void Step(CallRecorder& recorder) override {
    const v1::GetCountryStatisticsRequest request =
        RandomStatisticsRequest(rng_, countries_, Today());
    v1::CountryStatistics response;
    Call(recorder, "GetCountryStatistics", stub_.get(), &StatsStub::GetCountryStatistics, request,
         &response);
  }

 private:
  const std::unique_ptr<StatsStub> stub_;
  const std::vector<CountryWeight> countries_;
};

std::string OfficerSubject(const std::string& post, const std::string& who) {
  return absl::StrCat("loadgen-officer-", absl::AsciiStrToLower(post), "-", who);
}

class CaseWorkload final : public Workload {
 public:
  CaseWorkload(Kind kind, ScenarioOptions options, Connections connections)
      : kind_(kind), options_(std::move(options)), connections_(std::move(connections)) {
    Rng assign = UserRng(options_.seed, 0, 0);
    for (int i = 0; i < options_.users; ++i) {
      const std::string& country = PickCountry(assign, options_.countries);
      const std::string post = PostFor(country);
      user_country_.push_back(country);
      user_post_.push_back(post);
      post_country_.emplace(post, country);  // the first user's country, if a post has several
      if (boards_.count(post) == 0) boards_[post] = std::make_unique<CaseBoard>();
    }
  }

  absl::Status Prepare() override {
    if (kind_ != Kind::kGet && kind_ != Kind::kMix) return absl::OkStatus();
    for (const auto& [post, country] : post_country_) {
      if (absl::Status s = PreparePost(post, country); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<VirtualUser>> NewUser(int index) override {
    if (index < 0 || index >= options_.users) {
      return absl::InvalidArgumentError(
          absl::StrCat("user ", index, " is beyond the ", options_.users, " users planned"));
    }
    const std::string& post = user_post_[index];
    absl::StatusOr<std::string> token = connections_.tokens->TokenFor(
        {v1::ROLE_CONSULAR_OFFICER, post, OfficerSubject(post, absl::StrCat(index))});
    if (!token.ok()) return token.status();
    const auto& channels = connections_.cases;
    return std::make_unique<OfficerUser>(
        kind_, options_, index, *std::move(token),
        v1::CaseService::NewStub(channels[index % channels.size()]), user_country_[index], post,
        boards_.at(post).get());
  }

 private:
  // Lists the post's cases, then creates cases until it has options_.setup_cases.
  absl::Status PreparePost(const std::string& post, const std::string& country) {
    absl::StatusOr<std::string> token = connections_.tokens->TokenFor(
        {v1::ROLE_CONSULAR_OFFICER, post, OfficerSubject(post, "setup")});
    if (!token.ok()) return token.status();
    std::unique_ptr<CaseStub> stub = v1::CaseService::NewStub(connections_.cases.front());
    CaseBoard& board = *boards_.at(post);

    v1::ListCasesRequest list;
    list.set_post(post);
    list.set_page_size(kListPageSize);
    while (board.size() < static_cast<size_t>(options_.setup_cases)) {
      grpc::ClientContext context;
      PrepareContext(&context, *token, options_.call_timeout);
      v1::ListCasesResponse response;
      const grpc::Status status = stub->ListCases(&context, list, &response);
      if (!status.ok()) return Annotate(absl::StrCat("set-up: ListCases of ", post), status);
      for (const v1::Case& c : response.cases()) board.Remember(c);
      if (response.next_page_token().empty()) break;
      list.set_page_token(response.next_page_token());
    }

    Rng rng = UserRng(options_.seed, -1, 2);
    for (int n = 0; board.size() < static_cast<size_t>(options_.setup_cases); ++n) {
      v1::CreateCaseRequest create;
      create.set_request_id(absl::StrCat("lg-", options_.run_id, "-setup-", post, "-", n));
      *create.mutable_case_() = RandomCase(rng, country, consular::DateOf(options_.clock()));
      grpc::ClientContext context;
      PrepareContext(&context, *token, options_.call_timeout);
      v1::Case created;
      const grpc::Status status = stub->CreateCase(&context, create, &created);
      if (!status.ok()) return Annotate(absl::StrCat("set-up: CreateCase for ", post), status);
      const size_t before = board.size();
      board.Remember(created);
      if (board.size() == before) {
        return absl::InternalError(
            absl::StrCat("set-up: CreateCase for ", post, " returned no new case id"));
      }
    }
    return absl::OkStatus();
  }

  const Kind kind_;
  const ScenarioOptions options_;
  const Connections connections_;
  std::vector<std::string> user_country_;
  std::vector<std::string> user_post_;
  std::map<std::string, std::string> post_country_;
  std::map<std::string, std::unique_ptr<CaseBoard>> boards_;  // by post; fixed after construction
};

class StatsWorkload final : public Workload {
 public:
  StatsWorkload(ScenarioOptions options, Connections connections)
      : options_(std::move(options)), connections_(std::move(connections)) {}

  absl::Status Prepare() override { return absl::OkStatus(); }

  absl::StatusOr<std::unique_ptr<VirtualUser>> NewUser(int index) override {
    absl::StatusOr<std::string> token = connections_.tokens->TokenFor(
        {v1::ROLE_POLICY_STAFF, "", absl::StrCat("loadgen-policy-", index)});
    if (!token.ok()) return token.status();
    const auto& channels = connections_.stats;
    return std::make_unique<PolicyUser>(
        options_, index, *std::move(token),
        v1::StatisticsService::NewStub(channels[index % channels.size()]));
  }

 private:
  const ScenarioOptions options_;
  const Connections connections_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<DevTokenSource>> DevTokenSource::FromKeyFile(
    const std::string& key_file, std::string issuer, std::string audience, absl::Duration ttl) {
  std::ifstream file(key_file);
  if (!file.is_open()) {
    return absl::NotFoundError(absl::StrCat("--token-key: cannot open \"", key_file, "\""));
  }
  std::stringstream pem;
  pem << file.rdbuf();
  if (pem.str().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--token-key: \"", key_file, "\" is empty"));
  }
  return std::unique_ptr<DevTokenSource>(
      new DevTokenSource(pem.str(), std::move(issuer), std::move(audience), ttl));
}

absl::StatusOr<std::string> DevTokenSource::TokenFor(const Caller& caller) {
  consular::TokenClaims claims;
  claims.subject = caller.subject;
  claims.role = caller.role;
  claims.post = caller.post;
  claims.issuer = issuer_;
  claims.audience = audience_;
  claims.ttl = ttl_;
  claims.now = absl::Now();
  return consular::MintToken(key_pem_, claims);
}

const std::vector<std::string>& ScenarioNames() {
  static const auto* const kNames =
      new std::vector<std::string>{"create", "get", "list", "mix", "stats"};
  return *kNames;
}

absl::StatusOr<std::unique_ptr<Workload>> MakeWorkload(const ScenarioOptions& options,
                                                       Connections connections) {
  const auto kind = Kinds().find(options.scenario);
  if (kind == Kinds().end()) {
    return absl::InvalidArgumentError(absl::StrCat("scenario: unknown \"", options.scenario,
                                                   "\"; one of ",
                                                   absl::StrJoin(ScenarioNames(), ", ")));
  }
  if (options.users < 1) return absl::InvalidArgumentError("users: must be at least 1");
  if (options.countries.empty()) return absl::InvalidArgumentError("countries: none given");
  if (options.setup_cases < 1) return absl::InvalidArgumentError("setup_cases: must be at least 1");
  if (connections.tokens == nullptr) return absl::InvalidArgumentError("tokens: no token source");
  if (kind->second == Kind::kStats) {
    if (connections.stats.empty()) {
      return absl::InvalidArgumentError("stats: no channel to StatisticsService");
    }
    return std::make_unique<StatsWorkload>(options, std::move(connections));
  }
  if (connections.cases.empty()) {
    return absl::InvalidArgumentError("cases: no channel to CaseService");
  }
  return std::make_unique<CaseWorkload>(kind->second, options, std::move(connections));
}

absl::StatusOr<std::vector<CountryWeight>> ParseCountryWeights(const std::string& text) {
  std::vector<CountryWeight> weights;
  std::set<std::string> seen;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    std::vector<absl::string_view> parts = absl::StrSplit(item, absl::MaxSplits('=', 1));
    const std::string country = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(parts[0]));
    if (!consular::IsKnownCountryCode(country)) {
      return absl::InvalidArgumentError(absl::StrCat("--country-weights: \"", std::string(parts[0]),
                                                     "\" is not an ISO 3166-1 country code"));
    }
    if (country == "NL") {
      return absl::InvalidArgumentError("--country-weights: NL cannot be a country of focus");
    }
    if (!seen.insert(country).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--country-weights: ", country, " is listed twice"));
    }
    double weight = 1;
    if (parts.size() == 2) {
      const std::string number(absl::StripAsciiWhitespace(parts[1]));
      if (!absl::SimpleAtod(number, &weight) || !(weight > 0) || std::isinf(weight)) {
        return absl::InvalidArgumentError(absl::StrCat("--country-weights: the weight of ", country,
                                                       " must be a positive number, not \"", number,
                                                       "\""));
      }
    }
    weights.push_back({country, weight});
  }
  if (weights.empty()) {
    return absl::InvalidArgumentError("--country-weights: no country given (e.g. MA=3,TR=2,EG=1)");
  }
  return weights;
}

}  // namespace consular::loadgen

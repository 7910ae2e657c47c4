#include "tools/datagen/api_load.h"

#include <chrono>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "consular/v1/cases.grpc.pb.h"
#include "consular/v1/contacts.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "services/common/tls.h"
#include "tools/datagen/bulk_load.h"
#include "tools/datagen/content.h"
#include "tools/loadgen/case_content.h"
#include "tools/loadgen/flags.h"
#include "tools/loadgen/scenarios.h"

namespace consular::datagen {
namespace {

namespace v1 = consular::v1;
using google::protobuf::util::TimeUtil;

constexpr absl::Duration kTokenTtl = absl::Hours(2);

int Uniform(ContentRng& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
bool Chance(ContentRng& rng, double p) { return std::bernoulli_distribution(p)(rng); }

v1::Date Today() {
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  v1::Date d;
  d.set_year(static_cast<int>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

// The country of case `i`: the bulk data set's skewed shares.
const CountryShare& PickCountry(ContentRng& rng) {
  const std::vector<CountryShare>& countries = BenchCountries();
  double x = std::uniform_real_distribution<double>(0, 1)(rng);
  for (const CountryShare& c : countries) {
    if (x < c.share) return c;
    x -= c.share;
  }
  return countries.back();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const std::string& addr, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    absl::Duration timeout) {
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(addr, credentials);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                     absl::ToChronoNanoseconds(timeout)))) {
    return absl::UnavailableError(absl::StrCat("cannot connect to ", addr));
  }
  return channel;
}

class Loader {
 public:
  Loader(const ApiLoadOptions& options, loadgen::TokenSource* tokens,
         std::unique_ptr<v1::CaseService::Stub> cases,
         std::unique_ptr<v1::ContactService::Stub> contacts)
      : options_(options),
        tokens_(tokens),
        cases_(std::move(cases)),
        contacts_(std::move(contacts)) {}

  void LoadCase(int64_t index, ApiLoadReport* report) {
    ContentRng rng = ItemRng(options_.seed, static_cast<uint64_t>(index));
    const CountryShare& country = PickCountry(rng);
    const loadgen::Caller officer{
        v1::ROLE_CONSULAR_OFFICER, country.post,
        absl::StrCat("datagen-officer-", country.post, "-", Uniform(rng, 1, 5))};
    const loadgen::Caller manager{v1::ROLE_POST_MANAGER, country.post,
                                  absl::StrCat("datagen-manager-", country.post)};
    const std::string prefix =
        absl::StrCat("dg-", options_.run_id, "-", options_.seed, "-", index, "-");
    v1::CreateCaseRequest create;
    create.set_request_id(prefix + "create");
    *create.mutable_case_() = loadgen::RandomCase(rng, country.country, Today());
    v1::Case c;
    if (!Call(officer, "CreateCase", &v1::CaseService::Stub::CreateCase, cases_.get(), create, &c,
              report)) {
      return;
    }
    ++report->cases;

    // Where the case ends: INTAKE 10%, ACTIVE 35%, ON_HOLD 10%, RESOLVED 15%, CLOSED 30%.
    const int roll = Uniform(rng, 1, 100);
    std::vector<v1::CaseStatus> path;
    if (roll > 10) path.push_back(v1::CASE_STATUS_ACTIVE);
    if (roll > 45 && Chance(rng, 0.3)) {
      path.push_back(v1::CASE_STATUS_ON_HOLD);
      if (roll > 55) path.push_back(v1::CASE_STATUS_ACTIVE);
    }
    if (roll > 45 && roll <= 55 && path.back() != v1::CASE_STATUS_ON_HOLD) {
      path.push_back(v1::CASE_STATUS_ON_HOLD);
    }
    if (roll > 55) path.push_back(v1::CASE_STATUS_RESOLVED);
    if (roll > 70) path.push_back(v1::CASE_STATUS_CLOSED);

    int notes = Uniform(rng, 0, 3);
    int contacts = contacts_ != nullptr ? Uniform(rng, 0, 2) : 0;
    int step = 0;
    for (const v1::CaseStatus target : path) {
      // Work happens while the case is open.
      if (target == v1::CASE_STATUS_RESOLVED) {
        for (; notes > 0; --notes) AddNote(officer, c, prefix, &rng, report);
        for (; contacts > 0; --contacts) LogContact(officer, c, prefix, contacts, &rng, report);
      }
      v1::TransitionCaseRequest move;
      move.set_request_id(absl::StrCat(prefix, "move-", ++step));
      move.set_case_id(c.id());
      move.set_target_status(target);
      move.set_reason(TransitionReason(rng, c.status(), target));
      if (target == v1::CASE_STATUS_RESOLVED)
        move.set_outcome(loadgen::RandomOutcome(rng, c.type(), c.divorce_recognition().decision(),
                                                /*details_known=*/true,
                                                c.abandonment().has_returned_on()));
      move.set_expected_version(c.version());
      v1::Case moved;
      if (!Call(target == v1::CASE_STATUS_CLOSED ? manager : officer, "TransitionCase",
                &v1::CaseService::Stub::TransitionCase, cases_.get(), move, &moved, report)) {
        return;
      }
      ++report->transitions;
      c = std::move(moved);
    }
    if (c.status() != v1::CASE_STATUS_CLOSED) {
      for (; notes > 0; --notes) AddNote(officer, c, prefix, &rng, report);
    }
    if (c.status() != v1::CASE_STATUS_CLOSED && c.status() != v1::CASE_STATUS_RESOLVED) {
      for (; contacts > 0; --contacts) LogContact(officer, c, prefix, contacts, &rng, report);
    }
  }

 private:
  void AddNote(const loadgen::Caller& who, const v1::Case& c, const std::string& prefix,
               ContentRng* rng, ApiLoadReport* report) {
    v1::AddCaseNoteRequest request;
    request.set_request_id(absl::StrCat(prefix, "note-", report->notes, "-", c.version()));
    request.set_case_id(c.id());
    request.set_text(loadgen::RandomNoteText(*rng, c.type()));
    v1::CaseNote note;
    if (Call(who, "AddCaseNote", &v1::CaseService::Stub::AddCaseNote, cases_.get(), request, &note,
             report)) {
      ++report->notes;
    }
  }

  void LogContact(const loadgen::Caller& who, const v1::Case& c, const std::string& prefix, int n,
                  ContentRng* rng, ApiLoadReport* report) {
    v1::LogContactRequest request;
    request.set_request_id(absl::StrCat(prefix, "contact-", n));
    v1::Contact* k = request.mutable_contact();
    k->set_case_id(c.id());
    *k->mutable_ad_hoc() = AdHocCounterpart(*rng, c.country());
    *k->mutable_occurred_at() = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(absl::Now()) -
                                                             Uniform(*rng, 600, 3 * 86400));
    k->set_channel(static_cast<v1::ContactChannel>(Uniform(*rng, 1, 6)));
    k->set_direction(Chance(*rng, 0.7) ? v1::CONTACT_DIRECTION_OUTGOING
                                       : v1::CONTACT_DIRECTION_INCOMING);
    const auto purpose = static_cast<v1::ContactPurpose>(Uniform(*rng, 1, 8));
    k->set_purpose(purpose);
    k->set_outcome(static_cast<v1::ContactOutcome>(Uniform(*rng, 1, 6)));
    if (Chance(*rng, 0.4)) k->set_note(ContactNoteText(*rng, purpose));
    v1::Contact logged;
    if (Call(who, "LogContact", &v1::ContactService::Stub::LogContact, contacts_.get(), request,
             &logged, report)) {
      ++report->contacts;
    }
  }

  template <typename Stub, typename Request, typename Response>
  bool Call(const loadgen::Caller& who, const char* method,
            grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*), Stub* stub,
            const Request& request, Response* response, ApiLoadReport* report) {
    absl::StatusOr<std::string> token = tokens_->TokenFor(who);
    grpc::Status status;
    if (!token.ok()) {
      status =
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(token.status().message()));
    } else {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::duration_cast<std::chrono::system_clock::duration>(
                               absl::ToChronoNanoseconds(options_.call_timeout)));
      context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
      status = (stub->*rpc)(&context, request, response);
    }
    if (status.ok()) return true;
    ++report->failed;
    if (options_.progress) {
      options_.progress(absl::StrCat("  ", method, " failed: ", status.error_code(), " ",
                                     status.error_message()));
    }
    return false;
  }

  const ApiLoadOptions& options_;
  loadgen::TokenSource* tokens_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::ContactService::Stub> contacts_;
};

}  // namespace

absl::StatusOr<ApiLoadReport> ApiLoad(const ApiLoadOptions& options) {
  if (options.cases < 1 || options.cases > 100000) {
    return absl::InvalidArgumentError("cases: from 1 to 100,000 in api mode");
  }
  absl::StatusOr<std::unique_ptr<loadgen::DevTokenSource>> tokens =
      loadgen::DevTokenSource::FromKeyFile(options.token_key, options.issuer, options.audience,
                                           kTokenTtl);
  if (!tokens.ok()) return tokens.status();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      consular::MakeToolChannelCredentials(options.insecure, options.ca_cert);
  if (!credentials.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("ca_cert: ", credentials.status().message()));
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> cases =
      Connect(options.addr, *credentials, options.call_timeout);
  if (!cases.ok()) return cases.status();
  std::unique_ptr<v1::ContactService::Stub> contacts;
  if (!options.contacts_addr.empty()) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        Connect(options.contacts_addr, *credentials, options.call_timeout);
    if (!channel.ok()) return channel.status();
    contacts = v1::ContactService::NewStub(*channel);
  }
  ApiLoadOptions run = options;
  if (run.run_id.empty()) run.run_id = loadgen::NewRunId();
  Loader loader(run, tokens->get(), v1::CaseService::NewStub(*cases), std::move(contacts));
  ApiLoadReport report;
  const absl::Time start = absl::Now();
  for (int64_t i = 0; i < options.cases; ++i) {
    loader.LoadCase(i, &report);
    if (options.progress && (i + 1) % 50 == 0) {
      options.progress(absl::StrCat("  ", i + 1, " of ", options.cases, " cases"));
    }
  }
  report.elapsed = absl::Now() - start;
  return report;
}

}  // namespace consular::datagen

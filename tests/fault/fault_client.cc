#include "tests/fault/fault_client.h"

#include <chrono>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace consular::fault {
namespace {

namespace v1 = consular::v1;

int64_t NowNanos() { return absl::ToUnixNanos(absl::Now()); }

}  // namespace

std::string CreateMarker(const std::string& request_id) {
  return absl::StrCat("fault marker ", request_id);
}
std::string UpdateMarker(const std::string& request_id) {
  return absl::StrCat("fault update ", request_id);
}
std::string NoteText(const std::string& request_id) {
  return absl::StrCat("Fault test note ", request_id);
}

std::shared_ptr<grpc::Channel> OpenChannel(const std::string& addr, const std::string& ca_pem,
                                           int index) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ca_pem;
  grpc::ChannelArguments args;
  // Reconnect soon after the server is back. (Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: in gRPC it is
  // the time a connection attempt may take, TLS handshake included, and must stay generous.)
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Channels with different arguments get subchannels (connections) of their own.
  args.SetInt("consular.fault.client", index);
  return grpc::CreateCustomChannel(addr, grpc::SslCredentials(tls), args);
}

void PrepareContext(grpc::ClientContext* context, const std::string& token,
                    absl::Duration timeout) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            absl::ToChronoNanoseconds(timeout)));
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  // Wait for a connection rather than fail at once while the channel reconnects: the waiting call
  // is what drives the new connection's TLS handshake. A failing-fast synchronous client leaves
  // that to gRPC's backup poller (every 5 s), and the handshake then outlasts its 20 s limit.
  context->set_wait_for_ready(true);
}

bool IsRetryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
      return true;
    default:
      return false;
  }
}

std::string CodeName(grpc::StatusCode code) {
  // gRPC's and Abseil's status codes are the same numbers.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

FaultClient::FaultClient(ClientOptions options, std::shared_ptr<grpc::Channel> channel,
                         Ledger* ledger, RoundControl* control)
    : options_(std::move(options)),
      stub_(v1::CaseService::NewStub(std::move(channel))),
      ledger_(ledger),
      control_(control),
      rng_(options_.seed * 1000003u + static_cast<uint64_t>(options_.index) * 7919u +
           static_cast<uint64_t>(options_.round)) {}

bool FaultClient::GivingUp() const {
  return control_->stop.load() && NowNanos() > control_->give_up_unix_nanos.load();
}

void FaultClient::Pause() const { absl::SleepFor(options_.retry_pause); }

bool FaultClient::RetryAfter(const grpc::Status& status, const std::string& what) {
  const std::string code = CodeName(status.error_code());
  if (IsRetryable(status.error_code())) {
    ledger_->CountRetry(code, status.error_message());
    Pause();
    return true;
  }
  ledger_->AddViolation(absl::StrCat(what, ": unexpected ", code, ": ", status.error_message()));
  return false;
}

std::string FaultClient::NextRequestId(const char* kind) {
  return absl::StrCat("fault-", options_.run_id, "-r", options_.round, "-c", options_.index, "-",
                      kind, "-", ++next_);
}

void FaultClient::Run() {
  while (!control_->stop.load()) {
    const std::vector<std::string> recent = ledger_->RecentCases(12);
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng_);
    if (recent.size() < 4 || roll < 30) {
      Create();
      continue;
    }
    const std::string& case_id =
        recent[std::uniform_int_distribution<size_t>(0, recent.size() - 1)(rng_)];
    if (roll < 65) {
      Update(case_id);
    } else {
      AddNote(case_id);
    }
  }
}

void FaultClient::Create() {
  v1::CreateCaseRequest request;
  request.set_request_id(NextRequestId("create"));
  v1::Case* c = request.mutable_case_();
  c->set_type(v1::CASE_TYPE_ABANDONMENT);
  c->set_country("MA");
  c->mutable_subject()->set_full_name("Amina Faulttest");
  c->mutable_subject()->set_sex(v1::SEX_FEMALE);
  c->mutable_subject()->set_nationality_status(v1::NATIONALITY_STATUS_DUAL);
  c->set_referral_source(v1::REFERRAL_SOURCE_FAMILY);
  c->mutable_safety()->set_covert_notes(CreateMarker(request.request_id()));
  Write write;
  write.kind = WriteKind::kCreate;
  write.request_id = request.request_id();
  const size_t index = ledger_->Record(write);
  int attempts = 0;
  while (!GivingUp()) {
    v1::Case response;
    grpc::ClientContext context;
    PrepareContext(&context, options_.token, options_.call_timeout);
    ledger_->CountAttempt();
    ++attempts;
    const grpc::Status status = stub_->CreateCase(&context, request, &response);
    if (status.ok()) {
      if (response.id().empty() || response.version() != 1 ||
          response.safety().covert_notes() != CreateMarker(request.request_id())) {
        ledger_->AddViolation(
            absl::StrCat("CreateCase ", request.request_id(),
                         ": the response is not the case created: ", response.ShortDebugString()));
      }
      ledger_->Acknowledge(index, attempts, response.id(), response.reference(), response.version(),
                           "");
      return;
    }
    if (!RetryAfter(status, absl::StrCat("CreateCase ", request.request_id()))) return;
  }
}

int64_t FaultClient::ReadVersion(const std::string& case_id) {
  v1::GetCaseRequest request;
  request.set_case_id(case_id);
  while (!GivingUp()) {
    v1::Case response;
    grpc::ClientContext context;
    PrepareContext(&context, options_.token, options_.call_timeout);
    const grpc::Status status = stub_->GetCase(&context, request, &response);
    if (status.ok()) return response.version();
    if (!RetryAfter(status, absl::StrCat("GetCase ", case_id, " (acknowledged create)"))) return 0;
  }
  return 0;
}

void FaultClient::Update(const std::string& case_id) {
  // Read, change, write; on ABORTED (the case changed meanwhile) read again and redo the change as
  // a new request.
  while (!GivingUp()) {
    const int64_t version = ReadVersion(case_id);
    if (version == 0) return;
    v1::UpdateCaseRequest request;
    request.set_request_id(NextRequestId("update"));
    request.mutable_case_()->set_id(case_id);
    request.mutable_case_()->mutable_safety()->set_safe_contact_times(
        UpdateMarker(request.request_id()));
    request.mutable_update_mask()->add_paths("safety.safe_contact_times");
    request.set_reason("The person asked for other times");  // a safety change needs one
    request.set_expected_version(version);
    Write write;
    write.kind = WriteKind::kUpdate;
    write.request_id = request.request_id();
    write.case_id = case_id;
    write.expected_version = version;
    const size_t index = ledger_->Record(write);
    bool redo = false;
    int attempts = 0;
    while (!GivingUp()) {
      v1::Case response;
      grpc::ClientContext context;
      PrepareContext(&context, options_.token, options_.call_timeout);
      ledger_->CountAttempt();
      ++attempts;
      const grpc::Status status = stub_->UpdateCase(&context, request, &response);
      if (status.ok()) {
        if (response.id() != case_id || response.version() != version + 1 ||
            response.safety().safe_contact_times() != UpdateMarker(request.request_id())) {
          ledger_->AddViolation(absl::StrCat(
              "UpdateCase ", request.request_id(), ": the response is not the update made: id ",
              response.id(), ", version ", response.version(), " (expected ", version + 1, ")"));
        }
        ledger_->Acknowledge(index, attempts, case_id, "", response.version(), "");
        return;
      }
      if (status.error_code() == grpc::StatusCode::ABORTED) {
        ledger_->Reject(index);
        redo = true;
        break;
      }
      if (!RetryAfter(status, absl::StrCat("UpdateCase ", request.request_id()))) return;
    }
    if (!redo) return;
  }
}

void FaultClient::AddNote(const std::string& case_id) {
  v1::AddCaseNoteRequest request;
  request.set_request_id(NextRequestId("note"));
  request.set_case_id(case_id);
  request.set_text(NoteText(request.request_id()));
  Write write;
  write.kind = WriteKind::kNote;
  write.request_id = request.request_id();
  write.case_id = case_id;
  const size_t index = ledger_->Record(write);
  int attempts = 0;
  while (!GivingUp()) {
    v1::CaseNote response;
    grpc::ClientContext context;
    PrepareContext(&context, options_.token, options_.call_timeout);
    ledger_->CountAttempt();
    ++attempts;
    const grpc::Status status = stub_->AddCaseNote(&context, request, &response);
    if (status.ok()) {
      if (response.id().empty() || response.case_id() != case_id ||
          response.text() != request.text()) {
        ledger_->AddViolation(
            absl::StrCat("AddCaseNote ", request.request_id(),
                         ": the response is not the note added: ", response.ShortDebugString()));
      }
      ledger_->Acknowledge(index, attempts, case_id, "", 0, response.id());
      return;
    }
    if (!RetryAfter(status, absl::StrCat("AddCaseNote ", request.request_id()))) return;
  }
}

}  // namespace consular::fault

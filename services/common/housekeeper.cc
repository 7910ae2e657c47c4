#include "services/common/housekeeper.h"

#include "absl/strings/str_cat.h"
#include "base/log.h"

namespace consular {
namespace {

bool Expires(const std::vector<storage::ExpiringKind>& kinds, storage::ExpiringKind kind) {
  for (storage::ExpiringKind k : kinds) {
    if (k == kind) return true;
  }
  return false;
}

bool ExpiresIdempotency(const std::vector<storage::ExpiringKind>& kinds) {
  return Expires(kinds, storage::ExpiringKind::kCasesIdempotency) ||
         Expires(kinds, storage::ExpiringKind::kContactsIdempotency) ||
         Expires(kinds, storage::ExpiringKind::kStatsIdempotency);
}

bool ExpiresEmergency(const std::vector<storage::ExpiringKind>& kinds) {
  return Expires(kinds, storage::ExpiringKind::kReviewedEmergencyAccess) ||
         Expires(kinds, storage::ExpiringKind::kEmergencySearches);
}

void AddDays(CLI::App& app, const std::string& name, int* value, const std::string& help,
             const std::string& env) {
  app.add_option(name, *value, help)
      ->envname(env)
      ->check(CLI::Range(1, 36500))
      ->capture_default_str();
}

}  // namespace

void AddHousekeepingFlags(CLI::App& app, const std::string& env_prefix,
                          const std::vector<storage::ExpiringKind>& kinds,
                          HousekeepingFlags* flags) {
  app.add_option("--housekeeping-interval-seconds", flags->interval_seconds,
                 "Housekeeping deletes expired rows at start and then this often; 0 turns it off "
                 "in this process (docs/records.md)")
      ->envname(env_prefix + "HOUSEKEEPING_INTERVAL_SECONDS")
      ->check(CLI::Range(0, 604800))
      ->capture_default_str();
  app.add_option("--housekeeping-batch", flags->batch, "Rows housekeeping deletes per transaction")
      ->envname(env_prefix + "HOUSEKEEPING_BATCH")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  if (ExpiresIdempotency(kinds)) {
    AddDays(app, "--idempotency-retention-days", &flags->idempotency_days,
            "Idempotency records and their stored responses are deleted after this many days; "
            "a retry with the same request id after that is a new request",
            env_prefix + "IDEMPOTENCY_RETENTION_DAYS");
  }
  if (Expires(kinds, storage::ExpiringKind::kEndedShares)) {
    AddDays(app, "--ended-share-retention-days", &flags->ended_share_days,
            "Shares are deleted this many days after they were revoked or expired, unless a "
            "referral names them",
            env_prefix + "ENDED_SHARE_RETENTION_DAYS");
  }
  if (ExpiresEmergency(kinds)) {
    AddDays(app, "--emergency-retention-days", &flags->emergency_days,
            "Reviewed emergency access is deleted this many days after its review, emergency "
            "searches this many days after the search; unreviewed access never",
            env_prefix + "EMERGENCY_RETENTION_DAYS");
  }
}

HousekeepingSettings HousekeepingSettingsOf(const HousekeepingFlags& flags,
                                            const std::vector<storage::ExpiringKind>& kinds) {
  HousekeepingSettings settings;
  settings.interval = absl::Seconds(flags.interval_seconds);
  settings.batch = flags.batch;
  for (storage::ExpiringKind kind : kinds) {
    int days = flags.idempotency_days;
    if (kind == storage::ExpiringKind::kEndedShares) days = flags.ended_share_days;
    if (kind == storage::ExpiringKind::kReviewedEmergencyAccess ||
        kind == storage::ExpiringKind::kEmergencySearches) {
      days = flags.emergency_days;
    }
    settings.retention.emplace_back(kind, absl::Hours(24) * days);
  }
  return settings;
}

Housekeeper::Housekeeper(storage::TransactionRunner* runner, HousekeepingSettings settings,
                         const Clock& clock)
    : runner_(runner), settings_(std::move(settings)), clock_(clock) {
  absl::MutexLock lock(&mu_);
  for (const auto& [kind, age] : settings_.retention) {
    expired_[storage::ExpiringKindName(kind)] = 0;
  }
}

Housekeeper::~Housekeeper() { Stop(); }

void Housekeeper::Start() {
  if (thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Housekeeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool Housekeeper::Stopping() const {
  absl::MutexLock lock(&mu_);
  return stop_;
}

std::map<std::string, int64_t> Housekeeper::Expired() const {
  absl::MutexLock lock(&mu_);
  return expired_;
}

absl::Time Housekeeper::LastSuccess() const {
  absl::MutexLock lock(&mu_);
  return last_success_;
}

absl::Status Housekeeper::RunRound() {
  absl::Status first_error;
  for (const auto& entry : settings_.retention) {
    // Named apart: a lambda may not capture a structured binding in C++17 (clang refuses it).
    const storage::ExpiringKind kind = entry.first;
    const absl::Duration age = entry.second;
    const std::string name = storage::ExpiringKindName(kind);
    for (int batch = 0; batch < settings_.max_batches && !Stopping(); ++batch) {
      int64_t deleted = 0;
      const absl::Status status =
          runner_->Run(absl::InfiniteFuture(), [&](pqxx::transaction_base& tx) {
            deleted = storage::ExpireBatch(tx, kind, age, settings_.batch);
            return absl::OkStatus();
          });
      if (!status.ok()) {
        LogError(absl::StrCat("housekeeping: expiring ", name, ": ", status.message()),
                 {{"kind", name}});
        if (first_error.ok()) first_error = status;
        break;
      }
      if (deleted > 0) {
        absl::MutexLock lock(&mu_);
        expired_[name] += deleted;
      }
      if (deleted < settings_.batch) break;
    }
  }
  if (first_error.ok() && !Stopping()) {
    absl::MutexLock lock(&mu_);
    last_success_ = clock_.Now();
  }
  return first_error;
}

void Housekeeper::Loop() {
  while (true) {
    const absl::Time started = clock_.Now();
    const std::map<std::string, int64_t> before = Expired();
    if (RunRound().ok()) {
      for (const auto& [name, count] : Expired()) {
        const int64_t now_deleted = count - before.at(name);
        if (now_deleted > 0) {
          LogInfo(absl::StrCat("housekeeping: deleted ", now_deleted, " expired rows of ", name),
                  {{"kind", name}, {"rows", now_deleted}});
        }
      }
    }
    absl::MutexLock lock(&mu_);
    const absl::Duration wait = settings_.interval - (clock_.Now() - started);
    mu_.AwaitWithTimeout(absl::Condition(&stop_), wait);
    if (stop_) return;
  }
}

}  // namespace consular

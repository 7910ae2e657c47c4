// Briefings of the bilateral-talks register (docs/statistics.md): a talk's country dossier,
// rendered as RenderCountryDossier renders it, stored byte for byte with its SHA-256 digest, and
// checked against that digest whenever it is read.
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/common/audited_call.h"
#include "services/common/call_support.h"
#include "services/common/ids.h"
#include "services/common/page_token.h"
#include "services/stats/register_call.h"
#include "services/stats/statistics_manager.h"
#include "services/stats/statistics_rules.h"
#include "services/stats/talk_rules.h"
#include "storage/talks_store.h"

namespace consular::stats {

using consular::v1::Briefing;
using consular::v1::Talk;
using storage::TalksStore;

absl::Status StatisticsManager::StoreBriefing(const Identity& who,
                                              const consular::v1::StoreBriefingRequest& request,
                                              absl::Time deadline, Briefing* out) {
  return RunRegisterChange<Briefing>(
      runner_, clock_, crypto_, who, "StoreBriefing", request, request.request_id(), deadline, out,
      [&](const consular::v1::Date&) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("talk_id", request.talk_id()));
        CONSULAR_RETURN_IF_ERROR(DossierLanguage("language", request.language()).status());
        return CheckDossierFormat("format", request.format());
      },
      [&](pqxx::transaction_base& tx, absl::Time now, Briefing* stored) -> absl::Status {
        const std::string talk_id = absl::AsciiStrToLower(request.talk_id());
        TalksStore talks(tx);
        std::optional<Talk> talk = talks.FindTalk(talk_id);
        if (!talk) return TalkNotFound(talk_id);
        if (talk->status() == consular::v1::TALK_STATUS_CANCELLED) {
          return absl::FailedPreconditionError("the talk is CANCELLED: no briefing is stored");
        }
        // The dossier of the talk's country and statistics period, as ReportService renders it.
        consular::v1::RenderCountryDossierRequest render;
        render.set_country(talk->country());
        *render.mutable_period() = talk->statistics_period();
        render.set_format(request.format());
        // The figures of the release the talk shows (held talks), else the newest.
        render.set_release(talk->statistics().release());
        CONSULAR_ASSIGN_OR_RETURN(const std::string language,
                                  DossierLanguage("language", request.language()));
        render.set_language(language);
        consular::v1::Dossier dossier;
        CONSULAR_RETURN_IF_ERROR(RenderDossierIn(tx, render, now, &dossier));

        Briefing b;
        b.set_id(NewUuid());
        b.set_talk_id(talk_id);
        b.set_language(language);
        b.set_format(request.format());
        b.set_content_type(dossier.content_type());
        b.set_filename(dossier.filename());
        b.set_sha256(Sha256Hex(dossier.content()));
        b.set_size(static_cast<int64_t>(dossier.content().size()));
        *b.mutable_statistics_period() = talk->statistics_period();
        b.set_stored_by(who.subject);
        *b.mutable_stored_at() = ToTimestamp(now);
        b.set_content(std::move(*dossier.mutable_content()));
        talks.InsertBriefing(b);
        // The reply (and the record a retry returns) without the bytes: GetBriefing has them.
        b.clear_content();
        *stored = std::move(b);
        return absl::OkStatus();
      });
}

absl::Status StatisticsManager::GetBriefing(const Identity& who,
                                            const consular::v1::GetBriefingRequest& request,
                                            absl::Time deadline, Briefing* out) {
  return RunAuditedCall(
      runner_, who, "BilateralService.GetBriefing", "", clock_.Now(), deadline,
      [&](pqxx::transaction_base& tx, storage::AuditRecord*) -> absl::Status {
        CONSULAR_RETURN_IF_ERROR(CheckMayReadStatistics(who));
        CONSULAR_RETURN_IF_ERROR(CheckUuidField("talk_id", request.talk_id()));
        if (!request.language().empty()) {
          CONSULAR_RETURN_IF_ERROR(DossierLanguage("language", request.language()).status());
        }
        if (request.format() != consular::v1::DOSSIER_FORMAT_UNSPECIFIED) {
          CONSULAR_RETURN_IF_ERROR(CheckDossierFormat("format", request.format()));
        }
        const std::string talk_id = absl::AsciiStrToLower(request.talk_id());
        TalksStore talks(tx);
        std::optional<Briefing> briefing =
            talks.NewestBriefing(talk_id, request.language(), request.format());
        if (!briefing) {
          if (!talks.FindTalk(talk_id)) return TalkNotFound(talk_id);
          return absl::NotFoundError(absl::StrCat("no briefing of talk ", talk_id,
                                                  " is stored (in that language and format)"));
        }
        // Evidence is only worth its digest: bytes that no longer match it are not served.
        if (Sha256Hex(briefing->content()) != briefing->sha256()) {
          return absl::DataLossError(absl::StrCat("briefing ", briefing->id(),
                                                  ": the stored bytes do not match their "
                                                  "SHA-256 digest"));
        }
        *out = *std::move(briefing);
        return absl::OkStatus();
      });
}

}  // namespace consular::stats

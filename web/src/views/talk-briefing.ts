// The briefing panel of a talk's page: StoreBriefing renders the country dossier of the talk (its
// country and statistics period) in a format and language and stores it with its SHA-256 digest;
// GetBriefing's bytes (the newest, or the newest in a format and language) are offered as a
// download through a Blob behind an object URL that is revoked right after. Nothing is kept in
// the page or in browser storage.
import { Code, ConnectError } from "@connectrpc/connect";
import { DossierFormat, DossierFormatSchema, type Briefing } from "../gen/consular/v1/statistics_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { formatTimestamp } from "../format";
import { language, t } from "../i18n/i18n";
import { FormAction, withRetry } from "../rpc";
import { briefingFormats, buildStoreBriefingRequest, safeFilename } from "../register/talks";
import { describeError } from "../casework/problems";
import { enumChoices, selectField } from "./form";
import type { AppContext } from "./view";

export class BriefingPanel {
  private stored: Briefing | undefined;
  private format: DossierFormat = DossierFormat.HTML;
  private language: "nl" | "en" = language();
  private busy = false;
  /** A failed call, or a sentence (no briefing in the format and language asked for). */
  private failure: unknown;
  private done: string | undefined;
  private readonly action = new FormAction<Briefing>();

  constructor(
    private readonly ctx: AppContext,
    private readonly talkId: string,
    private readonly signal: AbortSignal,
    private readonly render: () => void,
  ) {}

  /** Reads the newest stored briefing (its digest and name; the bytes are dropped). */
  async load(): Promise<void> {
    try {
      const b = await this.ctx.clients.bilateral.getBriefing({ talkId: this.talkId }, { signal: this.signal });
      this.stored = { ...b, content: new Uint8Array() };
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      if (!(error instanceof ConnectError && error.code === Code.NotFound)) this.failure = error;
    }
    this.render();
  }

  private async store(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const lang = this.language;
    const format = this.format;
    const user = this.action.for(JSON.stringify([this.talkId, lang, format]));
    this.busy = true;
    this.failure = undefined;
    this.done = undefined;
    this.render();
    try {
      const stored = await user.run(
        (requestId) => this.ctx.clients.bilateral.storeBriefing(buildStoreBriefingRequest(this.talkId, lang, format, requestId), { signal: this.signal }),
        { signal: this.signal },
      );
      this.action.forget();
      this.stored = { ...stored, content: new Uint8Array() };
      this.done = t("talk.briefingStored", { filename: stored.filename });
      this.ctx.announce(this.done);
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.failure = error;
      this.ctx.announce(describeError(error));
    } finally {
      this.busy = false;
    }
    this.render();
    document.getElementById(this.failure !== undefined ? "briefing-failure" : "briefing-done")?.focus();
  }

  /**
   * Downloads a stored briefing: the newest one (chosen = false) or the newest in the format and
   * language chosen in the form. The bytes go to the user's downloads as they came (a Blob behind
   * a short-lived object URL); nothing is kept in the page.
   */
  private async download(chosen: boolean): Promise<void> {
    const stored = this.stored;
    if (this.busy || (!chosen && !stored)) return;
    const language = chosen ? this.language : stored!.language;
    const format = chosen ? this.format : stored!.format;
    this.busy = true;
    this.failure = undefined;
    this.done = undefined;
    this.render();
    try {
      const b = await withRetry(
        () => this.ctx.clients.bilateral.getBriefing({ talkId: this.talkId, language, format }, { signal: this.signal }),
        { signal: this.signal },
      );
      const blob = new Blob([b.content as Uint8Array<ArrayBuffer>], { type: b.contentType || "application/octet-stream" });
      const href = URL.createObjectURL(blob);
      const link = h("a", { href, download: safeFilename(b.filename), class: "visually-hidden", tabindex: -1 }, b.filename);
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(href), 1000);
      this.done = t("talk.briefingDownloaded", { filename: b.filename, digest: b.sha256 });
      this.ctx.announce(this.done);
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.failure = error instanceof ConnectError && error.code === Code.NotFound ? t("talk.briefingNoneChosen") : error;
      this.ctx.announce(this.failureText());
    } finally {
      this.busy = false;
    }
    this.render();
    document.getElementById(this.failure !== undefined ? "briefing-failure" : "briefing-done")?.focus();
  }

  private failureText(): string {
    return typeof this.failure === "string" ? this.failure : describeError(this.failure);
  }

  build(): HTMLElement {
    const b = this.stored;
    const row = (label: string, value: Child) => h("div", { class: "field" }, h("dt", null, label), h("dd", null, value));
    return h(
      "section",
      { id: "talk-briefing", class: "card", "aria-labelledby": "talk-briefing-heading" },
      h("h2", { id: "talk-briefing-heading" }, t("talk.briefing")),
      h("p", { class: "hint" }, t("talk.briefingIntro")),
      h(
        "form",
        { id: "briefing-form", class: "form filters", novalidate: true, "aria-label": t("talk.briefingStore"), onsubmit: (e: Event) => void this.store(e) },
        selectField({
          id: "briefing-format",
          label: t("talk.briefingFormat"),
          value: String(this.format),
          choices: enumChoices(DossierFormatSchema, briefingFormats),
          onValue: (v) => {
            this.format = Number(v) as DossierFormat;
          },
        }),
        selectField({
          id: "briefing-language",
          label: t("talk.briefingLanguage"),
          value: this.language,
          choices: [
            { value: "nl", label: t("talk.languageNl") },
            { value: "en", label: t("talk.languageEn") },
          ],
          onValue: (v) => {
            this.language = v === "en" ? "en" : "nl";
          },
        }),
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "briefing-store", "aria-disabled": this.busy ? "true" : "false" }, t("talk.briefingStore")),
          h(
            "button",
            { type: "button", id: "briefing-download-chosen", class: "secondary", "aria-disabled": this.busy ? "true" : "false", onclick: () => void this.download(true) },
            t("talk.briefingDownloadChosen"),
          ),
        ),
      ),
      this.done ? h("p", { id: "briefing-done", class: "message", role: "status", tabindex: -1 }, this.done) : null,
      this.failure !== undefined
        ? h("div", { id: "briefing-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, this.failureText()))
        : null,
      b
        ? h(
            "div",
            { id: "briefing-stored" },
            h("h3", null, t("talk.briefingNewest")),
            h(
              "dl",
              { class: "fields" },
              row(t("talk.briefingFile"), b.filename),
              row(t("talk.briefingFormat"), enumLabel(DossierFormatSchema, b.format)),
              row(t("talk.briefingLanguage"), b.language === "en" ? t("talk.languageEn") : t("talk.languageNl")),
              row(t("talk.briefingSize"), t("talk.briefingBytes", { size: Number(b.size) })),
              row(t("talk.briefingDigest"), h("code", { id: "briefing-digest", class: "digest" }, b.sha256)),
              row(t("talk.recordedBy"), t("talk.byAt", { by: b.storedBy, at: formatTimestamp(b.storedAt) })),
            ),
            h("button", { type: "button", id: "briefing-download", class: "secondary", "aria-disabled": this.busy ? "true" : "false", onclick: () => void this.download(false) }, t("talk.briefingDownload", { filename: b.filename })),
          )
        : h("p", { id: "briefing-none" }, t("talk.briefingNone")),
    );
  }
}

// "Audit trail" (#/audit, auditors): AuditService.ListAuditEvents filtered by case reference or
// actor, newest first, page by page, with each call's purpose and emergency flag; and
// VerifyChain, its result in words. Every call states the purpose "audit" (and is itself
// recorded in the trail).
import { RoleSchema } from "../gen/consular/v1/common_pb";
import type { AuditEvent, VerifyChainResponse } from "../gen/consular/v1/audit_pb";
import { withPurpose } from "../api";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatList, formatTimestamp, isoTimestamp } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { withRetry } from "../rpc";
import { auditFilterProblems, buildAuditRequest, purposeText, verifySummary, type AuditFilters } from "../casework/audit";
import { problemText, type Problem } from "../casework/problems";
import { textField } from "./form";
import { BaseView, type AppContext } from "./view";
import { loadFailure, moreButton } from "./lists";

export class AuditView extends BaseView {
  private filters: AuditFilters = { caseRef: "", actor: "" };
  private problems: Partial<Record<keyof AuditFilters, Problem>> = {};
  /** The filters of the list shown (the next page asks with these). */
  private shown: AuditFilters = { caseRef: "", actor: "" };
  private events: AuditEvent[] | undefined;
  private next = "";
  private loading = false;
  private error: unknown;
  private verifying = false;
  private verified: VerifyChainResponse | undefined;
  private verifyError: unknown;

  constructor(private readonly ctx: AppContext) {
    super();
    this.render();
    void this.load("");
  }

  title(): string {
    return t("audit.title");
  }

  private search(event: Event): void {
    event.preventDefault();
    this.problems = auditFilterProblems(this.filters);
    if (this.problems.caseRef || this.problems.actor) {
      this.render();
      document.getElementById(this.problems.caseRef ? "audit-case" : "audit-actor")?.focus();
      return;
    }
    this.shown = { ...this.filters };
    void this.load("");
  }

  private async load(pageToken: string): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const request = buildAuditRequest(this.shown, pageToken);
      const response = await withRetry(
        () => this.ctx.clients.audit.listAuditEvents(request, withPurpose("audit", { signal: this.abort.signal })),
        { signal: this.abort.signal },
      );
      this.events = pageToken ? [...(this.events ?? []), ...response.events] : response.events;
      this.next = response.nextPageToken;
      this.ctx.announce(tPlural("audit.loaded", this.events.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private async verify(): Promise<void> {
    if (this.verifying) return;
    this.verifying = true;
    this.verified = undefined;
    this.verifyError = undefined;
    this.render();
    try {
      this.verified = await withRetry(
        () => this.ctx.clients.audit.verifyChain({}, withPurpose("audit", { signal: this.abort.signal })),
        { signal: this.abort.signal },
      );
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.verifyError = error;
    } finally {
      this.verifying = false;
    }
    this.render();
    document.getElementById("audit-verify-result")?.focus();
  }

  protected build(): Child[] {
    return [
      h("h1", { tabindex: -1 }, t("audit.title")),
      h("p", { class: "lead" }, t("audit.intro")),
      h(
        "form",
        { id: "audit-filters", class: "form filters", novalidate: true, onsubmit: (e: Event) => this.search(e) },
        textField({
          id: "audit-case",
          label: t("audit.caseReference"),
          hint: t("audit.caseReferenceHint"),
          error: this.problems.caseRef ? problemText(this.problems.caseRef) : undefined,
          value: this.filters.caseRef,
          onValue: (v) => {
            this.filters.caseRef = v;
          },
        }),
        textField({
          id: "audit-actor",
          label: t("audit.actor"),
          error: this.problems.actor ? problemText(this.problems.actor) : undefined,
          value: this.filters.actor,
          onValue: (v) => {
            this.filters.actor = v;
          },
        }),
        h("button", { type: "submit", id: "audit-search" }, t("audit.search")),
      ),
      this.buildVerify(),
      this.error !== undefined
        ? loadFailure("audit-retry", this.error, () => void this.load(""))
        : null,
      this.buildTable(),
      this.next && !this.loading
        ? moreButton("audit-more", t("audit.loadMore"), () => void this.load(this.next))
        : null,
    ];
  }

  private buildVerify(): HTMLElement {
    let result: Child = null;
    if (this.verified) {
      const s = verifySummary(this.verified);
      result = h(
        "div",
        { id: "audit-verify-result", class: s.ok ? "message" : "message message-error", role: s.ok ? "status" : "alert", tabindex: -1, "data-ok": s.ok ? "true" : "false" },
        h("p", null, t(s.key, s.params)),
        this.verified.headHash ? h("p", { class: "hash" }, t("audit.headHash", { hash: this.verified.headHash })) : null,
      );
    } else if (this.verifyError !== undefined) {
      result = h("div", { id: "audit-verify-result", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, errorMessage(this.verifyError)));
    }
    return h(
      "section",
      { id: "audit-verify", class: "card", "aria-labelledby": "audit-verify-heading" },
      h("h2", { id: "audit-verify-heading" }, t("audit.verifyHeading")),
      h("p", null, t("audit.verifyIntro")),
      h("button", { type: "button", id: "audit-verify-button", "aria-disabled": this.verifying ? "true" : "false", onclick: () => void this.verify() }, this.verifying ? t("audit.verifying") : t("audit.verify")),
      result,
    );
  }

  private buildTable(): Child {
    if (this.events === undefined) return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    if (this.events.length === 0) return h("p", { id: "audit-empty" }, t("audit.none"));
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": "audit-caption", tabindex: 0 },
      h(
        "table",
        { id: "audit-table", class: "data", "aria-busy": this.loading ? "true" : "false" },
        h("caption", { id: "audit-caption" }, t("audit.caption")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("audit.when")),
            h("th", { scope: "col" }, t("audit.actor")),
            h("th", { scope: "col" }, t("audit.action")),
            h("th", { scope: "col" }, t("audit.case")),
            h("th", { scope: "col" }, t("audit.purpose")),
            h("th", { scope: "col" }, t("audit.outcome")),
            h("th", { scope: "col" }, t("audit.chainSeq")),
          ),
        ),
        h(
          "tbody",
          null,
          this.events.map((e) =>
            h(
              "tr",
              { id: `audit-event-${String(e.id)}`, "data-emergency": e.emergency ? "true" : "false" },
              h("td", { class: "nowrap" }, e.occurredAt ? h("time", { datetime: isoTimestamp(e.occurredAt) }, formatTimestamp(e.occurredAt)) : t("common.none")),
              h(
                "td",
                null,
                e.actorPost
                  ? t("audit.actorWithPost", { actor: e.actor, role: enumLabel(RoleSchema, e.actorRole), post: e.actorPost })
                  : t("audit.actorNoPost", { actor: e.actor, role: enumLabel(RoleSchema, e.actorRole) }),
              ),
              h("th", { scope: "row" }, e.action),
              h("td", { class: "nowrap" }, e.caseId || t("common.none"), e.returnedCaseIds.length ? h("span", { class: "muted block" }, tPlural("audit.returned", e.returnedCaseIds.length)) : null),
              h("td", null, formatList(purposeText(e.purpose)) || t("common.none"), e.emergency ? h("strong", { class: "warning block" }, t("audit.emergency")) : null),
              h("td", null, e.outcome),
              h("td", null, e.chainSeq > 0n ? String(e.chainSeq) : t("audit.notChained")),
            ),
          ),
        ),
      ),
    );
  }
}

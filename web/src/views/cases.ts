// "My unit's cases": CaseService.ListCases page by page, newest first, with each case's most
// urgent deadline from CaseService.ListDeadlines when the caller may list them; and finding the
// cases of a person by full name (SearchCases). The name stays in this screen's memory and in the
// body of the call: never in the address.
import type { Case, Deadline } from "../gen/consular/v1/cases_pb";
import { DeadlineKindSchema } from "../gen/consular/v1/cases_pb";
import { CaseStatusSchema, CaseTypeSchema } from "../gen/consular/v1/common_pb";
import { h, uniqueId, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatCountry, formatDate, formatTimestampDate, isoDate, isoTimestamp } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { withRetry } from "../rpc";
import { problemText, type Problem } from "../casework/problems";
import { buildSearchRequest, searchNameProblem } from "../casework/sharing";
import { textField } from "./form";
import { BaseView, type AppContext } from "./view";
import { loadFailure, moreButton } from "./lists";

export const casesPageSize = 25;

/** The most urgent deadline of each case (the list comes passed first, then by day). */
export function firstDeadlineByReference(deadlines: readonly Deadline[]): Map<string, Deadline> {
  const byRef = new Map<string, Deadline>();
  for (const d of deadlines) {
    if (d.reference && !byRef.has(d.reference)) byRef.set(d.reference, d);
  }
  return byRef;
}

export function caseHref(reference: string): string {
  return `#/case/${encodeURIComponent(reference)}`;
}

export class CasesView extends BaseView {
  // pageTokens[i] is the token of page i + 1; the first page has "".
  private pageTokens: string[] = [""];
  private cases: Case[] | undefined;
  private nextToken = "";
  private loading = false;
  private error: unknown;
  private deadlines: Map<string, Deadline> | undefined;
  private deadlinesFailed = false;
  private readonly captionId = uniqueId("cases-caption");
  private findName = "";
  private findProblem: Problem | undefined;
  private found: Case[] | undefined;
  private foundNext = "";
  private finding = false;
  private findError: unknown;

  constructor(private readonly ctx: AppContext) {
    super();
    this.render();
    void this.loadPage();
    void this.loadDeadlines();
  }

  title(): string {
    return t("cases.title");
  }

  private get page(): number {
    return this.pageTokens.length;
  }

  private async loadPage(): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    const pageToken = this.pageTokens[this.pageTokens.length - 1] ?? "";
    try {
      const response = await withRetry(
        () =>
          this.ctx.clients.cases.listCases(
            { pageSize: casesPageSize, pageToken },
            { signal: this.abort.signal },
          ),
        { signal: this.abort.signal },
      );
      this.cases = response.cases;
      this.nextToken = response.nextPageToken;
      this.ctx.announce(tPlural("cases.loaded", response.cases.length, { page: this.page }));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private async loadDeadlines(): Promise<void> {
    try {
      const response = await withRetry(
        () => this.ctx.clients.cases.listDeadlines({ withinDays: 0 }, { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.deadlines = firstDeadlineByReference(response.deadlines);
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.deadlinesFailed = true;
    }
    this.render();
  }

  private async find(event: Event | undefined, more = false): Promise<void> {
    event?.preventDefault();
    if (this.finding) return;
    this.findProblem = searchNameProblem(this.findName);
    if (this.findProblem) {
      this.render();
      document.getElementById("find-name")?.focus();
      return;
    }
    const name = this.findName;
    const pageToken = more ? this.foundNext : "";
    this.finding = true;
    this.findError = undefined;
    if (!more) this.found = undefined;
    this.render();
    try {
      const response = await withRetry(
        () => this.ctx.clients.cases.searchCases(buildSearchRequest(name, pageToken), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.found = more ? [...(this.found ?? []), ...response.cases] : response.cases;
      this.foundNext = response.nextPageToken;
      this.ctx.announce(tPlural("find.found", response.cases.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.findError = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.finding = false;
    }
    this.render();
  }

  private clearFind(): void {
    this.findName = "";
    this.findProblem = undefined;
    this.found = undefined;
    this.foundNext = "";
    this.findError = undefined;
    this.render();
    document.getElementById("find-name")?.focus();
  }

  private buildFind(): HTMLElement {
    const content: Child[] = [
      h("h2", { id: "find-heading" }, t("find.heading")),
      h(
        "form",
        { id: "find-form", class: "form", novalidate: true, role: "search", "aria-labelledby": "find-heading", onsubmit: (e: Event) => void this.find(e) },
        textField({
          id: "find-name",
          label: t("find.name"),
          hint: t("find.nameHint"),
          required: true,
          error: this.findProblem ? problemText(this.findProblem) : undefined,
          value: this.findName,
          onValue: (v) => {
            this.findName = v;
          },
        }),
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "find-submit", "aria-disabled": this.finding ? "true" : "false" }, t("find.submit")),
          this.found !== undefined
            ? h("button", { type: "button", id: "find-clear", class: "secondary", onclick: () => this.clearFind() }, t("find.clear"))
            : null,
        ),
      ),
    ];
    if (this.finding) content.push(h("p", { class: "loading" }, t("common.loading")));
    if (this.findError !== undefined) {
      content.push(h("div", { id: "find-failure", class: "message message-error", role: "alert" }, h("p", null, errorMessage(this.findError))));
    }
    if (this.found !== undefined) {
      content.push(
        this.found.length === 0
          ? h("p", { id: "find-none" }, t("find.none"))
          : h(
              "div",
              { class: "table-scroll", role: "region", "aria-labelledby": "find-caption", tabindex: 0 },
              h(
                "table",
                { id: "find-table", class: "data" },
                h("caption", { id: "find-caption" }, tPlural("find.caption", this.found.length)),
                h(
                  "thead",
                  null,
                  h(
                    "tr",
                    null,
                    h("th", { scope: "col" }, t("case.reference")),
                    h("th", { scope: "col" }, t("case.type")),
                    h("th", { scope: "col" }, t("case.status")),
                    h("th", { scope: "col" }, t("case.country")),
                    h("th", { scope: "col" }, t("case.handlingUnit")),
                  ),
                ),
                h(
                  "tbody",
                  null,
                  this.found.map((c) =>
                    h(
                      "tr",
                      null,
                      h("th", { scope: "row", class: "nowrap" }, h("a", { href: caseHref(c.reference) }, c.reference)),
                      h("td", null, enumLabel(CaseTypeSchema, c.type)),
                      h("td", null, enumLabel(CaseStatusSchema, c.status)),
                      h("td", null, formatCountry(c.country)),
                      h("td", null, c.handlingPost),
                    ),
                  ),
                ),
              ),
            ),
      );
      if (this.foundNext && !this.finding) {
        content.push(moreButton("find-more", t("find.more"), () => void this.find(undefined, true)));
      }
    }
    return h("section", { id: "find", class: "card", "aria-labelledby": "find-heading" }, ...content);
  }

  private next(): void {
    if (!this.nextToken || this.loading) return;
    this.pageTokens.push(this.nextToken);
    void this.loadPage();
  }

  private previous(): void {
    if (this.pageTokens.length <= 1 || this.loading) return;
    this.pageTokens.pop();
    void this.loadPage();
  }

  protected build(): Child[] {
    const unit = this.ctx.session.unit;
    return [
      h("h1", { tabindex: -1 }, t("cases.title")),
      unit ? h("p", { class: "lead" }, t("cases.unit", { unit })) : null,
      h(
        "p",
        { class: "page-actions" },
        h("a", { href: "#/new", id: "cases-new", class: "button-link" }, t("newCase.title")),
        h("a", { href: "#/follow-ups", id: "cases-follow-ups", class: "button-link secondary" }, t("followUps.title")),
      ),
      this.error !== undefined
        ? loadFailure("cases-retry", this.error, () => void this.loadPage())
        : null,
      this.deadlinesFailed ? h("p", { class: "message" }, t("cases.deadlinesUnavailable")) : null,
      this.buildFind(),
      this.buildTable(),
      this.buildPager(),
    ];
  }

  private buildTable(): Child {
    if (this.cases === undefined) {
      return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    }
    if (this.cases.length === 0 && this.page === 1) {
      return h("p", null, t("cases.empty"));
    }
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": this.captionId, tabindex: 0 },
      h(
        "table",
        { class: "data", "aria-busy": this.loading ? "true" : "false" },
        h("caption", { id: this.captionId }, t("cases.caption", { page: this.page })),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("case.reference")),
            h("th", { scope: "col" }, t("case.type")),
            h("th", { scope: "col" }, t("case.status")),
            h("th", { scope: "col" }, t("case.country")),
            h("th", { scope: "col" }, t("case.opened")),
            h("th", { scope: "col" }, t("cases.nextDeadline")),
          ),
        ),
        h("tbody", null, this.cases.map((c) => this.buildRow(c))),
      ),
    );
  }

  private buildRow(c: Case): HTMLElement {
    return h(
      "tr",
      null,
      h("th", { scope: "row", class: "nowrap" }, h("a", { href: caseHref(c.reference) }, c.reference)),
      h("td", null, enumLabel(CaseTypeSchema, c.type)),
      h("td", null, enumLabel(CaseStatusSchema, c.status)),
      h("td", null, formatCountry(c.country)),
      h("td", { class: "nowrap" }, c.openedAt ? h("time", { datetime: isoTimestamp(c.openedAt) }, formatTimestampDate(c.openedAt)) : t("common.none")),
      h("td", null, this.buildDeadline(c.reference)),
    );
  }

  private buildDeadline(reference: string): Child {
    if (this.deadlines === undefined) return this.deadlinesFailed ? t("common.none") : "";
    const d = this.deadlines.get(reference);
    if (!d) return t("common.none");
    const params = { date: formatDate(d.dueOn), kind: enumLabel(DeadlineKindSchema, d.kind) };
    return h(
      "time",
      { datetime: isoDate(d.dueOn), class: d.passed ? "deadline-passed" : d.warningWeeks > 0 ? "deadline-near" : undefined },
      d.passed ? t("deadline.passed", params) : t("deadline.due", params),
    );
  }

  private buildPager(): Child {
    if (this.cases === undefined) return null;
    const hasPrevious = this.page > 1;
    const hasNext = this.nextToken !== "";
    if (!hasPrevious && !hasNext) return null;
    return h(
      "nav",
      { class: "pager", "aria-label": t("cases.pagination") },
      h(
        "button",
        { type: "button", id: "cases-previous", disabled: !hasPrevious, onclick: () => this.previous() },
        t("cases.previousPage"),
      ),
      h("span", { class: "pager-page" }, t("cases.page", { page: this.page })),
      h(
        "button",
        { type: "button", id: "cases-next", disabled: !hasNext, onclick: () => this.next() },
        t("cases.nextPage"),
      ),
    );
  }
}

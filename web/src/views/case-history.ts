// Two read-only parts of the case page: the history of the case's fields, change by change with
// the old and new value of each field, who, when and why (CaseService.ListCaseHistory, oldest
// first, page by page), and the cases at any unit that may be about the same person
// (FindPossibleDuplicates: of a case the caller may not read, only its unit and how it matched).
import type { CaseHistoryEntry, PossibleDuplicate } from "../gen/consular/v1/cases_pb";
import { DuplicateMatchSchema } from "../gen/consular/v1/cases_pb";
import { RoleSchema } from "../gen/consular/v1/common_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { formatTimestamp, isoTimestamp } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { historyFieldLabel, historyValue } from "../casework/history";
import { mayFindDuplicates } from "../casework/sharing";
import { caseHref } from "./cases";
import { Panel, type CaseHost } from "./panel";
import { loadFailure, moreButton } from "./lists";

export const historyPageSize = 100;

export class HistoryPanel extends Panel {
  private entries: CaseHistoryEntry[] = [];
  private next = "";

  constructor(host: CaseHost) {
    super(host, "history");
  }

  async load(pageToken = ""): Promise<void> {
    const c = this.host.current();
    const response = await this.loadWith((signal) =>
      this.host.ctx.clients.cases.listCaseHistory(
        { caseId: c.id || c.reference, pageSize: historyPageSize, pageToken },
        { signal },
      ),
    );
    if (!response) return;
    this.entries = pageToken ? [...this.entries, ...response.entries] : response.entries;
    this.next = response.nextPageToken;
    if (pageToken) this.host.ctx.announce(tPlural("history.loadedMore", response.entries.length));
    this.render();
  }

  protected build(): Child[] {
    const content: Child[] = [this.heading(t("history.heading"))];
    if (this.entries.length > 0) {
      content.push(h("ol", { id: "history-list", class: "timeline" }, this.entries.map((e) => this.buildEntry(e))));
    } else if (!this.loading && this.loadError === undefined) {
      content.push(h("p", { id: "history-none" }, t("history.none")));
    }
    if (this.loading) content.push(h("p", { class: "loading" }, t("common.loading")));
    if (this.loadError !== undefined) {
      content.push(
        loadFailure("history-retry", this.loadError, () => void this.load(this.entries.length ? this.next : "")),
      );
    } else if (this.next && !this.loading) {
      content.push(moreButton("history-more", t("history.loadMore"), () => void this.load(this.next)));
    }
    return content;
  }

  private buildEntry(e: CaseHistoryEntry): HTMLElement {
    const when = e.changedAt ? formatTimestamp(e.changedAt) : t("common.none");
    const who = e.actorPost
      ? t("event.actorWithUnit", { actor: e.actor || t("common.none"), role: enumLabel(RoleSchema, e.actorRole), unit: e.actorPost })
      : t("event.actor", { actor: e.actor || t("common.none"), role: enumLabel(RoleSchema, e.actorRole) });
    const captionId = `history-caption-${e.sequence}`;
    return h(
      "li",
      { id: `history-entry-${e.sequence}` },
      h(
        "p",
        { class: "event-head" },
        h("strong", null, t("history.version", { version: String(e.caseVersion) })),
        " ",
        e.changedAt ? h("time", { datetime: isoTimestamp(e.changedAt) }, when) : null,
      ),
      h("p", { class: "event-actor" }, who),
      e.reason ? h("p", { class: "event-detail pre-wrap" }, t("event.reason", { reason: e.reason })) : null,
      h(
        "div",
        { class: "table-scroll", role: "region", "aria-labelledby": captionId, tabindex: 0 },
        h(
          "table",
          { class: "data history-changes" },
          h("caption", { id: captionId }, t("history.caption", { when })),
          h(
            "thead",
            null,
            h("tr", null, h("th", { scope: "col" }, t("history.field")), h("th", { scope: "col" }, t("history.old")), h("th", { scope: "col" }, t("history.new"))),
          ),
          h(
            "tbody",
            null,
            e.changes.map((ch) =>
              h(
                "tr",
                { "data-field": ch.field },
                h("th", { scope: "row" }, historyFieldLabel(ch.field)),
                ch.withheld
                  ? h("td", { colspan: 2 }, t("history.withheld"))
                  : [h("td", { class: "pre-wrap" }, historyValue(ch.oldValue, ch.field)), h("td", { class: "pre-wrap" }, historyValue(ch.newValue, ch.field))],
              ),
            ),
          ),
        ),
      ),
    );
  }
}

/** One possible duplicate: a link when the caller may read that case, else its unit only. */
export function duplicateItem(d: PossibleDuplicate): HTMLElement {
  const match = enumLabel(DuplicateMatchSchema, d.match);
  if (d.reference) {
    return h("li", null, h("a", { href: caseHref(d.reference) }, d.reference), " ", t("duplicates.readable", { unit: d.handlingUnit, match }));
  }
  return h("li", null, t("duplicates.elsewhere", { unit: d.handlingUnit, match }));
}

export class DuplicatesPanel extends Panel {
  private duplicates: PossibleDuplicate[] = [];

  constructor(host: CaseHost) {
    super(host, "duplicates");
  }

  override render(): void {
    this.root.hidden = !mayFindDuplicates(this.host.ctx.session.role);
    super.render();
  }

  async load(): Promise<void> {
    if (!mayFindDuplicates(this.host.ctx.session.role)) return;
    const c = this.host.current();
    const response = await this.loadWith((signal) =>
      this.host.ctx.clients.cases.findPossibleDuplicates({ caseId: c.id || c.reference }, { signal }),
    );
    if (!response) return;
    this.duplicates = response.duplicates;
    this.render();
  }

  protected build(): Child[] {
    const content: Child[] = [this.heading(t("duplicates.heading"))];
    if (this.loading) content.push(h("p", { class: "loading" }, t("common.loading")));
    else if (this.loadError !== undefined) {
      content.push(
        loadFailure("duplicates-retry", this.loadError, () => void this.load()),
      );
    } else if (this.duplicates.length === 0) {
      content.push(h("p", { id: "duplicates-none" }, t("duplicates.none")));
    } else {
      content.push(
        h("p", null, tPlural("duplicates.found", this.duplicates.length)),
        h("ul", { id: "duplicates-list" }, this.duplicates.map((d) => duplicateItem(d))),
      );
    }
    return content;
  }
}

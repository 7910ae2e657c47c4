// "Inbox" (#/inbox): CaseService.ListInbox for the caller's unit. Referrals and shares to answer
// come first, each accepted or declined with a reason (AnswerReferral, AnswerShare); below them
// the answers to the unit's own referrals and shares, and shares other units ended. Only case
// references, types and countries are shown: an inbox item carries no personal data.
import { Answer, AnswerSchema, InboxItemKindSchema, ShareAccessSchema, type InboxItem } from "../gen/consular/v1/cases_pb";
import { CaseTypeSchema } from "../gen/consular/v1/common_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatCountry, formatTimestamp, isoTimestamp } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction, withRetry } from "../rpc";
import { answerKey, answerReasonProblem, buildAnswerRequest, groupInbox, isReferral } from "../casework/inbox";
import { describeError, problemText, type Problem } from "../casework/problems";
import { caseHref } from "./cases";
import { selectField, textArea } from "./form";
import { BaseView, type AppContext } from "./view";
import { loadFailure } from "./lists";

/** How many days of answers and revocations the list shows. */
export const inboxWindows = [30, 90, 366] as const;

interface Answering {
  declining: boolean;
  reason: string;
  problem?: Problem;
  failure?: unknown;
  busy: boolean;
  readonly action: FormAction<unknown>;
}

export class InboxView extends BaseView {
  private withinDays: number = inboxWindows[0];
  private items: InboxItem[] | undefined;
  private loading = false;
  private error: unknown;
  private done: string | undefined;
  private readonly answering = new Map<string, Answering>();

  constructor(private readonly ctx: AppContext) {
    super();
    this.render();
    void this.load();
  }

  title(): string {
    return t("inbox.title");
  }

  private async load(): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const response = await withRetry(
        () => this.ctx.clients.cases.listInbox({ withinDays: this.withinDays }, { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.items = response.items;
      this.ctx.announce(tPlural("inbox.loaded", groupInbox(this.items).toAnswer.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private state(item: InboxItem): Answering {
    let s = this.answering.get(item.itemId);
    if (!s) {
      s = { declining: false, reason: "", busy: false, action: new FormAction<unknown>() };
      this.answering.set(item.itemId, s);
    }
    return s;
  }

  private async answer(item: InboxItem, answer: Answer): Promise<void> {
    const s = this.state(item);
    if (s.busy) return;
    s.failure = undefined;
    s.problem = answerReasonProblem(answer, s.reason);
    if (s.problem) {
      this.render();
      document.getElementById(`inbox-reason-${item.itemId}`)?.focus();
      return;
    }
    const action = s.action.for(answerKey(item, answer, s.reason));
    s.busy = true;
    this.render();
    try {
      await action.run(
        (requestId) => {
          const call = buildAnswerRequest(item, answer, s.reason, requestId);
          return call.method === "answerReferral"
            ? this.ctx.clients.cases.answerReferral(call.request, { signal: this.abort.signal })
            : this.ctx.clients.cases.answerShare(call.request, { signal: this.abort.signal });
        },
        { signal: this.abort.signal },
      );
      this.answering.delete(item.itemId);
      const params = { reference: item.caseReference };
      this.done = isReferral(item)
        ? answer === Answer.ACCEPTED ? t("inbox.referralAccepted", params) : t("inbox.referralDeclined", params)
        : answer === Answer.ACCEPTED ? t("inbox.shareAccepted", params) : t("inbox.shareDeclined", params);
      this.ctx.announce(this.done);
      this.items = (this.items ?? []).filter((i) => i.itemId !== item.itemId || i.kind !== item.kind);
      this.render();
      document.getElementById("inbox-done")?.focus();
      void this.load();
      return;
    } catch (error) {
      s.busy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      s.failure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById(`inbox-failure-${item.itemId}`)?.focus();
  }

  protected build(): Child[] {
    const groups = groupInbox(this.items ?? []);
    return [
      h("h1", { tabindex: -1 }, t("inbox.title")),
      h("p", { class: "lead" }, t("inbox.intro")),
      h(
        "div",
        { class: "form filters" },
        selectField({
          id: "inbox-window",
          label: t("inbox.window"),
          value: String(this.withinDays),
          choices: inboxWindows.map((d) => ({ value: String(d), label: tPlural("inbox.windowDays", d) })),
          onValue: (v) => {
            this.withinDays = Number(v);
            this.done = undefined;
            void this.load();
          },
        }),
      ),
      this.done ? h("p", { id: "inbox-done", class: "message", role: "status", tabindex: -1 }, this.done) : null,
      this.error !== undefined
        ? loadFailure("inbox-retry", this.error, () => void this.load())
        : null,
      this.items === undefined && this.loading ? h("p", { class: "loading" }, t("common.loading")) : null,
      this.items === undefined
        ? null
        : [
            h(
              "section",
              { id: "inbox-to-answer", class: "card", "aria-labelledby": "inbox-to-answer-heading" },
              h("h2", { id: "inbox-to-answer-heading" }, t("inbox.toAnswer")),
              groups.toAnswer.length === 0
                ? h("p", { id: "inbox-to-answer-empty" }, t("inbox.nothingToAnswer"))
                : h("ul", { class: "inbox-list" }, groups.toAnswer.map((i) => this.buildToAnswer(i))),
            ),
            h(
              "section",
              { id: "inbox-news", class: "card", "aria-labelledby": "inbox-news-heading" },
              h("h2", { id: "inbox-news-heading" }, t("inbox.news")),
              groups.news.length === 0 ? h("p", { id: "inbox-news-empty" }, t("inbox.noNews")) : this.buildNews(groups.news),
            ),
          ],
    ];
  }

  private facts(item: InboxItem): Child {
    return h(
      "dl",
      { class: "fields" },
      h("div", { class: "field" }, h("dt", null, t("case.type")), h("dd", null, enumLabel(CaseTypeSchema, item.caseType))),
      h("div", { class: "field" }, h("dt", null, t("case.country")), h("dd", null, item.country ? formatCountry(item.country) : t("common.none"))),
      h("div", { class: "field" }, h("dt", null, t("inbox.from")), h("dd", null, t("inbox.fromBy", { unit: item.fromUnit, actor: item.actor }))),
      h("div", { class: "field" }, h("dt", null, t("inbox.legalBasis")), h("dd", { class: "pre-wrap" }, item.legalBasis || t("common.none"))),
      isReferral(item)
        ? null
        : h("div", { class: "field" }, h("dt", null, t("inbox.access")), h("dd", null, enumLabel(ShareAccessSchema, item.access))),
      item.expiresAt
        ? h("div", { class: "field" }, h("dt", null, t("inbox.expires")), h("dd", null, h("time", { datetime: isoTimestamp(item.expiresAt) }, formatTimestamp(item.expiresAt))))
        : null,
    );
  }

  private buildToAnswer(item: InboxItem): HTMLElement {
    const id = item.itemId;
    const s = this.state(item);
    const reference = item.caseReference;
    return h(
      "li",
      { id: `inbox-item-${id}`, class: "inbox-item", "data-reference": reference },
      h(
        "h3",
        null,
        t("inbox.itemHeading", { kind: enumLabel(InboxItemKindSchema, item.kind), reference }),
      ),
      h(
        "p",
        null,
        h("a", { href: caseHref(reference), id: `inbox-case-${id}` }, t("inbox.openCase", { reference })),
        " ",
        item.at ? h("time", { class: "muted", datetime: isoTimestamp(item.at) }, formatTimestamp(item.at)) : null,
      ),
      this.facts(item),
      s.declining
        ? h(
            "form",
            { class: "form", novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); void this.answer(item, Answer.DECLINED); } },
            textArea({
              id: `inbox-reason-${id}`,
              label: t("inbox.reason"),
              hint: t("inbox.reasonHint"),
              required: true,
              error: s.problem ? problemText(s.problem) : undefined,
              value: s.reason,
              rows: 3,
              onValue: (v) => {
                s.reason = v;
              },
            }),
            h(
              "div",
              { class: "button-row" },
              h("button", { type: "submit", id: `inbox-decline-confirm-${id}`, "aria-disabled": s.busy ? "true" : "false" }, t("inbox.declineConfirm")),
              h(
                "button",
                {
                  type: "button",
                  id: `inbox-decline-keep-${id}`,
                  class: "secondary",
                  onclick: () => {
                    s.declining = false;
                    s.problem = undefined;
                    this.render();
                    document.getElementById(`inbox-decline-${id}`)?.focus();
                  },
                },
                t("inbox.declineKeep"),
              ),
            ),
          )
        : h(
            "div",
            { class: "button-row" },
            h(
              "button",
              {
                type: "button",
                id: `inbox-accept-${id}`,
                "aria-disabled": s.busy ? "true" : "false",
                "aria-label": t("inbox.acceptLabel", { reference }),
                onclick: () => void this.answer(item, Answer.ACCEPTED),
              },
              t("inbox.accept"),
            ),
            h(
              "button",
              {
                type: "button",
                id: `inbox-decline-${id}`,
                class: "secondary",
                "aria-label": t("inbox.declineLabel", { reference }),
                onclick: () => {
                  if (s.busy) return;
                  s.declining = true;
                  this.render();
                  document.getElementById(`inbox-reason-${id}`)?.focus();
                },
              },
              t("inbox.decline"),
            ),
          ),
      s.failure !== undefined
        ? h("div", { id: `inbox-failure-${id}`, class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(s.failure)))
        : null,
    );
  }

  private buildNews(items: readonly InboxItem[]): HTMLElement {
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": "inbox-news-caption", tabindex: 0 },
      h(
        "table",
        { id: "inbox-news-table", class: "data", "aria-busy": this.loading ? "true" : "false" },
        h("caption", { id: "inbox-news-caption", class: "visually-hidden" }, t("inbox.news")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("inbox.when")),
            h("th", { scope: "col" }, t("case.reference")),
            h("th", { scope: "col" }, t("inbox.what")),
            h("th", { scope: "col" }, t("inbox.units")),
            h("th", { scope: "col" }, t("inbox.answer")),
          ),
        ),
        h(
          "tbody",
          null,
          items.map((i) =>
            h(
              "tr",
              { id: `inbox-news-${i.kind}-${i.itemId}`, "data-reference": i.caseReference },
              h("td", { class: "nowrap" }, i.at ? h("time", { datetime: isoTimestamp(i.at) }, formatTimestamp(i.at)) : t("common.none")),
              h("th", { scope: "row", class: "nowrap" }, h("a", { href: caseHref(i.caseReference) }, i.caseReference)),
              h("td", null, enumLabel(InboxItemKindSchema, i.kind), " ", h("span", { class: "muted block" }, t("inbox.byActor", { actor: i.actor }))),
              h("td", null, t("inbox.fromTo", { from: i.fromUnit, to: i.toUnit })),
              h(
                "td",
                { class: "pre-wrap" },
                i.answer === Answer.DECLINED && i.answerReason
                  ? t("inbox.answerWithReason", { answer: enumLabel(AnswerSchema, i.answer), reason: i.answerReason })
                  : enumLabel(AnswerSchema, i.answer),
              ),
            ),
          ),
        ),
      ),
    );
  }
}

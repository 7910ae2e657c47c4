// The commitments table shared by the follow-up list and a talk's page: each commitment with its
// due day (overdue ones marked), owner and state; an open one is closed with a note
// (CloseCommitment, one request id per closing, reused on retry).
import type { Commitment } from "../gen/consular/v1/statistics_pb";
import { h, type Child } from "../dom";
import { formatCountry, formatDate, formatTimestamp, isoDate } from "../format";
import { t } from "../i18n/i18n";
import { FormAction } from "../rpc";
import { isAbort } from "../errors";
import { buildCloseCommitmentRequest, closingNoteProblem } from "../register/talks";
import { describeError, problemText, type Problem } from "../casework/problems";
import { textArea } from "./form";
import type { AppContext } from "./view";
import { talkHref } from "./talks";

export class CommitmentCloser {
  private closingId: string | undefined;
  private note = "";
  private problem: Problem | undefined;
  private failure: unknown;
  private busy = false;
  private done: string | undefined;
  private readonly action = new FormAction<Commitment>();

  constructor(
    private readonly ctx: AppContext,
    private readonly signal: AbortSignal,
    private readonly render: () => void,
    private readonly closed: (c: Commitment) => void,
  ) {}

  private open(id: string): void {
    this.closingId = id;
    this.note = "";
    this.problem = undefined;
    this.failure = undefined;
    this.done = undefined;
    this.render();
    document.getElementById(`commitment-note-${id}`)?.focus();
  }

  private async close(event: Event, c: Commitment): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.failure = undefined;
    this.problem = closingNoteProblem(this.note);
    if (this.problem) {
      this.render();
      document.getElementById(`commitment-note-${c.id}`)?.focus();
      return;
    }
    const note = this.note;
    const action = this.action.for(JSON.stringify([c.id, note.trim()]));
    this.busy = true;
    this.render();
    try {
      const updated = await action.run(
        (requestId) => this.ctx.clients.bilateral.closeCommitment(buildCloseCommitmentRequest(c.id, note, requestId), { signal: this.signal }),
        { signal: this.signal },
      );
      this.action.forget();
      this.busy = false;
      this.closingId = undefined;
      this.done = t("commitments.closed", { text: shorten(updated.text) });
      this.ctx.announce(this.done);
      this.closed(updated);
      this.render();
      document.getElementById("commitments-done")?.focus();
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.failure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById(`commitment-failure-${c.id}`)?.focus();
  }

  /** The table of commitments (or the sentence that there are none). */
  table(id: string, caption: string, commitments: readonly Commitment[], withTalk: boolean): Child[] {
    const done = this.done ? h("p", { id: "commitments-done", class: "message", role: "status", tabindex: -1 }, this.done) : null;
    if (commitments.length === 0) return [done, h("p", { id: `${id}-empty` }, t("commitments.none"))];
    return [
      done,
      h(
        "div",
        { class: "table-scroll", role: "region", "aria-labelledby": `${id}-caption`, tabindex: 0 },
        h(
          "table",
          { id, class: "data" },
          h("caption", { id: `${id}-caption` }, caption),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, t("commitments.text")),
              withTalk ? h("th", { scope: "col" }, t("commitments.country")) : null,
              h("th", { scope: "col" }, t("commitments.owner")),
              h("th", { scope: "col" }, t("commitments.dueOn")),
              h("th", { scope: "col" }, t("commitments.state")),
            ),
          ),
          h("tbody", null, commitments.map((c) => this.row(c, withTalk))),
        ),
      ),
    ];
  }

  private row(c: Commitment, withTalk: boolean): HTMLElement {
    const state: Child[] = [];
    if (c.closed) {
      state.push(h("span", null, t("commitments.closedState")));
      if (c.closedBy) state.push(h("span", { class: "muted block" }, t("commitments.closedByAt", { by: c.closedBy, at: formatTimestamp(c.closedAt) })));
      if (c.closingNote) state.push(h("span", { class: "block pre-wrap" }, c.closingNote));
    } else {
      state.push(h("span", { class: c.overdue ? "badge badge-warning" : undefined }, c.overdue ? t("commitments.overdue") : t("commitments.open")));
      if (this.closingId === c.id) state.push(this.closeForm(c));
      else
        state.push(
          h(
            "button",
            { type: "button", id: `commitment-close-${c.id}`, class: "secondary small", "aria-label": t("commitments.closeLabel", { text: shorten(c.text) }), onclick: () => this.open(c.id) },
            t("commitments.close"),
          ),
        );
    }
    return h(
      "tr",
      { id: `commitment-${c.id}`, "data-commitment-id": c.id, "data-overdue": c.overdue ? "true" : "false", "data-closed": c.closed ? "true" : "false" },
      h("th", { scope: "row", class: "pre-wrap" }, c.text),
      withTalk ? h("td", null, h("a", { href: talkHref(c.talkId), "aria-label": t("commitments.talkLabel", { country: formatCountry(c.country) }) }, formatCountry(c.country))) : null,
      h("td", null, c.owner),
      h("td", null, h("time", { datetime: isoDate(c.dueOn) }, formatDate(c.dueOn))),
      h("td", null, ...state),
    );
  }

  private closeForm(c: Commitment): HTMLElement {
    return h(
      "form",
      { id: `commitment-close-form-${c.id}`, class: "form inline-form", novalidate: true, onsubmit: (e: Event) => void this.close(e, c) },
      textArea({
        id: `commitment-note-${c.id}`,
        label: t("commitments.closingNote"),
        required: true,
        error: this.problem ? problemText(this.problem) : undefined,
        value: this.note,
        rows: 2,
        onValue: (v) => {
          this.note = v;
        },
      }),
      this.failure !== undefined
        ? h("div", { id: `commitment-failure-${c.id}`, class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.failure)))
        : null,
      h(
        "div",
        { class: "button-row" },
        h("button", { type: "submit", id: `commitment-close-submit-${c.id}`, "aria-disabled": this.busy ? "true" : "false" }, t("commitments.closeSubmit")),
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            id: `commitment-close-cancel-${c.id}`,
            onclick: () => {
              this.closingId = undefined;
              this.render();
              document.getElementById(`commitment-close-${c.id}`)?.focus();
            },
          },
          t("commitments.closeCancel"),
        ),
      ),
    );
  }
}

/** The start of a long text, for labels and messages. */
export function shorten(text: string, max = 60): string {
  const chars = [...text.trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
}

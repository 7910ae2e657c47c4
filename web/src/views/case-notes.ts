// The notes of a case: CaseService.ListCaseNotes (oldest first, page by page) and AddCaseNote.
import type { CaseNote } from "../gen/consular/v1/cases_pb";
import { CaseStatus } from "../gen/consular/v1/common_pb";
import { h, type Child } from "../dom";
import { isAbort } from "../errors";
import { formatTimestamp, isoTimestamp } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction } from "../rpc";
import { textProblem } from "../casework/checks";
import { describeError, fieldProblemOf, problemText, type Problem } from "../casework/problems";
import { mayEdit } from "./case-edit";
import { textArea } from "./form";
import { Panel, type CaseHost } from "./panel";
import { loadFailure, moreButton } from "./lists";

export const notesPageSize = 50;
const maxNoteChars = 10000;

export class NotesPanel extends Panel {
  private notes: CaseNote[] = [];
  private next = "";
  private text = "";
  private problem: Problem | undefined;
  private failure: unknown;
  private busy = false;
  private readonly submission = new FormAction<CaseNote>();

  constructor(host: CaseHost) {
    super(host, "notes");
  }

  async load(pageToken = ""): Promise<void> {
    const c = this.host.current();
    const response = await this.loadWith((signal) =>
      this.host.ctx.clients.cases.listCaseNotes(
        { caseId: c.id || c.reference, pageSize: notesPageSize, pageToken },
        { signal },
      ),
    );
    if (!response) return;
    this.notes = pageToken ? [...this.notes, ...response.notes] : response.notes;
    this.next = response.nextPageToken;
    if (pageToken) this.host.ctx.announce(tPlural("notes.loadedMore", response.notes.length));
    this.render();
  }

  private async add(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.failure = undefined;
    this.problem = textProblem(this.text, maxNoteChars, true);
    if (this.problem) {
      this.render();
      this.focus("note-text");
      return;
    }
    const c = this.host.current();
    const text = this.text;
    const caseId = c.id || c.reference;
    const action = this.submission.for(JSON.stringify([caseId, text]));
    this.busy = true;
    this.render();
    try {
      const note = await action.run(
        (requestId) => this.host.ctx.clients.cases.addCaseNote({ requestId, caseId, text }, { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.submission.forget();
      this.busy = false;
      this.text = "";
      // Oldest first: a new note comes last, unless more pages are still to load.
      if (!this.next) this.notes = [...this.notes, note];
      this.host.ctx.announce(t("notes.added"));
      this.host.refreshTimeline();
      this.render();
      this.focus("note-text");
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      if (found?.path === "text") this.problem = found.problem;
      else this.failure = error;
      this.host.ctx.announce(describeError(error));
    }
    this.render();
    this.focus(this.problem ? "note-text" : "note-failure");
  }

  protected build(): Child[] {
    const c = this.host.current();
    const content: Child[] = [this.heading(t("notes.heading"))];
    if (this.notes.length > 0) {
      content.push(
        h(
          "ol",
          { id: "notes-list", class: "notes" },
          this.notes.map((n) =>
            h(
              "li",
              { "data-note-id": n.id },
              h(
                "p",
                { class: "event-actor" },
                n.createdAt ? h("time", { datetime: isoTimestamp(n.createdAt) }, formatTimestamp(n.createdAt)) : null,
                " ",
                n.authorPost ? t("notes.byWithUnit", { author: n.author, unit: n.authorPost }) : t("notes.by", { author: n.author }),
              ),
              h("p", { class: "pre-wrap" }, n.text),
            ),
          ),
        ),
      );
    } else if (!this.loading && this.loadError === undefined) {
      content.push(h("p", null, t("notes.none")));
    }
    if (this.loading) content.push(h("p", { class: "loading" }, t("common.loading")));
    if (this.loadError !== undefined) {
      content.push(
        loadFailure("notes-retry", this.loadError, () => void this.load(this.notes.length ? this.next : "")),
      );
    } else if (this.next && !this.loading) {
      content.push(moreButton("notes-more", t("notes.loadMore"), () => void this.load(this.next)));
    }
    if (!mayEdit(c) || c.status === CaseStatus.CLOSED) return content;
    content.push(
      h(
        "form",
        { id: "note-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.add(e) },
        textArea({
          id: "note-text",
          label: t("notes.new"),
          error: this.problem ? problemText(this.problem) : undefined,
          value: this.text,
          rows: 4,
          onValue: (v) => {
            this.text = v;
          },
        }),
        this.failure !== undefined
          ? h("div", { id: "note-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.failure)))
          : null,
        h("button", { type: "submit", id: "note-add", "aria-disabled": this.busy ? "true" : "false" }, this.busy ? t("notes.adding") : t("notes.add")),
      ),
    );
    return content;
  }
}

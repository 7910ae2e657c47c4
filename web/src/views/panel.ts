// A part of the case page that works on its own (editing, the status, notes, contacts): it keeps
// its own state and re-renders only itself, so that typing in one never disturbs another; the
// case page puts its root in place and re-renders it with the rest (language switch).
import type { Case } from "../gen/consular/v1/cases_pb";
import { h, type Child } from "../dom";
import type { AppContext } from "./view";
import { rebuild } from "./view";

/** What a panel may ask of the case page. */
export interface CaseHost {
  readonly ctx: AppContext;
  /** The case as last read or changed. */
  current(): Case;
  /** A call returned the case changed: show it everywhere on the page. */
  changed(c: Case): void;
  /** Reads the case again (after ABORTED); undefined when that failed (the page says why). */
  reload(): Promise<Case | undefined>;
  /** The timeline has a new event. */
  refreshTimeline(): void;
  readonly signal: AbortSignal;
}

export abstract class Panel {
  readonly root: HTMLElement;

  constructor(
    protected readonly host: CaseHost,
    readonly id: string,
  ) {
    this.root = h("section", { id, class: "card", "aria-labelledby": `${id}-heading` });
  }

  protected abstract build(): Child[];

  render(): void {
    rebuild(this.root, this.build(), () => this.root.querySelector<HTMLElement>(`#${this.id}-heading`));
  }

  protected heading(text: string): HTMLElement {
    return h("h2", { id: `${this.id}-heading`, tabindex: -1 }, text);
  }

  protected focus(id: string): void {
    document.getElementById(id)?.focus();
  }
}

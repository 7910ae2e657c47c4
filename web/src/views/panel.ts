// A part of the case page that works on its own (editing, the status, notes, contacts): it keeps
// its own state and re-renders only itself, so that typing in one never disturbs another; the
// case page puts its root in place and re-renders it with the rest (language switch).
import type { Case } from "../gen/consular/v1/cases_pb";
import { h, type Child } from "../dom";
import { isAbort } from "../errors";
import { withRetry } from "../rpc";
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

  /** A load is under way (panels that load show "loading"). */
  protected loading = true;
  /** Why the last load failed; undefined when it did not. */
  protected loadError: unknown;

  protected abstract build(): Child[];

  /**
   * Runs `fetch` (retried while the service is unavailable) as this panel's load: shown as loading
   * meanwhile; a failure is kept in loadError and shown. Returns the answer, or undefined when the
   * load failed or was given up (page left, session ended); the caller keeps the answer and
   * renders.
   */
  protected async loadWith<T>(fetch: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    this.loading = true;
    this.loadError = undefined;
    this.render();
    const signal = this.host.signal;
    try {
      return await withRetry(() => fetch(signal), { signal });
    } catch (error) {
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return undefined;
      this.loadError = error;
      this.loading = false;
      this.render();
      return undefined;
    } finally {
      this.loading = false;
    }
  }

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

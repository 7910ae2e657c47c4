// What every screen has: a root element in <main>, a title, and a render() that rebuilds it from
// the screen's state in the current language (after loading, and when the language changes).
import type { Clients } from "../api";
import { replaceChildren, type Child } from "../dom";
import type { Session } from "../session";

export interface AppContext {
  readonly clients: Clients;
  readonly session: Session;
  /** Says something to screen-reader users through the polite live region. */
  announce(message: string): void;
  /** Handles what every screen handles alike (an ended session); true when it did. */
  handleCommonError(error: unknown): boolean;
}

export interface View {
  readonly root: HTMLElement;
  title(): string;
  render(): void;
  /** Shown again after a new sign-in, with the state it had: rebuild all of it from that state
   * (the current language; no call shown as still under way). */
  resume(): void;
  /** Called when the screen is left: stop loading. */
  dispose(): void;
}

export abstract class BaseView implements View {
  readonly root: HTMLElement = document.createElement("div");
  protected readonly abort = new AbortController();

  abstract title(): string;
  protected abstract build(): Child[];

  render(): void {
    rebuild(this.root, this.build(), () => this.heading());
  }

  resume(): void {
    this.render();
  }

  heading(): HTMLElement | null {
    return this.root.querySelector("h1");
  }

  dispose(): void {
    this.abort.abort();
  }
}

/**
 * Replaces the children of root, keeping the keyboard focus where it was: on the element with
 * the same id after rebuilding, else on what `fallback` gives (a heading).
 */
export function rebuild(root: HTMLElement, children: Child[], fallback: () => HTMLElement | null): void {
  const active = document.activeElement;
  const hadFocus = active instanceof HTMLElement && root.contains(active);
  const focusId = hadFocus ? active.id : "";
  replaceChildren(root, ...children);
  if (!hadFocus) return;
  const again = focusId ? document.getElementById(focusId) : null;
  const usable = again !== null && !again.hasAttribute("disabled") && !again.hidden;
  (usable ? again : fallback())?.focus();
}

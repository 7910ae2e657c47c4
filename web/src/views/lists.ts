// What the lists of the client share: a load that failed, with a button to try it again, and the
// button that loads the next page.
import { h } from "../dom";
import { errorMessage } from "../errors";
import { t } from "../i18n/i18n";

/** A load that failed, in words, as an alert, with a retry button of the given id. */
export function loadFailure(retryId: string, error: unknown, retry: () => void, id?: string): HTMLElement {
  return h(
    "div",
    { class: "message message-error", role: "alert", ...(id ? { id } : {}) },
    h("p", null, errorMessage(error)),
    h("button", { type: "button", id: retryId, onclick: retry }, t("common.retry")),
  );
}

/** The button that loads the next page of a list. */
export function moreButton(id: string, label: string, loadNext: () => void): HTMLElement {
  return h("button", { type: "button", id, class: "secondary", onclick: loadNext }, label);
}

// A screen with a heading, a sentence and perhaps a button: page not found, gateway unreachable.
import { h, type Child } from "../dom";
import { t, type MessageKey } from "../i18n/i18n";
import { BaseView } from "./view";

export class MessageView extends BaseView {
  constructor(
    private readonly titleKey: MessageKey,
    private readonly messageKey: MessageKey,
    private readonly action?: { key: MessageKey; run: () => void },
  ) {
    super();
    this.render();
  }

  title(): string {
    return t(this.titleKey);
  }

  protected build(): Child[] {
    return [
      h("h1", { tabindex: -1 }, t(this.titleKey)),
      h("p", null, t(this.messageKey)),
      this.action
        ? h("button", { type: "button", id: "message-action", onclick: () => this.action?.run() }, t(this.action.key))
        : h("p", null, h("a", { href: "#/" }, t("case.backToList"))),
    ];
  }
}

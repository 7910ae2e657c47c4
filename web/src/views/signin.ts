// Sign-in: a link to the identity provider (OpenID Connect, through the gateway) and, when the
// gateway offers it, the development sign-in (a role and a post to act as); with neither the
// screen says that sign-in is not available here. After a session ended with input not yet
// saved, the screen says the input is kept (in memory) for the same person signing in again: the
// provider's sign-in then opens in a new tab, so that this page and its input stay as they are.
import { h, type Child } from "../dom";
import { roleLabel } from "../enums";
import { errorMessage } from "../errors";
import { t, type MessageKey } from "../i18n/i18n";
import { AuthError, devSignIn, roleHasUnit, roles, type RoleName, type Session } from "../session";
import { BaseView } from "./view";

export const defaultUnit = "RABAT";

/** A post code as the unit register has them: "RABAT", "NEW-DELHI". */
export function isPostCode(value: string): boolean {
  return /^[A-Z][A-Z0-9-]{1,31}$/.test(value);
}

/** Who was signed in when the session ended with a screen kept for them. */
export interface KeptFor {
  readonly role: RoleName;
  readonly unit: string;
  /** Asks the gateway whether the user has signed in again (in the provider's tab). */
  readonly checkAgain: () => void;
}

export class SignInView extends BaseView {
  private role: RoleName = "ROLE_CONSULAR_OFFICER";
  private unit = defaultUnit;
  private busy = false;
  private error: string | undefined;
  private unitInvalid = false;

  constructor(
    private readonly devSignInOffered: boolean,
    private readonly providerOffered: boolean,
    private readonly notice: MessageKey | undefined,
    private readonly onSignedIn: (session: Session) => void,
    private readonly announce: (message: string) => void,
    private readonly keptFor?: KeptFor,
  ) {
    super();
    if (keptFor) {
      this.role = keptFor.role;
      if (keptFor.unit) this.unit = keptFor.unit;
    }
    this.render();
  }

  title(): string {
    return t("signIn.title");
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const unit = this.unit.trim().toUpperCase();
    this.unitInvalid = roleHasUnit(this.role) && !isPostCode(unit);
    if (this.unitInvalid) {
      this.error = t("signIn.unitInvalid");
      this.render();
      document.getElementById("signin-unit")?.focus();
      return;
    }
    this.unit = unit;
    this.busy = true;
    this.error = undefined;
    this.render();
    try {
      const session = await devSignIn(this.role, unit);
      this.busy = false;
      this.onSignedIn(session);
      return;
    } catch (error) {
      this.error =
        error instanceof AuthError
          ? error.status === 404
            ? t("signIn.devSignInOff")
            : t("signIn.failed", { status: error.status })
          : errorMessage(error);
      this.announce(this.error);
    }
    this.busy = false;
    this.render();
  }

  protected build(): Child[] {
    const content: Child[] = [h("h1", { tabindex: -1 }, t("signIn.title"))];
    if (this.notice) content.push(h("p", { class: "message" }, t(this.notice)));
    if (this.keptFor) content.push(h("p", { id: "signin-input-kept", class: "message" }, t("signIn.inputKept")));
    if (this.providerOffered) {
      // A plain link: the gateway sends the browser on to the identity provider; with input kept,
      // in a new tab (this page notices the new session when it is shown again).
      content.push(
        h("p", null, t("signIn.providerIntro")),
        h(
          "p",
          null,
          this.keptFor
            ? h(
                "a",
                { id: "signin-provider", class: "button-link", href: "/auth/login", target: "_blank", rel: "noopener" },
                t("signIn.providerNewTab"),
              )
            : h("a", { id: "signin-provider", class: "button-link", href: "/auth/login" }, t("signIn.provider")),
        ),
      );
      const kept = this.keptFor;
      if (kept) {
        content.push(
          h("p", null, h("button", { type: "button", id: "signin-check", class: "secondary", onclick: () => kept.checkAgain() }, t("signIn.checkAgain"))),
        );
      }
    }
    if (!this.devSignInOffered) {
      if (!this.providerOffered) content.push(h("p", null, t("signIn.unavailable")));
      return content;
    }
    const needsUnit = roleHasUnit(this.role);
    content.push(
      h("p", null, t("signIn.devIntro")),
      h(
        "form",
        { class: "form", novalidate: true, onsubmit: (e: Event) => void this.submit(e) },
        h(
          "div",
          { class: "form-field" },
          h("label", { for: "signin-role" }, t("signIn.role")),
          h(
            "select",
            {
              id: "signin-role",
              name: "role",
              onchange: (e: Event) => {
                this.role = (e.target as HTMLSelectElement).value as RoleName;
                this.unitInvalid = false;
                this.error = undefined;
                this.render();
              },
            },
            roles.map((r) => h("option", { value: r, selected: r === this.role }, roleLabel(r))),
          ),
        ),
        h(
          "div",
          { class: "form-field", hidden: !needsUnit },
          h("label", { for: "signin-unit" }, t("signIn.unit")),
          h("input", {
            id: "signin-unit",
            name: "unit",
            type: "text",
            value: this.unit,
            autocomplete: "off",
            autocapitalize: "characters",
            spellcheck: "false",
            required: needsUnit,
            "aria-describedby": "signin-unit-hint",
            "aria-invalid": this.unitInvalid ? "true" : "false",
            oninput: (e: Event) => {
              this.unit = (e.target as HTMLInputElement).value;
            },
          }),
          h("p", { id: "signin-unit-hint", class: "hint" }, t("signIn.unitHint")),
        ),
        this.error ? h("p", { class: "message message-error", role: "alert" }, this.error) : null,
        h(
          "button",
          { type: "submit", id: "signin-submit", "aria-disabled": this.busy ? "true" : "false" },
          this.busy ? t("signIn.busy") : t("signIn.submit"),
        ),
      ),
    );
    return content;
  }
}

// The application: the session, the header, and the hash routes
//   #/                 my unit's cases
//   #/new              open a case (a wizard)
//   #/follow-ups       the follow-ups due of my unit's cases
//   #/inbox            referrals and shares to answer, and answers to ours
//   #/deadlines        my unit's deadlines, most urgent first
//   #/emergency        emergency search and access; the emergency accesses to review
//   #/partners         the partner directory
//   #/audit            the audit trail (auditors)
//   #/records          destruction lists and retention schedules (records management)
//   #/exports          exports under two keys (officers, post managers, LKHA caseworkers)
//   #/statistics       countries and their published figures, releases (policy staff, administrators)
//   #/statistics/<CC>  one country's figures and its dossier (an ISO country code only)
//   #/statistics/<CC>/series  one country's time series
//   #/case/<reference> one case (the reference only: never a name in the URL)
//   #/talks            the bilateral-talks register (policy staff, administrators)
//   #/talks/<id>       one talk (its UUID only); #/commitments, #/decisions the follow-ups and decisions
import "./styles.css";
import { createClients, createGatewayTransport, type Clients } from "./api";
import { h, replaceChildren } from "./dom";
import { roleLabel } from "./enums";
import { isUnauthenticated } from "./errors";
import {
  defaultLanguage,
  language,
  languageCookie,
  languageFromCookie,
  languages,
  setLanguage,
  t,
  type Lang,
  type MessageKey,
} from "./i18n/i18n";
import { mayAudit, mayListDestructionLists, mayListEmergencyAccess, readsStatistics, usesExports, worksCases } from "./casework/roles";
import { isCountryCode } from "./statistics/figures";
import { fetchSession, signOut, type RoleName, type Session, type SessionState } from "./session";
import { CaseView, isCaseReference } from "./views/case";
import type { Case, EmergencyAccess } from "./gen/consular/v1/cases_pb";
import type { Talk } from "./gen/consular/v1/statistics_pb";
import { caseHref } from "./views/cases";
import { CasesView } from "./views/cases";
import { FollowUpsView } from "./views/followups";
import { InboxView } from "./views/inbox";
import { DeadlinesView } from "./views/deadlines";
import { EmergencyView } from "./views/emergency";
import { PartnersView } from "./views/partners";
import { AuditView } from "./views/audit";
import { RecordsView } from "./views/records";
import { ExportsView } from "./views/exports";
import { StatisticsView } from "./views/statistics";
import { CountryStatsView } from "./views/country-stats";
import { CountrySeriesView } from "./views/country-series";
import { TalksView, talkHref } from "./views/talks";
import { isTalkId, TalkView } from "./views/talk";
import { CommitmentsView } from "./views/commitments";
import { DecisionsView } from "./views/decisions";
import { NewCaseView } from "./views/newcase";
import { MessageView } from "./views/message";
import { SignInView } from "./views/signin";
import type { AppContext, View } from "./views/view";

/** Each language by its own name, whatever the current language. */
const languageNames: Readonly<Record<Lang, string>> = { nl: "Nederlands", en: "English" };

class App {
  private state: SessionState | undefined;
  private view: View | undefined;
  private readonly clients: Clients;
  private readonly header = h("header", { class: "app-header" });
  private readonly main = h("main", { id: "main", class: "app-main", tabindex: -1 });
  private readonly announcer = h("div", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  private endingSession = false;
  /** The answer of CreateCase, handed to the case page it leads to (memory only). */
  private created: Case | undefined;
  /** The emergency access just opened, handed to the case page it leads to (memory only). */
  private opened: EmergencyAccess | undefined;
  /** The talk just recorded or planned, handed to its page (memory only). */
  private talk: Talk | undefined;
  private signingOut = false;
  /**
   * The screen shown when the session ended (idle, absolute, or signed out elsewhere), kept in
   * memory with whatever was typed into it, for the same person signing in again; never for
   * anyone else, and never in browser storage.
   */
  private kept: { view: View; hash: string; who: string } | undefined;
  private checkingSession = false;

  constructor(private readonly root: HTMLElement) {
    this.clients = createClients(
      createGatewayTransport(() => (this.state?.signedIn ? this.state.session.csrf : undefined)),
    );
  }

  start(): void {
    this.applyLanguage(languageFromCookie(document.cookie) ?? defaultLanguage);
    replaceChildren(this.root, this.header, this.main, this.announcer);
    this.renderHeader();
    window.addEventListener("hashchange", () => this.route(true));
    // Signed in again in another tab (the provider's sign-in, with a screen kept here): noticed
    // when this tab is shown again.
    window.addEventListener("focus", () => void this.checkSignedInElsewhere());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") void this.checkSignedInElsewhere();
    });
    void this.loadSession(undefined, false);
  }

  private async checkSignedInElsewhere(): Promise<void> {
    if (!this.kept || this.state?.signedIn !== false || this.checkingSession) return;
    this.checkingSession = true;
    try {
      const state = await fetchSession();
      if (state.signedIn) this.signedIn(state.session);
      else this.announce(t("signIn.notYet"));
    } catch {
      this.announce(t("error.gatewayUnreachable"));
    } finally {
      this.checkingSession = false;
    }
  }

  private applyLanguage(lang: Lang): void {
    setLanguage(lang);
    document.documentElement.lang = lang;
  }

  private changeLanguage(lang: Lang): void {
    if (lang === language()) return;
    this.applyLanguage(lang);
    document.cookie = languageCookie(lang, location.protocol === "https:");
    this.renderHeader();
    this.updateNav();
    document.getElementById("lang-select")?.focus();
    this.view?.render();
    this.updateTitle();
    this.announce(t("header.languageChanged"));
  }

  announce(message: string): void {
    // Clear first so that the same sentence twice is announced twice.
    this.announcer.textContent = "";
    window.setTimeout(() => {
      this.announcer.textContent = message;
    }, 50);
  }

  private async loadSession(notice: MessageKey | undefined, moveFocus: boolean): Promise<void> {
    try {
      this.state = await fetchSession();
    } catch {
      this.state = undefined;
      this.renderHeader();
      this.show(
        new MessageView("error.gatewayTitle", "error.gatewayUnreachable", {
          key: "common.retry",
          run: () => void this.loadSession(notice, true),
        }),
        moveFocus,
      );
      return;
    }
    this.renderHeader();
    this.route(moveFocus, notice);
  }

  private context(session: Session): AppContext {
    return {
      clients: this.clients,
      session,
      announce: (m) => this.announce(m),
      handleCommonError: (error) => {
        if (!isUnauthenticated(error)) return false;
        // A kept screen's loads that were under way when the session ended: nothing more to do.
        if (this.kept || this.endingSession) return true;
        void this.sessionEnded();
        return true;
      },
    };
  }

  /** A call said the session is gone (idle or absolute expiry): back to sign-in. */
  private async sessionEnded(): Promise<void> {
    if (this.endingSession) return;
    this.endingSession = true;
    const state = this.state;
    if (state?.signedIn && this.view && !(this.view instanceof SignInView) && !(this.view instanceof MessageView)) {
      this.kept?.view.dispose();
      this.kept = { view: this.view, hash: location.hash, who: whoOf(state.session) };
      this.view = undefined;
    } else {
      this.view?.dispose();
    }
    try {
      await this.loadSession("signIn.sessionEnded", true);
    } finally {
      this.endingSession = false;
    }
  }

  private signedIn(session: Session): void {
    this.state = { signedIn: true, session };
    this.renderHeader();
    this.announce(t("signIn.done", { subject: session.subject }));
    this.route(true);
  }

  private async signOut(): Promise<void> {
    if (!this.state?.signedIn || this.signingOut) return;
    this.signingOut = true;
    const { session } = this.state;
    try {
      await signOut(session.csrf);
    } catch {
      this.signingOut = false;
      this.announce(t("header.signOutFailed"));
      return;
    }
    this.signingOut = false;
    this.view?.dispose();
    this.view = undefined;
    this.dropKept();
    this.state = { signedIn: false, devSignIn: session.devSignIn, provider: session.provider };
    // Nothing of the last screen stays in the address bar for the next person.
    history.replaceState(null, "", `${location.pathname}${location.search}#/`);
    this.renderHeader();
    this.route(true, "signIn.signedOut");
  }

  private route(moveFocus: boolean, notice?: MessageKey): void {
    const state = this.state;
    if (!state) return;
    if (!state.signedIn) {
      const kept = this.kept;
      const [role, unit] = kept ? kept.who.split("\n").slice(1) : [];
      this.show(
        new SignInView(
          state.devSignIn,
          state.provider,
          notice,
          (s) => this.signedIn(s),
          (m) => this.announce(m),
          kept && role ? { role: role as RoleName, unit: unit ?? "", checkAgain: () => void this.checkSignedInElsewhere() } : undefined,
        ),
        moveFocus,
      );
      return;
    }
    const kept = this.kept;
    if (kept) {
      this.kept = undefined;
      if (kept.who === whoOf(state.session) && kept.hash === location.hash) {
        // Rebuilt from its state (the input is held there): no call left showing as under way,
        // and the current language.
        kept.view.resume();
        this.show(kept.view, moveFocus);
        this.announce(t("signIn.inputRestored"));
        return;
      }
      kept.view.dispose();
    }
    const ctx = this.context(state.session);
    const hash = location.hash;
    if (hash === "" || hash === "#" || hash === "#/") {
      // Each role starts where its work is; the services refuse the rest anyway.
      const role = state.session.role;
      if (mayAudit(role)) this.show(new AuditView(ctx), moveFocus);
      else if (readsStatistics(role)) this.show(new StatisticsView(ctx), moveFocus);
      else this.show(new CasesView(ctx), moveFocus);
      return;
    }
    if (hash === "#/new") {
      this.show(
        new NewCaseView(ctx, (created) => {
          this.created = created;
          location.hash = `#/case/${encodeURIComponent(created.reference)}`;
        }),
        moveFocus,
      );
      return;
    }
    if (hash === "#/follow-ups") {
      this.show(new FollowUpsView(ctx), moveFocus);
      return;
    }
    if (hash === "#/inbox") {
      this.show(new InboxView(ctx), moveFocus);
      return;
    }
    if (hash === "#/deadlines") {
      this.show(new DeadlinesView(ctx), moveFocus);
      return;
    }
    if (hash === "#/audit") {
      this.show(new AuditView(ctx), moveFocus);
      return;
    }
    if (hash === "#/records") {
      this.show(new RecordsView(ctx), moveFocus);
      return;
    }
    if (hash === "#/exports") {
      this.show(new ExportsView(ctx), moveFocus);
      return;
    }
    if (hash === "#/statistics") {
      this.show(new StatisticsView(ctx), moveFocus);
      return;
    }
    const stats = /^#\/statistics\/([A-Z]{2})(\/series)?$/.exec(hash);
    if (stats && isCountryCode(stats[1]!)) {
      this.show(stats[2] ? new CountrySeriesView(ctx, stats[1]!) : new CountryStatsView(ctx, stats[1]!), moveFocus);
      return;
    }
    if (hash === "#/partners") {
      this.show(new PartnersView(ctx), moveFocus);
      return;
    }
    if (hash === "#/emergency") {
      this.show(
        new EmergencyView(ctx, (access) => {
          this.opened = access;
          location.hash = caseHref(access.caseReference);
        }),
        moveFocus,
      );
      return;
    }
    if (this.routeTalks(ctx, hash, moveFocus)) return;
    const match = /^#\/case\/([^/]+)$/.exec(hash);
    let reference: string | undefined;
    try {
      reference = match?.[1] !== undefined ? decodeURIComponent(match[1]) : undefined;
    } catch {
      reference = undefined;
    }
    if (reference !== undefined && isCaseReference(reference)) {
      const created = this.created?.reference === reference ? this.created : undefined;
      this.created = undefined;
      const opened = this.opened?.caseReference === reference ? this.opened : undefined;
      this.opened = undefined;
      this.show(new CaseView(ctx, reference, created, opened), moveFocus);
      return;
    }
    this.show(new MessageView("notFound.title", "notFound.message"), moveFocus);
  }

  private dropKept(): void {
    this.kept?.view.dispose();
    this.kept = undefined;
  }

  /** The talks register's screens; true when the hash is one of them. */
  private routeTalks(ctx: AppContext, hash: string, moveFocus: boolean): boolean {
    if (hash === "#/talks") {
      this.show(
        new TalksView(ctx, (talk) => {
          this.talk = talk;
          location.hash = talkHref(talk.id);
        }),
        moveFocus,
      );
      return true;
    }
    if (hash === "#/commitments") {
      this.show(new CommitmentsView(ctx), moveFocus);
      return true;
    }
    if (hash === "#/decisions") {
      this.show(new DecisionsView(ctx), moveFocus);
      return true;
    }
    const id = /^#\/talks\/([0-9a-fA-F-]{36})$/.exec(hash)?.[1];
    if (id === undefined || !isTalkId(id)) return false;
    const given = this.talk?.id === id ? this.talk : undefined;
    this.talk = undefined;
    this.show(new TalkView(ctx, id, given), moveFocus);
    return true;
  }

  private show(view: View, moveFocus: boolean): void {
    this.view?.dispose();
    this.view = view;
    replaceChildren(this.main, view.root);
    this.updateTitle();
    this.updateNav();
    if (moveFocus) (view.root.querySelector("h1") ?? this.main).focus();
  }

  /** Marks the header link of the screen shown as the current page. */
  private updateNav(): void {
    let hash = location.hash === "" || location.hash === "#" ? "#/" : location.hash;
    // A country's statistics belong to the statistics link, as does the home of policy staff.
    const role = this.state?.signedIn ? this.state.session.role : "";
    if (hash.startsWith("#/statistics/") || (hash === "#/" && readsStatistics(role) && !worksCases(role))) hash = "#/statistics";
    // A talk, the commitments and the decisions belong to the talks register's link.
    if (hash.startsWith("#/talks/") || hash === "#/commitments" || hash === "#/decisions") hash = "#/talks";
    // The home of an auditor is the audit trail.
    if (hash === "#/" && mayAudit(role)) hash = "#/audit";
    for (const link of this.header.querySelectorAll(".app-nav a")) {
      if (link.getAttribute("href") === hash) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  private updateTitle(): void {
    document.title = this.view ? t("app.documentTitle", { page: this.view.title() }) : t("app.name");
  }

  private renderHeader(): void {
    const state = this.state;
    const session = state?.signedIn ? state.session : undefined;
    replaceChildren(
      this.header,
      h(
        "a",
        {
          class: "skip-link",
          href: "#main",
          onclick: (e: Event) => {
            e.preventDefault();
            this.main.focus();
          },
        },
        t("header.skipToContent"),
      ),
      h(
        "div",
        { class: "header-inner" },
        h("p", { class: "app-name" }, t("app.name")),
        session
          ? h(
              "nav",
              { class: "app-nav", "aria-label": t("header.navigation") },
              h(
                "ul",
                null,
                worksCases(session.role) ? h("li", null, h("a", { href: "#/", id: "nav-cases" }, t("cases.title"))) : null,
                worksCases(session.role) ? h("li", null, h("a", { href: "#/new", id: "nav-new" }, t("newCase.title"))) : null,
                worksCases(session.role)
                  ? h("li", null, h("a", { href: "#/follow-ups", id: "nav-follow-ups" }, t("followUps.title")))
                  : null,
                worksCases(session.role) ? h("li", null, h("a", { href: "#/inbox", id: "nav-inbox" }, t("inbox.title"))) : null,
                worksCases(session.role) ? h("li", null, h("a", { href: "#/deadlines", id: "nav-deadlines" }, t("deadlines.title"))) : null,
                h("li", null, h("a", { href: "#/partners", id: "nav-partners" }, t("partners.title"))),
                mayListEmergencyAccess(session.role)
                  ? h("li", null, h("a", { href: "#/emergency", id: "nav-emergency" }, t("emergency.title")))
                  : null,
                mayAudit(session.role) ? h("li", null, h("a", { href: "#/audit", id: "nav-audit" }, t("audit.title"))) : null,
                mayListDestructionLists(session.role)
                  ? h("li", null, h("a", { href: "#/records", id: "nav-records" }, t("records.title")))
                  : null,
                usesExports(session.role) ? h("li", null, h("a", { href: "#/exports", id: "nav-exports" }, t("exports.title"))) : null,
                readsStatistics(session.role)
                  ? h("li", null, h("a", { href: "#/statistics", id: "nav-statistics" }, t("stats.title")))
                  : null,
                readsStatistics(session.role) ? h("li", null, h("a", { href: "#/talks", id: "nav-talks" }, t("talks.title"))) : null,
              ),
            )
          : null,
        h(
          "div",
          { class: "header-tools" },
          session
            ? h(
                "p",
                { class: "who" },
                session.unit
                  ? t("header.signedInAsWithUnit", { subject: session.subject, role: roleLabel(session.role), unit: session.unit })
                  : t("header.signedInAs", { subject: session.subject, role: roleLabel(session.role) }),
              )
            : null,
          h(
            "div",
            { class: "lang-switch" },
            h("label", { for: "lang-select" }, t("header.language")),
            h(
              "select",
              {
                id: "lang-select",
                onchange: (e: Event) => {
                  const value = (e.target as HTMLSelectElement).value;
                  if (value === "nl" || value === "en") this.changeLanguage(value);
                },
              },
              languages.map((l) => h("option", { value: l, lang: l, selected: l === language() }, languageNames[l])),
            ),
          ),
          session
            ? h("button", { type: "button", id: "sign-out", class: "secondary", onclick: () => void this.signOut() }, t("header.signOut"))
            : null,
        ),
      ),
    );
  }
}

/** The person a session is for: a kept screen is shown again only to the same one. */
function whoOf(session: Session): string {
  return [session.subject, session.role, session.unit].join("\n");
}

const root = document.getElementById("app");
if (root) new App(root).start();

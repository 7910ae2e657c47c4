// One case: CaseService.GetCase (what the caller may see of it) and its timeline from
// CaseService.ListCaseEvents. Covert notes are shown only on request, and are not in the page
// until then. The URL holds the case reference only, never a name. The work on the case is in
// panels of its own: the status (transitions), editing the details (with the conflict view),
// contacts and notes.
import type { Case, CaseEvent, EmergencyAccess, Person, TravelDocument } from "../gen/consular/v1/cases_pb";
import {
  CaseAccess,
  CaseAccessSchema,
  CaseEventType,
  CaseEventTypeSchema,
  DocumentStatus,
  DocumentStatusSchema,
  PermitKindSchema,
  PersonRole,
  PersonRoleSchema,
  ShareAccessSchema,
  TravelDocumentTypeSchema,
} from "../gen/consular/v1/cases_pb";
import {
  CaseStatusSchema,
  CaseTypeSchema,
  ContactPurposeSchema,
  NationalityStatusSchema,
  OutcomeSchema,
  PartnerKindSchema,
  ReferralSourceSchema,
  RiskFlagSchema,
  RoleSchema,
  SexSchema,
} from "../gen/consular/v1/common_pb";
import { h, uniqueId, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import {
  formatCountry,
  formatDate,
  formatList,
  formatTimestamp,
  isoDate,
  isoTimestamp,
  isSetDate,
  type CalendarDate,
} from "../format";
import { language, t, tPlural, type Lang } from "../i18n/i18n";
import { withRetry } from "../rpc";
import { withPurpose } from "../api";
import { changedFieldLabel } from "../casework/edit";
import { formatCountdown, msUntil, ownActiveAccess } from "../casework/emergency";
import { ContactsPanel } from "./case-contacts";
import { EditPanel } from "./case-edit";
import { HandoverPanel } from "./case-handover";
import { DuplicatesPanel, HistoryPanel, duplicateItem } from "./case-history";
import { NotesPanel } from "./case-notes";
import { RecordsPanel } from "./case-records";
import { SubjectAccessPanel } from "./case-subject-access";
import { SharesPanel } from "./case-shares";
import { StatusPanel } from "./case-status";
import type { CaseHost, Panel } from "./panel";
import { BaseView, type AppContext } from "./view";
import { loadFailure } from "./lists";

export const eventsPageSize = 100;

/** A case reference as it may stand in the URL: letters, digits and dashes. */
export function isCaseReference(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(value);
}

function yesNo(value: boolean): string {
  return value ? t("common.yes") : t("common.no");
}

function orNone(value: string): string {
  return value.trim() === "" ? t("common.none") : value;
}

function dateCell(d: CalendarDate | undefined): Child {
  return isSetDate(d) ? h("time", { datetime: isoDate(d) }, formatDate(d)) : t("common.none");
}

type Row = readonly [label: string, value: Child];

function definitionList(rows: readonly (Row | null)[]): HTMLElement {
  return h(
    "dl",
    { class: "fields" },
    rows.filter((r): r is Row => r !== null).map(([label, value]) => h("div", { class: "field" }, h("dt", null, label), h("dd", null, value))),
  );
}

function section(id: string, heading: string, ...content: Child[]): HTMLElement {
  const headingId = `${id}-heading`;
  return h("section", { class: "card", "aria-labelledby": headingId }, h("h2", { id: headingId }, heading), ...content);
}

export class CaseView extends BaseView {
  private kase: Case | undefined;
  private loading = true;
  private error: unknown;
  private events: CaseEvent[] = [];
  private eventsNext = "";
  private eventsLoading = true;
  private eventsError: unknown;
  private covertShown = false;
  private readonly covertId = uniqueId("covert-notes");
  private readonly status: StatusPanel;
  private readonly edit: EditPanel;
  private readonly contacts: ContactsPanel;
  private readonly notes: NotesPanel;
  private readonly handover: HandoverPanel;
  private readonly shares: SharesPanel;
  private readonly history: HistoryPanel;
  private readonly duplicates: DuplicatesPanel;
  private readonly records: RecordsPanel;
  private readonly subjectAccess: SubjectAccessPanel;
  private readonly panels: readonly Panel[];
  /** The case and language the panels were last rendered for. */
  private panelsFor: { kase: Case | undefined; lang: Lang | undefined } = { kase: undefined, lang: undefined };
  private panelsLoaded = false;
  /** The caller's emergency access to this case, when that is how they reach it. */
  private emergency: EmergencyAccess | undefined;
  private emergencyLooked = false;
  private readonly countdown = h("p", { id: "emergency-countdown", class: "countdown", role: "timer", "aria-atomic": "true" });
  private countdownTimer: number | undefined;

  /**
   * created: the answer of CreateCase when the case was opened just now (its possible
   * duplicates are in that answer only).
   */
  constructor(
    private readonly ctx: AppContext,
    private readonly reference: string,
    private readonly created?: Case,
    emergency?: EmergencyAccess,
  ) {
    super();
    this.emergency = emergency;
    const view = this;
    const host: CaseHost = {
      ctx,
      signal: this.abort.signal,
      current: () => {
        if (!view.kase) throw new Error("the case is not loaded");
        return view.kase;
      },
      changed: (c) => view.changed(c),
      reload: () => view.reloadCase(),
      refreshTimeline: () => {
        void view.loadEvents("");
        void view.history.load();
      },
    };
    this.status = new StatusPanel(host);
    this.edit = new EditPanel(host);
    this.contacts = new ContactsPanel(host);
    this.notes = new NotesPanel(host);
    this.handover = new HandoverPanel(host);
    this.shares = new SharesPanel(host);
    this.history = new HistoryPanel(host);
    this.duplicates = new DuplicatesPanel(host);
    this.records = new RecordsPanel(host);
    this.subjectAccess = new SubjectAccessPanel(host);
    this.panels = [
      this.status,
      this.handover,
      this.shares,
      this.edit,
      this.contacts,
      this.notes,
      this.duplicates,
      this.history,
      this.records,
      this.subjectAccess,
    ];
    this.render();
    void this.loadCase();
    void this.loadEvents("");
  }

  private changed(c: Case): void {
    this.kase = c;
    this.render();
  }

  /** Reads the case again (a panel met ABORTED); the page shows the current case. */
  private async reloadCase(): Promise<Case | undefined> {
    try {
      const c = await withRetry(
        () => this.ctx.clients.cases.getCase({ caseId: this.reference }, { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.changed(c);
      void this.loadEvents("");
      return c;
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return undefined;
      this.ctx.announce(errorMessage(error));
      return undefined;
    }
  }

  override resume(): void {
    this.panelsFor = { kase: undefined, lang: undefined };
    this.render();
  }

  title(): string {
    return t("case.title", { reference: this.kase?.reference ?? this.reference });
  }

  private async loadCase(): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      this.kase = await withRetry(
        () => this.ctx.clients.cases.getCase({ caseId: this.reference }, { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.ctx.announce(t("case.loaded", { reference: this.kase.reference }));
      if (this.kase.callerAccess === CaseAccess.EMERGENCY) void this.findEmergency(this.kase);
      if (!this.panelsLoaded) {
        this.panelsLoaded = true;
        void this.contacts.load();
        void this.notes.load();
        void this.shares.load();
        void this.history.load();
        void this.duplicates.load();
        void this.records.load();
        void this.subjectAccess.load();
      }
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private async loadEvents(pageToken: string): Promise<void> {
    this.eventsLoading = true;
    this.eventsError = undefined;
    if (pageToken) this.render();
    try {
      const response = await withRetry(
        () =>
          this.ctx.clients.cases.listCaseEvents(
            { caseId: this.reference, pageSize: eventsPageSize, pageToken },
            { signal: this.abort.signal },
          ),
        { signal: this.abort.signal },
      );
      this.events = pageToken ? [...this.events, ...response.events] : response.events;
      this.eventsNext = response.nextPageToken;
      if (pageToken) this.ctx.announce(tPlural("timeline.loadedMore", response.events.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.eventsError = error;
    } finally {
      this.eventsLoading = false;
    }
    this.render();
  }

  /** Through emergency access: find when it ends (the caller's own access, from the review list). */
  private async findEmergency(c: Case): Promise<void> {
    if (this.emergency || this.emergencyLooked) {
      this.startCountdown();
      return;
    }
    this.emergencyLooked = true;
    try {
      const response = await withRetry(
        () => this.ctx.clients.cases.listEmergencyAccess({ pageSize: 100 }, withPurpose("emergency", { signal: this.abort.signal })),
        { signal: this.abort.signal },
      );
      this.emergency = ownActiveAccess(response.grants, c.id, c.reference, this.ctx.session.subject, new Date());
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      // The page still says the access is emergency access; only its end is unknown.
    }
    this.startCountdown();
    this.render();
  }

  private startCountdown(): void {
    this.tick();
    if (this.countdownTimer === undefined && this.emergency?.expiresAt) {
      this.countdownTimer = window.setInterval(() => this.tick(), 1000);
    }
  }

  /** Writes the time left into the countdown only (the page is not rebuilt every second). */
  private tick(): void {
    const end = this.emergency?.expiresAt;
    if (!end) {
      this.countdown.textContent = t("emergencyCase.endUnknown");
      return;
    }
    const left = msUntil(end, new Date());
    if (left > 0) {
      this.countdown.textContent = t("emergencyCase.endsIn", { time: formatCountdown(left), at: formatTimestamp(end) });
      return;
    }
    this.countdown.textContent = t("emergencyCase.ended");
    if (this.countdownTimer !== undefined) {
      window.clearInterval(this.countdownTimer);
      this.countdownTimer = undefined;
      this.ctx.announce(t("emergencyCase.ended"));
    }
  }

  override dispose(): void {
    if (this.countdownTimer !== undefined) window.clearInterval(this.countdownTimer);
    this.countdownTimer = undefined;
    super.dispose();
  }

  private buildEmergency(c: Case): Child {
    if (c.callerAccess !== CaseAccess.EMERGENCY) return null;
    this.tick();
    return h(
      "section",
      { id: "case-emergency", class: "message message-warning", "aria-labelledby": "case-emergency-heading" },
      h("h2", { id: "case-emergency-heading" }, t("emergencyCase.heading")),
      h("p", null, t("emergencyCase.readOnly")),
      this.countdown,
    );
  }

  private toggleCovert(): void {
    this.covertShown = !this.covertShown;
    this.render();
  }

  protected build(): Child[] {
    const back = h("p", { class: "back" }, h("a", { href: "#/" }, t("case.backToList")));
    const heading = h("h1", { tabindex: -1 }, this.title());
    if (this.loading) return [back, heading, h("p", { class: "loading" }, t("common.loading"))];
    if (this.error !== undefined || !this.kase) {
      return [
        back,
        heading,
        loadFailure("case-retry", this.error, () => void this.loadCase()),
      ];
    }
    const c = this.kase;
    if (this.panelsFor.kase !== c || this.panelsFor.lang !== language()) {
      // Panels keep their own state; they are rebuilt when the case or the language changed,
      // not on every render of the page (so typing is never disturbed by a timeline load).
      for (const p of this.panels) p.render();
      this.panelsFor = { kase: c, lang: language() };
    }
    if (c.anonymisedAt) {
      // A tombstone: what is left of the case says so, and nothing of it can be worked on.
      return [back, heading, this.buildTombstone(c), this.buildOverview(c), this.records.root, this.buildTimeline()];
    }
    return [
      back,
      heading,
      this.buildEmergency(c),
      this.buildCreated(),
      this.buildOverview(c),
      this.records.root,
      this.subjectAccess.shown ? this.subjectAccess.root : null,
      this.status.root,
      this.handover.root,
      this.shares.root,
      this.buildSubject(c),
      this.buildDetails(c),
      this.buildSafety(c),
      this.edit.root,
      this.buildPersons(c),
      this.buildDocuments(c),
      this.contacts.root,
      this.notes.root,
      this.duplicates.root,
      this.history.root,
      this.buildTimeline(),
    ];
  }

  /** An anonymised case: when, under which destruction list, and that nothing personal is left. */
  private buildTombstone(c: Case): HTMLElement {
    return h(
      "section",
      { id: "case-tombstone", class: "message message-warning", "aria-labelledby": "case-tombstone-heading" },
      h("h2", { id: "case-tombstone-heading" }, t("tombstone.heading")),
      h(
        "p",
        { id: "case-tombstone-when" },
        t("tombstone.anonymisedOn", { date: formatTimestamp(c.anonymisedAt), list: orNone(c.anonymisedUnder) }),
      ),
      h("p", null, t("tombstone.nothingLeft")),
    );
  }

  /** Just opened: say so, with the cases that may be about the same person. */
  private buildCreated(): Child {
    const created = this.created;
    if (!created) return null;
    const duplicates = created.possibleDuplicates;
    return h(
      "section",
      { id: "case-created", class: `message${duplicates.length ? " message-warning" : ""}`, "aria-labelledby": "case-created-heading" },
      h("h2", { id: "case-created-heading" }, t("newCase.created", { reference: created.reference })),
      duplicates.length === 0
        ? h("p", null, t("duplicates.none"))
        : [
            h("p", null, tPlural("duplicates.found", duplicates.length)),
            h("ul", { id: "case-duplicates" }, duplicates.map((d) => duplicateItem(d))),
          ],
    );
  }

  private buildOverview(c: Case): HTMLElement {
    const flags = c.riskFlags.length
      ? h("ul", { class: "plain" }, c.riskFlags.map((f) => h("li", null, enumLabel(RiskFlagSchema, f))))
      : t("case.noRiskFlags");
    return section(
      "overview",
      t("case.overview"),
      definitionList([
        [t("case.reference"), c.reference],
        [t("case.type"), enumLabel(CaseTypeSchema, c.type)],
        [t("case.status"), enumLabel(CaseStatusSchema, c.status)],
        c.outcome ? [t("case.outcome"), enumLabel(OutcomeSchema, c.outcome)] : null,
        [t("case.handlingUnit"), orNone(c.handlingPost)],
        [t("case.country"), c.country ? formatCountry(c.country) : t("common.none")],
        [t("case.opened"), c.openedAt ? h("time", { datetime: isoTimestamp(c.openedAt) }, formatTimestamp(c.openedAt)) : t("common.none")],
        [t("case.updated"), c.updatedAt ? h("time", { datetime: isoTimestamp(c.updatedAt) }, formatTimestamp(c.updatedAt)) : t("common.none")],
        [t("case.assignedTo"), c.assignedTo || t("case.nobodyAssigned")],
        [t("case.access"), enumLabel(CaseAccessSchema, c.callerAccess)],
        [t("case.referralSource"), enumLabel(ReferralSourceSchema, c.referralSource)],
        [t("case.riskFlags"), flags],
        c.pendingReferral ? [t("case.pendingReferral"), t("case.pendingReferralTo", { unit: c.pendingReferral.toUnit })] : null,
      ]),
    );
  }

  private buildSubject(c: Case): HTMLElement {
    const s = c.subject;
    if (!s) return section("subject", t("subject.heading"), h("p", null, t("common.none")));
    return section(
      "subject",
      t("subject.heading"),
      definitionList([
        [t("subject.name"), orNone(s.fullName)],
        [t("person.dateOfBirth"), dateCell(s.dateOfBirth)],
        [t("subject.sex"), enumLabel(SexSchema, s.sex)],
        [t("subject.nationalityStatus"), enumLabel(NationalityStatusSchema, s.nationalityStatus)],
        [t("subject.hasMinorChildren"), yesNo(s.hasMinorChildren)],
      ]),
    );
  }

  /** The facts of the case type. */
  private buildDetails(c: Case): HTMLElement | null {
    if (c.details.case === "abandonment") {
      const a = c.details.value;
      return section(
        "details",
        t("edit.details"),
        definitionList([
          [t("abandonment.leftNetherlandsOn"), dateCell(a.leftNetherlandsOn)],
          [t("abandonment.returnedOn"), dateCell(a.returnedOn)],
          [t("abandonment.residencePermitKind"), enumLabel(PermitKindSchema, a.residencePermitKind)],
          [t("abandonment.residencePermitExpiresOn"), dateCell(a.residencePermitExpiresOn)],
        ]),
      );
    }
    if (c.details.case === "divorceRecognition") {
      const d = c.details.value;
      return section(
        "details",
        t("edit.details"),
        definitionList([
          [t("divorce.dutchDivorceOn"), dateCell(d.dutchDivorceOn)],
          [t("divorce.foreignCourt"), orNone(d.foreignCourt)],
          [t("divorce.foreignCaseNumber"), orNone(d.foreignCaseNumber)],
        ]),
      );
    }
    return null;
  }

  private buildSafety(c: Case): HTMLElement {
    const s = c.safety;
    const covert = s?.covertNotes ?? "";
    const toggle = h(
      "button",
      {
        type: "button",
        id: "covert-toggle",
        class: "secondary",
        "aria-expanded": this.covertShown ? "true" : "false",
        "aria-controls": this.covertId,
        onclick: () => this.toggleCovert(),
      },
      this.covertShown ? t("safety.hideCovertNotes") : t("safety.showCovertNotes"),
    );
    // The notes are put in the page only while shown.
    const notes = h(
      "div",
      { id: this.covertId, class: "covert-notes", hidden: !this.covertShown },
      this.covertShown ? (covert ? h("p", { class: "pre-wrap" }, covert) : h("p", null, t("safety.noCovertNotes"))) : null,
    );
    return section(
      "safety",
      t("safety.heading"),
      definitionList([
        [t("safety.channel"), orNone(s?.safeContactChannel ?? "")],
        [t("safety.times"), orNone(s?.safeContactTimes ?? "")],
        [
          t("safety.doNotContactFamily"),
          s?.doNotContactFamily ? h("strong", { class: "warning" }, t("common.yes")) : t("common.no"),
        ],
        [t("safety.codeWord"), s?.hasCodeWord ? t("safety.codeWordSet") : t("safety.codeWordNotSet")],
      ]),
      h("h3", null, t("safety.covertNotes")),
      toggle,
      notes,
    );
  }

  private buildPersons(c: Case): HTMLElement {
    if (c.persons.length === 0) return section("persons", t("persons.heading"), h("p", null, t("persons.none")));
    const captionId = uniqueId("persons-caption");
    return section(
      "persons",
      t("persons.heading"),
      h(
        "div",
        { class: "table-scroll", role: "region", "aria-labelledby": captionId, tabindex: 0 },
        h(
          "table",
          { class: "data" },
          h("caption", { id: captionId, class: "visually-hidden" }, t("persons.heading")),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, t("person.name")),
              h("th", { scope: "col" }, t("person.role")),
              h("th", { scope: "col" }, t("person.dateOfBirth")),
              h("th", { scope: "col" }, t("person.nationality")),
              h("th", { scope: "col" }, t("person.withSubject")),
              h("th", { scope: "col" }, t("person.doNotContact")),
              h("th", { scope: "col" }, t("person.note")),
            ),
          ),
          h("tbody", null, c.persons.map((p) => this.buildPerson(p))),
        ),
      ),
    );
  }

  private buildPerson(p: Person): HTMLElement {
    return h(
      "tr",
      null,
      h("th", { scope: "row" }, orNone(p.fullName)),
      h("td", null, enumLabel(PersonRoleSchema, p.role)),
      h("td", null, dateCell(p.dateOfBirth)),
      h("td", null, orNone(p.nationality)),
      h("td", null, p.role === PersonRole.CHILD ? yesNo(p.withSubject) : t("common.none")),
      h("td", null, p.doNotContact ? h("strong", { class: "warning" }, t("common.yes")) : t("common.no")),
      h("td", { class: "pre-wrap" }, orNone(p.note)),
    );
  }

  private buildDocuments(c: Case): HTMLElement {
    if (c.documents.length === 0) return section("documents", t("documents.heading"), h("p", null, t("documents.none")));
    const captionId = uniqueId("documents-caption");
    return section(
      "documents",
      t("documents.heading"),
      h(
        "div",
        { class: "table-scroll", role: "region", "aria-labelledby": captionId, tabindex: 0 },
        h(
          "table",
          { class: "data" },
          h("caption", { id: captionId, class: "visually-hidden" }, t("documents.heading")),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, t("document.type")),
              h("th", { scope: "col" }, t("document.holder")),
              h("th", { scope: "col" }, t("document.number")),
              h("th", { scope: "col" }, t("document.issuingAuthority")),
              h("th", { scope: "col" }, t("document.issuedOn")),
              h("th", { scope: "col" }, t("document.expiresOn")),
              h("th", { scope: "col" }, t("document.status")),
            ),
          ),
          h("tbody", null, c.documents.map((d) => this.buildDocument(c, d))),
        ),
      ),
    );
  }

  private buildDocument(c: Case, d: TravelDocument): HTMLElement {
    let holder: string;
    if (d.holderPersonId === "") {
      holder = c.subject?.fullName || t("document.holderSubject");
    } else {
      holder = c.persons.find((p) => p.id === d.holderPersonId)?.fullName || t("document.holderUnknown");
    }
    const status = enumLabel(DocumentStatusSchema, d.status);
    return h(
      "tr",
      null,
      h("th", { scope: "row" }, enumLabel(TravelDocumentTypeSchema, d.type)),
      h("td", null, holder),
      h("td", null, orNone(d.number)),
      h("td", null, orNone(d.issuingAuthority)),
      h("td", null, dateCell(d.issuedOn)),
      h("td", null, dateCell(d.expiresOn)),
      h(
        "td",
        null,
        d.status === DocumentStatus.WITHHELD && d.withheldBy
          ? t("document.withheldBy", { status, by: d.withheldBy })
          : status,
      ),
    );
  }

  private buildTimeline(): HTMLElement {
    const content: Child[] = [];
    if (this.events.length > 0) {
      content.push(h("ol", { class: "timeline" }, this.events.map((e) => this.buildEvent(e))));
    } else if (!this.eventsLoading && this.eventsError === undefined) {
      content.push(h("p", null, t("timeline.empty")));
    }
    if (this.eventsLoading) content.push(h("p", { class: "loading" }, t("common.loading")));
    if (this.eventsError !== undefined) {
      content.push(
        h(
          "div",
          { class: "message message-error", role: "alert" },
          h("p", null, errorMessage(this.eventsError)),
          h(
            "button",
            { type: "button", id: "timeline-retry", onclick: () => void this.loadEvents(this.events.length ? this.eventsNext : "") },
            t("common.retry"),
          ),
        ),
      );
    } else if (this.eventsNext && !this.eventsLoading) {
      content.push(
        h(
          "button",
          { type: "button", id: "timeline-more", class: "secondary", onclick: () => void this.loadEvents(this.eventsNext) },
          t("timeline.loadMore"),
        ),
      );
    }
    return section("timeline", t("timeline.heading"), ...content);
  }

  private buildEvent(e: CaseEvent): HTMLElement {
    const details: string[] = [];
    switch (e.type) {
      case CaseEventType.CREATED:
        details.push(t("event.created", { status: enumLabel(CaseStatusSchema, e.toStatus) }));
        break;
      case CaseEventType.TRANSITIONED:
        details.push(
          t("event.transitioned", {
            from: enumLabel(CaseStatusSchema, e.fromStatus),
            to: enumLabel(CaseStatusSchema, e.toStatus),
          }),
        );
        break;
      case CaseEventType.UPDATED:
        if (e.changedFields.length) {
          const fields = e.changedFields.map((path) => {
            const label = changedFieldLabel(path);
            return label ? t(label) : path;
          });
          details.push(t("event.changedFields", { fields: formatList(fields) }));
        }
        break;
      case CaseEventType.SHARED:
        details.push(t("event.shared", { unit: e.grantee, access: enumLabel(ShareAccessSchema, e.shareAccess) }));
        break;
      case CaseEventType.SHARE_REVOKED:
        details.push(t("event.shareRevoked", { unit: e.grantee }));
        break;
      case CaseEventType.REFERRED:
        details.push(t("event.referred", { from: orNone(e.fromUnit), to: orNone(e.toUnit) }));
        break;
      case CaseEventType.REFERRAL_PROPOSED:
        details.push(t("event.referralProposed", { to: orNone(e.toUnit) }));
        break;
      case CaseEventType.ASSIGNED:
        details.push(e.assignedTo ? t("event.assigned", { assignee: e.assignedTo }) : t("event.unassigned"));
        break;
      case CaseEventType.CONTACT_LOGGED:
      case CaseEventType.CONTACT_UPDATED:
        details.push(
          t("event.contact", {
            kind: enumLabel(PartnerKindSchema, e.partnerKind),
            purpose: enumLabel(ContactPurposeSchema, e.contactPurpose),
          }),
        );
        break;
      default:
        break;
    }
    if (e.outcome) details.push(t("event.outcome", { outcome: enumLabel(OutcomeSchema, e.outcome) }));
    if (e.reason) details.push(t("event.reason", { reason: e.reason }));
    const actor = e.actorPost
      ? t("event.actorWithUnit", { actor: orNone(e.actor), role: enumLabel(RoleSchema, e.actorRole), unit: e.actorPost })
      : t("event.actor", { actor: orNone(e.actor), role: enumLabel(RoleSchema, e.actorRole) });
    return h(
      "li",
      null,
      h(
        "p",
        { class: "event-head" },
        h("strong", null, enumLabel(CaseEventTypeSchema, e.type)),
        " ",
        e.occurredAt ? h("time", { datetime: isoTimestamp(e.occurredAt) }, formatTimestamp(e.occurredAt)) : null,
      ),
      h("p", { class: "event-actor" }, actor),
      details.map((d) => h("p", { class: "event-detail pre-wrap" }, d)),
    );
  }
}

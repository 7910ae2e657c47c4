// Which screens the header offers to which role. The services decide what a caller may do; the
// client only leaves out what a role is always refused (see the comments of cases.proto).
import { roleHasUnit } from "../session";

/** Roles that work cases of a unit: the inbox and the deadlines are theirs. */
export function worksCases(role: string): boolean {
  return roleHasUnit(role) || role === "ROLE_LKHA_CASEWORKER";
}

/** Post managers and LKHA caseworkers may search and open a case in an emergency. */
export function mayOpenEmergencyAccess(role: string): boolean {
  return role === "ROLE_POST_MANAGER" || role === "ROLE_LKHA_CASEWORKER";
}

/** Who sees the emergency accesses list: auditors (all), post managers and LKHA caseworkers. */
export function mayListEmergencyAccess(role: string): boolean {
  return mayOpenEmergencyAccess(role) || role === "ROLE_AUDITOR";
}

/** Who may record a review: an auditor, or a manager of the post whose case was opened. */
export function mayReviewEmergencyAccess(role: string): boolean {
  return role === "ROLE_AUDITOR" || role === "ROLE_POST_MANAGER";
}

/** Who may add partners and set their vetting: administrators, and post managers (for the
 * countries their post is accredited to; the service checks that). */
export function mayWritePartners(role: string): boolean {
  return role === "ROLE_ADMINISTRATOR" || role === "ROLE_POST_MANAGER";
}

/** Only auditors read the audit trail. */
export function mayAudit(role: string): boolean {
  return role === "ROLE_AUDITOR";
}

/** Policy staff and administrators read statistics, the talks register and dossiers; every other
 * role is refused them (statistics.proto). */
export function readsStatistics(role: string): boolean {
  return role === "ROLE_POLICY_STAFF" || role === "ROLE_ADMINISTRATOR";
}

// ---- Records management (RecordsService) and exports (ExportService) -------------------------
// The rules of records.proto and exports.proto as far as the client can know them: a button is
// offered only to a role the service would not refuse outright. The service still decides (the
// unit of a case, the state of a list or a request) and its refusals are shown in words.

const POST_MANAGER = "ROLE_POST_MANAGER";
const LKHA_CASEWORKER = "ROLE_LKHA_CASEWORKER";
const OFFICER = "ROLE_CONSULAR_OFFICER";
const AUDITOR = "ROLE_AUDITOR";
const ADMINISTRATOR = "ROLE_ADMINISTRATOR";

/** The unit a session acts for: its post, or LKHA for an LKHA caseworker (who signs in without). */
export function unitOf(role: string, unit: string): string {
  return role === LKHA_CASEWORKER ? "LKHA" : unit.trim().toUpperCase();
}

/** Administrators change retention schedules; every staff role reads them. */
export function maySetRetentionSchedule(role: string): boolean {
  return role === ADMINISTRATOR;
}

/** Who lists legal holds: those who place them, and auditors. */
export function mayListLegalHolds(role: string): boolean {
  return role === ADMINISTRATOR || role === LKHA_CASEWORKER || role === POST_MANAGER || role === AUDITOR;
}

/**
 * Who places and lifts a legal hold on a case handled by `handlingUnit`: administrators and LKHA
 * caseworkers on any case, post managers on their own post's cases.
 */
export function mayHoldCase(role: string, unit: string, handlingUnit: string): boolean {
  if (role === ADMINISTRATOR || role === LKHA_CASEWORKER) return true;
  return role === POST_MANAGER && unit !== "" && unitOf(role, unit) === handlingUnit.trim().toUpperCase();
}

/** Who sees destruction lists: administrators and auditors all of them, a unit's reviewers their items. */
export function mayListDestructionLists(role: string): boolean {
  return role === ADMINISTRATOR || role === AUDITOR || role === POST_MANAGER || role === LKHA_CASEWORKER;
}

/** Administrators propose a destruction list at any time and process one. */
export function mayAdministerDestruction(role: string): boolean {
  return role === ADMINISTRATOR;
}

export type ReviewSlotName = "handling-unit" | "auditor";

/**
 * The review slot a role fills: the handling unit (post managers; LKHA caseworkers for LKHA's
 * cases) or the auditor; undefined for a role that does not review.
 */
export function reviewSlotOf(role: string): ReviewSlotName | undefined {
  if (role === AUDITOR) return "auditor";
  if (role === POST_MANAGER || role === LKHA_CASEWORKER) return "handling-unit";
  return undefined;
}

/** Whether a reviewer of this role and unit reviews an item of a case handled by `handlingUnit`. */
export function mayReviewItemOf(role: string, unit: string, handlingUnit: string): boolean {
  const slot = reviewSlotOf(role);
  if (slot === "auditor") return true;
  if (slot === "handling-unit") return unitOf(role, unit) === handlingUnit.trim().toUpperCase() && unitOf(role, unit) !== "";
  return false;
}

/** The roles of ExportService: officers, post managers and LKHA caseworkers. */
export function usesExports(role: string): boolean {
  return role === OFFICER || role === POST_MANAGER || role === LKHA_CASEWORKER;
}

/**
 * Who records a subject-access request on a case: an officer or post manager of the handling
 * post, an LKHA caseworker for a case LKHA handles (`handles`: the caller's unit handles it).
 */
export function mayRequestSubjectAccess(role: string, handles: boolean): boolean {
  return handles && usesExports(role);
}

/**
 * Who approves or refuses a request of `requestUnit` made by `requestedBy`: a post manager of that
 * unit (another LKHA caseworker for LKHA), never the requester. The same rule holds for subject
 * access and bulk exports.
 */
export function mayAnswerExportRequest(role: string, unit: string, subject: string, requestUnit: string, requestedBy: string): boolean {
  if (subject === requestedBy) return false;
  const theirs = requestUnit.trim().toUpperCase();
  if (theirs === "LKHA") return role === LKHA_CASEWORKER;
  return role === POST_MANAGER && unitOf(role, unit) === theirs;
}

/** The requester or the approver of an approved subject-access request obtains its export. */
export function mayObtainSubjectAccess(subject: string, requestedBy: string, answeredBy: string): boolean {
  return subject !== "" && (subject === requestedBy || subject === answeredBy);
}

/** Only the requester downloads a bulk export. */
export function mayDownloadExport(subject: string, requestedBy: string): boolean {
  return subject !== "" && subject === requestedBy;
}

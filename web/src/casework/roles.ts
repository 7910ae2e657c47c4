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

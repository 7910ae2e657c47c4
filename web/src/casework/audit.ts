// The audit trail (AuditService, auditors only): the filters of ListAuditEvents and the result
// of VerifyChain in words.
import { create } from "@bufbuild/protobuf";
import { ListAuditEventsRequestSchema, type ListAuditEventsRequest, type VerifyChainResponse } from "../gen/consular/v1/audit_pb";
import { t, type MessageKey, type Params } from "../i18n/i18n";
import type { Problem } from "./problems";

export const auditPageSize = 100;

/** The parts of a recorded purpose the services write (access_purpose.h, audited_call.cc). */
const purposeParts: Readonly<Record<string, MessageKey>> = {
  casework: "audit.purposeCasework",
  supervision: "audit.purposeSupervision",
  emergency: "audit.purposeEmergency",
  audit: "audit.purposeAudit",
  "statistics-correction": "audit.purposeStatisticsCorrection",
  "emergency access": "audit.purposeEmergencyAccess",
  "code word revealed": "audit.purposeCodeWordRevealed",
};

/**
 * A recorded purpose ("casework; code word revealed") in the user's language, part by part; a
 * part the client does not know is shown as recorded.
 */
export function purposeText(recorded: string): string[] {
  return recorded
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const key = purposeParts[part];
      return key ? t(key) : part;
    });
}

export interface AuditFilters {
  /** A case reference (ABN-2026-00001) or a case UUID; "" any. */
  caseRef: string;
  /** A token subject; "" any. */
  actor: string;
}

const reference = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

export function auditFilterProblems(f: AuditFilters): Partial<Record<keyof AuditFilters, Problem>> {
  const out: Partial<Record<keyof AuditFilters, Problem>> = {};
  const c = f.caseRef.trim();
  if (c !== "" && !reference.test(c)) out.caseRef = { key: "problem.caseReference" };
  if (f.actor.trim().length > 128) out.actor = { key: "problem.tooLong", params: { max: 128 } };
  return out;
}

export function buildAuditRequest(f: AuditFilters, pageToken: string): ListAuditEventsRequest {
  return create(ListAuditEventsRequestSchema, { caseId: f.caseRef.trim(), actor: f.actor.trim(), pageSize: auditPageSize, pageToken });
}

/** What VerifyChain found, as a catalogue message. */
export function verifySummary(r: VerifyChainResponse): { ok: boolean; key: MessageKey; params: Params } {
  if (r.ok) {
    return {
      ok: true,
      key: "audit.chainIntact",
      params: { checked: Number(r.eventsChecked), watermark: Number(r.watermark), pending: Number(r.pending) },
    };
  }
  return {
    ok: false,
    key: "audit.chainBroken",
    params: { seq: Number(r.firstBrokenSeq), event: Number(r.firstBrokenEventId), reason: r.reason || t("common.none") },
  };
}

// What is wrong with an input, as a message key and its parameters (translated when shown, so a
// language switch shows it in the new language), and the services' own messages read into such
// problems: INVALID_ARGUMENT "field: problem" for a field of a form, FAILED_PRECONDITION for a
// rule of the case's life. The services speak English; what they say is put in the user's
// language where the sentence is known, and shown as the server said it otherwise.
import { Code, ConnectError } from "@connectrpc/connect";
import { errorMessage } from "../errors";
import { enumLabel } from "../enums";
import { TalkStatusSchema } from "../gen/consular/v1/statistics_pb";
import { t, tPlural, type MessageKey, type Params } from "../i18n/i18n";

export interface Problem {
  key: MessageKey;
  params?: Params;
}

export function problemText(p: Problem): string {
  return t(p.key, p.params);
}

/** A field named by the server and what it said about it. */
export interface FieldProblem {
  /** The field's path as the server names it: "case.subject.full_name", "reason". */
  path: string;
  problem: Problem;
}

const fieldMessage = /^([a-z_][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z_][a-z0-9_]*(?:\[\d+\])?)*): ([\s\S]+)$/;

/** An INVALID_ARGUMENT that names a field ("case.country: required"), else undefined. */
export function fieldProblemOf(error: unknown): FieldProblem | undefined {
  if (!(error instanceof ConnectError) || error.code !== Code.InvalidArgument) return undefined;
  const m = fieldMessage.exec(error.rawMessage.trim());
  if (!m) return undefined;
  return { path: m[1]!, problem: serverProblem(m[2]!) };
}

/** The server's words about a field, in the user's language where they are known. */
export function serverProblem(text: string): Problem {
  const s = text.trim();
  let m: RegExpExecArray | null;
  if (s === "required" || s.startsWith("required:")) return { key: "problem.required" };
  if (/^required to change [a-z_.]+: the safety information/.test(s)) return { key: "problem.reasonForSafety" };
  if ((m = /^longer than (\d+) characters$/.exec(s))) return { key: "problem.tooLong", params: { max: Number(m[1]) } };
  if (/is in the future$/.test(s) || s === "lies in the future") return { key: "problem.future" };
  if (/^is before /.test(s)) return { key: "problem.beforeEarlierDate" };
  if (s.startsWith("not a valid calendar date")) return { key: "problem.invalidDate" };
  if (s.startsWith("not an ISO 3166-1 alpha-2 country code")) return { key: "problem.country" };
  if (s === "the country of focus must be outside the Netherlands") return { key: "problem.countryNotNl" };
  if (s === "contains control characters") return { key: "problem.controlCharacters" };
  return { key: "problem.server", params: { problem: s } };
}

/**
 * A failed call in words: the rules of the case's life (FAILED_PRECONDITION) and a stale version
 * (ABORTED) in the user's language where known, the rest as errors.ts says it.
 */
export function describeError(error: unknown): string {
  const e = ConnectError.from(error);
  if (e.code === Code.FailedPrecondition) return preconditionText(e.rawMessage);
  if (e.code === Code.Aborted) return t("error.changedMeanwhile");
  if (e.code === Code.InvalidArgument) {
    const field = fieldProblemOf(e);
    if (field) return t("error.invalidField", { field: field.path, problem: problemText(field.problem) });
  }
  return errorMessage(error);
}

/** A FAILED_PRECONDITION of the case or contact services, in the user's language where known. */
export function preconditionText(message: string): string {
  let m: RegExpExecArray | null;
  if (/needs the actual date of return/.test(message)) return t("precondition.needsReturnDate");
  if ((m = /has (\d+) open follow-up/.exec(message))) return tPlural("precondition.openFollowUps", Number(m[1]));
  if ((m = /cannot move from ([A-Z_]+) to ([A-Z_]+)/.exec(message))) return t("precondition.notAllowed");
  if (/contradicts the foreign decision/.test(message)) return t("precondition.contradictsDecision");
  if (/is closed; a post manager must reopen it first/.test(message)) return t("precondition.caseClosed");
  if (/is marked do not contact/.test(message)) return t("precondition.doNotContact");
  if (/is suspended \(vetting\)/.test(message)) return t("precondition.partnerSuspended");
  if (/is deactivated and cannot be used/.test(message)) return t("precondition.partnerDeactivated");
  if (/^the follow-up of contact .* was done by /.test(message)) return t("precondition.followUpDone");
  if (/has no follow-up$/.test(message)) return t("precondition.noFollowUp");
  if (/^the talk is CANCELLED: no briefing/.test(message)) return t("precondition.talkCancelled");
  if (/: commitments are added to a held talk$/.test(message)) return t("precondition.talkNotHeld");
  if (/^commitment \S+ was closed already/.test(message)) return t("precondition.commitmentClosed");
  if ((m = /^the talk is ([A-Z]+), which is final|^an? ([A-Z]+) talk cannot become /.exec(message))) {
    const value = TalkStatusSchema.values.find((v) => v.name === `TALK_STATUS_${m![1] ?? m![2]}`);
    if (value) return t("precondition.talkStatus", { status: enumLabel(TalkStatusSchema, value.number) });
  }
  return t("precondition.other", { message });
}

export function isAborted(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Aborted;
}

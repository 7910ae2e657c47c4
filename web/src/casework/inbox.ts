// The inbox of the caller's unit (CaseService.ListInbox): what it must answer, and what others
// answered or ended; and the answers it sends (AnswerReferral, AnswerShare).
import { create } from "@bufbuild/protobuf";
import {
  Answer,
  AnswerReferralRequestSchema,
  AnswerShareRequestSchema,
  InboxItemKind,
  type AnswerReferralRequest,
  type AnswerShareRequest,
  type InboxItem,
} from "../gen/consular/v1/cases_pb";
import { charCount } from "./checks";
import type { Problem } from "./problems";

/** A declining reason: 1..300 characters (no personal data). */
export const maxAnswerReasonChars = 300;

export interface InboxGroups {
  /** Referrals and shares the unit is to accept or decline. */
  toAnswer: InboxItem[];
  /** Answers to the unit's referrals and shares, and shares other units ended. */
  news: InboxItem[];
}

/** The items split into those to answer and the rest, each in the order the service gave. */
export function groupInbox(items: readonly InboxItem[]): InboxGroups {
  const groups: InboxGroups = { toAnswer: [], news: [] };
  for (const item of items) (item.needsAnswer ? groups.toAnswer : groups.news).push(item);
  return groups;
}

export function isReferral(item: Pick<InboxItem, "kind">): boolean {
  return item.kind === InboxItemKind.REFERRAL_RECEIVED || item.kind === InboxItemKind.REFERRAL_ANSWERED;
}

/** What is wrong with a declining reason, if anything (accepting needs none). */
export function answerReasonProblem(answer: Answer, reason: string): Problem | undefined {
  if (answer !== Answer.DECLINED) return undefined;
  if (reason.trim() === "") return { key: "problem.required" };
  if (charCount(reason.trim()) > maxAnswerReasonChars) return { key: "problem.tooLong", params: { max: maxAnswerReasonChars } };
  return undefined;
}

export type AnswerRequest =
  | { method: "answerReferral"; request: AnswerReferralRequest }
  | { method: "answerShare"; request: AnswerShareRequest };

/** The request that answers an item: the reason is sent with a refusal only. */
export function buildAnswerRequest(item: Pick<InboxItem, "kind" | "itemId">, answer: Answer, reason: string, requestId: string): AnswerRequest {
  const fields = { requestId, answer, reason: answer === Answer.DECLINED ? reason.trim() : "" };
  if (isReferral(item)) {
    return { method: "answerReferral", request: create(AnswerReferralRequestSchema, { ...fields, referralId: item.itemId }) };
  }
  return { method: "answerShare", request: create(AnswerShareRequestSchema, { ...fields, shareId: item.itemId }) };
}

/** The same answer is the same action (the same request_id); another answer or reason a new one. */
export function answerKey(item: Pick<InboxItem, "kind" | "itemId">, answer: Answer, reason: string): string {
  return JSON.stringify([item.kind, item.itemId, answer, answer === Answer.DECLINED ? reason.trim() : ""]);
}

// The inbox's grouping and answers, and which screens each role is offered.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Answer, InboxItemKind, InboxItemSchema } from "../gen/consular/v1/cases_pb";
import { answerKey, answerReasonProblem, buildAnswerRequest, groupInbox, maxAnswerReasonChars } from "./inbox";
import { mayListEmergencyAccess, mayOpenEmergencyAccess, mayReviewEmergencyAccess, worksCases } from "./roles";

const referral = create(InboxItemSchema, { kind: InboxItemKind.REFERRAL_RECEIVED, itemId: "r1", needsAnswer: true, caseReference: "ABN-2026-00001" });
const share = create(InboxItemSchema, { kind: InboxItemKind.SHARE_RECEIVED, itemId: "s1", needsAnswer: true });
const answered = create(InboxItemSchema, { kind: InboxItemKind.REFERRAL_ANSWERED, itemId: "r2", answer: Answer.DECLINED });
const revoked = create(InboxItemSchema, { kind: InboxItemKind.SHARE_REVOKED, itemId: "s2" });

describe("inbox", () => {
  it("puts what is to be answered apart, keeping the service's order", () => {
    const groups = groupInbox([referral, answered, share, revoked]);
    expect(groups.toAnswer.map((i) => i.itemId)).toEqual(["r1", "s1"]);
    expect(groups.news.map((i) => i.itemId)).toEqual(["r2", "s2"]);
    expect(groupInbox([])).toEqual({ toAnswer: [], news: [] });
  });

  it("answers a referral with AnswerReferral and a share with AnswerShare", () => {
    const a = buildAnswerRequest(referral, Answer.ACCEPTED, "ignored", "id-1");
    expect(a.method).toBe("answerReferral");
    expect(a.request).toMatchObject({ requestId: "id-1", referralId: "r1", answer: Answer.ACCEPTED, reason: "" });
    const d = buildAnswerRequest(share, Answer.DECLINED, "  not our country  ", "id-2");
    expect(d.method).toBe("answerShare");
    expect(d.request).toMatchObject({ requestId: "id-2", shareId: "s1", answer: Answer.DECLINED, reason: "not our country" });
  });

  it("needs a reason of at most 300 characters to decline, none to accept", () => {
    expect(answerReasonProblem(Answer.ACCEPTED, "")).toBeUndefined();
    expect(answerReasonProblem(Answer.DECLINED, "   ")?.key).toBe("problem.required");
    expect(answerReasonProblem(Answer.DECLINED, "x".repeat(maxAnswerReasonChars))).toBeUndefined();
    expect(answerReasonProblem(Answer.DECLINED, "x".repeat(maxAnswerReasonChars + 1))?.key).toBe("problem.tooLong");
  });

  it("keeps the request id while the answer stays the same", () => {
    expect(answerKey(referral, Answer.DECLINED, "a ")).toBe(answerKey(referral, Answer.DECLINED, "a"));
    expect(answerKey(referral, Answer.DECLINED, "a")).not.toBe(answerKey(referral, Answer.DECLINED, "b"));
    expect(answerKey(referral, Answer.ACCEPTED, "a")).toBe(answerKey(referral, Answer.ACCEPTED, "b"));
    expect(answerKey(referral, Answer.ACCEPTED, "")).not.toBe(answerKey(share, Answer.ACCEPTED, ""));
  });
});

describe("roles", () => {
  it("offers the inbox and the deadlines to the roles that work cases", () => {
    expect(["ROLE_CONSULAR_OFFICER", "ROLE_POST_MANAGER", "ROLE_LKHA_CASEWORKER"].every(worksCases)).toBe(true);
    expect(["ROLE_AUDITOR", "ROLE_POLICY_STAFF", "ROLE_ADMINISTRATOR"].some(worksCases)).toBe(false);
  });

  it("offers emergency access to post managers and LKHA caseworkers only", () => {
    expect(mayOpenEmergencyAccess("ROLE_POST_MANAGER")).toBe(true);
    expect(mayOpenEmergencyAccess("ROLE_LKHA_CASEWORKER")).toBe(true);
    expect(mayOpenEmergencyAccess("ROLE_CONSULAR_OFFICER")).toBe(false);
    expect(mayOpenEmergencyAccess("ROLE_AUDITOR")).toBe(false);
    expect(mayListEmergencyAccess("ROLE_AUDITOR")).toBe(true);
    expect(mayListEmergencyAccess("ROLE_CONSULAR_OFFICER")).toBe(false);
    expect(mayReviewEmergencyAccess("ROLE_AUDITOR")).toBe(true);
    expect(mayReviewEmergencyAccess("ROLE_POST_MANAGER")).toBe(true);
    expect(mayReviewEmergencyAccess("ROLE_LKHA_CASEWORKER")).toBe(false);
  });
});

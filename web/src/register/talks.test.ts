// The talks register's rules as the forms apply them: which changes each status offers, the checks
// before sending, the requests sent, and that a retried or repeated submit reuses its request_id.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { DossierFormat, FigureSchema, RaiseDecision, TalkLevel, TalkStatus, TalkTopic } from "../gen/consular/v1/statistics_pb";
import { preconditionText } from "../casework/problems";
import { setLanguage } from "../i18n/i18n";
import { FormAction } from "../rpc";
import {
  buildAddCommitmentRequest,
  buildCloseCommitmentRequest,
  buildListCommitmentsRequest,
  buildPlanTalkRequest,
  buildRecordDecisionRequest,
  buildRecordTalkRequest,
  buildStoreBriefingRequest,
  buildTransitionRequest,
  closingNoteProblem,
  decisionFieldOfPath,
  emptyDecisionInput,
  emptyTalkInput,
  figureValue,
  mayAddCommitment,
  mayStoreBriefing,
  safeFilename,
  talkActions,
  talkDay,
  talkFieldOfPath,
  talkKey,
  transitionKey,
  validateCommitment,
  validateDecision,
  validateTalk,
  validateTransition,
  type TalkInput,
} from "./talks";

const today = { year: 2026, month: 6, day: 15 };

function morocco(overrides: Partial<TalkInput> = {}): TalkInput {
  return { ...emptyTalkInput(), country: "MA", level: TalkLevel.AMBASSADOR, topics: [TalkTopic.ABANDONMENT], summary: " Returns of abandoned women ", ...overrides };
}

describe("talk status changes", () => {
  it("offers held, postpone and cancel for a planned talk, replan instead of postpone for a postponed one", () => {
    expect(talkActions(TalkStatus.PLANNED)).toEqual(["held", "postpone", "cancel"]);
    expect(talkActions(TalkStatus.POSTPONED)).toEqual(["held", "replan", "cancel"]);
  });

  it("offers nothing for a held or cancelled talk (final)", () => {
    expect(talkActions(TalkStatus.HELD)).toEqual([]);
    expect(talkActions(TalkStatus.CANCELLED)).toEqual([]);
    expect(talkActions(TalkStatus.UNSPECIFIED)).toEqual([]);
  });

  it("allows commitments at a held talk only and briefings for any talk but a cancelled one", () => {
    expect(mayAddCommitment(TalkStatus.HELD)).toBe(true);
    expect(mayAddCommitment(TalkStatus.PLANNED)).toBe(false);
    expect(mayStoreBriefing(TalkStatus.PLANNED)).toBe(true);
    expect(mayStoreBriefing(TalkStatus.HELD)).toBe(true);
    expect(mayStoreBriefing(TalkStatus.CANCELLED)).toBe(false);
  });

  it("needs a day held today or earlier, a new planned day today or later, a reason to cancel", () => {
    expect(validateTransition("held", { date: "", text: "" }, today).date?.key).toBe("problem.required");
    expect(validateTransition("held", { date: "2026-06-16", text: "" }, today).date?.key).toBe("problem.future");
    expect(validateTransition("held", { date: "2026-06-15", text: "" }, today)).toEqual({});
    expect(validateTransition("postpone", { date: "2026-06-14", text: "" }, today).date?.key).toBe("problem.past");
    expect(validateTransition("replan", { date: "2026-06-15", text: "" }, today)).toEqual({});
    expect(validateTransition("replan", { date: "2026-02-30", text: "" }, today).date?.key).toBe("problem.invalidDate");
    expect(validateTransition("cancel", { date: "", text: "  " }, today).text?.key).toBe("problem.required");
    expect(validateTransition("cancel", { date: "", text: "x".repeat(2001) }, today).text?.key).toBe("problem.tooLong");
    expect(validateTransition("cancel", { date: "", text: "The minister fell ill" }, today)).toEqual({});
  });

  it("sends each change with its own method, the day and the trimmed reason or outcome", () => {
    const held = buildTransitionRequest("held", "t1", { date: "2026-06-15", text: " Agreed " }, "r1");
    expect(held.method).toBe("markTalkHeld");
    expect(held.request).toMatchObject({ requestId: "r1", talkId: "t1", heldOn: { year: 2026, month: 6, day: 15 }, outcome: "Agreed" });
    const postpone = buildTransitionRequest("postpone", "t1", { date: "2026-07-01", text: "Later" }, "r2");
    expect(postpone.method).toBe("postponeTalk");
    expect(postpone.request).toMatchObject({ plannedOn: { year: 2026, month: 7, day: 1 }, reason: "Later" });
    expect(buildTransitionRequest("replan", "t1", { date: "2026-07-02", text: "" }, "r3").method).toBe("replanTalk");
    const cancel = buildTransitionRequest("cancel", "t1", { date: "2026-07-02", text: " No " }, "r4");
    expect(cancel.method).toBe("cancelTalk");
    expect(cancel.request).toMatchObject({ talkId: "t1", reason: "No" });
  });

  it("keeps the same action for the same change and a new one for another", () => {
    expect(transitionKey("cancel", "t1", { date: "2026-01-01", text: "a " })).toBe(transitionKey("cancel", "t1", { date: "", text: "a" }));
    expect(transitionKey("postpone", "t1", { date: "2026-07-01", text: "" })).not.toBe(transitionKey("postpone", "t1", { date: "2026-07-02", text: "" }));
  });

  it("says the service's refusals of a status change in words", () => {
    setLanguage("en");
    expect(preconditionText("the talk is HELD, which is final: it cannot become CANCELLED")).toBe("This is not possible for a talk that is held.");
    expect(preconditionText("a POSTPONED talk cannot become POSTPONED")).toBe("This is not possible for a talk that is postponed.");
    expect(preconditionText("commitment 1f2e was closed already, on 2026-06-01T10:00:00Z")).toBe("This commitment has already been closed.");
    expect(preconditionText("the talk is PLANNED: commitments are added to a held talk")).toBe("Commitments belong to a talk that was held.");
    setLanguage("nl");
    expect(preconditionText("the talk is CANCELLED, which is final: it cannot become HELD")).toBe("Dit kan niet met een gesprek dat geannuleerd is.");
  });
});

describe("a new talk", () => {
  it("names every missing field", () => {
    const errors = validateTalk("plan", emptyTalkInput(), today);
    expect(Object.keys(errors).sort()).toEqual(["country", "date", "level", "summary", "topics"]);
  });

  it("plans today or later and records today or earlier", () => {
    expect(validateTalk("plan", morocco({ date: "2026-06-14" }), today).date?.key).toBe("problem.past");
    expect(validateTalk("plan", morocco({ date: "2026-06-15" }), today)).toEqual({});
    expect(validateTalk("record", morocco({ date: "2026-06-16" }), today).date?.key).toBe("problem.future");
    expect(validateTalk("record", morocco({ date: "2026-06-15", followUpDue: "2026-06-14" }), today).followUpDue?.key).toBe("problem.beforeEarlierDate");
    expect(validateTalk("record", morocco({ date: "2026-06-15", followUpDue: "2026-07-01" }), today)).toEqual({});
  });

  it("refuses the Netherlands and unknown codes as the country, and a year outside 2000..2100", () => {
    expect(validateTalk("plan", morocco({ country: "NL", date: "2026-07-01" }), today).country?.key).toBe("problem.country");
    expect(validateTalk("plan", morocco({ date: "2026-07-01", statisticsYear: "1999" }), today).statisticsYear?.key).toBe("problem.year");
    expect(validateTalk("plan", morocco({ date: "2026-07-01", statisticsYear: "2025" }), today)).toEqual({});
  });

  it("plans with planned_on and no outcome; records with held_on, outcome and follow-up", () => {
    const plan = buildPlanTalkRequest(morocco({ date: "2026-07-01", outcome: "ignored", topics: [TalkTopic.OTHER, TalkTopic.ABANDONMENT, TalkTopic.OTHER] }), "r1");
    expect(plan.requestId).toBe("r1");
    expect(plan.talk).toMatchObject({ country: "MA", level: TalkLevel.AMBASSADOR, summary: "Returns of abandoned women", plannedOn: { year: 2026, month: 7, day: 1 }, outcome: "" });
    expect(plan.talk?.topics).toEqual([TalkTopic.ABANDONMENT, TalkTopic.OTHER]);
    expect(plan.talk?.heldOn).toBeUndefined();
    expect(plan.talk?.statisticsPeriod).toBeUndefined();
    const record = buildRecordTalkRequest(morocco({ date: "2026-06-10", outcome: " Good ", followUp: "Letter", followUpDue: "2026-07-01", statisticsYear: "2025" }), "r2");
    expect(record.talk).toMatchObject({ heldOn: { year: 2026, month: 6, day: 10 }, outcome: "Good", followUp: "Letter", followUpDue: { year: 2026, month: 7, day: 1 } });
    expect(record.talk?.plannedOn).toBeUndefined();
    expect(record.talk?.statisticsPeriod?.kind).toEqual({ case: "year", value: 2025 });
  });

  it("puts the service's field errors on the form's fields", () => {
    expect(talkFieldOfPath("talk.held_on")).toBe("date");
    expect(talkFieldOfPath("talk.planned_on")).toBe("date");
    expect(talkFieldOfPath("talk.topics[1]")).toBe("topics");
    expect(talkFieldOfPath("talk.statistics_period.year")).toBe("statisticsYear");
    expect(talkFieldOfPath("request_id")).toBeUndefined();
    expect(decisionFieldOfPath("decision.decided_on")).toBe("decidedOn");
  });
});

describe("retry safety", () => {
  it("sends a retried submit with the first request id, so a lost answer never creates twice", async () => {
    const sent: string[] = [];
    const action = new FormAction<string>();
    const input = morocco({ date: "2026-07-01" });
    let fail = true;
    const send = (requestId: string) => {
      sent.push(buildPlanTalkRequest(input, requestId).requestId);
      if (fail) {
        fail = false;
        return Promise.reject(new ConnectError("lost", Code.Unavailable));
      }
      return Promise.resolve("talk");
    };
    await action.for(talkKey("plan", input)).run(send, { sleep: () => Promise.resolve() });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    // Pressing the button again with the same input (the answer lost for good) reuses the id too.
    await action.for(talkKey("plan", { ...input, summary: `${input.summary}  ` })).run(send);
    expect(sent[2]).toBe(sent[0]);
    // Another input is another talk: a new id.
    await action.for(talkKey("plan", { ...input, date: "2026-07-02" })).run(send);
    expect(sent[3]).not.toBe(sent[0]);
  });
});

describe("commitments, decisions, briefings and figures", () => {
  it("needs a text, an owner and a due day not before the talk", () => {
    const held = { year: 2026, month: 6, day: 10 };
    expect(Object.keys(validateCommitment({ text: "", owner: " ", dueOn: "" }, held)).sort()).toEqual(["dueOn", "owner", "text"]);
    expect(validateCommitment({ text: "Send the list", owner: "DCM", dueOn: "2026-06-09" }, held).dueOn?.key).toBe("problem.beforeEarlierDate");
    expect(validateCommitment({ text: "Send the list", owner: "DCM", dueOn: "2026-06-10" }, held)).toEqual({});
    expect(buildAddCommitmentRequest("t1", { text: " Send ", owner: " DCM ", dueOn: "2026-06-10" }, "r1")).toMatchObject({ requestId: "r1", talkId: "t1", text: "Send", owner: "DCM", dueOn: held });
    expect(closingNoteProblem(" ")?.key).toBe("problem.required");
    expect(buildCloseCommitmentRequest("c1", " Done ", "r2")).toMatchObject({ requestId: "r2", commitmentId: "c1", closingNote: "Done" });
    expect(buildListCommitmentsRequest("MA", true, "p2")).toMatchObject({ country: "MA", openOnly: true, pageToken: "p2" });
  });

  it("records a decision on abandonment or divorce recognition, not in the future", () => {
    const errors = validateDecision(emptyDecisionInput(), today);
    expect(Object.keys(errors).sort()).toEqual(["country", "decidedOn", "decision", "level", "reasons", "topic"]);
    const input = { country: "MA", topic: TalkTopic.DIVORCE_RECOGNITION, decision: RaiseDecision.RAISE, level: TalkLevel.MINISTERIAL, reasons: " Many refusals ", decidedOn: "2026-06-16" };
    expect(validateDecision(input, today).decidedOn?.key).toBe("problem.future");
    expect(validateDecision({ ...input, topic: TalkTopic.OTHER, decidedOn: "2026-06-15" }, today).topic?.key).toBe("problem.choose");
    expect(validateDecision({ ...input, decidedOn: "2026-06-15" }, today)).toEqual({});
    expect(buildRecordDecisionRequest({ ...input, decidedOn: "2026-06-15" }, "r1").decision).toMatchObject({ country: "MA", reasons: "Many refusals", decidedOn: today });
  });

  it("stores a briefing in the language and format chosen, and downloads under a safe name", () => {
    expect(buildStoreBriefingRequest("t1", "nl", DossierFormat.CSV, "r1")).toMatchObject({ requestId: "r1", talkId: "t1", language: "nl", format: DossierFormat.CSV });
    expect(safeFilename("dossier-MA-2026.html")).toBe("dossier-MA-2026.html");
    expect(safeFilename("../../etc/passwd")).toBe("passwd");
    expect(safeFilename("..")).toBe("briefing");
  });

  it("never shows a suppressed figure as a number", () => {
    expect(figureValue(create(FigureSchema, { value: 0n, suppressed: true }))).toEqual({ suppressed: true });
    expect(figureValue(undefined)).toEqual({ suppressed: true });
    expect(figureValue(create(FigureSchema, { value: 10n }))).toEqual({ suppressed: false, value: 10 });
  });

  it("lists a talk by the day held, else the day planned", () => {
    const d1 = { year: 2026, month: 1, day: 1 };
    const d2 = { year: 2026, month: 2, day: 2 };
    expect(talkDay({ status: TalkStatus.HELD, heldOn: d1, plannedOn: d2 })).toBe(d1);
    expect(talkDay({ status: TalkStatus.POSTPONED, heldOn: undefined, plannedOn: d2 })).toBe(d2);
  });
});

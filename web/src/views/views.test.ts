// The screens' pure helpers (the screens themselves need a browser and are not tested here).
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { DeadlineKind, DeadlineSchema } from "../gen/consular/v1/cases_pb";
import { isCaseReference } from "./case";
import { caseHref, firstDeadlineByReference } from "./cases";
import { isPostCode } from "./signin";
import { isTalkId } from "./talk";
import { talkHref } from "./talks";

describe("screens", () => {
  it("takes the first (most urgent) deadline of each case", () => {
    const deadlines = [
      create(DeadlineSchema, { reference: "ABN-2026-00002", kind: DeadlineKind.FOLLOW_UP, passed: true }),
      create(DeadlineSchema, { reference: "ABN-2026-00001", kind: DeadlineKind.PERMIT_ABSENCE }),
      create(DeadlineSchema, { reference: "ABN-2026-00002", kind: DeadlineKind.HEARING }),
      create(DeadlineSchema, { reference: "", kind: DeadlineKind.SHARE_EXPIRY }),
    ];
    const first = firstDeadlineByReference(deadlines);
    expect([...first.keys()]).toEqual(["ABN-2026-00002", "ABN-2026-00001"]);
    expect(first.get("ABN-2026-00002")?.kind).toBe(DeadlineKind.FOLLOW_UP);
  });

  it("puts only the reference in a case's URL", () => {
    expect(caseHref("ABN-2026-00042")).toBe("#/case/ABN-2026-00042");
    expect(isCaseReference("ABN-2026-00042")).toBe(true);
    expect(isCaseReference("ABN 2026")).toBe(false);
    expect(isCaseReference("../x")).toBe(false);
    expect(isCaseReference("")).toBe(false);
  });

  it("accepts post codes as the unit register has them", () => {
    expect(isPostCode("RABAT")).toBe(true);
    expect(isPostCode("NEW-DELHI")).toBe(true);
    expect(isPostCode("R")).toBe(false);
    expect(isPostCode("rabat")).toBe(false);
    expect(isPostCode("1RABAT")).toBe(false);
  });

  it("puts only a talk's UUID in its URL", () => {
    const id = "0b6f7c1e-3d2a-4c5b-9e8f-1a2b3c4d5e6f";
    expect(talkHref(id)).toBe(`#/talks/${id}`);
    expect(isTalkId(id)).toBe(true);
    expect(isTalkId("MA")).toBe(false);
    expect(isTalkId(`${id}x`)).toBe(false);
  });
});

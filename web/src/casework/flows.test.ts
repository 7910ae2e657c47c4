// The casework requests through a transport, as the screens send them: one wizard submission
// keeps its request_id when the user tries again, and an edit that meets ABORTED is redone on the
// current version without undoing the other change.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { CaseAccess, CaseSchema, CaseService, type Case } from "../gen/consular/v1/cases_pb";
import { CaseType, NationalityStatus, ReferralSource, Sex } from "../gen/consular/v1/common_pb";
import { FormAction, type RetryOptions } from "../rpc";
import { buildUpdateRequest, conflictRows, draftOf, redoDraft, updateKey } from "./edit";
import { isAborted } from "./problems";
import { buildCreateCaseRequest, emptyWizardInput, submissionKey, type WizardInput } from "./wizard";

const instant: RetryOptions = { sleep: async () => {}, random: () => 0 };

function wizard(over: Partial<WizardInput> = {}): WizardInput {
  return {
    ...emptyWizardInput(),
    type: CaseType.ABANDONMENT,
    country: "MA",
    referralSource: ReferralSource.SELF,
    fullName: "Amina Test",
    sex: Sex.FEMALE,
    nationalityStatus: NationalityStatus.DUTCH_ONLY,
    ...over,
  };
}

describe("a wizard submission", () => {
  it("is sent again under the same request_id when the user tries again after the retries gave up", async () => {
    const ids: string[] = [];
    const transport = createRouterTransport(({ service }) => {
      service(CaseService, {
        createCase(req) {
          ids.push(req.requestId);
          if (ids.length <= 4) throw new ConnectError("down", Code.Unavailable);
          return create(CaseSchema, { reference: "ABN-2026-00007", subject: req.case?.subject });
        },
      });
    });
    const client = createClient(CaseService, transport);
    const submission = new FormAction<Case>();
    const send = (input: WizardInput) =>
      submission.for(submissionKey(input)).run((requestId) => client.createCase(buildCreateCaseRequest(input, requestId)), instant);

    await expect(send(wizard())).rejects.toMatchObject({ code: Code.Unavailable });
    expect(ids).toHaveLength(4); // the first try and 3 retries
    const created = await send(wizard()); // the user presses "try again"
    expect(created.reference).toBe("ABN-2026-00007");
    expect(new Set(ids).size).toBe(1);

    // After success the next submission, even of the same input, is a new one.
    submission.forget();
    await send(wizard({ fullName: "Other Person" }));
    expect(new Set(ids).size).toBe(2);
  });
});

describe("an edit that meets a newer version", () => {
  it("is shown beside the current case and saved on it, keeping both changes", async () => {
    let stored = create(CaseSchema, {
      id: "0b8f5a52-4f7e-4e53-9d1c-2f7a3c1d9e10",
      reference: "ABN-2026-00042",
      type: CaseType.ABANDONMENT,
      country: "MA",
      subject: { fullName: "Amina Test", sex: Sex.FEMALE, nationalityStatus: NationalityStatus.DUTCH_ONLY },
      safety: { safeContactChannel: "Sister", safeContactTimes: "Mornings" },
      version: 4n,
      callerAccess: CaseAccess.HANDLING,
    });
    const transport = createRouterTransport(({ service }) => {
      service(CaseService, {
        getCase: () => stored,
        updateCase(req) {
          if (req.expectedVersion !== stored.version) {
            throw new ConnectError(`case ABN-2026-00042 is at version ${stored.version}, not ${req.expectedVersion}`, Code.Aborted);
          }
          const next = create(CaseSchema, stored);
          for (const path of req.updateMask?.paths ?? []) {
            if (path === "safety.safe_contact_channel") next.safety!.safeContactChannel = req.case!.safety!.safeContactChannel;
            if (path === "safety.safe_contact_times") next.safety!.safeContactTimes = req.case!.safety!.safeContactTimes;
          }
          next.version = stored.version + 1n;
          stored = next;
          return stored;
        },
      });
    });
    const client = createClient(CaseService, transport);

    // Two officers read version 4.
    const mineBase = await client.getCase({ caseId: "ABN-2026-00042" });
    const theirsBase = await client.getCase({ caseId: "ABN-2026-00042" });
    const theirs = { ...draftOf(theirsBase), "safety.safe_contact_channel": "Shelter landline" };
    await client.updateCase(buildUpdateRequest(theirsBase, theirs, "phone taken", "their-id"));

    const mine = { ...draftOf(mineBase), "safety.safe_contact_times": "Evenings" };
    const first = new FormAction<Case>();
    const staleAction = first.for(updateKey(mineBase, mine, "works mornings"));
    const error = await staleAction
      .run((id) => client.updateCase(buildUpdateRequest(mineBase, mine, "works mornings", id)), instant)
      .catch((e: unknown) => e);
    expect(isAborted(error)).toBe(true);
    expect(stored.safety?.safeContactTimes).toBe("Mornings"); // nothing of mine was written

    const current = await client.getCase({ caseId: "ABN-2026-00042" });
    const rows = conflictRows(mineBase, mine, current);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ mine: "Evenings", theirs: "Mornings", theirsChanged: false });

    const redo = redoDraft(mineBase, mine, current);
    const key = updateKey(current, redo, "works mornings");
    expect(first.for(key).requestId).not.toBe(staleAction.requestId); // a new request, on the new version
    const saved = await first.for(key).run((id) => client.updateCase(buildUpdateRequest(current, redo, "works mornings", id)), instant);
    expect(saved.version).toBe(6n);
    expect(saved.safety).toMatchObject({ safeContactChannel: "Shelter landline", safeContactTimes: "Evenings" });
  });
});

// The partner directory's filters, a new partner's checks and request, and the vetting.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PartnerKind } from "../gen/consular/v1/common_pb";
import { PartnerSchema, Specialism, VettingStatus } from "../gen/consular/v1/contacts_pb";
import {
  buildCreatePartnerRequest,
  buildDeactivatePartnerRequest,
  buildUpdatePartnerRequest,
  deactivateReasonProblem,
  partnerInputOf,
  partnerUpdateMask,
  validatePartnerEdit,
  buildListPartnersRequest,
  buildSetVettingRequest,
  emptyPartnerInput,
  parseLanguages,
  partnerFieldOfPath,
  partnersPageSize,
  validatePartner,
  vettingProblems,
} from "./partners";
import { mayWritePartners } from "./roles";

describe("partners", () => {
  it("filters by country and specialism, page by page", () => {
    expect(buildListPartnersRequest({ country: "MA", specialism: Specialism.FAMILY_LAW }, "t2")).toMatchObject({
      country: "MA",
      specialism: Specialism.FAMILY_LAW,
      pageSize: partnersPageSize,
      pageToken: "t2",
    });
  });

  it("reads languages as two-letter codes", () => {
    expect(parseLanguages("AR, fr ar;nl")).toEqual(["ar", "fr", "nl"]);
    expect(parseLanguages("")).toEqual([]);
    expect(parseLanguages("arabic")).toBeUndefined();
  });

  it("checks a new partner as the service does", () => {
    expect(validatePartner(emptyPartnerInput())).toEqual({
      kind: { key: "problem.choose" },
      name: { key: "problem.required" },
      country: { key: "problem.choose" },
      city: { key: "problem.required" },
    });
    const input = { ...emptyPartnerInput(), kind: PartnerKind.LAWYER, name: "Cabinet X", country: "NL", city: "Rabat", languages: "french" };
    expect(validatePartner(input)).toEqual({ country: { key: "problem.country" }, languages: { key: "problem.languages" } });
  });

  it("builds CreatePartner with the request id, trimmed, without repeats", () => {
    const input = {
      ...emptyPartnerInput(),
      kind: PartnerKind.LAWYER,
      name: " Cabinet X ",
      country: "MA",
      city: " Rabat ",
      specialisms: [Specialism.FAMILY_LAW, Specialism.FAMILY_LAW],
      languages: "ar, fr",
      email: " x@example.org ",
    };
    expect(validatePartner(input)).toEqual({});
    const r = buildCreatePartnerRequest(input, "id-1");
    expect(r.requestId).toBe("id-1");
    expect(r.partner).toMatchObject({ kind: PartnerKind.LAWYER, name: "Cabinet X", country: "MA", city: "Rabat", specialisms: [Specialism.FAMILY_LAW], languages: ["ar", "fr"] });
    expect(r.partner?.contactDetails?.email).toBe("x@example.org");
  });

  it("maps the service's field paths to the form", () => {
    expect(partnerFieldOfPath("partner.contact_details.email")).toBe("email");
    expect(partnerFieldOfPath("partner.languages[1]")).toBe("languages");
    expect(partnerFieldOfPath("partner.version")).toBeUndefined();
  });

  it("records vetting with a decision, a note and the version read", () => {
    expect(vettingProblems(VettingStatus.UNSPECIFIED, " ")).toEqual({ status: { key: "problem.choose" }, note: { key: "problem.required" } });
    expect(vettingProblems(VettingStatus.VETTED, "checked with the bar")).toEqual({});
    expect(buildSetVettingRequest({ id: "p1", version: 4n }, VettingStatus.SUSPENDED, " complaint ", "id-2")).toMatchObject({
      requestId: "id-2",
      partnerId: "p1",
      status: VettingStatus.SUSPENDED,
      note: "complaint",
      expectedVersion: 4n,
    });
  });

  it("offers writing to post managers and administrators", () => {
    expect(mayWritePartners("ROLE_POST_MANAGER")).toBe(true);
    expect(mayWritePartners("ROLE_ADMINISTRATOR")).toBe(true);
    expect(mayWritePartners("ROLE_CONSULAR_OFFICER")).toBe(false);
    expect(mayWritePartners("ROLE_AUDITOR")).toBe(false);
  });
});

describe("changing and deactivating a partner", () => {
  const read = create(PartnerSchema, {
    id: "p1",
    kind: PartnerKind.LAWYER,
    name: "Cabinet A",
    country: "MA",
    city: "Rabat",
    specialisms: [Specialism.FAMILY_LAW],
    languages: ["ar", "fr"],
    contactDetails: { phone: "+212 1", email: "", address: "", website: "" },
    version: 4n,
  });

  it("starts the form from the partner as read and masks only what changed", () => {
    const input = partnerInputOf(read);
    expect(input).toMatchObject({ name: "Cabinet A", city: "Rabat", languages: "ar, fr", phone: "+212 1" });
    expect(partnerUpdateMask(read, input)).toEqual([]);
    expect(partnerUpdateMask(read, { ...input, languages: "fr ar" })).toEqual(["languages"]);
    expect(partnerUpdateMask(read, { ...input, name: " Cabinet A ", email: "a@b.ma", specialisms: [] })).toEqual(["specialisms", "contact_details.email"]);
  });

  it("sends the changes with the partner's id and the version read; kind and country stay", () => {
    const input = { ...partnerInputOf(read), city: " Casablanca ", kind: PartnerKind.SHELTER, country: "TN" };
    const r = buildUpdatePartnerRequest(read, input, "id-9");
    expect(r.requestId).toBe("id-9");
    expect(r.expectedVersion).toBe(4n);
    expect(r.updateMask?.paths).toEqual(["city"]);
    expect(r.partner).toMatchObject({ id: "p1", city: "Casablanca", kind: PartnerKind.LAWYER, country: "MA" });
  });

  it("checks the fields that may change", () => {
    const errors = validatePartnerEdit(read, { ...partnerInputOf(read), name: " ", languages: "arabic" });
    expect(errors).toEqual({ name: { key: "problem.required" }, languages: { key: "problem.languages" } });
  });

  it("needs a reason to deactivate, sent with the version read", () => {
    expect(deactivateReasonProblem("  ")).toEqual({ key: "problem.required" });
    expect(buildDeactivatePartnerRequest(read, " closed its office ", "id-10")).toMatchObject({
      requestId: "id-10",
      partnerId: "p1",
      reason: "closed its office",
      expectedVersion: 4n,
    });
  });
});

describe("saving again after a conflict", () => {
  it("sends only what this user changed, on the version read last", () => {
    const base = create(PartnerSchema, { id: "p1", kind: PartnerKind.LAWYER, name: "A", country: "MA", city: "Rabat", version: 4n });
    const current = create(PartnerSchema, { id: "p1", kind: PartnerKind.LAWYER, name: "A", country: "MA", city: "Rabat", contactDetails: { phone: "+212 5" }, version: 5n });
    const input = { ...partnerInputOf(base), city: "Casablanca" };
    const r = buildUpdatePartnerRequest(current, input, "id-11", base);
    expect(r.updateMask?.paths).toEqual(["city"]);
    expect(r.expectedVersion).toBe(5n);
  });
});

// The partner directory (PartnerService): the list's filters, a new partner's checks and
// request (CreatePartner), the vetting decision (SetVetting), changing a partner (UpdatePartner:
// only the fields changed, in the update mask) and deactivating one (DeactivatePartner), each
// with the version read.
import { create } from "@bufbuild/protobuf";
import { PartnerKind } from "../gen/consular/v1/common_pb";
import {
  CreatePartnerRequestSchema,
  DeactivatePartnerRequestSchema,
  ListPartnersRequestSchema,
  SetVettingRequestSchema,
  UpdatePartnerRequestSchema,
  Specialism,
  VettingStatus,
  type CreatePartnerRequest,
  type DeactivatePartnerRequest,
  type ListPartnersRequest,
  type Partner,
  type SetVettingRequest,
  type UpdatePartnerRequest,
} from "../gen/consular/v1/contacts_pb";
import { isFocusCountry } from "../countries";
import { requiredChoice, textProblem } from "./checks";
import type { Problem } from "./problems";

export const partnersPageSize = 50;

export interface PartnerFilters {
  country: string; // "" any
  specialism: Specialism; // UNSPECIFIED any
}

export function buildListPartnersRequest(f: PartnerFilters, pageToken: string): ListPartnersRequest {
  return create(ListPartnersRequestSchema, { country: f.country, specialism: f.specialism, pageSize: partnersPageSize, pageToken });
}

export interface PartnerInput {
  kind: PartnerKind;
  name: string;
  country: string;
  city: string;
  specialisms: Specialism[];
  /** ISO 639-1 codes separated by commas or spaces: "ar, fr". */
  languages: string;
  phone: string;
  email: string;
  address: string;
  website: string;
}

export type PartnerField = keyof PartnerInput;
export type PartnerErrors = Partial<Record<PartnerField, Problem>>;

export function emptyPartnerInput(): PartnerInput {
  return { kind: PartnerKind.UNSPECIFIED, name: "", country: "", city: "", specialisms: [], languages: "", phone: "", email: "", address: "", website: "" };
}

/** The language codes of the input, lower case, without repeats; undefined when one is no code. */
export function parseLanguages(value: string): string[] | undefined {
  const codes = value
    .split(/[\s,;]+/)
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);
  if (codes.some((c) => !/^[a-z]{2}$/.test(c))) return undefined;
  return [...new Set(codes)];
}

export function validatePartner(input: PartnerInput): PartnerErrors {
  const errors: PartnerErrors = {};
  const put = (field: PartnerField, p: Problem | undefined) => {
    if (p) errors[field] = p;
  };
  put("kind", requiredChoice(input.kind));
  put("name", textProblem(input.name, 200, true));
  put("country", input.country === "" ? { key: "problem.choose" } : isFocusCountry(input.country) ? undefined : { key: "problem.country" });
  put("city", textProblem(input.city, 100, true));
  if (parseLanguages(input.languages) === undefined) put("languages", { key: "problem.languages" });
  put("phone", textProblem(input.phone, 100));
  put("email", textProblem(input.email, 200));
  put("address", textProblem(input.address, 500));
  put("website", textProblem(input.website, 300));
  return errors;
}

export function buildCreatePartnerRequest(input: PartnerInput, requestId: string): CreatePartnerRequest {
  return create(CreatePartnerRequestSchema, {
    requestId,
    partner: {
      kind: input.kind,
      name: input.name.trim(),
      country: input.country,
      city: input.city.trim(),
      specialisms: [...new Set(input.specialisms)],
      languages: parseLanguages(input.languages) ?? [],
      contactDetails: {
        phone: input.phone.trim(),
        email: input.email.trim(),
        address: input.address.trim(),
        website: input.website.trim(),
      },
    },
  });
}

/** The form's field for a path the service named ("partner.contact_details.email"). */
export function partnerFieldOfPath(path: string): PartnerField | undefined {
  const p = path.replace(/^partner\./, "").replace(/\[\d+\]$/, "");
  const fields: Record<string, PartnerField> = {
    kind: "kind",
    name: "name",
    country: "country",
    city: "city",
    specialisms: "specialisms",
    languages: "languages",
    "contact_details.phone": "phone",
    "contact_details.email": "email",
    "contact_details.address": "address",
    "contact_details.website": "website",
  };
  return fields[p];
}

/** The vetting decisions a form offers. */
export const vettingChoices = [VettingStatus.VETTED, VettingStatus.SUSPENDED, VettingStatus.UNVETTED] as const;

export function vettingProblems(status: VettingStatus, note: string): { status?: Problem; note?: Problem } {
  const out: { status?: Problem; note?: Problem } = {};
  const s = requiredChoice(status);
  if (s) out.status = s;
  const n = textProblem(note, 2000, true);
  if (n) out.note = n;
  return out;
}

export function buildSetVettingRequest(partner: Pick<Partner, "id" | "version">, status: VettingStatus, note: string, requestId: string): SetVettingRequest {
  return create(SetVettingRequestSchema, { requestId, partnerId: partner.id, status, note: note.trim(), expectedVersion: partner.version });
}

/** The input of the edit form, filled from the partner as read. */
export function partnerInputOf(p: Partner): PartnerInput {
  const d = p.contactDetails;
  return {
    kind: p.kind,
    name: p.name,
    country: p.country,
    city: p.city,
    specialisms: [...p.specialisms].sort((a, b) => a - b),
    languages: p.languages.join(", "),
    phone: d?.phone ?? "",
    email: d?.email ?? "",
    address: d?.address ?? "",
    website: d?.website ?? "",
  };
}

/** The update-mask paths of what the input changes of the partner (kind and country are fixed). */
export function partnerUpdateMask(p: Partner, input: PartnerInput): string[] {
  const was = partnerInputOf(p);
  const paths: string[] = [];
  if (input.name.trim() !== was.name) paths.push("name");
  if (input.city.trim() !== was.city) paths.push("city");
  const specialisms = [...new Set(input.specialisms)].sort((a, b) => a - b);
  if (specialisms.join(",") !== was.specialisms.join(",")) paths.push("specialisms");
  if ((parseLanguages(input.languages) ?? []).join(",") !== p.languages.join(",")) paths.push("languages");
  for (const f of ["phone", "email", "address", "website"] as const) {
    if (input[f].trim() !== was[f]) paths.push(`contact_details.${f}`);
  }
  return paths;
}

/** The checks of the edit form: those of a new partner, on the fields that may change. */
export function validatePartnerEdit(p: Partner, input: PartnerInput): PartnerErrors {
  const errors = validatePartner({ ...input, kind: p.kind, country: p.country });
  delete errors.kind;
  delete errors.country;
  return errors;
}

/**
 * The changes the input makes to `base` (the partner as it was when the form was opened), sent on
 * the version of `p` (the partner as last read). After a conflict `p` is the partner as the other
 * change left it: only the fields this user changed are sent, so the other change stays unless
 * this user changed the same field.
 */
export function buildUpdatePartnerRequest(p: Partner, input: PartnerInput, requestId: string, base: Partner = p): UpdatePartnerRequest {
  const partner = buildCreatePartnerRequest({ ...input, kind: p.kind, country: p.country }, requestId).partner!;
  partner.id = p.id;
  return create(UpdatePartnerRequestSchema, {
    requestId,
    partner,
    updateMask: { paths: partnerUpdateMask(base, input) },
    expectedVersion: p.version,
  });
}

export function deactivateReasonProblem(reason: string): Problem | undefined {
  return textProblem(reason, 2000, true);
}

export function buildDeactivatePartnerRequest(p: Pick<Partner, "id" | "version">, reason: string, requestId: string): DeactivatePartnerRequest {
  return create(DeactivatePartnerRequestSchema, { requestId, partnerId: p.id, reason: reason.trim(), expectedVersion: p.version });
}

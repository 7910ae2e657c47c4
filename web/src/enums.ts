// Enum values shown as words: the message "enum.<VALUE_NAME>" of the catalogue. The unspecified
// value (0) shows as "—" (or the given text).
import type { DescEnum } from "@bufbuild/protobuf";
import { RoleSchema, CaseTypeSchema, CaseStatusSchema, OutcomeSchema, SexSchema, NationalityStatusSchema, RiskFlagSchema, ReferralSourceSchema, PartnerKindSchema, ContactPurposeSchema } from "./gen/consular/v1/common_pb";
import {
  AnswerSchema,
  CaseAccessSchema,
  CaseEventTypeSchema,
  DeadlineKindSchema,
  DocumentStatusSchema,
  DuplicateMatchSchema,
  EmergencyReviewSchema,
  InboxItemKindSchema,
  PermitKindSchema,
  PersonRoleSchema,
  ShareAccessSchema,
  TravelDocumentTypeSchema,
  ReturnFundingSchema,
  RecognitionObstacleSchema,
  RecognitionDecisionSchema,
  ProceedingsStageSchema,
} from "./gen/consular/v1/cases_pb";
import { CountryOrderSchema, DimensionSchema, IntervalSchema, MeasureSchema, ReleaseKindSchema } from "./gen/consular/v1/statistics_pb";
import { ContactChannelSchema, ContactDirectionSchema, ContactOutcomeSchema, SpecialismSchema, VettingStatusSchema } from "./gen/consular/v1/contacts_pb";
import { DossierFormatSchema, RaiseDecisionSchema, TalkLevelSchema, TalkStatusSchema, TalkTopicSchema } from "./gen/consular/v1/statistics_pb";
import { ExportProtectionSchema } from "./gen/consular/v1/exports_pb";
import { DestructionListStateSchema, DestructionResultSchema, ReviewDecisionSchema, ReviewSlotSchema } from "./gen/consular/v1/records_pb";
import { t, tMaybe } from "./i18n/i18n";

/** Every enum the screens show; the catalogue test checks each of their values has a message. */
export const shownEnums: readonly DescEnum[] = [
  RoleSchema,
  CaseTypeSchema,
  CaseStatusSchema,
  OutcomeSchema,
  SexSchema,
  NationalityStatusSchema,
  RiskFlagSchema,
  ReferralSourceSchema,
  PartnerKindSchema,
  ContactPurposeSchema,
  CaseAccessSchema,
  CaseEventTypeSchema,
  DeadlineKindSchema,
  DocumentStatusSchema,
  PersonRoleSchema,
  ShareAccessSchema,
  TravelDocumentTypeSchema,
  PermitKindSchema,
  DuplicateMatchSchema,
  ContactChannelSchema,
  ContactDirectionSchema,
  ContactOutcomeSchema,
  InboxItemKindSchema,
  AnswerSchema,
  EmergencyReviewSchema,
  SpecialismSchema,
  VettingStatusSchema,
  MeasureSchema,
  DimensionSchema,
  CountryOrderSchema,
  IntervalSchema,
  ReleaseKindSchema,
  ReturnFundingSchema,
  RecognitionObstacleSchema,
  RecognitionDecisionSchema,
  ProceedingsStageSchema,
  TalkLevelSchema,
  TalkTopicSchema,
  TalkStatusSchema,
  RaiseDecisionSchema,
  DossierFormatSchema,
  DestructionListStateSchema,
  ReviewSlotSchema,
  ReviewDecisionSchema,
  DestructionResultSchema,
  ExportProtectionSchema,
];

export function enumKey(valueName: string): string {
  return `enum.${valueName}`;
}

/** The word for an enum value; "—" for unspecified, the value's proto name when untranslated. */
export function enumLabel(schema: DescEnum, value: number, unspecified?: string): string {
  if (value === 0) return unspecified ?? t("common.none");
  const v = schema.value[value];
  if (!v) return t("common.unknownValue", { value });
  return tMaybe(enumKey(v.name)) ?? v.name;
}

/** The word for a role given by its proto name (the session's "ROLE_CONSULAR_OFFICER"). */
export function roleLabel(roleName: string): string {
  return tMaybe(enumKey(roleName)) ?? roleName;
}

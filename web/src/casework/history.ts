// The field-by-field history of a case (CaseService.ListCaseHistory) in words: a field's path as
// the label the edit form gives it, and a value as the service writes it (strings as they are,
// enum value names, dates YYYY-MM-DD, true/false, lists joined by ", ") in the user's language.
import { parseIsoDate } from "../dates";
import { formatCountry, formatDate, formatList } from "../format";
import { t, tMaybe, type MessageKey } from "../i18n/i18n";
import { changedFieldLabel } from "./edit";

/** Fields a change may name that the edit form does not have. */
const otherFields: Record<string, MessageKey> = {
  status: "case.status",
  outcome: "case.outcome",
  handling_post: "case.handlingUnit",
  assigned_to: "case.assignedTo",
  persons: "persons.heading",
  documents: "documents.heading",
  subject: "subject.heading",
  safety: "safety.heading",
  "safety.code_word": "safety.codeWord",
  "safety.covert_notes_shareable": "history.covertShareable",
  "divorce_recognition.stages": "history.stages",
  "divorce_recognition.obstacles": "history.obstacles",
  "abandonment.documents_withheld": "history.documentsWithheld",
};

/** The label of a field path; the path itself when it has none. */
export function historyFieldLabel(path: string): string {
  const key = changedFieldLabel(path) ?? otherFields[path.replace(/^case\./, "")];
  return key ? t(key) : path;
}

function oneValue(value: string, path: string): string {
  if (/^[A-Z][A-Z0-9_]*[A-Z0-9]$/.test(value) && value.includes("_")) {
    const word = tMaybe(`enum.${value}`);
    if (word) return word;
  }
  if (value === "true") return t("common.yes");
  if (value === "false") return t("common.no");
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = parseIsoDate(value);
    if (d) return formatDate(d);
  }
  if (path === "country" && /^[A-Z]{2}$/.test(value)) return formatCountry(value);
  return value;
}

/** A value of a change in words; "" (unset) is said as such. */
export function historyValue(value: string, path: string): string {
  if (value.trim() === "") return t("history.empty");
  const parts = value.split(", ");
  if (parts.length > 1 && parts.every((p) => /^[A-Z][A-Z0-9_]*$/.test(p))) return formatList(parts.map((p) => oneValue(p, path)));
  return oneValue(value, path);
}

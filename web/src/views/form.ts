// Form controls with their label, hint and error tied together: the error of a field is a
// paragraph referenced by aria-describedby (with aria-invalid on the control), and a summary of
// all errors (role="alert") links to each field. Values live in the screen's state: each control
// reports its changes through onValue and never re-renders the screen while typing.
import type { DescEnum } from "@bufbuild/protobuf";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { t } from "../i18n/i18n";

export interface FieldOptions {
  id: string;
  label: string;
  hint?: string;
  /** The error shown on the field, if any. */
  error?: string;
  /** A warning about the field's choices (shown beside it, read with it). */
  warning?: string;
  required?: boolean;
}

function describedBy(o: FieldOptions): string | undefined {
  const ids = [o.hint ? `${o.id}-hint` : "", o.warning ? `${o.id}-warning` : "", o.error ? `${o.id}-error` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

function controlAttrs(o: FieldOptions) {
  return {
    id: o.id,
    name: o.id,
    "aria-describedby": describedBy(o),
    "aria-invalid": o.error ? "true" : undefined,
    "aria-required": o.required ? "true" : undefined,
  };
}

function hintAndError(o: FieldOptions): Child[] {
  return [
    o.hint ? h("p", { id: `${o.id}-hint`, class: "hint" }, o.hint) : null,
    o.warning ? h("p", { id: `${o.id}-warning`, class: "field-warning" }, o.warning) : null,
    o.error ? h("p", { id: `${o.id}-error`, class: "field-error" }, o.error) : null,
  ];
}

function labelFor(o: FieldOptions): HTMLElement {
  return h("label", { for: o.id }, o.required ? t("form.requiredLabel", { label: o.label }) : o.label);
}

function wrap(o: FieldOptions, control: HTMLElement, extraClass = ""): HTMLElement {
  return h(
    "div",
    { class: `form-field${o.error ? " has-error" : ""}${extraClass ? ` ${extraClass}` : ""}` },
    labelFor(o),
    ...hintAndError(o),
    control,
  );
}

export function textField(
  o: FieldOptions & { value: string; maxChars?: number; autocomplete?: string; onValue: (v: string) => void },
): HTMLElement {
  return wrap(
    o,
    h("input", {
      ...controlAttrs(o),
      type: "text",
      value: o.value,
      autocomplete: o.autocomplete ?? "off",
      spellcheck: "false",
      oninput: (e: Event) => o.onValue((e.target as HTMLInputElement).value),
    }),
  );
}

export function textArea(o: FieldOptions & { value: string; rows?: number; onValue: (v: string) => void }): HTMLElement {
  const area = h("textarea", {
    ...controlAttrs(o),
    rows: o.rows ?? 4,
    autocomplete: "off",
    oninput: (e: Event) => o.onValue((e.target as HTMLTextAreaElement).value),
  });
  area.value = o.value;
  return wrap(o, area);
}

export function dateField(o: FieldOptions & { value: string; onValue: (v: string) => void }): HTMLElement {
  return wrap(
    o,
    h("input", {
      ...controlAttrs(o),
      type: "date",
      value: o.value,
      autocomplete: "off",
      // Both events: some browsers report a picked day only on change.
      oninput: (e: Event) => o.onValue((e.target as HTMLInputElement).value),
      onchange: (e: Event) => o.onValue((e.target as HTMLInputElement).value),
    }),
    "form-field-short",
  );
}

export function dateTimeField(o: FieldOptions & { value: string; max?: string; onValue: (v: string) => void }): HTMLElement {
  return wrap(
    o,
    h("input", {
      ...controlAttrs(o),
      type: "datetime-local",
      value: o.value,
      max: o.max,
      autocomplete: "off",
      oninput: (e: Event) => o.onValue((e.target as HTMLInputElement).value),
      onchange: (e: Event) => o.onValue((e.target as HTMLInputElement).value),
    }),
    "form-field-short",
  );
}

export interface Choice {
  value: string;
  label: string;
  disabled?: boolean;
}

/** A select; `placeholder` is a first, empty choice ("Choose …"). */
export function selectField(
  o: FieldOptions & {
    value: string;
    choices: readonly Choice[];
    placeholder?: string;
    groups?: readonly { label: string; choices: readonly Choice[] }[];
    onValue: (v: string) => void;
  },
): HTMLElement {
  const option = (c: Choice) => h("option", { value: c.value, selected: c.value === o.value, disabled: c.disabled }, c.label);
  return wrap(
    o,
    h(
      "select",
      {
        ...controlAttrs(o),
        onchange: (e: Event) => o.onValue((e.target as HTMLSelectElement).value),
      },
      o.placeholder !== undefined ? h("option", { value: "", selected: o.value === "" }, o.placeholder) : null,
      o.groups?.map((g) => h("optgroup", { label: g.label }, g.choices.map(option))),
      o.choices.map(option),
    ),
  );
}

/** The values of an enum as choices (unspecified left out), in their order or the one given. */
export function enumChoices(schema: DescEnum, only?: readonly number[]): Choice[] {
  const numbers = only ?? schema.values.map((v) => v.number).filter((n) => n !== 0);
  return numbers.map((n) => ({ value: String(n), label: enumLabel(schema, n) }));
}

export function checkboxField(o: FieldOptions & { checked: boolean; onValue: (v: boolean) => void }): HTMLElement {
  return h(
    "div",
    { class: `form-field form-check${o.error ? " has-error" : ""}` },
    h("input", {
      ...controlAttrs(o),
      type: "checkbox",
      checked: o.checked,
      onchange: (e: Event) => o.onValue((e.target as HTMLInputElement).checked),
    }),
    h("label", { for: o.id }, o.label),
    ...hintAndError(o),
  );
}

/** Several checkboxes under one legend; the first box has the group's id (for error links). */
export function checkboxGroup(
  o: FieldOptions & { values: readonly number[]; choices: readonly Choice[]; onValue: (v: number[]) => void },
): HTMLElement {
  const set = new Set(o.values);
  return h(
    "fieldset",
    {
      class: `form-group${o.error ? " has-error" : ""}`,
      "aria-describedby": describedBy(o),
    },
    h("legend", null, o.label),
    ...hintAndError(o),
    o.choices.map((c, i) => {
      const id = i === 0 ? o.id : `${o.id}-${c.value}`;
      const n = Number(c.value);
      return h(
        "div",
        { class: "form-check" },
        h("input", {
          id,
          type: "checkbox",
          value: c.value,
          checked: set.has(n),
          onchange: (e: Event) => {
            if ((e.target as HTMLInputElement).checked) set.add(n);
            else set.delete(n);
            o.onValue([...set].sort((a, b) => a - b));
          },
        }),
        h("label", { for: id }, c.label),
      );
    }),
  );
}

/** Radio buttons under one legend; the first button has the group's id. */
export function radioGroup(
  o: FieldOptions & { value: string; choices: readonly Choice[]; name: string; onValue: (v: string) => void },
): HTMLElement {
  return h(
    "fieldset",
    { class: `form-group${o.error ? " has-error" : ""}`, "aria-describedby": describedBy(o) },
    h("legend", null, o.required ? t("form.requiredLabel", { label: o.label }) : o.label),
    ...hintAndError(o),
    o.choices.map((c, i) => {
      const id = i === 0 ? o.id : `${o.id}-${c.value}`;
      return h(
        "div",
        { class: "form-check" },
        h("input", {
          id,
          type: "radio",
          name: o.name,
          value: c.value,
          checked: c.value === o.value,
          disabled: c.disabled,
          "aria-invalid": o.error ? "true" : undefined,
          onchange: (e: Event) => {
            if ((e.target as HTMLInputElement).checked) o.onValue(c.value);
          },
        }),
        h("label", { for: id }, c.label),
      );
    }),
  );
}

/**
 * The errors of a form in one place (role="alert"), each a link that moves the focus to its
 * field. The links do not change the address (the hash is the screen's route).
 */
export function errorSummary(id: string, errors: readonly { fieldId: string; label: string; text: string }[]): HTMLElement | null {
  if (errors.length === 0) return null;
  return h(
    "div",
    { id, class: "message message-error error-summary", role: "alert", tabindex: -1 },
    h("p", null, h("strong", null, t("form.errorSummary"))),
    h(
      "ul",
      null,
      errors.map((e) =>
        h(
          "li",
          null,
          h(
            "a",
            {
              href: `#${e.fieldId}`,
              onclick: (ev: Event) => {
                ev.preventDefault();
                document.getElementById(e.fieldId)?.focus();
              },
            },
            t("form.errorLink", { label: e.label, problem: e.text }),
          ),
        ),
      ),
    ),
  );
}

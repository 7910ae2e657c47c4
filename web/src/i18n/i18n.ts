// Keyed messages in Dutch (the default) and English. A message is one whole sentence or label
// with named placeholders such as {count}; format() fills them. Translated pieces are never
// concatenated. Numbers in placeholders, dates and countries go through Intl for the language.
import en from "./en.json";
import nl from "./nl.json";

export const languages = ["nl", "en"] as const;
export type Lang = (typeof languages)[number];
export const defaultLanguage: Lang = "nl";

export type MessageKey = keyof typeof nl;
/** The base of a message that has plural forms: "x.one" and "x.other" (and so on) exist. */
export type PluralBase = MessageKey extends infer K ? (K extends `${infer B}.other` ? B : never) : never;
export type Params = Readonly<Record<string, string | number>>;

// en.json must have the keys nl.json has (the catalogue test checks the converse too).
const english: Record<MessageKey, string> = en;
const catalogues: Readonly<Record<Lang, Readonly<Record<string, string>>>> = { nl, en: english };
const locales: Readonly<Record<Lang, string>> = { nl: "nl-NL", en: "en-GB" };

let current: Lang = defaultLanguage;

export function language(): Lang {
  return current;
}

export function setLanguage(lang: Lang): void {
  current = lang;
}

export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (languages as readonly string[]).includes(value);
}

/** The BCP 47 locale used with Intl for a language. */
export function locale(lang: Lang = current): string {
  return locales[lang];
}

const numberFormats = new Map<Lang, Intl.NumberFormat>();

export function formatNumber(value: number, lang: Lang = current): string {
  let nf = numberFormats.get(lang);
  if (!nf) {
    nf = new Intl.NumberFormat(locale(lang));
    numberFormats.set(lang, nf);
  }
  return nf.format(value);
}

/** Fills the named placeholders of a template; a number is formatted for the language. */
export function format(template: string, params: Params | undefined, lang: Lang = current): string {
  if (!params) return template;
  return template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? formatNumber(value, lang) : value;
  });
}

/** The message for a key known at compile time. */
export function t(key: MessageKey, params?: Params, lang: Lang = current): string {
  return format(catalogues[lang][key] ?? catalogues[defaultLanguage][key] ?? key, params, lang);
}

/** The message for a key built at run time (enum values), or undefined when there is none. */
export function tMaybe(key: string, params?: Params, lang: Lang = current): string | undefined {
  const template = catalogues[lang][key];
  return template === undefined ? undefined : format(template, params, lang);
}

/**
 * The plural form of a message for count: base + "." + the CLDR category of count in the
 * language ("one", "other", ...), falling back to base + ".other". count is also a placeholder.
 */
export function tPlural(base: PluralBase, count: number, params?: Params, lang: Lang = current): string {
  const category = new Intl.PluralRules(locale(lang)).select(count);
  const all = { ...params, count };
  return tMaybe(`${base}.${category}`, all, lang) ?? t(`${base}.other` as MessageKey, all, lang);
}

/** The keys of a catalogue (for tests). */
export function catalogueKeys(lang: Lang): string[] {
  return Object.keys(catalogues[lang]);
}

// The language choice lives in a cookie "lang", not in browser storage.
const cookieName = "lang";
const oneYearSeconds = 365 * 24 * 60 * 60;

/** The language named by a Cookie header / document.cookie string, if any. */
export function languageFromCookie(cookie: string): Lang | undefined {
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== cookieName) continue;
    const value = part.slice(eq + 1).trim();
    return isLang(value) ? value : undefined;
  }
  return undefined;
}

/** The document.cookie assignment that remembers a language for a year. */
export function languageCookie(lang: Lang, secure: boolean): string {
  return `${cookieName}=${lang}; Path=/; Max-Age=${oneYearSeconds}; SameSite=Strict${secure ? "; Secure" : ""}`;
}

import { afterEach, describe, expect, it } from "vitest";
import { format, formatNumber, language, languageCookie, languageFromCookie, setLanguage, t, tMaybe, tPlural } from "./i18n";

afterEach(() => setLanguage("nl"));

describe("i18n", () => {
  it("is Dutch by default", () => {
    expect(language()).toBe("nl");
    expect(t("header.signOut")).toBe("Afmelden");
  });

  it("switches language", () => {
    setLanguage("en");
    expect(t("header.signOut")).toBe("Sign out");
  });

  it("fills named placeholders, numbers formatted for the language", () => {
    expect(format("{a} en {b}", { a: "x", b: 1234567 }, "nl")).toBe("x en 1.234.567");
    expect(format("{a} and {b}", { a: "x", b: 1234567 }, "en")).toBe("x and 1,234,567");
    expect(formatNumber(0.5, "nl")).toBe("0,5");
    expect(format("{missing} stays", {}, "en")).toBe("{missing} stays");
    expect(t("case.title", { reference: "ABN-2026-00042" })).toBe("Zaak ABN-2026-00042");
  });

  it("does not interpret placeholders inside values", () => {
    expect(format("{a}", { a: "{b}", b: "no" }, "en")).toBe("{b}");
  });

  it("chooses the plural form for the count", () => {
    expect(tPlural("cases.loaded", 1, { page: 2 })).toBe("1 zaak geladen (pagina 2).");
    expect(tPlural("cases.loaded", 25, { page: 1 })).toBe("25 zaken geladen (pagina 1).");
    expect(tPlural("cases.loaded", 0, { page: 1 }, "en")).toBe("0 cases loaded (page 1).");
    expect(tPlural("timeline.loadedMore", 1, undefined, "en")).toBe("1 more event loaded.");
  });

  it("answers undefined for a key built at run time that does not exist", () => {
    expect(tMaybe("enum.CASE_STATUS_ACTIVE")).toBe("In behandeling");
    expect(tMaybe("enum.NO_SUCH_VALUE")).toBeUndefined();
  });

  it("remembers the language in a cookie, not in storage", () => {
    expect(languageCookie("en", true)).toBe("lang=en; Path=/; Max-Age=31536000; SameSite=Strict; Secure");
    expect(languageCookie("nl", false)).toBe("lang=nl; Path=/; Max-Age=31536000; SameSite=Strict");
    expect(languageFromCookie("a=b; lang=en; c=d")).toBe("en");
    expect(languageFromCookie("lang=nl")).toBe("nl");
    expect(languageFromCookie("lang=fr")).toBeUndefined();
    expect(languageFromCookie("xlang=en")).toBeUndefined();
    expect(languageFromCookie("")).toBeUndefined();
  });
});

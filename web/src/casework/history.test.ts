// The history's fields and values in words.
import { afterEach, describe, expect, it } from "vitest";
import { setLanguage, t } from "../i18n/i18n";
import { historyFieldLabel, historyValue } from "./history";

afterEach(() => setLanguage("nl"));

describe("history in words", () => {
  it("names fields by the labels of the case page", () => {
    setLanguage("en");
    expect(historyFieldLabel("safety.safe_contact_times")).toBe(t("safety.times"));
    expect(historyFieldLabel("status")).toBe("Status");
    expect(historyFieldLabel("handling_post")).toBe("Handling unit");
    expect(historyFieldLabel("something.new")).toBe("something.new");
  });

  it("says enum values, dates, booleans, lists and empty values in the user's language", () => {
    setLanguage("nl");
    expect(historyValue("CASE_STATUS_ON_HOLD", "status")).not.toMatch(/CASE_STATUS/);
    expect(historyValue("", "safety.safe_contact_times")).toBe("(leeg)");
    expect(historyValue("true", "safety.do_not_contact_family")).toBe("Ja");
    expect(historyValue("2026-03-01", "subject.date_of_birth")).toMatch(/2026/);
    expect(historyValue("2026-03-01", "subject.date_of_birth")).not.toBe("2026-03-01");
    expect(historyValue("MA", "country")).toBe("Marokko (MA)");
    expect(historyValue("after 18:00, weekdays", "safety.safe_contact_times")).toBe("after 18:00, weekdays");
    expect(historyValue("RISK_FLAG_FORCED_MARRIAGE, RISK_FLAG_PASSPORT_WITHHELD", "risk_flags")).not.toMatch(/RISK_FLAG/);
  });
});

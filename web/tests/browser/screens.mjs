// The screens beyond the officer's day, in headless Chromium against a running gateway with
// consular-cases, consular-contacts and consular-audit behind it: a post manager's deadlines,
// inbox, partner directory (adding a partner) and emergency-access review list; a manager of
// another post searching for the person in an emergency, opening access and seeing its countdown
// on the case page; an auditor's trail of the case, the chain check and the review of that access.
// Every screen is scanned with axe-core and saved as a screenshot.
//
// Environment: WEB_URL, CASE_REF, CASE_NAME and CASE_DOB (a case of RABAT), SCREENSHOTS,
// CHROMIUM (default /usr/bin/chromium). Prints PASS/FAIL lines; exits 1 when a check failed.
import { mkdirSync } from "node:fs";
import { checker, launchChromium, scanScreen } from "./lib.mjs";

const url = process.env.WEB_URL;
const ref = process.env.CASE_REF;
const name = process.env.CASE_NAME;
const dob = process.env.CASE_DOB;
const shots = process.env.SCREENSHOTS;
if (!url || !ref || !name || !dob || !shots) {
  console.error("screens.mjs: set WEB_URL, CASE_REF, CASE_NAME, CASE_DOB and SCREENSHOTS");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const { check, failures } = checker();
const scan = (page, screen) => scanScreen(page, screen, shots, check);
const browser = await launchChromium();
const cspViolations = [];

async function signIn(role, unit) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "nl-NL" });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) cspViolations.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector("#signin-role");
  await page.selectOption("#signin-role", role);
  if (unit) await page.fill("#signin-unit", unit);
  await page.click("#signin-submit");
  await page.waitForSelector("#sign-out");
  return page;
}

// Fills a field whether it is a select or an input.
async function set(page, selector, value) {
  const tag = await page.$eval(selector, (e) => e.tagName);
  if (tag === "SELECT") await page.selectOption(selector, value);
  else await page.fill(selector, value);
}

try {
  // A post manager of RABAT.
  const manager = await signIn("ROLE_POST_MANAGER", "RABAT");
  await manager.click("#nav-deadlines");
  await manager.waitForSelector("#deadlines-table, #deadlines-empty");
  check("the deadlines screen opens", true);
  await scan(manager, "deadlines");
  await manager.click("#nav-inbox");
  await manager.waitForSelector("#inbox-to-answer, #inbox-to-answer-empty");
  check("the inbox opens", true);
  await scan(manager, "inbox");

  await manager.click("#nav-partners");
  await manager.waitForSelector("#partners-table, #partners-empty");
  await scan(manager, "partners");
  await manager.click("#partner-create-start");
  await manager.waitForSelector("#partner-create-form");
  await manager.click("#partner-create-submit");
  await manager.waitForSelector("#partner-create-errors");
  check("adding a partner with nothing filled in names the fields", true);
  await scan(manager, "partner-create-errors");
  await manager.selectOption("#partner-kind", { index: 1 });
  await manager.fill("#partner-name", "Cabinet Browsertest");
  await set(manager, "#partner-country", "MA");
  await manager.fill("#partner-city", "Rabat");
  await manager.click("#partner-create-submit");
  await manager.waitForSelector("#partner-detail >> text=Cabinet Browsertest", { timeout: 15000 });
  check("a post manager adds a partner in Morocco and sees it", true);
  await scan(manager, "partner-detail");

  // A manager elsewhere, in an emergency.
  const tunis = await signIn("ROLE_POST_MANAGER", "TUNIS");
  await tunis.click("#nav-emergency");
  await tunis.waitForSelector("#emergency-search-form");
  await tunis.click("#emergency-search-submit");
  await tunis.waitForSelector("#emergency-search-errors");
  check("an emergency search without name, date of birth and reason is refused by field", true);
  await scan(tunis, "emergency-search-errors");
  await tunis.fill("#emergency-name", name);
  await tunis.fill("#emergency-dob", dob);
  await tunis.fill("#emergency-reason", "She is at the Tunis desk now and asks for help");
  await tunis.click("#emergency-search-submit");
  await tunis.waitForSelector("#emergency-hit-0", { timeout: 15000 });
  check("the emergency search finds her case at RABAT",
        (await tunis.textContent("#emergency-hit-0")).includes(ref));
  await scan(tunis, "emergency-hits");
  await tunis.click("#emergency-open-0");
  await tunis.waitForSelector("#emergency-open-reason");
  await tunis.fill("#emergency-open-reason", "She is at the Tunis desk now and asks for help");
  await tunis.selectOption("#emergency-open-minutes", "30");
  await tunis.click("#emergency-open-submit");
  await tunis.waitForSelector("#emergency-countdown", { timeout: 15000 });
  await tunis.waitForSelector(`text=${name}`);
  check("emergency access opens the case with a visible countdown",
        /\d/.test(await tunis.textContent("#emergency-countdown")));
  check("the person's name is not in the address", !tunis.url().includes(encodeURIComponent(name)) &&
        !tunis.url().includes(name));
  await scan(tunis, "case-emergency");

  await manager.click("#nav-emergency");
  await manager.waitForSelector("#emergency-review");
  await manager.waitForSelector("[id^=emergency-access-]", { timeout: 15000 });
  check("RABAT's manager sees the emergency access to review", true);
  await scan(manager, "emergency-review");

  // The auditor.
  const auditor = await signIn("ROLE_AUDITOR", "");
  await auditor.click("#nav-audit");
  await auditor.waitForSelector("#audit-filters");
  await auditor.fill("#audit-case", ref);
  await auditor.click("#audit-search");
  await auditor.waitForSelector("#audit-table", { timeout: 15000 });
  check("the auditor finds the case's trail by its reference, the emergency reads flagged",
        (await auditor.$$("[id^=audit-event-][data-emergency=true]")).length > 0);
  await scan(auditor, "audit");
  await auditor.click("#audit-verify-button");
  await auditor.waitForSelector("#audit-verify-result", { timeout: 15000 });
  check("the chain check says the chain is intact",
        (await auditor.getAttribute("#audit-verify-result", "data-ok")) === "true");
  await scan(auditor, "audit-verified");
  await auditor.click("#nav-emergency");
  await auditor.waitForSelector("[id^=emergency-justified-]", { timeout: 15000 });
  await auditor.click("[id^=emergency-justified-]");
  await auditor.waitForSelector("#emergency-review-done", { timeout: 15000 });
  check("the auditor reviews the emergency access as justified", true);
  await scan(auditor, "emergency-reviewed");

  check("no Content Security Policy violation", cspViolations.length === 0, cspViolations.join("; "));
} catch (error) {
  check("the screens walk ran to its end", false, String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}
console.log(failures() === 0 ? "screens walk: every check passed" : `screens walk: ${failures()} failed`);
process.exit(failures() === 0 ? 0 : 1);

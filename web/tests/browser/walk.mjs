// The web client in headless Chromium (Debian's) against a running gateway: sign in, the unit's
// cases, one case, the language switch, sign-out, and another post's officer kept out. Every
// screen is scanned with axe-core (WCAG 2.1 A and AA rules) and saved as a screenshot.
//
// With CASEWORK=1 it also walks an officer's day (the gateway must reach consular-cases and
// consular-contacts): opening a case through the wizard with its safety information, changing
// it with a reason, logging a contact with a follow-up due today, completing the follow-up on
// the follow-ups screen, moving the case to ACTIVE and then to RESOLVED (first with an outcome
// the service refuses, then with one it accepts), a note; and a conflict: two officers edit the
// same case, the second sees the conflict view and, after putting the changes on the current
// version, both changes are on the case.
//
// Environment: WEB_URL (the gateway), CASE_REF and CASE_NAME (a case of RABAT, with covert notes
// COVERT), SCREENSHOTS (a folder), CHROMIUM (default /usr/bin/chromium); CASEWORK=1 for the
// officer's day and the conflict check; PARTNER_NAME (optional, with CASEWORK): an active partner
// of the directory in Morocco (MA) to log the contact with, else the contact is with someone not
// in the directory.
// Prints PASS/FAIL lines; exits 1 when a check failed.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { checker, englishLeft, launchChromium, scanScreen } from "./lib.mjs";

const url = process.env.WEB_URL;
const ref = process.env.CASE_REF;
const name = process.env.CASE_NAME;
const covert = process.env.COVERT;
const shots = process.env.SCREENSHOTS;
const casework = process.env.CASEWORK === "1";
const partnerName = process.env.PARTNER_NAME ?? "";
if (!url || !ref || !name || !covert || !shots) {
  console.error("walk.mjs: set WEB_URL, CASE_REF, CASE_NAME, COVERT and SCREENSHOTS");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const { check, failures } = checker();
const scan = (page, screen) => scanScreen(page, screen, shots, check);

async function storageIsEmpty(page) {
  return page.evaluate(async () => {
    const databases = indexedDB.databases ? await indexedDB.databases() : [];
    return localStorage.length === 0 && sessionStorage.length === 0 && databases.length === 0;
  });
}

const browser = await launchChromium();
const cspViolations = [];
const urls = [];
async function newPage() {
  // The development certificate's CA is not the browser's; TLS itself is real.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "nl-NL" });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) cspViolations.push(m.text());
  });
  page.on("framenavigated", (f) => urls.push(f.url()));
  page.on("request", (r) => urls.push(r.url()));
  return page;
}

async function signIn(page, unit) {
  await page.goto(url);
  await page.waitForSelector("#signin-role");
  await page.selectOption("#signin-role", "ROLE_CONSULAR_OFFICER");
  await page.fill("#signin-unit", unit);
  await page.click("#signin-submit");
  await page.waitForSelector("#sign-out");
}

// Enum values as the API numbers them (the selects' values): consular.v1 common.proto and
// contacts.proto.
const REFERRAL_FAMILY = "2";
const SEX_FEMALE = "1";
const NATIONALITY_DUAL = "2";
const DIRECTION_OUTGOING = "1";
const CHANNEL_PHONE = "1";
const PURPOSE_SHELTER = "3";
const CONTACT_HELP_AGREED = "1";
const OUTCOME_RETURNED_TO_NL = "1";
const OUTCOME_STAYED_BY_OWN_CHOICE = "2";

/** Today in the browser's time zone, as <input type="date"> takes it. */
function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

const bodyText = (page) => page.evaluate(() => document.body.innerText);

/** The officer's day: returns the new case's reference and the subject's name. */
async function officersDay(page) {
  const stamp = Date.now().toString(36);
  const subject = `Walk Officerday ${stamp}`;
  const covertNew = `Only call the sister, ${stamp}`;

  await page.click("#nav-new");
  await page.waitForSelector("#new-type");
  await scan(page, "new-case-step-1");
  await page.click("#new-next");
  await page.waitForSelector("#new-errors");
  check("the wizard refuses an empty first step, with the errors tied to their fields",
        (await page.getAttribute("#new-country", "aria-invalid")) === "true" &&
        (await page.getAttribute("#new-country", "aria-describedby"))?.includes("new-country-error"));
  await scan(page, "new-case-step-1-errors");

  await page.check("#new-type"); // the first choice: abandonment
  await page.selectOption("#new-country", "MA");
  await page.selectOption("#new-referral", REFERRAL_FAMILY);
  await page.click("#new-next");
  await page.waitForSelector("#new-name");
  await scan(page, "new-case-step-2");
  await page.fill("#new-name", subject);
  await page.fill("#new-dob", "1991-04-12");
  await page.selectOption("#new-sex", SEX_FEMALE);
  await page.selectOption("#new-nationality", NATIONALITY_DUAL);
  await page.click("#new-next");
  await page.waitForSelector("#new-left-nl");
  await page.fill("#new-left-nl", "2025-11-02");
  await page.check("#new-risk-flags"); // the first flag
  await page.fill("#new-safe-channel", "Her sister's mobile");
  await page.fill("#new-safe-times", "Weekdays 10:00-12:00");
  await page.fill("#new-covert-notes", covertNew);
  await scan(page, "new-case-step-3");
  await page.click("#new-next");
  await page.waitForSelector("#new-submit");
  check("the review shows what will be sent", (await bodyText(page)).includes(subject));
  await scan(page, "new-case-review");
  await page.click("#new-submit");
  await page.waitForSelector("#case-created", { timeout: 15000 });
  const reference = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/case\//, ""));
  check("the wizard opens the case and goes to its page by reference",
        /^ABN-\d{4}-\d{5}$/.test(reference), page.url());
  await page.waitForSelector("#status-current[data-status]");
  check("the new case is in intake",
        (await page.getAttribute("#status-current", "data-status")) === "INTAKE");
  const created = await bodyText(page);
  check("the safety information recorded in the wizard is on the case",
        created.includes("Her sister's mobile") && created.includes("Weekdays 10:00-12:00"));
  check("the new case's covert notes stay hidden until asked for", !created.includes(covertNew));
  await scan(page, "case-created");

  // Safety information changed: a reason is required.
  await page.click("#edit-open");
  await page.waitForSelector("#edit-form");
  await page.fill("#edit-safe-times", "Weekdays 09:00-11:00 only");
  await page.click("#edit-save");
  await page.waitForSelector("#edit-errors");
  check("a safety change without a reason is refused on the reason field",
        (await page.getAttribute("#edit-reason", "aria-invalid")) === "true");
  await scan(page, "case-edit");
  await page.fill("#edit-reason", "She asked for earlier calls");
  await page.click("#edit-save");
  await page.waitForSelector("#edit-open", { timeout: 15000 });
  check("the safety change is saved with its reason",
        (await bodyText(page)).includes("Weekdays 09:00-11:00 only"));

  // A contact with a follow-up due today.
  await page.click("#contact-new");
  await page.waitForSelector("#contact-form");
  await page.selectOption("#contact-direction", DIRECTION_OUTGOING);
  if (partnerName) {
    await page.check("#contact-kind"); // a partner of the directory
    await page.waitForFunction(() => document.querySelectorAll("#contact-partner option").length > 1, null, { timeout: 15000 });
    const value = await page.evaluate((n) => {
      const option = [...document.querySelectorAll("#contact-partner option")].find((o) => o.textContent.startsWith(n));
      return option ? option.value : "";
    }, partnerName);
    check("the partner of the case's country is offered", value !== "", partnerName);
    await page.selectOption("#contact-partner", value);
  } else {
    await page.check("#contact-kind-adhoc");
    await page.fill("#contact-adhoc-name", "Shelter intake desk");
    await page.fill("#contact-adhoc-organisation", "Women's shelter");
  }
  await page.selectOption("#contact-channel", CHANNEL_PHONE);
  await page.selectOption("#contact-purpose", PURPOSE_SHELTER);
  await page.selectOption("#contact-outcome", CONTACT_HELP_AGREED);
  await page.fill("#contact-follow-up", todayIso());
  await page.fill("#contact-note", "A bed is free from tomorrow");
  await scan(page, "contact-form");
  await page.click("#contact-submit");
  await page.waitForSelector("#contacts-table tbody tr[data-contact-id]", { timeout: 15000 });
  const contactId = await page.getAttribute("#contacts-table tbody tr[data-contact-id]", "data-contact-id");
  check("the contact is logged and listed on the case", Boolean(contactId));
  await scan(page, "case-contacts");

  // The follow-up on the follow-ups screen, completed there.
  await page.click("#nav-follow-ups");
  await page.waitForSelector(`#followup-${contactId}`, { timeout: 15000 });
  check("the follow-up due today is on the follow-ups screen", true);
  await scan(page, "follow-ups");
  await page.click(`#followup-complete-${contactId}`);
  await page.waitForSelector("#followups-done", { timeout: 15000 });
  check("completing the follow-up takes it off the list",
        (await page.$(`#followup-${contactId}`)) === null);

  // ACTIVE, then RESOLVED: first with an outcome the service refuses (no return date yet).
  await page.goto(`${url}/#/case/${reference}`);
  await page.waitForSelector("#transition-to-ACTIVE", { timeout: 15000 });
  await page.click("#transition-to-ACTIVE");
  await page.fill("#transition-reason", "Intake done; she wants help to come home");
  await scan(page, "case-transition");
  await page.click("#transition-submit");
  await page.waitForSelector('#status-current[data-status="ACTIVE"]', { timeout: 15000 });
  check("the case moves from intake to active", true);

  await page.click("#transition-to-RESOLVED");
  await page.waitForSelector("#transition-outcome");
  await page.selectOption("#transition-outcome", OUTCOME_RETURNED_TO_NL);
  await page.fill("#transition-reason", "She is back");
  await page.click("#transition-submit");
  await page.waitForSelector("#transition-error", { timeout: 15000 });
  check("resolving as returned without a return date is refused in an alert",
        (await page.getAttribute("#transition-error", "role")) === "alert" &&
        (await page.getAttribute("#status-current", "data-status")) === "ACTIVE");
  await scan(page, "case-transition-refused");
  await page.selectOption("#transition-outcome", OUTCOME_STAYED_BY_OWN_CHOICE);
  await page.fill("#transition-reason", "She decided to stay; the post keeps in touch");
  await page.click("#transition-submit");
  await page.waitForSelector('#status-current[data-status="RESOLVED"]', { timeout: 15000 });
  check("the case is resolved with an outcome", true);

  await page.fill("#note-text", "Resolved after the shelter contact.");
  await page.click("#note-add");
  await page.waitForSelector("#notes-list li", { timeout: 15000 });
  check("a note is added and listed",
        (await page.textContent("#notes-list")).includes("Resolved after the shelter contact."));
  await scan(page, "case-resolved");
  return { reference, subject };
}

/**
 * The session ends while the officer is typing a note (here: signed out everywhere from another
 * tab of the same officer): the sign-in screen says the input is kept, the same officer signs in
 * again and finds the note as typed, and saving it adds it once.
 */
async function keptOverSignIn(page, otherTab) {
  const text = `Typed while the session ended, ${Date.now().toString(36)}`;
  await page.fill("#note-text", text);
  const ended = await otherTab.evaluate(async () => {
    const session = await (await fetch("/auth/session")).json();
    const r = await fetch("/auth/sign-out?everywhere=true", { method: "POST", headers: { "X-CSRF-Token": session.csrf } });
    return r.ok;
  });
  check("signing out everywhere from another tab ends the officer's session", ended);
  await page.click("#note-add");
  await page.waitForSelector("#signin-input-kept", { timeout: 15000 });
  check("the sign-in screen says the unsaved input is kept, and shows none of the case",
        !(await page.evaluate(() => document.body.innerText)).includes(text));
  await scan(page, "sign-in-input-kept");
  check("nothing of the kept input is in browser storage", await storageIsEmpty(page));
  await page.click("#signin-submit");
  await page.waitForSelector("#note-text", { timeout: 15000 });
  check("after signing in again the note is there as typed",
        (await page.inputValue("#note-text")) === text);
  await page.click("#note-add");
  await page.waitForFunction((t) => document.querySelector("#notes-list")?.textContent.includes(t), text,
                             { timeout: 15000 });
  const count = await page.evaluate((t) => [...document.querySelectorAll("#notes-list li")]
    .filter((li) => li.textContent.includes(t)).length, text);
  check("the kept note is saved once", count === 1, `${count} notes`);
}

/** Two officers change the same case; the second sees the conflict view and loses nothing. */
async function conflict(first, second, reference) {
  const stamp = Date.now().toString(36);
  const theirChannel = `Shelter landline ${stamp}`;
  const myTimes = `Evenings after 19:00 ${stamp}`;
  for (const page of [first, second]) {
    await page.goto(`${url}/#/case/${reference}`);
    await page.waitForSelector("#edit-open", { timeout: 15000 });
    await page.click("#edit-open");
    await page.waitForSelector("#edit-form");
  }
  await first.fill("#edit-safe-channel", theirChannel);
  await first.fill("#edit-reason", "The sister's phone was taken");
  await first.click("#edit-save");
  await first.waitForSelector("#edit-open", { timeout: 15000 });

  await second.fill("#edit-safe-times", myTimes);
  await second.fill("#edit-reason", "She works mornings now");
  await second.click("#edit-save");
  await second.waitForSelector("#edit-conflict", { timeout: 15000 });
  const row = await second.textContent('#conflict-table tr[data-field="safety.safe_contact_times"]');
  check("the second officer sees the conflict view with their change beside the current version",
        row !== null && row.includes(myTimes));
  check("the conflict view did not save the second officer's change",
        !(await second.evaluate(() => document.querySelector("#safety-heading")?.parentElement?.innerText ?? "")).includes(myTimes));
  await scan(second, "case-conflict");
  await second.click("#conflict-redo");
  await second.waitForSelector("#edit-redo-notice");
  check("after redo the form holds the second officer's input on the current version",
        (await second.inputValue("#edit-safe-times")) === myTimes &&
        (await second.inputValue("#edit-safe-channel")) === theirChannel &&
        (await second.inputValue("#edit-reason")) === "She works mornings now");
  await scan(second, "case-conflict-redo");
  await second.click("#edit-save");
  await second.waitForSelector("#edit-open", { timeout: 15000 });
  await second.reload();
  await second.waitForSelector("#edit-open", { timeout: 15000 });
  const after = await bodyText(second);
  check("after the redo both changes are on the case: nothing is lost",
        after.includes(theirChannel) && after.includes(myTimes));
}

try {
  const page = await newPage();
  await page.goto(url);
  await page.waitForSelector("#signin-role");
  check("the client opens on the sign-in screen, in Dutch by default",
        (await page.evaluate(() => document.documentElement.lang)) === "nl");
  await scan(page, "sign-in");

  await page.selectOption("#signin-role", "ROLE_CONSULAR_OFFICER");
  await page.fill("#signin-unit", "RABAT");
  await page.click("#signin-submit");
  await page.waitForSelector(`a:text-is("${ref}")`, { timeout: 15000 });
  check("an officer of RABAT signs in and sees the post's case in the list", true);
  await scan(page, "cases");

  await page.click(`a:text-is("${ref}")`);
  await page.waitForSelector(`text=${name}`, { timeout: 15000 });
  check("the case page shows the person", true);
  const before = await page.evaluate(() => document.body.innerText);
  check("covert notes stay hidden until asked for", !before.includes(covert));
  await scan(page, "case");
  await page.click("#covert-toggle");
  await page.waitForSelector(`text=${covert}`);
  check("the button shows the covert notes", true);
  await page.screenshot({ path: join(shots, "case-covert-notes.png"), fullPage: true });

  await page.selectOption("#lang-select", "en");
  await page.waitForFunction(() => document.documentElement.lang === "en");
  check("the language switches to English", true);
  await scan(page, "case-english");
  await page.selectOption("#lang-select", "nl");
  await page.waitForFunction(() => document.documentElement.lang === "nl");
  await page.reload();
  await page.waitForSelector(`text=${name}`, { timeout: 15000 });
  check("Dutch is remembered over a reload",
        (await page.evaluate(() => document.documentElement.lang)) === "nl");
  await page.click("#covert-toggle");
  await page.waitForSelector(`text=${covert}`);
  const left = await englishLeft(page);
  check("no English text is left on the case page in Dutch", left.length === 0, left.join("; "));

  check("nothing is kept in localStorage, sessionStorage or IndexedDB", await storageIsEmpty(page));
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "__Host-consular-session");
  check("the session cookie is HttpOnly, Secure and SameSite=Strict",
        session && session.httpOnly && session.secure && session.sameSite === "Strict",
        JSON.stringify(session));
  check("the page's script cannot read the session cookie",
        !(await page.evaluate(() => document.cookie)).includes("consular-session"));

  await page.click("#sign-out");
  await page.waitForSelector("#signin-role");
  check("sign-out returns to the sign-in screen", true);

  // Another post's officer, with the case's address.
  const tunis = await newPage();
  await signIn(tunis, "TUNIS");
  await tunis.goto(`${url}/#/case/${ref}`);
  await tunis.waitForSelector('[role="alert"]', { timeout: 15000 });
  const text = await tunis.evaluate(() => document.body.innerText);
  check("an officer of TUNIS opening the case's address gets an error, not the case",
        !text.includes(name) && !text.includes(covert), text.slice(0, 300));
  await scan(tunis, "case-other-post");

  const names = [name];
  if (casework) {
    const officer = await newPage();
    await signIn(officer, "RABAT");
    const { reference, subject } = await officersDay(officer);
    names.push(subject);
    const colleague = await newPage();
    await signIn(colleague, "RABAT");
    await conflict(officer, colleague, reference);
    // The officer's day left the case with safety information, a contact with its follow-up, a
    // history of transitions, a note and an edit: all of it in Dutch, with nothing English left.
    await officer.click("#covert-toggle");
    await officer.waitForSelector('#covert-toggle[aria-expanded="true"]');
    const leftAfterDay = await englishLeft(officer);
    check("no English text is left on the worked case's page in Dutch", leftAfterDay.length === 0,
          leftAfterDay.join("; "));
    await keptOverSignIn(officer, colleague);
    check("nothing is kept in browser storage during the officer's day", await storageIsEmpty(officer));
  } else {
    console.log("SKIP  the officer's day and the conflict check (set CASEWORK=1)");
  }

  check("no personal data in any address the browser used",
        urls.every((u) => names.every((n) => !u.includes(n) && !u.includes(encodeURIComponent(n)))),
        urls.filter((u) => names.some((n) => u.includes(n))).join(" "));
  check("no Content Security Policy violation", cspViolations.length === 0, cspViolations.join("; "));
} catch (error) {
  check("the walk ran to its end", false, String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}
console.log(failures() === 0 ? "browser walk: every check passed" : `browser walk: ${failures()} failed`);
process.exit(failures() === 0 ? 0 : 1);

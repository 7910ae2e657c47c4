// A destruction list from proposal to tombstone, in headless Chromium against a running gateway,
// with two closed cases of RABAT that are due (their type kept 0 years): an administrator
// proposes the list on the records screen (its number and its two items shown); the post manager
// of RABAT approves the first case and excludes the second (a reason too short refused on its
// field first); an auditor, told that an exclusion always wins, approves both; the administrator
// processes the list, asked first to confirm that 1 case will be anonymised and 1 skipped, and
// sees the results in the screen's words. The first case's page is then a tombstone (anonymised
// on … under the list, nothing of the person, nothing to work on, for an officer and a post
// manager alike); the second still shows its subject. Each new screen is scanned with axe-core,
// in Dutch with no English left; nothing is kept in browser storage.
//
// Environment: WEB_URL, DESTROY_REF and DESTROY_NAME (the case to anonymise), KEEP_REF and
// KEEP_NAME (the case to exclude), both closed cases of RABAT due for destruction and on no list
// yet, and no other case due; SCREENSHOTS, CHROMIUM (default /usr/bin/chromium). Prints PASS/FAIL
// lines; exits 1 when a check failed.
import { mkdirSync, readFileSync } from "node:fs";
import { checker, englishLeft, launchChromium, scanScreen } from "./lib.mjs";

const url = process.env.WEB_URL;
const destroyRef = process.env.DESTROY_REF;
const destroyName = process.env.DESTROY_NAME;
const keepRef = process.env.KEEP_REF;
const keepName = process.env.KEEP_NAME;
const shots = process.env.SCREENSHOTS;
if (!url || !destroyRef || !destroyName || !keepRef || !keepName || !shots) {
  console.error("destruction.mjs: set WEB_URL, DESTROY_REF, DESTROY_NAME, KEEP_REF, KEEP_NAME and SCREENSHOTS");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const { check, failures } = checker();
const scan = (page, screen) => scanScreen(page, screen, shots, check);
const browser = await launchChromium();
const cspViolations = [];
const pages = [];

// The screen's own words for what it shows (the Dutch catalogue), and the proto's numbers that
// the rows carry in data-result once a list is processed.
const nl = JSON.parse(readFileSync(new URL("../../src/i18n/nl.json", import.meta.url), "utf8"));
const APPROVE = "1";
const EXCLUDE = "2";
const ANONYMISED = "1";
const SKIPPED_EXCLUDED = "2";
const PROCESSED = "2";

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
  pages.push(page);
  return page;
}

// The records screen read anew, with list `number` shown: away to the home screen first (until the
// records screen shown before is gone, so that nothing of it is read or clicked), then back.
async function showList(page, number) {
  await page.goto(`${url}/#/`);
  await page.waitForSelector("#destruction-heading", { state: "detached" });
  await page.goto(`${url}/#/records`);
  await page.waitForSelector(`#destruction-show-${number}`, { timeout: 15000 });
  await page.click(`#destruction-show-${number}`);
  await page.waitForSelector(`#destruction-items #destruction-item-${destroyRef}`, { timeout: 15000 });
}

async function openCase(page, ref) {
  await page.goto(`${url}/#/`);
  await page.waitForSelector("#overview-heading", { state: "detached" });
  await page.goto(`${url}/#/case/${encodeURIComponent(ref)}`);
  await page.waitForSelector("#overview-heading, #case-retry", { timeout: 15000 });
}

async function noEnglish(page, screen) {
  const left = await englishLeft(page);
  check(`no English left on the Dutch ${screen}`, left.length === 0, left.join("; "));
}

const text = async (page, selector) => ((await page.textContent(selector)) ?? "").replace(/\s+/g, " ").trim();
const expected = (page, ref) => page.getAttribute(`#destruction-item-${ref} td[data-result]`, "data-result");

// One reviewer's decisions on the list shown: a decision per case, one reason, confirmed.
async function review(page, decisions, reason) {
  await page.waitForSelector("#review-form");
  for (const [ref, decision] of decisions) await page.selectOption(`#review-item-${ref}`, decision);
  await page.fill("#review-reason", reason);
  await page.click("#review-submit");
  await page.waitForSelector("#review-confirm");
  const question = await text(page, "#review-question");
  await page.click("#review-confirm");
  await page.waitForSelector("#destruction-done", { timeout: 15000 });
  return question;
}

try {
  // ---- The administrator proposes the list.
  const admin = await signIn("ROLE_ADMINISTRATOR", "");
  await admin.click("#nav-records");
  await admin.waitForSelector("#propose-form", { timeout: 15000 });
  await admin.waitForSelector("#destruction-none, #destruction-lists", { timeout: 15000 });
  check("before the proposal there is no list", (await admin.$("#destruction-lists")) === null);
  await admin.click("#propose-submit");
  await admin.waitForSelector("#destruction-done", { timeout: 15000 });
  await admin.waitForSelector("#destruction-items", { timeout: 15000 });
  const rows = await admin.$$eval("#destruction-lists tbody tr", (trs) => trs.map((tr) => tr.id));
  const number = rows.length === 1 ? rows[0].slice("destruction-list-".length) : "";
  check("the proposed list is the one list, numbered VL-<year>-<n>", /^VL-\d{4}-\d+$/.test(number), rows.join(", "));
  check("the screen says the list was proposed with its two cases",
        (await text(admin, "#destruction-done")).includes(number) && (await text(admin, "#destruction-done")).includes("2 zaken"),
        await text(admin, "#destruction-done"));
  check("the list shown is headed by its number, with 2 in the lists' item count",
        (await text(admin, "#destruction-list-heading")).includes(number) &&
        (await text(admin, `#destruction-list-${number} td.number`)) === "2");
  const items = await admin.$$eval("#destruction-items tbody tr", (trs) => trs.map((tr) => tr.dataset.reference));
  check("its items are the two due cases", items.length === 2 && items.includes(destroyRef) && items.includes(keepRef), items.join(", "));
  const headers = await admin.$$eval("#destruction-items thead th", (ths) => ths.map((th) => th.textContent.trim()));
  check("each column of the items has a heading of its own (the handling unit, and its decision)",
        new Set(headers).size === headers.length, headers.join(" | "));
  check("the items show no content: not the person's name",
        !(await text(admin, "#destruction-list")).includes(destroyName) && !(await text(admin, "#destruction-list")).includes(keepName));
  check("both items wait for their reviews, and the administrator is not offered a review",
        (await expected(admin, destroyRef)) === "waiting" && (await expected(admin, keepRef)) === "waiting" &&
        (await admin.$("#review-form")) === null && (await admin.$("#process-start")) !== null);
  await scan(admin, "destruction-proposed");
  await noEnglish(admin, "records screen with a proposed list");

  // ---- The post manager of the handling post: approves one, excludes the other.
  const manager = await signIn("ROLE_POST_MANAGER", "RABAT");
  await showList(manager, number);
  await manager.waitForSelector("#review-form");
  check("the post manager reviews in the handling unit's slot, both items, and may not process",
        (await manager.$(`#review-item-${destroyRef}`)) !== null && (await manager.$(`#review-item-${keepRef}`)) !== null &&
        (await manager.$("#process-start")) === null);
  await manager.selectOption(`#review-item-${destroyRef}`, APPROVE);
  await manager.selectOption(`#review-item-${keepRef}`, EXCLUDE);
  await manager.fill("#review-reason", "ok");
  await manager.click("#review-submit");
  await manager.waitForSelector("#review-reason[aria-invalid=true]");
  check("a reason under 3 characters is refused on its field, before sending or confirming",
        (await manager.getAttribute("#review-reason", "aria-describedby")).includes("review-reason-error") &&
        (await manager.$("#review-errors a[href='#review-reason']")) !== null && (await manager.$("#review-confirm")) === null);
  await scan(manager, "destruction-review-errors");
  await noEnglish(manager, "review of a destruction list");
  const managerQuestion = await review(manager, [], "Gecontroleerd tegen het dossier van de post; zaak 2 loopt nog bij de rechtbank");
  check("the confirmation names one approval and one exclusion", /\b1\b.*goed.*\b1\b.*uit/.test(managerQuestion), managerQuestion);
  check("after the review, the handling unit's slot shows the approval and the exclusion",
        (await text(manager, `#destruction-item-${destroyRef} td:nth-of-type(6)`)).includes(nl["enum.REVIEW_DECISION_APPROVE"]) &&
        (await text(manager, `#destruction-item-${keepRef} td:nth-of-type(6)`)).includes(nl["enum.REVIEW_DECISION_EXCLUDE"]) &&
        (await text(manager, `#destruction-item-${keepRef} td:nth-of-type(6)`)).includes("rechtbank"));
  check("the excluded case is expected to be kept, the approved one waits for the auditor",
        (await expected(manager, keepRef)) === "excluded" && (await expected(manager, destroyRef)) === "waiting");
  check("nothing is left for the post manager to review", (await manager.$("#review-form")) === null);

  // ---- An auditor approves both: the exclusion still wins.
  const auditor = await signIn("ROLE_AUDITOR", "");
  await showList(auditor, number);
  check("the auditor's screen states that an exclusion always wins",
        (await text(auditor, "#destruction-rule")).includes("uitsluiting wint altijd"));
  await review(auditor, [[destroyRef, APPROVE], [keepRef, APPROVE]], "Steekproef door de auditor, akkoord");
  check("approved in both slots the first case is expected to be anonymised; the excluded one is still kept",
        (await expected(auditor, destroyRef)) === "anonymise" && (await expected(auditor, keepRef)) === "excluded",
        `${await expected(auditor, destroyRef)} ${await expected(auditor, keepRef)}`);
  await scan(auditor, "destruction-reviewed");

  // ---- The administrator processes it.
  await showList(admin, number);
  await admin.click("#process-start");
  await admin.waitForSelector("#process-question");
  const question = await text(admin, "#process-question");
  check("the confirmation names the list, 1 case to anonymise and 1 to skip",
        question.includes(number) && /\b1 zaak wordt geanonimiseerd\b/.test(question) && /\b1 wordt overgeslagen\b/.test(question), question);
  check("the confirmation takes the focus", await admin.evaluate(() => document.activeElement?.id === "process-confirm"));
  await scan(admin, "destruction-process-confirm");
  await admin.click("#process-confirm");
  await admin.waitForSelector("#destruction-results", { timeout: 30000 });
  await admin.waitForSelector(`#destruction-item-${destroyRef} td[data-result="${ANONYMISED}"]`, { timeout: 15000 });
  // The lists are read again after processing; the results are shown before they are back.
  await admin.waitForSelector(`#destruction-list-${number}[data-state="${PROCESSED}"]`, { timeout: 15000 });
  check("the list is processed: 1 anonymised, 1 skipped",
        /\b1 geanonimiseerd, 1 overgeslagen\b/.test(await text(admin, "#destruction-results")) &&
        /\b1 geanonimiseerd, 1 overgeslagen\b/.test(await text(admin, "#destruction-done")),
        `${await text(admin, "#destruction-results")} / ${await text(admin, "#destruction-done")}`);
  check("the first case's result is ANONYMISED, the second's SKIPPED_EXCLUDED, in the screen's words",
        (await expected(admin, keepRef)) === SKIPPED_EXCLUDED &&
        (await text(admin, `#destruction-item-${destroyRef} td[data-result]`)) === nl["enum.DESTRUCTION_RESULT_ANONYMISED"] &&
        (await text(admin, `#destruction-item-${keepRef} td[data-result]`)) === nl["enum.DESTRUCTION_RESULT_SKIPPED_EXCLUDED"]);
  check("a processed list offers no more processing, and the lists show it processed",
        (await admin.$("#process-start")) === null &&
        (await text(admin, `#destruction-list-${number}`)).includes(nl["enum.DESTRUCTION_LIST_STATE_PROCESSED"]));
  check("the screen announces the result", await admin.evaluate(() => document.activeElement?.id === "destruction-done"));
  await scan(admin, "destruction-processed");
  await noEnglish(admin, "records screen with a processed list");

  // ---- The tombstone, for an officer and for the post manager (who could reopen a closed case).
  const officer = await signIn("ROLE_CONSULAR_OFFICER", "RABAT");
  for (const [who, page] of [["an officer", officer], ["the post manager", manager]]) {
    await openCase(page, destroyRef);
    await page.waitForSelector("#case-tombstone", { timeout: 15000 });
    await page.waitForSelector("#timeline-heading", { timeout: 15000 });
    const when = await text(page, "#case-tombstone-when");
    check(`${who} sees the tombstone: anonymised on … under list ${number}`,
          when.startsWith("Geanonimiseerd op ") && when.includes(`onder vernietigingslijst ${number}`), when);
    const body = await page.evaluate(() => document.body.innerText);
    check(`${who} sees nothing of the person: no name, no subject, safety, persons or documents`,
          !body.includes(destroyName) &&
          (await page.$$("#subject-heading, #safety-heading, #persons-heading, #documents-heading, #details-heading, #covert-toggle")).length === 0);
    check(`${who} is offered nothing to work on: no editing, status, notes, contacts, sharing or holds`,
          (await page.$$("#edit, #edit-open, #status, #transition-form, #notes, #note-add, #contacts, #shares, #handover, #hold-start, #sar-start")).length === 0);
    check(`${who} sees the case's reference and status in the overview`,
          (await text(page, "#overview-heading + dl")).includes(destroyRef));
  }
  await scan(officer, "case-tombstone");
  await noEnglish(officer, "tombstone of an anonymised case");

  // ---- The excluded case is untouched.
  await openCase(officer, keepRef);
  await officer.waitForSelector("#subject-heading", { timeout: 15000 });
  check("the excluded case still shows its subject, and no tombstone",
        (await officer.evaluate(() => document.body.innerText)).includes(keepName) && (await officer.$("#case-tombstone")) === null);

  for (const [i, page] of pages.entries()) {
    const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
    check(`nothing in localStorage or sessionStorage (page ${i + 1})`, stored === 0);
  }
  check("no Content Security Policy violation", cspViolations.length === 0, cspViolations.join("; "));
} catch (error) {
  check("the destruction walk ran to its end", false, String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}
console.log(failures() === 0 ? "destruction walk: every check passed" : `destruction walk: ${failures()} failed`);
process.exit(failures() === 0 ? 0 : 1);

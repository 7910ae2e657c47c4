// Records management and exports, in headless Chromium against a running gateway: on a case of
// RABAT a post manager places a legal hold (first without a reason, which is refused on the
// field) and lifts it again; an officer records a subject-access request, which a post manager
// (not the officer) approves and the officer downloads: the HTML holds the person's name and not
// the covert notes. An officer asks for a bulk export, the post manager approves it with a
// password typed twice (a new-password field, gone from the page afterwards) and the officer
// downloads the encrypted file, told first that it counts. The records screen of a post manager
// and an administrator (the rule that an exclusion always wins, the schedules in force, a list
// proposed when nothing is due refused in words). Each new screen is scanned with axe-core, in
// Dutch with no English left; nothing is kept in browser storage.
//
// Environment: WEB_URL, CASE_REF, CASE_NAME and COVERT (a case of RABAT with covert notes),
// SCREENSHOTS, CHROMIUM (default /usr/bin/chromium). Prints PASS/FAIL lines; exits 1 when a check
// failed.
import { mkdirSync, readFileSync } from "node:fs";
import { checker, englishLeft, launchChromium, scanScreen } from "./lib.mjs";

const url = process.env.WEB_URL;
const ref = process.env.CASE_REF;
const name = process.env.CASE_NAME;
const covert = process.env.COVERT;
const shots = process.env.SCREENSHOTS;
if (!url || !ref || !name || !covert || !shots) {
  console.error("records.mjs: set WEB_URL, CASE_REF, CASE_NAME, COVERT and SCREENSHOTS");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const { check, failures } = checker();
const scan = (page, screen) => scanScreen(page, screen, shots, check);
const browser = await launchChromium();
const cspViolations = [];
const pages = [];

async function signIn(role, unit) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "nl-NL", acceptDownloads: true });
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

async function openCase(page) {
  await page.goto(`${url}/#/`);
  await page.waitForSelector("h1");
  await page.goto(`${url}/#/case/${encodeURIComponent(ref)}`);
  await page.waitForSelector("#overview-heading, #case-retry", { timeout: 15000 });
}

async function noEnglish(page, screen) {
  const left = await englishLeft(page);
  check(`no English left on the Dutch ${screen}`, left.length === 0, left.join("; "));
}

try {
  // ---- Legal hold: placed and lifted by a post manager of the handling post.
  const manager = await signIn("ROLE_POST_MANAGER", "RABAT");
  await openCase(manager);
  await manager.waitForSelector("#hold-start", { timeout: 15000 });
  await manager.waitForSelector("#holds-none, #holds-table", { timeout: 15000 });
  await manager.waitForSelector("#sar-none, #sar-table", { timeout: 15000 });
  check("an open case is not on hold and has no archive action date yet",
        (await manager.getAttribute("#records-on-hold", "data-held")) === "false" &&
        (await manager.textContent("#records-archive-date")).trim() !== "");
  await scan(manager, "case-records");
  await noEnglish(manager, "case page with records and subject access");
  await manager.click("#hold-start");
  await manager.waitForSelector("#hold-form");
  check("the hold's form takes the focus", await manager.evaluate(() => document.activeElement?.id === "hold-reason"));
  await manager.fill("#hold-reason", "kort");
  await manager.click("#hold-submit");
  await manager.waitForSelector("#hold-reason[aria-invalid=true]");
  check("a reason under 10 characters is refused on its field, before sending",
        (await manager.getAttribute("#hold-reason", "aria-describedby")).includes("hold-reason-error"));
  await manager.fill("#hold-reason", "Lopende procedure bij de rechtbank Den Haag, zaaknr. 2026/113");
  await manager.click("#hold-submit");
  await manager.waitForSelector("#records-on-hold[data-held=true]", { timeout: 15000 });
  await manager.waitForSelector('#holds-table tr[data-active="true"]', { timeout: 15000 });
  check("after placing it, the case is on legal hold and the hold is listed as active",
        (await manager.textContent("#holds-table")).includes("zaaknr. 2026/113"));
  await scan(manager, "case-on-hold");
  await manager.click('#holds-table tr[data-active="true"] [id^=hold-lift-]');
  await manager.waitForSelector("#hold-lift-form");
  await manager.fill("#hold-lift-reason", "Uitspraak onherroepelijk op 4 mei 2026");
  await manager.click("#hold-lift-confirm");
  await manager.waitForSelector("#records-on-hold[data-held=false]", { timeout: 15000 });
  await manager.waitForSelector('#holds-table tr[data-active="false"]', { timeout: 15000 });
  check("after lifting it, the case is off hold and the lifted hold keeps its reasons",
        (await manager.$('#holds-table tr[data-active="true"]')) === null &&
        (await manager.textContent("#holds-table")).includes("Uitspraak onherroepelijk"));

  // ---- Subject access: the officer asks, the post manager approves, the officer downloads.
  const officer = await signIn("ROLE_CONSULAR_OFFICER", "RABAT");
  await openCase(officer);
  await officer.waitForSelector("#sar-start", { timeout: 15000 });
  check("an officer is not offered legal holds", (await officer.$("#hold-start")) === null && (await officer.$("#holds-table")) === null);
  await officer.click("#sar-start");
  await officer.waitForSelector("#sar-form");
  await officer.click("#sar-submit");
  await officer.waitForSelector("#sar-errors");
  check("a request with nothing filled in names the language and the note",
        (await officer.getAttribute("#sar-note", "aria-invalid")) === "true" &&
        (await officer.textContent("#sar-errors")).includes("Taal"));
  await scan(officer, "sar-errors");
  await officer.check("#sar-language");
  await officer.fill("#sar-note", "Haar brief van 3 maart 2026");
  await officer.click("#sar-submit");
  await officer.waitForSelector("#sar-done", { timeout: 15000 });
  await officer.waitForSelector('#sar-table tbody tr[data-state="exportState.pending"]', { timeout: 15000 });
  const sarId = (await officer.getAttribute('#sar-table tbody tr[data-state="exportState.pending"]', "id")).slice("sar-".length);
  check("the officer's request is pending, and the officer cannot approve it",
        (await officer.$(`#sar-answer-${sarId}`)) === null && (await officer.$(`#sar-download-html-${sarId}`)) === null);

  await openCase(manager);
  await manager.waitForSelector(`#sar-answer-${sarId}`, { timeout: 15000 });
  await manager.click(`#sar-answer-${sarId}`);
  await manager.waitForSelector("#sar-answer-form");
  await manager.check("#sar-decision");
  await manager.waitForSelector("#sar-days");
  await scan(manager, "sar-answer");
  await manager.click("#sar-answer-submit");
  await manager.waitForSelector(`#sar-${sarId}[data-state="exportState.approved"]`, { timeout: 15000 });
  check("the post manager approves it", true);

  await openCase(officer);
  await officer.waitForSelector(`#sar-download-html-${sarId}`, { timeout: 15000 });
  const [htmlDownload] = await Promise.all([
    officer.waitForEvent("download", { timeout: 15000 }),
    officer.click(`#sar-download-html-${sarId}`),
  ]);
  const html = readFileSync(await htmlDownload.path(), "utf8");
  check("the HTML export downloads under the case's name", htmlDownload.suggestedFilename() === `subject-access-${ref}.html`,
        htmlDownload.suggestedFilename());
  check("the HTML export holds the person's name", html.includes(name));
  check("the HTML export leaves the covert notes out", !html.includes(covert));
  const [jsonDownload] = await Promise.all([
    officer.waitForEvent("download", { timeout: 15000 }),
    officer.click(`#sar-download-json-${sarId}`),
  ]);
  const json = JSON.parse(readFileSync(await jsonDownload.path(), "utf8"));
  check("the JSON export is the case's data, without the covert notes",
        jsonDownload.suggestedFilename() === `subject-access-${ref}.json` && JSON.stringify(json).includes(name) &&
        !JSON.stringify(json).includes(covert));
  await scan(officer, "sar-approved");

  // ---- A bulk export: the officer asks, the post manager approves with a password, the officer downloads.
  await officer.click("#nav-exports");
  await officer.waitForSelector("#exports-none, #exports-list", { timeout: 15000 });
  await scan(officer, "exports");
  await noEnglish(officer, "exports screen");
  await officer.click("#export-start");
  await officer.fill("#export-country", "MA");
  await officer.fill("#export-legal-basis", "Bevel rechtbank Den Haag 2026/113, art. 126nd Sv");
  await officer.fill("#export-recipient", "Rechtbank Den Haag");
  await officer.fill("#export-purpose", "Erkenningsprocedure");
  await officer.click("#export-submit");
  await officer.waitForSelector("#exports-done", { timeout: 15000 });
  await officer.waitForSelector('#exports-list li[data-state="exportState.pending"]', { timeout: 15000 });
  const exportId = (await officer.getAttribute('#exports-list li[data-state="exportState.pending"]', "id")).slice("export-".length);
  check("the officer's export request is pending and not for the officer to approve", (await officer.$(`#export-answer-${exportId}`)) === null);

  await manager.goto(`${url}/#/exports`);
  await manager.waitForSelector(`#export-answer-${exportId}`, { timeout: 15000 });
  await manager.click(`#export-answer-${exportId}`);
  await manager.check("#answer-decision");
  await manager.waitForSelector("#answer-protection");
  await manager.check("#answer-protection");
  await manager.waitForSelector("#answer-password");
  check("the password fields are new-password fields",
        (await manager.getAttribute("#answer-password", "autocomplete")) === "new-password" &&
        (await manager.getAttribute("#answer-password-again", "autocomplete")) === "new-password" &&
        (await manager.getAttribute("#answer-password", "type")) === "password");
  const password = "Lange zin als wachtwoord 2026!";
  await manager.fill("#answer-password", password);
  await manager.fill("#answer-password-again", `${password}x`);
  await manager.click("#answer-submit");
  await manager.waitForSelector("#answer-password-again[aria-invalid=true]");
  check("two different passwords are refused before sending", true);
  await scan(manager, "export-answer");
  await manager.fill("#answer-password", password);
  await manager.fill("#answer-password-again", password);
  await manager.click("#answer-submit");
  await manager.waitForSelector(`#export-${exportId}[data-state="exportState.approved"]`, { timeout: 30000 });
  const pageText = await manager.evaluate(() =>
    document.body.innerText + [...document.querySelectorAll("input")].map((i) => i.value).join(" "));
  check("the export is approved and the password is gone from the page", !pageText.includes(password));
  await scan(manager, "export-approved");

  await officer.goto(`${url}/#/`);
  await officer.waitForSelector("h1");
  await officer.goto(`${url}/#/exports`);
  await officer.waitForSelector(`#export-download-${exportId}`, { timeout: 15000 });
  check("the officer is told before downloading that each download counts",
        (await officer.textContent(`#export-download-note-${exportId}`)).includes("telt"));
  const [zip] = await Promise.all([
    officer.waitForEvent("download", { timeout: 15000 }),
    officer.click(`#export-download-${exportId}`),
  ]);
  const bytes = readFileSync(await zip.path());
  check("the encrypted export downloads as a ZIP file", bytes.subarray(0, 2).toString("latin1") === "PK" && zip.suggestedFilename().endsWith(".zip"),
        zip.suggestedFilename());
  await officer.waitForSelector(`#export-${exportId}[data-state="exportState.usedUp"]`, { timeout: 15000 });
  check("with its one download used, the export offers no more", (await officer.$(`#export-download-${exportId}`)) === null);

  // ---- The records screen.
  await manager.goto(`${url}/#/records`);
  await manager.waitForSelector("#schedules-table", { timeout: 15000 });
  await manager.waitForSelector("#destruction-none, #destruction-lists", { timeout: 15000 });
  check("a post manager's records screen states that an exclusion always wins, and offers no proposing",
        (await manager.textContent("#destruction-rule")).includes("uitsluiting wint altijd") && (await manager.$("#propose-form")) === null &&
        (await manager.$("#schedule-start")) === null);
  await scan(manager, "records-post-manager");
  await noEnglish(manager, "records screen");
  const admin = await signIn("ROLE_ADMINISTRATOR", "");
  await admin.click("#nav-records");
  await admin.waitForSelector("#schedules-table", { timeout: 15000 });
  await admin.waitForSelector("#destruction-none, #destruction-lists", { timeout: 15000 });
  check("the schedules in force are shown, 10 years for both case types",
        (await admin.$$eval("#schedules-table tbody tr", (rows) => rows.filter((r) => r.textContent.includes("10")).length)) >= 2);
  await admin.click("#schedule-start");
  await admin.waitForSelector("#schedule-form");
  await admin.click("#schedule-submit");
  await admin.waitForSelector("#schedule-errors");
  await scan(admin, "records-administrator");
  await admin.click("#schedule-cancel");
  await admin.click("#propose-submit");
  await admin.waitForSelector("#propose-failure, #destruction-done", { timeout: 15000 });
  if (await admin.$("#propose-failure")) {
    check("proposing when nothing is due is refused in words", (await admin.textContent("#propose-failure")).trim().length > 10);
  } else {
    check("a proposed list is shown with its items", (await admin.$("#destruction-list-heading")) !== null);
  }
  await scan(admin, "records-proposed");

  for (const [i, page] of pages.entries()) {
    const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
    check(`nothing in localStorage or sessionStorage (page ${i + 1})`, stored === 0);
  }
  check("no Content Security Policy violation", cspViolations.length === 0, cspViolations.join("; "));
} catch (error) {
  check("the records walk ran to its end", false, String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}
console.log(failures() === 0 ? "records walk: every check passed" : `records walk: ${failures()} failed`);
process.exit(failures() === 0 ? 0 : 1);

// Sharing and the other casework of a post manager, in headless Chromium against a running
// gateway: on a case of RABAT the manager shares the case with LKHA read-only and sees the share
// listed; an LKHA caseworker accepts it in the inbox and opens the case; the manager revokes it
// (after confirming) and LKHA can no longer open it; the manager assigns the case, changes a
// field and sees the change field by field in the history, proposes handing the case over to
// TUNIS, finds the case by the person's full
// name (written another way; the name is in no address the browser used), sees the possible
// duplicates, and in the partner directory changes a partner (a conflicting change in another
// tab is shown, not overwritten) and deactivates it. Every new screen and state is scanned with
// axe-core and saved as a screenshot; nothing is left in localStorage or sessionStorage.
//
// Environment: WEB_URL, CASE_REF and CASE_NAME (a case of RABAT), DUPLICATE_REF and
// DUPLICATE_UNIT (a case of another unit about the same person), SCREENSHOTS, CHROMIUM (default
// /usr/bin/chromium). Prints PASS/FAIL lines; exits 1 when a check failed.
import { mkdirSync } from "node:fs";
import { checker, englishLeft, launchChromium, scanScreen } from "./lib.mjs";

const url = process.env.WEB_URL;
const ref = process.env.CASE_REF;
const name = process.env.CASE_NAME;
const shots = process.env.SCREENSHOTS;
// A case of another unit about the same person, which RABAT may not read.
const duplicateRef = process.env.DUPLICATE_REF;
const duplicateUnit = process.env.DUPLICATE_UNIT;
if (!url || !ref || !name || !shots || !duplicateRef || !duplicateUnit) {
  console.error("sharing.mjs: set WEB_URL, CASE_REF, CASE_NAME, DUPLICATE_REF, DUPLICATE_UNIT and SCREENSHOTS");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const { check, failures } = checker();
const scan = (page, screen) => scanScreen(page, screen, shots, check);
const browser = await launchChromium();
const cspViolations = [];
const pages = [];
// Every address a page asked for or showed: the person's name must be in none of them.
const addresses = [];
const stamp = Date.now().toString(36);

async function signIn(role, unit) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "nl-NL" });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) cspViolations.push(m.text());
  });
  page.on("request", (r) => addresses.push(r.url()));
  page.on("framenavigated", (f) => addresses.push(f.url()));
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

try {
  const manager = await signIn("ROLE_POST_MANAGER", "RABAT");
  await openCase(manager);
  await manager.waitForSelector("#share-start", { timeout: 15000 });
  await manager.waitForSelector("#shares-none, #shares-table");
  await manager.waitForSelector("#history-list, #history-none", { timeout: 15000 });
  await manager.waitForSelector("#duplicates-none, #duplicates-list", { timeout: 15000 });
  check("a post manager sees the shares, the assignment, the handover, the history and the duplicates",
        (await manager.$("#assign-form")) !== null && (await manager.$("#refer-start")) !== null);
  await scan(manager, "case-casework");
  const left = await englishLeft(manager);
  check("no English left on the Dutch case page with the new sections", left.length === 0, left.join("; "));

  // Share with LKHA, read only: first with nothing filled in.
  await manager.click("#share-start");
  await manager.waitForSelector("#share-form");
  await manager.click("#share-submit");
  await manager.waitForSelector("#share-errors");
  check("sharing with nothing filled in names the fields, tied to them",
        (await manager.getAttribute("#share-grantee", "aria-invalid")) === "true" &&
        (await manager.getAttribute("#share-grantee", "aria-describedby")).includes("share-grantee-error") &&
        (await manager.getAttribute("#share-legal-basis", "aria-invalid")) === "true");
  await scan(manager, "share-errors");
  await manager.fill("#share-grantee", "lkha");
  await manager.check("#share-access");
  await manager.fill("#share-legal-basis", "Art. 3 Consulaire bijstand: landelijke hulp bij terugkeer");
  await manager.click("#share-submit");
  await manager.waitForSelector('#shares-table tr[data-grantee="LKHA"]', { timeout: 15000 });
  const shareRow = await manager.textContent('#shares-table tr[data-grantee="LKHA"]');
  check("the share with LKHA is listed, read only, until revoked",
        shareRow.includes("alleen lezen") && shareRow.includes("tot intrekking"), shareRow);
  await scan(manager, "case-shared");

  // LKHA accepts it in the inbox and opens the case.
  const lkha = await signIn("ROLE_LKHA_CASEWORKER", "");
  await lkha.click("#nav-inbox");
  const accept = `#inbox-to-answer .inbox-item[data-reference="${ref}"] [id^=inbox-accept-]`;
  await lkha.waitForSelector(accept, { timeout: 15000 });
  await lkha.click(accept);
  await lkha.waitForSelector("#inbox-done", { timeout: 15000 });
  await openCase(lkha);
  check("the LKHA caseworker accepts the share and opens the case",
        (await lkha.$("#overview-heading")) !== null && (await lkha.textContent("h1")).includes(ref));
  check("LKHA, a read-only grantee, is offered neither sharing nor the handover",
        (await lkha.$("#share-start")) === null && (await lkha.$("#refer-start")) === null && (await lkha.$("#assign-form")) === null);
  await scan(lkha, "case-shared-with-lkha");

  // The manager revokes it, after confirming.
  await manager.click('#shares-table tr[data-grantee="LKHA"] [id^=share-revoke-]');
  await manager.waitForSelector("#share-revoke-confirm");
  check("revoking asks first, the confirmation focused",
        await manager.evaluate(() => document.activeElement?.id === "share-revoke-confirm"));
  await scan(manager, "share-revoke-confirm");
  await manager.click("#share-revoke-confirm");
  await manager.waitForSelector("#shares-done", { timeout: 15000 });
  await manager.waitForSelector("#shares-none, #shares-table");
  check("the revoked share is gone from the live shares",
        (await manager.$('#shares-table tr[data-grantee="LKHA"]')) === null);
  await scan(manager, "share-revoked");
  await openCase(lkha);
  check("after the revocation LKHA can no longer open the case", (await lkha.$("#case-retry")) !== null);

  // Assign: a name is needed first.
  await manager.click("#assign-submit");
  await manager.waitForSelector("#assign-to[aria-invalid=true]");
  check("assigning without a staff member names the field", true);
  await manager.fill("#assign-to", "dev-manager-rabat");
  await manager.click("#assign-submit");
  await manager.waitForSelector("#handover-done", { timeout: 15000 });
  check("the manager assigns the case and the overview says to whom",
        (await manager.textContent("#overview-heading + dl")).includes("dev-manager-rabat"));
  await scan(manager, "case-assigned");

  // A change, then the history field by field.
  const times = `Alleen na 18:00 (${stamp})`;
  await manager.click("#edit-open");
  await manager.waitForSelector("#edit-form");
  const before = await manager.inputValue("#edit-safe-times");
  await manager.fill("#edit-safe-times", times);
  await manager.fill("#edit-reason", "Zij vroeg om latere gesprekken");
  await manager.click("#edit-save");
  await manager.waitForSelector("#edit-open", { timeout: 15000 });
  const row = `#history-list tr[data-field="safety.safe_contact_times"] >> text=${times}`;
  await manager.waitForSelector(row, { timeout: 15000 });
  const cells = await manager.$$eval('#history-list tr[data-field="safety.safe_contact_times"]', (rows) =>
    [...rows[rows.length - 1].querySelectorAll("th, td")].map((c) => c.textContent.trim()));
  check("the history shows the field by its label with its old and new value",
        cells.length === 3 && cells[0] !== "safety.safe_contact_times" && cells[2] === times &&
        cells[1] === (before || "(leeg)"), JSON.stringify(cells));
  await manager.locator("#history").scrollIntoViewIfNeeded();
  await scan(manager, "case-history");

  // Propose handing the case over to TUNIS: LKHA is refused on the field first.
  await manager.click("#refer-start");
  await manager.waitForSelector("#refer-form");
  await manager.fill("#refer-to", "LKHA");
  await manager.fill("#refer-legal-basis", "Zij verhuist naar Tunesië; de post daar neemt de zorg over");
  await manager.click("#refer-submit");
  await manager.waitForSelector("#refer-to[aria-invalid=true]");
  check("a handover to LKHA is refused on the field: it goes to a post", true);
  await scan(manager, "refer-errors");
  await manager.fill("#refer-to", "tunis");
  await manager.click("#refer-submit");
  await manager.waitForSelector("#handover-done", { timeout: 15000 });
  check("the handover to TUNIS is proposed and waits for its answer",
        (await manager.textContent("#overview-heading + dl")).includes("TUNIS") && (await manager.$("#refer-start")) === null);
  await scan(manager, "case-referred");

  // Duplicates of the case.
  await manager.waitForSelector("#duplicates-list li", { timeout: 15000 });
  const duplicates = await manager.$$eval("#duplicates-list li", (items) => items.map((i) => i.textContent));
  check(`the case of ${duplicateUnit} about the same person is a possible duplicate, by its unit only`,
        duplicates.some((d) => d.includes(duplicateUnit) && !d.includes(duplicateRef)) &&
        duplicates.every((d) => !d.includes(ref)), duplicates.join("; "));
  await manager.locator("#duplicates").scrollIntoViewIfNeeded();
  await scan(manager, "case-duplicates");

  // Find by the full name, written another way.
  await manager.click("#nav-cases");
  await manager.waitForSelector("#find-form");
  await manager.click("#find-submit");
  await manager.waitForSelector("#find-name[aria-invalid=true]");
  check("finding without a name says so on the field", true);
  await manager.fill("#find-name", `  ${name.toUpperCase().split(" ").join("   ")} `);
  await manager.click("#find-submit");
  await manager.waitForSelector("#find-table, #find-none", { timeout: 15000 });
  check("the case is found by the person's name in capitals and with extra spaces",
        (await manager.$(`#find-table a[href="#/case/${encodeURIComponent(ref)}"]`)) !== null);
  check(`the case of ${duplicateUnit}, which RABAT may not read, is not found`,
        !(await manager.textContent("#find-table")).includes(duplicateRef));
  // The live region is filled a moment after it is cleared (so that a repeat is heard again).
  const announced = await manager
    .waitForFunction(() => document.querySelector("[aria-live=polite]")?.textContent.includes("gevonden"), null, { timeout: 5000 })
    .then(() => true, () => false);
  check("the result is announced to screen readers", announced);
  await scan(manager, "find-results");
  const leftFind = await englishLeft(manager);
  check("no English left on the Dutch cases list with its search", leftFind.length === 0, leftFind.join("; "));

  // A partner of Morocco (RABAT is accredited to it): add it, change it, meet a conflict, deactivate it.
  const partnerName = `Cabinet Partage ${stamp}`;
  await manager.click("#nav-partners");
  await manager.waitForSelector("#partner-create-start", { timeout: 15000 });
  await manager.click("#partner-create-start");
  await manager.selectOption("#partner-kind", { index: 1 });
  await manager.fill("#partner-name", partnerName);
  await manager.selectOption("#partner-country", "MA");
  await manager.fill("#partner-city", "Rabat");
  await manager.click("#partner-create-submit");
  await manager.waitForSelector(`#partner-detail >> text=${partnerName}`, { timeout: 15000 });
  await manager.click("#partner-edit-start");
  await manager.waitForSelector("#partner-edit-form");
  await manager.fill("#partner-edit-name", "");
  await manager.click("#partner-edit-submit");
  await manager.waitForSelector("#partner-edit-errors");
  check("a partner without a name is refused on the field",
        (await manager.getAttribute("#partner-edit-name", "aria-invalid")) === "true");
  await scan(manager, "partner-edit-errors");
  await manager.fill("#partner-edit-name", partnerName);
  await manager.fill("#partner-edit-city", "Casablanca");

  // Meanwhile the same partner is changed in another tab.
  const other = await signIn("ROLE_POST_MANAGER", "RABAT");
  await other.click("#nav-partners");
  const show = `#partners-table button[aria-label*="${partnerName}"]`;
  await other.waitForSelector(show, { timeout: 15000 });
  await other.click(show);
  await other.waitForSelector("#partner-edit-start");
  await other.click("#partner-edit-start");
  await other.fill("#partner-edit-phone", "+212 537 000 000");
  await other.click("#partner-edit-submit");
  await other.waitForSelector("#partner-edit-done", { timeout: 15000 });

  await manager.click("#partner-edit-submit");
  await manager.waitForSelector("#partner-edit-failure", { timeout: 15000 });
  check("a conflicting change is shown, the input kept and the other change not overwritten",
        (await manager.inputValue("#partner-edit-city")) === "Casablanca" &&
        (await manager.textContent("#partner-detail")).includes("+212 537 000 000") &&
        (await manager.getAttribute("#partner-edit-failure", "role")) === "alert");
  await scan(manager, "partner-edit-conflict");
  await manager.click("#partner-edit-submit");
  await manager.waitForSelector("#partner-edit-done", { timeout: 15000 });
  const detail = await manager.textContent("#partner-detail");
  check("saved again on purpose, both changes stand", detail.includes("Casablanca") && detail.includes("+212 537 000 000"));
  await scan(manager, "partner-edited");

  await manager.click("#partner-deactivate-start");
  await manager.waitForSelector("#partner-deactivate-form");
  await manager.click("#partner-deactivate-confirm");
  await manager.waitForSelector("#partner-deactivate-reason[aria-invalid=true]");
  check("deactivating asks for a reason first", true);
  await scan(manager, "partner-deactivate-confirm");
  await manager.fill("#partner-deactivate-reason", "Het kantoor is gesloten");
  await manager.click("#partner-deactivate-confirm");
  await manager.waitForSelector("#partner-edit-done", { timeout: 15000 });
  check("the partner is deactivated and offers no more changes",
        (await manager.$("#partner-edit-start")) === null && (await manager.$("#partner-vetting-form")) === null);
  await scan(manager, "partner-deactivated");

  for (const [i, page] of pages.entries()) {
    const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
    check(`nothing in localStorage or sessionStorage (page ${i + 1})`, stored === 0);
  }
  const lower = name.toLowerCase();
  const leaked = addresses.filter((a) => {
    const d = decodeURIComponent(a).toLowerCase();
    return d.includes(lower) || lower.split(" ").some((part) => part.length > 3 && d.includes(part));
  });
  check("the person's name is in no address the browser used", leaked.length === 0 && addresses.length > 0, leaked.join(" "));
  check("no Content Security Policy violation", cspViolations.length === 0, cspViolations.join("; "));
} catch (error) {
  check("the sharing walk ran to its end", false, String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}
console.log(failures() === 0 ? "sharing walk: every check passed" : `sharing walk: ${failures()} failed`);
process.exit(failures() === 0 ? 0 : 1);

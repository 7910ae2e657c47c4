// The talks register in headless Chromium against a running gateway with consular-stats behind it
// (and a release holding Morocco's seeded cases): policy staff see Morocco among the countries
// never raised, plan a talk with Morocco, postpone it (a stale second page is refused in words),
// plan it again, mark it held and see the statistics frozen with it, add a commitment, store and
// download a briefing (the bytes checked against the digest shown), close the commitment from the
// follow-up list, record a decision, and cancel a second planned talk with a reason using the
// keyboard only. Every screen is scanned with axe-core and saved as a screenshot; no address holds
// more than a screen and a talk's UUID, and nothing is kept in browser storage.
//
// Environment: WEB_URL, SCREENSHOTS, STATS_YEAR (the year of the seeded release), CHROMIUM
// (default /usr/bin/chromium). Prints PASS/FAIL lines; exits 1 when a check failed.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { checker, launchChromium, scanScreen } from "./lib.mjs";

const url = process.env.WEB_URL;
const shots = process.env.SCREENSHOTS;
const statsYear = process.env.STATS_YEAR;
if (!url || !shots || !statsYear) {
  console.error("talks.mjs: set WEB_URL, SCREENSHOTS and STATS_YEAR");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const { check, failures } = checker();
const scan = (page, screen) => scanScreen(page, screen, shots, check);
const browser = await launchChromium();
const cspViolations = [];
const addresses = new Set();
const requestUrls = new Set();

// The services' today (UTC) and days from it, as <input type="date"> takes them.
function day(offset = 0) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

async function signIn(role) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "nl-NL", acceptDownloads: true });
  const page = await context.newPage();
  watch(page);
  await page.goto(url);
  await page.waitForSelector("#signin-role");
  await page.selectOption("#signin-role", role);
  await page.click("#signin-submit");
  await page.waitForSelector("#sign-out");
  return { context, page };
}

function watch(page) {
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) cspViolations.push(m.text());
  });
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) addresses.add(f.url());
  });
  page.on("request", (r) => requestUrls.add(r.url()));
}

// Presses Tab until the element with the id has the focus (at most `max` presses).
async function tabTo(page, id, max = 80) {
  for (let i = 0; i < max; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return true;
    await page.keyboard.press("Tab");
  }
  return (await page.evaluate(() => document.activeElement?.id)) === id;
}

async function status(page, value) {
  await page.waitForSelector(`#talk-status[data-status="${value}"]`, { timeout: 15000 });
}

async function planTalk(page, country, summary, date) {
  await page.click("#nav-talks");
  await page.waitForSelector("#talks-table, #talks-empty");
  await page.click("#talk-plan-start");
  await page.waitForSelector("#talk-form");
  await page.selectOption("#talk-country", country);
  await page.selectOption("#talk-level", "2");
  await page.check("#talk-topics");
  await page.fill("#talk-summary", summary);
  await page.fill("#talk-date", date);
  await page.click("#talk-submit");
  await page.waitForURL(/#\/talks\/[0-9a-f-]{36}$/, { timeout: 15000 });
  await status(page, 1);
  return page.url().split("#/talks/")[1];
}

try {
  const { context, page } = await signIn("ROLE_POLICY_STAFF");
  check("policy staff are offered the talks register in the header", (await page.$("#nav-talks")) !== null);

  // Before any talk: Morocco is a country with cases that was never raised.
  await page.goto(`${url}/#/decisions`);
  await page.waitForSelector("#unraised-table, #unraised-empty", { timeout: 15000 });
  const unraisedMa = await page.$("#unraised-MA");
  check("Morocco is among the countries never raised, with its published number of cases",
        unraisedMa !== null && Number((await unraisedMa.$eval("td", (e) => e.textContent)).replace(/\D/g, "")) >= 10);
  await page.selectOption("#unraised-years", "1");
  await page.check("#unraised-rounded");
  await page.click("#unraised-show");
  await page.waitForSelector('#unraised-source[data-rounded="true"][data-years="1"]', { timeout: 15000 });
  const rounded = await page.$eval("#unraised-MA td", (e) => e.textContent).catch(() => "");
  check("the unraised countries are shown for this year only, rounded to multiples of 5",
        rounded === "x" || Number(rounded) % 5 === 0, rounded);
  await scan(page, "decisions-unraised");

  // The register and a plan form left empty, with the keyboard only.
  await page.click("#nav-talks");
  await page.waitForSelector("#talks-table, #talks-empty");
  await scan(page, "talks");
  await page.focus("#nav-talks");
  check("the plan form is reached with Tab", await tabTo(page, "talk-plan-start"));
  await page.keyboard.press("Enter");
  await page.waitForSelector("#talk-form");
  check("the submit button is reached with Tab", await tabTo(page, "talk-submit"));
  await page.keyboard.press("Enter");
  await page.waitForSelector("#talk-form-errors");
  check("an empty plan is refused with a summary that takes the focus",
        (await page.evaluate(() => document.activeElement?.id)) === "talk-form-errors");
  check("the country's error is tied to its field",
        (await page.getAttribute("#talk-country", "aria-describedby"))?.includes("talk-country-error") &&
        (await page.getAttribute("#talk-country", "aria-invalid")) === "true" &&
        (await page.$("#talk-country-error")) !== null);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  check("the summary's first link moves the focus to its field",
        (await page.evaluate(() => document.activeElement?.id)) === "talk-country");
  await scan(page, "talk-plan-errors");

  // Plan, postpone (a stale page is refused), plan again, mark held.
  const talkId = await planTalk(page, "MA", "Returns of abandoned women and recognition of Dutch divorces", day(7));
  check("a planned talk with Morocco opens at its UUID", /^[0-9a-f-]{36}$/.test(talkId ?? ""), talkId);
  await scan(page, "talk-planned");
  const stale = await context.newPage();
  watch(stale);
  await stale.goto(page.url());
  await status(stale, 1);

  await page.click("#talk-action-postpone");
  await page.fill("#talk-change-date", day(14));
  await page.fill("#talk-change-text", "The minister is travelling");
  await page.click("#talk-change-submit");
  await status(page, 3);
  check("the talk is postponed, with the change in its history",
        (await page.$$("#talk-history-table tbody tr")).length === 2 &&
        (await page.textContent("#talk-history-table")).includes("The minister is travelling"));

  await stale.click("#talk-action-postpone");
  await stale.fill("#talk-change-date", day(21));
  await stale.click("#talk-change-submit");
  await stale.waitForSelector("#talk-change-failure", { timeout: 15000 });
  check("postponing again from a stale page is refused in words naming the status",
        (await stale.textContent("#talk-change-failure")).includes("uitgesteld"), await stale.textContent("#talk-change-failure"));
  await status(stale, 3);
  check("the stale page then shows the talk as it is now, offering to plan it again",
        (await stale.$("#talk-action-replan")) !== null && (await stale.$("#talk-action-postpone")) === null &&
        (await stale.$("#talk-change-failure")) !== null);
  await scan(stale, "talk-refused");
  await stale.close();

  await page.click("#talk-action-replan");
  await page.fill("#talk-change-date", day(3));
  await page.fill("#talk-change-text", "A new date was agreed");
  await page.click("#talk-change-submit");
  await status(page, 1);
  check("the postponed talk is planned again", (await page.$$("#talk-history-table tbody tr")).length === 3);

  await page.click("#talk-action-held");
  await page.fill("#talk-change-date", day(0));
  await page.fill("#talk-change-text", "Morocco will name a contact point");
  await page.click("#talk-change-submit");
  await status(page, 2);
  await page.waitForSelector("#talk-statistics-table", { timeout: 15000 });
  const opened = (await page.textContent("#talk-stat-opened td")).trim();
  const cells = await page.$$eval("#talk-statistics-table tbody td", (tds) => tds.map((td) => td.textContent.trim()));
  check("the held talk shows Morocco's frozen statistics (cases opened published)", Number(opened) >= 10, opened);
  check("a frozen figure is a number or x, never an empty cell", cells.every((c) => c === "x" || /^\d[\d.]*$/.test(c)), cells.join(","));
  check("the frozen statistics are of the talk's year",
        (await page.textContent("#talk-statistics-source")).includes(statsYear));
  check("a held talk offers no more status changes", (await page.$("#talk-actions")) === null);

  // A commitment and a briefing.
  await page.click("#commitment-add-start");
  await page.fill("#commitment-text", "Send the list of open abandonment cases");
  await page.fill("#commitment-owner", "Embassy Rabat");
  await page.fill("#commitment-due", day(30));
  await page.click("#commitment-submit");
  await page.waitForSelector("#talk-commitments-table >> text=Send the list of open abandonment cases", { timeout: 15000 });
  check("a commitment is added to the held talk", true);

  await page.selectOption("#briefing-format", "1");
  await page.click("#briefing-store");
  await page.waitForSelector("#briefing-done", { timeout: 30000 });
  const digest = (await page.textContent("#briefing-digest")).trim();
  check("the stored briefing shows its SHA-256 digest", /^[0-9a-f]{64}$/.test(digest), digest);
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 15000 }), page.click("#briefing-download")]);
  const bytes = readFileSync(await download.path());
  check("the downloaded briefing is the bytes stored (same SHA-256)", createHash("sha256").update(bytes).digest("hex") === digest);
  check("the downloaded briefing is an HTML dossier with its file name",
        /^dossier-MA-.*\.html$/.test(download.suggestedFilename()) && bytes.toString("utf8").toLowerCase().includes("<html"),
        download.suggestedFilename());
  await page.selectOption("#briefing-format", "2");
  await page.click("#briefing-download-chosen");
  await page.waitForSelector("#briefing-failure", { timeout: 15000 });
  check("asking for a CSV briefing that was never stored says so in words",
        (await page.textContent("#briefing-failure")).includes("geen briefing"), await page.textContent("#briefing-failure"));
  await scan(page, "talk-held");

  // A talk held ten days ago, recorded afterwards, with a commitment already overdue.
  await page.click("#nav-talks");
  await page.waitForSelector("#talks-table");
  await page.click("#talk-record-start");
  await page.waitForSelector("#talk-form");
  await page.selectOption("#talk-country", "MA");
  await page.selectOption("#talk-level", "3");
  await page.check("#talk-topics");
  await page.fill("#talk-summary", "Working-level talk on abandonment");
  await page.fill("#talk-date", day(-10));
  await page.fill("#talk-outcome", "A joint working group");
  await page.click("#talk-submit");
  await page.waitForURL(/#\/talks\/[0-9a-f-]{36}$/, { timeout: 15000 });
  await status(page, 2);
  check("a talk held ten days ago is recorded as held, with its statistics section",
        (await page.$("#talk-statistics")) !== null && (await page.textContent("#talk-details")).includes("A joint working group"));
  await page.click("#commitment-add-start");
  await page.fill("#commitment-text", "Agree the terms of reference");
  await page.fill("#commitment-owner", "DCM");
  await page.fill("#commitment-due", day(-5));
  await page.click("#commitment-submit");
  await page.waitForSelector("#talk-commitments-table >> text=Agree the terms of reference", { timeout: 15000 });
  await page.click("#talk-back");
  await page.waitForSelector("#talks-table");
  const statuses = await page.$$eval("#talks-table tbody tr", (rows) => rows.map((r) => r.getAttribute("data-status")));
  check("the register lists both held talks", statuses.filter((x) => x === "2").length >= 2, statuses.join(","));
  await scan(page, "talks-list");

  // The follow-up list: the overdue commitment first and marked; close the other one there.
  await page.click("#talks-to-commitments");
  await page.waitForSelector("#commitments-table", { timeout: 15000 });
  const order = await page.$$eval("#commitments-table tbody tr", (rows) =>
    rows.map((r) => ({ overdue: r.getAttribute("data-overdue"), text: r.querySelector("th").textContent, state: r.lastElementChild.textContent })));
  const overdueAt = order.findIndex((r) => r.text === "Agree the terms of reference");
  const laterAt = order.findIndex((r) => r.text === "Send the list of open abandonment cases");
  check("the overdue commitment is listed first, flagged \"Te laat\"",
        overdueAt >= 0 && overdueAt < laterAt && order[overdueAt].overdue === "true" && order[overdueAt].state.includes("Te laat") &&
        order[laterAt].overdue === "false", JSON.stringify(order));
  await scan(page, "commitments");
  const row = page.locator("#commitments-table tr", { hasText: "Send the list of open abandonment cases" });
  const commitmentId = await row.getAttribute("data-commitment-id");
  await page.click(`#commitment-close-${commitmentId}`);
  await page.fill(`#commitment-note-${commitmentId}`, "The list was sent");
  await page.click(`#commitment-close-submit-${commitmentId}`);
  await page.waitForSelector("#commitments-done", { timeout: 15000 });
  check("the commitment is closed from the follow-up list and leaves the open ones",
        (await page.$(`#commitment-${commitmentId}`)) === null);
  await page.uncheck("#commitments-open-only");
  await page.click("#commitments-filter");
  await page.waitForSelector(`#commitment-${commitmentId}[data-closed="true"]`, { timeout: 15000 });
  check("the closed commitment is listed with its note when closed ones are shown",
        (await page.textContent(`#commitment-${commitmentId}`)).includes("The list was sent"));
  await scan(page, "commitments-closed");

  // A decision.
  await page.goto(`${url}/#/decisions`);
  await page.waitForSelector("#decision-form");
  await page.click("#decision-submit");
  await page.waitForSelector("#decision-errors");
  check("an empty decision is refused field by field",
        (await page.getAttribute("#decision-reasons", "aria-describedby"))?.includes("decision-reasons-error"));
  await page.selectOption("#decision-country", "MA");
  await page.selectOption("#decision-topic", "2");
  await page.selectOption("#decision-decision", "1");
  await page.selectOption("#decision-level", "1");
  await page.fill("#decision-reasons", "Many refusals to recognise Dutch divorces");
  await page.fill("#decision-date", day(1));
  await page.click("#decision-submit");
  await page.waitForSelector("#decision-date-error");
  check("a decision dated tomorrow is refused on its date field", true);
  await page.fill("#decision-date", day(0));
  await page.click("#decision-submit");
  await page.waitForSelector("#decision-done", { timeout: 15000 });
  await page.waitForSelector("#decisions-table >> text=Many refusals to recognise Dutch divorces");
  check("the decision is recorded and listed", true);
  await page.waitForSelector("#unraised-table, #unraised-empty", { timeout: 15000 });
  check("Morocco is no longer among the countries never raised", (await page.$("#unraised-MA")) === null);
  await scan(page, "decisions");

  // A second planned talk, cancelled with a reason using the keyboard only.
  await planTalk(page, "MA", "Consular access to detained dual nationals", day(10));
  await page.focus("#talk-back");
  check("cancel is reached with Tab", await tabTo(page, "talk-action-cancel"));
  await page.keyboard.press("Enter");
  check("the reason is reached with Tab", await tabTo(page, "talk-change-text"));
  await page.keyboard.type("The visit was called off by the host");
  check("the cancel button is reached with Tab", await tabTo(page, "talk-change-submit"));
  await page.keyboard.press("Enter");
  await status(page, 4);
  check("the second talk is cancelled with its reason in the history",
        (await page.textContent("#talk-history-table")).includes("The visit was called off by the host"));
  check("a cancelled talk offers neither status changes nor a briefing",
        (await page.$("#talk-actions")) === null && (await page.$("#talk-briefing")) === null);
  await scan(page, "talk-cancelled");
  await page.selectOption("#lang-select", "en");
  await page.waitForFunction(() => document.querySelector("#talk-status")?.textContent === "cancelled");
  check("in English the talk's status and history are in English words",
        /planned[\s\S]*cancelled/.test(await page.textContent("#talk-history-table")) &&
        (await page.textContent("#talk-history-caption")) === "Status history, oldest first");
  await scan(page, "talk-cancelled-english");

  // Nothing personal in an address, nothing in browser storage.
  const allowed = /^\/(#\/(talks(\/[0-9a-f-]{36})?|commitments|decisions)?)?$/;
  const bad = [...addresses].filter((a) => !allowed.test(a.slice(url.length)));
  check("the addresses seen include a talk's page", [...addresses].some((a) => /#\/talks\/[0-9a-f-]{36}$/.test(a)), [...addresses].join(" "));
  check("every address is a screen or a talk's UUID", bad.length === 0, bad.join(" "));
  const queries = [...requestUrls].filter((u) => u.startsWith(url) && u.includes("?"));
  check("no request carries a query string", queries.length === 0, queries.join(" "));
  const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
  check("nothing is kept in localStorage or sessionStorage", stored === 0);
  check("no Content Security Policy violation", cspViolations.length === 0, cspViolations.join("; "));
  await context.close();
} catch (error) {
  check("the talks walk ran to its end", false, String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}
console.log(failures() === 0 ? "talks walk: every check passed" : `talks walk: ${failures()} failed`);
process.exit(failures() === 0 ? 0 : 1);

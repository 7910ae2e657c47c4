// The statistics screens of policy staff, in headless Chromium against a running gateway with
// consular-stats behind it and a release holding Morocco's seeded cases (10 opened in STATS_YEAR:
// 5 abandonment, 5 foreign divorce recognition). An officer is not offered statistics; policy
// staff start at the countries table, open Morocco, its time series and its dossier (HTML, the
// downloaded bytes checked), switch language and back, and use the screen with the keyboard
// alone; an administrator makes a release. Every screen is scanned with axe-core and saved as a
// screenshot; nothing is left in the browser's storage and no address names a person.
//
// Environment: WEB_URL, STATS_YEAR, MA_ABANDONMENT and MA_DIVORCE (Morocco's cases by type as
// consularctl prints them: "5" or "x"), SCREENSHOTS, CHROMIUM (default /usr/bin/chromium).
// Prints PASS/FAIL lines; exits 1 when a check failed.
import { mkdirSync, readFileSync } from "node:fs";
import { checker, launchChromium, scanScreen } from "./lib.mjs";

const url = process.env.WEB_URL;
const year = process.env.STATS_YEAR;
const shots = process.env.SCREENSHOTS;
// Morocco's abandonment and divorce-recognition cases of STATS_YEAR as consularctl prints them
// from the same release: "5", or "x" when disclosure control withholds the split.
const byType = { abandonment: process.env.MA_ABANDONMENT, divorce: process.env.MA_DIVORCE };
if (!url || !year || !shots || !byType.abandonment || !byType.divorce) {
  console.error("statistics.mjs: set WEB_URL, STATS_YEAR, MA_ABANDONMENT, MA_DIVORCE and SCREENSHOTS");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const { check, failures } = checker();
const scan = (page, screen) => scanScreen(page, screen, shots, check);
const browser = await launchChromium();
const cspViolations = [];
const addresses = [];

async function signIn(role, unit) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "nl-NL", acceptDownloads: true });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) cspViolations.push(m.text());
  });
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) addresses.push(frame.url());
  });
  await page.goto(url);
  await page.waitForSelector("#signin-role");
  await page.selectOption("#signin-role", role);
  if (unit) await page.fill("#signin-unit", unit);
  await page.click("#signin-submit");
  await page.waitForSelector("#sign-out");
  return page;
}

const text = (page, selector) => page.textContent(selector).then((s) => (s ?? "").trim());

// The figure of a category in the table of cases opened by a dimension.
const openedBy = (dimension) => `#stats-figures section[data-measure=MEASURE_CASES_OPENED][data-dimension=${dimension}]`;
async function cell(page, dimension, category) {
  return text(page, `${openedBy(dimension)} tbody tr[data-category=${category}] td`);
}

// Presses Tab until the element with the id has the focus (at most `max` times).
async function tabTo(page, id, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((x) => document.activeElement?.id === x, id)) return true;
  }
  return false;
}

try {
  // An officer works cases: no statistics in the header.
  const officer = await signIn("ROLE_CONSULAR_OFFICER", "RABAT");
  check("an officer is not offered the statistics", (await officer.$("#nav-statistics")) === null);
  await officer.goto(`${url}/#/statistics`);
  await officer.waitForSelector("#stats-error", { timeout: 15000 });
  check("an officer opening the statistics address is told it is not allowed",
        (await text(officer, "#stats-error p")).includes("geen toegang") &&
        (await officer.$("#stats-countries")) === null, await text(officer, "#stats-error"));
  await officer.context().close();

  // Policy staff start at the countries table.
  const policy = await signIn("ROLE_POLICY_STAFF", "");
  await policy.waitForSelector("#stats-filters");
  check("policy staff start at the statistics and have the header link",
        (await policy.$("#nav-statistics")) !== null && (await text(policy, "h1")) === "Statistieken");

  // Keyboard only: the year, Enter to show, Tab to Morocco's link, Enter to open it.
  await policy.focus("#stats-period-kind");
  check("Tab reaches the year field", await tabTo(policy, "stats-year", 3));
  check("the focused field shows a visible focus outline",
        await policy.evaluate(() => {
          const s = getComputedStyle(document.activeElement);
          return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
        }));
  await policy.keyboard.press("Control+A");
  await policy.keyboard.type(year);
  await policy.keyboard.press("Enter");
  await policy.waitForSelector("#stats-row-MA", { timeout: 15000 });
  check(`the countries table of ${year} shows Morocco with 10 cases opened`,
        (await text(policy, "#stats-opened-MA")) === "10", await text(policy, "#stats-row-MA"));
  check("the table says which release and definitions the figures come from",
        /Release \d+, definities \S+/.test(await text(policy, "#stats-provenance")));
  check("the releases are listed", (await policy.$$("#stats-releases-table tbody tr")).length > 0);
  check("policy staff are not offered to make a release", (await policy.$("#stats-make-release")) === null);
  await scan(policy, "statistics");

  check("Tab reaches Morocco's link", await tabTo(policy, "stats-link-MA"));
  await policy.keyboard.press("Enter");
  await policy.waitForSelector("#stats-headline", { timeout: 15000 });
  check("Morocco's page is opened with the keyboard alone, by its country code only",
        policy.url().endsWith("#/statistics/MA"), policy.url());

  // Morocco's figures.
  check("Morocco's page shows 10 cases opened", (await text(policy, "#stats-headline-opened")) === "10");
  // A figure not published reads "x" and, for screen readers, "niet gepubliceerd".
  const shown = (v) => (v === "x" ? "xniet gepubliceerd" : v);
  const typeTable = await text(policy, `${openedBy("DIMENSION_CASE_TYPE")} table`);
  check("consularctl publishes Morocco's cases by type as 5 and 5, or withholds them",
        ["5", "x"].includes(byType.abandonment) && ["5", "x"].includes(byType.divorce), JSON.stringify(byType));
  check(`abandonment cases as published (${byType.abandonment})`,
        (await cell(policy, "DIMENSION_CASE_TYPE", "CASE_TYPE_ABANDONMENT")) === shown(byType.abandonment), typeTable);
  check(`foreign divorce recognition cases as published (${byType.divorce})`,
        (await cell(policy, "DIMENSION_CASE_TYPE", "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION")) === shown(byType.divorce),
        typeTable);
  check("the case types add up to the 10 cases opened",
        (await text(policy, `${openedBy("DIMENSION_CASE_TYPE")} tfoot td`)) === "10", typeTable);
  const breakdowns = (await policy.$$("section.breakdown")).length;
  const charts = await policy.$$eval("section.breakdown svg.chart[role=img]", (els) =>
    els.filter((e) => (e.getAttribute("aria-label") ?? "").length > 10).length);
  check("every breakdown has a named chart beside its table", breakdowns > 3 && charts === breakdowns,
        `${breakdowns} breakdowns, ${charts} named charts`);
  const publishedTypes = [byType.abandonment, byType.divorce].filter((v) => v !== "x").length;
  check("the chart of cases opened by type draws a bar for each published type only",
        await policy.$$eval(`${openedBy("DIMENSION_CASE_TYPE")} svg rect.chart-bar`, (r) => r.length) === publishedTypes);
  check("the chart marks each type not published with the mark",
        await policy.$$eval(`${openedBy("DIMENSION_CASE_TYPE")} svg .chart-row.suppressed .chart-value`,
                            (t) => t.map((e) => e.textContent).join("")) === "x".repeat(2 - publishedTypes));
  const suppressed = await policy.$$eval("td[data-suppressed=true]", (tds) =>
    tds.map((td) => td.textContent ?? ""));
  check("a figure not published shows the mark and no number",
        suppressed.every((s) => s.startsWith("x") && !/\d/.test(s)), suppressed.join(" | "));
  check("no bar is drawn for a figure not published",
        await policy.$$eval(".chart-row.suppressed rect", (r) => r.length) === 0);
  check("the legend explains the mark", (await text(policy, "#stats-legend")).startsWith("x: niet gepubliceerd"));
  await scan(policy, "statistics-country");

  // The dossier, as a download of the server's file.
  await policy.selectOption("#stats-dossier-format", { index: 0 });
  const [download] = await Promise.all([
    policy.waitForEvent("download", { timeout: 15000 }),
    policy.click("#stats-dossier-download"),
  ]);
  const file = download.suggestedFilename();
  const html = readFileSync(await download.path(), "utf8");
  check("the dossier downloads under the server's file name", /^dossier-MA-.*\.html$/.test(file), file);
  check("the downloaded dossier holds Morocco's figures, in Dutch",
        html.includes("<dt>Geopende zaken</dt><dd>10</dd>") && /<html[^>]*lang="nl"/.test(html));
  await policy.waitForSelector("#stats-dossier-done");

  // The time series.
  await policy.click("#stats-series-link");
  await policy.waitForSelector("#series-table", { timeout: 15000 });
  check(`the time series shows 10 cases opened in ${year}`,
        (await text(policy, `#series-table tr[data-period="${year}"] td`)) === "10");
  check("the time series has a named chart",
        ((await policy.getAttribute("#series-chart", "aria-label")) ?? "").length > 10 &&
        (await policy.getAttribute("#series-chart", "role")) === "img");
  await scan(policy, "statistics-series");
  await policy.selectOption("#series-dimension", { label: "soort zaak" });
  await policy.selectOption("#series-category", "CASE_TYPE_ABANDONMENT");
  await policy.click("#series-show");
  await policy.waitForSelector("#series-heading >> text=Achterlating", { timeout: 15000 });
  check(`the abandonment series shows ${year} as published (${byType.abandonment})`,
        (await text(policy, `#series-table tr[data-period="${year}"] td`)) === shown(byType.abandonment),
        await text(policy, "#series-table"));

  // English and back.
  await policy.selectOption("#lang-select", "en");
  await policy.waitForSelector("#nav-statistics >> text=Statistics");
  check("the series screen speaks English", (await text(policy, "h1")).startsWith("Time series"));
  await scan(policy, "statistics-series-en");
  await policy.click("#stats-back");
  await policy.waitForSelector("#stats-headline");
  check("Morocco's page speaks English",
        (await text(policy, "#stats-headline tbody tr th")) === "Cases opened" &&
        (await text(policy, "#stats-legend")).startsWith("x: not published"));
  const [englishDownload] = await Promise.all([
    policy.waitForEvent("download", { timeout: 15000 }),
    policy.click("#stats-dossier-download"),
  ]);
  const englishHtml = readFileSync(await englishDownload.path(), "utf8");
  check("the HTML dossier comes in the screen's language: English",
        englishHtml.includes("<dt>Cases opened</dt><dd>10</dd>") && /<html[^>]*lang="en"/.test(englishHtml));
  await policy.selectOption("#lang-select", "nl");
  await policy.waitForSelector("#nav-statistics >> text=Statistieken");
  check("and back in Dutch", (await text(policy, "#stats-headline tbody tr th")) === "Zaken geopend");

  // A period the service refuses is shown by its field.
  await policy.click("#nav-statistics");
  await policy.waitForSelector("#stats-filters");
  await policy.selectOption("#stats-period-kind", "range");
  await policy.fill("#stats-from-year", year);
  await policy.selectOption("#stats-from-quarter", "1");
  await policy.fill("#stats-to-year", year);
  await policy.selectOption("#stats-to-quarter", "4");
  await policy.check("#stats-round");
  await policy.click("#stats-show");
  await policy.waitForSelector("#stats-caption >> text=tot en met", { timeout: 15000 });
  check(`the whole quarters of ${year} as a range, rounded to base 5: Morocco's 10 cases opened`,
        (await text(policy, "#stats-opened-MA")) === "10" &&
        (await text(policy, "#stats-provenance")).includes("afgerond op veelvouden van 5"),
        `${await text(policy, "#stats-caption")}: ${await text(policy, "#stats-row-MA")}`);
  await policy.selectOption("#stats-period-kind", "year");
  await policy.uncheck("#stats-round");
  await policy.fill("#stats-year", "1999");
  await policy.click("#stats-show");
  await policy.waitForSelector("#stats-year-error");
  check("a year out of range is named by its field",
        (await policy.getAttribute("#stats-year", "aria-invalid")) === "true");

  const stored = await policy.evaluate(() => localStorage.length + sessionStorage.length);
  check("nothing is kept in localStorage or sessionStorage", stored === 0);
  const body = await policy.textContent("body");
  check("no person's name on the statistics screens", !/Seeded Person/.test(body ?? ""));
  await policy.context().close();

  // An administrator makes a release.
  const admin = await signIn("ROLE_ADMINISTRATOR", "");
  await admin.waitForSelector("#stats-make-release");
  const before = (await admin.$$("#stats-releases-table tbody tr")).length;
  await admin.click("#stats-make-release");
  await admin.waitForSelector("#stats-release-result", { timeout: 30000 });
  await admin.waitForFunction((n) => document.querySelectorAll("#stats-releases-table tbody tr").length > n, before,
                              { timeout: 15000 });
  check("an administrator makes a release and sees it listed",
        /Release \d+ is gemaakt/.test(await text(admin, "#stats-release-result")));
  await scan(admin, "statistics-admin");
  await admin.context().close();

  const personal = addresses.filter((a) => !/#\/(statistics(\/[A-Z]{2}(\/series)?)?)?$/.test(a) && !a.endsWith("/"));
  check("every address is a statistics screen or a country code", personal.length === 0, personal.join(" "));
  check("no Content Security Policy violation", cspViolations.length === 0, cspViolations.join("; "));
} catch (error) {
  check("the statistics walk ran to its end", false, String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}
console.log(failures() === 0 ? "statistics walk: every check passed" : `statistics walk: ${failures()} failed`);
process.exit(failures() === 0 ? 0 : 1);

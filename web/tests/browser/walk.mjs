// The web client in headless Chromium (Debian's) against a running gateway: sign in, the unit's
// cases, one case, the language switch, sign-out, and another post's officer kept out. Every
// screen is scanned with axe-core (WCAG 2.1 A and AA rules) and saved as a screenshot.
//
// Environment: WEB_URL (the gateway), CASE_REF and CASE_NAME (a case of RABAT, with covert notes
// COVERT), SCREENSHOTS (a folder), CHROMIUM (default /usr/bin/chromium).
// Prints PASS/FAIL lines; exits 1 when a check failed.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const url = process.env.WEB_URL;
const ref = process.env.CASE_REF;
const name = process.env.CASE_NAME;
const covert = process.env.COVERT;
const shots = process.env.SCREENSHOTS;
if (!url || !ref || !name || !covert || !shots) {
  console.error("walk.mjs: set WEB_URL, CASE_REF, CASE_NAME, COVERT and SCREENSHOTS");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

let failed = 0;
function check(what, ok, detail = "") {
  if (ok) {
    console.log(`PASS  ${what}`);
  } else {
    failed += 1;
    console.log(`FAIL  ${what}${detail ? `\n      ${detail}` : ""}`);
  }
}

// axe-core in the page (through the DevTools protocol, which the page's CSP does not govern).
async function scan(page, screen) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  const violations = result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help}`);
  check(`axe-core finds no WCAG 2.1 AA violation on the ${screen} screen`, violations.length === 0,
        violations.join("; "));
  await page.screenshot({ path: join(shots, `${screen}.png`), fullPage: true });
}

async function storageIsEmpty(page) {
  return page.evaluate(async () => {
    const databases = indexedDB.databases ? await indexedDB.databases() : [];
    return localStorage.length === 0 && sessionStorage.length === 0 && databases.length === 0;
  });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
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

  check("no personal data in any address the browser used",
        urls.every((u) => !u.includes(name) && !u.includes(encodeURIComponent(name))),
        urls.filter((u) => u.includes(name)).join(" "));
  check("no Content Security Policy violation", cspViolations.length === 0, cspViolations.join("; "));
} catch (error) {
  check("the walk ran to its end", false, String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}
console.log(failed === 0 ? "browser walk: every check passed" : `browser walk: ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

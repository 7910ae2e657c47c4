// Sign-in through the identity provider, in headless Chromium: the client's sign-in screen offers
// the provider, the provider's login page takes the user, and the browser comes back signed in
// with the role and post of the provider's claims; the services accept the provider's token (the
// unit's cases are listed); sign-out ends the session.
//
// Environment: WEB_URL (the gateway), LOGIN (e.g. officer-rabat), EXPECT_ROLE and EXPECT_UNIT (the
// session's role and unit that login must give, e.g. ROLE_CONSULAR_OFFICER and RABAT), CASE_REF (a
// case of that post), SCREENSHOTS (a folder), CHROMIUM (default /usr/bin/chromium).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { checker, launchChromium, scanScreen } from "./lib.mjs";

const url = process.env.WEB_URL;
const login = process.env.LOGIN;
const ref = process.env.CASE_REF;
const shots = process.env.SCREENSHOTS;
const expectRole = process.env.EXPECT_ROLE;
const expectUnit = process.env.EXPECT_UNIT ?? "";
if (!url || !login || !ref || !shots || !expectRole) {
  console.error("oidc.mjs: set WEB_URL, LOGIN, EXPECT_ROLE, EXPECT_UNIT, CASE_REF and SCREENSHOTS");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const { check, failures } = checker();
const browser = await launchChromium();
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector("#signin-provider");
  await scanScreen(page, "sign-in-provider", shots, check);
  check("without the development flag there is no development sign-in",
        (await page.$("#signin-role")) === null);

  await page.click("#signin-provider");
  await page.waitForSelector('input[name="login"]', { timeout: 15000 });
  check("the provider's login page opens", new URL(page.url()).host !== new URL(url).host);
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', "any");
  await page.click('button[type="submit"]');
  // A consent page, if the provider asks.
  const consent = await Promise.race([
    page.waitForSelector("#sign-out", { timeout: 15000 }).then(() => false),
    page.waitForSelector('button[autofocus], form button[type="submit"]', { timeout: 15000 }).then(() => true),
  ]);
  if (consent && !(await page.$("#sign-out"))) await page.click('button[type="submit"]');
  await page.waitForSelector("#sign-out", { timeout: 15000 });
  check("back at the client, signed in", new URL(page.url()).host === new URL(url).host);
  const session = await page.evaluate(async () => (await fetch("/auth/session")).json());
  check("the session has the provider's subject, role and post",
        session.subject === login && session.role === expectRole && session.unit === expectUnit,
        JSON.stringify({ subject: session.subject, role: session.role, unit: session.unit }));
  await page.waitForSelector(`a:text-is("${ref}")`, { timeout: 15000 });
  check("the services accept the provider's token: the post's case is listed", true);
  await page.screenshot({ path: join(shots, "cases-after-provider-sign-in.png"), fullPage: true });
  check("no token in any address or storage",
        !page.url().includes("code=") && (await page.evaluate(() => localStorage.length + sessionStorage.length)) === 0);

  // The provider's access tokens live a few seconds here (OIDC_ACCESS_TOKEN_TTL): past that, the
  // list still loads, on a token the gateway renewed.
  await page.waitForTimeout(Number(process.env.TOKEN_TTL_SECONDS || 0) * 1000 + 1500);
  await page.reload();
  await page.waitForSelector(`a:text-is("${ref}")`, { timeout: 15000 });
  const still = await page.evaluate(async () => (await fetch("/auth/session")).status);
  check("past the access token's lifetime the session goes on (renewed at the provider)", still === 200);

  await page.click("#sign-out");
  await page.waitForSelector("#signin-provider");
  const after = await page.evaluate(async () => (await fetch("/auth/session")).status);
  check("sign-out ends the session", after === 401);
} catch (error) {
  check("the sign-in walk ran to its end", false, String(error && error.stack ? error.stack : error));
} finally {
  await browser.close();
}
console.log(failures() === 0 ? "sign-in walk: every check passed" : `sign-in walk: ${failures()} failed`);
process.exit(failures() === 0 ? 0 : 1);

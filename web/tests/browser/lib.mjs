// What the browser scripts share: Debian's headless Chromium, PASS/FAIL checks, and an axe-core
// scan (WCAG 2.1 A and AA rules) with a screenshot of the screen.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// Chromium as this machine runs it: no sandbox (root), no GPU, and none of the background
// connections that a closed network refuses.
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// check(what, ok, detail) prints PASS or FAIL; failures() tells how many failed.
export function checker() {
  let failed = 0;
  return {
    check(what, ok, detail = "") {
      if (ok) {
        console.log(`PASS  ${what}`);
      } else {
        failed += 1;
        console.log(`FAIL  ${what}${detail ? `\n      ${detail}` : ""}`);
      }
    },
    failures: () => failed,
  };
}

// axe-core in the page (through the DevTools protocol, which the page's CSP does not govern), then
// a full-page screenshot SHOTS/<screen>.png.
export async function scanScreen(page, screen, shots, check) {
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

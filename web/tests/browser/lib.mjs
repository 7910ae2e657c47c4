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

// English left on a page shown in Dutch: every text of the page (text nodes, the labels in
// attributes, the document's title) that is a whole English message of the catalogue whose Dutch
// differs, and every English function word in the page's own words (headings, labels, buttons,
// table headers, legends, alerts). Returns what it found, with where.
const catalogueDir = new URL("../../src/i18n/", import.meta.url);
const english = JSON.parse(readFileSync(new URL("en.json", catalogueDir), "utf8"));
const dutch = JSON.parse(readFileSync(new URL("nl.json", catalogueDir), "utf8"));
const englishOnly = Object.keys(english)
  .filter((k) => english[k] !== dutch[k])
  .map((k) => ({
    key: k,
    letters: english[k].replace(/\{[A-Za-z][A-Za-z0-9_]*\}/g, "").replace(/[^\p{L}]/gu, "").length,
    pattern: new RegExp(
      `^${english[k]
        .trim()
        .split(/\{[A-Za-z][A-Za-z0-9_]*\}/)
        .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+"))
        .join("[\\s\\S]+?")}$`,
    ),
  }))
  // A message of a word of two or three letters around placeholders ("{by} on {at}") is left to
  // the check of English words below.
  .filter((m) => m.letters >= 4);

export async function englishLeft(page) {
  const texts = await page.evaluate(() => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      // What is English on purpose (the language switch's own names, lang="en") is left out.
      if (!el || el.closest("script, style, noscript, [hidden]")) continue;
      if (el.closest("[lang]")?.getAttribute("lang") !== document.documentElement.lang) continue;
      const text = n.textContent.trim();
      if (text) found.push({ text, where: el.tagName.toLowerCase(), chrome: false });
    }
    for (const el of document.body.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
      if (el.closest("[lang]")?.getAttribute("lang") !== document.documentElement.lang) continue;
      for (const a of ["aria-label", "title", "placeholder", "alt"]) {
        const v = el.getAttribute(a);
        if (v && v.trim()) found.push({ text: v.trim(), where: `${el.tagName.toLowerCase()}[${a}]`, chrome: true });
      }
    }
    const chrome = "h1, h2, h3, h4, label, button, th, legend, caption, summary, nav a, [role=alert], [role=status]";
    for (const el of document.body.querySelectorAll(chrome)) {
      if (el.closest("[hidden]") || el.closest("[lang]")?.getAttribute("lang") !== document.documentElement.lang) continue;
      const text = el.textContent.trim();
      if (text) found.push({ text, where: el.tagName.toLowerCase(), chrome: true });
    }
    found.push({ text: document.title, where: "title", chrome: true });
    return found;
  });
  const words = /\b(the|and|with|are|not|this|save|cancel|edit|show|hide|add|new|case|cases|date|reason|none)\b/i;
  const left = [];
  for (const { text, where, chrome } of texts) {
    const message = englishOnly.find((m) => m.pattern.test(text));
    if (message) left.push(`${where}: "${text}" (${message.key})`);
    else if (chrome && words.test(text)) left.push(`${where}: "${text}" (an English word)`);
  }
  return [...new Set(left)];
}

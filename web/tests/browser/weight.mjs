// The web client's weight and speed on a poor line, measured in Debian's headless Chromium against
// a running gateway (ops/bench-web.sh starts one):
// - first load: every byte the browser receives to show the sign-in screen with an empty cache
//   (transfer sizes, as compressed on the wire), and the hosts it contacts;
// - a case page on an emulated slow 3G line (Chromium's network emulation with the "Slow 3G"
//   figures of Chrome's DevTools: 2,000 ms latency, 400 kbit/s down and up): from the start of the
//   navigation until the person's name is on the screen, (a) opened cold by its address with an
//   empty cache, already signed in, and (b) opened from the list of cases in the running client.
// Each measured RUNS times (default 5); prints the median and the worst, and a JSON line.
//
// Environment: WEB_URL, CASE_REF, CASE_NAME, RUNS, CHROMIUM (default /usr/bin/chromium).
import { launchChromium } from "./lib.mjs";

const url = process.env.WEB_URL;
const ref = process.env.CASE_REF;
const name = process.env.CASE_NAME;
const runs = Number(process.env.RUNS || 5);
if (!url || !ref || !name) {
  console.error("weight.mjs: set WEB_URL, CASE_REF and CASE_NAME");
  process.exit(2);
}
const slow3g = {
  offline: false,
  latency: 2000,
  downloadThroughput: (400 * 1000) / 8,
  uploadThroughput: (400 * 1000) / 8,
};

const browser = await launchChromium();

async function signedInContext() {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector("#signin-role");
  await page.selectOption("#signin-role", "ROLE_CONSULAR_OFFICER");
  await page.fill("#signin-unit", "RABAT");
  await page.click("#signin-submit");
  await page.waitForSelector("#sign-out");
  return { context, page };
}

// Bytes on the wire and hosts for a cold load of the sign-in screen.
async function firstLoad() {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  let bytes = 0;
  const hosts = new Set();
  const files = [];
  const urls = new Map();
  cdp.on("Network.requestWillBeSent", (e) => {
    urls.set(e.requestId, e.request.url);
    hosts.add(new URL(e.request.url).host);
  });
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    files.push(`${new URL(urls.get(e.requestId)).pathname} ${e.encodedDataLength}`);
  });
  await page.goto(url, { waitUntil: "networkidle" });
  await page.waitForSelector("#signin-role");
  await context.close();
  return { bytes, hosts: [...hosts], files };
}

async function throttled(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", slow3g);
  return cdp;
}

// (a) The case page by its address, cold: HTML, script, style, session, the case.
async function coldCasePage() {
  const { context, page } = await signedInContext();
  const fresh = await context.newPage();
  await throttled(fresh);
  const start = Date.now();
  await fresh.goto(`${url}/#/case/${ref}`, { waitUntil: "commit" });
  await fresh.waitForSelector(`text=${name}`, { timeout: 60000 });
  const ms = Date.now() - start;
  await page.close();
  await context.close();
  return ms;
}

// (b) From the list of cases to the case page in the running client.
async function inAppCasePage() {
  const { context, page } = await signedInContext();
  await page.waitForSelector(`a:text-is("${ref}")`);
  await throttled(page);
  const start = Date.now();
  await page.click(`a:text-is("${ref}")`);
  await page.waitForSelector(`text=${name}`, { timeout: 60000 });
  const ms = Date.now() - start;
  await context.close();
  return ms;
}

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], worst: sorted[sorted.length - 1] };
};

const load = await firstLoad();
const cold = [];
const inApp = [];
for (let i = 0; i < runs; i += 1) {
  cold.push(await coldCasePage());
  inApp.push(await inAppCasePage());
}
await browser.close();

console.log(`first load (sign-in screen, empty cache): ${load.bytes} bytes on the wire, hosts: ${load.hosts.join(", ")}`);
for (const f of load.files) console.log(`  ${f}`);
const a = stats(cold);
const b = stats(inApp);
console.log(`slow 3G, case page by its address, cold: median ${a.median} ms, worst ${a.worst} ms (${runs} runs)`);
console.log(`slow 3G, case page from the list: median ${b.median} ms, worst ${b.worst} ms (${runs} runs)`);
console.log(JSON.stringify({ firstLoadBytes: load.bytes, hosts: load.hosts, coldMs: cold, inAppMs: inApp }));
